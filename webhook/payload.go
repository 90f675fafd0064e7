package webhook

import (
	"strings"
	"time"
	_ "time/tzdata" // utcOffset must not depend on the machine's zone files (as fixtures)

	"github.com/calmock/calmock/booking"
)

// The payload shapes. Field order follows the calendar event Cal.com builds in
// handleNewBooking (packages/features/bookings/lib/handleNewBooking.ts) and extends in
// sendPayload (packages/features/webhooks/lib/sendPayload.ts, EventPayloadType); receivers
// parse JSON, so the order matters only to the eye. The signature is over the bytes sent,
// whatever their order.

// Directory is what the payload needs besides the booking: the organizer, the event type
// and its team. booking.Catalog satisfies it.
type Directory interface {
	UserByID(id int) (booking.User, bool)
	TeamByID(id int) (booking.Team, bool)
	EventTypeByID(id int) (booking.EventType, bool)
}

// Options are the deployment facts a payload mentions.
type Options struct {
	// WebAppURL is the origin of the links in payloads (INSTANT_MEETING's
	// connectAndJoinUrl); "" means http://localhost:3000, Cal.com's development default.
	WebAppURL string
}

// Language is Cal.com's Person.language without its translate function (which
// JSON.stringify drops).
type Language struct {
	Locale string `json:"locale"`
}

// Person is an organizer or attendee of the payload (@calcom/types Calendar Person, plus
// sendPayload's addUTCOffset).
type Person struct {
	ID          int      `json:"id,omitempty"`
	Name        string   `json:"name"`
	Email       string   `json:"email"`
	Username    string   `json:"username,omitempty"`
	TimeZone    string   `json:"timeZone"`
	PhoneNumber string   `json:"phoneNumber,omitempty"`
	TimeFormat  string   `json:"timeFormat,omitempty"`
	Language    Language `json:"language"`
	// UTCOffset is minutes east of UTC in TimeZone at the booking's start
	// (getUTCOffsetByTimezone(timeZone, startTime)).
	UTCOffset int `json:"utcOffset"`
}

// Response is one answer of payload.responses: {label, value}.
type Response struct {
	Label string `json:"label"`
	Value any    `json:"value"`
}

// TeamRef is payload.team for team event types.
type TeamRef struct {
	ID      int      `json:"id"`
	Name    string   `json:"name"`
	Members []Person `json:"members"`
}

// EventPayload is the payload of the booking triggers (all but BOOKING_NO_SHOW_UPDATED and
// INSTANT_MEETING).
type EventPayload struct {
	Type                 string              `json:"type"`
	Title                string              `json:"title"`
	Description          string              `json:"description"`
	AdditionalNotes      string              `json:"additionalNotes"`
	CustomInputs         map[string]any      `json:"customInputs"`
	StartTime            string              `json:"startTime"`
	EndTime              string              `json:"endTime"`
	Organizer            Person              `json:"organizer"`
	Responses            map[string]Response `json:"responses"`
	UserFieldsResponses  map[string]Response `json:"userFieldsResponses"`
	Attendees            []Person            `json:"attendees"`
	Location             string              `json:"location"`
	DestinationCalendar  any                 `json:"destinationCalendar"`
	RequiresConfirmation bool                `json:"requiresConfirmation"`
	EventTypeID          int                 `json:"eventTypeId"`
	SeatsShowAttendees   bool                `json:"seatsShowAttendees"`
	SeatsPerTimeSlot     *int                `json:"seatsPerTimeSlot"`
	UID                  string              `json:"uid"`
	AttendeeSeatID       string              `json:"attendeeSeatId,omitempty"`
	Team                 *TeamRef            `json:"team,omitempty"`
	ICalUID              string              `json:"iCalUID"`
	ICalSequence         int                 `json:"iCalSequence"`
	BookingID            int                 `json:"bookingId"`
	EventTitle           string              `json:"eventTitle"`
	EventDescription     *string             `json:"eventDescription"`
	Price                int                 `json:"price"`
	Currency             string              `json:"currency"`
	Length               int                 `json:"length"`
	Metadata             map[string]any      `json:"metadata"`
	Status               string              `json:"status"`
	SMSReminderNumber    string              `json:"smsReminderNumber,omitempty"`
	// Reschedule extras (BOOKING_RESCHEDULED, and BOOKING_REQUESTED after a reschedule).
	RescheduleID        int    `json:"rescheduleId,omitempty"`
	RescheduleUID       string `json:"rescheduleUid,omitempty"`
	RescheduleStartTime string `json:"rescheduleStartTime,omitempty"`
	RescheduleEndTime   string `json:"rescheduleEndTime,omitempty"`
	RescheduledBy       string `json:"rescheduledBy,omitempty"`
	// Cancellation and rejection extras.
	CancellationReason *string `json:"cancellationReason,omitempty"`
	CancelledBy        string  `json:"cancelledBy,omitempty"`
	RejectionReason    *string `json:"rejectionReason,omitempty"`
}

// NoShowPayload is BOOKING_NO_SHOW_UPDATED's payload (sendPayload.ts,
// BookingNoShowUpdatedPayload; handleMarkNoShow.ts buildResultPayload).
type NoShowPayload struct {
	Message    string           `json:"message"`
	Attendees  []NoShowAttendee `json:"attendees"`
	BookingUID string           `json:"bookingUid"`
	BookingID  int              `json:"bookingId"`
}

// InstantPayload is INSTANT_MEETING's payload (§10).
type InstantPayload struct {
	TriggerEvent      Trigger             `json:"triggerEvent"`
	UID               string              `json:"uid"`
	Responses         map[string]Response `json:"responses"`
	ConnectAndJoinURL string              `json:"connectAndJoinUrl"`
	EventTypeID       int                 `json:"eventTypeId"`
	EventTypeTitle    string              `json:"eventTypeTitle"`
	CustomInputs      map[string]any      `json:"customInputs"`
}

// No-show messages: Cal.com sends them translated with the caller's locale, "en" for API
// v2 (handleMarkNoShow.ts: t("x_marked_as_no_show" | "x_unmarked_as_no_show", {x: email})
// for one attendee, t("no_show_updated") otherwise; texts of
// apps/web/public/static/locales/en/common.json).
const (
	msgMarkedNoShow   = "%s marked as no-show"
	msgUnmarkedNoShow = "%s unmarked as no-show"
	msgNoShowUpdated  = "No-show status updated for attendees"
)

// payloadTime is startTime/endTime: Cal.com formats them with dayjs' format(), UTC, no
// milliseconds (`2023-05-25T09:30:00Z`, §10).
func payloadTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// BuildPayload returns ev's payload: *EventPayload, *NoShowPayload or *InstantPayload.
func BuildPayload(ev Event, dir Directory, opt Options) any {
	b := ev.Booking
	switch ev.Trigger {
	case BookingNoShowUpdated:
		p := &NoShowPayload{Attendees: ev.NoShow, BookingUID: b.UID, BookingID: b.ID}
		if p.Attendees == nil {
			p.Attendees = []NoShowAttendee{}
		}
		if len(p.Attendees) == 1 {
			msg := msgUnmarkedNoShow
			if p.Attendees[0].NoShow {
				msg = msgMarkedNoShow
			}
			p.Message = strings.Replace(msg, "%s", p.Attendees[0].Email, 1)
		} else {
			p.Message = msgNoShowUpdated
		}
		return p
	case InstantMeeting:
		et, _ := dir.EventTypeByID(b.EventTypeID)
		base := opt.WebAppURL
		if base == "" {
			base = "http://localhost:3000"
		}
		return &InstantPayload{
			TriggerEvent: InstantMeeting, UID: b.UID, Responses: responsesOf(b),
			ConnectAndJoinURL: strings.TrimRight(base, "/") + "/connect-and-join?token=" + b.UID,
			EventTypeID:       b.EventTypeID, EventTypeTitle: et.Title, CustomInputs: map[string]any{},
		}
	}
	return eventPayload(ev, dir)
}

func eventPayload(ev Event, dir Directory) *EventPayload {
	b := ev.Booking
	et, _ := dir.EventTypeByID(b.EventTypeID)
	host, _ := dir.UserByID(b.HostID)
	p := &EventPayload{
		Type:         et.Slug,
		Title:        b.Title,
		CustomInputs: map[string]any{},
		StartTime:    payloadTime(b.Start),
		EndTime:      payloadTime(b.End),
		Organizer: Person{
			ID: host.ID, Name: host.Name, Email: host.Email, Username: host.Username,
			TimeZone: host.TimeZone, TimeFormat: "h:mma", Language: Language{Locale: "en"},
			UTCOffset: utcOffset(host.TimeZone, b.Start),
		},
		Responses:            responsesOf(b),
		UserFieldsResponses:  map[string]Response{},
		Attendees:            []Person{},
		Location:             b.Location,
		RequiresConfirmation: et.RequiresConfirmation,
		EventTypeID:          b.EventTypeID,
		SeatsShowAttendees:   et.SeatsShowAttendees,
		UID:                  b.UID,
		AttendeeSeatID:       ev.SeatUID,
		ICalUID:              b.ICSUID,
		BookingID:            b.ID,
		EventTitle:           et.Title,
		Currency:             "usd",
		Length:               b.Duration(),
		Metadata:             map[string]any{},
		Status:               strings.ToUpper(string(b.Status)),
	}
	if b.Description != nil {
		// The calendar event's description is the event type's (which the mock's event
		// types do not have) and sendPayload falls back on the booker's notes, the
		// booking's description: data.description = data.description || data.additionalNotes.
		p.Description, p.AdditionalNotes = *b.Description, *b.Description
	}
	if et.IsSeated() {
		n := et.SeatsPerTimeSlot
		p.SeatsPerTimeSlot = &n
	}
	if et.IsTeam() {
		t, _ := dir.TeamByID(et.TeamID)
		p.Team = &TeamRef{ID: t.ID, Name: t.Name, Members: []Person{}}
	}
	for _, a := range b.Attendees {
		loc := a.Language
		if loc == "" {
			loc = "en"
		}
		p.Attendees = append(p.Attendees, Person{
			Name: a.Name, Email: a.Email, TimeZone: a.TimeZone, PhoneNumber: a.PhoneNumber,
			Language: Language{Locale: loc}, UTCOffset: utcOffset(a.TimeZone, b.Start),
		})
		if et.SMSReminderNumber && p.SMSReminderNumber == "" {
			p.SMSReminderNumber = a.PhoneNumber
		}
	}
	for k, v := range b.Metadata {
		p.Metadata[k] = v
	}
	switch ev.Trigger {
	case BookingCancelled:
		p.CancellationReason = b.CancellationReason
		if p.CancellationReason == nil {
			empty := ""
			p.CancellationReason = &empty
		}
		if b.CancelledByEmail != nil {
			p.CancelledBy = *b.CancelledByEmail
		}
	case BookingRejected:
		r := b.RejectionReason
		p.RejectionReason = &r
	}
	if prev := ev.Previous; prev != nil {
		p.RescheduleID = prev.ID
		p.RescheduleUID = prev.UID
		p.RescheduleStartTime = payloadTime(prev.Start)
		p.RescheduleEndTime = payloadTime(prev.End)
		// handleNewBooking: iCalSequence = original booking's + 1; the mock's bookings
		// keep no sequence, so every reschedule is the first.
		p.ICalSequence = 1
		if b.RescheduledByEmail != nil {
			p.RescheduledBy = *b.RescheduledByEmail
		}
	}
	return p
}

// responseLabels are the labels of Cal.com's system booking fields as the payload carries
// them: the i18n keys of their defaultLabel (packages/features/bookings/lib/
// getBookingFields.ts, getBookingFieldsWithSystemFields). Other fields carry their name.
var responseLabels = map[string]string{
	"name":                "your_name",
	"email":               "email_address",
	"location":            "location",
	"title":               "what_is_this_meeting_about",
	"notes":               "additional_notes",
	"guests":              "additional_guests",
	"rescheduleReason":    "reason_for_reschedule",
	"attendeePhoneNumber": "phone_number",
}

// responsesOf is payload.responses: the booking's bookingFieldsResponses (booker name and
// email, guests, location, then the stored answers), each as {label, value}.
func responsesOf(b booking.Booking) map[string]Response {
	out := map[string]Response{}
	put := func(k string, v any) {
		label, ok := responseLabels[k]
		if !ok {
			label = k
		}
		out[k] = Response{Label: label, Value: v}
	}
	if len(b.Attendees) > 0 {
		put("name", b.Attendees[0].Name)
		put("email", b.Attendees[0].Email)
	}
	if len(b.Guests) > 0 {
		put("guests", append([]string(nil), b.Guests...))
	}
	if b.LocationType != "" {
		put("location", booking.LocationResponse(b.LocationType, b.LocationOption))
	}
	for k, v := range b.BookingFieldsResponses {
		put(k, v)
	}
	return out
}

// utcOffset is Cal.com's getUTCOffsetByTimezone: minutes from UTC in tz at t; 0 for an
// unknown zone.
func utcOffset(tz string, t time.Time) int {
	if tz == "" {
		return 0
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return 0
	}
	_, off := t.In(loc).Zone()
	return off / 60
}
