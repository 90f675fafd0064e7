package conformance

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Report is the outcome of a conformance run, per feature (gateway-api style roll-up).
type Report struct {
	Target string `json:"target" yaml:"target"`
	// Spec is the OpenAPI document used ("embedded", a path, or "none").
	Spec            string    `json:"spec" yaml:"spec"`
	FeaturesClaimed []string  `json:"featuresClaimed" yaml:"featuresClaimed"`
	RunID           string    `json:"runId" yaml:"runId"`
	Started         time.Time `json:"started" yaml:"started"`
	Duration        string    `json:"duration" yaml:"duration"`
	// RateLimitWait is the total time spent waiting for rate limits to reset.
	RateLimitWait string `json:"rateLimitWait" yaml:"rateLimitWait"`
	// Outcome: "pass" (nothing failed), "fail", or "unreachable" (the target did not answer
	// like a Cal.com API; Error says how, and the counts cover what ran before).
	Outcome string `json:"outcome" yaml:"outcome"`
	// Error is why the run stopped early; empty when it ran to the end.
	Error  string `json:"error,omitempty" yaml:"error,omitempty"`
	Totals Counts `json:"totals" yaml:"totals"`
	// SpecViolations sums up, once per kind and field, where the target's answers contradict
	// the OpenAPI document: when a document and a target disagree, the same few fields fail in
	// every scenario, and this list says so before the per-scenario details.
	SpecViolations []SpecViolation  `json:"specViolations,omitempty" yaml:"specViolations,omitempty"`
	Features       []FeatureSummary `json:"features" yaml:"features"`

	// scenarios are the run's outcomes in run order, for the JUnit report.
	scenarios []SummaryEntry
}

// Report outcomes.
const (
	OutcomePass        = "pass"
	OutcomeFail        = "fail"
	OutcomeUnreachable = "unreachable"
)

// SpecViolation is one way the target's answers contradicted the OpenAPI document, counted
// over the whole run.
type SpecViolation struct {
	// Field is the violation's kind and where it is, with array indices made [*] so that the
	// same field of every list item counts once: "response.body $.data[*].hosts[*].email".
	Field string `json:"field" yaml:"field"`
	// Expected and Got are those of the first occurrence.
	Expected string `json:"expected" yaml:"expected"`
	Got      string `json:"got" yaml:"got"`
	// Count is how many times it was seen, in how many scenarios.
	Count     int `json:"count" yaml:"count"`
	Scenarios int `json:"scenarios" yaml:"scenarios"`
}

// Counts of scenario outcomes.
type Counts struct {
	Passed  int `json:"passed" yaml:"passed"`
	Failed  int `json:"failed" yaml:"failed"`
	Skipped int `json:"skipped" yaml:"skipped"`
}

// FeatureSummary rolls up the scenarios that need one feature. A scenario needing several
// features counts for each of them.
type FeatureSummary struct {
	Name string `json:"name" yaml:"name"`
	// Outcome: "success" (all ran and passed), "partial" (passed, some skipped), "failure"
	// (one failed), "skipped" (none ran).
	Outcome   string `json:"outcome" yaml:"outcome"`
	Counts    `json:",inline" yaml:",inline"`
	Scenarios []ScenarioSummary `json:"scenarios" yaml:"scenarios"`
}

// ScenarioSummary is one scenario's line in a FeatureSummary.
type ScenarioSummary struct {
	Name     string    `json:"name" yaml:"name"`
	Outcome  Outcome   `json:"outcome" yaml:"outcome"`
	Reason   string    `json:"reason,omitempty" yaml:"reason,omitempty"`
	Failures []Failure `json:"failures,omitempty" yaml:"failures,omitempty"`
}

// NewReport builds the report of a run from its results.
func NewReport(o Options, t *Target, results []Result, started time.Time) Report {
	spec := specName(o)
	var claimed []string
	if t != nil {
		for f := range t.Supports {
			claimed = append(claimed, f)
		}
	}
	sort.Strings(claimed)
	rep := Report{Target: o.Target, Spec: spec, FeaturesClaimed: claimed, Started: started.UTC(), Duration: time.Since(started).Round(time.Millisecond).String()}
	if rep.Target == "" && t != nil {
		rep.Target = t.BaseURL + " (in-process)"
	}
	if t != nil {
		rep.RunID = t.Run.ID
	}
	var waited time.Duration
	entries := make([]SummaryEntry, 0, len(results))
	for _, r := range results {
		waited += r.Waited
		entries = append(entries, SummaryEntry{Name: r.Scenario, Features: r.Features, Outcome: r.Outcome, Reason: r.SkipReason, Failures: r.Failures, Duration: r.Duration})
	}
	rep.RateLimitWait = waited.Round(time.Millisecond).String()
	rep.Features, rep.Totals = Summarize(entries)
	rep.SpecViolations = summarizeSpecViolations(entries)
	rep.scenarios = entries
	rep.Outcome = OutcomePass
	if rep.Totals.Failed > 0 {
		rep.Outcome = OutcomeFail
	}
	return rep
}

// UnreachableReport is the report of a run whose target could not be reached before any
// scenario ran: written where a report was asked for, so that CI does not keep the last
// run's report or an empty one and can tell "down" from "broken".
func UnreachableReport(o Options, err error, started time.Time) Report {
	return Report{Target: o.Target, Spec: specName(o), Started: started.UTC(),
		Duration: time.Since(started).Round(time.Millisecond).String(),
		Outcome:  OutcomeUnreachable, Error: err.Error(), Features: []FeatureSummary{}}
}

func specName(o Options) string {
	if o.SpecFile == "" {
		return "embedded"
	}
	return o.SpecFile
}

// arrayIndex matches the index of a JSON path's array element.
var arrayIndex = regexp.MustCompile(`\[\d+\]`)

// summarizeSpecViolations counts the OpenAPI findings of a run by field, in the order first
// seen.
func summarizeSpecViolations(entries []SummaryEntry) []SpecViolation {
	var out []SpecViolation
	at := map[string]int{}
	for _, e := range entries {
		seenHere := map[string]bool{}
		for _, f := range e.Failures {
			if f.Kind != KindOpenAPI {
				continue
			}
			field := arrayIndex.ReplaceAllString(f.Field, "[*]")
			i, ok := at[field]
			if !ok {
				i = len(out)
				at[field] = i
				out = append(out, SpecViolation{Field: field, Expected: f.Expected, Got: f.Got})
			}
			out[i].Count++
			if !seenHere[field] {
				seenHere[field] = true
				out[i].Scenarios++
			}
		}
	}
	return out
}

// SummaryEntry is the input of Summarize: one scenario's outcome (the Ginkgo suite builds
// these from its spec reports, RunAll from Results).
type SummaryEntry struct {
	Name     string
	Features []string
	Outcome  Outcome
	Reason   string
	Failures []Failure
	Duration time.Duration
}

// Summarize groups scenario outcomes per feature and counts the totals.
func Summarize(entries []SummaryEntry) ([]FeatureSummary, Counts) {
	byFeature := map[string]*FeatureSummary{}
	var totals Counts
	for _, e := range entries {
		count(&totals, e.Outcome)
		for _, f := range e.Features {
			fs := byFeature[f]
			if fs == nil {
				fs = &FeatureSummary{Name: f}
				byFeature[f] = fs
			}
			count(&fs.Counts, e.Outcome)
			fs.Scenarios = append(fs.Scenarios, ScenarioSummary{Name: e.Name, Outcome: e.Outcome, Reason: e.Reason, Failures: e.Failures})
		}
	}
	out := make([]FeatureSummary, 0, len(byFeature))
	for _, name := range sortedKeys(byFeature) {
		fs := byFeature[name]
		switch {
		case fs.Failed > 0:
			fs.Outcome = "failure"
		case fs.Passed == 0:
			fs.Outcome = "skipped"
		case fs.Skipped > 0:
			fs.Outcome = "partial"
		default:
			fs.Outcome = "success"
		}
		out = append(out, *fs)
	}
	return out, totals
}

func count(c *Counts, o Outcome) {
	switch o {
	case Passed:
		c.Passed++
	case Failed:
		c.Failed++
	default:
		c.Skipped++
	}
}

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteYAML writes the report as YAML.
func (r Report) WriteYAML(w io.Writer) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(r); err != nil {
		return err
	}
	return enc.Close()
}

// Report file formats, chosen by the file's extension.
const (
	FormatJSON  = "json"
	FormatYAML  = "yaml"
	FormatJUnit = "junit"
)

// ReportFormat is the format of a report file named path: .json, .yaml or .yml, or .xml
// (JUnit). Any other extension is an error, so that a typo is refused before the run rather
// than written in a format nobody asked for.
func ReportFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return FormatJSON, nil
	case ".yaml", ".yml":
		return FormatYAML, nil
	case ".xml":
		return FormatJUnit, nil
	}
	return "", fmt.Errorf("report file %q: unknown extension, want .json, .yaml, .yml or .xml (JUnit)", path)
}

// WriteFile writes the report to path in the format of its extension (ReportFormat),
// creating the directory.
func (r Report) WriteFile(path string) error {
	format, err := ReportFormat(path)
	if err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	switch format {
	case FormatYAML:
		err = r.WriteYAML(f)
	case FormatJUnit:
		err = r.WriteJUnit(f)
	default:
		err = r.WriteJSON(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("report %s: %w", path, err)
	}
	return nil
}

// WriteText writes a short per-feature table for humans.
func (r Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "conformance of %s (spec %s): %s, %d passed, %d failed, %d skipped, rate-limit wait %s\n",
		r.Target, r.Spec, r.Outcome, r.Totals.Passed, r.Totals.Failed, r.Totals.Skipped, r.RateLimitWait)
	if r.Error != "" {
		fmt.Fprintf(w, "  stopped: %s\n", r.Error)
	}
	if len(r.SpecViolations) > 0 {
		fmt.Fprintf(w, "  the answers contradict the OpenAPI document (%s) in %d places:\n", r.Spec, len(r.SpecViolations))
		for _, v := range r.SpecViolations {
			fmt.Fprintf(w, "    %dx in %d scenarios  %s: expected %s, got %s\n", v.Count, v.Scenarios, v.Field, v.Expected, v.Got)
		}
	}
	for _, f := range r.Features {
		fmt.Fprintf(w, "  %-15s %-8s passed %2d  failed %2d  skipped %2d\n", f.Name, f.Outcome, f.Passed, f.Failed, f.Skipped)
		for _, s := range f.Scenarios {
			switch s.Outcome {
			case Failed:
				fmt.Fprintf(w, "      FAIL %s\n", s.Name)
			case Skipped:
				fmt.Fprintf(w, "      SKIP %s: %s\n", s.Name, s.Reason)
			}
		}
	}
}
