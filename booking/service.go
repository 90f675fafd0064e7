package booking

import "time"

// Service applies Cal.com's booking rules over a Store. Each method is one API operation and
// runs in one store transaction. A nil caller means an anonymous request (the endpoints with
// optional auth). Errors are *Error values carrying Cal.com's exact messages.
//
// What a method returns is the caller's own: a read-only transaction may share memory with
// the store (see Tx), so the Service deep-copies what it hands out of one, and a caller may
// change its results freely (TestService_ResultsAreTheCallers guards it). That is what lets
// a Go program embed the mock and keep the bookings it gets.
type Service struct {
	store   Store
	catalog Catalog
	clock   Clock
	ids     IDs
	// observer, when set, is told of every committed change (SetObserver).
	observer Observer
}

// NewService returns a Service. All four dependencies are required.
func NewService(store Store, catalog Catalog, clock Clock, ids IDs) *Service {
	return &Service{store: store, catalog: catalog, clock: clock, ids: ids}
}

// Result is what most operations return: one booking, or a recurring series, as the caller
// may see it.
type Result struct {
	// Bookings holds one booking, or every occurrence of a series sorted by start. A seated
	// booking whose attendees the caller may not see has none (see canSeeAttendees), or only
	// the caller's own on GetBySeat.
	Bookings []Booking
	// Series is true when the API answers with an array (a recurring series).
	Series bool
	// SeatUID is the caller's seat after a seated create or reschedule; "" otherwise.
	SeatUID string
}

// LocationInput is the create body's location: either Raw (the legacy string form) or an
// object with Type and the field that type needs.
type LocationInput struct {
	Raw         string
	Type        string // address, link, integration, phone, attendeeAddress, attendeePhone, attendeeDefined, organizersDefaultApp
	Integration string
	Address     string
	Phone       string
	Location    string
	Link        string // the update-location body's link (create uses the event type's)
}

// AttendeeInput is the booker.
type AttendeeInput struct {
	Name        string
	Email       string
	TimeZone    string
	Language    string // "" means "en"
	PhoneNumber string
}

// CreateInput is a validated create body. Shape checks (types, required keys, formats) are
// the transport's job; the Service checks the booking rules.
type CreateInput struct {
	Start                  time.Time
	Attendee               AttendeeInput
	EventTypeID            int
	EventTypeSlug          string
	Username               string
	TeamSlug               string
	OrganizationSlug       string
	Guests                 []string
	Location               *LocationInput
	MeetingURL             string
	Metadata               map[string]any
	BookingFieldsResponses map[string]any
	LengthInMinutes        *int
	RecurrenceCount        *int
	Instant                bool
	// Overrides are the host-only switches of cal-api-version 2026-02-25's create body;
	// the Service honours them only for a host of the event type (CreateOverrides.For).
	Overrides CreateOverrides
}

// CreateOverrides are switches a host may send to book past the rules a booker must
// follow (changes-2026 §2.1.3: allowConflicts, allowBookingOutOfBounds, skipBookingLimits).
type CreateOverrides struct {
	// AllowConflicts books the host even where they already have a booking.
	AllowConflicts bool
	// AllowBookingOutOfBounds skips Cal.com's validateBookingTimeIsNotOutOfBounds: the
	// minimum notice, the booking window and the start in the past. The mock models only
	// the last (the event types have no notice or window).
	AllowBookingOutOfBounds bool
	// SkipBookingLimits skips the event type's booking and duration limits, which the mock
	// does not model: it is accepted and changes nothing.
	SkipBookingLimits bool
}

// RescheduleInput is a validated reschedule body. SeatUID set means a seated reschedule.
type RescheduleInput struct {
	Start         time.Time
	RescheduledBy string
	Reason        string
	SeatUID       string
}

// CancelInput is a validated cancel body. SeatUID set means a single seat is cancelled.
type CancelInput struct {
	Reason           string
	CancelSubsequent bool
	SeatUID          string
}

// AbsentAttendee marks one attendee, matched by exact email.
type AbsentAttendee struct {
	Email  string
	Absent bool
}

// MarkAbsentInput is a validated mark-absent body. Host nil means "not given".
type MarkAbsentInput struct {
	Host      *bool
	Attendees []AbsentAttendee
}

// ListStatus is one value of the list endpoint's status filter.
type ListStatus string

const (
	ListUpcoming    ListStatus = "upcoming"
	ListRecurring   ListStatus = "recurring"
	ListPast        ListStatus = "past"
	ListCancelled   ListStatus = "cancelled"
	ListUnconfirmed ListStatus = "unconfirmed"
)

// SortField is the key the list endpoint sorts by.
type SortField string

const (
	SortStart   SortField = "start"
	SortEnd     SortField = "end"
	SortCreated SortField = "created"
	SortUpdated SortField = "updated"
)

// Filter is a validated list query. Zero values mean "no filter"; Take 0 means the default.
type Filter struct {
	Statuses        []ListStatus
	AttendeeEmail   string
	AttendeeName    string
	BookingUID      string
	EventTypeIDs    []int
	TeamIDs         []int
	AfterStart      *time.Time
	BeforeEnd       *time.Time
	AfterCreatedAt  *time.Time
	BeforeCreatedAt *time.Time
	AfterUpdatedAt  *time.Time
	BeforeUpdatedAt *time.Time
	// SortBy is "" when no sort parameter was given; SortDesc then has no meaning.
	SortBy   SortField
	SortDesc bool
	Take     int
	Skip     int
}

// Page is one page of a list.
type Page struct {
	// Bookings are the caller's own copies, like everything a Service method returns (nil
	// from ListFunc, which lends them instead).
	Bookings []Booking
	// Total is the number of bookings matching the filter, over all pages.
	Total int
	Take  int
	Skip  int
}

// Reassignment is the answer of the reassign operations.
type Reassignment struct {
	Booking Booking
	To      User
}
