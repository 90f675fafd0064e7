package booking

import "context"

// MarkAbsent records host and attendee no-shows (§5.8) and returns the booking. Any
// authenticated caller may mark the host absent (QUIRK: Cal.com does not check); marking
// attendees needs the organizer or a host of the event type. The status is not checked.
//
// Returns ENOTFOUND if the booking does not exist, EINVALID before the booking's start, and
// EINTERNAL with core origin ("Failed to update no-show status", Cal.com's bare 500) when a
// caller who may not mark attendees tries to.
func (s *Service) MarkAbsent(ctx context.Context, caller User, uid string, in MarkAbsentInput) (Result, error) {
	var res Result
	err := s.store.Update(ctx, func(tx Tx) error {
		now := s.clock.Now()
		b, ok := tx.Get(uid)
		if !ok {
			return Errorf(ENOTFOUND, "Booking with uid=%s not found.", uid)
		}
		m, err := MarkAbsent(b, in, now)
		if err != nil {
			return err
		}
		if len(in.Attendees) > 0 {
			et, _ := s.catalog.EventTypeByID(b.EventTypeID)
			if !isHostOf(caller.ID, b, et) {
				return CoreErrorf(EINTERNAL, "Failed to update no-show status")
			}
		}
		tx.Put(m)
		res = Result{Bookings: []Booking{m}}
		return nil
	})
	return res, err
}
