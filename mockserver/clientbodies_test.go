package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// The JSON bodies real clients write for the same request. JavaScript clients (fetch, axios,
// the generated SDKs) drop undefined properties and write numbers as numbers; Python's
// json.dumps writes None as null and a float id as 12.0; Go's encoding/json writes nil
// pointers as null and time.Time as RFC 3339; Python's str(datetime) puts a space for the
// "T". What the real API makes of them: the create, reschedule and cancel pipes
// (plainToClass without conversion, then validateSync with forbidNonWhitelisted) and the
// global ValidationPipe (transform: true, no implicit conversion) for mark-absent, decline
// and reassign; IsOptional lets null through like a missing property, IsInt takes any JSON
// number without a fraction, IsDateString and IsISO8601 are validator.js's isISO8601.

// decodeBodyText decodes a JSON body as readJSONBody does (numbers kept as json.Number).
func decodeBodyText(t *testing.T, text string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.UseNumber()
	var body map[string]any
	if err := dec.Decode(&body); err != nil {
		t.Fatalf("test body %s: %v", text, err)
	}
	return body
}

// strictMessage returns the strict pipes' message of err ("" when err is no 400).
func strictMessage(t *testing.T, what string, err error) string {
	t.Helper()
	ae, ok := err.(*apiError)
	if !ok || ae.status != http.StatusBadRequest {
		t.Errorf("%s: error %v (%T), want a 400", what, err, err)
		return ""
	}
	return ae.message
}

const (
	attendeeJSON = `"attendee": {"name": "Ada Lovelace", "email": "ada@example.com", "timeZone": "Europe/London"}`
	startJSON    = `"start": "2030-03-10T10:00:00.000Z"`
)

// Every client's form of a create body reads as the same domain input as the JavaScript one.
func TestClientBodiesCreateSameInput(t *testing.T) {
	want, err := decodeCreate(decodeBodyText(t, `{`+startJSON+`, "eventTypeId": 12, `+attendeeJSON+`}`))
	if err != nil {
		t.Fatalf("the JavaScript body is refused: %v", err)
	}
	bySlug, err := decodeCreate(decodeBodyText(t, `{`+startJSON+`, "eventTypeSlug": "intro", "username": "ada", `+attendeeJSON+`}`))
	if err != nil {
		t.Fatalf("the JavaScript slug body is refused: %v", err)
	}
	for _, tc := range []struct{ client, body string }{
		{"Python float id", `{` + startJSON + `, "eventTypeId": 12.0, ` + attendeeJSON + `}`},
		{"an exponent", `{` + startJSON + `, "eventTypeId": 1.2e1, ` + attendeeJSON + `}`},
		{"Go time.Time", `{"start": "2030-03-10T10:00:00Z", "eventTypeId": 12, ` + attendeeJSON + `}`},
		{"Python isoformat, aware", `{"start": "2030-03-10T10:00:00+00:00", "eventTypeId": 12, ` + attendeeJSON + `}`},
		{"Python isoformat, naive (UTC)", `{"start": "2030-03-10T10:00:00", "eventTypeId": 12, ` + attendeeJSON + `}`},
		{"Python str(datetime)", `{"start": "2030-03-10 10:00:00+00:00", "eventTypeId": 12, ` + attendeeJSON + `}`},
		{"another offset", `{"start": "2030-03-10T11:00:00+01:00", "eventTypeId": 12, ` + attendeeJSON + `}`},
		{"the default language written out", `{` + startJSON + `, "eventTypeId": 12, "attendee": {"name": "Ada Lovelace", "email": "ada@example.com", "timeZone": "Europe/London", "language": "en"}}`},
		{"an empty guest list", `{` + startJSON + `, "eventTypeId": 12, "guests": [], ` + attendeeJSON + `}`},
		{"Python None / Go nil for every optional", `{` + startJSON + `, "eventTypeId": 12, "eventTypeSlug": null, "username": null,
			"teamSlug": null, "organizationSlug": null, "guests": null, "meetingUrl": null, "location": null, "metadata": null,
			"bookingFieldsResponses": null, "lengthInMinutes": null, "routing": null, "emailVerificationCode": null,
			"attendee": {"name": "Ada Lovelace", "email": "ada@example.com", "timeZone": "Europe/London", "phoneNumber": null, "language": null}}`},
		// The key selects the recurring variant; its null count is then optional.
		{"recurrenceCount null", `{` + startJSON + `, "eventTypeId": 12, "recurrenceCount": null, ` + attendeeJSON + `}`},
	} {
		got, err := decodeCreate(decodeBodyText(t, tc.body))
		if err != nil {
			t.Errorf("%s: refused: %v", tc.client, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: input %+v, want %+v", tc.client, got, want)
		}
	}
	got, err := decodeCreate(decodeBodyText(t, `{`+startJSON+`, "eventTypeSlug": "intro", "username": "ada", "organizationSlug": null, "eventTypeId": null, `+attendeeJSON+`}`))
	if err != nil || !reflect.DeepEqual(got, bySlug) {
		t.Errorf("slug body with nulls: input %+v, err %v; want %+v", got, err, bySlug)
	}
}

// The create bodies the real pipe refuses get its message, character for character.
func TestClientBodiesCreateRefused(t *testing.T) {
	identification := "eventTypeId or eventTypeSlug + username property is wrong," + msgIdentification + " "
	for _, tc := range []struct{ client, fields, want string }{
		{"id as a string (form-minded clients)", `"eventTypeId": "12"`, "eventTypeId property is wrong,eventTypeId must be an integer number "},
		{"a fractional id", `"eventTypeId": 12.5`, "eventTypeId property is wrong,eventTypeId must be an integer number "},
		// IsInt passes 0; the identification check reads it as JavaScript's false.
		{"Go zero id", `"eventTypeId": 0`, identification},
		{"empty slug", `"eventTypeSlug": "", "username": "ada"`, identification},
		{"length as a string", `"eventTypeId": 12, "lengthInMinutes": "30"`, "lengthInMinutes property is wrong,lengthInMinutes must not be less than 1, lengthInMinutes must be an integer number "},
		{"Go zero length", `"eventTypeId": 12, "lengthInMinutes": 0`, "lengthInMinutes property is wrong,lengthInMinutes must not be less than 1 "},
		{"a fractional length", `"eventTypeId": 12, "lengthInMinutes": 1.5`, "lengthInMinutes property is wrong,lengthInMinutes must be an integer number "},
		{"count as a string", `"eventTypeId": 12, "recurrenceCount": "3"`, "recurrenceCount property is wrong,recurrenceCount must not be less than 1, recurrenceCount must be an integer number "},
		// Only instant === true selects the instant variant; else instant is unknown.
		{"instant as a string", `"eventTypeId": 12, "instant": "true"`, "instant property is wrong,property instant should not exist "},
		{"instant false", `"eventTypeId": 12, "instant": false`, "instant property is wrong,property instant should not exist "},
		{"one guest as a string", `"eventTypeId": 12, "guests": "guest@example.com"`, "guests property is wrong,guests must be an array "},
		{"guests not strings", `"eventTypeId": 12, "guests": [1]`, "guests property is wrong,each value in guests must be a string "},
	} {
		body := decodeBodyText(t, `{`+startJSON+`, `+tc.fields+`, `+attendeeJSON+`}`)
		_, err := decodeCreate(body)
		if got := strictMessage(t, tc.client, err); got != tc.want {
			t.Errorf("%s: message\n%q\nwant\n%q", tc.client, got, tc.want)
		}
	}
	_, err := decodeCreate(decodeBodyText(t, `{"start": 1899972000, "eventTypeId": 12, `+attendeeJSON+`}`))
	if got, want := strictMessage(t, "Unix time start", err), "start property is wrong,start must be a valid ISO 8601 date string "; got != want {
		t.Errorf("Unix time start: message %q, want %q", got, want)
	}
}

// Reschedule and cancel bodies: nulls are missing properties, strings are not booleans.
func TestClientBodiesRescheduleCancel(t *testing.T) {
	want, err := decodeReschedule(decodeBodyText(t, `{`+startJSON+`, "reschedulingReason": "conflict"}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{
		`{"start": "2030-03-10 10:00:00", "reschedulingReason": "conflict"}`,
		`{"start": "2030-03-10T10:00:00+00:00", "reschedulingReason": "conflict", "rescheduledBy": null, "emailVerificationCode": null}`,
	} {
		if got, err := decodeReschedule(decodeBodyText(t, text)); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("reschedule %s: input %+v, err %v; want %+v", text, got, err, want)
		}
	}
	cancelWant, _ := decodeCancel(map[string]any{})
	for _, text := range []string{`{}`, `{"cancellationReason": null}`, `{"cancellationReason": null, "cancelSubsequentBookings": null}`} {
		if got, err := decodeCancel(decodeBodyText(t, text)); err != nil || !reflect.DeepEqual(got, cancelWant) {
			t.Errorf("cancel %s: input %+v, err %v; want %+v", text, got, err, cancelWant)
		}
	}
	seatWant, _ := decodeCancel(map[string]any{"seatUid": "seat-1"})
	if got, err := decodeCancel(decodeBodyText(t, `{"seatUid": "seat-1", "cancellationReason": null}`)); err != nil || !reflect.DeepEqual(got, seatWant) {
		t.Errorf("seated cancel with a null reason: input %+v, err %v; want %+v", got, err, seatWant)
	}
	for _, tc := range []struct {
		client, body, want string
		decode             func(map[string]any) error
	}{
		{"boolean as a string", `{"cancelSubsequentBookings": "true"}`, "cancelSubsequentBookings property is wrong,cancelSubsequentBookings must be a boolean value ", cancelErr},
		{"boolean as a number", `{"cancelSubsequentBookings": 1}`, "cancelSubsequentBookings property is wrong,cancelSubsequentBookings must be a boolean value ", cancelErr},
		{"Go nil seat", `{"seatUid": null}`, "seatUid property is wrong,seatUid must be a string ", cancelErr},
		{"number seat", `{"start": "2030-03-10T10:00:00Z", "seatUid": 7}`, "seatUid property is wrong,seatUid must be a string ", rescheduleErr},
		{"Unix time start", `{"start": 1899972000}`, "start property is wrong,start must be a valid ISO 8601 date string ", rescheduleErr},
		{"reason on a seated reschedule", `{"start": "2030-03-10T10:00:00Z", "seatUid": "s", "reschedulingReason": "x"}`, "reschedulingReason property is wrong,property reschedulingReason should not exist ", rescheduleErr},
	} {
		if got := strictMessage(t, tc.client, tc.decode(decodeBodyText(t, tc.body))); got != tc.want {
			t.Errorf("%s: message %q, want %q", tc.client, got, tc.want)
		}
	}
}

func cancelErr(b map[string]any) error     { _, err := decodeCancel(b); return err }
func rescheduleErr(b map[string]any) error { _, err := decodeReschedule(b); return err }

// Mark-absent, decline and reassign-to: the global pipe drops unknown keys, lets null through
// for optional properties and converts nothing.
func TestClientBodiesLenient(t *testing.T) {
	markWant, err := decodeMarkAbsent(decodeBodyText(t, `{"host": true}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{`{"host": true, "attendees": null}`, `{"host": true, "bookingUid": "x"}`} {
		if got, err := decodeMarkAbsent(decodeBodyText(t, text)); err != nil || !reflect.DeepEqual(got, markWant) {
			t.Errorf("mark-absent %s: input %+v, err %v; want %+v", text, got, err, markWant)
		}
	}
	for _, text := range []string{`{"reason": "busy"}`, `{"reason": "busy", "userId": 3}`} {
		if got, err := decodeReason(decodeBodyText(t, text)); err != nil || got != "busy" {
			t.Errorf("reason %s: %q, %v; want busy", text, got, err)
		}
	}
	for _, text := range []string{`{}`, `{"reason": null}`} {
		if got, err := decodeReason(decodeBodyText(t, text)); err != nil || got != "" {
			t.Errorf("reason %s: %q, %v; want none", text, got, err)
		}
	}
	for _, tc := range []struct {
		client, body, property string
		constraints            map[string]any
		decode                 func(map[string]any) error
	}{
		{"boolean as a string", `{"host": "true"}`, "host", map[string]any{"isBoolean": "host must be a boolean value"}, markErr},
		{"empty list", `{"attendees": []}`, "attendees", map[string]any{"arrayMinSize": "attendees must contain at least 1 elements"}, markErr},
		{"one attendee, not a list", `{"attendees": {"email": "a@example.com", "absent": true}}`, "attendees", map[string]any{"isArray": "attendees must be an array"}, markErr},
		{"reason as a number", `{"reason": 5}`, "reason", map[string]any{"isString": "reason must be a string"}, reasonErr},
	} {
		checkLenientError(t, tc.decode(decodeBodyText(t, tc.body)), tc.client+": "+tc.body, tc.property, tc.constraints)
	}
	// absent as a string fails inside the attendee item.
	err = markErr(decodeBodyText(t, `{"attendees": [{"email": "a@example.com", "absent": "false"}]}`))
	if err == nil || !strings.Contains(mustJSON(t, err.(*apiError).details), `"absent must be a boolean value"`) {
		t.Errorf("absent as a string: %v, want the isBoolean failure of attendees.0.absent", err)
	}
}

func markErr(b map[string]any) error   { _, err := decodeMarkAbsent(b); return err }
func reasonErr(b map[string]any) error { _, err := decodeReason(b); return err }

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// The JSON content types clients send are all read; fetch's default for a string body
// (text/plain) is not, so the body is {} and create fails on its first property, as upstream
// (body-parser's json() parses application/json only).
func TestClientBodiesContentType(t *testing.T) {
	f := MustServer(t, Config{})
	plain := f.eventType(t, "plain").ID
	for i, ct := range []string{"application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8", "Application/JSON"} {
		r := f.doHeaders(t, "POST", "/v2/bookings", createBody(plain, slot(i, 10), "ada@example.com"), map[string]string{"cal-api-version": "2024-08-13", "Content-Type": ct})
		if r.Code != http.StatusCreated {
			t.Errorf("Content-Type %s: status %d, want 201; body %s", ct, r.Code, r.Body.String())
		}
	}
	r := f.doHeaders(t, "POST", "/v2/bookings", createBody(plain, slot(9, 10), "ada@example.com"), map[string]string{"cal-api-version": "2024-08-13", "Content-Type": "text/plain;charset=UTF-8"})
	if r.Code != http.StatusBadRequest || !strings.HasPrefix(r.errorMessage(t), "start property is wrong,") {
		t.Errorf("Content-Type text/plain: status %d, body %s; want 400 on start", r.Code, r.Body.String())
	}
}
