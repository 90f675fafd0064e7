package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMain_ParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"defaults", nil, ""},
		{"all flags", []string{"-addr", "127.0.0.1:0", "-seed", "7", "-rate-limit", "0", "-verbose"}, ""},
		{"negative rate limit", []string{"-rate-limit", "-1"}, "-rate-limit must be 0 (off) or positive"},
		{"bad address", []string{"-addr", "nonsense"}, `-addr "nonsense"`},
		{"stray argument", []string{"serve"}, `unexpected argument "serve"`},
		{"unknown flag", []string{"-port", "1"}, "flag provided but not defined: -port"},
		{"bad number", []string{"-seed", "x"}, `invalid value "x" for flag -seed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMain(io.Discard, io.Discard)
			err := m.ParseFlags(tt.args)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ParseFlags: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

// MustRunMain starts the real wiring on a free port and returns its base URL; the server
// stops when the test ends.
func MustRunMain(tb testing.TB, args ...string) (string, *bytes.Buffer) {
	tb.Helper()
	var out bytes.Buffer
	m := NewMain(&out, io.Discard)
	if err := m.ParseFlags(append([]string{"-addr", "127.0.0.1:0"}, args...)); err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	var addr string
	select {
	case addr = <-m.Addr:
	case err := <-done:
		cancel()
		tb.Fatalf("Run: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		tb.Fatal("server did not start")
	}
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("Run after shutdown: %v", err)
		}
	})
	return "http://" + addr, &out
}

func TestMain_RunServesAndStops(t *testing.T) {
	base, out := MustRunMain(t, "-seed", "3")
	if !strings.Contains(out.String(), "curl -H 'Authorization: Bearer cal_") || !strings.Contains(out.String(), base) {
		t.Errorf("banner lacks the base URL or a ready curl:\n%s", out.String())
	}
	req, _ := http.NewRequest("GET", base+"/v2/bookings/unknown", nil)
	req.Header.Set("cal-api-version", "2024-08-13")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status = %d, want 404", resp.StatusCode)
	}
}

func TestMain_BadFixturesFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "f.yaml")
	if err := os.WriteFile(bad, []byte("users: []\nsurprise: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{bad, "surprise"},
		{filepath.Join(dir, "missing.yaml"), "missing.yaml"},
	} {
		m := NewMain(io.Discard, io.Discard)
		if err := m.ParseFlags([]string{"-addr", "127.0.0.1:0", "-fixtures", tt.path}); err != nil {
			t.Fatal(err)
		}
		err := m.Run(context.Background())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Run with %s: err = %v, want it to mention %q", tt.path, err, tt.want)
		}
	}
}

// TestMain_ShutdownFinishesInFlight: a request whose body is still arriving when shutdown
// starts is answered in full, and Run then returns nil promptly.
func TestMain_ShutdownFinishesInFlight(t *testing.T) {
	var out bytes.Buffer
	m := NewMain(&out, io.Discard)
	if err := m.ParseFlags([]string{"-addr", "127.0.0.1:0", "-rate-limit", "0"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	addr := <-m.Addr

	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", "http://"+addr+"/v2/bookings/unknown/cancel", pr)
	req.Header.Set("cal-api-version", "2024-08-13")
	req.Header.Set("Content-Type", "application/json")
	respc := make(chan *http.Response, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("in-flight request: %v", err)
			respc <- nil
			return
		}
		respc <- resp
	}()
	if _, err := pw.Write([]byte(`{"cancellationReason":`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the request is now being read by the server
	cancel()
	time.Sleep(100 * time.Millisecond)
	if _, err := pw.Write([]byte(`"late"}`)); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	resp := <-respc
	if resp == nil {
		t.FailNow()
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("in-flight request got %d, want the normal 404 for an unknown booking", resp.StatusCode)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after shutdown")
	}
	if !strings.Contains(out.String(), "stopped") {
		t.Errorf("no stop message in %q", out.String())
	}
}
