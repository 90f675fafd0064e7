package booking

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Create-specific messages (§5.1).
const (
	msgInstantTeamOnly       = "Instant bookings are only supported for team event types, not individual user event types."
	msgRecurringSeats        = "recurring_event_seats_error"
	msgUserNotAvailable      = "User either already has booking at this time or is not available"
	msgHostsNotAvailable     = "One of the hosts either already has booking at this time or is not available"
	msgSeatsFull             = "No more seats left at this seated booking."
	msgAlreadySignedUp       = "already_signed_up_for_this_booking_error"
	msgRecurrenceCountHigher = "Provided recurrence count is higher than the event type's recurring event count."
	msgLengthNotVariable     = "Can't specify 'lengthInMinutes' because event type does not have multiple possible lengths. Please, remove the 'lengthInMinutes' field from the request."
	msgIdentification        = "eventTypeId or eventTypeSlug + username property is wrong,Either eventTypeId or eventTypeSlug + username or eventTypeSlug + teamSlug must be provided "
)

// Create books an event type: a normal booking, a recurring series, a seat of a seated
// booking, or an instant meeting, decided by the event type and the Instant flag. Anyone may
// call it (caller may be nil).
//
// Returns ENOTFOUND (event type, user or team unknown), EINVALID (instant on a personal event
// type, lengthInMinutes or recurrenceCount not allowed, location not allowed, start in the
// past, host not available; core origin for recurring seated event types), ECONFLICT (seats
// full; core origin when the attendee already holds a seat).
func (s *Service) Create(ctx context.Context, caller *User, in CreateInput) (Result, error) {
	et, err := s.resolveEventType(in)
	if err != nil {
		return Result{}, err
	}
	in.Overrides = in.Overrides.For(caller, et)
	if in.Instant && !et.IsTeam() {
		return Result{}, Errorf(EINVALID, msgInstantTeamOnly)
	}
	length, err := bookingLength(et, in.LengthInMinutes)
	if err != nil {
		return Result{}, err
	}
	recurring := et.Recurrence != nil && et.Recurrence.Count > 0 && !in.Instant
	count := 1
	if recurring {
		count = et.Recurrence.Count
		if in.RecurrenceCount != nil {
			if *in.RecurrenceCount > count {
				return Result{}, Errorf(EINVALID, msgRecurrenceCountHigher)
			}
			count = *in.RecurrenceCount
		}
	}
	loc, err := resolveLocation(et, in)
	if err != nil {
		return Result{}, err
	}
	if recurring && et.IsSeated() {
		return Result{}, CoreErrorf(EINVALID, msgRecurringSeats)
	}

	start := in.Start.UTC()
	var slots []slot
	for _, st := range occurrences(start, in.Attendee.TimeZone, et.Recurrence, count) {
		slots = append(slots, slot{st, st.Add(time.Duration(length) * time.Minute)})
	}
	booker := bookerAttendee(in.Attendee)
	responses := createResponses(in, et, recurring, booker, loc)

	var res Result
	err = s.update(ctx, ActionCreate, nil, func(tx Tx) error {
		now := s.clock.Now()
		if start.Before(now) && !in.Overrides.AllowBookingOutOfBounds {
			return Errorf(EINVALID, msgPast)
		}
		if et.IsSeated() && !in.Instant {
			r, err := s.bookSeat(tx, et, slots[0], booker, in, responses, loc, now)
			res = r
			return err
		}
		var host User
		var extra []Attendee
		title := ""
		if in.Instant {
			title = "Instant Meeting with " + booker.Name
		} else {
			h, others, err := s.pickHosts(tx, et, slots, nil, in.Overrides.AllowConflicts)
			if err != nil {
				return err
			}
			host = h
			extra = others
			title = eventTitle(s.catalog, et, host, booker.Name)
		}
		series := ""
		if recurring {
			series = s.freshSeriesUID(tx)
		}
		status := CreateStatus(et, in.Instant)
		res = Result{Series: recurring}
		for _, sl := range slots {
			b := s.newBooking(tx, et, host.ID, title, sl, booker, in, responses, loc)
			b.RecurringBookingUID = series
			b.Attendees = append(b.Attendees, extra...)
			if in.Instant {
				b.Location = calVideoURL(b.UID)
			}
			b, err := create(b, status, now, in.Overrides.AllowBookingOutOfBounds)
			if err != nil {
				return err
			}
			tx.Put(b)
			res.Bookings = append(res.Bookings, b)
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	return s.seenBy(caller, res), nil
}

// For returns the overrides caller may use on et: all of them for an authenticated host (or
// the owner) of the event type, none for anyone else, whose switches are silently ignored
// rather than refused (changes-2026 §2.1.3: "If the caller is not an authenticated host of
// the event type, both are silently ignored"; allowConflicts follows the same host rule).
func (o CreateOverrides) For(caller *User, et EventType) CreateOverrides {
	if caller == nil || caller.ID == 0 || !slices.Contains(hostsOf(et), caller.ID) {
		return CreateOverrides{}
	}
	return o
}

// resolveEventType finds the event type the create body names (§5.1.5 texts). eventTypeId
// wins over slugs.
func (s *Service) resolveEventType(in CreateInput) (EventType, error) {
	switch {
	case in.EventTypeID != 0:
		et, ok := s.catalog.EventTypeByID(in.EventTypeID)
		if !ok {
			return EventType{}, Errorf(ENOTFOUND, "Event type with id %d not found.", in.EventTypeID)
		}
		return et, nil
	case in.EventTypeSlug != "" && in.Username != "":
		if _, ok := s.catalog.UserByUsername(in.Username); !ok {
			return EventType{}, Errorf(ENOTFOUND, "User with username %s not found", in.Username)
		}
		et, ok := s.catalog.EventTypeBySlug(in.EventTypeSlug, in.Username, "")
		if !ok {
			if in.OrganizationSlug != "" {
				return EventType{}, Errorf(ENOTFOUND, "Event type with slug %s belonging to user %s within organization %s not found.", in.EventTypeSlug, in.Username, in.OrganizationSlug)
			}
			return EventType{}, Errorf(ENOTFOUND, "Event type with slug %s belonging to user %s not found.", in.EventTypeSlug, in.Username)
		}
		return et, nil
	case in.EventTypeSlug != "" && in.TeamSlug != "":
		if _, ok := s.catalog.TeamBySlug(in.TeamSlug); !ok {
			return EventType{}, Errorf(ENOTFOUND, "Team with slug %s not found", in.TeamSlug)
		}
		et, ok := s.catalog.EventTypeBySlug(in.EventTypeSlug, "", in.TeamSlug)
		if !ok {
			if in.OrganizationSlug != "" {
				return EventType{}, Errorf(ENOTFOUND, "Event type with slug %s belonging to team %s within organization %s not found.", in.EventTypeSlug, in.TeamSlug, in.OrganizationSlug)
			}
			return EventType{}, Errorf(ENOTFOUND, "Event type with slug %s belonging to team %s not found.", in.EventTypeSlug, in.TeamSlug)
		}
		return et, nil
	}
	// The transport normally refuses this first, with the same text (§4.3 i).
	return EventType{}, Errorf(EINVALID, msgIdentification)
}

// bookingLength checks lengthInMinutes (§5.1.4) and returns the booking's length.
func bookingLength(et EventType, want *int) (int, error) {
	if want == nil {
		return et.LengthInMinutes, nil
	}
	if len(et.LengthOptions) == 0 {
		return 0, Errorf(EINVALID, msgLengthNotVariable)
	}
	if !slices.Contains(et.LengthOptions, *want) {
		opts := make([]string, len(et.LengthOptions))
		for i, o := range et.LengthOptions {
			opts[i] = strconv.Itoa(o)
		}
		return 0, Errorf(EINVALID, "Provided 'lengthInMinutes' is not one of the possible lengths for the event type. The possible lengths are: %s", strings.Join(opts, ", "))
	}
	return *want, nil
}

// occurrences returns the starts of a series of count occurrences from start, stepping
// interval units of r.Frequency in the attendee's time zone so that the wall-clock time is
// kept across DST changes. A nil r or count 1 gives just start.
func occurrences(start time.Time, tz string, r *Recurrence, count int) []time.Time {
	if r == nil || count <= 1 {
		return []time.Time{start}
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		loc = time.UTC
	}
	interval := r.Interval
	if interval < 1 {
		interval = 1
	}
	local := start.In(loc)
	out := make([]time.Time, count)
	for k := range count {
		n := k * interval
		switch r.Frequency {
		case FrequencyYearly:
			out[k] = local.AddDate(n, 0, 0).UTC()
		case FrequencyMonthly:
			out[k] = local.AddDate(0, n, 0).UTC()
		default:
			out[k] = local.AddDate(0, 0, 7*n).UTC()
		}
	}
	return out
}

// location is a resolved booking location.
type location struct {
	// value is the location string; "" with calVideo means the booking's Cal Video URL.
	value    string
	calVideo bool
	// answer is what bookingFieldsResponses.location records; nil when the body named no
	// location (the event type's default is then not recorded as an answer).
	answer *locationAnswer
}

func (l location) forUID(uid string) string {
	if l.calVideo {
		return calVideoURL(uid)
	}
	return l.value
}

// resolveLocation applies §5.1.2: the object form must use one of the event type's location
// types (and configured integrations); the string form and meetingUrl are taken as given;
// nothing means the event type's default.
func resolveLocation(et EventType, in CreateInput) (location, error) {
	if in.Location == nil || (in.Location.Type == "" && in.Location.Raw == "") {
		if in.MeetingURL != "" {
			return location{value: in.MeetingURL, answer: stringLocationAnswer(in.MeetingURL)}, nil
		}
		return defaultLocation(et), nil
	}
	l := in.Location
	if l.Type == "" {
		return location{value: l.Raw, answer: stringLocationAnswer(l.Raw)}, nil
	}
	if !slices.Contains(et.Locations, l.Type) {
		return location{}, Errorf(EINVALID, "Booking location with type %s not valid for event type with id=%d. The event type has following location types: %s, and only these types are allowed for booking location.", l.Type, et.ID, strings.Join(et.Locations, ", "))
	}
	var out location
	switch l.Type {
	case "address":
		out.value = et.Address
	case "link":
		out.value = et.Link
	case "phone":
		out.value = et.Phone
	case "attendeeAddress":
		out.value = l.Address
	case "attendeePhone":
		out.value = l.Phone
	case "attendeeDefined":
		out.value = l.Location
	case "integration":
		if !slices.Contains(et.Integrations, l.Integration) {
			return location{}, Errorf(EINVALID, "Booking location with integration %s not valid for event type with id=%d. The event type has following integrations: %s, and only these integrations are allowed for booking location.", l.Integration, et.ID, strings.Join(et.Integrations, ", "))
		}
		out = integrationLocation(l.Integration)
	case "organizersDefaultApp":
		out.calVideo = true
	}
	out.answer = objectLocationAnswer(l)
	return out, nil
}

// integrationLocation is where a booking on an integration takes place: the Cal Video URL,
// or the integration's internal location type (what Cal.com stores until the app has made a
// meeting URL, which the mock does not model).
func integrationLocation(name string) location {
	if name == "cal-video" {
		return location{calVideo: true}
	}
	return location{value: internalIntegration(name)}
}

// defaultLocation is the location of a booking that names none: the event type's first
// location type (an integration's first integration; cal-video gives the Cal Video URL).
func defaultLocation(et EventType) location {
	first := ""
	if len(et.Locations) > 0 {
		first = et.Locations[0]
	} else if len(et.Integrations) > 0 {
		first = "integration"
	}
	switch first {
	case "integration":
		if len(et.Integrations) > 0 {
			return integrationLocation(et.Integrations[0])
		}
		return location{calVideo: true}
	case "organizersDefaultApp":
		return location{calVideo: true}
	case "address":
		return location{value: et.Address}
	case "link":
		return location{value: et.Link}
	case "phone":
		return location{value: et.Phone}
	}
	return location{}
}

// bookerAttendee turns the create body's attendee into a stored attendee. A phone-only
// attendee gets Cal.com's synthetic email <digits>@sms.cal.com.
func bookerAttendee(in AttendeeInput) Attendee {
	a := Attendee{Name: in.Name, Email: in.Email, TimeZone: in.TimeZone, Language: in.Language, PhoneNumber: in.PhoneNumber}
	if a.Language == "" {
		a.Language = "en"
	}
	if a.Email == "" && a.PhoneNumber != "" {
		a.Email = digits(a.PhoneNumber) + "@sms.cal.com"
	}
	return a
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// newBooking assembles a booking (status StatusNone) with a fresh id and uid.
func (s *Service) newBooking(tx Tx, et EventType, hostID int, title string, sl slot, booker Attendee, in CreateInput, responses map[string]any, loc location) Booking {
	uid := s.freshBookingUID(tx)
	b := Booking{
		ID:                     tx.NextID(),
		UID:                    uid,
		Title:                  title,
		EventTypeID:            et.ID,
		HostID:                 hostID,
		Start:                  sl.start,
		End:                    sl.end,
		Attendees:              []Attendee{booker},
		Location:               loc.forUID(uid),
		Metadata:               cloneMap(in.Metadata),
		BookingFieldsResponses: storedResponses(responses, booker, in.Guests),
		ICSUID:                 uid + "@Cal.com",
	}
	if loc.answer != nil {
		b.LocationType, b.LocationOption = loc.answer.value, loc.answer.optionValue
	}
	if notes, ok := responses["notes"].(string); ok && notes != "" {
		b.Description = &notes
	}
	if len(in.Guests) > 0 {
		b.Guests = append([]string(nil), in.Guests...)
		for _, g := range in.Guests {
			b.Attendees = append(b.Attendees, Attendee{Email: g, TimeZone: booker.TimeZone, Language: "en"})
		}
	}
	return b
}

// pickHosts chooses the organizer of a booking of et over slots, checking availability
// (no accepted/pending booking of the organizer overlapping; the bookings in except are
// ignored; ignoreBusy, a host's allowConflicts, skips the check). Personal: the owner.
// Round robin: the first host in HostIDs order that is free in
// every slot (deterministic on purpose; Cal.com weighs by past bookings, which the mock does
// not model). Collective and other team event types: the first host organises, every host
// must be free, and the other hosts are returned as extra attendees.
func (s *Service) pickHosts(tx Tx, et EventType, slots []slot, except map[string]bool, ignoreBusy bool) (User, []Attendee, error) {
	if !et.IsTeam() {
		u, ok := s.catalog.UserByID(et.OwnerID)
		if !ok {
			return User{}, nil, Errorf(EINTERNAL, "booking: event type %d has unknown owner %d", et.ID, et.OwnerID)
		}
		if !ignoreBusy && !allFree(tx, u.ID, slots, except) {
			return User{}, nil, Errorf(EINVALID, msgUserNotAvailable)
		}
		return u, nil, nil
	}
	if et.SchedulingType == SchedulingRoundRobin {
		for _, id := range et.HostIDs {
			u, ok := s.catalog.UserByID(id)
			if ok && (ignoreBusy || allFree(tx, id, slots, except)) {
				return u, nil, nil
			}
		}
		return User{}, nil, Errorf(EINVALID, msgHostsNotAvailable)
	}
	if len(et.HostIDs) == 0 {
		return User{}, nil, Errorf(EINVALID, msgHostsNotAvailable)
	}
	var organizer User
	var extra []Attendee
	for i, id := range et.HostIDs {
		u, ok := s.catalog.UserByID(id)
		if !ok || !ignoreBusy && !allFree(tx, id, slots, except) {
			return User{}, nil, Errorf(EINVALID, msgHostsNotAvailable)
		}
		if i == 0 {
			organizer = u
			continue
		}
		extra = append(extra, Attendee{Name: u.Name, Email: u.Email, TimeZone: u.TimeZone, Language: "en"})
	}
	return organizer, extra, nil
}

// bookSeat seats the booker at the slot: it joins the accepted booking of the event type at
// that start, or creates one. The seat's answers are the responses without email, its
// metadata the request's.
func (s *Service) bookSeat(tx Tx, et EventType, sl slot, booker Attendee, in CreateInput, responses map[string]any, loc location, now time.Time) (Result, error) {
	seat := booker
	seat.SeatUID = s.freshSeatUID(tx)
	seat.SeatCreatedAt = now
	seat.SeatResponses = cloneMap(responses)
	delete(seat.SeatResponses, "email")
	seat.SeatMetadata = cloneMap(in.Metadata)
	if seat.SeatMetadata == nil {
		seat.SeatMetadata = map[string]any{}
	}
	for _, b := range tx.At(et.ID, sl.start) {
		if b.Status != StatusAccepted {
			continue
		}
		if hasAttendeeEmail(&b, seat.Email) {
			return Result{}, CoreErrorf(ECONFLICT, msgAlreadySignedUp)
		}
		if len(b.Attendees) >= et.SeatsPerTimeSlot {
			return Result{}, Errorf(ECONFLICT, msgSeatsFull)
		}
		b.Attendees = append(b.Attendees, seat)
		b.UpdatedAt = now
		tx.Put(b)
		return Result{Bookings: []Booking{b}, SeatUID: seat.SeatUID}, nil
	}
	host, _, err := s.pickHosts(tx, et, []slot{sl}, nil, in.Overrides.AllowConflicts)
	if err != nil {
		return Result{}, err
	}
	in.Guests = nil // seats hold one attendee each
	b := s.newBooking(tx, et, host.ID, eventTitle(s.catalog, et, host, booker.Name), sl, booker, in, responses, loc)
	b.Attendees = []Attendee{seat}
	b, err = create(b, CreateStatus(et, false), now, in.Overrides.AllowBookingOutOfBounds)
	if err != nil {
		return Result{}, err
	}
	tx.Put(b)
	return Result{Bookings: []Booking{b}, SeatUID: seat.SeatUID}, nil
}
