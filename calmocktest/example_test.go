package calmocktest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/calmock/calmock/calmocktest"
	"github.com/calmock/calmock/profile"
)

// This is a typical test of a Cal.com client against the mock, written with net/http so
// that any client fits in its place: book a slot, move the mock's clock past its end, mark
// the attendee absent, and find the booking among the past ones. In a real test t is the
// test's *testing.T, and the body is the same.
func Example() {
	t := &exampleT{}
	defer t.finish()

	m := calmocktest.Start(t, calmocktest.WithClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)))
	host := m.Profile().Users[0] // owns the event types; its API key manages their bookings
	plain := m.Profile().EventTypes[profile.KindPlain]

	// Book tomorrow at 10:00 UTC, as an anonymous booker would.
	var created struct {
		Data struct {
			UID string `json:"uid"`
			End string `json:"end"`
		} `json:"data"`
	}
	call(t, m.URL(), "POST", "/v2/bookings", "", fmt.Sprintf(
		`{"start":"2026-01-06T10:00:00Z","eventTypeId":%d,"attendee":{"name":"Ada","email":"ada@example.com","timeZone":"Europe/London"}}`,
		plain.ID), &created)
	fmt.Println("booked, ends", created.Data.End)

	// Move the mock's time past the end of the booking: it is now in the past.
	m.Clock().Advance(27 * time.Hour)
	fmt.Println("mock time", m.Clock().Now().Format(time.RFC3339))

	call(t, m.URL(), "POST", "/v2/bookings/"+created.Data.UID+"/mark-absent", host.APIKey,
		`{"attendees":[{"email":"ada@example.com","absent":true}]}`, nil)

	var past struct {
		Data []struct {
			UID       string `json:"uid"`
			Attendees []struct {
				Absent bool `json:"absent"`
			} `json:"attendees"`
		} `json:"data"`
	}
	call(t, m.URL(), "GET", "/v2/bookings?status=past&attendeeEmail=ada@example.com", host.APIKey, "", &past)
	for _, b := range past.Data {
		fmt.Println("past:", b.UID == created.Data.UID, "attendee absent:", b.Attendees[0].Absent)
	}
	// Output:
	// booked, ends 2026-01-06T10:30:00.000Z
	// mock time 2026-01-06T12:00:00Z
	// past: true attendee absent: true
}

// call sends one request as a client would and decodes the answer's JSON into out.
func call(t testing.TB, base, method, path, apiKey, body string, out any) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	req.Header.Set("cal-api-version", "2024-08-13")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+apiKey)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: status %d", method, path, resp.StatusCode)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// exampleT stands in for the *testing.T that an Example does not have: it runs the
// cleanups at the end and turns a failure into a panic.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (t *exampleT) Helper()                      {}
func (t *exampleT) Cleanup(f func())             { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatalf(f string, args ...any) { panic(fmt.Sprintf(f, args...)) }

func (t *exampleT) finish() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}
