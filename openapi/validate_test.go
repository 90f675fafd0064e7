package openapi

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// ---------------------------------------------------------------------------------------------
// Representative payloads
// ---------------------------------------------------------------------------------------------

func booking() map[string]any {
	return map[string]any{
		"id": 101, "uid": "2NtaeaVcKfpmSZ4CthFdfk", "title": "Intro between Hana Host and Ada Attendee",
		"description": nil,
		"hosts":       []any{map[string]any{"id": 1, "name": "Hana Host", "email": "hana@example.com", "displayEmail": "hana@example.com", "username": "hana", "timeZone": "Europe/London"}},
		"status":      "accepted", "rescheduledByEmail": nil,
		"start": "2030-01-08T13:00:00.000Z", "end": "2030-01-08T13:30:00.000Z", "duration": 30,
		"eventTypeId": 10, "eventType": map[string]any{"id": 10, "slug": "intro"},
		"meetingUrl": "https://app.cal.com/video/2NtaeaVcKfpmSZ4CthFdfk", "location": "https://app.cal.com/video/2NtaeaVcKfpmSZ4CthFdfk",
		"absentHost": false, "createdAt": "2030-01-01T10:00:00.000Z", "updatedAt": "2030-01-01T10:00:00.000Z",
		"metadata": map[string]any{}, "rating": nil, "icsUid": "2NtaeaVcKfpmSZ4CthFdfk@Cal.com",
		"attendees":              []any{map[string]any{"name": "Ada Attendee", "email": "ada@example.com", "displayEmail": "ada@example.com", "timeZone": "Europe/Paris", "language": "en", "absent": false}},
		"bookingFieldsResponses": map[string]any{"name": "Ada Attendee", "email": "ada@example.com"},
	}
}

func recurring() map[string]any {
	b := booking()
	b["recurringBookingUid"] = "5f0c3b4e-8a1d-4c1e-9d3b-7a6c2e1f0a9b"
	delete(b, "rescheduledByEmail")
	return b
}

func seated() map[string]any {
	b := booking()
	delete(b, "bookingFieldsResponses")
	b["attendees"] = []any{map[string]any{"name": "Ada Attendee", "email": "ada@example.com", "displayEmail": "ada@example.com", "timeZone": "Europe/Paris",
		"language": "en", "absent": false, "seatUid": "0c6f1f1e-1111-4c1e-9d3b-7a6c2e1f0a9b",
		"bookingFieldsResponses": map[string]any{"name": "Ada Attendee"}, "metadata": map[string]any{}}}
	return b
}

func createdSeat() map[string]any {
	b := seated()
	b["seatUid"] = "0c6f1f1e-1111-4c1e-9d3b-7a6c2e1f0a9b"
	return b
}

func with(b map[string]any, kv ...any) map[string]any {
	c := maps.Clone(b)
	for i := 0; i+1 < len(kv); i += 2 {
		c[kv[i].(string)] = kv[i+1]
	}
	return c
}

func ok(data any) any { return map[string]any{"status": "success", "data": data} }

func pagination() map[string]any {
	return map[string]any{"returnedItems": 3, "totalItems": 3, "itemsPerPage": 100, "remainingItems": 0,
		"currentPage": 1, "totalPages": 1, "hasNextPage": false, "hasPreviousPage": false}
}

func reassigned() any {
	return ok(map[string]any{"bookingUid": "2NtaeaVcKfpmSZ4CthFdfk",
		"reassignedTo": map[string]any{"id": 7, "name": "Rob Robin", "email": "rob@example.com"}})
}

// Error envelopes, one per shape (behaviour §4.2).
var (
	errA404 = map[string]any{"status": "error", "timestamp": "2030-01-01T10:00:00.000Z", "path": "/v2/bookings/x",
		"error": map[string]any{"code": "NotFoundException", "message": "Booking with uid=x was not found in the database",
			"details": map[string]any{"message": "Booking with uid=x was not found in the database", "error": "Not Found", "statusCode": 404}}}
	errAValidation = map[string]any{"status": "error", "timestamp": "2030-01-01T10:00:00.000Z", "path": "/v2/bookings?take=0",
		"error": map[string]any{"code": "BadRequestException", "message": "Bad Request Exception",
			"details": map[string]any{"errors": []any{map[string]any{"target": map[string]any{"take": 0}, "value": 0,
				"property": "take", "children": []any{}, "constraints": map[string]any{"min": "take must not be less than 1"}}}}}}
	errA429 = map[string]any{"status": "error", "timestamp": "2030-01-01T10:00:00.000Z", "path": "/v2/bookings",
		"error": map[string]any{"code": "ThrottlerException", "message": "CustomThrottlerGuard - Too many requests. Please try again later.",
			"details": "CustomThrottlerGuard - Too many requests. Please try again later."}}
	errB = map[string]any{"status": "error", "timestamp": "2030-01-01T10:00:00.000Z", "path": "/v2/bookings",
		"error": map[string]any{"code": "BAD_REQUEST", "message": "responses - {guests}email_validation_error, "}}
	errC = map[string]any{"status": "error", "timestamp": "2030-01-01T10:00:00.000Z", "path": "/v2/bookings/x/confirm",
		"error": map[string]any{"code": "TRPCError", "message": "You are not authorized to access this resource"}}
	errE = map[string]any{"statusCode": 400, "message": "Cancellation reason is required when you are the host"}
)

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const uidPath = "/v2/bookings/2NtaeaVcKfpmSZ4CthFdfk"

func newRequest(tb testing.TB, method, target string, body any, auth bool) *http.Request {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = strings.NewReader(string(enc))
	}
	r := httptest.NewRequest(method, target, rd)
	r.Header.Set("cal-api-version", "2024-08-13")
	if rd != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if auth {
		r.Header.Set("Authorization", "Bearer cal_test_key")
	}
	return r
}

func goodHeaders() http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Request-Id", "8f14e45f-ceea-467f-a8d6-1c9f4a3b2e10")
	h.Set("X-RateLimit-Limit-Default", "120")
	h.Set("X-RateLimit-Remaining-Default", "119")
	h.Set("X-RateLimit-Reset-Default", "60")
	h.Set("Access-Control-Allow-Origin", "*")
	return h
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func describe(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString("\n  ")
		b.WriteString(v.String())
	}
	return b.String()
}

func wantClean(tb testing.TB, what string, vs []Violation) {
	tb.Helper()
	if len(vs) != 0 {
		tb.Errorf("%s: want no violations, got %d:%s", what, len(vs), describe(vs))
	}
}

func wantViolation(tb testing.TB, vs []Violation, kind, field string) {
	tb.Helper()
	for _, v := range vs {
		// Header names are case-insensitive, and the validator lower-cases some of them.
		sameField := v.Field == field || (strings.HasSuffix(kind, ".header") && strings.EqualFold(v.Field, field))
		if v.Kind == kind && sameField {
			if v.Operation == "" || v.Reason == "" {
				tb.Errorf("violation %q lacks operation or reason", v.String())
			}
			return
		}
	}
	tb.Errorf("want a %s violation at %s, got %d:%s", kind, field, len(vs), describe(vs))
}

// ---------------------------------------------------------------------------------------------
// Valid traffic for every operation
// ---------------------------------------------------------------------------------------------

type exchange struct {
	name   string
	method string
	target string
	body   any // request body; nil for none
	auth   bool
	status int
	resp   any
}

// The webhook exchanges' bodies: the real output has a uuid id and nulls for what is unset.
const hookID = "8c2f3e4a-5b6c-4d7e-8f90-a1b2c3d4e5f6"

var (
	webhookBody   = map[string]any{"active": true, "subscriberUrl": "https://example.com/hook", "triggers": []any{"BOOKING_CREATED"}, "secret": "s"}
	userHook      = map[string]any{"id": hookID, "payloadTemplate": nil, "triggers": []any{"BOOKING_CREATED"}, "subscriberUrl": "https://example.com/hook", "active": true, "secret": "s", "userId": 1}
	eventTypeHook = map[string]any{"id": hookID, "payloadTemplate": "{}", "triggers": []any{"BOOKING_CREATED"}, "subscriberUrl": "https://example.com/hook", "active": true, "secret": nil, "eventTypeId": 7}
)

var createBody = map[string]any{"start": "2030-01-08T13:00:00Z", "eventTypeId": 10,
	"attendee": map[string]any{"name": "Ada Attendee", "email": "ada@example.com", "timeZone": "Europe/Paris", "language": "fr"}}

func validExchanges() []exchange {
	cancelled := with(booking(), "status", "cancelled", "cancellationReason", nil, "cancelledByEmail", nil)
	return []exchange{
		{"create/regular", "POST", "/v2/bookings", createBody, false, 201, ok(booking())},
		{"create/instant", "POST", "/v2/bookings", with(createBody, "instant", true), true, 201,
			ok(with(booking(), "status", "awaiting_host", "hosts", []any{map[string]any{"id": "unknown", "name": "unknown", "email": "unknown", "displayEmail": "unknown", "username": "unknown"}}))},
		{"create/recurring", "POST", "/v2/bookings", with(createBody, "recurrenceCount", 2), false, 201, ok([]any{recurring(), recurring()})},
		{"create/location+routing", "POST", "/v2/bookings", with(createBody, "location", map[string]any{"type": "address"},
			"routing", map[string]any{"responseId": 5, "teamMemberIds": []any{1, 2}}, "guests", []any{"g@example.com"}, "metadata", map[string]any{"k": "v"}), false, 201, ok(createdSeat())},
		{"list", "GET", "/v2/bookings?status=upcoming&status=past&take=250&skip=0&sortStart=asc&attendeeEmail=ada%40example.com", nil, true, 200,
			map[string]any{"status": "success", "data": []any{booking(), recurring(), seated()}, "pagination": pagination()}},
		{"list/comma-status", "GET", "/v2/bookings?status=upcoming,cancelled", nil, true, 200,
			map[string]any{"status": "success", "data": []any{}, "pagination": pagination()}},
		{"get", "GET", uidPath, nil, false, 200, ok(booking())},
		{"get/series", "GET", uidPath, nil, false, 200, ok([]any{recurring(), recurring()})},
		{"get/empty-attendees", "GET", uidPath, nil, false, 200, ok(with(seated(), "attendees", []any{}))},
		{"get-by-seat", "GET", "/v2/bookings/by-seat/0c6f1f1e-1111-4c1e-9d3b-7a6c2e1f0a9b", nil, false, 200, ok(seated())},
		{"recordings", "GET", uidPath + "/recordings", nil, true, 200, ok([]any{map[string]any{"id": "r1", "roomName": "room", "startTs": 1893456000,
			"status": "finished", "duration": 120, "shareToken": "tok", "downloadLink": nil, "error": "link unavailable"}})},
		{"transcripts", "GET", uidPath + "/transcripts", nil, true, 200, ok([]any{"https://example.com/t.vtt"})},
		{"reschedule", "POST", uidPath + "/reschedule", map[string]any{"start": "2030-01-09T13:00:00Z", "reschedulingReason": "clash", "rescheduledBy": "ada@example.com"}, false, 201,
			ok(with(booking(), "rescheduledFromUid", "old", "reschedulingReason", "clash"))},
		{"reschedule/seated", "POST", uidPath + "/reschedule", map[string]any{"start": "2030-01-09T13:00:00Z", "seatUid": "s1"}, false, 201, ok(createdSeat())},
		{"cancel", "POST", uidPath + "/cancel", map[string]any{"cancellationReason": "ill"}, true, 200, ok(with(cancelled, "cancellationReason", "ill"))},
		{"cancel/no-body", "POST", uidPath + "/cancel", nil, false, 200, ok(cancelled)},
		{"cancel/seat", "POST", uidPath + "/cancel", map[string]any{"seatUid": "s1"}, false, 200, ok(seated())},
		{"cancel/series", "POST", uidPath + "/cancel", map[string]any{"cancelSubsequentBookings": true}, false, 200, ok([]any{recurring()})},
		{"mark-absent", "POST", uidPath + "/mark-absent", map[string]any{"host": true, "attendees": []any{map[string]any{"email": "ada@example.com", "absent": true}}}, true, 200,
			ok(with(booking(), "absentHost", true))},
		{"reassign", "POST", uidPath + "/reassign", nil, true, 200, reassigned()},
		{"reassign-to-user", "POST", uidPath + "/reassign/7", map[string]any{"reason": "holiday"}, true, 200, reassigned()},
		{"confirm", "POST", uidPath + "/confirm", nil, true, 200, ok(booking())},
		{"decline", "POST", uidPath + "/decline", map[string]any{"reason": "busy"}, true, 200, ok(with(booking(), "status", "rejected"))},
		{"calendar-links", "GET", uidPath + "/calendar-links", nil, true, 200, ok([]any{
			map[string]any{"label": "Google Calendar", "id": "googleCalendar", "link": "https://calendar.google.com/calendar/r/eventedit"},
			map[string]any{"label": "ICS", "id": "ics", "link": "data:text/calendar,BEGIN"}})},
		{"references", "GET", uidPath + "/references?type=google_calendar", nil, true, 200, ok([]any{
			map[string]any{"type": "google_calendar", "eventUid": "evt", "destinationCalendarId": nil, "id": 3}})},
		{"attendees", "GET", uidPath + "/attendees", nil, true, 200, ok([]any{attendeeWithID()})},
		{"attendee", "GET", uidPath + "/attendees/251", nil, true, 200, ok(attendeeWithID())},
		{"attendee/add", "POST", uidPath + "/attendees", map[string]any{"email": "h@example.com", "name": "Hal", "timeZone": "UTC", "language": "it"}, true, 201,
			ok(with(attendeeWithID(), "bookingId", 313))},
		{"attendee/remove", "DELETE", uidPath + "/attendees/251", nil, true, 200,
			ok(map[string]any{"id": 251, "bookingId": 313, "name": "Hal", "email": "h@example.com", "timeZone": "UTC"})},
		{"guests", "POST", uidPath + "/guests", map[string]any{"guests": []any{map[string]any{"email": "g@example.com"}}}, true, 200, ok(booking())},
		{"conferencing-sessions", "GET", uidPath + "/conferencing-sessions", nil, true, 200, ok([]any{meetingSession()})},
		{"conferencing-sessions/none", "GET", uidPath + "/conferencing-sessions", nil, true, 200, ok([]any{})},
		{"routing-trace", "GET", uidPath + "/routing-trace", nil, true, 200, ok(map[string]any{"steps": []any{}, "groups": []any{}})},
		{"request-reschedule", "POST", uidPath + "/request-reschedule", map[string]any{"rescheduleReason": "moved"}, true, 200, map[string]any{"status": "success"}},
		{"location", "PATCH", uidPath + "/location", map[string]any{"location": map[string]any{"type": "link", "link": "https://meet.example.com/a"}}, true, 200, ok(booking())},
		{"webhook/create", "POST", "/v2/webhooks", webhookBody, true, 201, ok(userHook)},
		{"webhook/list", "GET", "/v2/webhooks?take=10&skip=0", nil, true, 200, ok([]any{userHook})},
		{"webhook/get", "GET", "/v2/webhooks/" + hookID, nil, true, 200, ok(userHook)},
		{"webhook/update", "PATCH", "/v2/webhooks/" + hookID, map[string]any{"active": false}, true, 200, ok(userHook)},
		{"webhook/delete", "DELETE", "/v2/webhooks/" + hookID, nil, true, 200, ok(userHook)},
		{"event-type-webhook/create", "POST", "/v2/event-types/7/webhooks", webhookBody, true, 201, ok(eventTypeHook)},
		{"event-type-webhook/list", "GET", "/v2/event-types/7/webhooks", nil, true, 200, ok([]any{eventTypeHook})},
		{"event-type-webhook/get", "GET", "/v2/event-types/7/webhooks/" + hookID, nil, true, 200, ok(eventTypeHook)},
		{"event-type-webhook/update", "PATCH", "/v2/event-types/7/webhooks/" + hookID, map[string]any{"triggers": []any{"BOOKING_CANCELLED"}}, true, 200, ok(eventTypeHook)},
		{"event-type-webhook/delete", "DELETE", "/v2/event-types/7/webhooks/" + hookID, nil, true, 200, ok(eventTypeHook)},
		{"event-type-webhook/delete-all", "DELETE", "/v2/event-types/7/webhooks", nil, true, 200, ok("2 webhooks deleted")},
		// The discovery reads.
		{"me", "GET", "/v2/me", nil, true, 200, ok(map[string]any{"id": 1, "username": "hana", "email": "hana@example.com", "timeFormat": 12,
			"defaultScheduleId": nil, "weekStart": "Sunday", "timeZone": "Europe/London", "organizationId": nil})},
		{"event-types", "GET", "/v2/event-types?eventSlug=intro&username=hana", nil, false, 200, ok([]any{eventTypeOut(), eventTypeOut("seatsPerTimeSlot", 3,
			"seats", map[string]any{"seatsPerTimeSlot": 3, "showAttendeeInfo": false, "showAvailabilityCount": true},
			"recurrence", map[string]any{"interval": 1, "occurrences": 3, "frequency": "weekly"}, "lengthInMinutesOptions", []any{15, 30})})},
		{"teams", "GET", "/v2/teams", nil, true, 200, ok([]any{map[string]any{"id": 1, "name": "Doe Consulting", "slug": "doe-consulting", "isOrganization": false}})},
		{"team-event-types", "GET", "/v2/teams/1/event-types?hostsLimit=2", nil, true, 200, ok([]any{teamEventTypeOut()})},
		// Error responses in each envelope shape.
		{"error/A-404", "GET", uidPath, nil, false, 404, errA404},
		{"error/A-validation", "GET", "/v2/bookings", nil, true, 400, errAValidation},
		{"error/A-429", "POST", "/v2/bookings", createBody, false, 429, errA429},
		{"error/B-zod", "POST", "/v2/bookings", createBody, false, 400, errB},
		{"error/C-trpc", "POST", uidPath + "/confirm", nil, true, 401, errC},
		{"error/E-bare", "POST", uidPath + "/cancel", nil, true, 400, errE},
		{"error/A-409", "POST", "/v2/bookings", createBody, false, 409, with(errA404, "error", map[string]any{"code": "ConflictException",
			"message": "No more seats left at this seated booking.", "details": map[string]any{"message": "No more seats left at this seated booking.", "error": "Conflict", "statusCode": 409}})},
	}
}

// eventTypeOut is a personal event type in the 2024-06-14 output shape, with kv laid over.
func eventTypeOut(kv ...any) map[string]any {
	return with(map[string]any{
		"id": 10, "lengthInMinutes": 30, "title": "Intro", "slug": "intro", "description": "",
		"locations":     []any{map[string]any{"type": "integration", "integration": "cal-video"}, map[string]any{"type": "address", "address": "1 Road", "public": true}},
		"bookingFields": []any{}, "disableGuests": false, "slotInterval": nil, "minimumBookingNotice": 0, "beforeEventBuffer": 0, "afterEventBuffer": 0,
		"recurrence": nil, "metadata": map[string]any{}, "price": 0, "currency": "usd", "lockTimeZoneToggleOnBookingPage": false,
		"seatsPerTimeSlot": nil, "forwardParamsSuccessRedirect": true, "successRedirectUrl": nil, "isInstantEvent": false,
		"seatsShowAvailabilityCount": nil, "scheduleId": nil, "confirmationPolicy": map[string]any{"disabled": true},
		"hidden": false, "bookingRequiresAuthentication": false, "ownerId": 1,
		"users": []any{map[string]any{"id": 1, "name": "Hana Host", "username": "hana"}},
	}, kv...)
}

// teamEventTypeOut is a round-robin team event type in the 2024-06-14 output shape.
func teamEventTypeOut() map[string]any {
	et := eventTypeOut("ownerId", nil, "teamId", 1, "schedulingType", "roundRobin",
		"hosts", []any{map[string]any{"userId": 1, "name": "Hana Host", "username": "hana"}, map[string]any{"userId": 3, "name": nil, "username": "kim"}},
		"team", map[string]any{"id": 1, "slug": "doe-consulting", "name": "Doe Consulting", "bannerUrl": nil, "logoUrl": nil,
			"weekStart": "Sunday", "brandColor": nil, "darkBrandColor": nil, "theme": nil})
	delete(et, "users")
	return et
}

// versionExchanges are valid exchanges of the operations of other cal-api-versions.
func versionExchanges() map[string][]exchange {
	cursorPage := func(next any) map[string]any {
		return map[string]any{"status": "success", "data": []any{booking(), recurring(), seated()},
			"pagination": map[string]any{"nextCursor": next, "hasMore": next != nil}}
	}
	return map[string][]exchange{
		"2026-05-01": {
			{"list", "GET", "/v2/bookings?status=past&limit=100&attendeeEmail=ada%40example.com", nil, true, 200, cursorPage("eyJ2IjoxfQ")},
			{"list/last-page", "GET", "/v2/bookings?cursor=eyJ2IjoxfQ&sortCreated=desc", nil, true, 200, cursorPage(nil)},
		},
	}
}

// TestValidate_VersionDocuments: a request whose cal-api-version has a document of its own
// for the method and path is checked against that one, any other against the main one.
func TestValidate_VersionDocuments(t *testing.T) {
	d := MustEmbedded(t)
	req := func(version, target string) *http.Request {
		r := newRequest(t, "GET", target, nil, true)
		r.Header.Set("cal-api-version", version)
		return r
	}
	if op, _ := d.FindOperation(req("2026-05-01", "/v2/bookings")); op.OperationID != "BookingsController_2026_05_01_getBookings" {
		t.Errorf("2026-05-01 list is %q", op.OperationID)
	}
	if op, _ := d.FindOperation(req("2024-08-13", "/v2/bookings")); op.OperationID != "BookingsController_2024_08_13_getBookings" {
		t.Errorf("2024-08-13 list is %q", op.OperationID)
	}
	// A path the version's document lacks is the main document's.
	if op, _ := d.FindOperation(req("2026-05-01", uidPath)); op.OperationID != "BookingsController_2024_08_13_getBooking" {
		t.Errorf("2026-05-01 get is %q", op.OperationID)
	}
	wantViolation(t, d.ValidateRequest(req("2026-05-01", "/v2/bookings?limit=101")), KindRequestQuery, "limit")
	wantViolation(t, d.ValidateRequest(req("2026-05-01", "/v2/bookings?status=sometime")), KindRequestQuery, "status")
	wantClean(t, "2024-08-13 take", d.ValidateRequest(req("2024-08-13", "/v2/bookings?take=101")))
	// Each version's response shape is refused under the other version.
	takeSkip := mustJSON(t, map[string]any{"status": "success", "data": []any{}, "pagination": pagination()})
	cursor := mustJSON(t, map[string]any{"status": "success", "data": []any{}, "pagination": map[string]any{"nextCursor": nil, "hasMore": false}})
	wantClean(t, "2026-05-01 page", d.ValidateResponse(req("2026-05-01", "/v2/bookings"), 200, goodHeaders(), cursor))
	if vs := d.ValidateResponse(req("2026-05-01", "/v2/bookings"), 200, goodHeaders(), takeSkip); len(vs) == 0 {
		t.Error("a take/skip page passes as a 2026-05-01 answer")
	}
	if vs := d.ValidateResponse(req("2024-08-13", "/v2/bookings"), 200, goodHeaders(), cursor); len(vs) == 0 {
		t.Error("a cursor page passes as a 2024-08-13 answer")
	}
}

func TestValidate_ValidTraffic(t *testing.T) {
	d := MustEmbedded(t)
	covered := map[string]bool{}
	for _, ex := range validExchanges() {
		t.Run(ex.name, func(t *testing.T) {
			r := newRequest(t, ex.method, ex.target, ex.body, ex.auth)
			op, found := d.FindOperation(r)
			if !found {
				t.Fatalf("no operation for %s %s", ex.method, ex.target)
			}
			covered[op.OperationID] = true
			wantClean(t, "request", d.ValidateRequest(r))
			wantClean(t, "response", d.ValidateResponse(r, ex.status, goodHeaders(), mustJSON(t, ex.resp)))
		})
	}
	// Exchanges of the other versions' documents (x-calmock-versions).
	for version, exs := range versionExchanges() {
		for _, ex := range exs {
			t.Run(version+"/"+ex.name, func(t *testing.T) {
				r := newRequest(t, ex.method, ex.target, ex.body, ex.auth)
				r.Header.Set("cal-api-version", version)
				op, found := d.FindOperation(r)
				if !found {
					t.Fatalf("no operation for %s %s", ex.method, ex.target)
				}
				covered[op.OperationID] = true
				wantClean(t, "request", d.ValidateRequest(r))
				wantClean(t, "response", d.ValidateResponse(r, ex.status, goodHeaders(), mustJSON(t, ex.resp)))
			})
		}
	}
	for _, op := range d.Operations() {
		if !covered[op.OperationID] {
			t.Errorf("operation %s has no valid exchange in the table", op.OperationID)
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Broken traffic
// ---------------------------------------------------------------------------------------------

func TestValidate_BrokenRequests(t *testing.T) {
	d := MustEmbedded(t)
	tests := []struct {
		name            string
		method, target  string
		body            any
		auth            bool
		dropHeader      string
		wantKind, field string
	}{
		{"missing start", "POST", "/v2/bookings", map[string]any{"eventTypeId": 10, "attendee": createBody["attendee"]}, false, "", KindRequestBody, "$.start"},
		{"missing attendee", "POST", "/v2/bookings", map[string]any{"start": "2030-01-08T13:00:00Z"}, false, "", KindRequestBody, "$.attendee"},
		{"wrong type", "POST", "/v2/bookings", with(createBody, "eventTypeId", "ten"), false, "", KindRequestBody, "$.eventTypeId"},
		{"bad enum", "POST", "/v2/bookings", with(createBody, "attendee", map[string]any{"name": "A", "timeZone": "UTC", "language": "klingon"}), false, "", KindRequestBody, "$.attendee.language"},
		{"routing without responseId", "POST", "/v2/bookings", with(createBody, "routing", map[string]any{"teamMemberIds": []any{1}}), false, "", KindRequestBody, "$.routing.responseId"},
		{"reschedule without start", "POST", uidPath + "/reschedule", map[string]any{"seatUid": "s1"}, false, "", KindRequestBody, "$.start"},
		{"mark-absent wrong type", "POST", uidPath + "/mark-absent", map[string]any{"host": "yes"}, true, "", KindRequestBody, "$.host"},
		{"take below 1", "GET", "/v2/bookings?take=0", nil, true, "", KindRequestQuery, "take"},
		{"take above 250", "GET", "/v2/bookings?take=251", nil, true, "", KindRequestQuery, "take"},
		{"take not a number", "GET", "/v2/bookings?take=abc", nil, true, "", KindRequestQuery, "take"},
		{"bad sort", "GET", "/v2/bookings?sortStart=up", nil, true, "", KindRequestQuery, "sortStart"},
		{"bad status", "GET", "/v2/bookings?status=soon", nil, true, "", KindRequestQuery, "status"},
		{"bad reference type", "GET", uidPath + "/references?type=teams", nil, true, "", KindRequestQuery, "type"},
		{"missing version header", "GET", uidPath, nil, false, "cal-api-version", KindRequestHeader, "cal-api-version"},
		{"missing Authorization", "GET", "/v2/bookings", nil, false, "", KindRequestHeader, "Authorization"},
		{"unknown query parameter", "GET", "/v2/bookings?tkae=5", nil, true, "", KindRequestQuery, "tkae"},
		{"unknown query parameter on a path without any", "GET", uidPath + "?verbose=1", nil, true, "", KindRequestQuery, "verbose"},
		{"unknown method", "DELETE", uidPath, nil, false, "", KindPath, uidPath},
		{"unknown path", "GET", "/v2/nope", nil, false, "", KindPath, "/v2/nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRequest(t, tc.method, tc.target, tc.body, tc.auth)
			if tc.dropHeader != "" {
				r.Header.Del(tc.dropHeader)
			}
			wantViolation(t, d.ValidateRequest(r), tc.wantKind, tc.field)
		})
	}
}

// TestValidate_BracketedArrayIsDeclared: status[]=… (qs, axios) names the declared status,
// so it is not reported as an unknown parameter.
func TestValidate_BracketedArrayIsDeclared(t *testing.T) {
	d := MustEmbedded(t)
	for _, target := range []string{"/v2/bookings?status[]=upcoming", "/v2/bookings?status[0]=past&take=5"} {
		for _, v := range d.ValidateRequest(newRequest(t, "GET", target, nil, true)) {
			if v.Reason == "query parameter not in the document (the real API ignores it)" {
				t.Errorf("%s: %s", target, v)
			}
		}
	}
}

func TestValidate_BrokenResponses(t *testing.T) {
	d := MustEmbedded(t)
	noStatus := map[string]any{"data": booking()}
	tests := []struct {
		name            string
		method, target  string
		status          int
		resp            any
		header          func(http.Header)
		wantKind, field string
	}{
		{"missing envelope status", "GET", uidPath, 200, noStatus, nil, KindResponseBody, "$.status"},
		{"bad envelope status", "GET", uidPath, 200, map[string]any{"status": "ok", "data": booking()}, nil, KindResponseBody, "$.status"},
		{"bad booking status", "GET", uidPath, 200, ok(with(booking(), "status", "done")), nil, KindResponseBody, "$.data.status"},
		{"booking missing uid", "GET", uidPath, 200, ok(func() map[string]any { b := booking(); delete(b, "uid"); return b }()), nil, KindResponseBody, "$.data.uid"},
		{"wrong type", "GET", uidPath, 200, ok(with(booking(), "duration", "30")), nil, KindResponseBody, "$.data.duration"},
		{"list without pagination", "GET", "/v2/bookings", 200, ok([]any{}), nil, KindResponseBody, "$.pagination"},
		{"reassign without reassignedTo", "POST", uidPath + "/reassign", 200, ok(map[string]any{"bookingUid": "x"}), nil, KindResponseBody, "$.data.reassignedTo"},
		{"calendar link status object", "GET", uidPath + "/calendar-links", 200, map[string]any{"status": map[string]any{}, "data": []any{}}, nil, KindResponseBody, "$.status"},
		{"error without error object", "GET", uidPath, 404, map[string]any{"status": "error"}, nil, KindResponseBody, "$.error"},
		{"missing X-Request-Id", "GET", uidPath, 200, ok(booking()), func(h http.Header) { h.Del("X-Request-Id") }, KindResponseHeader, "X-Request-Id"},
		{"rate limit not integer", "GET", uidPath, 200, ok(booking()), func(h http.Header) { h.Set("X-RateLimit-Remaining-Default", "lots") }, KindResponseHeader, "X-RateLimit-Remaining-Default"},
		{"wrong content type", "GET", uidPath, 200, ok(booking()), func(h http.Header) { h.Set("Content-Type", "text/html") }, KindResponseBody, "Content-Type"},
		{"undocumented status", "GET", uidPath, 418, ok(booking()), nil, KindResponseStatus, "status"},
		{"201 where 200 is documented", "GET", uidPath, 201, ok(booking()), nil, KindResponseStatus, "status"},
		{"session participant id a number", "GET", uidPath + "/conferencing-sessions", 200,
			ok([]any{with(meetingSession(), "participants", []any{map[string]any{"userId": 1, "userName": nil, "joinTime": 1, "duration": 1}})}), nil, KindResponseBody, "$.data[0].participants[0].userId"},
		{"routing trace without groups", "GET", uidPath + "/routing-trace", 200, ok(map[string]any{"steps": []any{}}), nil, KindResponseBody, "$.data.groups"},
		{"409 only documented on create", "GET", uidPath, 409, errA404, nil, KindResponseStatus, "status"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRequest(t, tc.method, tc.target, nil, true)
			h := goodHeaders()
			if tc.header != nil {
				tc.header(h)
			}
			wantViolation(t, d.ValidateResponse(r, tc.status, h, mustJSON(t, tc.resp)), tc.wantKind, tc.field)
		})
	}
}

func TestValidate_CollapsesDuplicates(t *testing.T) {
	d := MustEmbedded(t)
	// A wrong start type fails in each of the three anyOf branches of the create body.
	r := newRequest(t, "POST", "/v2/bookings", with(createBody, "start", 5), false)
	n := 0
	for _, v := range d.ValidateRequest(r) {
		if v.Field == "$.start" {
			n++
			if v.Expected != "string" || v.Got != "number" {
				t.Errorf("Expected/Got = %q/%q, want string/number", v.Expected, v.Got)
			}
			if v.SpecLine == 0 {
				t.Error("SpecLine = 0, want the schema's line in bookings.yaml")
			}
		}
	}
	if n != 1 {
		t.Errorf("got %d violations for $.start, want 1 (one per branch must collapse)", n)
	}
}

func TestValidateRequest_KeepsBody(t *testing.T) {
	d := MustEmbedded(t)
	body := string(mustJSON(t, createBody))
	r := newRequest(t, "POST", "/v2/bookings", body, false)
	wantClean(t, "request", d.ValidateRequest(r))
	got, err := io.ReadAll(r.Body)
	if err != nil || string(got) != body {
		t.Fatalf("body after validation = %q, %v; want the original %q", got, err, body)
	}
}

func TestValidateResponse_OfficialIgnoresUndocumentedErrors(t *testing.T) {
	d := MustOfficial(t)
	r := newRequest(t, "GET", uidPath, nil, false)
	wantClean(t, "404 on official document", d.ValidateResponse(r, 404, goodHeaders(), mustJSON(t, errA404)))
	wantViolation(t, d.ValidateResponse(r, 201, goodHeaders(), mustJSON(t, ok(booking()))), KindResponseStatus, "status")
}

// officialSafe removes the values the official document wrongly forbids (nulls), so that
// the payload tests the oneOf patch and nothing else.
func officialSafe(b map[string]any) map[string]any {
	b = with(b, "description", "notes", "rating", 4)
	delete(b, "rescheduledByEmail")
	return b
}

func TestOfficial_AcceptsValidTrafficAfterPatch(t *testing.T) {
	d := MustOfficial(t)
	r := newRequest(t, "POST", "/v2/bookings", createBody, false)
	wantClean(t, "official create request", d.ValidateRequest(r))
	wantClean(t, "official create request with location", d.ValidateRequest(newRequest(t, "POST", "/v2/bookings",
		with(createBody, "location", map[string]any{"type": "address"}), false)))
	g := newRequest(t, "GET", uidPath, nil, false)
	wantClean(t, "official recurring GET response", d.ValidateResponse(g, 200, goodHeaders(),
		mustJSON(t, ok([]any{officialSafe(recurring()), officialSafe(recurring())}))))
	wantClean(t, "official single recurring GET response", d.ValidateResponse(g, 200, goodHeaders(),
		mustJSON(t, ok(officialSafe(recurring())))))
}

func TestOfficial_UnpatchedRejectsValidCreate(t *testing.T) {
	path := officialPath(t) // skips when absent
	raw := mustReadOfficialPrunedOnly(t, path)
	d, err := build(path+" (pruned only)", raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	// With an object location, the body matches several of the eight overlapping location
	// branches, so oneOf fails although the body is valid.
	body := with(createBody, "location", map[string]any{"type": "address"})
	vs := d.ValidateRequest(newRequest(t, "POST", "/v2/bookings", body, false))
	if len(vs) == 0 {
		t.Fatal("the unpatched official document accepted a valid create body; is the oneOf patch still needed?")
	}
}

// mustReadOfficialPrunedOnly applies only the path pruning (to keep the validator cheap), not
// the oneOf rename, to show what the rename fixes.
func mustReadOfficialPrunedOnly(tb testing.TB, path string) []byte {
	tb.Helper()
	root := readJSONMap(tb, path)
	paths := root["paths"].(map[string]any)
	for p := range paths {
		if !keptPath(p) {
			delete(paths, p)
		}
	}
	return mustJSON(tb, root)
}

func TestValidate_Concurrent(t *testing.T) {
	d, err := Load("") // a fresh document: its validator is built by the racing goroutines
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := createBody
			if i%2 == 1 {
				body = with(createBody, "start", 1)
			}
			r := newRequest(t, "POST", "/v2/bookings", body, false)
			vs := d.ValidateRequest(r)
			if (i%2 == 1) != (len(vs) > 0) {
				errs <- describe(vs)
			}
			g := newRequest(t, "GET", uidPath, nil, false)
			if vs := d.ValidateResponse(g, 200, goodHeaders(), mustJSON(t, ok(booking()))); len(vs) > 0 {
				errs <- describe(vs)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("unexpected result under concurrency:%s", e)
	}
}

// attendeeWithID is one item of the attendee endpoints (BookingAttendeeWithId_2024_08_13).
func attendeeWithID() map[string]any {
	return map[string]any{"name": "Hal", "email": "h@example.com", "displayEmail": "h@example.com", "timeZone": "UTC",
		"language": "it", "absent": false, "id": 251}
}

// meetingSession is one item of the conferencing-sessions endpoint (CalMeetingSession), with a
// signed-in host and a guest (null userId).
func meetingSession() map[string]any {
	return map[string]any{"id": "5b0c6f1e-0d4a-5c1e-9a3b-2f6d7e8a9b0c", "room": "room-abc", "startTime": 1893488400, "duration": 1800,
		"ongoing": false, "maxParticipants": 2, "participants": []any{
			map[string]any{"userId": "1", "userName": "Alice Host", "joinTime": 1893488400, "duration": 1800},
			map[string]any{"userId": nil, "userName": "Gina", "joinTime": 1893488400, "duration": 1800}}}
}
