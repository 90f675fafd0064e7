package mockserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets: for any body, path, query or header, the mock answers below 500 with a
// Cal.com envelope, and still answers afterwards. The f.Add seeds are real requests; run a
// target with `go test ./mockserver -run '^$' -fuzz FuzzCreateBody -fuzztime 30s`. In a plain
// `go test` run the seeds (and anything under testdata/fuzz) run as regression tests.

var fuzzServer *fixture

func fuzzTarget(tb testing.TB) *fixture {
	if fuzzServer == nil {
		fuzzServer = MustServer(tb, Config{})
	}
	return fuzzServer
}

// checkInvariant asserts the fuzzing invariant on one response.
func checkInvariant(t *testing.T, f *fixture, req *http.Request) {
	t.Helper()
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s: status %d: %s", req.Method, req.URL, rec.Code, rec.Body.String())
	}
	if rec.Code == http.StatusNoContent {
		return
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %v", req.Method, req.URL, err)
	}
	if rec.Code >= 400 && !isErrorEnvelope(body) {
		t.Fatalf("%s %s: %d without a Cal.com error envelope: %s", req.Method, req.URL, rec.Code, rec.Body.String())
	}
	// The server still answers.
	alive := httptest.NewRecorder()
	f.srv.ServeHTTP(alive, httptest.NewRequest("GET", "/v2/bookings/unknown", nil))
	if alive.Code != http.StatusBadRequest && alive.Code != http.StatusNotFound {
		t.Fatalf("server no longer answers normally: %d", alive.Code)
	}
}

// isErrorEnvelope accepts the three error shapes the mock emits.
func isErrorEnvelope(b map[string]any) bool {
	if b["status"] == "error" {
		e, ok := b["error"].(map[string]any)
		_, hasCode := e["code"].(string)
		_, hasMsg := e["message"].(string)
		_, hasTS := b["timestamp"].(string)
		_, hasPath := b["path"].(string)
		return ok && hasCode && hasMsg && hasTS && hasPath
	}
	_, code := b["statusCode"].(float64)
	_, msg := b["message"].(string)
	return code && msg
}

var fuzzPaths = []string{
	"/v2/bookings", "/v2/bookings/%s/cancel", "/v2/bookings/%s/reschedule", "/v2/bookings/%s/mark-absent",
	"/v2/bookings/%s/confirm", "/v2/bookings/%s/decline", "/v2/bookings/%s/reassign", "/v2/bookings/%s/reassign/2",
}

func FuzzCreateBody(f *testing.F) {
	for _, s := range []string{
		`{"start":"2030-03-01T10:00:00Z","eventTypeId":1,"attendee":{"name":"A","email":"a@example.com","timeZone":"Europe/London"}}`,
		`{"start":"2030-03-01T10:00:00Z","eventTypeId":4,"recurrenceCount":2,"attendee":{"name":"A","phoneNumber":"+447700900123","timeZone":"Europe/London"}}`,
		`{"start":"2030-03-01T10:00:00Z","eventTypeSlug":"intro-call","teamSlug":"x","instant":true,"attendee":{"name":"A","email":"a@example.com","timeZone":"UTC"}}`,
		`{"start":"2030-03-01T10:00:00Z","eventTypeId":1,"location":{"type":"address"},"metadata":{"k":"v"},"guests":["g@example.com"],"lengthInMinutes":15,"attendee":{"name":"A","email":"a@example.com","timeZone":"UTC","language":"de"}}`,
		`{"start":null,"attendee":[],"eventTypeId":"1"}`, `[]`, `{}`, `{"a":`, "\xff\xfe",
	} {
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, body string, pathIndex int) {
		s := fuzzTarget(t)
		if pathIndex < 0 {
			pathIndex = -pathIndex
		}
		path := strings.ReplaceAll(fuzzPaths[pathIndex%len(fuzzPaths)], "%s", "unknown")
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("cal-api-version", "2024-08-13")
		req.Header.Set("Authorization", "Bearer "+s.key(0))
		checkInvariant(t, s, req)
	})
}

func FuzzPathAndQuery(f *testing.F) {
	for _, s := range []string{
		"/v2/bookings?status=upcoming,past&take=10&skip=5&sortStart=desc",
		"/v2/bookings?afterStart=2030-01-01&beforeEnd=x&eventTypeIds=1,2&teamsIds=a",
		"/v2/bookings/by-seat/abc", "/v2/bookings/x/references?type=zoom_video", "/api/v2/bookings/%2F..%2F",
		"/v2/bookings/x/calendar-links", "/v2/ee/bookings", "/v2/bookings?take=99999999999999999999",
		"/v2/bookings?status[]=past&status[0][a]=x&eventTypeIds[21]=1&take[]=5&a[b][c][d][e][f][g]=1",
		"/v2/bookings/x/references?type[a]=zoom_video&type=x",
	} {
		f.Add("GET", s)
	}
	f.Add("POST", "/v2/bookings/x/reassign/0")
	f.Fuzz(func(t *testing.T, method, target string) {
		s := fuzzTarget(t)
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n\t#") || !utf8.ValidString(method) {
			t.Skip("not a request target")
		}
		req, err := http.NewRequest(method, "http://calmock"+target, nil)
		if err != nil {
			t.Skip("not a valid request")
		}
		req.RemoteAddr = "192.0.2.1:1234"
		req.Header.Set("cal-api-version", "2024-08-13")
		req.Header.Set("Authorization", "Bearer "+s.key(0))
		checkInvariant(t, s, req)
	})
}

func FuzzHeaders(f *testing.F) {
	f.Add("2024-08-13", "Bearer cal_test_x", "", "", "application/json")
	f.Add("", "sometoken", "client", "secret", "text/plain")
	f.Add(`"2024-08-13"`, "Bearer ", "client", "", "application/json; charset=latin1")
	f.Add("2024-09-04", "cal_", "", "s", "multipart/form-data; boundary=")
	f.Fuzz(func(t *testing.T, version, auth, clientID, secret, contentType string) {
		s := fuzzTarget(t)
		for _, p := range []string{"/v2/bookings", "/v2/bookings/x/cancel", "/v2/bookings/x/confirm"} {
			req := httptest.NewRequest("POST", p, strings.NewReader(`{"cancellationReason":"x"}`))
			for k, v := range map[string]string{"cal-api-version": version, "Authorization": auth, "x-cal-client-id": clientID, "x-cal-secret-key": secret, "Content-Type": contentType} {
				if v != "" && validHeaderValue(v) {
					req.Header.Set(k, v)
				}
			}
			checkInvariant(t, s, req)
		}
	})
}

func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
