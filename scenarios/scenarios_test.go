package scenarios_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/calmock/calmock/conformance"
	"github.com/calmock/calmock/scenarios"
)

// clockStep is a step to append to valid: it moves the clock.
const clockStep = `  - name: c
    clock: {freeze: "{{slot.0 +1d}}"}
`

// known is the registry of the conformance package, which interprets the scenarios: the
// features are written down there once.
func known(f string) bool { return conformance.KnownFeature(f) }

const valid = `name: ok
description: d
features: [core]
steps:
  - name: s
    request: {method: GET, path: /v2/bookings}
    expect: {status: 200, json: {data: {length: 0}, pagination.totalItems: 0}}
`

func TestLoad_Embedded(t *testing.T) {
	all, err := scenarios.Load(scenarios.Embedded, known)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 30 {
		t.Fatalf("want at least 30 scenarios, got %d", len(all))
	}
	for i, sc := range all {
		if sc.Index != i || sc.File == "" {
			t.Errorf("%s: index %d file %q", sc.Name, sc.Index, sc.File)
		}
	}
}

func TestLoad_Strict(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string // substring of the error; "" = no error
	}{
		{"OK", map[string]string{"ok.yaml": valid}, ""},
		{"UnknownKey", map[string]string{"ok.yaml": strings.Replace(valid, "description: d", "description: d\nfeatuers: [x]", 1)}, "ok.yaml: yaml: unmarshal errors:\n  line 3: field featuers not found"},
		{"UnknownNestedKey", map[string]string{"ok.yaml": strings.Replace(valid, "{status: 200,", "{status: 200, stauts: 1,", 1)}, "field stauts not found"},
		{"UnknownMatcher", map[string]string{"ok.yaml": strings.Replace(valid, "{length: 0}", "{lenght: 0}", 1)}, `ok.yaml: line 7: unknown matcher "lenght"`},
		{"UnknownFeature", map[string]string{"ok.yaml": strings.Replace(valid, "[core]", "[core, teleport]", 1)}, `ok.yaml: unknown feature "teleport"`},
		{"DuplicateName", map[string]string{"ok.yaml": valid, "other.yaml": valid}, `other.yaml: duplicate scenario name "ok" (also in ok.yaml)`},
		{"NotKebab", map[string]string{"ok.yaml": strings.Replace(valid, "name: ok", "name: Not_Kebab", 1)}, `ok.yaml: name "Not_Kebab" is not kebab-case`},
		{"MissingStatus", map[string]string{"ok.yaml": strings.Replace(valid, "status: 200, ", "", 1)}, "expect.status is required"},
		{"BadMethod", map[string]string{"ok.yaml": strings.Replace(valid, "method: GET", "method: get", 1)}, "not an upper-case HTTP method"},
		{"BadAuth", map[string]string{"ok.yaml": strings.Replace(valid, "method: GET,", "method: GET, auth: admin,", 1)}, `request.auth "admin"`},
		{"BadRegex", map[string]string{"ok.yaml": strings.Replace(valid, "{length: 0}", "{regex: '('}", 1)}, "regex: error parsing regexp"},
		{"Empty", map[string]string{"ok.yaml": ""}, "ok.yaml: empty file"},
		{"Versions", map[string]string{"ok.yaml": strings.Replace(strings.Replace(valid, "features: [core]", "features: [core]\nversion: 2024-08-13\noperations: [Op_a]", 1), "  - name: s", "  - name: s\n    version: '2026-02-25'", 1)}, ""},
		{"BadVersion", map[string]string{"ok.yaml": strings.Replace(valid, "features: [core]", "features: [core]\nversion: v2", 1)}, `ok.yaml: version "v2" is not a cal-api-version`},
		{"BadStepVersion", map[string]string{"ok.yaml": strings.Replace(valid, "  - name: s", "  - name: s\n    version: 2026-2-25", 1)}, `steps[0] (s): version "2026-2-25" is not a cal-api-version`},
		{"EmptyOperation", map[string]string{"ok.yaml": strings.Replace(valid, "features: [core]", "features: [core]\noperations: ['']", 1)}, "operations[0]: empty operation id"},
		{"ClockStep", map[string]string{"ok.yaml": valid + clockStep}, ""},
		{"ClockStepBothChanges", map[string]string{"ok.yaml": valid + "  - name: c\n    clock: {freeze: '2030-01-01T00:00:00Z', advance: 1h}\n"}, "clock: exactly one of freeze and advance"},
		{"ClockStepNoChange", map[string]string{"ok.yaml": valid + "  - name: c\n    clock: {}\n"}, "clock: exactly one of freeze and advance"},
		{"ClockStepBadAdvance", map[string]string{"ok.yaml": valid + "  - name: c\n    clock: {advance: -1h}\n"}, `clock.advance "-1h" is not a positive Go duration`},
		{"ClockStepWithRequest", map[string]string{"ok.yaml": valid + clockStep + "    request: {method: GET, path: /v2/bookings}\n"}, "a clock step sends no request"},
		{"Superseded", map[string]string{"ok.yaml": strings.Replace(valid, "features: [core]", "features: [core]\nsupersededBy: later", 1), "later.yaml": strings.Replace(valid, "name: ok", "name: later", 1) + clockStep}, ""},
		{"SupersededByMissing", map[string]string{"ok.yaml": strings.Replace(valid, "features: [core]", "features: [core]\nsupersededBy: nowhere", 1)}, `ok.yaml: supersededBy "nowhere": no such scenario`},
		{"SupersededByNoClock", map[string]string{"ok.yaml": strings.Replace(valid, "features: [core]", "features: [core]\nsupersededBy: later", 1), "later.yaml": strings.Replace(valid, "name: ok", "name: later", 1)}, `supersededBy "later": that scenario has no clock step`},
		{"SupersededBySelf", map[string]string{"ok.yaml": strings.Replace(valid, "features: [core]", "features: [core]\nsupersededBy: ok", 1) + clockStep}, "supersededBy names the scenario itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for n, c := range tt.files {
				fsys[n] = &fstest.MapFile{Data: []byte(c)}
			}
			_, err := scenarios.Load(fsys, known)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && err == nil:
				t.Fatalf("want error containing %q, got none", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("want error containing %q, got %q", tt.want, err)
			}
		})
	}
}

func TestMatcher_Decode(t *testing.T) {
	sc, err := scenarios.Parse("ok.yaml", []byte(strings.Replace(valid, "{length: 0}", "{exists: true, type: array, oneOf: [1, 2]}", 1)), known)
	if err != nil {
		t.Fatal(err)
	}
	m := sc.Steps[0].Expect.JSON["data"]
	if !m.Has("exists") || !m.Has("oneOf") || m.Has("equals") || m.Type != "array" {
		t.Fatalf("matcher decoded wrongly: %+v", m)
	}
	if eq := sc.Steps[0].Expect.JSON["pagination.totalItems"]; !eq.Has("equals") || eq.Equals != 0 {
		t.Fatalf("scalar matcher: %+v", eq)
	}
}

func TestEmbedded_NamesMatchFiles(t *testing.T) {
	all, err := scenarios.Load(scenarios.Embedded, known)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range all {
		if sc.File != sc.Name+".yaml" {
			t.Errorf("%s: scenario %q should live in %s.yaml", sc.File, sc.Name, sc.Name)
		}
	}
}

// TestParse_Version: an unquoted date decodes as written (not as a timestamp), for the
// scenario and for a step.
func TestParse_Version(t *testing.T) {
	y := strings.Replace(strings.Replace(valid, "features: [core]", "features: [core]\nversion: 2026-05-01\noperations: [Op_a, Op_b]", 1), "  - name: s", "  - name: s\n    version: 2026-02-25", 1)
	sc, err := scenarios.Parse("ok.yaml", []byte(y), known)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Version != "2026-05-01" || sc.Steps[0].Version != "2026-02-25" || len(sc.Operations) != 2 || sc.Operations[1] != "Op_b" {
		t.Errorf("version %q, step version %q, operations %v", sc.Version, sc.Steps[0].Version, sc.Operations)
	}
}
