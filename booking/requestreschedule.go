package booking

import "context"

// Request-reschedule messages (cal.com requestReschedule.handler.ts; tRPC FORBIDDEN, so
// clients see envelope C's generic text).
const (
	msgNotBookingOwner       = "User isn't owner of the current booking"
	msgNoRescheduleRequestOK = "User does not have permission to request reschedule for this booking"
)

// RequestReschedule is cal-api-version 2026-02-25's POST /v2/bookings/{uid}/request-reschedule
// (changes-2026 §1.2): the booking is cancelled (flagged rescheduled, the reason stored as
// its cancellation reason) and its attendee is emailed a link to book again, which the mock
// does not send. Only the organizer may ask: Cal.com's handler also lets a team's admins and
// owners (PBAC booking.update) ask for a team booking, and the mock models no team roles, so
// any other caller is refused. A seated booking's seats go as when its host cancels it.
//
// Returns ENOTFOUND (unknown uid; a recurringBookingUid is not a booking uid), EINVALID
// (tRPC origin: the booking is cancelled or rejected) and EFORBIDDEN (tRPC origin: the
// caller is not the organizer).
func (s *Service) RequestReschedule(ctx context.Context, caller User, uid, reason string) error {
	return s.store.Update(ctx, func(tx Tx) error {
		b, ok := tx.Get(uid)
		if !ok {
			// The 404's text is not documented (changes-2026 §1.2 has the status only): the
			// one of GET /v2/bookings/{uid}, whose lookup the 2026-02-25 service inherits.
			return notFoundInDatabase(uid)
		}
		// The handler checks the status before the caller.
		if e := Refusal(b, ActionRequestReschedule); e != nil {
			return e
		}
		if caller.ID == 0 || caller.ID != b.HostID {
			et, _ := s.catalog.EventTypeByID(b.EventTypeID)
			if et.IsTeam() {
				return TRPCError(EFORBIDDEN, msgNoRescheduleRequestOK)
			}
			return TRPCError(EFORBIDDEN, msgNotBookingOwner)
		}
		c, err := RequestReschedule(b, reason, caller.Email, s.clock.Now())
		if err != nil {
			return err
		}
		if et, _ := s.catalog.EventTypeByID(b.EventTypeID); et.IsSeated() {
			cancelSeats(&c)
		}
		tx.Put(c)
		return nil
	})
}
