package conformance

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestNewReport_SpecViolationsOncePerField: the same field of every list item, in every
// scenario, is one line of the summary, counted; other kinds of failure are not in it.
func TestNewReport_SpecViolationsOncePerField(t *testing.T) {
	nullEmail := func(sc string, i string) Failure {
		return Failure{Scenario: sc, Kind: KindOpenAPI, Field: "response.body $.data[" + i + "].hosts[0].email", Expected: "string", Got: "null"}
	}
	results := []Result{
		{Scenario: "a", Features: []string{"core"}, Outcome: Failed, Failures: []Failure{nullEmail("a", "0"), nullEmail("a", "1"),
			{Scenario: "a", Kind: KindStatus, Field: "status", Expected: "200", Got: "500"}}},
		{Scenario: "b", Features: []string{"core"}, Outcome: Failed, Failures: []Failure{nullEmail("b", "3"),
			{Scenario: "b", Kind: KindOpenAPI, Field: "response.header X-Request-Id", Expected: "present", Got: "missing"}}},
		{Scenario: "c", Features: []string{"core"}, Outcome: Passed},
	}
	rep := NewReport(Options{Target: "http://t"}, nil, results, time.Now())
	want := []SpecViolation{
		{Field: "response.body $.data[*].hosts[*].email", Expected: "string", Got: "null", Count: 3, Scenarios: 2},
		{Field: "response.header X-Request-Id", Expected: "present", Got: "missing", Count: 1, Scenarios: 1},
	}
	if len(rep.SpecViolations) != len(want) {
		t.Fatalf("SpecViolations = %+v, want %+v", rep.SpecViolations, want)
	}
	for i := range want {
		if rep.SpecViolations[i] != want[i] {
			t.Errorf("SpecViolations[%d] = %+v, want %+v", i, rep.SpecViolations[i], want[i])
		}
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	out := text.String()
	summary, features := strings.Index(out, "3x in 2 scenarios  response.body $.data[*].hosts[*].email"), strings.Index(out, "  core ")
	if summary < 0 || features < 0 || summary > features {
		t.Errorf("the text report must sum up the violations before the features:\n%s", out)
	}
}
