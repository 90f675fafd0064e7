package mockserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/calmock/calmock/booking"
)

// Decoding and validating request bodies and queries into domain inputs. Messages and the
// order of checks are the real API's (behaviour notes §4.3, §5).

var createFields = []string{"start", "attendee", "bookingFieldsResponses", "eventTypeId", "eventTypeSlug", "username", "teamSlug", "organizationSlug", "guests", "meetingUrl", "location", "metadata", "lengthInMinutes", "routing", "emailVerificationCode"}

var attendeeFields = []string{"name", "email", "timeZone", "phoneNumber", "language"}

var locationTypes = []string{"address", "attendeeAddress", "attendeeDefined", "attendeePhone", "integration", "link", "phone", "organizersDefaultApp"}

// maxTake is the largest page the list accepts (the real API's @Max(250)).
const maxTake = 250

const msgIdentification = "Either eventTypeId or eventTypeSlug + username or eventTypeSlug + teamSlug must be provided"

// decodeCreate picks the body variant the way the real API does (recurrenceCount present →
// recurring; instant === true → instant; else regular, so "instant": false is an unknown
// property) and validates it strictly. Each part of the body has its own function; they run
// in the real DTO's declaration order, because that order is the order of the messages.
func decodeCreate(body map[string]any) (booking.CreateInput, error) {
	var in booking.CreateInput
	var errs errorsList
	allowed, recurring, instant := createVariant(body)
	in.Instant = instant
	rejectUnknown(&errs, body, allowed...)
	in.Start, _ = checkISODate(&errs, body, "start")
	in.Attendee = decodeAttendee(&errs, body)
	if present(body, "bookingFieldsResponses") {
		in.BookingFieldsResponses, _ = checkObject(&errs, body, "bookingFieldsResponses")
	}
	decodeEventTypeRef(&errs, body, &in)
	in.Guests = decodeGuests(&errs, body)
	in.MeetingURL = decodeMeetingURL(&errs, body)
	in.Location = decodeLocation(&errs, body)
	in.Metadata = decodeMetadata(&errs, body)
	in.LengthInMinutes = decodePositiveInt(&errs, body, "lengthInMinutes")
	decodeRouting(&errs, body)
	if present(body, "emailVerificationCode") {
		checkString(&errs, body, "emailVerificationCode")
	}
	if recurring {
		// The key alone selects this variant, so a null recurrenceCount is checked too.
		if n, ok := checkInt(&errs, body, "recurrenceCount", 1); ok {
			in.RecurrenceCount = &n
		}
	}
	checkIdentification(&errs, body)
	if in.Attendee.Language == "" {
		in.Attendee.Language = "en"
	}
	return in, strictError(errs)
}

// createVariant returns the properties the body's variant allows and which variant it is.
func createVariant(body map[string]any) (allowed []string, recurring, instant bool) {
	_, recurring = body["recurrenceCount"]
	instant = body["instant"] == true
	switch {
	case recurring:
		return append(append([]string{}, createFields...), "recurrenceCount"), true, false
	case instant:
		return append(append([]string{}, createFields...), "instant"), false, true
	}
	return createFields, false, false
}

// decodeAttendee validates the attendee object; its failures nest under "attendee".
func decodeAttendee(errs *errorsList, body map[string]any) booking.AttendeeInput {
	var at booking.AttendeeInput
	a, ok := body["attendee"].(map[string]any)
	if !ok {
		errs.add("attendee", body["attendee"], "nestedValidation", "nested property attendee must be either object or array")
		return at
	}
	var sub errorsList
	rejectUnknown(&sub, a, attendeeFields...)
	at.Name, _ = checkString(&sub, a, "name")
	if present(a, "email") {
		if s, ok := checkString(&sub, a, "email"); ok && s != "" && !validEmail(s) {
			sub.add("email", a["email"], "isEmail", "Invalid email format")
		} else {
			at.Email = s
		}
	}
	if s, ok := a["timeZone"].(string); ok && validTimeZone(s) {
		at.TimeZone = s
	} else {
		sub.add("timeZone", a["timeZone"], "isTimeZone", "timeZone must be a valid IANA time-zone")
	}
	if present(a, "phoneNumber") {
		if s, ok := checkString(&sub, a, "phoneNumber"); ok && s != "" && !validPhone(s) {
			sub.add("phoneNumber", a["phoneNumber"], "isPhoneNumber", "Invalid phone number format. Please use international format.")
		} else {
			at.PhoneNumber = s
		}
	}
	if present(a, "language") {
		s, _ := a["language"].(string)
		if !slices.Contains(languages, s) {
			sub.add("language", a["language"], "isEnum", "language must be one of the following values: "+strings.Join(languages, ", "))
		}
		at.Language = s
	}
	if at.Email == "" && at.PhoneNumber == "" && !hasProperty(sub, "email") && !hasProperty(sub, "phoneNumber") {
		sub.add("attendee email or phone", nil, "atLeastOneContact", "Attendee must have at least one contact method (email or phone number)")
	}
	errs.nest("attendee", a, sub)
	return at
}

// decodeEventTypeRef reads the event type's identification: an id, or slugs.
func decodeEventTypeRef(errs *errorsList, body map[string]any, in *booking.CreateInput) {
	if present(body, "eventTypeId") {
		in.EventTypeID, _ = checkInt(errs, body, "eventTypeId", 1)
	}
	for _, f := range []struct {
		key string
		dst *string
	}{{"eventTypeSlug", &in.EventTypeSlug}, {"username", &in.Username}, {"teamSlug", &in.TeamSlug}, {"organizationSlug", &in.OrganizationSlug}} {
		if present(body, f.key) {
			*f.dst, _ = checkString(errs, body, f.key)
		}
	}
}

// checkIdentification reports a body that names no event type, after every other check.
func checkIdentification(errs *errorsList, body map[string]any) {
	if !present(body, "eventTypeId") && !(present(body, "eventTypeSlug") && (present(body, "username") || present(body, "teamSlug"))) {
		errs.add("eventTypeId or eventTypeSlug + username", nil, "isEventTypeIdentified", msgIdentification)
	}
}

// decodeGuests reads the guest list; the emails themselves are checked later, by the
// booking core (shape B), as in the real API.
func decodeGuests(errs *errorsList, body map[string]any) []string {
	if !present(body, "guests") {
		return nil
	}
	list, ok := body["guests"].([]any)
	if !ok {
		errs.add("guests", body["guests"], "isArray", "guests must be an array")
		return nil
	}
	var guests []string
	for _, g := range list {
		s, ok := g.(string)
		if !ok {
			errs.add("guests", body["guests"], "isString", "each value in guests must be a string")
			break
		}
		guests = append(guests, s)
	}
	return guests
}

func decodeMeetingURL(errs *errorsList, body map[string]any) string {
	if !present(body, "meetingUrl") {
		return ""
	}
	s, ok := body["meetingUrl"].(string)
	if !ok || !validURL(s) {
		errs.add("meetingUrl", body["meetingUrl"], "isUrl", "meetingUrl must be a URL address")
		return ""
	}
	return s
}

// decodeLocation reads the legacy string form or the object form (behaviour §5.1.2); the
// event type decides later which types are allowed.
func decodeLocation(errs *errorsList, body map[string]any) *booking.LocationInput {
	if !present(body, "location") {
		return nil
	}
	switch loc := body["location"].(type) {
	case string:
		return &booking.LocationInput{Raw: loc}
	case map[string]any:
		l := &booking.LocationInput{}
		l.Type, _ = loc["type"].(string)
		if l.Type == "" {
			errs.add("location", loc, "isLocation", "location.type must be one of the following values: "+strings.Join(locationTypes, ", "))
		}
		l.Integration, _ = loc["integration"].(string)
		l.Address, _ = loc["address"].(string)
		l.Phone, _ = loc["phone"].(string)
		l.Location, _ = loc["location"].(string)
		return l
	default:
		errs.add("location", body["location"], "isLocation", "location must be a string or an object with a type")
		return nil
	}
}

func decodeMetadata(errs *errorsList, body map[string]any) map[string]any {
	if !present(body, "metadata") {
		return nil
	}
	m, ok := checkObject(errs, body, "metadata")
	if !ok {
		return nil
	}
	if !validMetadata(m) {
		errs.add("metadata", m, "isMetadata", msgMetadataLimits)
		return nil
	}
	return plainMap(m)
}

// decodePositiveInt reads an optional integer ≥ 1; nil when absent or invalid.
func decodePositiveInt(errs *errorsList, body map[string]any, key string) *int {
	if !present(body, key) {
		return nil
	}
	n, ok := checkInt(errs, body, key, 1)
	if !ok {
		return nil
	}
	return &n
}

// decodeRouting checks the routing hints; the mock validates them but does not use them.
func decodeRouting(errs *errorsList, body map[string]any) {
	if !present(body, "routing") {
		return
	}
	r, ok := checkObject(errs, body, "routing")
	if !ok {
		return
	}
	var sub errorsList
	if _, ok := asInt(r["responseId"]); !ok {
		sub.add("responseId", r["responseId"], "isInt", "responseId must be an integer number")
	}
	if ids, ok := r["teamMemberIds"].([]any); !ok || !allInts(ids) {
		sub.add("teamMemberIds", r["teamMemberIds"], "isInt", "each value in teamMemberIds must be an integer number")
	}
	errs.nest("routing", r, sub)
}

func hasProperty(errs errorsList, property string) bool {
	for _, e := range errs {
		if e.property == property {
			return true
		}
	}
	return false
}

func allInts(list []any) bool {
	for _, v := range list {
		if _, ok := asInt(v); !ok {
			return false
		}
	}
	return true
}

// plainMap turns json.Number values back into float64/int64 so stored metadata and responses
// marshal as plain JSON numbers.
func plainMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = plainValue(v)
	}
	return out
}

func plainValue(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	case map[string]any:
		return plainMap(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = plainValue(e)
		}
		return out
	default:
		return v
	}
}

// decodeReschedule validates a reschedule body; the key seatUid selects the seated variant,
// which does not allow reschedulingReason (a real QUIRK).
func decodeReschedule(body map[string]any) (booking.RescheduleInput, error) {
	var in booking.RescheduleInput
	var errs errorsList
	_, seated := body["seatUid"]
	if seated {
		rejectUnknown(&errs, body, "start", "rescheduledBy", "seatUid", "emailVerificationCode")
	} else {
		rejectUnknown(&errs, body, "start", "rescheduledBy", "reschedulingReason", "emailVerificationCode")
	}
	in.Start, _ = checkISODate(&errs, body, "start")
	if present(body, "rescheduledBy") {
		if s, ok := body["rescheduledBy"].(string); ok && validEmail(s) {
			in.RescheduledBy = s
		} else {
			errs.add("rescheduledBy", body["rescheduledBy"], "isEmail", "Invalid rescheduledBy email format")
		}
	}
	if seated {
		in.SeatUID, _ = checkString(&errs, body, "seatUid")
	} else if present(body, "reschedulingReason") {
		in.Reason, _ = checkString(&errs, body, "reschedulingReason")
	}
	if present(body, "emailVerificationCode") {
		checkString(&errs, body, "emailVerificationCode")
	}
	return in, strictError(errs)
}

// decodeCancel validates a cancel body (absent body = {} = plain cancel). The seated variant
// (key seatUid) also takes cancellationReason, as upstream allows since late 2025.
func decodeCancel(body map[string]any) (booking.CancelInput, error) {
	var in booking.CancelInput
	var errs errorsList
	_, seated := body["seatUid"]
	if seated {
		rejectUnknown(&errs, body, "seatUid", "cancellationReason")
		in.SeatUID, _ = checkString(&errs, body, "seatUid")
	} else {
		rejectUnknown(&errs, body, "cancellationReason", "cancelSubsequentBookings")
		if present(body, "cancelSubsequentBookings") {
			in.CancelSubsequent, _ = checkBool(&errs, body, "cancelSubsequentBookings")
		}
	}
	if present(body, "cancellationReason") {
		in.Reason, _ = checkString(&errs, body, "cancellationReason")
	}
	return in, strictError(errs)
}

// decodeMarkAbsent validates a mark-absent body leniently (unknown keys are dropped).
func decodeMarkAbsent(body map[string]any) (booking.MarkAbsentInput, error) {
	var in booking.MarkAbsentInput
	var errs errorsList
	if present(body, "host") {
		if b, ok := checkBool(&errs, body, "host"); ok {
			in.Host = &b
		}
	}
	if present(body, "attendees") {
		list, ok := body["attendees"].([]any)
		switch {
		case !ok:
			errs.add("attendees", body["attendees"], "isArray", "attendees must be an array")
		case len(list) == 0:
			errs.add("attendees", list, "arrayMinSize", "attendees must contain at least 1 elements")
		default:
			var items errorsList
			for i, item := range list {
				obj, ok := item.(map[string]any)
				if !ok {
					items.add(strconv.Itoa(i), item, "nestedValidation", "nested property "+strconv.Itoa(i)+" must be either object or array")
					continue
				}
				var sub errorsList
				email, _ := obj["email"].(string)
				if !validEmail(email) {
					sub.add("email", obj["email"], "isEmail", "email must be an email")
				}
				absent, ok := obj["absent"].(bool)
				if !ok {
					sub.add("absent", obj["absent"], "isBoolean", "absent must be a boolean value")
				}
				items.nest(strconv.Itoa(i), obj, sub)
				in.Attendees = append(in.Attendees, booking.AbsentAttendee{Email: email, Absent: absent})
			}
			errs.nest("attendees", list, items)
		}
	}
	return in, lenientError(plainMap(body), errs)
}

// decodeReason validates the optional {reason} body of decline and reassign-to-user
// (lenient: other keys are dropped).
func decodeReason(body map[string]any) (string, error) {
	var errs errorsList
	var reason string
	if present(body, "reason") {
		reason, _ = checkString(&errs, body, "reason")
	}
	return reason, lenientError(plainMap(body), errs)
}

// Messages of the list query's checks.
const (
	msgInvalidStatus = "Invalid status. Allowed are upcoming, recurring, past, cancelled, unconfirmed"
	msgEmptyStatus   = "status cannot be empty."
)

var listStatuses = []string{"upcoming", "recurring", "past", "cancelled", "unconfirmed"}

// decodeListQuery validates GET /v2/bookings's query leniently: unknown parameters are ignored.
// q is the query as Express 4's qs parses it (parseQuery): a parameter may be a string, an
// array or an object, and each check below says what the real DTO
// (GetBookingsInput_2024_08_13) does with the shapes it does not expect.
func decodeListQuery(q map[string]any) (booking.Filter, error) {
	f := booking.Filter{Take: 100}
	var errs errorsList
	if v, ok := q["status"]; ok {
		f.Statuses = decodeStatuses(&errs, v)
	}
	// IsString on these three: an array or an object fails with class-validator's default
	// message (the mock checked nothing here before, as a plain query value is a string).
	str := func(key string) string {
		v, ok := q[key]
		if !ok {
			return ""
		}
		s, ok := v.(string)
		if !ok {
			errs.add(key, v, "isString", key+" must be a string")
		}
		return strings.TrimSpace(s)
	}
	f.AttendeeEmail = strings.ReplaceAll(str("attendeeEmail"), " ", "+")
	f.AttendeeName = str("attendeeName")
	f.BookingUID = str("bookingUid")
	ints := func(key string) []int {
		v, ok := q[key]
		if !ok {
			return nil
		}
		return decodeIDList(&errs, key, v)
	}
	if f.EventTypeIDs = ints("eventTypeIds"); f.EventTypeIDs == nil {
		f.EventTypeIDs = ints("eventTypeId")
	}
	if f.TeamIDs = ints("teamsIds"); f.TeamIDs == nil {
		f.TeamIDs = ints("teamId")
	}
	// scalar reads a parameter that must be one string. An array or an object (`take[]=5`,
	// `sortStart[a]=asc`) reads as "", which fails each check below with the parameter's own
	// message, as the real checks (IsISO8601, IsEnum) fail on a non-string. take and skip
	// differ upstream: their transform is parseInt(value), and parseInt(["5"]) is 5; the
	// mock rejects such a take with its usual message rather than copying JavaScript's
	// array-to-string conversion.
	scalar := func(key string) (s string, present bool) {
		v, present := q[key]
		s, _ = v.(string)
		return s, present
	}
	date := func(key, message string) *time.Time {
		s, present := scalar(key)
		if !present {
			return nil
		}
		t, ok := parseISO8601(s)
		if !ok {
			errs.add(key, q[key], "isIso8601", message)
			return nil
		}
		return &t
	}
	f.AfterStart = date("afterStart", "fromDate must be a valid ISO 8601 date.")
	f.BeforeEnd = date("beforeEnd", "toDate must be a valid ISO 8601 date.")
	f.AfterCreatedAt = date("afterCreatedAt", "afterCreatedAt must be a valid ISO 8601 date.")
	f.BeforeCreatedAt = date("beforeCreatedAt", "beforeCreatedAt must be a valid ISO 8601 date.")
	f.AfterUpdatedAt = date("afterUpdatedAt", "afterUpdatedAt must be a valid ISO 8601 date.")
	f.BeforeUpdatedAt = date("beforeUpdatedAt", "beforeUpdatedAt must be a valid ISO 8601 date.")
	for _, s := range []struct {
		key, label string
		field      booking.SortField
	}{{"sortStart", "SortStart", booking.SortStart}, {"sortEnd", "SortEnd", booking.SortEnd}, {"sortCreated", "SortCreated", booking.SortCreated}, {"sortUpdatedAt", "SortCreated", booking.SortUpdated}} {
		v, present := scalar(s.key)
		if !present {
			continue
		}
		if v != "asc" && v != "desc" {
			errs.add(s.key, q[s.key], "isIn", s.label+` must be either "asc" or "desc".`)
			continue
		}
		if f.SortBy == "" {
			f.SortBy, f.SortDesc = s.field, v == "desc"
		}
	}
	if take, present := scalar("take"); present {
		n, err := strconv.Atoi(take)
		if errors.Is(err, strconv.ErrRange) {
			// An integer too large for Go is still an integer to the real API's number
			// conversion: it fails the maximum, not the type.
			n, err = math.MaxInt, nil
		}
		switch {
		case err != nil:
			errs.add("take", q["take"], "isInt", "take must be an integer number")
		case n < 1:
			errs.add("take", n, "min", "take must not be less than 1")
		case n > maxTake:
			errs.add("take", n, "max", fmt.Sprintf("take must not be greater than %d", maxTake))
		default:
			f.Take = n
		}
	}
	if skip, present := scalar("skip"); present {
		n, err := strconv.Atoi(skip)
		if errors.Is(err, strconv.ErrRange) {
			n, err = math.MaxInt, nil // past any end: an empty page
			if strings.HasPrefix(skip, "-") {
				n = -1
			}
		}
		switch {
		case err != nil:
			errs.add("skip", q["skip"], "isInt", "skip must be an integer number")
		case n < 0:
			errs.add("skip", n, "min", "skip must not be less than 0")
		default:
			f.Skip = n
		}
	}
	return f, lenientError(q, errs)
}

// listParts reads a list parameter as GetBookingsInput_2024_08_13's @Transform does: a
// string is comma-split, an array is taken as it is (upstream splits only a string, so
// `status[]=a,b` is the one value "a,b" and fails the enum, as here). ok is false for an
// object, or an array holding anything but strings (`status[0][a]=x`).
func listParts(v any) (parts []string, ok bool) {
	switch t := v.(type) {
	case string:
		return strings.Split(t, ","), true
	case []any:
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			parts = append(parts, s)
		}
		return parts, true
	}
	return nil, false
}

// decodeStatuses reads status. An object (`status[a]=x`) is left as it is by the real
// transform and then fails both ArrayNotEmpty (not an array) and IsEnum with each: true
// (class-validator checks a non-array value itself, and an object is no enum value).
func decodeStatuses(errs *errorsList, v any) []booking.ListStatus {
	parts, ok := listParts(v)
	if !ok {
		if _, isObject := v.(map[string]any); isObject {
			errs.add("status", v, "arrayNotEmpty", msgEmptyStatus)
		}
		errs.add("status", v, "isStatus", msgInvalidStatus)
		return nil
	}
	var statuses []booking.ListStatus
	for _, p := range parts {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !slices.Contains(listStatuses, p) {
			errs.add("status", v, "isStatus", msgInvalidStatus)
			return nil
		}
		statuses = append(statuses, booking.ListStatus(p))
	}
	if len(statuses) == 0 {
		errs.add("status", v, "arrayNotEmpty", msgEmptyStatus)
	}
	return statuses
}

// decodeIDList reads eventTypeIds, teamsIds and their one-id forms. An object is left as it
// is by the real transform and fails IsArray (class-validator's default message) before the
// per-value check the mock already reported.
func decodeIDList(errs *errorsList, key string, v any) []int {
	parts, ok := listParts(v)
	if !ok {
		if _, isObject := v.(map[string]any); isObject {
			errs.add(key, v, "isArray", key+" must be an array")
		}
		errs.add(key, v, "isNumberString", "each value in "+key+" must be a number string")
		return nil
	}
	var out []int
	for _, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			errs.add(key, v, "isNumberString", "each value in "+key+" must be a number string")
			return nil
		}
		out = append(out, n)
	}
	return out
}

var referenceTypes = []string{"google_calendar", "office365_calendar", "daily_video", "google_video", "office365_video", "zoom_video"}

// decodeReferencesQuery reads the optional type; an array or an object (`type[]=zoom_video`)
// fails IsEnum like any value outside the list.
func decodeReferencesQuery(q map[string]any) (string, error) {
	v, ok := q["type"]
	if !ok {
		return "", nil
	}
	t, isString := v.(string)
	if !isString || !slices.Contains(referenceTypes, t) {
		var errs errorsList
		errs.add("type", v, "isEnum", "type must be one of the following values: "+strings.Join(referenceTypes, ", "))
		return "", lenientError(map[string]any{"type": v}, errs)
	}
	return t, nil
}

// parseUserID reads {userId}. The real API answers a non-numeric id with a 500 from its
// database layer; the mock answers 400, as bad input must never yield a 5xx.
func parseUserID(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, newAPIError(http.StatusBadRequest, "userId must be a positive integer number")
	}
	return n, nil
}
