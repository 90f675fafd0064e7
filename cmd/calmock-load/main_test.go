package main

import (
	"math"
	"strings"
	"testing"
	"time"
)

// validOptions are the defaults of the flags.
func validOptions() options {
	return options{
		calmock: "bin/calmock", duration: 3 * time.Second, runs: 3, concurrency: 32,
		ops: []string{"get", "list", "create", "cancel", "confirm"}, bookings: 100_000, seed: 1, pool: 3000,
		rate: 5000, listRate: 200, durableRate: 1000, listBookings: 10_000,
	}
}

func TestCheckOptions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*options)
		want   string // "" for valid
	}{
		{"Defaults", func(*options) {}, ""},
		{"SkipOpenLoop", func(o *options) { o.rate, o.listRate, o.durableRate, o.listBookings, o.bookings = 0, 0, 0, 0, 0 }, ""},
		{"ZeroDuration", func(o *options) { o.duration = 0 }, "-duration must be positive"},
		{"ZeroRuns", func(o *options) { o.runs = 0 }, "-runs must be at least 1"},
		{"ZeroClients", func(o *options) { o.concurrency = 0 }, "-c must be at least 1"},
		{"ZeroPool", func(o *options) { o.pool = 0 }, "-pool must be at least 1"},
		{"NegativeRate", func(o *options) { o.rate = -1 }, "-rate must be 0 (skip) or a positive number"},
		{"NaNListRate", func(o *options) { o.listRate = math.NaN() }, "-list-rate must be"},
		{"InfDurableRate", func(o *options) { o.durableRate = math.Inf(1) }, "-durable-rate must be"},
		{"NegativeListBookings", func(o *options) { o.listBookings = -1 }, "-list-bookings must be 0 (skip) or positive"},
		{"EmptyOps", func(o *options) { o.ops = []string{""} }, "-ops is empty"},
		{"UnknownOp", func(o *options) { o.ops = []string{"get", "delete"} }, `unknown operation "delete"`},
		{"DuplicateOp", func(o *options) { o.ops = []string{"get", "get"} }, `"get" twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := validOptions()
			tc.change(&o)
			err := checkOptions(o)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(tc.xs); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.xs, got, tc.want)
		}
	}
}

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
		o:    validOptions(),
		when: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC),
		rows: []*row{
			{op: "get", mock: series{{rps: 9000, p50: 2, p99: 10}}, bare: series{{rps: 16000, p50: 1, p99: 7}},
				fixedMock: series{fast}, fixedBare: series{{rps: 5000, p99: 0.8}}, allocs: 82},
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
		"- GET one booking p99 < 2 ms: **MET** (open loop, 5000 req/s over 32 connections: p99 1.20 ms, achieved 5000 req/s; the bare server's p99 at the same rate 0.80 ms)",
		"- create >= 30% of bare: **NOT MET** (closed loop, 32 clients: ratio 0.25)",
		"- list take=100 for one user among 10000 bookings p99 < 5 ms, 1 client: **MET** (closed loop, 1 client: p99 4.50 ms, p50 3.00 ms; the user sees 3345 bookings)",
		"- list take=100 for one user among 10000 bookings p99 < 5 ms, fixed rate: **NOT MET** (open loop, 200 req/s over 32 connections: p99 9.00 ms, achieved 200 req/s)",
		"- durable create (calmock -data) p99 < 10 ms, fixed rate: **NOT MET** (open loop, 1000 req/s over 32 connections: p99 120.00 ms, achieved 300 req/s (did not keep up: 2100 unsent, 800 late))",
		"- durable create (calmock -data) p99 < 10 ms, saturation: **NOT MET** (closed loop, 32 clients: p99 300.00 ms at 250 req/s)",
		"- start-up < 300 ms: **MET** (default fixtures: 60 ms)",
		"- RSS < 60 MB, default fixtures, after load: **NOT MET** (120.0 MB right after this load run, holding 30024 bookings; idle before it 21.0 MB)",
		"- RSS < 400 MB with 100000 bookings, idle: **MET** (221.0 MB after start-up)",
		"- RSS < 400 MB with 100000 bookings, after load: **NOT MET** (500.0 MB right after get and list at 32 clients)",
		"- memory per booking (no target): 2.05 KB, from idle RSS with 100000 extra bookings and with none",
		// The sections.
		"| get | mock | 15000 | 5000 | 0.30 | 1.20 | 3.00 | 9.00 | 0 | 0 | 0 |",
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
	r.o.settle = 20 * time.Second
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

func TestRender_Skipped(t *testing.T) {
	r := testReport()
	r.o.rate, r.o.listBookings, r.o.bookings = 0, 0, 0
	for _, rw := range r.rows {
		rw.fixedMock, rw.fixedBare = nil, nil
	}
	r.list, r.vol = nil, nil
	r.durable = &durableResult{skipped: "bin/calmock has no -data flag"}
	out := render(r)
	for _, want := range []string{
		"- GET one booking p99 < 2 ms: **unmeasured**",
		"- list take=100 for one user among 10000 bookings p99 < 5 ms: **unmeasured** (-list-bookings 0)",
		"- durable create (calmock -data) p99 < 10 ms: **unmeasured** (bin/calmock has no -data flag)",
		"not measured: bin/calmock has no -data flag",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, unwanted := range []string{"Latency at a fixed rate", "### List among", "memory per booking"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("report has %q, which was skipped", unwanted)
		}
	}
}

func TestRender_NotJudgedAtOtherCount(t *testing.T) {
	r := testReport()
	r.o.listBookings = 1000
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
