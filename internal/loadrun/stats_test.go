package loadrun

import (
	"testing"
	"time"

	"github.com/calmock/calmock/internal/loadgen"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(tc.xs); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.xs, got, tc.want)
		}
	}
	xs := []float64{3, 1, 2}
	median(xs)
	if xs[0] != 3 || xs[1] != 1 || xs[2] != 2 {
		t.Errorf("median reordered its argument: %v", xs)
	}
}

// Each figure of a series is the median of that figure over the runs, taken on its own: the
// run with the median throughput need not be the one with the median p99.
func TestSeries_Medians(t *testing.T) {
	ss := series{
		{rps: 100, p50: 1, p99: 9, p999: 20, max: 30, requests: 300, late: 0, unsent: 5},
		{rps: 300, p50: 3, p99: 2, p999: 10, max: 90, requests: 900, late: 7, unsent: 0},
		{rps: 200, p50: 2, p99: 4, p999: 40, max: 60, requests: 600, late: 3, unsent: 1},
	}
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{"rps", ss.rps(), 200}, {"p50", ss.p50(), 2}, {"p99", ss.p99(), 4}, {"p999", ss.p999(), 20},
		{"max", ss.max(), 60}, {"requests", ss.requests(), 600}, {"late", ss.late(), 3}, {"unsent", ss.unsent(), 1},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if got := (series{}).p99(); got != 0 {
		t.Errorf("p99 of no run = %v, want 0", got)
	}
}

func TestSeries_Errors(t *testing.T) {
	n, first := series{{errors: 0}, {errors: 2, firstError: "status 500"}, {errors: 1, firstError: "EOF"}}.errors()
	if n != 3 || first != "status 500" {
		t.Errorf("errors = %d, %q, want 3 in all and the first run's message that has one", n, first)
	}
}

func TestRatio(t *testing.T) {
	if got := ratio(50, 200); got != 0.25 {
		t.Errorf("ratio(50, 200) = %v", got)
	}
	if got := ratio(50, 0); got != 0 {
		t.Errorf("ratio over a server that answered nothing = %v, want 0", got)
	}
}

func TestToSample(t *testing.T) {
	var h loadgen.Histogram
	for range 99 {
		h.Record(time.Millisecond)
	}
	h.Record(50 * time.Millisecond)
	s := toSample(loadgen.Result{Requests: 100, Errors: 2, FirstError: "EOF", Elapsed: 2 * time.Second, Latency: &h, Late: 3, Unsent: 4})
	if s.rps != 50 || s.requests != 100 || s.errors != 2 || s.firstError != "EOF" || s.late != 3 || s.unsent != 4 {
		t.Errorf("counts: got %+v", s)
	}
	// The histogram's buckets round quantiles; their order and their unit (ms) are exact.
	if s.max != 50 || s.p50 < 0.9 || s.p50 > 1.1 || s.p99 > 1.1 || s.p999 < 45 {
		t.Errorf("latencies in ms: p50 %v, p99 %v, p99.9 %v, max %v; want about 1, 1, 50, 50", s.p50, s.p99, s.p999, s.max)
	}
}
