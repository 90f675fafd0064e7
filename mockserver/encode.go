package mockserver

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/calmock/calmock/internal/wiretime"
)

// A hand-written encoder for the hot wire shapes (bookingOut and the success envelope
// around one or a page of them). encoding/json spends most of a list's time in reflection,
// in the nullable fields' MarshalJSON (whose output it then re-scans) and in sorting map
// keys through reflect; appending straight into one buffer is several times faster and
// allocates a fraction. The output is byte for byte what json.Marshal makes of the same
// values: the struct tags stay the reference, and encode_test.go compares both on every
// kind of booking and fuzzes the string escaping.

// appendSuccess appends {"status":"success","data":<data>[,"pagination":…]}, data being
// a bookingOut, a []bookingOut or anything json.Marshal takes.
func appendSuccess(buf []byte, data any, p *pagination) ([]byte, error) {
	buf = append(buf, `{"status":"success","data":`...)
	var err error
	switch d := data.(type) {
	case bookingOut:
		buf, err = appendBooking(buf, &d)
	case []bookingOut:
		buf, err = appendBookings(buf, d)
	default:
		buf, err = appendMarshal(buf, data)
	}
	if err != nil {
		return nil, err
	}
	if p != nil {
		buf = append(buf, `,"pagination":`...)
		if buf, err = appendMarshal(buf, p); err != nil {
			return nil, err
		}
	}
	return append(buf, '}'), nil
}

func appendBookings(buf []byte, bs []bookingOut) ([]byte, error) {
	if bs == nil {
		return append(buf, "null"...), nil
	}
	buf = append(buf, '[')
	for i := range bs {
		if i > 0 {
			buf = append(buf, ',')
		}
		var err error
		if buf, err = appendBooking(buf, &bs[i]); err != nil {
			return nil, err
		}
	}
	return append(buf, ']'), nil
}

// appendBooking appends b as json.Marshal would: fields in struct order, omitempty and
// omitzero honoured.
func appendBooking(buf []byte, b *bookingOut) ([]byte, error) {
	buf = appendInt(append(buf, `{"id":`...), b.ID)
	buf = appendString(append(buf, `,"uid":`...), b.UID)
	buf = appendString(append(buf, `,"title":`...), b.Title)
	buf = appendStringPtr(append(buf, `,"description":`...), b.Description)
	buf = append(buf, `,"hosts":`...)
	if b.Hosts == nil {
		buf = append(buf, "null"...)
	} else {
		buf = append(buf, '[')
		for i, h := range b.Hosts {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, `{"id":`...)
			switch id := h.ID.(type) {
			case int:
				buf = appendInt(buf, id)
			case string:
				buf = appendString(buf, id)
			default:
				var err error
				if buf, err = appendMarshal(buf, id); err != nil {
					return nil, err
				}
			}
			buf = appendString(append(buf, `,"name":`...), h.Name)
			buf = appendString(append(buf, `,"email":`...), h.Email)
			buf = appendString(append(buf, `,"username":`...), h.Username)
			if h.TimeZone != "" {
				buf = appendString(append(buf, `,"timeZone":`...), h.TimeZone)
			}
			buf = append(buf, '}')
		}
		buf = append(buf, ']')
	}
	buf = appendString(append(buf, `,"status":`...), string(b.Status))
	buf = appendNullable(buf, `,"cancellationReason":`, b.CancellationReason)
	buf = appendNullable(buf, `,"cancelledByEmail":`, b.CancelledByEmail)
	buf = appendOmitEmpty(buf, `,"reschedulingReason":`, b.ReschedulingReason)
	buf = appendOmitEmpty(buf, `,"rescheduledFromUid":`, b.RescheduledFromUID)
	buf = appendOmitEmpty(buf, `,"rescheduledToUid":`, b.RescheduledToUID)
	buf = appendNullable(buf, `,"rescheduledByEmail":`, b.RescheduledByEmail)
	buf = appendWireTime(append(buf, `,"start":`...), b.Start.t)
	buf = appendWireTime(append(buf, `,"end":`...), b.End.t)
	buf = appendInt(append(buf, `,"duration":`...), b.Duration)
	buf = append(buf, `,"eventTypeId":`...)
	if b.EventTypeID == nil {
		buf = append(buf, "null"...)
	} else {
		buf = appendInt(buf, *b.EventTypeID)
	}
	buf = append(buf, `,"eventType":`...)
	if b.EventType == nil {
		buf = append(buf, "null"...)
	} else {
		buf = appendInt(append(buf, `{"id":`...), b.EventType.ID)
		buf = append(appendString(append(buf, `,"slug":`...), b.EventType.Slug), '}')
	}
	buf = appendOmitEmpty(buf, `,"meetingUrl":`, b.MeetingURL)
	buf = appendString(append(buf, `,"location":`...), b.Location)
	buf = strconv.AppendBool(append(buf, `,"absentHost":`...), b.AbsentHost)
	buf = appendWireTime(append(buf, `,"createdAt":`...), b.CreatedAt.t)
	buf = appendWireTime(append(buf, `,"updatedAt":`...), b.UpdatedAt.t)
	var err error
	if buf, err = appendMap(append(buf, `,"metadata":`...), b.Metadata); err != nil {
		return nil, err
	}
	buf = append(buf, `,"rating":`...)
	if b.Rating == nil {
		buf = append(buf, "null"...)
	} else if buf, err = appendMarshal(buf, *b.Rating); err != nil {
		return nil, err
	}
	buf = appendString(append(buf, `,"icsUid":`...), b.ICSUID)
	buf = appendOmitEmpty(buf, `,"seatUid":`, b.SeatUID)
	buf = append(buf, `,"attendees":`...)
	switch as := b.Attendees.(type) {
	case []attendeeOut:
		buf = appendAttendees(buf, as)
	case []seatedAttendeeOut:
		if buf, err = appendSeatedAttendees(buf, as); err != nil {
			return nil, err
		}
	default:
		if buf, err = appendMarshal(buf, as); err != nil {
			return nil, err
		}
	}
	if len(b.Guests) > 0 {
		buf = appendStrings(append(buf, `,"guests":`...), b.Guests)
	}
	if !b.BookingFieldsResponses.IsZero() {
		if buf, err = appendResponses(append(buf, `,"bookingFieldsResponses":`...), &b.BookingFieldsResponses); err != nil {
			return nil, err
		}
	}
	buf = appendOmitEmpty(buf, `,"recurringBookingUid":`, b.RecurringBookingUID)
	return append(buf, '}'), nil
}

func appendAttendees(buf []byte, as []attendeeOut) []byte {
	if as == nil {
		return append(buf, "null"...)
	}
	buf = append(buf, '[')
	for i, a := range as {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendAttendeeStart(buf, a.Name, a.Email, a.TimeZone, a.Language, a.Absent)
		buf = appendOmitEmpty(buf, `,"phoneNumber":`, a.PhoneNumber)
		buf = append(buf, '}')
	}
	return append(buf, ']')
}

func appendSeatedAttendees(buf []byte, as []seatedAttendeeOut) ([]byte, error) {
	if as == nil {
		return append(buf, "null"...), nil
	}
	buf = append(buf, '[')
	for i, a := range as {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendAttendeeStart(buf, a.Name, a.Email, a.TimeZone, a.Language, a.Absent)
		buf = appendString(append(buf, `,"seatUid":`...), a.SeatUID)
		var err error
		if buf, err = appendMap(append(buf, `,"bookingFieldsResponses":`...), a.BookingFieldsResponses); err != nil {
			return nil, err
		}
		if len(a.Metadata) > 0 {
			if buf, err = appendMap(append(buf, `,"metadata":`...), a.Metadata); err != nil {
				return nil, err
			}
		}
		buf = append(buf, '}')
	}
	return append(buf, ']'), nil
}

// appendAttendeeStart opens an attendee object with the keys both attendee shapes begin with.
func appendAttendeeStart(buf []byte, name, email, timeZone string, language *string, absent bool) []byte {
	buf = appendString(append(buf, `{"name":`...), name)
	buf = appendString(append(buf, `,"email":`...), email)
	buf = appendString(append(buf, `,"timeZone":`...), timeZone)
	buf = appendStringPtr(append(buf, `,"language":`...), language)
	return strconv.AppendBool(append(buf, `,"absent":`...), absent)
}

func appendInt(buf []byte, v int) []byte { return strconv.AppendInt(buf, int64(v), 10) }

func appendStringPtr(buf []byte, p *string) []byte {
	if p == nil {
		return append(buf, "null"...)
	}
	return appendString(buf, *p)
}

// appendOmitEmpty appends key and s unless s is empty (omitempty).
func appendOmitEmpty(buf []byte, key, s string) []byte {
	if s == "" {
		return buf
	}
	return appendString(append(buf, key...), s)
}

// appendNullable appends key and n unless n is absent (omitzero).
func appendNullable(buf []byte, key string, n nullable[string]) []byte {
	if !n.set {
		return buf
	}
	return appendStringPtr(append(buf, key...), n.v)
}

// appendResponses appends r's merged map (responsesOut.merged) with its keys sorted, as
// encoding/json does, without building it: the derived keys are email, guests and name,
// and a stored key of the same name wins.
func appendResponses(buf []byte, r *responsesOut) ([]byte, error) {
	var spare [8]string // keys of a typical booking, without a heap allocation
	keys := spare[:0]
	for k := range r.stored {
		keys = append(keys, k)
	}
	derived := func(k string) bool {
		switch k {
		case "name", "email":
			return r.booker
		case "guests":
			return len(r.guests) > 0
		}
		return false
	}
	for _, k := range [...]string{"email", "guests", "name"} {
		if _, over := r.stored[k]; !over && derived(k) {
			keys = append(keys, k)
		}
	}
	return appendObject(buf, keys, func(buf []byte, k string) ([]byte, error) {
		if v, ok := r.stored[k]; ok {
			return appendValue(buf, v)
		}
		switch k {
		case "name":
			return appendString(buf, r.name), nil
		case "email":
			return appendString(buf, r.email), nil
		}
		return appendStrings(buf, r.guests), nil
	})
}

// appendObject appends an object of keys, sorted here as encoding/json sorts a map's, each
// value appended by value.
func appendObject(buf []byte, keys []string, value func(buf []byte, key string) ([]byte, error)) ([]byte, error) {
	slices.Sort(keys)
	buf = append(buf, '{')
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(appendString(buf, k), ':')
		var err error
		if buf, err = value(buf, k); err != nil {
			return nil, err
		}
	}
	return append(buf, '}'), nil
}

// appendStrings appends a non-nil string slice.
func appendStrings(buf []byte, ss []string) []byte {
	buf = append(buf, '[')
	for i, s := range ss {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendString(buf, s)
	}
	return append(buf, ']')
}

// appendWireTime appends t as a JSON string in the API's form (wiretime).
func appendWireTime(buf []byte, t time.Time) []byte {
	return append(wiretime.Append(append(buf, '"'), t), '"')
}

// appendMap appends a JSON object with sorted keys, as encoding/json does. Values of the
// kinds JSON decoding produces are appended directly, anything else through json.Marshal.
func appendMap(buf []byte, m map[string]any) ([]byte, error) {
	if m == nil {
		return append(buf, "null"...), nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return appendObject(buf, keys, func(buf []byte, k string) ([]byte, error) { return appendValue(buf, m[k]) })
}

func appendValue(buf []byte, v any) ([]byte, error) {
	switch t := v.(type) {
	case nil:
		return append(buf, "null"...), nil
	case string:
		return appendString(buf, t), nil
	case bool:
		return strconv.AppendBool(buf, t), nil
	case map[string]any:
		return appendMap(buf, t)
	case []any:
		if t == nil {
			return append(buf, "null"...), nil
		}
		buf = append(buf, '[')
		for i, e := range t {
			if i > 0 {
				buf = append(buf, ',')
			}
			var err error
			if buf, err = appendValue(buf, e); err != nil {
				return nil, err
			}
		}
		return append(buf, ']'), nil
	}
	return appendMarshal(buf, v) // numbers (encoding/json's float format), []string, …
}

func appendMarshal(buf []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(buf, b...), nil
}

const hexDigits = "0123456789abcdef"

// plainASCII says which ASCII bytes a JSON string holds as they are: all but control
// characters, '"', '\\' and, as encoding/json escapes them for HTML, '<', '>' and '&'. One
// table lookup per byte instead of six comparisons: strings are a third of a list's time.
var plainASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString appends s as a JSON string the way encoding/json does with HTML escaping
// on: <, > and & as \u00XX, U+2028 and U+2029 escaped, invalid UTF-8 as U+FFFD.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if plainASCII[c] {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\b':
				buf = append(buf, '\\', 'b')
			case '\f':
				buf = append(buf, '\\', 'f')
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(append(buf, s[start:i]...), `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(append(buf, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(append(buf, s[start:]...), '"')
}
