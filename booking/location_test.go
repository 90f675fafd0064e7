package booking_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/calmock/calmock/booking"
)

func TestService_UpdateLocation(t *testing.T) {
	e := mustEnv(t)
	uid := e.mustCreate(t, etPlain, t0, guest("Gina", "gina@example.com")).Bookings[0].UID

	cases := []struct {
		name      string
		in        booking.LocationInput
		stored    string
		answer    map[string]any
		prefixURL bool
	}{
		{"address", booking.LocationInput{Type: "address", Address: "1 Main St"}, "1 Main St", map[string]any{"value": "inPerson", "optionValue": ""}, false},
		{"link", booking.LocationInput{Type: "link", Link: "https://meet.example.com/x"}, "https://meet.example.com/x", map[string]any{"value": "link", "optionValue": ""}, false},
		{"attendeePhone", booking.LocationInput{Type: "attendeePhone", Phone: "+37120993151"}, "+37120993151", map[string]any{"value": "phone", "optionValue": "+37120993151"}, false},
		{"attendeeDefined", booking.LocationInput{Type: "attendeeDefined", Location: "the park"}, "the park", map[string]any{"value": "somewhereElse", "optionValue": "the park"}, false},
		{"zoom", booking.LocationInput{Type: "integration", Integration: "zoom"}, "integrations:zoom", map[string]any{"value": "integrations:zoom", "optionValue": ""}, false},
		{"calVideo", booking.LocationInput{Type: "integration", Integration: "cal-video"}, booking.CalVideoBaseURL, map[string]any{"value": "integrations:daily", "optionValue": ""}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			res, err := e.svc.UpdateLocation(ctx, alice, uid, &in)
			if err != nil {
				t.Fatal(err)
			}
			got := e.mustGet(t, uid)
			if res.Bookings[0].Location != got.Location {
				t.Fatalf("returned %q, stored %q", res.Bookings[0].Location, got.Location)
			}
			if c.prefixURL && !strings.HasPrefix(got.Location, c.stored) || !c.prefixURL && got.Location != c.stored {
				t.Fatalf("stored location %q, want %q", got.Location, c.stored)
			}
			if a := got.BookingFieldsResponses["location"]; !reflect.DeepEqual(a, c.answer) {
				t.Fatalf("stored answer %v, want %v", a, c.answer)
			}
		})
	}
	t.Run("OmittedKeepsBooking", func(t *testing.T) {
		before := e.mustGet(t, uid)
		res, err := e.svc.UpdateLocation(ctx, alice, uid, nil)
		if err != nil || res.Bookings[0].Location != before.Location || !reflect.DeepEqual(e.mustGet(t, uid), before) {
			t.Fatalf("got %+v, %v; want the booking unchanged", res, err)
		}
	})
	t.Run("ErrEmptyValue", func(t *testing.T) {
		_, err := e.svc.UpdateLocation(ctx, alice, uid, &booking.LocationInput{Type: "attendeeAddress"})
		wantErr(t, err, booking.EINVALID, "Missing or invalid location value for type: attendeeAddress", booking.OriginAPI)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		gina := booking.User{ID: 99, Email: "gina@example.com"}
		for _, u := range []booking.User{bob, gina} {
			_, err := e.svc.UpdateLocation(ctx, u, uid, &booking.LocationInput{Type: "address", Address: "x"})
			wantErr(t, err, booking.EFORBIDDEN, booking.MsgLocationForbidden, booking.OriginAPI)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := e.svc.UpdateLocation(ctx, alice, "nope", nil)
		wantErr(t, err, booking.ENOTFOUND, "Booking with uid=nope not found", booking.OriginAPI)
	})
}
