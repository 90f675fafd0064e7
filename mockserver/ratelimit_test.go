package mockserver

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/calmock/calmock/profile"
)

// TestRateLimiter_BoundedMemory: a client cycling through fresh trackers cannot grow the
// limiter past its bound once their windows are over, and live trackers are kept.
func TestRateLimiter_BoundedMemory(t *testing.T) {
	clock := &testClock{now: testNow}
	l := newRateLimiter(2, clock)
	h := http.Header{}
	for i := 0; i < maxTrackers; i++ {
		_ = l.take(h, "bogus-"+strconv.Itoa(i))
	}
	clock.Advance(30 * time.Second)
	// Blocked at 30 s, so blocked until 90 s.
	_ = l.take(h, "live")
	_ = l.take(h, "live")
	if err := l.take(h, "live"); err == nil {
		t.Fatal("third request of a limit of 2 was not refused")
	}
	_ = l.take(h, "one-more") // windows of the bogus trackers still open: nothing to evict yet
	if len(l.seen) <= maxTrackers {
		t.Fatalf("evicted trackers whose window is still open: %d left", len(l.seen))
	}
	clock.Advance(31 * time.Second)
	_ = l.take(h, "after")
	if len(l.seen) > 3 {
		t.Fatalf("%d trackers kept after their windows ended, want at most 3", len(l.seen))
	}
	if _, ok := l.seen["live"]; !ok {
		t.Fatal("the blocked tracker was dropped before its block ended")
	}
}

// TestNamedLimits_OnlyFromTable: namedLimits is the only place a named limit comes from.
// Every route of every version is called: one listed there answers its limit of requests
// with its own header triple counting down by one (a handler counting too would take two),
// then 429 with that family; one not listed carries no header but the Default triple. The
// default counter goes down by exactly one per request whatever the named limits do, and
// the table names no operation the server lacks.
func TestNamedLimits_OnlyFromTable(t *testing.T) {
	const defaultLimit = 1000
	f := MustServer(t, Config{RateLimit: defaultLimit})
	uid := f.do(t, "POST", "/v2/bookings", "", createBody(f.eventType(t, profile.KindPlain).ID, slot(7, 10), "booker@example.com")).
		expect(t, http.StatusCreated).data(t)["uid"].(string)
	path := strings.NewReplacer("{bookingUid}", uid, "{attendeeId}", "999", "{userId}", "999", "{seatUid}", "nope")
	sent := 0
	send := func(t *testing.T, version string, rt route) response {
		t.Helper()
		r := f.doHeaders(t, rt.method, path.Replace(rt.path), map[string]any{},
			map[string]string{"cal-api-version": version, "Authorization": bearer(f.key(0))})
		sent++
		if got := r.Header().Get("X-RateLimit-Remaining-Default"); got != strconv.Itoa(defaultLimit-sent) {
			t.Fatalf("request %d: X-RateLimit-Remaining-Default = %q, want %d", sent, got, defaultLimit-sent)
		}
		return r
	}
	seen := map[string]bool{}
	for _, tbl := range f.srv.tables {
		for _, rt := range tbl.routes {
			spent := seen[rt.operationID]
			seen[rt.operationID] = true
			t.Run(tbl.version+"/"+rt.operationID, func(t *testing.T) {
				nl, named := namedLimits[rt.operationID]
				if named && spent {
					// A newer version served by the same controller (same operation id) shares
					// its counter: the budget is already spent.
					r := send(t, tbl.version, rt)
					wantError(t, r, http.StatusTooManyRequests, "ThrottlerException", msgTooManyRequests)
					return
				}
				if !named {
					r := send(t, tbl.version, rt)
					for k := range r.Header() {
						if strings.HasPrefix(k, "X-Ratelimit-") && !strings.HasSuffix(k, "-Default") {
							t.Errorf("%s carries %s but has no named limit in the table", rt.operationID, k)
						}
					}
					return
				}
				for i := 1; i <= nl.limit; i++ {
					r := send(t, tbl.version, rt)
					if r.Code == http.StatusTooManyRequests {
						t.Fatalf("request %d of %d refused: %s", i, nl.limit, r.Body.String())
					}
					if got := r.Header().Get("X-RateLimit-Remaining-" + nl.name); got != strconv.Itoa(nl.limit-i) {
						t.Fatalf("request %d: X-RateLimit-Remaining-%s = %q, want %d", i, nl.name, got, nl.limit-i)
					}
				}
				r := send(t, tbl.version, rt)
				wantError(t, r, http.StatusTooManyRequests, "ThrottlerException", msgTooManyRequests)
				for suffix, want := range map[string]string{"Limit": strconv.Itoa(nl.limit), "Remaining": "0", "Reset": "60"} {
					if got := r.Header().Get("X-RateLimit-" + suffix + "-" + nl.name); got != want {
						t.Errorf("X-RateLimit-%s-%s = %q, want %s", suffix, nl.name, got, want)
					}
				}
			})
		}
	}
	for op := range namedLimits {
		if !seen[op] {
			t.Errorf("namedLimits names %s, which no version's table has", op)
		}
	}
}

// TestNamedLimits_BeforeAuth: the named limit is counted by the throttler guard, which runs
// before authentication, so a request without credentials is counted (under its IP) and
// carries the named triple with its 401/403.
func TestNamedLimits_BeforeAuth(t *testing.T) {
	f := MustServer(t, Config{RateLimit: 100})
	uid := f.do(t, "POST", "/v2/bookings", "", createBody(f.eventType(t, profile.KindPlain).ID, slot(7, 10), "booker@example.com")).
		expect(t, http.StatusCreated).data(t)["uid"].(string)
	r := f.do(t, "POST", "/v2/bookings/"+uid+"/guests", "", map[string]any{})
	wantError(t, r, http.StatusForbidden, "ForbiddenException", msgNoAuthProvided)
	if got := r.Header().Get("X-RateLimit-Remaining-" + limitGuestsAdd.name); got != "4" {
		t.Errorf("X-RateLimit-Remaining-%s = %q, want 4", limitGuestsAdd.name, got)
	}
}
