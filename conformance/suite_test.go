package conformance_test

import (
	"context"
	"encoding/json"
	"flag"
	"net/http/httptest"
	"os"
	"sort"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/calmock/calmock/conformance"
	"github.com/calmock/calmock/mockserver"
	"github.com/calmock/calmock/scenarios"
)

// Flags: -target, -api-key, -profile, -spec, -features, -cleanup (see Options.RegisterFlags,
// with CALMOCK_* env fallbacks) and -conformance-report FILE (.json or .yaml). Registered in
// init: flags are parsed before TestConformance runs (Ginkgo docs, "Supporting Custom Suite
// Configuration").
var (
	opts       conformance.Options
	reportFile string
)

func init() {
	opts.RegisterFlags(flag.CommandLine)
	flag.StringVar(&reportFile, "conformance-report", os.Getenv("CALMOCK_REPORT"), "write the per-feature conformance report to this file (.json or .yaml; env CALMOCK_REPORT)")
}

// all is loaded before RunSpecs: the spec tree is built from it.
var all []scenarios.Scenario

func TestConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	var err error
	all, err = scenarios.Load(scenarios.Embedded, conformance.KnownFeature)
	if err != nil {
		t.Fatalf("scenarios: %v", err)
	}
	if _, err := conformance.ParseFeatures(opts.Features); err != nil {
		t.Fatal(err)
	}
	RunSpecs(t, "Cal.com bookings API conformance")
}

// shared is what process 1 hands every process: the target URL and the run id.
type shared struct {
	URL   string `json:"url"`
	RunID string `json:"runId"`
}

var target *conformance.Target

var _ = SynchronizedBeforeSuite(func() []byte {
	s := shared{URL: opts.Target, RunID: conformance.NewRunInfo(opts.RunID, timeNow()).ID}
	if s.URL == "" {
		// The real API's limit is 120/min; in-process we want the headers without the waits.
		// A mock that cannot start is a broken setup: the suite fails, it does not skip.
		// With sandboxes, so that each spec runs in its own (and ginkgo -p runs them at once).
		m, err := mockserver.New(mockserver.Config{Seed: 1, RateLimit: 1_000_000})
		Expect(err).NotTo(HaveOccurred(), "starting the in-process mock")
		h, err := mockserver.NewSandboxes(m, mockserver.SandboxLimits{Max: 64})
		Expect(err).NotTo(HaveOccurred(), "starting the in-process mock's sandboxes")
		srv := httptest.NewServer(h)
		DeferCleanup(srv.Close)
		s.URL = srv.URL
	}
	b, err := json.Marshal(s)
	Expect(err).NotTo(HaveOccurred())
	return b
}, func(b []byte) {
	var s shared
	Expect(json.Unmarshal(b, &s)).To(Succeed())
	o := opts
	o.Target, o.RunID = s.URL, s.RunID
	t, _, closeFn, err := conformance.Setup(context.Background(), o)
	DeferCleanup(closeFn)
	Expect(err).NotTo(HaveOccurred(), "exit class %d", conformance.ExitCode(err))
	target = t
})

var _ = Describe("bookings API", func() {
	for _, sc := range all {
		It(sc.Name, Label(sc.Features...), func(ctx SpecContext) {
			t := *target
			t.OnStep = func(st scenarios.Step) { By(st.Name + ": " + st.Request.Method + " " + st.Request.Path) }
			res := conformance.Run(ctx, &t, sc)
			AddReportEntry("result", res, ReportEntryVisibilityFailureOrVerbose)
			if res.Waited > 0 {
				AddReportEntry("rate-limit wait", res.Waited.String())
			}
			if res.Outcome == conformance.Skipped {
				Skip(res.SkipReason)
			}
			Expect(res.Failures).To(BeEmpty(), "%s", res.Error())
		})
	}
})

var _ = ReportAfterSuite("per-feature conformance summary", func(r Report) {
	byName := map[string]scenarios.Scenario{}
	for _, sc := range all {
		byName[sc.Name] = sc
	}
	var entries []conformance.SummaryEntry
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			continue
		}
		e := conformance.SummaryEntry{Name: sr.LeafNodeText, Features: byName[sr.LeafNodeText].Features}
		switch {
		case sr.State == types.SpecStatePassed:
			e.Outcome = conformance.Passed
		case sr.State.Is(types.SpecStateFailureStates):
			e.Outcome = conformance.Failed
			e.Reason = sr.Failure.Message
		default:
			e.Outcome = conformance.Skipped
			e.Reason = sr.Failure.Message
			if e.Reason == "" {
				e.Reason = "not selected (--label-filter or --focus)"
			}
		}
		entries = append(entries, e)
	}
	features, totals := conformance.Summarize(entries)
	rep := conformance.Report{Target: opts.Target, Spec: opts.SpecFile, Features: features, Totals: totals, Outcome: "pass",
		Started: r.StartTime.UTC(), Duration: r.RunTime.String()}
	if target != nil {
		rep.RunID = target.Run.ID
	}
	if supports, err := conformance.ParseFeatures(opts.Features); err == nil {
		for f := range supports {
			rep.FeaturesClaimed = append(rep.FeaturesClaimed, f)
		}
		sort.Strings(rep.FeaturesClaimed)
	}
	var waited time.Duration
	for _, sr := range r.SpecReports {
		for _, e := range sr.ReportEntries {
			if e.Name == "rate-limit wait" {
				if d, err := time.ParseDuration(e.StringRepresentation()); err == nil {
					waited += d
				}
			}
		}
	}
	rep.RateLimitWait = waited.String()
	if rep.Target == "" {
		rep.Target = "calmock (in-process)"
	}
	if rep.Spec == "" {
		rep.Spec = "embedded"
	}
	if totals.Failed > 0 || !r.SuiteSucceeded { // a failed setup runs no scenario, yet fails
		rep.Outcome = "fail"
	}
	rep.WriteText(GinkgoWriter)
	rep.WriteText(os.Stdout)
	if reportFile != "" {
		Expect(rep.WriteFile(reportFile)).To(Succeed())
	}
})
