// Package storetest is the behaviour every booking.Store must have, as one test suite that
// each implementation runs against itself (memstore, the reference, and boltstore), plus the
// small helpers those tests share.
package storetest

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
)

var ctx = context.Background()

// T0 is the start of Sample bookings.
var T0 = time.Date(2030, 1, 1, 10, 0, 0, 0, time.UTC)

var t0 = T0

// Run runs the whole suite, one subtest per behaviour, each on a fresh store from open.
func Run(t *testing.T, open func(testing.TB) booking.Store) {
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
		{"VisibleOrder", testVisibleOrder},
		{"Replace", testReplace},
		{"ReplaceAtomic", testReplaceAtomic},
		{"All", testAll},
		{"Webhooks", testWebhooks},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// Sample is an accepted booking at T0 with one seated attendee, in series "series".
func Sample(id int, uid string) booking.Booking {
	return booking.Booking{
		ID: id, UID: uid, EventTypeID: 7, HostID: 1, Status: booking.StatusAccepted,
		Start: t0, End: t0.Add(30 * time.Minute), RecurringBookingUID: "series",
		Attendees: []booking.Attendee{{Name: "A", Email: "a@example.com", SeatUID: "seat-" + uid, SeatMetadata: map[string]any{"k": "v"}}},
		Metadata:  map[string]any{"nested": map[string]any{"x": 1.0}},
	}
}

// MustPut stores bs in one Update.
func MustPut(tb testing.TB, s booking.Store, bs ...booking.Booking) {
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

// Get reads uid in a View.
func Get(tb testing.TB, s booking.Store, uid string) (booking.Booking, bool) {
	tb.Helper()
	var b booking.Booking
	var ok bool
	if err := s.View(ctx, func(tx booking.Tx) error { b, ok = tx.Get(uid); return nil }); err != nil {
		tb.Fatal(err)
	}
	return b, ok
}

// NextID draws an id in an Update.
func NextID(tb testing.TB, s booking.Store) int {
	tb.Helper()
	var id int
	if err := s.Update(ctx, func(tx booking.Tx) error { id = tx.NextID(); return nil }); err != nil {
		tb.Fatal(err)
	}
	return id
}

// UIDs lists the uids of bs, in order.
func UIDs(bs []booking.Booking) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.UID
	}
	return out
}

func testRollbackOnError(t *testing.T, s booking.Store) {
	MustPut(t, s, Sample(1, "a"))
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx booking.Tx) error {
		b, _ := tx.Get("a")
		b.Status = booking.StatusCancelled
		tx.Put(b)
		tx.Put(Sample(tx.NextID(), "b"))
		// Reads inside the transaction see its own writes.
		if got, _ := tx.Get("a"); got.Status != booking.StatusCancelled || tx.Len() != 2 || len(tx.Series("series")) != 2 {
			t.Errorf("transaction does not see its writes")
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if b, _ := Get(t, s, "a"); b.Status != booking.StatusAccepted {
		t.Errorf("status changed despite rollback: %s", b.Status)
	}
	if _, ok := Get(t, s, "b"); ok {
		t.Error("insert kept despite rollback")
	}
	_ = s.View(ctx, func(tx booking.Tx) error {
		if tx.Len() != 1 || len(tx.Series("series")) != 1 {
			t.Errorf("after rollback: len %d, series %v", tx.Len(), UIDs(tx.Series("series")))
		}
		if _, ok := tx.BySeat("seat-b"); ok {
			t.Error("seat of a rolled back insert is indexed")
		}
		return nil
	})
	// The id handed out in the failed transaction is reused.
	if id := NextID(t, s); id != 2 {
		t.Errorf("next id after rollback = %d, want 2", id)
	}
}

func testCopiesNotShared(t *testing.T, s booking.Store) {
	b := Sample(1, "a")
	MustPut(t, s, b)
	b.Attendees[0].Name = "changed after put"
	b.Metadata["nested"].(map[string]any)["x"] = 2.0
	got, _ := Get(t, s, "a")
	if got.Attendees[0].Name != "A" || got.Metadata["nested"].(map[string]any)["x"] != 1.0 {
		t.Fatalf("store shares memory with the caller's booking: %+v", got)
	}
	// What an Update hands out is a deep copy. (A View may share memory with the store;
	// its results are read-only by contract, see booking.Tx.)
	_ = s.Update(ctx, func(tx booking.Tx) error { got, _ = tx.Get("a"); return nil })
	got.Attendees[0].SeatMetadata["k"] = "mutated"
	got.Metadata["new"] = true
	again, _ := Get(t, s, "a")
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
	a, b := Sample(1, "a"), Sample(2, "b")
	b.HostID, b.Attendees[0].Email, b.Start, b.End = 2, "b@example.com", t0.Add(time.Hour), t0.Add(2*time.Hour)
	MustPut(t, s, a, b)

	// Move a: new host, new attendee, new start, seat removed, series left.
	a.HostID = 3
	a.Attendees = []booking.Attendee{{Email: "c@example.com"}}
	a.Start, a.End = t0.Add(5*time.Hour), t0.Add(6*time.Hour)
	a.RecurringBookingUID = ""
	MustPut(t, s, a)

	_ = s.View(ctx, func(tx booking.Tx) error {
		if got := Values(tx.Visible(1, "a@example.com")); len(got) != 0 {
			t.Errorf("old organizer/attendee still see a: %v", UIDs(got))
		}
		if got := Values(tx.Visible(3, "")); len(got) != 1 || got[0].UID != "a" {
			t.Errorf("new organizer: %v", UIDs(got))
		}
		if got := Values(tx.Visible(0, "C@example.com")); len(got) != 1 {
			t.Errorf("new attendee (case-insensitive): %v", UIDs(got))
		}
		if got := ByID(Values(tx.Visible(2, "c@example.com"))); len(got) != 2 || got[0].UID != "a" || got[1].UID != "b" {
			t.Errorf("organizer ∪ attendee, by id: %v", UIDs(got))
		}
		if _, ok := tx.BySeat("seat-a"); ok {
			t.Error("removed seat still indexed")
		}
		if got, ok := tx.BySeat("seat-b"); !ok || got.UID != "b" {
			t.Error("seat-b lost")
		}
		if got := tx.Series("series"); len(got) != 1 || got[0].UID != "b" {
			t.Errorf("series: %v", UIDs(got))
		}
		if got := tx.At(7, t0); len(got) != 0 {
			t.Errorf("old slot: %v", UIDs(got))
		}
		if got := tx.At(7, t0.Add(5*time.Hour).In(time.FixedZone("X", 3600))); len(got) != 1 {
			t.Errorf("new slot (other location): %v", UIDs(got))
		}
		if got := tx.At(8, t0.Add(5*time.Hour)); len(got) != 0 {
			t.Errorf("other event type: %v", UIDs(got))
		}
		if got := tx.ForHost(3, t0.Add(5*time.Hour+10*time.Minute), t0.Add(5*time.Hour+20*time.Minute)); len(got) != 1 {
			t.Errorf("ForHost overlap: %v", UIDs(got))
		}
		if got := tx.ForHost(3, t0.Add(6*time.Hour), t0.Add(7*time.Hour)); len(got) != 0 {
			t.Errorf("ForHost touching end is not an overlap: %v", UIDs(got))
		}
		if got := tx.ForHost(1, t0, t0.Add(24*time.Hour)); len(got) != 0 {
			t.Errorf("ForHost of the old organizer: %v", UIDs(got))
		}
		if tx.Len() != 2 {
			t.Errorf("len %d", tx.Len())
		}
		return nil
	})
}

func testPutBumpsNextID(t *testing.T, s booking.Store) {
	MustPut(t, s, Sample(41, "fixture"))
	if id := NextID(t, s); id != 42 {
		t.Errorf("next id = %d, want 42", id)
	}
	MustPut(t, s, Sample(5, "older"))
	if id := NextID(t, s); id != 43 { // 42 was handed out (and committed) above
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
	if id := NextID(t, s); id != 3 {
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
		"Put":    func(tx booking.Tx) { tx.Put(Sample(1, "a")) },
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
	MustPut(t, s, Sample(1, "a"))
	if _, ok := Get(t, s, "a"); !ok {
		t.Error("store unusable after a panicking View")
	}
}

func testPutTwiceInOneTx(t *testing.T, s booking.Store) {
	_ = s.Update(ctx, func(tx booking.Tx) error {
		b := Sample(1, "a")
		tx.Put(b)
		b.HostID, b.Attendees[0].Email, b.Attendees[0].SeatUID = 9, "z@example.com", "seat-z"
		tx.Put(b)
		if tx.Len() != 1 {
			t.Errorf("len %d after putting one uid twice", tx.Len())
		}
		return nil
	})
	_ = s.View(ctx, func(tx booking.Tx) error {
		if got := Values(tx.Visible(1, "a@example.com")); len(got) != 0 {
			t.Errorf("first version still indexed: %v", UIDs(got))
		}
		if got := Values(tx.Visible(9, "z@example.com")); len(got) != 1 {
			t.Errorf("second version: %v", UIDs(got))
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
	MustPut(t, s, Sample(1, "a"))
	_ = s.Update(ctx, func(tx booking.Tx) error {
		b := Sample(2, "b")
		b.HostID = 5
		tx.Put(b)
		a, _ := tx.Get("a")
		a.HostID = 5
		a.Start, a.End = t0.Add(time.Hour), t0.Add(2*time.Hour)
		tx.Put(a)
		if got := tx.ForHost(5, t0, t0.Add(3*time.Hour)); len(got) != 2 {
			t.Errorf("ForHost in tx: %v", UIDs(got))
		}
		if got := tx.ForHost(1, t0, t0.Add(3*time.Hour)); len(got) != 0 {
			t.Errorf("ForHost old host in tx: %v", UIDs(got))
		}
		if got := tx.At(7, t0); len(got) != 1 || got[0].UID != "b" {
			t.Errorf("At in tx: %v", UIDs(got))
		}
		if got, ok := tx.BySeat("seat-b"); !ok || got.UID != "b" {
			t.Error("BySeat in tx")
		}
		if got := Values(tx.Visible(0, "A@EXAMPLE.COM")); len(got) != 2 {
			t.Errorf("Visible in tx: %v", UIDs(got))
		}
		return nil
	})
}

func testSeatMoves(t *testing.T, s booking.Store) {
	a := Sample(1, "a")
	MustPut(t, s, a)
	// The seat moves to another booking (a seated reschedule).
	b := Sample(2, "b")
	b.Attendees[0].SeatUID = "seat-a"
	a.Attendees = nil
	MustPut(t, s, b, a)
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
		b := Sample(10-i, string(rune('a'+i)))
		b.Start = t0.Add(time.Duration(off) * 24 * time.Hour)
		b.End = b.Start.Add(time.Hour)
		bs = append(bs, b)
	}
	MustPut(t, s, bs...)
	_ = s.View(ctx, func(tx booking.Tx) error {
		// By start, then id: d (id 7) and b (id 9) share a start.
		if got := UIDs(tx.Series("series")); len(got) != 4 || got[0] != "d" || got[1] != "b" || got[2] != "c" || got[3] != "a" {
			t.Errorf("series order %v", got)
		}
		if got := tx.Series(""); len(got) != 0 {
			t.Errorf("empty series uid: %v", UIDs(got))
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
		if got := Values(tx.Visible(0, "")); len(got) != 0 {
			t.Errorf("Visible(0, \"\"): %v", UIDs(got))
		}
		if tx.Len() != 0 {
			t.Errorf("len %d", tx.Len())
		}
		return nil
	})
}

// ByID returns bs sorted by id, never nil, for order-insensitive comparisons.
func ByID(bs []booking.Booking) []booking.Booking {
	out := append([]booking.Booking{}, bs...)
	slices.SortFunc(out, func(a, b booking.Booking) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Values dereferences what Visible returns, for comparisons.
func Values(bs []*booking.Booking) []booking.Booking {
	out := make([]booking.Booking, len(bs))
	for i, b := range bs {
		out[i] = *b
	}
	return out
}

// testVisibleOrder: Visible merges the organizer's and the attendee's bookings by start
// (the instant, in any location), then id, in a View and in an Update (with the
// transaction's own writes), and a booking the user both organises and attends comes once.
func testVisibleOrder(t *testing.T, s booking.Store) {
	hosted := Sample(1, "hosted")
	hosted.Start, hosted.End = t0.Add(2*time.Hour), t0.Add(3*time.Hour)
	attended := Sample(2, "attended")
	attended.HostID = 9
	attended.Attendees[0].Email = "Me@Example.com"
	both := Sample(3, "both")
	both.Attendees[0].Email = "me@example.com"
	tie := Sample(0, "tie") // the same instant as both and attended, written in another zone
	tie.Start = tie.Start.In(time.FixedZone("UTC+5", 5*3600))
	early := Sample(4, "early")
	early.Start, early.End = t0.Add(-time.Hour), t0
	MustPut(t, s, hosted, attended, both, tie)
	want := []string{"tie", "attended", "both", "hosted"}
	_ = s.View(ctx, func(tx booking.Tx) error {
		if got := UIDs(Values(tx.Visible(1, "ME@example.com"))); !slices.Equal(got, want) {
			t.Errorf("View: Visible = %v, want %v", got, want)
		}
		return nil
	})
	_ = s.Update(ctx, func(tx booking.Tx) error {
		tx.Put(early)
		if got := UIDs(Values(tx.Visible(1, "me@example.com"))); !slices.Equal(got, append([]string{"early"}, want...)) {
			t.Errorf("Update with a write: Visible = %v, want early first, then %v", got, want)
		}
		return errors.New("roll back")
	})
}

// testAll: All lists every booking by start then id, with the transaction's own writes
// (a rewritten booking once, in its new version), whoever hosts or attends them.
func testAll(t *testing.T, s booking.Store) {
	late, early, other := Sample(1, "late"), Sample(2, "early"), Sample(3, "other")
	late.Start, late.End = t0.Add(time.Hour), t0.Add(2*time.Hour)
	other.HostID, other.Attendees[0].Email = 0, "z@example.com" // an instant booking waiting for a host
	MustPut(t, s, late, early, other)
	err := s.Update(ctx, func(tx booking.Tx) error {
		moved := Sample(2, "early")
		moved.Start, moved.End = t0.Add(3*time.Hour), t0.Add(4*time.Hour)
		tx.Put(moved)
		tx.Put(Sample(4, "new"))
		if got, want := UIDs(tx.All()), []string{"other", "new", "late", "early"}; !slices.Equal(got, want) {
			t.Errorf("All in an Update = %v, want %v", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.View(ctx, func(tx booking.Tx) error {
		if got, want := UIDs(tx.All()), []string{"other", "new", "late", "early"}; !slices.Equal(got, want) {
			t.Errorf("All in a View = %v, want %v", got, want)
		}
		return nil
	})
}
