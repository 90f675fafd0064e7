package mockserver

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
)

// TestAppendSuccess_MatchesEncodingJSON: the hand-written encoder must produce exactly the
// bytes json.Marshal makes of the same envelope, for every booking of several fixture worlds
// in every view (list, caller, seated echo), for a page with pagination, and for bookings
// carrying every awkward value (escapes, invalid UTF-8, nested metadata, numbers, nulls).
func TestAppendSuccess_MatchesEncodingJSON(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		f := MustServer(t, Config{Seed: seed})
		var all []booking.Booking
		err := f.srv.store.View(context.Background(), func(tx booking.Tx) error {
			for _, u := range f.srv.fixtures.Users {
				for _, b := range tx.Visible(u.ID, u.Email) {
					all = append(all, *b)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, awkwardBookings(all[0])...)
		caller := &f.srv.fixtures.Users[0].User
		var page []bookingOut
		for _, b := range all {
			for _, v := range []view{{}, {seatUID: "seat-1"}} {
				out := f.srv.toBookingOut(b, v)
				page = append(page, out)
				compareEncoders(t, b.UID, out, nil)
			}
		}
		compareEncoders(t, "page", page, newPagination(500, 100, 200))
		compareEncoders(t, "empty page", []bookingOut{}, newPagination(0, 100, 0))
		compareEncoders(t, "other data", toReassignOut(booking.Reassignment{Booking: all[0], To: *caller}), nil)
	}
}

func compareEncoders(t *testing.T, name string, data any, p *pagination) {
	t.Helper()
	want, err := json.Marshal(successEnvelope{Status: statusSuccess, Data: data, Pagination: p})
	if err != nil {
		t.Fatal(err)
	}
	got, err := appendSuccess(nil, data, p)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: encoders differ\n got: %s\nwant: %s", name, got, want)
	}
}

// awkwardBookings are variations of b with values the fixtures never hold.
func awkwardBookings(b booking.Booking) []booking.Booking {
	odd := "<a href=\"x\">&amp;</a> \u2028\u2029 \x00\x01\x1f\x7f \b\f\n\r\t \\ é 😀 \xff\xfe"
	rating := 4.5
	desc := odd
	x := b.Clone()
	x.UID, x.Title, x.Description, x.Location, x.Rating = "awkward-1", odd, &desc, odd, &rating
	x.Metadata = map[string]any{"z": odd, "a": 1.0, "big": 1e21, "small": 1e-7, "neg": -0.5, "t": true, "n": nil,
		"list": []any{"x", 2.0, false, nil, map[string]any{"k": []any{}}}, "nested": map[string]any{odd: odd}, "strs": []string{"a"}}
	x.BookingFieldsResponses = map[string]any{"notes": odd, "count": 3.0}
	x.Guests = []string{"g@example.com", odd}
	x.Attendees = append([]booking.Attendee{}, x.Attendees...)
	if len(x.Attendees) > 0 {
		x.Attendees[0].Name, x.Attendees[0].Language, x.Attendees[0].PhoneNumber = odd, "", "+441234"
	}
	y := b.Clone()
	y.UID, y.Status, y.HostID = "awkward-2", booking.StatusCancelled, 0 // awaiting a host: id "unknown"
	y.CancellationReason, y.CancelledByEmail = nil, &desc
	y.Metadata, y.Attendees = nil, nil
	// Stored answers laid over the derived ones: a stored name, email and guests win over
	// the attendee's and Guests, and sort among the custom keys (some before "email", some
	// between the derived keys, some after "name").
	z := b.Clone()
	z.UID, z.Guests = "awkward-3", []string{"derived@example.com"}
	z.BookingFieldsResponses = map[string]any{"name": "stored name", "guests": []any{"stored@example.com"}, "email": odd,
		"a": 1.0, "f": "between", "h": nil, "nz": []any{}, "zz": map[string]any{"q": odd}}
	// Nothing to derive: no attendee, no guest; only stored answers, then none at all (the
	// key is omitted).
	w := b.Clone()
	w.UID, w.Attendees, w.Guests, w.BookingFieldsResponses = "awkward-4", nil, nil, map[string]any{"notes": "only"}
	v := w.Clone()
	v.UID, v.BookingFieldsResponses = "awkward-5", nil
	// Guests but no attendee.
	u := v.Clone()
	u.UID, u.Guests = "awkward-6", []string{"g@example.com", odd}
	return []booking.Booking{x, y, z, w, v, u}
}

// FuzzAppendString: any string is escaped exactly as encoding/json escapes it.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "<>&", "\u2028\u2029", "\x00\x1f\x7f", "\xff", "é😀", "\"\\", "\b\f\n\r\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

// TestNullableTime: updatedAt is null for the zero instant (a fixture without one) and the
// API's instant otherwise, the same from json.Marshal and the hand encoder.
func TestNullableTime(t *testing.T) {
	for _, tc := range []struct {
		in   time.Time
		want string
	}{
		{time.Time{}, `null`},
		{time.Date(2030, 1, 2, 3, 4, 5, 6e6, time.UTC), `"2030-01-02T03:04:05.006Z"`},
	} {
		got, err := json.Marshal(nullableTime{tc.in})
		if err != nil || string(got) != tc.want {
			t.Errorf("json.Marshal(%v) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
		if got := string(nullableTime{tc.in}.AppendJSON(nil)); got != tc.want {
			t.Errorf("AppendJSON(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
