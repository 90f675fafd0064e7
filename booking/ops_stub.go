package booking

// TEMPORARY: signatures of the Service operations, so that other packages compile while the
// implementation is written. Replaced file by file by the real implementation.

import "context"

var errTODO = &Error{Code: EINTERNAL, Message: "not implemented"}

// Create books an event type (normal, recurring, seated or instant, decided by the event type
// and the Instant flag).
func (s *Service) Create(ctx context.Context, caller *User, in CreateInput) (Result, error) {
	return Result{}, errTODO
}

// Get returns a booking by uid, or a whole series by recurringBookingUid.
func (s *Service) Get(ctx context.Context, caller *User, uid string) (Result, error) {
	return Result{}, errTODO
}

// GetBySeat returns the booking holding seat seatUID.
func (s *Service) GetBySeat(ctx context.Context, caller *User, seatUID string) (Result, error) {
	return Result{}, errTODO
}

// List returns the caller's visible bookings matching f, sorted and paged.
func (s *Service) List(ctx context.Context, caller User, f Filter) (Page, error) {
	return Page{}, errTODO
}

// Reschedule moves a booking (or one seat) to a new start.
func (s *Service) Reschedule(ctx context.Context, caller *User, uid string, in RescheduleInput) (Result, error) {
	return Result{}, errTODO
}

// Cancel cancels a booking, a series, subsequent occurrences, or one seat.
func (s *Service) Cancel(ctx context.Context, caller *User, uid string, in CancelInput) (Result, error) {
	return Result{}, errTODO
}

// MarkAbsent records host and attendee no-shows.
func (s *Service) MarkAbsent(ctx context.Context, caller User, uid string, in MarkAbsentInput) (Result, error) {
	return Result{}, errTODO
}

// Reassign hands a round-robin booking to another available host.
func (s *Service) Reassign(ctx context.Context, caller User, uid string) (Reassignment, error) {
	return Reassignment{}, errTODO
}

// ReassignTo hands a round-robin booking to host userID.
func (s *Service) ReassignTo(ctx context.Context, caller User, uid string, userID int, reason string) (Reassignment, error) {
	return Reassignment{}, errTODO
}

// Confirm accepts a pending booking (and the pending rest of its series).
func (s *Service) Confirm(ctx context.Context, caller User, uid string) (Result, error) {
	return Result{}, errTODO
}

// Decline rejects a pending booking (and the pending rest of its series).
func (s *Service) Decline(ctx context.Context, caller User, uid string, reason string) (Result, error) {
	return Result{}, errTODO
}

// Recordings lists a booking's Cal Video recordings.
func (s *Service) Recordings(ctx context.Context, uid string) ([]Recording, error) {
	return nil, errTODO
}

// Transcripts lists a booking's transcript download links.
func (s *Service) Transcripts(ctx context.Context, uid string) ([]string, error) {
	return nil, errTODO
}

// References lists a booking's external references, optionally of one type.
func (s *Service) References(ctx context.Context, caller User, uid string, typ string) ([]Reference, error) {
	return nil, errTODO
}

// CalendarEvent returns what the calendar-links endpoint renders: the booking, its event type
// and its organizer.
func (s *Service) CalendarEvent(ctx context.Context, uid string) (Booking, EventType, User, error) {
	return Booking{}, EventType{}, User{}, errTODO
}

// CanSeeAttendees reports whether caller may see all attendees of a seated booking
// (seatsShowAttendees, or the caller is the organizer or a host of the event type).
func CanSeeAttendees(caller *User, b Booking, et EventType) bool { return false }
