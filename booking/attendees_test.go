package booking_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/calmock/calmock/booking"
)

// wantErr fails unless err is a domain error with code, message and origin.
func wantErr(tb testing.TB, err error, code booking.Code, msg string, origin booking.Origin) {
	tb.Helper()
	var de *booking.Error
	if err == nil {
		tb.Fatalf("want %s %q, got no error", code, msg)
	}
	if !asDomain(err, &de) || de.Code != code || de.Message != msg || de.Origin != origin {
		tb.Fatalf("want %s %q (origin %d), got %v", code, msg, origin, err)
	}
}

func asDomain(err error, de **booking.Error) bool { return errors.As(err, de) }

func TestService_Attendees(t *testing.T) {
	e := mustEnv(t)
	uid := e.mustCreate(t, etPlain, t0, guest("Gina", "gina@example.com")).Bookings[0].UID

	t.Run("OK", func(t *testing.T) {
		list, err := e.svc.Attendees(ctx, alice, uid)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Email != "gina@example.com" || list[0].ID != booking.AttendeeID(uid, list[0].Attendee) {
			t.Fatalf("got %+v", list)
		}
		one, err := e.svc.Attendee(ctx, alice, uid, list[0].ID)
		if err != nil || one.Email != "gina@example.com" || one.BookingID != list[0].BookingID {
			t.Fatalf("get one: %+v, %v", one, err)
		}
	})
	t.Run("AttendeeMayRead", func(t *testing.T) {
		gina := booking.User{ID: 99, Email: "gina@example.com"}
		if _, err := e.svc.Attendees(ctx, gina, uid); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := e.svc.Attendees(ctx, bob, uid)
		wantErr(t, err, booking.EFORBIDDEN, "BookingPbacGuard - user with id=2 does not have access to booking with uid="+uid, booking.OriginAPI)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := e.svc.Attendees(ctx, alice, "nope")
		wantErr(t, err, booking.ENOTFOUND, "Booking with uid nope not found", booking.OriginAPI)
		_, err = e.svc.Attendee(ctx, alice, uid, 7)
		wantErr(t, err, booking.ENOTFOUND, "Attendee with id 7 not found in booking "+uid, booking.OriginAPI)
	})
}

func TestService_AddRemoveAttendee(t *testing.T) {
	e := mustEnv(t)
	uid := e.mustCreate(t, etPlain, t0, guest("Gina", "gina@example.com")).Bookings[0].UID

	added, err := e.svc.AddAttendee(ctx, alice, uid, booking.AttendeeInput{Name: "Hal", Email: "hal@example.com", TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	if added.Name != "Hal" || added.Language != "en" || added.ID != booking.AttendeeID(uid, added.Attendee) {
		t.Fatalf("added %+v", added)
	}
	second, err := e.svc.AddAttendee(ctx, alice, uid, booking.AttendeeInput{Name: "Ivy", Email: "ivy@example.com", TimeZone: "UTC", Language: "it"})
	if err != nil {
		t.Fatal(err)
	}
	b := e.mustGet(t, uid)
	if len(b.Attendees) != 3 || len(b.Guests) != 2 || b.Guests[0] != "hal@example.com" {
		t.Fatalf("after adds: attendees %+v guests %v", b.Attendees, b.Guests)
	}

	t.Run("DuplicateRefused", func(t *testing.T) {
		_, err := e.svc.AddAttendee(ctx, alice, uid, booking.AttendeeInput{Name: "H", Email: "HAL+x@example.com", TimeZone: "UTC"})
		wantErr(t, err, booking.EINVALID, "emails_must_be_unique_valid", booking.OriginTRPC)
	})
	t.Run("HostNotOrganizerForbidden", func(t *testing.T) {
		_, err := e.svc.AddAttendee(ctx, bob, uid, booking.AttendeeInput{Name: "J", Email: "j@example.com", TimeZone: "UTC"})
		wantErr(t, err, booking.EFORBIDDEN, "BookingPbacGuard - user with id=2 does not have access to booking with uid="+uid, booking.OriginAPI)
		_, err = e.svc.RemoveAttendee(ctx, bob, uid, added.ID)
		wantErr(t, err, booking.EFORBIDDEN, "you_do_not_have_permission", booking.OriginTRPC)
	})
	t.Run("FirstAttendeeStays", func(t *testing.T) {
		first := booking.AttendeeID(uid, b.Attendees[0])
		_, err := e.svc.RemoveAttendee(ctx, alice, uid, first)
		wantErr(t, err, booking.EINVALID, booking.MsgCannotRemovePrimary, booking.OriginAPI)
		_, err = e.svc.RemoveAttendee(ctx, alice, uid, 12345)
		wantErr(t, err, booking.ENOTFOUND, booking.MsgAttendeeNotFound, booking.OriginAPI)
	})
	t.Run("RemoveKeepsOtherIDs", func(t *testing.T) {
		gone, err := e.svc.RemoveAttendee(ctx, alice, uid, added.ID)
		if err != nil || gone.Email != "hal@example.com" {
			t.Fatalf("remove: %+v, %v", gone, err)
		}
		// An attendee added after the removed one keeps its id.
		still, err := e.svc.Attendee(ctx, alice, uid, second.ID)
		if err != nil || still.Email != "ivy@example.com" {
			t.Fatalf("get after remove: %+v, %v", still, err)
		}
		b := e.mustGet(t, uid)
		if len(b.Attendees) != 2 || len(b.Guests) != 1 || b.Guests[0] != "ivy@example.com" {
			t.Fatalf("after remove: attendees %+v guests %v", b.Attendees, b.Guests)
		}
		_, err = e.svc.Attendee(ctx, alice, uid, added.ID)
		wantErr(t, err, booking.ENOTFOUND, "Attendee with id "+itoa(added.ID)+" not found in booking "+uid, booking.OriginAPI)
	})
}

func TestService_AddGuests(t *testing.T) {
	e := mustEnv(t)
	uid := e.mustCreate(t, etPlain, t0, guest("Gina", "gina@example.com")).Bookings[0].UID
	gina := booking.User{ID: 99, Email: "gina@example.com"}

	res, err := e.svc.AddGuests(ctx, gina, uid, []booking.AttendeeInput{{Email: "k@example.com"}, {Email: "K@example.com"}, {Email: "l@example.com", Name: "L", TimeZone: "Asia/Tokyo"}})
	if err != nil {
		t.Fatal(err)
	}
	got := res.Bookings[0]
	if len(got.Attendees) != 3 || got.Attendees[1].TimeZone != alice.TimeZone || got.Attendees[2].TimeZone != "Asia/Tokyo" {
		t.Fatalf("attendees %+v", got.Attendees)
	}

	t.Run("NothingNew", func(t *testing.T) {
		_, err := e.svc.AddGuests(ctx, alice, uid, []booking.AttendeeInput{{Email: "l@example.com"}})
		wantErr(t, err, booking.EINVALID, "emails_must_be_unique_valid", booking.OriginTRPC)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := e.svc.AddGuests(ctx, bob, uid, []booking.AttendeeInput{{Email: "m@example.com"}})
		wantErr(t, err, booking.EFORBIDDEN, "you_do_not_have_permission", booking.OriginTRPC)
	})
	t.Run("PerBookingLimit", func(t *testing.T) {
		for n := 0; n < 2; n++ {
			var batch []booking.AttendeeInput
			for i := 0; i < 10; i++ {
				batch = append(batch, booking.AttendeeInput{Email: "g" + itoa(n*10+i) + "@example.com"})
			}
			if _, err := e.svc.AddGuests(ctx, alice, uid, batch); err != nil {
				t.Fatal(err)
			}
		}
		// 23 attendees now: 7 more fit, 8 do not.
		var batch []booking.AttendeeInput
		for i := 0; i < 8; i++ {
			batch = append(batch, booking.AttendeeInput{Email: "h" + itoa(i) + "@example.com"})
		}
		_, err := e.svc.AddGuests(ctx, alice, uid, batch)
		wantErr(t, err, booking.EINVALID, "Cannot add 8 guests. This booking already has 23 attendees. Maximum total guests allowed is 30. You can add up to 7 more guests.", booking.OriginAPI)
		if _, err := e.svc.AddGuests(ctx, alice, uid, batch[:7]); err != nil {
			t.Fatalf("7 more should fit: %v", err)
		}
	})
	t.Run("SeatedRefused", func(t *testing.T) {
		seated := e.mustCreate(t, etSeated, t0.Add(48*60*60*1e9), guest("S", "s@example.com")).Bookings[0].UID
		_, err := e.svc.AddGuests(ctx, alice, seated, []booking.AttendeeInput{{Email: "n@example.com"}})
		wantErr(t, err, booking.EINVALID, booking.MsgGuestsSeated, booking.OriginAPI)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := e.svc.AddGuests(ctx, alice, "nope", []booking.AttendeeInput{{Email: "n@example.com"}})
		wantErr(t, err, booking.ENOTFOUND, "Booking with uid nope not found", booking.OriginAPI)
	})
}

func TestDisplayEmail(t *testing.T) {
	for in, want := range map[string]string{
		"a@example.com": "a@example.com",
		"a+clxyz0123456789abcdefghij@example.com": "a@example.com",
		"a+short@example.com":                     "a+short@example.com",
		// Only a run of 25 letters and digits is a managed user's id; other plus-tags stay.
		"a+clxyz0123456789abcdefghi@example.com":  "a+clxyz0123456789abcdefghi@example.com", // 24
		"a+clxyz0123456789abcdefg-ij@example.com": "a+clxyz0123456789abcdefg-ij@example.com",
		"a+newsletter@example.com":                "a+newsletter@example.com",
		"+clxyz0123456789abcdefghij@example.com":  "@example.com",
	} {
		if got := booking.DisplayEmail(in); got != want {
			t.Errorf("DisplayEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func itoa(n int) string { return fmt.Sprint(n) }
