package booking_test

import (
	"testing"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/booking/memstore"
)

// TestService_FreshUIDsAfterRestart: a durable store outlives the seeded generator, whose
// sequence starts over with the process. A second service with the same seed over the same
// store must not reuse the uids the first one handed out.
func TestService_FreshUIDsAfterRestart(t *testing.T) {
	store := memstore.New()
	first := &env{store: store, now: t0}
	first.svc = booking.NewService(store, testCatalog(), booking.ClockFunc(first.Now), booking.NewSeededIDs(7))
	a := first.mustCreate(t, etPlain, t0.AddDate(0, 0, 2), guest("A", "a@example.com")).Bookings[0]

	restarted := &env{store: store, now: t0}
	restarted.svc = booking.NewService(store, testCatalog(), booking.ClockFunc(restarted.Now), booking.NewSeededIDs(7))
	b := restarted.mustCreate(t, etPlain, t0.AddDate(0, 0, 3), guest("B", "b@example.com")).Bookings[0]
	if a.UID == b.UID || a.ID == b.ID {
		t.Fatalf("restart reused an identifier: %s/%d and %s/%d", a.UID, a.ID, b.UID, b.ID)
	}
	if got := restarted.mustGet(t, a.UID); got.Attendees[0].Email != "a@example.com" {
		t.Fatalf("first booking overwritten: %+v", got)
	}
}
