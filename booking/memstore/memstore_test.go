package memstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/booking/memstore"
	"github.com/calmock/calmock/booking/storetest"
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
