package mockserver

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// adminBooking is a booking in the fixtures format: the plain event type, hosted by the
// first user.
func (f *fixture) adminBooking(tb testing.TB, status string, start time.Time) map[string]any {
	return map[string]any{
		"title": "Put directly", "eventTypeId": f.eventType(tb, "plain").ID, "hostId": f.prof.Users[0].ID, "status": status,
		"start": start.Format(time.RFC3339), "end": start.Add(30 * time.Minute).Format(time.RFC3339),
		"attendees": []any{map[string]any{"name": "Ada", "email": "ada@example.com", "timeZone": "Europe/London"}},
	}
}

// TestState_ListEveryOwner: GET /_calmock/bookings holds every booking, also those no one
// API key sees all of.
func TestState_ListEveryOwner(t *testing.T) {
	f := MustServer(t, Config{})
	all := f.do(t, "GET", BookingsAdminPath, "", nil).expect(t, http.StatusOK).list(t)
	hosts := map[float64]bool{}
	for _, b := range all {
		hosts[b["hostId"].(float64)] = true
	}
	n := len(f.do(t, "GET", "/v2/bookings?take=250", f.key(0), nil).expect(t, http.StatusOK).list(t))
	if len(all) <= n || len(hosts) < 2 {
		t.Errorf("admin list: %d bookings of %d hosts; the first user alone sees %d", len(all), len(hosts), n)
	}
	for i := 1; i < len(all); i++ {
		if all[i-1]["start"].(string) > all[i]["start"].(string) {
			t.Fatalf("not by start at %d: %v then %v", i, all[i-1]["start"], all[i]["start"])
		}
	}
	uid := all[0]["uid"].(string)
	if got := f.do(t, "GET", BookingsAdminPath+"/"+uid, "", nil).expect(t, http.StatusOK).data(t); got["uid"] != uid || got["createdAt"] == nil {
		t.Errorf("GET one = %v", got)
	}
	if msg := f.do(t, "GET", BookingsAdminPath+"/nope", "", nil).expect(t, http.StatusNotFound).errorMessage(t); !strings.Contains(msg, `"nope"`) {
		t.Errorf("unknown uid: %q", msg)
	}
}

// TestState_PutCancelledLastWeek: a cancelled booking from last week, put directly, is what
// the API then shows, in the lists' filters too; putting it again replaces it.
func TestState_PutCancelledLastWeek(t *testing.T) {
	f := MustServer(t, Config{})
	body := f.adminBooking(t, "cancelled", testNow.AddDate(0, 0, -7))
	body["cancellationReason"] = "ill"
	put := f.do(t, "PUT", BookingsAdminPath+"/last-week", "", body).expect(t, http.StatusCreated).data(t)
	if put["uid"] != "last-week" || put["id"].(float64) <= 0 || put["createdAt"] != "2030-01-09T09:00:00Z" {
		t.Errorf("stored = %v", put)
	}
	got := f.do(t, "GET", "/v2/bookings/last-week", f.key(0), nil).expect(t, http.StatusOK).data(t)
	if got["status"] != "cancelled" || got["cancellationReason"] != "ill" || got["start"] != "2030-01-02T09:00:00.000Z" {
		t.Errorf("API shows %v", got)
	}
	found := false
	for _, b := range f.do(t, "GET", "/v2/bookings?status=cancelled&take=250", f.key(0), nil).expect(t, http.StatusOK).list(t) {
		found = found || b["uid"] == "last-week"
	}
	if !found {
		t.Error("status=cancelled list lacks the booking put directly")
	}

	body["status"], body["cancellationReason"] = "rejected", nil
	delete(body, "cancellationReason")
	body["rejectionReason"] = "busy"
	again := f.do(t, "PUT", BookingsAdminPath+"/last-week", "", body).expect(t, http.StatusOK).data(t)
	if again["id"] != put["id"] || again["createdAt"] != put["createdAt"] {
		t.Errorf("replacement changed id or createdAt: %v", again)
	}
	if got := f.do(t, "GET", "/v2/bookings/last-week", f.key(0), nil).expect(t, http.StatusOK).data(t)["status"]; got != "rejected" {
		t.Errorf("status after replacement %v", got)
	}
	f.do(t, "POST", ResetPath, "", nil).expect(t, http.StatusOK)
	f.do(t, "GET", "/v2/bookings/last-week", f.key(0), nil).expect(t, http.StatusNotFound)
}

// TestState_RoundTripAndYAML: what GET gives can be changed and put back; a YAML body in
// the fixtures file's shape works too.
func TestState_RoundTripAndYAML(t *testing.T) {
	f := MustServer(t, Config{})
	upcoming := f.do(t, "GET", "/v2/bookings?status=upcoming", f.key(0), nil).expect(t, http.StatusOK).list(t)[0]["uid"].(string)
	b := f.do(t, "GET", BookingsAdminPath+"/"+upcoming, "", nil).expect(t, http.StatusOK).data(t)
	atts := b["attendees"].([]any)
	atts[0].(map[string]any)["absent"] = true
	b["absentHost"] = true
	f.do(t, "PUT", BookingsAdminPath+"/"+upcoming, "", b).expect(t, http.StatusOK)
	got := f.do(t, "GET", "/v2/bookings/"+upcoming, f.key(0), nil).expect(t, http.StatusOK).data(t)
	if got["absentHost"] != true || got["attendees"].([]any)[0].(map[string]any)["absent"] != true {
		t.Errorf("absences not kept: %v", got)
	}

	plain := f.eventType(t, "plain").ID
	yamlBody := strings.Join([]string{
		"title: From YAML",
		"eventTypeId: " + itoa(plain),
		"hostId: " + itoa(f.prof.Users[0].ID),
		"status: pending",
		"start: 2030-02-01T10:00:00+01:00",
		"end: 2030-02-01T10:30:00+01:00",
		"attendees:",
		"  - name: Ada",
		"    email: ada@example.com",
		"    timeZone: Europe/Rome",
	}, "\n")
	res := f.doHeaders(t, "PUT", BookingsAdminPath+"/from-yaml", yamlBody, map[string]string{"Content-Type": "application/yaml"}).expect(t, http.StatusCreated).data(t)
	if res["start"] != "2030-02-01T09:00:00Z" || res["status"] != "pending" {
		t.Errorf("YAML booking stored as %v", res)
	}
}

// TestState_Invalid: a body that is not a booking, or a booking breaking an invariant, is a
// 400 in the envelope naming the field; nothing is stored.
func TestState_Invalid(t *testing.T) {
	f := MustServer(t, Config{})
	valid := func(change func(map[string]any)) map[string]any {
		b := f.adminBooking(t, "accepted", testNow.AddDate(0, 0, 3))
		change(b)
		return b
	}
	cases := []struct {
		body any
		want string
	}{
		{nil, "empty document"},
		{"{", "invalid booking body"},
		{valid(func(b map[string]any) { b["colour"] = "red" }), `unknown key "colour"`},
		{valid(func(b map[string]any) { b["uid"] = "other" }), `uid: "other" in the body is not "x1" of the path`},
		{valid(func(b map[string]any) { b["eventTypeId"] = 99999 }), "eventTypeId: 99999 is not an event type"},
		{valid(func(b map[string]any) { b["hostId"] = f.prof.Users[1].ID }), "hostId: user"},
		{valid(func(b map[string]any) { b["status"] = "done" }), `status: "done" is not a status`},
		{valid(func(b map[string]any) { b["end"] = b["start"] }), "end: "},
		{valid(func(b map[string]any) { b["attendees"] = []any{} }), "attendees: at least one attendee"},
		{valid(func(b map[string]any) { b["rescheduledFromUid"] = "ghost" }), `rescheduledFromUid: "ghost" is not a booking`},
		{valid(func(b map[string]any) { b["id"] = 5 }), "id: leave it out"},
	}
	for _, c := range cases {
		res := f.do(t, "PUT", BookingsAdminPath+"/x1", "", c.body).expect(t, http.StatusBadRequest)
		if msg := res.errorMessage(t); !strings.Contains(msg, c.want) || res.errorCode(t) != "BadRequestException" {
			t.Errorf("body %v: %s %q, want a message containing %q", c.body, res.errorCode(t), msg, c.want)
		}
	}
	f.do(t, "GET", BookingsAdminPath+"/x1", "", nil).expect(t, http.StatusNotFound)
}

// TestState_AdminToken: with -admin-token, putting needs it; reading does not.
func TestState_AdminToken(t *testing.T) {
	f := MustServer(t, Config{AdminToken: "s3cret"})
	body := f.adminBooking(t, "accepted", testNow.AddDate(0, 0, 3))
	if code := f.do(t, "PUT", BookingsAdminPath+"/x1", "", body).expect(t, http.StatusUnauthorized).errorCode(t); code != "UnauthorizedException" {
		t.Errorf("code %q", code)
	}
	f.do(t, "PUT", BookingsAdminPath+"/x1", f.key(0), body).expect(t, http.StatusUnauthorized)
	f.do(t, "GET", BookingsAdminPath, "", nil).expect(t, http.StatusOK)
	f.do(t, "PUT", BookingsAdminPath+"/x1", "s3cret", body).expect(t, http.StatusCreated)
}
