package profile

import (
	"os"
	"path/filepath"
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
  "pastBookingUid": "abc"
}`

func TestDecode(t *testing.T) {
	p, err := Decode([]byte(validProfile))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if p.Users[0].APIKey != "cal_test_a" || p.EventTypes[KindRoundRobin].HostUserIDs[1] != 2 || p.PastBookingUID != "abc" {
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
