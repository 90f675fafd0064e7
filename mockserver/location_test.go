package mockserver

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/profile"
)

func TestLocation_Update(t *testing.T) {
	a := mustAttendeeFixture(t)
	path := a.base + "/location"
	t.Run("OK", func(t *testing.T) {
		d := a.do(t, "PATCH", path, a.owner, map[string]any{"location": map[string]any{"type": "attendeeAddress", "address": "1 Main St"}}).expect(t, http.StatusOK).data(t)
		if d["location"] != "1 Main St" || d["uid"] != a.uid {
			t.Fatalf("answer %v", d)
		}
		// Stateful: GET shows the new location and the answer that follows it.
		g := a.do(t, "GET", a.base, "", nil).expect(t, http.StatusOK).data(t)
		want := map[string]any{"value": "attendeeInPerson", "optionValue": "1 Main St"}
		if g["location"] != "1 Main St" || fmt.Sprint(g["bookingFieldsResponses"].(map[string]any)["location"]) != fmt.Sprint(want) {
			t.Fatalf("booking after update: location %v, responses %v", g["location"], g["bookingFieldsResponses"])
		}
	})
	t.Run("Link", func(t *testing.T) {
		d := a.do(t, "PATCH", path, a.owner, map[string]any{"location": map[string]any{"type": "link", "link": "https://meet.example.com/a"}}).expect(t, http.StatusOK).data(t)
		if d["location"] != "https://meet.example.com/a" {
			t.Fatalf("answer %v", d)
		}
	})
	t.Run("OmittedUnchanged", func(t *testing.T) {
		before := a.do(t, "GET", a.base, "", nil).expect(t, http.StatusOK).data(t)
		for _, body := range []map[string]any{{}, {"location": nil}} {
			d := a.do(t, "PATCH", path, a.owner, body).expect(t, http.StatusOK).data(t)
			if fmt.Sprint(d) != fmt.Sprint(before) {
				t.Fatalf("body %v: got %v, want the booking unchanged %v", body, d, before)
			}
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		for _, tc := range []struct {
			body any
			msg  string
		}{
			{"x", msgUpdateLocationNoType},
			{map[string]any{"address": "y"}, msgUpdateLocationNoType},
			{map[string]any{"type": "organizersDefaultApp"}, fmt.Sprintf(msgUpdateLocationType, "organizersDefaultApp")},
			{map[string]any{"type": "phone"}, fmt.Sprintf(msgUpdateLocationValue, "phone", "phone", "phone")},
		} {
			r := a.do(t, "PATCH", path, a.owner, map[string]any{"location": tc.body})
			wantError(t, r, 400, "BadRequestException", "Bad Request Exception")
			if errs := fmt.Sprint(r.body["error"].(map[string]any)["details"]); !strings.Contains(errs, tc.msg) {
				t.Errorf("location %v: details lack %q: %s", tc.body, tc.msg, errs)
			}
		}
	})
	t.Run("ErrEmptyValue", func(t *testing.T) {
		wantError(t, a.do(t, "PATCH", path, a.owner, map[string]any{"location": map[string]any{"type": "attendeeDefined", "location": ""}}),
			400, "BadRequestException", "Missing or invalid location value for type: attendeeDefined")
	})
	t.Run("ErrNoAuth", func(t *testing.T) {
		wantError(t, a.do(t, "PATCH", path, "", map[string]any{}), 403, "ForbiddenException", msgNoAuthProvided)
	})
	t.Run("ErrBadKey", func(t *testing.T) {
		wantError(t, a.do(t, "PATCH", path, "cal_test_unknown", map[string]any{}), 401, "UnauthorizedException", msgInvalidAPIKey)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		wantError(t, a.do(t, "PATCH", path, a.stranger, map[string]any{}), 403, "ForbiddenException", booking.MsgLocationForbidden)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantError(t, a.do(t, "PATCH", "/v2/bookings/nope/location", a.owner, map[string]any{}), 404, "NotFoundException", "Booking with uid=nope not found")
	})
	t.Run("ErrNoVersion", func(t *testing.T) {
		r := a.doHeaders(t, "PATCH", path, map[string]any{}, map[string]string{"Authorization": bearer(a.owner)})
		wantError(t, r, 404, "NotFoundException", "Cannot PATCH "+path)
	})
}

// TestLocation_DefaultLimit: the controller has no named throttle, so the default limit
// counts the request and no named header family appears.
func TestLocation_DefaultLimit(t *testing.T) {
	f := MustServer(t, Config{RateLimit: 2})
	body := createBody(f.eventType(t, profile.KindPlain).ID, slot(7, 10), "booker@example.com")
	uid := f.do(t, "POST", "/v2/bookings", "", body).expect(t, http.StatusCreated).data(t)["uid"].(string)
	path := "/v2/bookings/" + uid + "/location"
	r := f.do(t, "PATCH", path, f.key(0), map[string]any{}).expect(t, http.StatusOK)
	if got := r.Header().Get("X-RateLimit-Remaining-Default"); got != "1" {
		t.Errorf("X-RateLimit-Remaining-Default = %q, want 1", got)
	}
	for k := range r.Header() {
		if strings.HasPrefix(k, "X-Ratelimit-") && !strings.HasSuffix(k, "-Default") {
			t.Errorf("unexpected named limit header %s", k)
		}
	}
	f.do(t, "PATCH", path, f.key(0), map[string]any{}).expect(t, http.StatusOK)
	wantError(t, f.do(t, "PATCH", path, f.key(0), map[string]any{}), http.StatusTooManyRequests, "ThrottlerException", msgTooManyRequests)
}
