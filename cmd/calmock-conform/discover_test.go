package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/calmock/calmock/conformance"
	"github.com/calmock/calmock/mockserver"
	"github.com/calmock/calmock/profile"
)

// TestDiscover_WritesTheProfile: -discover against a calmock writes a profile that loads,
// with the mock's users and event type ids, and names every kind it found.
func TestDiscover_WritesTheProfile(t *testing.T) {
	srv, err := mockserver.New(mockserver.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	want := srv.Fixtures().Profile()
	path := filepath.Join(t.TempDir(), "out", "profile.json")
	code, out, errOut := runCmd(t, "-target", ts.URL, "-api-key", want.Users[0].APIKey, "-other-api-key", want.Users[1].APIKey, "-discover", path)
	if code != conformance.ExitOK {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	got, err := profile.Load(path)
	if err != nil {
		t.Fatalf("the written profile does not load: %v", err)
	}
	if got.Users[0].APIKey != want.Users[0].APIKey || got.Users[1].ID != want.Users[1].ID {
		t.Errorf("users = %+v", got.Users)
	}
	for _, kind := range profile.Kinds {
		if got.EventTypes[kind].ID != want.EventTypes[kind].ID {
			t.Errorf("%s: id %d, want %d", kind, got.EventTypes[kind].ID, want.EventTypes[kind].ID)
		}
		if !strings.Contains(out, "found   "+kind) {
			t.Errorf("stdout does not name %s:\n%s", kind, out)
		}
	}
	if !strings.Contains(out, "found   pastBookingUid") || got.PastBookingUID == "" {
		t.Errorf("no pastBookingUid found or printed:\n%s", out)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the profile holds API keys; mode %v, %v", info.Mode(), err)
	}
}

func TestDiscover_ExitCodes(t *testing.T) {
	srv, err := mockserver.New(mockserver.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	keys := srv.Fixtures().Profile().Users
	path := filepath.Join(t.TempDir(), "p.json")
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html></html>")) }))
	defer html.Close()
	t.Setenv(envOtherAPIKey, "")
	tests := []struct {
		name string
		args []string
		want int
		msg  string
	}{
		{"no target", []string{"-api-key", "cal_a", "-other-api-key", "cal_b"}, conformance.ExitUsage, "needs -target"},
		{"no other key", []string{"-target", ts.URL, "-api-key", keys[0].APIKey}, conformance.ExitUsage, "needs -other-api-key"},
		{"refused key", []string{"-target", ts.URL, "-api-key", "cal_test_unknown_key_0000", "-other-api-key", keys[1].APIKey}, conformance.ExitUsage, "401"},
		{"unreachable", []string{"-target", "http://127.0.0.1:1", "-api-key", "cal_a", "-other-api-key", "cal_b"}, conformance.ExitUnreachable, "unreachable"},
		{"not Cal.com", []string{"-target", html.URL, "-api-key", "cal_a", "-other-api-key", "cal_b"}, conformance.ExitUnreachable, "envelope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, append(tt.args, "-discover", path)...)
			if code != tt.want || !strings.Contains(errOut, tt.msg) {
				t.Fatalf("exit code %d (want %d), stderr %q (want %q); stdout %s", code, tt.want, errOut, tt.msg, out)
			}
			if _, err := os.Stat(path); err == nil {
				t.Fatal("a failed discovery wrote the profile")
			}
		})
	}
	// The environment variable stands for the flag.
	t.Setenv(envOtherAPIKey, keys[1].APIKey)
	if code, _, errOut := runCmd(t, "-target", ts.URL, "-api-key", keys[0].APIKey, "-discover", path); code != conformance.ExitOK {
		t.Fatalf("with %s: exit %d, %s", envOtherAPIKey, code, errOut)
	}
}
