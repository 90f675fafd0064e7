package loadrun

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/calmock/calmock/internal/loadgen"
	"github.com/calmock/calmock/mockserver"
	"github.com/calmock/calmock/profile"
)

// inProcessAllocs runs the operation 200 times through an in-process mock (httptest
// recorder, no network) and returns heap allocations per request from runtime.MemStats: the
// handler's own cost, without net/http's server and client.
func inProcessAllocs(op string, seed int64) (float64, error) {
	srv, err := mockserver.New(mockserver.Config{Seed: seed})
	if err != nil {
		return 0, err
	}
	p := srv.Fixtures().Profile()
	// The profile endpoint fills in the past booking uid.
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, profile.Path, nil))
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		return 0, err
	}
	var slot atomic.Int64
	w := &world{prof: p, slot: &slot, now: time.Now().UTC()}
	do := func(r loadgen.Request) (int, []byte, error) {
		req := httptest.NewRequest(r.Method, r.Path, bytes.NewReader(r.Body))
		req.Header = r.Header.Clone()
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code, rec.Body.Bytes(), nil
	}
	const n = 200
	if k := poolKind(op); k != "" {
		if err := w.fill(k, n, do); err != nil {
			return 0, err
		}
	}
	o := w.op(op)
	reqs := make([]loadgen.Request, n)
	for i := range reqs {
		reqs[i] = o.Next(i)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for _, r := range reqs {
		if status, body, _ := do(r); status != o.Expect {
			return 0, fmt.Errorf("status %d: %s", status, body)
		}
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / n, nil
}

// startWithBookings starts calmock -bookings n. It returns the process and how it was started.
func startWithBookings(ctx context.Context, o Options, n int) (*process, string, error) {
	ns := strconv.Itoa(n)
	p, err := start(ctx, o.ServerCPUs, profile.Path, o.Calmock, o.mockArgs("-seed", strconv.FormatInt(o.Seed, 10), "-bookings", ns)...)
	return p, "calmock -bookings " + ns, err
}

// listResult is the list of the first user among many bookings.
type listResult struct {
	how string
	// held is how many of the bookings the first user sees (totalItems).
	held int
	// one: closed loop, 1 client; fixed: open loop at -list-rate over -c connections.
	one, fixed series
	// fixedSteal is, per fixed-rate run, the share of CPU time (%) the hypervisor took
	// (empty where /proc/stat cannot be read).
	fixedSteal []float64
}

// measureList starts one mock with o.ListBookings extra bookings and, -runs times, lists the
// first 100 bookings of the first user at 1 client (closed loop) and at -list-rate.
func measureList(ctx context.Context, o Options, slot *atomic.Int64) (*listResult, error) {
	p, how, err := startWithBookings(ctx, o, o.ListBookings)
	if err != nil {
		return nil, err
	}
	defer p.stop()
	prof, err := fetchProfile(p.base)
	if err != nil {
		return nil, err
	}
	w := &world{prof: prof, slot: slot, now: time.Now().UTC()}
	res := &listResult{how: how}
	if res.held, err = bookingsOf(p.base, w); err != nil {
		return nil, err
	}
	for range o.Runs {
		one, err := measure(ctx, p.base, w, "list", loadgen.Options{Concurrency: 1, Duration: o.Duration})
		if err != nil {
			return nil, err
		}
		res.one = append(res.one, toSample(one))
		if o.ListRate > 0 {
			before, stealOK := readSteal()
			fixed, err := measure(ctx, p.base, w, "list", loadgen.Options{Concurrency: o.Concurrency, Duration: o.Duration, Rate: o.ListRate})
			if err != nil {
				return nil, err
			}
			if after, ok := readSteal(); stealOK && ok {
				res.fixedSteal = append(res.fixedSteal, after.since(before))
			}
			res.fixed = append(res.fixed, toSample(fixed))
		}
	}
	return res, ctx.Err()
}

// durableResult is create against calmock -data.
type durableResult struct {
	// skipped says why nothing was measured ("" if measured).
	skipped string
	// closed: closed loop at -c clients; fixed: open loop at -durable-rate over -c connections.
	closed, fixed series
}

// measureDurable runs create against calmock -data <fresh file in tmp>, -runs times: closed
// loop at -c clients, then, on another fresh mock and file, open loop at -durable-rate. Each
// data file is removed once its mock has stopped.
func measureDurable(ctx context.Context, o Options, tmp string, slot *atomic.Int64) (*durableResult, error) {
	res := &durableResult{}
	if !hasFlag(o.Calmock, "data") {
		res.skipped = o.Calmock + " has no -data flag"
		return res, nil
	}
	once := func(name string, opt loadgen.Options) (sample, error) {
		file := filepath.Join(tmp, name+".db")
		defer os.Remove(file)
		p, err := start(ctx, o.ServerCPUs, profile.Path, o.Calmock, o.mockArgs("-seed", strconv.FormatInt(o.Seed, 10), "-data", file)...)
		if err != nil {
			return sample{}, err
		}
		defer p.stop() // before the deferred Remove
		prof, err := fetchProfile(p.base)
		if err != nil {
			return sample{}, err
		}
		w := &world{prof: prof, slot: slot, now: time.Now().UTC()}
		r, err := measure(ctx, p.base, w, "create", opt)
		if err != nil {
			return sample{}, err
		}
		return toSample(r), ctx.Err()
	}
	for r := range o.Runs {
		s, err := once(fmt.Sprintf("closed-%d", r), loadgen.Options{Concurrency: o.Concurrency, Duration: o.Duration})
		if err != nil {
			return nil, err
		}
		res.closed = append(res.closed, s)
		if o.DurableRate > 0 {
			s, err := once(fmt.Sprintf("fixed-%d", r), loadgen.Options{Concurrency: o.Concurrency, Duration: o.Duration, Rate: o.DurableRate})
			if err != nil {
				return nil, err
			}
			res.fixed = append(res.fixed, s)
		}
	}
	return res, nil
}

// volume is the measurement with many bookings.
type volume struct {
	how          string
	startup, rss float64
	rssIdle      float64 // after start-up, before any load
	rssSettled   float64 // after the load and o.Settle of quiet; 0 if not read
	get, list    sample
}

// measureVolume starts a mock holding o.Bookings extra bookings, reads start-up and idle RSS,
// runs get and list for one run, and reads RSS again.
func measureVolume(ctx context.Context, o Options, slot *atomic.Int64) (*volume, error) {
	p, how, err := startWithBookings(ctx, o, o.Bookings)
	if err != nil {
		return nil, err
	}
	defer p.stop()
	v := &volume{how: how, startup: ms(p.startup), rssIdle: p.rssMB()}
	prof, err := fetchProfile(p.base)
	if err != nil {
		return nil, err
	}
	w := &world{prof: prof, slot: slot, now: time.Now().UTC()}
	opt := loadgen.Options{Concurrency: o.Concurrency, Duration: o.Duration}
	g, err := measure(ctx, p.base, w, "get", opt)
	if err != nil {
		return nil, err
	}
	l, err := measure(ctx, p.base, w, "list", opt)
	if err != nil {
		return nil, err
	}
	v.get, v.list = toSample(g), toSample(l)
	v.rss = p.rssMB()
	if o.Settle > 0 {
		if err := sleep(ctx, o.Settle); err != nil {
			return nil, err
		}
		v.rssSettled = p.rssMB()
	}
	return v, ctx.Err()
}

// measure runs op against base. An open-loop run first opens its connections with a short
// closed-loop burst of get requests (two per connection, not measured) on the same client,
// so that the first requests of its schedule do not pay for dialling.
func measure(ctx context.Context, base string, w *world, op string, opt loadgen.Options) (loadgen.Result, error) {
	if opt.Rate > 0 && opt.Client == nil {
		n := max(opt.Concurrency, 1)
		opt.Client = loadgen.NewClient(n)
		warm := loadgen.Options{Concurrency: n, Requests: 2 * n, Client: opt.Client}
		if _, err := loadgen.Run(ctx, base, w.op("get"), warm); err != nil {
			return loadgen.Result{}, err
		}
	}
	return loadgen.Run(ctx, base, w.op(op), opt)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
