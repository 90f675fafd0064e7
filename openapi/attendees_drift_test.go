package openapi

import (
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/calmock/calmock/internal/testshared"
)

// newerOperations are the operations whose reference is the cal.diy 2026-08 document rather
// than the official 2024-08-13 one (TestDrift excuses them by their marks).
var newerOperations = []string{"/attendees", "/guests", "/conferencing-sessions", "/location", "/by-seat"}

// hostedOnly are operations in neither reference document: their reference is the hosted
// docs (changes-2026 §1.2), so there is nothing to compare them with. The test checks that
// they are still absent from the cal.diy document, so the day a copy has them they get
// compared.
var hostedOnly = []string{"/v2/bookings/{bookingUid}/routing-trace"}

// newerDifferences is the table of known differences between our document and the cal.diy
// one in the newer operations: each must still occur (a fixed one fails the test until its
// line goes), and any other difference fails it.
var newerDifferences = []struct{ drift, why string }{
	{"$.paths['/v2/bookings/by-seat/{seatUid}'].get: operationId BookingsController_2024_08_13_getBookingBySeat, official BookingsController_2024_08_13_getBookingBySeatUid",
		"our id predates the cal.diy document, and the route tables, the profile's claims and the request sweep use it; renaming it is one change across them (not done here)"},
}

// TestDrift_NewerOperations compares the attendee, guest, location, conferencing-sessions and
// by-seat operations, and the schemas they reach, with the cal.diy 2026-08 document, under
// the same rules as TestDrift, less the differences of newerDifferences. Drifts of other
// operations against that document are not this test's business (TestDrift owns them). The
// routing trace is in neither document (hostedOnly).
func TestDrift_NewerOperations(t *testing.T) {
	path := testshared.Path(t, "reference/caldiy-openapi-v2-2026-08.json")
	newer := readJSONMap(t, path)
	var ours map[string]any
	if err := yaml.Unmarshal(embeddedSpec, &ours); err != nil {
		t.Fatal(err)
	}
	ours = stringKeys(ours).(map[string]any)
	covered := 0
	for p := range dig(ours, "paths") {
		if isNewer(p) {
			covered++
		}
	}
	if covered != 6 {
		t.Fatalf("bookings.yaml has %d attendee/guest/conferencing-sessions/location/by-seat paths, want 6", covered)
	}
	for _, p := range hostedOnly {
		if dig(ours, "paths", p) == nil {
			t.Errorf("bookings.yaml lacks %s", p)
		}
		if dig(newer, "paths", p) != nil {
			t.Errorf("%s now has %s: compare it (move it from hostedOnly to newerOperations)", path, p)
		}
	}
	known := map[string]bool{}
	for _, d := range newerDifferences {
		known[d.drift] = true
	}
	// Operation ids are what profiles claim and scenarios name: compared even where a mark
	// (needed against the 2025-10 snapshot, which lacks the operation) excuses the rest.
	found := compareDocs(ours, newer)
	newerOps := bookingOps(newer)
	for key, o := range bookingOps(ours) {
		if f, ok := newerOps[key]; ok && isNewer(key.path) && marked(o) && o["operationId"] != f["operationId"] {
			found = append(found, fmt.Sprintf("%s: operationId %v, official %v", key.jsonPath(), o["operationId"], f["operationId"]))
		}
	}
	var drifts []string
	for _, d := range found {
		if !isNewer(d) && !newerSchema(d) {
			continue
		}
		if known[d] {
			delete(known, d)
			continue
		}
		drifts = append(drifts, d)
	}
	if len(drifts) > 0 {
		t.Errorf("the newer operations drift from %s in %d places:\n  %s", path, len(drifts), strings.Join(drifts, "\n  "))
	}
	for d := range known {
		t.Errorf("newerDifferences lists a difference that no longer occurs (remove its line): %s", d)
	}
}

// newerSchema reports whether a drift is in a schema added with these operations, or one
// changed since the snapshot that the cal.diy document already has (the seated cancel body's
// cancellationReason, changes-2026 §2.5). The booking shapes they return (BookingAttendee, SeatedAttendee: displayEmail, changes-2026
// §2.2) are shared with the other operations and stay TestDrift's.
func newerSchema(d string) bool {
	for _, n := range []string{"CancelSeatedBookingInput_", "AttendeeWithId_", "AddAttendee", "BookingAttendeeOutput_", "RemovedAttendee", "RemoveAttendee", "AddGuests", "schemas.Guest:", "schemas.Guest.",
		"CalMeetingSession", "CalMeetingParticipant", "GetBookingVideoSessionsOutput", "Location_2024_08_13"} {
		if strings.Contains(d, n) {
			return true
		}
	}
	return false
}

func isNewer(s string) bool {
	for _, p := range newerOperations {
		if strings.HasSuffix(s, p) || strings.Contains(s, p+"'") || strings.Contains(s, p+"/") {
			return true
		}
	}
	return false
}
