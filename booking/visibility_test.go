package booking_test

import (
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
)

// attendeeEmails lists the emails of the attendees a result shows, in order.
func attendeeEmails(r booking.Result) []string {
	var out []string
	for _, b := range r.Bookings {
		for _, a := range b.Attendees {
			out = append(out, a.Email)
		}
	}
	return out
}

func checkEmails(t *testing.T, what string, r booking.Result, err error, want ...string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	got := attendeeEmails(r)
	if len(got) != len(want) {
		t.Fatalf("%s: attendees %v, want %v", what, got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: attendees %v, want %v", what, got, want)
		}
	}
}

// A seated booking whose event type hides its attendees shows them to its organizer only;
// get-by-seat shows anyone else the seat's own attendee. The store keeps every attendee.
func TestService_SeatedAttendeesHidden(t *testing.T) {
	e := mustEnv(t)
	start := t0.Add(24 * time.Hour)
	s1 := e.mustCreate(t, etSeatsHidden, start, guest("S1", "s1@example.com"))
	checkEmails(t, "anonymous create", s1, nil)
	r, err := e.svc.Create(ctx, &alice, booking.CreateInput{EventTypeID: etSeatsHidden, Start: start, Attendee: guest("S2", "s2@example.com")})
	checkEmails(t, "organizer create", r, err, "s1@example.com", "s2@example.com")
	uid := s1.Bookings[0].UID

	r, err = e.svc.Get(ctx, nil, uid)
	checkEmails(t, "anonymous get", r, err)
	r, err = e.svc.Get(ctx, &bob, uid)
	checkEmails(t, "stranger get", r, err)
	r, err = e.svc.Get(ctx, &alice, uid)
	checkEmails(t, "organizer get", r, err, "s1@example.com", "s2@example.com")

	r, err = e.svc.GetBySeat(ctx, nil, s1.SeatUID)
	checkEmails(t, "anonymous get by seat", r, err, "s1@example.com")
	r, err = e.svc.GetBySeat(ctx, &bob, s1.SeatUID)
	checkEmails(t, "stranger get by seat", r, err, "s1@example.com")
	r, err = e.svc.GetBySeat(ctx, &alice, s1.SeatUID)
	checkEmails(t, "organizer get by seat", r, err, "s1@example.com", "s2@example.com")

	r, err = e.svc.Cancel(ctx, nil, uid, booking.CancelInput{SeatUID: s1.SeatUID})
	checkEmails(t, "anonymous seat cancel", r, err)
	r, err = e.svc.Get(ctx, &alice, uid)
	checkEmails(t, "organizer get after cancel", r, err, "s2@example.com")
}

// When the event type shows its attendees, everyone sees them all.
func TestService_SeatedAttendeesShown(t *testing.T) {
	e := mustEnv(t)
	start := t0.Add(24 * time.Hour)
	s1 := e.mustCreate(t, etSeated, start, guest("S1", "s1@example.com"))
	s2 := e.mustCreate(t, etSeated, start, guest("S2", "s2@example.com"))
	checkEmails(t, "anonymous create", s2, nil, "s1@example.com", "s2@example.com")
	r, err := e.svc.Get(ctx, &bob, s1.Bookings[0].UID)
	checkEmails(t, "stranger get", r, err, "s1@example.com", "s2@example.com")
	r, err = e.svc.GetBySeat(ctx, nil, s1.SeatUID)
	checkEmails(t, "anonymous get by seat", r, err, "s1@example.com", "s2@example.com")
}

// PastBookingUID picks the latest started booking that is accepted, organised by the user,
// not recurring and not seated; a later booking of each excluded kind must not win.
func TestService_PastBookingUID(t *testing.T) {
	e := mustEnv(t)
	hour := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	first := e.mustCreate(t, etPlain, hour(24), guest("A", "a@example.com")).Bookings[0]
	second := e.mustCreate(t, etPlain, hour(48), guest("B", "b@example.com")).Bookings[0]
	e.mustCreate(t, etSeated, hour(50), guest("S", "s@example.com"))
	e.mustCreate(t, etConfirm, hour(52), guest("P", "p@example.com")) // pending
	e.mustCreate(t, etRecurring, hour(54), guest("R", "r@example.com"))
	e.mustCreate(t, etRoundRobin, hour(55), guest("T", "t@example.com")) // hosted by carol or dave
	cancelled := e.mustCreate(t, etPlain, hour(56), guest("C", "c@example.com")).Bookings[0]
	if _, err := e.svc.Cancel(ctx, &alice, cancelled.UID, booking.CancelInput{Reason: "ill"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		now  time.Time
		want string
	}{
		{t0, ""},
		{hour(24), ""}, // starting now is not started
		{hour(30), first.UID},
		{hour(60), second.UID},
	} {
		e.setNow(c.now)
		got, err := e.svc.PastBookingUID(ctx, alice)
		if err != nil || got != c.want {
			t.Errorf("at %v: PastBookingUID = %q, %v; want %q", c.now, got, err, c.want)
		}
	}
	if got, err := e.svc.PastBookingUID(ctx, bob); err != nil || got != "" {
		t.Errorf("bob: PastBookingUID = %q, %v; want none", got, err)
	}
}
