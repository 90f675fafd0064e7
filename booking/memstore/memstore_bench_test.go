package memstore_test

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/booking/memstore"
	"github.com/calmock/calmock/fixtures"
)

// Store benchmarks at 1k, 10k and 100k bookings (issue 6: "store get/insert/list", and the
// list cost curve). The bookings are the default fixtures plus fixtures.AddBookings volume,
// so they have the shape of real ones. Run with `make bench` or
// `go test -run '^$' -bench . -benchmem ./booking/memstore`.

var benchNow = time.Date(2030, 1, 9, 9, 0, 0, 0, time.UTC)

var benchSizes = []int{1_000, 10_000, 100_000}

// benchSets caches one generated set per size: generating 100k bookings takes about a
// second, and -count=5 would otherwise pay it for every run.
var benchSets sync.Map // int → *fixtures.Set

func benchSet(b *testing.B, total int) *fixtures.Set {
	b.Helper()
	if v, ok := benchSets.Load(total); ok {
		return v.(*fixtures.Set)
	}
	set, err := fixtures.Default(1, benchNow)
	if err != nil {
		b.Fatal(err)
	}
	if err := set.AddBookings(total-len(set.Bookings), 1, benchNow); err != nil {
		b.Fatal(err)
	}
	benchSets.Store(total, set)
	return set
}

func mustSeeded(b *testing.B, bookings []booking.Booking) *memstore.Store {
	b.Helper()
	s := memstore.New()
	err := s.Update(context.Background(), func(tx booking.Tx) error {
		for _, bk := range bookings {
			tx.Put(bk)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkStore_Get(b *testing.B) {
	for _, n := range benchSizes {
		b.Run("bookings="+strconv.Itoa(n), func(b *testing.B) {
			set := benchSet(b, n)
			s := mustSeeded(b, set.Bookings)
			uid := set.Bookings[len(set.Bookings)/2].UID
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				_ = s.View(ctx, func(tx booking.Tx) error {
					if _, ok := tx.Get(uid); !ok {
						b.Fatal("not found")
					}
					return nil
				})
			}
		})
	}
}

func BenchmarkStore_Insert(b *testing.B) {
	for _, n := range benchSizes {
		b.Run("bookings="+strconv.Itoa(n), func(b *testing.B) {
			set := benchSet(b, n)
			s := mustSeeded(b, set.Bookings)
			tmpl := set.Bookings[len(set.Bookings)-1]
			ctx := context.Background()
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				i++
				nb := tmpl.Clone()
				nb.UID = "bench" + strconv.Itoa(i)
				nb.Start = benchNow.AddDate(0, 0, 100).Add(time.Duration(i) * time.Hour)
				nb.End = nb.Start.Add(30 * time.Minute)
				_ = s.Update(ctx, func(tx booking.Tx) error {
					nb.ID = tx.NextID()
					tx.Put(nb)
					return nil
				})
			}
		})
	}
}

// BenchmarkStore_Visible lists everything the first user may see (what GET /v2/bookings
// reads before filtering and paging); the user holds about a third of the bookings.
func BenchmarkStore_Visible(b *testing.B) {
	for _, n := range benchSizes {
		b.Run("bookings="+strconv.Itoa(n), func(b *testing.B) {
			set := benchSet(b, n)
			benchVisible(b, mustSeeded(b, set.Bookings), set.Users[0].User)
		})
	}
}

// BenchmarkStore_VisibleWindow is the first page of 100 of what the first user sees (a third
// of the bookings): the page is taken, the rest only counted.
func BenchmarkStore_VisibleWindow(b *testing.B) {
	for _, n := range benchSizes {
		b.Run("bookings="+strconv.Itoa(n), func(b *testing.B) {
			set := benchSet(b, n)
			s, u := mustSeeded(b, set.Bookings), set.Users[0].User
			b.ReportAllocs()
			for b.Loop() {
				_ = s.View(context.Background(), func(tx booking.Tx) error {
					if page, total := tx.(booking.VisibleWindower).VisibleWindow(u.ID, u.Email, 0, 100); len(page) != 100 || total < n/4 {
						b.Fatalf("page of %d, total %d", len(page), total)
					}
					return nil
				})
			}
		})
	}
}

// benchVisible measures what user u may see in store s.
func benchVisible(b *testing.B, s booking.Store, u booking.User) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_ = s.View(ctx, func(tx booking.Tx) error {
			if len(tx.Visible(u.ID, u.Email)) == 0 {
				b.Fatal("no bookings")
			}
			return nil
		})
	}
}

// BenchmarkStore_VisibleAmongOthers keeps the first user's bookings at about 100 and grows
// everyone else's: with an index by host and attendee the cost must stay flat.
func BenchmarkStore_VisibleAmongOthers(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("others=%d", n), func(b *testing.B) {
			set := benchSet(b, n)
			u := set.Users[0]
			var kept []booking.Booking
			own := 0
			for _, bk := range set.Bookings {
				if bk.HostID == u.ID {
					if own >= 100 {
						continue
					}
					own++
				}
				kept = append(kept, bk)
			}
			benchVisible(b, mustSeeded(b, kept), u.User)
		})
	}
}

// BenchmarkStore_ForHost is the availability check a create makes: the host's bookings
// overlapping one hour.
func BenchmarkStore_ForHost(b *testing.B) {
	for _, n := range benchSizes {
		b.Run("bookings="+strconv.Itoa(n), func(b *testing.B) {
			set := benchSet(b, n)
			s := mustSeeded(b, set.Bookings)
			start := benchNow.AddDate(0, 0, 100)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				_ = s.View(ctx, func(tx booking.Tx) error {
					_ = tx.ForHost(set.Users[0].ID, start, start.Add(time.Hour))
					return nil
				})
			}
		})
	}
}

// BenchmarkStore_Memory reports the heap a store holding n bookings keeps alive, per
// booking (issue 6's memory figures): the bookings themselves plus every index. Each
// iteration seeds a fresh store from the same generated set; the heap is read after a GC
// with the set's own bookings still referenced, so only what the store adds is counted.
func BenchmarkStore_Memory(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run("bookings="+strconv.Itoa(n), func(b *testing.B) {
			set := benchSet(b, n)
			var perBooking float64
			for b.Loop() {
				before := liveHeap()
				s := mustSeeded(b, set.Bookings)
				perBooking = float64(liveHeap()-before) / float64(n)
				runtime.KeepAlive(s)
			}
			b.ReportMetric(perBooking, "heapB/booking")
		})
	}
}

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
