// Package booking is the domain of the mock: bookings, the event types and users they belong
// to, and the state machine Cal.com applies to them. It uses the standard library only and
// knows nothing about HTTP, JSON envelopes or OpenAPI.
package booking

import (
	"strings"
	"time"
)

// Status is a booking's status as Cal.com writes it on the wire (lower case).
type Status string

const (
	StatusAccepted     Status = "accepted"
	StatusPending      Status = "pending"
	StatusCancelled    Status = "cancelled"
	StatusRejected     Status = "rejected"
	StatusAwaitingHost Status = "awaiting_host" // instant bookings of team event types
)

// Statuses lists every status, in the order the spec's enum uses plus awaiting_host.
var Statuses = []Status{StatusCancelled, StatusAccepted, StatusRejected, StatusPending, StatusAwaitingHost}

// The yaml tags are the fixture file format (package fixtures): the JSON keys, with
// omitempty where a fixture file leaves the key out when it is empty.

// User is a Cal.com user: an organizer, a host of a team event type, or a caller.
type User struct {
	ID       int    `json:"id" yaml:"id"`
	Username string `json:"username" yaml:"username"`
	Name     string `json:"name" yaml:"name"`
	Email    string `json:"email" yaml:"email"`
	TimeZone string `json:"timeZone" yaml:"timeZone"`
}

// Team owns team event types (round robin or collective).
type Team struct {
	ID   int    `json:"id" yaml:"id"`
	Slug string `json:"slug" yaml:"slug"`
	Name string `json:"name" yaml:"name"`
}

// Frequency is the unit of a recurring event type, with Cal.com's numeric values.
type Frequency int

const (
	FrequencyYearly  Frequency = 0
	FrequencyMonthly Frequency = 1
	FrequencyWeekly  Frequency = 2
)

// Recurrence describes a recurring event type: Count occurrences, every Interval units.
type Recurrence struct {
	Frequency Frequency `json:"freq" yaml:"freq"`
	Interval  int       `json:"interval" yaml:"interval"`
	Count     int       `json:"count" yaml:"count"`
}

// SchedulingType says how a team event type picks its host.
type SchedulingType string

const (
	SchedulingNone       SchedulingType = ""
	SchedulingRoundRobin SchedulingType = "roundRobin"
	SchedulingCollective SchedulingType = "collective"
)

// EventType is what a booking books. Exactly one of OwnerID (personal) or TeamID (team) is set.
type EventType struct {
	ID    int    `json:"id" yaml:"id"`
	Slug  string `json:"slug" yaml:"slug"`
	Title string `json:"title" yaml:"title"`
	// LengthInMinutes is the default duration.
	LengthInMinutes int `json:"lengthInMinutes" yaml:"lengthInMinutes"`
	// LengthOptions, when non-empty, are the durations a booker may pick with
	// lengthInMinutes (variable-length event types). Empty means fixed length.
	LengthOptions []int `json:"lengthOptions,omitempty" yaml:"lengthOptions,omitempty,flow"`
	// OwnerID is the user owning a personal event type; 0 for team event types.
	OwnerID int `json:"ownerId,omitempty" yaml:"ownerId,omitempty"`
	// TeamID is the team owning a team event type; 0 for personal ones.
	TeamID         int            `json:"teamId,omitempty" yaml:"teamId,omitempty"`
	SchedulingType SchedulingType `json:"schedulingType,omitempty" yaml:"schedulingType,omitempty"`
	// HostIDs are the users who can host a team event type; for round robin one of them is
	// picked per booking.
	HostIDs              []int `json:"hostIds,omitempty" yaml:"hostIds,omitempty,flow"`
	RequiresConfirmation bool  `json:"requiresConfirmation,omitempty" yaml:"requiresConfirmation,omitempty"`
	// SeatsPerTimeSlot > 0 makes the event type seated.
	SeatsPerTimeSlot   int  `json:"seatsPerTimeSlot,omitempty" yaml:"seatsPerTimeSlot,omitempty"`
	SeatsShowAttendees bool `json:"seatsShowAttendees,omitempty" yaml:"seatsShowAttendees,omitempty"`
	// Recurrence, when set, makes every booking a recurring series.
	Recurrence *Recurrence `json:"recurrence,omitempty" yaml:"recurrence,omitempty,flow"`
	// Locations are the location types a booker may choose (e.g. "integration", "address");
	// Integrations the integrations configured for type "integration" (e.g. "cal-video").
	Locations    []string `json:"locations,omitempty" yaml:"locations,omitempty,flow"`
	Integrations []string `json:"integrations,omitempty" yaml:"integrations,omitempty,flow"`
	// Address, Link and Phone are the organizer-defined values used for those location types.
	Address string `json:"address,omitempty" yaml:"address,omitempty"`
	Link    string `json:"link,omitempty" yaml:"link,omitempty"`
	Phone   string `json:"phone,omitempty" yaml:"phone,omitempty"`
	// SMSReminderNumber says the event type's booking form has Cal.com's smsReminderNumber
	// field (an SMS reminder workflow adds it): a create then answers it with
	// attendee.phoneNumber.
	SMSReminderNumber bool `json:"smsReminderNumber,omitempty" yaml:"smsReminderNumber,omitempty"`
	// DisableCancelling refuses cancellation ("This event type does not allow cancellations").
	DisableCancelling bool `json:"disableCancelling,omitempty" yaml:"disableCancelling,omitempty"`
}

// IsSeated reports whether bookings of the event type hold seats.
func (e EventType) IsSeated() bool { return e.SeatsPerTimeSlot > 0 }

// Clone returns a deep copy of e: the catalog's event types are shared by every request, so
// what the Service hands out of them is a copy.
func (e EventType) Clone() EventType {
	c := e
	c.LengthOptions = cloneSlice(e.LengthOptions)
	c.HostIDs = cloneSlice(e.HostIDs)
	c.Recurrence = clonePtr(e.Recurrence)
	c.Locations = cloneSlice(e.Locations)
	c.Integrations = cloneSlice(e.Integrations)
	return c
}

// IsTeam reports whether the event type belongs to a team.
func (e EventType) IsTeam() bool { return e.TeamID != 0 }

// Attendee is one person attending a booking. For seated bookings each attendee holds a seat.
type Attendee struct {
	Name        string `json:"name" yaml:"name"`
	Email       string `json:"email" yaml:"email"`
	TimeZone    string `json:"timeZone" yaml:"timeZone"`
	Language    string `json:"language,omitempty" yaml:"language,omitempty"`
	PhoneNumber string `json:"phoneNumber,omitempty" yaml:"phoneNumber,omitempty"`
	Absent      bool   `json:"absent,omitempty" yaml:"absent,omitempty"`
	// SeatUID is set for attendees of seated bookings.
	SeatUID string `json:"seatUid,omitempty" yaml:"seatUid,omitempty"`
	// SeatResponses and SeatMetadata are the seat's own booking-field answers and metadata.
	SeatResponses map[string]any `json:"seatResponses,omitempty" yaml:"seatResponses,omitempty"`
	SeatMetadata  map[string]any `json:"seatMetadata,omitempty" yaml:"seatMetadata,omitempty"`
	// SeatCreatedAt is when the attendee took the seat (SeatedAttendee.createdAt,
	// changes-2026 §2.2); zero for attendees without a seat.
	SeatCreatedAt time.Time `json:"seatCreatedAt,omitempty" yaml:"seatCreatedAt,omitempty"`
}

// Recording is a Cal Video recording of a booking.
type Recording struct {
	ID              string  `json:"id" yaml:"id"`
	RoomName        string  `json:"roomName" yaml:"roomName"`
	StartTs         int64   `json:"startTs" yaml:"startTs"`
	Status          string  `json:"status" yaml:"status"`
	MaxParticipants int     `json:"maxParticipants" yaml:"maxParticipants"`
	Duration        int     `json:"duration" yaml:"duration"`
	ShareToken      string  `json:"shareToken" yaml:"shareToken"`
	DownloadLink    *string `json:"downloadLink,omitempty" yaml:"downloadLink,omitempty"`
}

// Reference is an external calendar or video event linked to a booking.
type Reference struct {
	ID                    int     `json:"id" yaml:"id"`
	Type                  string  `json:"type" yaml:"type"`
	EventUID              string  `json:"eventUid" yaml:"eventUid"`
	DestinationCalendarID *string `json:"destinationCalendarId,omitempty" yaml:"destinationCalendarId,omitempty"`
}

// Booking is one booking (or one occurrence of a recurring series). Pointer fields are the
// ones Cal.com emits as null; empty strings are omitted on the wire.
type Booking struct {
	ID          int     `json:"id" yaml:"id"`
	UID         string  `json:"uid" yaml:"uid"`
	Title       string  `json:"title" yaml:"title"`
	Description *string `json:"description,omitempty" yaml:"description,omitempty"`
	EventTypeID int     `json:"eventTypeId" yaml:"eventTypeId"`
	// HostID is the organizer's user id; 0 for instant bookings awaiting a host.
	HostID int    `json:"hostId" yaml:"hostId"`
	Status Status `json:"status" yaml:"status"`

	Start time.Time `json:"start" yaml:"start"`
	End   time.Time `json:"end" yaml:"end"`

	Attendees []Attendee `json:"attendees" yaml:"attendees"`
	// CancelledSeats are the attendees a seated booking held when its host cancelled it
	// whole (or requested a reschedule): Attendees is then empty, as cal-api-version
	// 2024-08-13 shows it, and 2026-02-25 shows these to privileged callers
	// (KeepCancelledSeats). Kept apart so that the former attendees do not find the booking
	// through the attendee index.
	CancelledSeats         []Attendee     `json:"cancelledSeats,omitempty" yaml:"cancelledSeats,omitempty"`
	Guests                 []string       `json:"guests,omitempty" yaml:"guests,omitempty,flow"`
	Location               string         `json:"location,omitempty" yaml:"location,omitempty"`
	Metadata               map[string]any `json:"metadata,omitempty" yaml:"metadata,omitempty"`
	BookingFieldsResponses map[string]any `json:"bookingFieldsResponses,omitempty" yaml:"bookingFieldsResponses,omitempty"`
	// LocationType and LocationOption are what Cal.com records as
	// bookingFieldsResponses.location, {value, optionValue} (responses.go); LocationType is
	// "" when the request named no location. Two strings rather than an entry of the
	// responses map: the output derives the answer from them, so neither the store nor a
	// copy of the booking holds a map for it (a nested map per booking doubled the cost of
	// copying a list page, Server_List).
	LocationType   string `json:"locationType,omitempty" yaml:"locationType,omitempty"`
	LocationOption string `json:"locationOption,omitempty" yaml:"locationOption,omitempty"`

	AbsentHost bool     `json:"absentHost,omitempty" yaml:"absentHost,omitempty"`
	Rating     *float64 `json:"rating,omitempty" yaml:"rating,omitempty"`
	ICSUID     string   `json:"icsUid,omitempty" yaml:"icsUid,omitempty"`

	CancellationReason *string `json:"cancellationReason,omitempty" yaml:"cancellationReason,omitempty"`
	CancelledByEmail   *string `json:"cancelledByEmail,omitempty" yaml:"cancelledByEmail,omitempty"`
	RejectionReason    string  `json:"rejectionReason,omitempty" yaml:"rejectionReason,omitempty"`

	// Rescheduled marks the old booking of a reschedule (Cal.com's internal flag).
	Rescheduled        bool    `json:"rescheduled,omitempty" yaml:"rescheduled,omitempty"`
	RescheduledFromUID string  `json:"rescheduledFromUid,omitempty" yaml:"rescheduledFromUid,omitempty"`
	RescheduledToUID   string  `json:"rescheduledToUid,omitempty" yaml:"rescheduledToUid,omitempty"`
	ReschedulingReason string  `json:"reschedulingReason,omitempty" yaml:"reschedulingReason,omitempty"`
	RescheduledByEmail *string `json:"rescheduledByEmail,omitempty" yaml:"rescheduledByEmail,omitempty"`

	// RecurringBookingUID groups the occurrences of a recurring series.
	RecurringBookingUID string `json:"recurringBookingUid,omitempty" yaml:"recurringBookingUid,omitempty"`

	Recordings  []Recording `json:"recordings,omitempty" yaml:"recordings,omitempty"`
	Transcripts []string    `json:"transcripts,omitempty" yaml:"transcripts,omitempty"`
	References  []Reference `json:"references,omitempty" yaml:"references,omitempty"`

	CreatedAt time.Time `json:"createdAt" yaml:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt" yaml:"updatedAt"`
}

// Duration is the booking's length in whole minutes.
func (b Booking) Duration() int { return int(b.End.Sub(b.Start) / time.Minute) }

// VisibleTo reports whether the booking is organised by userID or attended by email (the
// list endpoint's visibility rule; emails compare case-insensitively, and 0 or "" never
// match). Stores use it to confirm what their indexes propose.
func (b *Booking) VisibleTo(userID int, email string) bool {
	if userID != 0 && b.HostID == userID {
		return true
	}
	if email == "" {
		return false
	}
	for _, a := range b.Attendees {
		if strings.EqualFold(a.Email, email) {
			return true
		}
	}
	return false
}

// IsRecurring reports whether the booking is an occurrence of a recurring series.
func (b Booking) IsRecurring() bool { return b.RecurringBookingUID != "" }

// Clone returns a deep copy, so that a store never shares slices or maps with its callers.
// Only slice, map and pointer fields need a line here; TestBooking_CloneSharesNothing names
// any it misses.
func (b Booking) Clone() Booking {
	var attendees []Attendee
	if b.Attendees != nil {
		attendees = make([]Attendee, len(b.Attendees))
	}
	return b.cloneInto(attendees)
}

// cloneInto is Clone with the attendees copied into attendees, which has their length (nil
// when b.Attendees is nil): a page of bookings is copied with one allocation for all their
// attendees instead of one per booking (Server_List).
func (b Booking) cloneInto(attendees []Attendee) Booking {
	c := b
	c.Description = clonePtr(b.Description)
	c.Rating = clonePtr(b.Rating)
	c.CancellationReason = clonePtr(b.CancellationReason)
	c.CancelledByEmail = clonePtr(b.CancelledByEmail)
	c.RescheduledByEmail = clonePtr(b.RescheduledByEmail)
	if b.Attendees != nil {
		c.Attendees = attendees
		for i, a := range b.Attendees {
			a.SeatResponses = cloneMap(a.SeatResponses)
			a.SeatMetadata = cloneMap(a.SeatMetadata)
			c.Attendees[i] = a
		}
	}
	if b.CancelledSeats != nil {
		c.CancelledSeats = make([]Attendee, len(b.CancelledSeats))
		for i, a := range b.CancelledSeats {
			a.SeatResponses = cloneMap(a.SeatResponses)
			a.SeatMetadata = cloneMap(a.SeatMetadata)
			c.CancelledSeats[i] = a
		}
	}
	c.Guests = cloneSlice(b.Guests)
	c.Metadata = cloneMap(b.Metadata)
	c.BookingFieldsResponses = cloneMap(b.BookingFieldsResponses)
	if b.Recordings != nil {
		c.Recordings = make([]Recording, len(b.Recordings))
		for i, r := range b.Recordings {
			r.DownloadLink = clonePtr(r.DownloadLink)
			c.Recordings[i] = r
		}
	}
	c.Transcripts = cloneSlice(b.Transcripts)
	if b.References != nil {
		c.References = make([]Reference, len(b.References))
		for i, r := range b.References {
			r.DestinationCalendarID = clonePtr(r.DestinationCalendarID)
			c.References[i] = r
		}
	}
	return c
}

// cloneAll returns deep copies of bs in a new slice.
func cloneAll(bs []Booking) []Booking {
	out := make([]Booking, len(bs))
	for i := range bs {
		out[i] = bs[i].Clone()
	}
	return out
}

// cloneAllPtr returns deep copies of the bookings bs points to, in one new slice (never nil:
// an empty page is [] on the wire).
func cloneAllPtr(bs []*Booking) []Booking {
	out := make([]Booking, len(bs))
	n := 0
	for _, b := range bs {
		n += len(b.Attendees)
	}
	arena := make([]Attendee, n)
	for i, b := range bs {
		var attendees []Attendee
		if b.Attendees != nil {
			k := len(b.Attendees)
			// Capacity k: a caller appending to one booking's attendees reallocates
			// instead of writing over the next booking's.
			attendees, arena = arena[:k:k], arena[k:]
		}
		out[i] = b.cloneInto(attendees)
	}
	return out
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneSlice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append([]T(nil), s...)
}

// cloneMap copies a JSON-like map deeply enough for the values the API stores (scalars,
// nested maps and slices of them).
func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = cloneValue(v)
	}
	return c
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return cloneMap(t)
	case []any:
		c := make([]any, len(t))
		for i, e := range t {
			c[i] = cloneValue(e)
		}
		return c
	default:
		return v
	}
}
