package boltstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/booking/memstore"
)

// The conformance suite states what any booking.Store must do; it runs against memstore (the
// reference) and boltstore. It is written over the interface only, so it can move to a
// shared package (e.g. booking/storetest) unchanged.

var (
	ctx = context.Background()
	t0  = time.Date(2030, 1, 1, 10, 0, 0, 0, time.UTC)
)

func TestConformance_memstore(t *testing.T) {
	runConformance(t, func(testing.TB) booking.Store { return memstore.New() })
}

func TestConformance_boltstore(t *testing.T) {
	runConformance(t, func(tb testing.TB) booking.Store { return MustOpen(tb) })
}

func runConformance(t *testing.T, open func(testing.TB) booking.Store) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, booking.Store)
	}{
		{"RollbackOnError", testRollbackOnError},
		{"CopiesNotShared", testCopiesNotShared},
		{"IndexesAfterUpdates", testIndexesAfterUpdates},
		{"PutBumpsNextID", testPutBumpsNextID},
		{"NextIDKeptWithoutPut", testNextIDKeptWithoutPut},
		{"CancelledContext", testCancelledContext},
		{"ReadOnlyView", testReadOnlyView},
		{"PutTwiceInOneTx", testPutTwiceInOneTx},
		{"QueriesSeeOwnWrites", testQueriesSeeOwnWrites},
		{"SeatMoves", testSeatMoves},
		{"SeriesOrder", testSeriesOrder},
		{"Missing", testMissing},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

func sample(id int, uid string) booking.Booking {
	return booking.Booking{
		ID: id, UID: uid, EventTypeID: 7, HostID: 1, Status: booking.StatusAccepted,
		Start: t0, End: t0.Add(30 * time.Minute), RecurringBookingUID: "series",
		Attendees: []booking.Attendee{{Name: "A", Email: "a@example.com", SeatUID: "seat-" + uid, SeatMetadata: map[string]any{"k": "v"}}},
		Metadata:  map[string]any{"nested": map[string]any{"x": 1.0}},
	}
}

func mustPut(tb testing.TB, s booking.Store, bs ...booking.Booking) {
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

func get(tb testing.TB, s booking.Store, uid string) (booking.Booking, bool) {
	tb.Helper()
	var b booking.Booking
	var ok bool
	if err := s.View(ctx, func(tx booking.Tx) error { b, ok = tx.Get(uid); return nil }); err != nil {
		tb.Fatal(err)
	}
	return b, ok
}

func nextID(tb testing.TB, s booking.Store) int {
	tb.Helper()
	var id int
	if err := s.Update(ctx, func(tx booking.Tx) error { id = tx.NextID(); return nil }); err != nil {
		tb.Fatal(err)
	}
	return id
}

func uids(bs []booking.Booking) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.UID
	}
	return out
}

func testRollbackOnError(t *testing.T, s booking.Store) {
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
	_ = s.View(ctx, func(tx booking.Tx) error {
		if tx.Len() != 1 || len(tx.Series("series")) != 1 {
			t.Errorf("after rollback: len %d, series %v", tx.Len(), uids(tx.Series("series")))
		}
		if _, ok := tx.BySeat("seat-b"); ok {
			t.Error("seat of a rolled back insert is indexed")
		}
		return nil
	})
	// The id handed out in the failed transaction is reused.
	if id := nextID(t, s); id != 2 {
		t.Errorf("next id after rollback = %d, want 2", id)
	}
}

func testCopiesNotShared(t *testing.T, s booking.Store) {
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
	// Within one transaction too: mutating a returned copy changes nothing until Put.
	_ = s.Update(ctx, func(tx booking.Tx) error {
		b, _ := tx.Get("a")
		b.Attendees[0].Name = "not put"
		if again, _ := tx.Get("a"); again.Attendees[0].Name != "A" {
			t.Error("a copy returned in a transaction is shared")
		}
		return nil
	})
}

func testIndexesAfterUpdates(t *testing.T, s booking.Store) {
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
			t.Errorf("old organizer/attendee still see a: %v", uids(got))
		}
		if got := tx.Visible(3, ""); len(got) != 1 || got[0].UID != "a" {
			t.Errorf("new organizer: %v", uids(got))
		}
		if got := tx.Visible(0, "C@example.com"); len(got) != 1 {
			t.Errorf("new attendee (case-insensitive): %v", uids(got))
		}
		if got := byID(tx.Visible(2, "c@example.com")); len(got) != 2 || got[0].UID != "a" || got[1].UID != "b" {
			t.Errorf("organizer ∪ attendee, by id: %v", uids(got))
		}
		if _, ok := tx.BySeat("seat-a"); ok {
			t.Error("removed seat still indexed")
		}
		if got, ok := tx.BySeat("seat-b"); !ok || got.UID != "b" {
			t.Error("seat-b lost")
		}
		if got := tx.Series("series"); len(got) != 1 || got[0].UID != "b" {
			t.Errorf("series: %v", uids(got))
		}
		if got := tx.At(7, t0); len(got) != 0 {
			t.Errorf("old slot: %v", uids(got))
		}
		if got := tx.At(7, t0.Add(5*time.Hour).In(time.FixedZone("X", 3600))); len(got) != 1 {
			t.Errorf("new slot (other location): %v", uids(got))
		}
		if got := tx.At(8, t0.Add(5*time.Hour)); len(got) != 0 {
			t.Errorf("other event type: %v", uids(got))
		}
		if got := tx.ForHost(3, t0.Add(5*time.Hour+10*time.Minute), t0.Add(5*time.Hour+20*time.Minute)); len(got) != 1 {
			t.Errorf("ForHost overlap: %v", uids(got))
		}
		if got := tx.ForHost(3, t0.Add(6*time.Hour), t0.Add(7*time.Hour)); len(got) != 0 {
			t.Errorf("ForHost touching end is not an overlap: %v", uids(got))
		}
		if got := tx.ForHost(1, t0, t0.Add(24*time.Hour)); len(got) != 0 {
			t.Errorf("ForHost of the old organizer: %v", uids(got))
		}
		if tx.Len() != 2 {
			t.Errorf("len %d", tx.Len())
		}
		return nil
	})
}

func testPutBumpsNextID(t *testing.T, s booking.Store) {
	mustPut(t, s, sample(41, "fixture"))
	if id := nextID(t, s); id != 42 {
		t.Errorf("next id = %d, want 42", id)
	}
	mustPut(t, s, sample(5, "older"))
	if id := nextID(t, s); id != 43 { // 42 was handed out (and committed) above
		t.Errorf("a smaller id moved the counter: %d", id)
	}
}

func testNextIDKeptWithoutPut(t *testing.T, s booking.Store) {
	_ = s.Update(ctx, func(tx booking.Tx) error {
		if a, b := tx.NextID(), tx.NextID(); a != 1 || b != 2 {
			t.Errorf("ids %d, %d; want 1, 2", a, b)
		}
		return nil
	})
	if id := nextID(t, s); id != 3 {
		t.Errorf("next id = %d, want 3", id)
	}
}

func testCancelledContext(t *testing.T, s booking.Store) {
	c, cancel := context.WithCancel(ctx)
	cancel()
	called := false
	if err := s.Update(c, func(booking.Tx) error { called = true; return nil }); !errors.Is(err, context.Canceled) || called {
		t.Fatalf("Update: err %v, called %v", err, called)
	}
	if err := s.View(c, func(booking.Tx) error { called = true; return nil }); !errors.Is(err, context.Canceled) || called {
		t.Fatalf("View: err %v, called %v", err, called)
	}
}

func testReadOnlyView(t *testing.T, s booking.Store) {
	for name, fn := range map[string]func(booking.Tx){
		"Put":    func(tx booking.Tx) { tx.Put(sample(1, "a")) },
		"NextID": func(tx booking.Tx) { tx.NextID() },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s in View did not panic", name)
				}
			}()
			_ = s.View(ctx, func(tx booking.Tx) error { fn(tx); return nil })
		}()
	}
	// The store still works after the panics.
	mustPut(t, s, sample(1, "a"))
	if _, ok := get(t, s, "a"); !ok {
		t.Error("store unusable after a panicking View")
	}
}

func testPutTwiceInOneTx(t *testing.T, s booking.Store) {
	_ = s.Update(ctx, func(tx booking.Tx) error {
		b := sample(1, "a")
		tx.Put(b)
		b.HostID, b.Attendees[0].Email, b.Attendees[0].SeatUID = 9, "z@example.com", "seat-z"
		tx.Put(b)
		if tx.Len() != 1 {
			t.Errorf("len %d after putting one uid twice", tx.Len())
		}
		return nil
	})
	_ = s.View(ctx, func(tx booking.Tx) error {
		if got := tx.Visible(1, "a@example.com"); len(got) != 0 {
			t.Errorf("first version still indexed: %v", uids(got))
		}
		if got := tx.Visible(9, "z@example.com"); len(got) != 1 {
			t.Errorf("second version: %v", uids(got))
		}
		if _, ok := tx.BySeat("seat-a"); ok {
			t.Error("first version's seat still indexed")
		}
		if tx.Len() != 1 {
			t.Errorf("len %d", tx.Len())
		}
		return nil
	})
}

func testQueriesSeeOwnWrites(t *testing.T, s booking.Store) {
	mustPut(t, s, sample(1, "a"))
	_ = s.Update(ctx, func(tx booking.Tx) error {
		b := sample(2, "b")
		b.HostID = 5
		tx.Put(b)
		a, _ := tx.Get("a")
		a.HostID = 5
		a.Start, a.End = t0.Add(time.Hour), t0.Add(2*time.Hour)
		tx.Put(a)
		if got := tx.ForHost(5, t0, t0.Add(3*time.Hour)); len(got) != 2 {
			t.Errorf("ForHost in tx: %v", uids(got))
		}
		if got := tx.ForHost(1, t0, t0.Add(3*time.Hour)); len(got) != 0 {
			t.Errorf("ForHost old host in tx: %v", uids(got))
		}
		if got := tx.At(7, t0); len(got) != 1 || got[0].UID != "b" {
			t.Errorf("At in tx: %v", uids(got))
		}
		if got, ok := tx.BySeat("seat-b"); !ok || got.UID != "b" {
			t.Error("BySeat in tx")
		}
		if got := tx.Visible(0, "A@EXAMPLE.COM"); len(got) != 2 {
			t.Errorf("Visible in tx: %v", uids(got))
		}
		return nil
	})
}

func testSeatMoves(t *testing.T, s booking.Store) {
	a := sample(1, "a")
	mustPut(t, s, a)
	// The seat moves to another booking (a seated reschedule).
	b := sample(2, "b")
	b.Attendees[0].SeatUID = "seat-a"
	a.Attendees = nil
	mustPut(t, s, b, a)
	if got, ok := bySeat(t, s, "seat-a"); !ok || got.UID != "b" {
		t.Errorf("moved seat: %v %v", got.UID, ok)
	}
}

func bySeat(tb testing.TB, s booking.Store, seat string) (b booking.Booking, ok bool) {
	tb.Helper()
	_ = s.View(ctx, func(tx booking.Tx) error { b, ok = tx.BySeat(seat); return nil })
	return b, ok
}

func testSeriesOrder(t *testing.T, s booking.Store) {
	var bs []booking.Booking
	for i, off := range []int{3, 1, 2, 1} {
		b := sample(10-i, string(rune('a'+i)))
		b.Start = t0.Add(time.Duration(off) * 24 * time.Hour)
		b.End = b.Start.Add(time.Hour)
		bs = append(bs, b)
	}
	mustPut(t, s, bs...)
	_ = s.View(ctx, func(tx booking.Tx) error {
		// By start, then id: d (id 7) and b (id 9) share a start.
		if got := uids(tx.Series("series")); len(got) != 4 || got[0] != "d" || got[1] != "b" || got[2] != "c" || got[3] != "a" {
			t.Errorf("series order %v", got)
		}
		if got := tx.Series(""); len(got) != 0 {
			t.Errorf("empty series uid: %v", uids(got))
		}
		return nil
	})
}

func testMissing(t *testing.T, s booking.Store) {
	_ = s.View(ctx, func(tx booking.Tx) error {
		if _, ok := tx.Get("nope"); ok {
			t.Error("Get of a missing uid")
		}
		if _, ok := tx.Get(""); ok {
			t.Error("Get of the empty uid")
		}
		if _, ok := tx.BySeat("nope"); ok {
			t.Error("BySeat of a missing seat")
		}
		if got := tx.Visible(0, ""); len(got) != 0 {
			t.Errorf("Visible(0, \"\"): %v", uids(got))
		}
		if tx.Len() != 0 {
			t.Errorf("len %d", tx.Len())
		}
		return nil
	})
}
