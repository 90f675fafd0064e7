package booking

import (
	"context"
	"slices"
	"time"
)

const msgNoOtherHost = "Can't reassign the booking because no other host is available at that time."

// Reassign hands a round-robin booking to another host of its event type (§5.9): the first,
// in HostIDs order, who is not the current organizer, not an attendee, and free at the
// booking's time. The uid and status stay. Any authenticated caller may call it (the snapshot
// does not check permissions).
//
// Returns ENOTFOUND if the booking does not exist, EINVALID if no other host is available
// (which is also the answer for bookings that are not round robin).
func (s *Service) Reassign(ctx context.Context, caller User, uid string) (Reassignment, error) {
	var res Reassignment
	err := s.update(ctx, ActionReassign, nil, func(tx Tx) error {
		now := s.clock.Now()
		b, ok := tx.Get(uid)
		if !ok {
			return notFoundInDatabase(uid)
		}
		et, ok := s.catalog.EventTypeByID(b.EventTypeID)
		if !ok || et.SchedulingType != SchedulingRoundRobin {
			return Errorf(EINVALID, msgNoOtherHost)
		}
		except := map[string]bool{b.UID: true}
		for _, id := range et.HostIDs {
			u, ok := s.catalog.UserByID(id)
			if !ok || id == b.HostID || hasAttendeeEmail(&b, u.Email) || hostBusy(tx, id, b.Start, b.End, except) {
				continue
			}
			r, err := s.reassign(tx, b, et, u, now)
			res = r
			return err
		}
		return Errorf(EINVALID, msgNoOtherHost)
	})
	return res, err
}

// ReassignTo hands a round-robin booking to host userID (§5.10). reason is accepted and not
// stored (Cal.com does not show it in any booking output). Any authenticated caller may call
// it.
//
// Returns ENOTFOUND if the booking or the user does not exist, EINVALID if the user is not a
// round-robin host of the booking's event type.
func (s *Service) ReassignTo(ctx context.Context, caller User, uid string, userID int, reason string) (Reassignment, error) {
	var res Reassignment
	err := s.update(ctx, ActionReassign, nil, func(tx Tx) error {
		now := s.clock.Now()
		b, ok := tx.Get(uid)
		if !ok {
			return notFoundInDatabase(uid)
		}
		u, ok := s.catalog.UserByID(userID)
		if !ok {
			return Errorf(ENOTFOUND, "User with id=%d was not found in the database", userID)
		}
		et, ok := s.catalog.EventTypeByID(b.EventTypeID)
		if !ok || et.SchedulingType != SchedulingRoundRobin || !slices.Contains(et.HostIDs, userID) {
			return Errorf(EINVALID, "User with id=%d is not a valid Round Robin host - the user to which you reassign this booking must be one of the booking hosts. Fetch the booking using following endpoint and select id of one of the hosts: https://cal.com/docs/api-reference/v2/bookings/get-a-booking", userID)
		}
		r, err := s.reassign(tx, b, et, u, now)
		res = r
		return err
	})
	return res, err
}

// reassign makes to the organizer of b. A title that is still the default event name is
// renamed for the new host, as Cal.com regenerates the event name.
func (s *Service) reassign(tx Tx, b Booking, et EventType, to User, now time.Time) (Reassignment, error) {
	title := ""
	if old, ok := s.catalog.UserByID(b.HostID); ok && len(b.Attendees) > 0 && b.Title == eventTitle(s.catalog, et, old, b.Attendees[0].Name) {
		title = eventTitle(s.catalog, et, to, b.Attendees[0].Name)
	}
	r, err := Reassign(b, to.ID, title, now)
	if err != nil {
		return Reassignment{}, err
	}
	tx.Put(r)
	return Reassignment{Booking: r, To: to}, nil
}
