package mockserver

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/calmock/calmock/profile"
)

// admin sends a /_calmock request with no cal-api-version and the given Authorization.
func (f *fixture) admin(tb testing.TB, method, path, auth string, body any) response {
	tb.Helper()
	return f.doHeaders(tb, method, path, body, map[string]string{"Authorization": auth})
}

// clockIs checks GET /_calmock/clock.
func (f *fixture) clockIs(tb testing.TB, now time.Time, mode string) {
	tb.Helper()
	d := f.admin(tb, "GET", ClockPath, "", nil).expect(tb, http.StatusOK).data(tb)
	if d["now"] != now.UTC().Format("2006-01-02T15:04:05.000Z") || d["mode"] != mode {
		tb.Fatalf("clock = %v, want now %s mode %s", d, now, mode)
	}
}

func TestClock_Endpoints(t *testing.T) {
	f := MustServer(t, Config{})
	f.clockIs(t, testNow, "real")
	f.clock.Advance(time.Minute) // the source of real time moves: a real clock follows it
	f.clockIs(t, testNow.Add(time.Minute), "real")

	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	d := f.admin(t, "POST", ClockPath, "", map[string]any{"freeze": "2026-01-05T10:00:00+01:00"}).expect(t, http.StatusOK).data(t)
	if d["now"] != "2026-01-05T09:00:00.000Z" || d["mode"] != "frozen" {
		t.Fatalf("freeze answered %v", d)
	}
	f.clock.Advance(time.Hour)
	f.clockIs(t, at, "frozen")
	f.admin(t, "POST", ClockPath, "", map[string]any{"advance": "90m"}).expect(t, http.StatusOK)
	f.clockIs(t, at.Add(90*time.Minute), "frozen")
	f.admin(t, "POST", ClockPath, "", map[string]any{"real": true}).expect(t, http.StatusOK)
	f.clockIs(t, testNow.Add(61*time.Minute), "real")
	f.admin(t, "POST", ClockPath, "", map[string]any{"advance": "24h"}).expect(t, http.StatusOK)
	f.clockIs(t, testNow.Add(25*time.Hour+time.Minute), "offset")

	for _, tc := range []struct {
		name string
		body any
		want string
	}{
		{"no body", nil, "empty body"},
		{"not JSON", "freeze", "invalid clock body"},
		{"unknown field", map[string]any{"rewind": "1h"}, "invalid clock body"},
		{"two changes", map[string]any{"freeze": "2026-01-05T09:00:00Z", "advance": "1h"}, "exactly one of freeze, advance, real"},
		{"no change", map[string]any{}, "exactly one of freeze, advance, real"},
		{"not an instant", map[string]any{"freeze": "2026-01-05 09:00"}, "freeze must be an RFC 3339 instant"},
		{"before 1970", map[string]any{"freeze": "0001-01-01T00:00:00Z"}, "freeze must be at or after 1970"},
		{"freeze a number", map[string]any{"freeze": 1767603600}, "invalid clock body"},
		{"not a duration", map[string]any{"advance": "1 day"}, "advance must be a positive Go duration"},
		{"backwards", map[string]any{"advance": "-1h"}, "advance must be a positive Go duration"},
		{"zero", map[string]any{"advance": "0s"}, "advance must be a positive Go duration"},
		{"real false", map[string]any{"real": false}, "real must be true"},
		{"two values", `{"real":true} {"real":true}`, "more than one JSON value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.admin(t, "POST", ClockPath, "", tc.body).expect(t, http.StatusBadRequest)
			if r.errorCode(t) != "BadRequestException" || !strings.Contains(r.errorMessage(t), tc.want) {
				t.Fatalf("error %s %q, want BadRequestException containing %q", r.errorCode(t), r.errorMessage(t), tc.want)
			}
		})
	}
	f.clockIs(t, testNow.Add(25*time.Hour+time.Minute), "offset") // refused changes changed nothing
}

// TestClock_ResetReturnsToStart: reset puts a -clock mock back at its instant, frozen, and a
// real-time mock back in real time.
func TestClock_ResetReturnsToStart(t *testing.T) {
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	frozen := MustServer(t, Config{FrozenAt: at})
	frozen.clockIs(t, at, "frozen")
	frozen.admin(t, "POST", ClockPath, "", map[string]any{"real": true}).expect(t, http.StatusOK)
	frozen.admin(t, "POST", ResetPath, "", nil).expect(t, http.StatusOK)
	frozen.clockIs(t, at, "frozen")

	real := MustServer(t, Config{})
	real.admin(t, "POST", ClockPath, "", map[string]any{"freeze": "2026-01-05T09:00:00Z"}).expect(t, http.StatusOK)
	real.admin(t, "POST", ResetPath, "", nil).expect(t, http.StatusOK)
	real.clockIs(t, testNow, "real")
}

// TestClock_BookAdvanceMarkAbsent is the scenario of calmock issue 16: book a slot, advance
// the clock past its end, and mark the host absent.
func TestClock_BookAdvanceMarkAbsent(t *testing.T) {
	f := MustServer(t, Config{FrozenAt: testNow})
	plain := f.eventType(t, profile.KindPlain)
	b := f.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(1, 9), "ada@example.com")).expect(t, http.StatusCreated).data(t)
	uid := b["uid"].(string)
	inList := func(status string) bool {
		for _, x := range f.do(t, "GET", "/v2/bookings?take=250&status="+status, f.key(0), nil).expect(t, http.StatusOK).list(t) {
			if x["uid"] == uid {
				return true
			}
		}
		return false
	}
	if !inList("upcoming") || inList("past") {
		t.Fatalf("before advancing, the new booking should be upcoming, not past")
	}
	early := f.do(t, "POST", "/v2/bookings/"+uid+"/mark-absent", f.key(0), map[string]any{"host": true}).expect(t, http.StatusBadRequest)
	if !strings.HasPrefix(early.errorMessage(t), "Bookings can only be marked as absent after their scheduled start time.") {
		t.Fatalf("mark-absent before start: %s", early.errorMessage(t))
	}

	end, err := time.Parse(time.RFC3339, b["end"].(string))
	if err != nil {
		t.Fatal(err)
	}
	past := end.Sub(testNow) + time.Minute
	f.admin(t, "POST", ClockPath, "", map[string]any{"advance": past.String()}).expect(t, http.StatusOK)
	if inList("upcoming") || !inList("past") {
		t.Fatalf("after advancing past its end, the booking should be past, not upcoming")
	}
	d := f.do(t, "POST", "/v2/bookings/"+uid+"/mark-absent", f.key(0), map[string]any{"host": true}).expect(t, http.StatusOK).data(t)
	if d["absentHost"] != true {
		t.Fatalf("mark-absent after the end: %v", d)
	}
	if d["updatedAt"] != testNow.Add(past).Format("2006-01-02T15:04:05.000Z") {
		t.Errorf("updatedAt = %v, want the advanced clock %s", d["updatedAt"], testNow.Add(past))
	}
}

// TestClock_FrozenGivesSameBytesOnAnyDay: with -clock, the same seed answers byte for byte
// the same on two wall-clock days; without it, the fixtures move with the wall clock.
func TestClock_FrozenGivesSameBytesOnAnyDay(t *testing.T) {
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	session := func(wall time.Time, frozenAt time.Time) []byte {
		f := MustServer(t, Config{Clock: &testClock{now: wall}, FrozenAt: frozenAt})
		plain := f.eventType(t, profile.KindPlain)
		var all bytes.Buffer
		for _, r := range []response{
			f.admin(t, "GET", profile.Path, "", nil),
			f.do(t, "GET", "/v2/bookings?take=250&status=upcoming", f.key(0), nil),
			f.do(t, "GET", "/v2/bookings?take=250&status=past", f.key(0), nil),
			f.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, at.AddDate(0, 0, 3).Format(time.RFC3339), "ada@example.com")),
			f.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, at.AddDate(0, 0, -3).Format(time.RFC3339), "ada@example.com")),
		} {
			all.Write(r.Body.Bytes())
		}
		return all.Bytes()
	}
	day1 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	day2 := day1.AddDate(0, 0, 1).Add(3*time.Hour + 7*time.Second)
	if a, b := session(day1, at), session(day2, at); !bytes.Equal(a, b) {
		t.Fatalf("frozen at %s, the answers differ between wall days %s and %s:\n%s\n%s", at, day1, day2, a, b)
	}
	if a, b := session(day1, time.Time{}), session(day2, time.Time{}); bytes.Equal(a, b) {
		t.Fatalf("in real time the answers should move with the wall clock, but do not")
	}
}

// TestClock_RateLimitWindowFollowsClock: a blocked key is free again once the mock's clock,
// not the wall clock, has passed the block.
func TestClock_RateLimitWindowFollowsClock(t *testing.T) {
	f := MustServer(t, Config{FrozenAt: testNow, RateLimit: 2})
	get := func() response { return f.do(t, "GET", "/v2/bookings", f.key(0), nil) }
	get().expect(t, http.StatusOK)
	get().expect(t, http.StatusOK)
	get().expect(t, http.StatusTooManyRequests)
	f.clock.Advance(time.Hour) // the wall clock moves; the frozen mock clock does not
	get().expect(t, http.StatusTooManyRequests)
	f.admin(t, "POST", ClockPath, "", map[string]any{"advance": "121s"}).expect(t, http.StatusOK)
	get().expect(t, http.StatusOK)
}

// TestAdminToken: with -admin-token, the admin endpoints that change state answer 401 in
// the envelope without it; the read-only ones stay open.
func TestAdminToken(t *testing.T) {
	f := MustServer(t, Config{AdminToken: "s3cret"})
	for _, c := range []struct{ method, path string }{{"POST", ResetPath}, {"POST", ClockPath}} {
		for _, auth := range []string{"", "Bearer wrong", "s3cret", "Bearer " + f.key(0)} {
			r := f.admin(t, c.method, c.path, auth, map[string]any{"real": true}).expect(t, http.StatusUnauthorized)
			if r.body["status"] != "error" || r.errorCode(t) != "UnauthorizedException" || !strings.Contains(r.errorMessage(t), "-admin-token") {
				t.Fatalf("%s %s with %q: %s", c.method, c.path, auth, r.Body.String())
			}
		}
		f.admin(t, c.method, c.path, "Bearer s3cret", map[string]any{"real": true}).expect(t, http.StatusOK)
	}
	for _, p := range []string{ClockPath, profile.Path, HealthPath} {
		f.admin(t, "GET", p, "", nil).expect(t, http.StatusOK)
	}
}
