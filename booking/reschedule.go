package booking

import (
	"context"
	"strings"
	"time"
)

// Reschedule moves a booking to in.Start (§5.6). Anyone may call it; only in.RescheduledBy
// says who rescheduled. A non-seated reschedule creates a new booking (new uid and id) and
// cancels the old one (flagged rescheduled, rescheduledToUid set). With in.SeatUID, only that
// seat moves: into the accepted booking already at the new start, or into a new booking with a
// new seat uid; the old booking is cancelled when its last seat leaves.
//
// Returns ENOTFOUND (booking or seat unknown; core origin for rejected or awaiting_host
// bookings), EINVALID (cancelled or already rescheduled, seated booking without seatUid, start
// in the past, host not available), ECONFLICT (seats full at the new start; core origin when
// the attendee already holds a seat there).
func (s *Service) Reschedule(ctx context.Context, caller *User, uid string, in RescheduleInput) (Result, error) {
	var res Result
	err := s.update(ctx, ActionReschedule, nil, func(tx Tx) error {
		now := s.clock.Now()
		old, ok := tx.Get(uid)
		if !ok {
			// Cal.com's snapshot answers a bare 500 here; newer upstream (and the mock) a 404.
			return notFoundInDatabase(uid)
		}
		if old.Status == StatusCancelled {
			return Refusal(old, ActionReschedule)
		}
		et, ok := s.catalog.EventTypeByID(old.EventTypeID)
		if !ok {
			return Errorf(EINTERNAL, "booking: booking %s has unknown event type %d", uid, old.EventTypeID)
		}
		if et.IsSeated() && in.SeatUID == "" {
			return Errorf(EINVALID, "Booking with uid=%s is a seated booking which means you have to provide seatUid in the request body to specify which seat specifically you want to reschedule. First, fetch the booking using https://cal.com/docs/api-reference/v2/bookings/get-a-booking and then within the attendees array you will find the seatUid of the booking you want to reschedule. Second, provide the seatUid in the request body to specify which seat specifically you want to reschedule using the reschedule endpoint https://cal.com/docs/api-reference/v2/bookings/reschedule-a-booking#option-2", uid)
		}
		if in.SeatUID != "" {
			r, err := s.rescheduleSeat(tx, old, et, in, now)
			res = r
			return err
		}
		if e := Refusal(old, ActionReschedule); e != nil {
			return e
		}
		start := in.Start.UTC()
		if start.Before(now) {
			return Errorf(EINVALID, msgPast)
		}
		// QUIRK (§5.6): the new booking gets the event type's default length, even when the
		// old one had a variable length.
		sl := slot{start, start.Add(time.Duration(et.LengthInMinutes) * time.Minute)}
		except := map[string]bool{old.UID: true}
		hostID := old.HostID
		title := old.Title
		if et.SchedulingType == SchedulingRoundRobin && hostBusy(tx, hostID, sl.start, sl.end, except) {
			// Round robin: another free host may take the new slot.
			h, _, err := s.pickHosts(tx, et, []slot{sl}, except, false)
			if err != nil {
				return err
			}
			hostID = h.ID
			if len(old.Attendees) > 0 {
				title = eventTitle(s.catalog, et, h, old.Attendees[0].Name)
			}
		} else if hostID != 0 && hostBusy(tx, hostID, sl.start, sl.end, except) {
			if et.IsTeam() {
				return Errorf(EINVALID, msgHostsNotAvailable)
			}
			return Errorf(EINVALID, msgUserNotAvailable)
		}

		nb := old.Clone()
		nb.ID = tx.NextID()
		nb.UID = s.freshBookingUID(tx)
		nb.HostID = hostID
		nb.Title = title
		nb.Start, nb.End = sl.start, sl.end
		nb.Status = StatusNone
		for i := range nb.Attendees {
			nb.Attendees[i].Absent = false
		}
		nb.AbsentHost = false
		nb.CancellationReason, nb.CancelledByEmail, nb.RejectionReason = nil, nil, ""
		nb.Rescheduled, nb.RescheduledToUID = false, ""
		nb.RescheduledFromUID = old.UID
		nb.ReschedulingReason = in.Reason
		nb.RescheduledByEmail = nil // QUIRK (§5.6): null after API reschedules
		nb.Recordings, nb.Transcripts, nb.References = nil, nil, nil
		nb.BookingFieldsResponses = rescheduledResponses(nb.BookingFieldsResponses, in.Reason)
		if strings.HasPrefix(old.Location, CalVideoBaseURL) {
			nb.Location = calVideoURL(nb.UID)
		}
		// The calendar event keeps its iCalUID across reschedules (Cal.com reuses the
		// original's), so nb.ICSUID stays as it was.
		// Requires-confirmation event types make the new booking pending unless the body's
		// rescheduledBy is the organizer's email (the Authorization header does not count).
		status := StatusAccepted
		if et.RequiresConfirmation {
			status = StatusPending
			if host, ok := s.catalog.UserByID(old.HostID); ok && in.RescheduledBy != "" && strings.EqualFold(in.RescheduledBy, host.Email) {
				status = StatusAccepted
			}
		}
		nb, err := Create(nb, status, now)
		if err != nil {
			return err
		}
		old, err = RescheduleFrom(old, nb.UID, now)
		if err != nil {
			return err
		}
		tx.Put(old)
		tx.Put(nb)
		res = Result{Bookings: []Booking{nb}}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	return s.seenBy(caller, res), nil
}

// rescheduleSeat moves one seat of old to in.Start (§5.6, seated).
func (s *Service) rescheduleSeat(tx Tx, old Booking, et EventType, in RescheduleInput, now time.Time) (Result, error) {
	i := seatIndex(old, in.SeatUID)
	if i < 0 {
		return Result{}, Errorf(ENOTFOUND, "Seat with uid=%s does not exist.", in.SeatUID)
	}
	if e := Refusal(old, ActionReschedule); e != nil {
		return Result{}, e
	}
	start := in.Start.UTC()
	if start.Before(now) {
		return Result{}, Errorf(EINVALID, msgPast)
	}
	seat := old.Attendees[i]
	seat.Absent = false

	var target *Booking
	for _, b := range tx.At(et.ID, start) {
		if b.Status == StatusAccepted && b.UID != old.UID {
			target = &b
			break
		}
	}
	var moved Booking
	if target != nil {
		if hasAttendeeEmail(target, seat.Email) {
			return Result{}, CoreErrorf(ECONFLICT, msgAlreadySignedUp)
		}
		if len(target.Attendees) >= et.SeatsPerTimeSlot {
			return Result{}, Errorf(ECONFLICT, msgSeatsFull)
		}
		moved = *target
		moved.Attendees = append(moved.Attendees, seat) // keeps its seat uid
		moved.UpdatedAt = now
	} else {
		sl := slot{start, start.Add(time.Duration(et.LengthInMinutes) * time.Minute)}
		if old.HostID != 0 && hostBusy(tx, old.HostID, sl.start, sl.end, map[string]bool{old.UID: true}) {
			if et.IsTeam() {
				return Result{}, Errorf(EINVALID, msgHostsNotAvailable)
			}
			return Result{}, Errorf(EINVALID, msgUserNotAvailable)
		}
		// A new booking gives the attendee a new seat, taken now; moved into an existing
		// booking, the seat keeps its uid and so when it was taken.
		seat.SeatUID = s.freshSeatUID(tx)
		seat.SeatCreatedAt = now
		uid := s.freshBookingUID(tx)
		moved = old.Clone()
		moved.ID, moved.UID = tx.NextID(), uid
		moved.Start, moved.End = sl.start, sl.end
		moved.Attendees = []Attendee{seat}
		moved.Status = StatusNone
		moved.ICSUID = uid + "@Cal.com"
		moved.AbsentHost = false
		moved.CancellationReason, moved.CancelledByEmail = nil, nil
		moved.Rescheduled, moved.RescheduledFromUID, moved.RescheduledToUID, moved.ReschedulingReason = false, "", "", ""
		moved.Recordings, moved.Transcripts, moved.References = nil, nil, nil
		if strings.HasPrefix(old.Location, CalVideoBaseURL) {
			moved.Location = calVideoURL(uid)
		}
		var err error
		if moved, err = Create(moved, CreateStatus(et, false), now); err != nil {
			return Result{}, err
		}
	}
	old.Attendees = append(old.Attendees[:i:i], old.Attendees[i+1:]...)
	if len(old.Attendees) == 0 {
		old.Status = StatusCancelled
	}
	old.UpdatedAt = now
	tx.Put(old)
	tx.Put(moved)
	return Result{Bookings: []Booking{moved}, SeatUID: seat.SeatUID}, nil
}
