package idlemem

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestLoop drives the watcher tick by tick: a release only after a whole quiet period that
// follows activity, never while requests keep coming, and once per burst.
func TestLoop(t *testing.T) {
	released := make(chan struct{}, 10)
	r := &Releaser{release: func() { released <- struct{}{} }, handled: make(chan struct{})}
	h := r.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	request := func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil)) }

	ticks := make(chan time.Time)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.loop(ctx, ticks); close(done) }()
	// tick is one period ending; it returns when the loop has dealt with it.
	tick := func() { ticks <- time.Time{}; <-r.handled }
	expect := func(step string, want int) {
		t.Helper()
		if got := len(released); got != want {
			t.Fatalf("%s: %d releases, want %d", step, got, want)
		}
	}

	tick() // start-up burst, then a quiet period: one release
	expect("after start-up", 1)
	tick()
	expect("idle, nothing new", 1)
	for range 3 { // busy: a request in every period
		request()
		tick()
	}
	expect("while busy", 1)
	tick() // the period after the burst ended had no request: release now
	expect("after the burst", 2)
	request() // a one-request burst
	tick()
	expect("during the next burst", 2)
	tick()
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
	go func() { r.Run(ctx, time.Millisecond); close(done) }()
	for r.Releases() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
}
