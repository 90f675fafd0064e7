package mockserver

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/calmock/calmock/booking"
)

// Handlers of the attendee and guest operations (cal-api-version 2024-08-13 only; the rules
// are in booking/attendees.go). Their bodies go through Nest's global ValidationPipe
// (lenient: unknown keys dropped, ValidationError objects in details).

// handleAttendeeList handles GET /v2/bookings/{bookingUid}/attendees.
func (s *Server) handleAttendeeList(c *call) error {
	list, err := s.service.Attendees(c.r.Context(), *c.caller, c.pathVar("bookingUid"))
	if err != nil {
		return err
	}
	out := make([]attendeeWithIDOut, len(list))
	for i, a := range list {
		out[i] = toAttendeeWithIDOut(a)
	}
	writeData(c.w, http.StatusOK, out)
	return nil
}

// handleAttendeeGet handles GET /v2/bookings/{bookingUid}/attendees/{attendeeId}.
func (s *Server) handleAttendeeGet(c *call) error {
	id, err := parseAttendeeID(c.pathVar("attendeeId"))
	if err != nil {
		return err
	}
	a, err := s.service.Attendee(c.r.Context(), *c.caller, c.pathVar("bookingUid"), id)
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, toAttendeeWithIDOut(a))
	return nil
}

// handleAttendeeAdd handles POST /v2/bookings/{bookingUid}/attendees.
func (s *Server) handleAttendeeAdd(c *call) error {
	in, err := decodeAddAttendee(c.body)
	if err != nil {
		return err
	}
	a, err := s.service.AddAttendee(c.r.Context(), *c.caller, c.pathVar("bookingUid"), in)
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusCreated, addedAttendeeOut{attendeeWithIDOut: toAttendeeWithIDOut(a), BookingID: a.BookingID})
	return nil
}

// handleAttendeeRemove handles DELETE /v2/bookings/{bookingUid}/attendees/{attendeeId}.
func (s *Server) handleAttendeeRemove(c *call) error {
	id, err := parseAttendeeID(c.pathVar("attendeeId"))
	if err != nil {
		return err
	}
	a, err := s.service.RemoveAttendee(c.r.Context(), *c.caller, c.pathVar("bookingUid"), id)
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, removedAttendeeOut{ID: a.ID, BookingID: a.BookingID, Name: a.Name, Email: a.Email, TimeZone: a.TimeZone})
	return nil
}

// handleGuestsAdd handles POST /v2/bookings/{bookingUid}/guests: 200, not 201
// (@HttpCode(HttpStatus.OK)), with the booking as GET one shows it.
func (s *Server) handleGuestsAdd(c *call) error {
	guests, err := decodeAddGuests(c.body)
	if err != nil {
		return err
	}
	res, err := s.service.AddGuests(c.r.Context(), *c.caller, c.pathVar("bookingUid"), guests)
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, s.resultData(c, res))
	return nil
}

// msgNumericID is Nest's ParseIntPipe text. UNVERIFIED against Cal.com (changes-2026 notes
// §1.2); it is Nest's default and the pipe has no options in the controller.
const msgNumericID = "Validation failed (numeric string is expected)"

// parseAttendeeID reads {attendeeId} as ParseIntPipe does: an optional sign and digits only
// (Nest's isNumeric: !isNaN(parseFloat(v)) && isFinite(v), with parseInt taken afterwards;
// the mock takes integers only, so "1.5" is refused here where Nest would read 1).
func parseAttendeeID(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || strings.TrimSpace(s) != s {
		return 0, newAPIError(http.StatusBadRequest, msgNumericID)
	}
	return n, nil
}

// decodeAddAttendee validates AddAttendeeInput_2024_08_13 (its declaration order: email,
// name, timeZone, phoneNumber, language).
func decodeAddAttendee(body map[string]any) (booking.AttendeeInput, error) {
	var errs errorsList
	in := decodeGuestFields(&errs, body, true)
	return in, lenientError(plainMap(body), errs)
}

// decodeGuestFields checks one attendee or guest object: email always, name and timeZone
// when required (the attendee) or present (a guest), phoneNumber and language when present.
func decodeGuestFields(errs *errorsList, obj map[string]any, required bool) booking.AttendeeInput {
	var in booking.AttendeeInput
	if s, ok := obj["email"].(string); ok && validEmail(s) {
		in.Email = s
	} else {
		errs.add("email", obj["email"], "isEmail", "email must be an email")
	}
	if required || present(obj, "name") {
		if s, ok := obj["name"].(string); ok {
			in.Name = s
		} else {
			errs.add("name", obj["name"], "isString", "name must be a string")
		}
	}
	if required || present(obj, "timeZone") {
		if s, ok := obj["timeZone"].(string); ok && validTimeZone(s) {
			in.TimeZone = s
		} else {
			errs.add("timeZone", obj["timeZone"], "isTimeZone", "timeZone must be a valid IANA time-zone")
		}
	}
	if present(obj, "phoneNumber") {
		// @Validate with a function and a message: the constraint is named after the
		// function, which is anonymous upstream; the mock names it as create does.
		if s, ok := obj["phoneNumber"].(string); ok && (s == "" || validPhone(s)) {
			in.PhoneNumber = s
		} else {
			errs.add("phoneNumber", obj["phoneNumber"], "isPhoneNumber", "Invalid phone number format. Please use international format.")
		}
	}
	if present(obj, "language") {
		if s, ok := obj["language"].(string); ok && slices.Contains(languages, s) {
			in.Language = s
		} else {
			errs.add("language", obj["language"], "isEnum", "language must be one of the following values: "+strings.Join(languages, ", "))
		}
	}
	return in
}

// decodeAddGuests validates AddGuestsInput_2024_08_13: guests is an array of 1 to 10 guest
// objects (@ArrayMinSize(1), @ArrayMaxSize(10) with its own message, @IsArray,
// @ValidateNested; cal.com packages/platform/types/bookings/2024-08-13/inputs/add-guests.input.ts).
func decodeAddGuests(body map[string]any) ([]booking.AttendeeInput, error) {
	var errs errorsList
	var guests []booking.AttendeeInput
	list, isList := body["guests"].([]any)
	// class-validator runs the decorators bottom-up: ValidateNested, IsArray, ArrayMaxSize,
	// ArrayMinSize; constraints of one property are listed in that order.
	if !isList {
		errs.notNested("guests", body["guests"])
		errs.add("guests", body["guests"], "isArray", "guests must be an array")
		errs.add("guests", body["guests"], "arrayMaxSize", "Cannot add more than "+strconv.Itoa(booking.MaxGuestsPerRequest)+" guests at a time")
		errs.add("guests", body["guests"], "arrayMinSize", "guests must contain at least 1 elements")
		return nil, lenientError(plainMap(body), errs)
	}
	items := eachObject(list, func(obj map[string]any, sub *errorsList) {
		guests = append(guests, decodeGuestFields(sub, obj, false))
	})
	if len(list) > booking.MaxGuestsPerRequest {
		errs.add("guests", list, "arrayMaxSize", "Cannot add more than "+strconv.Itoa(booking.MaxGuestsPerRequest)+" guests at a time")
	}
	if len(list) == 0 {
		errs.add("guests", list, "arrayMinSize", "guests must contain at least 1 elements")
	}
	if len(items) > 0 {
		if len(errs) > 0 {
			errs[0].children = items
		} else {
			errs.nest("guests", list, items)
		}
	}
	return guests, lenientError(plainMap(body), errs)
}
