// Command calmock-load is the loopback load run of `make bench` (issue 6). It starts a built
// calmock (-rate-limit 0, a free port on 127.0.0.1, otherwise default flags) and a bare
// net/http server that answers every request with a canned body of the same size as the
// mock's answer to it, drives both with internal/loadgen, and prints a markdown report, each
// figure the median of -runs runs:
//
//   - closed loop at saturation (-c clients, each sending as fast as it can): requests/s,
//     p50/p99, allocations per request and the ratio to the bare baseline. Its latencies are
//     mostly queueing, so it judges throughput, not latency targets;
//   - open loop at a fixed rate below saturation (-rate requests/s over -c connections),
//     latency from each request's due time: p50/p99/p99.9/max for the mock and the bare server;
//     GET at each of -get-rates instead, and the highest of them at which each server keeps
//     its p99 under 2 ms (throughput under a latency bound);
//   - the list of the first user among -list-bookings bookings, at 1 client and at -list-rate;
//   - create with durable state (calmock -data), closed loop and at -durable-rate;
//   - start-up (exec to first successful answer) and resident memory (VmRSS): idle and after
//     the load with the default fixtures (and how many bookings the mock then held), and idle
//     with -bookings extra ones, from which memory per booking follows.
//
// Each run starts a fresh mock, so runs do not inherit each other's bookings. Every server
// listens on 127.0.0.1 only and is stopped, and every temporary file removed, on any exit.
//
// Mode used internally (the same binary, re-executed): -serve-bare.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/calmock/calmock/fixtures"
	"github.com/calmock/calmock/internal/loadgen"
	"github.com/calmock/calmock/mockserver"
	"github.com/calmock/calmock/profile"
)

// opHeader names the operation of a request, so that the bare server knows which canned
// answer to give. The mock ignores it.
const opHeader = "X-Calmock-Load-Op"

type options struct {
	calmock     string
	duration    time.Duration
	runs        int
	concurrency int
	ops         []string
	bookings    int
	seed        int64
	pool        int
	out         string
	// rate, listRate and durableRate are the open-loop rates (requests/s; 0 skips that
	// measurement); listBookings the bookings of the list measurement (0 skips it).
	rate, listRate, durableRate float64
	listBookings                int
	// getRates are the open-loop rates of GET, ascending (empty: not measured).
	getRates []float64
	// settle is how long to leave a mock idle after its load before reading VmRSS again:
	// calmock gives spare memory back after -idle-release (15 s) without a request, noticed
	// within a quarter of that on either side: so at most 22.5 s after the last request.
	settle time.Duration
	// mockFlags are extra calmock flags for every mock started (experiments: e.g.
	// "-gc-headroom 0 -idle-release 0"); empty means calmock's defaults.
	mockFlags []string

	serveBare    bool
	addr, canned string
}

// The targets of issue 6 that a figure of this report judges.
const (
	targetGetP99     = 2.0 // ms, GET /v2/bookings/{uid}
	targetListP99    = 5.0 // ms, list take=100 for one user among targetListAmong bookings
	targetListAmong  = 10_000
	targetDurableP99 = 10.0 // ms, create with -data
	targetRSSDefault = 60.0 // MB, default fixtures, after load
	targetRSSVolume  = 400.0
	targetVolume     = 100_000 // bookings of targetRSSVolume
)

// defaultGetRates sweep GET from well below to around the bare server's comfortable limit on
// the 2-core machine this was written on.
var defaultGetRates = []float64{1000, 2000, 3000, 4000, 5000}

// parseRates reads -get-rates: positive numbers separated by commas, returned ascending.
func parseRates(v string) ([]float64, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var rates []float64
	for _, f := range strings.Split(v, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || r <= 0 || math.IsInf(r, 0) {
			return nil, fmt.Errorf("%q is not a positive number of requests/s", strings.TrimSpace(f))
		}
		if slices.Contains(rates, r) {
			return nil, fmt.Errorf("rate %v twice", r)
		}
		rates = append(rates, r)
	}
	slices.Sort(rates)
	return rates, nil
}

func main() {
	var o options
	var ops string
	flag.StringVar(&o.calmock, "calmock", "bin/calmock", "calmock `binary` to start")
	flag.DurationVar(&o.duration, "duration", 3*time.Second, "length of each measurement (one operation, one server, one run)")
	flag.IntVar(&o.runs, "runs", 3, "runs per measurement; the report shows the median")
	flag.IntVar(&o.concurrency, "c", 32, "concurrent clients (closed loop) and connections (open loop)")
	flag.StringVar(&ops, "ops", "get,list,create,cancel,confirm", "comma-separated operations: "+strings.Join(opNames, ","))
	flag.IntVar(&o.bookings, "bookings", 100_000, "extra bookings for the volume measurement (start-up, idle RSS and so memory per booking, get and list); 0 skips it")
	flag.Int64Var(&o.seed, "seed", 1, "fixture seed")
	flag.IntVar(&o.pool, "pool", 3000, "bookings created before each cancel/confirm measurement; bounds its request count")
	flag.StringVar(&o.out, "out", "", "also write the markdown report to this `file`")
	flag.Float64Var(&o.rate, "rate", 5000, "open-loop latency run: requests/s in total, over -c connections, for create, cancel and confirm, against the mock and the bare server; latency counts from when each request was due; 0 skips it")
	o.getRates = defaultGetRates
	flag.Func("get-rates", fmt.Sprintf("open-loop latency runs of get: comma-separated `rates` (requests/s over -c connections), against the mock and the bare server, each judged on p99 < %.0f ms; \"\" skips them (default %s)", targetGetP99, join(defaultGetRates, "%v")), func(v string) (err error) {
		o.getRates, err = parseRates(v)
		return err
	})
	flag.IntVar(&o.listBookings, "list-bookings", targetListAmong, "list measurement: start calmock -bookings `N` and list take=100 as the first user (~1/3 of them) at 1 client and at -list-rate; 0 skips it")
	flag.Float64Var(&o.listRate, "list-rate", 200, "list measurement: open-loop requests/s over -c connections; 0 runs only the 1-client measurement")
	flag.DurationVar(&o.settle, "settle", 25*time.Second, "after the last run's load (and the volume load), leave the mock idle this long and read VmRSS again (calmock gives spare memory back after 15 s without a request); 0 skips that reading")
	flag.StringVar(&serverCPUs, "server-cpus", "", "run every server (mock and bare) on these `CPUs` (taskset -c list, e.g. 1) so that they do not share cores with the load generator; pin the generator itself with e.g. taskset -c 0 calmock-load …")
	flag.Func("mock-flags", "extra `flags` for every calmock started, space-separated (e.g. \"-gc-headroom 0 -idle-release 0\"); default none: calmock's defaults besides -rate-limit 0", func(v string) error {
		o.mockFlags = strings.Fields(v)
		return nil
	})
	flag.Float64Var(&o.durableRate, "durable-rate", 1000, "durable create (calmock -data <temp file>): open-loop requests/s over -c connections, after the closed-loop run at -c clients; 0 runs only the closed loop")
	flag.BoolVar(&o.serveBare, "serve-bare", false, "internal: serve canned answers (-canned) on -addr")
	flag.StringVar(&o.addr, "addr", "127.0.0.1:0", "internal: address for -serve-bare")
	flag.StringVar(&o.canned, "canned", "", "internal: canned answers file for -serve-bare")
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `calmock-load: the loopback load run of make bench (issue 6); see docs/performance.md.

Usage:
  calmock-load [flags]

Starts bin/calmock (and a bare net/http server as the baseline) on 127.0.0.1 and prints a
markdown report: throughput at saturation (closed loop), latency at fixed rates (open loop),
list among many bookings, durable create, start-up and memory. The default run takes a few
minutes; -duration 1s -runs 1 is a quick check.

Flags:
`)
		flag.PrintDefaults()
	}
	flag.Parse()
	o.ops = strings.Split(ops, ",")

	var err error
	switch {
	case o.serveBare:
		err = serveBare(o.addr, o.canned)
	default:
		if err = checkOptions(o); err == nil {
			err = run(o)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "calmock-load:", err)
		os.Exit(1)
	}
}

// checkOptions validates the flags of a load run.
func checkOptions(o options) error {
	if o.duration <= 0 {
		return fmt.Errorf("-duration must be positive, got %s", o.duration)
	}
	if o.runs < 1 {
		return fmt.Errorf("-runs must be at least 1, got %d", o.runs)
	}
	if o.concurrency < 1 {
		return fmt.Errorf("-c must be at least 1, got %d", o.concurrency)
	}
	if o.pool < 1 {
		return fmt.Errorf("-pool must be at least 1, got %d", o.pool)
	}
	if o.settle < 0 {
		return fmt.Errorf("-settle must be 0 (skip) or positive, got %s", o.settle)
	}
	if o.bookings < 0 || o.listBookings < 0 {
		return fmt.Errorf("-bookings and -list-bookings must be 0 (skip) or positive, got %d and %d", o.bookings, o.listBookings)
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"-rate", o.rate}, {"-list-rate", o.listRate}, {"-durable-rate", o.durableRate}} {
		if r.v < 0 || math.IsNaN(r.v) || math.IsInf(r.v, 0) {
			return fmt.Errorf("%s must be 0 (skip) or a positive number of requests/s, got %v", r.name, r.v)
		}
	}
	if len(o.ops) == 0 || len(o.ops) == 1 && o.ops[0] == "" {
		return errors.New("-ops is empty")
	}
	for i, op := range o.ops {
		if !slices.Contains(opNames, op) {
			return fmt.Errorf("-ops: unknown operation %q (known: %s)", op, strings.Join(opNames, ", "))
		}
		if slices.Contains(o.ops[:i], op) {
			return fmt.Errorf("-ops: %q twice", op)
		}
	}
	return nil
}

// ---------------------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------------------

// canned is one recorded answer of the mock.
type canned struct {
	Status      int    `json:"status"`
	ContentType string `json:"contentType"`
	Body        []byte `json:"body"`
}

// serveBare answers each request with the canned answer of its operation: the baseline of
// what net/http alone costs for the same bytes.
func serveBare(addr, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	answers := map[string]canned{}
	if err := json.Unmarshal(data, &answers); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		a, ok := answers[r.Header.Get(opHeader)]
		if !ok {
			// Readiness probes and unknown operations.
			w.WriteHeader(http.StatusOK)
			return
		}
		w.Header().Set("Content-Type", a.ContentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(a.Body)))
		w.WriteHeader(a.Status)
		_, _ = w.Write(a.Body)
	})
	return serve(addr, h)
}

func serve(addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); _ = s.Close() }()
	if err := s.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// process is a started server. The caller must call stop.
type process struct {
	cmd     *exec.Cmd
	base    string
	startup time.Duration // exec to first successful answer
	exited  chan struct{} // closed when the process has exited and been waited for
}

// serverCPUs is -server-cpus: the CPU list servers are pinned to, or "" (not pinned).
var serverCPUs string

// start execs name args… with -addr 127.0.0.1:<free port> appended and waits until probe
// answers 200.
func start(ctx context.Context, probe string, name string, args ...string) (*process, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	args = append(args, "-addr", addr)
	if serverCPUs != "" {
		// taskset execs the server in its place (same pid, so VmRSS is still the server's).
		name, args = "taskset", append([]string{"-c", serverCPUs, name}, args...)
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout = io.Discard
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, base: "http://" + addr, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	client := &http.Client{Timeout: time.Second}
	for deadline := t0.Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		resp, err := client.Get(p.base + probe)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.startup = time.Since(t0)
				return p, nil
			}
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("%s exited before answering on %s: %s", name, addr, strings.TrimSpace(stderr.String()))
		default:
		}
	}
	p.stop()
	return nil, fmt.Errorf("%s did not answer on %s within 60 s: %s", name, addr, strings.TrimSpace(stderr.String()))
}

// stop interrupts the process and waits for it to exit, killing it after 5 s.
func (p *process) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// rssMB reads VmRSS of the process from /proc.
func (p *process) rssMB() float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// ---------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------

var opNames = []string{"get", "list", "create", "cancel", "confirm"}

// world is what the operations need to know about a mock: its profile and, for cancel and
// confirm, a pool of fresh bookings.
type world struct {
	prof profile.Profile
	// slot numbers free hours for creates, shared by every create of the process: creates
	// of one run never collide, and each run starts a fresh mock.
	slot *atomic.Int64
	now  time.Time
	pool []string
}

func (w *world) headers(op string) http.Header {
	return http.Header{
		"Cal-Api-Version": {"2024-08-13"},
		"Authorization":   {"Bearer " + w.prof.Users[0].APIKey},
		"Content-Type":    {"application/json"},
		opHeader:          {op},
	}
}

// createBody books event type etID at the next free hour, 400 days from now and beyond.
func (w *world) createBody(etID int) []byte {
	k := w.slot.Add(1)
	start := w.now.Truncate(24*time.Hour).AddDate(0, 0, 400).Add(time.Duration(k) * time.Hour)
	return fmt.Appendf(nil, `{"start":%q,"eventTypeId":%d,"attendee":{"name":"Ada Lovelace","email":"ada%d@example.com","timeZone":"Europe/London"}}`,
		start.Format(time.RFC3339), etID, k)
}

// op returns the named operation against w. Cancel and confirm consume w.pool (Next wraps
// around, which only happens if the run outlasts the pool; the count bound prevents it).
func (w *world) op(name string) loadgen.Op {
	h := w.headers(name)
	plain := w.prof.EventTypes[profile.KindPlain].ID
	switch name {
	case "get":
		path := "/v2/bookings/" + w.prof.PastBookingUID
		return loadgen.Op{Name: name, Expect: http.StatusOK, Next: func(int) loadgen.Request {
			return loadgen.Request{Method: http.MethodGet, Path: path, Header: h}
		}}
	case "list":
		return loadgen.Op{Name: name, Expect: http.StatusOK, Next: func(int) loadgen.Request {
			return loadgen.Request{Method: http.MethodGet, Path: "/v2/bookings?take=100", Header: h}
		}}
	case "create":
		return loadgen.Op{Name: name, Expect: http.StatusCreated, Next: func(int) loadgen.Request {
			return loadgen.Request{Method: http.MethodPost, Path: "/v2/bookings", Header: h, Body: w.createBody(plain)}
		}}
	case "cancel":
		body := []byte(`{"cancellationReason":"load test"}`)
		return loadgen.Op{Name: name, Expect: http.StatusOK, Next: func(i int) loadgen.Request {
			return loadgen.Request{Method: http.MethodPost, Path: "/v2/bookings/" + w.pool[i%len(w.pool)] + "/cancel", Header: h, Body: body}
		}}
	case "confirm":
		return loadgen.Op{Name: name, Expect: http.StatusOK, Next: func(i int) loadgen.Request {
			return loadgen.Request{Method: http.MethodPost, Path: "/v2/bookings/" + w.pool[i%len(w.pool)] + "/confirm", Header: h}
		}}
	}
	return loadgen.Op{}
}

// fill creates n bookings of the event type of kind through do and keeps their uids.
func (w *world) fill(kind string, n int, do func(loadgen.Request) (int, []byte, error)) error {
	w.pool = w.pool[:0]
	et := w.prof.EventTypes[kind].ID
	for range n {
		status, body, err := do(loadgen.Request{Method: http.MethodPost, Path: "/v2/bookings", Header: w.headers("create"), Body: w.createBody(et)})
		if err != nil {
			return err
		}
		var out struct {
			Data struct {
				UID string `json:"uid"`
			} `json:"data"`
		}
		if status != http.StatusCreated || json.Unmarshal(body, &out) != nil || out.Data.UID == "" {
			return fmt.Errorf("create %s booking: status %d: %s", kind, status, body)
		}
		w.pool = append(w.pool, out.Data.UID)
	}
	return nil
}

func poolKind(op string) string {
	switch op {
	case "cancel":
		return profile.KindPlain
	case "confirm":
		return profile.KindRequiresConfirmation
	}
	return ""
}

// httpDo sends one request to base.
func httpDo(base string) func(loadgen.Request) (int, []byte, error) {
	return func(r loadgen.Request) (int, []byte, error) {
		req, err := http.NewRequest(r.Method, base+r.Path, bytes.NewReader(r.Body))
		if err != nil {
			return 0, nil, err
		}
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp.StatusCode, body, err
	}
}

func fetchProfile(base string) (profile.Profile, error) {
	var p profile.Profile
	resp, err := http.Get(base + profile.Path)
	if err != nil {
		return p, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return p, err
	}
	if len(p.Users) == 0 || p.PastBookingUID == "" {
		return p, errors.New("profile has no users or no past booking")
	}
	return p, nil
}

// bookingsOf returns how many bookings the first user of w sees (totalItems of a list):
// every booking the load run creates is theirs, with an attendee who is no fixture user.
func bookingsOf(base string, w *world) (int, error) {
	status, body, err := httpDo(base)(loadgen.Request{Method: http.MethodGet, Path: "/v2/bookings?take=1", Header: w.headers("list")})
	if err != nil {
		return 0, err
	}
	var out struct {
		Pagination struct {
			TotalItems *int `json:"totalItems"`
		} `json:"pagination"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &out) != nil || out.Pagination.TotalItems == nil {
		return 0, fmt.Errorf("list bookings: status %d: %.200s", status, body)
	}
	return *out.Pagination.TotalItems, nil
}

// ---------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------

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

// row is one operation against the mock and the bare server.
type row struct {
	op         string
	mock, bare series // closed loop
	// fixedMock and fixedBare: open loop at -rate (create, cancel, confirm).
	fixedMock, fixedBare series
	// sweep: get only, open loop at each of -get-rates.
	sweep  []sweepPoint
	allocs float64
}

// sweepPoint is GET at one rate of -get-rates, against the mock and the bare server.
type sweepPoint struct {
	rate       float64
	mock, bare series
}

// report is everything the load run measured; render prints it.
type report struct {
	o    options
	when time.Time
	rows []*row
	// Default fixtures, one entry per run: start-up (ms), VmRSS (MB) idle after start-up and
	// after the load, and the bookings the mock held at that moment.
	startups, rssIdle, rss, held []float64
	rssSettled                   []float64 // after the load and o.settle of quiet (empty: not read)
	// rssReset is VmRSS after the load and POST /_calmock/reset: the default fixtures again,
	// in a mock that has served the whole run (empty: not read).
	rssReset []float64
	// rssBeforeGrowth is VmRSS after the operations that add no booking (get, list) and
	// before the first that does (empty if none ran after get or list).
	rssBeforeGrowth []float64
	// sweepSteal is, per run, the share of CPU time (%) the hypervisor took from this
	// machine during the GET sweep (empty: no sweep, or no /proc/stat).
	sweepSteal []float64
	list       *listResult // nil: skipped
	durable    *durableResult
	vol        *volume
}

func run(o options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
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
	for _, op := range o.ops {
		rw := &row{op: op}
		if op == "get" {
			for _, rate := range o.getRates {
				rw.sweep = append(rw.sweep, sweepPoint{rate: rate})
			}
		}
		rep.rows = append(rep.rows, rw)
	}
	var slot atomic.Int64
	for r := range o.runs {
		fmt.Fprintf(os.Stderr, "run %d/%d\n", r+1, o.runs)
		if err := oneRun(ctx, o, self, tmp, &slot, rep); err != nil {
			return err
		}
	}
	for _, rw := range rep.rows {
		if rw.allocs, err = inProcessAllocs(rw.op, o.seed); err != nil {
			return fmt.Errorf("allocations of %s: %w", rw.op, err)
		}
	}
	if o.listBookings > 0 {
		fmt.Fprintf(os.Stderr, "list among %d bookings\n", o.listBookings)
		if rep.list, err = measureList(ctx, o, &slot); err != nil {
			return fmt.Errorf("list among %d bookings: %w", o.listBookings, err)
		}
	}
	fmt.Fprintln(os.Stderr, "durable create")
	if rep.durable, err = measureDurable(ctx, o, tmp, &slot); err != nil {
		return fmt.Errorf("durable create: %w", err)
	}
	if o.bookings > 0 {
		fmt.Fprintf(os.Stderr, "volume: %d bookings\n", o.bookings)
		if rep.vol, err = measureVolume(ctx, o, &slot); err != nil {
			return err
		}
	}
	text := render(rep)
	fmt.Print(text)
	if o.out != "" {
		return os.WriteFile(o.out, []byte(text), 0o644)
	}
	return nil
}

// oneRun starts a fresh default mock and the bare server, runs the closed-loop and the
// fixed-rate measurements of every operation, reads the memory figures, and stops both.
func oneRun(ctx context.Context, o options, self, tmp string, slot *atomic.Int64, rep *report) error {
	mock, err := start(ctx, profile.Path, o.calmock, o.mockArgs("-seed", strconv.FormatInt(o.seed, 10))...)
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
	for _, op := range o.ops {
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
	bare, err := start(ctx, "/", self, "-serve-bare", "-canned", cannedFile)
	if err != nil {
		return err
	}
	defer bare.stop()

	// both runs op against the mock and then the bare server, after filling the pool of
	// cancel and confirm (which also bounds their request count).
	both := func(op string, opt loadgen.Options) (m, b sample, err error) {
		if k := poolKind(op); k != "" {
			if err := w.fill(k, o.pool, httpDo(mock.base)); err != nil {
				return m, b, err
			}
			opt.Requests = o.pool
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
		m, b, err := both(rw.op, loadgen.Options{Concurrency: o.concurrency, Duration: o.duration, Rate: o.rate})
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
			m, b, err := both(rw.op, loadgen.Options{Concurrency: o.concurrency, Duration: o.duration, Rate: pt.rate})
			if err != nil {
				return err
			}
			pt.mock, pt.bare = append(pt.mock, m), append(pt.bare, b)
		}
	}
	if after, ok := readSteal(); stealOK && ok && len(o.getRates) > 0 {
		rep.sweepSteal = append(rep.sweepSteal, after.since(stealBefore))
	}
	grown := false // whether an operation that adds bookings has run on this mock
	for _, rw := range rep.rows {
		if adds := rw.op != "get" && rw.op != "list"; adds && !grown {
			// The figure the load alone costs, before the run adds its own bookings.
			rep.rssBeforeGrowth = append(rep.rssBeforeGrowth, mock.rssMB())
			grown = true
		}
		m, b, err := both(rw.op, loadgen.Options{Concurrency: o.concurrency, Duration: o.duration})
		if err != nil {
			return err
		}
		rw.mock, rw.bare = append(rw.mock, m), append(rw.bare, b)
	}
	for _, rw := range rep.rows {
		if o.rate == 0 || rw.op == "list" || rw.op == "get" {
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
	set, err := fixtures.Default(o.seed, w.now)
	if err != nil {
		return err
	}
	rep.held = append(rep.held, float64(len(set.Bookings)+after-before))
	if o.settle > 0 && len(rep.rss) == o.runs { // the last run only: it takes a while
		if err := sleep(ctx, o.settle); err != nil {
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

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cpuTimes are the machine's steal and total CPU time from /proc/stat, in clock ticks.
type cpuTimes struct{ steal, total uint64 }

// since is the share of CPU time (%) stolen between t0 and t.
func (t cpuTimes) since(t0 cpuTimes) float64 {
	if t.total <= t0.total {
		return 0
	}
	return 100 * float64(t.steal-t0.steal) / float64(t.total-t0.total)
}

// readSteal reads the first line of /proc/stat. Steal is the time a virtual machine's CPUs
// were ready but the hypervisor ran something else: a few percent of it, in pauses of
// milliseconds, is enough to put every server's p99 above 2 ms however little it does.
func readSteal() (cpuTimes, bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTimes{}, false
	}
	return parseSteal(string(data))
}

func parseSteal(stat string) (cpuTimes, bool) {
	line, _, _ := strings.Cut(stat, "\n")
	f := strings.Fields(line)
	// cpu user nice system idle iowait irq softirq steal [guest guest_nice]; guest time is
	// already counted in user.
	if len(f) < 9 || f[0] != "cpu" {
		return cpuTimes{}, false
	}
	var t cpuTimes
	for i, v := range f[1:9] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return cpuTimes{}, false
		}
		t.total += n
		if i == 7 {
			t.steal = n
		}
	}
	return t, true
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
func startWithBookings(ctx context.Context, o options, n int) (*process, string, error) {
	ns := strconv.Itoa(n)
	p, err := start(ctx, profile.Path, o.calmock, o.mockArgs("-seed", strconv.FormatInt(o.seed, 10), "-bookings", ns)...)
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

// measureList starts one mock with o.listBookings extra bookings and, -runs times, lists the
// first 100 bookings of the first user at 1 client (closed loop) and at -list-rate.
func measureList(ctx context.Context, o options, slot *atomic.Int64) (*listResult, error) {
	p, how, err := startWithBookings(ctx, o, o.listBookings)
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
	for range o.runs {
		one, err := measure(ctx, p.base, w, "list", loadgen.Options{Concurrency: 1, Duration: o.duration})
		if err != nil {
			return nil, err
		}
		res.one = append(res.one, toSample(one))
		if o.listRate > 0 {
			before, stealOK := readSteal()
			fixed, err := measure(ctx, p.base, w, "list", loadgen.Options{Concurrency: o.concurrency, Duration: o.duration, Rate: o.listRate})
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
func measureDurable(ctx context.Context, o options, tmp string, slot *atomic.Int64) (*durableResult, error) {
	res := &durableResult{}
	if !hasFlag(o.calmock, "data") {
		res.skipped = o.calmock + " has no -data flag"
		return res, nil
	}
	once := func(name string, opt loadgen.Options) (sample, error) {
		file := filepath.Join(tmp, name+".db")
		defer os.Remove(file)
		p, err := start(ctx, profile.Path, o.calmock, o.mockArgs("-seed", strconv.FormatInt(o.seed, 10), "-data", file)...)
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
	for r := range o.runs {
		s, err := once(fmt.Sprintf("closed-%d", r), loadgen.Options{Concurrency: o.concurrency, Duration: o.duration})
		if err != nil {
			return nil, err
		}
		res.closed = append(res.closed, s)
		if o.durableRate > 0 {
			s, err := once(fmt.Sprintf("fixed-%d", r), loadgen.Options{Concurrency: o.concurrency, Duration: o.duration, Rate: o.durableRate})
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
	rssSettled   float64 // after the load and o.settle of quiet; 0 if not read
	get, list    sample
}

// measureVolume starts a mock holding o.bookings extra bookings, reads start-up and idle RSS,
// runs get and list for one run, and reads RSS again.
func measureVolume(ctx context.Context, o options, slot *atomic.Int64) (*volume, error) {
	p, how, err := startWithBookings(ctx, o, o.bookings)
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
	opt := loadgen.Options{Concurrency: o.concurrency, Duration: o.duration}
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
	if o.settle > 0 {
		if err := sleep(ctx, o.settle); err != nil {
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

// hasFlag reports whether `bin -help` mentions -name.
func hasFlag(bin, name string) bool {
	out, _ := exec.Command(bin, "-help").CombinedOutput()
	return bytes.Contains(out, []byte("-"+name+" ")) || bytes.Contains(out, []byte("-"+name+"\n"))
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

// mockArgs is the command line of a calmock: rate limit off, args, then -mock-flags.
func (o options) mockArgs(args ...string) []string {
	return append(append([]string{"-rate-limit", "0"}, args...), o.mockFlags...)
}
