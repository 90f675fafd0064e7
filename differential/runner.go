package differential

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/calmock/calmock/conformance"
	"github.com/calmock/calmock/fixtures"
	"github.com/calmock/calmock/internal/wiretime"
	"github.com/calmock/calmock/profile"
)

// APIVersion is the cal-api-version every request carries.
const APIVersion = conformance.APIVersion

// Options configure a differential run. Set Target or Handler.
type Options struct {
	// Target is the base URL of the API under test. Empty: Handler is served in-process.
	Target  string
	Handler http.Handler
	// Profile describes the target. Nil: fetched from the target's /_calmock/profile.
	Profile *profile.Profile
	// Seed drives every sequence. Zero: a random seed, printed to Progress.
	Seed int64
	// N is how many sequences to run (default 10); Steps their length (default 30).
	N, Steps int
	// RunID makes emails and time slots unique to the run (conformance.NewRunInfo).
	// Empty: random.
	RunID string
	// Tolerance is how far apart two instants of a NormTime field may be (default 1 min).
	Tolerance time.Duration
	// Client sends the target's requests (the oracle is called in-process). Nil: a 30 s
	// timeout client.
	Client conformance.Doer
	// Progress receives the seed and one line per sequence. Nil: silent.
	Progress io.Writer
	// ScenarioDir, when set, receives one scenario YAML file per divergence found (the
	// shrunk sequence that shows it; see Scenario).
	ScenarioDir string
	// NoShrink reports each sequence's difference as found, without shrinking it.
	NoShrink bool
	// MaxShrinkPlays bounds the replays one shrink may make (default 300; against a
	// shared target each replay books new slots).
	MaxShrinkPlays int
	// Cleanup cancels, at the end of the run, every booking the run created on the target
	// (best effort). A sandboxed calmock needs none: its sandboxes are deleted.
	Cleanup bool
	// MaxRetries is how often a request answered 429 is retried (default 5); MaxWait caps
	// one wait (default 120 s, see conformance.ResetWait); Sleep waits (nil: a timer).
	MaxRetries int
	MaxWait    time.Duration
	Sleep      func(ctx context.Context, d time.Duration) error
}

// StepRecord is what one step did on both sides.
type StepRecord struct {
	Step         int    `json:"step"`
	Op           OpKind `json:"op"`
	Name         string `json:"name"`
	Method       string `json:"method"`
	Path         string `json:"path"` // as sent to the target, query included
	TargetStatus int    `json:"targetStatus"`
	OracleStatus int    `json:"oracleStatus"`
	Differences  int    `json:"differences,omitempty"`
}

// SequenceResult is one sequence's run: every step played, and the differences of the
// first step that had any (the run of a sequence stops there: after one difference the
// two sides' states no longer agree, and what follows would repeat it).
type SequenceResult struct {
	// Sequence is what was played (not in the report: Generate(seed, Index) gives it back).
	Sequence    Sequence     `json:"-"`
	Index       int          `json:"index"`
	Steps       []StepRecord `json:"steps"`
	Differences []Difference `json:"differences,omitempty"`

	// ops are the ops played (a prefix, or the sequence with ops dropped); oracle is the
	// oracle's parsed answer to each (op ID → body) and mapping what the comparison
	// learned: the scenario writer reads them.
	ops     []Op
	oracle  map[int]any
	mapping *Mapping
	block   int
}

// Report is a whole run.
type Report struct {
	// Target is the target's base URL; Error why the run stopped before its end (an
	// unreachable target, say), empty when it ran to the end.
	Target      string           `json:"target,omitempty"`
	Error       string           `json:"error,omitempty"`
	Seed        int64            `json:"seed"`
	RunID       string           `json:"runId"`
	Sandboxed   bool             `json:"sandboxed"`
	Sequences   []SequenceResult `json:"sequences"`
	Differences []Difference     `json:"differences,omitempty"`
	// Divergences are the differences grouped by operation and field, each once, with the
	// shrunk sequence that shows it (see Divergence).
	Divergences []Divergence `json:"divergences,omitempty"`
	// RateLimitWait is the time spent waiting out the target's 429s.
	RateLimitWait time.Duration `json:"rateLimitWait,omitempty"`
}

// ErrNoProfile is returned (wrapped) by New when no profile was given and the target
// serves none.
var ErrNoProfile = errors.New("the target serves no profile: give one")

// ErrDifferent is returned (wrapped) by Run when a sequence found a difference.
var ErrDifferent = errors.New("the target's answers differ from the oracle's")

// Runner plays sequences against a target and an oracle that mirrors it.
type Runner struct {
	opts      Options
	prof      profile.Profile
	set       *fixtures.Set
	base      string
	client    conformance.Doer
	run       conformance.RunInfo
	loc       *time.Location
	gen       GenConfig
	sandboxed bool
	// shared are the sides of a target without sandboxes: one oracle and one mapping for
	// the whole run, as the target keeps its state from one sequence to the next.
	shared *pairState
	// nextBlock is the next block no play used (the replays of a shrink on a shared target
	// each take a new one).
	nextBlock int
	// created are the uids of the bookings the run made on the target, for Cleanup.
	created []string
	// waited is the time spent waiting out 429s.
	waited time.Duration
}

type pairState struct {
	oracle  *side
	mapping *Mapping
}

// side is one end of the comparison: where requests go and what this side answered.
type side struct {
	base    string
	client  conformance.Doer
	answers map[int]any // op ID → parsed answer body
	target  bool        // the target (paced on its rate limit, its bookings tracked)
}

var defaultClient = &http.Client{Timeout: 30 * time.Second}

// New prepares a run: the target (or the in-process handler), its profile, the mirrored
// fixtures, and whether the target is a calmock with sandboxes (each sequence then gets
// its own sandbox and clock). Call the returned function when done.
func New(ctx context.Context, o Options) (*Runner, func(), error) {
	closeFn := func() {}
	if o.N <= 0 {
		o.N = 10
	}
	if o.Steps <= 0 {
		o.Steps = 30
	}
	if o.Tolerance <= 0 {
		o.Tolerance = time.Minute
	}
	if o.Seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		o.Seed = int64(binary.LittleEndian.Uint64(b[:]) >> 1)
	}
	base := strings.TrimRight(o.Target, "/")
	if base == "" {
		if o.Handler == nil {
			return nil, closeFn, errors.New("differential: no target: set Target or Handler")
		}
		srv := httptest.NewServer(o.Handler)
		base, closeFn = srv.URL, srv.Close
	}
	client := o.Client
	if client == nil {
		client = defaultClient
	}
	if o.MaxShrinkPlays <= 0 {
		o.MaxShrinkPlays = 300
	}
	r := &Runner{opts: o, base: base, client: client, run: conformance.NewRunInfo(o.RunID, time.Now()), nextBlock: o.N}
	if o.Profile != nil {
		r.prof = *o.Profile
	} else {
		p, err := fetchProfile(ctx, client, base)
		if err != nil {
			closeFn()
			return nil, func() {}, err
		}
		r.prof = p
	}
	set, err := MirrorFixtures(r.prof)
	if err != nil {
		closeFn()
		return nil, func() {}, err
	}
	r.set = set
	r.loc = time.UTC
	if loc, err := time.LoadLocation(r.prof.Users[0].TimeZone); err == nil && r.prof.Users[0].TimeZone != "" {
		r.loc = loc
	}
	// A calmock with sandboxes answers POST /_calmock/sandboxes; anything else is a shared
	// target without a clock.
	if path, err := r.newSandbox(ctx); err == nil {
		r.sandboxed = true
		_ = r.deleteSandbox(ctx, path)
	}
	r.gen = GenConfig{Profile: r.prof, Steps: o.Steps, Clock: r.sandboxed}
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, "differential run %s: seed %d, %d sequences of %d steps, sandboxes %v\n", r.run.ID, o.Seed, o.N, o.Steps, r.sandboxed)
	}
	return r, closeFn, nil
}

// Seed is the run's seed (the one given, or the random one picked).
func (r *Runner) Seed() int64 { return r.opts.Seed }

// Sandboxed reports whether each sequence runs in a sandbox of its own, with a clock.
func (r *Runner) Sandboxed() bool { return r.sandboxed }

// Sequence returns the run's i-th sequence.
func (r *Runner) Sequence(i int) Sequence { return Generate(r.gen, r.opts.Seed, i) }

// Run plays every sequence of a run and returns the report. The error wraps ErrDifferent
// when a sequence found a difference, or says why the run could not go on.
func Run(ctx context.Context, o Options) (rep Report, err error) {
	r, closeFn, err := New(ctx, o)
	defer closeFn()
	if err != nil {
		return Report{}, err
	}
	rep = Report{Target: r.opts.Target, Seed: r.opts.Seed, RunID: r.run.ID, Sandboxed: r.sandboxed}
	defer func() { rep.RateLimitWait = r.waited }()
	if r.opts.Cleanup {
		defer r.cleanup(context.WithoutCancel(ctx))
	}
	g := newGrouper()
	for i := range r.opts.N {
		res, err := r.Play(ctx, r.Sequence(i), -1, i)
		rep.Sequences = append(rep.Sequences, res)
		rep.Differences = append(rep.Differences, res.Differences...)
		if r.opts.Progress != nil {
			line := fmt.Sprintf("sequence %d: %d steps, ", i, len(res.Steps))
			if len(res.Differences) == 0 {
				line += "no difference"
			} else {
				line += fmt.Sprintf("%d differences at step %d", len(res.Differences), res.Differences[0].Step)
			}
			fmt.Fprintln(r.opts.Progress, line)
			for _, d := range res.Differences {
				fmt.Fprintln(r.opts.Progress, "  "+d.String())
			}
		}
		if err == nil && len(res.Differences) > 0 {
			err = r.divergence(ctx, g, res)
		}
		if err != nil {
			rep.Divergences = g.list()
			rep.Error = fmt.Sprintf("sequence %d: %v", i, err)
			return rep, fmt.Errorf("sequence %d: %w", i, err)
		}
	}
	rep.Divergences = g.list()
	if len(rep.Differences) > 0 {
		return rep, fmt.Errorf("%w: %d differences in %d divergences (seed %d)", ErrDifferent, len(rep.Differences), len(rep.Divergences), rep.Seed)
	}
	return rep, nil
}

// Play runs the first prefix ops of seq (all of them when prefix < 0 or beyond its length)
// with the time slots and emails of block (Run uses the sequence's index). A sandboxed
// target gets a new sandbox and a new oracle for each call, so a prefix replays from the
// same empty start: that is what shrinking builds on. On a shared target use a block no
// earlier play used, or the slots are taken. Plays of one Runner must not overlap.
func (r *Runner) Play(ctx context.Context, seq Sequence, prefix, block int) (SequenceResult, error) {
	ops := seq.Ops
	if prefix >= 0 && prefix < len(ops) {
		ops = ops[:prefix]
	}
	return r.play(ctx, seq, ops, block, false)
}

// play runs ops (ops of seq, in order, some maybe dropped) with the slots and emails of
// block. fresh gives a shared target's play an oracle and mapping of its own (a shrink's
// replay, on a block no other play used); a sandboxed target always has them.
func (r *Runner) play(ctx context.Context, seq Sequence, ops []Op, block int, fresh bool) (SequenceResult, error) {
	res := SequenceResult{Sequence: seq, Index: seq.Index, ops: ops, block: block}
	target := &side{base: r.base, client: r.client, answers: map[int]any{}, target: true}
	var oracle *side
	var mapping *Mapping
	switch {
	case r.sandboxed:
		path, err := r.newSandbox(ctx)
		if err != nil {
			return res, err
		}
		defer func() { _ = r.deleteSandbox(context.WithoutCancel(ctx), path) }()
		target.base = r.base + path
		fallthrough
	case fresh:
		h, err := newOracle(r.set, seq.Seed)
		if err != nil {
			return res, err
		}
		oracle, mapping = &side{base: "http://oracle.invalid", client: handlerClient{h}}, NewMapping()
	default:
		if r.shared == nil {
			h, err := newOracle(r.set, seq.Seed)
			if err != nil {
				return res, err
			}
			r.shared = &pairState{oracle: &side{base: "http://oracle.invalid", client: handlerClient{h}}, mapping: NewMapping()}
		}
		oracle, mapping = r.shared.oracle, r.shared.mapping
	}
	oracle.answers = map[int]any{}
	res.oracle, res.mapping = oracle.answers, mapping
	for i, op := range ops {
		ta, treq, err := r.send(ctx, target, op, block)
		if err != nil {
			return res, fmt.Errorf("step %d (%s) on the target: %w", i, op.Name, err)
		}
		oa, _, err := r.send(ctx, oracle, op, block)
		if err != nil {
			return res, fmt.Errorf("step %d (%s) on the oracle: %w", i, op.Name, err)
		}
		if !r.sandboxed && ta.Status/100 == 2 && (op.Kind == OpCreate || op.Kind == OpReschedule) {
			r.track(ta.JSON)
		}
		diffs := compareAnswers(mapping, r.opts.Tolerance, op, ta, oa)
		res.Steps = append(res.Steps, StepRecord{Step: i, Op: op.Kind, Name: op.Name, Method: op.Method, Path: treq, TargetStatus: ta.Status, OracleStatus: oa.Status, Differences: len(diffs)})
		if len(diffs) > 0 {
			for j := range diffs {
				diffs[j].Sequence, diffs[j].Step = seq.Index, i
			}
			res.Differences = diffs
			return res, nil
		}
	}
	return res, nil
}

// track notes the uids of the bookings an answer of the target made, for Cleanup.
func (r *Runner) track(body any) {
	m, _ := body.(map[string]any)
	data := m["data"]
	items, ok := data.([]any)
	if !ok {
		items = []any{data}
	}
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			if uid, ok := m["uid"].(string); ok && uid != "" && !slices.Contains(r.created, uid) {
				r.created = append(r.created, uid)
			}
		}
	}
}

// cleanup cancels, best effort, every booking the run made on the target.
func (r *Runner) cleanup(ctx context.Context) {
	s := &side{base: r.base, client: r.client, answers: map[int]any{}, target: true}
	for _, uid := range r.created {
		op := Op{ID: -1, Kind: OpCancel, Name: "cleanup", Method: http.MethodPost, Path: "/v2/bookings/" + url.PathEscape(uid) + "/cancel",
			Body: map[string]any{"cancellationReason": "calmock differential run cleanup"}, Auth: AuthOwner}
		_, _, _ = r.send(ctx, s, op, 0)
	}
}

// send resolves op for one side, sends it and reads the answer. It returns the path sent.
func (r *Runner) send(ctx context.Context, s *side, op Op, block int) (answer, string, error) {
	res := func(v string) string { return r.resolve(s, v, block) }
	path := res(op.Path)
	if len(op.Query) > 0 {
		parts := make([]string, len(op.Query))
		for i, kv := range op.Query {
			parts[i] = url.QueryEscape(kv[0]) + "=" + url.QueryEscape(res(kv[1]))
		}
		path += "?" + strings.Join(parts, "&")
	}
	var body io.Reader
	switch {
	case op.RawBody != "":
		body = strings.NewReader(op.RawBody)
	case op.Body != nil:
		b, err := json.Marshal(r.resolveValue(s, op.Body, block))
		if err != nil {
			return answer{}, path, fmt.Errorf("encode body: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, op.Method, s.base+path, body)
	if err != nil {
		return answer{}, path, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if !op.Admin {
		req.Header.Set("cal-api-version", APIVersion)
		switch op.Auth {
		case AuthOwner, "":
			req.Header.Set("Authorization", "Bearer "+r.prof.Users[0].APIKey)
		case AuthOther:
			key := badAPIKey
			if len(r.prof.Users) > 1 {
				key = r.prof.Users[1].APIKey
			}
			req.Header.Set("Authorization", "Bearer "+key)
		case AuthBad:
			req.Header.Set("Authorization", "Bearer "+badAPIKey)
		}
	}
	resp, err := r.do(ctx, s, req)
	if err != nil {
		return answer{}, path, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return answer{}, path, fmt.Errorf("read answer: %w", err)
	}
	a := answer{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: b}
	var v any
	if json.Unmarshal(b, &v) == nil {
		a.JSON, a.IsJSON = v, true
		s.answers[op.ID] = v
	}
	return a, path, nil
}

// do sends req, waiting out the target's 429s as its rate-limit headers announce (as the
// conformance suite does: conformance.ResetWait).
func (r *Runner) do(ctx context.Context, s *side, req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		body = b
	}
	retries := r.opts.MaxRetries
	if retries == 0 {
		retries = 5
	}
	for attempt := 0; ; attempt++ {
		if body != nil {
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		resp, err := s.client.Do(req)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests || attempt >= retries || !s.target {
			return resp, err
		}
		resp.Body.Close()
		wait := conformance.ResetWait(resp.Header, r.opts.MaxWait)
		if err := r.sleep(ctx, wait); err != nil {
			return nil, err
		}
		r.waited += wait
	}
}

func (r *Runner) sleep(ctx context.Context, d time.Duration) error {
	if r.opts.Sleep != nil {
		return r.opts.Sleep(ctx, d)
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

var templateRe = regexp.MustCompile(`\{\{(slot|during|email|name|ref):([^}]*)\}\}`)

// resolve replaces the templates of s (see Op) for one side.
func (r *Runner) resolve(sd *side, s string, block int) string {
	return templateRe.ReplaceAllStringFunc(s, func(m string) string {
		sub := templateRe.FindStringSubmatch(m)
		switch sub[1] {
		case "slot", "during":
			n, _ := strconv.Atoi(sub[2])
			t := r.slotTime(block, n)
			if sub[1] == "during" {
				t = t.Add(time.Minute)
			}
			return wiretime.Format(t)
		case "email":
			return fmt.Sprintf("diff.%s.%d.%s@example.com", r.run.ID, block, sub[2])
		case "name":
			n, _ := strconv.Atoi(sub[2])
			return fmt.Sprintf("%s %s-%d", bookerNames[n%len(bookerNames)], r.run.ID, block)
		default:
			id, path, _ := strings.Cut(sub[2], ":")
			n, _ := strconv.Atoi(id)
			if v, ok := lookup(sd.answers[n], path); ok {
				return v
			}
			return UnknownUID
		}
	})
}

func (r *Runner) resolveValue(sd *side, v any, block int) any {
	switch t := v.(type) {
	case string:
		return r.resolve(sd, t, block)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = r.resolveValue(sd, x, block)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = r.resolveValue(sd, x, block)
		}
		return out
	}
	return v
}

// slotTime is slot n of a block: the block's own 28 days (and more for long sequences)
// from the run's week, as the suite's scenarios have (weekly series stay inside), at
// 09:00+n%8 in the first user's zone.
func (r *Runner) slotTime(block, n int) time.Time {
	stride := 28 + r.opts.Steps/8
	day := r.run.Week.AddDate(0, 0, stride*block+n/8)
	return time.Date(day.Year(), day.Month(), day.Day(), 9+n%8, 0, 0, 0, r.loc).UTC()
}

// lookup reads a dotted path (keys and array indices) of a parsed answer as a string.
func lookup(v any, path string) (string, bool) {
	for _, seg := range strings.Split(path, ".") {
		switch t := v.(type) {
		case map[string]any:
			v = t[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(t) {
				return "", false
			}
			v = t[i]
		default:
			return "", false
		}
	}
	switch t := v.(type) {
	case string:
		return t, t != ""
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	}
	return "", false
}

func (r *Runner) newSandbox(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.base+"/_calmock/sandboxes", strings.NewReader(`{"rateLimit": 1000000}`))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("create a sandbox: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			Path string `json:"path"`
		} `json:"data"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 || json.Unmarshal(b, &out) != nil || out.Data.Path == "" {
		return "", fmt.Errorf("create a sandbox: status %d: %s", resp.StatusCode, abbreviate(string(b)))
	}
	return out.Data.Path, nil
}

func (r *Runner) deleteSandbox(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, r.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func fetchProfile(ctx context.Context, client conformance.Doer, base string) (profile.Profile, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+profile.Path, nil)
	if err != nil {
		return profile.Profile{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return profile.Profile{}, fmt.Errorf("differential: fetch the profile: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return profile.Profile{}, fmt.Errorf("differential: %w (%s answered status %d)", ErrNoProfile, profile.Path, resp.StatusCode)
	}
	var p profile.Profile
	if err := json.Unmarshal(b, &p); err != nil {
		return profile.Profile{}, fmt.Errorf("differential: profile: %w", err)
	}
	if err := p.Validate(); err != nil {
		return profile.Profile{}, fmt.Errorf("differential: %w", err)
	}
	return p, nil
}
