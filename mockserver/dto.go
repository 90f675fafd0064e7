package mockserver

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/fixtures"
	"github.com/calmock/calmock/internal/wiretime"
)

// Wire shapes of bookings (behaviour notes §7). Keys whose value is undefined upstream are
// omitted; keys upstream sends as null are sent as null. The struct field order is the key
// order of the real responses.

// nullable is a key that is either absent (zero value), null, or a value: the three states
// Cal.com's outputs distinguish and plain pointers cannot.
type nullable[T any] struct {
	set bool
	v   *T
}

func (n nullable[T]) IsZero() bool { return !n.set }

func (n nullable[T]) MarshalJSON() ([]byte, error) {
	if n.v == nil {
		return []byte("null"), nil
	}
	return json.Marshal(*n.v)
}

// AppendJSON appends what MarshalJSON returns (for the generated encoder, encode_gen.go).
func (n nullable[T]) AppendJSON(buf []byte) ([]byte, error) {
	if n.v == nil {
		return append(buf, "null"...), nil
	}
	if s, ok := any(n.v).(*string); ok {
		return appendString(buf, *s), nil
	}
	return appendMarshal(buf, *n.v)
}

// wireTime is an instant as the API writes it (wiretime). json.Marshal makes a string of it;
// the hand encoder appends the same bytes without one per instant.
type wireTime struct{ t time.Time }

func (w wireTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(wiretime.Format(w.t))
}

// AppendJSON appends what MarshalJSON returns (for the generated encoder, encode_gen.go).
func (w wireTime) AppendJSON(buf []byte) []byte { return appendWireTime(buf, w.t) }

// nullableTime is wireTime, or null for the zero instant: updatedAt, which the current spec
// marks nullable (changes-2026 §2.2; Booking.updatedAt is DateTime? upstream). Every booking
// the mock writes has one; a fixture may leave it out.
type nullableTime struct{ t time.Time }

func (w nullableTime) MarshalJSON() ([]byte, error) {
	if w.t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(wiretime.Format(w.t))
}

// AppendJSON appends what MarshalJSON returns (for the generated encoder, encode_gen.go).
func (w nullableTime) AppendJSON(buf []byte) []byte {
	if w.t.IsZero() {
		return append(buf, "null"...)
	}
	return appendWireTime(buf, w.t)
}

// responsesOut is a non-seated booking's bookingFieldsResponses: the booker's name and email
// (when the booking has an attendee) and the guests (when there are any), derived from the
// booking, with the stored answers laid over them. json.Marshal encodes the merged map; the
// hand encoder merges the keys in order without building it (a map per booking shown was a
// quarter of a list's allocations).
type responsesOut struct {
	booker      bool
	name, email string
	guests      []string
	// locType, locOption: the location answer, {value, optionValue}; none when locType is "".
	locType, locOption string
	stored             map[string]any
}

// IsZero is omitempty's rule for the merged map: no key at all.
func (r responsesOut) IsZero() bool {
	return !r.booker && len(r.guests) == 0 && r.locType == "" && len(r.stored) == 0
}

func (r responsesOut) merged() map[string]any {
	out := map[string]any{}
	if r.booker {
		out["name"], out["email"] = r.name, r.email
	}
	if len(r.guests) > 0 {
		out["guests"] = r.guests
	}
	if r.locType != "" {
		out["location"] = booking.LocationResponse(r.locType, r.locOption)
	}
	for k, v := range r.stored {
		out[k] = v
	}
	return out
}

func (r responsesOut) MarshalJSON() ([]byte, error) { return json.Marshal(r.merged()) }

// AppendJSON appends what MarshalJSON returns (for the generated encoder, encode_gen.go).
func (r *responsesOut) AppendJSON(buf []byte) ([]byte, error) { return appendResponses(buf, r) }

// objectOut is a JSON object sent as {} when nil (a booking's metadata): no shared empty
// map stands in for nil, so no output shape holds memory another response also shows.
type objectOut map[string]any

func (o objectOut) MarshalJSON() ([]byte, error) {
	if o == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(map[string]any(o))
}

// AppendJSON appends what MarshalJSON returns (for the generated encoder, encode_gen.go).
func (o objectOut) AppendJSON(buf []byte) ([]byte, error) {
	if o == nil {
		return append(buf, "{}"...), nil
	}
	return appendMap(buf, o)
}

// stringOrNull is a string sent as null when empty (an attendee's language). It is a copy,
// not a pointer into the booking shown, so the output shape shares no memory with the store.
type stringOrNull string

func (s stringOrNull) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(s))
}

// AppendJSON appends what MarshalJSON returns (for the generated encoder, encode_gen.go).
func (s stringOrNull) AppendJSON(buf []byte) []byte {
	if s == "" {
		return append(buf, "null"...)
	}
	return appendString(buf, string(s))
}

// present returns a key that is sent, as null when p is nil.
func presentValue[T any](p *T) nullable[T] { return nullable[T]{set: true, v: p} }

type hostOut struct {
	// ID is a number, except for instant bookings still awaiting a host, where the real API
	// sends the string "unknown".
	ID           any    `json:"id"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	DisplayEmail string `json:"displayEmail"`
	Username     string `json:"username"`
	TimeZone     string `json:"timeZone,omitempty"`
}

type eventTypeOut struct {
	ID   int    `json:"id"`
	Slug string `json:"slug"`
}

// hostsOut is a booking's hosts array, [] or one host, held by value: built from the
// catalog's cached hostOut without allocating, and sharing nothing another output shows.
type hostsOut struct {
	one  hostOut
	some bool // false: [] (the host is not in the catalog)
}

func (h hostsOut) MarshalJSON() ([]byte, error) {
	if !h.some {
		return []byte("[]"), nil
	}
	return json.Marshal([]hostOut{h.one})
}

// AppendJSON appends what MarshalJSON returns (for the generated encoder, encode_gen.go).
func (h *hostsOut) AppendJSON(buf []byte) ([]byte, error) {
	if !h.some {
		return append(buf, "[]"...), nil
	}
	buf, err := appendHostOut(append(buf, '['), &h.one)
	return append(buf, ']'), err
}

// eventTypeRef is a booking's eventTypeId and eventType, by value, both null when the
// event type is not in the catalog.
type eventTypeRef struct {
	out eventTypeOut
	ok  bool
}

// idOut is the eventTypeId key's value.
type idOut eventTypeRef

func (r idOut) MarshalJSON() ([]byte, error) {
	if !r.ok {
		return []byte("null"), nil
	}
	return json.Marshal(r.out.ID)
}

// AppendJSON appends what MarshalJSON returns (for the generated encoder, encode_gen.go).
func (r idOut) AppendJSON(buf []byte) []byte {
	if !r.ok {
		return append(buf, "null"...)
	}
	return strconv.AppendInt(buf, int64(r.out.ID), 10)
}

func (r eventTypeRef) MarshalJSON() ([]byte, error) {
	if !r.ok {
		return []byte("null"), nil
	}
	return json.Marshal(r.out)
}

// AppendJSON appends what MarshalJSON returns (for the generated encoder, encode_gen.go).
func (r *eventTypeRef) AppendJSON(buf []byte) ([]byte, error) {
	if !r.ok {
		return append(buf, "null"...), nil
	}
	return appendEventTypeOut(buf, &r.out)
}

type attendeeOut struct {
	Name         string       `json:"name"`
	Email        string       `json:"email"`
	DisplayEmail string       `json:"displayEmail"`
	TimeZone     string       `json:"timeZone"`
	Language     stringOrNull `json:"language"`
	Absent       bool         `json:"absent"`
	PhoneNumber  string       `json:"phoneNumber,omitempty"`
}

type seatedAttendeeOut struct {
	Name                   string         `json:"name"`
	Email                  string         `json:"email"`
	DisplayEmail           string         `json:"displayEmail"`
	TimeZone               string         `json:"timeZone"`
	Language               stringOrNull   `json:"language"`
	Absent                 bool           `json:"absent"`
	SeatUID                string         `json:"seatUid"`
	BookingFieldsResponses map[string]any `json:"bookingFieldsResponses"`
	Metadata               map[string]any `json:"metadata,omitempty"`
	// CreatedAt is in neither document; its place at the end is a guess (changes-2026 §2.2).
	CreatedAt wireTime `json:"createdAt"`
}

type bookingOut struct {
	ID                     int              `json:"id"`
	UID                    string           `json:"uid"`
	Title                  string           `json:"title"`
	Description            *string          `json:"description"`
	Hosts                  hostsOut         `json:"hosts"`
	Status                 booking.Status   `json:"status"`
	CancellationReason     nullable[string] `json:"cancellationReason,omitzero"`
	CancelledByEmail       nullable[string] `json:"cancelledByEmail,omitzero"`
	ReschedulingReason     string           `json:"reschedulingReason,omitempty"`
	RescheduledFromUID     string           `json:"rescheduledFromUid,omitempty"`
	RescheduledToUID       string           `json:"rescheduledToUid,omitempty"`
	RescheduledByEmail     nullable[string] `json:"rescheduledByEmail,omitzero"`
	Start                  wireTime         `json:"start"`
	End                    wireTime         `json:"end"`
	Duration               int              `json:"duration"`
	EventTypeID            idOut            `json:"eventTypeId"`
	EventType              eventTypeRef     `json:"eventType"`
	MeetingURL             string           `json:"meetingUrl,omitempty"`
	Location               string           `json:"location"`
	AbsentHost             bool             `json:"absentHost"`
	CreatedAt              wireTime         `json:"createdAt"`
	UpdatedAt              nullableTime     `json:"updatedAt"`
	Metadata               objectOut        `json:"metadata"`
	Rating                 *float64         `json:"rating"`
	ICSUID                 string           `json:"icsUid"`
	SeatUID                string           `json:"seatUid,omitempty"`
	Attendees              any              `json:"attendees"`
	Guests                 []string         `json:"guests,omitempty"`
	BookingFieldsResponses responsesOut     `json:"bookingFieldsResponses,omitzero"`
	RecurringBookingUID    string           `json:"recurringBookingUid,omitempty"`
}

// view is what the output of a booking shows besides the booking itself.
type view struct {
	// seatUID: the caller's seat, echoed on seated create and reschedule.
	seatUID string
}

// toBookingOut renders one booking in the shape its kind has on the wire.
func (s *Server) toBookingOut(b booking.Booking, v view) bookingOut {
	et, hasET := s.catalog.EventTypeByID(b.EventTypeID)
	out := bookingOut{
		ID:          b.ID,
		UID:         b.UID,
		Title:       b.Title,
		Description: b.Description,
		Hosts:       s.shapes.hostsOf(b.HostID),
		Status:      b.Status,
		Start:       wireTime{b.Start},
		End:         wireTime{b.End},
		Duration:    b.Duration(),
		Location:    b.Location,
		MeetingURL:  b.Location,
		AbsentHost:  b.AbsentHost,
		CreatedAt:   wireTime{b.CreatedAt},
		UpdatedAt:   nullableTime{b.UpdatedAt},
		Metadata:    objectOut(b.Metadata),
		Rating:      b.Rating,
		ICSUID:      b.ICSUID,
		SeatUID:     v.seatUID,
	}
	if w, ok := s.shapes.eventTypes[b.EventTypeID]; ok {
		out.EventType = eventTypeRef{out: w, ok: true}
		out.EventTypeID = idOut(out.EventType)
	}
	if b.Status == booking.StatusCancelled {
		out.CancellationReason = presentValue(b.CancellationReason)
	}
	out.RescheduledFromUID = b.RescheduledFromUID
	if b.IsRecurring() {
		out.RecurringBookingUID = b.RecurringBookingUID
	}

	if hasET && et.IsSeated() {
		// Seated shape: no guests, bookingFieldsResponses, cancelledByEmail or
		// reschedulingReason; description is null; attendees carry their seats.
		out.Description = nil
		attendees := []seatedAttendeeOut{}
		// The service has left out the attendees the caller may not see.
		for _, a := range b.Attendees {
			attendees = append(attendees, seatedAttendeeOut{
				Name: a.Name, Email: a.Email, DisplayEmail: booking.DisplayEmail(a.Email), TimeZone: a.TimeZone,
				Language: stringOrNull(a.Language), Absent: a.Absent, SeatUID: a.SeatUID,
				BookingFieldsResponses: seatResponses(a), Metadata: a.SeatMetadata, CreatedAt: wireTime{seatCreatedAt(b, a)},
			})
		}
		out.Attendees = attendees
		out.RescheduledToUID = b.RescheduledToUID
		out.RescheduledByEmail = presentValue(b.RescheduledByEmail)
		return out
	}

	attendees := make([]attendeeOut, 0, len(b.Attendees))
	for _, a := range b.Attendees {
		ao := attendeeOut{
			Name: a.Name, Email: a.Email, DisplayEmail: booking.DisplayEmail(a.Email), TimeZone: a.TimeZone,
			Language: stringOrNull(a.Language), Absent: a.Absent,
		}
		if !b.IsRecurring() {
			ao.PhoneNumber = a.PhoneNumber
		}
		attendees = append(attendees, ao)
	}
	out.Attendees = attendees
	out.Guests = b.Guests
	out.ReschedulingReason = b.ReschedulingReason
	out.BookingFieldsResponses = bookingResponses(b)
	if b.Status == booking.StatusCancelled {
		out.CancelledByEmail = presentValue(b.CancelledByEmail)
	}
	if !b.IsRecurring() {
		// Recurring occurrences have no rescheduledToUid / rescheduledByEmail keys.
		out.RescheduledToUID = b.RescheduledToUID
		out.RescheduledByEmail = presentValue(b.RescheduledByEmail)
	}
	return out
}

// seatCreatedAt is when a took its seat of b. Seats stored before the domain recorded it
// (older durable files read the zero time) fall back to the booking's creation, the earliest
// the seat can have been taken.
func seatCreatedAt(b booking.Booking, a booking.Attendee) time.Time {
	if a.SeatCreatedAt.IsZero() {
		return b.CreatedAt
	}
	return a.SeatCreatedAt
}

// unknownHost is the host of an instant booking still awaiting one.
var unknownHost = hostOut{ID: "unknown", Name: "unknown", Email: "unknown", DisplayEmail: "unknown", Username: "unknown"}

// wireShapes are the parts of a booking's output that depend only on the catalog, which
// never changes: its host and its event type, built once per user and event type. Output
// shapes hold copies of them (strings and numbers: no allocation), so nothing a response
// is built from is shared with another.
type wireShapes struct {
	hosts      map[int]hostOut
	eventTypes map[int]eventTypeOut
}

// newWireShapes builds the shapes of set's users and event types: the set the catalog
// (fixtures.Set.Catalog) is made from.
func newWireShapes(set *fixtures.Set) wireShapes {
	w := wireShapes{hosts: make(map[int]hostOut, len(set.Users)), eventTypes: make(map[int]eventTypeOut, len(set.EventTypes))}
	for _, u := range set.Users {
		w.hosts[u.ID] = hostOut{
			ID: u.ID, Name: u.Name, Email: u.Email, DisplayEmail: booking.DisplayEmail(u.Email),
			Username: u.Username, TimeZone: u.TimeZone,
		}
	}
	for _, et := range set.EventTypes {
		w.eventTypes[et.ID] = eventTypeOut{ID: et.ID, Slug: et.Slug}
	}
	return w
}

// hostsOf is the hosts array of a booking hosted by hostID (0: an instant booking whose
// host is not yet known; a host not in the catalog, from a durable store opened with
// other fixtures, gives an empty array, not null).
func (w wireShapes) hostsOf(hostID int) hostsOut {
	if hostID == 0 {
		return hostsOut{one: unknownHost, some: true}
	}
	h, ok := w.hosts[hostID]
	return hostsOut{one: h, some: ok}
}

// bookingResponses are a booking's answers as shown: the booker's name and email, guests and the location answer
// when given, and the stored answers over them (booking.storedResponses keeps only those).
func bookingResponses(b booking.Booking) responsesOut {
	r := responsesOut{guests: b.Guests, locType: b.LocationType, locOption: b.LocationOption, stored: b.BookingFieldsResponses}
	if len(b.Attendees) > 0 {
		r.booker, r.name, r.email = true, b.Attendees[0].Name, b.Attendees[0].Email
	}
	return r
}

// seatResponses are a seat's answers, without email (as the real API shows them).
func seatResponses(a booking.Attendee) map[string]any {
	out := map[string]any{"name": a.Name, "guests": []any{}}
	for k, v := range a.SeatResponses {
		if k != "email" {
			out[k] = v
		}
	}
	return out
}

// resultData renders a service result for call c: an array for a series, else one object.
// The result goes through c's version output rules first (call.results).
func (s *Server) resultData(c *call, res booking.Result) any {
	if c.results != nil {
		res = c.results(c.caller, res)
	}
	v := view{seatUID: res.SeatUID}
	if res.Series {
		list := make([]bookingOut, len(res.Bookings))
		for i, b := range res.Bookings {
			list[i] = s.toBookingOut(b, v)
		}
		return list
	}
	if len(res.Bookings) == 0 {
		return nil
	}
	return s.toBookingOut(res.Bookings[0], v)
}

// pagination is the list endpoint's paging block (behaviour notes §6.4).
type pagination struct {
	TotalItems      int  `json:"totalItems"`
	RemainingItems  int  `json:"remainingItems"`
	ReturnedItems   int  `json:"returnedItems"`
	ItemsPerPage    int  `json:"itemsPerPage"`
	CurrentPage     int  `json:"currentPage"`
	TotalPages      int  `json:"totalPages"`
	HasNextPage     bool `json:"hasNextPage"`
	HasPreviousPage bool `json:"hasPreviousPage"`
}

func newPagination(total, take, skip int) *pagination {
	s := min(max(skip, 0), total)
	p := &pagination{
		TotalItems:      total,
		ReturnedItems:   min(max(total-s, 0), take),
		RemainingItems:  min(max(total-(s+take), 0), total),
		ItemsPerPage:    take,
		HasNextPage:     s+take < total,
		HasPreviousPage: s > 0,
	}
	if take > 0 {
		p.TotalPages = (total + take - 1) / take
	}
	if p.TotalPages > 0 {
		p.CurrentPage = min(max(s/take+1, 1), p.TotalPages)
	}
	return p
}

// reassignOut is the data of both reassign operations.
type reassignOut struct {
	BookingUID   string `json:"bookingUid"`
	ReassignedTo struct {
		ID    int    `json:"id"`
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"reassignedTo"`
}

type recordingOut struct {
	ID              string  `json:"id"`
	RoomName        string  `json:"roomName"`
	StartTs         int64   `json:"startTs"`
	Status          string  `json:"status"`
	MaxParticipants int     `json:"maxParticipants"`
	Duration        int     `json:"duration"`
	ShareToken      string  `json:"shareToken"`
	DownloadLink    *string `json:"downloadLink"`
}

type referenceOut struct {
	Type                  string  `json:"type"`
	EventUID              string  `json:"eventUid"`
	DestinationCalendarID *string `json:"destinationCalendarId"`
	ID                    int     `json:"id"`
}

// Wire shapes of the attendee endpoints (BookingAttendeeWithId_2024_08_13,
// BookingAttendeeOutput_2024_08_13, RemovedAttendeeOutput_2024_08_13 of the 2026-08
// document), keys in the order of their classes. language and phoneNumber are left out when
// the attendee has none (the service maps null to undefined). Encoded by encoding/json
// through appendValue: these answers are rare, so they are not in the generated encoder.
type attendeeWithIDOut struct {
	Name         string `json:"name"`
	Email        string `json:"email"`
	DisplayEmail string `json:"displayEmail"`
	TimeZone     string `json:"timeZone"`
	Language     string `json:"language,omitempty"`
	Absent       bool   `json:"absent"`
	PhoneNumber  string `json:"phoneNumber,omitempty"`
	ID           int    `json:"id"`
}

type addedAttendeeOut struct {
	attendeeWithIDOut
	BookingID int `json:"bookingId"`
}

type removedAttendeeOut struct {
	ID        int    `json:"id"`
	BookingID int    `json:"bookingId"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	TimeZone  string `json:"timeZone"`
}

func toAttendeeWithIDOut(a booking.BookingAttendee) attendeeWithIDOut {
	return attendeeWithIDOut{
		Name: a.Name, Email: a.Email, DisplayEmail: booking.DisplayEmail(a.Email), TimeZone: a.TimeZone,
		Language: a.Language, Absent: a.Absent, PhoneNumber: a.PhoneNumber, ID: a.ID,
	}
}
