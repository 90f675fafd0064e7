package mockserver

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/internal/fill"
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
