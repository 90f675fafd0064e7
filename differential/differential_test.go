package differential

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/calmock/calmock/fixtures"
	"github.com/calmock/calmock/mockserver"
	"github.com/calmock/calmock/profile"
)

// calmockTarget is a calmock with the default fixtures and sandboxes, as `calmock` serves.
func calmockTarget(t *testing.T) http.Handler {
	t.Helper()
	srv, err := mockserver.New(mockserver.Config{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	sb, err := mockserver.NewSandboxes(srv, mockserver.SandboxLimits{Max: 16})
	if err != nil {
		t.Fatal(err)
	}
	return sb
}

func TestMirrorFixtures_KeepsTheProfile(t *testing.T) {
	def, err := fixtures.Default(3, testNow)
	if err != nil {
		t.Fatal(err)
	}
	p := def.Profile()
	set, err := MirrorFixtures(p)
	if err != nil {
		t.Fatal(err)
	}
	got := set.Profile()
	if !reflect.DeepEqual(got, p) {
		gj, _ := json.Marshal(got)
		pj, _ := json.Marshal(p)
		t.Fatalf("the mirror's profile differs from the target's:\n got %s\nwant %s", gj, pj)
	}
}

func TestMirrorFixtures_HostNotAmongTheUsers(t *testing.T) {
	def, err := fixtures.Default(3, testNow)
	if err != nil {
		t.Fatal(err)
	}
	p := def.Profile()
	p.Users = p.Users[:2] // the second round-robin host (id 3) is known by id only
	set, err := MirrorFixtures(p)
	if err != nil {
		t.Fatal(err)
	}
	host, ok := set.UserByAPIKey("cal_" + placeholderHost + "3")
	if !ok || host.ID != 3 {
		t.Fatalf("no placeholder user for host 3: %+v", set.Users)
	}
}

func TestMirrorFixtures_RefusesAnInvalidProfile(t *testing.T) {
	_, err := MirrorFixtures(profile.Profile{})
	if err == nil || !strings.Contains(err.Error(), "at least one user") {
		t.Fatalf("err = %v, want the profile's own complaint", err)
	}
}

func genConfig(t *testing.T) GenConfig {
	t.Helper()
	def, err := fixtures.Default(3, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return GenConfig{Profile: def.Profile(), Steps: 60, Clock: true}
}

func TestGenerate_SameSeedSameSequence(t *testing.T) {
	cfg := genConfig(t)
	a, b := Generate(cfg, 42, 3), Generate(cfg, 42, 3)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed and index gave two sequences")
	}
	if len(a.Ops) != cfg.Steps {
		t.Fatalf("%d ops, want %d", len(a.Ops), cfg.Steps)
	}
	if reflect.DeepEqual(a.Ops, Generate(cfg, 43, 3).Ops) || reflect.DeepEqual(a.Ops, Generate(cfg, 42, 4).Ops) {
		t.Fatal("another seed or index gave the same sequence")
	}
}

func TestGenerate_CoversTheOperations(t *testing.T) {
	cfg := genConfig(t)
	seen := map[string]bool{}
	for i := range 20 {
		for _, op := range Generate(cfg, 1, i).Ops {
			seen[string(op.Kind)] = true
			seen[op.Name] = true
		}
	}
	for _, want := range []string{
		"create plain", "create requiresConfirmation", "create seated", "create recurring", "create roundRobin",
		"create variableLength", "create seated (another seat)", "create plain (by slug)",
		"get", "list", "reschedule", "cancel", "cancel seat", "cancel series (subsequent)", "confirm", "decline",
		"mark absent", "clock", "reassign", "reassign to host", "calendarLinks", "references",
		"create (malformed JSON)", "get (wrong key)", "get (unknown uid)", "cancel (other user)", "list (bad take)",
	} {
		if !seen[want] {
			t.Errorf("20 sequences never had %q", want)
		}
	}
}

func TestGenerate_NoClockNoStartedBookings(t *testing.T) {
	cfg := genConfig(t)
	cfg.Clock = false
	for i := range 10 {
		for _, op := range Generate(cfg, 1, i).Ops {
			if op.Admin || op.Kind == OpMarkAbsent {
				t.Fatalf("sequence %d needs the clock of a target without one: %+v", i, op)
			}
		}
	}
}

// TestRun_CalmockAgainstItself: a calmock target with its own profile answers like the
// oracle, over several seeds.
func TestRun_CalmockAgainstItself(t *testing.T) {
	for _, seed := range []int64{1, 2, 3, 4} {
		var log bytes.Buffer
		rep, err := Run(context.Background(), Options{Handler: calmockTarget(t), Seed: seed, N: 4, Steps: 40, Progress: &log})
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, log.String())
		}
		if !rep.Sandboxed || len(rep.Sequences) != 4 {
			t.Fatalf("seed %d: sandboxed %v, %d sequences", seed, rep.Sandboxed, len(rep.Sequences))
		}
		if !strings.Contains(log.String(), "seed ") {
			t.Fatalf("the seed is not printed:\n%s", log.String())
		}
		// The sequences did things: most steps succeeded and some were refused.
		ok, refused := 0, 0
		for _, s := range rep.Sequences {
			for _, st := range s.Steps {
				if st.TargetStatus < 300 {
					ok++
				} else {
					refused++
				}
			}
		}
		if ok < refused || refused == 0 {
			t.Fatalf("seed %d: %d answered, %d refused: the sequences are not mostly valid", seed, ok, refused)
		}
	}
}

// TestRun_SharedTarget: a calmock without sandboxes is one shared target with no clock.
func TestRun_SharedTarget(t *testing.T) {
	srv, err := mockserver.New(mockserver.Config{Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	rep, err := Run(context.Background(), Options{Handler: srv, Seed: 5, N: 3, Steps: 40, Progress: &log})
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if rep.Sandboxed {
		t.Fatal("a calmock without sandboxes was taken for one with")
	}
}

// breaking wraps a target's handler and rewrites some answers.
type breaking struct {
	h http.Handler
	// rewrite gets the request and the answer; it returns the answer to send.
	rewrite func(r *http.Request, status int, body map[string]any) (int, map[string]any)
}

func (b breaking) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, r)
	var body map[string]any
	if !strings.Contains(r.URL.Path, "/v2/") || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return
	}
	status, body := b.rewrite(r, rec.Code, body)
	out, _ := json.Marshal(body)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// TestRun_FindsBreaks: each deliberate break of a wrapped calmock is found at the first
// step it changes, with the path it changes.
func TestRun_FindsBreaks(t *testing.T) {
	const seed, steps = 11, 40
	rec := &recordingClient{sizes: map[string]int{}}
	cases := []struct {
		name string
		// is reports whether a step of a clean run is one the break changes.
		is      func(st StepRecord) bool
		rewrite func(r *http.Request, status int, body map[string]any) (int, map[string]any)
		path    string // the first difference's path, or its prefix ending in "."
	}{
		{
			name: "confirm answers 201",
			is:   func(st StepRecord) bool { return st.Op == OpConfirm && st.TargetStatus == 200 },
			rewrite: func(r *http.Request, status int, body map[string]any) (int, map[string]any) {
				if strings.HasSuffix(r.URL.Path, "/confirm") && status == 200 {
					status = 201
				}
				return status, body
			},
			path: "(status)",
		},
		{
			name: "get drops absentHost",
			is:   func(st StepRecord) bool { return st.Op == OpGet && st.TargetStatus == 200 },
			rewrite: func(r *http.Request, status int, body map[string]any) (int, map[string]any) {
				if r.Method == http.MethodGet && strings.Count(strings.SplitN(r.URL.Path, "/v2/", 2)[1], "/") == 1 && status == 200 {
					if d, ok := body["data"].(map[string]any); ok {
						delete(d, "absentHost")
					}
				}
				return status, body
			},
			path: "data.absentHost",
		},
		{
			name: "list reversed",
			is: func(st StepRecord) bool {
				return st.Op == OpList && st.TargetStatus == 200 && rec.sizes[st.Path] > 1
			},
			rewrite: func(r *http.Request, status int, body map[string]any) (int, map[string]any) {
				if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/v2/bookings") && status == 200 {
					if d, ok := body["data"].([]any); ok {
						for i, j := 0, len(d)-1; i < j; i, j = i+1, j-1 {
							d[i], d[j] = d[j], d[i]
						}
					}
				}
				return status, body
			},
			path: "data[0].",
		},
		{
			name: "list miscounts",
			is:   func(st StepRecord) bool { return st.Op == OpList && st.TargetStatus == 200 },
			rewrite: func(r *http.Request, status int, body map[string]any) (int, map[string]any) {
				if p, ok := body["pagination"].(map[string]any); ok && r.Method == http.MethodGet {
					if n, ok := p["totalItems"].(float64); ok {
						p["totalItems"] = n + 1
					}
				}
				return status, body
			},
			path: "pagination.totalItems",
		},
	}
	// A clean run says where each break must show; its client notes how many bookings
	// each list answered, as only a list of two or more can show a reversed order.
	clean, closeFn, err := New(context.Background(), Options{Handler: calmockTarget(t), Seed: seed, N: 1, Steps: steps, RunID: "clean", Client: rec})
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	var cleanSeqs []SequenceResult
	for i := range 6 {
		res, err := clean.Play(context.Background(), clean.Sequence(i), -1, i)
		if err != nil || len(res.Differences) > 0 {
			t.Fatalf("clean sequence %d: %v %v", i, err, res.Differences)
		}
		cleanSeqs = append(cleanSeqs, res)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seq, step := -1, -1
			for i, s := range cleanSeqs {
				for _, st := range s.Steps {
					if tc.is(st) {
						seq, step = i, st.Step
						break
					}
				}
				if seq >= 0 {
					break
				}
			}
			if seq < 0 {
				t.Fatal("no clean sequence has a step this break changes; pick another seed")
			}
			target := breaking{h: calmockTarget(t), rewrite: tc.rewrite}
			r, closeFn, err := New(context.Background(), Options{Handler: target, Seed: seed, N: 1, Steps: steps, RunID: "clean"})
			if err != nil {
				t.Fatal(err)
			}
			defer closeFn()
			res, err := r.Play(context.Background(), r.Sequence(seq), -1, seq)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Differences) == 0 {
				t.Fatalf("sequence %d: the break was not found", seq)
			}
			d := res.Differences[0]
			if d.Step != step || d.Sequence != seq {
				t.Fatalf("found at sequence %d step %d, want step %d: %v", d.Sequence, d.Step, step, d)
			}
			if d.Path != tc.path && !(strings.HasSuffix(tc.path, ".") && strings.HasPrefix(d.Path, tc.path)) {
				t.Fatalf("path %q, want %q: %v", d.Path, tc.path, d)
			}
			if !strings.Contains(d.String(), "step "+itoa(step)) {
				t.Fatalf("the difference does not name its step: %s", d)
			}
		})
	}
}

// recordingClient notes the number of items of each list answer, by path after the
// sandbox prefix (the same path the step record shows).
type recordingClient struct{ sizes map[string]int }

func (c *recordingClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil || req.Method != http.MethodGet || !strings.Contains(req.URL.Path, "/v2/bookings") {
		return resp, err
	}
	b := new(bytes.Buffer)
	_, _ = b.ReadFrom(resp.Body)
	resp.Body.Close()
	resp.Body = nopCloser{bytes.NewReader(b.Bytes())}
	var body struct {
		Data []any `json:"data"`
	}
	if json.Unmarshal(b.Bytes(), &body) == nil {
		_, rest, _ := strings.Cut(req.URL.RequestURI(), "/v2/")
		c.sizes["/v2/"+rest] = len(body.Data)
	}
	return resp, nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

var testNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
