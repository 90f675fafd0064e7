// Command calmock runs the Cal.com API v2 bookings mock. It only parses flags, wires the
// packages together, serves, and shuts down gracefully; everything else lives in mockserver.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/calmock/calmock/booking/boltstore"
	"github.com/calmock/calmock/fixtures"
	"github.com/calmock/calmock/internal/gctune"
	"github.com/calmock/calmock/internal/idlemem"
	"github.com/calmock/calmock/mockserver"
	"github.com/calmock/calmock/openapi"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

// wrapForTest, set only by tests, wraps the finished handler: it lets a test see that a
// request has reached the server, so that it can order a shutdown after it without sleeping.
var wrapForTest func(http.Handler) http.Handler

func main() {
	m := NewMain(os.Stdout, os.Stderr)
	if err := m.ParseFlags(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "calmock:", err)
		os.Exit(1)
	}
	if m.showVersion {
		fmt.Fprintln(os.Stdout, "calmock", version)
		return
	}
	if m.healthCheck {
		if err := m.HealthCheck(); err != nil {
			fmt.Fprintln(os.Stderr, "calmock:", err)
			os.Exit(1)
		}
		return
	}
	if m.dumpFixtures {
		now := time.Now().UTC()
		if !m.frozenAt.IsZero() {
			now = m.frozenAt
		}
		if err := m.DumpFixtures(now); err != nil {
			fmt.Fprintln(os.Stderr, "calmock:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := m.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "calmock:", err)
		os.Exit(1)
	}
}

// Main is the program, split from main() so that tests can run the real wiring.
type Main struct {
	addr         string
	seed         int64
	fixturesPath string
	specPath     string
	dataPath     string
	bookings     int
	rateLimit    int
	clockAt      string
	frozenAt     time.Time // -clock, parsed
	adminToken   string
	idleRelease  time.Duration
	maxSandboxes int
	sandboxTTL   time.Duration
	sandboxBooks int
	gcHeadroom   int
	verbose      bool
	journal      int
	showVersion  bool
	dumpFixtures bool
	healthCheck  bool
	webhooks     webhookFlags

	stdout, stderr io.Writer
	// Addr is the address actually listened on, set once Run is serving (useful with port 0).
	Addr chan string
}

// NewMain returns a Main writing to the given streams.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{stdout: stdout, stderr: stderr, Addr: make(chan string, 1)}
}

// ParseFlags reads the command line and checks the values.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("calmock", flag.ContinueOnError)
	fs.SetOutput(m.stderr)
	fs.Usage = func() { m.usage(fs) }
	fs.StringVar(&m.addr, "addr", "127.0.0.1:8080", "`host:port` to listen on (port 0 picks a free port)")
	fs.Int64Var(&m.seed, "seed", 1, "seed for the default fixtures and generated ids: the same seed gives the same data")
	fs.StringVar(&m.fixturesPath, "fixtures", "", "load users, API keys, event types and bookings from this YAML or JSON `file` instead of the seeded defaults")
	fs.StringVar(&m.specPath, "spec", "", "OpenAPI `file` (JSON or YAML) to serve at /_calmock/openapi instead of the embedded bookings document, e.g. the official Cal.com one")
	fs.StringVar(&m.dataPath, "data", "", "keep bookings across restarts in this bbolt `file` (created if missing; fixtures are loaded into it only when it holds no booking)")
	fs.IntVar(&m.bookings, "bookings", 0, "add `N` deterministic past bookings (from -seed) to the fixtures, for volume and performance runs")
	fs.IntVar(&m.rateLimit, "rate-limit", 120, "requests per minute per API key, as the real API; 0 turns rate limiting off")
	fs.DurationVar(&m.idleRelease, "idle-release", 15*time.Second, "give spare memory back to the system once this long has passed without a request (after start-up and after each burst); 0 never does")
	fs.IntVar(&m.gcHeadroom, "gc-headroom", 16, "let the heap grow by at least this many `MB` between garbage collections (fewer collections under load, so steadier latency; above it the heap may double up to 64 MB live, and grow by half past that); 0, or a GOGC environment variable, leaves the Go default")
	fs.StringVar(&m.clockAt, "clock", "", "start the mock's clock frozen at this RFC 3339 `instant` and date the default fixtures from it, so the same seed gives the same bytes on any day (move it with POST "+mockserver.ClockPath+")")
	fs.StringVar(&m.adminToken, "admin-token", "", "require 'Authorization: Bearer `token`' on the /_calmock endpoints that change state (reset, clock, faults, bookings, sandboxes) and on the journal; profile, openapi, health and the other GETs stay open")
	fs.BoolVar(&m.verbose, "verbose", false, "print one line per request to stderr, from its journal entry (method, path, status, duration, operation, masked API key and spec violations), and one per webhook delivery attempt")
	fs.IntVar(&m.journal, "journal", mockserver.DefaultJournalSize, "keep the last `N` requests at GET "+mockserver.JournalPath+" (headers with secrets masked, bodies up to 8 KiB, spec verdicts); 0 turns the journal off")
	fs.IntVar(&m.maxSandboxes, "max-sandboxes", 100, "allow at most `N` sandboxes at once (POST "+mockserver.SandboxesPath+": a mock of its own under a base URL, for tests in parallel; past N a create gets a 507); 0 turns sandboxes off")
	fs.DurationVar(&m.sandboxTTL, "sandbox-ttl", 30*time.Minute, "delete a sandbox that has had no request for this long (real time, not the mock's clock); 0 keeps sandboxes until deleted")
	fs.IntVar(&m.sandboxBooks, "sandbox-max-bookings", 1000, "allow at most `N` bookings in one sandbox (a request past it gets a 507), which with -max-sandboxes bounds their memory; 0 sets no bound")
	m.webhooks.define(fs)
	fs.BoolVar(&m.showVersion, "version", false, "print the version and exit")
	fs.BoolVar(&m.dumpFixtures, "dump-fixtures", false, "print the fixtures (the seeded defaults, or -fixtures) as YAML and exit: a starting point for your own -fixtures file")
	fs.BoolVar(&m.healthCheck, "healthcheck", false, "ask the calmock listening on -addr whether it is up (GET "+mockserver.HealthPath+") and exit 0 if it is, 1 if not: a container health check that needs no curl")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see -help)", fs.Arg(0))
	}
	return m.check()
}

// check validates flag values that flag parsing alone accepts.
func (m *Main) check() error {
	if m.rateLimit < 0 {
		return fmt.Errorf("-rate-limit must be 0 (off) or positive, got %d", m.rateLimit)
	}
	if m.idleRelease < 0 {
		return fmt.Errorf("-idle-release must be 0 (never) or positive, got %s", m.idleRelease)
	}
	if m.gcHeadroom < 0 || m.gcHeadroom > 1<<20 {
		return fmt.Errorf("-gc-headroom must be between 0 (Go default) and 1048576 MB, got %d", m.gcHeadroom)
	}
	if m.journal < 0 || m.journal > 1_000_000 {
		return fmt.Errorf("-journal must be between 0 (off) and 1000000, got %d", m.journal)
	}
	if m.maxSandboxes < 0 || m.sandboxTTL < 0 || m.sandboxBooks < 0 {
		return fmt.Errorf("-max-sandboxes, -sandbox-ttl and -sandbox-max-bookings must be 0 or positive, got %d, %s, %d", m.maxSandboxes, m.sandboxTTL, m.sandboxBooks)
	}
	if m.bookings < 0 || m.bookings > 10_000_000 {
		return fmt.Errorf("-bookings must be between 0 and 10000000, got %d", m.bookings)
	}
	if m.clockAt != "" {
		at, err := time.Parse(time.RFC3339Nano, m.clockAt)
		if err != nil || at.Before(time.Unix(0, 0)) {
			return fmt.Errorf("-clock must be an RFC 3339 instant at or after 1970, such as 2026-01-05T09:00:00Z, got %q", m.clockAt)
		}
		m.frozenAt = at.UTC().Truncate(time.Millisecond)
	}
	if _, _, err := net.SplitHostPort(m.addr); err != nil {
		return fmt.Errorf("-addr %q: %w", m.addr, err)
	}
	return m.webhooks.check()
}

// DumpFixtures writes the fixture set the server would start with, as YAML, to stdout. now
// places the generated defaults in time.
func (m *Main) DumpFixtures(now time.Time) error {
	set, err := m.loadFixtures(now)
	if err != nil {
		return err
	}
	return set.WriteYAML(m.stdout)
}

// loadFixtures returns the -fixtures file, or the defaults generated from -seed.
func (m *Main) loadFixtures(now time.Time) (*fixtures.Set, error) {
	if m.fixturesPath != "" {
		return fixtures.Load(m.fixturesPath)
	}
	set, err := fixtures.Default(m.seed, now)
	if err != nil {
		return nil, fmt.Errorf("default fixtures: %w", err)
	}
	return set, nil
}

// Run builds the server, serves until ctx is done, then shuts down gracefully.
func (m *Main) Run(ctx context.Context) error {
	level := slog.LevelWarn
	if m.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(m.stderr, &slog.HandlerOptions{Level: level}))

	cfg := mockserver.Config{Seed: m.seed, RateLimit: m.rateLimit, Logger: log, ExtraBookings: m.bookings,
		FrozenAt: m.frozenAt, AdminToken: m.adminToken, JournalSize: m.journal}
	if m.journal == 0 {
		cfg.JournalSize = -1 // Config's zero is the default size
	}
	if m.verbose {
		cfg.OnRequest = logEntry(log)
	}
	if m.fixturesPath != "" {
		set, err := fixtures.Load(m.fixturesPath)
		if err != nil {
			return err
		}
		cfg.Fixtures = set
	}
	if m.specPath != "" {
		doc, err := openapi.Load(m.specPath)
		if err != nil {
			return err
		}
		cfg.Spec = doc
	}
	if m.dataPath != "" {
		store, err := boltstore.Open(m.dataPath)
		if err != nil {
			return err
		}
		// Every write is committed (fsync) before its response is sent; closing releases
		// the file lock.
		defer store.Close()
		cfg.Store = store
	}
	if err := m.webhooks.configure(&cfg, log, m.verbose, m.loadFixtures); err != nil {
		return err
	}
	srv, err := mockserver.New(cfg)
	if err != nil {
		return err
	}
	var handler http.Handler = srv
	if m.maxSandboxes > 0 {
		reg, err := mockserver.NewSandboxes(srv, mockserver.SandboxLimits{Max: m.maxSandboxes, TTL: m.sandboxTTL, MaxBookings: m.sandboxBooks})
		if err != nil {
			return err
		}
		handler = reg
	}
	if m.gcHeadroom > 0 && gctune.Enabled() {
		go gctune.New(uint64(m.gcHeadroom)<<20).Run(ctx, time.Second)
	}
	if m.idleRelease > 0 {
		idle := idlemem.New()
		handler = idle.Wrap(handler)
		go idle.Run(ctx, m.idleRelease)
	}
	if wrapForTest != nil {
		handler = wrapForTest(handler)
	}

	ln, err := net.Listen("tcp", m.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.addr, err)
	}
	httpSrv := &http.Server{
		Handler: handler,
		// Slow or stalled clients must not hold the server.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	base := "http://" + ln.Addr().String()
	m.printBanner(base, srv)
	m.Addr <- ln.Addr().String()

	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Then the webhook deliveries still queued get the rest of the grace period.
	if err := errors.Join(httpSrv.Shutdown(shutdownCtx), srv.Close(shutdownCtx)); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	fmt.Fprintln(m.stdout, "calmock: stopped")
	return nil
}

func (m *Main) printBanner(base string, srv *mockserver.Server) {
	fmt.Fprintf(m.stdout, "calmock %s serving the Cal.com bookings API (cal-api-version 2024-08-13) at %s\n", version, base)
	users := srv.Fixtures().Profile().Users
	if len(users) > 0 {
		fmt.Fprintf(m.stdout, "try:\n  curl -H 'Authorization: Bearer %s' -H 'cal-api-version: 2024-08-13' %s/v2/bookings\n", users[0].APIKey, base)
	}
	fmt.Fprintf(m.stdout, "fixture users, API keys and event types: %s/_calmock/profile\n", base)
	m.printAdmin(base)
	if m.maxSandboxes > 0 {
		fmt.Fprintf(m.stdout, "a sandbox per test (own bookings, clock, limits): curl -X POST %s%s\n", base, mockserver.SandboxesPath)
	}
}
