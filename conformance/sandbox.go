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
	"strings"
	"time"

	"github.com/calmock/calmock/scenarios"
)

// A calmock target serves sandboxes (POST /_calmock/sandboxes: a mock of its own under a base
// URL). Against one, Run gives each scenario a sandbox of its own, so that:
//   - scenarios run in parallel without sharing state (RunAll's worker pool, ginkgo -p);
//   - a scenario may move its sandbox's clock (a clock step) to reach "after the booking
//     ended", instead of relying on a past booking of the fixtures;
//   - the suite never waits on its own mock's rate limit: the sandbox's limit is set so high
//     that only its headers remain.
// Against any other target the suite runs as before: one target, serially.

// sandboxesPath is calmock's sandbox registry (mockserver.SandboxesPath; conformance talks
// to calmock over HTTP only, as to any target, so it does not import mockserver).
const sandboxesPath = "/_calmock/sandboxes"

// clockPath is a calmock (or sandbox) clock, relative to its base URL (mockserver.ClockPath).
const clockPath = "/_calmock/clock"

// sandboxRateLimit is the per-minute limit of a scenario's sandbox: high enough that no run
// waits, and positive so that the X-RateLimit-* headers every Cal.com answer carries still
// come (0 would turn the limiter and its headers off).
const sandboxRateLimit = 1_000_000

// sandboxCreate is the body of POST /_calmock/sandboxes (the calmock admin API).
type sandboxCreate struct {
	RateLimit int `json:"rateLimit"`
}

// sandboxInfo is what POST /_calmock/sandboxes answers in data.
type sandboxInfo struct {
	ID   string `json:"id"`
	Path string `json:"path"`
}

// servesSandboxes reports whether the target is a calmock that makes sandboxes: GET on its
// registry answers 200 with data.sandboxes. Any other answer (a 404 of a real API, a calmock
// run with -max-sandboxes 0) means no; only a transport error is an error.
func servesSandboxes(ctx context.Context, client Doer, base, adminToken string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+sandboxesPath, nil)
	if err != nil {
		return false, err
	}
	setAdminToken(req, adminToken)
	resp, err := client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return false, nil
	}
	var env struct {
		Data struct {
			Sandboxes []json.RawMessage `json:"sandboxes"`
		} `json:"data"`
	}
	return json.Unmarshal(body, &env) == nil && env.Data.Sandboxes != nil, nil
}

func setAdminToken(req *http.Request, token string) {
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
}

// sandboxError is a failure to make or use a scenario's sandbox: the scenario could not run,
// which is the run's problem (or the calmock's), not a contract failure of a step.
type sandboxError struct {
	op  string
	err error
	// transport is true when no HTTP answer came (the target went away).
	transport bool
}

func (e *sandboxError) Error() string { return "calmock sandbox: " + e.op + ": " + e.err.Error() }
func (e *sandboxError) Unwrap() error { return e.err }

// newSandbox makes a sandbox on t's calmock and returns a copy of t aimed at it, whose clock
// the scenario owns, and the function that deletes the sandbox.
func (t *Target) newSandbox(ctx context.Context) (*Target, func(), error) {
	client := t.client()
	body, _ := json.Marshal(sandboxCreate{RateLimit: sandboxRateLimit})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.BaseURL+sandboxesPath, bytes.NewReader(body))
	if err != nil {
		return nil, nil, &sandboxError{op: "create", err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	setAdminToken(req, t.AdminToken)
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, &sandboxError{op: "create", err: err, transport: true}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var env struct {
		Data sandboxInfo `json:"data"`
	}
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return nil, nil, &sandboxError{op: "create", err: fmt.Errorf("POST %s answered %d: %s", sandboxesPath, resp.StatusCode, abbreviate(string(data)))}
	}
	if err := json.Unmarshal(data, &env); err != nil || env.Data.ID == "" || !strings.HasPrefix(env.Data.Path, sandboxesPath+"/") {
		return nil, nil, &sandboxError{op: "create", err: fmt.Errorf("POST %s answered without data.id and data.path: %s", sandboxesPath, abbreviate(string(data)))}
	}
	sub := *t
	sub.BaseURL = t.BaseURL + env.Data.Path
	sub.Sandboxed = false // the sandbox is the target now; it makes no sandboxes of its own
	sub.ownsClock = true
	deleteURL := sub.BaseURL
	release := func() {
		// A fresh context: the scenario's may be done, and a sandbox left behind holds memory
		// until it expires. The answer is not checked: a sandbox that is gone is fine.
		req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodDelete, deleteURL, nil)
		if err != nil {
			return
		}
		setAdminToken(req, t.AdminToken)
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	return &sub, release, nil
}

// moveClock applies a clock step to the target's clock (POST {base}/_calmock/clock).
func (r *runner) moveClock(ctx context.Context, name string, c clockBody) error {
	body, _ := json.Marshal(c)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(r.t.BaseURL, "/")+clockPath, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	setAdminToken(req, r.t.AdminToken)
	resp, err := r.t.client().Do(req)
	if err != nil {
		return &sandboxError{op: "clock step " + name, err: err, transport: true}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return &sandboxError{op: "clock step " + name, err: fmt.Errorf("POST %s %s answered %d: %s", clockPath, body, resp.StatusCode, abbreviate(string(data)))}
	}
	return nil
}

// clockBody is the body of POST /_calmock/clock: one of its fields.
type clockBody struct {
	Freeze  string `json:"freeze,omitempty"`
	Advance string `json:"advance,omitempty"`
}

// relativeRequest returns req with the target's base path taken off its URL, so that the
// OpenAPI document (whose paths start at /v2) finds the operation of a request to a sandbox
// (/_calmock/sandboxes/{id}/v2/…) or to an API mounted under a prefix.
func relativeRequest(req *http.Request, base string) *http.Request {
	u, err := url.Parse(base)
	if err != nil || strings.Trim(u.Path, "/") == "" {
		return req
	}
	prefix := strings.TrimRight(u.Path, "/")
	rest, ok := strings.CutPrefix(req.URL.Path, prefix)
	if !ok || !strings.HasPrefix(rest, "/") {
		return req
	}
	c := req.Clone(req.Context())
	c.URL.Path, c.URL.RawPath = rest, ""
	return c
}

// clockStep runs a step that moves the clock; it returns true when later steps cannot run.
func (r *runner) clockStep(ctx context.Context, st scenarios.Step) bool {
	began := time.Now()
	c := clockBody{Advance: st.Clock.Advance}
	if st.Clock.Freeze != "" {
		at, err := r.env.text(st.Clock.Freeze)
		if r.templateErr(st.Name, "clock.freeze", err) {
			return true
		}
		c.Freeze = at
	}
	sr := StepResult{Name: st.Name, Request: "POST " + clockPath}
	err := r.moveClock(ctx, st.Name, c)
	sr.Duration = time.Since(began)
	r.res.Steps = append(r.res.Steps, sr)
	if err != nil {
		r.res.sandboxFailure(r.sc.Name, st.Name, err)
		return true
	}
	return false
}

// sandboxFailure records that the scenario's sandbox (or its clock) failed it.
func (res *Result) sandboxFailure(scenario, step string, err error) {
	var se *sandboxError
	if errors.As(err, &se) && se.transport {
		res.Unreachable = true
	}
	res.Outcome = Failed
	res.Failures = append(res.Failures, Failure{Scenario: scenario, Step: step, Kind: KindSandbox, Field: "sandbox", Expected: "a calmock sandbox for the scenario", Got: err.Error()})
}
