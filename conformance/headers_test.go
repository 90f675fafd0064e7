package conformance

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestRun_RateLimitHeadersOnlyPastTheLimiter: the automatic header rule requires the
// X-RateLimit-* triple exactly on responses that passed the real server's rate limiter, so a
// faithful target passes without it where the limiter never set it (unknown API key's 401,
// body-parser 400/413, route misses, preflight) and a target that omits it where it is due
// (later guards' 401/403, validation 400, a domain 404, success) fails.
func TestRun_RateLimitHeadersOnlyPastTheLimiter(t *testing.T) {
	errBody := func(code, msg string) string {
		return fmt.Sprintf(`{"status":"error","error":{"code":%q,"message":%q}}`, code, msg)
	}
	tests := []struct {
		name    string
		request string // YAML of the step's request
		status  int
		body    string
		pass    bool
	}{
		{"unknown API key 401", `{method: GET, path: /v2/bookings}`, 401, errBody("UnauthorizedException", msgInvalidAPIKey), true},
		{"malformed JSON 400", `{method: POST, path: /v2/bookings, rawBody: '{"start": '}`, 400, errBody("BadRequestException", "Unexpected end of JSON input"), true},
		{"non-object top level 400", `{method: POST, path: /v2/bookings, rawBody: '"x"'}`, 400, errBody("BadRequestException", "Unexpected token"), true},
		{"oversized body 413", `{method: POST, path: /v2/bookings, rawBody: '{}'}`, 413, errBody("PayloadTooLargeException", "request entity too large"), true},
		{"unsupported charset 415", `{method: POST, path: /v2/bookings, rawBody: '{}'}`, 415, errBody("UnsupportedMediaTypeException", `unsupported charset "LATIN1"`), true},
		{"route miss 404", `{method: GET, path: /v2/nothing}`, 404, errBody("NotFoundException", "Cannot GET /v2/nothing"), true},
		{"preflight 204", `{method: OPTIONS, path: /v2/bookings}`, 204, "", true},
		{"invalid access token 401", `{method: GET, path: /v2/bookings}`, 401, errBody("UnauthorizedException", "Invalid Access Token."), false},
		{"no credentials 403", `{method: GET, path: /v2/bookings}`, 403, errBody("ForbiddenException", "PermissionsGuard - no authentication provided."), false},
		{"validation 400 on well-formed JSON", `{method: POST, path: /v2/bookings, rawBody: '{"start": 1}'}`, 400, errBody("BadRequestException", "start must be a string"), false},
		{"array body 400 (pipes)", `{method: POST, path: /v2/bookings, rawBody: '[]'}`, 400, errBody("BadRequestException", "Body should be an object"), false},
		{"domain 404", `{method: GET, path: /v2/bookings/x}`, 404, errBody("NotFoundException", "Booking with uid=x was not found in the database"), false},
		{"success 200", `{method: GET, path: /v2/bookings}`, 200, `{"status":"success","data":[]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := targetWithoutRateLimitHeaders(t, tt.status, tt.body)
			sc := parse(t, fmt.Sprintf(`name: t
description: d
features: [core]
steps:
  - name: s
    request: %s
    expect:
      status: %d
`, tt.request, tt.status))
			res := Run(context.Background(), tg, sc)
			if tt.pass && res.Outcome != Passed {
				t.Fatalf("a faithful target without the triple failed:\n%s", res.Error())
			}
			if !tt.pass {
				if res.Outcome != Failed {
					t.Fatalf("outcome %s, want failed: the triple is due here", res.Outcome)
				}
				for _, h := range []string{"X-RateLimit-Limit-Default", "X-RateLimit-Remaining-Default", "X-RateLimit-Reset-Default"} {
					if !strings.Contains(res.Error(), "header "+h+": expected present") {
						t.Errorf("failures do not name the missing %s:\n%s", h, res.Error())
					}
				}
			}
		})
	}
}

// targetWithoutRateLimitHeaders answers every request with status and body, the request id,
// a JSON content type when there is a body, and no X-RateLimit-* header.
func targetWithoutRateLimitHeaders(t *testing.T, status int, body string) *Target {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "11111111-1111-4111-8111-111111111111")
		if body != "" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return &Target{
		BaseURL: srv.URL,
		Profile: map[string]any{"users": []any{map[string]any{"apiKey": "cal_test_owner", "id": 7.0}}},
		Run:     RunInfo{ID: "r1", Week: time.Date(2031, 1, 6, 0, 0, 0, 0, time.UTC)},
		Sleep:   func(context.Context, time.Duration) error { return nil },
	}
}
