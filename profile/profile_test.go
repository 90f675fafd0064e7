package profile

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const validProfile = `{
  "users": [{"id": 1, "username": "a", "email": "a@example.com", "timeZone": "UTC", "apiKey": "cal_test_a"}],
  "eventTypes": {
    "plain": {"id": 1, "slug": "30min", "lengthInMinutes": 30},
    "seated": {"id": 2, "slug": "ws", "lengthInMinutes": 60, "seatsPerTimeSlot": 3},
    "recurring": {"id": 3, "slug": "wk", "lengthInMinutes": 30, "recurrence": {"freq": 2, "interval": 1, "count": 3}},
    "roundRobin": {"id": 4, "slug": "rr", "lengthInMinutes": 30, "teamSlug": "t", "hostUserIds": [1, 2]},
    "variableLength": {"id": 5, "slug": "v", "lengthInMinutes": 30, "lengthOptions": [15, 30]}
  },
  "pastBookingUid": "abc",
  "versions": {"2024-08-13": ["BookingsController_2024_08_13_getBooking", "BookingsController_2024_08_13_createBooking"]}
}`

func TestDecode(t *testing.T) {
	p, err := Decode([]byte(validProfile))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if p.Users[0].APIKey != "cal_test_a" || p.EventTypes[KindRoundRobin].HostUserIDs[1] != 2 || p.PastBookingUID != "abc" || len(p.Versions["2024-08-13"]) != 2 {
		t.Errorf("decoded %+v", p)
	}
	tests := []struct{ name, data, want string }{
		{"unknown key", `{"users":[{"id":1,"apiKey":"k","colour":1}]}`, `unknown field "colour"`},
		{"no users", `{"users":[]}`, "at least one user"},
		{"no api key", `{"users":[{"id":1}]}`, "users[0]: apiKey is required"},
		{"unknown kind", `{"users":[{"apiKey":"k"}],"eventTypes":{"fancy":{"id":1,"slug":"s","lengthInMinutes":5}}}`, `unknown kind "fancy"`},
		{"seated without seats", `{"users":[{"apiKey":"k"}],"eventTypes":{"seated":{"id":1,"slug":"s","lengthInMinutes":5}}}`, "seatsPerTimeSlot"},
		{"round robin with one host", `{"users":[{"apiKey":"k"}],"eventTypes":{"roundRobin":{"id":1,"slug":"s","lengthInMinutes":5,"teamSlug":"t","hostUserIds":[1]}}}`, "hostUserIds"},
		{"not JSON", `users: []`, "decode profile"},
		{"version not a date", `{"users":[{"apiKey":"k"}],"versions":{"v2":["op"]}}`, `"v2" is not a cal-api-version`},
		{"empty operation id", `{"users":[{"apiKey":"k"}],"versions":{"2024-08-13":[""]}}`, "versions.2024-08-13[0]: empty operation id"},
		{"unknown event type key", `{"users":[{"apiKey":"k"}],"eventTypes":{"plain":{"id":1,"slug":"s","lengthInMinutes":5,"colour":1}}}`, `unknown field "colour"`},
		{"unknown recurrence frequency", `{"users":[{"apiKey":"k"}],"eventTypes":{"recurring":{"id":1,"slug":"s","lengthInMinutes":5,"recurrence":{"frequency":"daily","interval":1,"occurrences":3}}}}`, `frequency "daily"`},
		{"operation twice", `{"users":[{"apiKey":"k"}],"versions":{"2024-08-13":["op","op"]}}`, "operation op listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestDecode_CalcomEventTypeNames: an event type may be written in the field names of
// Cal.com's event type output; it decodes to the same profile as in ours.
func TestDecode_CalcomEventTypeNames(t *testing.T) {
	const calcom = `{
  "users": [{"id": 1, "username": "a", "email": "a@example.com", "timeZone": "UTC", "apiKey": "cal_test_a"}],
  "eventTypes": {
    "plain": {"id": 1, "slug": "30min", "lengthInMinutes": 30},
    "seated": {"id": 2, "slug": "ws", "lengthInMinutes": 60, "seats": {"seatsPerTimeSlot": 3, "showAttendeeInfo": false, "showAvailabilityCount": true}},
    "recurring": {"id": 3, "slug": "wk", "lengthInMinutes": 30, "recurrence": {"frequency": "weekly", "interval": 1, "occurrences": 3}},
    "roundRobin": {"id": 4, "slug": "rr", "lengthInMinutes": 30, "teamSlug": "t", "hostUserIds": [1, 2]},
    "variableLength": {"id": 5, "slug": "v", "lengthInMinutes": 30, "lengthInMinutesOptions": [15, 30]}
  },
  "pastBookingUid": "abc",
  "versions": {"2024-08-13": ["BookingsController_2024_08_13_getBooking", "BookingsController_2024_08_13_createBooking"]}
}`
	ours, err := Decode([]byte(validProfile))
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := Decode([]byte(calcom))
	if err != nil {
		t.Fatalf("Decode of Cal.com's names: %v", err)
	}
	for _, kind := range Kinds {
		a, b := ours.EventTypes[kind], theirs.EventTypes[kind]
		if a.SeatsPerTimeSlot != b.SeatsPerTimeSlot || !slices.Equal(a.LengthOptions, b.LengthOptions) ||
			(a.Recurrence == nil) != (b.Recurrence == nil) || (a.Recurrence != nil && *a.Recurrence != *b.Recurrence) {
			t.Errorf("%s: ours %+v, Cal.com's names %+v", kind, a, b)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	if err := os.WriteFile(path, []byte(validProfile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Fatalf("Load of a missing file: %v", err)
	}
}

func TestClaims(t *testing.T) {
	p, err := Decode([]byte(validProfile))
	if err != nil {
		t.Fatal(err)
	}
	const get = "BookingsController_2024_08_13_getBooking"
	tests := []struct {
		name, version, op string
		want              bool
	}{
		{"claimed version alone", "2024-08-13", "", true},
		{"claimed operation", "2024-08-13", get, true},
		{"operation not listed", "2024-08-13", "BookingsController_2024_08_13_getBookings", false},
		{"version not listed", "2026-02-25", "", false},
		{"operation under a version not listed", "2026-02-25", get, false},
	}
	for _, tt := range tests {
		if got := p.Claims(tt.version, tt.op); got != tt.want {
			t.Errorf("%s: Claims(%q, %q) = %v, want %v", tt.name, tt.version, tt.op, got, tt.want)
		}
	}
	// A profile written before versions existed claims everything: no scenario is skipped.
	p.Versions = nil
	if !p.Claims("2026-02-25", get) {
		t.Error("a profile without versions must claim every version and operation")
	}
}
