package mockserver

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/fixtures"
)

// Benchmarks of the hot paths (issue 6): routing, request decoding and validation, response
// encoding, and one full request per operation through the handler (no network). Run with
// `make bench`, or `go test -run '^$' -bench . -benchmem ./mockserver`. Figures for the
// server over loopback come from cmd/calmock-load.

// benchAt is the fixed time of every benchmark server (the tests' testNow).
var benchAt = time.Date(2030, 1, 9, 9, 0, 0, 0, time.UTC)

// benchFixture is a server with a fixed clock, and the first user's key.
type benchFixture struct {
	srv *Server
	set *fixtures.Set
	key string
}

// benchSets caches the generated fixture sets by number of extra bookings (100k take about
// a second to generate).
var benchSets sync.Map

func mustBenchServer(b *testing.B, extra int) *benchFixture {
	b.Helper()
	var set *fixtures.Set
	if v, ok := benchSets.Load(extra); ok {
		set = v.(*fixtures.Set)
	} else {
		var err error
		set, err = fixtures.Default(1, benchAt)
		if err != nil {
			b.Fatal(err)
		}
		if err := set.AddBookings(extra, 1, benchAt); err != nil {
			b.Fatal(err)
		}
		benchSets.Store(extra, set)
	}
	srv, err := New(Config{Seed: 1, Fixtures: set, Clock: booking.ClockFunc(func() time.Time { return benchAt })})
	if err != nil {
		b.Fatal(err)
	}
	return &benchFixture{srv: srv, set: set, key: set.Users[0].APIKey}
}

// request builds one request with the version header, the first user's key and, when
// body is not nil, a JSON body.
func (f *benchFixture) request(method, path string, body []byte) *http.Request {
	var r io.Reader = http.NoBody
	if body != nil {
		r = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("cal-api-version", "2024-08-13")
	req.Header.Set("Authorization", "Bearer "+f.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// serve runs req through the handler and checks the status.
func (f *benchFixture) serve(b *testing.B, req *http.Request, want int) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: status %d, want %d: %s", req.Method, req.URL, rec.Code, want, rec.Body.String())
	}
	return rec
}

// benchCreateBody books event type etID at the i-th free hour, 200 days after benchAt and
// beyond: far from the fixtures and from each other.
func benchCreateBody(etID, i int) []byte {
	start := benchAt.Truncate(24*time.Hour).AddDate(0, 0, 200).Add(time.Duration(i) * time.Hour)
	return fmt.Appendf(nil, `{"start":%q,"eventTypeId":%d,"attendee":{"name":"Ada Lovelace","email":"ada%d@example.com","timeZone":"Europe/London"}}`,
		start.Format(time.RFC3339), etID, i)
}

// firstUIDs returns the uids of the first user's fixture bookings that match keep.
func (f *benchFixture) firstUID(b *testing.B, keep func(booking.Booking) bool) string {
	b.Helper()
	for _, bk := range f.set.Bookings {
		if bk.HostID == f.set.Users[0].ID && keep(bk) {
			return bk.UID
		}
	}
	b.Fatal("no fixture booking matches")
	return ""
}

// createMany puts n bookings of event type etID for the first user straight into the store
// (not timed, and much cheaper than n creates through the handler) and returns their uids.
// They start 200 days after benchAt, one per hour, so they never overlap; they are pending
// when the event type requires confirmation, accepted otherwise.
func (f *benchFixture) createMany(b *testing.B, etID, n int) []string {
	b.Helper()
	et, ok := f.srv.catalog.EventTypeByID(etID)
	if !ok {
		b.Fatalf("no event type %d", etID)
	}
	tmpl := f.set.Bookings[0]
	status := booking.StatusAccepted
	if et.RequiresConfirmation {
		status = booking.StatusPending
	}
	uids := make([]string, n)
	day := benchAt.Truncate(24*time.Hour).AddDate(0, 0, 200)
	err := f.srv.store.Update(b.Context(), func(tx booking.Tx) error {
		for i := range uids {
			bk := tmpl.Clone()
			bk.ID = tx.NextID()
			bk.UID = "bench" + strconv.Itoa(etID) + "x" + strconv.Itoa(i)
			bk.EventTypeID, bk.HostID, bk.Status = et.ID, f.set.Users[0].ID, status
			bk.Start = day.Add(time.Duration(i) * time.Hour)
			bk.End = bk.Start.Add(time.Duration(et.LengthInMinutes) * time.Minute)
			bk.CancellationReason, bk.RejectionReason, bk.Recordings, bk.References = nil, "", nil, nil
			tx.Put(bk)
			uids[i] = bk.UID
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return uids
}

// ---------------------------------------------------------------------------------------
// One full request per operation
// ---------------------------------------------------------------------------------------

func BenchmarkServer_Get(b *testing.B) {
	f := mustBenchServer(b, 0)
	uid := f.firstUID(b, func(bk booking.Booking) bool {
		return bk.Status == booking.StatusAccepted && bk.RecurringBookingUID == ""
	})
	b.ReportAllocs()
	for b.Loop() {
		f.serve(b, f.request(http.MethodGet, "/v2/bookings/"+uid, nil), http.StatusOK)
	}
}

// BenchmarkJournal_Record is the recording alone, around a handler that does nothing: what
// the journal adds to every request, without the rest of the request's noise.
func BenchmarkJournal_Record(b *testing.B) {
	for _, tc := range []struct {
		name string
		body []byte
	}{{"get", nil}, {"create", benchCreateBody(1, 0)}} {
		b.Run(tc.name, func(b *testing.B) {
			f := mustBenchServer(b, 0)
			j, w := f.srv.journal, httptest.NewRecorder()
			req := f.request(http.MethodPost, "/v2/bookings", tc.body)
			body := &benchBody{Reader: bytes.NewReader(tc.body)}
			b.ReportAllocs()
			for b.Loop() {
				if tc.body != nil {
					body.Reset(tc.body)
					req.Body = body
				}
				jw := j.begin(w, req)
				_, _ = io.Copy(io.Discard, req.Body)
				jw.WriteHeader(http.StatusOK)
				j.finish(jw)
			}
		})
	}
}

// benchBody is a request body that can be read again without an allocation.
type benchBody struct{ *bytes.Reader }

func (benchBody) Close() error { return nil }

// BenchmarkServer_Journal is the journal's cost per request: a get and a create with the
// journal on (the default, as every other benchmark here runs) and off. The difference is
// the recording only; verdicts are computed when the journal is read.
func BenchmarkServer_Journal(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "journal=on"
		if !on {
			name = "journal=off"
		}
		server := func(b *testing.B) *benchFixture {
			f := mustBenchServer(b, 0) // one per run: creates must not meet earlier runs' bookings
			if !on {
				f.srv.journal = nil
			}
			return f
		}
		b.Run(name+"/get", func(b *testing.B) {
			f := server(b)
			uid := f.firstUID(b, func(bk booking.Booking) bool {
				return bk.Status == booking.StatusAccepted && bk.RecurringBookingUID == ""
			})
			b.ReportAllocs()
			for b.Loop() {
				f.serve(b, f.request(http.MethodGet, "/v2/bookings/"+uid, nil), http.StatusOK)
			}
		})
		b.Run(name+"/create", func(b *testing.B) {
			f := server(b)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f.serve(b, f.request(http.MethodPost, "/v2/bookings", benchCreateBody(1, i)), http.StatusCreated)
			}
		})
	}
}

// BenchmarkServer_List is GET /v2/bookings?take=100 for the first user, who holds about a
// third of the extra bookings (see fixtures.AddBookings): the cost curve of the issue.
func BenchmarkServer_List(b *testing.B) {
	for _, extra := range []int{0, 1_000, 10_000, 100_000} {
		b.Run("bookings="+strconv.Itoa(extra), func(b *testing.B) {
			f := mustBenchServer(b, extra)
			b.ReportAllocs()
			for b.Loop() {
				f.serve(b, f.request(http.MethodGet, "/v2/bookings?take=100", nil), http.StatusOK)
			}
		})
	}
}

// BenchmarkServer_ListOtherUser lists for the second user while the first user's and the
// round-robin host's bookings grow: the second user's share grows too (a third).
func BenchmarkServer_ListOtherUser(b *testing.B) {
	for _, extra := range []int{1_000, 10_000, 100_000} {
		b.Run("bookings="+strconv.Itoa(extra), func(b *testing.B) {
			f := mustBenchServer(b, extra)
			f.key = f.set.Users[1].APIKey
			b.ReportAllocs()
			for b.Loop() {
				f.serve(b, f.request(http.MethodGet, "/v2/bookings?take=100&status=upcoming", nil), http.StatusOK)
			}
		})
	}
}

func BenchmarkServer_Create(b *testing.B) {
	f := mustBenchServer(b, 0)
	const plainEventType = 1
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f.serve(b, f.request(http.MethodPost, "/v2/bookings", benchCreateBody(plainEventType, i)), http.StatusCreated)
	}
}

func BenchmarkServer_Cancel(b *testing.B) {
	f := mustBenchServer(b, 0)
	uids := f.createMany(b, 1, b.N)
	body := []byte(`{"cancellationReason":"bench"}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.serve(b, f.request(http.MethodPost, "/v2/bookings/"+uids[i]+"/cancel", body), http.StatusOK)
	}
}

func BenchmarkServer_Confirm(b *testing.B) {
	f := mustBenchServer(b, 0)
	const requiresConfirmation = 2
	uids := f.createMany(b, requiresConfirmation, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.serve(b, f.request(http.MethodPost, "/v2/bookings/"+uids[i]+"/confirm", nil), http.StatusOK)
	}
}

func BenchmarkServer_Decline(b *testing.B) {
	f := mustBenchServer(b, 0)
	uids := f.createMany(b, 2, b.N)
	body := []byte(`{"reason":"bench"}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.serve(b, f.request(http.MethodPost, "/v2/bookings/"+uids[i]+"/decline", body), http.StatusOK)
	}
}

func BenchmarkServer_Reschedule(b *testing.B) {
	f := mustBenchServer(b, 0)
	uids := f.createMany(b, 1, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := benchAt.Truncate(24*time.Hour).AddDate(0, 0, 1000).Add(time.Duration(i) * time.Hour)
		body := fmt.Appendf(nil, `{"start":%q,"reschedulingReason":"bench"}`, start.Format(time.RFC3339))
		f.serve(b, f.request(http.MethodPost, "/v2/bookings/"+uids[i]+"/reschedule", body), http.StatusCreated)
	}
}

func BenchmarkServer_CalendarLinks(b *testing.B) {
	f := mustBenchServer(b, 0)
	uid := f.firstUID(b, func(bk booking.Booking) bool {
		return bk.Status == booking.StatusAccepted && bk.RecurringBookingUID == ""
	})
	b.ReportAllocs()
	for b.Loop() {
		f.serve(b, f.request(http.MethodGet, "/v2/bookings/"+uid+"/calendar-links", nil), http.StatusOK)
	}
}

// BenchmarkServer_NotFound is an unknown booking: routing, auth, a store miss and the
// error envelope.
func BenchmarkServer_NotFound(b *testing.B) {
	f := mustBenchServer(b, 0)
	b.ReportAllocs()
	for b.Loop() {
		f.serve(b, f.request(http.MethodGet, "/v2/bookings/doesnotexist", nil), http.StatusNotFound)
	}
}

// ---------------------------------------------------------------------------------------
// Stages
// ---------------------------------------------------------------------------------------

// BenchmarkRouting is the router's match of a parameterised path, nothing else.
func BenchmarkRouting(b *testing.B) {
	f := mustBenchServer(b, 0)
	paths := []struct{ method, path string }{
		{http.MethodGet, "/v2/bookings/abc123"},
		{http.MethodPost, "/v2/bookings/abc123/cancel"},
		{http.MethodGet, "/v2/bookings/by-seat/s1"},
		{http.MethodGet, "/v2/bookings"},
	}
	reqs := make([]*http.Request, len(paths))
	for i, p := range paths {
		reqs[i] = httptest.NewRequest(p.method, p.path, nil)
	}
	router := f.srv.router.(*mux.Router)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var m mux.RouteMatch
		if !router.Match(reqs[i%len(reqs)], &m) {
			b.Fatal("no match")
		}
		i++
	}
}

// BenchmarkDecodeCreate is request validation of a create body: JSON parsing (as the
// pipeline does) plus decodeCreate's checks.
func BenchmarkDecodeCreate(b *testing.B) {
	body := benchCreateBody(1, 0)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/v2/bookings", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		obj, err := readJSONBody(req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := decodeCreate(obj); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeListQuery is validation of the list endpoint's query.
func BenchmarkDecodeListQuery(b *testing.B) {
	q := parseQuery(httptest.NewRequest(http.MethodGet, "/v2/bookings?take=100&skip=0&status=upcoming,past&sortStart=desc", nil).URL.RawQuery)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeListQuery(q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeBooking is response encoding of one booking: DTO mapping and the envelope.
func BenchmarkEncodeBooking(b *testing.B) {
	f := mustBenchServer(b, 0)
	bk := f.set.Bookings[0]
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		writeData(rec, http.StatusOK, f.srv.toBookingOut(bk, view{}))
	}
}

// BenchmarkEncodeList is response encoding of a page of 100 bookings (as the list handler
// does it); BenchmarkEncodeList_EncodingJSON the same page through encoding/json, the
// reference encoder, for comparison.
func BenchmarkEncodeList(b *testing.B) {
	benchEncodeList(b, func(w http.ResponseWriter, items []bookingOut, p *pagination) {
		writeSuccess(w, http.StatusOK, items, p)
	})
}

func BenchmarkEncodeList_EncodingJSON(b *testing.B) {
	benchEncodeList(b, func(w http.ResponseWriter, items []bookingOut, p *pagination) {
		writeJSON(w, http.StatusOK, successEnvelope{Status: statusSuccess, Data: items, Pagination: p})
	})
}

// benchEncodeList maps a page of 100 bookings and writes it with write.
func benchEncodeList(b *testing.B, write func(http.ResponseWriter, []bookingOut, *pagination)) {
	f := mustBenchServer(b, 1_000)
	page := f.set.Bookings[:100]
	b.ReportAllocs()
	for b.Loop() {
		items := make([]bookingOut, len(page))
		for i, bk := range page {
			items[i] = f.srv.toBookingOut(bk, view{})
		}
		write(httptest.NewRecorder(), items, newPagination(1000, 100, 0))
	}
}

// BenchmarkServer_MemoryPerCreatedBooking reports the live heap one booking created through
// POST /v2/bookings costs the server (the booking, its strings and maps, every index): what
// a load run that creates tens of thousands of bookings adds to the resident size.
func BenchmarkServer_MemoryPerCreatedBooking(b *testing.B) {
	const n = 10_000
	var perBooking float64
	for b.Loop() {
		b.StopTimer()
		f := mustBenchServer(b, 0)
		bodies := make([][]byte, n)
		for i := range bodies {
			bodies[i] = benchCreateBody(1, i)
		}
		before := liveHeap()
		b.StartTimer()
		for i := range n {
			f.serve(b, f.request(http.MethodPost, "/v2/bookings", bodies[i]), http.StatusCreated)
		}
		b.StopTimer()
		perBooking = float64(liveHeap()-before) / n
		runtime.KeepAlive(f)
		runtime.KeepAlive(bodies)
		b.StartTimer()
	}
	b.ReportMetric(perBooking, "heapB/booking")
}

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkAppendString escapes strings of the kinds a booking holds (names, emails, titles,
// time zones, URLs): strings are about a third of a list's encoding time.
func BenchmarkAppendString(b *testing.B) {
	ss := []string{"Jane Doe", "jane.doe@example.com", "30 Minute Meeting between Jane Doe and John Smith", "Europe/Berlin", "https://app.cal.com/video/abc123def456", "accepted", "2026-12-03T11:00:00.000Z"}
	buf := make([]byte, 0, 4096)
	for b.Loop() {
		buf = buf[:0]
		for _, s := range ss {
			buf = appendString(buf, s)
		}
	}
}
