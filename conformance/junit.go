package conformance

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/onsi/ginkgo/v2/reporters"
)

// WriteJUnit writes the report as JUnit XML: one test case per scenario (named after it, its
// class the features it needs), a failure listing every failed check, a skip with its reason.
// The XML types are Ginkgo's, the ones `go test ./conformance -ginkgo.junit-report` writes, so
// CI systems read both alike. An unreachable target gives one failing case saying so.
func (r Report) WriteJUnit(w io.Writer) error {
	suite := reporters.JUnitTestSuite{
		Name:      "calmock conformance of " + r.Target,
		Package:   "github.com/calmock/calmock/conformance",
		Timestamp: r.Started.Format("2006-01-02T15:04:05"),
		Properties: reporters.JUnitProperties{Properties: []reporters.JUnitProperty{
			{Name: "target", Value: r.Target}, {Name: "spec", Value: r.Spec},
			{Name: "outcome", Value: r.Outcome}, {Name: "rateLimitWait", Value: r.RateLimitWait},
		}},
	}
	for _, e := range r.scenarios {
		tc := reporters.JUnitTestCase{Name: e.Name, Classname: strings.Join(e.Features, ","),
			Status: string(e.Outcome), Time: e.Duration.Seconds()}
		switch e.Outcome {
		case Failed:
			lines := make([]string, len(e.Failures))
			for i, f := range e.Failures {
				lines[i] = f.String()
				if f.Request != "" {
					lines[i] += " [" + f.Request + "]"
				}
			}
			tc.Failure = &reporters.JUnitFailure{Type: "failed", Message: fmt.Sprintf("%d checks failed", len(e.Failures)),
				Description: strings.Join(lines, "\n")}
			suite.Failures++
		case Skipped:
			tc.Skipped = &reporters.JUnitSkipped{Message: "skipped - " + e.Reason}
			suite.Skipped++
		}
		suite.Tests++
		suite.Time += tc.Time
		suite.TestCases = append(suite.TestCases, tc)
	}
	if r.Outcome == OutcomeUnreachable {
		suite.TestCases = append(suite.TestCases, reporters.JUnitTestCase{Name: "target reachable", Classname: "setup",
			Status: "failed", Failure: &reporters.JUnitFailure{Type: "failed", Message: r.Error, Description: r.Error}})
		suite.Tests++
		suite.Failures++
	}
	all := reporters.JUnitTestSuites{Tests: suite.Tests, Disabled: suite.Skipped, Failures: suite.Failures,
		Time: suite.Time, TestSuites: []reporters.JUnitTestSuite{suite}}
	return EncodeJUnit(w, all)
}

// EncodeJUnit writes suites as an indented JUnit XML document (Ginkgo's types, which CI
// systems read).
func EncodeJUnit(w io.Writer, suites reporters.JUnitTestSuites) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(suites); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
