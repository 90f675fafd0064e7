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
	// tick advances the clock by d and returns once the loop has dealt with it.
	tick := func(d time.Duration) { now = now.Add(d); ticks <- now; <-r.handled }
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
	<-done
	if r.Releases() != 3 {
		t.Errorf("Releases() = %d, want 3", r.Releases())
	}
}

// TestRun: the real ticker and debug.FreeOSMemory, end to end: a release happens after a
// quiet period, and Run returns when ctx is done.
func TestRun(t *testing.T) {
	r := New()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx, 4*time.Millisecond); close(done) }()
	for r.Releases() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
}
