package mockserver

import (
	"net/http"
	"strings"
	"testing"
)

// rateLimitHeaders is the triple the real limiter sets (behaviour §3.4).
var rateLimitHeaders = []string{"X-RateLimit-Limit-Default", "X-RateLimit-Remaining-Default", "X-RateLimit-Reset-Default"}

// TestHeaders_RateLimitOnlyWhereTheLimiterRan: each error path carries the X-RateLimit-*
// triple exactly when the real server's CustomThrottlerGuard set it. Body-parser errors,
// unknown routes, version 404s and preflights end before any guard (the legacy controller's
// routes, which the mock answers with a 400, pass them first); an unknown cal_ key is
// refused by the guard's key lookup, before it counts or sets a header; everything that got
// past the lookup (later guards' 401/403, validation, 429, success) has the triple. The
// request id and CORS header are on every response. Run with the limit on and off (off, the
// mock announces an unlimited triple in the same places).
func TestHeaders_RateLimitOnlyWhereTheLimiterRan(t *testing.T) {
	type tc struct {
		name          string
		method, path  string
		body          any
		headers       map[string]string
		status        int
		wantRateLimit bool
	}
	for _, limit := range []int{0, 1000} {
		f := MustServer(t, Config{RateLimit: limit})
		v := map[string]string{"cal-api-version": version20240813}
		with := func(extra map[string]string) map[string]string {
			h := map[string]string{"cal-api-version": version20240813}
			for k, x := range extra {
				h[k] = x
			}
			return h
		}
		key := with(map[string]string{"Authorization": bearer(f.key(0))})
		cases := []tc{
			{"unknown API key 401", "GET", "/v2/bookings", nil, with(map[string]string{"Authorization": "Bearer cal_unknown"}), 401, false},
			{"unknown API key 401 on a no-auth route", "GET", "/v2/bookings/x/recordings", nil, with(map[string]string{"Authorization": "Bearer cal_unknown"}), 401, false},
			{"no credentials 403 (PermissionsGuard, after the limiter)", "GET", "/v2/bookings", nil, v, 403, true},
			{"unknown access token 401 (auth strategy, after the limiter)", "GET", "/v2/bookings/x", nil, with(map[string]string{"Authorization": "Bearer not-a-key"}), 401, true},
			{"version 2024-09-04 404 (no controller)", "GET", "/v2/bookings", nil, map[string]string{"cal-api-version": version20240904}, 404, false},
			{"missing version on a 2024-08-13-only route 404", "GET", "/v2/bookings/x/recordings", nil, nil, 404, false},
			{"missing version on a legacy route 400 (after the guards)", "GET", "/v2/bookings", nil, map[string]string{"Authorization": bearer(f.key(0))}, 400, true},
			{"unknown version on a legacy route 400 (after the guards)", "POST", "/v2/bookings", map[string]any{}, map[string]string{"cal-api-version": "2023-01-01"}, 400, true},
			{"unknown key on a legacy route 401 (key lookup first)", "GET", "/v2/bookings", nil, map[string]string{"Authorization": "Bearer cal_unknown"}, 401, false},
			{"malformed JSON 400 (body parser)", "POST", "/v2/bookings", `{"start": `, key, 400, false},
			{"non-object top level 400 (body parser, strict)", "POST", "/v2/bookings", `"x"`, key, 400, false},
			{"non-UTF charset 415 (body parser)", "POST", "/v2/bookings", `{}`, with(map[string]string{"Authorization": bearer(f.key(0)), "Content-Type": "application/json; charset=latin1"}), 415, false},
			{"oversized body 413 (body parser)", "POST", "/v2/bookings", `{"a":"` + strings.Repeat("x", maxBodyBytes) + `"}`, key, 413, false},
			{"array body 400 (pipes, after the guards)", "POST", "/v2/bookings", `[]`, key, 400, true},
			{"unknown route 404", "GET", "/v2/nothing-here", nil, key, 404, false},
			{"wrong method 404", "DELETE", "/v2/bookings", nil, key, 404, false},
			{"preflight 204", "OPTIONS", "/v2/bookings", nil, map[string]string{"Origin": "https://example.com", "Access-Control-Request-Method": "POST"}, 204, false},
			{"validation 400 (pipes)", "POST", "/v2/bookings", map[string]any{}, key, 400, true},
			{"success 200", "GET", "/v2/bookings", nil, key, 200, true},
		}
		for _, c := range cases {
			res := f.doHeaders(t, c.method, c.path, c.body, c.headers)
			checkHeaderSet(t, limit, c.name, res, c.status, c.wantRateLimit)
		}
	}

	// 429: the limiter refuses, and still sets the triple (remaining 0).
	f := MustServer(t, Config{RateLimit: 1})
	f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, 200)
	res := f.do(t, "GET", "/v2/bookings", f.key(0), nil)
	checkHeaderSet(t, 1, "over the limit 429", res, 429, true)
	if got := res.Header().Get("X-RateLimit-Remaining-Default"); got != "0" {
		t.Errorf("429: X-RateLimit-Remaining-Default = %q, want 0", got)
	}
	// An unknown key is not counted either: it leaves the tracker of its value untouched.
	f = MustServer(t, Config{RateLimit: 1})
	f.do(t, "GET", "/v2/bookings", "cal_unknown", nil).expect(t, 401)
	if n := len(f.srv.limiter.seen); n != 0 {
		t.Errorf("the refused unknown key was counted: %d trackers", n)
	}
}

func checkHeaderSet(t *testing.T, limit int, name string, res response, status int, wantRateLimit bool) {
	t.Helper()
	if res.Code != status {
		t.Errorf("limit %d, %s: status %d, want %d; body %s", limit, name, res.Code, status, res.Body.String())
		return
	}
	for _, h := range rateLimitHeaders {
		if got := res.Header().Get(h) != ""; got != wantRateLimit {
			t.Errorf("limit %d, %s: %s present = %v, want %v", limit, name, h, got, wantRateLimit)
		}
	}
	for _, h := range []string{"X-Request-Id", "Access-Control-Allow-Origin"} {
		if res.Header().Get(h) == "" {
			t.Errorf("limit %d, %s: %s absent, want it on every response", limit, name, h)
		}
	}
	if status != http.StatusNoContent && !strings.HasPrefix(res.Header().Get("Content-Type"), "application/json") {
		t.Errorf("limit %d, %s: Content-Type %q", limit, name, res.Header().Get("Content-Type"))
	}
}
