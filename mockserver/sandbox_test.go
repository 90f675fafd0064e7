package mockserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/fixtures"
	"github.com/calmock/calmock/profile"
)

// realTime is a settable real-time source for the registry's expiry.
type realTime struct {
	mu sync.Mutex
	t  time.Time
}

func (r *realTime) Now() time.Time      { r.mu.Lock(); defer r.mu.Unlock(); return r.t }
func (r *realTime) add(d time.Duration) { r.mu.Lock(); r.t = r.t.Add(d); r.mu.Unlock() }

// registry puts a sandbox registry in front of f's server, with expiry read from wall.
func (f *fixture) registry(tb testing.TB, limits SandboxLimits, wall *realTime) *fixture {
	tb.Helper()
	if wall != nil {
		limits.Now = wall.Now
	}
	reg, err := NewSandboxes(f.srv, limits)
	if err != nil {
		tb.Fatal(err)
	}
	return &fixture{srv: f.srv, clock: f.clock, prof: f.prof, via: reg}
}

// sandbox creates a sandbox through POST /_calmock/sandboxes and returns a fixture whose
// requests go to it.
func (f *fixture) sandbox(tb testing.TB, body any) *fixture {
	tb.Helper()
	d := f.admin(tb, "POST", SandboxesPath, "", body).expect(tb, http.StatusCreated).data(tb)
	id, _ := d["id"].(string)
	reg := f.via.(*Sandboxes)
	reg.mu.Lock()
	e := reg.byID[id]
	reg.mu.Unlock()
	if e == nil || d["path"] != SandboxesPath+"/"+id || d["url"] != "http://example.com"+SandboxesPath+"/"+id {
		tb.Fatalf("create answered %v", d)
	}
	return &fixture{srv: e.srv, clock: f.clock, prof: e.srv.Fixtures().Profile(), via: f.via, prefix: d["path"].(string)}
}

// uids returns the uids of the first user's bookings of a status.
func (f *fixture) uids(tb testing.TB, status string) map[string]bool {
	tb.Helper()
	out := map[string]bool{}
	for _, b := range f.do(tb, "GET", "/v2/bookings?take=250&status="+status, f.key(0), nil).expect(tb, http.StatusOK).list(tb) {
		out[b["uid"].(string)] = true
	}
	return out
}

// TestSandbox_Isolation drives two sandboxes concurrently (run it with -race): each books,
// moves its clock and spends its rate limit, and neither ever sees the other's bookings,
// clock or rate-limit counters; the default mock sees none of it either.
func TestSandbox_Isolation(t *testing.T) {
	root := MustServer(t, Config{FrozenAt: testNow, RateLimit: 5}).registry(t, SandboxLimits{Max: 10}, nil)
	before := root.uids(t, "upcoming")
	// Different seeds, so that their booking uids differ and "seen by the other" means it.
	a, b := root.sandbox(t, nil), root.sandbox(t, map[string]any{"seed": 2})
	plain := a.eventType(t, profile.KindPlain)

	type result struct {
		created []string
		err     error
	}
	results := make([]result, 2)
	var wg sync.WaitGroup
	for i, sb := range []*fixture{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rt := &results[i]
			for n := range 3 {
				req := httptest.NewRequest("POST", sb.prefix+"/v2/bookings", strings.NewReader(mustJSON(t, createBody(plain.ID, slot(1+n, 9+i), fmt.Sprintf("p%d-%d@example.com", i, n)))))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("cal-api-version", "2024-08-13")
				rec := httptest.NewRecorder()
				sb.via.ServeHTTP(rec, req)
				var out struct{ Data struct{ UID string } }
				if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
					rt.err = fmt.Errorf("sandbox %d create: %d %s", i, rec.Code, rec.Body)
					return
				}
				rt.created = append(rt.created, out.Data.UID)
			}
			// Sandbox 0 moves its clock a year on; sandbox 1 spends its whole rate limit.
			if i == 0 {
				req := httptest.NewRequest("POST", sb.prefix+ClockPath, strings.NewReader(`{"advance":"8760h"}`))
				rec := httptest.NewRecorder()
				sb.via.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					rt.err = fmt.Errorf("advance: %d %s", rec.Code, rec.Body)
				}
				return
			}
			for range 5 {
				req := httptest.NewRequest("GET", sb.prefix+"/v2/bookings", nil)
				req.Header.Set("cal-api-version", "2024-08-13")
				req.Header.Set("Authorization", "Bearer "+sb.key(0))
				sb.via.ServeHTTP(httptest.NewRecorder(), req)
			}
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r.err != nil {
			t.Fatal(r.err)
		}
	}
	// Sandbox 1's key is blocked in sandbox 1 only.
	b.do(t, "GET", "/v2/bookings", b.key(0), nil).expect(t, http.StatusTooManyRequests)
	if got := a.do(t, "GET", "/v2/bookings", a.key(0), nil).expect(t, http.StatusOK).Header().Get("X-RateLimit-Remaining-Default"); got != "4" {
		t.Errorf("sandbox 0 remaining = %s, want 4 (its own first request)", got)
	}
	// Only sandbox 0's clock moved.
	a.clockIs(t, testNow.Add(8760*time.Hour), "frozen")
	b.clockIs(t, testNow, "frozen")
	root.clockIs(t, testNow, "frozen")
	// Each sandbox holds its own bookings; sandbox 0's are past now, sandbox 1's upcoming.
	pastA, upB := a.uids(t, "past"), b.uidsAfterBlock(t)
	for _, uid := range results[0].created {
		if !pastA[uid] || upB[uid] {
			t.Errorf("sandbox 0's booking %s: past in 0 %v, seen by 1 %v", uid, pastA[uid], upB[uid])
		}
	}
	for _, uid := range results[1].created {
		if !upB[uid] || pastA[uid] {
			t.Errorf("sandbox 1's booking %s: seen by 1 %v, by 0 %v", uid, upB[uid], pastA[uid])
		}
		if _, ok := a.getBooking(t, uid); ok {
			t.Errorf("sandbox 0 finds sandbox 1's booking %s", uid)
		}
	}
	if after := root.uids(t, "upcoming"); !reflect.DeepEqual(before, after) {
		t.Errorf("the default mock's bookings changed: %d before, %d after", len(before), len(after))
	}
}

// uidsAfterBlock lists sandbox b's upcoming bookings once its blocked key is free again
// (moving b's own clock past the block).
func (f *fixture) uidsAfterBlock(tb testing.TB) map[string]bool {
	tb.Helper()
	f.admin(tb, "POST", ClockPath, "", map[string]any{"advance": "2m"}).expect(tb, http.StatusOK)
	return f.uids(tb, "upcoming")
}

// getBooking fetches one booking by uid.
func (f *fixture) getBooking(tb testing.TB, uid string) (map[string]any, bool) {
	tb.Helper()
	r := f.do(tb, "GET", "/v2/bookings/"+uid, f.key(0), nil)
	if r.Code == http.StatusNotFound {
		return nil, false
	}
	return r.expect(tb, http.StatusOK).data(tb), true
}

// TestSandbox_DefaultUnchanged: behind the registry, with sandboxes created, used and
// deleted in between, the default mock answers byte for byte as a mock without a registry,
// headers (request ids included) and all.
func TestSandbox_DefaultUnchanged(t *testing.T) {
	session := func(withRegistry bool) []byte {
		f := MustServer(t, Config{FrozenAt: testNow, RateLimit: 120})
		var reg *fixture
		if withRegistry {
			reg = f.registry(t, SandboxLimits{Max: 2, TTL: time.Minute}, nil)
		}
		plain := f.eventType(t, profile.KindPlain)
		var all bytes.Buffer
		step := func(r response) {
			fmt.Fprintf(&all, "%d %v\n%s\n", r.Code, r.Header(), r.Body.Bytes())
			if reg != nil { // sandbox traffic between every step of the default mock
				sb := reg.sandbox(t, nil)
				sb.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(2, 10), "sb@example.com")).expect(t, http.StatusCreated)
				sb.admin(t, "POST", ClockPath, "", map[string]any{"advance": "1h"}).expect(t, http.StatusOK)
				reg.admin(t, "DELETE", sb.prefix, "", nil).expect(t, http.StatusOK)
			}
		}
		step(f.do(t, "GET", "/v2/bookings?take=250", f.key(0), nil))
		step(f.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(1, 9), "ada@example.com")))
		step(f.do(t, "GET", "/v2/bookings?status=upcoming", f.key(0), nil))
		step(f.do(t, "GET", "/v2/nope", f.key(0), nil))
		step(f.admin(t, "GET", ClockPath, "", nil))
		step(f.admin(t, "GET", profile.Path, "", nil))
		step(f.do(t, "GET", "/api/v2/bookings?take=1", f.key(0), nil))
		return all.Bytes()
	}
	if bare, fronted := session(false), session(true); !bytes.Equal(bare, fronted) {
		t.Fatalf("the default mock answers differently behind the registry:\n%s\n---\n%s", bare, fronted)
	}
}

// TestSandbox_PathsUnderBase: every kind of path works under the base as at the root: the
// /api/v2 rewrite, an encoded uid, the admin endpoints, unknown paths (whose 404 names the
// path as the client's base sees it), CORS preflight.
func TestSandbox_PathsUnderBase(t *testing.T) {
	root := MustServer(t, Config{FrozenAt: testNow}).registry(t, SandboxLimits{Max: 10}, nil)
	sb := root.sandbox(t, map[string]any{})
	sb.do(t, "GET", "/api/v2/bookings", sb.key(0), nil).expect(t, http.StatusOK)
	sb.do(t, "GET", "/v2/ee/bookings", sb.key(0), nil).expect(t, http.StatusOK)
	if msg := sb.do(t, "GET", "/v2/nope", sb.key(0), nil).expect(t, http.StatusNotFound).errorMessage(t); msg != "Cannot GET /v2/nope" {
		t.Errorf("unknown path: %q", msg)
	}
	if msg := sb.do(t, "GET", "/v2/bookings/a%2Fb", sb.key(0), nil).expect(t, http.StatusNotFound).errorMessage(t); !strings.Contains(msg, "a/b") {
		t.Errorf("encoded slash: %q, want the uid a/b looked up", msg)
	}
	if msg := sb.do(t, "GET", "", sb.key(0), nil).expect(t, http.StatusNotFound).errorMessage(t); msg != "Cannot GET /" {
		t.Errorf("the base itself: %q", msg)
	}
	sb.admin(t, "GET", HealthPath, "", nil).expect(t, http.StatusOK)
	sb.admin(t, "POST", ResetPath, "", nil).expect(t, http.StatusOK)
	if got := sb.admin(t, "GET", profile.Path, "", nil).expect(t, http.StatusOK).body["users"]; got == nil {
		t.Errorf("profile under the base has no users: %v", got)
	}
	req := httptest.NewRequest(http.MethodOptions, sb.prefix+"/v2/bookings", nil)
	rec := httptest.NewRecorder()
	sb.via.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("preflight: %d %v", rec.Code, rec.Header())
	}
	// A sandbox has no sandboxes of its own.
	sb.admin(t, "POST", SandboxesPath, "", nil).expect(t, http.StatusNotFound)
}

// TestSandbox_Registry: list, delete, unknown ids, the create body's options and errors.
func TestSandbox_Registry(t *testing.T) {
	root := MustServer(t, Config{FrozenAt: testNow}).registry(t, SandboxLimits{Max: 10, TTL: time.Hour, MaxBookings: 500}, nil)
	a := root.sandbox(t, nil)
	b := root.sandbox(t, map[string]any{"seed": 7, "clock": "2031-02-03T04:05:06Z", "rateLimit": 0})
	list := root.admin(t, "GET", SandboxesPath, "", nil).expect(t, http.StatusOK).data(t)
	items, _ := list["sandboxes"].([]any)
	if len(items) != 2 || list["max"] != 10.0 || list["ttl"] != "1h0m0s" || list["maxBookings"] != 500.0 {
		t.Fatalf("list = %v", list)
	}
	if items[1].(map[string]any)["seed"] != 7.0 || items[1].(map[string]any)["expiresAt"] == nil {
		t.Errorf("second sandbox = %v", items[1])
	}
	b.clockIs(t, time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC), "frozen")
	if reflect.DeepEqual(a.prof.Users, b.prof.Users) {
		t.Errorf("seed 7 gave the same users as seed 1")
	}
	if h := b.do(t, "GET", "/v2/bookings", b.key(0), nil).expect(t, http.StatusOK).Header().Get("X-RateLimit-Limit-Default"); h != unlimited {
		t.Errorf("rateLimit 0: limit header %q", h)
	}

	root.admin(t, "DELETE", a.prefix, "", nil).expect(t, http.StatusOK)
	a.do(t, "GET", "/v2/bookings", a.key(0), nil).expect(t, http.StatusNotFound)
	root.admin(t, "DELETE", a.prefix, "", nil).expect(t, http.StatusNotFound)
	if msg := root.admin(t, "GET", SandboxesPath+"/sb-nope/v2/bookings", "", nil).expect(t, http.StatusNotFound).errorMessage(t); !strings.Contains(msg, `"sb-nope" not found`) {
		t.Errorf("unknown id: %q", msg)
	}
	root.admin(t, "PUT", SandboxesPath, "", nil).expect(t, http.StatusNotFound)

	for _, tc := range []struct {
		body any
		want string
	}{
		{map[string]any{"sede": 1}, `unknown field "sede"`},
		{map[string]any{"clock": "tomorrow"}, "clock must be an RFC 3339 instant"},
		{map[string]any{"rateLimit": -1}, "rateLimit must be 0 (off) or positive"},
		{`{"seed": 1} {}`, "more than one JSON value"},
		{map[string]any{"fixtures": map[string]any{"users": []any{}}}, "sandbox fixtures: invalid fixtures"},
	} {
		msg := root.admin(t, "POST", SandboxesPath, "", tc.body).expect(t, http.StatusBadRequest).errorMessage(t)
		if !strings.Contains(msg, tc.want) {
			t.Errorf("body %v: %q, want it to contain %q", tc.body, msg, tc.want)
		}
	}
}

// TestSandbox_Fixtures: a sandbox of a fixtures document (the -fixtures format, as JSON)
// serves that world, and resets to it.
func TestSandbox_Fixtures(t *testing.T) {
	root := MustServer(t, Config{FrozenAt: testNow}).registry(t, SandboxLimits{Max: 10}, nil)
	set, err := fixtures.Default(42, testNow)
	if err != nil {
		t.Fatal(err)
	}
	set.Bookings = set.Bookings[:3]
	doc, err := set.Marshal(fixtures.FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	sb := root.sandbox(t, map[string]any{"fixtures": json.RawMessage(doc)})
	if sb.prof.Users[0].APIKey != set.Users[0].APIKey || sb.key(0) == root.key(0) {
		t.Fatalf("the sandbox's users are not the document's")
	}
	all := func() int {
		return len(sb.do(t, "GET", "/v2/bookings?take=250", sb.key(0), nil).expect(t, http.StatusOK).list(t))
	}
	n := all()
	plain := sb.eventType(t, profile.KindPlain)
	sb.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(3, 9), "x@example.com")).expect(t, http.StatusCreated)
	if all() != n+1 {
		t.Fatalf("create did not add a booking")
	}
	sb.admin(t, "POST", ResetPath, "", nil).expect(t, http.StatusOK)
	if all() != n {
		t.Fatalf("reset did not return to the document's bookings")
	}
}

// TestSandbox_Bounds: past -max-sandboxes a create gets a 507 in the envelope; past
// -sandbox-max-bookings a request that would store more gets a 507 and stores nothing, and
// a fixtures document larger than that is refused at once.
func TestSandbox_Bounds(t *testing.T) {
	f := MustServer(t, Config{FrozenAt: testNow})
	fixtureBookings := storeLen(t, f.srv)
	root := f.registry(t, SandboxLimits{Max: 2, MaxBookings: fixtureBookings + 1}, nil)
	sb := root.sandbox(t, nil)
	root.sandbox(t, nil)
	r := root.admin(t, "POST", SandboxesPath, "", nil).expect(t, http.StatusInsufficientStorage)
	if msg := r.errorMessage(t); !strings.Contains(msg, "2 sandboxes exist, the most -max-sandboxes allows") {
		t.Errorf("past the count: %q", msg)
	}
	if r.body["status"] != "error" || r.body["path"] != SandboxesPath {
		t.Errorf("not the error envelope: %s", r.Body)
	}

	plain := sb.eventType(t, profile.KindPlain)
	sb.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(1, 9), "one@example.com")).expect(t, http.StatusCreated)
	full := sb.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(1, 11), "two@example.com")).expect(t, http.StatusInsufficientStorage)
	if msg := full.errorMessage(t); !strings.Contains(msg, fmt.Sprintf("at most %d bookings (-sandbox-max-bookings)", fixtureBookings+1)) {
		t.Errorf("past the bookings: %q", msg)
	}
	if got := storeLen(t, sb.srv); got != fixtureBookings+1 {
		t.Errorf("the refused create stored something: %d bookings, want %d", got, fixtureBookings+1)
	}
	sb.admin(t, "POST", ResetPath, "", nil).expect(t, http.StatusOK)
	sb.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(1, 11), "two@example.com")).expect(t, http.StatusCreated)

	small := f.registry(t, SandboxLimits{Max: 2, MaxBookings: fixtureBookings - 1}, nil)
	if msg := small.admin(t, "POST", SandboxesPath, "", nil).expect(t, http.StatusInsufficientStorage).errorMessage(t); !strings.Contains(msg, "more than the") {
		t.Errorf("fixtures past the bookings: %q", msg)
	}
	if _, err := NewSandboxes(f.srv, SandboxLimits{}); err == nil {
		t.Errorf("Max 0 accepted")
	}
}

// storeLen is the number of bookings s holds.
func storeLen(tb testing.TB, s *Server) int {
	tb.Helper()
	var n int
	if err := s.store.View(context.Background(), func(tx booking.Tx) error { n = tx.Len(); return nil }); err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestSandbox_Expiry: a sandbox that gets no request for the TTL (real time, injected here;
// not the sandbox's own clock) is gone, and no longer counts against the bound; one that
// gets requests stays.
func TestSandbox_Expiry(t *testing.T) {
	wall := &realTime{t: testNow}
	root := MustServer(t, Config{FrozenAt: testNow}).registry(t, SandboxLimits{Max: 2, TTL: 10 * time.Minute}, wall)
	idle, busy := root.sandbox(t, nil), root.sandbox(t, nil)
	for range 3 {
		wall.add(6 * time.Minute)
		busy.admin(t, "GET", ClockPath, "", nil).expect(t, http.StatusOK)
	}
	busy.admin(t, "POST", ClockPath, "", map[string]any{"advance": "8760h"}).expect(t, http.StatusOK) // its own clock: no effect on expiry
	idle.admin(t, "GET", ClockPath, "", nil).expect(t, http.StatusNotFound)
	list := root.admin(t, "GET", SandboxesPath, "", nil).expect(t, http.StatusOK).data(t)["sandboxes"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["path"] != busy.prefix {
		t.Fatalf("after expiry the list is %v", list)
	}
	root.sandbox(t, nil) // the expired one no longer counts
	wall.add(10 * time.Minute)
	root.sandbox(t, nil) // nor do those that expired untouched: a create sweeps them
	root.sandbox(t, nil)
	if n := root.via.(*Sandboxes).Len(); n != 2 {
		t.Errorf("held %d sandboxes, want 2", n)
	}
}

// TestSandbox_AdminToken: with -admin-token, creating and deleting sandboxes and the
// sandbox's own admin endpoints that change state need it; the list stays open.
func TestSandbox_AdminToken(t *testing.T) {
	root := MustServer(t, Config{AdminToken: "s3cret"}).registry(t, SandboxLimits{Max: 10}, nil)
	root.admin(t, "POST", SandboxesPath, "", nil).expect(t, http.StatusUnauthorized)
	root.admin(t, "GET", SandboxesPath, "", nil).expect(t, http.StatusOK)
	d := root.admin(t, "POST", SandboxesPath, "Bearer s3cret", nil).expect(t, http.StatusCreated).data(t)
	base := d["path"].(string)
	root.admin(t, "POST", base+ResetPath, "", nil).expect(t, http.StatusUnauthorized)
	root.admin(t, "POST", base+ResetPath, "Bearer s3cret", nil).expect(t, http.StatusOK)
	root.admin(t, "DELETE", base, "", nil).expect(t, http.StatusUnauthorized)
	root.admin(t, "DELETE", base, "Bearer s3cret", nil).expect(t, http.StatusOK)
}

// TestSandbox_WorldStaysUnchanged: sandboxes share their fixtures world (users, event types,
// catalog, wire shapes, initial bookings) read-only. Driving one through every kind of
// change must leave that world as it was generated, for the next sandbox.
func TestSandbox_WorldStaysUnchanged(t *testing.T) {
	f := MustServer(t, Config{FrozenAt: testNow})
	root := f.registry(t, SandboxLimits{Max: 10}, nil)
	sb := root.sandbox(t, nil)
	sw, err := f.srv.sandboxes.defaultWorld(1, testNow)
	if err != nil {
		t.Fatal(err)
	}
	snapshot := func() []byte {
		set := *sw.world.fixtures
		set.Bookings = sw.bookings
		data, err := set.Marshal(fixtures.FormatJSON)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Appendf(data, "%#v %#v", sw.world.catalog, sw.world.shapes)
	}
	before := snapshot()
	fresh, err := fixtures.Default(1, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fresh.Catalog(), sw.world.catalog) {
		t.Fatalf("the shared catalog is not the fixtures' catalog")
	}

	// Every kind of change a client can make: create (plain, seated, recurring), cancel,
	// reschedule, confirm, decline, mark absent, reassign, attendees and guests, location.
	for _, kind := range []string{profile.KindPlain, profile.KindSeated, profile.KindRecurring, profile.KindRequiresConfirmation, profile.KindRoundRobin} {
		et := sb.eventType(t, kind)
		body := createBody(et.ID, slot(5, 10), "w-"+kind+"@example.com")
		if kind == profile.KindRecurring {
			body["recurrenceCount"] = 2
		}
		sb.do(t, "POST", "/v2/bookings", "", body)
	}
	for _, b := range sb.do(t, "GET", "/v2/bookings?take=250", sb.key(0), nil).expect(t, http.StatusOK).list(t) {
		uid := b["uid"].(string)
		for _, op := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/attendees", map[string]any{"name": "G", "email": "g-" + uid + "@example.com", "timeZone": "Europe/Paris"}},
			{"POST", "/guests", map[string]any{"guests": []any{map[string]any{"email": "h-" + uid + "@example.com"}}}},
			{"PATCH", "/location", map[string]any{"location": map[string]any{"type": "address", "address": "1 Main St"}}},
			{"POST", "/mark-absent", map[string]any{"host": true}},
			{"POST", "/confirm", nil},
			{"POST", "/decline", map[string]any{"reason": "no"}},
			{"POST", "/reassign", nil},
			{"POST", "/reschedule", map[string]any{"start": slot(9, 13)}},
			{"POST", "/cancel", map[string]any{"cancellationReason": "x"}},
		} {
			sb.do(t, op.method, "/v2/bookings/"+uid+op.path, sb.key(0), op.body)
		}
	}
	sb.admin(t, "POST", ResetPath, "", nil).expect(t, http.StatusOK)
	root.sandbox(t, nil)
	if after := snapshot(); !bytes.Equal(before, after) {
		t.Fatalf("a sandbox changed the shared world:\nbefore %s\nafter  %s", before, after)
	}
}

// TestSandbox_FaultsAndJournalIsolated: a fault injected into one sandbox answers only that
// sandbox's requests, and each sandbox's journal holds only its own; the default mock sees
// neither.
func TestSandbox_FaultsAndJournalIsolated(t *testing.T) {
	root := MustServer(t, Config{FrozenAt: testNow}).registry(t, SandboxLimits{Max: 10}, nil)
	a, b := root.sandbox(t, nil), root.sandbox(t, map[string]any{"seed": 2})
	a.admin(t, "POST", FaultsPath, "", map[string]any{"method": "GET", "path": "/v2/bookings", "status": 503}).expect(t, http.StatusCreated)
	a.do(t, "GET", "/v2/bookings", a.key(0), nil).expect(t, http.StatusServiceUnavailable)
	b.do(t, "GET", "/v2/bookings?tkae=1", b.key(0), nil).expect(t, http.StatusOK)
	root.do(t, "GET", "/v2/bookings", root.key(0), nil).expect(t, http.StatusOK)
	if n := len(b.srv.Faults()); n != 0 {
		t.Fatalf("sandbox b holds %d faults", n)
	}
	for _, tc := range []struct {
		name  string
		srv   *Server
		wants []int // the statuses of its GET /v2/bookings entries, newest first
	}{{"a", a.srv, []int{503}}, {"b", b.srv, []int{200}}, {"root", root.srv, []int{200}}} {
		var got []int
		for _, e := range tc.srv.Journal(JournalFilter{Path: "/v2/bookings"}) {
			got = append(got, e.Status)
		}
		if !slices.Equal(got, tc.wants) {
			t.Errorf("journal of %s: statuses %v, want %v", tc.name, got, tc.wants)
		}
	}
	yes := true
	if v := b.srv.Journal(JournalFilter{HasViolations: &yes}); len(v) != 1 || len(a.srv.Journal(JournalFilter{HasViolations: &yes})) != 0 {
		t.Errorf("the misspelt query is in b's journal only: b %d entries, a %v", len(v), a.srv.Journal(JournalFilter{HasViolations: &yes}))
	}
}
