package booking_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
)

// direct is a valid booking of the plain event type, as a test would put it.
func direct(uid string, status booking.Status, start time.Time) booking.Booking {
	return booking.Booking{UID: uid, Title: "Direct", EventTypeID: etPlain, HostID: alice.ID, Status: status,
		Start: start, End: start.Add(30 * time.Minute),
		Attendees: []booking.Attendee{{Name: "Gina", Email: "gina@example.com", TimeZone: "Europe/Rome"}}}
}

// TestPutBooking_CancelledLastWeek: a booking put directly is stored as given, numbered and
// dated by the mock, and the operations treat it as any other (a cancelled one cannot be
// cancelled again); a replacement keeps its id and createdAt.
func TestPutBooking_CancelledLastWeek(t *testing.T) {
	e := mustEnv(t)
	lastWeek := t0.AddDate(0, 0, -7)
	b := direct("last-week", booking.StatusCancelled, lastWeek)
	reason := "ill"
	b.CancellationReason = &reason
	got, created, err := e.svc.PutBooking(ctx, b)
	if err != nil || !created {
		t.Fatalf("PutBooking = %v, created %v", err, created)
	}
	if got.ID != 1 || !got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(t0) || got.Status != booking.StatusCancelled || !got.Start.Equal(lastWeek) {
		t.Errorf("stored %+v: want id 1, createdAt/updatedAt now, cancelled, last week", got)
	}
	if stored := e.mustGet(t, "last-week"); *stored.CancellationReason != "ill" {
		t.Errorf("Get: %+v", stored)
	}
	if _, err := e.svc.Cancel(ctx, &alice, "last-week", booking.CancelInput{}); err == nil {
		t.Error("cancelling a booking put as cancelled succeeded")
	}

	e.setNow(t0.Add(time.Hour))
	b.Status, b.Start, b.End = booking.StatusAccepted, t0.AddDate(0, 0, 7), t0.AddDate(0, 0, 7).Add(time.Hour)
	b.CancellationReason = nil
	got, created, err = e.svc.PutBooking(ctx, b)
	if err != nil || created || got.ID != 1 || !got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("replacement: %v, created %v, %+v; want id 1 and createdAt kept, updatedAt now", err, created, got)
	}
	if _, err := e.svc.Cancel(ctx, &alice, "last-week", booking.CancelInput{Reason: "moved"}); err != nil {
		t.Errorf("cancelling the accepted replacement: %v", err)
	}
}

// TestPutBooking_RefusedStoresNothing: a booking breaking an invariant is an EINVALID error
// and the store is unchanged.
func TestPutBooking_RefusedStoresNothing(t *testing.T) {
	e := mustEnv(t)
	b := direct("bad", booking.StatusAccepted, t0)
	b.EventTypeID = 999
	_, _, err := e.svc.PutBooking(ctx, b)
	var de *booking.Error
	if !errors.As(err, &de) || de.Code != booking.EINVALID || !strings.Contains(de.Message, "eventTypeId: 999 is not an event type") {
		t.Fatalf("err = %v", err)
	}
	if all, _ := e.svc.AllBookings(ctx); len(all) != 0 {
		t.Errorf("store holds %d bookings after a refused put", len(all))
	}
}

// TestCheckBooking: every invariant, each refusal naming its field, against a store holding
// a seated slot, a series and another booking.
func TestCheckBooking(t *testing.T) {
	e := mustEnv(t)
	seatedAt := t0.Add(48 * time.Hour)
	seated := e.mustCreate(t, etSeated, seatedAt, guest("Sam", "sam@example.com"))
	heldSeat := seated.SeatUID
	series := e.mustCreate(t, etRecurring, t0.Add(72*time.Hour), guest("Rex", "rex@example.com"))
	seriesUID := series.Bookings[0].RecurringBookingUID
	other := e.mustCreate(t, etPlain, t0.Add(24*time.Hour), guest("Olga", "olga@example.com")).Bookings[0]

	seat := func(b *booking.Booking, seats ...string) {
		b.EventTypeID, b.End = etSeated, b.Start.Add(time.Hour)
		b.Attendees = nil
		for _, s := range seats {
			b.Attendees = append(b.Attendees, booking.Attendee{Name: "S", Email: s + "@example.com", TimeZone: "UTC", SeatUID: s})
		}
	}
	cases := []struct {
		name   string
		change func(*booking.Booking)
		want   string // "" = valid
	}{
		{"valid", func(*booking.Booking) {}, ""},
		{"cancelled without attendees", func(b *booking.Booking) { b.Status, b.Attendees = booking.StatusCancelled, nil }, ""},
		{"awaiting host", func(b *booking.Booking) {
			b.EventTypeID, b.HostID, b.Status = etRoundRobin, 0, booking.StatusAwaitingHost
		}, ""},
		{"team host", func(b *booking.Booking) { b.EventTypeID, b.HostID = etRoundRobin, carol.ID }, ""},
		{"seated", func(b *booking.Booking) { seat(b, "s1", "s2") }, ""},
		{"replaces itself", func(b *booking.Booking) { *b = other; b.ID = 0 }, ""},
		{"keeps its id", func(b *booking.Booking) { *b = other }, ""},
		{"occurrence of a series", func(b *booking.Booking) { *b = series.Bookings[1]; b.ID = 0 }, ""},
		{"no uid", func(b *booking.Booking) { b.UID = "" }, "uid: required"},
		{"uid with slash", func(b *booking.Booking) { b.UID = "a/b" }, "uid: \"a/b\" cannot be used in a path"},
		{"new with id", func(b *booking.Booking) { b.ID = 77 }, "id: leave it out"},
		{"other id", func(b *booking.Booking) { *b = other; b.ID = other.ID + 5 }, "is not the stored booking's id"},
		{"status", func(b *booking.Booking) { b.Status = "done" }, `status: "done" is not a status`},
		{"no start", func(b *booking.Booking) { b.Start = time.Time{} }, "start: required"},
		{"end before start", func(b *booking.Booking) { b.End = b.Start }, "end: "},
		{"event type", func(b *booking.Booking) { b.EventTypeID = 999 }, "eventTypeId: 999 is not an event type"},
		{"host not a user", func(b *booking.Booking) { b.HostID = 99 }, "hostId: 99 is not a user"},
		{"no host", func(b *booking.Booking) { b.HostID = 0 }, "hostId: 0 is not a user"},
		{"host not the owner", func(b *booking.Booking) { b.HostID = bob.ID }, "hostId: user 2 cannot host event type 100"},
		{"host not a team host", func(b *booking.Booking) { b.EventTypeID = etRoundRobin }, "hostId: user 1 cannot host event type 104"},
		{"no attendee", func(b *booking.Booking) { b.Attendees = nil }, "attendees: at least one attendee"},
		{"attendee email", func(b *booking.Booking) {
			b.Attendees = append(b.Attendees, booking.Attendee{TimeZone: "UTC"})
		}, "attendees[1].email: required"},
		{"booker name", func(b *booking.Booking) { b.Attendees[0].Name = "" }, "attendees[0].name: required"},
		{"time zone", func(b *booking.Booking) { b.Attendees[0].TimeZone = "Mars/Base" }, `attendees[0].timeZone: "Mars/Base" is not an IANA zone`},
		{"seat missing", func(b *booking.Booking) { seat(b, "s1"); b.Attendees[0].SeatUID = "" }, "attendees[0].seatUid: required: event type 102 is seated"},
		{"seat not seated", func(b *booking.Booking) { b.Attendees[0].SeatUID = "s1" }, "attendees[0].seatUid: only for seated"},
		{"seat twice", func(b *booking.Booking) { seat(b, "s1", "s1") }, `attendees[1].seatUid: "s1" is also attendees[0]'s`},
		{"seat held", func(b *booking.Booking) { seat(b, heldSeat) }, `attendees[0].seatUid: "` + heldSeat + `" is held by booking "` + seated.Bookings[0].UID + `"`},
		{"too many seats", func(b *booking.Booking) { seat(b, "s1", "s2", "s3") }, "attendees: 3 attendees exceed event type 102's 2 seats"},
		{"seated slot taken", func(b *booking.Booking) { b.Start = seatedAt; seat(b, "s1") }, `start: booking "` + seated.Bookings[0].UID + `" already holds the seated slot`},
		{"series of a plain type", func(b *booking.Booking) { b.RecurringBookingUID = "s" }, "recurringBookingUid: set, but event type 100 is not recurring"},
		{"series full", func(b *booking.Booking) { b.EventTypeID, b.RecurringBookingUID = etRecurring, seriesUID }, "would have 4 occurrences"},
		{"reschedule link", func(b *booking.Booking) { b.RescheduledFromUID = "ghost" }, `rescheduledFromUid: "ghost" is not a booking`},
		{"reschedule self", func(b *booking.Booking) { b.RescheduledToUID = b.UID }, "rescheduledToUid: a booking cannot be rescheduled from or to itself"},
		{"reschedule to other", func(b *booking.Booking) { b.RescheduledToUID = other.UID }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := direct("new-one", booking.StatusAccepted, t0.Add(96*time.Hour))
			c.change(&b)
			var err error
			_ = e.store.View(ctx, func(tx booking.Tx) error { err = booking.CheckBooking(&b, testCatalog(), tx); return nil })
			switch {
			case c.want == "" && err != nil:
				t.Errorf("valid booking refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(booking.ErrorMessage(err), c.want) || booking.ErrorCode(err) != booking.EINVALID):
				t.Errorf("err = %v, want EINVALID containing %q", err, c.want)
			}
		})
	}
}

// TestCheckBooking_SeriesOfAnotherType: an occurrence joining a series must be of the
// series' event type.
func TestCheckBooking_SeriesOfAnotherType(t *testing.T) {
	e := mustEnv(t)
	cat := booking.NewStaticCatalog([]booking.User{alice}, nil, []booking.EventType{
		{ID: 1, Slug: "a", Title: "A", LengthInMinutes: 30, OwnerID: alice.ID, Recurrence: &booking.Recurrence{Frequency: booking.FrequencyWeekly, Interval: 1, Count: 5}},
		{ID: 2, Slug: "b", Title: "B", LengthInMinutes: 30, OwnerID: alice.ID, Recurrence: &booking.Recurrence{Frequency: booking.FrequencyWeekly, Interval: 1, Count: 5}},
	})
	first := direct("first", booking.StatusAccepted, t0)
	first.ID, first.EventTypeID, first.RecurringBookingUID = 1, 1, "ser"
	if err := e.store.Update(ctx, func(tx booking.Tx) error { tx.Put(first); return nil }); err != nil {
		t.Fatal(err)
	}
	b := direct("second", booking.StatusAccepted, t0.AddDate(0, 0, 7))
	b.EventTypeID, b.RecurringBookingUID = 2, "ser"
	var err error
	_ = e.store.View(ctx, func(tx booking.Tx) error { err = booking.CheckBooking(&b, cat, tx); return nil })
	if want := `recurringBookingUid: series "ser" is of event type 1 (occurrence "first"), not 2`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want %q", err, want)
	}
}

// TestAllBookings: every booking, whoever hosts or attends it, by start.
func TestAllBookings(t *testing.T) {
	e := mustEnv(t)
	late := e.mustCreate(t, etPlain, t0.Add(48*time.Hour), guest("A", "a@example.com")).Bookings[0]
	early := e.mustCreate(t, etRoundRobin, t0.Add(24*time.Hour), guest("B", "b@example.com")).Bookings[0]
	all, err := e.svc.AllBookings(ctx)
	if err != nil || len(all) != 2 || all[0].UID != early.UID || all[1].UID != late.UID {
		t.Fatalf("AllBookings = %v, %v", uids(all), err)
	}
	all[0].Attendees[0].Email = "changed"
	if b, err := e.svc.BookingByUID(ctx, early.UID); err != nil || b.Attendees[0].Email != "b@example.com" {
		t.Errorf("BookingByUID after changing AllBookings' result: %v, %v", b.Attendees, err)
	}
	if _, err := e.svc.BookingByUID(ctx, "nope"); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Errorf("BookingByUID(nope) = %v, want ENOTFOUND", err)
	}
}
