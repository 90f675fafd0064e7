package boltstore

import (
	"encoding/json"
	"time"

	"github.com/calmock/calmock/booking"
)

// The bookings bucket holds the JSON of a bookingRecord per booking. The records below,
// not the domain types, define that format: a booking package change to a JSON tag (the
// API's wire name) leaves the file alone, and a new domain field fails the build or
// TestRecords_MirrorDomain until it has a place, and a key, here.
//
// A booking read back equals the one put up to what JSON keeps: times come back in UTC or
// a fixed offset (the same instant), empty slices of omitempty fields come back nil,
// numbers inside maps come back float64, and invalid UTF-8 becomes U+FFFD. Everything the
// API writes on the wire is unchanged.

// schemaVersion is the version of the file's format: the layout described in schema.go
// and the records below, whose JSON keys are those schema 3 took from the domain types.
// Renaming or removing a record's key, changing its omitempty or the encoding of its value,
// or adding a key whose absence must not read as the zero value, requires a new version
// and a migration of the older files in schema.go, plus a test file of the old version
// (see testdata). Version 1 lacked by_host_start and "longest", and versions 1 and 2 kept a
// by_host bucket (be64(hostID) ‖ uid): Open migrates both (see migrate). A binary that
// only knows an older version refuses a newer file instead of writing bookings without
// maintaining an index it does not know (a schema 2 binary would read this layout's
// missing by_host as "no host has bookings").
const schemaVersion = 3

// bookingRecord is booking.Booking on disk. Its fields have the domain's names and types
// in the domain's order (TestRecords_MirrorDomain checks it), so the JSON of schema 3 is
// unchanged, and the nested types are records too.
type bookingRecord struct {
	ID          int            `json:"id"`
	UID         string         `json:"uid"`
	Title       string         `json:"title"`
	Description *string        `json:"description"`
	EventTypeID int            `json:"eventTypeId"`
	HostID      int            `json:"hostId"`
	Status      booking.Status `json:"status"`

	Start time.Time `json:"start"`
	End   time.Time `json:"end"`

	Attendees              []attendeeRecord `json:"attendees"`
	Guests                 []string         `json:"guests,omitempty"`
	Location               string           `json:"location"`
	Metadata               map[string]any   `json:"metadata"`
	BookingFieldsResponses map[string]any   `json:"bookingFieldsResponses"`

	AbsentHost bool     `json:"absentHost"`
	Rating     *float64 `json:"rating"`
	ICSUID     string   `json:"icsUid"`

	CancellationReason *string `json:"cancellationReason"`
	CancelledByEmail   *string `json:"cancelledByEmail"`
	RejectionReason    string  `json:"rejectionReason,omitempty"`

	Rescheduled        bool    `json:"rescheduled,omitempty"`
	RescheduledFromUID string  `json:"rescheduledFromUid,omitempty"`
	RescheduledToUID   string  `json:"rescheduledToUid,omitempty"`
	ReschedulingReason string  `json:"reschedulingReason,omitempty"`
	RescheduledByEmail *string `json:"rescheduledByEmail"`

	RecurringBookingUID string `json:"recurringBookingUid,omitempty"`

	Recordings  []recordingRecord `json:"recordings,omitempty"`
	Transcripts []string          `json:"transcripts,omitempty"`
	References  []referenceRecord `json:"references,omitempty"`

	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// attendeeRecord, recordingRecord and referenceRecord are booking.Attendee, Recording and
// Reference on disk. Each converts to and from its domain type with a Go conversion, which
// compiles only while both have the same field names and types in the same order (tags
// aside): a field added to the domain type breaks the build here.
type attendeeRecord struct {
	Name          string         `json:"name"`
	Email         string         `json:"email"`
	TimeZone      string         `json:"timeZone"`
	Language      string         `json:"language"`
	PhoneNumber   string         `json:"phoneNumber,omitempty"`
	Absent        bool           `json:"absent"`
	SeatUID       string         `json:"seatUid,omitempty"`
	SeatResponses map[string]any `json:"seatResponses,omitempty"`
	SeatMetadata  map[string]any `json:"seatMetadata,omitempty"`
}

type recordingRecord struct {
	ID              string  `json:"id"`
	RoomName        string  `json:"roomName"`
	StartTs         int64   `json:"startTs"`
	Status          string  `json:"status"`
	MaxParticipants int     `json:"maxParticipants"`
	Duration        int     `json:"duration"`
	ShareToken      string  `json:"shareToken"`
	DownloadLink    *string `json:"downloadLink"`
}

type referenceRecord struct {
	ID                    int     `json:"id"`
	Type                  string  `json:"type"`
	EventUID              string  `json:"eventUid"`
	DestinationCalendarID *string `json:"destinationCalendarId"`
}

// encodeBooking is the value the bookings bucket holds for b.
func encodeBooking(b *booking.Booking) ([]byte, error) {
	rec := toRecord(b)
	return json.Marshal(&rec)
}

// decodeBooking decodes a value of the bookings bucket into a fresh booking, which shares
// nothing with the store or with other callers.
func decodeBooking(v []byte) (booking.Booking, error) {
	var rec bookingRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return booking.Booking{}, err
	}
	return fromRecord(&rec), nil
}

// toRecord and fromRecord copy every field. Slices of records are new slices (nil stays
// nil: a null and an empty list differ in the file); pointers, maps and other slices are
// shared, as the record only lives for one encoding or decoding.
func toRecord(b *booking.Booking) bookingRecord {
	return bookingRecord{
		ID:                     b.ID,
		UID:                    b.UID,
		Title:                  b.Title,
		Description:            b.Description,
		EventTypeID:            b.EventTypeID,
		HostID:                 b.HostID,
		Status:                 b.Status,
		Start:                  b.Start,
		End:                    b.End,
		Attendees:              convertAll(b.Attendees, func(a booking.Attendee) attendeeRecord { return attendeeRecord(a) }),
		Guests:                 b.Guests,
		Location:               b.Location,
		Metadata:               b.Metadata,
		BookingFieldsResponses: b.BookingFieldsResponses,
		AbsentHost:             b.AbsentHost,
		Rating:                 b.Rating,
		ICSUID:                 b.ICSUID,
		CancellationReason:     b.CancellationReason,
		CancelledByEmail:       b.CancelledByEmail,
		RejectionReason:        b.RejectionReason,
		Rescheduled:            b.Rescheduled,
		RescheduledFromUID:     b.RescheduledFromUID,
		RescheduledToUID:       b.RescheduledToUID,
		ReschedulingReason:     b.ReschedulingReason,
		RescheduledByEmail:     b.RescheduledByEmail,
		RecurringBookingUID:    b.RecurringBookingUID,
		Recordings:             convertAll(b.Recordings, func(r booking.Recording) recordingRecord { return recordingRecord(r) }),
		Transcripts:            b.Transcripts,
		References:             convertAll(b.References, func(r booking.Reference) referenceRecord { return referenceRecord(r) }),
		CreatedAt:              b.CreatedAt,
		UpdatedAt:              b.UpdatedAt,
	}
}

func fromRecord(r *bookingRecord) booking.Booking {
	return booking.Booking{
		ID:                     r.ID,
		UID:                    r.UID,
		Title:                  r.Title,
		Description:            r.Description,
		EventTypeID:            r.EventTypeID,
		HostID:                 r.HostID,
		Status:                 r.Status,
		Start:                  r.Start,
		End:                    r.End,
		Attendees:              convertAll(r.Attendees, func(a attendeeRecord) booking.Attendee { return booking.Attendee(a) }),
		Guests:                 r.Guests,
		Location:               r.Location,
		Metadata:               r.Metadata,
		BookingFieldsResponses: r.BookingFieldsResponses,
		AbsentHost:             r.AbsentHost,
		Rating:                 r.Rating,
		ICSUID:                 r.ICSUID,
		CancellationReason:     r.CancellationReason,
		CancelledByEmail:       r.CancelledByEmail,
		RejectionReason:        r.RejectionReason,
		Rescheduled:            r.Rescheduled,
		RescheduledFromUID:     r.RescheduledFromUID,
		RescheduledToUID:       r.RescheduledToUID,
		ReschedulingReason:     r.ReschedulingReason,
		RescheduledByEmail:     r.RescheduledByEmail,
		RecurringBookingUID:    r.RecurringBookingUID,
		Recordings:             convertAll(r.Recordings, func(r recordingRecord) booking.Recording { return booking.Recording(r) }),
		Transcripts:            r.Transcripts,
		References:             convertAll(r.References, func(r referenceRecord) booking.Reference { return booking.Reference(r) }),
		CreatedAt:              r.CreatedAt,
		UpdatedAt:              r.UpdatedAt,
	}
}

// convertAll converts every element of s with convert, keeping nil nil.
func convertAll[S, D any](s []S, convert func(S) D) []D {
	if s == nil {
		return nil
	}
	d := make([]D, len(s))
	for i := range s {
		d[i] = convert(s[i])
	}
	return d
}
