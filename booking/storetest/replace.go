package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
)

// testReplace: Replace leaves exactly the new bookings, every index rebuilt for them and
// none left for the old ones, and the id counter after the highest new id.
func testReplace(t *testing.T, s booking.Store) {
	a, b := Sample(1, "a"), Sample(2, "b")
	b.Attendees[0].Email = "old@example.com"
	MustPut(t, s, a, b)
	for range 5 {
		NextID(t, s) // ids handed out but never stored must not survive Replace either
	}

	c, d := Sample(5, "c"), Sample(9, "d")
	c.HostID, c.RecurringBookingUID = 4, "other-series"
	d.Start, d.End = t0.Add(3*time.Hour), t0.Add(5*time.Hour)
	d.Attendees[0].Email = "New@Example.com"
	replacement := []booking.Booking{c, d}
	if err := s.Replace(ctx, replacement, nil); err != nil {
		t.Fatal(err)
	}
	replacement[1].Attendees[0].Email = "changed@example.com" // the store keeps its own copy

	_ = s.View(ctx, func(tx booking.Tx) error {
		if tx.Len() != 2 {
			t.Errorf("len %d, want 2", tx.Len())
		}
		for _, uid := range []string{"a", "b"} {
			if _, ok := tx.Get(uid); ok {
				t.Errorf("old booking %q still there", uid)
			}
		}
		if got, ok := tx.Get("d"); !ok || got.Attendees[0].Email != "New@Example.com" {
			t.Errorf("Get(d) = %v, %v", got.Attendees, ok)
		}
		if _, ok := tx.BySeat("seat-a"); ok {
			t.Error("old seat still found")
		}
		if got, ok := tx.BySeat("seat-c"); !ok || got.UID != "c" {
			t.Errorf("BySeat(seat-c) = %q, %v", got.UID, ok)
		}
		if got := UIDs(tx.Series("series")); !slices.Equal(got, []string{"d"}) {
			t.Errorf("Series(series) = %v, want [d]", got)
		}
		if got := UIDs(tx.Series("other-series")); !slices.Equal(got, []string{"c"}) {
			t.Errorf("Series(other-series) = %v, want [c]", got)
		}
		if got := UIDs(Values(tx.Visible(1, "old@example.com"))); !slices.Equal(got, []string{"d"}) {
			t.Errorf("Visible(1, old) = %v, want [d]", got)
		}
		if got := UIDs(Values(tx.Visible(0, "new@example.com"))); !slices.Equal(got, []string{"d"}) {
			t.Errorf("Visible(0, new) = %v, want [d]", got)
		}
		if got := UIDs(tx.At(7, t0)); !slices.Equal(got, []string{"c"}) {
			t.Errorf("At(7, t0) = %v, want [c]", got)
		}
		// d is the longest booking now (2 h): a window late in it still finds it.
		if got := UIDs(tx.ForHost(1, t0.Add(4*time.Hour+50*time.Minute), t0.Add(6*time.Hour))); !slices.Equal(got, []string{"d"}) {
			t.Errorf("ForHost(1, …) = %v, want [d]", got)
		}
		return nil
	})
	if id := NextID(t, s); id != 10 {
		t.Errorf("NextID after Replace = %d, want 10 (after the highest id replaced in)", id)
	}

	if err := s.Replace(ctx, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, ok := Get(t, s, "c"); ok {
		t.Error("Replace(nil) kept a booking")
	}
	if id := NextID(t, s); id != 1 {
		t.Errorf("NextID after Replace(nil) = %d, want 1", id)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	MustPut(t, s, a)
	if err := s.Replace(cancelled, nil, nil); err == nil {
		t.Error("Replace with a cancelled context succeeded")
	}
	if _, ok := Get(t, s, "a"); !ok {
		t.Error("a failed Replace changed the store")
	}
}

// testReplaceAtomic: Views running while the store is replaced back and forth see one whole
// state, never part of each.
func testReplaceAtomic(t *testing.T, s booking.Store) {
	set := func(n int, prefix string) []booking.Booking {
		out := make([]booking.Booking, n)
		for i := range out {
			out[i] = Sample(i+1, fmt.Sprintf("%s%d", prefix, i))
			out[i].Attendees[0].SeatUID = ""
			out[i].Start = t0.Add(time.Duration(i) * time.Hour)
			out[i].End = out[i].Start.Add(30 * time.Minute)
		}
		return out
	}
	small, large := set(3, "s"), set(7, "l")
	if err := s.Replace(ctx, small, nil); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = s.View(ctx, func(tx booking.Tx) error {
					n, visible := tx.Len(), len(tx.Visible(1, ""))
					if (n != 3 && n != 7) || visible != n {
						t.Errorf("a View saw %d bookings and %d visible: part of a Replace", n, visible)
					}
					return nil
				})
			}
		})
	}
	for i := range 20 {
		next := large
		if i%2 == 1 {
			next = small
		}
		if err := s.Replace(ctx, next, nil); err != nil {
			t.Error(err)
			break
		}
	}
	close(stop)
	wg.Wait()
}
