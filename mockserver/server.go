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

	"github.com/gorilla/mux"

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
	// /_calmock endpoint that changes state (reset, clock); the read-only ones stay open.
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
	// Webhooks are the webhook subscriptions whose deliveries the server makes for booking
	// transitions (issue 18; cmd/calmock's -webhook). None means no webhook is sent.
	Webhooks []webhook.Subscription
	// WebhookDelivery tunes the server's webhook Dispatcher: Allow (nil: loopback only),
	// Logf (one line per attempt), retries and timeouts. Server.Close stops it.
	WebhookDelivery webhook.Config
}

// Server is the mock. It is an http.Handler; the caller owns the listener.
type Server struct {
	router   *mux.Router
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

	// dispatcher delivers the webhooks of webhooks (webhooks.go).
	dispatcher *webhook.Dispatcher
	webhooks   []webhook.Subscription

	specOnce sync.Once
	spec     *openapi.Document
	specErr  error
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
	catalog := set.Catalog()
	// From here on the bookings live in the store only; keeping the fixture copies would
	// double the memory of a large (-bookings) world.
	world := *set
	world.Bookings = nil
	if len(set.Bookings) > largeWorld {
		defer debug.FreeOSMemory() // hand the generation garbage back once, at start-up
	}
	ids := booking.NewSeededIDs(cfg.Seed)
	s := &Server{
		service:    booking.NewService(store, catalog, clk, ids),
		store:      store,
		catalog:    catalog,
		fixtures:   &world,
		shapes:     newWireShapes(&world),
		initial:    initial,
		clock:      clk,
		adminToken: cfg.AdminToken,
		log:        logger(cfg.Logger),
		ids:        ids,
		reqIDs:     newRequestIDs(cfg.Seed),
		spec:       cfg.Spec,
	}
	if cfg.RateLimit > 0 {
		s.limiter = newRateLimiter(cfg.RateLimit, clk)
	}
	s.setupWebhooks(cfg)
	s.tables = s.versionTables()
	s.router = s.routes()
	return s, nil
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
	defer func() {
		if v := recover(); v != nil {
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

// document returns the OpenAPI document the server describes itself with.
func (s *Server) document() (*openapi.Document, error) {
	s.specOnce.Do(func() {
		if s.spec == nil {
			s.spec, s.specErr = openapi.Load("")
		}
	})
	return s.spec, s.specErr
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
