// Package idlemem gives a server's spare memory back to the operating system once it has
// been quiet for a while after a burst of requests.
//
// Go's collector lets the heap grow well past what is live, and the runtime returns freed
// pages to the system only gradually, so a mock that has served a load run or a test suite
// keeps that peak resident long after the last request. A mock spends most of its life idle
// between bursts (a developer's machine, a CI job's next step), so once no request has come
// for a quiet period we collect and return the free pages at once (debug.FreeOSMemory).
// The period is long (15 s by default) because the pages given back must be faulted in
// again by the next burst, which costs its first requests time: a few seconds between the
// steps of one test run must not trigger it.
package idlemem

import (
	"context"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// Releaser counts requests and releases memory once none came for a quiet period after
// some did. Create it with New; it is safe for concurrent use.
type Releaser struct {
	requests atomic.Int64
	// release gives memory back; debug.FreeOSMemory outside tests.
	release  func()
	releases atomic.Int64
	// handled, when set (tests), receives after each check is dealt with.
	handled chan struct{}
}

// New returns a Releaser that uses debug.FreeOSMemory.
func New() *Releaser { return &Releaser{release: debug.FreeOSMemory} }

// Wrap returns next, counting each request as activity.
func (r *Releaser) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.requests.Add(1)
		next.ServeHTTP(w, req)
	})
}

// Releases is the number of times memory was released.
func (r *Releaser) Releases() int64 { return r.releases.Load() }

// Run watches activity until ctx is done, looking at the request count four times per quiet
// period, and releases memory once quiet has passed since the last request seen (or since
// start-up, which counts as a burst too). quiet must be positive.
func (r *Releaser) Run(ctx context.Context, quiet time.Duration) {
	t := time.NewTicker(quiet / 4)
	defer t.Stop()
	r.loop(ctx, t.C, quiet)
}

// loop is Run with the clock given as ticks, so tests can drive it.
func (r *Releaser) loop(ctx context.Context, ticks <-chan time.Time, quiet time.Duration) {
	var last time.Time // when activity was last seen; zero until the first tick
	seen, dirty := r.requests.Load(), false
	for {
		var now time.Time
		select {
		case <-ctx.Done():
			return
		case now = <-ticks:
		}
		switch n := r.requests.Load(); {
		case last.IsZero() || n != seen:
			seen, last, dirty = n, now, true
		case dirty && now.Sub(last) >= quiet:
			r.release()
			r.releases.Add(1)
			dirty = false
		}
		if r.handled != nil {
			r.handled <- struct{}{}
		}
	}
}
