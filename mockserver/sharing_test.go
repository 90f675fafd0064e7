package mockserver

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"unsafe"

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

// scribble writes over every value reachable from v in place: strings, numbers and bools
// set, pointers and interfaces followed, slice elements and map entries overwritten.
func scribble(v reflect.Value, depth int) {
	if depth > 8 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString("scribbled")
		}
	case reflect.Int, reflect.Int64:
		if v.CanSet() {
			v.SetInt(-7)
		}
	case reflect.Float64:
		if v.CanSet() {
			v.SetFloat(-7.5)
		}
	case reflect.Bool:
		if v.CanSet() {
			v.SetBool(!v.Bool())
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			scribble(v.Elem(), depth+1)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			scribble(v.Index(i), depth+1)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			v.SetMapIndex(k, reflect.ValueOf("scribbled"))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			fv := v.Field(i)
			if fv.CanAddr() && !fv.CanSet() {
				fv = reflect.NewAt(fv.Type(), unsafe.Pointer(fv.UnsafeAddr())).Elem()
			}
			scribble(fv, depth+1)
		}
	}
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
				scribble(reflect.ValueOf(items), 0)
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

// TestSharing_OutputShapes: the parts of a booking's output shape that used to point into
// shared memory may be written over without changing the store or a later response: the {}
// of a booking without metadata (one map shared by all of them) and the attendees'
// languages (pointers into the stored booking).
func TestSharing_OutputShapes(t *testing.T) {
	f := MustServer(t, Config{Seed: 3})
	paths := sharingRequests(t, f)
	want := bodiesOf(t, f, paths)
	store := storeSnapshot(t, f)

	err := f.srv.store.View(context.Background(), func(tx booking.Tx) error {
		for _, u := range f.srv.fixtures.Users {
			for _, b := range tx.Visible(u.ID, u.Email) {
				for _, v := range []view{{}, {seatUID: "seat"}} {
					out := f.srv.toBookingOut(*b, v)
					if len(b.Metadata) == 0 {
						md := reflect.ValueOf(out.Metadata)
						if md.Len() == 0 && !md.IsNil() {
							md.SetMapIndex(reflect.ValueOf("added"), reflect.ValueOf(true))
						}
					}
					as := reflect.ValueOf(out.Attendees)
					for i := range as.Len() {
						scribble(as.Index(i).FieldByName("Language"), 0)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
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
