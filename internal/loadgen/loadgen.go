// Package loadgen is a small HTTP load generator with two modes.
//
// Closed loop (the default): N clients each send a request, wait for the whole answer, and
// send the next, for a duration or a number of requests. This finds the throughput at
// saturation; its latencies are mostly queueing (mean latency = clients / throughput).
//
// Open loop (Options.Rate > 0): requests are due at a fixed rate whatever the server does,
// N workers (connections) send them in order, and a request's latency runs from when it was
// due, not from when a worker got to send it. A server that stalls therefore shows the stall
// in every request that waited behind it instead of hiding it by sending less ("coordinated
// omission", the correction wrk2 makes). This is how a latency target is judged: at an
// offered rate below saturation.
//
// Latencies go into a log-linear histogram (about 3% precision) from which Run reports
// quantiles; throughput is requests completed over wall time. It exists for calmock's
// benchmark harness (cmd/calmock-load) and has no dependencies beyond the standard library.
package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Request is one request to send. Path is appended to the base URL given to Run.
type Request struct {
	Method string
	Path   string
	Header http.Header
	// Body is sent as is; nil sends no body.
	Body []byte
}

// Op is one kind of request, e.g. "GET one booking".
type Op struct {
	Name string
	// Next returns the request to send as the seq-th of the run (0, 1, 2…, across all
	// clients). It is called concurrently and must be safe for that.
	Next func(seq int) Request
	// Expect is the status a successful answer has. Anything else counts as an error.
	Expect int
}

// LateAfter is how long after it was due an open-loop request may be sent before it counts
// in Result.Late. The pacer itself wakes about 0.1 ms late on Linux (a timerfd) and up to a
// millisecond elsewhere (Go timers on an idle runtime), so a smaller bound would flag timer
// slack rather than workers falling behind.
const LateAfter = time.Millisecond

// Options bound a run. The zero value of a field means its default.
type Options struct {
	// Concurrency is the number of clients (closed loop) or workers (open loop), each with
	// at most one request in flight. Default 1.
	Concurrency int
	// Duration stops the run after this long. Zero means no time bound (Requests must be set).
	// Open loop: only requests due before Duration are sent; those still waiting for a worker
	// when it ends are not sent (Result.Unsent), and those in flight are waited for.
	Duration time.Duration
	// Requests stops the run after this many requests. Zero means no count bound.
	Requests int
	// Rate, when positive, makes the run open-loop at this many requests per second in total:
	// request i is due at start + i/Rate. Zero means closed loop.
	Rate float64
	// Client sends the requests. Nil means a client whose transport keeps Concurrency idle
	// connections to the host, without compression.
	Client *http.Client
}

// Result is what a run measured.
type Result struct {
	Op string
	// Requests completed (successes and errors); Errors those with an unexpected status or
	// a transport error, FirstError the first such error.
	Requests, Errors int
	FirstError       string
	// Elapsed is the wall time from the first request to the last answer.
	Elapsed time.Duration
	// Latency holds the latency of every completed request: from its send (closed loop) or
	// from when it was due (open loop).
	Latency *Histogram

	// Open loop only (Options.Rate > 0); zero or nil otherwise.
	//
	// Rate is the target rate. Service holds the latency from the actual send, what a
	// closed-loop tool would report; Lag how long after it was due each request was sent.
	// Late counts the requests sent more than LateAfter after they were due, Unsent those due
	// within Duration that no worker got to before it ended. A run whose RPS falls short of
	// Rate, or with Unsent > 0, did not keep up: the workers were all busy (or the machine
	// was), and its latencies show the resulting queue.
	Rate         float64
	Service, Lag *Histogram
	Late, Unsent int
}

// RPS is the throughput in requests per second.
func (r Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// NewClient returns the default client of Run for n concurrent clients.
func NewClient(n int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			MaxIdleConns:        n,
			MaxIdleConnsPerHost: n,
			DisableCompression:  true,
			IdleConnTimeout:     30 * time.Second,
		},
		Timeout: 30 * time.Second,
	}
}

// Run sends op's requests to base (e.g. "http://127.0.0.1:8080") until the duration or the
// request count is reached, or ctx is done. It returns an error only for bad options; failed
// requests are counted in the Result.
func Run(ctx context.Context, base string, op Op, opt Options) (Result, error) {
	if opt.Duration <= 0 && opt.Requests <= 0 {
		return Result{}, errors.New("loadgen: set Duration or Requests")
	}
	if op.Next == nil {
		return Result{}, errors.New("loadgen: op has no Next")
	}
	if opt.Rate < 0 || math.IsNaN(opt.Rate) || math.IsInf(opt.Rate, 0) {
		return Result{}, fmt.Errorf("loadgen: rate %v: want 0 (closed loop) or a positive finite number", opt.Rate)
	}
	n := max(opt.Concurrency, 1)
	client := opt.Client
	if client == nil {
		client = NewClient(n)
	}
	if opt.Rate > 0 {
		return runOpen(ctx, client, base, op, opt, n), nil
	}
	if opt.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opt.Duration)
		defer cancel()
	}

	var seq atomic.Int64
	hists := make([]*Histogram, n)
	errs := make([]int, n)
	var firstErr sync.Once
	res := Result{Op: op.Name}
	start := time.Now()
	var wg sync.WaitGroup
	for w := range n {
		hists[w] = &Histogram{}
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(seq.Add(1) - 1)
				if opt.Requests > 0 && i >= opt.Requests {
					return
				}
				req := op.Next(i)
				t0 := time.Now()
				err := send(ctx, client, base, req, op.Expect)
				if err != nil && ctx.Err() != nil {
					return // cut off by the deadline: not an error, and not a completed request
				}
				hists[w].Record(time.Since(t0))
				if err != nil {
					errs[w]++
					firstErr.Do(func() { res.FirstError = err.Error() })
				}
			}
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.Latency = &Histogram{}
	for w := range n {
		res.Latency.Merge(hists[w])
		res.Errors += errs[w]
	}
	res.Requests = int(res.Latency.Count())
	return res, nil
}

// worker is what one open-loop worker measured.
type worker struct {
	latency, service, lag Histogram
	errors, late          int
}

// runOpen is Run with opt.Rate > 0 (see Options.Rate). One pacer goroutine hands each
// request to a free worker when it is due; when every worker is busy the pacer waits, and
// the requests due meanwhile are sent late, their latency still counted from when they were
// due.
func runOpen(ctx context.Context, client *http.Client, base string, op Op, opt Options, n int) Result {
	interval := float64(time.Second) / opt.Rate
	due := func(i int) time.Duration { return time.Duration(float64(i) * interval) }
	// limit is the number of requests the schedule holds (Run checked that one bound is set).
	limit := opt.Requests
	if opt.Duration > 0 {
		if d := dueWithin(opt.Duration, due); limit == 0 || d < limit {
			limit = d
		}
	}

	type job struct {
		i  int
		at time.Time
	}
	jobs := make(chan job)
	ws := make([]*worker, n)
	var firstErr sync.Once
	res := Result{Op: op.Name, Rate: opt.Rate}
	var wg sync.WaitGroup
	for k := range n {
		w := &worker{}
		ws[k] = w
		wg.Go(func() {
			for j := range jobs {
				req := op.Next(j.i)
				sent := time.Now()
				// The caller's ctx, not the Duration: requests in flight at the end are
				// waited for (the client's timeout bounds them), so the slowest are not
				// dropped.
				err := send(ctx, client, base, req, op.Expect)
				if err != nil && ctx.Err() != nil {
					return // the caller gave up: not a completed request
				}
				done := time.Now()
				lag := sent.Sub(j.at)
				w.latency.Record(done.Sub(j.at))
				w.service.Record(done.Sub(sent))
				w.lag.Record(lag)
				if lag > LateAfter {
					w.late++
				}
				if err != nil {
					w.errors++
					firstErr.Do(func() { res.FirstError = err.Error() })
				}
			}
		})
	}

	start := time.Now()
	// ended closes when Duration is over: a request not handed to a worker by then is not
	// sent. Without a Duration it never closes.
	ended := make(chan struct{})
	if opt.Duration > 0 {
		t := time.AfterFunc(opt.Duration, func() { close(ended) })
		defer t.Stop()
	}
	sl := newSleeper()
	defer func() { sl.close() }()
pace:
	for i := 0; i < limit; i++ {
		at := start.Add(due(i))
		if err := sl.sleep(ctx, time.Until(at)); err != nil {
			if ctx.Err() != nil {
				break
			}
			// The timerfd failed (it should not): finish with Go timers.
			sl.close()
			sl = timerSleeper{}
			if sl.sleep(ctx, time.Until(at)) != nil {
				break
			}
		}
		select {
		case jobs <- job{i, at}:
		case <-ended:
			break pace
		case <-ctx.Done():
			break pace
		}
	}
	close(jobs)
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.Latency, res.Service, res.Lag = &Histogram{}, &Histogram{}, &Histogram{}
	for _, w := range ws {
		res.Latency.Merge(&w.latency)
		res.Service.Merge(&w.service)
		res.Lag.Merge(&w.lag)
		res.Errors += w.errors
		res.Late += w.late
	}
	res.Requests = int(res.Latency.Count())
	res.Unsent = limit - res.Requests
	return res
}

// sleeper waits for the open-loop pacer. sleep returns early with ctx's error when ctx is
// done; close releases what the sleeper holds.
type sleeper interface {
	sleep(ctx context.Context, d time.Duration) error
	close()
}

// timerSleeper sleeps on Go timers: precise on a busy runtime, up to a millisecond late on
// an idle one.
type timerSleeper struct{}

func (timerSleeper) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (timerSleeper) close() {}

// dueWithin returns how many requests i = 0, 1, 2… have due(i) < d (due is increasing).
func dueWithin(d time.Duration, due func(int) time.Duration) int {
	lo, hi := 0, 1 // due(lo-1) < d, the answer is in [lo, hi]
	for due(hi) < d {
		lo, hi = hi+1, hi*2
	}
	for lo < hi { // smallest i in [lo, hi] with due(i) >= d
		mid := lo + (hi-lo)/2
		if due(mid) < d {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// send performs one request and reads the whole answer.
func send(ctx context.Context, client *http.Client, base string, r Request, expect int) error {
	var body io.Reader = http.NoBody
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, base+r.Path, body)
	if err != nil {
		return err
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != expect {
		return fmt.Errorf("%s %s: status %d, want %d", r.Method, r.Path, resp.StatusCode, expect)
	}
	return nil
}

// ---------------------------------------------------------------------------------------
// Histogram
// ---------------------------------------------------------------------------------------

// subBits sets the precision: 2^(subBits-1) buckets per power of two, so a recorded value
// is off by at most 1/32 (about 3%) of itself.
const subBits = 6

const subCount = 1 << subBits // values below it get a bucket each

// Histogram counts durations (in nanoseconds) in log-linear buckets. The zero value is
// empty and ready; it is not safe for concurrent use (Run keeps one per client).
type Histogram struct {
	counts [64 * subCount / 2]uint64
	n      uint64
	max    time.Duration
}

func bucketOf(v uint64) int {
	if v < subCount {
		return int(v)
	}
	e := bits.Len64(v) - subBits // v >> e is in [subCount/2, subCount)
	return e*subCount/2 + int(v>>e)
}

// bucketLow is the smallest value of bucket i.
func bucketLow(i int) uint64 {
	if i < subCount {
		return uint64(i)
	}
	e := i/(subCount/2) - 1
	m := uint64(i%(subCount/2) + subCount/2)
	return m << e
}

// Record adds one duration (negative ones count as 0).
func (h *Histogram) Record(d time.Duration) {
	v := uint64(max(d, 0))
	h.counts[bucketOf(v)]++
	h.n++
	h.max = max(h.max, d)
}

// Merge adds every count of o to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// Count is the number of recorded durations.
func (h *Histogram) Count() uint64 { return h.n }

// Max is the largest recorded duration.
func (h *Histogram) Max() time.Duration { return h.max }

// Quantile returns the q-quantile (0 < q ≤ 1) of the recorded durations: the upper end of
// the bucket holding it, capped at Max. It returns 0 when nothing was recorded.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q * float64(h.n))
	if float64(rank) < q*float64(h.n) || rank == 0 {
		rank++ // ceil, and at least the first value
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			hi := time.Duration(bucketLow(i+1) - 1)
			return min(hi, h.max)
		}
	}
	return h.max
}
