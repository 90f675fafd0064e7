// Package conformance runs the scenarios of package scenarios against any Cal.com API v2
// bookings target (the calmock mock, api.cal.com, a third-party clone) and reports where the
// target breaks the contract.
//
// The interpreter (Run) is plain Go: it sends each step's request, checks the response's
// behaviour as the scenario states it, and checks every response automatically against the
// envelope rules, the required headers and an optional ResponseChecker (the OpenAPI
// document). RunAll runs every scenario and builds a Report; the Ginkgo suite in this
// package's tests turns each scenario into one spec.
package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/calmock/calmock/internal/apiversion"
	"github.com/calmock/calmock/profile"
	"github.com/calmock/calmock/scenarios"
)

// APIVersion is the cal-api-version every request carries unless its scenario or step sets
// another (scenarios.Scenario.Version, Step.Version) or a step's headers remove it.
const APIVersion = apiversion.V20240813

// ---------------------------------------------------------------------------------------------
// Public types

// Doer sends HTTP requests; *http.Client implements it. Tests and callers may wrap it.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Target is what a scenario runs against, plus how to run it. Build it with NewTarget or by
// hand; the zero values of the optional fields are documented per field.
type Target struct {
	// BaseURL is the API root, e.g. http://127.0.0.1:8080 or https://api.cal.com (requests
	// go to BaseURL + "/v2/bookings…").
	BaseURL string
	// Client sends the requests. Nil: a client with a 30 s timeout.
	Client Doer
	// Profile is the target profile as generic JSON (see package profile); templates read
	// it as {{profile.…}}. users.0.apiKey is the owner's key, users.1.apiKey the other's.
	Profile map[string]any
	// Checker checks every response against the API description. Nil: no such check (the
	// envelope and header checks always run).
	Checker ResponseChecker
	// RequiredHeaders must be present on every response. Nil: DefaultRequiredHeaders.
	RequiredHeaders []string
	// Supports lists the features the target declares. Nil: every feature.
	Supports map[string]bool
	// Run identifies the run (emails, time slots). Zero: a fresh NewRunInfo.
	Run RunInfo
	// Cleanup cancels, after the scenario, every booking it created (best effort, not
	// checked). Use it against real accounts.
	Cleanup bool
	// MaxRetries is how often a request answered 429 is retried. Zero: 5.
	MaxRetries int
	// MaxWait caps one wait after a 429. Zero: 120 s.
	MaxWait time.Duration
	// Sleep waits (context-aware). Nil: a timer. Tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for {{past}} and {{now}}. Nil: time.Now.
	Now func() time.Time
	// OnStep, if set, is called before each step (the Ginkgo suite calls By).
	OnStep func(step scenarios.Step)
	// Sandboxed makes Run give each scenario a sandbox of its own on this calmock target
	// (sandbox.go): scenarios may then run in parallel and move their clock. Setup sets it
	// when the target serves sandboxes.
	Sandboxed bool
	// AdminToken is sent to calmock's admin endpoints (sandboxes, clock) when the calmock
	// was started with -admin-token. Empty: none.
	AdminToken string

	// Webhooks receives the deliveries of the scenarios that subscribe one (webhooks.go).
	// Nil: those scenarios are skipped. Setup starts it when the target can reach it.
	Webhooks *Receiver
	// WebhookWait is how long a step waits for each delivery it expects. Zero:
	// DefaultWebhookWait.
	WebhookWait time.Duration

	// ownsClock is true for a scenario's own sandbox: its clock steps can run.
	ownsClock bool
}

// client is the target's Doer, or the default one.
func (t *Target) client() Doer {
	if t.Client == nil {
		return defaultClient
	}
	return t.Client
}

// DefaultRequiredHeaders are the headers every Cal.com response carries (behaviour §9); the
// X-RateLimit-* triple only once the request got past the rate limiter (see passedLimiter),
// Content-Type only on a response with a body.
var DefaultRequiredHeaders = []string{
	"Content-Type", "X-Request-Id",
	"X-RateLimit-Limit-Default", "X-RateLimit-Remaining-Default", "X-RateLimit-Reset-Default",
}

// Check kinds: which part of the contract a Failure is about.
const (
	KindStatus    = "status"    // HTTP status code (scenario)
	KindJSON      = "json"      // a value of the body (scenario)
	KindHeader    = "header"    // a header (scenario, or a required header)
	KindEnvelope  = "envelope"  // the Cal.com envelope (automatic)
	KindOpenAPI   = "openapi"   // the API description (automatic, via Checker)
	KindCapture   = "capture"   // a value to capture is missing
	KindTransport = "transport" // no HTTP answer
	KindTemplate  = "template"  // the scenario itself could not be expanded
	KindSandbox   = "sandbox"   // the scenario's calmock sandbox could not be made or its clock moved
	KindWebhook   = "webhook"   // a webhook delivery a step expected (trigger, signature, body)
)

// Failure is one broken expectation.
type Failure struct {
	Scenario string `json:"scenario" yaml:"scenario"`
	Step     string `json:"step" yaml:"step"`
	Kind     string `json:"kind" yaml:"kind"`
	// Field names what was checked: "status", "data.status", "X-Request-Id", an OpenAPI
	// field path…
	Field    string `json:"field" yaml:"field"`
	Expected string `json:"expected" yaml:"expected"`
	Got      string `json:"got" yaml:"got"`
	// Request is "METHOD path" of the step's request, for context.
	Request string `json:"request,omitempty" yaml:"request,omitempty"`
}

func (f Failure) String() string {
	return fmt.Sprintf("%s / %s: %s %s: expected %s, got %s", f.Scenario, f.Step, f.Kind, f.Field, f.Expected, f.Got)
}

// Outcome of a scenario.
type Outcome string

const (
	Passed  Outcome = "passed"
	Failed  Outcome = "failed"
	Skipped Outcome = "skipped"
)

// StepResult is what happened in one step.
type StepResult struct {
	Name     string        `json:"name" yaml:"name"`
	Request  string        `json:"request" yaml:"request"`
	Status   int           `json:"status" yaml:"status"`
	Duration time.Duration `json:"duration" yaml:"duration"`
	Failures []Failure     `json:"failures,omitempty" yaml:"failures,omitempty"`
}

// Result is the outcome of one scenario run.
type Result struct {
	Scenario string   `json:"scenario" yaml:"scenario"`
	Features []string `json:"features" yaml:"features"`
	Outcome  Outcome  `json:"outcome" yaml:"outcome"`
	// SkipReason says why a skipped scenario did not run.
	SkipReason string       `json:"skipReason,omitempty" yaml:"skipReason,omitempty"`
	Steps      []StepResult `json:"steps,omitempty" yaml:"steps,omitempty"`
	Failures   []Failure    `json:"failures,omitempty" yaml:"failures,omitempty"`
	// Waited is the time spent waiting for rate limits to reset.
	Waited   time.Duration `json:"waited" yaml:"waited"`
	Duration time.Duration `json:"duration" yaml:"duration"`
	// Unreachable is true when a step got no HTTP answer at all.
	Unreachable bool `json:"unreachable,omitempty" yaml:"unreachable,omitempty"`
}

// Error summarises the failures, one per line; "" when the scenario did not fail.
func (r Result) Error() string {
	if r.Outcome != Failed {
		return ""
	}
	lines := make([]string, len(r.Failures))
	for i, f := range r.Failures {
		lines[i] = f.String()
	}
	return strings.Join(lines, "\n")
}

// ---------------------------------------------------------------------------------------------
// Run

// Run runs one scenario against the target. It never panics on the target's answers; every
// problem is a Failure in the Result. A scenario needing a feature the target does not
// support, a version or operation its profile does not claim, or a profile value the target
// lacks, is Skipped.
func Run(ctx context.Context, t *Target, sc scenarios.Scenario) (res Result) {
	start := time.Now()
	res = Result{Scenario: sc.Name, Features: sc.Features, Outcome: Passed}
	// res is the named result, so that the deferred assignment reaches the caller.
	defer func() { res.Duration = time.Since(start) }()

	if reason := t.unsupported(sc); reason != "" {
		res.Outcome, res.SkipReason = Skipped, reason
		return res
	}
	if t.Sandboxed {
		sub, release, err := t.newSandbox(ctx)
		if err != nil {
			res.sandboxFailure(sc.Name, "", err)
			return res
		}
		defer release()
		t = sub
	}
	r := &runner{t: t, sc: sc, res: &res, inv: newInvariants(t.Profile)}
	if r.t.Run.ID == "" {
		r.t.Run = NewRunInfo("", r.now())
	}
	r.env = &env{vars: map[string]any{}, profile: t.Profile, run: t.Run, index: sc.Index, now: r.now(), loc: t.ownerLocation()}
	defer r.cleanup(ctx)

	for _, k := range sortedKeys(sc.Vars) {
		v, err := r.env.expandString(sc.Vars[k])
		if r.templateErr("vars", "vars."+k, err) {
			return res
		}
		r.env.vars[k] = v
	}
	if sc.Webhook != nil {
		sub, unsubscribe, err := r.subscribe(ctx, sc.Webhook)
		if err != nil {
			res.Failures = append(res.Failures, Failure{Scenario: sc.Name, Step: "(subscribe)", Kind: KindWebhook, Field: "POST /v2/webhooks",
				Expected: "a subscription for the runner's receiver", Got: err.Error()})
			res.Outcome = Failed
			return res
		}
		defer unsubscribe()
		r.sub = sub
	}
	for _, st := range sc.Steps {
		if t.OnStep != nil {
			t.OnStep(st)
		}
		stop := r.step(ctx, st)
		if res.Outcome == Skipped || stop {
			break
		}
	}
	if r.sub != nil {
		r.unexpectedDeliveries()
	}
	if len(res.Failures) > 0 && res.Outcome != Skipped {
		res.Outcome = Failed
	}
	return res
}

func (t *Target) unsupported(sc scenarios.Scenario) string {
	controlsClock := t.Sandboxed || t.ownsClock
	if sc.MovesClock() && !controlsClock {
		return "it moves the target's clock, which only a calmock sandbox made for the scenario allows (this target makes none, or -no-sandboxes is set)"
	}
	if reason := t.webhookSkip(sc); reason != "" {
		return reason
	}
	if sc.SupersededBy != "" && controlsClock {
		return "superseded by " + sc.SupersededBy + ", which moves the clock of this calmock target's sandbox instead"
	}
	var missing []string
	for _, f := range sc.Features {
		if t.Supports != nil && !t.Supports[f] {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return "the target does not support " + strings.Join(missing, ", ")
	}
	return t.unclaimed(sc)
}

// unclaimed names the first version or operation the scenario uses that the target's
// profile does not claim (profile.Profile.Claims; a profile without versions claims
// everything), or returns "". Decided before the first step, so that a scenario never stops
// half-way with bookings made and nothing checked.
func (t *Target) unclaimed(sc scenarios.Scenario) string {
	var p profile.Profile
	if v := t.Profile["versions"]; v != nil {
		// The profile was validated at load time; a hand-built Target with a malformed
		// versions value claims nothing rather than everything, so the mistake shows.
		data, _ := json.Marshal(v)
		if err := json.Unmarshal(data, &p.Versions); err != nil || p.Versions == nil {
			p.Versions = map[string][]string{}
		}
	}
	version := scenarioVersion(sc)
	if !p.Claims(version, "") {
		return fmt.Sprintf("the target's profile does not claim cal-api-version %s", version)
	}
	for _, op := range sc.Operations {
		if !p.Claims(version, op) {
			return fmt.Sprintf("the target's profile does not claim operation %s under cal-api-version %s", op, version)
		}
	}
	for _, st := range sc.Steps {
		if st.Version != "" && !p.Claims(st.Version, "") {
			return fmt.Sprintf("the target's profile does not claim cal-api-version %s (step %s)", st.Version, st.Name)
		}
	}
	return ""
}

// scenarioVersion is the cal-api-version a scenario's steps send unless they set their own.
func scenarioVersion(sc scenarios.Scenario) string {
	if sc.Version != "" {
		return sc.Version
	}
	return APIVersion
}

// stepVersion is the cal-api-version a step sends (before its headers, which may override it).
func stepVersion(sc scenarios.Scenario, st scenarios.Step) string {
	if st.Version != "" {
		return st.Version
	}
	return scenarioVersion(sc)
}

func (t *Target) ownerLocation() *time.Location {
	tz, _ := lookup(t.Profile, "users.0.timeZone")
	if s, ok := tz.(string); ok && s != "" {
		if loc, err := time.LoadLocation(s); err == nil {
			return loc
		}
	}
	return time.UTC
}

type runner struct {
	t       *Target
	sc      scenarios.Scenario
	res     *Result
	env     *env
	created []string // booking uids to cancel in cleanup
	inv     *invariants
	sub     *subscription // the scenario's webhook subscription, if it has one
}

func (r *runner) now() time.Time {
	if r.t.Now != nil {
		return r.t.Now()
	}
	return time.Now()
}

// templateErr records a template error: a missing profile value skips the scenario,
// anything else is a failure of the scenario itself. It reports whether there was an error.
func (r *runner) templateErr(step, field string, err error) bool {
	if err == nil {
		return false
	}
	var mp *missingProfileError
	if errors.As(err, &mp) {
		r.res.Outcome = Skipped
		r.res.SkipReason = mp.Error()
		return true
	}
	r.res.Failures = append(r.res.Failures, Failure{Scenario: r.sc.Name, Step: step, Kind: KindTemplate, Field: field, Expected: "a valid template", Got: err.Error()})
	return true
}

// response is one HTTP answer, read completely.
type response struct {
	status int
	header http.Header
	body   []byte
	doc    any  // parsed JSON body, nil if not JSON
	isJSON bool // body parsed as JSON
}

// step runs one step; it returns true when later steps cannot run meaningfully (a
// behavioural expectation or a capture failed).
func (r *runner) step(ctx context.Context, st scenarios.Step) bool {
	if st.Clock != nil {
		return r.clockStep(ctx, st)
	}
	began := time.Now()
	req, reqText, err := r.build(ctx, st)
	if r.templateErr(st.Name, "request", err) {
		return true
	}
	sr := StepResult{Name: st.Name, Request: reqText}
	fail := func(kind, field, expected, got string) {
		sr.Failures = append(sr.Failures, Failure{Scenario: r.sc.Name, Step: st.Name, Kind: kind, Field: field, Expected: expected, Got: got, Request: reqText})
	}
	defer func() {
		sr.Duration = time.Since(began)
		r.res.Steps = append(r.res.Steps, sr)
		r.res.Failures = append(r.res.Failures, sr.Failures...)
	}()

	resp, err := r.do(ctx, req)
	if err != nil {
		r.res.Unreachable = true
		fail(KindTransport, "request", "an HTTP response", err.Error())
		return true
	}
	sr.Status = resp.status
	behaviourBroken := false

	// 1. Automatic checks on every response.
	for _, h := range r.requiredHeaders() {
		if _, stated := st.Expect.Headers[h]; stated {
			// The scenario states this header's behaviour itself (e.g. absent before the limiter).
			continue
		}
		if strings.HasPrefix(h, "X-RateLimit-") && !passedLimiter(req, resp) {
			continue
		}
		if h == "Content-Type" && len(resp.body) == 0 {
			// Nothing to type: a preflight's 204, a 304.
			continue
		}
		if resp.header.Get(h) == "" {
			fail(KindHeader, h, "present (required on every response)", "absent")
		}
	}
	if ct := resp.header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		fail(KindHeader, "Content-Type", "application/json", ct)
	}
	if r.t.Checker != nil {
		for _, f := range r.t.Checker.CheckResponse(relativeRequest(req, r.t.BaseURL), resp.status, resp.header, resp.body) {
			fail(KindOpenAPI, f.Field, f.Expected, f.Got)
		}
	}

	for _, f := range r.inv.check(req, resp) {
		fail(KindInvariant, f.field, f.expected, f.got)
	}

	// 2. Behaviour stated by the scenario.
	if resp.status != st.Expect.Status {
		fail(KindStatus, "status", strconv.Itoa(st.Expect.Status), fmt.Sprintf("%d %s", resp.status, abbreviate(string(resp.body))))
		return true
	}
	for _, f := range checkEnvelope(st.Expect.DefaultEnvelope(), req, resp) {
		fail(KindEnvelope, f.field, f.expected, f.got)
	}
	for _, p := range sortedKeys(st.Expect.JSON) {
		m, err := r.expandMatcher(st.Expect.JSON[p])
		if r.templateErr(st.Name, p, err) {
			return true
		}
		var v any
		present := false
		if resp.isJSON {
			v, err = lookup(resp.doc, p)
			present = err == nil
		}
		for _, mm := range match(m, v, present) {
			fail(KindJSON, p, mm.expected, mm.got)
			behaviourBroken = true
		}
	}
	for _, h := range sortedKeys(st.Expect.Headers) {
		m, err := r.expandMatcher(st.Expect.Headers[h])
		if r.templateErr(st.Name, h, err) {
			return true
		}
		vals, present := resp.header[http.CanonicalHeaderKey(h)]
		var v any
		if present {
			v = strings.Join(vals, ", ")
		}
		for _, mm := range match(m, v, present) {
			fail(KindHeader, h, mm.expected, mm.got)
			behaviourBroken = true
		}
	}
	for _, name := range sortedKeys(st.Capture) {
		p := st.Capture[name]
		v, err := lookup(resp.doc, p)
		if err != nil || !resp.isJSON {
			fail(KindCapture, p, "a value to capture as "+name, "absent")
			behaviourBroken = true
			continue
		}
		r.env.vars[name] = v
	}
	if r.sub != nil && len(st.Expect.Webhooks) > 0 && r.checkDeliveries(ctx, st, fail) {
		behaviourBroken = true
	}
	r.track(req, resp)
	return behaviourBroken
}

func (r *runner) requiredHeaders() []string {
	if r.t.RequiredHeaders != nil {
		return r.t.RequiredHeaders
	}
	return DefaultRequiredHeaders
}

func (r *runner) expandMatcher(m scenarios.Matcher) (scenarios.Matcher, error) {
	var err error
	expand := func(v any) any {
		if err != nil {
			return v
		}
		var x any
		x, err = r.env.expand(v)
		return normalize(x)
	}
	m.Equals = expand(m.Equals)
	m.NotEquals = expand(m.NotEquals)
	m.Contains = expand(m.Contains)
	if m.Has("oneOf") {
		m.OneOf = expand(m.OneOf)
		if _, ok := m.OneOf.([]any); !ok && err == nil {
			err = fmt.Errorf("oneOf must be an array, got %s", render(m.OneOf))
		}
	}
	if m.Regex != "" && err == nil {
		m.Regex, err = r.env.text(m.Regex)
	}
	return m, err
}

// build makes the HTTP request of a step, with the default headers.
func (r *runner) build(ctx context.Context, st scenarios.Step) (*http.Request, string, error) {
	rq := st.Request
	p, err := r.env.text(rq.Path)
	if err != nil {
		return nil, "", err
	}
	if len(rq.Query) > 0 {
		q := url.Values{}
		for _, k := range sortedKeys(rq.Query) {
			v, err := r.env.text(rq.Query[k])
			if err != nil {
				return nil, "", err
			}
			for _, part := range strings.Split(v, "\x00") {
				q.Add(k, part)
			}
		}
		p += "?" + q.Encode()
	}
	var body []byte
	switch {
	case rq.RawBody != "":
		s, err := r.env.text(rq.RawBody)
		if err != nil {
			return nil, "", err
		}
		body = []byte(s)
	case rq.Body != nil:
		v, err := r.env.expand(rq.Body)
		if err != nil {
			return nil, "", err
		}
		if body, err = json.Marshal(v); err != nil {
			return nil, "", fmt.Errorf("encode body: %w", err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, rq.Method, strings.TrimRight(r.t.BaseURL, "/")+p, bytes.NewReader(body))
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("cal-api-version", stepVersion(r.sc, st))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	var keyPath string
	switch rq.Auth {
	case "", scenarios.AuthOwner:
		keyPath = "users.0.apiKey"
	case scenarios.AuthOther:
		keyPath = "users.1.apiKey"
	}
	if keyPath != "" {
		key, err := lookup(r.t.Profile, keyPath)
		if err != nil || key == "" {
			return nil, "", &missingProfileError{path: keyPath}
		}
		req.Header.Set("Authorization", "Bearer "+render(key))
	}
	for _, k := range sortedKeys(rq.Headers) {
		v, err := r.env.text(rq.Headers[k])
		if err != nil {
			return nil, "", err
		}
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	if body != nil {
		// Let the request be sent again after a 429.
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return req, rq.Method + " " + p, nil
}

// do sends a request, waiting out 429s as the rate-limit headers announce.
func (r *runner) do(ctx context.Context, req *http.Request) (*response, error) {
	client := r.t.Client
	if client == nil {
		client = defaultClient
	}
	retries := r.t.MaxRetries
	if retries == 0 {
		retries = 5
	}
	for attempt := 0; ; attempt++ {
		if attempt > 0 && req.GetBody != nil {
			b, _ := req.GetBody()
			req.Body = b
		}
		hr, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(io.LimitReader(hr.Body, 10<<20))
		hr.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
		if hr.StatusCode == http.StatusTooManyRequests && attempt < retries {
			wait := r.resetWait(hr.Header)
			if err := r.sleep(ctx, wait); err != nil {
				return nil, err
			}
			r.res.Waited += wait
			continue
		}
		resp := &response{status: hr.StatusCode, header: hr.Header, body: body}
		if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &resp.doc) == nil {
			resp.isJSON = true
		}
		return resp, nil
	}
}

var defaultClient = &http.Client{Timeout: 30 * time.Second}

// resetWait reads how long to wait after a 429 (ResetWait with the target's MaxWait).
func (r *runner) resetWait(h http.Header) time.Duration { return ResetWait(h, r.t.MaxWait) }

// ResetWait reads how long to wait after a 429: X-RateLimit-Reset-<Name> in seconds (the
// largest announced), else 60 s; at most maxWait (zero: 120 s), plus a margin. The
// differential runner paces itself with it too.
func ResetWait(h http.Header, maxWait time.Duration) time.Duration {
	wait := time.Duration(0)
	for k, vs := range h {
		if !strings.HasPrefix(k, "X-Ratelimit-Reset") || len(vs) == 0 {
			continue
		}
		if s, err := strconv.ParseFloat(vs[0], 64); err == nil && s >= 0 {
			if d := time.Duration(s * float64(time.Second)); d > wait {
				wait = d
			}
		}
	}
	if wait == 0 {
		wait = 60 * time.Second
	}
	if maxWait == 0 {
		maxWait = 120 * time.Second
	}
	if wait > maxWait {
		wait = maxWait
	}
	return wait + 250*time.Millisecond // a margin so the window has really ended
}

func (r *runner) sleep(ctx context.Context, d time.Duration) error {
	if r.t.Sleep != nil {
		return r.t.Sleep(ctx, d)
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

// track remembers bookings created by create or reschedule, for cleanup.
func (r *runner) track(req *http.Request, resp *response) {
	if req.Method != http.MethodPost || resp.status/100 != 2 || !resp.isJSON {
		return
	}
	p := req.URL.Path
	if !(strings.HasSuffix(p, "/v2/bookings") || strings.HasSuffix(p, "/reschedule")) {
		return
	}
	data, _ := lookup(resp.doc, "data")
	items, ok := data.([]any)
	if !ok {
		items = []any{data}
	}
	for _, it := range items {
		if uid, err := lookup(it, "uid"); err == nil {
			if s, ok := uid.(string); ok && s != "" {
				r.created = append(r.created, s)
			}
		}
	}
}

// cleanup cancels the bookings the scenario created; answers are not checked.
func (r *runner) cleanup(ctx context.Context) {
	if !r.t.Cleanup || len(r.created) == 0 {
		return
	}
	for _, uid := range r.created {
		_, _ = r.ownerRequest(ctx, http.MethodPost, "/v2/bookings/"+url.PathEscape(uid)+"/cancel",
			[]byte(`{"cancellationReason":"calmock conformance cleanup"}`))
	}
}

// ownerRequest sends a request of the runner's own (not a step's: setup and cleanup) as the
// profile's owner, on the default cal-api-version; a 429 is waited out as a step's is.
func (r *runner) ownerRequest(ctx context.Context, method, path string, body []byte) (*response, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(r.t.BaseURL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("cal-api-version", APIVersion)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	if key, err := lookup(r.t.Profile, "users.0.apiKey"); err == nil {
		req.Header.Set("Authorization", "Bearer "+render(key))
	}
	return r.do(ctx, req)
}
