package mockserver

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/calmock/calmock/profile"
)

func TestConferencingSessions(t *testing.T) {
	f := MustServer(t, Config{})
	owner, stranger := f.key(0), f.key(1)
	future := f.do(t, "POST", "/v2/bookings", "", createBody(f.eventType(t, profile.KindPlain).ID, slot(7, 10), "booker@example.com")).
		expect(t, http.StatusCreated).data(t)["uid"].(string)
	past, _ := f.pastAccepted(t)
	sessions := func(uid string) string { return "/v2/bookings/" + uid + "/conferencing-sessions" }

	t.Run("FutureHasNone", func(t *testing.T) {
		if got := f.do(t, "GET", sessions(future), owner, nil).expect(t, http.StatusOK).list(t); len(got) != 0 {
			t.Errorf("got %v", got)
		}
	})
	t.Run("PastHasOne", func(t *testing.T) {
		b := f.do(t, "GET", "/v2/bookings/"+past, owner, nil).expect(t, http.StatusOK).data(t)
		got := f.do(t, "GET", sessions(past), owner, nil).expect(t, http.StatusOK).list(t)
		if len(got) != 1 {
			t.Fatalf("got %v", got)
		}
		s := got[0]
		parts := s["participants"].([]any)
		host := parts[0].(map[string]any)
		if s["ongoing"] != false || s["maxParticipants"] != float64(len(parts)) || s["duration"] != b["duration"].(float64)*60 ||
			host["userId"] != fmt.Sprint(f.prof.Users[0].ID) || len(parts) != 1+len(b["attendees"].([]any)) {
			t.Errorf("session %v of booking %v", s, b)
		}
		again := f.do(t, "GET", sessions(past), owner, nil).expect(t, http.StatusOK).list(t)
		if fmt.Sprint(again) != fmt.Sprint(got) {
			t.Errorf("same booking, other sessions:\n%v\n%v", again, got)
		}
	})
	t.Run("ErrNotCalVideo", func(t *testing.T) {
		var uid string
		for _, b := range f.do(t, "GET", "/v2/bookings?take=250", owner, nil).expect(t, http.StatusOK).list(t) {
			if loc, _ := b["location"].(string); loc != "" && !strings.HasPrefix(loc, "https://app.cal.com/video/") && loc != "integrations:daily" {
				uid = b["uid"].(string)
				break
			}
		}
		if uid == "" {
			t.Skip("the fixtures give the first user no booking off Cal Video")
		}
		wantError(t, f.do(t, "GET", sessions(uid), owner, nil), 404, "NotFoundException", "No Cal Video reference found with booking uid "+uid)
	})
	t.Run("ErrNoAuth", func(t *testing.T) {
		wantError(t, f.do(t, "GET", sessions(future), "", nil), 403, "ForbiddenException", msgNoAuthProvided)
	})
	t.Run("ErrBadKey", func(t *testing.T) {
		wantError(t, f.do(t, "GET", sessions(future), "cal_test_unknown", nil), 401, "UnauthorizedException", msgInvalidAPIKey)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		wantError(t, f.do(t, "GET", sessions(future), stranger, nil), 403, "ForbiddenException",
			fmt.Sprintf("BookingPbacGuard - user with id=%d does not have access to booking with uid=%s", f.prof.Users[1].ID, future))
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, f.do(t, "GET", sessions("nope"), owner, nil), 404, "NotFoundException", "Booking with uid nope not found")
	})
	t.Run("ErrNoVersion", func(t *testing.T) {
		r := f.doHeaders(t, "GET", sessions(future), nil, map[string]string{"Authorization": bearer(owner)})
		wantError(t, r, 404, "NotFoundException", "Cannot GET "+sessions(future))
	})
}

// TestConferencingSessions_NamedLimit: 60 requests a minute per caller, counted apart from
// the default limit, with their own header triple; the 61st is refused with 429.
func TestConferencingSessions_NamedLimit(t *testing.T) {
	f := MustServer(t, Config{RateLimit: 200})
	uid := f.do(t, "POST", "/v2/bookings", "", createBody(f.eventType(t, profile.KindPlain).ID, slot(7, 10), "booker@example.com")).
		expect(t, http.StatusCreated).data(t)["uid"].(string)
	path := "/v2/bookings/" + uid + "/conferencing-sessions"
	for i := 1; i <= 60; i++ {
		r := f.do(t, "GET", path, f.key(0), nil).expect(t, http.StatusOK)
		if got := r.Header().Get("X-RateLimit-Remaining-" + limitConferencingSessions.name); got != fmt.Sprint(60-i) {
			t.Fatalf("request %d: X-RateLimit-Remaining-%s = %q, want %d", i, limitConferencingSessions.name, got, 60-i)
		}
	}
	r := f.do(t, "GET", path, f.key(0), nil)
	wantError(t, r, http.StatusTooManyRequests, "ThrottlerException", msgTooManyRequests)
	if got := r.Header().Get("X-RateLimit-Limit-" + limitConferencingSessions.name); got != "60" {
		t.Errorf("X-RateLimit-Limit-%s = %q, want 60", limitConferencingSessions.name, got)
	}
	// Other routes of the same caller are still served: the default limit counted 61 of 200.
	r = f.do(t, "GET", "/v2/bookings/"+uid+"/routing-trace", f.key(0), nil).expect(t, http.StatusOK)
	if got := r.Header().Get("X-RateLimit-Remaining-Default"); got != "138" {
		t.Errorf("X-RateLimit-Remaining-Default = %q, want 138", got)
	}
}

func TestRoutingTrace(t *testing.T) {
	f := MustServer(t, Config{})
	uid := f.do(t, "POST", "/v2/bookings", "", createBody(f.eventType(t, profile.KindPlain).ID, slot(7, 10), "booker@example.com")).
		expect(t, http.StatusCreated).data(t)["uid"].(string)
	path := "/v2/bookings/" + uid + "/routing-trace"
	d := f.do(t, "GET", path, f.key(0), nil).expect(t, http.StatusOK).data(t)
	if fmt.Sprint(d) != "map[groups:[] steps:[]]" {
		t.Errorf("data = %v, want empty steps and groups", d)
	}
	wantError(t, f.do(t, "GET", path, "", nil), 403, "ForbiddenException", msgNoAuthProvided)
	wantError(t, f.do(t, "GET", path, f.key(1), nil), 403, "ForbiddenException",
		fmt.Sprintf("BookingPbacGuard - user with id=%d does not have access to booking with uid=%s", f.prof.Users[1].ID, uid))
	wantError(t, f.do(t, "GET", "/v2/bookings/nope/routing-trace", f.key(0), nil), 404, "NotFoundException", "Booking with uid nope not found")
}
