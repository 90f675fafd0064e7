package mockserver

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/calmock/calmock/booking"
)

// The query strings real clients write for the list endpoint's parameters. Each client is
// modelled by its own serialiser below, so a row names who sends the form:
//   - axios's default paramsSerializer (and the SDKs generated on axios, e.g. orval):
//     `key[]=a&key[]=b`, brackets left unescaped, space as "+", comma and colon unescaped
//     (axios lib/helpers/buildURL.js encode);
//   - qs.stringify's default (superagent, ky users, some generated SDKs): indexes with the
//     brackets escaped, `key%5B0%5D=a`, space as %20;
//   - fetch's URLSearchParams.append, Python requests (params={"k": [...]}), Go's
//     url.Values.Encode, and OpenAPI's form/explode that Cal.com's published spec asks for
//     (the Sideko-generated calcom_ts SDK sends status so): the key repeated, space as "+",
//     comma escaped;
//   - URLSearchParams({k: array}) and OpenAPI form/explode=false (also how the generated
//     SDKs send eventTypeIds and teamsIds, which the spec types as a string): one value,
//     comma-joined and escaped;
//   - curl with the query typed by hand: literal commas, a space typed as %20.
//
// What the real API makes of them: Express 4's qs parser (parseQuery) builds strings and
// arrays, then GetBookingsInput_2024_08_13's transforms and checks (decodeListQuery) read
// them; the expected values below follow those sources, cited in requests.go.

// clientSerialiser writes one parameter's values as a client does.
type clientSerialiser struct {
	client string
	encode func(key string, values []string) string
}

var listSerialisers = []clientSerialiser{
	{"axios default", func(key string, values []string) string {
		parts := make([]string, len(values))
		for i, v := range values {
			parts[i] = key + "[]=" + axiosEncode(v)
		}
		return strings.Join(parts, "&")
	}},
	{"qs.stringify indices", func(key string, values []string) string {
		parts := make([]string, len(values))
		for i, v := range values {
			parts[i] = encodeURIComponent(fmt.Sprintf("%s[%d]", key, i)) + "=" + encodeURIComponent(v)
		}
		return strings.Join(parts, "&")
	}},
	{"repeated (URLSearchParams.append, requests, url.Values, OpenAPI form explode)", func(key string, values []string) string {
		return url.Values{key: values}.Encode()
	}},
	{"comma-joined, escaped (URLSearchParams({k: array}), OpenAPI explode=false)", func(key string, values []string) string {
		return url.Values{key: {strings.Join(values, ",")}}.Encode()
	}},
	{"curl typed: commas, %20", func(key string, values []string) string {
		return key + "=" + strings.ReplaceAll(strings.Join(values, ","), " ", "%20")
	}},
	{"curl typed: comma and space after it", func(key string, values []string) string {
		return key + "=" + strings.Join(values, ",%20")
	}},
}

// axiosEncode is axios's encode for a query value: encodeURIComponent, then a few characters
// put back.
func axiosEncode(s string) string {
	return strings.NewReplacer("%3A", ":", "%24", "$", "%2C", ",", "%20", "+", "%5B", "[", "%5D", "]").Replace(encodeURIComponent(s))
}

// encodeURIComponent is JavaScript's: everything but A-Z a-z 0-9 - _ . ! ~ * ' ( ) escaped.
func encodeURIComponent(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// Every client's form of every list parameter, with one value and with two, reads as the
// same filter as the documented comma form (`status=unconfirmed,cancelled`).
func TestClientFormsListParameters(t *testing.T) {
	params := []struct {
		key    string
		values []string
	}{
		{"status", []string{"unconfirmed", "cancelled"}},
		{"eventTypeIds", []string{"7", "9"}},
		{"teamsIds", []string{"3", "4"}},
	}
	for _, p := range params {
		for _, values := range [][]string{p.values[:1], p.values} {
			want, err := decodeListQuery(parseQuery(p.key + "=" + strings.Join(values, ",")))
			if err != nil {
				t.Fatalf("%s: the documented form is refused: %v", p.key, err)
			}
			for _, s := range listSerialisers {
				raw := s.encode(p.key, values)
				got, err := decodeListQuery(parseQuery(raw))
				if err != nil {
					t.Errorf("%s (%s): refused: %v", raw, s.client, err)
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s (%s): filter %+v, want %+v", raw, s.client, got, want)
				}
			}
		}
	}
}

// The one-value parameters, as each client writes them, read as the same value.
func TestClientFormsScalarParameters(t *testing.T) {
	eventTypeIDs := func(f booking.Filter) any { return f.EventTypeIDs }
	teamIDs := func(f booking.Filter) any { return f.TeamIDs }
	for _, tc := range []struct {
		key  string
		got  func(booking.Filter) any
		want any
		// forms maps a client to its raw value (after "key=").
		forms map[string]string
	}{
		{"attendeeEmail", func(f booking.Filter) any { return f.AttendeeEmail }, "ada+test@example.com", map[string]string{
			"URLSearchParams, requests, url.Values": url.QueryEscape("ada+test@example.com"),
			"axios":                                 axiosEncode("ada+test@example.com"),
			// "+" unescaped is a space to qs; the DTO's transform turns it back into "+".
			"curl typed":             "ada+test@example.com",
			"curl typed, %20":        "ada%20test@example.com",
			"trailing space trimmed": "ada%2Btest@example.com%20",
		}},
		{"attendeeName", func(f booking.Filter) any { return f.AttendeeName }, "Ada Lovelace", map[string]string{
			"URLSearchParams, requests, url.Values": url.QueryEscape("Ada Lovelace"),
			"axios":                                 axiosEncode("Ada Lovelace"),
			"qs.stringify, curl typed":              "Ada%20Lovelace",
		}},
		{"eventTypeId", eventTypeIDs, []int{7}, map[string]string{
			"every client":           "7",
			"Python float 7.0":       "7.0",
			"JavaScript exponent":    "7e0",
			"surrounding space, %20": "%207%20",
		}},
		{"teamId", teamIDs, []int{3}, map[string]string{
			"every client":     "3",
			"Python float 3.0": "3.0",
		}},
		// parseInt reads the leading integer (the DTO's string transform).
		{"eventTypeIds", eventTypeIDs, []int{7, 9}, map[string]string{
			"Python floats joined": "7.0,9.0",
			"spaces after commas":  "7,+9",
		}},
		{"take", func(f booking.Filter) any { return f.Take }, 10, map[string]string{
			"every client":      "10",
			"Python float 10.0": "10.0",
			"axios array":       "10", // take[]=10 below
		}},
		{"skip", func(f booking.Filter) any { return f.Skip }, 20, map[string]string{
			"every client":      "20",
			"Python float 20.0": "20.0",
		}},
		{"afterStart", func(f booking.Filter) any { return f.AfterStart.Format("2006-01-02T15:04:05Z07:00") }, "2030-01-01T10:00:00Z", map[string]string{
			"URLSearchParams, requests, url.Values": url.QueryEscape("2030-01-01T10:00:00.000Z"),
			"axios, curl typed":                     "2030-01-01T10:00:00.000Z",
			"Python isoformat, escaped":             url.QueryEscape("2030-01-01T10:00:00+00:00"),
			"Go RFC 3339 with offset, escaped":      url.QueryEscape("2030-01-01T11:00:00+01:00"),
			// validator.js takes a space for the T: Python's str(datetime).
			"Python str(datetime), escaped": url.QueryEscape("2030-01-01 10:00:00+00:00"),
			"Python str(datetime), naive":   url.QueryEscape("2030-01-01 10:00:00"),
		}},
		{"sortStart", func(f booking.Filter) any { return fmt.Sprint(f.SortBy, f.SortDesc) }, fmt.Sprint(booking.SortStart, true), map[string]string{
			"every client": "desc",
		}},
	} {
		for client, value := range tc.forms {
			raw := tc.key + "=" + value
			if client == "axios array" {
				raw = tc.key + "[]=" + value
			}
			f, err := decodeListQuery(parseQuery(raw))
			if err != nil {
				t.Errorf("%s (%s): refused: %v", raw, client, err)
				continue
			}
			if got := tc.got(f); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s (%s): %s = %#v, want %#v", raw, client, tc.key, got, tc.want)
			}
		}
	}
}

// numberMessage is class-validator's IsNumber message, as the real DTO reports it.
func numberMessage(key string, each bool) string {
	if each {
		return "each value in " + key + " must be a number conforming to the specified constraints"
	}
	return key + " must be a number conforming to the specified constraints"
}

// The forms the real API refuses, as a client may send them, get its 400: the global
// ValidationPipe's envelope with the failing property and exactly its constraints.
func TestClientFormsRefused(t *testing.T) {
	f := MustServer(t, Config{})
	invalidStatus := map[string]any{"isEnum": msgInvalidStatus}
	for _, tc := range []struct {
		client, query, property string
		constraints             map[string]any
	}{
		// status: only a string is comma-split and trimmed; every item must be a status.
		{"axios given a comma-joined string", "status[]=unconfirmed,cancelled", "status", invalidStatus},
		{"axios given a padded value", "status[]=+cancelled", "status", invalidStatus},
		{"requests with an empty string", "status=", "status", invalidStatus},
		{"curl, trailing comma", "status=upcoming,", "status", invalidStatus},
		{"a status the API does not know", "status=accepted", "status", invalidStatus},
		{"qs object (index above 20)", "status[21]=past", "status", map[string]any{"arrayNotEmpty": msgEmptyStatus, "isEnum": msgInvalidStatus}},
		// ids: parseInt per comma part, Number per array item; NaN is no number.
		{"curl, doubled comma", "eventTypeIds=7,,9", "eventTypeIds", map[string]any{"isNumber": numberMessage("eventTypeIds", true)}},
		{"axios given a comma-joined string", "eventTypeIds[]=7,9", "eventTypeIds", map[string]any{"isNumber": numberMessage("eventTypeIds", true)}},
		{"a slug for an id", "teamsIds[]=my-team", "teamsIds", map[string]any{"isNumber": numberMessage("teamsIds", true)}},
		{"repeated, one not a number", "teamsIds=3&teamsIds=x", "teamsIds", map[string]any{"isNumber": numberMessage("teamsIds", true)}},
		{"qs object", "teamsIds[a]=3", "teamsIds", map[string]any{"isNumber": numberMessage("teamsIds", true), "isArray": "teamsIds must be an array", "arrayMinSize": "teamIds must contain at least 1 team id"}},
		// eventTypeId and teamId: Number() of the whole value, then IsInt.
		{"a list in the one-id parameter", "eventTypeId=7,9", "eventTypeId", map[string]any{"isInt": "eventTypeId must be an integer number"}},
		{"axios given an array", "eventTypeId[]=7", "eventTypeId", map[string]any{"isInt": "eventTypeId must be an integer number"}},
		{"a fraction", "teamId=3.5", "teamId", map[string]any{"isInt": "teamId must be an integer number"}},
		// take and skip: parseInt, then IsNumber, Min, Max.
		{"a word", "take=ten", "take", map[string]any{"isNumber": numberMessage("take", false), "min": "take must not be less than 1", "max": "take must not be greater than 250"}},
		{"requests with an empty string", "skip=", "skip", map[string]any{"isNumber": numberMessage("skip", false), "min": "skip must not be less than 0"}},
		{"Python float 0.5 (parseInt reads 0)", "take=0.5", "take", map[string]any{"min": "take must not be less than 1"}},
		// Dates: strict ISO 8601. An offset's "+" typed unescaped is a space.
		{"curl typed, offset's + unescaped", "afterStart=2030-01-01T10:00:00+00:00", "afterStart", map[string]any{"isIso8601": "fromDate must be a valid ISO 8601 date."}},
		{"a Unix time", "beforeEnd=1893492000", "beforeEnd", map[string]any{"isIso8601": "toDate must be a valid ISO 8601 date."}},
		{"axios given an array", "afterCreatedAt[]=2030-01-01T10:00:00Z", "afterCreatedAt", map[string]any{"isIso8601": "fromDate must be a valid ISO 8601 date."}},
		{"a date only, then a word", "beforeUpdatedAt=2030-01-01+noon", "beforeUpdatedAt", map[string]any{"isIso8601": "toDate must be a valid ISO 8601 date."}},
		// Sorts: the enum, as a string.
		{"upper case", "sortStart=DESC", "sortStart", map[string]any{"isEnum": `SortStart must be either "asc" or "desc".`}},
		{"a boolean", "sortEnd=true", "sortEnd", map[string]any{"isEnum": `SortEnd must be either "asc" or "desc".`}},
		// Strings: an array is no string.
		{"axios given an array", "attendeeEmail[]=a@example.com", "attendeeEmail", map[string]any{"isString": "attendeeEmail must be a string"}},
		{"repeated", "bookingUid=a&bookingUid=b", "bookingUid", map[string]any{"isString": "bookingUid must be a string"}},
	} {
		r := f.do(t, "GET", "/v2/bookings?"+tc.query, f.key(0), nil)
		checkLenient400(t, r, tc.client+": "+tc.query, tc.property, tc.constraints)
	}
}

// The references list's type, as each client writes it: one string of the enum.
func TestClientFormsReferencesType(t *testing.T) {
	for _, raw := range []string{"type=zoom_video", "type=zoom%5Fvideo", url.Values{"type": {"zoom_video"}}.Encode()} {
		if typ, err := decodeReferencesQuery(parseQuery(raw)); err != nil || typ != "zoom_video" {
			t.Errorf("%s: type %q, err %v; want zoom_video", raw, typ, err)
		}
	}
	enum := map[string]any{"isEnum": "type must be one of the following values: " + strings.Join(referenceTypes, ", ")}
	for _, raw := range []string{"type[]=zoom_video", "type=zoom_video&type=daily_video", "type=zoom_video,daily_video", "type=Zoom_Video", "type="} {
		_, err := decodeReferencesQuery(parseQuery(raw))
		checkLenientError(t, err, raw, "type", enum)
	}
}

// checkLenient400 checks a response is the global ValidationPipe's 400 and that property
// failed with exactly constraints.
func checkLenient400(t *testing.T, r response, what, property string, constraints map[string]any) {
	t.Helper()
	if r.Code != http.StatusBadRequest {
		t.Errorf("%s: status %d, want 400; body %s", what, r.Code, r.Body.String())
		return
	}
	if code, msg := r.errorCode(t), r.errorMessage(t); code != "BadRequestException" || msg != "Bad Request Exception" {
		t.Errorf("%s: error %s %q, want BadRequestException \"Bad Request Exception\"", what, code, msg)
	}
	details, _ := r.body["error"].(map[string]any)["details"].(map[string]any)
	errs, _ := details["errors"].([]any)
	for _, e := range errs {
		e, _ := e.(map[string]any)
		if e["property"] == property {
			if !reflect.DeepEqual(e["constraints"], constraints) {
				t.Errorf("%s: %s constraints %v, want %v", what, property, e["constraints"], constraints)
			}
			return
		}
	}
	t.Errorf("%s: no error for %s in %s", what, property, r.Body.String())
}

// checkLenientError is checkLenient400 for a decoder's error value.
func checkLenientError(t *testing.T, err error, what, property string, constraints map[string]any) {
	t.Helper()
	ae, ok := err.(*apiError)
	if !ok {
		t.Errorf("%s: error %v (%T), want the validation 400", what, err, err)
		return
	}
	errs, _ := ae.details.(map[string]any)["errors"].([]validationError)
	for _, e := range errs {
		if e.Property != property {
			continue
		}
		got := map[string]any{}
		for k, v := range e.Constraints {
			got[k] = v
		}
		if !reflect.DeepEqual(got, constraints) {
			t.Errorf("%s: %s constraints %v, want %v", what, property, got, constraints)
		}
		return
	}
	t.Errorf("%s: no error for %s in %v", what, property, err)
}
