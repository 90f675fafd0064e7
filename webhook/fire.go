package webhook

import (
	"slices"
	"strings"

	"github.com/calmock/calmock/booking"
)

// Transition is one booking changed by one action, as the Service left it: what Fire needs
// to know which triggers the real platform fires.
type Transition struct {
	Action booking.Action
	// Before is the booking as it was before the action; nil when a create made a new
	// booking. For a create that took a seat in an existing booking, that booking before
	// the seat. For a reschedule, the old booking (After is the new one, or the booking the
	// seat moved into).
	Before *booking.Booking
	// After is the booking as the action left it.
	After booking.Booking
	// NoShow is the attendee list of a mark-absent request (empty when only the host was
	// marked).
	NoShow []booking.AbsentAttendee
}

// Event is one trigger fired by a transition, with what its payload describes.
type Event struct {
	Trigger Trigger
	// Booking is the booking of the payload, with Attendees as the payload lists them (a
	// single-seat cancellation lists only the attendee who left).
	Booking booking.Booking
	// Previous is the old booking of a reschedule (rescheduleId, rescheduleUid, …).
	Previous *booking.Booking
	// NoShow is the attendees of a BOOKING_NO_SHOW_UPDATED payload.
	NoShow []NoShowAttendee
	// SeatUID is the seat a create added to an existing seated booking (the payload's
	// attendeeSeatId).
	SeatUID string
}

// NoShowAttendee is one entry of a BOOKING_NO_SHOW_UPDATED payload.
type NoShowAttendee struct {
	Email  string `json:"email"`
	NoShow bool   `json:"noShow"`
}

// Fire returns the events the real platform sends for t, in the order it sends them (§10 of
// the behaviour notes). It is pure: subscribers are picked by Recipients.
//
//   - create: BOOKING_CREATED when the booking is accepted (also for a new seat),
//     BOOKING_REQUESTED when pending, INSTANT_MEETING for an instant booking awaiting a host;
//   - confirm: BOOKING_CREATED (status ACCEPTED); decline: BOOKING_REJECTED;
//   - cancel: BOOKING_CANCELLED; a single-seat cancellation lists only that attendee;
//   - reschedule: BOOKING_RESCHEDULED when the new booking is accepted, BOOKING_REQUESTED
//     when it is pending;
//   - mark-absent: BOOKING_NO_SHOW_UPDATED only when attendees were given (host-only: none);
//   - reassign: nothing.
//
// A recurring create or a series cancel is one Transition per occurrence: the real platform
// sends one webhook per occurrence.
func Fire(t Transition) []Event {
	a := t.After
	switch t.Action {
	case booking.ActionCreate:
		switch a.Status {
		case booking.StatusAccepted:
			evs := one(BookingCreated, a, nil)
			if t.Before != nil {
				// A seat in an existing booking (handleSeats.ts, createNewSeat.ts): every
				// attendee, the new one last, and attendeeSeatId.
				evs[0].SeatUID = newSeat(*t.Before, a)
			}
			return evs
		case booking.StatusPending:
			return one(BookingRequested, a, nil)
		case booking.StatusAwaitingHost:
			return one(InstantMeeting, a, nil)
		}
	case booking.ActionConfirm:
		if a.Status == booking.StatusAccepted {
			return one(BookingCreated, a, nil)
		}
	case booking.ActionDecline:
		if a.Status == booking.StatusRejected {
			return one(BookingRejected, a, nil)
		}
	case booking.ActionCancel:
		return fireCancel(t)
	case booking.ActionReschedule:
		switch a.Status {
		case booking.StatusAccepted:
			return one(BookingRescheduled, a, t.Before)
		case booking.StatusPending:
			return one(BookingRequested, a, t.Before)
		}
	case booking.ActionMarkAbsent:
		if len(t.NoShow) == 0 {
			return nil
		}
		return []Event{{Trigger: BookingNoShowUpdated, Booking: a, NoShow: noShowOf(a, t.NoShow)}}
	case booking.ActionReassign:
		// Cal.com's reassignment sends emails and no booking webhook (§10).
		return nil
	}
	return nil
}

func one(tr Trigger, b booking.Booking, prev *booking.Booking) []Event {
	return []Event{{Trigger: tr, Booking: b, Previous: prev}}
}

func fireCancel(t Transition) []Event {
	a := t.After
	if t.Before != nil && t.Before.Status == booking.StatusCancelled {
		return nil
	}
	if a.Status == booking.StatusCancelled {
		// The Service empties a seated booking's attendees when it is cancelled whole; the
		// payload lists the attendees it had.
		if len(a.Attendees) == 0 && t.Before != nil {
			a.Attendees = t.Before.Attendees
		}
		return one(BookingCancelled, a, nil)
	}
	if t.Before == nil {
		return nil
	}
	// One seat left a booking that stays: Cal.com's cancelAttendeeSeat sends
	// BOOKING_CANCELLED with only the removed attendee and status CANCELLED (§10;
	// packages/features/bookings/lib/handleCancelBooking/cancelAttendeeSeat.ts).
	var gone []booking.Attendee
	for _, b := range t.Before.Attendees {
		if !slices.ContainsFunc(a.Attendees, func(x booking.Attendee) bool { return sameAttendee(x, b) }) {
			gone = append(gone, b)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	a.Attendees = gone
	a.Status = booking.StatusCancelled
	return one(BookingCancelled, a, nil)
}

// newSeat is the seat uid of the attendee of after that before does not have.
func newSeat(before, after booking.Booking) string {
	for _, a := range after.Attendees {
		if a.SeatUID != "" && !slices.ContainsFunc(before.Attendees, func(b booking.Attendee) bool { return b.SeatUID == a.SeatUID }) {
			return a.SeatUID
		}
	}
	return ""
}

func sameAttendee(x, y booking.Attendee) bool {
	if x.SeatUID != "" || y.SeatUID != "" {
		return x.SeatUID == y.SeatUID
	}
	return strings.EqualFold(x.Email, y.Email)
}

// noShowOf is Cal.com's updateAttendees (packages/features/handleMarkNoShow.ts): the
// requested attendees that the booking has (exact email), in the request's order, with the
// value requested.
func noShowOf(b booking.Booking, req []booking.AbsentAttendee) []NoShowAttendee {
	out := []NoShowAttendee{}
	for _, r := range req {
		if slices.ContainsFunc(b.Attendees, func(a booking.Attendee) bool { return a.Email == r.Email }) {
			out = append(out, NoShowAttendee{Email: r.Email, NoShow: r.Absent})
		}
	}
	return out
}

// Recipients returns the subscriptions of subs that receive ev: the webhooks of the user
// and of the event type, active and subscribed to the trigger, each once, user webhooks
// first (Cal.com's getWebhooks: `userId`, `eventTypeId`, team and org webhooks; the mock has
// no team, org or platform webhooks). et is the booking's event type.
//
// The user is the booking's organizer, except for BOOKING_NO_SHOW_UPDATED, where Cal.com
// asks for the event type's owner (handleMarkNoShow.ts, getWebhooksService:
// `userId: booking.eventType.userId`), which team event types do not have.
func Recipients(ev Event, et booking.EventType, subs []Subscription) []Subscription {
	userID := ev.Booking.HostID
	if ev.Trigger == BookingNoShowUpdated {
		userID = et.OwnerID
	}
	var out []Subscription
	seen := map[string]bool{}
	add := func(match func(*Subscription) bool) {
		for i := range subs {
			s := &subs[i]
			if seen[s.ID] || !match(s) || !s.Subscribed(ev.Trigger) {
				continue
			}
			seen[s.ID] = true
			out = append(out, s.Clone())
		}
	}
	add(func(s *Subscription) bool { return userID != 0 && s.UserID == userID })
	add(func(s *Subscription) bool { return s.EventTypeID != 0 && s.EventTypeID == ev.Booking.EventTypeID })
	return out
}
