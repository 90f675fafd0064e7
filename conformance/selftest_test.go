package conformance_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/calmock/calmock/conformance"
	"github.com/calmock/calmock/mockserver"
	"github.com/calmock/calmock/scenarios"
)

// breaker rewrites the mock's responses (or requests) to break one part of the contract.
type breaker struct {
	// request may change the request before the mock sees it.
	request func(r *http.Request)
	// response may change the status, headers and decoded JSON body of a response.
	response func(r *http.Request, status *int, h http.Header, body map[string]any)
}

func (b breaker) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b.request != nil {
			b.request(r)
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		status, body := rec.Code, rec.Body.Bytes()
		h := rec.Header().Clone()
		var doc map[string]any
		if b.response != nil && json.Unmarshal(body, &doc) == nil {
			b.response(r, &status, h, doc)
			body, _ = json.Marshal(doc)
		}
		for k, v := range h {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

func isGetOne(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.Count(strings.TrimPrefix(r.URL.Path, "/v2/bookings/"), "/") == 0 && r.URL.Path != "/v2/bookings"
}

// TestSelf_BrokenTargets proves the suite can fail: each broken target must be reported on
// the right scenario, step, kind and field.
func TestSelf_BrokenTargets(t *testing.T) {
	tests := []struct {
		name     string
		breaker  breaker
		scenario string
		step     string
		kind     string
		field    string
	}{
		{
			name: "DropsEnvelopeStatus",
			breaker: breaker{response: func(r *http.Request, _ *int, _ http.Header, body map[string]any) {
				if isGetOne(r) {
					delete(body, "status")
				}
			}},
			scenario: "cancel-booking", step: "get", kind: conformance.KindEnvelope, field: "status",
		},
		{
			name: "ChangesStatusCode",
			breaker: breaker{response: func(r *http.Request, status *int, _ http.Header, _ map[string]any) {
				if r.Method == http.MethodPost && r.URL.Path == "/v2/bookings" && *status == 201 {
					*status = 200
				}
			}},
			scenario: "create-and-get-booking", step: "create", kind: conformance.KindStatus, field: "status",
		},
		{
			name: "WrongStatusAfterTransition",
			breaker: breaker{response: func(r *http.Request, _ *int, _ http.Header, body map[string]any) {
				if strings.HasSuffix(r.URL.Path, "/confirm") {
					if d, ok := body["data"].(map[string]any); ok {
						d["status"] = "pending"
					}
				}
			}},
			scenario: "confirm-pending-booking", step: "confirm", kind: conformance.KindJSON, field: "data.status",
		},
		{
			name: "LosesHeader",
			breaker: breaker{response: func(r *http.Request, _ *int, h http.Header, _ map[string]any) {
				if strings.HasSuffix(r.URL.Path, "/cancel") {
					h.Del("X-Request-Id")
				}
			}},
			scenario: "cancel-twice-refused", step: "cancel", kind: conformance.KindHeader, field: "X-Request-Id",
		},
		{
			name: "MalformedDate",
			breaker: breaker{response: func(r *http.Request, _ *int, _ http.Header, body map[string]any) {
				if r.Method == http.MethodPost && r.URL.Path == "/v2/bookings" {
					if d, ok := body["data"].(map[string]any); ok {
						d["end"] = "2030-13-45 25:00"
					}
				}
			}},
			scenario: "create-and-get-booking", step: "create", kind: conformance.KindJSON, field: "data.end",
		},
		{
			name: "EndsAMinuteLate",
			breaker: breaker{response: eachBooking(func(_ *http.Request, b map[string]any) {
				if end, err := time.Parse(time.RFC3339, b["end"].(string)); err == nil {
					b["end"] = end.Add(time.Minute).Format("2006-01-02T15:04:05.000Z")
				}
			})},
			scenario: "create-and-get-booking", step: "create", kind: conformance.KindInvariant, field: "data.end",
		},
		{
			name: "LastsAMinuteLonger",
			breaker: breaker{response: eachBooking(func(_ *http.Request, b map[string]any) {
				if end, err := time.Parse(time.RFC3339, b["end"].(string)); err == nil {
					b["end"] = end.Add(time.Minute).Format("2006-01-02T15:04:05.000Z")
					b["duration"] = b["duration"].(float64) + 1
				}
			})},
			scenario: "reschedule-booking", step: "reschedule", kind: conformance.KindInvariant, field: "data.end",
		},
		{
			name: "BreaksRescheduleLink",
			breaker: breaker{response: eachBooking(func(r *http.Request, b map[string]any) {
				if _, ok := b["rescheduledToUid"]; ok && r.Method == http.MethodGet {
					b["rescheduledToUid"] = "2NtaeaVcKfpmSZ4CthFdfk"
				}
			})},
			scenario: "reschedule-booking", step: "old-is-cancelled", kind: conformance.KindInvariant, field: "data.rescheduledToUid",
		},
		{
			name: "MiscountsPagination",
			breaker: breaker{response: func(r *http.Request, _ *int, _ http.Header, body map[string]any) {
				if p, ok := body["pagination"].(map[string]any); ok {
					p["remainingItems"] = p["remainingItems"].(float64) + 1
				}
			}},
			scenario: "list-paging", step: firstListStep(t, "list-paging"), kind: conformance.KindInvariant, field: "pagination.remainingItems",
		},
		{
			name: "ConfirmLeavesPending",
			breaker: breaker{response: eachBooking(func(r *http.Request, b map[string]any) {
				if strings.HasSuffix(r.URL.Path, "/confirm") {
					b["status"] = "pending"
				}
			})},
			scenario: "confirm-pending-booking", step: firstStepTo(t, "confirm-pending-booking", http.MethodPost, "/confirm"), kind: conformance.KindInvariant, field: "data.status",
		},
		{
			name: "IgnoresAuth",
			breaker: breaker{request: func(r *http.Request) {
				if r.Header.Get("Authorization") == "" {
					r.Header.Set("Authorization", "Bearer "+ownerKey)
				}
			}},
			scenario: "auth-required-endpoints-without-key", step: "list", kind: conformance.KindStatus, field: "status",
		},
	}
	byName := map[string]scenarios.Scenario{}
	all, err := scenarios.Load(scenarios.Embedded, conformance.KnownFeature)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range all {
		byName[sc.Name] = sc
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mock, err := mockserver.New(mockserver.Config{Seed: 1, RateLimit: 1_000_000})
			if err != nil {
				t.Fatalf("starting the mock: %v", err)
			}
			target, _, closeFn, err := conformance.Setup(context.Background(), conformance.Options{Handler: tt.breaker.wrap(mock)})
			defer closeFn()
			if err != nil {
				t.Fatal(err)
			}
			ownerKey = render(target.Profile["users"].([]any)[0].(map[string]any)["apiKey"])
			res := conformance.Run(context.Background(), target, byName[tt.scenario])
			if res.Outcome != conformance.Failed {
				t.Fatalf("want the scenario to fail, got %s", res.Outcome)
			}
			for _, f := range res.Failures {
				if f.Scenario == tt.scenario && f.Step == tt.step && f.Kind == tt.kind && f.Field == tt.field {
					if f.Expected == "" || f.Got == "" {
						t.Errorf("failure without expected/got: %s", f)
					}
					return
				}
			}
			t.Fatalf("want a %s failure on %s / %s field %s, got:\n%s", tt.kind, tt.scenario, tt.step, tt.field, res.Error())
		})
	}
}

var ownerKey string

// eachBooking is a response breaker that changes every booking of a successful answer's data
// (an object or each item of an array).
func eachBooking(change func(r *http.Request, b map[string]any)) func(*http.Request, *int, http.Header, map[string]any) {
	return func(r *http.Request, status *int, _ http.Header, body map[string]any) {
		if *status >= 300 {
			return
		}
		var items []any
		switch d := body["data"].(type) {
		case map[string]any:
			items = []any{d}
		case []any:
			items = d
		}
		for _, it := range items {
			if b, ok := it.(map[string]any); ok && b["uid"] != nil && b["end"] != nil {
				change(r, b)
			}
		}
	}
}

// firstStepTo returns the name of the scenario's first step of method whose path ends in
// suffix.
func firstStepTo(t *testing.T, scenario, method, suffix string) string {
	t.Helper()
	all, err := scenarios.Load(scenarios.Embedded, conformance.KnownFeature)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range all {
		if sc.Name != scenario {
			continue
		}
		for _, st := range sc.Steps {
			if st.Request.Method == method && strings.HasSuffix(st.Request.Path, suffix) {
				return st.Name
			}
		}
	}
	t.Fatalf("scenario %s has no step to ...%s", scenario, suffix)
	return ""
}

// firstListStep returns the name of the scenario's first GET /v2/bookings step.
func firstListStep(t *testing.T, scenario string) string {
	return firstStepTo(t, scenario, http.MethodGet, "/v2/bookings")
}

func render(v any) string {
	s, _ := v.(string)
	return s
}

// TestSelf_ProfileClaimsOfTheMock: the mock's own profile (its route table) decides what is
// skipped: a scenario in a version the mock does not serve is skipped with the reason, one
// naming an operation the mock serves runs.
func TestSelf_ProfileClaimsOfTheMock(t *testing.T) {
	mock, err := mockserver.New(mockserver.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	const notFound = `description: d
features: [core]
steps:
  - name: get
    request: {method: GET, path: /v2/bookings/no-such-uid}
    expect: {status: 404}
`
	fsys := fstest.MapFS{
		"claimed.yaml":      {Data: []byte("name: claimed\noperations: [BookingsController_2024_08_13_getBooking]\n" + notFound)},
		"unclaimed.yaml":    {Data: []byte("name: unclaimed\nversion: 2099-01-01\n" + notFound)},
		"unclaimed-op.yaml": {Data: []byte("name: unclaimed-op\noperations: [BookingsController_2099_01_01_getBooking]\n" + notFound)},
	}
	rep, err := conformance.RunAll(context.Background(), conformance.Options{Handler: mock, Scenarios: []fs.FS{fsys}, SpecFile: "none"})
	if err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	want := map[string]string{
		"claimed":      "passed",
		"unclaimed":    "skipped: the target's profile does not claim cal-api-version 2099-01-01",
		"unclaimed-op": "skipped: the target's profile does not claim operation BookingsController_2099_01_01_getBooking under cal-api-version 2024-08-13",
	}
	for _, f := range rep.Features { // all three need core only: one feature, three lines
		for _, r := range f.Scenarios {
			got := string(r.Outcome)
			if r.Reason != "" {
				got += ": " + r.Reason
			}
			if got != want[r.Name] {
				t.Errorf("%s: %s, want %s", r.Name, got, want[r.Name])
			}
			delete(want, r.Name)
		}
	}
	if len(want) > 0 {
		t.Errorf("scenarios not reported: %v", want)
	}
}
