package mockserver

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/profile"
)

// attendeeFixture is a server with a plain booking of the first user holding the booker and
// one guest.
type attendeeFixture struct {
	*fixture
	uid, base           string
	bookerID, guestID   string
	owner, stranger     string
	bookerEmail, guestE string
}

func mustAttendeeFixture(t *testing.T) attendeeFixture {
	t.Helper()
	f := MustServer(t, Config{})
	body := createBody(f.eventType(t, profile.KindPlain).ID, slot(7, 10), "booker@example.com")
	body["guests"] = []any{"guest@example.com"}
	uid := f.do(t, "POST", "/v2/bookings", "", body).expect(t, http.StatusCreated).data(t)["uid"].(string)
	a := attendeeFixture{fixture: f, uid: uid, base: "/v2/bookings/" + uid, owner: f.key(0), stranger: f.key(1),
		bookerEmail: "booker@example.com", guestE: "guest@example.com"}
	atts := f.do(t, "GET", a.base+"/attendees", a.owner, nil).expect(t, http.StatusOK).list(t)
	if len(atts) != 2 {
		t.Fatalf("want 2 attendees, got %v", atts)
	}
	a.bookerID, a.guestID = attendeeIDOf(atts[0]), attendeeIDOf(atts[1])
	return a
}

func attendeeIDOf(m map[string]any) string { return fmt.Sprint(int(m["id"].(float64))) }

// wantError checks the status, error.code and error.message of an answer.
func wantError(t *testing.T, r response, status int, code, msg string) {
	t.Helper()
	r.expect(t, status)
	if got := r.errorCode(t); got != code {
		t.Errorf("error.code = %q, want %q", got, code)
	}
	if got := r.errorMessage(t); got != msg {
		t.Errorf("error.message = %q, want %q", got, msg)
	}
}

func TestAttendees_List(t *testing.T) {
	a := mustAttendeeFixture(t)
	t.Run("OK", func(t *testing.T) {
		atts := a.do(t, "GET", a.base+"/attendees", a.owner, nil).expect(t, http.StatusOK).list(t)
		want := map[string]any{"name": "Ada Lovelace", "email": a.bookerEmail, "displayEmail": a.bookerEmail, "timeZone": "Europe/London",
			"language": "en", "absent": false, "id": atts[0]["id"]}
		if fmt.Sprint(atts[0]) != fmt.Sprint(want) {
			t.Errorf("first attendee = %v, want %v", atts[0], want)
		}
		if atts[1]["email"] != a.guestE {
			t.Errorf("second attendee = %v", atts[1])
		}
	})
	t.Run("ErrNoAuth", func(t *testing.T) {
		wantError(t, a.do(t, "GET", a.base+"/attendees", "", nil), 403, "ForbiddenException", msgNoAuthProvided)
	})
	t.Run("ErrBadKey", func(t *testing.T) {
		wantError(t, a.do(t, "GET", a.base+"/attendees", "cal_test_unknown", nil), 401, "UnauthorizedException", msgInvalidAPIKey)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		wantError(t, a.do(t, "GET", a.base+"/attendees", a.stranger, nil), 403, "ForbiddenException",
			fmt.Sprintf("BookingPbacGuard - user with id=%d does not have access to booking with uid=%s", a.prof.Users[1].ID, a.uid))
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, a.do(t, "GET", "/v2/bookings/nope/attendees", a.owner, nil), 404, "NotFoundException", "Booking with uid nope not found")
	})
	t.Run("ErrNoVersion", func(t *testing.T) {
		r := a.doHeaders(t, "GET", a.base+"/attendees", nil, map[string]string{"Authorization": bearer(a.owner)})
		wantError(t, r, 404, "NotFoundException", "Cannot GET "+a.base+"/attendees")
	})
}

func TestAttendees_GetOne(t *testing.T) {
	a := mustAttendeeFixture(t)
	d := a.do(t, "GET", a.base+"/attendees/"+a.guestID, a.owner, nil).expect(t, http.StatusOK).data(t)
	if d["email"] != a.guestE || attendeeIDOf(d) != a.guestID {
		t.Errorf("got %v", d)
	}
	wantError(t, a.do(t, "GET", a.base+"/attendees/abc", a.owner, nil), 400, "BadRequestException", msgNumericID)
	wantError(t, a.do(t, "GET", a.base+"/attendees/1", a.owner, nil), 404, "NotFoundException", "Attendee with id 1 not found in booking "+a.uid)
}

func TestAttendees_Add(t *testing.T) {
	a := mustAttendeeFixture(t)
	managed := "hal+clxyz0123456789abcdefghij@example.com"
	r := a.do(t, "POST", a.base+"/attendees", a.owner, map[string]any{"email": managed, "name": "Hal", "timeZone": "Asia/Tokyo", "language": "it", "extra": 1})
	d := r.expect(t, http.StatusCreated).data(t)
	if d["displayEmail"] != "hal@example.com" || d["email"] != managed || d["language"] != "it" || d["absent"] != false {
		t.Errorf("added %v", d)
	}
	if _, ok := d["bookingId"].(float64); !ok {
		t.Errorf("no bookingId in %v", d)
	}
	// The new attendee is on the booking and among its guests.
	b := a.do(t, "GET", a.base, "", nil).expect(t, http.StatusOK).data(t)
	if !strings.Contains(fmt.Sprint(b["guests"]), managed) || len(b["attendees"].([]any)) != 3 {
		t.Errorf("booking after add: guests %v attendees %v", b["guests"], b["attendees"])
	}

	t.Run("ErrValidation", func(t *testing.T) {
		r := a.do(t, "POST", a.base+"/attendees", a.owner, map[string]any{"email": "x", "timeZone": "Mars/Base"})
		wantError(t, r, 400, "BadRequestException", "Bad Request Exception")
		errs := fmt.Sprint(r.body["error"].(map[string]any)["details"])
		for _, m := range []string{"email must be an email", "name must be a string", "timeZone must be a valid IANA time-zone"} {
			if !strings.Contains(errs, m) {
				t.Errorf("details lack %q: %s", m, errs)
			}
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		r := a.do(t, "POST", a.base+"/attendees", a.owner, map[string]any{"email": "GUEST@example.com", "name": "G", "timeZone": "UTC"})
		wantError(t, r, 400, "TRPCError", trpcMessages[400])
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		r := a.do(t, "POST", a.base+"/attendees", a.stranger, map[string]any{"email": "s@example.com", "name": "S", "timeZone": "UTC"})
		wantError(t, r, 403, "ForbiddenException",
			fmt.Sprintf("BookingPbacGuard - user with id=%d does not have access to booking with uid=%s", a.prof.Users[1].ID, a.uid))
	})
}

func TestAttendees_Remove(t *testing.T) {
	a := mustAttendeeFixture(t)
	wantError(t, a.do(t, "DELETE", a.base+"/attendees/"+a.guestID, a.stranger, nil), 403, "TRPCError", trpcMessages[403])
	wantError(t, a.do(t, "DELETE", a.base+"/attendees/"+a.bookerID, a.owner, nil), 400, "BadRequestException", booking.MsgCannotRemovePrimary)
	wantError(t, a.do(t, "DELETE", a.base+"/attendees/1", a.owner, nil), 404, "NotFoundException", booking.MsgAttendeeNotFound)
	wantError(t, a.do(t, "DELETE", a.base+"/attendees/x1", a.owner, nil), 400, "BadRequestException", msgNumericID)
	wantError(t, a.do(t, "DELETE", "/v2/bookings/nope/attendees/1", a.owner, nil), 404, "NotFoundException", "Booking with uid nope not found")

	d := a.do(t, "DELETE", a.base+"/attendees/"+a.guestID, a.owner, nil).expect(t, http.StatusOK).data(t)
	want := fmt.Sprint(map[string]any{"id": d["id"], "bookingId": d["bookingId"], "name": "", "email": a.guestE, "timeZone": "Europe/London"})
	if attendeeIDOf(d) != a.guestID || fmt.Sprint(d) != want {
		t.Errorf("removed %v, want %v", d, want)
	}
	// Stateful: the attendee is gone from the booking, its guests and the attendee endpoints.
	b := a.do(t, "GET", a.base, "", nil).expect(t, http.StatusOK).data(t)
	if len(b["attendees"].([]any)) != 1 || b["guests"] != nil {
		t.Errorf("booking after remove: attendees %v guests %v", b["attendees"], b["guests"])
	}
	a.do(t, "GET", a.base+"/attendees/"+a.guestID, a.owner, nil).expect(t, http.StatusNotFound)
}

func TestGuests_Add(t *testing.T) {
	a := mustAttendeeFixture(t)
	guests := func(n int, prefix string) map[string]any {
		var list []any
		for i := range n {
			list = append(list, map[string]any{"email": fmt.Sprintf("%s%d@example.com", prefix, i)})
		}
		return map[string]any{"guests": list}
	}
	d := a.do(t, "POST", a.base+"/guests", a.owner, guests(2, "g")).expect(t, http.StatusOK).data(t)
	if d["uid"] != a.uid || len(d["attendees"].([]any)) != 4 || len(d["guests"].([]any)) != 3 {
		t.Errorf("booking after guests: %v", d)
	}

	t.Run("ErrPerRequest", func(t *testing.T) {
		r := a.do(t, "POST", a.base+"/guests", a.owner, guests(11, "r"))
		wantError(t, r, 400, "BadRequestException", "Bad Request Exception")
		if !strings.Contains(r.Body.String(), "Cannot add more than 10 guests at a time") {
			t.Errorf("no per-request message in %s", r.Body.String())
		}
		r = a.do(t, "POST", a.base+"/guests", a.owner, map[string]any{"guests": []any{}})
		if !strings.Contains(r.expect(t, 400).Body.String(), "guests must contain at least 1 elements") {
			t.Errorf("no min-size message in %s", r.Body.String())
		}
	})
	t.Run("ErrPerBooking", func(t *testing.T) {
		a.do(t, "POST", a.base+"/guests", a.owner, guests(10, "p")).expect(t, http.StatusOK)
		a.do(t, "POST", a.base+"/guests", a.owner, guests(10, "q")).expect(t, http.StatusOK)
		// 24 attendees now.
		wantError(t, a.do(t, "POST", a.base+"/guests", a.owner, guests(7, "s")), 400, "BadRequestException",
			"Cannot add 7 guests. This booking already has 24 attendees. Maximum total guests allowed is 30. You can add up to 6 more guests.")
	})
	t.Run("ErrNothingNew", func(t *testing.T) {
		wantError(t, a.do(t, "POST", a.base+"/guests", a.owner, map[string]any{"guests": []any{map[string]any{"email": a.guestE}}}), 400, "TRPCError", trpcMessages[400])
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		wantError(t, a.do(t, "POST", a.base+"/guests", a.stranger, guests(1, "f")), 403, "TRPCError", trpcMessages[403])
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, a.do(t, "POST", "/v2/bookings/nope/guests", a.owner, guests(1, "n")), 404, "NotFoundException", "Booking with uid nope not found")
	})
	t.Run("ErrSeated", func(t *testing.T) {
		seat := a.do(t, "POST", "/v2/bookings", "", createBody(a.eventType(t, profile.KindSeated).ID, slot(9, 10), "seat@example.com")).expect(t, http.StatusCreated).data(t)
		wantError(t, a.do(t, "POST", "/v2/bookings/"+seat["uid"].(string)+"/guests", a.owner, guests(1, "z")), 400, "BadRequestException", booking.MsgGuestsSeated)
	})
}

// TestAttendees_NamedLimits: add attendee, remove attendee and add guests each allow 5
// requests a minute per caller, counted apart from one another and from the default limit,
// with their own header triple; the sixth is refused with 429.
func TestAttendees_NamedLimits(t *testing.T) {
	f := MustServer(t, Config{RateLimit: 100})
	body := createBody(f.eventType(t, profile.KindPlain).ID, slot(7, 10), "booker@example.com")
	uid := f.do(t, "POST", "/v2/bookings", "", body).expect(t, http.StatusCreated).data(t)["uid"].(string)
	for _, tc := range []struct{ name, method, path, header string }{
		{"add attendee", "POST", "/attendees", "Booking_attendees_add"},
		{"remove attendee", "DELETE", "/attendees/1", "Booking_attendees_remove"},
		{"add guests", "POST", "/guests", "Booking_guests_add"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := 1; i <= 6; i++ {
				r := f.do(t, tc.method, "/v2/bookings/"+uid+tc.path, f.key(0), map[string]any{"email": "x"})
				if i <= 5 {
					if r.Code == http.StatusTooManyRequests {
						t.Fatalf("request %d refused: %s", i, r.Body.String())
					}
					if got := r.Header().Get("X-RateLimit-Remaining-" + tc.header); got != fmt.Sprint(5-i) {
						t.Fatalf("request %d: X-RateLimit-Remaining-%s = %q, want %d", i, tc.header, got, 5-i)
					}
					continue
				}
				wantError(t, r, http.StatusTooManyRequests, "ThrottlerException", msgTooManyRequests)
				if got := r.Header().Get("X-RateLimit-Limit-" + tc.header); got != "5" {
					t.Errorf("X-RateLimit-Limit-%s = %q, want 5", tc.header, got)
				}
			}
		})
	}
	// The default limit counted each request once (18 above and this one; the anonymous create
	// has a tracker of its own), whatever the named limits did.
	r := f.do(t, "GET", "/v2/bookings/"+uid+"/attendees", f.key(0), nil).expect(t, http.StatusOK)
	if got := r.Header().Get("X-RateLimit-Remaining-Default"); got != "81" {
		t.Errorf("X-RateLimit-Remaining-Default = %q, want 81", got)
	}
}

// TestBookingOutput_DisplayEmail: a managed user's email (a "+<25-character id>" suffix)
// keeps its suffix in email and loses it in displayEmail, on attendees, seated attendees and
// hosts; a seat also says when it was taken.
func TestBookingOutput_DisplayEmail(t *testing.T) {
	f := MustServer(t, Config{})
	const managed, clean = "ann+clxyz0123456789abcdefghij@example.com", "ann@example.com"
	check := func(t *testing.T, who string, m map[string]any, email, display string) {
		t.Helper()
		if m["email"] != email || m["displayEmail"] != display {
			t.Errorf("%s: email %v displayEmail %v, want %s and %s", who, m["email"], m["displayEmail"], email, display)
		}
	}
	plain := f.do(t, "POST", "/v2/bookings", "", createBody(f.eventType(t, profile.KindPlain).ID, slot(7, 11), managed)).
		expect(t, http.StatusCreated).data(t)
	check(t, "attendee", plain["attendees"].([]any)[0].(map[string]any), managed, clean)
	host := plain["hosts"].([]any)[0].(map[string]any)
	check(t, "host", host, host["email"].(string), booking.DisplayEmail(host["email"].(string)))

	seated := f.do(t, "POST", "/v2/bookings", "", createBody(f.eventType(t, profile.KindSeated).ID, slot(9, 11), managed)).
		expect(t, http.StatusCreated).data(t)
	// The booker's own create answer hides the seats; the host sees them.
	seated = f.do(t, "GET", "/v2/bookings/"+seated["uid"].(string), f.key(0), nil).expect(t, http.StatusOK).data(t)
	seats := seated["attendees"].([]any)
	if len(seats) != 1 {
		t.Fatalf("seated attendees %v, want one", seats)
	}
	seat := seats[0].(map[string]any)
	check(t, "seated attendee", seat, managed, clean)
	// The first seat is taken when the booking is made.
	if seat["createdAt"] == nil || seat["createdAt"] != seated["createdAt"] {
		t.Errorf("seat createdAt %v, want the booking's %v", seat["createdAt"], seated["createdAt"])
	}
}
