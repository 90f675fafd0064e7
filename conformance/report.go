package conformance

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	// Outcome: "pass" (nothing failed), "fail".
	Outcome  string           `json:"outcome" yaml:"outcome"`
	Totals   Counts           `json:"totals" yaml:"totals"`
	Features []FeatureSummary `json:"features" yaml:"features"`
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
	spec := o.SpecFile
	if spec == "" {
		spec = "embedded"
	}
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
		entries = append(entries, SummaryEntry{Name: r.Scenario, Features: r.Features, Outcome: r.Outcome, Reason: r.SkipReason, Failures: r.Failures})
	}
	rep.RateLimitWait = waited.Round(time.Millisecond).String()
	rep.Features, rep.Totals = Summarize(entries)
	rep.Outcome = "pass"
	if rep.Totals.Failed > 0 {
		rep.Outcome = "fail"
	}
	return rep
}

// SummaryEntry is the input of Summarize: one scenario's outcome (the Ginkgo suite builds
// these from its spec reports, RunAll from Results).
type SummaryEntry struct {
	Name     string
	Features []string
	Outcome  Outcome
	Reason   string
	Failures []Failure
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

// WriteFile writes the report to path, as YAML for .yaml/.yml and JSON otherwise.
func (r Report) WriteFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".yaml" || ext == ".yml" {
		err = r.WriteYAML(f)
	} else {
		err = r.WriteJSON(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// WriteText writes a short per-feature table for humans.
func (r Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "conformance of %s (spec %s): %s, %d passed, %d failed, %d skipped, rate-limit wait %s\n",
		r.Target, r.Spec, r.Outcome, r.Totals.Passed, r.Totals.Failed, r.Totals.Skipped, r.RateLimitWait)
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
