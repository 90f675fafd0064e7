package booking

import "context"

// What a caller may see of a booking. Cal.com hides the attendees of a seated booking from
// everyone but its organizer and the event type's hosts, unless the event type shows them
// (seatsShowAttendees): a booker must not learn who else holds a seat. The Service applies
// the rule to the results it returns, so that the transport renders them as they are.

// canSeeAttendees reports whether caller may see all attendees of a seated booking
// (seatsShowAttendees, or the caller is the organizer or a host of the event type). An
// anonymous caller (nil) sees them only when the event type shows attendees.
func canSeeAttendees(caller *User, b Booking, et EventType) bool {
	if et.SeatsShowAttendees {
		return true
	}
	return caller != nil && isHostOf(caller.ID, b, et)
}

// seenBy returns res as caller may see it: every seated booking whose attendees the caller
// may not see has none. The bookings of res are the caller's copies (only their Attendees
// field is replaced, never an element of a slice a store may share).
func (s *Service) seenBy(caller *User, res Result) Result {
	for i := range res.Bookings {
		b := &res.Bookings[i]
		if et, ok := s.catalog.EventTypeByID(b.EventTypeID); ok && et.IsSeated() && !canSeeAttendees(caller, *b, et) {
			b.Attendees, b.CancelledSeats = nil, nil
		}
	}
	return res
}

// KeepCancelledSeats applies cal-api-version 2026-02-25's output rule to res, a result of
// another method for the same caller: a cancelled seated booking shows the attendees it had
// when it was cancelled to a caller who may see a seated booking's attendees
// (canSeeAttendees: the event type shows them, or the caller is the organizer or a host).
// 2024-08-13 empties them for everyone. Source: changes-2026 §2.1.2,
// OutputBookingsService_2026_02_25 ("cancelled seated bookings now show attendees when
// show-attendees/privileged is true"). The bookings of res are the caller's own copies.
func (s *Service) KeepCancelledSeats(caller *User, res Result) Result {
	for i := range res.Bookings {
		b := &res.Bookings[i]
		if b.Status != StatusCancelled || len(b.CancelledSeats) == 0 || len(b.Attendees) > 0 {
			continue
		}
		if et, ok := s.catalog.EventTypeByID(b.EventTypeID); ok && et.IsSeated() && canSeeAttendees(caller, *b, et) {
			b.Attendees = b.CancelledSeats
		}
	}
	return res
}

// onlySeat returns the attendees of b holding seatUID (a new slice; nil when none does).
func onlySeat(b Booking, seatUID string) []Attendee {
	var own []Attendee
	for _, a := range b.Attendees {
		if a.SeatUID == seatUID {
			own = append(own, a)
		}
	}
	return own
}

// PastBookingUID returns the uid of a booking organised by organizer that has started, for
// the operations that need one (mark-absent) and that cannot create it (bookings cannot be
// made in the past): accepted, not recurring, not seated, with an attendee. Of those it is
// the one with the latest start (then the smallest uid), so that it stays the same while the
// clock moves on. It returns "" when there is none.
func (s *Service) PastBookingUID(ctx context.Context, organizer User) (string, error) {
	now := s.clock.Now()
	var best *Booking
	err := s.store.View(ctx, func(tx Tx) error {
		for _, b := range tx.Visible(organizer.ID, organizer.Email) {
			et, _ := s.catalog.EventTypeByID(b.EventTypeID)
			if b.HostID != organizer.ID || b.Status != StatusAccepted || b.IsRecurring() || et.IsSeated() ||
				len(b.Attendees) == 0 || !b.Start.Before(now) {
				continue
			}
			if best == nil || b.Start.After(best.Start) || (b.Start.Equal(best.Start) && b.UID < best.UID) {
				best = b
			}
		}
		return nil
	})
	if err != nil || best == nil {
		return "", err
	}
	return best.UID, nil
}
