package mockserver

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/calmock/calmock/internal/wiretime"
)

// The encoder of the hot wire shapes (the success envelope and the bookings in it).
// encoding/json spends most of a list's time in reflection, in the nullable fields'
// MarshalJSON (whose output it then re-scans) and in sorting map keys through reflect;
// appending straight into one buffer is several times faster and allocates a fraction.
//
// The append function of each wire struct is generated from its fields and json tags
// (encode_gen.go, by internal/wiregen): the struct is the one description of its shape.
// This file holds what the generated code calls: the types with their own encoding
// (nullable, wireTime, responsesOut: their AppendJSON next to their MarshalJSON), interface
// values, maps and strings. The output is byte for byte what json.Marshal makes of the same
// values: encode_test.go compares both on values with every field in each of its states,
// on every kind of fixture booking, and fuzzes them; TestEncodeGenFresh fails when the
// generated file is stale.

//go:generate go run ../internal/wiregen/cmd/wiregen -o encode_gen.go -types successEnvelope,pagination,cursorEnvelope,cursorPagination,bookingOut,hostOut,eventTypeOut,attendeeOut,seatedAttendeeOut -slices bookingOut,attendeeOut,seatedAttendeeOut

// appendSuccess appends {"status":"success","data":<data>[,"pagination":…]}, data being
// a bookingOut, a []bookingOut or anything json.Marshal takes.
func appendSuccess(buf []byte, data any, p *pagination) ([]byte, error) {
	return appendSuccessEnvelope(buf, &successEnvelope{Status: statusSuccess, Data: data, Pagination: p})
}

// appendAny appends a value held in an interface field (the data of an envelope, a
// booking's attendees, a host's id): the wire shapes through their generated functions,
// anything else as appendValue does.
func appendAny(buf []byte, v any) ([]byte, error) {
	switch t := v.(type) {
	case int:
		return appendInt(buf, t), nil
	case bookingOut:
		return appendBookingOut(buf, &t)
	case []bookingOut:
		return appendBookingOutSlice(buf, t)
	case []attendeeOut:
		return appendAttendeeOutSlice(buf, t)
	case []seatedAttendeeOut:
		return appendSeatedAttendeeOutSlice(buf, t)
	}
	return appendValue(buf, v)
}

func appendInt(buf []byte, v int) []byte { return strconv.AppendInt(buf, int64(v), 10) }

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
		case "location":
			return r.locType != ""
		}
		return false
	}
	for _, k := range [...]string{"email", "guests", "location", "name"} {
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
		case "location":
			// {"optionValue":…,"value":…}: a map's keys, sorted, as encoding/json writes it.
			buf = appendString(append(buf, `{"optionValue":`...), r.locOption)
			return append(appendString(append(buf, `,"value":`...), r.locType), '}'), nil
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
