package openapi

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/calmock/calmock/internal/testshared"
)

// newerOperations are the operations whose reference is the cal.diy 2026-08 document rather
// than the official 2024-08-13 one (TestDrift excuses them by their marks).
var newerOperations = []string{"/attendees", "/guests", "/conferencing-sessions", "/location"}

// TestDrift_NewerOperations compares the attendee, guest and conferencing-sessions operations,
// and the schemas they reach, with the cal.diy 2026-08 document, under the same rules as
// TestDrift. Drifts of other operations against that document are not this test's business
// (TestDrift owns them). The routing trace is in neither document (hosted docs only).
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
	if covered != 5 {
		t.Fatalf("bookings.yaml has %d attendee/guest/conferencing-sessions/location paths, want 5", covered)
	}
	var drifts []string
	for _, d := range compareDocs(ours, newer) {
		if isNewer(d) || newerSchema(d) {
			drifts = append(drifts, d)
		}
	}
	if len(drifts) > 0 {
		t.Fatalf("the attendee, guest and conferencing-sessions operations drift from %s in %d places:\n  %s", path, len(drifts), strings.Join(drifts, "\n  "))
	}
}

// newerSchema reports whether a drift is in a schema added with these operations. The
// booking shapes they return (BookingAttendee, SeatedAttendee: displayEmail, changes-2026
// §2.2) are shared with the other operations and stay TestDrift's.
func newerSchema(d string) bool {
	for _, n := range []string{"AttendeeWithId_", "AddAttendee", "BookingAttendeeOutput_", "RemovedAttendee", "RemoveAttendee", "AddGuests", "schemas.Guest:", "schemas.Guest.",
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
