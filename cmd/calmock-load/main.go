// Command calmock-load is the loopback load run of `make bench` (issue 6). It starts a built
// calmock (-rate-limit 0, a free port on 127.0.0.1, otherwise default flags) and a bare
// net/http server that answers every request with a canned body of the same size as the
// mock's answer to it, drives both with internal/loadgen, and prints a table: requests/s,
// p50/p99 latency, allocations per request and the ratio to the bare baseline, the median
// of -runs runs. It also measures start-up (exec to first successful answer) and resident
// memory after the load (VmRSS), with the default fixtures and with -bookings extra ones.
//
// Each run starts a fresh mock, so runs do not inherit each other's bookings.
//
// Modes used internally (the same binary, re-executed): -serve-bare and -serve-mock.
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
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/calmock/calmock/booking"
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

	serveBare, serveMock bool
	addr, canned         string
}

func main() {
	var o options
	var ops string
	flag.StringVar(&o.calmock, "calmock", "bin/calmock", "calmock `binary` to start")
	flag.DurationVar(&o.duration, "duration", 3*time.Second, "length of each measurement (one operation, one server, one run)")
	flag.IntVar(&o.runs, "runs", 3, "runs per measurement; the table shows the median")
	flag.IntVar(&o.concurrency, "c", 32, "concurrent clients")
	flag.StringVar(&ops, "ops", "get,list,create,cancel,confirm", "comma-separated operations: "+strings.Join(opNames, ","))
	flag.IntVar(&o.bookings, "bookings", 100_000, "extra bookings for the volume measurement (start-up, RSS, get and list); 0 skips it")
	flag.Int64Var(&o.seed, "seed", 1, "fixture seed")
	flag.IntVar(&o.pool, "pool", 3000, "bookings created before each cancel/confirm measurement; bounds its request count")
	flag.StringVar(&o.out, "out", "", "also write the markdown report to this `file`")
	flag.BoolVar(&o.serveBare, "serve-bare", false, "internal: serve canned answers (-canned) on -addr")
	flag.BoolVar(&o.serveMock, "serve-mock", false, "internal: serve the mock in-process with -bookings extra bookings on -addr (stands in for calmock -bookings)")
	flag.StringVar(&o.addr, "addr", "127.0.0.1:0", "internal: address for -serve-bare/-serve-mock")
	flag.StringVar(&o.canned, "canned", "", "internal: canned answers file for -serve-bare")
	flag.Parse()
	o.ops = strings.Split(ops, ",")

	var err error
	switch {
	case o.serveBare:
		err = serveBare(o.addr, o.canned)
	case o.serveMock:
		err = serveMock(o.addr, o.seed, o.bookings)
	default:
		err = run(o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "calmock-load:", err)
		os.Exit(1)
	}
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

// serveMock is what `calmock -rate-limit 0 -bookings n` would run, for calmock binaries that
// lack the flag: the default fixtures plus fixtures.AddBookings.
func serveMock(addr string, seed int64, n int) error {
	now := booking.SystemClock.Now()
	set, err := fixtures.Default(seed, now)
	if err != nil {
		return err
	}
	if err := set.AddBookings(n, seed, now); err != nil {
		return err
	}
	srv, err := mockserver.New(mockserver.Config{Seed: seed, Fixtures: set})
	if err != nil {
		return err
	}
	return serve(addr, srv)
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

// process is a started server.
type process struct {
	cmd     *exec.Cmd
	base    string
	startup time.Duration // exec to first successful answer
}

// start execs name args… with -addr 127.0.0.1:<free port> appended and waits until probe
// answers 200.
func start(ctx context.Context, probe string, name string, args ...string) (*process, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.CommandContext(ctx, name, append(args, "-addr", addr)...)
	cmd.Stdout = io.Discard
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, base: "http://" + addr}
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
		if cmd.ProcessState != nil {
			break
		}
	}
	p.stop()
	return nil, fmt.Errorf("%s did not answer on %s: %s", name, addr, strings.TrimSpace(stderr.String()))
}

func (p *process) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
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

// ---------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------

// sample is one measurement.
type sample struct{ rps, p50, p99 float64 } // p50, p99 in ms

type row struct {
	op         string
	mock, bare []sample
	allocs     float64
	errors     int
	firstError string
}

func run(o options) error {
	for _, op := range o.ops {
		if !slices.Contains(opNames, op) {
			return fmt.Errorf("unknown operation %q (known: %s)", op, strings.Join(opNames, ", "))
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var slot atomic.Int64
	rows := make([]*row, len(o.ops))
	for i, op := range o.ops {
		rows[i] = &row{op: op}
	}
	var startups, rss []float64
	tmp, err := os.MkdirTemp("", "calmock-load")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cannedFile := tmp + "/canned.json"

	for r := range o.runs {
		fmt.Fprintf(os.Stderr, "run %d/%d\n", r+1, o.runs)
		mock, err := start(ctx, profile.Path, o.calmock, "-rate-limit", "0", "-seed", strconv.FormatInt(o.seed, 10))
		if err != nil {
			return err
		}
		startups = append(startups, ms(mock.startup))
		prof, err := fetchProfile(mock.base)
		if err != nil {
			mock.stop()
			return err
		}
		w := &world{prof: prof, slot: &slot, now: time.Now().UTC()}

		// Record one answer per operation for the bare server (same status, type, size).
		answers := map[string]canned{}
		for _, op := range o.ops {
			if k := poolKind(op); k != "" {
				if err := w.fill(k, 1, httpDo(mock.base)); err != nil {
					mock.stop()
					return err
				}
			}
			req := w.op(op).Next(0)
			status, body, err := httpDo(mock.base)(req)
			if err != nil {
				mock.stop()
				return err
			}
			answers[op] = canned{Status: status, ContentType: "application/json; charset=utf-8", Body: body}
		}
		data, _ := json.Marshal(answers)
		if err := os.WriteFile(cannedFile, data, 0o600); err != nil {
			mock.stop()
			return err
		}
		bare, err := start(ctx, "/", self, "-serve-bare", "-canned", cannedFile)
		if err != nil {
			mock.stop()
			return err
		}

		for _, rw := range rows {
			opt := loadgen.Options{Concurrency: o.concurrency, Duration: o.duration}
			if k := poolKind(rw.op); k != "" {
				if err := w.fill(k, o.pool, httpDo(mock.base)); err != nil {
					mock.stop()
					bare.stop()
					return err
				}
				opt.Requests = o.pool
			}
			m, err := loadgen.Run(ctx, mock.base, w.op(rw.op), opt)
			if err != nil {
				return err
			}
			b, err := loadgen.Run(ctx, bare.base, w.op(rw.op), opt)
			if err != nil {
				return err
			}
			rw.mock = append(rw.mock, toSample(m))
			rw.bare = append(rw.bare, toSample(b))
			rw.errors += m.Errors + b.Errors
			if rw.firstError == "" {
				rw.firstError = m.FirstError + b.FirstError
			}
		}
		rss = append(rss, mock.rssMB())
		mock.stop()
		bare.stop()
	}

	for _, rw := range rows {
		if rw.allocs, err = inProcessAllocs(rw.op, o.seed); err != nil {
			return fmt.Errorf("allocations of %s: %w", rw.op, err)
		}
	}

	var vol *volume
	if o.bookings > 0 {
		if vol, err = measureVolume(ctx, o, self, &slot); err != nil {
			return err
		}
	}
	report := render(o, rows, startups, rss, vol)
	fmt.Print(report)
	if o.out != "" {
		return os.WriteFile(o.out, []byte(report), 0o644)
	}
	return nil
}

func toSample(r loadgen.Result) sample {
	return sample{rps: r.RPS(), p50: ms(r.Latency.Quantile(0.50)), p99: ms(r.Latency.Quantile(0.99))}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

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

func medianOf(ss []sample, f func(sample) float64) float64 {
	xs := make([]float64, len(ss))
	for i, s := range ss {
		xs[i] = f(s)
	}
	return median(xs)
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

// volume is the measurement with many bookings.
type volume struct {
	how              string
	startup, rss     float64
	rssIdle          float64 // after start-up, before any load
	get, list        sample
	getErrs, listErr int
}

// measureVolume starts a mock holding o.bookings extra bookings (calmock -bookings when the
// binary has the flag, else this binary's -serve-mock), runs get and list for one run, and
// reads start-up and RSS.
func measureVolume(ctx context.Context, o options, self string, slot *atomic.Int64) (*volume, error) {
	v := &volume{}
	n := strconv.Itoa(o.bookings)
	seed := strconv.FormatInt(o.seed, 10)
	var p *process
	var err error
	if hasFlag(o.calmock, "bookings") {
		v.how = "calmock -bookings " + n
		p, err = start(ctx, profile.Path, o.calmock, "-rate-limit", "0", "-seed", seed, "-bookings", n)
	} else {
		v.how = "calmock-load -serve-mock -bookings " + n + " (calmock has no -bookings flag yet: same wiring, fixtures.AddBookings in-process)"
		p, err = start(ctx, profile.Path, self, "-serve-mock", "-seed", seed, "-bookings", n)
	}
	if err != nil {
		return nil, err
	}
	defer p.stop()
	v.startup = ms(p.startup)
	v.rssIdle = p.rssMB()
	prof, err := fetchProfile(p.base)
	if err != nil {
		return nil, err
	}
	w := &world{prof: prof, slot: slot, now: time.Now().UTC()}
	opt := loadgen.Options{Concurrency: o.concurrency, Duration: o.duration}
	g, err := loadgen.Run(ctx, p.base, w.op("get"), opt)
	if err != nil {
		return nil, err
	}
	l, err := loadgen.Run(ctx, p.base, w.op("list"), opt)
	if err != nil {
		return nil, err
	}
	v.get, v.list, v.getErrs, v.listErr = toSample(g), toSample(l), g.Errors, l.Errors
	v.rss = p.rssMB()
	return v, nil
}

// hasFlag reports whether `bin -help` mentions -name.
func hasFlag(bin, name string) bool {
	out, _ := exec.Command(bin, "-help").CombinedOutput()
	return bytes.Contains(out, []byte("-"+name+" ")) || bytes.Contains(out, []byte("-"+name+"\n"))
}

// ---------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------

func render(o options, rows []*row, startups, rss []float64, vol *volume) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Load run: %d clients, %s per measurement, median of %d runs, 127.0.0.1\n\n", o.concurrency, o.duration, o.runs)
	fmt.Fprintf(&b, "machine: %s, %d CPUs (GOMAXPROCS %d), %s; %s\n\n", cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), time.Now().UTC().Format(time.RFC3339))
	b.WriteString("| operation | mock req/s | bare req/s | ratio | mock p50 ms | mock p99 ms | bare p50 ms | bare p99 ms | allocs/req (handler, in-process) | errors |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	ratios := map[string]float64{}
	p99s := map[string]float64{}
	for _, r := range rows {
		mr := medianOf(r.mock, func(s sample) float64 { return s.rps })
		br := medianOf(r.bare, func(s sample) float64 { return s.rps })
		ratio := 0.0
		if br > 0 {
			ratio = mr / br
		}
		ratios[r.op] = ratio
		p99s[r.op] = medianOf(r.mock, func(s sample) float64 { return s.p99 })
		fmt.Fprintf(&b, "| %s | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %d |\n", r.op, mr, br, ratio,
			medianOf(r.mock, func(s sample) float64 { return s.p50 }), p99s[r.op],
			medianOf(r.bare, func(s sample) float64 { return s.p50 }), medianOf(r.bare, func(s sample) float64 { return s.p99 }),
			r.allocs, r.errors)
	}
	for _, r := range rows {
		if r.errors > 0 {
			fmt.Fprintf(&b, "\n%s: first error: %s\n", r.op, r.firstError)
		}
	}
	fmt.Fprintf(&b, "\ncancel and confirm are bounded by -pool %d requests per measurement. Allocations: runtime.MemStats over 200 requests through the handler with an httptest recorder (no network).\n\n", o.pool)
	fmt.Fprintf(&b, "start-up (exec to first 200), default fixtures: median %.0f ms (runs: %s)\n", median(startups), join(startups, "%.0f"))
	fmt.Fprintf(&b, "VmRSS after the load run, default fixtures: median %.1f MB (runs: %s)\n", median(rss), join(rss, "%.1f"))
	if vol != nil {
		fmt.Fprintf(&b, "\nwith %d extra bookings, via %s, one run:\n", o.bookings, vol.how)
		fmt.Fprintf(&b, "  start-up %.0f ms, VmRSS idle after start-up %.1f MB, after the get and list load %.1f MB\n", vol.startup, vol.rssIdle, vol.rss)
		line := func(name string, s sample, errs int) {
			if s.rps == 0 {
				fmt.Fprintf(&b, "  %s: no request completed within %s\n", name, o.duration)
				return
			}
			fmt.Fprintf(&b, "  %s: %.0f req/s, p50 %.2f ms, p99 %.2f ms (errors %d)\n", name, s.rps, s.p50, s.p99, errs)
		}
		line("get", vol.get, vol.getErrs)
		line("list take=100 (first user, ~1/3 of the bookings)", vol.list, vol.listErr)
	}
	b.WriteString("\n### Issue 6 figures\n\n")
	check := func(name string, ok, measured bool, got string) {
		verdict := "unmeasured"
		if measured {
			verdict = map[bool]string{true: "MET", false: "NOT MET"}[ok]
		}
		fmt.Fprintf(&b, "- %s: %s (%s)\n", name, verdict, got)
	}
	_, hasGet := ratios["get"]
	check("GET one booking >= 50% of bare", ratios["get"] >= 0.5, hasGet, fmt.Sprintf("ratio %.2f", ratios["get"]))
	check(fmt.Sprintf("GET one booking p99 < 2 ms at %d clients", o.concurrency), p99s["get"] < 2, hasGet && o.concurrency == 32, fmt.Sprintf("p99 %.2f ms", p99s["get"]))
	_, hasCreate := ratios["create"]
	check("create >= 30% of bare", ratios["create"] >= 0.3, hasCreate, fmt.Sprintf("ratio %.2f", ratios["create"]))
	check("start-up < 300 ms", median(startups) < 300, len(startups) > 0, fmt.Sprintf("%.0f ms", median(startups)))
	check("RSS < 60 MB, default fixtures, after load", median(rss) < 60, len(rss) > 0, fmt.Sprintf("%.1f MB", median(rss)))
	if vol != nil && o.bookings == 100_000 {
		check("RSS < 400 MB with 100 000 bookings", vol.rss < 400, true, fmt.Sprintf("%.1f MB", vol.rss))
	}
	b.WriteString("- list p99 < 5 ms among 10 000 bookings: see BenchmarkServer_List/bookings=10000 (Go benchmarks)\n")
	return b.String()
}

func join(xs []float64, format string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf(format, x)
	}
	return strings.Join(parts, ", ")
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
		}
	}
	return "unknown CPU"
}
