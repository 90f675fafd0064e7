package mockserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
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
	in, errs := decodeCreateBody(body)
	return in, strictError(errs)
}

// decodeCreateBody is decodeCreate with its failures returned, for the decoders of newer
// versions' create bodies, which add properties to these (decodeCreate20260225).
func decodeCreateBody(body map[string]any) (booking.CreateInput, errorsList) {
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
		// The key alone selects this variant; then IsOptional lets a null count through, as
		// it does every null optional property (Python's None, Go's nil pointers).
		in.RecurrenceCount = decodePositiveInt(&errs, body, "recurrenceCount")
	}
	checkIdentification(&errs, body)
	if in.Attendee.Language == "" {
		in.Attendee.Language = "en"
	}
	return in, errs
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
		errs.notNested("attendee", body["attendee"])
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
		// IsInt without Min: 0 passes here and fails the identification check.
		in.EventTypeID, _ = checkInt(errs, body, "eventTypeId", noMin)
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
// Upstream's RequireEventTypeIdentification tests the values' JavaScript truthiness
// (!!obj.eventTypeId), so 0 and "" name nothing.
func checkIdentification(errs *errorsList, body map[string]any) {
	if !truthy(body["eventTypeId"]) && !(truthy(body["eventTypeSlug"]) && (truthy(body["username"]) || truthy(body["teamSlug"]))) {
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
		l.Link, _ = loc["link"].(string)
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

// truthy is JavaScript's Boolean(v) for a decoded JSON value.
func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case string:
		return t != ""
	case json.Number:
		f, err := t.Float64()
		return err != nil || f != 0
	}
	return true
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
			items := eachObject(list, func(obj map[string]any, sub *errorsList) {
				email, _ := obj["email"].(string)
				if !validEmail(email) {
					sub.add("email", obj["email"], "isEmail", "email must be an email")
				}
				absent, ok := obj["absent"].(bool)
				if !ok {
					sub.add("absent", obj["absent"], "isBoolean", "absent must be a boolean value")
				}
				in.Attendees = append(in.Attendees, booking.AbsentAttendee{Email: email, Absent: absent})
			})
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
// (GetBookingsInput_2024_08_13, calcom/cal.com packages/platform/types/bookings/2024-08-13/
// inputs/get-bookings.input.ts, run through the global ValidationPipe with transform: true
// and no implicit conversion, apps/api/v2/src/app.ts) does with each shape. Every property is
// checked on its own, in the DTO's order.
func decodeListQuery(q map[string]any) (booking.Filter, error) {
	f := booking.Filter{Take: 100}
	var errs errorsList
	if v, ok := q["status"]; ok {
		f.Statuses = decodeStatuses(&errs, v)
	}
	decodeListFilters(q, &f, &errs)
	// take and skip: @Transform(value && parseInt(value)), then IsNumber, Min (and Max for
	// take). parseInt reads the leading integer of the value's string form, so `take=10.0`,
	// `take=10abc` and `take[]=10` are all 10, as upstream; a value with no leading integer
	// is NaN and fails every check, and an empty one ("" is falsy, so not parsed) too.
	if n, ok := decodeParsedInt(q, &errs, "take", 1, maxTake); ok {
		f.Take = n
	}
	if v, present := q["skip"]; present {
		n, ok := jsParseInt(jsString(v))
		switch {
		case !ok:
			errs.add("skip", v, "isNumber", "skip must be a number conforming to the specified constraints")
			errs.add("skip", v, "min", "skip must not be less than 0")
		case n < 0:
			errs.add("skip", n, "min", "skip must not be less than 0")
		case n > math.MaxInt32:
			f.Skip = math.MaxInt32 // past any end: an empty page
		default:
			f.Skip = int(n)
		}
	}
	return f, lenientError(q, errs)
}

// decodeParsedInt reads a page size as take's checks do (@Transform parseInt, IsNumber, Min,
// Max): present reports a valid value; a present invalid one adds its errors.
func decodeParsedInt(q map[string]any, errs *errorsList, key string, lo, hi int) (int, bool) {
	v, present := q[key]
	if !present {
		return 0, false
	}
	n, ok := jsParseInt(jsString(v))
	switch {
	case !ok:
		errs.add(key, v, "isNumber", key+" must be a number conforming to the specified constraints")
		errs.add(key, v, "min", fmt.Sprintf("%s must not be less than %d", key, lo))
		errs.add(key, v, "max", fmt.Sprintf("%s must not be greater than %d", key, hi))
	case n < float64(lo):
		errs.add(key, n, "min", fmt.Sprintf("%s must not be less than %d", key, lo))
	case n > float64(hi):
		errs.add(key, n, "max", fmt.Sprintf("%s must not be greater than %d", key, hi))
	default:
		return int(n), true
	}
	return 0, false
}

// decodeListFilters reads the list's filters and sort parameters, which every version of the
// list shares, into f, adding their errors to errs in the DTO's order.
func decodeListFilters(q map[string]any, f *booking.Filter, errs *errorsList) {
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
	// attendeeEmail's transform: trim, then each run of whitespace becomes one "+" (a "+" a
	// client did not escape arrives as a space).
	f.AttendeeEmail = jsSpaces.ReplaceAllString(strings.TrimFunc(str("attendeeEmail"), isJSSpace), "+")
	f.AttendeeName = str("attendeeName")
	f.BookingUID = str("bookingUid")
	ids := func(key, minSizeMessage string) []int {
		v, ok := q[key]
		if !ok {
			return nil
		}
		return decodeIDList(errs, key, minSizeMessage, v)
	}
	id := func(key string) []int {
		v, ok := q[key]
		if !ok {
			return nil
		}
		return decodeOneID(errs, key, v)
	}
	// eventTypeId and teamId are checked even when the list form is given, which wins.
	eventTypeIDs, eventTypeID := ids("eventTypeIds", "eventTypeIds must contain at least 1 event type id"), id("eventTypeId")
	teamIDs, teamID := ids("teamsIds", "teamIds must contain at least 1 team id"), id("teamId")
	if f.EventTypeIDs = eventTypeIDs; f.EventTypeIDs == nil {
		f.EventTypeIDs = eventTypeID
	}
	if f.TeamIDs = teamIDs; f.TeamIDs == nil {
		f.TeamIDs = teamID
	}
	// scalar reads a parameter that must be one string. An array or an object (`sortStart[]=asc`,
	// `afterStart[a]=x`) reads as "", which fails each check below with the parameter's own
	// message, as the real checks (IsISO8601, IsEnum) fail on a non-string.
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
	// The created/updated bounds reuse the fromDate/toDate messages upstream.
	f.AfterStart = date("afterStart", "fromDate must be a valid ISO 8601 date.")
	f.BeforeEnd = date("beforeEnd", "toDate must be a valid ISO 8601 date.")
	f.AfterCreatedAt = date("afterCreatedAt", "fromDate must be a valid ISO 8601 date.")
	f.BeforeCreatedAt = date("beforeCreatedAt", "toDate must be a valid ISO 8601 date.")
	f.AfterUpdatedAt = date("afterUpdatedAt", "fromDate must be a valid ISO 8601 date.")
	f.BeforeUpdatedAt = date("beforeUpdatedAt", "toDate must be a valid ISO 8601 date.")
	for _, s := range []struct {
		key, label string
		field      booking.SortField
	}{{"sortStart", "SortStart", booking.SortStart}, {"sortEnd", "SortEnd", booking.SortEnd}, {"sortCreated", "SortCreated", booking.SortCreated}, {"sortUpdatedAt", "SortCreated", booking.SortUpdated}} {
		v, present := scalar(s.key)
		if !present {
			continue
		}
		if v != "asc" && v != "desc" {
			errs.add(s.key, q[s.key], "isEnum", s.label+` must be either "asc" or "desc".`)
			continue
		}
		if f.SortBy == "" {
			f.SortBy, f.SortDesc = s.field, v == "desc"
		}
	}
}

// decodeStatuses reads status as its @Transform and checks do: a string is comma-split and
// each part trimmed; an array is taken as it is, untrimmed and unsplit (so `status[]=a,b` and
// `status[]=%20past` are refused, as upstream). Every item must be one of the statuses
// (IsEnum each), so an empty part (`status=`, `status=past,`) is refused too. An object
// (`status[a]=x`) is left as it is and fails both ArrayNotEmpty (not an array) and IsEnum
// (class-validator checks a non-array value itself for each: true). The statuses and the
// sort orders are @IsEnum, so their constraint is named isEnum.
func decodeStatuses(errs *errorsList, v any) []booking.ListStatus {
	var parts []string
	switch t := v.(type) {
	case string:
		for _, p := range strings.Split(t, ",") {
			parts = append(parts, strings.TrimFunc(p, isJSSpace))
		}
	case []any:
		for _, e := range t {
			s, _ := e.(string) // an object item (`status[0][a]=x`) is no status either
			parts = append(parts, s)
		}
	default:
		errs.add("status", v, "arrayNotEmpty", msgEmptyStatus)
		parts = []string{""}
	}
	statuses := make([]booking.ListStatus, 0, len(parts))
	for _, p := range parts {
		if !slices.Contains(listStatuses, p) {
			errs.add("status", v, "isEnum", msgInvalidStatus)
			return nil
		}
		statuses = append(statuses, booking.ListStatus(p))
	}
	return statuses
}

// decodeIDList reads eventTypeIds and teamsIds as their @Transform and checks do: a string is
// comma-split and each part read with parseInt (`7abc` is 7, `1.5` is 1, ` 7` is 7, an empty
// part is NaN); an array's items are read with unary plus, that is Number() (` 7` is 7, an
// empty item is 0, `1.5` is 1.5, `7abc` is NaN); then IsNumber each refuses NaN and
// ±Infinity. An object is left as it is and fails IsNumber, IsArray and ArrayMinSize. A
// number that is not an integer passes upstream and then matches no event type or team; the
// mock reads it as id 0, which matches none either.
func decodeIDList(errs *errorsList, key, minSizeMessage string, v any) []int {
	var nums []float64
	valid := true
	switch t := v.(type) {
	case string:
		for _, p := range strings.Split(t, ",") {
			n, ok := jsParseInt(p)
			valid = valid && ok
			nums = append(nums, n)
		}
	case []any:
		for _, e := range t {
			n, ok := jsNumber(jsString(e))
			valid = valid && ok
			nums = append(nums, n)
		}
	default:
		errs.add(key, v, "isNumber", "each value in "+key+" must be a number conforming to the specified constraints")
		errs.add(key, v, "isArray", key+" must be an array")
		errs.add(key, v, "arrayMinSize", minSizeMessage)
		return nil
	}
	if !valid {
		errs.add(key, v, "isNumber", "each value in "+key+" must be a number conforming to the specified constraints")
		return nil
	}
	out := make([]int, len(nums))
	for i, n := range nums {
		out[i] = idOf(n)
	}
	return out
}

// decodeOneID reads eventTypeId and teamId: @Type(() => Number) converts a string with
// Number() (so `7,9` is NaN) and an array item by item, then IsInt needs one integer.
func decodeOneID(errs *errorsList, key string, v any) []int {
	if s, ok := v.(string); ok {
		if n, ok := jsNumber(s); ok && n == math.Trunc(n) {
			return []int{idOf(n)}
		}
	}
	errs.add(key, v, "isInt", key+" must be an integer number")
	return nil
}

// idOf turns a finite JavaScript number into an id: one that is not an int32 integer can
// match no row (the ids are Postgres integers), so it becomes 0, which matches none either.
func idOf(n float64) int {
	if n != math.Trunc(n) || n > math.MaxInt32 || n < math.MinInt32 {
		return 0
	}
	return int(n)
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

// JavaScript's conversions, as far as the real DTOs' transforms use them on query values.

// jsSpaces matches a run of what JavaScript's \s and String.prototype.trim call whitespace.
var jsSpaces = regexp.MustCompile("[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")

func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', '\u00a0', '\u1680', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff':
		return true
	}
	return r >= '\u2000' && r <= '\u200a'
}

// jsString is String(v) for the values qs makes: an array joins its items with ",", an
// object is "[object Object]".
func jsString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = jsString(e)
		}
		return strings.Join(parts, ",")
	}
	return "[object Object]"
}

var jsDecimal = regexp.MustCompile(`^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)

// jsNumber is Number(s): trimmed; "" is 0; 0x, 0o and 0b prefixes (unsigned); decimals with
// an exponent. ok is false for NaN and ±Infinity, which no check the mock copies accepts.
func jsNumber(s string) (n float64, ok bool) {
	s = strings.TrimFunc(s, isJSSpace)
	if s == "" {
		return 0, true
	}
	if len(s) > 2 && s[0] == '0' {
		base := map[byte]int{'x': 16, 'X': 16, 'o': 8, 'O': 8, 'b': 2, 'B': 2}[s[1]]
		if base != 0 {
			u, err := strconv.ParseUint(s[2:], base, 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return 0, false
			}
			if err != nil {
				return math.MaxUint64, true
			}
			return float64(u), true
		}
	}
	if !jsDecimal.MatchString(s) {
		return 0, false
	}
	n, err := strconv.ParseFloat(s, 64)
	return n, err == nil
}

// jsParseInt is parseInt(s) without a radix: leading whitespace, a sign, then the longest run
// of decimal digits (hex after 0x); the rest is ignored. ok is false when there is no digit
// (NaN).
func jsParseInt(s string) (n float64, ok bool) {
	s = strings.TrimLeftFunc(s, isJSSpace)
	sign := 1.0
	if s != "" && (s[0] == '+' || s[0] == '-') {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
	}
	base, digits := 10.0, "0123456789"
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		base, digits, s = 16, "0123456789abcdef", s[2:]
	}
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'F' {
			c += 'a' - 'A'
		}
		d := strings.IndexByte(digits, c)
		if d < 0 {
			break
		}
		n = n*base + float64(d)
	}
	return sign * n, i > 0
}
