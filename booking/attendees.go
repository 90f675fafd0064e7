package booking

import (
	"context"
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"
)

// The attendee and guest operations of cal-api-version 2024-08-13 (changes-2026 notes §1.2):
// list, get one, add and remove attendees, and add guests. Sources, cited per rule below:
//   - cal.com apps/api/v2/src/platform/bookings/2024-08-13/controllers/booking-attendees.controller.ts
//     and booking-guests.controller.ts (guards, throttles, status codes);
//   - …/2024-08-13/services/booking-attendees.service.ts and booking-guests.service.ts (the
//     API layer's 404s and the 30-guest limit);
//   - packages/features/bookings/services/BookingAttendeesService.ts and
//     BookingAttendeesRemoveService.ts (not found, the primary attendee);
//   - packages/trpc/server/routers/viewer/bookings/addGuests.handler.ts (who may change a
//     booking's attendees, duplicates; tRPC errors, so envelope C).

// Limits of the guests operation (booking-guests.service.ts MAX_TOTAL_GUESTS_PER_BOOKING; the
// per-request one is the input's @ArrayMaxSize(10), checked by the transport).
const (
	MaxGuestsPerRequest = 10
	MaxGuestsPerBooking = 30
)

// Messages of the attendee and guest operations.
const (
	fmtAttendeeBookingNotFound = "Booking with uid %s not found"
	fmtAttendeeNotFound        = "Attendee with id %d not found in booking %s"
	fmtNoBookingAccess         = "BookingPbacGuard - user with id=%d does not have access to booking with uid=%s"
	// MsgAttendeeNotFound and MsgCannotRemovePrimary are the raw codes the remove service
	// throws (ErrorWithCode.Factory.NotFound / BadRequest); the API rethrows them as they are.
	MsgAttendeeNotFound    = "attendee_not_found"
	MsgCannotRemovePrimary = "cannot_remove_primary_attendee"
	fmtTooManyGuests       = "Cannot add %d guests. This booking already has %d attendees. Maximum total guests allowed is %d. You can add up to %d more guests."
	// MsgGuestsSeated refuses guests on a seated booking. UNVERIFIED: the hosted docs say only
	// "This endpoint does not support seated events"; the cal.diy handler has no such check.
	// A guest holds no seat, so the mock refuses (400) rather than make a seat-less attendee.
	MsgGuestsSeated = "This endpoint does not support seated events"
)

// BookingAttendee is one attendee with the ids the attendee endpoints show.
type BookingAttendee struct {
	ID        int
	BookingID int
	Attendee
}

// DisplayEmail is email without a managed user's "+<25 characters>" suffix (cal.com
// booking-attendees.service.ts getDisplayEmail).
func DisplayEmail(email string) string {
	if loc := managedSuffix.FindStringIndex(email); loc != nil {
		return email[:loc[0]] + email[loc[1]:]
	}
	return email
}

var managedSuffix = regexp.MustCompile(`\+[a-zA-Z0-9]{25}`)

// AttendeeID is the id the attendee endpoints give attendee a of the booking uid. Cal.com's
// attendee ids are database row ids; the domain stores none, so the mock derives one that
// stays the same while the attendee is on the booking (whatever is added or removed around
// it): a 31-bit FNV-1a hash of the booking uid and the attendee's email (lower case, the key
// Cal.com keeps unique per booking) and phone. Ids are looked up within their booking only,
// as upstream ("not found in booking"), so ids of other bookings may repeat.
func AttendeeID(uid string, a Attendee) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(uid))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(strings.ToLower(a.Email)))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(a.PhoneNumber))
	id := int(h.Sum32() & 0x7fffffff)
	if id == 0 {
		return 1
	}
	return id
}

func withID(b Booking, a Attendee) BookingAttendee {
	return BookingAttendee{ID: AttendeeID(b.UID, a), BookingID: b.ID, Attendee: a}
}

// findAttendee returns the index of the attendee of b with id, or -1. With two attendees of
// one email (a create whose guests repeat the booker) the first one is found.
func findAttendee(b Booking, id int) int {
	for i, a := range b.Attendees {
		if AttendeeID(b.UID, a) == id {
			return i
		}
	}
	return -1
}

// mayReadBooking is BookingPbacGuard's rule as the mock knows it
// (BookingAccessService.doesUserIdHaveAccessToBooking): the organizer, a host of the event
// type, or an attendee may read the booking. Every operation behind that guard (attendees,
// recordings, transcripts) asks here, so the rule and its 403 are written once.
func (s *Service) mayReadBooking(caller User, b Booking) error {
	et, _ := s.catalog.EventTypeByID(b.EventTypeID)
	if isHostOf(caller.ID, b, et) || isAttendee(caller, b) {
		return nil
	}
	return Errorf(EFORBIDDEN, fmtNoBookingAccess, caller.ID, b.UID)
}

// isAttendee reports whether caller's email is exactly an attendee's (addGuests.handler.ts
// validateUserPermissions compares with ===).
func isAttendee(caller User, b Booking) bool {
	for _, a := range b.Attendees {
		if caller.Email != "" && a.Email == caller.Email {
			return true
		}
	}
	return false
}

// mayChangeAttendees is addGuests.handler.ts validateUserPermissions: the organizer or an
// attendee. Its refusal is a tRPC FORBIDDEN.
func mayChangeAttendees(caller User, b Booking) error {
	if b.HostID == caller.ID || isAttendee(caller, b) {
		return nil
	}
	return TRPCError(EFORBIDDEN, "you_do_not_have_permission")
}

// Attendees lists the attendees of booking uid, in the booking's order. The organizer, a host
// or an attendee may call it.
//
// Returns ENOTFOUND if the booking does not exist, EFORBIDDEN for anyone else.
func (s *Service) Attendees(ctx context.Context, caller User, uid string) ([]BookingAttendee, error) {
	var out []BookingAttendee
	err := s.store.View(ctx, func(tx Tx) error {
		b, err := s.readableBooking(tx, caller, uid)
		if err != nil {
			return err
		}
		out = make([]BookingAttendee, len(b.Attendees))
		for i, a := range b.Attendees {
			out[i] = withID(b, a)
		}
		return nil
	})
	return out, err
}

// Attendee returns the attendee id of booking uid, to the callers of Attendees.
//
// Returns ENOTFOUND if the booking or the attendee does not exist, EFORBIDDEN as Attendees.
func (s *Service) Attendee(ctx context.Context, caller User, uid string, id int) (BookingAttendee, error) {
	var out BookingAttendee
	err := s.store.View(ctx, func(tx Tx) error {
		b, err := s.readableBooking(tx, caller, uid)
		if err != nil {
			return err
		}
		i := findAttendee(b, id)
		if i < 0 {
			return Errorf(ENOTFOUND, fmtAttendeeNotFound, id, uid)
		}
		out = withID(b, b.Attendees[i])
		return nil
	})
	return out, err
}

// readableBooking is the booking uid if caller may read its attendees. The real API's
// BookingUidGuard and BookingPbacGuard decide this before the service runs; an unknown uid
// is answered with the services' own 404 text (the PR's e2e asserts only the status).
func (s *Service) readableBooking(tx Tx, caller User, uid string) (Booking, error) {
	b, ok := tx.Get(uid)
	if !ok {
		return Booking{}, Errorf(ENOTFOUND, fmtAttendeeBookingNotFound, uid)
	}
	if err := s.mayReadBooking(caller, b); err != nil {
		return Booking{}, err
	}
	return b, nil
}

// AddAttendee adds in to booking uid and returns it with its id. Callers: those of Attendees
// (BookingPbacGuard), and of those only the organizer or an attendee (the shared handler's
// check). The email is also added to the booking's guests, as upstream adds it to the
// responses' guests. A time zone or language not given is the organizer's (the mock's
// users have no locale: "en").
//
// Returns ENOTFOUND if the booking does not exist, EFORBIDDEN (API layer, then tRPC) for
// other callers, and a tRPC EINVALID if the email is already an attendee's.
func (s *Service) AddAttendee(ctx context.Context, caller User, uid string, in AttendeeInput) (BookingAttendee, error) {
	var out BookingAttendee
	err := s.store.Update(ctx, func(tx Tx) error {
		b, err := s.readableBooking(tx, caller, uid)
		if err != nil {
			return err
		}
		if err := mayChangeAttendees(caller, b); err != nil {
			return err
		}
		added, err := s.addAttendees(tx, &b, []AttendeeInput{in})
		if err != nil {
			return err
		}
		out = withID(b, added[0])
		return nil
	})
	return out, err
}

// RemoveAttendee removes the attendee id from booking uid and returns it. Only the
// organizer or an attendee may call it (the route has no BookingPbacGuard). The first
// attendee cannot be removed: the booking is cancelled instead.
//
// Returns ENOTFOUND if the booking or the attendee does not exist, a tRPC EFORBIDDEN for other
// callers, EINVALID for the first attendee.
func (s *Service) RemoveAttendee(ctx context.Context, caller User, uid string, id int) (BookingAttendee, error) {
	var out BookingAttendee
	err := s.store.Update(ctx, func(tx Tx) error {
		b, ok := tx.Get(uid)
		if !ok {
			return Errorf(ENOTFOUND, fmtAttendeeBookingNotFound, uid)
		}
		if err := mayChangeAttendees(caller, b); err != nil {
			return err
		}
		i := findAttendee(b, id)
		switch {
		case i < 0:
			return Errorf(ENOTFOUND, MsgAttendeeNotFound)
		case i == 0:
			// Upstream's primary attendee is the one with the lowest row id: the booker,
			// the first of the booking's attendees.
			return Errorf(EINVALID, MsgCannotRemovePrimary)
		}
		out = withID(b, b.Attendees[i])
		removed := b.Attendees[i]
		b.Attendees = append(b.Attendees[:i:i], b.Attendees[i+1:]...)
		b.Guests = withoutEmail(b.Guests, removed.Email)
		b.UpdatedAt = s.clock.Now()
		tx.Put(b)
		return nil
	})
	return out, err
}

// AddGuests adds guests to booking uid and returns the booking as Get does. At most
// MaxGuestsPerBooking attendees in all; not on seated bookings; only the organizer or an
// attendee may call it. Emails already on the booking, or repeated in guests, are skipped.
//
// Returns ENOTFOUND if the booking does not exist, EINVALID past the limit or on a seated
// booking, a tRPC EFORBIDDEN for other callers and a tRPC EINVALID when no guest is new.
func (s *Service) AddGuests(ctx context.Context, caller User, uid string, guests []AttendeeInput) (Result, error) {
	var res Result
	err := s.store.Update(ctx, func(tx Tx) error {
		b, ok := tx.Get(uid)
		if !ok {
			return Errorf(ENOTFOUND, fmtAttendeeBookingNotFound, uid)
		}
		// booking-guests.service.ts counts the attendees before the handler runs.
		if have := len(b.Attendees); have+len(guests) > MaxGuestsPerBooking {
			return Errorf(EINVALID, fmtTooManyGuests, len(guests), have, MaxGuestsPerBooking, max(0, MaxGuestsPerBooking-have))
		}
		if err := mayChangeAttendees(caller, b); err != nil {
			return err
		}
		if et, _ := s.catalog.EventTypeByID(b.EventTypeID); et.IsSeated() {
			return Errorf(EINVALID, MsgGuestsSeated)
		}
		if _, err := s.addAttendees(tx, &b, guests); err != nil {
			return err
		}
		res = Result{Bookings: []Booking{b}}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	return s.seenBy(&caller, res), nil
}

// addAttendees appends to b the inputs whose email is new (addGuests.handler.ts
// sanitizeAndFilterGuests: base emails compared case-insensitively, repeats dropped), adds
// their emails to the guests, stores b and returns the attendees added. When none is new it
// refuses with the handler's tRPC BAD_REQUEST.
func (s *Service) addAttendees(tx Tx, b *Booking, in []AttendeeInput) ([]Attendee, error) {
	seen := map[string]bool{}
	for _, a := range b.Attendees {
		seen[baseEmail(a.Email)] = true
	}
	organizer, _ := s.catalog.UserByID(b.HostID)
	var added []Attendee
	for _, g := range in {
		key := baseEmail(g.Email)
		if seen[key] {
			continue
		}
		seen[key] = true
		a := Attendee{Name: g.Name, Email: g.Email, TimeZone: g.TimeZone, Language: g.Language, PhoneNumber: g.PhoneNumber}
		if a.TimeZone == "" {
			a.TimeZone = organizer.TimeZone
		}
		if a.Language == "" {
			a.Language = "en"
		}
		added = append(added, a)
	}
	if len(added) == 0 {
		return nil, TRPCError(EINVALID, "emails_must_be_unique_valid")
	}
	for _, a := range added {
		b.Attendees = append(b.Attendees, a)
		b.Guests = append(b.Guests, a.Email)
	}
	b.UpdatedAt = s.clock.Now()
	tx.Put(*b)
	return added, nil
}

// baseEmail is Cal.com's extractBaseEmail, lower-cased: the address without a "+tag" in its
// local part, the key under which it keeps a booking's attendees unique.
func baseEmail(email string) string {
	email = strings.ToLower(email)
	local, domain, ok := strings.Cut(email, "@")
	if !ok {
		return email
	}
	local, _, _ = strings.Cut(local, "+")
	return fmt.Sprintf("%s@%s", local, domain)
}

// withoutEmail returns guests without the entries whose base email is email's (the remove
// service filters the responses' guests so).
func withoutEmail(guests []string, email string) []string {
	key := baseEmail(email)
	var out []string
	for _, g := range guests {
		if baseEmail(g) != key {
			out = append(out, g)
		}
	}
	return out
}
