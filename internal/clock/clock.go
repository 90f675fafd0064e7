// Package clock is the mock's controllable clock: it follows a source of real time, or
// stands frozen at an instant, or follows real time shifted by an offset. Everything in the
// mock that depends on time reads one such clock, so that a test can move time for all of
// it at once (GET/POST /_calmock/clock).
package clock

import (
	"sync"
	"time"
)

// Source tells the real time (booking.Clock satisfies it).
type Source interface{ Now() time.Time }

// Mode says how a Clock tells the time.
type Mode string

const (
	// Real follows the source.
	Real Mode = "real"
	// Frozen stands at one instant until frozen elsewhere or advanced.
	Frozen Mode = "frozen"
	// Offset follows the source shifted by what it was advanced by: time runs, but later.
	Offset Mode = "offset"
)

// Clock is a controllable clock, safe for concurrent use. Its times are UTC and truncated
// to milliseconds, like Cal.com's timestamps, whatever the source or the instant given.
type Clock struct {
	source Source
	start  state // what Restart returns to

	mu  sync.RWMutex
	now state
}

// state is how the clock tells the time: at (Frozen) or offset (Offset) apply per mode.
type state struct {
	mode   Mode
	at     time.Time
	offset time.Duration
}

// New returns a clock following source, or frozen at frozenAt when it is not zero.
func New(source Source, frozenAt time.Time) *Clock {
	st := state{mode: Real}
	if !frozenAt.IsZero() {
		st = state{mode: Frozen, at: norm(frozenAt)}
	}
	return &Clock{source: source, start: st, now: st}
}

func norm(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.RLock()
	st := c.now
	c.mu.RUnlock()
	return st.read(c.source)
}

func (st state) read(source Source) time.Time {
	switch st.mode {
	case Frozen:
		return st.at
	case Offset:
		return norm(source.Now().Add(st.offset))
	default:
		return norm(source.Now())
	}
}

// Read returns the clock's time and mode, read together.
func (c *Clock) Read() (time.Time, Mode) {
	c.mu.RLock()
	st := c.now
	c.mu.RUnlock()
	return st.read(c.source), st.mode
}

// Freeze stops the clock at t.
func (c *Clock) Freeze(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = state{mode: Frozen, at: norm(t)}
}

// Advance moves the clock d later: a frozen clock stays frozen, d later; a running clock
// keeps running, d ahead of the source (Offset).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.now.mode {
	case Frozen:
		c.now.at = norm(c.now.at.Add(d))
	default:
		c.now = state{mode: Offset, offset: c.now.offset + d}
	}
}

// Unfreeze returns the clock to real time: it follows the source again, with no offset.
func (c *Clock) Unfreeze() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = state{mode: Real}
}

// Restart returns the clock to how it was built: frozen at the same instant, or real.
func (c *Clock) Restart() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.start
}
