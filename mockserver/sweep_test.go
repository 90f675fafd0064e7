package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/calmock/calmock/internal/testshared"
	"github.com/calmock/calmock/openapi"
	"github.com/calmock/calmock/profile"
	"go.yaml.in/yaml/v3"
)

// sweepCase is one request of the sweep; its response is checked against the documents.
type sweepCase struct {
	name, method, path, key string
	body                    any
	status                  int
	// notOfficial says why the official document cannot describe this answer (it is checked
	// against the embedded document only).
	notOfficial string
}

// sweepCases exercises every operation, with success and error answers, against a fresh
// server whose state the earlier cases build up.
func sweepCases(t *testing.T, f *fixture) []sweepCase {
	plain := f.eventType(t, profile.KindPlain)
	rc := f.eventType(t, profile.KindRequiresConfirmation)
	rec := f.eventType(t, profile.KindRecurring)
	seated := f.eventType(t, profile.KindSeated)
	rr := f.eventType(t, profile.KindRoundRobin)
	owner, other := f.key(0), f.key(1)

	mk := func(etID, day int, email string) map[string]any {
		r := f.do(t, "POST", "/v2/bookings", "", createBody(etID, slot(day, 10), email)).expect(t, http.StatusCreated)
		if items, ok := r.body["data"].([]any); ok {
			return items[0].(map[string]any)
		}
		return r.data(t)
	}
	accepted := mk(plain.ID, 40, "sweep1@example.com")["uid"].(string)
	pending := mk(rc.ID, 41, "sweep2@example.com")["uid"].(string)
	toDecline := mk(rc.ID, 42, "sweep3@example.com")["uid"].(string)
	series := mk(rec.ID, 43, "sweep4@example.com")["recurringBookingUid"].(string)
	seat := mk(seated.ID, 80, "sweep5@example.com")["seatUid"].(string)
	rrUID := f.do(t, "POST", "/v2/bookings", "", map[string]any{"start": slot(51, 10), "eventTypeSlug": rr.Slug, "teamSlug": rr.TeamSlug,
		"attendee": map[string]any{"name": "R", "email": "rr@example.com", "timeZone": "UTC"}}).expect(t, 201).data(t)["uid"].(string)
	toCancel := mk(plain.ID, 52, "sweep6@example.com")["uid"].(string)
	past, pastEmail := f.pastAccepted(t)
	host := itoa(rr.HostUserIDs[0])
	badGuest := createBody(plain.ID, slot(68, 10), "bg@example.com")
	badGuest["guests"] = []any{"nope"}
	vl := f.eventType(t, profile.KindVariableLength)
	instant := createBody(rr.ID, slot(65, 10), "inst@example.com")
	instant["instant"] = true
	variable := createBody(vl.ID, slot(66, 10), "var@example.com")
	variable["lengthInMinutes"] = vl.LengthOptions[0]
	bySlug := map[string]any{"start": slot(67, 10), "eventTypeSlug": plain.Slug, "username": plain.OwnerUsername,
		"attendee": map[string]any{"name": "S", "phoneNumber": "+447700900123", "timeZone": "Europe/London", "language": "de"},
		"guests":   []any{"guest@example.com"}, "metadata": map[string]any{"k": "v"}, "location": map[string]any{"type": "address"}}

	guestBody := createBody(plain.ID, slot(69, 10), "sweep7@example.com")
	guestBody["guests"] = []any{"sweep-guest@example.com"}
	withGuests := f.do(t, "POST", "/v2/bookings", "", guestBody).expect(t, http.StatusCreated).data(t)["uid"].(string)
	atts := f.do(t, "GET", "/v2/bookings/"+withGuests+"/attendees", owner, nil).expect(t, http.StatusOK).list(t)
	bookerID, guestID := itoa(int(atts[0]["id"].(float64))), itoa(int(atts[1]["id"].(float64)))
	team, _ := f.srv.catalog.TeamBySlug(rr.TeamSlug)
	teamID := itoa(team.ID)

	return []sweepCase{
		{"list", "GET", "/v2/bookings?take=5&status=upcoming,past", owner, nil, 200, ""},
		{"list empty", "GET", "/v2/bookings?attendeeEmail=nobody@example.com", owner, nil, 200, ""},
		{"list bad query", "GET", "/v2/bookings?take=0", owner, nil, 400, ""},
		{"list without auth", "GET", "/v2/bookings", "", nil, 403, ""},
		{"list bad key", "GET", "/v2/bookings", "cal_test_unknown", nil, 401, ""},
		{"create", "POST", "/v2/bookings", "", createBody(plain.ID, slot(60, 10), "c@example.com"), 201, ""},
		{"create recurring", "POST", "/v2/bookings", "", createBody(rec.ID, slot(61, 10), "c2@example.com"), 201, ""},
		{"create seated", "POST", "/v2/bookings", "", createBody(seated.ID, slot(80, 10), "c3@example.com"), 201, ""},
		{"create instant", "POST", "/v2/bookings", "", instant, 201, "behaviour §11.6: awaiting_host and the host id \"unknown\" are not in the official document"},
		{"create variable length", "POST", "/v2/bookings", "", variable, 201, ""},
		{"create by slug, phone-only attendee, guest, metadata, address", "POST", "/v2/bookings", "", bySlug, 201, ""},
		{"create with a bad guest email (shape B)", "POST", "/v2/bookings", "", badGuest, 400, ""},
		{"create invalid", "POST", "/v2/bookings", "", map[string]any{"start": "x"}, 400, ""},
		{"create unknown event type", "POST", "/v2/bookings", "", createBody(99999, slot(62, 10), "c4@example.com"), 404, ""},
		{"get", "GET", "/v2/bookings/" + accepted, "", nil, 200, ""},
		{"get series", "GET", "/v2/bookings/" + series, "", nil, 200, ""},
		{"get unknown", "GET", "/v2/bookings/unknown", "", nil, 404, ""},
		{"get by seat", "GET", "/v2/bookings/by-seat/" + seat, owner, nil, 200, ""},
		{"get by unknown seat", "GET", "/v2/bookings/by-seat/unknown", "", nil, 404, ""},
		{"recordings", "GET", "/v2/bookings/" + accepted + "/recordings", owner, nil, 200, ""},
		{"recordings unknown", "GET", "/v2/bookings/unknown/recordings", owner, nil, 404, ""},
		{"recordings without auth", "GET", "/v2/bookings/" + accepted + "/recordings", "", nil, 403, ""},
		{"transcripts", "GET", "/v2/bookings/" + accepted + "/transcripts", owner, nil, 200, ""},
		{"reschedule", "POST", "/v2/bookings/" + accepted + "/reschedule", "", map[string]any{"start": slot(63, 10)}, 201, ""},
		{"reschedule again", "POST", "/v2/bookings/" + accepted + "/reschedule", "", map[string]any{"start": slot(64, 10)}, 400, ""},
		{"cancel", "POST", "/v2/bookings/" + toCancel + "/cancel", "", map[string]any{"cancellationReason": "x"}, 200, ""},
		{"cancel twice", "POST", "/v2/bookings/" + toCancel + "/cancel", "", nil, 400, ""},
		{"host cancel without reason", "POST", "/v2/bookings/" + pending + "/cancel", owner, nil, 400, ""},
		{"cancel series", "POST", "/v2/bookings/" + series + "/cancel", "", nil, 200, ""},
		{"mark absent", "POST", "/v2/bookings/" + past + "/mark-absent", owner, map[string]any{"host": true, "attendees": []any{map[string]any{"email": pastEmail, "absent": true}}}, 200, ""},
		{"mark absent invalid", "POST", "/v2/bookings/" + past + "/mark-absent", owner, map[string]any{"attendees": []any{}}, 400, ""},
		{"reassign", "POST", "/v2/bookings/" + rrUID + "/reassign", owner, nil, 200, ""},
		{"reassign to user", "POST", "/v2/bookings/" + rrUID + "/reassign/" + host, owner, map[string]any{"reason": "r"}, 200, ""},
		{"reassign unknown", "POST", "/v2/bookings/unknown/reassign", owner, nil, 404, ""},
		{"confirm", "POST", "/v2/bookings/" + pending + "/confirm", owner, nil, 200, ""},
		{"confirm accepted", "POST", "/v2/bookings/" + pending + "/confirm", owner, nil, 400, ""},
		{"confirm by stranger", "POST", "/v2/bookings/" + toDecline + "/confirm", other, nil, 401, ""},
		{"decline", "POST", "/v2/bookings/" + toDecline + "/decline", owner, map[string]any{"reason": "no"}, 200, ""},
		{"calendar links", "GET", "/v2/bookings/" + pending + "/calendar-links", owner, nil, 200, ""},
		{"calendar links unknown", "GET", "/v2/bookings/unknown/calendar-links", owner, nil, 404, ""},
		{"references", "GET", "/v2/bookings/" + pending + "/references", owner, nil, 200, ""},
		{"references of another user", "GET", "/v2/bookings/" + pending + "/references", other, nil, 400, ""},
		{"attendees", "GET", "/v2/bookings/" + withGuests + "/attendees", owner, nil, 200, ""},
		{"attendees of another user", "GET", "/v2/bookings/" + withGuests + "/attendees", other, nil, 403, ""},
		{"attendee", "GET", "/v2/bookings/" + withGuests + "/attendees/" + guestID, owner, nil, 200, ""},
		{"attendee unknown", "GET", "/v2/bookings/" + withGuests + "/attendees/1", owner, nil, 404, ""},
		{"attendee add", "POST", "/v2/bookings/" + withGuests + "/attendees", owner, map[string]any{"email": "new@example.com", "name": "N", "timeZone": "UTC"}, 201, ""},
		{"attendee add invalid", "POST", "/v2/bookings/" + withGuests + "/attendees", owner, map[string]any{"email": "x"}, 400, ""},
		{"attendee remove", "DELETE", "/v2/bookings/" + withGuests + "/attendees/" + guestID, owner, nil, 200, ""},
		{"attendee remove first", "DELETE", "/v2/bookings/" + withGuests + "/attendees/" + bookerID, owner, nil, 400, ""},
		{"guests add", "POST", "/v2/bookings/" + withGuests + "/guests", owner, map[string]any{"guests": []any{map[string]any{"email": "g2@example.com"}}}, 200, ""},
		{"guests add by stranger (shape C)", "POST", "/v2/bookings/" + withGuests + "/guests", other, map[string]any{"guests": []any{map[string]any{"email": "g3@example.com"}}}, 403, ""},
		// The discovery reads (discovery.go).
		{"me", "GET", "/v2/me", owner, nil, 200, "MeOutput.organizationId is number | null upstream (null outside an organisation); the official document drops the null"},
		{"me without auth", "GET", "/v2/me", "", nil, 403, ""},
		{"event types", "GET", "/v2/event-types", owner, nil, 200, "the official document types users as strings and seatsPerTimeSlot and forwardParamsSuccessRedirect as objects"},
		{"event types by username", "GET", "/v2/event-types?username=" + plain.OwnerUsername + "&eventSlug=" + plain.Slug, "", nil, 200, "as event types"},
		{"teams", "GET", "/v2/teams", owner, nil, 200, ""},
		{"team event types", "GET", "/v2/teams/" + teamID + "/event-types", owner, nil, 200, "the official document types hosts as strings"},
		{"team event types of a stranger", "GET", "/v2/teams/" + teamID + "/event-types", other, nil, 403, ""},
	}
}

// TestSweep_ResponsesMatchDocuments sends every sweep case and validates each response
// against the embedded document and, when the shared folder is present, the official one.
func TestSweep_ResponsesMatchDocuments(t *testing.T) {
	docs := map[string]*openapi.Document{}
	embedded, err := openapi.Load("")
	if err != nil {
		t.Fatal(err)
	}
	docs["embedded"] = embedded
	// Without the shared folder, the embedded document alone (testshared logs why).
	if path, ok := testshared.Lookup(t, "reference/calcom-openapi-v2.json"); ok {
		official, err := openapi.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		docs["official"] = official
	}

	f := MustServer(t, Config{RateLimit: 1000})
	for _, c := range sweepCases(t, f) {
		t.Run(c.name, func(t *testing.T) {
			var data []byte
			if c.body != nil {
				data, _ = json.Marshal(c.body)
			}
			req := httptest.NewRequest(c.method, c.path, bytes.NewReader(data))
			req.Header.Set("cal-api-version", "2024-08-13")
			if strings.HasPrefix(c.path, "/v2/event-types") {
				req.Header.Set("cal-api-version", version20240614) // its controller's only version
			}
			req.Header.Set("Content-Type", "application/json")
			if c.key != "" {
				req.Header.Set("Authorization", "Bearer "+c.key)
			}
			rec := httptest.NewRecorder()
			f.srv.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("status = %d, want %d: %s", rec.Code, c.status, rec.Body.String())
			}
			for _, name := range []string{"embedded", "official"} {
				doc := docs[name]
				if doc == nil || (name == "official" && c.notOfficial != "") {
					continue
				}
				check := httptest.NewRequest(c.method, c.path, bytes.NewReader(data))
				check.Header = req.Header.Clone()
				body := rec.Body.Bytes()
				if name == "official" {
					body = withoutNulls(t, body)
				}
				vs := doc.ValidateResponse(check, rec.Code, rec.Header(), body)
				vs = withoutOfficialGaps(name, vs)
				for _, v := range vs {
					t.Errorf("%s document: %s", name, v)
				}
			}
		})
	}
}

// withoutOfficialGaps drops, for the official document only, the violations that are the
// official document's known mistakes (behaviour notes §11) rather than the mock's: each one
// is a deliberate, marked deviation of the embedded document.
func withoutOfficialGaps(doc string, vs []openapi.Violation) []openapi.Violation {
	if doc != "official" {
		return vs
	}
	var out []openapi.Violation
	for _, v := range vs {
		if officialGap(v) {
			continue
		}
		out = append(out, v)
	}
	return out
}

func officialGap(v openapi.Violation) bool {
	switch {
	case v.Kind == openapi.KindPath: // §11.14: get by seat is not in the official document
		return true
	case v.Field == "$.status" && strings.Contains(v.Reason, "want object"): // §11.4: status typed object
		return true
	case v.Field == "$.pagination.currentPage" && v.Got == "0": // §6.4: 0 for an empty list
		return true

	}
	return false
}

// nullStandIns are values of the right type for the fields the real server sends as null
// although the official document declares them non-nullable (behaviour notes §11.5).
var nullStandIns = map[string]any{
	"description": "", "cancellationReason": "", "cancelledByEmail": "", "rescheduledByEmail": "",
	"rating": 0, "language": "en",
}

// withoutNulls replaces those nulls by stand-ins before validating against the official
// document, so that the mock's faithful nulls do not drown real findings in noise from every
// anyOf branch. Any other null is kept, and reported if the document forbids it.
func withoutNulls(t *testing.T, body []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return body
	}
	var strip func(any) any
	strip = func(x any) any {
		switch n := x.(type) {
		case map[string]any:
			for k, e := range n {
				if stand, ok := nullStandIns[k]; ok && e == nil {
					n[k] = stand
				} else {
					n[k] = strip(e)
				}
			}
		case []any:
			for i := range n {
				n[i] = strip(n[i])
			}
		}
		return x
	}
	out, err := json.Marshal(strip(v))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRoutes_MatchDocument: the mock registers exactly the operations of its document.
func TestRoutes_MatchDocument(t *testing.T) {
	doc, err := openapi.Load("")
	if err != nil {
		t.Fatal(err)
	}
	// The document's paths are 2024-08-13's operations plus those only newer versions have;
	// its root x-calmock-version-operations lists every newer version's operations
	// (bookings.yaml).
	var root struct {
		Versions map[string]map[string]string `yaml:"x-calmock-version-operations"`
	}
	if err := yaml.Unmarshal(doc.Raw(), &root); err != nil {
		t.Fatal(err)
	}
	// An operation of paths whose id names a newer version (as upstream's controller names
	// do, e.g. BookingsController_2026_02_25_) is that version's only.
	var newer []string
	want := map[string][]string{}
	for v, ops := range root.Versions {
		newer = append(newer, "_"+strings.ReplaceAll(v, "-", "_")+"_")
		for mp, id := range ops {
			want[v] = append(want[v], mp+" "+id)
		}
	}
	f := MustServer(t, Config{})
	// The discovery reads are no bookings version's: each is in the document once, as its row.
	discovery := map[string]bool{}
	for _, rr := range f.srv.discoveryRoutes() {
		discovery[rr.method+" "+rr.path+" "+rr.operationID] = true
	}
	for _, op := range doc.Operations() {
		if key := op.Method + " " + op.Path + " " + op.OperationID; discovery[key] {
			delete(discovery, key)
			continue
		}
		if !slices.ContainsFunc(newer, func(n string) bool { return strings.Contains(op.OperationID, n) }) {
			want[version20240813] = append(want[version20240813], op.Method+" "+op.Path+" "+op.OperationID)
		}
	}
	for key := range discovery {
		t.Errorf("discovery route %s is not in the document", key)
	}
	if len(f.srv.tables) != len(want) {
		t.Errorf("the server serves %v; the document describes %d versions", f.srv.Versions(), len(want))
	}
	for _, vt := range f.srv.tables {
		var got []string
		for _, rt := range vt.routes {
			got = append(got, rt.method+" "+rt.path+" "+rt.operationID)
		}
		sort.Strings(got)
		sort.Strings(want[vt.version])
		if strings.Join(want[vt.version], "\n") != strings.Join(got, "\n") {
			t.Errorf("%s: routes and document differ\nroutes:\n%s\ndocument:\n%s", vt.version, strings.Join(got, "\n"), strings.Join(want[vt.version], "\n"))
		}
	}
}
