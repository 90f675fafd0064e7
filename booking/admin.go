package booking

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// This file is the state a test may put directly (PUT /_calmock/bookings/{uid}): a booking
// in any status, at any time, without walking the status machine, held to the invariants
// every booking the API makes keeps, so that the operations behave on it as on any other.

// CheckBooking reports every way b breaks the invariants of a stored booking, given the
// catalog and the store as tx sees it (b itself may be stored already: it is then a
// replacement). Each problem names its field by its key in the fixtures file format, e.g.
// "attendees[1].seatUid". The result is an EINVALID *Error, or nil.
//
// The invariants: the uid is set (and usable in a path); the id is the mock's (left out, or
// the stored booking's); the status is known; the booking ends after it starts; its event
// type exists; its host is a user allowed to host it (the owner of a personal event type,
// one of the hosts of a team one; none only while awaiting a host); every attendee has an
// email and a valid time zone and the booker a name; there is an attendee unless cancelled;
// seats exactly when the event type is seated, each held by this booking alone, no more than
// the event type has, and one booking per seated slot; a series only of a recurring event
// type, all of its occurrences of that event type and no more than its count; reschedule
// links that point at other stored bookings.
func CheckBooking(b *Booking, catalog Catalog, tx Tx) error {
	var problems []string
	add := func(field, format string, args ...any) {
		problems = append(problems, field+": "+fmt.Sprintf(format, args...))
	}

	if b.UID == "" {
		add("uid", "required")
	} else if strings.ContainsAny(b.UID, "/?# \t\n") {
		add("uid", "%q cannot be used in a path (no /, ?, # or spaces)", b.UID)
	}
	old, exists := Booking{}, false
	if b.UID != "" {
		old, exists = tx.Get(b.UID)
	}
	switch {
	case b.ID < 0:
		add("id", "must be positive, got %d", b.ID)
	case b.ID != 0 && !exists:
		add("id", "leave it out: the mock numbers new bookings itself (got %d)", b.ID)
	case b.ID != 0 && b.ID != old.ID:
		add("id", "%d is not the stored booking's id %d (leave it out to keep it)", b.ID, old.ID)
	}
	if !slices.Contains(Statuses, b.Status) {
		add("status", "%q is not a status (one of %v)", b.Status, Statuses)
	}
	switch {
	case b.Start.IsZero():
		add("start", "required")
	case !b.End.After(b.Start):
		add("end", "%s must be after start %s", b.End.Format(time.RFC3339), b.Start.Format(time.RFC3339))
	}

	et, etOK := catalog.EventTypeByID(b.EventTypeID)
	if !etOK {
		add("eventTypeId", "%d is not an event type", b.EventTypeID)
	}
	switch _, isUser := catalog.UserByID(b.HostID); {
	case b.HostID == 0 && b.Status == StatusAwaitingHost:
		// An instant booking waits for a host.
	case !isUser:
		add("hostId", "%d is not a user (0 only with status %s)", b.HostID, StatusAwaitingHost)
	case etOK && !slices.Contains(hostsOf(et), b.HostID):
		add("hostId", "user %d cannot host event type %d (its hosts: %v)", b.HostID, et.ID, hostsOf(et))
	}

	checkAttendees(b, et, etOK, tx, add)
	if etOK && et.IsSeated() && !b.Start.IsZero() && blocks(*b) {
		for _, o := range tx.At(et.ID, b.Start) {
			if o.UID != b.UID && blocks(o) {
				add("start", "booking %q already holds the seated slot of event type %d at %s: seats of one slot are attendees of one booking", o.UID, et.ID, b.Start.Format(time.RFC3339))
				break
			}
		}
	}

	if r := b.RecurringBookingUID; r != "" && etOK {
		if et.Recurrence == nil {
			add("recurringBookingUid", "set, but event type %d is not recurring", et.ID)
		} else {
			series := tx.Series(r)
			n := len(series)
			if !slices.ContainsFunc(series, func(o Booking) bool { return o.UID == b.UID }) {
				n++
			}
			if n > et.Recurrence.Count {
				add("recurringBookingUid", "series %q would have %d occurrences, more than event type %d's count %d", r, n, et.ID, et.Recurrence.Count)
			}
			for _, o := range series {
				if o.UID != b.UID && o.EventTypeID != b.EventTypeID {
					add("recurringBookingUid", "series %q is of event type %d (occurrence %q), not %d", r, o.EventTypeID, o.UID, b.EventTypeID)
					break
				}
			}
		}
	}
	for _, link := range []struct{ field, uid string }{{"rescheduledFromUid", b.RescheduledFromUID}, {"rescheduledToUid", b.RescheduledToUID}} {
		if link.uid == "" {
			continue
		}
		if link.uid == b.UID {
			add(link.field, "a booking cannot be rescheduled from or to itself")
		} else if _, ok := tx.Get(link.uid); !ok {
			add(link.field, "%q is not a booking", link.uid)
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return Errorf(EINVALID, "invalid booking %q: %s", b.UID, strings.Join(problems, "; "))
}

// checkAttendees is CheckBooking's part for the attendees and their seats.
func checkAttendees(b *Booking, et EventType, etOK bool, tx Tx, add func(field, format string, args ...any)) {
	if len(b.Attendees) == 0 && b.Status != StatusCancelled {
		// A cancelled seated booking has no attendees left; every other booking has a booker.
		add("attendees", "at least one attendee is required (none only when cancelled)")
	}
	seats := map[string]int{}
	for i, a := range b.Attendees {
		at := fmt.Sprintf("attendees[%d]", i)
		if a.Email == "" {
			add(at+".email", "required")
		}
		if i == 0 && a.Name == "" {
			add(at+".name", "required for the booker (the first attendee)")
		}
		if err := checkZone(a.TimeZone); err != nil {
			add(at+".timeZone", "%v", err)
		}
		if !etOK {
			continue
		}
		switch {
		case et.IsSeated() && a.SeatUID == "":
			add(at+".seatUid", "required: event type %d is seated", et.ID)
		case !et.IsSeated() && a.SeatUID != "":
			add(at+".seatUid", "only for seated event types (event type %d is not)", et.ID)
		case a.SeatUID != "":
			if j, dup := seats[a.SeatUID]; dup {
				add(at+".seatUid", "%q is also attendees[%d]'s", a.SeatUID, j)
			} else if o, held := tx.BySeat(a.SeatUID); held && o.UID != b.UID {
				add(at+".seatUid", "%q is held by booking %q", a.SeatUID, o.UID)
			}
			seats[a.SeatUID] = i
		}
	}
	if etOK && et.IsSeated() && len(b.Attendees) > et.SeatsPerTimeSlot {
		add("attendees", "%d attendees exceed event type %d's %d seats", len(b.Attendees), et.ID, et.SeatsPerTimeSlot)
	}
}

// checkZone accepts an IANA zone name (not "Local", which depends on the machine).
func checkZone(tz string) error {
	if tz == "" {
		return errors.New("required (an IANA zone such as Europe/London)")
	}
	if tz == "Local" {
		return errors.New(`"Local" is not an IANA zone`)
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return fmt.Errorf("%q is not an IANA zone", tz)
	}
	return nil
}

// PutBooking stores b as it is, once CheckBooking accepts it: a new booking (uid not
// stored) or a replacement. What b leaves out is filled in: the id (the stored booking's,
// or the next one), createdAt (the stored booking's, or now) and updatedAt (now). It returns
// the booking as stored and whether it is new.
func (s *Service) PutBooking(ctx context.Context, b Booking) (Booking, bool, error) {
	var out Booking
	var created bool
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := CheckBooking(&b, s.catalog, tx); err != nil {
			return err
		}
		old, exists := tx.Get(b.UID)
		now := s.clock.Now()
		if b.ID == 0 {
			if exists {
				b.ID = old.ID
			} else {
				b.ID = tx.NextID()
			}
		}
		if b.CreatedAt.IsZero() {
			b.CreatedAt = now
			if exists {
				b.CreatedAt = old.CreatedAt
			}
		}
		if b.UpdatedAt.IsZero() {
			b.UpdatedAt = now
		}
		tx.Put(b)
		out, created = b.Clone(), !exists
		return nil
	})
	if err != nil {
		return Booking{}, false, err
	}
	return out, created, nil
}

// AllBookings returns every booking, whoever organises or attends it, by start then id.
func (s *Service) AllBookings(ctx context.Context) ([]Booking, error) {
	var out []Booking
	err := s.store.View(ctx, func(tx Tx) error {
		out = cloneAll(tx.All())
		return nil
	})
	return out, err
}

// BookingByUID returns the booking uid whoever organises or attends it.
func (s *Service) BookingByUID(ctx context.Context, uid string) (Booking, error) {
	var out Booking
	err := s.store.View(ctx, func(tx Tx) error {
		b, ok := tx.Get(uid)
		if !ok {
			return Errorf(ENOTFOUND, "no booking with uid %q", uid)
		}
		out = b.Clone()
		return nil
	})
	return out, err
}
