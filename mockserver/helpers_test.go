package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/calmock/calmock/profile"
)

// testNow is the fixed time of every test server: far from any real date, on a Wednesday.
var testNow = time.Date(2030, 1, 9, 9, 0, 0, 0, time.UTC)

// testClock is a settable clock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fixture is a test server plus what tests need to know about its world.
type fixture struct {
	srv   *Server
	clock *testClock
	prof  profile.Profile
	// via, when set, is the handler requests go to instead of srv (a sandbox registry), with
	// prefix (a sandbox's base path) before every path.
	via    http.Handler
	prefix string
}

// MustServer starts a server with seed 1 and the fixed clock.
func MustServer(tb testing.TB, cfg Config) *fixture {
	tb.Helper()
	clock := &testClock{now: testNow}
	if cfg.Clock == nil {
		cfg.Clock = clock
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	s, err := New(cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return &fixture{srv: s, clock: clock, prof: s.Fixtures().Profile()}
}

// key returns the API key of profile user i.
func (f *fixture) key(i int) string { return f.prof.Users[i].APIKey }

// eventType returns the event type of a kind.
func (f *fixture) eventType(tb testing.TB, kind string) profile.EventType {
	tb.Helper()
	et, ok := f.prof.EventTypes[kind]
	if !ok {
		tb.Fatalf("fixtures have no %s event type", kind)
	}
	return et
}

// response is a recorded answer with its decoded JSON body.
type response struct {
	*httptest.ResponseRecorder
	body map[string]any
}

// do sends one request with cal-api-version 2024-08-13 and, when key is non-empty, the key
// as a bearer token. body may be nil, a string (sent raw) or any JSON value.
func (f *fixture) do(tb testing.TB, method, path, key string, body any) response {
	tb.Helper()
	return f.doHeaders(tb, method, path, body, map[string]string{"cal-api-version": "2024-08-13", "Authorization": bearer(key)})
}

func bearer(key string) string {
	if key == "" {
		return ""
	}
	return "Bearer " + key
}

func (f *fixture) doHeaders(tb testing.TB, method, path string, body any, headers map[string]string) response {
	tb.Helper()
	var buf *bytes.Reader
	switch b := body.(type) {
	case nil:
		buf = bytes.NewReader(nil)
	case string:
		buf = bytes.NewReader([]byte(b))
	default:
		data, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		buf = bytes.NewReader(data)
	}
	req := httptest.NewRequest(method, f.prefix+path, buf)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	rec := httptest.NewRecorder()
	var h http.Handler = f.srv
	if f.via != nil {
		h = f.via
	}
	h.ServeHTTP(rec, req)
	res := response{ResponseRecorder: rec}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" && rec.Code != http.StatusNoContent {
		tb.Fatalf("%s %s: Content-Type = %q, want application/json; charset=utf-8", method, path, ct)
	}
	if rec.Code != http.StatusNoContent {
		if err := json.Unmarshal(rec.Body.Bytes(), &res.body); err != nil {
			tb.Fatalf("%s %s: body is not a JSON object: %v\n%s", method, path, err, rec.Body.String())
		}
	}
	return res
}

// expect checks the status code, failing with the body for context.
func (r response) expect(tb testing.TB, status int) response {
	tb.Helper()
	if r.Code != status {
		tb.Fatalf("status = %d, want %d; body: %s", r.Code, status, r.Body.String())
	}
	return r
}

// data returns body.data as an object.
func (r response) data(tb testing.TB) map[string]any {
	tb.Helper()
	d, ok := r.body["data"].(map[string]any)
	if !ok {
		tb.Fatalf("data is not an object: %s", r.Body.String())
	}
	return d
}

// list returns body.data as an array of objects.
func (r response) list(tb testing.TB) []map[string]any {
	tb.Helper()
	arr, ok := r.body["data"].([]any)
	if !ok {
		tb.Fatalf("data is not an array: %s", r.Body.String())
	}
	out := make([]map[string]any, len(arr))
	for i, v := range arr {
		out[i], _ = v.(map[string]any)
	}
	return out
}

// errorMessage returns error.message of an envelope-A/C body, or message of a bare one.
func (r response) errorMessage(tb testing.TB) string {
	tb.Helper()
	if e, ok := r.body["error"].(map[string]any); ok {
		s, _ := e["message"].(string)
		return s
	}
	if s, ok := r.body["message"].(string); ok {
		return s
	}
	tb.Fatalf("no error message in %s", r.Body.String())
	return ""
}

func (r response) errorCode(tb testing.TB) string {
	tb.Helper()
	e, ok := r.body["error"].(map[string]any)
	if !ok {
		tb.Fatalf("no error object in %s", r.Body.String())
	}
	s, _ := e["code"].(string)
	return s
}

// slotOffsetDays keeps test slots clear of the fixtures, which lie within ±30 days of now.
const slotOffsetDays = 60

// slot returns a future start time (UTC, ISO): slotOffsetDays+days after testNow, at hour.
func slot(days, hour int) string {
	return testNow.AddDate(0, 0, slotOffsetDays+days).Truncate(24 * time.Hour).Add(time.Duration(hour) * time.Hour).Format(time.RFC3339)
}

// createBody is a minimal valid create body for an event type.
func createBody(eventTypeID int, start, email string) map[string]any {
	return map[string]any{
		"start":       start,
		"eventTypeId": eventTypeID,
		"attendee":    map[string]any{"name": "Ada Lovelace", "email": email, "timeZone": "Europe/London"},
	}
}

// pastAccepted returns a past accepted, non-recurring booking of the first user (the fixtures
// promise one, for mark-absent) and its first attendee's email.
func (f *fixture) pastAccepted(tb testing.TB) (uid, email string) {
	tb.Helper()
	for _, b := range f.do(tb, "GET", "/v2/bookings?status=past", f.key(0), nil).expect(tb, http.StatusOK).list(tb) {
		if b["status"] != "accepted" || b["recurringBookingUid"] != nil {
			continue
		}
		if atts, ok := b["attendees"].([]any); ok && len(atts) > 0 {
			return b["uid"].(string), atts[0].(map[string]any)["email"].(string)
		}
	}
	tb.Fatal("fixtures give the first user no past accepted booking")
	return "", ""
}
