package booking_test

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/booking/memstore"
)

var t0 = time.Date(2030, 1, 1, 10, 0, 0, 0, time.UTC)

var (
	alice = booking.User{ID: 1, Username: "alice", Name: "Alice Host", Email: "alice@example.com", TimeZone: "Europe/Rome"}
	bob   = booking.User{ID: 2, Username: "bob", Name: "Bob Stranger", Email: "bob@example.com", TimeZone: "UTC"}
	carol = booking.User{ID: 3, Username: "carol", Name: "Carol", Email: "carol@example.com", TimeZone: "UTC"}
	dave  = booking.User{ID: 4, Username: "dave", Name: "Dave", Email: "dave@example.com", TimeZone: "UTC"}
	erin  = booking.User{ID: 5, Username: "erin", Name: "Erin", Email: "erin@example.com", TimeZone: "UTC"}
	team  = booking.Team{ID: 10, Slug: "acme", Name: "Acme"}
)

// Event type ids of the test catalog.
const (
	etPlain       = 100
	etConfirm     = 101
	etSeated      = 102
	etRecurring   = 103
	etRoundRobin  = 104
	etCollective  = 105
	etVariable    = 106
	etNoCancel    = 107
	etSeatsHidden = 108
)

func testCatalog() *booking.StaticCatalog {
	personal := func(id int, slug string) booking.EventType {
		return booking.EventType{ID: id, Slug: slug, Title: "Meeting", LengthInMinutes: 30, OwnerID: alice.ID,
			Locations: []string{"integration", "address", "attendeeDefined"}, Integrations: []string{"cal-video"}, Address: "Via Roma 1"}
	}
	plain := personal(etPlain, "plain")
	confirm := personal(etConfirm, "confirm")
	confirm.RequiresConfirmation = true
	seated := personal(etSeated, "seated")
	seated.SeatsPerTimeSlot, seated.SeatsShowAttendees, seated.LengthInMinutes = 2, true, 60
	hidden := personal(etSeatsHidden, "seated-hidden")
	hidden.SeatsPerTimeSlot = 3
	recurring := personal(etRecurring, "recurring")
	recurring.Recurrence = &booking.Recurrence{Frequency: booking.FrequencyWeekly, Interval: 1, Count: 3}
	variable := personal(etVariable, "variable")
	variable.LengthOptions = []int{15, 30, 60}
	noCancel := personal(etNoCancel, "no-cancel")
	noCancel.DisableCancelling = true
	rr := booking.EventType{ID: etRoundRobin, Slug: "rr", Title: "Sales", LengthInMinutes: 30, TeamID: team.ID,
		SchedulingType: booking.SchedulingRoundRobin, HostIDs: []int{carol.ID, dave.ID}, Locations: []string{"link"}, Link: "https://meet.example.com/x"}
	coll := booking.EventType{ID: etCollective, Slug: "all", Title: "Panel", LengthInMinutes: 30, TeamID: team.ID,
		SchedulingType: booking.SchedulingCollective, HostIDs: []int{carol.ID, dave.ID, erin.ID}}
	return booking.NewStaticCatalog([]booking.User{alice, bob, carol, dave, erin}, []booking.Team{team},
		[]booking.EventType{plain, confirm, seated, hidden, recurring, variable, noCancel, rr, coll})
}

// env is a Service over a fresh memstore with a settable clock and seeded ids.
type env struct {
	svc   *booking.Service
	store *memstore.Store
	mu    sync.Mutex
	now   time.Time
}

func (e *env) Now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) setNow(t time.Time) {
	e.mu.Lock()
	e.now = t
	e.mu.Unlock()
}

func mustEnv(tb testing.TB) *env {
	tb.Helper()
	e := &env{store: memstore.New(), now: t0}
	e.svc = booking.NewService(e.store, testCatalog(), booking.ClockFunc(e.Now), booking.NewSeededIDs(42))
	return e
}

var ctx = context.Background()

func guest(name, email string) booking.AttendeeInput {
	return booking.AttendeeInput{Name: name, Email: email, TimeZone: "Europe/Rome"}
}

// mustCreate books event type et at start for attendee, failing the test on error.
func (e *env) mustCreate(tb testing.TB, et int, start time.Time, who booking.AttendeeInput) booking.Result {
	tb.Helper()
	r, err := e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: et, Start: start, Attendee: who})
	if err != nil {
		tb.Fatalf("create %d at %v: %v", et, start, err)
	}
	return r
}

func (e *env) mustGet(tb testing.TB, uid string) booking.Booking {
	tb.Helper()
	r, err := e.svc.Get(ctx, nil, uid)
	if err != nil {
		tb.Fatalf("get %s: %v", uid, err)
	}
	return r.Bookings[0]
}

func TestService_CreatePlain(t *testing.T) {
	e := mustEnv(t)
	start := t0.Add(24 * time.Hour)
	r, err := e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etPlain, Start: start, Attendee: guest("Gina", "gina@example.com"),
		Guests: []string{"g1@example.com"}, Metadata: map[string]any{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Bookings) != 1 || r.Series || r.SeatUID != "" {
		t.Fatalf("result = %+v", r)
	}
	b := r.Bookings[0]
	if b.Status != booking.StatusAccepted || b.ID != 1 || len(b.UID) != 22 || b.ICSUID != b.UID+"@Cal.com" {
		t.Errorf("status %s id %d uid %q ics %q", b.Status, b.ID, b.UID, b.ICSUID)
	}
	if b.Title != "Meeting between Alice Host and Gina" || b.HostID != alice.ID {
		t.Errorf("title %q host %d", b.Title, b.HostID)
	}
	if !b.End.Equal(start.Add(30*time.Minute)) || b.Duration() != 30 {
		t.Errorf("end %v", b.End)
	}
	if b.Location != "https://app.cal.com/video/"+b.UID {
		t.Errorf("location %q", b.Location)
	}
	if len(b.Attendees) != 2 || !reflect.DeepEqual(b.Attendees[1], booking.Attendee{Email: "g1@example.com", TimeZone: "Europe/Rome", Language: "en"}) || b.Attendees[0].Language != "en" {
		t.Errorf("attendees %+v", b.Attendees)
	}
	if b.Metadata["k"] != "v" || !b.CreatedAt.Equal(t0) || !b.UpdatedAt.Equal(t0) {
		t.Errorf("metadata %v created %v", b.Metadata, b.CreatedAt)
	}
	// Name, email and guests are derived from the booking when it is shown, so the store
	// keeps none of them (issue 6: a map per booking for them was a third of its memory).
	if b.BookingFieldsResponses != nil {
		t.Errorf("stored responses %v, want nil (all derived)", b.BookingFieldsResponses)
	}
	if got := e.mustGet(t, b.UID); got.UID != b.UID {
		t.Errorf("get returned %s", got.UID)
	}

	// No metadata → nil (shown as {}); phone-only attendee → synthetic email, and the phone
	// number is stored among the responses, since nothing else derives it there.
	r, err = e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etPlain, Start: start.Add(time.Hour),
		Attendee: booking.AttendeeInput{Name: "P", PhoneNumber: "+39 333 123 4567", TimeZone: "UTC"}})
	if err != nil {
		t.Fatal(err)
	}
	if b := r.Bookings[0]; b.Metadata != nil || b.Attendees[0].Email != "393331234567@sms.cal.com" {
		t.Errorf("metadata %v email %q", b.Metadata, b.Attendees[0].Email)
	}
	if got := r.Bookings[0].BookingFieldsResponses; !reflect.DeepEqual(got, map[string]any{"attendeePhoneNumber": "+39 333 123 4567"}) {
		t.Errorf("stored responses %v", got)
	}
}

func TestService_CreateErrors(t *testing.T) {
	e := mustEnv(t)
	future := t0.Add(24 * time.Hour)
	e.mustCreate(t, etPlain, future, guest("First", "first@example.com"))
	e.mustCreate(t, etRoundRobin, future, guest("R1", "r1@example.com"))
	e.mustCreate(t, etRoundRobin, future, guest("R2", "r2@example.com"))
	i := func(v int) *int { return &v }
	cases := []struct {
		name string
		in   booking.CreateInput
		code booking.Code
		orig booking.Origin
		msg  string
	}{
		{"UnknownID", booking.CreateInput{EventTypeID: 999}, booking.ENOTFOUND, 0, "Event type with id 999 not found."},
		{"UnknownUser", booking.CreateInput{EventTypeSlug: "plain", Username: "zed"}, booking.ENOTFOUND, 0, "User with username zed not found"},
		{"UnknownSlugForUser", booking.CreateInput{EventTypeSlug: "nope", Username: "alice"}, booking.ENOTFOUND, 0, "Event type with slug nope belonging to user alice not found."},
		{"UnknownSlugForUserInOrg", booking.CreateInput{EventTypeSlug: "nope", Username: "alice", OrganizationSlug: "org"}, booking.ENOTFOUND, 0, "Event type with slug nope belonging to user alice within organization org not found."},
		{"UnknownTeam", booking.CreateInput{EventTypeSlug: "rr", TeamSlug: "zzz"}, booking.ENOTFOUND, 0, "Team with slug zzz not found"},
		{"UnknownSlugForTeam", booking.CreateInput{EventTypeSlug: "nope", TeamSlug: "acme"}, booking.ENOTFOUND, 0, "Event type with slug nope belonging to team acme not found."},
		{"InstantPersonal", booking.CreateInput{EventTypeID: etPlain, Instant: true, Start: future}, booking.EINVALID, 0, "Instant bookings are only supported for team event types, not individual user event types."},
		{"LengthFixed", booking.CreateInput{EventTypeID: etPlain, LengthInMinutes: i(15), Start: future}, booking.EINVALID, 0, "Can't specify 'lengthInMinutes' because event type does not have multiple possible lengths. Please, remove the 'lengthInMinutes' field from the request."},
		{"LengthNotOption", booking.CreateInput{EventTypeID: etVariable, LengthInMinutes: i(45), Start: future}, booking.EINVALID, 0, "Provided 'lengthInMinutes' is not one of the possible lengths for the event type. The possible lengths are: 15, 30, 60"},
		{"RecurrenceTooHigh", booking.CreateInput{EventTypeID: etRecurring, RecurrenceCount: i(4), Start: future}, booking.EINVALID, 0, "Provided recurrence count is higher than the event type's recurring event count."},
		{"LocationType", booking.CreateInput{EventTypeID: etPlain, Location: &booking.LocationInput{Type: "link"}, Start: future}, booking.EINVALID, 0, "Booking location with type link not valid for event type with id=100. The event type has following location types: integration, address, attendeeDefined, and only these types are allowed for booking location."},
		{"LocationIntegration", booking.CreateInput{EventTypeID: etPlain, Location: &booking.LocationInput{Type: "integration", Integration: "google-meet"}, Start: future}, booking.EINVALID, 0, "Booking location with integration google-meet not valid for event type with id=100. The event type has following integrations: cal-video, and only these integrations are allowed for booking location."},
		{"Past", booking.CreateInput{EventTypeID: etPlain, Start: t0.Add(-time.Minute)}, booking.EINVALID, 0, "Attempting to book a meeting in the past."},
		{"Busy", booking.CreateInput{EventTypeID: etPlain, Start: future.Add(15 * time.Minute)}, booking.EINVALID, 0, "User either already has booking at this time or is not available"},
		{"BusyOtherEventTypeSameHost", booking.CreateInput{EventTypeID: etConfirm, Start: future}, booking.EINVALID, 0, "User either already has booking at this time or is not available"},
		{"TeamBusy", booking.CreateInput{EventTypeID: etRoundRobin, Start: future}, booking.EINVALID, 0, "One of the hosts either already has booking at this time or is not available"},
		{"CollectiveBusy", booking.CreateInput{EventTypeID: etCollective, Start: future}, booking.EINVALID, 0, "One of the hosts either already has booking at this time or is not available"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.Attendee = guest("X", "x@example.com")
			before := storeLen(t, e)
			_, err := e.svc.Create(ctx, nil, c.in)
			checkErr(t, err, c.code, c.orig, c.msg)
			if after := storeLen(t, e); after != before {
				t.Errorf("failed create changed the store: %d → %d bookings", before, after)
			}
		})
	}
}

func storeLen(tb testing.TB, e *env) int {
	tb.Helper()
	n := 0
	_ = e.store.View(ctx, func(tx booking.Tx) error { n = tx.Len(); return nil })
	return n
}

func TestService_CreateBySlugAndLocations(t *testing.T) {
	e := mustEnv(t)
	start := t0.Add(48 * time.Hour)
	r, err := e.svc.Create(ctx, nil, booking.CreateInput{EventTypeSlug: "plain", Username: "alice", Start: start, Attendee: guest("A", "a@example.com"),
		Location: &booking.LocationInput{Type: "address"}})
	if err != nil {
		t.Fatal(err)
	}
	b := r.Bookings[0]
	if b.EventTypeID != etPlain || b.Location != "Via Roma 1" {
		t.Errorf("event type %d location %q", b.EventTypeID, b.Location)
	}
	if b.LocationType != "inPerson" || b.LocationOption != "" {
		t.Errorf("location answer = %q, %q; want inPerson and no option", b.LocationType, b.LocationOption)
	}
	r, err = e.svc.Create(ctx, nil, booking.CreateInput{EventTypeSlug: "plain", Username: "alice", Start: start.Add(time.Hour), Attendee: guest("A", "a@example.com"),
		Location: &booking.LocationInput{Type: "attendeeDefined", Location: "my place"}})
	if err != nil || r.Bookings[0].Location != "my place" {
		t.Fatalf("attendeeDefined: %v %v", r, err)
	}
	r, err = e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etPlain, Start: start.Add(2 * time.Hour), Attendee: guest("A", "a@example.com"),
		Location: &booking.LocationInput{Raw: "https://zoom.us/j/1"}})
	if err != nil || r.Bookings[0].Location != "https://zoom.us/j/1" {
		t.Fatalf("raw: %v %v", r, err)
	}
	r, err = e.svc.Create(ctx, nil, booking.CreateInput{EventTypeSlug: "rr", TeamSlug: "acme", Start: start, Attendee: guest("A", "a@example.com")})
	if err != nil || r.Bookings[0].Location != "https://meet.example.com/x" || r.Bookings[0].HostID != carol.ID {
		t.Fatalf("team slug: %+v %v", r, err)
	}
}

func TestService_CreateVariableLengthAndConfirm(t *testing.T) {
	e := mustEnv(t)
	l := 60
	r, err := e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etVariable, Start: t0.Add(time.Hour), LengthInMinutes: &l, Attendee: guest("A", "a@example.com")})
	if err != nil || r.Bookings[0].Duration() != 60 {
		t.Fatalf("variable: %v %v", r, err)
	}
	r = e.mustCreate(t, etConfirm, t0.Add(3*time.Hour), guest("A", "a@example.com"))
	if r.Bookings[0].Status != booking.StatusPending {
		t.Fatalf("requires confirmation: status %s", r.Bookings[0].Status)
	}
}

func TestService_CreateRecurring(t *testing.T) {
	e := mustEnv(t)
	// 10:00 in Rome, the week before the DST change of 2030-03-31: the wall clock is kept.
	start := time.Date(2030, 3, 25, 9, 0, 0, 0, time.UTC)
	r := e.mustCreate(t, etRecurring, start, guest("R", "r@example.com"))
	if !r.Series || len(r.Bookings) != 3 {
		t.Fatalf("series %v, %d bookings", r.Series, len(r.Bookings))
	}
	wantStarts := []time.Time{start, time.Date(2030, 4, 1, 8, 0, 0, 0, time.UTC), time.Date(2030, 4, 8, 8, 0, 0, 0, time.UTC)}
	series := r.Bookings[0].RecurringBookingUID
	if len(series) != 36 {
		t.Errorf("recurringBookingUid %q", series)
	}
	for i, b := range r.Bookings {
		if !b.Start.Equal(wantStarts[i]) || b.RecurringBookingUID != series || b.Status != booking.StatusAccepted {
			t.Errorf("occurrence %d: start %v series %q status %s", i, b.Start, b.RecurringBookingUID, b.Status)
		}
	}
	got, err := e.svc.Get(ctx, nil, series)
	if err != nil || !got.Series || len(got.Bookings) != 3 || got.Bookings[0].UID != r.Bookings[0].UID {
		t.Fatalf("get series: %+v %v", got, err)
	}
	two := 2
	r, err = e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etRecurring, Start: start.Add(3 * time.Hour), RecurrenceCount: &two, Attendee: guest("R", "r@example.com")})
	if err != nil || len(r.Bookings) != 2 {
		t.Fatalf("recurrenceCount 2: %d bookings, %v", len(r.Bookings), err)
	}
}

func TestService_CreateSeated(t *testing.T) {
	e := mustEnv(t)
	start := t0.Add(24 * time.Hour)
	r1, err := e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etSeated, Start: start, Attendee: guest("S1", "s1@example.com"),
		BookingFieldsResponses: map[string]any{"codingLanguage": "Go"}, Metadata: map[string]any{"seat": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	if r1.SeatUID == "" || len(r1.Bookings[0].Attendees) != 1 || r1.Bookings[0].Attendees[0].SeatUID != r1.SeatUID {
		t.Fatalf("first seat: %+v", r1)
	}
	a := r1.Bookings[0].Attendees[0]
	if _, hasEmail := a.SeatResponses["email"]; hasEmail || a.SeatResponses["codingLanguage"] != "Go" || a.SeatMetadata["seat"] != "1" {
		t.Errorf("seat responses %v metadata %v", a.SeatResponses, a.SeatMetadata)
	}
	r2 := e.mustCreate(t, etSeated, start, guest("S2", "s2@example.com"))
	if r2.Bookings[0].UID != r1.Bookings[0].UID || r2.SeatUID == r1.SeatUID || len(r2.Bookings[0].Attendees) != 2 {
		t.Fatalf("second seat did not join: %+v", r2)
	}
	_, err = e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etSeated, Start: start, Attendee: guest("S1 again", "s1@example.com")})
	checkErr(t, err, booking.ECONFLICT, booking.OriginCore, "already_signed_up_for_this_booking_error")
	_, err = e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etSeated, Start: start, Attendee: guest("S3", "s3@example.com")})
	checkErr(t, err, booking.ECONFLICT, booking.OriginAPI, "No more seats left at this seated booking.")

	got, err := e.svc.GetBySeat(ctx, nil, r2.SeatUID)
	if err != nil || got.Bookings[0].UID != r1.Bookings[0].UID {
		t.Fatalf("by seat: %v %v", got, err)
	}
	_, err = e.svc.GetBySeat(ctx, nil, "nope")
	checkErr(t, err, booking.ENOTFOUND, booking.OriginAPI, "Booking with seatUid=nope was not found in the database")
}

func TestService_CreateTeam(t *testing.T) {
	e := mustEnv(t)
	start := t0.Add(24 * time.Hour)
	b := e.mustCreate(t, etCollective, start, guest("Booker", "booker@example.com")).Bookings[0]
	if b.HostID != carol.ID || len(b.Attendees) != 3 || b.Attendees[1].Email != dave.Email || b.Attendees[2].Email != erin.Email {
		t.Fatalf("collective: host %d attendees %+v", b.HostID, b.Attendees)
	}
	if b.Title != "Panel between Acme and Booker" {
		t.Errorf("collective title %q", b.Title)
	}
	// Round robin: the first free host, in HostIDs order.
	rr1 := e.mustCreate(t, etRoundRobin, start.Add(2*time.Hour), guest("A", "a@example.com")).Bookings[0]
	rr2 := e.mustCreate(t, etRoundRobin, start.Add(2*time.Hour), guest("B", "b@example.com")).Bookings[0]
	if rr1.HostID != carol.ID || rr2.HostID != dave.ID || rr2.Title != "Sales between Dave and B" {
		t.Fatalf("round robin hosts %d, %d, title %q", rr1.HostID, rr2.HostID, rr2.Title)
	}
	in, err := e.svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etRoundRobin, Start: start.Add(2 * time.Hour), Instant: true, Attendee: guest("Ivy", "ivy@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	ib := in.Bookings[0]
	if ib.Status != booking.StatusAwaitingHost || ib.HostID != 0 || ib.Title != "Instant Meeting with Ivy" || ib.Location != "https://app.cal.com/video/"+ib.UID {
		t.Fatalf("instant: %+v", ib)
	}
}

func TestIDs_Seeded(t *testing.T) {
	a, b := booking.NewSeededIDs(7), booking.NewSeededIDs(7)
	for range 20 {
		ua, ub := a.BookingUID(), b.BookingUID()
		if ua != ub || len(ua) != 22 {
			t.Fatalf("uids %q %q", ua, ub)
		}
		for _, r := range ua {
			if r == '0' || r == 'O' || r == 'I' || r == 'l' {
				t.Fatalf("uid %q is not base58", ua)
			}
		}
		xa, xb := a.UUID(), b.UUID()
		if xa != xb || len(xa) != 36 || xa[14] != '4' || (xa[19] != '8' && xa[19] != '9' && xa[19] != 'a' && xa[19] != 'b') {
			t.Fatalf("uuids %q %q", xa, xb)
		}
	}
	if booking.NewSeededIDs(8).BookingUID() == booking.NewSeededIDs(7).BookingUID() {
		t.Error("different seeds gave the same uid")
	}
}
