package mockserver

import (
	"net/http"
	"testing"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/profile"
)

// TestIsolation_OtherUsersBookings: the second fixture user, unrelated to the first, acts on
// a booking of the first user through every endpoint. What the real API lets anyone do with
// a booking uid (get, cancel, reschedule, calendar links, recordings…) stays allowed; what it
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
		d := f.do(t, "GET", "/v2/bookings/"+pending, owner, nil).expect(t, 200).data(t)
		if d["status"] != "pending" {
			t.Fatalf("status = %v, want pending", d["status"])
		}
		past := f.do(t, "GET", "/v2/bookings/"+pastUID, owner, nil).expect(t, 200).data(t)
		if past["attendees"].([]any)[0].(map[string]any)["absent"] != false {
			t.Fatal("attendee marked absent by a stranger")
		}
	})
	// What the real API allows anyone holding the uid to do.
	t.Run("public by uid", func(t *testing.T) {
		f.do(t, "GET", "/v2/bookings/"+pending, stranger, nil).expect(t, 200)
		f.do(t, "GET", "/v2/bookings/"+pending+"/calendar-links", stranger, nil).expect(t, 200)
		f.do(t, "GET", "/v2/bookings/"+pending+"/transcripts", stranger, nil).expect(t, 200)
	})
}
