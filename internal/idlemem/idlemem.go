// Package idlemem gives a server's spare memory back to the operating system once it has
// gone quiet after a burst of requests.
//
// Go's collector lets the heap grow to about twice what is live before it collects, and the
// runtime returns freed pages to the system only slowly, so a mock that has just served a
// load run or a test suite keeps that peak resident long after the last request. A mock
// spends most of its life idle between bursts (a developer's machine, a CI job's next
// step), so after a quiet period we collect and return the free pages at once
// (debug.FreeOSMemory): a few milliseconds of one core, once per burst, never while busy.
package idlemem

import (
	"context"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// Releaser counts requests and releases memory when none came for a whole quiet period
// after some did. Create it with New; it is safe for concurrent use.
type Releaser struct {
	requests atomic.Int64
	// release gives memory back; debug.FreeOSMemory outside tests.
	release  func()
	releases atomic.Int64
	// handled, when set (tests), receives after each tick is dealt with.
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

// Run watches activity until ctx is done: every quiet period it looks at the request
// count, and releases memory the first time a whole period passes without a request after
// one with requests. quiet must be positive.
func (r *Releaser) Run(ctx context.Context, quiet time.Duration) {
	t := time.NewTicker(quiet)
	defer t.Stop()
	r.loop(ctx, t.C)
}

// loop is Run with the ticks given, so tests can drive it.
func (r *Releaser) loop(ctx context.Context, ticks <-chan time.Time) {
	// The start-up (fixtures, indexes, the spec document) counts as a burst too.
	seen, dirty := r.requests.Load(), true
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
		now := r.requests.Load()
		switch {
		case now != seen:
			seen, dirty = now, true
		case dirty:
			r.release()
			r.releases.Add(1)
			dirty = false
		}
		if r.handled != nil {
			r.handled <- struct{}{}
		}
	}
}
