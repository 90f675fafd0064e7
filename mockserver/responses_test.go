package mockserver

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/calmock/calmock/profile"
)

// TestBookingFieldsResponses_CreateThenGet checks that what a create records in
// bookingFieldsResponses is what a later GET echoes, for each kind of booking (behaviour
// notes §7.1–7.3): the booker's name and email, custom answers, guests, the location answer
// and attendeePhoneNumber; seats show their own answers without email; a reschedule adds
// rescheduledReason.
func TestBookingFieldsResponses_CreateThenGet(t *testing.T) {
	f := MustServer(t, Config{Seed: 1})
	plain := f.eventType(t, profile.KindPlain)
	recurring := f.eventType(t, profile.KindRecurring)
	seated := f.eventType(t, profile.KindSeated)
	calVideo := map[string]any{"value": "integrations:daily", "optionValue": ""}

	// body is a create body for et whose booker has a phone number and custom answers.
	body := func(et, days int, extra map[string]any) map[string]any {
		b := createBody(et, slot(days, 10), "pia@example.com")
		b["attendee"].(map[string]any)["phoneNumber"] = "+393331234567"
		b["bookingFieldsResponses"] = map[string]any{"company": "Acme"}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	// bookerAnswers are the answers every body above gives, as recorded.
	bookerAnswers := func(extra map[string]any) map[string]any {
		m := map[string]any{"name": "Ada Lovelace", "email": "pia@example.com", "company": "Acme", "attendeePhoneNumber": "+393331234567"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}

	t.Run("regular, address", func(t *testing.T) {
		created := f.do(t, "POST", "/v2/bookings", "", body(plain.ID, 20, map[string]any{
			"location": map[string]any{"type": "address"}, "guests": []any{"g1@example.com"},
		})).expect(t, http.StatusCreated).data(t)
		want := bookerAnswers(map[string]any{"guests": []any{"g1@example.com"}, "location": map[string]any{"value": "inPerson", "optionValue": ""}})
		checkResponses(t, "create", created["bookingFieldsResponses"], want)
		got := f.do(t, "GET", "/v2/bookings/"+created["uid"].(string), "", nil).expect(t, http.StatusOK).data(t)
		checkResponses(t, "get", got["bookingFieldsResponses"], want)
	})

	t.Run("regular, string location", func(t *testing.T) {
		created := f.do(t, "POST", "/v2/bookings", "", body(plain.ID, 21, map[string]any{
			"location": "https://meet.example/abc",
		})).expect(t, http.StatusCreated).data(t)
		want := bookerAnswers(map[string]any{"location": map[string]any{"value": "link", "optionValue": "https://meet.example/abc"}})
		got := f.do(t, "GET", "/v2/bookings/"+created["uid"].(string), "", nil).expect(t, http.StatusOK).data(t)
		checkResponses(t, "get", got["bookingFieldsResponses"], want)
	})

	t.Run("recurring", func(t *testing.T) {
		r := f.do(t, "POST", "/v2/bookings", "", body(recurring.ID, 22, map[string]any{
			"location": map[string]any{"type": "integration", "integration": "cal-video"},
		})).expect(t, http.StatusCreated)
		var created struct{ Data []map[string]any }
		if err := json.Unmarshal(r.Body.Bytes(), &created); err != nil || len(created.Data) == 0 {
			t.Fatalf("create answered %s (%v)", r.Body, err)
		}
		want := bookerAnswers(map[string]any{"location": calVideo})
		series := f.do(t, "GET", "/v2/bookings/"+created.Data[0]["recurringBookingUid"].(string), "", nil).expect(t, http.StatusOK).list(t)
		if len(series) != len(created.Data) {
			t.Fatalf("GET series: %d occurrences, created %d", len(series), len(created.Data))
		}
		for _, occ := range series {
			checkResponses(t, "occurrence "+occ["uid"].(string), occ["bookingFieldsResponses"], want)
		}
	})

	t.Run("seated", func(t *testing.T) {
		created := f.do(t, "POST", "/v2/bookings", "", body(seated.ID, 23, map[string]any{
			"location": map[string]any{"type": "integration", "integration": "cal-video"},
		})).expect(t, http.StatusCreated).data(t)
		// The owner sees the attendees; the seat's answers are shown without email.
		got := f.do(t, "GET", "/v2/bookings/"+created["uid"].(string), f.key(0), nil).expect(t, http.StatusOK).data(t)
		if _, ok := got["bookingFieldsResponses"]; ok {
			t.Errorf("seated booking has a top-level bookingFieldsResponses: %v", got["bookingFieldsResponses"])
		}
		atts, _ := got["attendees"].([]any)
		if len(atts) != 1 {
			t.Fatalf("attendees = %v, want the one seat", got["attendees"])
		}
		want := map[string]any{"name": "Ada Lovelace", "guests": []any{}, "company": "Acme",
			"attendeePhoneNumber": "+393331234567", "location": calVideo}
		checkResponses(t, "seat", atts[0].(map[string]any)["bookingFieldsResponses"], want)
	})

	t.Run("rescheduled", func(t *testing.T) {
		created := f.do(t, "POST", "/v2/bookings", "", body(plain.ID, 24, nil)).expect(t, http.StatusCreated).data(t)
		moved := f.do(t, "POST", "/v2/bookings/"+created["uid"].(string)+"/reschedule", "",
			map[string]any{"start": slot(24, 13), "reschedulingReason": "Clash"}).expect(t, http.StatusCreated).data(t)
		want := bookerAnswers(map[string]any{"rescheduledReason": "Clash"})
		got := f.do(t, "GET", "/v2/bookings/"+moved["uid"].(string), "", nil).expect(t, http.StatusOK).data(t)
		checkResponses(t, "get", got["bookingFieldsResponses"], want)
	})
}

func checkResponses(t *testing.T, what string, got any, want map[string]any) {
	t.Helper()
	if !reflect.DeepEqual(got, any(want)) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("%s: bookingFieldsResponses = %s\nwant %s", what, g, w)
	}
}
