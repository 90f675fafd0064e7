package loadrun

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/calmock/calmock/fixtures"
	"github.com/calmock/calmock/internal/loadgen"
	"github.com/calmock/calmock/profile"
)

// Run measures what o asks for and writes the markdown report to w (and to o.Out); progress
// lines go to progress. It stops every server it started, and removes its temporary files,
// before it returns, also when ctx is cancelled. The bare baseline server is the running binary
// itself, re-executed as ServeBare describes.
func Run(ctx context.Context, o Options, w, progress io.Writer) error {
	if err := o.Check(); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "calmock-load")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	rep := &report{o: o, when: time.Now().UTC()}
	for _, op := range o.Ops {
		rw := &row{op: op}
		if op == "get" {
			for _, rate := range o.GetRates {
				rw.sweep = append(rw.sweep, sweepPoint{rate: rate})
			}
		}
		rep.rows = append(rep.rows, rw)
	}
	var slot atomic.Int64
	for r := range o.Runs {
		fmt.Fprintf(progress, "run %d/%d\n", r+1, o.Runs)
		if err := oneRun(ctx, o, self, tmp, &slot, rep); err != nil {
			return err
		}
	}
	for _, rw := range rep.rows {
		if rw.allocs, err = inProcessAllocs(rw.op, o.Seed); err != nil {
			return fmt.Errorf("allocations of %s: %w", rw.op, err)
		}
	}
	if o.ListBookings > 0 {
		fmt.Fprintf(progress, "list among %d bookings\n", o.ListBookings)
		if rep.list, err = measureList(ctx, o, &slot); err != nil {
			return fmt.Errorf("list among %d bookings: %w", o.ListBookings, err)
		}
	}
	fmt.Fprintln(progress, "durable create")
	if rep.durable, err = measureDurable(ctx, o, tmp, &slot); err != nil {
		return fmt.Errorf("durable create: %w", err)
	}
	if o.Bookings > 0 {
		fmt.Fprintf(progress, "volume: %d bookings\n", o.Bookings)
		if rep.vol, err = measureVolume(ctx, o, &slot); err != nil {
			return err
		}
	}
	rep.machine = describeMachine(o)
	text := render(rep)
	if _, err := io.WriteString(w, text); err != nil {
		return err
	}
	if o.Out != "" {
		return os.WriteFile(o.Out, []byte(text), 0o644)
	}
	return nil
}

// oneRun starts a fresh default mock and the bare server, runs the closed-loop and the
// fixed-rate measurements of every operation, reads the memory figures, and stops both.
func oneRun(ctx context.Context, o Options, self, tmp string, slot *atomic.Int64, rep *report) error {
	mock, err := start(ctx, o.ServerCPUs, profile.Path, o.Calmock, o.mockArgs("-seed", strconv.FormatInt(o.Seed, 10))...)
	if err != nil {
		return err
	}
	defer mock.stop()
	rep.startups = append(rep.startups, ms(mock.startup))
	rep.rssIdle = append(rep.rssIdle, mock.rssMB())
	prof, err := fetchProfile(mock.base)
	if err != nil {
		return err
	}
	w := &world{prof: prof, slot: slot, now: time.Now().UTC()}
	before, err := bookingsOf(mock.base, w)
	if err != nil {
		return err
	}

	// Record one answer per operation for the bare server (same status, type, size).
	answers := map[string]canned{}
	for _, op := range o.Ops {
		if k := poolKind(op); k != "" {
			if err := w.fill(k, 1, httpDo(mock.base)); err != nil {
				return err
			}
		}
		status, body, err := httpDo(mock.base)(w.op(op).Next(0))
		if err != nil {
			return err
		}
		answers[op] = canned{Status: status, ContentType: "application/json; charset=utf-8", Body: body}
	}
	data, _ := json.Marshal(answers)
	cannedFile := filepath.Join(tmp, "canned.json")
	if err := os.WriteFile(cannedFile, data, 0o600); err != nil {
		return err
	}
	bare, err := start(ctx, o.ServerCPUs, "/", self, "-serve-bare", "-canned", cannedFile)
	if err != nil {
		return err
	}
	defer bare.stop()

	// both runs op against the mock and then the bare server, after filling the pool of
	// cancel and confirm (which also bounds their request count).
	both := func(op string, opt loadgen.Options) (m, b sample, err error) {
		if k := poolKind(op); k != "" {
			if err := w.fill(k, o.Pool, httpDo(mock.base)); err != nil {
				return m, b, err
			}
			opt.Requests = o.Pool
		}
		mr, err := measure(ctx, mock.base, w, op, opt)
		if err != nil {
			return m, b, err
		}
		br, err := measure(ctx, bare.base, w, op, opt)
		if err != nil {
			return m, b, err
		}
		return toSample(mr), toSample(br), ctx.Err()
	}
	fixed := func(rw *row) error {
		m, b, err := both(rw.op, loadgen.Options{Concurrency: o.Concurrency, Duration: o.Duration, Rate: o.Rate})
		rw.fixedMock, rw.fixedBare = append(rw.fixedMock, m), append(rw.fixedBare, b)
		return err
	}
	// GET's latency is judged on the mock as it starts, holding the default fixtures: before
	// the closed-loop create, cancel and confirm add tens of thousands of bookings (and the
	// collector has that much more to mark). Rates ascend, so a rate the server cannot keep
	// up with leaves no backlog to the next one.
	stealBefore, stealOK := readSteal()
	for _, rw := range rep.rows {
		for i := range rw.sweep {
			pt := &rw.sweep[i]
			m, b, err := both(rw.op, loadgen.Options{Concurrency: o.Concurrency, Duration: o.Duration, Rate: pt.rate})
			if err != nil {
				return err
			}
			pt.mock, pt.bare = append(pt.mock, m), append(pt.bare, b)
		}
	}
	if after, ok := readSteal(); stealOK && ok && len(o.GetRates) > 0 {
		rep.sweepSteal = append(rep.sweepSteal, after.since(stealBefore))
	}
	grown := false // whether an operation that adds bookings has run on this mock
	for _, rw := range rep.rows {
		if adds := rw.op != "get" && rw.op != "list"; adds && !grown {
			// The figure the load alone costs, before the run adds its own bookings.
			rep.rssBeforeGrowth = append(rep.rssBeforeGrowth, mock.rssMB())
			grown = true
		}
		m, b, err := both(rw.op, loadgen.Options{Concurrency: o.Concurrency, Duration: o.Duration})
		if err != nil {
			return err
		}
		rw.mock, rw.bare = append(rw.mock, m), append(rw.bare, b)
	}
	for _, rw := range rep.rows {
		if o.Rate == 0 || rw.op == "list" || rw.op == "get" {
			continue
		}
		if err := fixed(rw); err != nil {
			return err
		}
	}

	rep.rss = append(rep.rss, mock.rssMB())
	after, err := bookingsOf(mock.base, w)
	if err != nil {
		return err
	}
	set, err := fixtures.Default(o.Seed, w.now)
	if err != nil {
		return err
	}
	rep.held = append(rep.held, float64(len(set.Bookings)+after-before))
	if o.Settle > 0 && len(rep.rss) == o.Runs { // the last run only: it takes a while
		if err := sleep(ctx, o.Settle); err != nil {
			return err
		}
		rep.rssSettled = append(rep.rssSettled, mock.rssMB())
	}
	// Back to the default fixtures: what the mock keeps of a load run once the bookings the
	// run made are dropped. calmock's reset hands the freed memory back before it answers.
	status, body, err := httpDo(mock.base)(loadgen.Request{Method: http.MethodPost, Path: "/_calmock/reset"})
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("POST /_calmock/reset: status %d, err %v: %.200s", status, err, body)
	}
	rep.rssReset = append(rep.rssReset, mock.rssMB())
	return nil
}

// describeMachine is the machine line of the report: CPUs, Go version, and how the servers
// and the generator share the CPUs.
func describeMachine(o Options) string {
	pinned := "generator and servers share every CPU"
	if o.ServerCPUs != "" {
		pinned = fmt.Sprintf("servers pinned to CPUs %s, generator on %d CPU(s) (GOMAXPROCS %d)", o.ServerCPUs, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	}
	return fmt.Sprintf("%s, %s; %s", machineCPUs(), runtime.Version(), pinned)
}
