package loadrun

import (
	"slices"
	"time"

	"github.com/calmock/calmock/internal/loadgen"
)

// sample is one measurement.
type sample struct {
	rps                 float64
	p50, p99, p999, max float64 // ms
	requests, errors    int
	late, unsent        int // open loop only
	firstError          string
}

func toSample(r loadgen.Result) sample {
	return sample{
		rps: r.RPS(), requests: r.Requests, errors: r.Errors, firstError: r.FirstError,
		p50: ms(r.Latency.Quantile(0.50)), p99: ms(r.Latency.Quantile(0.99)),
		p999: ms(r.Latency.Quantile(0.999)), max: ms(r.Latency.Max()),
		late: r.Late, unsent: r.Unsent,
	}
}

// series is one measurement repeated, once per run.
type series []sample

func (ss series) med(f func(sample) float64) float64 {
	xs := make([]float64, len(ss))
	for i, s := range ss {
		xs[i] = f(s)
	}
	return median(xs)
}

func (ss series) rps() float64  { return ss.med(func(s sample) float64 { return s.rps }) }
func (ss series) p50() float64  { return ss.med(func(s sample) float64 { return s.p50 }) }
func (ss series) p99() float64  { return ss.med(func(s sample) float64 { return s.p99 }) }
func (ss series) p999() float64 { return ss.med(func(s sample) float64 { return s.p999 }) }
func (ss series) max() float64  { return ss.med(func(s sample) float64 { return s.max }) }
func (ss series) requests() float64 {
	return ss.med(func(s sample) float64 { return float64(s.requests) })
}
func (ss series) late() float64   { return ss.med(func(s sample) float64 { return float64(s.late) }) }
func (ss series) unsent() float64 { return ss.med(func(s sample) float64 { return float64(s.unsent) }) }

// errors sums the errors of every run and returns the first error message.
func (ss series) errors() (int, string) {
	n, first := 0, ""
	for _, s := range ss {
		n += s.errors
		if first == "" {
			first = s.firstError
		}
	}
	return n, first
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ratio is a/b, or 0 when b is not positive (a server that answered nothing).
func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
