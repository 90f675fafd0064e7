package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/calmock/calmock/conformance"
	"github.com/calmock/calmock/mockserver"
)

// sandboxedMock is a calmock with sandboxes, as `calmock` serves by default, with its own
// per-minute rate limit.
func sandboxedMock(t *testing.T, rateLimit int) *httptest.Server {
	t.Helper()
	m, err := mockserver.New(mockserver.Config{Seed: 1, RateLimit: rateLimit})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := mockserver.NewSandboxes(m, mockserver.SandboxLimits{Max: 16})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(reg)
	t.Cleanup(srv.Close)
	return srv
}

// sandboxWatch is a Doer that records, per sandbox base path, the requests sent to it, and
// how many sandboxes had a scenario request in flight at once.
type sandboxWatch struct {
	next conformance.Doer

	mu        sync.Mutex
	created   int
	deleted   int
	inFlight  map[string]int // sandbox path -> requests in flight
	mostAtOne int            // most sandboxes with a request in flight at the same time
	// gate, when not nil, holds each sandbox's first request until two sandboxes have one
	// in flight, which only a parallel run reaches.
	gate     chan struct{}
	gateOnce sync.Once
	seen     map[string]bool
}

func (w *sandboxWatch) Do(r *http.Request) (*http.Response, error) {
	rest, inSandbox := strings.CutPrefix(r.URL.Path, mockserver.SandboxesPath+"/")
	if !inSandbox {
		if r.Method == http.MethodPost && r.URL.Path == mockserver.SandboxesPath {
			w.mu.Lock()
			w.created++
			w.mu.Unlock()
		}
		return w.next.Do(r)
	}
	id, tail, _ := strings.Cut(rest, "/")
	if tail == "" && r.Method == http.MethodDelete {
		w.mu.Lock()
		w.deleted++
		w.mu.Unlock()
		return w.next.Do(r)
	}
	w.mu.Lock()
	w.inFlight[id]++
	busy := 0
	for _, n := range w.inFlight {
		if n > 0 {
			busy++
		}
	}
	w.mostAtOne = max(w.mostAtOne, busy)
	first := !w.seen[id]
	w.seen[id] = true
	if busy >= 2 && w.gate != nil {
		w.gateOnce.Do(func() { close(w.gate) })
	}
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.inFlight[id]--
		w.mu.Unlock()
	}()
	if first && w.gate != nil {
		select {
		case <-w.gate:
		case <-time.After(30 * time.Second):
			// Not a sleep ordering events: a deadline, so a serial run fails with a message
			// instead of hanging.
			return nil, errNoParallelism
		}
	}
	return w.next.Do(r)
}

var errNoParallelism = errors.New("no second sandbox got a request within 30 s: the scenarios did not run in parallel")

// TestRunAll_SandboxPerScenario: against a calmock, every scenario that runs gets a sandbox
// of its own, deleted after it; scenarios run at once; the clock scenario runs and the one
// relying on a fixture's past booking is skipped in its favour; the mock's own low rate
// limit is never waited on; every scenario's verdict is printed.
func TestRunAll_SandboxPerScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every scenario")
	}
	// A limit a suite on the mock itself would wait on for minutes.
	srv := sandboxedMock(t, 3)
	watch := &sandboxWatch{next: srv.Client(), inFlight: map[string]int{}, seen: map[string]bool{}, gate: make(chan struct{})}
	var progress bytes.Buffer
	rep, err := conformance.RunAll(context.Background(), conformance.Options{
		Target: srv.URL, Client: watch, Parallel: 4, Progress: &progress,
	})
	if err != nil {
		t.Fatalf("RunAll: %v\n%s", err, progress.String())
	}
	outcomes := map[string]string{}
	ran := 0
	for _, f := range rep.Features {
		for _, r := range f.Scenarios {
			outcomes[r.Name] = string(r.Outcome) + " " + r.Reason
		}
	}
	for _, o := range outcomes {
		if !strings.HasPrefix(o, "skipped") {
			ran++
		}
	}
	if !strings.HasPrefix(outcomes["mark-absent-after-the-end"], "passed") {
		t.Errorf("mark-absent-after-the-end: %s, want passed (it moves its sandbox's clock)", outcomes["mark-absent-after-the-end"])
	}
	if o := outcomes["mark-absent-past-booking"]; !strings.Contains(o, "superseded by mark-absent-after-the-end") {
		t.Errorf("mark-absent-past-booking: %q, want skipped as superseded", o)
	}
	watch.mu.Lock()
	defer watch.mu.Unlock()
	if watch.created != ran || watch.deleted != ran {
		t.Errorf("sandboxes created %d, deleted %d; want one per scenario that ran (%d)", watch.created, watch.deleted, ran)
	}
	if watch.mostAtOne < 2 {
		t.Errorf("at most %d sandbox had a request in flight at once, want 2 or more (Parallel 4)", watch.mostAtOne)
	}
	if rep.RateLimitWait != "" && rep.RateLimitWait != "0s" {
		t.Errorf("the run waited %s on the rate limit; a sandbox's limit must not make it wait", rep.RateLimitWait)
	}
	if lines := strings.Count(progress.String(), "\n"); lines < len(outcomes) {
		t.Errorf("progress has %d lines for %d scenarios:\n%s", lines, len(outcomes), progress.String())
	}
	if n := liveSandboxes(t, srv); n != 0 {
		t.Errorf("%d sandboxes left after the run, want 0", n)
	}
}

// TestRunAll_NoSandboxes: with NoSandboxes the calmock is a target like any other: one
// scenario at a time on the mock itself, the clock scenario skipped with the reason, and
// the fixture's past booking used instead.
func TestRunAll_NoSandboxes(t *testing.T) {
	srv := sandboxedMock(t, 1_000_000)
	watch := &sandboxWatch{next: srv.Client(), inFlight: map[string]int{}, seen: map[string]bool{}}
	rep, err := conformance.RunAll(context.Background(), conformance.Options{
		Target: srv.URL, Client: watch, NoSandboxes: true, Features: "absent",
	})
	if err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	outcomes := map[string]string{}
	for _, f := range rep.Features {
		for _, r := range f.Scenarios {
			outcomes[r.Name] = string(r.Outcome) + " " + r.Reason
		}
	}
	if o := outcomes["mark-absent-past-booking"]; !strings.HasPrefix(o, "passed") {
		t.Errorf("mark-absent-past-booking: %q, want passed on the fixture's past booking", o)
	}
	if o := outcomes["mark-absent-after-the-end"]; !strings.Contains(o, "moves the target's clock") {
		t.Errorf("mark-absent-after-the-end: %q, want skipped: it needs a sandbox's clock", o)
	}
	if watch.created != 0 || len(watch.seen) != 0 {
		t.Errorf("%d sandboxes created, %d used; want none", watch.created, len(watch.seen))
	}
}

// TestRunAll_SandboxRefused: a calmock whose sandboxes are full fails each scenario with a
// sandbox failure that says why, rather than running it on the shared mock.
func TestRunAll_SandboxRefused(t *testing.T) {
	m, err := mockserver.New(mockserver.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := mockserver.NewSandboxes(m, mockserver.SandboxLimits{Max: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(reg)
	defer srv.Close()
	resp, err := http.Post(srv.URL+mockserver.SandboxesPath, "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	rep, err := conformance.RunAll(context.Background(), conformance.Options{Target: srv.URL, Features: "core"})
	if err == nil {
		t.Fatal("RunAll passed with no sandbox to be had")
	}
	found := false
	for _, f := range rep.Features {
		for _, sc := range f.Scenarios {
			for _, fl := range sc.Failures {
				if fl.Kind == conformance.KindSandbox && strings.Contains(fl.Got, "507") {
					found = true
				}
			}
		}
	}
	if !found {
		t.Errorf("no sandbox failure naming the 507 in %+v", rep.Features)
	}
}

func liveSandboxes(t *testing.T, srv *httptest.Server) int {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + mockserver.SandboxesPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Data struct {
			Sandboxes []json.RawMessage `json:"sandboxes"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatal(err)
	}
	return len(env.Data.Sandboxes)
}

// TestRunAll_CleanupCancels: with Cleanup, the bookings a scenario made are cancelled after
// it, through the owner's own cancel request.
func TestRunAll_CleanupCancels(t *testing.T) {
	mock, err := mockserver.New(mockserver.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mock)
	defer srv.Close()
	const email = "cleanup-check@example.com"
	fsys := fstest.MapFS{"made.yaml": {Data: []byte(`name: made
description: d
features: [core]
steps:
  - name: create
    request:
      method: POST
      path: /v2/bookings
      body: {start: "{{slot.0}}", eventTypeId: "{{profile.eventTypes.plain.id}}", attendee: {name: C, email: ` + email + `, timeZone: UTC}}
    expect: {status: 201, json: {data.status: accepted}}
`)}}
	if _, err := conformance.RunAll(context.Background(), conformance.Options{Target: srv.URL, Scenarios: []fs.FS{fsys}, SpecFile: "none", Cleanup: true}); err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	prof := mock.Fixtures().Profile()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v2/bookings?attendeeEmail="+email, nil)
	req.Header.Set("cal-api-version", conformance.APIVersion)
	req.Header.Set("Authorization", "Bearer "+prof.Users[0].APIKey)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Data []struct {
			Status string `json:"status"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatal(err)
	}
	if len(env.Data) != 1 || env.Data[0].Status != "cancelled" {
		t.Fatalf("the scenario's booking after the run: %+v, want one, cancelled", env.Data)
	}
}
