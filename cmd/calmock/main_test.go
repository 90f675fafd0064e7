package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/calmock/calmock/booking/boltstore"
	"github.com/calmock/calmock/internal/testshared"
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
		{"negative idle release", []string{"-idle-release", "-1s"}, "-idle-release must be 0 (never) or positive"},
		{"negative gc headroom", []string{"-gc-headroom", "-1"}, "-gc-headroom must be between 0"},
		{"negative bookings", []string{"-bookings", "-5"}, "-bookings must be between 0 and 10000000"},
		{"bad address", []string{"-addr", "nonsense"}, `-addr "nonsense"`},
		{"stray argument", []string{"serve"}, `unexpected argument "serve"`},
		{"unknown flag", []string{"-port", "1"}, "flag provided but not defined: -port"},
		{"bad number", []string{"-seed", "x"}, `invalid value "x" for flag -seed`},
		{"clock and admin token", []string{"-clock", "2026-01-05T09:00:00Z", "-admin-token", "s3cret"}, ""},
		{"journal off", []string{"-journal", "0"}, ""},
		{"negative journal", []string{"-journal", "-1"}, "-journal must be between 0 (off) and 1000000"},
		{"clock not RFC 3339", []string{"-clock", "2026-01-05"}, `-clock must be an RFC 3339 instant at or after 1970, such as 2026-01-05T09:00:00Z, got "2026-01-05"`},
		{"sandbox flags", []string{"-max-sandboxes", "5", "-sandbox-ttl", "1m", "-sandbox-max-bookings", "50"}, ""},
		{"negative sandboxes", []string{"-max-sandboxes", "-1"}, "-max-sandboxes, -sandbox-ttl and -sandbox-max-bookings must be 0 or positive"},
		{"clock before 1970", []string{"-clock", "1969-12-31T23:59:59Z"}, "-clock must be an RFC 3339 instant at or after 1970"},
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
	base, out, stop := startMain(tb, args...)
	tb.Cleanup(stop)
	return base, out
}

// startMain starts the real wiring on a free port; stop shuts it down and waits.
func startMain(tb testing.TB, args ...string) (string, *bytes.Buffer, func()) {
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
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				tb.Errorf("Run after shutdown: %v", err)
			}
		})
	}
	return "http://" + addr, &out, stop
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
// starts is answered in full, and Run then returns nil promptly. The order is forced, not
// slept into: the handler reports the request, then shutdown starts, then (once the listener
// is seen closed) the rest of the body is sent.
func TestMain_ShutdownFinishesInFlight(t *testing.T) {
	entered := make(chan struct{}, 1)
	wrapForTest = func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/cancel") {
				entered <- struct{}{}
			}
			next.ServeHTTP(w, r)
		})
	}
	t.Cleanup(func() { wrapForTest = nil })
	var out bytes.Buffer
	m := NewMain(&out, io.Discard)
	if err := m.ParseFlags([]string{"-addr", "127.0.0.1:0", "-rate-limit", "0"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	var addr string
	select {
	case addr = <-m.Addr:
	case err := <-done:
		t.Fatalf("Run: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start within 30 s")
	}

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
	waitFor(t, entered, "the cancel request to reach the handler")
	cancel()
	waitListenerClosed(t, addr)
	if _, err := pw.Write([]byte(`"late"}`)); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	var resp *http.Response
	select {
	case resp = <-respc:
	case <-time.After(15 * time.Second):
		t.Fatal("the in-flight request got no answer within 15 s of its body's end")
	}
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

// waitFor waits for a value on c, or fails the test after 15 s naming what it waited for.
func waitFor(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(15 * time.Second):
		t.Fatalf("waited 15 s for %s", what)
	}
}

// waitListenerClosed polls addr until a connection is refused: shutdown has begun (it closes
// the listener before it waits for requests in flight). It fails the test after 15 s.
func waitListenerClosed(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if errors.Is(err, syscall.ECONNREFUSED) {
			return
		}
		if err == nil {
			c.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still accepts connections (last dial: %v) 15 s after shutdown was asked for", addr, err)
		}
	}
}

// get sends a GET with cal-api-version and returns the status and body.
func get(tb testing.TB, url string) (int, string) {
	tb.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("cal-api-version", "2024-08-13")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func TestMain_Spec(t *testing.T) {
	base, _ := MustRunMain(t)
	if code, body := get(t, base+"/_calmock/openapi"); code != 200 || !strings.Contains(body, "openapi: 3.0.3") {
		t.Fatalf("embedded document: %d %.200s", code, body)
	}
	if official, ok := testshared.Lookup(t, "reference/calcom-openapi-v2.json"); ok {
		base, _ := MustRunMain(t, "-spec", official)
		if code, body := get(t, base+"/_calmock/openapi"); code != 200 || !strings.Contains(body, "BookingsController_2024_08_13_getBookings") || strings.Contains(body, "openapi: 3.0.3") {
			t.Fatalf("official document: %d %.200s", code, body)
		}
	}
	m := NewMain(io.Discard, io.Discard)
	if err := m.ParseFlags([]string{"-addr", "127.0.0.1:0", "-spec", "nope.txt"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "nope.txt") {
		t.Fatalf("Run with a bad -spec: %v", err)
	}
}

// createPlain books the profile's plain event type day days ahead and returns the uid.
func createPlain(tb testing.TB, base string, day int) string {
	tb.Helper()
	_, prof := get(tb, base+"/_calmock/profile")
	var p struct {
		EventTypes map[string]struct{ ID int } `json:"eventTypes"`
	}
	if err := json.Unmarshal([]byte(prof), &p); err != nil {
		tb.Fatal(err)
	}
	start := time.Now().UTC().AddDate(0, 0, 60+day).Truncate(24 * time.Hour).Add(10 * time.Hour).Format(time.RFC3339)
	body := fmt.Sprintf(`{"start":%q,"eventTypeId":%d,"attendee":{"name":"P","email":"p%d@example.com","timeZone":"UTC"}}`, start, p.EventTypes["plain"].ID, day)
	req, _ := http.NewRequest("POST", base+"/v2/bookings", strings.NewReader(body))
	req.Header.Set("cal-api-version", "2024-08-13")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct{ UID string } `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusCreated {
		tb.Fatalf("create: %d %v", resp.StatusCode, err)
	}
	return out.Data.UID
}

// TestMain_Sandboxes: the flags reach the registry: a sandbox's URL serves a mock of its
// own, one past -max-sandboxes gets a 507, and -max-sandboxes 0 turns the endpoint off.
func TestMain_Sandboxes(t *testing.T) {
	base, out := MustRunMain(t, "-max-sandboxes", "1")
	if !strings.Contains(out.String(), "curl -X POST "+base+"/_calmock/sandboxes") {
		t.Errorf("banner does not show sandboxes:\n%s", out)
	}
	post := func(base string) (int, string) {
		resp, err := http.Post(base+"/_calmock/sandboxes", "application/json", strings.NewReader(`{"seed": 5}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Data struct{ URL string } `json:"data"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body.Data.URL
	}
	code, url := post(base)
	if code != http.StatusCreated || !strings.HasPrefix(url, base+"/_calmock/sandboxes/") {
		t.Fatalf("create: %d %q", code, url)
	}
	uid := createPlain(t, url, 1)
	if code, _ := get(t, url+"/v2/bookings/"+uid); code != http.StatusOK {
		t.Errorf("the sandbox does not find its booking: %d", code)
	}
	if code, _ := get(t, base+"/v2/bookings/"+uid); code != http.StatusNotFound {
		t.Errorf("the default mock finds the sandbox's booking: %d", code)
	}
	if code, _ := post(base); code != http.StatusInsufficientStorage {
		t.Errorf("past -max-sandboxes: %d, want 507", code)
	}
	off, _ := MustRunMain(t, "-max-sandboxes", "0")
	if code, _ := post(off); code != http.StatusNotFound {
		t.Errorf("-max-sandboxes 0: %d, want 404", code)
	}
}

// TestMain_DataSurvivesRestart: with -data, a booking created before a restart is there
// after it, the fixtures are not loaded twice, and a second process cannot open the same
// file while the first holds it.
func TestMain_DataSurvivesRestart(t *testing.T) {
	data := filepath.Join(t.TempDir(), "calmock.db")
	base, _, stop := startMain(t, "-data", data)
	uid := createPlain(t, base, 2)

	m := NewMain(io.Discard, io.Discard)
	if err := m.ParseFlags([]string{"-addr", "127.0.0.1:0", "-data", data}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("second process on the same -data: %v", err)
	}
	stop()

	base2, _ := MustRunMain(t, "-data", data)
	if code, body := get(t, base2+"/v2/bookings/"+uid); code != http.StatusOK || !strings.Contains(body, uid) {
		t.Fatalf("after restart: %d %.300s", code, body)
	}
	if uid2 := createPlain(t, base2, 3); uid2 == uid {
		t.Fatal("restarted server reused a uid")
	}
}

// TestMain_KillDuringWriteBurst: a calmock with -data is killed with SIGKILL in the middle of
// a burst of creates; after a restart every create that was answered 201 before the kill is
// there. The child is this test binary re-executed (see startChild).
func TestMain_KillDuringWriteBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a process")
	}
	data := filepath.Join(t.TempDir(), "calmock.db")
	cmd, base, _ := startChild(t, "-addr=127.0.0.1:0 -rate-limit=0 -data="+data)

	// Writers run until the kill; each acknowledged uid is recorded.
	var mu sync.Mutex
	var acked []string
	stopWriters := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stopWriters:
					return
				default:
				}
				if uid, ok := tryCreate(base, 100+w*1000+i); ok {
					mu.Lock()
					acked = append(acked, uid)
					mu.Unlock()
				}
			}
		}(w)
	}
	for give := time.Now().Add(30 * time.Second); ; {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 40 {
			break
		}
		if time.Now().After(give) {
			close(stopWriters)
			wg.Wait()
			t.Fatalf("only %d creates acknowledged in 30 s", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	close(stopWriters)
	wg.Wait()

	st, err := boltstore.Open(data)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	if err := st.Check(); err != nil {
		t.Fatalf("store inconsistent after kill: %v", err)
	}
	st.Close()

	restarted, _ := MustRunMain(t, "-data", data)
	mu.Lock()
	defer mu.Unlock()
	for _, uid := range acked {
		if code, _ := get(t, restarted+"/v2/bookings/"+uid); code != http.StatusOK {
			t.Errorf("booking %s was acknowledged before the kill but is gone after restart (%d)", uid, code)
		}
	}
	t.Logf("%d acknowledged creates survived SIGKILL", len(acked))
}

// tryCreate books the plain event type (id 1 in the default fixtures) on day n; it reports
// false on any failure, including the connection dying with the process.
func tryCreate(base string, n int) (string, bool) {
	start := time.Now().UTC().AddDate(0, 0, 60).Truncate(24 * time.Hour).Add(time.Duration(n) * time.Hour).Format(time.RFC3339)
	body := fmt.Sprintf(`{"start":%q,"eventTypeId":1,"attendee":{"name":"K","email":"k%d@example.com","timeZone":"UTC"}}`, start, n)
	req, _ := http.NewRequest("POST", base+"/v2/bookings", strings.NewReader(body))
	req.Header.Set("cal-api-version", "2024-08-13")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", false
	}
	defer resp.Body.Close()
	var out struct {
		Data struct{ UID string } `json:"data"`
	}
	if resp.StatusCode != http.StatusCreated || json.NewDecoder(resp.Body).Decode(&out) != nil {
		return "", false
	}
	return out.Data.UID, true
}

// TestMain_ExitCodes runs main() itself in a child process: -help exits 0, -version prints
// the version, a bad flag or a bad file exits 1 with a message on stderr.
func TestMain_ExitCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("nonsense: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args       string
		code       int
		wantOutput string
	}{
		{"-help", 0, "Usage:"},
		{"-version", 0, "calmock dev"},
		{"-rate-limit=-3", 1, "-rate-limit must be 0 (off) or positive"},
		{"-no-such-flag", 1, "flag provided but not defined"},
		{"-addr=127.0.0.1:0 -fixtures=" + bad, 1, "nonsense"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestMainProcess$")
			cmd.Env = append(os.Environ(), "CALMOCK_MAIN_ARGS="+tt.args)
			out, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.code || !strings.Contains(string(out), tt.wantOutput) {
				t.Fatalf("exit %d, want %d; output:\n%s", code, tt.code, out)
			}
		})
	}
}

// TestMainProcess runs main() with the arguments in CALMOCK_MAIN_ARGS in a child process (see
// startChild). With CALMOCK_ANNOUNCE_REQUESTS set it also prints a line as each request
// reaches the handler ("calmock-test: request METHOD PATH"), so that the parent can order a
// signal after a request without sleeping.
func TestMainProcess(t *testing.T) {
	args, ok := os.LookupEnv("CALMOCK_MAIN_ARGS")
	if !ok {
		t.Skip("the child process of TestMain_ExitCodes, TestMain_SIGTERM and TestMain_KillDuringWriteBurst")
	}
	if os.Getenv("CALMOCK_ANNOUNCE_REQUESTS") != "" {
		wrapForTest = func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintln(os.Stdout, announcePrefix, r.Method, r.URL.Path)
				next.ServeHTTP(w, r)
			})
		}
	}
	os.Args = append([]string{"calmock"}, strings.Fields(args)...)
	main()
	os.Exit(0)
}

// announcePrefix starts the line a child prints as a request reaches its handler.
const announcePrefix = "calmock-test: request"

// TestMain_SIGTERM: the real binary (main() in a child process) with -data gets SIGTERM
// while a request is in flight; the request completes, the process exits 0 within a bounded
// time, and what it stored is there after a restart. As in TestMain_ShutdownFinishesInFlight
// the order is forced: the child announces the request, then gets SIGTERM, and the rest of
// the body goes once its listener is seen closed.
func TestMain_SIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	data := filepath.Join(t.TempDir(), "calmock.db")
	t.Setenv("CALMOCK_ANNOUNCE_REQUESTS", "1")
	cmd, base, lines := startChild(t, "-addr=127.0.0.1:0 -rate-limit=0 -data="+data)
	uid := createPlain(t, base, 5)
	cancelPath := "/v2/bookings/" + uid + "/cancel"

	// A request whose body is still arriving when SIGTERM comes.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", base+cancelPath, pr)
	req.Header.Set("cal-api-version", "2024-08-13")
	req.Header.Set("Content-Type", "application/json")
	respc := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			respc <- -1
			return
		}
		resp.Body.Close()
		respc <- resp.StatusCode
	}()
	_, _ = pw.Write([]byte(`{"cancellationReason":`))
	waitForLine(t, lines, announcePrefix+" POST "+cancelPath)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitListenerClosed(t, strings.TrimPrefix(base, "http://"))
	_, _ = pw.Write([]byte(`"stopping"}`))
	pw.Close()
	select {
	case code := <-respc:
		if code != http.StatusOK {
			t.Fatalf("in-flight cancel got %d, want 200", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the in-flight cancel got no answer within 15 s of its body's end")
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no exit within 15 s of SIGTERM")
	}
	restarted, _ := MustRunMain(t, "-data", data)
	if code, body := get(t, restarted+"/v2/bookings/"+uid); code != http.StatusOK || !strings.Contains(body, `"status":"cancelled"`) {
		t.Fatalf("after restart: %d %.300s", code, body)
	}
}

// startChild runs main() with args in a child process (this test binary re-executed, see
// TestMainProcess) and returns it with its base URL once it serves, and the lines it prints
// after its banner (the latest 64 unread ones; older ones are dropped so that the child never
// blocks on its output). The child is killed when the test ends, or after 60 s at the latest.
func startChild(t *testing.T, args string) (*exec.Cmd, string, <-chan string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainProcess$")
	cmd.Env = append(os.Environ(), "CALMOCK_MAIN_ARGS="+args)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	watchdog := time.AfterFunc(60*time.Second, func() { _ = cmd.Process.Kill() })
	t.Cleanup(func() {
		watchdog.Stop()
		_ = cmd.Process.Kill()
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if i := strings.Index(sc.Text(), "http://127.0.0.1:"); i >= 0 {
			base := strings.Fields(sc.Text()[i:])[0] // before the scanner moves on
			lines := make(chan string, 64)
			go func() {
				defer close(lines)
				for sc.Scan() {
					select {
					case lines <- sc.Text():
					default:
					}
				}
			}()
			return cmd, base, lines
		}
	}
	t.Fatalf("child did not start (scan: %v)", sc.Err())
	return nil, "", nil
}

// waitForLine reads lines until one is want, or fails the test after 15 s or when the child's
// output ends.
func waitForLine(t *testing.T, lines <-chan string, want string) {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the child's output ended before %q", want)
			}
			if l == want {
				return
			}
		case <-timeout:
			t.Fatalf("no %q from the child within 15 s", want)
		}
	}
}

// TestMain_DumpFixtures: the dump is a fixture file that -fixtures accepts, so a user can
// start their own from it.
func TestMain_DumpFixtures(t *testing.T) {
	var out bytes.Buffer
	m := NewMain(&out, io.Discard)
	if err := m.ParseFlags([]string{"-dump-fixtures", "-seed", "4"}); err != nil {
		t.Fatal(err)
	}
	if err := m.DumpFixtures(time.Date(2030, 1, 9, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dumped.yaml")
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	base, _ := MustRunMain(t, "-fixtures", path)
	if code, body := get(t, base+"/_calmock/profile"); code != http.StatusOK || !strings.Contains(body, "cal_test_") {
		t.Fatalf("server on the dumped fixtures: %d %.200s", code, body)
	}
}

// TestMain_ClockAndAdminToken: -clock starts the mock frozen at the instant; -admin-token
// guards reset.
func TestMain_ClockAndAdminToken(t *testing.T) {
	base, _ := MustRunMain(t, "-clock", "2026-01-05T10:00:00+01:00", "-admin-token", "s3cret")
	if code, body := get(t, base+"/_calmock/clock"); code != http.StatusOK || !strings.Contains(body, `"now":"2026-01-05T09:00:00.000Z","mode":"frozen"`) {
		t.Fatalf("GET clock: %d %s", code, body)
	}
	for _, tc := range []struct {
		auth string
		want int
	}{{"", http.StatusUnauthorized}, {"Bearer s3cret", http.StatusOK}} {
		req, _ := http.NewRequest("POST", base+"/_calmock/reset", nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("POST reset with %q: status %d, want %d", tc.auth, resp.StatusCode, tc.want)
		}
	}
}
