package booking_test

import (
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/booking/memstore"
)

// Event types of the responses catalog.
const (
	etEveryLocation = 200 // offers every location kind
	etSMS           = 201 // has the smsReminderNumber booking field
	etSMSRecurring  = 202
	etSMSSeated     = 203
)

// responsesEnv is a Service whose catalog offers every location kind and the SMS reminder
// field, so that each rule of bookingFieldsResponses can be booked.
func responsesEnv(tb testing.TB) *env {
	tb.Helper()
	every := booking.EventType{ID: etEveryLocation, Slug: "every", Title: "Meeting", LengthInMinutes: 30, OwnerID: alice.ID,
		Locations:    []string{"address", "link", "phone", "attendeeAddress", "attendeePhone", "attendeeDefined", "integration", "organizersDefaultApp"},
		Integrations: []string{"cal-video", "google-meet", "huddle"},
		Address:      "Via Roma 1", Link: "https://meet.example/host", Phone: "+390612345678"}
	sms := booking.EventType{ID: etSMS, Slug: "sms", Title: "Call", LengthInMinutes: 30, OwnerID: alice.ID,
		Locations: []string{"integration"}, Integrations: []string{"cal-video"}, SMSReminderNumber: true}
	smsRecurring := sms
	smsRecurring.ID, smsRecurring.Slug = etSMSRecurring, "sms-weekly"
	smsRecurring.Recurrence = &booking.Recurrence{Frequency: booking.FrequencyWeekly, Interval: 1, Count: 2}
	smsSeated := sms
	smsSeated.ID, smsSeated.Slug, smsSeated.SeatsPerTimeSlot, smsSeated.SeatsShowAttendees = etSMSSeated, "sms-seated", 3, true
	cat := booking.NewStaticCatalog([]booking.User{alice}, nil, []booking.EventType{every, sms, smsRecurring, smsSeated})
	e := &env{store: memstore.New(), now: t0}
	e.svc = booking.NewService(e.store, cat, booking.ClockFunc(e.Now), booking.NewSeededIDs(7))
	return e
}

func loc(value, optionValue string) map[string]any {
	return map[string]any{"value": value, "optionValue": optionValue}
}

// TestCreate_LocationResponses pins bookingFieldsResponses.location for every kind of create
// body location (calcom/cal.com input.service.ts transformLocation), with the booking's
// location beside it. The booker's name and email are not stored: the output derives them
// from the first attendee.
func TestCreate_LocationResponses(t *testing.T) {
	start := t0.Add(24 * time.Hour)
	cases := []struct {
		name         string
		location     *booking.LocationInput
		meetingURL   string
		wantStored   map[string]any
		wantLocation string
	}{
		{"address", &booking.LocationInput{Type: "address"}, "", map[string]any{"location": loc("inPerson", "")}, "Via Roma 1"},
		{"link", &booking.LocationInput{Type: "link"}, "", map[string]any{"location": loc("link", "")}, "https://meet.example/host"},
		{"phone", &booking.LocationInput{Type: "phone"}, "", map[string]any{"location": loc("userPhone", "")}, "+390612345678"},
		{"attendeeAddress", &booking.LocationInput{Type: "attendeeAddress", Address: "1 Main St"}, "", map[string]any{"location": loc("attendeeInPerson", "1 Main St")}, "1 Main St"},
		{"attendeePhone", &booking.LocationInput{Type: "attendeePhone", Phone: "+4915112345678"}, "", map[string]any{"location": loc("phone", "+4915112345678")}, "+4915112345678"},
		{"attendeeDefined", &booking.LocationInput{Type: "attendeeDefined", Location: "the usual café"}, "", map[string]any{"location": loc("somewhereElse", "the usual café")}, "the usual café"},
		{"integration cal-video", &booking.LocationInput{Type: "integration", Integration: "cal-video"}, "", map[string]any{"location": loc("integrations:daily", "")}, booking.CalVideoBaseURL},
		{"integration google-meet", &booking.LocationInput{Type: "integration", Integration: "google-meet"}, "", map[string]any{"location": loc("integrations:google:meet", "")}, "integrations:google:meet"},
		{"integration huddle", &booking.LocationInput{Type: "integration", Integration: "huddle"}, "", map[string]any{"location": loc("integrations:huddle01", "")}, "integrations:huddle01"},
		{"organizersDefaultApp", &booking.LocationInput{Type: "organizersDefaultApp"}, "", map[string]any{"location": loc("conferencing", "")}, booking.CalVideoBaseURL},
		{"string URL", &booking.LocationInput{Raw: "https://meet.example/abc"}, "", map[string]any{"location": loc("link", "https://meet.example/abc")}, "https://meet.example/abc"},
		{"string URL without scheme", &booking.LocationInput{Raw: "meet.example/abc"}, "", map[string]any{"location": loc("link", "meet.example/abc")}, "meet.example/abc"},
		{"string www", &booking.LocationInput{Raw: "www.example"}, "", map[string]any{"location": loc("link", "www.example")}, "www.example"},
		{"string phone", &booking.LocationInput{Raw: "+14155552671"}, "", map[string]any{"location": loc("phone", "+14155552671")}, "+14155552671"},
		{"string free text", &booking.LocationInput{Raw: "Room 4, second floor"}, "", map[string]any{"location": loc("somewhereElse", "Room 4, second floor")}, "Room 4, second floor"},
		{"string localhost is free text", &booking.LocationInput{Raw: "localhost:8080"}, "", map[string]any{"location": loc("somewhereElse", "localhost:8080")}, "localhost:8080"},
		{"meetingUrl", nil, "https://meet.example/legacy", map[string]any{"location": loc("link", "https://meet.example/legacy")}, "https://meet.example/legacy"},
		// No location in the body: the event type's default is used but not recorded.
		{"omitted", nil, "", nil, "Via Roma 1"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := responsesEnv(t)
			r, err := e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etEveryLocation, Start: start.Add(time.Duration(i) * time.Hour),
				Attendee: guest("Gina", "gina@example.com"), Location: c.location, MeetingURL: c.meetingURL})
			if err != nil {
				t.Fatal(err)
			}
			b := r.Bookings[0]
			if !reflect.DeepEqual(recorded(b), c.wantStored) {
				t.Errorf("stored responses = %#v\nwant %#v", recorded(b), c.wantStored)
			}
			want := c.wantLocation
			if want == booking.CalVideoBaseURL {
				want += b.UID
			}
			if b.Location != want {
				t.Errorf("location = %q, want %q", b.Location, want)
			}
		})
	}
}

// TestCreate_Responses pins the whole stored map per kind of booking: the keys the API answers
// itself (guests, location, attendeePhoneNumber, smsReminderNumber) win over the booker's
// answers under the same names, even when the API has no value for them.
func TestCreate_Responses(t *testing.T) {
	start := t0.Add(24 * time.Hour)
	phoned := booking.AttendeeInput{Name: "Pia", Email: "pia@example.com", TimeZone: "Europe/Rome", PhoneNumber: "+393331234567"}
	spoofed := map[string]any{"company": "Acme", "location": "spoofed", "guests": []any{"spoof@example.com"},
		"attendeePhoneNumber": "+10000000000", "smsReminderNumber": "+10000000000", "email": "spoof@example.com", "name": "Spoof"}

	t.Run("regular", func(t *testing.T) {
		e := responsesEnv(t)
		r, err := e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etEveryLocation, Start: start, Attendee: phoned,
			Guests: []string{"g1@example.com"}, Location: &booking.LocationInput{Raw: "https://meet.example/abc"},
			BookingFieldsResponses: map[string]any{"company": "Acme", "notes": "Agenda attached"}})
		if err != nil {
			t.Fatal(err)
		}
		b := r.Bookings[0]
		// name, email and guests are derived from the attendees and Guests on output.
		wantStored := map[string]any{"company": "Acme", "notes": "Agenda attached",
			"location": loc("link", "https://meet.example/abc"), "attendeePhoneNumber": "+393331234567"}
		if !reflect.DeepEqual(recorded(b), wantStored) {
			t.Errorf("stored = %#v\nwant %#v", recorded(b), wantStored)
		}
		if a := b.Attendees[0]; a.Name != "Pia" || a.Email != "pia@example.com" || !reflect.DeepEqual(b.Guests, []string{"g1@example.com"}) {
			t.Errorf("booker %+v guests %v", a, b.Guests)
		}
	})

	t.Run("API keys win over answers", func(t *testing.T) {
		e := responsesEnv(t)
		r, err := e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etEveryLocation, Start: start,
			Attendee: guest("Gina", "gina@example.com"), BookingFieldsResponses: cloneAnswers(spoofed)})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := recorded(r.Bookings[0]), map[string]any{"company": "Acme"}; !reflect.DeepEqual(got, want) {
			t.Errorf("stored = %#v\nwant %#v", got, want)
		}
	})

	t.Run("smsReminderNumber", func(t *testing.T) {
		e := responsesEnv(t)
		r, err := e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etSMS, Start: start, Attendee: phoned})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"attendeePhoneNumber": "+393331234567", "smsReminderNumber": "+393331234567"}
		if got := recorded(r.Bookings[0]); !reflect.DeepEqual(got, want) {
			t.Errorf("stored = %#v\nwant %#v", got, want)
		}
		// Without a phone number the field has no answer, and a booker's own is dropped.
		r, err = e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etSMS, Start: start.Add(time.Hour),
			Attendee: guest("Gina", "gina@example.com"), BookingFieldsResponses: map[string]any{"smsReminderNumber": "+10000000000"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := recorded(r.Bookings[0]); got != nil {
			t.Errorf("stored = %#v, want nothing", got)
		}
	})

	t.Run("recurring", func(t *testing.T) {
		e := responsesEnv(t)
		r, err := e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etSMSRecurring, Start: start, Attendee: phoned,
			Location: &booking.LocationInput{Type: "integration", Integration: "cal-video"}, BookingFieldsResponses: cloneAnswers(spoofed)})
		if err != nil {
			t.Fatal(err)
		}
		// Cal.com's recurring transform leaves smsReminderNumber to the booker's answer.
		want := map[string]any{"company": "Acme", "location": loc("integrations:daily", ""),
			"attendeePhoneNumber": "+393331234567", "smsReminderNumber": "+10000000000"}
		if len(r.Bookings) != 2 {
			t.Fatalf("%d occurrences, want 2", len(r.Bookings))
		}
		for i, b := range r.Bookings {
			if !reflect.DeepEqual(recorded(b), want) {
				t.Errorf("occurrence %d stored = %#v\nwant %#v", i, recorded(b), want)
			}
		}
	})

	t.Run("seated", func(t *testing.T) {
		e := responsesEnv(t)
		first, err := e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etSMSSeated, Start: start, Attendee: phoned,
			Location: &booking.LocationInput{Type: "integration", Integration: "cal-video"}, BookingFieldsResponses: map[string]any{"codingLanguage": "Go"}})
		if err != nil {
			t.Fatal(err)
		}
		second, err := e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etSMSSeated, Start: start,
			Attendee: guest("Gina", "gina@example.com"), BookingFieldsResponses: map[string]any{"codingLanguage": "Rust"}})
		if err != nil {
			t.Fatal(err)
		}
		b := e.mustGet(t, second.Bookings[0].UID)
		// Each seat keeps its own answers, without email (behaviour notes §7.3).
		want := map[string][]any{
			first.SeatUID: {map[string]any{"name": "Pia", "codingLanguage": "Go", "location": loc("integrations:daily", ""),
				"attendeePhoneNumber": "+393331234567", "smsReminderNumber": "+393331234567"}},
			second.SeatUID: {map[string]any{"name": "Gina", "codingLanguage": "Rust"}},
		}
		if len(b.Attendees) != 2 {
			t.Fatalf("%d seats, want 2", len(b.Attendees))
		}
		for _, a := range b.Attendees {
			if w := want[a.SeatUID]; len(w) != 1 || !reflect.DeepEqual(a.SeatResponses, w[0]) {
				t.Errorf("seat %s (%s) responses = %#v\nwant %#v", a.SeatUID, a.Name, a.SeatResponses, w)
			}
		}
		// A seat rescheduled to a new slot takes its answers along (Cal.com books the new
		// seat with the old seat's responses), under its new seat uid.
		moved, err := e.svc.Reschedule(ctx, nil, b.UID, booking.RescheduleInput{Start: start.Add(3 * time.Hour), SeatUID: first.SeatUID})
		if err != nil {
			t.Fatal(err)
		}
		nb := e.mustGet(t, moved.Bookings[0].UID)
		if len(nb.Attendees) != 1 || !reflect.DeepEqual(nb.Attendees[0].SeatResponses, want[first.SeatUID][0]) {
			t.Errorf("rescheduled seat: attendees = %#v\nwant one seat answering %#v", nb.Attendees, want[first.SeatUID][0])
		}
	})

	t.Run("rescheduled", func(t *testing.T) {
		e := responsesEnv(t)
		r, err := e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etSMS, Start: start, Attendee: phoned,
			BookingFieldsResponses: map[string]any{"company": "Acme"}})
		if err != nil {
			t.Fatal(err)
		}
		base := map[string]any{"company": "Acme", "attendeePhoneNumber": "+393331234567", "smsReminderNumber": "+393331234567"}
		moved, err := e.svc.Reschedule(ctx, nil, r.Bookings[0].UID, booking.RescheduleInput{Start: start.Add(2 * time.Hour), Reason: "Clash"})
		if err != nil {
			t.Fatal(err)
		}
		want := cloneAnswers(base)
		want["rescheduledReason"] = "Clash"
		if got := recorded(moved.Bookings[0]); !reflect.DeepEqual(got, want) {
			t.Errorf("after reschedule with reason: stored = %#v\nwant %#v", got, want)
		}
		// A reschedule without a reason does not carry the earlier one over.
		again, err := e.svc.Reschedule(ctx, nil, moved.Bookings[0].UID, booking.RescheduleInput{Start: start.Add(4 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if got := recorded(again.Bookings[0]); !reflect.DeepEqual(got, base) {
			t.Errorf("after reschedule without reason: stored = %#v\nwant %#v", got, base)
		}
		// The old bookings keep their own responses.
		if got := recorded(e.mustGet(t, r.Bookings[0].UID)); !reflect.DeepEqual(got, base) {
			t.Errorf("original: stored = %#v\nwant %#v", got, base)
		}
	})
}

func cloneAnswers(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// recorded is bookingFieldsResponses as Cal.com records it, less what the output derives
// from the attendees and guests: the stored answers and the location answer, which the
// booking keeps as two strings.
func recorded(b booking.Booking) map[string]any {
	m := maps.Clone(b.BookingFieldsResponses)
	if b.LocationType != "" {
		if m == nil {
			m = map[string]any{}
		}
		m["location"] = booking.LocationResponse(b.LocationType, b.LocationOption)
	}
	return m
}
