package booking

import "context"

// The "update location" operation of cal-api-version 2024-08-13 (changes-2026 notes §1.2),
// PATCH /v2/bookings/{bookingUid}/location. Source: calcom/cal.com
// apps/api/v2/src/ee/bookings/2024-08-13/services/booking-location.service.ts
// (updateBookingLocation, updateLocation, getNonIntegrationLocationValue).

// Messages of the update-location operation (booking-location.service.ts).
const (
	fmtLocationBookingNotFound = "Booking with uid=%s not found"
	// MsgLocationForbidden is the ForbiddenException of userIsEventTypeAdminOrOwner.
	MsgLocationForbidden    = "User is not authorized to update this booking location. User must be the event type owner, host, team admin or owner, or org admin or owner."
	fmtLocationValueMissing = "Missing or invalid location value for type: %s"
)

// UpdateLocation sets the location of booking uid to in and returns the booking as Get does.
// Unlike create, the body carries the value for every kind (address, link and phone too), so
// the stored location is that value, and bookingFieldsResponses.location follows it (the
// service replaces responses.location with transformLocation of the input). An integration is
// stored as create stores it (the Cal Video URL, or the internal type until an app makes a
// meeting, which the mock does not model). in nil (location omitted) returns the booking
// unchanged.
//
// Callers: the event type's owner or a host (EventTypeAccessService
// userIsEventTypeAdminOrOwner; the mock has no team or org roles, so admins are not modelled).
//
// Returns ENOTFOUND if the booking does not exist, EFORBIDDEN for other callers, EINVALID if
// the kind's value is empty.
func (s *Service) UpdateLocation(ctx context.Context, caller User, uid string, in *LocationInput) (Result, error) {
	var res Result
	err := s.store.Update(ctx, func(tx Tx) error {
		b, ok := tx.Get(uid)
		if !ok {
			return Errorf(ENOTFOUND, fmtLocationBookingNotFound, uid)
		}
		et, _ := s.catalog.EventTypeByID(b.EventTypeID)
		if !isHostOf(caller.ID, b, et) {
			return Errorf(EFORBIDDEN, MsgLocationForbidden)
		}
		if in == nil {
			res = Result{Bookings: []Booking{b.Clone()}}
			return nil
		}
		loc, err := updatedLocation(*in)
		if err != nil {
			return err
		}
		b.Location = loc.forUID(b.UID)
		b.BookingFieldsResponses = cloneMap(b.BookingFieldsResponses)
		if b.BookingFieldsResponses == nil {
			b.BookingFieldsResponses = map[string]any{}
		}
		b.BookingFieldsResponses["location"] = loc.answer.response()
		b.UpdatedAt = s.clock.Now()
		tx.Put(b)
		res = Result{Bookings: []Booking{b.Clone()}}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	return s.seenBy(&caller, res), nil
}

// updatedLocation is the stored location and answer of an update body's location: the value
// the body gives (getNonIntegrationLocationValue), answered as create answers the object form
// (transformLocation). Organizer-defined kinds record no optionValue there either.
func updatedLocation(in LocationInput) (location, error) {
	var out location
	switch in.Type {
	case "integration":
		out = integrationLocation(in.Integration)
	case "address", "attendeeAddress":
		out.value = in.Address
	case "link":
		out.value = in.Link
	case "phone", "attendeePhone":
		out.value = in.Phone
	case "attendeeDefined":
		out.value = in.Location
	}
	if out.value == "" && !out.calVideo && in.Type != "integration" {
		return location{}, Errorf(EINVALID, fmtLocationValueMissing, in.Type)
	}
	out.answer = objectLocationAnswer(&in)
	if out.answer == nil {
		return location{}, Errorf(EINVALID, fmtLocationValueMissing, in.Type)
	}
	return out, nil
}
