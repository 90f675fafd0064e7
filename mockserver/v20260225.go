package mockserver

import (
	"net/http"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/internal/apiversion"
)

// Everything cal-api-version 2026-02-25 changes on the wire is in this file: its route table,
// the handler wrapper carrying its output rule, its create body and its request-reschedule.
// The rules themselves are in package booking (CreateOverrides.For, KeepCancelledSeats,
// RequestReschedule). Source: changes-2026 §1.1, §2.1 (BookingsController_2026_02_25, whose
// service and output extend 2024-08-13's).

const version20260225 = apiversion.V20260225

// routes20260225 is the table of cal-api-version 2026-02-25: the operations of
// BookingsController_2026_02_25 (changes-2026 §1.1, routes 1, 3–7 and 9–17: every 2024-08-13
// bookings operation but the list, plus request-reschedule), under its own operation ids, and
// the attendees controller, registered for [VERSION_2024_08_13, VERSION_2026_02_25] and so
// listed with its 2024-08-13 ids and handlers. Left out, hence 404 under this version: the
// list (2026-05-01 has the hosted one), guests and location (documented for 2024-08-13 only)
// and routing-trace (its controller is BookingRoutingTraceController_2024_08_13; the docs'
// "2024-08-13 or later" is not a version list). Operation ids other than createBooking,
// getBookingReferences and requestReschedule (documented) follow 2024-08-13's method names.
// Differences from 2024-08-13: create takes the host overrides; every booking it answers
// shows a cancelled seated booking's attendees to privileged callers (v20260225);
// request-reschedule. Reschedule keeps 2024-08-13's answer: that 2026-02-25 may answer an
// array is UNVERIFIED (changes-2026 §2.1.4), so the snapshot's behaviour stays.
func (s *Server) routes20260225() []route {
	const base = "/v2/bookings"
	const one = base + "/{bookingUid}"
	const id = "BookingsController_2026_02_25_"
	v := s.v20260225
	return []route{
		{http.MethodPost, base, id + "createBooking", authOptional, true, v(s.handleBookingCreate20260225)},
		{http.MethodGet, base + "/by-seat/{seatUid}", id + "getBookingBySeat", authOptional, false, v(s.handleBookingGetBySeat)},
		{http.MethodGet, one, id + "getBooking", authOptional, true, v(s.handleBookingGet)},
		{http.MethodGet, one + "/recordings", id + "getBookingRecordings", authRequired, false, s.handleBookingRecordings},
		{http.MethodGet, one + "/transcripts", id + "getBookingTranscripts", authRequired, false, s.handleBookingTranscripts},
		{http.MethodPost, one + "/reschedule", id + "rescheduleBooking", authOptional, false, v(s.handleBookingReschedule)},
		{http.MethodPost, one + "/cancel", id + "cancelBooking", authOptional, true, v(s.handleBookingCancel)},
		{http.MethodPost, one + "/mark-absent", id + "markNoShow", authRequired, false, v(s.handleBookingMarkAbsent)},
		{http.MethodPost, one + "/reassign", id + "reassignBooking", authRequired, false, s.handleBookingReassign},
		{http.MethodPost, one + "/reassign/{userId}", id + "reassignBookingToUser", authRequired, false, s.handleBookingReassignTo},
		{http.MethodPost, one + "/confirm", id + "confirmBooking", authRequired, false, v(s.handleBookingConfirm)},
		{http.MethodPost, one + "/decline", id + "declineBooking", authRequired, false, v(s.handleBookingDecline)},
		{http.MethodGet, one + "/calendar-links", id + "getCalendarLinks", authRequired, false, s.handleBookingCalendarLinks},
		{http.MethodGet, one + "/references", id + "getBookingReferences", authRequired, false, s.handleBookingReferences},
		{http.MethodGet, one + "/conferencing-sessions", id + "getVideoSessions", authRequired, false, s.handleConferencingSessions},
		// Hosted docs, cal-api-version 2026-02-25 only (changes-2026 §1.2).
		{http.MethodPost, one + "/request-reschedule", id + "requestReschedule", authRequired, false, s.handleRequestReschedule},

		{http.MethodGet, one + "/attendees", "BookingAttendeesController_2024_08_13_getBookingAttendees", authRequired, false, s.handleAttendeeList},
		{http.MethodPost, one + "/attendees", "BookingAttendeesController_2024_08_13_addAttendee", authRequired, false, s.handleAttendeeAdd},
		{http.MethodGet, one + "/attendees/{attendeeId}", "BookingAttendeesController_2024_08_13_getBookingAttendee", authRequired, false, s.handleAttendeeGet},
		{http.MethodDelete, one + "/attendees/{attendeeId}", "BookingAttendeesController_2024_08_13_removeAttendee", authRequired, false, s.handleAttendeeRemove},
	}
}

// v20260225 wraps a shared handler with 2026-02-25's output rule
// (OutputBookingsService_2026_02_25, changes-2026 §2.1.2): a cancelled seated booking keeps
// its attendees for a caller who may see them (booking.Service.KeepCancelledSeats).
func (s *Server) v20260225(h func(*call) error) func(*call) error {
	return func(c *call) error {
		c.results = s.service.KeepCancelledSeats
		return h(c)
	}
}

// handleBookingCreate20260225 handles POST /v2/bookings under 2026-02-25.
func (s *Server) handleBookingCreate20260225(c *call) error {
	return s.createWith(c, decodeCreate20260225)
}

// createOverrideFields are the create body's properties that 2026-02-25 adds (optional
// booleans; changes-2026 §2.1.3). 2024-08-13's strict pipe refuses them as unknown
// properties, as the snapshot does: the note says allowConflicts is in the shared 2024-08-13
// input, but neither the snapshot's document nor cal.diy's 2026-08 one has it.
var createOverrideFields = []string{"allowConflicts", "allowBookingOutOfBounds", "skipBookingLimits"}

// decodeCreate20260225 is 2024-08-13's create decoder plus the overrides, checked after the
// inherited properties (they are declared on the subclass). The Service drops them for a
// caller who is not a host of the event type.
func decodeCreate20260225(body map[string]any) (booking.CreateInput, error) {
	base := make(map[string]any, len(body))
	for k, v := range body {
		base[k] = v
	}
	for _, k := range createOverrideFields {
		delete(base, k)
	}
	in, errs := decodeCreateBody(base)
	flags := []*bool{&in.Overrides.AllowConflicts, &in.Overrides.AllowBookingOutOfBounds, &in.Overrides.SkipBookingLimits}
	for i, k := range createOverrideFields {
		if present(body, k) {
			*flags[i], _ = checkBool(&errs, body, k)
		}
	}
	return in, strictError(errs)
}

// requestRescheduleOut is request-reschedule's answer: a status and no data.
type requestRescheduleOut struct {
	Status string `json:"status"`
}

// handleRequestReschedule handles POST /v2/bookings/{bookingUid}/request-reschedule.
func (s *Server) handleRequestReschedule(c *call) error {
	reason, err := decodeRequestReschedule(c.body)
	if err != nil {
		return err
	}
	if err := s.service.RequestReschedule(c.r.Context(), *c.caller, c.pathVar("bookingUid"), reason); err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, requestRescheduleOut{Status: statusSuccess})
	return nil
}

// decodeRequestReschedule validates RequestRescheduleInput_2026_02_25 ({rescheduleReason?:
// string}) with the global pipe, which strips unknown properties.
func decodeRequestReschedule(body map[string]any) (string, error) {
	var errs errorsList
	var reason string
	if present(body, "rescheduleReason") {
		reason, _ = checkString(&errs, body, "rescheduleReason")
	}
	return reason, lenientError(plainMap(body), errs)
}
