package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// journalOf reads GET /_calmock/journal with the given query and Authorization.
func (f *fixture) journalOf(tb testing.TB, query, auth string) []JournalEntry {
	tb.Helper()
	req := httptest.NewRequest("GET", JournalPath+query, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET %s%s: %d %s", JournalPath, query, rec.Code, rec.Body.String())
	}
	var out struct {
		Status string         `json:"status"`
		Data   []JournalEntry `json:"data"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Status != "success" {
		tb.Fatalf("journal body %v: %s", err, rec.Body.String())
	}
	return out.Data
}

func seqs(es []JournalEntry) []uint64 {
	out := make([]uint64, len(es))
	for i, e := range es {
		out[i] = e.Seq
	}
	return out
}

func TestJournal_KeepsTheLastN(t *testing.T) {
	f := MustServer(t, Config{JournalSize: 3})
	for i := range 4 {
		f.do(t, "GET", "/v2/bookings?take="+strconv.Itoa(i+1), f.key(0), nil).expect(t, http.StatusOK)
	}
	es := f.journalOf(t, "", "")
	if got := seqs(es); len(got) != 3 || got[0] != 4 || got[2] != 2 {
		t.Fatalf("journal of 3 after 4 requests holds seqs %v, want [4 3 2] (newest first)", got)
	}
	if es[0].Query != "take=4" || es[2].Query != "take=2" {
		t.Fatalf("queries %q … %q", es[0].Query, es[2].Query)
	}
	// Reading the journal does not fill it.
	if again := f.journalOf(t, "", ""); len(again) != 3 || again[0].Seq != 4 {
		t.Fatalf("second read: %v", seqs(again))
	}
}

func TestJournal_RecordsTheRequest(t *testing.T) {
	f := MustServer(t, Config{})
	uid, _ := f.pastAccepted(t)
	f.do(t, "GET", "/api/v2/bookings/"+uid, f.key(0), nil).expect(t, http.StatusOK)
	es := f.journalOf(t, "", "")
	e := es[0]
	if e.Method != "GET" || e.Path != "/api/v2/bookings/"+uid || e.Status != 200 || e.CalAPIVersion != "2024-08-13" ||
		e.Operation != "BookingsController_2024_08_13_getBooking" || e.DurationMs < 0 || e.Time == "" {
		t.Fatalf("entry %+v", e)
	}
	if len(e.Violations) != 0 || e.VerdictNote != "" {
		t.Fatalf("a conforming request got verdicts %+v %q", e.Violations, e.VerdictNote)
	}
	// An unknown path: no operation, a path violation, the body kept although nothing read it.
	f.doHeaders(t, "POST", "/v2/nope", map[string]any{"a": 1}, map[string]string{"cal-api-version": "2024-08-13"}).expect(t, http.StatusNotFound)
	e = f.journalOf(t, "", "")[0]
	if e.Operation != "" || e.Status != 404 || e.Body != `{"a":1}` || e.BodyBytes != 7 || e.BodyTruncated {
		t.Fatalf("unknown path entry %+v", e)
	}
	if len(e.Violations) != 1 || e.Violations[0].Kind != "path" {
		t.Fatalf("unknown path verdicts %+v", e.Violations)
	}
}

func TestJournal_MasksSecrets(t *testing.T) {
	f := MustServer(t, Config{})
	key := f.key(0)
	f.doHeaders(t, "GET", "/v2/bookings", nil, map[string]string{"cal-api-version": "2024-08-13",
		"Authorization": "Bearer " + key, "x-cal-secret-key": "sk_0123456789abcdef", "x-cal-client-id": "client-42",
		"Cookie": "session=abcdefgh"}).expect(t, http.StatusUnauthorized) // the mock knows no OAuth clients
	raw := httptest.NewRecorder()
	f.srv.ServeHTTP(raw, httptest.NewRequest("GET", JournalPath, nil))
	for _, secret := range []string{key, key[:len("cal_test_")+5], "sk_0123456789abcdef", "sk_01", "abcdefgh"} {
		if strings.Contains(raw.Body.String(), secret) {
			t.Errorf("the journal shows %q", secret)
		}
	}
	e := f.journalOf(t, "", "")[0]
	want := "cal_test_" + key[len("cal_test_"):][:4] + "…"
	if got := e.Headers["Authorization"]; len(got) != 1 || got[0] != "Bearer "+want {
		t.Errorf("Authorization shown as %v, want Bearer %s", got, want)
	}
	if e.APIKey != want {
		t.Errorf("apiKey shown as %q, want %q", e.APIKey, want)
	}
	if got := e.Headers["X-Cal-Secret-Key"]; len(got) != 1 || got[0] != "sk_0…" {
		t.Errorf("x-cal-secret-key shown as %v, want sk_0…", got)
	}
	if got := e.Headers["X-Cal-Client-Id"]; len(got) != 1 || got[0] != "client-42" {
		t.Errorf("x-cal-client-id shown as %v: an id, not a secret", got)
	}
	for _, tc := range []struct{ in, want string }{
		{"", ""}, {"abc", "…"}, {"cal_live_0123456789abcdef0123", "cal_live_0123…"}, {"cal_ab", "cal_…"},
		{"s3cr3tadmintoken", "s3cr…"},
	} {
		if got := maskSecret(tc.in); got != tc.want {
			t.Errorf("maskSecret(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestJournal_TruncatesBodies(t *testing.T) {
	f := MustServer(t, Config{})
	big := map[string]any{"start": strings.Repeat("x", JournalBodyLimit)}
	f.do(t, "POST", "/v2/bookings", f.key(0), big).expect(t, http.StatusBadRequest)
	e := f.journalOf(t, "", "")[0]
	if len(e.Body) != JournalBodyLimit || !e.BodyTruncated || e.BodyBytes <= JournalBodyLimit {
		t.Fatalf("body kept %d of %d bytes, truncated %v", len(e.Body), e.BodyBytes, e.BodyTruncated)
	}
	if !strings.Contains(e.VerdictNote, "body longer than the journal keeps") {
		t.Fatalf("verdict note %q", e.VerdictNote)
	}
	for _, v := range e.Violations {
		if v.Kind == "request.body" {
			t.Fatalf("a cut body was judged: %+v", v)
		}
	}
}

// TestJournal_VerdictsOfLenientAnswers: the mock answers both requests with 200, as the
// real API does, and the journal still says how they departed from the document.
func TestJournal_VerdictsOfLenientAnswers(t *testing.T) {
	f := MustServer(t, Config{})
	// An unknown parameter: the real ValidationPipe drops it.
	f.do(t, "GET", "/v2/bookings?tkae=5", f.key(0), nil).expect(t, http.StatusOK)
	// take is a number in the document; the real pipe reads it with Number(), so 0x10 is 16.
	f.do(t, "GET", "/v2/bookings?take=0x10", f.key(0), nil).expect(t, http.StatusOK)
	es := f.journalOf(t, "", "")
	wantViolation := func(e JournalEntry, field string) {
		t.Helper()
		for _, v := range e.Violations {
			if v.Kind == "request.query" && v.Field == field {
				return
			}
		}
		t.Errorf("%s?%s: no request.query violation on %s in %+v", e.Path, e.Query, field, e.Violations)
	}
	wantViolation(es[0], "take")
	wantViolation(es[1], "tkae")
	if got := f.journalOf(t, "?hasViolations=true", ""); len(got) != 2 {
		t.Fatalf("hasViolations=true: %v", seqs(got))
	}
	if got := f.journalOf(t, "?hasViolations=false", ""); len(got) != 0 {
		t.Fatalf("hasViolations=false: %v", seqs(got))
	}
}

func TestJournal_Filters(t *testing.T) {
	f := MustServer(t, Config{})
	uid, _ := f.pastAccepted(t)
	f.srv.ClearJournal()                                                                          // seqs below count from the first request after this
	f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, http.StatusOK)                        // 1
	f.do(t, "GET", "/v2/bookings/"+uid, f.key(1), nil)                                            // 2: another user's key
	f.do(t, "GET", "/api/v2/bookings/"+uid+"/references", f.key(0), nil).expect(t, http.StatusOK) // 3
	f.do(t, "GET", "/v2/bookings?tkae=1", "", nil).expect(t, http.StatusForbidden)                // 4
	f.admin(t, "POST", ClockPath, "", map[string]any{"advance": "1m"}).expect(t, http.StatusOK)   // 5
	all := f.journalOf(t, "", "")
	if len(all) != 5 {
		t.Fatalf("journal holds %d entries, want 5", len(all))
	}
	base := all[4].Seq - 1
	for _, tc := range []struct {
		query string
		want  []uint64
	}{
		{"?path=/v2/bookings", []uint64{4, 3, 2, 1}},
		{"?path=/v2/bookings/*/references", []uint64{3}},
		{"?path=/v2/bookings/*", []uint64{2}},
		{"?path=/_calmock/", []uint64{5}},
		{"?operation=BookingsController_2024_08_13_getBookings", []uint64{4, 1}},
		{"?status=403", []uint64{4}},
		{"?status=2xx", nil}, // computed below: entry 2's status depends on who may see the booking
		{"?apiKey=" + url.QueryEscape(f.key(0)), []uint64{3, 1}},
		{"?apiKey=" + url.QueryEscape(f.key(1)), []uint64{2}},
		{"?apiKey=cal_test_", nil},
		{"?operation=BookingsController_2024_08_13_getBookings&hasViolations=true", []uint64{4}},
	} {
		got := seqs(f.journalOf(t, tc.query, ""))
		for i := range got {
			got[i] -= base
		}
		if tc.query == "?status=2xx" {
			tc.want = nil
			for _, e := range all {
				if e.Status/100 == 2 {
					tc.want = append(tc.want, e.Seq-base)
				}
			}
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: %v, want %v", tc.query, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: %v, want %v", tc.query, got, tc.want)
				break
			}
		}
	}
	for _, bad := range []string{"?method=GET", "?status=abc", "?status=6xx", "?hasViolations=maybe", "?path=[", "?status=200&status=201"} {
		res := f.doHeaders(t, "GET", JournalPath+bad, nil, nil)
		res.expect(t, http.StatusBadRequest)
	}
}

func TestJournal_Clear(t *testing.T) {
	f := MustServer(t, Config{})
	f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, http.StatusOK)
	f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, http.StatusOK)
	d := f.admin(t, "DELETE", JournalPath, "", nil).expect(t, http.StatusOK).data(t)
	if d["cleared"] != float64(2) {
		t.Fatalf("DELETE answered %v, want cleared 2", d)
	}
	if es := f.journalOf(t, "", ""); len(es) != 0 {
		t.Fatalf("after clear: %v", seqs(es))
	}
	f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, http.StatusOK)
	if es := f.journalOf(t, "", ""); len(es) != 1 || es[0].Seq != 3 {
		t.Fatalf("after clear and one request: %v (sequence numbers go on)", seqs(es))
	}
}

func TestJournal_AdminToken(t *testing.T) {
	f := MustServer(t, Config{AdminToken: "s3cret"})
	f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, http.StatusOK)
	for _, method := range []string{"GET", "DELETE"} {
		for _, auth := range []string{"", "Bearer wrong", "Bearer " + f.key(0)} {
			f.admin(t, method, JournalPath, auth, nil).expect(t, http.StatusUnauthorized)
		}
	}
	if es := f.journalOf(t, "", "Bearer s3cret"); len(es) == 0 {
		t.Fatal("the token holder reads an empty journal")
	}
	f.admin(t, "DELETE", JournalPath, "Bearer s3cret", nil).expect(t, http.StatusOK)
}

func TestJournal_Off(t *testing.T) {
	var seen []JournalEntry
	f := MustServer(t, Config{JournalSize: -1, OnRequest: func(e JournalEntry) { seen = append(seen, e) }})
	f.do(t, "GET", "/v2/bookings?tkae=1", f.key(0), nil).expect(t, http.StatusOK)
	f.admin(t, "GET", JournalPath, "", nil).expect(t, http.StatusNotFound)
	f.admin(t, "DELETE", JournalPath, "", nil).expect(t, http.StatusNotFound)
	if len(seen) != 1 || seen[0].Seq != 0 || seen[0].Status != 200 || len(seen[0].Violations) != 1 {
		t.Fatalf("OnRequest saw %+v", seen)
	}
	if f.srv.Journal(JournalFilter{}) != nil || f.srv.ClearJournal() != 0 {
		t.Fatal("a journal that is off holds entries")
	}
	if off := MustServer(t, Config{JournalSize: -1}); off.srv.journal != nil {
		t.Fatal("with the journal off and no OnRequest, requests are still recorded")
	}
}

// TestJournal_RecordsPanics: the recovered 500 is what the journal shows.
func TestJournal_RecordsPanics(t *testing.T) {
	f := MustServer(t, Config{})
	f.srv.router = http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	if e := f.srv.Journal(JournalFilter{Path: "/boom"}); len(e) != 1 || e[0].Status != 500 || rec.Code != 500 {
		t.Fatalf("panic recorded as %+v (sent %d)", e, rec.Code)
	}
}

// TestJournal_Race writes and reads the journal at once (run with -race).
func TestJournal_Race(t *testing.T) {
	f := MustServer(t, Config{JournalSize: 20})
	key := f.key(0)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				body := []byte(`{"start":"x` + strconv.Itoa(w*100+i) + `"}`)
				req := httptest.NewRequest("POST", "/v2/bookings?tkae=1", bytes.NewReader(body))
				req.Header.Set("cal-api-version", "2024-08-13")
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", "application/json")
				f.srv.ServeHTTP(httptest.NewRecorder(), req)
			}
		}()
	}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				yes := true
				for _, e := range f.srv.Journal(JournalFilter{HasViolations: &yes}) {
					if e.Status == 0 || e.Body == "" {
						t.Errorf("incomplete entry %+v", e)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if es := f.srv.Journal(JournalFilter{}); len(es) != 20 || es[0].Seq != 120 {
		t.Fatalf("after 120 requests: %d entries, newest %d", len(es), es[0].Seq)
	}
	if n := f.srv.ClearJournal(); n != 20 {
		t.Fatalf("cleared %d", n)
	}
}

// TestJournal_MatchesDocument: both answers are what openapi/bookings.yaml says.
func TestJournal_MatchesDocument(t *testing.T) {
	f := MustServer(t, Config{})
	doc, err := f.srv.document()
	if err != nil {
		t.Fatal(err)
	}
	f.do(t, "POST", "/v2/bookings?tkae=1", f.key(0), map[string]any{"start": 1}).expect(t, http.StatusBadRequest)
	for _, method := range []string{"GET", "DELETE"} {
		req := httptest.NewRequest(method, JournalPath, nil)
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", method, rec.Code)
		}
		if vs := doc.ValidateResponse(req, rec.Code, rec.Header(), rec.Body.Bytes()); len(vs) > 0 {
			t.Errorf("%s %s departs from the document: %v\n%s", method, JournalPath, vs, rec.Body.String())
		}
	}
}
