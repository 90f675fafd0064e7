// Package mockserver serves a stateful imitation of the Cal.com API v2 bookings endpoints
// (cal-api-version 2024-08-13) over a booking.Service: routing, the real API's request
// pipeline (version, rate limit, permissions, auth, validation), wire shapes, envelopes and
// headers. It knows nothing about scenarios or YAML.
package mockserver

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/booking/memstore"
	"github.com/calmock/calmock/fixtures"
	"github.com/calmock/calmock/internal/clock"
	"github.com/calmock/calmock/openapi"
	"github.com/calmock/calmock/webhook"
)

// Config configures a Server. The zero value is usable: default fixtures from seed 0, the
// wall clock, no rate limit.
type Config struct {
	// Fixtures is the world the mock starts with. Nil means fixtures.Default(Seed, Clock.Now()).
	Fixtures *fixtures.Set
	// Seed drives the default fixtures and every generated uid: the same seed gives the same
	// data and the same sequence of uids.
	Seed int64
	// Clock is the source of real time. Nil means the wall clock. The server reads it
	// through its admin clock (/_calmock/clock), which may freeze or advance it.
	Clock booking.Clock
	// FrozenAt, when not zero, starts the admin clock frozen at that instant (-clock): the
	// default fixtures are dated from it, so the same seed gives the same bytes on any day.
	// Reset freezes the clock there again. Zero starts it in real time.
	FrozenAt time.Time
	// AdminToken, when not empty, is required (Authorization: Bearer <token>) by every
	// /_calmock endpoint that changes state (reset, clock, faults, bookings); the read-only
	// ones stay open.
	AdminToken string
	// RateLimit is the number of requests per minute allowed per API key (or token, client id,
	// IP), as the real API's 120. Zero turns rate limiting off: nothing is counted, and the
	// rate-limit headers announce an effectively unlimited budget.
	RateLimit int
	// Logger receives request and error logs. Nil discards them.
	Logger *slog.Logger
	// ExtraBookings adds that many deterministic bookings (from Seed) to the fixtures, all in
	// the past, for volume and performance runs. Zero adds none.
	ExtraBookings int
	// Store keeps the bookings. Nil means a fresh in-memory store. The fixtures' bookings are
	// put in only when the store holds no booking yet, so a durable store keeps its state
	// across restarts (users and event types always come from the fixtures).
	Store booking.Store
	// Spec is the OpenAPI document served at /_calmock/openapi. Nil means the embedded one,
	// loaded on first request so that start-up stays fast.
	Spec *openapi.Document
	// JournalSize is how many requests the journal (/_calmock/journal) keeps, the oldest
	// dropped first. Zero means DefaultJournalSize; a negative value turns the journal off.
	JournalSize int
	// OnRequest, when not nil, is called with each request's journal entry (Seq 0 when the
	// journal is off) once it is answered, on the request's goroutine: -verbose prints it.
	// Its verdicts are computed then, which costs; leave it nil under load.
	OnRequest func(JournalEntry)
	// Webhooks are the webhook subscriptions whose deliveries the server makes for booking
	// transitions (issue 18; cmd/calmock's -webhook). None means no webhook is sent.
	Webhooks []webhook.Subscription
	// WebhookDelivery tunes the server's webhook Dispatcher: Allow (nil: loopback only),
	// Logf (one line per attempt), retries and timeouts. Server.Close stops it.
	WebhookDelivery webhook.Config
}

// Server is the mock. It is an http.Handler; the caller owns the listener.
type Server struct {
	router   http.Handler
	service  *booking.Service
	store    booking.Store
	catalog  booking.Catalog
	fixtures *fixtures.Set
	shapes   wireShapes
	initial  initialBookings
	clock    *clock.Clock
	// adminToken guards the /_calmock endpoints that change state (Config.AdminToken).
	adminToken string
	limiter    *rateLimiter
	log        *slog.Logger
	ids        *booking.SeededIDs
	reqIDs     *requestIDs
	// tables are the route tables of the versions served (routes.go, versionTables).
	tables []versionTable
	// faults are this server's injected faults (faults.go); faultSeed draws their
	// probabilities when a fault names no seed of its own (Config.Seed).
	faults    faultSet
	faultSeed int64
	// journal records the requests (journal.go); nil when off.
	journal *journal
	// handlers are the server's routes with their handlers bound to it (routes.go, routes);
	// router dispatches to them.
	handlers *routeSet

	// dispatch delivers the webhooks of the store's subscriptions (webhooks.go).
	dispatch lazyDispatcher
	// cfg is what the server was built with; sandboxes made from it start from it.
	cfg Config
	// sandbox: the server was made by NewSandbox.
	sandbox bool
	// sandboxes holds what the sandboxes made from this server share (sandbox.go).
	sandboxes *sandboxShared
	// spec is the OpenAPI document, loaded once and shared with the sandboxes.
	spec *lazySpec
}

// world is what a server starts from and never changes: the fixtures without their
// bookings, and the catalog and wire shapes made from them. Read-only, so that sandboxes of
// the same fixtures share one (TestSandbox_WorldStaysUnchanged).
type world struct {
	fixtures *fixtures.Set // Bookings is nil: they live in the store
	catalog  booking.Catalog
	shapes   wireShapes
}

func newWorld(set *fixtures.Set) *world {
	// From here on the bookings live in the store only; keeping the fixture copies would
	// double the memory of a large (-bookings) world.
	w := *set
	w.Bookings = nil
	return &world{fixtures: &w, catalog: set.Catalog(), shapes: newWireShapes(&w)}
}

// New builds a Server and loads its fixtures into a fresh in-memory store.
func New(cfg Config) (*Server, error) {
	source := cfg.Clock
	if source == nil {
		source = booking.SystemClock
	}
	clk := clock.New(source, cfg.FrozenAt)
	started := clk.Now()
	set := cfg.Fixtures
	if set == nil {
		var err error
		set, err = fixtures.Default(cfg.Seed, started)
		if err != nil {
			return nil, fmt.Errorf("mockserver: default fixtures: %w", err)
		}
	}
	// Reset regenerates the extra bookings instead of keeping a copy of them.
	initial := initialBookings{base: slices.Clone(set.Bookings), extra: cfg.ExtraBookings, seed: cfg.Seed, now: started}
	if cfg.ExtraBookings > 0 {
		if err := set.AddBookings(cfg.ExtraBookings, cfg.Seed, started); err != nil {
			return nil, fmt.Errorf("mockserver: extra bookings: %w", err)
		}
	}
	var store booking.Store = memstore.New()
	if cfg.Store != nil {
		store = cfg.Store
	}
	empty := true
	if err := store.View(context.Background(), func(tx booking.Tx) error { empty = tx.Len() == 0; return nil }); err != nil {
		return nil, fmt.Errorf("mockserver: read store: %w", err)
	}
	if empty {
		if err := set.Seed(context.Background(), store); err != nil {
			return nil, fmt.Errorf("mockserver: seed store: %w", err)
		}
	}
	// Config.Webhooks (-webhook) are there whatever a durable store held: put by id, so a
	// restart over the same file does not repeat them.
	if len(cfg.Webhooks) > 0 {
		err := store.Update(context.Background(), func(tx booking.Tx) error {
			for _, w := range cfg.Webhooks {
				tx.PutWebhook(w)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("mockserver: store webhooks: %w", err)
		}
	}
	if len(set.Bookings) > largeWorld {
		defer debug.FreeOSMemory() // hand the generation garbage back once, at start-up
	}
	s := build(cfg, newWorld(set), store, clk, initial, &lazySpec{doc: cfg.Spec})
	s.router = s.handlers.mux(nil)
	return s, nil
}

// build makes a server of w over store; its router is the caller's to set.
func build(cfg Config, w *world, store booking.Store, clk *clock.Clock, initial initialBookings, spec *lazySpec) *Server {
	ids := booking.NewSeededIDs(cfg.Seed)
	s := &Server{
		service:    booking.NewService(store, w.catalog, clk, ids),
		store:      store,
		catalog:    w.catalog,
		fixtures:   w.fixtures,
		shapes:     w.shapes,
		initial:    initial,
		clock:      clk,
		adminToken: cfg.AdminToken,
		log:        logger(cfg.Logger),
		ids:        ids,
		reqIDs:     newRequestIDs(cfg.Seed),
		cfg:        cfg,
		sandboxes:  &sandboxShared{},
		spec:       spec,
		faultSeed:  cfg.Seed,
	}
	s.initial.webhooks = initialWebhooks(cfg, w.fixtures)
	if cfg.RateLimit > 0 {
		s.limiter = newRateLimiter(cfg.RateLimit, clk)
	}
	s.journal = newJournal(cfg.JournalSize, cfg.OnRequest, s.document)
	s.setupWebhooks(cfg)
	s.tables = s.versionTables()
	s.handlers = s.routes()
	return s
}

// largeWorld is the number of fixture bookings above which start-up returns its garbage to
// the operating system at once.
const largeWorld = 10_000

// Fixtures returns the users, teams and event types the server started with (read-only).
// Bookings are not kept there: they live in the store.
func (s *Server) Fixtures() *fixtures.Set { return s.fixtures }

// ServeHTTP applies what the real API does before routing (URL rewrite, common headers,
// CORS preflight, panic recovery) and dispatches.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.journal != nil {
		if jw := s.journal.begin(w, r); jw != nil {
			defer s.journal.finish(jw) // after the recovery below: it records the 500
			w = jw
		}
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler { // a dropped connection (faults.go): net/http's to handle
				panic(v)
			}
			s.log.Error("panic", "value", v, "method", r.Method, "path", r.URL.Path)
			s.writeError(w, r, newAPIError(http.StatusInternalServerError, "Internal server error"))
		}
	}()
	rewritePath(r)
	setCommonHeaders(w.Header(), s.reqIDs.next())
	if r.Method == http.MethodOptions {
		writePreflight(w)
		return
	}
	s.router.ServeHTTP(w, r)
}

// rewritePath maps /api/v2/… and /v2/ee/… to /v2/…, as the real API's rewrite middleware
// does; error envelopes then show the rewritten path.
func rewritePath(r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/api/v2"):
		p = strings.TrimPrefix(p, "/api")
	case strings.HasPrefix(p, "/v2/ee/") || p == "/v2/ee":
		p = "/v2" + strings.TrimPrefix(p, "/v2/ee")
	default:
		return
	}
	r.URL.Path = p
	r.URL.RawPath = ""
}

// lazySpec is the OpenAPI document a server describes itself with, loaded on first use.
type lazySpec struct {
	once sync.Once
	doc  *openapi.Document
	err  error
}

// document returns the OpenAPI document the server describes itself with.
func (s *Server) document() (*openapi.Document, error) {
	s.spec.once.Do(func() {
		if s.spec.doc == nil {
			s.spec.doc, s.spec.err = openapi.Load("")
		}
	})
	return s.spec.doc, s.spec.err
}

// handleOpenAPI serves GET /_calmock/openapi: the document in use, as loaded (YAML or JSON).
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	doc, err := s.document()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	raw := doc.Raw()
	ct := "application/yaml"
	if t := strings.TrimSpace(string(raw[:min(len(raw), 64)])); strings.HasPrefix(t, "{") {
		ct = "application/json; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	_, _ = w.Write(raw)
}
