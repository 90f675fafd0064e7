package booking

import "context"

// Get returns a booking by uid, or, when uid is a recurringBookingUid, every occurrence of
// that series (any status) sorted by start with Series set. Anyone may call it; a seated
// booking whose attendees the caller may not see has none (see seenBy).
//
// Returns ENOTFOUND if neither a booking nor a series has that uid.
func (s *Service) Get(ctx context.Context, caller *User, uid string) (Result, error) {
	var res Result
	err := s.store.View(ctx, func(tx Tx) error {
		if b, ok := tx.Get(uid); ok {
			res = Result{Bookings: []Booking{b.Clone()}}
			return nil
		}
		if series := tx.Series(uid); len(series) > 0 {
			SortByStart(series)
			res = Result{Bookings: cloneAll(series), Series: true}
			return nil
		}
		return notFoundInDatabase(uid)
	})
	if err != nil {
		return Result{}, err
	}
	return s.seenBy(caller, res), nil
}

// GetBySeat returns the booking holding seat seatUID (the later upstream endpoint, §5.18).
// Anyone may call it; a caller who may not see the booking's attendees sees the seat's own
// attendee only. Result.SeatUID stays empty (GET outputs have no top-level seatUid).
//
// Returns ENOTFOUND if no booking holds the seat.
func (s *Service) GetBySeat(ctx context.Context, caller *User, seatUID string) (Result, error) {
	var res Result
	err := s.store.View(ctx, func(tx Tx) error {
		b, ok := tx.BySeat(seatUID)
		if !ok {
			return Errorf(ENOTFOUND, "Booking with seatUid=%s was not found in the database", seatUID)
		}
		b = b.Clone()
		// Unlike Get, this holds without the event type in the catalog (a durable store
		// opened with other fixtures): then only the organizer sees every attendee.
		if et, _ := s.catalog.EventTypeByID(b.EventTypeID); !canSeeAttendees(caller, b, et) {
			b.Attendees = onlySeat(b, seatUID)
		}
		res = Result{Bookings: []Booking{b}}
		return nil
	})
	return res, err
}

// calVideoBooking loads uid, checks that caller may read it and that it is a Cal Video
// booking (recordings and transcripts, §5.3, §5.4). Upstream's guards run in that order:
// BookingUidGuard (404), then BookingPbacGuard (403), then the service (404 without Cal
// Video); changes-2026 §2.1 and §2.3 (PR #24637 made both routes need BOOKING_READ and
// booking access).
func (s *Service) calVideoBooking(ctx context.Context, caller User, uid string) (Booking, error) {
	var b Booking
	err := s.store.View(ctx, func(tx Tx) error {
		var ok bool
		if b, ok = tx.Get(uid); !ok {
			return notFoundInDatabase(uid)
		}
		if err := s.mayReadBooking(caller, b); err != nil {
			return err
		}
		if !isCalVideo(b.Location) {
			return Errorf(ENOTFOUND, "No Cal Video reference found with booking uid %s", uid)
		}
		b = b.Clone()
		return nil
	})
	return b, err
}

// Recordings lists a booking's Cal Video recordings (empty, never nil, when there are none).
// Only a caller who may read the booking may call it (mayReadBooking).
//
// Returns ENOTFOUND if the booking does not exist or is not a Cal Video booking, EFORBIDDEN
// if caller may not read it.
func (s *Service) Recordings(ctx context.Context, caller User, uid string) ([]Recording, error) {
	b, err := s.calVideoBooking(ctx, caller, uid)
	if err != nil {
		return nil, err
	}
	if b.Recordings == nil {
		return []Recording{}, nil
	}
	return b.Recordings, nil
}

// Transcripts lists a booking's transcript download links (empty, never nil, when none), to
// the callers of Recordings.
//
// Returns what Recordings returns.
func (s *Service) Transcripts(ctx context.Context, caller User, uid string) ([]string, error) {
	b, err := s.calVideoBooking(ctx, caller, uid)
	if err != nil {
		return nil, err
	}
	if b.Transcripts == nil {
		return []string{}, nil
	}
	return b.Transcripts, nil
}

// References lists a booking's external references, only those of type typ when typ is not
// "". Only the booking's organizer may call it.
//
// Returns ENOTFOUND if the booking does not exist, EINVALID (Cal.com answers 400) if the
// caller is not its organizer.
func (s *Service) References(ctx context.Context, caller User, uid string, typ string) ([]Reference, error) {
	var b Booking
	err := s.store.View(ctx, func(tx Tx) error {
		var ok bool
		if b, ok = tx.Get(uid); !ok {
			return Errorf(ENOTFOUND, "Booking with uid %s not found", uid)
		}
		if b.HostID != caller.ID {
			return Errorf(EINVALID, "Booking with uid %s does not belong to user", uid)
		}
		b = b.Clone()
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := []Reference{}
	for _, r := range b.References {
		if typ == "" || r.Type == typ {
			out = append(out, r)
		}
	}
	return out, nil
}

// CalendarEvent returns what the calendar-links endpoint renders: the booking, its event type
// and its organizer (the zero User for instant bookings awaiting a host). Any authenticated
// caller may call it (no ownership check, §5.13).
//
// Returns ENOTFOUND if the booking does not exist, EINVALID if its event type is gone.
func (s *Service) CalendarEvent(ctx context.Context, uid string) (Booking, EventType, User, error) {
	var b Booking
	err := s.store.View(ctx, func(tx Tx) error {
		var ok bool
		if b, ok = tx.Get(uid); !ok {
			return Errorf(ENOTFOUND, "Booking with uid %s not found", uid)
		}
		b = b.Clone()
		return nil
	})
	if err != nil {
		return Booking{}, EventType{}, User{}, err
	}
	et, ok := s.catalog.EventTypeByID(b.EventTypeID)
	if !ok {
		return Booking{}, EventType{}, User{}, Errorf(EINVALID, "Booking with uid %s has no event type", uid)
	}
	host, _ := s.catalog.UserByID(b.HostID)
	return b, et.Clone(), host, nil
}
