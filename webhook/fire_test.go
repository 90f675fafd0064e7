package webhook

import (
	"slices"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
)

var t0 = time.Date(2030, 3, 4, 9, 30, 0, 0, time.UTC)

func sampleBooking() booking.Booking {
	desc := "Bring the slides"
	return booking.Booking{
		ID: 41, UID: "bk41", Title: "Intro between Ada and Grace", Description: &desc,
		EventTypeID: 7, HostID: 1, Status: booking.StatusAccepted,
		Start: t0, End: t0.Add(30 * time.Minute),
		Attendees: []booking.Attendee{
			{Name: "Grace Hopper", Email: "grace@example.com", TimeZone: "America/New_York", Language: "en"},
			{Name: "Alan Turing", Email: "alan@example.com", TimeZone: "Europe/London"},
		},
		Guests:       []string{"alan@example.com"},
		Location:     "integrations:daily",
		LocationType: "integrations:daily",
		Metadata:     map[string]any{"crm": "42"},
		ICSUID:       "bk41@Cal.com",
		CreatedAt:    t0.Add(-24 * time.Hour),
		UpdatedAt:    t0.Add(-24 * time.Hour),
	}
}

func with(b booking.Booking, f func(*booking.Booking)) booking.Booking {
	b = b.Clone()
	f(&b)
	return b
}

func ptr[T any](v T) *T { return &v }

func triggersOf(evs []Event) []Trigger {
	var out []Trigger
	for _, e := range evs {
		out = append(out, e.Trigger)
	}
	return out
}

func TestFire_TriggersPerTransition(t *testing.T) {
	acc := sampleBooking()
	pending := with(acc, func(b *booking.Booking) { b.Status = booking.StatusPending })
	cancelled := with(acc, func(b *booking.Booking) { b.Status = booking.StatusCancelled })
	rejected := with(acc, func(b *booking.Booking) { b.Status = booking.StatusRejected })
	moved := with(acc, func(b *booking.Booking) { b.UID, b.ID = "bk42", 42 })
	movedPending := with(moved, func(b *booking.Booking) { b.Status = booking.StatusPending })
	instant := with(acc, func(b *booking.Booking) { b.Status = booking.StatusAwaitingHost; b.HostID = 0 })
	absentHost := with(acc, func(b *booking.Booking) { b.AbsentHost = true })

	tests := []struct {
		name string
		tr   Transition
		want []Trigger
	}{
		{"create accepted", Transition{Action: booking.ActionCreate, After: acc}, []Trigger{BookingCreated}},
		{"create pending", Transition{Action: booking.ActionCreate, After: pending}, []Trigger{BookingRequested}},
		{"create instant", Transition{Action: booking.ActionCreate, After: instant}, []Trigger{InstantMeeting}},
		{"confirm", Transition{Action: booking.ActionConfirm, Before: &pending, After: acc}, []Trigger{BookingCreated}},
		{"decline", Transition{Action: booking.ActionDecline, Before: &pending, After: rejected}, []Trigger{BookingRejected}},
		{"cancel", Transition{Action: booking.ActionCancel, Before: &acc, After: cancelled}, []Trigger{BookingCancelled}},
		{"cancel of a cancelled booking", Transition{Action: booking.ActionCancel, Before: &cancelled, After: cancelled}, nil},
		{"reschedule accepted", Transition{Action: booking.ActionReschedule, Before: &cancelled, After: moved}, []Trigger{BookingRescheduled}},
		{"reschedule pending", Transition{Action: booking.ActionReschedule, Before: &cancelled, After: movedPending}, []Trigger{BookingRequested}},
		{"mark absent host only", Transition{Action: booking.ActionMarkAbsent, Before: &acc, After: absentHost}, nil},
		{"mark absent attendees", Transition{Action: booking.ActionMarkAbsent, Before: &acc, After: acc,
			NoShow: []booking.AbsentAttendee{{Email: "grace@example.com", Absent: true}}}, []Trigger{BookingNoShowUpdated}},
		{"reassign", Transition{Action: booking.ActionReassign, Before: &acc, After: with(acc, func(b *booking.Booking) { b.HostID = 2 })}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := triggersOf(Fire(tt.tr)); !slices.Equal(got, tt.want) {
				t.Errorf("Fire = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFire_Seats(t *testing.T) {
	one := with(sampleBooking(), func(b *booking.Booking) {
		b.Attendees = []booking.Attendee{{Name: "A", Email: "a@x.test", SeatUID: "s1"}, {Name: "B", Email: "b@x.test", SeatUID: "s2"}}
	})
	// A second seat taken in an existing booking fires BOOKING_CREATED.
	joined := with(one, func(b *booking.Booking) {
		b.Attendees = append(b.Attendees, booking.Attendee{Name: "C", Email: "c@x.test", SeatUID: "s3"})
	})
	if evs := Fire(Transition{Action: booking.ActionCreate, Before: &one, After: joined}); len(evs) != 1 || evs[0].Trigger != BookingCreated ||
		evs[0].SeatUID != "s3" || len(evs[0].Booking.Attendees) != 3 {
		t.Errorf("new seat: %+v", evs)
	}
	// One seat cancelled: BOOKING_CANCELLED listing only that attendee.
	left := with(one, func(b *booking.Booking) { b.Attendees = b.Attendees[1:] })
	evs := Fire(Transition{Action: booking.ActionCancel, Before: &one, After: left})
	if len(evs) != 1 || evs[0].Trigger != BookingCancelled || len(evs[0].Booking.Attendees) != 1 || evs[0].Booking.Attendees[0].SeatUID != "s1" {
		t.Fatalf("seat cancel: %+v", evs)
	}
	// The whole seated booking cancelled: the Service empties the attendees; the payload
	// lists those the booking had.
	gone := with(one, func(b *booking.Booking) { b.Status = booking.StatusCancelled; b.Attendees = []booking.Attendee{} })
	evs = Fire(Transition{Action: booking.ActionCancel, Before: &one, After: gone})
	if len(evs) != 1 || len(evs[0].Booking.Attendees) != 2 {
		t.Fatalf("seated cancel: %+v", evs)
	}
}

func TestFire_NoShowKeepsKnownAttendeesInRequestOrder(t *testing.T) {
	b := sampleBooking()
	evs := Fire(Transition{Action: booking.ActionMarkAbsent, Before: &b, After: b, NoShow: []booking.AbsentAttendee{
		{Email: "alan@example.com", Absent: false}, {Email: "nobody@example.com", Absent: true}, {Email: "grace@example.com", Absent: true},
	}})
	want := []NoShowAttendee{{"alan@example.com", false}, {"grace@example.com", true}}
	if len(evs) != 1 || !slices.Equal(evs[0].NoShow, want) {
		t.Fatalf("no-show = %+v, want %+v", evs, want)
	}
}

func TestRecipients(t *testing.T) {
	all := []Trigger{BookingCreated, BookingCancelled}
	subs := []Subscription{
		{ID: "u1", UserID: 1, SubscriberURL: "http://127.0.0.1/u1", Active: true, Triggers: all},
		{ID: "u1-off", UserID: 1, SubscriberURL: "http://127.0.0.1/off", Active: false, Triggers: all},
		{ID: "u1-cancel", UserID: 1, SubscriberURL: "http://127.0.0.1/c", Active: true, Triggers: []Trigger{BookingCancelled}},
		{ID: "u2", UserID: 2, SubscriberURL: "http://127.0.0.1/u2", Active: true, Triggers: all},
		{ID: "et7", EventTypeID: 7, SubscriberURL: "http://127.0.0.1/et7", Active: true, Triggers: all},
		{ID: "et8", EventTypeID: 8, SubscriberURL: "http://127.0.0.1/et8", Active: true, Triggers: all},
	}
	ev := Event{Trigger: BookingCreated, Booking: sampleBooking()}
	var ids []string
	for _, s := range Recipients(ev, booking.EventType{ID: 7, OwnerID: 1}, subs) {
		ids = append(ids, s.ID)
	}
	if want := []string{"u1", "et7"}; !slices.Equal(ids, want) {
		t.Errorf("created: %v, want %v", ids, want)
	}
	// No-show: the event type's owner, not the organizer; a team event type has none.
	ev = Event{Trigger: BookingNoShowUpdated, Booking: sampleBooking()}
	subs = append(subs, Subscription{ID: "u1-ns", UserID: 1, Active: true, Triggers: []Trigger{BookingNoShowUpdated}},
		Subscription{ID: "et7-ns", EventTypeID: 7, Active: true, Triggers: []Trigger{BookingNoShowUpdated}})
	ids = nil
	for _, s := range Recipients(ev, booking.EventType{ID: 7, TeamID: 3}, subs) {
		ids = append(ids, s.ID)
	}
	if want := []string{"et7-ns"}; !slices.Equal(ids, want) {
		t.Errorf("no-show on a team event type: %v, want %v", ids, want)
	}
}
