package booking_test

import (
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
)

// The rules cal-api-version 2026-02-25 adds (changes-2026 §2.1): the create overrides a host
// may send, cancelled seated bookings shown with their attendees to privileged callers, and
// request-reschedule.

var allOverrides = booking.CreateOverrides{AllowConflicts: true, AllowBookingOutOfBounds: true, SkipBookingLimits: true}

func TestCreateOverrides_OnlyForHostsOfTheEventType(t *testing.T) {
	cat := testCatalog()
	plain, _ := cat.EventTypeByID(etPlain)
	rr, _ := cat.EventTypeByID(etRoundRobin)
	tests := []struct {
		name   string
		caller *booking.User
		et     booking.EventType
		want   booking.CreateOverrides
	}{
		{"owner of a personal event type", &alice, plain, allOverrides},
		{"host of a team event type", &carol, rr, allOverrides},
		{"anonymous", nil, plain, booking.CreateOverrides{}},
		{"authenticated, not a host", &bob, plain, booking.CreateOverrides{}},
		{"owner of another event type", &alice, rr, booking.CreateOverrides{}},
		{"a user without id", &booking.User{}, rr, booking.CreateOverrides{}},
	}
	for _, tt := range tests {
		if got := allOverrides.For(tt.caller, tt.et); got != tt.want {
			t.Errorf("%s: For = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestService_CreateOverrides(t *testing.T) {
	e := mustEnv(t)
	start := t0.Add(24 * time.Hour)
	e.mustCreate(t, etPlain, start, guest("First", "first@example.com"))
	conflict := booking.CreateInput{EventTypeID: etPlain, Start: start.Add(15 * time.Minute), Attendee: guest("B", "b@example.com"),
		Overrides: booking.CreateOverrides{AllowConflicts: true}}
	past := booking.CreateInput{EventTypeID: etPlain, Start: t0.Add(-2 * time.Hour), Attendee: guest("P", "p@example.com"),
		Overrides: booking.CreateOverrides{AllowBookingOutOfBounds: true}}

	// Anyone but a host: silently ignored, the rules apply.
	for _, caller := range []*booking.User{nil, &bob} {
		_, err := e.svc.Create(ctx, caller, conflict)
		checkErr(t, err, booking.EINVALID, booking.OriginAPI, "User either already has booking at this time or is not available")
		_, err = e.svc.Create(ctx, caller, past)
		checkErr(t, err, booking.EINVALID, booking.OriginAPI, "Attempting to book a meeting in the past.")
	}
	// The switch the host did not send still applies.
	_, err := e.svc.Create(ctx, &alice, booking.CreateInput{EventTypeID: etPlain, Start: start, Attendee: guest("X", "x@example.com"),
		Overrides: booking.CreateOverrides{AllowBookingOutOfBounds: true, SkipBookingLimits: true}})
	checkErr(t, err, booking.EINVALID, booking.OriginAPI, "User either already has booking at this time or is not available")

	// The host: booked over the conflict, and in the past.
	r, err := e.svc.Create(ctx, &alice, conflict)
	if err != nil || r.Bookings[0].HostID != alice.ID || !r.Bookings[0].Start.Equal(start.Add(15*time.Minute)) {
		t.Fatalf("host with allowConflicts: %+v %v", r, err)
	}
	r, err = e.svc.Create(ctx, &alice, past)
	if err != nil || !r.Bookings[0].Start.Equal(t0.Add(-2*time.Hour)) {
		t.Fatalf("host with allowBookingOutOfBounds: %+v %v", r, err)
	}

	// Team event types: a host of the round robin may double-book it; the first host
	// organises, as when everyone is free.
	rrStart := start.Add(5 * time.Hour)
	e.mustCreate(t, etRoundRobin, rrStart, guest("R1", "r1@example.com"))
	e.mustCreate(t, etRoundRobin, rrStart, guest("R2", "r2@example.com"))
	rrIn := booking.CreateInput{EventTypeID: etRoundRobin, Start: rrStart, Attendee: guest("R3", "r3@example.com"), Overrides: allOverrides}
	_, err = e.svc.Create(ctx, &alice, rrIn)
	checkErr(t, err, booking.EINVALID, booking.OriginAPI, "One of the hosts either already has booking at this time or is not available")
	r, err = e.svc.Create(ctx, &dave, rrIn)
	if err != nil || r.Bookings[0].HostID != carol.ID {
		t.Fatalf("round-robin host with allowConflicts: %+v %v", r, err)
	}
}

func TestService_KeepCancelledSeats(t *testing.T) {
	e := mustEnv(t)
	start := t0.Add(24 * time.Hour)
	// etSeatsHidden: only the organizer and hosts see the attendees.
	s1 := e.mustCreate(t, etSeatsHidden, start, guest("S1", "s1@example.com"))
	e.mustCreate(t, etSeatsHidden, start, guest("S2", "s2@example.com"))
	uid := s1.Bookings[0].UID
	c, err := e.svc.Cancel(ctx, &alice, uid, booking.CancelInput{Reason: "closed"})
	if err != nil {
		t.Fatal(err)
	}
	// 2024-08-13: no attendees for anyone, the host included.
	if n := len(c.Bookings[0].Attendees); n != 0 {
		t.Fatalf("cancel answered %d attendees", n)
	}
	for _, tt := range []struct {
		name   string
		caller *booking.User
		want   []string
	}{
		{"organizer", &alice, []string{"s1@example.com", "s2@example.com"}},
		{"stranger", &bob, nil},
		{"anonymous", nil, nil},
	} {
		res, err := e.svc.Get(ctx, tt.caller, uid)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(res.Bookings[0].Attendees); n != 0 {
			t.Errorf("%s: 2024-08-13 view has %d attendees", tt.name, n)
		}
		got := e.svc.KeepCancelledSeats(tt.caller, res).Bookings[0].Attendees
		if len(got) != len(tt.want) {
			t.Fatalf("%s: 2026-02-25 view has %+v, want %v", tt.name, got, tt.want)
		}
		for i, a := range got {
			if a.Email != tt.want[i] || a.SeatUID == "" {
				t.Errorf("%s: attendee %d = %+v, want %s with its seat", tt.name, i, a, tt.want[i])
			}
		}
	}
	// The former attendees do not find the cancelled booking through the attendee index.
	if res, err := e.svc.Get(ctx, &booking.User{ID: 99, Email: "s1@example.com"}, uid); err != nil || len(e.svc.KeepCancelledSeats(&booking.User{ID: 99, Email: "s1@example.com"}, res).Bookings[0].Attendees) != 0 {
		t.Errorf("a former attendee sees the seats: %+v %v", res, err)
	}

	// A booking that is not cancelled is left as it is; so is a seated booking whose last
	// seat was cancelled (its attendee is gone, in 2026-02-25 too).
	open := e.mustCreate(t, etSeatsHidden, start.Add(2*time.Hour), guest("O", "o@example.com"))
	res, _ := e.svc.Get(ctx, &alice, open.Bookings[0].UID)
	if got := e.svc.KeepCancelledSeats(&alice, res).Bookings[0].Attendees; len(got) != 1 {
		t.Errorf("open seated booking: %+v", got)
	}
	if _, err := e.svc.Cancel(ctx, nil, open.Bookings[0].UID, booking.CancelInput{SeatUID: open.SeatUID}); err != nil {
		t.Fatal(err)
	}
	res, _ = e.svc.Get(ctx, &alice, open.Bookings[0].UID)
	if got := e.svc.KeepCancelledSeats(&alice, res).Bookings[0]; got.Status != booking.StatusCancelled || len(got.Attendees) != 0 {
		t.Errorf("last seat cancelled: %+v", got)
	}
}

func TestService_RequestReschedule(t *testing.T) {
	e := mustEnv(t)
	b := e.mustCreate(t, etPlain, t0.Add(24*time.Hour), guest("A", "a@example.com")).Bookings[0]

	err := e.svc.RequestReschedule(ctx, alice, "nope", "")
	checkErr(t, err, booking.ENOTFOUND, booking.OriginAPI, "Booking with uid=nope was not found in the database")
	err = e.svc.RequestReschedule(ctx, bob, b.UID, "")
	checkErr(t, err, booking.EFORBIDDEN, booking.OriginTRPC, "User isn't owner of the current booking")
	if got := e.mustGet(t, b.UID); got.Status != booking.StatusAccepted {
		t.Fatalf("refused request changed the booking: %s", got.Status)
	}

	e.setNow(t0.Add(time.Hour))
	if err := e.svc.RequestReschedule(ctx, alice, b.UID, "please pick another day"); err != nil {
		t.Fatal(err)
	}
	got := e.mustGet(t, b.UID)
	if got.Status != booking.StatusCancelled || !got.Rescheduled || got.CancellationReason == nil || *got.CancellationReason != "please pick another day" ||
		got.CancelledByEmail == nil || *got.CancelledByEmail != alice.Email || !got.UpdatedAt.Equal(t0.Add(time.Hour)) || got.RescheduledToUID != "" {
		t.Fatalf("after request-reschedule: %+v", got)
	}
	err = e.svc.RequestReschedule(ctx, alice, b.UID, "")
	checkErr(t, err, booking.EINVALID, booking.OriginTRPC, "Cannot request reschedule for cancelled or rejected booking")
	// The slot is free again.
	e.mustCreate(t, etPlain, t0.Add(24*time.Hour), guest("B", "b@example.com"))

	// No reason: cancellationReason stays null.
	nr := e.mustCreate(t, etPlain, t0.Add(30*time.Hour), guest("C", "c@example.com")).Bookings[0]
	if err := e.svc.RequestReschedule(ctx, alice, nr.UID, ""); err != nil {
		t.Fatal(err)
	}
	if got := e.mustGet(t, nr.UID); got.CancellationReason != nil {
		t.Errorf("empty reason stored %q", *got.CancellationReason)
	}

	// A team booking: only its organizer; another host of the team is refused.
	rr := e.mustCreate(t, etRoundRobin, t0.Add(48*time.Hour), guest("R", "r@example.com")).Bookings[0]
	err = e.svc.RequestReschedule(ctx, dave, rr.UID, "")
	checkErr(t, err, booking.EFORBIDDEN, booking.OriginTRPC, "User does not have permission to request reschedule for this booking")
	if err := e.svc.RequestReschedule(ctx, carol, rr.UID, ""); err != nil {
		t.Fatalf("organizer of a team booking: %v", err)
	}

	// A seated booking keeps its seats for 2026-02-25's privileged view only.
	s := e.mustCreate(t, etSeatsHidden, t0.Add(72*time.Hour), guest("S", "s@example.com"))
	if err := e.svc.RequestReschedule(ctx, alice, s.Bookings[0].UID, ""); err != nil {
		t.Fatal(err)
	}
	res, _ := e.svc.Get(ctx, &alice, s.Bookings[0].UID)
	if len(res.Bookings[0].Attendees) != 0 || len(e.svc.KeepCancelledSeats(&alice, res).Bookings[0].Attendees) != 1 {
		t.Errorf("seated: %+v", res.Bookings[0])
	}
}
