package mockserver

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/calmock/calmock/booking"
)

// Every form a client may send a list parameter in (OpenAPI-generated axios clients send
// `status[]=a&status[]=b`) reads as the same filter, as through the real API's qs parser.
func TestListQueryListForms(t *testing.T) {
	forms := []struct{ name, query string }{
		{"comma", "P=A,B"},
		{"repeated", "P=A&P=B"},
		{"brackets", "P[]=A&P[]=B"},
		{"encoded brackets", "P%5b%5d=A&P%5b%5d=B"},
		{"indexes", "P[0]=A&P[1]=B"},
		{"indexes out of order", "P[1]=B&P[0]=A"},
		{"plus as space", "P=A,+B"},
		{"%20 as space", "P=A,%20B"},
	}
	params := []struct {
		name, a, b string
		got        func(booking.Filter) any
		want       any
	}{
		{"status", "cancelled", "past", func(f booking.Filter) any { return f.Statuses }, []booking.ListStatus{"cancelled", "past"}},
		{"eventTypeIds", "7", "9", func(f booking.Filter) any { return f.EventTypeIDs }, []int{7, 9}},
		{"teamsIds", "3", "4", func(f booking.Filter) any { return f.TeamIDs }, []int{3, 4}},
	}
	for _, p := range params {
		for _, form := range forms {
			raw := strings.NewReplacer("P", p.name, "A", p.a, "B", p.b).Replace(form.query)
			f, err := decodeListQuery(parseQuery(raw))
			if err != nil {
				t.Errorf("%s (%s): %v", raw, form.name, err)
				continue
			}
			if got := p.got(f); !reflect.DeepEqual(got, p.want) {
				t.Errorf("%s (%s): %s = %v, want %v", raw, form.name, p.name, got, p.want)
			}
		}
	}
}

// A value of the wrong shape gets the validation 400 in the envelope, never a 200 that
// ignores it. `P[21]=x` is an object to qs (an index above its arrayLimit of 20), so it is
// the wrong shape too.
func TestListQueryWrongShape(t *testing.T) {
	f := MustServer(t, Config{})
	for _, tc := range []struct {
		query, property string
		constraints     map[string]any
	}{
		{"status[a]=past", "status", map[string]any{"arrayNotEmpty": msgEmptyStatus, "isEnum": msgInvalidStatus}},
		{"status[21]=past", "status", map[string]any{"arrayNotEmpty": msgEmptyStatus, "isEnum": msgInvalidStatus}},
		{"status[0][a]=past", "status", map[string]any{"isEnum": msgInvalidStatus}},
		// Upstream's transform splits only a string: an array item "a,b" is one value.
		{"status[]=cancelled,past", "status", map[string]any{"isEnum": msgInvalidStatus}},
		{"eventTypeIds[]=7,9", "eventTypeIds", map[string]any{"isNumber": "each value in eventTypeIds must be a number conforming to the specified constraints"}},
		{"eventTypeIds[a]=7", "eventTypeIds", map[string]any{"isArray": "eventTypeIds must be an array", "isNumber": "each value in eventTypeIds must be a number conforming to the specified constraints", "arrayMinSize": "eventTypeIds must contain at least 1 event type id"}},
		{"teamsIds[21]=3", "teamsIds", map[string]any{"isArray": "teamsIds must be an array", "isNumber": "each value in teamsIds must be a number conforming to the specified constraints", "arrayMinSize": "teamIds must contain at least 1 team id"}},
		{"eventTypeId[a]=7", "eventTypeId", map[string]any{"isInt": "eventTypeId must be an integer number"}},
		{"attendeeEmail[]=a@example.com", "attendeeEmail", map[string]any{"isString": "attendeeEmail must be a string"}},
		{"bookingUid[a]=x", "bookingUid", map[string]any{"isString": "bookingUid must be a string"}},
		{"afterStart[]=2030-01-01T00:00:00Z", "afterStart", map[string]any{"isIso8601": "fromDate must be a valid ISO 8601 date."}},
		{"sortStart[]=asc", "sortStart", map[string]any{"isEnum": `SortStart must be either "asc" or "desc".`}},
		{"skip[a]=5", "skip", map[string]any{"isNumber": "skip must be a number conforming to the specified constraints", "min": "skip must not be less than 0"}},
	} {
		r := f.do(t, "GET", "/v2/bookings?"+tc.query, f.key(0), nil)
		if r.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", tc.query, r.Code)
			continue
		}
		if code := r.errorCode(t); code != "BadRequestException" {
			t.Errorf("%s: code %s", tc.query, code)
		}
		errs := r.body["error"].(map[string]any)["details"].(map[string]any)["errors"].([]any)
		first := errs[0].(map[string]any)
		if first["property"] != tc.property || !reflect.DeepEqual(first["constraints"], tc.constraints) {
			t.Errorf("%s: error %v %v, want %s %v", tc.query, first["property"], first["constraints"], tc.property, tc.constraints)
		}
	}
}

// A `+` in attendeeEmail still reads as the "+" of a managed user's address (the real
// transform turns inner spaces back into "+"), in every form.
func TestListQueryAttendeeEmailPlus(t *testing.T) {
	for _, raw := range []string{"attendeeEmail=a+b@x.com", "attendeeEmail=a%2Bb@x.com", "attendeeEmail=a%20b@x.com"} {
		f, err := decodeListQuery(parseQuery(raw))
		if err != nil || f.AttendeeEmail != "a+b@x.com" {
			t.Errorf("%s: email %q, err %v; want a+b@x.com", raw, f.AttendeeEmail, err)
		}
	}
}

// type on the references list: an array is not one of the types.
func TestReferencesQueryWrongShape(t *testing.T) {
	if _, err := decodeReferencesQuery(parseQuery("type[]=zoom_video")); err == nil {
		t.Error("type[]=zoom_video: no error")
	}
	if typ, err := decodeReferencesQuery(parseQuery("type=zoom_video")); err != nil || typ != "zoom_video" {
		t.Errorf("type=zoom_video: %q, %v", typ, err)
	}
}
