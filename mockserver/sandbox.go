package mockserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/booking/memstore"
	"github.com/calmock/calmock/fixtures"
	"github.com/calmock/calmock/internal/clock"
)

// A sandbox is a Server made from another one (NewSandbox): its own store, seed, clock, ids
// and rate limiter (and everything else a Server holds), so that tests running in parallel
// against one process never see each other. What never changes while a server runs is
// shared instead of copied, because a sandbox must cost well under a millisecond to make
// (BenchmarkSandboxCreate) and little memory (BenchmarkSandboxMemory):
//   - the fixtures world (users, teams, event types, catalog, wire shapes) and the initial
//     bookings, read-only; the default fixtures of a seed and day are generated once
//     (sandboxShared.worlds), and the store deep-copies the bookings it is given;
//   - the router: compiling one costs about a millisecond (a regexp per route), so every
//     sandbox of a server goes through one router whose routes find the sandbox's own
//     handlers in the request's context (routeSet.mux);
//   - the OpenAPI document, loaded once.

// SandboxOptions say how a sandbox differs from the server it is made from. The zero value
// makes a sandbox like the server when it started: the same seed, fixtures, clock start and
// rate limit.
type SandboxOptions struct {
	// Seed, when not nil, drives the sandbox's default fixtures and generated ids instead of
	// the server's seed. With Fixtures (or a server started with its own fixtures) it drives
	// the ids only.
	Seed *int64
	// Fixtures, when not nil, is the sandbox's world instead of the server's (it is validated;
	// do not change it afterwards). Nil: the server's own fixtures, or for a server on the
	// default fixtures, the default fixtures of the sandbox's seed dated from its clock. A
	// server's extra volume bookings (Config.ExtraBookings) are never copied into sandboxes.
	Fixtures *fixtures.Set
	// FrozenAt, when not zero, starts the sandbox's clock frozen at that instant; zero means
	// the server's Config.FrozenAt (frozen there, or real time).
	FrozenAt time.Time
	// RateLimit, when not nil, replaces the server's Config.RateLimit (0 turns it off).
	RateLimit *int
	// MaxBookings, when positive, is the most bookings the sandbox's store may hold: a request
	// that would store more gets a 507 (ErrSandboxFull) and changes nothing.
	MaxBookings int
}

// ErrSandboxFull is the error of a sandbox whose store holds SandboxOptions.MaxBookings
// bookings, or would from the start.
var ErrSandboxFull = errors.New("calmock sandbox full")

// sandboxShared is what the sandboxes made from one server share.
type sandboxShared struct {
	routerOnce sync.Once
	router     *mux.Router
	shape      *routeSet // the routes router was compiled for

	mu     sync.Mutex
	worlds map[worldKey]*seededWorld
}

// worldKey names a default fixture world: fixtures.Default depends on the seed and the UTC
// day of now only.
type worldKey struct {
	seed int64
	day  int64
}

// seededWorld is a world with the bookings it starts with (read-only: the store copies them).
type seededWorld struct {
	world    *world
	bookings []booking.Booking
}

// maxCachedWorlds bounds the default worlds kept per server, whatever seeds clients ask for.
const maxCachedWorlds = 16

// serverKey is the context key of the sandbox a request is for (the shared router's routes
// read it).
type serverKey struct{}

func handlersOf(r *http.Request) *routeSet { return r.Context().Value(serverKey{}).(*Server).handlers }

// NewSandbox makes a server from s as o says: a mock of its own in every respect (store,
// seed, clock, ids, rate limiter), sharing only what never changes. It is cheap: a few
// microseconds and tens of kilobytes for the default fixtures (docs/performance.md).
func (s *Server) NewSandbox(o SandboxOptions) (*Server, error) {
	cfg := s.cfg
	cfg.Fixtures, cfg.Store, cfg.ExtraBookings = nil, nil, 0
	if o.Seed != nil {
		cfg.Seed = *o.Seed
	}
	if !o.FrozenAt.IsZero() {
		cfg.FrozenAt = o.FrozenAt
	}
	if o.RateLimit != nil {
		if *o.RateLimit < 0 {
			return nil, fmt.Errorf("mockserver: sandbox rate limit must be 0 (off) or positive, got %d", *o.RateLimit)
		}
		cfg.RateLimit = *o.RateLimit
	}
	source := cfg.Clock
	if source == nil {
		source = booking.SystemClock
	}
	clk := clock.New(source, cfg.FrozenAt)
	var sw *seededWorld
	switch {
	case o.Fixtures != nil:
		if err := o.Fixtures.Validate(); err != nil {
			return nil, fmt.Errorf("mockserver: sandbox fixtures: %w", err)
		}
		cfg.Fixtures = o.Fixtures
		sw = &seededWorld{world: newWorld(o.Fixtures), bookings: slices.Clone(o.Fixtures.Bookings)}
	case s.cfg.Fixtures != nil:
		cfg.Fixtures = s.cfg.Fixtures
		sw = &seededWorld{world: &world{fixtures: s.fixtures, catalog: s.catalog, shapes: s.shapes}, bookings: s.initial.base}
	default:
		var err error
		if sw, err = s.sandboxes.defaultWorld(cfg.Seed, clk.Now()); err != nil {
			return nil, err
		}
	}
	if o.MaxBookings > 0 && len(sw.bookings) > o.MaxBookings {
		return nil, fmt.Errorf("%w: its fixtures have %d bookings, more than the %d a sandbox may hold", ErrSandboxFull, len(sw.bookings), o.MaxBookings)
	}
	mem := memstore.New()
	// Its own copy of the initial subscriptions: what a sandbox subscribes is its own.
	if err := mem.Replace(context.Background(), sw.bookings, initialWebhooks(cfg, sw.world.fixtures)); err != nil {
		return nil, fmt.Errorf("mockserver: sandbox store: %w", err)
	}
	var store booking.Store = mem
	if o.MaxBookings > 0 {
		store = cappedStore{Store: mem, max: o.MaxBookings}
	}
	initial := initialBookings{base: sw.bookings, seed: cfg.Seed, now: clk.Now()}
	sb := build(cfg, sw.world, store, clk, initial, s.spec)
	sb.sandbox = true
	sb.router = s.sandboxes.routerFor(sb)
	return sb, nil
}

// defaultWorld returns the default fixtures of seed dated from now, generated once per seed
// and UTC day.
func (sh *sandboxShared) defaultWorld(seed int64, now time.Time) (*seededWorld, error) {
	key := worldKey{seed, now.UTC().Truncate(24*time.Hour).Unix() / 86400}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sw, ok := sh.worlds[key]; ok {
		return sw, nil
	}
	set, err := fixtures.Default(seed, now)
	if err != nil {
		return nil, fmt.Errorf("mockserver: sandbox default fixtures: %w", err)
	}
	if sh.worlds == nil {
		sh.worlds = map[worldKey]*seededWorld{}
	}
	if len(sh.worlds) >= maxCachedWorlds {
		for k := range sh.worlds { // drop any one: a world is a few milliseconds to make again
			delete(sh.worlds, k)
			break
		}
	}
	sw := &seededWorld{world: newWorld(set), bookings: set.Bookings}
	sh.worlds[key] = sw
	return sw, nil
}

// routerFor returns the router of sandbox sb: the shared one, which finds sb's handlers in
// the request's context. A sandbox whose routes differ in shape from the shared router's
// (they never do: routes is the same code for every server) gets a router of its own.
func (sh *sandboxShared) routerFor(sb *Server) http.Handler {
	sh.routerOnce.Do(func() {
		sh.shape = sb.handlers
		sh.router = sb.handlers.mux(handlersOf)
	})
	if !sh.shape.sameShape(sb.handlers) {
		return sb.handlers.mux(nil)
	}
	shared := sh.router
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		shared.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), serverKey{}, sb)))
	})
}

// cappedStore refuses an update that would leave more than max bookings in the store, so
// that the memory of a sandbox is bounded whatever its clients do.
type cappedStore struct {
	booking.Store
	max int
}

func (c cappedStore) Update(ctx context.Context, fn func(booking.Tx) error) error {
	return c.Store.Update(ctx, func(tx booking.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if n := tx.Len(); n > c.max {
			return newAPIError(http.StatusInsufficientStorage, fmt.Sprintf(
				"calmock sandbox full: it may hold at most %d bookings (-sandbox-max-bookings) and this request would leave %d; reset it (POST <sandbox url>%s) or create another",
				c.max, n, ResetPath))
		}
		return nil
	})
}
