package memstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/booking/memstore"
)

var (
	ctx = context.Background()
	t0  = time.Date(2030, 1, 1, 10, 0, 0, 0, time.UTC)
)

func sample(id int, uid string) booking.Booking {
	return booking.Booking{
		ID: id, UID: uid, EventTypeID: 7, HostID: 1, Status: booking.StatusAccepted,
		Start: t0, End: t0.Add(30 * time.Minute), RecurringBookingUID: "series",
		Attendees: []booking.Attendee{{Name: "A", Email: "a@example.com", SeatUID: "seat-" + uid, SeatMetadata: map[string]any{"k": "v"}}},
		Metadata:  map[string]any{"nested": map[string]any{"x": 1.0}},
	}
}

func mustPut(tb testing.TB, s *memstore.Store, bs ...booking.Booking) {
	tb.Helper()
	if err := s.Update(ctx, func(tx booking.Tx) error {
		for _, b := range bs {
			tx.Put(b)
		}
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
}

func get(tb testing.TB, s *memstore.Store, uid string) (booking.Booking, bool) {
	tb.Helper()
	var b booking.Booking
	var ok bool
	_ = s.View(ctx, func(tx booking.Tx) error { b, ok = tx.Get(uid); return nil })
	return b, ok
}

func TestStore_RollbackOnError(t *testing.T) {
	s := memstore.New()
	mustPut(t, s, sample(1, "a"))
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx booking.Tx) error {
		b, _ := tx.Get("a")
		b.Status = booking.StatusCancelled
		tx.Put(b)
		tx.Put(sample(tx.NextID(), "b"))
		// Reads inside the transaction see its own writes.
		if got, _ := tx.Get("a"); got.Status != booking.StatusCancelled || tx.Len() != 2 || len(tx.Series("series")) != 2 {
			t.Errorf("transaction does not see its writes")
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if b, _ := get(t, s, "a"); b.Status != booking.StatusAccepted {
		t.Errorf("status changed despite rollback: %s", b.Status)
	}
	if _, ok := get(t, s, "b"); ok {
		t.Error("insert kept despite rollback")
	}
	// The id handed out in the failed transaction is reused.
	_ = s.Update(ctx, func(tx booking.Tx) error {
		if id := tx.NextID(); id != 2 {
			t.Errorf("next id after rollback = %d, want 2", id)
		}
		return nil
	})
}

func TestStore_CopiesNotShared(t *testing.T) {
	s := memstore.New()
	b := sample(1, "a")
	mustPut(t, s, b)
	b.Attendees[0].Name = "changed after put"
	b.Metadata["nested"].(map[string]any)["x"] = 2.0
	got, _ := get(t, s, "a")
	if got.Attendees[0].Name != "A" || got.Metadata["nested"].(map[string]any)["x"] != 1.0 {
		t.Fatalf("store shares memory with the caller's booking: %+v", got)
	}
	// What an Update hands out is a deep copy. (A View may share memory with the store;
	// its results are read-only by contract, see booking.Tx.)
	_ = s.Update(ctx, func(tx booking.Tx) error { got, _ = tx.Get("a"); return nil })
	got.Attendees[0].SeatMetadata["k"] = "mutated"
	got.Metadata["new"] = true
	again, _ := get(t, s, "a")
	if again.Attendees[0].SeatMetadata["k"] != "v" || again.Metadata["new"] != nil {
		t.Fatalf("store shares memory with a returned booking: %+v", again)
	}
}

func TestStore_IndexesAfterUpdates(t *testing.T) {
	s := memstore.New()
	a, b := sample(1, "a"), sample(2, "b")
	b.HostID, b.Attendees[0].Email, b.Start, b.End = 2, "b@example.com", t0.Add(time.Hour), t0.Add(2*time.Hour)
	mustPut(t, s, a, b)

	// Move a: new host, new attendee, new start, seat removed, series left.
	a.HostID = 3
	a.Attendees = []booking.Attendee{{Email: "c@example.com"}}
	a.Start, a.End = t0.Add(5*time.Hour), t0.Add(6*time.Hour)
	a.RecurringBookingUID = ""
	mustPut(t, s, a)

	_ = s.View(ctx, func(tx booking.Tx) error {
		if got := tx.Visible(1, "a@example.com"); len(got) != 0 {
			t.Errorf("old organizer/attendee still see a: %v", got)
		}
		if got := tx.Visible(3, ""); len(got) != 1 || got[0].UID != "a" {
			t.Errorf("new organizer: %v", got)
		}
		if got := tx.Visible(0, "C@example.com"); len(got) != 1 {
			t.Errorf("new attendee (case-insensitive): %v", got)
		}
		if got := tx.Visible(2, "c@example.com"); len(got) != 2 {
			t.Errorf("organizer ∪ attendee: %d bookings", len(got))
		}
		if _, ok := tx.BySeat("seat-a"); ok {
			t.Error("removed seat still indexed")
		}
		if got, ok := tx.BySeat("seat-b"); !ok || got.UID != "b" {
			t.Error("seat-b lost")
		}
		if got := tx.Series("series"); len(got) != 1 || got[0].UID != "b" {
			t.Errorf("series: %v", got)
		}
		if got := tx.At(7, t0); len(got) != 0 {
			t.Errorf("old slot: %v", got)
		}
		if got := tx.At(7, t0.Add(5*time.Hour).In(time.FixedZone("X", 3600))); len(got) != 1 {
			t.Errorf("new slot (other location): %v", got)
		}
		if got := tx.ForHost(3, t0.Add(5*time.Hour+10*time.Minute), t0.Add(5*time.Hour+20*time.Minute)); len(got) != 1 {
			t.Errorf("ForHost overlap: %v", got)
		}
		if got := tx.ForHost(3, t0.Add(6*time.Hour), t0.Add(7*time.Hour)); len(got) != 0 {
			t.Errorf("ForHost touching end is not an overlap: %v", got)
		}
		if tx.Len() != 2 {
			t.Errorf("len %d", tx.Len())
		}
		return nil
	})
}

func TestStore_PutBumpsNextID(t *testing.T) {
	s := memstore.New()
	mustPut(t, s, sample(41, "fixture"))
	_ = s.Update(ctx, func(tx booking.Tx) error {
		if id := tx.NextID(); id != 42 {
			t.Errorf("next id = %d, want 42", id)
		}
		return nil
	})
	mustPut(t, s, sample(5, "older"))
	_ = s.Update(ctx, func(tx booking.Tx) error {
		if id := tx.NextID(); id != 43 { // 42 was handed out (and committed) above
			t.Errorf("a smaller id moved the counter: %d", id)
		}
		return nil
	})
}

func TestStore_CancelledContext(t *testing.T) {
	s := memstore.New()
	c, cancel := context.WithCancel(ctx)
	cancel()
	called := false
	if err := s.Update(c, func(booking.Tx) error { called = true; return nil }); !errors.Is(err, context.Canceled) || called {
		t.Fatalf("err %v, called %v", err, called)
	}
}

// TestStore_ForHostAcrossDays: the availability lookup goes through a per-day index, so a
// booking that started days before the window, or before 1970, must still be found, and one
// that merely touches the window must not.
func TestStore_ForHostAcrossDays(t *testing.T) {
	s := memstore.New()
	long := sample(1, "long")
	long.Start, long.End = t0.AddDate(0, 0, -3), t0.Add(time.Hour) // a 3-day booking
	touching := sample(2, "touching")
	touching.Start, touching.End = t0.Add(2*time.Hour), t0.Add(3*time.Hour)
	old := sample(3, "old")
	old.Start = time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC)
	old.End = old.Start.Add(2 * time.Hour)
	other := sample(4, "other-host")
	other.HostID = 2
	mustPut(t, s, long, touching, old, other)
	_ = s.View(ctx, func(tx booking.Tx) error {
		if got := uids(tx.ForHost(1, t0.Add(30*time.Minute), t0.Add(2*time.Hour))); len(got) != 1 || got[0] != "long" {
			t.Errorf("window inside a long booking: %v, want [long]", got)
		}
		if got := uids(tx.ForHost(1, time.Date(1970, 1, 1, 0, 30, 0, 0, time.UTC), time.Date(1970, 1, 1, 1, 0, 0, 0, time.UTC))); len(got) != 1 || got[0] != "old" {
			t.Errorf("window across the epoch: %v, want [old]", got)
		}
		if got := tx.ForHost(2, t0.AddDate(0, 0, -5), t0.AddDate(0, 0, 5)); len(got) != 1 {
			t.Errorf("other host: %v", uids(got))
		}
		return nil
	})
}

func uids(bs []booking.Booking) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.UID
	}
	return out
}
