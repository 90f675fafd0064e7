package mockserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// addFault posts a fault and returns its listed form.
func (f *fixture) addFault(tb testing.TB, spec map[string]any) map[string]any {
	tb.Helper()
	return f.do(tb, "POST", FaultsPath, "", spec).expect(tb, http.StatusCreated).data(tb)
}

// faultList returns GET /_calmock/faults' data.
func (f *fixture) faultList(tb testing.TB) []map[string]any {
	tb.Helper()
	return f.do(tb, "GET", FaultsPath, "", nil).expect(tb, http.StatusOK).list(tb)
}

// TestFaults_StatusOnce: a status fault answers its operation once in the error envelope,
// names itself in a header, leaves the booking alone, and is then spent.
func TestFaults_StatusOnce(t *testing.T) {
	f := MustServer(t, Config{})
	uid := f.do(t, "GET", "/v2/bookings?status=upcoming", f.key(0), nil).expect(t, http.StatusOK).list(t)[0]["uid"].(string)
	added := f.addFault(t, map[string]any{"operationId": "BookingsController_2024_08_13_cancelBooking", "status": 503, "times": 1})
	if added["id"] != "f1" || added["remaining"] != 1.0 || added["hits"] != 0.0 {
		t.Fatalf("added fault = %v, want id f1, remaining 1, hits 0", added)
	}

	res := f.do(t, "POST", "/v2/bookings/"+uid+"/cancel", f.key(0), map[string]any{"cancellationReason": "x"}).expect(t, http.StatusServiceUnavailable)
	if res.body["status"] != "error" || res.errorCode(t) != "ServiceUnavailableException" || res.errorMessage(t) != "Service Unavailable" {
		t.Errorf("fault body = %s, want the error envelope with ServiceUnavailableException", res.Body)
	}
	if res.body["path"] != "/v2/bookings/"+uid+"/cancel" {
		t.Errorf("envelope path = %v", res.body["path"])
	}
	if got := res.Header().Get(FaultHeader); got != "f1" {
		t.Errorf("%s = %q, want f1", FaultHeader, got)
	}
	if got := f.do(t, "GET", "/v2/bookings/"+uid, f.key(0), nil).expect(t, http.StatusOK).data(t)["status"]; got != "accepted" {
		t.Errorf("booking after a faulted cancel is %v, want accepted", got)
	}
	// Other operations were never matched.
	if l := f.faultList(t); len(l) != 1 || l[0]["remaining"] != 0.0 || l[0]["hits"] != 1.0 || l[0]["matched"] != 1.0 {
		t.Errorf("list after one application = %v, want remaining 0, hits 1, matched 1", l)
	}
	res = f.do(t, "POST", "/v2/bookings/"+uid+"/cancel", f.key(0), map[string]any{"cancellationReason": "x"}).expect(t, http.StatusOK)
	if res.Header().Get(FaultHeader) != "" {
		t.Errorf("spent fault still named in %s", FaultHeader)
	}
}

// TestFaults_StatusMessage: a fault's own message, and Nest's class name for the status.
func TestFaults_StatusMessage(t *testing.T) {
	f := MustServer(t, Config{})
	f.addFault(t, map[string]any{"status": 429, "message": "slow down"})
	res := f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, http.StatusTooManyRequests)
	if res.errorCode(t) != "ThrottlerException" || res.errorMessage(t) != "slow down" {
		t.Errorf("body = %s", res.Body)
	}
	if d, _ := res.body["error"].(map[string]any)["details"].(map[string]any); d["statusCode"] != 429.0 {
		t.Errorf("details = %v, want Nest's {message, error, statusCode}", d)
	}
	for status, name := range map[int]string{502: "BadGatewayException", 422: "UnprocessableEntityException", 599: "HttpException", 500: "InternalServerErrorException"} {
		if got := faultExceptionName(status); got != name {
			t.Errorf("faultExceptionName(%d) = %q, want %q", status, got, name)
		}
	}
}

// TestFaults_NeverChangeState: faulted creates store nothing, spend no uid of the seeded
// sequence and count against no rate limit: once the faults are gone the mock answers
// exactly as a server that never saw those requests.
func TestFaults_NeverChangeState(t *testing.T) {
	cfg := Config{RateLimit: 3}
	used, fresh := MustServer(t, cfg), MustServer(t, cfg)
	plain := used.eventType(t, "plain")
	const listAll = "/v2/bookings?take=250"
	before := used.do(t, "GET", listAll, used.key(0), nil).expect(t, http.StatusOK).Body.String()

	used.addFault(t, map[string]any{"method": "POST", "path": "/v2/bookings", "status": 500, "times": 5})
	for range 5 {
		used.do(t, "POST", "/v2/bookings", used.key(0), createBody(plain.ID, slot(1, 10), "ada@example.com")).expect(t, http.StatusInternalServerError)
	}
	used.addFault(t, map[string]any{"latency": "1ms"}) // latency passes on: counted as usual
	if got := used.faultList(t)[0]["hits"]; got != 5.0 {
		t.Fatalf("hits = %v, want 5", got)
	}
	used.srv.ClearFaults()
	fresh.do(t, "GET", listAll, fresh.key(0), nil).expect(t, http.StatusOK)

	after := used.do(t, "GET", listAll, used.key(0), nil).expect(t, http.StatusOK)
	if after.Body.String() != before {
		t.Errorf("bookings changed under faulted creates")
	}
	// Two requests counted (the lists) by each server, of three: one more passes, then 429.
	a := used.do(t, "POST", "/v2/bookings", used.key(0), createBody(plain.ID, slot(1, 10), "ada@example.com")).expect(t, http.StatusCreated)
	b := fresh.do(t, "POST", "/v2/bookings", fresh.key(0), createBody(plain.ID, slot(1, 10), "ada@example.com")).expect(t, http.StatusCreated)
	if a.data(t)["uid"] != b.data(t)["uid"] {
		t.Errorf("first real create after faults got uid %v, a server without faults %v: faults spent a uid", a.data(t)["uid"], b.data(t)["uid"])
	}
	used.do(t, "GET", listAll, used.key(0), nil).expect(t, http.StatusTooManyRequests)
}

// TestFaults_Matchers: each matcher alone, and all of them together.
func TestFaults_Matchers(t *testing.T) {
	f := MustServer(t, Config{})
	uid := f.do(t, "GET", "/v2/bookings?status=upcoming", f.key(0), nil).expect(t, http.StatusOK).list(t)[0]["uid"].(string)
	get, list := "/v2/bookings/"+uid, "/v2/bookings"
	type req struct{ method, path, key string }
	cases := []struct {
		name string
		spec map[string]any
		hit  []req
		miss []req
	}{
		{"method", map[string]any{"method": "get"}, []req{{"GET", get, ""}, {"GET", list, f.key(0)}}, []req{{"POST", get + "/cancel", f.key(0)}}},
		{"template", map[string]any{"path": "/v2/bookings/{bookingUid}"}, []req{{"GET", get, ""}}, []req{{"GET", list, f.key(0)}, {"GET", get + "/references", f.key(0)}}},
		{"glob", map[string]any{"path": "/v2/bookings/*/references"}, []req{{"GET", get + "/references", f.key(0)}}, []req{{"GET", get, ""}}},
		{"prefix", map[string]any{"path": "/v2/bookings/**"}, []req{{"GET", list, f.key(0)}, {"GET", get + "/references", f.key(0)}, {"GET", "/api" + get, ""}}, nil},
		{"operationId", map[string]any{"operationId": "BookingsController_2024_08_13_getBooking"}, []req{{"GET", get, ""}}, []req{{"GET", list, f.key(0)}}},
		{"apiKey", map[string]any{"apiKey": "Bearer " + f.key(1)}, []req{{"GET", list, f.key(1)}}, []req{{"GET", list, f.key(0)}, {"GET", get, ""}}},
		{"all", map[string]any{"method": "GET", "path": "/v2/bookings", "operationId": "BookingsController_2024_08_13_getBookings", "apiKey": f.key(0)},
			[]req{{"GET", list, f.key(0)}}, []req{{"GET", list, f.key(1)}, {"GET", get, f.key(0)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := map[string]any{"status": 418}
			for k, v := range c.spec {
				spec[k] = v
			}
			f.addFault(t, spec)
			defer f.srv.ClearFaults()
			for _, r := range c.hit {
				f.do(t, r.method, r.path, r.key, nil).expect(t, http.StatusTeapot)
			}
			for _, r := range c.miss {
				if res := f.do(t, r.method, r.path, r.key, nil); res.Code == http.StatusTeapot {
					t.Errorf("%s %s (key %q) was faulted", r.method, r.path, r.key)
				}
			}
		})
	}
}

// TestFaults_FirstWins: faults are tried in the order added; a spent one lets the next act.
func TestFaults_FirstWins(t *testing.T) {
	f := MustServer(t, Config{})
	f.addFault(t, map[string]any{"status": 502, "times": 1})
	f.addFault(t, map[string]any{"status": 504})
	f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, http.StatusBadGateway)
	f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, http.StatusGatewayTimeout)
}

// TestFaults_ProbabilitySeeded: the same seed gives the same faulted requests on two
// servers; the draws really vary, and another seed gives another sequence. Without a seed
// the server's seed is used, and listed.
func TestFaults_ProbabilitySeeded(t *testing.T) {
	run := func(spec map[string]any, seed int64) string {
		f := MustServer(t, Config{Seed: seed})
		f.addFault(t, spec)
		var b strings.Builder
		for range 64 {
			if f.do(t, "GET", "/v2/bookings", f.key(0), nil).Code == http.StatusServiceUnavailable {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	spec := map[string]any{"status": 503, "probability": 0.5, "seed": 7}
	first, second := run(spec, 1), run(spec, 2)
	if first != second {
		t.Errorf("same fault seed, different faults:\n%s\n%s", first, second)
	}
	if !strings.Contains(first, "x") || !strings.Contains(first, ".") {
		t.Errorf("probability 0.5 over 64 requests gave %s", first)
	}
	other := run(map[string]any{"status": 503, "probability": 0.5, "seed": 8}, 1)
	if other == first {
		t.Errorf("seeds 7 and 8 gave the same sequence %s", first)
	}
	// No seed: the server's, so the server's seed alone repeats the run.
	if a, b := run(map[string]any{"status": 503, "probability": 0.5}, 7), run(spec, 3); a != b {
		t.Errorf("a fault without a seed on a -seed 7 server differs from seed 7:\n%s\n%s", a, b)
	}
	f := MustServer(t, Config{Seed: 42})
	if got := f.addFault(t, map[string]any{"status": 503, "probability": 0.25}); got["seed"] != 42.0 || got["probability"] != 0.25 {
		t.Errorf("fault without a seed lists %v, want seed 42", got)
	}
	// Times bounds hits, not draws.
	f.srv.ClearFaults()
	f.addFault(t, map[string]any{"status": 503, "probability": 0.5, "seed": 7, "times": 3})
	hits := 0
	for range 40 {
		if f.do(t, "GET", "/v2/bookings", f.key(0), nil).Code == http.StatusServiceUnavailable {
			hits++
		}
	}
	if l := f.faultList(t)[0]; hits != 3 || l["hits"] != 3.0 || l["remaining"] != 0.0 || l["matched"].(float64) <= 3 {
		t.Errorf("probability with times 3: %d faulted, listed %v", hits, l)
	}
}

// TestFaults_LatencyPassesOn: a latency fault delays by real time (the mock's clock is
// frozen in tests) and then the mock answers as usual.
func TestFaults_LatencyPassesOn(t *testing.T) {
	f := MustServer(t, Config{})
	f.addFault(t, map[string]any{"operationId": "BookingsController_2024_08_13_getBookings", "latency": "60ms"})
	start := time.Now()
	res := f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, http.StatusOK)
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("answered after %s, want at least the fault's 60ms", d)
	}
	if len(res.list(t)) == 0 || res.Header().Get(FaultHeader) != "f1" {
		t.Errorf("delayed list: %d bookings, %s %q", len(res.list(t)), FaultHeader, res.Header().Get(FaultHeader))
	}
	// Latency then a status.
	f.srv.ClearFaults()
	f.addFault(t, map[string]any{"latency": "1ms", "status": 504})
	f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, http.StatusGatewayTimeout)
}

// TestFaults_LatencyHonoursContext: a client that goes away ends the wait at once, and
// nothing is answered or stored.
func TestFaults_LatencyHonoursContext(t *testing.T) {
	f := MustServer(t, Config{})
	f.addFault(t, map[string]any{"latency": "10m"})
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest("GET", "/v2/bookings", nil).WithContext(ctx)
	req.Header.Set("cal-api-version", version20240813)
	req.Header.Set("Authorization", bearer(f.key(0)))
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() { f.srv.ServeHTTP(rec, req); close(done) }()
	// The request is waiting once the fault has counted it.
	deadline := time.Now().Add(5 * time.Second)
	for f.srv.Faults()[0].Hits == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the request never reached the fault")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the handler kept waiting after the client went away")
	}
	if rec.Body.Len() != 0 {
		t.Errorf("answered a client that had gone: %s", rec.Body)
	}
}

// TestFaults_Drop: the client sees a transport error, not a response; the fault then being
// spent, the next request is answered.
func TestFaults_Drop(t *testing.T) {
	f := MustServer(t, Config{})
	ts := httptest.NewServer(f.srv)
	defer ts.Close()
	f.addFault(t, map[string]any{"method": "GET", "drop": true, "times": 1})
	get := func() (*http.Response, error) {
		req, _ := http.NewRequest("GET", ts.URL+"/v2/bookings", nil)
		req.Header.Set("cal-api-version", version20240813)
		req.Header.Set("Authorization", bearer(f.key(0)))
		return ts.Client().Do(req)
	}
	if res, err := get(); err == nil {
		res.Body.Close()
		t.Fatalf("dropped request got a response: %s", res.Status)
	}
	res, err := get()
	if err != nil {
		t.Fatalf("request after the spent drop: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("request after the spent drop: %s", res.Status)
	}
}

// TestFaults_Invalid: every invalid definition is a 400 in the envelope naming the field,
// and nothing is installed.
func TestFaults_Invalid(t *testing.T) {
	f := MustServer(t, Config{})
	cases := []struct {
		body any
		want string
	}{
		{nil, "empty body"},
		{"[1]", "invalid JSON body"},
		{map[string]any{"status": 503, "colour": "red"}, `unknown field "colour"`},
		{map[string]any{"status": "503"}, "invalid JSON body"},
		{map[string]any{}, "a fault needs an action"},
		{map[string]any{"method": "FETCH", "status": 500}, "method must be one of"},
		{map[string]any{"path": "v2/bookings", "status": 500}, "path must start with /"},
		{map[string]any{"path": "/v2/[", "status": 500}, "not a valid pattern"},
		{map[string]any{"operationId": "getBookings", "status": 500}, `operationId "getBookings" is not an operation`},
		{map[string]any{"status": 200}, "status must be an error status"},
		{map[string]any{"status": 600}, "status must be an error status"},
		{map[string]any{"message": "x", "latency": "1s"}, "message needs a status"},
		{map[string]any{"status": 500, "drop": true}, "drop and status exclude each other"},
		{map[string]any{"latency": "soon"}, "latency must be a positive Go duration"},
		{map[string]any{"latency": "-1s"}, "latency must be a positive Go duration"},
		{map[string]any{"latency": "1h"}, "latency must be a positive Go duration up to 10m0s"},
		{map[string]any{"status": 500, "times": -1}, "times must be"},
		{map[string]any{"status": 500, "probability": 0}, "probability must be"},
		{map[string]any{"status": 500, "probability": 1.5}, "probability must be"},
		{map[string]any{"status": 500, "seed": 3}, "seed needs a probability"},
	}
	for _, c := range cases {
		res := f.do(t, "POST", FaultsPath, "", c.body).expect(t, http.StatusBadRequest)
		if msg := res.errorMessage(t); !strings.Contains(msg, c.want) || res.errorCode(t) != "BadRequestException" {
			t.Errorf("body %v: %s %q, want a message containing %q", c.body, res.errorCode(t), msg, c.want)
		}
	}
	if l := f.faultList(t); len(l) != 0 {
		t.Errorf("invalid faults were installed: %v", l)
	}
}

// TestFaults_RemoveClearReset: DELETE one, DELETE all, and a reset removes them too; ids are
// never reused.
func TestFaults_RemoveClearReset(t *testing.T) {
	f := MustServer(t, Config{})
	f.addFault(t, map[string]any{"status": 500})
	f.addFault(t, map[string]any{"status": 502})
	if got := f.do(t, "DELETE", FaultsPath+"/f1", "", nil).expect(t, http.StatusOK).data(t)["status"]; got != 500.0 {
		t.Errorf("removed fault = %v, want f1 (status 500)", got)
	}
	if msg := f.do(t, "DELETE", FaultsPath+"/f1", "", nil).expect(t, http.StatusNotFound).errorMessage(t); !strings.Contains(msg, `"f1"`) {
		t.Errorf("second removal: %q", msg)
	}
	f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, http.StatusBadGateway)
	if got := f.do(t, "DELETE", FaultsPath, "", nil).expect(t, http.StatusOK).data(t)["cleared"]; got != 1.0 {
		t.Errorf("cleared = %v, want 1", got)
	}
	f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, http.StatusOK)
	if id := f.addFault(t, map[string]any{"status": 500})["id"]; id != "f3" {
		t.Errorf("id after a clear = %v, want f3", id)
	}
	f.do(t, "POST", ResetPath, "", nil).expect(t, http.StatusOK)
	if l := f.faultList(t); len(l) != 0 {
		t.Errorf("faults after a reset: %v", l)
	}
}

// TestFaults_AdminUnaffected: a fault matching everything leaves the /_calmock endpoints
// alone, so a test can always see and clear it.
func TestFaults_AdminUnaffected(t *testing.T) {
	f := MustServer(t, Config{})
	f.addFault(t, map[string]any{"drop": true})
	f.addFault(t, map[string]any{"path": "/_calmock/**", "status": 500})
	for _, p := range []string{FaultsPath, ClockPath, HealthPath, "/_calmock/profile"} {
		f.do(t, "GET", p, "", nil).expect(t, http.StatusOK)
	}
	f.do(t, "DELETE", FaultsPath, "", nil).expect(t, http.StatusOK)
}

// TestFaults_AdminToken: with -admin-token, adding and removing need it; listing does not.
func TestFaults_AdminToken(t *testing.T) {
	f := MustServer(t, Config{AdminToken: "s3cret"})
	body := map[string]any{"status": 500}
	for _, c := range []struct{ method, path string }{{"POST", FaultsPath}, {"DELETE", FaultsPath}, {"DELETE", FaultsPath + "/f1"}} {
		res := f.do(t, c.method, c.path, "", body).expect(t, http.StatusUnauthorized)
		if res.errorCode(t) != "UnauthorizedException" {
			t.Errorf("%s %s without the token: %s", c.method, c.path, res.Body)
		}
		f.do(t, c.method, c.path, "wrong", body).expect(t, http.StatusUnauthorized)
	}
	f.do(t, "GET", FaultsPath, "", nil).expect(t, http.StatusOK)
	f.do(t, "POST", FaultsPath, "s3cret", body).expect(t, http.StatusCreated)
	f.do(t, "DELETE", FaultsPath+"/f1", "s3cret", nil).expect(t, http.StatusOK)
	if n := len(f.srv.Faults()); n != 0 {
		t.Errorf("%d faults left", n)
	}
}
