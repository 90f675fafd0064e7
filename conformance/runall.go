package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/calmock/calmock/profile"
	"github.com/calmock/calmock/scenarios"
)

// Options configure a conformance run. The zero value is not runnable: set Target or Handler.
type Options struct {
	// Target is the base URL of the API under test. Empty: Handler is served in-process.
	Target string
	// Handler is served with httptest when Target is empty (e.g. mockserver.New's handler).
	Handler http.Handler
	// APIKey, if set, replaces the API key of the profile's first user.
	APIKey string
	// ProfileFile is the target profile (JSON, package profile's shape). Empty: fetched from
	// the target's /_calmock/profile (only a calmock serves it).
	ProfileFile string
	// SpecFile is the OpenAPI document to check responses against. Empty: calmock's
	// embedded document. "none": no OpenAPI check.
	SpecFile string
	// Features is the comma-separated list of features the target supports. Empty or
	// "all": every feature.
	Features string
	// Scenarios are where the scenario files are read from, each a directory of *.yaml
	// files; their scenarios run in this order, and a name may not repeat. Nil:
	// scenarios.Embedded.
	Scenarios []fs.FS
	// Checker overrides SpecFile with a ready ResponseChecker.
	Checker ResponseChecker
	// Cleanup cancels the bookings each scenario created.
	Cleanup bool
	// RunID identifies the run (see RunInfo). Empty: random.
	RunID string
	// Client sends the requests. Nil: a 30 s timeout client.
	Client Doer
	// Progress receives one line per scenario as it finishes. Nil: silent.
	Progress io.Writer
	// NoSandboxes runs the scenarios against a calmock target itself, as against any other
	// target, instead of each in a sandbox of its own (Target.Sandboxed).
	NoSandboxes bool
	// Parallel is how many scenarios run at once. Zero: DefaultParallel when each scenario
	// has a sandbox of its own, else 1. More than 1 against a shared target is allowed
	// (scenarios book distinct slots and emails) but meets its rate limit sooner.
	Parallel int
	// AdminToken is the -admin-token of a calmock target, for its sandboxes and clock.
	AdminToken string
	// WebhookListen is where the run's webhook receiver listens (host:port). Empty:
	// 127.0.0.1 on a free port.
	WebhookListen string
	// WebhookURL is a public URL that forwards to WebhookListen, for a target that cannot
	// reach this machine. Empty: the listener's own URL, and only a target on this machine
	// (a loopback address) runs the scenarios that check webhooks.
	WebhookURL string
}

// DefaultParallel is how many scenarios run at once, each in its own sandbox, against a
// calmock target: enough to keep two cores busy while each scenario waits on its answers.
const DefaultParallel = 4

// Environment variables read by RegisterFlags as defaults.
const (
	EnvTarget   = "CALMOCK_TARGET"
	EnvAPIKey   = "CALMOCK_API_KEY"
	EnvProfile  = "CALMOCK_PROFILE"
	EnvSpec     = "CALMOCK_SPEC"
	EnvFeatures = "CALMOCK_FEATURES"
	EnvCleanup  = "CALMOCK_CLEANUP"
	EnvAdmin    = "CALMOCK_ADMIN_TOKEN"
)

// RegisterFlags registers -target, -api-key, -profile, -spec, -features and -cleanup on fs,
// with defaults from the CALMOCK_* environment variables. Explicit flags win.
func (o *Options) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.Target, "target", os.Getenv(EnvTarget), "base URL of the API under test (env "+EnvTarget+"); empty: the mock in-process")
	fs.StringVar(&o.APIKey, "api-key", os.Getenv(EnvAPIKey), "API key replacing the profile's first user's key (env "+EnvAPIKey+")")
	fs.StringVar(&o.ProfileFile, "profile", os.Getenv(EnvProfile), "target profile JSON file (env "+EnvProfile+"); empty: fetched from the target's "+profile.Path)
	fs.StringVar(&o.SpecFile, "spec", os.Getenv(EnvSpec), "OpenAPI document to check responses against (env "+EnvSpec+"); empty: calmock's embedded one; none: no check")
	fs.StringVar(&o.Features, "features", os.Getenv(EnvFeatures), "comma-separated features the target supports (env "+EnvFeatures+"); empty: all ("+strings.Join(Features(), ",")+")")
	fs.BoolVar(&o.Cleanup, "cleanup", os.Getenv(EnvCleanup) == "1" || os.Getenv(EnvCleanup) == "true", "cancel the bookings each scenario created (env "+EnvCleanup+"=1)")
	fs.BoolVar(&o.NoSandboxes, "no-sandboxes", false, "against a calmock target, run every scenario on the target itself instead of each in a sandbox of its own (then serially, sharing its clock and rate limit)")
	fs.IntVar(&o.Parallel, "parallel", 0, "run `N` scenarios at once; 0: "+strconv.Itoa(DefaultParallel)+" when each has a calmock sandbox of its own, else 1")
	fs.StringVar(&o.AdminToken, "admin-token", os.Getenv(EnvAdmin), "the -admin-token of a calmock target, for its sandboxes and clock (env "+EnvAdmin+")")
	fs.StringVar(&o.WebhookListen, "webhook-listen", "", "`host:port` of the receiver of the scenarios that check webhooks; empty: 127.0.0.1 on a free port")
	fs.StringVar(&o.WebhookURL, "webhook-url", "", "public `URL` forwarding to -webhook-listen, for a target that cannot reach this machine (without it, only a target on a loopback address runs the webhook scenarios)")
}

// Setup prepares a run: it starts the in-process server if needed, loads the profile, the
// checker and the scenarios, and probes the target. The returned close function stops the
// in-process server; call it when done. Errors are *UsageError or *UnreachableError.
func Setup(ctx context.Context, o Options) (*Target, []scenarios.Scenario, func(), error) {
	closeFn := func() {}
	supports, err := ParseFeatures(o.Features)
	if err != nil {
		return nil, nil, closeFn, err
	}
	all, err := LoadScenarios(o.Scenarios)
	if err != nil {
		return nil, nil, closeFn, err
	}
	base := strings.TrimRight(o.Target, "/")
	if base == "" {
		if o.Handler == nil {
			return nil, nil, closeFn, &UsageError{Err: errors.New("no target: set -target (or " + EnvTarget + ") or provide a handler")}
		}
		srv := httptest.NewServer(o.Handler)
		base, closeFn = srv.URL, srv.Close
	}
	client := o.Client
	if client == nil {
		client = defaultClient
	}
	prof, err := loadProfile(ctx, client, base, o.ProfileFile)
	if err != nil {
		closeFn()
		return nil, nil, func() {}, err
	}
	if o.APIKey != "" {
		if users, ok := prof["users"].([]any); ok && len(users) > 0 {
			if u, ok := users[0].(map[string]any); ok {
				u["apiKey"] = o.APIKey
			}
		}
	}
	checker := o.Checker
	if checker == nil && o.SpecFile != "none" {
		c, err := NewOpenAPIChecker(o.SpecFile)
		if err != nil {
			closeFn()
			return nil, nil, func() {}, &UsageError{Err: fmt.Errorf("-spec: %w", err)}
		}
		checker = c
	}
	t := &Target{
		BaseURL:    base,
		Client:     client,
		Profile:    prof,
		Checker:    checker,
		Supports:   supports,
		Run:        NewRunInfo(o.RunID, time.Now()),
		Cleanup:    o.Cleanup,
		AdminToken: o.AdminToken,
	}
	if err := probe(ctx, t); err != nil {
		closeFn()
		return nil, nil, func() {}, err
	}
	if !o.NoSandboxes {
		ok, err := servesSandboxes(ctx, client, base, o.AdminToken)
		if err != nil {
			closeFn()
			return nil, nil, func() {}, &UnreachableError{Target: base, Err: err}
		}
		t.Sandboxed = ok
	}
	switch rc, err := startReceiver(o, base, all); {
	case err == nil:
		t.Webhooks = rc
		stop := closeFn
		closeFn = func() { _ = rc.Close(); stop() }
	case !errors.Is(err, errNoReceiver):
		closeFn()
		return nil, nil, func() {}, &UsageError{Err: err}
	}
	return t, all, closeFn, nil
}

// LoadScenarios loads the scenarios of every source in order (nil: scenarios.Embedded). A
// name that repeats across sources is a usage error, since reports key on names.
func LoadScenarios(sources []fs.FS) ([]scenarios.Scenario, error) {
	if len(sources) == 0 {
		sources = []fs.FS{scenarios.Embedded}
	}
	var all []scenarios.Scenario
	seen := map[string]int{}
	for i, fsys := range sources {
		loaded, err := scenarios.Load(fsys, KnownFeature)
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("scenario source %d: %w", i+1, err)}
		}
		for _, sc := range loaded {
			if prev, ok := seen[sc.Name]; ok {
				return nil, &UsageError{Err: fmt.Errorf("scenario %q is in source %d and source %d: names must be unique", sc.Name, prev+1, i+1)}
			}
			seen[sc.Name] = i
		}
		all = append(all, loaded...)
	}
	// The interpreter derives each scenario's time slots from its index: number them over
	// all sources so that two scenarios never book the same slot.
	for i := range all {
		all[i].Index = i
	}
	return all, nil
}

// loadProfile reads the profile file, or fetches it from a calmock target. The result is
// generic JSON (templates may read fields the profile package does not know yet), checked
// with profile.Validate.
func loadProfile(ctx context.Context, client Doer, base, file string) (map[string]any, error) {
	var data []byte
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("-profile: %w", err)}
		}
		data = b
	} else {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+profile.Path, nil)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, &UnreachableError{Target: base, Err: err}
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil || resp.StatusCode != http.StatusOK {
			return nil, &UsageError{Err: fmt.Errorf("the target does not serve %s (status %d): pass -profile FILE", profile.Path, resp.StatusCode)}
		}
		data = b
	}
	var p profile.Profile
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, &UsageError{Err: fmt.Errorf("profile: %w", err)}
	}
	if err := p.Validate(); err != nil {
		return nil, &UsageError{Err: err}
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, &UsageError{Err: fmt.Errorf("profile: %w", err)}
	}
	// Event types may be written in Cal.com's field names (profile.EventType's UnmarshalJSON);
	// templates read ours, so the event types are given to them as decoded.
	if len(p.EventTypes) > 0 {
		var ets any
		b, err := json.Marshal(p.EventTypes)
		if err == nil {
			err = json.Unmarshal(b, &ets)
		}
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("profile: event types: %w", err)}
		}
		raw["eventTypes"] = ets
	}
	return raw, nil
}

// probe checks that the target answers like a Cal.com API: GET /v2/bookings with the owner's
// key must give a JSON object with a "status" key (success or error alike).
func probe(ctx context.Context, t *Target) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.BaseURL+"/v2/bookings?take=1", nil)
	if err != nil {
		return &UsageError{Err: fmt.Errorf("-target: %w", err)}
	}
	req.Header.Set("cal-api-version", APIVersion)
	if key, err := lookup(t.Profile, "users.0.apiKey"); err == nil {
		req.Header.Set("Authorization", "Bearer "+render(key))
	}
	resp, err := t.Client.Do(req)
	if err != nil {
		return &UnreachableError{Target: t.BaseURL, Err: err}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var env map[string]any
	if json.Unmarshal(body, &env) != nil || env["status"] == nil {
		return &UnreachableError{Target: t.BaseURL, Err: fmt.Errorf("GET /v2/bookings answered %d without a Cal.com envelope: %s", resp.StatusCode, abbreviate(string(body)))}
	}
	return nil
}

// RunAll runs every scenario against the target and returns the report. The error is nil
// when every scenario that ran passed, ErrContractBroken (wrapped) when one failed, or a
// *UsageError / *UnreachableError; ExitCode maps it to an exit code.
func RunAll(ctx context.Context, o Options) (Report, error) {
	started := time.Now()
	t, all, closeFn, err := Setup(ctx, o)
	defer closeFn()
	var unreachable *UnreachableError
	if errors.As(err, &unreachable) {
		return UnreachableReport(o, err, started), err
	}
	if err != nil {
		return Report{}, err
	}
	results, lost := runPool(ctx, t, all, o.parallel(t), o.Progress)
	if lost != nil {
		err := &UnreachableError{Target: t.BaseURL, Err: fmt.Errorf("scenario %s: %s", lost.Scenario, lost.Error())}
		rep := NewReport(o, t, results, started)
		rep.Outcome, rep.Error = OutcomeUnreachable, err.Error()
		return rep, err
	}
	rep := NewReport(o, t, results, started)
	if rep.Totals.Failed > 0 {
		return rep, fmt.Errorf("%w: %d of %d scenarios failed", ErrContractBroken, rep.Totals.Failed, len(results))
	}
	return rep, nil
}

// parallel is how many scenarios run at once against t.
func (o Options) parallel(t *Target) int {
	switch {
	case o.Parallel > 0:
		return o.Parallel
	case t.Sandboxed:
		return DefaultParallel
	}
	return 1
}

// runPool runs the scenarios on n workers and returns their results in the scenarios' order,
// printing each one's verdict to progress as it finishes. After a scenario that got no
// answer at all (returned as lost, the first one to finish so), the scenarios not yet started
// are not run and those running are stopped: the target is gone.
func runPool(ctx context.Context, t *Target, all []scenarios.Scenario, n int, progress io.Writer) (results []Result, lost *Result) {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	results = make([]Result, len(all))
	ran := make([]bool, len(all))
	next := make(chan int)
	var mu sync.Mutex // guards progress, ran and lost
	var wg sync.WaitGroup
	for range max(n, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res := Run(ctx, t, all[i])
				results[i] = res
				mu.Lock()
				ran[i] = true
				writeProgress(progress, res)
				if res.Unreachable && lost == nil {
					lost = &results[i]
					stop()
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for i := range all {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	out := make([]Result, 0, len(all))
	for i, res := range results {
		if ran[i] {
			out = append(out, res)
		}
	}
	if lost != nil {
		l := *lost
		lost = &l
	}
	return out, lost
}

// writeProgress prints one scenario's verdict, and its failures, to w (nil: nowhere).
func writeProgress(w io.Writer, res Result) {
	if w == nil {
		return
	}
	line := fmt.Sprintf("%-8s %-45s %6s", res.Outcome, res.Scenario, res.Duration.Round(time.Millisecond))
	if res.SkipReason != "" {
		line += " (" + res.SkipReason + ")"
	}
	fmt.Fprintln(w, line)
	for _, f := range res.Failures {
		fmt.Fprintln(w, "         "+f.String())
	}
}
