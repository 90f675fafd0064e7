// Package calmocktest runs the calmock Cal.com bookings mock inside a Go test, without a
// process: Start serves a mock of its own on an httptest server, gives its base URL and
// fixture profile (users, API keys, event types), and controls it with Go methods (Reset,
// Clock, Fault, Journal). The mock is closed when the test ends.
//
// Each Mock is a sandbox of one mock shared by the test binary (mockserver.Server.NewSandbox):
// its own store, seed, clock, ids and rate limiter, sharing only the read-only fixtures, so
// Start costs a few microseconds plus the listener, and tests calling t.Parallel never see
// each other's bookings or clock.
//
// The API of this package is stable: see "Go tests: calmocktest" in the README.
package calmocktest

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/calmock/calmock/fixtures"
	"github.com/calmock/calmock/internal/clock"
	"github.com/calmock/calmock/mockserver"
	"github.com/calmock/calmock/profile"
)

// Mock is a running mock. Its controls are methods, each a thin wrapper over the
// mockserver.Server method of the same job, so a control the server gains (a request journal,
// injected faults) becomes a method here the same way.
type Mock struct {
	t    testing.TB
	srv  *mockserver.Server
	http *httptest.Server
}

// Option changes how Start builds the mock.
type Option func(*options)

type options struct {
	sandbox mockserver.SandboxOptions
}

// WithSeed drives the default fixtures and every generated id from seed (default 1, as the
// calmock command): the same seed gives the same users, API keys and booking uids.
func WithSeed(seed int64) Option {
	return func(o *options) { o.sandbox.Seed = &seed }
}

// WithFixtures serves set (users, API keys, event types, bookings; the -fixtures format)
// instead of the seeded defaults. The set is validated; do not change it afterwards.
func WithFixtures(set *fixtures.Set) Option {
	return func(o *options) { o.sandbox.Fixtures = set }
}

// WithClock starts the mock's clock frozen at the instant at, and dates the default
// fixtures from it, so that a test sees the same bytes on any day. By default the clock
// follows real time.
func WithClock(at time.Time) Option {
	return func(o *options) { o.sandbox.FrozenAt = at }
}

// WithRateLimit counts requests per API key as the real API does, allowing perMinute a
// minute (the real API allows 120). By default a test mock counts nothing.
func WithRateLimit(perMinute int) Option {
	return func(o *options) { o.sandbox.RateLimit = &perMinute }
}

// parent is the mock every Mock of the test binary is a sandbox of.
var parent = sync.OnceValues(func() (*mockserver.Server, error) {
	return mockserver.New(mockserver.Config{Seed: 1})
})

// Start serves a new mock for the test t and closes it when t ends. It fails t if the
// options are invalid (bad fixtures, a negative rate limit).
func Start(t testing.TB, opts ...Option) *Mock {
	t.Helper()
	off := 0
	o := options{sandbox: mockserver.SandboxOptions{RateLimit: &off}}
	for _, opt := range opts {
		opt(&o)
	}
	p, err := parent()
	if err != nil {
		t.Fatalf("calmocktest: %v", err)
	}
	srv, err := p.NewSandbox(o.sandbox)
	if err != nil {
		t.Fatalf("calmocktest: %v", err)
	}
	m := &Mock{t: t, srv: srv, http: httptest.NewServer(srv)}
	t.Cleanup(m.http.Close)
	return m
}

// URL is the mock's base URL, such as http://127.0.0.1:40123: a client's Cal.com base URL
// (paths are /v2/bookings…; /api/v2/… works too, as on the real API).
func (m *Mock) URL() string { return m.http.URL }

// Profile describes the mock's world: its users in order with their API keys, and an event
// type of each kind (plain, seated, recurring, …) with its id and slug.
func (m *Mock) Profile() profile.Profile { return m.srv.Fixtures().Profile() }

// Server is the mock itself, for what this package does not wrap.
func (m *Mock) Server() *mockserver.Server { return m.srv }

// Reset puts the mock back to how it started: its fixtures' bookings only, ids and clock
// from the start, rate-limit counts forgotten (POST /_calmock/reset).
func (m *Mock) Reset() {
	m.t.Helper()
	if _, err := m.srv.Reset(context.Background()); err != nil {
		m.t.Fatalf("calmocktest: %v", err)
	}
}

// Clock is the mock's clock: everything time-dependent in the mock reads it (past and
// upcoming, "cannot book in the past", mark-absent of a started booking, createdAt and
// updatedAt, rate-limit windows).
func (m *Mock) Clock() *Clock { return &Clock{c: m.srv.Clock()} }

// Clock reads and moves a mock's clock (GET and POST /_calmock/clock).
type Clock struct{ c *clock.Clock }

// Now is the mock's time (UTC, whole milliseconds).
func (c *Clock) Now() time.Time { return c.c.Now() }

// Freeze stops the clock at t.
func (c *Clock) Freeze(t time.Time) { c.c.Freeze(t) }

// Advance moves the clock d later; a frozen clock stays frozen, a running one keeps running
// d ahead of real time.
func (c *Clock) Advance(d time.Duration) { c.c.Advance(d) }

// Real returns the clock to real time, with no offset.
func (c *Clock) Real() { c.c.Unfreeze() }

// Fault injects a fault (POST /_calmock/faults): requests matching spec get its status in
// the API's error envelope, its latency or a dropped connection, without changing state. It
// returns the fault with its id; a spec the mock refuses fails the test.
func (m *Mock) Fault(spec mockserver.FaultSpec) mockserver.Fault {
	m.t.Helper()
	f, err := m.srv.AddFault(spec)
	if err != nil {
		m.t.Fatalf("calmocktest: fault: %v", err)
	}
	return f
}

// Faults lists the injected faults with their hits (GET /_calmock/faults).
func (m *Mock) Faults() []mockserver.Fault { return m.srv.Faults() }

// ClearFaults removes every fault (DELETE /_calmock/faults) and says how many there were.
func (m *Mock) ClearFaults() int { return m.srv.ClearFaults() }

// Journal is what the mock received, newest first, each request with its spec verdicts
// (GET /_calmock/journal): what the client under test actually sent, and whether it was
// right. The zero filter returns every entry kept.
func (m *Mock) Journal(filter mockserver.JournalFilter) []mockserver.JournalEntry {
	return m.srv.Journal(filter)
}

// ClearJournal forgets every entry (DELETE /_calmock/journal) and says how many there were.
func (m *Mock) ClearJournal() int { return m.srv.ClearJournal() }
