package booking

import (
	"strings"
	"time"

	"github.com/calmock/calmock/internal/wiretime"
)

// This file is the status machine (behaviour notes §8) as data plus pure functions. Nothing
// here touches a Store: each function takes a booking and the time, and returns the changed
// copy or Cal.com's refusal. The Service wraps them in transactions.

// Action is something that can happen to a booking.
type Action string

const (
	ActionCreate     Action = "create"
	ActionConfirm    Action = "confirm"
	ActionDecline    Action = "decline"
	ActionCancel     Action = "cancel"
	ActionReschedule Action = "reschedule"
	ActionMarkAbsent Action = "markAbsent"
	ActionReassign   Action = "reassign"
	// ActionRequestReschedule is cal-api-version 2026-02-25's request-reschedule: the
	// booking is cancelled and the attendee asked to book again.
	ActionRequestReschedule Action = "requestReschedule"
)

// Actions lists every action, in a stable order.
var Actions = []Action{ActionCreate, ActionConfirm, ActionDecline, ActionCancel, ActionReschedule, ActionMarkAbsent, ActionReassign, ActionRequestReschedule}

// StatusNone is the status of a booking that does not exist yet: the only one create starts from.
const StatusNone Status = ""

// Transitions says which actions each status allows and the status each leads to. A pair
// that is missing is refused; Refusal gives the exact error. Create's target is the one for a
// plain event type: it becomes pending when the event type requires confirmation and
// awaiting_host for instant bookings (see Create). Reschedule's target is the status of the
// OLD booking (it is cancelled; the new booking starts as a create does).
var Transitions = map[Status]map[Action]Status{
	StatusNone: {
		ActionCreate: StatusAccepted,
	},
	StatusAccepted: {
		ActionCancel:     StatusCancelled,
		ActionReschedule: StatusCancelled,
		ActionMarkAbsent: StatusAccepted,
		ActionReassign:   StatusAccepted,

		ActionRequestReschedule: StatusCancelled,
	},
	StatusPending: {
		ActionConfirm:    StatusAccepted,
		ActionDecline:    StatusRejected,
		ActionCancel:     StatusCancelled,
		ActionReschedule: StatusCancelled,
		ActionMarkAbsent: StatusPending,
		ActionReassign:   StatusPending,

		ActionRequestReschedule: StatusCancelled,
	},
	// QUIRK (§5.11, §5.12): Cal.com's confirm handler refuses only bookings that are already
	// accepted, so a cancelled booking can be confirmed (→ accepted) or declined (→ rejected).
	// Clients have been observed relying on neither, but the mock copies the real server.
	StatusCancelled: {
		ActionConfirm:    StatusAccepted,
		ActionDecline:    StatusRejected,
		ActionMarkAbsent: StatusCancelled,
		ActionReassign:   StatusCancelled,
	},
	// QUIRK: the same handler confirms a rejected booking (→ accepted) and declines it again.
	StatusRejected: {
		ActionConfirm:    StatusAccepted,
		ActionDecline:    StatusRejected,
		ActionCancel:     StatusCancelled,
		ActionMarkAbsent: StatusRejected,
		ActionReassign:   StatusRejected,
	},
	StatusAwaitingHost: {
		ActionConfirm:    StatusAccepted,
		ActionDecline:    StatusRejected,
		ActionCancel:     StatusCancelled,
		ActionMarkAbsent: StatusAwaitingHost,
		ActionReassign:   StatusAwaitingHost,

		ActionRequestReschedule: StatusCancelled,
	},
}

// Allowed reports whether action may be applied to a booking in status from, and the status it
// leads to.
func Allowed(from Status, action Action) (Status, bool) {
	to, ok := Transitions[from][action]
	return to, ok
}

// User-facing messages of the status machine, exactly as Cal.com sends them.
const (
	msgAlreadyConfirmed   = "Booking already confirmed" // tRPC internal text; clients see the generic one
	msgOriginalNotFound   = "Could not find original booking"
	msgReasonRequired     = "Cancellation reason is required when you are the host"
	msgAlreadyEnded       = "Cannot cancel a booking that has already ended"
	msgCancellingDisabled = "This event type does not allow cancellations"
	msgPast               = "Attempting to book a meeting in the past."
	// msgRequestRescheduleRefused is the tRPC handler's text (requestReschedule.handler.ts:
	// status CANCELLED or REJECTED → BAD_REQUEST); clients see envelope C's generic text.
	msgRequestRescheduleRefused = "Cannot request reschedule for cancelled or rejected booking"
)

// Refusal returns the error Cal.com answers when action is applied to b and the status
// machine does not allow it, or nil when the pair is allowed.
func Refusal(b Booking, action Action) *Error {
	if _, ok := Allowed(b.Status, action); ok {
		return nil
	}
	switch action {
	case ActionCreate:
		return &Error{Code: EINTERNAL, Message: "booking: create applies only to a booking that does not exist yet"}
	case ActionConfirm, ActionDecline:
		if b.Status == StatusAccepted {
			return TRPCError(EINVALID, msgAlreadyConfirmed)
		}
	case ActionCancel:
		if b.Status == StatusCancelled {
			return Errorf(EINVALID, "Can't cancel booking with uid=%s because it has been cancelled already. Please provide uid of a booking that is not cancelled.", b.UID)
		}
	case ActionRequestReschedule:
		if b.Status == StatusCancelled || b.Status == StatusRejected {
			return TRPCError(EINVALID, msgRequestRescheduleRefused)
		}
	case ActionReschedule:
		switch b.Status {
		case StatusCancelled:
			if b.Rescheduled || b.RescheduledToUID != "" {
				return Errorf(EINVALID, "Can't reschedule booking with uid=%s because it has been cancelled and rescheduled already to booking with uid=%s. You probably want to reschedule %s instead by passing it within the request URL.", b.UID, b.RescheduledToUID, b.RescheduledToUID)
			}
			return Errorf(EINVALID, "Can't reschedule booking with uid=%s because it has been cancelled. Please provide uid of a booking that is not cancelled.", b.UID)
		case StatusRejected, StatusAwaitingHost:
			// The API layer only looks at "cancelled"; the booking core then looks the
			// original booking up among accepted/pending ones and finds nothing.
			return CoreErrorf(ENOTFOUND, msgOriginalNotFound)
		}
	}
	return &Error{Code: EINTERNAL, Message: "booking: " + string(action) + " not allowed on status " + string(b.Status)}
}

// CreateStatus is the status a new booking of et starts in.
func CreateStatus(et EventType, instant bool) Status {
	switch {
	case instant:
		return StatusAwaitingHost
	case et.RequiresConfirmation:
		return StatusPending
	default:
		return StatusAccepted
	}
}

// Create turns b (status StatusNone) into a new booking in status st, stamped at now. It
// refuses a start in the past.
func Create(b Booking, st Status, now time.Time) (Booking, error) {
	return create(b, st, now, false)
}

// create is Create; outOfBounds (a host's allowBookingOutOfBounds) lets a start in the past
// through.
func create(b Booking, st Status, now time.Time, outOfBounds bool) (Booking, error) {
	if e := Refusal(b, ActionCreate); e != nil {
		return b, e
	}
	if b.Start.Before(now) && !outOfBounds {
		return b, Errorf(EINVALID, msgPast)
	}
	b.Status = st
	b.CreatedAt, b.UpdatedAt = now, now
	return b, nil
}

// Confirm accepts b. Only accepted bookings are refused (tRPC bad request).
func Confirm(b Booking, now time.Time) (Booking, error) {
	if e := Refusal(b, ActionConfirm); e != nil {
		return b, e
	}
	b.Status = StatusAccepted
	b.UpdatedAt = now
	return b, nil
}

// Decline rejects b, storing reason as the rejection reason (not shown in outputs).
func Decline(b Booking, reason string, now time.Time) (Booking, error) {
	if e := Refusal(b, ActionDecline); e != nil {
		return b, e
	}
	b.Status = StatusRejected
	b.RejectionReason = reason
	b.UpdatedAt = now
	return b, nil
}

// CancelOptions are the facts a cancellation depends on besides the booking.
type CancelOptions struct {
	// Reason is the cancellation reason; "" stores null.
	Reason string
	// ByOrganizer is true when the authenticated caller organises the booking: such a
	// caller must give a non-blank reason.
	ByOrganizer bool
	// DisableCancelling is the event type's flag.
	DisableCancelling bool
	// SkipReasonCheck is set for single-seat cancellations, whose body cannot carry a reason.
	SkipReasonCheck bool
}

// Cancel cancels b. Checks, in order: already cancelled (API layer), then the booking core's
// cancelling disabled, host without reason, and booking already ended.
func Cancel(b Booking, o CancelOptions, now time.Time) (Booking, error) {
	if e := Refusal(b, ActionCancel); e != nil {
		return b, e
	}
	if o.DisableCancelling {
		return b, CoreErrorf(EINVALID, msgCancellingDisabled)
	}
	if o.ByOrganizer && !o.SkipReasonCheck && strings.TrimSpace(o.Reason) == "" {
		return b, CoreErrorf(EINVALID, msgReasonRequired)
	}
	if b.End.Before(now) {
		return b, CoreErrorf(EINVALID, msgAlreadyEnded)
	}
	b.Status = StatusCancelled
	if o.Reason != "" {
		r := o.Reason
		b.CancellationReason = &r
	}
	b.UpdatedAt = now
	return b, nil
}

// RescheduleFrom marks b as the old booking of a reschedule to newUID: cancelled, flagged
// rescheduled, cancellationReason null.
func RescheduleFrom(b Booking, newUID string, now time.Time) (Booking, error) {
	if e := Refusal(b, ActionReschedule); e != nil {
		return b, e
	}
	b.Status = StatusCancelled
	b.Rescheduled = true
	b.RescheduledToUID = newUID
	b.CancellationReason = nil
	b.UpdatedAt = now
	return b, nil
}

// RequestReschedule cancels b at its organizer's request so that the attendee books again
// (cal.com requestReschedule.handler.ts: status CANCELLED, rescheduled true,
// cancellationReason the request's rescheduleReason, cancelledBy the caller's email). No
// time check: a booking that has ended can be asked to reschedule too.
func RequestReschedule(b Booking, reason, by string, now time.Time) (Booking, error) {
	if e := Refusal(b, ActionRequestReschedule); e != nil {
		return b, e
	}
	b.Status = StatusCancelled
	b.Rescheduled = true
	b.CancellationReason = nil
	if reason != "" {
		b.CancellationReason = &reason
	}
	if by != "" {
		b.CancelledByEmail = &by
	}
	b.UpdatedAt = now
	return b, nil
}

// MarkAbsent records no-shows on b. It refuses before the booking's start. QUIRK (§5.8):
// host false does not clear absentHost; attendees are matched by exact email and unknown
// emails are ignored. The status is not checked.
func MarkAbsent(b Booking, in MarkAbsentInput, now time.Time) (Booking, error) {
	if e := Refusal(b, ActionMarkAbsent); e != nil {
		return b, e
	}
	if now.Before(b.Start) {
		return b, Errorf(EINVALID, "Bookings can only be marked as absent after their scheduled start time. Current time in UTC+0: %s, Booking start time in UTC+0: %s", wiretime.Format(now), wiretime.Format(b.Start))
	}
	if in.Host != nil && *in.Host {
		b.AbsentHost = true
	}
	for _, a := range in.Attendees {
		for i := range b.Attendees {
			if b.Attendees[i].Email == a.Email {
				b.Attendees[i].Absent = a.Absent
			}
		}
	}
	b.UpdatedAt = now
	return b, nil
}

// Reassign makes host the organizer of b, with the title it gets under that host. The status
// and uid do not change.
func Reassign(b Booking, hostID int, title string, now time.Time) (Booking, error) {
	if e := Refusal(b, ActionReassign); e != nil {
		return b, e
	}
	b.HostID = hostID
	if title != "" {
		b.Title = title
	}
	b.UpdatedAt = now
	return b, nil
}
