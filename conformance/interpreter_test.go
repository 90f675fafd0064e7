package conformance

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/calmock/calmock/scenarios"
)

// fakeTarget answers every request with one fixed response, after `limited` 429s.
func fakeTarget(t *testing.T, limited int32, status int, body string, drop string) *Target {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("X-Request-Id", "11111111-1111-4111-8111-111111111111")
		h.Set("X-RateLimit-Limit-Default", "120")
		h.Set("X-RateLimit-Remaining-Default", "0")
		h.Set("X-RateLimit-Reset-Default", "7")
		if drop != "" {
			h.Del(drop)
		}
		if hits.Add(1) <= limited {
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"status":"error","error":{"code":"ThrottlerException","message":"too many"}}`))
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(strings.ReplaceAll(body, "PATH", r.URL.RequestURI())))
	}))
	t.Cleanup(srv.Close)
	return &Target{
		BaseURL: srv.URL,
		Profile: map[string]any{"users": []any{map[string]any{"apiKey": "cal_test_owner", "id": 7.0}}},
		Run:     RunInfo{ID: "r1", Week: time.Date(2031, 1, 6, 0, 0, 0, 0, time.UTC)},
		Sleep:   func(context.Context, time.Duration) error { return nil },
	}
}

func parse(t *testing.T, y string) scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse("t.yaml", []byte(y), KnownFeature)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

const oneStep = `name: t
description: d
features: [core]
steps:
  - name: get
    request: {method: GET, path: "/v2/bookings/{{profile.users.0.id}}"}
    expect:
      status: 200
      json: {data.id: "{{profile.users.0.id}}", data.start: "{{slot.1}}", data.tags: {length: 2, contains: b}}
    capture: {id: data.id}
`

func TestRun_Fake(t *testing.T) {
	ok := `{"status":"success","data":{"id":7,"start":"2031-01-06T10:00:00.000Z","tags":["a","b"]}}`
	tests := []struct {
		name    string
		limited int32
		status  int
		body    string
		drop    string
		profile map[string]any
		outcome Outcome
		want    string // substring of the failures; "" = none
		waited  time.Duration
	}{
		{name: "OK", status: 200, body: ok, outcome: Passed},
		{name: "RetriesAfter429", limited: 2, status: 200, body: ok, outcome: Passed, waited: 2 * (7*time.Second + 250*time.Millisecond)},
		{name: "WrongStatus", status: 404, body: `{"status":"error","error":{"code":"NotFoundException","message":"x"}}`, outcome: Failed, want: "t / get: status status: expected 200, got 404"},
		{name: "WrongValue", status: 200, body: strings.Replace(ok, `"id":7`, `"id":8`, 1), outcome: Failed, want: "t / get: json data.id: expected 7, got 8"},
		{name: "WrongTime", status: 200, body: strings.Replace(ok, "10:00", "11:00", 1), outcome: Failed, want: `json data.start: expected "2031-01-06T10:00:00.000Z", got "2031-01-06T11:00:00.000Z"`},
		{name: "WrongLength", status: 200, body: strings.Replace(ok, `["a","b"]`, `["a"]`, 1), outcome: Failed, want: "json data.tags: expected length 2"},
		{name: "NoEnvelopeStatus", status: 200, body: `{"data":{"id":7,"start":"2031-01-06T10:00:00.000Z","tags":["a","b"]}}`, outcome: Failed, want: `envelope status: expected "success", got absent`},
		{name: "MissingHeader", status: 200, body: ok, drop: "X-Request-Id", outcome: Failed, want: "header X-Request-Id: expected present"},
		{name: "MissingProfileValueSkips", status: 200, body: ok, profile: map[string]any{"users": []any{map[string]any{"apiKey": "k"}}}, outcome: Skipped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := fakeTarget(t, tt.limited, tt.status, tt.body, tt.drop)
			if tt.profile != nil {
				tg.Profile = tt.profile
			}
			res := Run(context.Background(), tg, parse(t, oneStep))
			if res.Outcome != tt.outcome {
				t.Fatalf("outcome %s, want %s; failures:\n%s", res.Outcome, tt.outcome, res.Error())
			}
			if tt.want != "" && !strings.Contains(res.Error(), tt.want) {
				t.Fatalf("failures do not contain %q:\n%s", tt.want, res.Error())
			}
			if res.Waited != tt.waited {
				t.Fatalf("waited %s, want %s", res.Waited, tt.waited)
			}
		})
	}
}

func TestRun_UnsupportedFeatureSkips(t *testing.T) {
	tg := fakeTarget(t, 0, 200, `{}`, "")
	tg.Supports = map[string]bool{"list": true}
	res := Run(context.Background(), tg, parse(t, oneStep))
	if res.Outcome != Skipped || res.SkipReason != "the target does not support core" {
		t.Fatalf("got %s %q", res.Outcome, res.SkipReason)
	}
}

// versionRecorder is a Doer that records the cal-api-version of every request it sends.
type versionRecorder struct {
	mu   sync.Mutex
	sent []string
}

func (v *versionRecorder) Do(r *http.Request) (*http.Response, error) {
	v.mu.Lock()
	v.sent = append(v.sent, r.Header.Get("cal-api-version"))
	v.mu.Unlock()
	return http.DefaultClient.Do(r)
}

// TestRun_ProfileClaims: a scenario whose version or operations the target's profile does
// not claim is skipped before any request, with a reason naming what is missing; a profile
// without versions claims everything; the scenario's and a step's version are the header
// sent.
func TestRun_ProfileClaims(t *testing.T) {
	ok := `{"status":"success","data":{"id":7,"start":"2031-01-06T10:00:00.000Z","tags":["a","b"]}}`
	claims := map[string]any{"2024-08-13": []any{"Op_get"}, "2026-02-25": []any{"Op_get", "Op_new"}}
	withVersion := func(v string) string {
		return strings.Replace(oneStep, "features: [core]", "features: [core]\nversion: "+v, 1)
	}
	withOps := func(y, ops string) string {
		return strings.Replace(y, "features: [core]", "features: [core]\noperations: ["+ops+"]", 1)
	}
	twoSteps := oneStep + `  - name: later
    version: 2026-05-01
    request: {method: GET, path: "/v2/bookings/{{id}}"}
    expect: {status: 200}
`
	tests := []struct {
		name     string
		versions any // the profile's versions; nil: absent
		scenario string
		outcome  Outcome
		reason   string
		sent     []string
	}{
		{"default version claimed", claims, oneStep, Passed, "", []string{"2024-08-13"}},
		{"scenario version claimed", claims, withVersion("2026-02-25"), Passed, "", []string{"2026-02-25"}},
		{"scenario version not claimed", claims, withVersion("2026-05-01"), Skipped, "the target's profile does not claim cal-api-version 2026-05-01", nil},
		{"operation claimed", claims, withOps(withVersion("2026-02-25"), "Op_new"), Passed, "", []string{"2026-02-25"}},
		{"operation not claimed under the version", claims, withOps(oneStep, "Op_get, Op_new"), Skipped, "the target's profile does not claim operation Op_new under cal-api-version 2024-08-13", nil},
		{"step version not claimed", claims, twoSteps, Skipped, "the target's profile does not claim cal-api-version 2026-05-01 (step later)", nil},
		{"no versions in the profile claims everything", nil, withOps(twoSteps, "Op_x"), Passed, "", []string{"2024-08-13", "2026-05-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := fakeTarget(t, 0, 200, ok, "")
			if tt.versions != nil {
				tg.Profile["versions"] = tt.versions
			}
			rec := &versionRecorder{}
			tg.Client = rec
			res := Run(context.Background(), tg, parse(t, tt.scenario))
			if res.Outcome != tt.outcome || res.SkipReason != tt.reason {
				t.Fatalf("got %s %q, want %s %q; failures:\n%s", res.Outcome, res.SkipReason, tt.outcome, tt.reason, res.Error())
			}
			if !slices.Equal(rec.sent, tt.sent) {
				t.Errorf("cal-api-version sent %q, want %q", rec.sent, tt.sent)
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	cases := map[int]error{
		ExitOK:             nil,
		ExitUsage:          &UsageError{Err: context.Canceled},
		ExitUnreachable:    &UnreachableError{Target: "x", Err: context.Canceled},
		ExitContractBroken: ErrContractBroken,
	}
	for want, err := range cases {
		if got := ExitCode(err); got != want {
			t.Errorf("ExitCode(%v) = %d, want %d", err, got, want)
		}
	}
	if _, err := ParseFeatures("core,teleport"); ExitCode(err) != ExitUsage {
		t.Errorf("unknown feature: %v", err)
	}
}
