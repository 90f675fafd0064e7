package mockserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/internal/fill"
	"github.com/calmock/calmock/profile"
)

// Guards of the places that hand out shared or pooled memory: each test takes what the
// place hands out, writes over the values reachable from it, and checks that the store's
// bookings and later responses are byte for byte what they were. Run under -race, they also
// catch a pooled value still in use when it is handed out again.

// storeSnapshot is every booking of the store, printed: what a mutation must not change.
func storeSnapshot(t *testing.T, f *fixture) []byte {
	t.Helper()
	var out []byte
	err := f.srv.store.View(context.Background(), func(tx booking.Tx) error {
		for _, u := range f.srv.fixtures.Users {
			for _, b := range tx.Visible(u.ID, u.Email) {
				out = fmt.Appendf(out, "%#v\n", *b)
				for _, a := range b.Attendees {
					out = fmt.Appendf(out, "%#v\n", a)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sharingRequests are the reads whose bodies must not change: lists (pooled slices, large
// bodies) and gets of the first page's bookings.
func sharingRequests(t *testing.T, f *fixture) []string {
	t.Helper()
	paths := []string{"/v2/bookings?take=100", "/v2/bookings?take=3", "/v2/bookings?status=cancelled"}
	for _, b := range f.do(t, "GET", "/v2/bookings?take=20", f.key(0), nil).expect(t, http.StatusOK).list(t) {
		paths = append(paths, "/v2/bookings/"+b["uid"].(string))
	}
	return paths
}

func bodiesOf(t *testing.T, f *fixture, paths []string) [][]byte {
	t.Helper()
	out := make([][]byte, len(paths))
	for i, p := range paths {
		out[i] = bytes.Clone(f.do(t, "GET", p, f.key(0), nil).expect(t, http.StatusOK).Body.Bytes())
	}
	return out
}

// TestSharing_PooledMemory: while reads run, other goroutines take body buffers and
// bookingOut slices from the pools, write over all of them and put them back. Every read
// must still give the bytes it gave alone, and the store must not change: nothing a pool
// hands out is still in use, and nothing left in one shows in a later response.
func TestSharing_PooledMemory(t *testing.T) {
	f := MustServer(t, Config{Seed: 3})
	paths := sharingRequests(t, f)
	want := bodiesOf(t, f, paths)
	store := storeSnapshot(t, f)

	done := make(chan struct{})
	var scribblers sync.WaitGroup
	for g := range 2 {
		scribblers.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-done:
					return
				default:
				}
				bp := bodyBuffers.Get().(*[]byte)
				b := (*bp)[:cap(*bp)]
				for i := range b {
					b[i] = 'X'
				}
				*bp = b[:0]
				bodyBuffers.Put(bp)
				items := getBookingOuts(maxTake)
				fill.Value(items, g*1000+n)
				fill.Overwrite(items)
				bookingOutSlices.Put(items) // as dirty as a handler could leave it
			}
		})
	}
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for range 5 {
				for i, p := range paths {
					got := f.do(t, "GET", p, f.key(0), nil).Body.Bytes()
					if !bytes.Equal(got, want[i]) {
						t.Errorf("GET %s changed while the pools were written over:\n got: %.300s\nwant: %.300s", p, got, want[i])
						return
					}
				}
			}
		})
	}
	readers.Wait()
	close(done)
	scribblers.Wait()
	if !bytes.Equal(storeSnapshot(t, f), store) {
		t.Error("the store changed")
	}
}

// TestSharing_OutputShapes: the output shape of every booking, for every caller and both
// views, may be written over entirely (every value reachable from it) without changing the
// store or a later response. The shapes are built as the handlers build them, from what the
// Service returns; they used to point into shared memory (one {} for every booking without
// metadata, languages pointing into the stored booking, stored maps and pointers).
func TestSharing_OutputShapes(t *testing.T) {
	f := MustServer(t, Config{Seed: 3})
	paths := sharingRequests(t, f)
	want := bodiesOf(t, f, paths)
	store := storeSnapshot(t, f)

	shapes := 0
	for _, u := range f.srv.fixtures.Users {
		page, err := f.srv.service.List(context.Background(), u.User, booking.Filter{Take: maxTake})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range page.Bookings {
			for _, v := range []view{{}, {seatUID: "seat"}} {
				out := f.srv.toBookingOut(b, v)
				fill.Overwrite(&out)
				shapes++
			}
		}
	}
	if shapes == 0 {
		t.Fatal("no booking was listed: the test would prove nothing")
	}
	for i, got := range bodiesOf(t, f, paths) {
		if !bytes.Equal(got, want[i]) {
			t.Errorf("GET %s changed after output shapes were written over:\n got: %.300s\nwant: %.300s", paths[i], got, want[i])
		}
	}
	if !bytes.Equal(storeSnapshot(t, f), store) {
		t.Error("the store changed after output shapes were written over")
	}
}

// TestSharing_BorrowedList: the list handler encodes a page it borrows from the store
// (Service.ListFunc) instead of a copy, so it must write to nothing reachable from the
// bookings it is lent. Bookings with every field set (by reflection, so later fields are
// covered) and nested answers and metadata, of each shape (plain, seated, recurring;
// cancelled or not; past or upcoming), are listed with every order and several filters by
// four clients at once; the store must then be exactly what it was (under -race a write
// would also race with the other clients' reads), and every body must be the one a page of
// copies (Service.List) gives.
func TestSharing_BorrowedList(t *testing.T) {
	f := MustServer(t, Config{Seed: 3})
	owner := f.srv.fixtures.Users[0].User
	nested := func() map[string]any {
		return map[string]any{"list": []any{"a", map[string]any{"b": 1.5}}}
	}
	var full []booking.Booking
	for i, kind := range []string{profile.KindPlain, profile.KindSeated, profile.KindRecurring} {
		for j, status := range []booking.Status{booking.StatusAccepted, booking.StatusCancelled} {
			n := i*2 + j
			var b booking.Booking
			fill.Value(&b, 10+n)
			b.UID = fmt.Sprintf("borrowed-%d", n)
			b.HostID, b.EventTypeID, b.Status = owner.ID, f.eventType(t, kind).ID, status
			b.Start = testNow.Add(time.Duration(n*2-5) * time.Hour) // three past, three upcoming
			b.End = b.Start.Add(30 * time.Minute)
			b.Metadata["nested"] = nested()
			b.BookingFieldsResponses["nested"] = nested()
			for k := range b.Attendees {
				b.Attendees[k].SeatResponses["nested"] = nested()
				b.Attendees[k].SeatMetadata["nested"] = nested()
			}
			full = append(full, b)
		}
	}
	if err := f.srv.store.Update(context.Background(), func(tx booking.Tx) error {
		for _, b := range full {
			tx.Put(b)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	storeJSON := func() string {
		var all []booking.Booking
		if err := f.srv.store.View(context.Background(), func(tx booking.Tx) error {
			for _, b := range tx.Visible(owner.ID, owner.Email) {
				all = append(all, *b)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(all) // follows pointers, maps and slices
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	before := storeJSON()

	queries := []string{
		"take=250", "take=4&skip=2", "status=upcoming", "status=past", "status=cancelled",
		"status=upcoming,unconfirmed", "sortStart=desc", "sortEnd=asc", "sortCreated=desc",
		"sortUpdatedAt=desc&take=3", "afterStart=" + testNow.Format(time.RFC3339),
	}
	want := make([][]byte, len(queries))
	for i, q := range queries {
		want[i] = listOfCopies(t, f, owner, q)
		if !bytes.Contains(want[i], []byte(`"borrowed-`)) {
			t.Fatalf("?%s lists none of the filled bookings: the test would prove little", q)
		}
	}
	var clients sync.WaitGroup
	for range 4 {
		clients.Go(func() {
			for range 3 {
				for i, q := range queries {
					got := f.do(t, "GET", "/v2/bookings?"+q, f.key(0), nil).Body.Bytes()
					if !bytes.Equal(got, want[i]) {
						t.Errorf("GET ?%s differs from a page of copies:\n got: %.300s\nwant: %.300s", q, got, want[i])
						return
					}
				}
			}
		})
	}
	clients.Wait()
	if after := storeJSON(); after != before {
		t.Errorf("listing changed the store:\nbefore %.400s\n after %.400s", before, after)
	}
}

// listOfCopies is the body of GET /v2/bookings?query for caller, built as the handler built
// it before it borrowed pages: from Service.List's copies.
func listOfCopies(t *testing.T, f *fixture, caller booking.User, query string) []byte {
	t.Helper()
	filter, err := decodeListQuery(parseQuery(query))
	if err != nil {
		t.Fatalf("?%s: %v", query, err)
	}
	page, err := f.srv.service.List(context.Background(), caller, filter)
	if err != nil {
		t.Fatalf("?%s: %v", query, err)
	}
	items := make([]bookingOut, len(page.Bookings))
	for i, b := range page.Bookings {
		items[i] = f.srv.toBookingOut(b, view{})
	}
	rec := httptest.NewRecorder()
	writeSuccess(rec, http.StatusOK, items, newPagination(page.Total, page.Take, page.Skip))
	return bytes.Clone(rec.Body.Bytes())
}
