package differential

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/onsi/ginkgo/v2/reporters"
	"go.yaml.in/yaml/v3"

	"github.com/calmock/calmock/conformance"
)

// Divergence is one difference between the target and the oracle, reported once however
// many sequences showed it: the operation and the field (array indices written []), both
// answers side by side (of the first sequence that showed it), and the shrunk sequence
// that shows it, written as a scenario.
type Divergence struct {
	Op     OpKind `json:"op" yaml:"op"`
	OpName string `json:"opName" yaml:"opName"`
	Field  string `json:"field" yaml:"field"`
	Target any    `json:"target" yaml:"target"`
	Oracle any    `json:"oracle" yaml:"oracle"`
	Absent string `json:"absent,omitempty" yaml:"absent,omitempty"`
	Note   string `json:"note,omitempty" yaml:"note,omitempty"`
	// Count is how many sequences showed it; Sequences their indices.
	Count     int   `json:"count" yaml:"count"`
	Sequences []int `json:"sequences" yaml:"sequences"`
	// ShrunkFrom and Steps: the length of the first sequence that showed it, up to the
	// difference, and of the shrunk one (zero when not shrunk).
	ShrunkFrom int `json:"shrunkFrom,omitempty" yaml:"shrunkFrom,omitempty"`
	Steps      int `json:"steps,omitempty" yaml:"steps,omitempty"`
	// ShrunkOps names the shrunk sequence's ops in order.
	ShrunkOps []string `json:"shrunkOps,omitempty" yaml:"shrunkOps,omitempty"`
	// Scenario is the scenario's name; File where it was written (Options.ScenarioDir).
	Scenario string `json:"scenario,omitempty" yaml:"scenario,omitempty"`
	File     string `json:"file,omitempty" yaml:"file,omitempty"`
	// YAML is the scenario file itself (not in the report: it is in File).
	YAML []byte `json:"-" yaml:"-"`
}

func (d Divergence) key() string { return string(d.Op) + " " + d.Field }

// String puts both answers side by side.
func (d Divergence) String() string {
	t, o := show(d.Target), show(d.Oracle)
	switch d.Absent {
	case "target":
		t = "absent"
	case "oracle":
		o = "absent"
	}
	s := fmt.Sprintf("%s %s: target %s | calmock %s (%d sequences", d.OpName, d.Field, t, o, d.Count)
	if d.Steps > 0 {
		s += fmt.Sprintf(", shrunk from %d to %d steps", d.ShrunkFrom, d.Steps)
	}
	s += ")"
	if d.Note != "" {
		s += "; " + d.Note
	}
	if d.File != "" {
		s += " → " + d.File
	}
	return s
}

type grouper struct {
	order []string
	by    map[string]*Divergence
}

func newGrouper() *grouper { return &grouper{by: map[string]*Divergence{}} }

func (g *grouper) add(d Difference) *Divergence {
	k := string(d.Op) + " " + where(d.Path)
	dv, ok := g.by[k]
	if !ok {
		dv = &Divergence{Op: d.Op, OpName: d.OpName, Field: where(d.Path), Target: d.Target, Oracle: d.Oracle, Absent: d.Absent, Note: d.Note}
		g.by[k] = dv
		g.order = append(g.order, k)
	}
	if len(dv.Sequences) == 0 || dv.Sequences[len(dv.Sequences)-1] != d.Sequence {
		dv.Sequences = append(dv.Sequences, d.Sequence)
		dv.Count++
	}
	return dv
}

func (g *grouper) list() []Divergence {
	out := make([]Divergence, len(g.order))
	for i, k := range g.order {
		out[i] = *g.by[k]
	}
	return out
}

// divergence records a sequence's differences; the first one's divergence, when it has
// no shrunk sequence yet, gets one (and its scenario file).
func (r *Runner) divergence(ctx context.Context, g *grouper, res SequenceResult) error {
	var first *Divergence
	for i, d := range res.Differences {
		dv := g.add(d)
		if i == 0 {
			first = dv
		}
	}
	if r.opts.NoShrink || first.Steps > 0 {
		return nil
	}
	sh, err := r.Shrink(ctx, res)
	if err != nil {
		return fmt.Errorf("shrink: %w", err)
	}
	first.ShrunkFrom, first.Steps = sh.From, len(sh.Ops())
	first.ShrunkOps = nil
	for _, op := range sh.Ops() {
		first.ShrunkOps = append(first.ShrunkOps, op.Name)
	}
	first.Target, first.Oracle, first.Absent, first.Note = sh.Difference.Target, sh.Difference.Oracle, sh.Difference.Absent, sh.Difference.Note
	first.Scenario = ScenarioName(sh.Difference)
	if first.YAML, err = r.Scenario(sh, first.Scenario); err != nil {
		return err
	}
	if r.opts.Progress != nil {
		fmt.Fprintf(r.opts.Progress, "  shrunk from %d to %d steps in %d replays: %s\n", sh.From, len(sh.Ops()), sh.Plays, strings.Join(first.ShrunkOps, ", "))
	}
	if dir := r.opts.ScenarioDir; dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("scenario dir: %w", err)
		}
		first.File = filepath.Join(dir, first.Scenario+".yaml")
		if err := os.WriteFile(first.File, first.YAML, 0o644); err != nil {
			return fmt.Errorf("scenario: %w", err)
		}
	}
	return nil
}

// WriteText writes the divergences for humans, each once, both answers side by side.
func (rep Report) WriteText(w io.Writer) {
	steps := 0
	for _, s := range rep.Sequences {
		steps += len(s.Steps)
	}
	fmt.Fprintf(w, "differential run %s (seed %d): %d sequences, %d steps, %d divergences\n", rep.RunID, rep.Seed, len(rep.Sequences), steps, len(rep.Divergences))
	if rep.Error != "" {
		fmt.Fprintf(w, "  could not run: %s\n", rep.Error)
	}
	for _, d := range rep.Divergences {
		fmt.Fprintln(w, "  "+d.String())
	}
}

// WriteFile writes the report to path in the format of its extension: .json, .yaml/.yml,
// or .xml (JUnit); any other is refused (conformance.ReportFormat).
func (rep Report) WriteFile(path string) error {
	format, err := conformance.ReportFormat(path)
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
	case conformance.FormatYAML:
		err = rep.WriteYAML(f)
	case conformance.FormatJUnit:
		err = rep.WriteJUnit(f)
	default:
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("report %s: %w", path, err)
	}
	return nil
}

// WriteYAML writes the report as YAML, with the JSON report's keys.
func (rep Report) WriteYAML(w io.Writer) error {
	b, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return enc.Close()
}

// WriteJUnit writes one test case per divergence (failed, both answers and the scenario in
// the description) and one per sequence (passed or failed), with Ginkgo's XML types as the
// suite's report.
func (rep Report) WriteJUnit(w io.Writer) error {
	suite := reporters.JUnitTestSuite{
		Name:    fmt.Sprintf("calmock differential run %s", rep.RunID),
		Package: "github.com/calmock/calmock/differential",
		Properties: reporters.JUnitProperties{Properties: []reporters.JUnitProperty{
			{Name: "seed", Value: fmt.Sprint(rep.Seed)}, {Name: "target", Value: rep.Target},
		}},
	}
	add := func(tc reporters.JUnitTestCase) {
		if tc.Failure != nil {
			suite.Failures++
		}
		suite.Tests++
		suite.TestCases = append(suite.TestCases, tc)
	}
	for _, d := range rep.Divergences {
		desc := d.String()
		if len(d.YAML) > 0 {
			desc += "\n\n" + string(d.YAML)
		}
		add(reporters.JUnitTestCase{Name: "divergence: " + d.key(), Classname: "divergences", Status: "failed",
			Failure: &reporters.JUnitFailure{Type: "divergence", Message: d.OpName + " " + d.Field, Description: desc}})
	}
	for _, s := range rep.Sequences {
		tc := reporters.JUnitTestCase{Name: fmt.Sprintf("sequence %d", s.Sequence.Index), Classname: "sequences", Status: "passed"}
		if len(s.Differences) > 0 {
			lines := make([]string, len(s.Differences))
			for i, d := range s.Differences {
				lines[i] = d.String()
			}
			tc.Status = "failed"
			tc.Failure = &reporters.JUnitFailure{Type: "difference", Message: fmt.Sprintf("%d differences", len(lines)), Description: strings.Join(lines, "\n")}
		}
		add(tc)
	}
	if rep.Error != "" {
		add(reporters.JUnitTestCase{Name: "run", Classname: "setup", Status: "failed",
			Failure: &reporters.JUnitFailure{Type: "failed", Message: rep.Error, Description: rep.Error}})
	}
	all := reporters.JUnitTestSuites{Tests: suite.Tests, Failures: suite.Failures, TestSuites: []reporters.JUnitTestSuite{suite}}
	return conformance.EncodeJUnit(w, all)
}
