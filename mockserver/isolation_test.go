package mockserver

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/profile"
)

// TestIsolation_OtherUsersBookings: the second fixture user, unrelated to the first, acts on
// a booking of the first user through every endpoint. What the real API lets anyone do with
// a booking uid (get, cancel, reschedule, calendar links…) stays allowed; what it
// refuses or hides, the mock refuses or hides the same way.
func TestIsolation_OtherUsersBookings(t *testing.T) {
	f := MustServer(t, Config{})
	rc := f.eventType(t, profile.KindRequiresConfirmation)
	owner, stranger := f.key(0), f.key(1)
	pending := f.do(t, "POST", "/v2/bookings", owner, createBody(rc.ID, slot(20, 10), "iso@example.com")).expect(t, http.StatusCreated).data(t)["uid"].(string)
	pastUID, pastEmail := f.pastAccepted(t)

	tests := []struct {
		name, method, path string
		body               any
		status             int
		message            string
	}{
		{"confirm", "POST", "/v2/bookings/" + pending + "/confirm", nil, 401, "You are not authorized to access this resource"},
		{"decline", "POST", "/v2/bookings/" + pending + "/decline", map[string]any{"reason": "x"}, 401, "You are not authorized to access this resource"},
		{"references", "GET", "/v2/bookings/" + pending + "/references", nil, 400, "Booking with uid " + pending + " does not belong to user"},
		{"recordings", "GET", "/v2/bookings/" + pending + "/recordings", nil, 403, "BookingPbacGuard - user with id=" + strconv.Itoa(f.prof.Users[1].ID) + " does not have access to booking with uid=" + pending},
		{"transcripts", "GET", "/v2/bookings/" + pending + "/transcripts", nil, 403, "BookingPbacGuard - user with id=" + strconv.Itoa(f.prof.Users[1].ID) + " does not have access to booking with uid=" + pending},
		{"mark attendees absent", "POST", "/v2/bookings/" + pastUID + "/mark-absent", map[string]any{"attendees": []any{map[string]any{"email": pastEmail, "absent": true}}}, 403, booking.MsgMarkAbsentForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(t, tt.method, tt.path, stranger, tt.body).expect(t, tt.status)
			if tt.message != "" && r.errorMessage(t) != tt.message {
				t.Errorf("message = %q, want %q", r.errorMessage(t), tt.message)
			}
		})
	}
	t.Run("list hides it", func(t *testing.T) {
		for _, q := range []string{"?bookingUid=" + pending, "?attendeeEmail=iso@example.com", "?take=250"} {
			for _, b := range f.do(t, "GET", "/v2/bookings"+q, stranger, nil).expect(t, 200).list(t) {
				if b["uid"] == pending {
					t.Fatalf("list%s shows the first user's booking to the second", q)
				}
			}
		}
	})
	t.Run("state unchanged by the refusals", func(t *testing.T) {
		// (runs before "public by uid", which reschedules the pending booking)
		d := f.do(t, "GET", "/v2/bookings/"+pending, owner, nil).expect(t, 200).data(t)
		if d["status"] != "pending" {
			t.Fatalf("status = %v, want pending", d["status"])
		}
		past := f.do(t, "GET", "/v2/bookings/"+pastUID, owner, nil).expect(t, 200).data(t)
		if past["attendees"].([]any)[0].(map[string]any)["absent"] != false {
			t.Fatal("attendee marked absent by a stranger")
		}
	})
	t.Run("seated attendees hidden", func(t *testing.T) {
		seated := f.eventType(t, profile.KindSeated)
		first := f.do(t, "POST", "/v2/bookings", owner, createBody(seated.ID, slot(21, 10), "seat1@example.com")).expect(t, http.StatusCreated).data(t)
		second := f.do(t, "POST", "/v2/bookings", "", createBody(seated.ID, slot(21, 10), "seat2@example.com")).expect(t, http.StatusCreated).data(t)
		uid := first["uid"].(string)
		if n := len(f.do(t, "GET", "/v2/bookings/"+uid, stranger, nil).expect(t, 200).data(t)["attendees"].([]any)); n != 0 {
			t.Errorf("a stranger sees %d attendees of a seated booking that hides them", n)
		}
		if n := len(f.do(t, "GET", "/v2/bookings/"+uid, owner, nil).expect(t, 200).data(t)["attendees"].([]any)); n != 2 {
			t.Errorf("the owner sees %d attendees, want 2", n)
		}
		bySeat := f.do(t, "GET", "/v2/bookings/by-seat/"+second["seatUid"].(string), stranger, nil).expect(t, 200).data(t)["attendees"].([]any)
		if len(bySeat) != 1 || bySeat[0].(map[string]any)["email"] != "seat2@example.com" {
			t.Errorf("by-seat shows a stranger %v, want only that seat's attendee", bySeat)
		}
	})
	// What the real API allows anyone holding the uid to do (optional-auth or unchecked
	// endpoints): the mock allows it too.
	t.Run("public by uid", func(t *testing.T) {
		f.do(t, "GET", "/v2/bookings/"+pending, stranger, nil).expect(t, 200)
		f.do(t, "GET", "/v2/bookings/"+pending+"/calendar-links", stranger, nil).expect(t, 200)
		rr := f.eventType(t, profile.KindRoundRobin)
		rrUID := f.do(t, "POST", "/v2/bookings", "", map[string]any{"start": slot(22, 10), "eventTypeSlug": rr.Slug, "teamSlug": rr.TeamSlug,
			"attendee": map[string]any{"name": "R", "email": "rr-iso@example.com", "timeZone": "UTC"}}).expect(t, 201).data(t)["uid"].(string)
		f.do(t, "POST", "/v2/bookings/"+rrUID+"/reassign", stranger, nil).expect(t, 200) // unchecked in 2024-08-13
		moved := f.do(t, "POST", "/v2/bookings/"+pending+"/reschedule", stranger, map[string]any{"start": slot(23, 10)}).expect(t, 201).data(t)
		f.do(t, "POST", "/v2/bookings/"+moved["uid"].(string)+"/cancel", stranger, map[string]any{"cancellationReason": "x"}).expect(t, 200)
	})
}
