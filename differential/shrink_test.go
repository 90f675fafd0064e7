package differential

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calmock/calmock/conformance"
	"github.com/calmock/calmock/mockserver"
	"github.com/calmock/calmock/scenarios"
)

// breaks are deliberately broken calmocks, one break each: the run must find each, shrink
// it to at most maxSteps steps and write a scenario that fails on the broken target and
// passes on calmock.
var breaks = []struct {
	name     string
	op       OpKind
	field    string
	maxSteps int
	rewrite  func(r *http.Request, status int, body map[string]any) (int, map[string]any)
}{
	{
		name: "a status changed", op: OpConfirm, field: "(status)", maxSteps: 2,
		rewrite: func(r *http.Request, status int, body map[string]any) (int, map[string]any) {
			if strings.HasSuffix(r.URL.Path, "/confirm") && status == 200 {
				status = 201
			}
			return status, body
		},
	},
	{
		name: "a field dropped", op: OpGet, field: "data.absentHost", maxSteps: 2,
		rewrite: func(r *http.Request, status int, body map[string]any) (int, map[string]any) {
			if r.Method == http.MethodGet && strings.Count(strings.SplitN(r.URL.Path, "/v2/", 2)[1], "/") == 1 && status == 200 {
				if d, ok := body["data"].(map[string]any); ok {
					delete(d, "absentHost")
				}
			}
			return status, body
		},
	},
	{
		name: "a list mis-ordered", op: OpList, field: "data[].", maxSteps: 4,
		rewrite: func(r *http.Request, status int, body map[string]any) (int, map[string]any) {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/v2/bookings") && status == 200 {
				if d, ok := body["data"].([]any); ok {
					for i, j := 0, len(d)-1; i < j; i, j = i+1, j-1 {
						d[i], d[j] = d[j], d[i]
					}
				}
			}
			return status, body
		},
	},
	{
		name: "a state check skipped", op: OpCancel, field: "(status)", maxSteps: 3,
		rewrite: func(r *http.Request, status int, body map[string]any) (int, map[string]any) {
			if e, ok := body["error"].(map[string]any); ok && strings.HasSuffix(r.URL.Path, "/cancel") {
				if msg, _ := e["message"].(string); strings.Contains(msg, "cancelled already") {
					return 200, map[string]any{"status": "success", "data": map[string]any{"status": "cancelled"}}
				}
			}
			return status, body
		},
	},
	{
		name: "pagination mis-counted", op: OpList, field: "pagination.totalItems", maxSteps: 2,
		rewrite: func(r *http.Request, status int, body map[string]any) (int, map[string]any) {
			if p, ok := body["pagination"].(map[string]any); ok && r.Method == http.MethodGet {
				if n, ok := p["totalItems"].(float64); ok {
					p["totalItems"] = n + 1
				}
			}
			return status, body
		},
	},
}

// TestShrink_FindsEachBreak: each break is found, shrunk to a few steps, and written as a
// scenario that loads, fails on the broken target at its last step and field, and passes
// on calmock.
func TestShrink_FindsEachBreak(t *testing.T) {
	for _, b := range breaks {
		t.Run(b.name, func(t *testing.T) {
			dir := t.TempDir()
			broken := breaking{h: calmockTarget(t), rewrite: b.rewrite}
			rep, err := Run(context.Background(), Options{Handler: broken, Seed: 11, N: 10, Steps: 40, ScenarioDir: dir})
			if !errors.Is(err, ErrDifferent) {
				t.Fatalf("err = %v, want ErrDifferent", err)
			}
			var dv *Divergence
			for i, d := range rep.Divergences {
				if d.Op == b.op && (d.Field == b.field || strings.HasSuffix(b.field, ".") && strings.HasPrefix(d.Field, b.field)) && d.File != "" {
					dv = &rep.Divergences[i]
					break
				}
			}
			if dv == nil {
				t.Fatalf("no shrunk divergence on %s %s: %+v", b.op, b.field, rep.Divergences)
			}
			if dv.Steps < 1 || dv.Steps > b.maxSteps || dv.Steps > dv.ShrunkFrom {
				t.Fatalf("shrunk from %d to %d steps (%v), want at most %d", dv.ShrunkFrom, dv.Steps, dv.ShrunkOps, b.maxSteps)
			}
			data, err := os.ReadFile(dv.File)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := scenarios.Parse(filepath.Base(dv.File), data, conformance.KnownFeature)
			if err != nil {
				t.Fatalf("the scenario does not load: %v\n%s", err, data)
			}
			if len(sc.Steps) != dv.Steps {
				t.Fatalf("%d scenario steps, %d shrunk ops", len(sc.Steps), dv.Steps)
			}
			res := runScenario(t, broken, sc)
			if res.Outcome != conformance.Failed {
				t.Fatalf("the scenario %s on the broken target, want failed:\n%s", res.Outcome, data)
			}
			last := sc.Steps[len(sc.Steps)-1].Name
			field := "status"
			if b.field != "(status)" {
				field = strings.TrimSuffix(strings.ReplaceAll(b.field, "[]", ".0"), ".")
			}
			found := false
			for _, f := range res.Failures {
				if f.Step == last && strings.HasPrefix(f.Field, field) {
					found = true
				}
			}
			if !found {
				t.Fatalf("no failure of step %s field %s: %v\n%s", last, field, res.Failures, data)
			}
			if res := runScenario(t, calmockTarget(t), sc); res.Outcome != conformance.Passed {
				t.Fatalf("the scenario %s on calmock, want passed: %s\n%s", res.Outcome, res.Error(), data)
			}
		})
	}
}

func runScenario(t *testing.T, h http.Handler, sc scenarios.Scenario) conformance.Result {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/_calmock/profile")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var prof map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&prof); err != nil {
		t.Fatal(err)
	}
	target := &conformance.Target{BaseURL: srv.URL, Profile: prof, Sandboxed: true, Run: conformance.NewRunInfo("", time.Now())}
	return conformance.Run(context.Background(), target, sc)
}

// TestShrink_SharedTarget: on a target without sandboxes each replay takes fresh slots and
// a fresh oracle, and the shrunk scenario still shows the break.
func TestShrink_SharedTarget(t *testing.T) {
	srv, err := mockserver.New(mockserver.Config{Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	b := breaks[0] // confirm answers 201
	rep, err := Run(context.Background(), Options{Handler: breaking{h: srv, rewrite: b.rewrite}, Seed: 11, N: 10, Steps: 40})
	if !errors.Is(err, ErrDifferent) || rep.Sandboxed {
		t.Fatalf("err = %v, sandboxed %v", err, rep.Sandboxed)
	}
	for _, d := range rep.Divergences {
		if d.Op == b.op && d.Field == b.field {
			if d.Steps < 1 || d.Steps > b.maxSteps {
				t.Fatalf("shrunk to %d steps: %v", d.Steps, d.ShrunkOps)
			}
			if !strings.Contains(string(d.YAML), "/confirm") {
				t.Fatalf("scenario:\n%s", d.YAML)
			}
			return
		}
	}
	t.Fatalf("not found: %+v", rep.Divergences)
}
