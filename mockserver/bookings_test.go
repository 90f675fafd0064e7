package mockserver

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/calmock/calmock/profile"
)

func TestBookings_CreateGetList(t *testing.T) {
	f := MustServer(t, Config{})
	plain := f.eventType(t, profile.KindPlain)
	created := f.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(3, 10), "ada@example.com")).expect(t, http.StatusCreated)
	d := created.data(t)
	if d["status"] != "accepted" {
		t.Fatalf("status = %v, want accepted", d["status"])
	}
	if d["duration"] != float64(plain.LengthInMinutes) {
		t.Errorf("duration = %v, want %d", d["duration"], plain.LengthInMinutes)
	}
	wantEnd := testNow.AddDate(0, 0, slotOffsetDays+3).Truncate(24 * time.Hour).Add(10*time.Hour + time.Duration(plain.LengthInMinutes)*time.Minute).Format("2006-01-02T15:04:05.000Z")
	if d["end"] != wantEnd {
		t.Errorf("end = %v, want %s", d["end"], wantEnd)
	}
	uid, _ := d["uid"].(string)

	got := f.do(t, "GET", "/v2/bookings/"+uid, "", nil).expect(t, http.StatusOK).data(t)
	if got["uid"] != uid || got["status"] != "accepted" {
		t.Fatalf("get = %v", got)
	}

	list := f.do(t, "GET", "/v2/bookings?attendeeEmail=ada@example.com", f.key(0), nil).expect(t, http.StatusOK)
	items := list.list(t)
	if len(items) != 1 || items[0]["uid"] != uid {
		t.Fatalf("list by attendee email = %v", items)
	}
	pg, _ := list.body["pagination"].(map[string]any)
	if pg["totalItems"] != float64(1) || pg["returnedItems"] != float64(1) || pg["itemsPerPage"] != float64(100) {
		t.Errorf("pagination = %v", pg)
	}
	// The unrelated second user does not see it.
	other := f.do(t, "GET", "/v2/bookings?bookingUid="+uid, f.key(1), nil).expect(t, http.StatusOK)
	if n := len(other.list(t)); n != 0 {
		t.Errorf("second user sees %d bookings of the first", n)
	}
}

func TestBookings_ConfirmDecline(t *testing.T) {
	f := MustServer(t, Config{})
	rc := f.eventType(t, profile.KindRequiresConfirmation)
	create := func(day int) string {
		d := f.do(t, "POST", "/v2/bookings", "", createBody(rc.ID, slot(day, 11), "grace@example.com")).expect(t, http.StatusCreated).data(t)
		if d["status"] != "pending" {
			t.Fatalf("status = %v, want pending", d["status"])
		}
		return d["uid"].(string)
	}
	uid := create(4)
	confirmed := f.do(t, "POST", "/v2/bookings/"+uid+"/confirm", f.key(0), nil).expect(t, http.StatusOK).data(t)
	if confirmed["status"] != "accepted" {
		t.Fatalf("confirmed status = %v", confirmed["status"])
	}
	again := f.do(t, "POST", "/v2/bookings/"+uid+"/confirm", f.key(0), nil).expect(t, http.StatusBadRequest)
	if again.errorCode(t) != "TRPCError" || again.errorMessage(t) != "Bad request: Please check your request data and try again" {
		t.Errorf("confirm twice: %s", again.Body.String())
	}
	declineAccepted := f.do(t, "POST", "/v2/bookings/"+uid+"/decline", f.key(0), map[string]any{"reason": "no"}).expect(t, http.StatusBadRequest)
	if declineAccepted.errorCode(t) != "TRPCError" {
		t.Errorf("decline accepted: %s", declineAccepted.Body.String())
	}

	uid2 := create(5)
	declined := f.do(t, "POST", "/v2/bookings/"+uid2+"/decline", f.key(0), map[string]any{"reason": "busy"}).expect(t, http.StatusOK).data(t)
	if declined["status"] != "rejected" {
		t.Fatalf("declined status = %v", declined["status"])
	}
	// An unrelated user may not confirm: 401 in the tRPC envelope.
	uid3 := create(6)
	denied := f.do(t, "POST", "/v2/bookings/"+uid3+"/confirm", f.key(1), nil).expect(t, http.StatusUnauthorized)
	if denied.errorMessage(t) != "You are not authorized to access this resource" {
		t.Errorf("confirm by other user: %s", denied.Body.String())
	}
}

func TestBookings_CancelAndReschedule(t *testing.T) {
	f := MustServer(t, Config{})
	plain := f.eventType(t, profile.KindPlain)
	uid := f.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(7, 12), "alan@example.com")).expect(t, http.StatusCreated).data(t)["uid"].(string)

	res := f.do(t, "POST", "/v2/bookings/"+uid+"/reschedule", "", map[string]any{"start": slot(8, 12), "reschedulingReason": "clash"}).expect(t, http.StatusCreated).data(t)
	newUID := res["uid"].(string)
	if newUID == uid || res["rescheduledFromUid"] != uid || res["reschedulingReason"] != "clash" || res["status"] != "accepted" {
		t.Fatalf("reschedule result = %v", res)
	}
	old := f.do(t, "GET", "/v2/bookings/"+uid, "", nil).expect(t, http.StatusOK).data(t)
	if old["status"] != "cancelled" || old["rescheduledToUid"] != newUID {
		t.Fatalf("old booking after reschedule = %v", old)
	}
	again := f.do(t, "POST", "/v2/bookings/"+uid+"/reschedule", "", map[string]any{"start": slot(9, 12)}).expect(t, http.StatusBadRequest)
	if !strings.Contains(again.errorMessage(t), "rescheduled already to booking with uid="+newUID) {
		t.Errorf("reschedule of a rescheduled booking: %s", again.errorMessage(t))
	}

	cancelled := f.do(t, "POST", "/v2/bookings/"+newUID+"/cancel", "", map[string]any{"cancellationReason": "ill"}).expect(t, http.StatusOK).data(t)
	if cancelled["status"] != "cancelled" || cancelled["cancellationReason"] != "ill" {
		t.Fatalf("cancel = %v", cancelled)
	}
	twice := f.do(t, "POST", "/v2/bookings/"+newUID+"/cancel", "", nil).expect(t, http.StatusBadRequest)
	want := "Can't cancel booking with uid=" + newUID + " because it has been cancelled already. Please provide uid of a booking that is not cancelled."
	if twice.errorMessage(t) != want {
		t.Errorf("cancel twice message = %q, want %q", twice.errorMessage(t), want)
	}
	// The organizer cancelling without a reason gets the booking core's bare error.
	uid3 := f.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(10, 12), "alan@example.com")).expect(t, http.StatusCreated).data(t)["uid"].(string)
	host := f.do(t, "POST", "/v2/bookings/"+uid3+"/cancel", f.key(0), nil).expect(t, http.StatusBadRequest)
	if host.body["statusCode"] != float64(400) || host.body["message"] != "Cancellation reason is required when you are the host" {
		t.Errorf("host cancel without reason: %s", host.Body.String())
	}
}

func TestBookings_Recurring(t *testing.T) {
	f := MustServer(t, Config{})
	rec := f.eventType(t, profile.KindRecurring)
	res := f.do(t, "POST", "/v2/bookings", "", createBody(rec.ID, slot(2, 14), "rita@example.com")).expect(t, http.StatusCreated)
	items := res.list(t)
	if len(items) != rec.Recurrence.Count {
		t.Fatalf("occurrences = %d, want %d", len(items), rec.Recurrence.Count)
	}
	series := items[0]["recurringBookingUid"].(string)
	for _, it := range items {
		if it["recurringBookingUid"] != series {
			t.Fatalf("occurrences do not share recurringBookingUid: %v", items)
		}
	}
	all := f.do(t, "GET", "/v2/bookings/"+series, "", nil).expect(t, http.StatusOK).list(t)
	if len(all) != len(items) {
		t.Fatalf("get series = %d occurrences, want %d", len(all), len(items))
	}
	one := f.do(t, "GET", "/v2/bookings/"+items[1]["uid"].(string), "", nil).expect(t, http.StatusOK).data(t)
	if one["recurringBookingUid"] != series {
		t.Errorf("occurrence = %v", one)
	}
}

func TestBookings_Seated(t *testing.T) {
	f := MustServer(t, Config{})
	seated := f.eventType(t, profile.KindSeated)
	first := f.do(t, "POST", "/v2/bookings", "", createBody(seated.ID, slot(3, 15), "s1@example.com")).expect(t, http.StatusCreated).data(t)
	second := f.do(t, "POST", "/v2/bookings", "", createBody(seated.ID, slot(3, 15), "s2@example.com")).expect(t, http.StatusCreated).data(t)
	if first["uid"] != second["uid"] {
		t.Fatalf("second booker did not join the seated booking: %v vs %v", first["uid"], second["uid"])
	}
	seat := second["seatUid"].(string)
	if seat == "" || seat == first["seatUid"] {
		t.Fatalf("seat uids: %v, %v", first["seatUid"], seat)
	}
	bySeat := f.do(t, "GET", "/v2/bookings/by-seat/"+seat, "", nil).expect(t, http.StatusOK).data(t)
	if bySeat["uid"] != first["uid"] {
		t.Errorf("by-seat = %v", bySeat)
	}
	f.do(t, "GET", "/v2/bookings/by-seat/nope", "", nil).expect(t, http.StatusNotFound)
	// Cancelling one seat keeps the booking accepted.
	after := f.do(t, "POST", "/v2/bookings/"+first["uid"].(string)+"/cancel", "", map[string]any{"seatUid": seat}).expect(t, http.StatusOK).data(t)
	if after["status"] != "accepted" {
		t.Errorf("after one seat cancelled: %v", after["status"])
	}
}

func TestBookings_MarkAbsent(t *testing.T) {
	f := MustServer(t, Config{})
	uid, email := f.pastAccepted(t)
	d := f.do(t, "POST", "/v2/bookings/"+uid+"/mark-absent", f.key(0), map[string]any{"host": true, "attendees": []any{map[string]any{"email": email, "absent": true}}}).expect(t, http.StatusOK).data(t)
	if d["absentHost"] != true || d["attendees"].([]any)[0].(map[string]any)["absent"] != true {
		t.Fatalf("mark-absent = %v", d)
	}
	plain := f.eventType(t, profile.KindPlain)
	future := f.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(5, 9), "z@example.com")).expect(t, http.StatusCreated).data(t)["uid"].(string)
	early := f.do(t, "POST", "/v2/bookings/"+future+"/mark-absent", f.key(0), map[string]any{"host": true}).expect(t, http.StatusBadRequest)
	if !strings.HasPrefix(early.errorMessage(t), "Bookings can only be marked as absent after their scheduled start time.") {
		t.Errorf("mark-absent before start: %s", early.errorMessage(t))
	}
	bad := f.do(t, "POST", "/v2/bookings/"+uid+"/mark-absent", f.key(0), map[string]any{"attendees": []any{}}).expect(t, http.StatusBadRequest)
	if bad.errorMessage(t) != "Bad Request Exception" {
		t.Errorf("lenient validation message = %q", bad.errorMessage(t))
	}
}

func TestBookings_Reassign(t *testing.T) {
	f := MustServer(t, Config{})
	rr := f.eventType(t, profile.KindRoundRobin)
	d := f.do(t, "POST", "/v2/bookings", "", map[string]any{
		"start": slot(6, 16), "eventTypeSlug": rr.Slug, "teamSlug": rr.TeamSlug,
		"attendee": map[string]any{"name": "Bo", "email": "bo@example.com", "timeZone": "Asia/Tokyo"},
	}).expect(t, http.StatusCreated).data(t)
	uid := d["uid"].(string)
	hostID := d["hosts"].([]any)[0].(map[string]any)["id"].(float64)
	ra := f.do(t, "POST", "/v2/bookings/"+uid+"/reassign", f.key(0), nil).expect(t, http.StatusOK).data(t)
	to := ra["reassignedTo"].(map[string]any)
	if ra["bookingUid"] != uid || to["id"] == hostID {
		t.Fatalf("reassign = %v (host was %v)", ra, hostID)
	}
	back := f.do(t, "POST", "/v2/bookings/"+uid+"/reassign/"+itoa(int(hostID)), f.key(0), map[string]any{"reason": "back"}).expect(t, http.StatusOK).data(t)
	if back["reassignedTo"].(map[string]any)["id"] != hostID {
		t.Fatalf("reassign to user = %v", back)
	}
	f.do(t, "POST", "/v2/bookings/"+uid+"/reassign/abc", f.key(0), nil).expect(t, http.StatusBadRequest)
}

func TestBookings_LinksReferencesRecordings(t *testing.T) {
	f := MustServer(t, Config{})
	plain := f.eventType(t, profile.KindPlain)
	uid := f.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(4, 13), "l@example.com")).expect(t, http.StatusCreated).data(t)["uid"].(string)
	links := f.do(t, "GET", "/v2/bookings/"+uid+"/calendar-links", f.key(0), nil).expect(t, http.StatusOK).list(t)
	var ids []string
	for _, l := range links {
		ids = append(ids, l["id"].(string))
	}
	if strings.Join(ids, ",") != "googleCalendar,microsoftOffice,microsoftOutlook,ics" {
		t.Errorf("calendar link ids = %v", ids)
	}
	if !strings.HasPrefix(links[0]["link"].(string), "https://calendar.google.com/calendar/r/eventedit?") {
		t.Errorf("google link = %v", links[0]["link"])
	}
	f.do(t, "GET", "/v2/bookings/"+uid+"/references", f.key(0), nil).expect(t, http.StatusOK)
	notMine := f.do(t, "GET", "/v2/bookings/"+uid+"/references", f.key(1), nil).expect(t, http.StatusBadRequest)
	if notMine.errorMessage(t) != "Booking with uid "+uid+" does not belong to user" {
		t.Errorf("references of another user's booking: %s", notMine.errorMessage(t))
	}
	badType := f.do(t, "GET", "/v2/bookings/"+uid+"/references?type=fax", f.key(0), nil).expect(t, http.StatusBadRequest)
	if badType.errorMessage(t) != "Bad Request Exception" {
		t.Errorf("bad reference type: %s", badType.Body.String())
	}
	// Recordings and transcripts need auth and the right to read the booking (changes-2026
	// §2.3): the PermissionsGuard's 403 without credentials, the BookingPbacGuard's for
	// another user.
	f.do(t, "GET", "/v2/bookings/"+uid+"/recordings", f.key(0), nil).expect(t, http.StatusOK)
	f.do(t, "GET", "/v2/bookings/"+uid+"/transcripts", f.key(0), nil).expect(t, http.StatusOK)
	for _, op := range []string{"recordings", "transcripts"} {
		anon := f.do(t, "GET", "/v2/bookings/"+uid+"/"+op, "", nil).expect(t, http.StatusForbidden)
		if !strings.HasPrefix(anon.errorMessage(t), "PermissionsGuard - no authentication provided") {
			t.Errorf("%s without auth: %s", op, anon.errorMessage(t))
		}
		other := f.do(t, "GET", "/v2/bookings/"+uid+"/"+op, f.key(1), nil).expect(t, http.StatusForbidden)
		if !strings.HasPrefix(other.errorMessage(t), "BookingPbacGuard - user with id=") {
			t.Errorf("%s of another user's booking: %s", op, other.errorMessage(t))
		}
	}
	missing := f.do(t, "GET", "/v2/bookings/nope/recordings", f.key(0), nil).expect(t, http.StatusNotFound)
	if missing.errorMessage(t) != "Booking with uid=nope was not found in the database" {
		t.Errorf("recordings of unknown booking: %s", missing.errorMessage(t))
	}
	f.do(t, "GET", "/v2/bookings/nope/calendar-links", f.key(0), nil).expect(t, http.StatusNotFound)
}

func TestPipeline_Auth(t *testing.T) {
	f := MustServer(t, Config{})
	tests := []struct {
		name, method, path, auth string
		status                   int
		message                  string
	}{
		{"list without credentials", "GET", "/v2/bookings", "", 403, msgNoAuthProvided},
		{"list with unknown API key", "GET", "/v2/bookings", "Bearer cal_test_nope", 401, msgInvalidAPIKey},
		{"list with unknown access token", "GET", "/v2/bookings", "Bearer sometoken", 403, "PermissionsGuard - no oAuth client found for access token=sometoken"},
		{"get with unknown access token", "GET", "/v2/bookings/x", "Bearer sometoken", 401, msgInvalidToken},
		{"get anonymous unknown uid", "GET", "/v2/bookings/x", "", 404, "Booking with uid=x was not found in the database"},
		{"recordings with unknown API key", "GET", "/v2/bookings/x/recordings", "Bearer cal_bad", 401, msgInvalidAPIKey},
		{"confirm without credentials", "POST", "/v2/bookings/x/confirm", "", 403, msgNoAuthProvided},
		{"raw key without Bearer works", "GET", "/v2/bookings/x/confirm", f.key(0), 404, "Cannot GET /v2/bookings/x/confirm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.doHeaders(t, tt.method, tt.path, nil, map[string]string{"cal-api-version": "2024-08-13", "Authorization": tt.auth})
			r.expect(t, tt.status)
			if got := r.errorMessage(t); got != tt.message {
				t.Errorf("message = %q, want %q", got, tt.message)
			}
		})
	}
	// A raw key (no "Bearer ") authenticates like a bearer one.
	f.doHeaders(t, "GET", "/v2/bookings", nil, map[string]string{"cal-api-version": "2024-08-13", "Authorization": f.key(0)}).expect(t, 200)
}

func TestPipeline_Version(t *testing.T) {
	f := MustServer(t, Config{})
	plain := f.eventType(t, profile.KindPlain)
	tests := []struct {
		name, version, method, path string
		status                      int
		message                     string
	}{
		{"missing header on a 2024-08-13-only route", "", "GET", "/v2/bookings/x/calendar-links", 404, "Cannot GET /v2/bookings/x/calendar-links"},
		{"2024-09-04 matches no bookings controller", "2024-09-04", "GET", "/v2/bookings", 404, "Cannot GET /v2/bookings"},
		{"quoted version falls back to legacy", `"2024-08-13"`, "POST", "/v2/bookings/x/confirm", 404, "Cannot POST /v2/bookings/x/confirm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.doHeaders(t, tt.method, tt.path, nil, map[string]string{"cal-api-version": tt.version, "Authorization": bearer(f.key(0))}).expect(t, tt.status)
			if got := r.errorMessage(t); got != tt.message {
				t.Errorf("message = %q, want %q", got, tt.message)
			}
		})
	}
	legacy := f.doHeaders(t, "POST", "/v2/bookings", createBody(plain.ID, slot(3, 9), "v@example.com"), map[string]string{}).expect(t, 400)
	if !strings.Contains(legacy.errorMessage(t), "cal-api-version "+strings.Join(f.srv.Versions(), ", ")+" only") {
		t.Errorf("legacy create: %s", legacy.errorMessage(t))
	}
}

func TestPipeline_Validation(t *testing.T) {
	f := MustServer(t, Config{})
	plain := f.eventType(t, profile.KindPlain)
	tests := []struct {
		name string
		body any
		want string
	}{
		{"missing start", map[string]any{"eventTypeId": plain.ID, "attendee": map[string]any{"name": "A", "email": "a@example.com", "timeZone": "Europe/Paris"}}, "start property is wrong,start must be a valid ISO 8601 date string "},
		{"bad attendee email", map[string]any{"start": slot(2, 9), "eventTypeId": plain.ID, "attendee": map[string]any{"name": "A", "email": "nope", "timeZone": "Europe/Paris"}}, "attendee property is wrong, email property is wrong,Invalid email format "},
		{"unknown field", map[string]any{"foo": 1, "start": slot(2, 9), "eventTypeId": plain.ID, "attendee": map[string]any{"name": "A", "email": "a@example.com", "timeZone": "Europe/Paris"}}, "foo property is wrong,property foo should not exist "},
		{"no event type", map[string]any{"start": slot(2, 9), "attendee": map[string]any{"name": "A", "email": "a@example.com", "timeZone": "Europe/Paris"}}, "eventTypeId or eventTypeSlug + username property is wrong,Either eventTypeId or eventTypeSlug + username or eventTypeSlug + teamSlug must be provided "},
		{"instant false is unknown", map[string]any{"instant": false, "start": slot(2, 9), "eventTypeId": plain.ID, "attendee": map[string]any{"name": "A", "email": "a@example.com", "timeZone": "Europe/Paris"}}, "instant property is wrong,property instant should not exist "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(t, "POST", "/v2/bookings", "", tt.body).expect(t, 400)
			if r.errorCode(t) != "BadRequestException" || r.errorMessage(t) != tt.want {
				t.Errorf("got %q (%s), want %q", r.errorMessage(t), r.errorCode(t), tt.want)
			}
		})
	}
	t.Run("malformed JSON", func(t *testing.T) {
		r := f.do(t, "POST", "/v2/bookings", "", `{"start":`).expect(t, 400)
		if r.errorCode(t) != "BadRequestException" {
			t.Errorf("code = %s", r.errorCode(t))
		}
	})
	t.Run("take=0", func(t *testing.T) {
		r := f.do(t, "GET", "/v2/bookings?take=0", f.key(0), nil).expect(t, 400)
		errs := r.body["error"].(map[string]any)["details"].(map[string]any)["errors"].([]any)
		c := errs[0].(map[string]any)["constraints"].(map[string]any)
		if c["min"] != "take must not be less than 1" {
			t.Errorf("constraints = %v", c)
		}
	})
	t.Run("body too large", func(t *testing.T) {
		big := `{"start":"` + strings.Repeat("x", maxBodyBytes) + `"}`
		f.do(t, "POST", "/v2/bookings", "", big).expect(t, http.StatusRequestEntityTooLarge)
	})
}

func TestPipeline_HeadersAndRouting(t *testing.T) {
	f := MustServer(t, Config{RateLimit: 3})
	r := f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, 200)
	for _, h := range []string{"X-Request-Id", "X-RateLimit-Limit-Default", "X-RateLimit-Remaining-Default", "X-RateLimit-Reset-Default", "Access-Control-Allow-Origin"} {
		if r.Header().Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
	if r.Header().Get("X-RateLimit-Remaining-Default") != "2" {
		t.Errorf("remaining = %s, want 2", r.Header().Get("X-RateLimit-Remaining-Default"))
	}
	f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, 200)
	f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, 200)
	limited := f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, 429)
	if limited.errorCode(t) != "ThrottlerException" || limited.body["error"].(map[string]any)["details"] != msgTooManyRequests {
		t.Errorf("429 body = %s", limited.Body.String())
	}
	// Another key has its own budget; time heals the first.
	f.do(t, "GET", "/v2/bookings", f.key(1), nil).expect(t, 200)
	f.clock.Advance(61 * time.Second)
	f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, 200)

	nf := f.do(t, "GET", "/v2/nothing-here", "", nil).expect(t, 404)
	if nf.errorMessage(t) != "Cannot GET /v2/nothing-here" || nf.errorCode(t) != "NotFoundException" {
		t.Errorf("unknown route: %s", nf.Body.String())
	}
	f.do(t, "DELETE", "/v2/bookings/x", "", nil).expect(t, 404)
	pre := f.doHeaders(t, "OPTIONS", "/v2/bookings", nil, nil)
	if pre.Code != http.StatusNoContent || pre.Header().Get("Access-Control-Allow-Methods") == "" {
		t.Errorf("preflight = %d %v", pre.Code, pre.Header())
	}
	// /api/v2 is rewritten to /v2, and error paths show the rewritten URL.
	rw := f.do(t, "GET", "/api/v2/bookings/nope?x=1", "", nil).expect(t, 404)
	if rw.body["path"] != "/v2/bookings/nope?x=1" {
		t.Errorf("path = %v", rw.body["path"])
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestConfig_ExtraBookings(t *testing.T) {
	f := MustServer(t, Config{ExtraBookings: 300})
	base := MustServer(t, Config{})
	count := func(f *fixture, key string) float64 {
		r := f.do(t, "GET", "/v2/bookings?take=1", key, nil).expect(t, http.StatusOK)
		return r.body["pagination"].(map[string]any)["totalItems"].(float64)
	}
	extra := 0.0
	for i := range f.prof.Users {
		extra += count(f, f.key(i)) - count(base, base.key(i))
	}
	// Every extra booking is organised by one of the fixture users, so each is visible to
	// exactly its organizer (its attendees are outsiders).
	if extra != 300 {
		t.Fatalf("users see %v more bookings, want 300", extra)
	}
}

func TestBookings_Instant(t *testing.T) {
	f := MustServer(t, Config{})
	rr := f.eventType(t, profile.KindRoundRobin)
	body := createBody(rr.ID, slot(9, 11), "now@example.com")
	body["instant"] = true
	d := f.do(t, "POST", "/v2/bookings", "", body).expect(t, http.StatusCreated).data(t)
	host := d["hosts"].([]any)[0].(map[string]any)
	if d["status"] != "awaiting_host" || host["id"] != "unknown" || !strings.HasPrefix(d["title"].(string), "Instant Meeting with ") {
		t.Fatalf("instant booking = %v", d)
	}
	plain := f.eventType(t, profile.KindPlain)
	personal := createBody(plain.ID, slot(9, 12), "now@example.com")
	personal["instant"] = true
	r := f.do(t, "POST", "/v2/bookings", "", personal).expect(t, http.StatusBadRequest)
	if r.errorMessage(t) != "Instant bookings are only supported for team event types, not individual user event types." {
		t.Errorf("instant on a personal event type: %s", r.errorMessage(t))
	}
}

// TestPipeline_Limits: hostile or absurd input gets a clear 4xx in the envelope, never a
// 5xx (issue 5 point 2).
func TestPipeline_Limits(t *testing.T) {
	f := MustServer(t, Config{})
	plain := f.eventType(t, profile.KindPlain)
	lenient := func(t *testing.T, r response, constraint, message string) {
		t.Helper()
		errs := r.body["error"].(map[string]any)["details"].(map[string]any)["errors"].([]any)
		if got := errs[0].(map[string]any)["constraints"].(map[string]any)[constraint]; got != message {
			t.Errorf("constraint %s = %v, want %q", constraint, got, message)
		}
	}
	t.Run("absurd take", func(t *testing.T) {
		lenient(t, f.do(t, "GET", "/v2/bookings?take=100000000000000000000000", f.key(0), nil).expect(t, 400), "max", "take must not be greater than 250")
		lenient(t, f.do(t, "GET", "/v2/bookings?take=ten", f.key(0), nil).expect(t, 400), "isNumber", "take must be a number conforming to the specified constraints")
		lenient(t, f.do(t, "GET", "/v2/bookings?skip=-1", f.key(0), nil).expect(t, 400), "min", "skip must not be less than 0")
	})
	t.Run("absurd skip is an empty page", func(t *testing.T) {
		for _, skip := range []string{"9000000000000", "99999999999999999999999999"} {
			r := f.do(t, "GET", "/v2/bookings?skip="+skip, f.key(0), nil).expect(t, 200)
			if len(r.list(t)) != 0 || r.body["pagination"].(map[string]any)["hasNextPage"] != false {
				t.Errorf("page beyond the end: %s", r.Body.String())
			}
		}
	})
	t.Run("wrong content type is an empty body", func(t *testing.T) {
		r := f.doHeaders(t, "POST", "/v2/bookings", `{"start":"x"}`, map[string]string{"cal-api-version": "2024-08-13", "Content-Type": "text/plain"})
		r.expect(t, 400)
		if !strings.HasPrefix(r.errorMessage(t), "start property is wrong") {
			t.Errorf("message = %q", r.errorMessage(t))
		}
	})
	t.Run("wrong types", func(t *testing.T) {
		r := f.do(t, "POST", "/v2/bookings", "", map[string]any{"start": 5, "eventTypeId": "1", "attendee": "me"}).expect(t, 400)
		for _, want := range []string{"start must be a valid ISO 8601 date string", "eventTypeId must be an integer number", "nested property attendee must be either object or array"} {
			if !strings.Contains(r.errorMessage(t), want) {
				t.Errorf("message %q lacks %q", r.errorMessage(t), want)
			}
		}
	})
	t.Run("unknown enum value", func(t *testing.T) {
		body := createBody(plain.ID, slot(70, 10), "e@example.com")
		body["attendee"].(map[string]any)["language"] = "klingon"
		r := f.do(t, "POST", "/v2/bookings", "", body).expect(t, 400)
		if !strings.Contains(r.errorMessage(t), "language must be one of the following values: ar, ca") {
			t.Errorf("message = %q", r.errorMessage(t))
		}
	})
	t.Run("very long strings are stored as sent", func(t *testing.T) {
		body := createBody(plain.ID, slot(71, 10), "long@example.com")
		body["attendee"].(map[string]any)["name"] = strings.Repeat("n", 50_000)
		d := f.do(t, "POST", "/v2/bookings", "", body).expect(t, 201).data(t)
		if len(d["attendees"].([]any)[0].(map[string]any)["name"].(string)) != 50_000 {
			t.Error("long name not kept")
		}
	})
	t.Run("non-UTF-8 becomes U+FFFD, as in Node's decoder", func(t *testing.T) {
		raw := `{"start":"` + slot(72, 10) + `","eventTypeId":` + itoa(plain.ID) + `,"attendee":{"name":"caf` + "\xe9" + `","email":"u@example.com","timeZone":"UTC"}}`
		d := f.do(t, "POST", "/v2/bookings", "", raw).expect(t, 201).data(t)
		if got := d["attendees"].([]any)[0].(map[string]any)["name"]; got != "caf\uFFFD" {
			t.Errorf("name = %q", got)
		}
	})
	t.Run("deep nesting", func(t *testing.T) {
		raw := `{"metadata":` + strings.Repeat(`{"a":`, 20000) + `1` + strings.Repeat(`}`, 20000) + `}`
		r := f.do(t, "POST", "/v2/bookings", "", raw)
		if r.Code != 400 && r.Code != 413 {
			t.Fatalf("status %d", r.Code)
		}
	})
}

func TestBookings_InvalidGuestEmail(t *testing.T) {
	f := MustServer(t, Config{})
	plain := f.eventType(t, profile.KindPlain)
	body := createBody(plain.ID, slot(11, 9), "host-guest@example.com")
	body["guests"] = []any{"ok@example.com", "not-an-email"}
	r := f.do(t, "POST", "/v2/bookings", "", body).expect(t, http.StatusBadRequest)
	e := r.body["error"].(map[string]any)
	if e["code"] != "BAD_REQUEST" || e["message"] != "responses - {guests}email_validation_error, " {
		t.Errorf("error = %v", e)
	}
	if _, has := e["details"]; has {
		t.Errorf("zod errors have no details: %s", r.Body.String())
	}
	body["guests"] = []any{"ok@example.com"}
	f.do(t, "POST", "/v2/bookings", "", body).expect(t, http.StatusCreated)
}

// TestBookings_ResponsesShownWhole: the store keeps only the answers the output cannot derive
// (booking.storedResponses), so this checks that create, get and list still show every one:
// name and email of the booker, guests, the phone number, and a custom field. The booker's
// own answer for name is overwritten by the attendee's, as Cal.com does.
func TestBookings_ResponsesShownWhole(t *testing.T) {
	f := MustServer(t, Config{})
	plain := f.eventType(t, profile.KindPlain)
	body := createBody(plain.ID, slot(4, 10), "ada@example.com")
	body["attendee"].(map[string]any)["phoneNumber"] = "+393331234567"
	body["guests"] = []any{"g1@example.com", "g2@example.com"}
	body["bookingFieldsResponses"] = map[string]any{"codingLanguage": "Go", "name": "not the attendee"}
	want := map[string]any{
		"name": "Ada Lovelace", "email": "ada@example.com", "guests": []any{"g1@example.com", "g2@example.com"},
		"attendeePhoneNumber": "+393331234567", "codingLanguage": "Go",
	}
	created := f.do(t, "POST", "/v2/bookings", "", body).expect(t, http.StatusCreated).data(t)
	uid, _ := created["uid"].(string)
	got := map[string]map[string]any{"create": created, "get": f.do(t, "GET", "/v2/bookings/"+uid, "", nil).expect(t, http.StatusOK).data(t)}
	for _, b := range f.do(t, "GET", "/v2/bookings?attendeeEmail=ada@example.com", f.key(0), nil).expect(t, http.StatusOK).list(t) {
		if b["uid"] == uid {
			got["list"] = b
		}
	}
	if len(got) != 3 {
		t.Fatalf("booking %s missing from the list", uid)
	}
	for where, b := range got {
		if r := b["bookingFieldsResponses"]; !reflect.DeepEqual(r, want) {
			t.Errorf("%s: bookingFieldsResponses = %v, want %v", where, r, want)
		}
		if m, ok := b["metadata"].(map[string]any); !ok || len(m) != 0 {
			t.Errorf("%s: metadata = %v, want {}", where, b["metadata"])
		}
	}
}

// TestBookings_CancelSeatWithReason: the seated cancel body takes cancellationReason beside
// seatUid (changes-2026 §2.5). The host cancels one seat of two with a reason (the booking
// stays accepted), then the last seat with a reason, which the cancelled booking shows; the
// seated body still refuses other keys and a reason that is not a string.
func TestBookings_CancelSeatWithReason(t *testing.T) {
	f := MustServer(t, Config{})
	seated := f.eventType(t, profile.KindSeated)
	first := f.do(t, "POST", "/v2/bookings", "", createBody(seated.ID, slot(3, 15), "s1@example.com")).expect(t, http.StatusCreated).data(t)
	second := f.do(t, "POST", "/v2/bookings", "", createBody(seated.ID, slot(3, 15), "s2@example.com")).expect(t, http.StatusCreated).data(t)
	cancel := "/v2/bookings/" + first["uid"].(string) + "/cancel"

	wantError(t, f.do(t, "POST", cancel, f.key(0), map[string]any{"seatUid": first["seatUid"], "cancellationReason": 7}),
		http.StatusBadRequest, "BadRequestException", "cancellationReason property is wrong,cancellationReason must be a string ")
	wantError(t, f.do(t, "POST", cancel, f.key(0), map[string]any{"seatUid": first["seatUid"], "cancelSubsequentBookings": true}),
		http.StatusBadRequest, "BadRequestException", "cancelSubsequentBookings property is wrong,property cancelSubsequentBookings should not exist ")

	d := f.do(t, "POST", cancel, f.key(0), map[string]any{"seatUid": first["seatUid"], "cancellationReason": "seat freed"}).expect(t, http.StatusOK).data(t)
	if d["status"] != "accepted" || d["cancellationReason"] != nil {
		t.Errorf("one seat of two: status %v cancellationReason %v, want accepted and none", d["status"], d["cancellationReason"])
	}
	d = f.do(t, "POST", cancel, f.key(0), map[string]any{"seatUid": second["seatUid"], "cancellationReason": "room closed"}).expect(t, http.StatusOK).data(t)
	if d["status"] != "cancelled" || d["cancellationReason"] != "room closed" {
		t.Errorf("last seat: status %v cancellationReason %v, want cancelled and %q", d["status"], d["cancellationReason"], "room closed")
	}
	got := f.do(t, "GET", "/v2/bookings/"+first["uid"].(string), f.key(0), nil).expect(t, http.StatusOK).data(t)
	if got["cancellationReason"] != "room closed" {
		t.Errorf("GET after: cancellationReason %v", got["cancellationReason"])
	}
}
