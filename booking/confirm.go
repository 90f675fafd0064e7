package booking

import (
	"context"
	"time"
)

// Confirm accepts a booking and every pending occurrence of its series (§5.11). The caller
// must organise the booking or host (or own) its event type.
//
// Returns ENOTFOUND if the booking does not exist, EUNAUTHORIZED (tRPC origin) for any other
// caller, and EINVALID (tRPC origin) if the booking is already accepted. Cancelled and
// rejected bookings are confirmed, not refused (QUIRK, see Transitions).
func (s *Service) Confirm(ctx context.Context, caller User, uid string) (Result, error) {
	return s.decide(ctx, caller, uid, ActionConfirm, "")
}

// Decline rejects a booking and every pending occurrence of its series (§5.12), storing
// reason as the rejection reason. Same callers and errors as Confirm; cancelled bookings
// become rejected (QUIRK).
func (s *Service) Decline(ctx context.Context, caller User, uid string, reason string) (Result, error) {
	return s.decide(ctx, caller, uid, ActionDecline, reason)
}

func (s *Service) decide(ctx context.Context, caller User, uid string, action Action, reason string) (Result, error) {
	apply := func(b Booking, now time.Time) (Booking, error) {
		if action == ActionConfirm {
			return Confirm(b, now)
		}
		return Decline(b, reason, now)
	}
	var res Result
	err := s.update(ctx, action, nil, func(tx Tx) error {
		now := s.clock.Now()
		b, ok := tx.Get(uid)
		if !ok {
			return notFoundInDatabase(uid)
		}
		et, _ := s.catalog.EventTypeByID(b.EventTypeID)
		// Cal.com checks the caller before the status ("do not move this before the
		// authorization check"), so a stranger learns nothing about the booking's state.
		if !isHostOf(caller.ID, b, et) {
			return TRPCError(EUNAUTHORIZED, "User is not authorized to "+string(action)+" this booking")
		}
		b, err := apply(b, now)
		if err != nil {
			return err
		}
		tx.Put(b)
		if b.IsRecurring() {
			for _, o := range tx.Series(b.RecurringBookingUID) {
				if o.UID == b.UID || o.Status != StatusPending {
					continue
				}
				o, err := apply(o, now)
				if err != nil {
					return err
				}
				tx.Put(o)
			}
		}
		res = Result{Bookings: []Booking{b}}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	return s.seenBy(&caller, res), nil
}
