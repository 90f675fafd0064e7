package loadrun

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestKeptUp(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    sample
		want string
	}{
		{"OnRate", sample{rps: 990}, ""},
		{"Slow", sample{rps: 400, late: 30}, "did not keep up: 0 unsent, 30 late"},
		{"Unsent", sample{rps: 999, unsent: 2}, "did not keep up: 2 unsent"},
	} {
		if got := keptUp(series{tc.s}, 1000); !strings.Contains(got, tc.want) || (tc.want == "") != (got == "") {
			t.Errorf("%s: keptUp = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// testReport is a report with made-up figures: GET meets its targets, the rest does not.
func testReport() *report {
	fast := sample{rps: 5000, p50: 0.3, p99: 1.2, p999: 3, max: 9, requests: 15000}
	slow := sample{rps: 300, p50: 40, p99: 120, p999: 130, max: 140, requests: 900, late: 800, unsent: 2100}
	return &report{
		o:       Defaults(),
		machine: "Test CPU @ 2.00GHz, 2 CPUs, go1.26.0; generator and servers share every CPU",
		when:    time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC),
		rows: []*row{
			{op: "get", mock: series{{rps: 9000, p50: 2, p99: 10}}, bare: series{{rps: 16000, p50: 1, p99: 7}}, allocs: 82,
				sweep: []sweepPoint{
					{rate: 1000, mock: series{{rps: 1000, p99: 0.9, requests: 3000}}, bare: series{{rps: 1000, p99: 0.5}}},
					{rate: 2000, mock: series{{rps: 2000, p99: 1.5, requests: 6000}}, bare: series{{rps: 2000, p99: 0.7}}},
					{rate: 3000, mock: series{{rps: 3000, p99: 2.5}}, bare: series{{rps: 3000, p99: 1.1}}},
					// The bare server meets the bound here only by a lucky run: the limit is
					// the highest rate within it, not the first miss.
					{rate: 4000, mock: series{{rps: 4000, p99: 4}}, bare: series{{rps: 4000, p99: 1.9}}},
				}},
			{op: "create", mock: series{{rps: 4000}}, bare: series{{rps: 16000}},
				fixedMock: series{slow}, fixedBare: series{fast}, allocs: 150},
		},
		startups: []float64{50, 60, 70}, rssIdle: []float64{20, 22, 21}, rss: []float64{120, 110, 130},
		held: []float64{30024, 30100, 29000},
		list: &listResult{how: "calmock -bookings 10000", held: 3345,
			one:   series{{rps: 300, p50: 3, p99: 4.5, requests: 900}},
			fixed: series{{rps: 200, p50: 4, p99: 9, requests: 600, firstError: "GET /v2/bookings?take=100: status 500, want 200", errors: 1}}},
		durable: &durableResult{closed: series{{rps: 250, p99: 300}}, fixed: series{slow}},
		vol:     &volume{how: "calmock -bookings 100000", startup: 3000, rssIdle: 221, rss: 500, get: fast},
	}
}

func TestRender_Figures(t *testing.T) {
	out := render(testReport())
	for _, want := range []string{
		"- GET one booking >= 50% of bare: **MET** (closed loop, 32 clients: ratio 0.56)",
		"- GET one booking p99 < 2 ms over 32 connections, at half the bare server's rate or more: **MET** (open loop: p99 < 2 ms up to 2000 req/s for the mock, 4000 req/s for the bare server; p99 ms at each rate: 1000/s 0.90 (bare 0.50), 2000/s 1.50 (bare 0.70), 3000/s 2.50 (bare 1.10), 4000/s 4.00 (bare 1.90))",
		"| 2000 | mock | 6000 | 2000 | 0.00 | 1.50 | 0.00 | 0.00 | 0 | 0 | 0 |",
		"Highest rate with p99 < 2 ms (kept up with, median of runs): mock 2000 req/s, bare 4000 req/s.",
		"- create >= 30% of bare: **NOT MET** (closed loop, 32 clients: ratio 0.25)",
		"- list take=100 for one user among 10000 bookings p99 < 5 ms, 1 client: **MET** (closed loop, 1 client: p99 4.50 ms, p50 3.00 ms; the user sees 3345 bookings)",
		"- list take=100 for one user among 10000 bookings p99 < 5 ms, fixed rate: **NOT MET** (open loop, 200 req/s over 32 connections: p99 9.00 ms, achieved 200 req/s)",
		"- durable create (calmock -data) p99 < 10 ms, fixed rate: **NOT MET** (open loop, 1000 req/s over 32 connections: p99 120.00 ms, achieved 300 req/s (did not keep up: 2100 unsent, 800 late))",
		"- durable create at saturation (no target: a closed loop's latency is queueing): closed loop, 32 clients: p99 300.00 ms at 250 req/s",
		"- start-up < 300 ms: **MET** (default fixtures: 60 ms)",
		"- RSS < 60 MB, default fixtures, after load: **NOT MET** (120.0 MB right after this load run, holding 30024 bookings; idle before it 21.0 MB)",
		"- RSS < 400 MB with 100000 bookings, idle: **MET** (221.0 MB after start-up)",
		"- RSS < 400 MB with 100000 bookings, after load: **NOT MET** (500.0 MB right after get and list at 32 clients)",
		"- memory per booking (no target): 2.05 KB, from idle RSS with 100000 extra bookings and with none",
		// The sections.
		"| create | mock | 900 | 300 | 40.00 | 120.00 | 130.00 | 140.00 | 800 | 2100 | 0 |",
		"200 req/s over 32 connections, open loop: first error: GET /v2/bookings?take=100: status 500, want 200",
		"holding a median of 30024 bookings (runs: 30024, 30100, 29000;",
		"  - list take=100 (first user, ~1/3 of the bookings) at 32 clients: no request completed within 3s",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

// TestRender_Settled: with a reading after the idle period, the default-fixtures RSS target
// is judged on it, and the figure right after the load is still shown.
func TestRender_Settled(t *testing.T) {
	r := testReport()
	r.o.Settle = 20 * time.Second
	r.rssSettled = []float64{50}
	r.rssBeforeGrowth = []float64{30, 31, 29}
	r.vol.rssSettled = 180
	out := render(r)
	for _, want := range []string{
		"- RSS < 60 MB, default fixtures, after load: **MET** (50.0 MB once idle for 20s after the load; 120.0 MB right after this load run, holding 30024 bookings; idle before it 21.0 MB)",
		"- RSS < 60 MB, default fixtures, after a load that adds no bookings: **MET** (30.0 MB after get and list at 32 clients)",
		"the last run's mock left idle for 20s after its load (calmock gives spare memory back after 15 s without a request): 50.0 MB",
		"after the get and list load, before any operation that adds bookings: median 30.0 MB (runs: 30.0, 31.0, 29.0)",
		"right after the get and list load 500.0 MB, 20s after it 180.0 MB",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

// TestRender_Reset: with a reading after the reset, the default-fixtures RSS target is judged
// on it, and what the mock held before the reset is still shown beside it.
func TestRender_Reset(t *testing.T) {
	r := testReport()
	r.o.Settle = 20 * time.Second
	r.rssSettled = []float64{90}
	r.rssReset = []float64{28, 75, 27}
	out := render(r)
	for _, want := range []string{
		"- RSS < 60 MB, default fixtures, after load: **MET** (28.0 MB after the whole run and a reset to the default fixtures; before the reset: 90.0 MB once idle for 20s, 120.0 MB right after this load run, holding 30024 bookings; idle before it 21.0 MB)",
		"after the load run and `POST /_calmock/reset` (the bookings the run made dropped, the memory handed back): median 28.0 MB (runs: 28.0, 75.0, 27.0)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	r.rssReset = []float64{61, 75, 27}
	if out := render(r); !strings.Contains(out, "after load: **NOT MET** (61.0 MB after the whole run and a reset") {
		t.Errorf("a reset reading over the target is not judged NOT MET:\n%s", out)
	}
	if t.Failed() {
		t.Log(out)
	}
}

// TestRender_DurableClosedOnly: without a fixed-rate run (-durable-rate 0) the closed loop is
// all there is, and it is judged.
func TestRender_DurableClosedOnly(t *testing.T) {
	r := testReport()
	r.durable = &durableResult{closed: series{{rps: 4000, p99: 8}}}
	want := "- durable create (calmock -data) p99 < 10 ms, saturation: **MET** (closed loop, 32 clients: p99 8.00 ms at 4000 req/s)"
	if out := render(r); !strings.Contains(out, want) || strings.Contains(out, "no target: a closed loop") {
		t.Errorf("report lacks %q or still shows the closed loop as information:\n%s", want, out)
	}
}

func TestRender_Skipped(t *testing.T) {
	r := testReport()
	r.o.Rate, r.o.ListBookings, r.o.Bookings = 0, 0, 0
	for _, rw := range r.rows {
		rw.fixedMock, rw.fixedBare, rw.sweep = nil, nil, nil
	}
	r.list, r.vol = nil, nil
	r.durable = &durableResult{skipped: "bin/calmock has no -data flag"}
	out := render(r)
	for _, want := range []string{
		"- GET one booking p99 < 2 ms over 32 connections: **unmeasured**",
		"- list take=100 for one user among 10000 bookings p99 < 5 ms: **unmeasured** (-list-bookings 0)",
		"- durable create (calmock -data) p99 < 10 ms: **unmeasured** (bin/calmock has no -data flag)",
		"not measured: bin/calmock has no -data flag",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, unwanted := range []string{"Latency at a fixed rate", "GET latency by rate", "### List among", "memory per booking"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("report has %q, which was skipped", unwanted)
		}
	}
}

func TestRender_NotJudgedAtOtherCount(t *testing.T) {
	r := testReport()
	r.o.ListBookings = 1000
	if want := "among 10000 bookings p99 < 5 ms: **not judged** (measured among 1000 bookings"; !strings.Contains(render(r), want) {
		t.Errorf("report lacks %q", want)
	}
}

// Every table row has as many cells as its header.
func TestRender_TablesAreRectangular(t *testing.T) {
	var cells int
	for line := range strings.SplitSeq(render(testReport()), "\n") {
		if !strings.HasPrefix(line, "|") {
			cells = 0
			continue
		}
		n := strings.Count(line, "|")
		if cells == 0 {
			cells = n
		} else if n != cells {
			t.Errorf("row %q has %d separators, its header %d", line, n, cells)
		}
	}
}

// TestRender_GetVerdicts: the GET latency verdict compares the mock's limit with half the
// bare server's, counts a rate the server fell behind on as missed, and refuses to judge
// when the bare server never meets the bound.
func TestRender_GetVerdicts(t *testing.T) {
	pt := func(rate, mockP99, bareP99 float64, mockRPS float64) sweepPoint {
		return sweepPoint{rate: rate, mock: series{{rps: mockRPS, p99: mockP99}}, bare: series{{rps: rate, p99: bareP99}}}
	}
	for _, tc := range []struct {
		name  string
		sweep []sweepPoint
		want  string
	}{
		{"MockBelowHalf", []sweepPoint{pt(1000, 1.5, 0.5, 1000), pt(2000, 3, 0.6, 2000), pt(3000, 3, 0.7, 3000)},
			"**NOT MET** (open loop: p99 < 2 ms up to 1000 req/s for the mock, 3000 req/s for the bare server"},
		{"FellBehind", []sweepPoint{pt(1000, 1.5, 0.5, 600)},
			"**NOT MET** (open loop: p99 < 2 ms up to none of the rates for the mock, 1000 req/s for the bare server"},
		{"NoisyMachine", []sweepPoint{pt(1000, 2.5, 2.1, 1000)},
			"**not judged: the bare server itself is above the bound at every rate**"},
	} {
		r := testReport()
		r.rows[0].sweep = tc.sweep
		if out := render(r); !strings.Contains(out, tc.want) {
			t.Errorf("%s: report lacks %q:\n%s", tc.name, tc.want, out)
		}
	}
}

func TestRender_Steal(t *testing.T) {
	r := testReport()
	r.sweepSteal = []float64{3.6, 0.4, 2}
	r.list.fixedSteal = []float64{0.5, 1.5, 9}
	out := render(r)
	for _, want := range []string{
		"CPU time stolen by the hypervisor during the sweep: median 2.0% (runs: 3.6%, 0.4%, 2.0%)",
		"; hypervisor steal 2.0%)",
		"CPU time stolen by the hypervisor during the fixed-rate runs: median 1.5% (runs: 0.5%, 1.5%, 9.0%)",
		"p99 9.00 ms, achieved 200 req/s; hypervisor steal 1.5%)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// TestRender_Golden holds the whole report of testReport byte for byte: people and
// docs/performance.md read its wording and layout, so a change to either shows up here, in
// review, on purpose (go test ./internal/loadrun -run Golden -update).
func TestRender_Golden(t *testing.T) {
	got := render(testReport())
	path := filepath.Join("testdata", "report.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it with -update)", err)
	}
	if got != string(want) {
		t.Errorf("report differs from %s (rerun with -update if on purpose):\n%s", path, got)
	}
}
