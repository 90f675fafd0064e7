package idlemem

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestLoop drives the watcher with a fake clock: a release only once a whole quiet period
// has passed since the last request (or start-up), never while requests keep coming, and
// once per burst.
func TestLoop(t *testing.T) {
	const quiet = 4 * time.Second
	released := make(chan struct{}, 10)
	r := &Releaser{release: func() { released <- struct{}{} }, handled: make(chan struct{})}
	h := r.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	request := func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil)) }

	ticks := make(chan time.Time)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.loop(ctx, ticks, quiet); close(done) }()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	// tick advances the clock by d and returns once the loop has dealt with it; a loop that
	// has stopped taking ticks fails the test instead of hanging it.
	tick := func(d time.Duration) {
		t.Helper()
		now = now.Add(d)
		if !send(ticks, now) || !receive(r.handled) {
			t.Fatalf("the loop did not deal with the tick at %s within %s", now.Format(time.TimeOnly), patience)
		}
	}
	expect := func(step string, want int) {
		t.Helper()
		if got := len(released); got != want {
			t.Fatalf("%s: %d releases, want %d", step, got, want)
		}
	}

	tick(0) // start-up: the clock starts
	tick(3 * time.Second)
	expect("3 s after start-up", 0)
	tick(time.Second)
	expect("4 s after start-up", 1)
	tick(time.Minute)
	expect("idle, nothing new", 1)
	for range 10 { // busy: a request every 2 s for 20 s
		request()
		tick(2 * time.Second)
	}
	expect("while busy", 1)
	tick(3 * time.Second)
	expect("3 s after the last request", 1)
	tick(time.Second)
	expect("4 s after the last request", 2)
	request() // a one-request burst
	tick(time.Second)
	tick(5 * time.Second)
	expect("after the next burst", 3)
	cancel()
	if !receive(done) {
		t.Fatalf("loop did not return within %s of its context's end", patience)
	}
	if r.Releases() != 3 {
		t.Errorf("Releases() = %d, want 3", r.Releases())
	}
}

// TestRun: the real ticker and debug.FreeOSMemory, end to end: a release happens after a
// quiet period, and Run returns when ctx is done. Each wait has a deadline, so a regression
// fails with a message instead of hanging until the test binary's timeout.
func TestRun(t *testing.T) {
	const quiet = 4 * time.Millisecond
	r := New()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { r.Run(ctx, quiet); close(done) }()
	for deadline := time.Now().Add(patience); r.Releases() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no release within %s of a %s quiet period", patience, quiet)
		}
	}
	cancel()
	if !receive(done) {
		t.Fatalf("Run did not return within %s of its context's end", patience)
	}
}

// patience bounds every wait of these tests: far beyond what the loop needs, well within the
// test binary's timeout.
const patience = 10 * time.Second

// send sends v on c, reporting false if nobody took it within patience.
func send[T any](c chan<- T, v T) bool {
	select {
	case c <- v:
		return true
	case <-time.After(patience):
		return false
	}
}

// receive takes one value from c, reporting false if none came within patience.
func receive[T any](c <-chan T) bool {
	select {
	case <-c:
		return true
	case <-time.After(patience):
		return false
	}
}
