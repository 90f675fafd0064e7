package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/booking/memstore"
	"github.com/calmock/calmock/booking/storetest"
	"github.com/calmock/calmock/fixtures"
)

var ctx = context.Background()

var _ booking.Store = (*memstore.Store)(nil)

// TestStore_Conformance runs the behaviour every booking.Store must have against memstore.
func TestStore_Conformance(t *testing.T) {
	storetest.Run(t, func(testing.TB) booking.Store { return memstore.New() })
}

// TestStore_ForHostAcrossDays: the availability lookup goes through a per-day index, so a
// booking that started days before the window, or before 1970, must still be found, and one
// that merely touches the window must not.
func TestStore_ForHostAcrossDays(t *testing.T) {
	s := memstore.New()
	long := storetest.Sample(1, "long")
	long.Start, long.End = storetest.T0.AddDate(0, 0, -3), storetest.T0.Add(time.Hour) // a 3-day booking
	touching := storetest.Sample(2, "touching")
	touching.Start, touching.End = storetest.T0.Add(2*time.Hour), storetest.T0.Add(3*time.Hour)
	old := storetest.Sample(3, "old")
	old.Start = time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC)
	old.End = old.Start.Add(2 * time.Hour)
	other := storetest.Sample(4, "other-host")
	other.HostID = 2
	storetest.MustPut(t, s, long, touching, old, other)
	_ = s.View(ctx, func(tx booking.Tx) error {
		if got := storetest.UIDs(tx.ForHost(1, storetest.T0.Add(30*time.Minute), storetest.T0.Add(2*time.Hour))); len(got) != 1 || got[0] != "long" {
			t.Errorf("window inside a long booking: %v, want [long]", got)
		}
		if got := storetest.UIDs(tx.ForHost(1, time.Date(1970, 1, 1, 0, 30, 0, 0, time.UTC), time.Date(1970, 1, 1, 1, 0, 0, 0, time.UTC))); len(got) != 1 || got[0] != "old" {
			t.Errorf("window across the epoch: %v, want [old]", got)
		}
		if got := tx.ForHost(2, storetest.T0.AddDate(0, 0, -5), storetest.T0.AddDate(0, 0, 5)); len(got) != 1 {
			t.Errorf("other host: %v", storetest.UIDs(got))
		}
		return nil
	})
}

// TestStore_BulkEqualsIncremental: an Update with more than bulkWrites writes rebuilds the
// ordered indexes in one go, smaller ones insert entry by entry; both must answer every
// query alike, also after later single updates (a status change, a host change, a move).
func TestStore_BulkEqualsIncremental(t *testing.T) {
	set, err := fixtures.Default(1, storetest.T0)
	if err != nil {
		t.Fatal(err)
	}
	if err := set.AddBookings(3000, 1, storetest.T0); err != nil {
		t.Fatal(err)
	}
	bulk, incremental := memstore.New(), memstore.New()
	storetest.MustPut(t, bulk, set.Bookings...)
	for _, b := range set.Bookings {
		storetest.MustPut(t, incremental, b)
	}
	// Later changes to both: cancel one, hand another to user 2, move a third.
	first, second, third := set.Bookings[30].Clone(), set.Bookings[40].Clone(), set.Bookings[50].Clone()
	first.Status = booking.StatusCancelled
	second.HostID = 2
	third.Start, third.End = third.Start.Add(-48*time.Hour), third.End.Add(-48*time.Hour)
	for _, s := range []*memstore.Store{bulk, incremental} {
		storetest.MustPut(t, s, first, second, third)
	}

	snapshot := func(s *memstore.Store) string {
		var out strings.Builder
		_ = s.View(ctx, func(tx booking.Tx) error {
			for _, u := range set.Users {
				for _, b := range tx.Visible(u.ID, u.Email) {
					fmt.Fprintf(&out, "visible %d %s\n", u.ID, b.UID)
				}
				day := storetest.T0.AddDate(0, 0, -45)
				fmt.Fprintf(&out, "forhost %d %v\n", u.ID, storetest.UIDs(tx.ForHost(u.ID, day, day.AddDate(0, 0, 3))))
			}
			for _, b := range set.Bookings[:200] {
				fmt.Fprintf(&out, "at %d %v\n", b.ID, storetest.UIDs(tx.At(b.EventTypeID, b.Start)))
				fmt.Fprintf(&out, "email %s %d\n", b.Attendees[0].Email, len(tx.Visible(0, b.Attendees[0].Email)))
			}
			return nil
		})
		return out.String()
	}
	got, want := snapshot(bulk), snapshot(incremental)
	if got != want {
		t.Fatalf("bulk-loaded store answers differently from the incremental one:\n%s", firstDiff(got, want))
	}
	if !strings.Contains(got, "visible 2 "+second.UID) {
		t.Errorf("booking handed to user 2 is not in their list")
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d: got %q, want %q", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths differ: %d vs %d lines", len(al), len(bl))
}

// TestStore_VisibleWindow: the window is exactly Visible's slice [skip, skip+take) and the
// total Visible's length, for windows inside, across and past the end, in a View and in an
// Update that has written a booking the user sees.
func TestStore_VisibleWindow(t *testing.T) {
	set, err := fixtures.Default(1, storetest.T0)
	if err != nil {
		t.Fatal(err)
	}
	if err := set.AddBookings(500, 1, storetest.T0); err != nil {
		t.Fatal(err)
	}
	s := memstore.New()
	storetest.MustPut(t, s, set.Bookings...)
	u := set.Users[0]
	check := func(tx booking.Tx, where string) {
		all := tx.Visible(u.ID, u.Email)
		for _, w := range [][2]int{{0, 10}, {5, 100}, {len(all) - 3, 10}, {len(all), 5}, {len(all) + 7, 5}, {0, len(all) + 1}, {0, 0}, {3, 0}} {
			page, total := tx.(booking.VisibleWindower).VisibleWindow(u.ID, u.Email, w[0], w[1])
			want := all[min(w[0], len(all)):min(w[0]+w[1], len(all))]
			if total != len(all) || !slices.Equal(storetest.UIDs(storetest.Values(page)), storetest.UIDs(storetest.Values(want))) {
				t.Errorf("%s: window %v: %d bookings of %d, want %d of %d", where, w, len(page), total, len(want), len(all))
			}
		}
	}
	_ = s.View(ctx, func(tx booking.Tx) error { check(tx, "View"); return nil })
	_ = s.Update(ctx, func(tx booking.Tx) error {
		extra := storetest.Sample(999_999, "written-in-tx")
		extra.HostID = u.ID
		tx.Put(extra)
		check(tx, "Update")
		return errors.New("roll back")
	})
}
