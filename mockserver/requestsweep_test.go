package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/calmock/calmock/openapi"
	"github.com/calmock/calmock/profile"
)

// The request sweep (issue 13): mockserver/requests.go is a hand-written second copy of what
// openapi/bookings.yaml says about requests. This test derives requests from the document,
// one valid request per operation (and per body variant), then one fault at a time per
// property and parameter, and checks that the mock and libopenapi-validator give the same
// verdict on each, except for the deliberate differences listed in requestDifferences.

// requestDifference is a set of faults on which the mock knowingly disagrees with the
// document, because the real API does.
type requestDifference struct {
	op     string   // operationId without the controller prefix, e.g. "createBooking"
	branch string   // body variant (schema name); "" matches every variant
	faults []string // fault.String() of each fault concerned
	// mockValid is the mock's verdict (and the real API's); the validator says the opposite.
	mockValid bool
	reason    string
}

// requestDifferences is the one table of deliberate differences. Every fault it lists must
// be hit by the sweep, so that an entry no longer needed fails the test instead of hiding a
// change. Sections are those of the behaviour notes (../shared/reference/bookings-behaviour.md).
var requestDifferences = []requestDifference{
	{"createBooking", "", []string{`body $.location: wrong type ("not-an-object")`}, true,
		"§5.1.2: the real API still takes a plain string location (legacy: a link, a phone number or free text); " +
			"the document, like the official one, lists only the object forms"},
	{"createBooking", "CreateInstantBookingInput_2024_08_13", []string{`body $.instant: wrong type ("not-a-boolean")`}, false,
		"§5.1: the real API picks the DTO from the keys; instant === true selects the instant one, anything else the regular one, " +
			"whose strict pipe refuses instant as an unknown property; the document's variants are open, so the regular one matches"},
	{"createBooking", "CreateRecurringBookingInput_2024_08_13", []string{`body $.recurrenceCount: wrong type ("not-a-number")`}, false,
		"§5.1: the key recurrenceCount selects the recurring DTO, which wants an integer; " +
			"in the document the open regular variant matches whatever recurrenceCount holds"},
	{"createBooking", "", []string{`body $.attendee.phoneNumber: optional value ("sweep")`}, false,
		"§5.1, §11.13: the real DTO wants an international phone number; the document says only string"},
	{"createBooking", "", []string{`body $.meetingUrl: optional value ("sweep")`}, false,
		"§5.1: the real DTO has @IsUrl on meetingUrl; the document says only string"},
	{"rescheduleBooking", "", []string{`body $.rescheduledBy: optional value ("sweep")`}, false,
		"§5.6: the real DTO wants an email in rescheduledBy (\"Invalid rescheduledBy email format\"); the document says only string"},
	{"rescheduleBooking", "RescheduleSeatedBookingInput_2024_08_13", []string{"body $.seatUid: wrong type (12345)"}, false,
		"§5.6: the key seatUid selects the seated DTO, which wants a string; in the document the open non-seated variant matches"},
	{"cancelBooking", "CancelSeatedBookingInput_2024_08_13", []string{"body $.seatUid: wrong type (12345)"}, false,
		"§5.7: the key seatUid selects the seated DTO, which wants a string; in the document the open plain variant " +
			"(no required property) matches"},
	{"getBookings", "", []string{"query eventTypeIds: optional value (sweep)", "query eventTypeId: optional value (sweep)",
		"query teamsIds: optional value (sweep)", "query teamId: optional value (sweep)"}, false,
		"§6.2, §11.8: the real query DTO wants (comma-separated) integers; the document types these as plain strings"},
	{"getBookings", "", []string{"query afterStart: optional value (sweep)", "query beforeEnd: optional value (sweep)",
		"query afterCreatedAt: optional value (sweep)", "query beforeCreatedAt: optional value (sweep)",
		"query afterUpdatedAt: optional value (sweep)", "query beforeUpdatedAt: optional value (sweep)"}, false,
		"§6.2: the real query DTO wants ISO 8601 dates; the document says only string"},
	{"BookingAttendeesController_2024_08_13_addAttendee", "", []string{`body $.phoneNumber: optional value ("sweep")`}, false,
		"changes-2026 §1.2: AddAttendeeInput_2024_08_13 validates phoneNumber with libphonenumber; the document says only string"},
	{"BookingGuestsController_2024_08_13_addGuests", "", []string{`body $.guests[0].timeZone: optional value ("sweep")`,
		`body $.guests[0].phoneNumber: optional value ("sweep")`}, false,
		"changes-2026 §1.2: the Guest DTO has @IsTimeZone and a libphonenumber check; the document says only string"},
	{"BookingsController_2026_05_01_getBookings", "", []string{"query eventTypeIds: optional value (sweep)", "query eventTypeId: optional value (sweep)",
		"query teamsIds: optional value (sweep)", "query teamId: optional value (sweep)"}, false,
		"§6.2, §11.8 (filters unchanged in 2026-05-01, changes-2026 §2.1): the real query DTO wants (comma-separated) integers; the document types these as plain strings"},
	{"BookingsController_2026_05_01_getBookings", "", []string{"query afterStart: optional value (sweep)", "query beforeEnd: optional value (sweep)",
		"query afterCreatedAt: optional value (sweep)", "query beforeCreatedAt: optional value (sweep)",
		"query afterUpdatedAt: optional value (sweep)", "query beforeUpdatedAt: optional value (sweep)"}, false,
		"§6.2: the real query DTO wants ISO 8601 dates; the document says only string"},
	{"BookingsController_2026_05_01_getBookings", "", []string{"query cursor: optional value (sweep)"}, false,
		"changes-2026 §2.1: a cursor is opaque; only one the server issued is valid, which a document cannot say"},
}

// opPrefix is the controller prefix shared by every operationId of the document.
const opPrefix = "BookingsController_2024_08_13_"

// reqState is what a fresh server gives a request: path parameters, the API key (sent when
// the operation requires Authorization) and body values that must fit the fixtures, laid
// over the body derived from the schema.
type reqState struct {
	path map[string]string
	key  string
	body map[string]any
}

// reqSetups builds, on a fresh server, the state each operation (and body variant) needs.
// Keys are "<op>" or "<op>/<body schema>".
func reqSetups() map[string]func(t *testing.T, f *fixture) reqState {
	create := func(t *testing.T, f *fixture, kind string) map[string]any {
		t.Helper()
		et := f.eventType(t, kind)
		r := f.do(t, "POST", "/v2/bookings", "", createBody(et.ID, slot(1, 10), "sweep-state@example.com")).expect(t, http.StatusCreated)
		if items, ok := r.body["data"].([]any); ok {
			return items[0].(map[string]any)
		}
		return r.data(t)
	}
	uid := func(kind string, key bool) func(t *testing.T, f *fixture) reqState {
		return func(t *testing.T, f *fixture) reqState {
			s := reqState{path: map[string]string{"bookingUid": create(t, f, kind)["uid"].(string)}}
			if key {
				s.key = f.key(0)
			}
			return s
		}
	}
	attendee := map[string]any{"email": "sweep@example.com", "timeZone": "Europe/London"}
	createWith := func(kind string, extra map[string]any) func(t *testing.T, f *fixture) reqState {
		return func(t *testing.T, f *fixture) reqState {
			body := map[string]any{"start": slot(2, 10), "eventTypeId": f.eventType(t, kind).ID, "attendee": attendee}
			for k, v := range extra {
				body[k] = v
			}
			return reqState{body: body}
		}
	}
	return map[string]func(t *testing.T, f *fixture) reqState{
		"createBooking/CreateBookingInput_2024_08_13":          createWith(profile.KindPlain, nil),
		"createBooking/CreateInstantBookingInput_2024_08_13":   createWith(profile.KindRoundRobin, nil),
		"createBooking/CreateRecurringBookingInput_2024_08_13": createWith(profile.KindRecurring, map[string]any{"recurrenceCount": 2}),
		"getBookings": func(t *testing.T, f *fixture) reqState { return reqState{key: f.key(0)} },
		"getBookingBySeat": func(t *testing.T, f *fixture) reqState {
			return reqState{path: map[string]string{"seatUid": create(t, f, profile.KindSeated)["seatUid"].(string)}}
		},
		// The discovery reads (discovery.go): the owner's, and the round-robin type's team.
		"MeController_getMe":                            func(t *testing.T, f *fixture) reqState { return reqState{key: f.key(0)} },
		"EventTypesController_2024_06_14_getEventTypes": func(t *testing.T, f *fixture) reqState { return reqState{} },
		"TeamsController_getTeams":                      func(t *testing.T, f *fixture) reqState { return reqState{key: f.key(0)} },
		"TeamsEventTypesController_getTeamEventTypes": func(t *testing.T, f *fixture) reqState {
			team, ok := f.srv.catalog.TeamBySlug(f.eventType(t, profile.KindRoundRobin).TeamSlug)
			if !ok {
				t.Fatal("no team of the round-robin event type")
			}
			return reqState{key: f.key(0), path: map[string]string{"teamId": strconv.Itoa(team.ID)}}
		},
		"getBooking": uid(profile.KindPlain, false),
		// Only 2026-02-25 has it; the document's default cal-api-version is that version.
		"BookingsController_2026_02_25_requestReschedule": uid(profile.KindPlain, true),
		"getBookingRecordings":                            uid(profile.KindPlain, true),
		"getBookingTranscripts":                           uid(profile.KindPlain, true),
		"cancelBooking/CancelBookingInput_2024_08_13":     uid(profile.KindPlain, false),
		"cancelBooking/CancelSeatedBookingInput_2024_08_13": func(t *testing.T, f *fixture) reqState {
			b := create(t, f, profile.KindSeated)
			return reqState{path: map[string]string{"bookingUid": b["uid"].(string)}, body: map[string]any{"seatUid": b["seatUid"]}}
		},
		"rescheduleBooking/RescheduleBookingInput_2024_08_13": func(t *testing.T, f *fixture) reqState {
			s := uid(profile.KindPlain, false)(t, f)
			s.body = map[string]any{"start": slot(2, 10)}
			return s
		},
		"rescheduleBooking/RescheduleSeatedBookingInput_2024_08_13": func(t *testing.T, f *fixture) reqState {
			b := create(t, f, profile.KindSeated)
			return reqState{path: map[string]string{"bookingUid": b["uid"].(string)}, body: map[string]any{"start": slot(2, 10), "seatUid": b["seatUid"]}}
		},
		"markNoShow": func(t *testing.T, f *fixture) reqState {
			past, email := f.pastAccepted(t)
			return reqState{path: map[string]string{"bookingUid": past}, key: f.key(0),
				body: map[string]any{"host": true, "attendees": []any{map[string]any{"email": email, "absent": true}}}}
		},
		"reassignBooking": uid(profile.KindRoundRobin, true),
		"reassignBookingToUser": func(t *testing.T, f *fixture) reqState {
			s := uid(profile.KindRoundRobin, true)(t, f)
			s.path["userId"] = strconv.Itoa(f.eventType(t, profile.KindRoundRobin).HostUserIDs[0])
			return s
		},
		"confirmBooking":       uid(profile.KindRequiresConfirmation, true),
		"declineBooking":       uid(profile.KindRequiresConfirmation, true),
		"getCalendarLinks":     uid(profile.KindRequiresConfirmation, true),
		"getBookingReferences": uid(profile.KindRequiresConfirmation, true),

		// Attendees and guests: the first user organises the plain event type.
		"BookingAttendeesController_2024_08_13_getBookingAttendees": uid(profile.KindPlain, true),
		"BookingAttendeesController_2024_08_13_addAttendee": func(t *testing.T, f *fixture) reqState {
			s := uid(profile.KindPlain, true)(t, f)
			s.body = map[string]any{"email": "sweep-new@example.com", "timeZone": "Europe/London"}
			return s
		},
		"BookingAttendeesController_2024_08_13_getBookingAttendee": withGuestID,
		"BookingAttendeesController_2024_08_13_removeAttendee":     withGuestID,
		"BookingGuestsController_2024_08_13_addGuests": func(t *testing.T, f *fixture) reqState {
			s := uid(profile.KindPlain, true)(t, f)
			s.body = map[string]any{"guests": []any{map[string]any{"email": "sweep-new@example.com"}}}
			return s
		},

		// Conferencing sessions and routing trace: reads of the first user's plain booking.
		"getVideoSessions": uid(profile.KindPlain, true),
		"BookingRoutingTraceController_2024_08_13_getBookingRoutingTrace": uid(profile.KindPlain, true),

		// Update location: the organizer moves the first user's plain booking to a link.
		"BookingLocationController_2024_08_13_updateBookingLocation": func(t *testing.T, f *fixture) reqState {
			s := uid(profile.KindPlain, true)(t, f)
			s.body = map[string]any{"location": map[string]any{"type": "link", "link": "https://meet.example.com/sweep"}}
			return s
		},

		// cal-api-version 2026-05-01: the cursor list, as the first user.
		"BookingsController_2026_05_01_getBookings": func(t *testing.T, f *fixture) reqState { return reqState{key: f.key(0)} },

		// Webhooks: the first user's own, and those of the plain event type, which they own.
		"WebhooksController_createWebhook":                       webhookState(false, false),
		"WebhooksController_getWebhooks":                         webhookState(false, false),
		"WebhooksController_getWebhook":                          webhookState(false, true),
		"WebhooksController_updateWebhook":                       webhookState(false, true),
		"WebhooksController_deleteWebhook":                       webhookState(false, true),
		"EventTypeWebhooksController_createEventTypeWebhook":     webhookState(true, false),
		"EventTypeWebhooksController_getEventTypeWebhooks":       webhookState(true, false),
		"EventTypeWebhooksController_deleteAllEventTypeWebhooks": webhookState(true, false),
		"EventTypeWebhooksController_getEventTypeWebhook":        webhookState(true, true),
		"EventTypeWebhooksController_updateEventTypeWebhook":     webhookState(true, true),
		"EventTypeWebhooksController_deleteEventTypeWebhook":     webhookState(true, true),
	}
}

// webhookState is the state of a webhook operation as the first user: of the plain event
// type (eventType) or their own, with a webhook made first and named by {webhookId} (one).
func webhookState(eventType, one bool) func(t *testing.T, f *fixture) reqState {
	return func(t *testing.T, f *fixture) reqState {
		t.Helper()
		s := reqState{key: f.key(0), path: map[string]string{}}
		base := "/v2/webhooks"
		if eventType {
			id := strconv.Itoa(f.eventType(t, profile.KindPlain).ID)
			s.path["eventTypeId"] = id
			base = "/v2/event-types/" + id + "/webhooks"
		}
		if one {
			body := map[string]any{"active": true, "subscriberUrl": "http://127.0.0.1:9/sweep-state", "triggers": []any{"BOOKING_CREATED"}}
			s.path["webhookId"] = f.do(t, "POST", base, s.key, body).expect(t, http.StatusCreated).data(t)["id"].(string)
		}
		return s
	}
}

// withGuestID is the state of the operations on one attendee: a plain booking with a guest,
// whose id (not the booker's: the first attendee cannot be removed) is {attendeeId}.
func withGuestID(t *testing.T, f *fixture) reqState {
	t.Helper()
	body := createBody(f.eventType(t, profile.KindPlain).ID, slot(1, 10), "sweep-state@example.com")
	body["guests"] = []any{"sweep-guest@example.com"}
	uid := f.do(t, "POST", "/v2/bookings", "", body).expect(t, http.StatusCreated).data(t)["uid"].(string)
	atts := f.do(t, "GET", "/v2/bookings/"+uid+"/attendees", f.key(0), nil).expect(t, http.StatusOK).list(t)
	if len(atts) != 2 {
		t.Fatalf("want the booker and a guest, got %v", atts)
	}
	return reqState{key: f.key(0), path: map[string]string{"bookingUid": uid, "attendeeId": strconv.Itoa(int(atts[1]["id"].(float64)))}}
}

// sweepReq is one request of the sweep, kept as parts so that a fault can change one.
type sweepReq struct {
	method, path string            // path is the template, e.g. /v2/bookings/{bookingUid}
	params       map[string]string // path parameters
	query        url.Values
	header       map[string]string // a header not in the map is not sent
	body         map[string]any    // nil: no body
}

func (r sweepReq) target() string {
	p := r.path
	for k, v := range r.params {
		p = strings.ReplaceAll(p, "{"+k+"}", url.PathEscape(v))
	}
	if len(r.query) > 0 {
		p += "?" + r.query.Encode()
	}
	return p
}

func (r sweepReq) bodyJSON(tb testing.TB) []byte {
	if r.body == nil {
		return nil
	}
	data, err := json.Marshal(r.body)
	if err != nil {
		tb.Fatalf("encode body: %v", err)
	}
	return data
}

func (r sweepReq) httpRequest(tb testing.TB) *http.Request {
	req := httptest.NewRequest(r.method, r.target(), bytes.NewReader(r.bodyJSON(tb)))
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	return req
}

// String shows the request as a reader of a failure needs it.
func (r sweepReq) String() string {
	var hs []string
	for k, v := range r.header {
		hs = append(hs, k+": "+v)
	}
	sort.Strings(hs)
	s := r.method + " " + r.target() + " [" + strings.Join(hs, "; ") + "]"
	if r.body != nil {
		data, _ := json.Marshal(r.body)
		s += " " + string(data)
	}
	return s
}

// fault is one change to a valid request: a fault, or (kind optional value) an optional
// parameter or property the request lacked, set to a value the document allows.
type fault struct {
	where  string // body, query, header or path
	target string // JSON path of a body property ($.attendee.name) or the parameter's name
	kind   string // missing required, wrong type, bad enum, bad format, below minimum, …, optional value
	detail string // the value sent, for the reader
	apply  func(*sweepReq)
}

func (f fault) String() string {
	if f.detail == "" {
		return f.where + " " + f.target + ": " + f.kind
	}
	return f.where + " " + f.target + ": " + f.kind + " (" + f.detail + ")"
}

// sweepTarget is one operation, with one of its body variants when it has a body.
type sweepTarget struct {
	op     openapi.Operation
	model  *v3.Operation
	branch string       // schema name of the body variant; "" when the body has one schema
	body   *base.Schema // nil without body
}

func (t sweepTarget) name() string {
	n := strings.TrimPrefix(t.op.OperationID, opPrefix)
	if t.branch != "" {
		n += "/" + t.branch
	}
	return n
}

// sweepTargets lists every operation of the document, once per variant of its JSON body.
func sweepTargets(tb testing.TB, doc *openapi.Document) []sweepTarget {
	var out []sweepTarget
	for _, op := range doc.Operations() {
		m, ok := doc.OperationModel(op)
		if !ok {
			tb.Fatalf("no model for %s", op)
		}
		if m.RequestBody == nil || m.RequestBody.Content == nil {
			out = append(out, sweepTarget{op: op, model: m})
			continue
		}
		mt, ok := m.RequestBody.Content.Get("application/json")
		if !ok || mt.Schema == nil {
			tb.Fatalf("%s: request body without an application/json schema", op)
		}
		s := mt.Schema.Schema()
		variants := append(append([]*base.SchemaProxy(nil), s.AnyOf...), s.OneOf...)
		if len(variants) == 0 {
			variants = []*base.SchemaProxy{mt.Schema}
		}
		for _, v := range variants {
			t := sweepTarget{op: op, model: m, body: v.Schema()}
			if len(variants) > 1 {
				t.branch = refName(v)
			}
			out = append(out, t)
		}
	}
	return out
}

func refName(p *base.SchemaProxy) string {
	ref := p.GetReference()
	if ref == "" {
		return "inline"
	}
	return ref[strings.LastIndexByte(ref, '/')+1:]
}

// TestRequestSweep_MockAgreesWithDocument is the sweep. Each request runs against a fresh
// server so that no earlier request's state decides a verdict.
func TestRequestSweep_MockAgreesWithDocument(t *testing.T) {
	doc, err := openapi.Load("")
	if err != nil {
		t.Fatal(err)
	}
	setups := reqSetups()
	usedSetup := map[string]bool{}
	usedDiff := map[string]bool{} // entry index and fault, for the check that all are used
	cases := 0
	for _, target := range sweepTargets(t, doc) {
		setup, ok := setups[target.name()]
		if !ok {
			t.Errorf("%s: no state setup for this operation; add one to reqSetups", target.name())
			continue
		}
		usedSetup[target.name()] = true
		t.Run(target.name(), func(t *testing.T) {
			valid := func() (*fixture, sweepReq) {
				f := MustServer(t, Config{})
				return f, validRequest(t, target, setup(t, f))
			}
			f, req := valid()
			checkVerdicts(t, doc, f, target, req, nil, usedDiff)
			for _, flt := range faults(target, req) {
				cases++
				f, req := valid()
				flt.apply(&req)
				checkVerdicts(t, doc, f, target, req, &flt, usedDiff)
			}
		})
	}
	for name := range setups {
		if !usedSetup[name] {
			t.Errorf("reqSetups has %q, which names no operation of the document", name)
		}
	}
	for i, d := range requestDifferences {
		for _, flt := range d.faults {
			if !usedDiff[strconv.Itoa(i)+" "+flt] {
				t.Errorf("requestDifferences lists a fault the sweep did not meet with that verdict (remove it, or fix the sweep): %s %s %q", d.op, d.branch, flt)
			}
		}
	}
	t.Logf("%d faulty requests checked", cases)
}

// validRequest derives the valid request of a target: required parameters (the
// cal-api-version default, the key when Authorization is required), path parameters from the
// fresh state, and a body sampled from the schema with the state's values laid over it.
func validRequest(t *testing.T, target sweepTarget, st reqState) sweepReq {
	t.Helper()
	req := sweepReq{method: target.op.Method, path: target.op.Path, params: map[string]string{}, query: url.Values{}, header: map[string]string{}}
	for _, p := range target.model.Parameters {
		required := p.Required != nil && *p.Required
		switch {
		case p.In == "path":
			v, ok := st.path[p.Name]
			if !ok {
				t.Fatalf("the state gives no path parameter %s", p.Name)
			}
			req.params[p.Name] = v
		case p.In == "header" && p.Name == "Authorization":
			if required {
				req.header[p.Name] = bearer(st.key)
			}
		case required:
			v := sample(p.Schema.Schema())
			if p.In == "header" {
				req.header[p.Name] = paramString(v)
			} else {
				setParam(&req, p.Name, v)
			}
		}
	}
	if target.body != nil {
		body, _ := sample(target.body).(map[string]any)
		if body == nil {
			t.Fatalf("the body schema of %s is not an object", target.name())
		}
		req.body = overlay(body, st.body)
	}
	return req
}

// checkVerdicts sends req to the mock and to the validator and compares their verdicts.
// flt is nil for the valid request.
func checkVerdicts(t *testing.T, doc *openapi.Document, f *fixture, target sweepTarget, req sweepReq, flt *fault, usedDiff map[string]bool) {
	t.Helper()
	violations := doc.ValidateRequest(req.httpRequest(t))
	docValid := len(violations) == 0

	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req.httpRequest(t))
	var body map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	where := "body"
	if flt != nil {
		where = flt.where
	}
	what := "valid request"
	if flt != nil {
		what = flt.String()
	}
	var mockValid bool
	switch {
	case rec.Code >= 200 && rec.Code < 300:
		mockValid = true
	case rec.Code >= 500:
		t.Errorf("%s: %s: the mock answered %d (never for bad input)\n  request: %s\n  response: %s", target.name(), what, rec.Code, req, rec.Body.String())
		return
	case where != "body":
		// A parameter is checked by the pipeline (version, auth) or the query pipe; no state
		// is involved, so any 4xx is a refusal of the request.
		mockValid = false
	default:
		// For a body, only the pipes' validation error is a verdict on the request; any other
		// 4xx comes from the state the body met after validation passed.
		mockValid = !isValidationError(rec.Code, body)
	}
	if flt == nil {
		if !docValid || rec.Code >= 300 {
			t.Errorf("%s: the valid request is not accepted: document says %s, mock answered %d\n  request: %s\n  violations: %v\n  response: %s",
				target.name(), verdict(docValid), rec.Code, req, violations, rec.Body.String())
		}
		return
	}
	if mockValid == docValid {
		return
	}
	op := strings.TrimPrefix(target.op.OperationID, opPrefix)
	for i, d := range requestDifferences {
		if d.op == op && (d.branch == "" || d.branch == target.branch) && slices.Contains(d.faults, flt.String()) && d.mockValid == mockValid {
			usedDiff[strconv.Itoa(i)+" "+flt.String()] = true
			return
		}
	}
	t.Errorf("%s: %s: the mock says %s (%d) but the document says %s, and requestDifferences has no such entry\n  request: %s\n  violations: %v\n  response: %s",
		target.name(), flt, verdict(mockValid), rec.Code, verdict(docValid), req, violations, rec.Body.String())
}

// verdict words a verdict on a request. For the mock, "valid" means validation passed: the
// answer is 2xx, or (for a body fault) an error of the state the request met afterwards.
func verdict(valid bool) string {
	if valid {
		return "valid"
	}
	return "invalid"
}

// isValidationError reports whether a response is the pipes' refusal of a body (behaviour
// §4.3): 400 BadRequestException with the strict pipes' "<p> property is wrong," message or
// the global pipe's details.errors.
func isValidationError(status int, body map[string]any) bool {
	e, _ := body["error"].(map[string]any)
	if status != http.StatusBadRequest || e["code"] != "BadRequestException" {
		return false
	}
	if d, ok := e["details"].(map[string]any); ok && d["errors"] != nil {
		return true
	}
	msg, _ := e["message"].(string)
	return strings.Contains(msg, " property is wrong,")
}

// ---------------------------------------------------------------------------------------------
// Deriving values and faults from schemas
// ---------------------------------------------------------------------------------------------

// typeOf is the JSON type a schema wants: its own, else the one all its allOf/anyOf/oneOf
// parts agree on, else "".
func typeOf(s *base.Schema) string {
	if s == nil {
		return ""
	}
	if len(s.Type) > 0 {
		return s.Type[0]
	}
	for _, group := range [][]*base.SchemaProxy{s.AllOf, s.AnyOf, s.OneOf} {
		t := ""
		for i, p := range group {
			pt := typeOf(p.Schema())
			if i == 0 {
				t = pt
			} else if pt != t {
				t = ""
				break
			}
		}
		if t != "" {
			return t
		}
	}
	if s.Properties != nil {
		return "object"
	}
	return ""
}

// objectShape merges an object schema with its allOf parts: properties in document order,
// the required set, and whether unknown properties are refused.
func objectShape(s *base.Schema) (names []string, props map[string]*base.Schema, required map[string]bool, closed bool) {
	props, required = map[string]*base.Schema{}, map[string]bool{}
	var walk func(s *base.Schema)
	walk = func(s *base.Schema) {
		if s.Properties != nil {
			for p := s.Properties.First(); p != nil; p = p.Next() {
				if _, seen := props[p.Key()]; !seen {
					names = append(names, p.Key())
				}
				props[p.Key()] = p.Value().Schema()
			}
		}
		for _, r := range s.Required {
			required[r] = true
		}
		if ap := s.AdditionalProperties; ap != nil && ap.IsB() && !ap.B {
			closed = true
		}
		for _, p := range s.AllOf {
			walk(p.Schema())
		}
	}
	walk(s)
	return names, props, required, closed
}

// sample is a valid value for a schema: its default, first enum value or example, else a
// value of its type that meets its format and bounds. Objects get their required properties.
func sample(s *base.Schema) any {
	var v any
	switch {
	case s.Default != nil && s.Default.Decode(&v) == nil:
		return v
	case len(s.Enum) > 0 && s.Enum[0].Decode(&v) == nil:
		return v
	case len(s.Examples) > 0 && s.Examples[0].Decode(&v) == nil:
		return v
	}
	switch typeOf(s) {
	case "string":
		str := map[string]string{"email": "sweep@example.com", "date-time": "2030-03-01T10:00:00Z", "uri": "https://example.com/sweep"}[s.Format]
		if str == "" {
			str = "sweep"
		}
		if s.MinLength != nil && int64(len(str)) < *s.MinLength {
			str += strings.Repeat("x", int(*s.MinLength)-len(str))
		}
		return str
	case "number", "integer":
		if s.Minimum != nil {
			return *s.Minimum
		}
		return 1
	case "boolean":
		return true
	case "array":
		n := int64(1)
		if s.MinItems != nil && *s.MinItems > n {
			n = *s.MinItems
		}
		out := []any{}
		for range n {
			out = append(out, sample(itemsOf(s)))
		}
		return out
	case "object":
		if len(s.AnyOf) > 0 {
			return sample(s.AnyOf[0].Schema())
		}
		names, props, required, _ := objectShape(s)
		out := map[string]any{}
		for _, n := range names {
			if required[n] {
				out[n] = sample(props[n])
			}
		}
		return out
	}
	return "sweep"
}

func itemsOf(s *base.Schema) *base.Schema {
	if s.Items != nil && s.Items.IsA() && s.Items.A != nil {
		return s.Items.A.Schema()
	}
	return &base.Schema{}
}

// valueFaults are the values that break one schema: a value of another type, a string
// outside its enum, a bad format, a number or length outside its bounds. Each comes with
// its fault kind.
func valueFaults(s *base.Schema) []struct {
	kind  string
	value any
} {
	type vf = struct {
		kind  string
		value any
	}
	var out []vf
	t := typeOf(s)
	if w, ok := map[string]any{"string": 12345, "number": "not-a-number", "integer": "not-a-number", "boolean": "not-a-boolean", "array": "not-an-array", "object": "not-an-object"}[t]; ok {
		out = append(out, vf{"wrong type", w})
	}
	if len(s.Enum) > 0 {
		out = append(out, vf{"bad enum", "sweep-not-in-enum"})
	}
	if t == "array" {
		if items := itemsOf(s); len(items.Enum) > 0 {
			out = append(out, vf{"bad enum", []any{"sweep-not-in-enum"}})
		}
	}
	if bad, ok := map[string]string{"email": "not-an-email", "date-time": "not-a-date", "uri": "not a uri"}[s.Format]; ok && t == "string" {
		out = append(out, vf{"bad format", bad})
	}
	if s.Minimum != nil {
		out = append(out, vf{"below minimum", *s.Minimum - 1})
	}
	if s.Maximum != nil {
		out = append(out, vf{"above maximum", *s.Maximum + 1})
	}
	if s.MinLength != nil && *s.MinLength > 0 {
		out = append(out, vf{"too short", strings.Repeat("x", int(*s.MinLength)-1)})
	}
	if s.MaxLength != nil {
		out = append(out, vf{"too long", strings.Repeat("x", int(*s.MaxLength)+1)})
	}
	items := func(n int64) []any {
		out := []any{}
		for range n {
			out = append(out, sample(itemsOf(s)))
		}
		return out
	}
	if s.MinItems != nil && *s.MinItems > 0 {
		out = append(out, vf{"too few items", items(*s.MinItems - 1)})
	}
	if s.MaxItems != nil {
		out = append(out, vf{"too many items", items(*s.MaxItems + 1)})
	}
	return out
}

// faults lists every single change of a target's valid request: per parameter, then per
// body property (depth first, into objects and the first item of arrays that the request
// holds). Credentials are not sampled: an optional credential header is left out.
func faults(target sweepTarget, req sweepReq) []fault {
	var out []fault
	for _, p := range target.model.Parameters {
		name, in := p.Name, p.In
		if p.Required != nil && *p.Required && in != "path" {
			out = append(out, fault{where: in, target: name, kind: "missing required", apply: func(r *sweepReq) {
				if in == "header" {
					delete(r.header, name)
				} else {
					r.query.Del(name)
				}
			}})
		}
		if p.Schema == nil {
			continue
		}
		if in == "query" && !req.query.Has(name) {
			v := sample(p.Schema.Schema())
			out = append(out, fault{where: in, target: name, kind: "optional value", detail: paramString(v), apply: func(r *sweepReq) { setParam(r, name, v) }})
		}
		for _, vf := range valueFaults(p.Schema.Schema()) {
			if t := typeOf(p.Schema.Schema()); vf.kind == "wrong type" && t != "number" && t != "integer" && t != "boolean" {
				continue // a parameter is text: any string is a string, a lone value a one-item array
			}
			v := vf.value
			out = append(out, fault{where: in, target: name, kind: vf.kind, detail: paramString(v), apply: func(r *sweepReq) {
				switch in {
				case "header":
					r.header[name] = paramString(v)
				case "path":
					r.params[name] = paramString(v)
				default:
					setParam(r, name, v)
				}
			}})
		}
	}
	if target.body != nil {
		bodyFaults(target.body, nil, req.body, &out)
	}
	return out
}

// bodyFaults adds the faults of an object schema whose value (at path at) is obj.
func bodyFaults(s *base.Schema, at []any, obj map[string]any, out *[]fault) {
	names, props, required, closed := objectShape(s)
	for _, name := range names {
		ps := props[name]
		p := append(append([]any(nil), at...), name)
		v, present := obj[name]
		if required[name] && present {
			*out = append(*out, fault{where: "body", target: jsonPath(p), kind: "missing required", apply: func(r *sweepReq) { setAt(r.body, p, nil, true) }})
		}
		if !present {
			val := sample(ps)
			data, _ := json.Marshal(val)
			*out = append(*out, fault{where: "body", target: jsonPath(p), kind: "optional value", detail: string(data), apply: func(r *sweepReq) { setAt(r.body, p, val, false) }})
		}
		for _, vf := range valueFaults(ps) {
			val := vf.value
			data, _ := json.Marshal(val)
			*out = append(*out, fault{where: "body", target: jsonPath(p), kind: vf.kind, detail: string(data), apply: func(r *sweepReq) { setAt(r.body, p, val, false) }})
		}
		if !present {
			continue
		}
		switch typeOf(ps) {
		case "object":
			if m, ok := v.(map[string]any); ok && len(ps.AnyOf) == 0 && len(ps.OneOf) == 0 {
				bodyFaults(ps, p, m, out)
			}
		case "array":
			if list, ok := v.([]any); ok && len(list) > 0 {
				if item, ok := list[0].(map[string]any); ok {
					bodyFaults(itemsOf(ps), append(p, 0), item, out)
				}
			}
		}
	}
	if closed {
		p := append(append([]any(nil), at...), "sweepUnknown")
		*out = append(*out, fault{where: "body", target: jsonPath(p), kind: "unknown property", apply: func(r *sweepReq) { setAt(r.body, p, "x", false) }})
	}
}

func jsonPath(p []any) string {
	s := "$"
	for _, k := range p {
		if i, ok := k.(int); ok {
			s += "[" + strconv.Itoa(i) + "]"
		} else {
			s += "." + k.(string)
		}
	}
	return s
}

// setAt sets (or with remove deletes) the value at path p inside body.
func setAt(body map[string]any, p []any, v any, remove bool) {
	var cur any = body
	for i, k := range p {
		last := i == len(p)-1
		switch c := cur.(type) {
		case map[string]any:
			key := k.(string)
			if last {
				if remove {
					delete(c, key)
				} else {
					c[key] = v
				}
				return
			}
			cur = c[key]
		case []any:
			idx := k.(int)
			if last {
				c[idx] = v
				return
			}
			cur = c[idx]
		}
	}
}

// paramString writes a value as a parameter value (an array as its first element).
func paramString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case []any:
		if len(t) > 0 {
			return paramString(t[0])
		}
		return ""
	default:
		return fmt.Sprint(t)
	}
}

// setParam sets a query parameter; an array becomes a repeated parameter.
func setParam(r *sweepReq, name string, v any) {
	r.query.Del(name)
	if list, ok := v.([]any); ok {
		for _, e := range list {
			r.query.Add(name, paramString(e))
		}
		return
	}
	r.query.Set(name, paramString(v))
}

// overlay lays the values of over onto base, recursively for objects, and returns base.
func overlay(base, over map[string]any) map[string]any {
	for k, v := range over {
		if bm, ok := base[k].(map[string]any); ok {
			if om, ok := v.(map[string]any); ok {
				overlay(bm, om)
				continue
			}
		}
		base[k] = deepCopy(v)
	}
	return base
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
