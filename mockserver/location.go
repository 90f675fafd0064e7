package mockserver

import (
	"fmt"
	"net/http"

	"github.com/calmock/calmock/booking"
)

// Handler of PATCH /v2/bookings/{bookingUid}/location (cal-api-version 2024-08-13 only; the
// rules are in booking/location.go). No named throttle: the controller
// (apps/api/v2/src/ee/bookings/2024-08-13/controllers/booking-location.controller.ts) has no
// @Throttle, so the default limit counts it.

// handleLocationUpdate answers 200 (@HttpCode(HttpStatus.OK)) with the booking as GET one
// shows it.
func (s *Server) handleLocationUpdate(c *call) error {
	in, err := decodeUpdateLocation(c.body)
	if err != nil {
		return err
	}
	res, err := s.service.UpdateLocation(c.r.Context(), *c.caller, c.pathVar("bookingUid"), in)
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, s.resultData(c, res))
	return nil
}

// updateLocationValue is the property each location type of the update body requires
// (UpdateBookingInput*Location_2024_08_13: the organizer-defined kinds carry their value too).
var updateLocationValue = map[string]string{
	"address":         "address",
	"attendeeAddress": "address",
	"attendeeDefined": "location",
	"attendeePhone":   "phone",
	"link":            "link",
	"phone":           "phone",
	"integration":     "integration",
}

// Messages of UpdateBookingInputLocationValidator_2024_08_13 (cal.com
// packages/platform/types/bookings/2024-08-13/inputs/update-location.input.ts), a custom
// validator on `location` (@IsOptional, so null or absent skips it). The unsupported-type
// text is the version that predates integration; the 2026-08 document accepts integration,
// so the mock does too, and the list in this text is UNVERIFIED for that version.
const (
	constraintUpdateLocation = "ValidateUpdateLocation"
	msgUpdateLocationNoType  = "UpdateBookingInputLocationValidator_2024_08_13 - Booking 'location' must have a 'type' property."
	msgUpdateLocationType    = "UpdateBookingInputLocationValidator_2024_08_13 - Unsupported booking location type '%s'. Valid types are address, link, phone, attendeePhone, attendeeAddress, and attendeeDefined."
	// msgUpdateLocationValue is the nested validation's failure for a missing or non-string
	// value. Upstream joins every constraint text of the class (IsDefined, IsString, and
	// IsUrl/IsPhoneNumber/MinLength where declared); the mock gives the first two, which
	// every kind declares, so the exact join is UNVERIFIED.
	msgUpdateLocationValue = "UpdateBookingInputLocationValidator_2024_08_13 - Validation failed for %s location: %s should not be null or undefined, %s must be a string"
)

// decodeUpdateLocation validates UpdateBookingLocationInput_2024_08_13 with the create body's
// location decoder (object form), refusing what the update validator refuses. A nil
// LocationInput means the body named no location.
func decodeUpdateLocation(body map[string]any) (*booking.LocationInput, error) {
	if !present(body, "location") || body["location"] == nil {
		return nil, nil
	}
	var errs errorsList
	obj, _ := body["location"].(map[string]any)
	typ, _ := obj["type"].(string)
	field, known := updateLocationValue[typ]
	switch {
	case typ == "":
		errs.add("location", body["location"], constraintUpdateLocation, msgUpdateLocationNoType)
	case !known:
		errs.add("location", body["location"], constraintUpdateLocation, fmt.Sprintf(msgUpdateLocationType, typ))
	default:
		if _, ok := obj[field].(string); !ok {
			errs.add("location", body["location"], constraintUpdateLocation, fmt.Sprintf(msgUpdateLocationValue, typ, field, field))
		}
	}
	if err := lenientError(plainMap(body), errs); err != nil {
		return nil, err
	}
	var ignored errorsList
	return decodeLocation(&ignored, body), nil
}
