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

// User is a Cal.com user: an organizer, a host of a team event type, or a caller.
type User struct {
	ID       int    `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	TimeZone string `json:"timeZone"`
}

// Team owns team event types (round robin or collective).
type Team struct {
	ID   int    `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
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
	Frequency Frequency `json:"freq"`
	Interval  int       `json:"interval"`
	Count     int       `json:"count"`
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
	ID    int    `json:"id"`
	Slug  string `json:"slug"`
	Title string `json:"title"`
	// LengthInMinutes is the default duration.
	LengthInMinutes int `json:"lengthInMinutes"`
	// LengthOptions, when non-empty, are the durations a booker may pick with
	// lengthInMinutes (variable-length event types). Empty means fixed length.
	LengthOptions []int `json:"lengthOptions,omitempty"`
	// OwnerID is the user owning a personal event type; 0 for team event types.
	OwnerID int `json:"ownerId,omitempty"`
	// TeamID is the team owning a team event type; 0 for personal ones.
	TeamID         int            `json:"teamId,omitempty"`
	SchedulingType SchedulingType `json:"schedulingType,omitempty"`
	// HostIDs are the users who can host a team event type; for round robin one of them is
	// picked per booking.
	HostIDs              []int `json:"hostIds,omitempty"`
	RequiresConfirmation bool  `json:"requiresConfirmation,omitempty"`
	// SeatsPerTimeSlot > 0 makes the event type seated.
	SeatsPerTimeSlot   int  `json:"seatsPerTimeSlot,omitempty"`
	SeatsShowAttendees bool `json:"seatsShowAttendees,omitempty"`
	// Recurrence, when set, makes every booking a recurring series.
	Recurrence *Recurrence `json:"recurrence,omitempty"`
	// Locations are the location types a booker may choose (e.g. "integration", "address");
	// Integrations the integrations configured for type "integration" (e.g. "cal-video").
	Locations    []string `json:"locations,omitempty"`
	Integrations []string `json:"integrations,omitempty"`
	// Address, Link and Phone are the organizer-defined values used for those location types.
	Address string `json:"address,omitempty"`
	Link    string `json:"link,omitempty"`
	Phone   string `json:"phone,omitempty"`
	// DisableCancelling refuses cancellation ("This event type does not allow cancellations").
	DisableCancelling bool `json:"disableCancelling,omitempty"`
}

// IsSeated reports whether bookings of the event type hold seats.
func (e EventType) IsSeated() bool { return e.SeatsPerTimeSlot > 0 }

// IsTeam reports whether the event type belongs to a team.
func (e EventType) IsTeam() bool { return e.TeamID != 0 }

// Attendee is one person attending a booking. For seated bookings each attendee holds a seat.
type Attendee struct {
	Name        string `json:"name"`
	Email       string `json:"email"`
	TimeZone    string `json:"timeZone"`
	Language    string `json:"language"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
	Absent      bool   `json:"absent"`
	// SeatUID is set for attendees of seated bookings.
	SeatUID string `json:"seatUid,omitempty"`
	// SeatResponses and SeatMetadata are the seat's own booking-field answers and metadata.
	SeatResponses map[string]any `json:"seatResponses,omitempty"`
	SeatMetadata  map[string]any `json:"seatMetadata,omitempty"`
}

// Recording is a Cal Video recording of a booking.
type Recording struct {
	ID              string  `json:"id"`
	RoomName        string  `json:"roomName"`
	StartTs         int64   `json:"startTs"`
	Status          string  `json:"status"`
	MaxParticipants int     `json:"maxParticipants"`
	Duration        int     `json:"duration"`
	ShareToken      string  `json:"shareToken"`
	DownloadLink    *string `json:"downloadLink"`
}

// Reference is an external calendar or video event linked to a booking.
type Reference struct {
	ID                    int     `json:"id"`
	Type                  string  `json:"type"`
	EventUID              string  `json:"eventUid"`
	DestinationCalendarID *string `json:"destinationCalendarId"`
}

// Booking is one booking (or one occurrence of a recurring series). Pointer fields are the
// ones Cal.com emits as null; empty strings are omitted on the wire.
type Booking struct {
	ID          int     `json:"id"`
	UID         string  `json:"uid"`
	Title       string  `json:"title"`
	Description *string `json:"description"`
	EventTypeID int     `json:"eventTypeId"`
	// HostID is the organizer's user id; 0 for instant bookings awaiting a host.
	HostID int    `json:"hostId"`
	Status Status `json:"status"`

	Start time.Time `json:"start"`
	End   time.Time `json:"end"`

	Attendees              []Attendee     `json:"attendees"`
	Guests                 []string       `json:"guests,omitempty"`
	Location               string         `json:"location"`
	Metadata               map[string]any `json:"metadata"`
	BookingFieldsResponses map[string]any `json:"bookingFieldsResponses"`

	AbsentHost bool     `json:"absentHost"`
	Rating     *float64 `json:"rating"`
	ICSUID     string   `json:"icsUid"`

	CancellationReason *string `json:"cancellationReason"`
	CancelledByEmail   *string `json:"cancelledByEmail"`
	RejectionReason    string  `json:"rejectionReason,omitempty"`

	// Rescheduled marks the old booking of a reschedule (Cal.com's internal flag).
	Rescheduled        bool    `json:"rescheduled,omitempty"`
	RescheduledFromUID string  `json:"rescheduledFromUid,omitempty"`
	RescheduledToUID   string  `json:"rescheduledToUid,omitempty"`
	ReschedulingReason string  `json:"reschedulingReason,omitempty"`
	RescheduledByEmail *string `json:"rescheduledByEmail"`

	// RecurringBookingUID groups the occurrences of a recurring series.
	RecurringBookingUID string `json:"recurringBookingUid,omitempty"`

	Recordings  []Recording `json:"recordings,omitempty"`
	Transcripts []string    `json:"transcripts,omitempty"`
	References  []Reference `json:"references,omitempty"`

	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
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
func (b Booking) Clone() Booking {
	c := b
	c.Description = clonePtr(b.Description)
	c.Rating = clonePtr(b.Rating)
	c.CancellationReason = clonePtr(b.CancellationReason)
	c.CancelledByEmail = clonePtr(b.CancelledByEmail)
	c.RescheduledByEmail = clonePtr(b.RescheduledByEmail)
	if b.Attendees != nil {
		c.Attendees = make([]Attendee, len(b.Attendees))
		for i, a := range b.Attendees {
			a.SeatResponses = cloneMap(a.SeatResponses)
			a.SeatMetadata = cloneMap(a.SeatMetadata)
			c.Attendees[i] = a
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
