package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/calmock/calmock/internal/fill"
	"github.com/calmock/calmock/internal/gencmd"
	"github.com/calmock/calmock/internal/wiregen"
)

// The encoder checked against encoding/json on values built by reflection: every field of
// every wire shape set, then each field in each of its states, so that a field the encoder
// misses fails here even when no fixture sets it.

// filledShape is a wire value with every field set, and the roots whose fields the states
// test varies (the attendees sit behind an interface, which fill.Fields does not enter).
type filledShape struct {
	name  string
	data  any // what the envelope carries: *bookingOut is dereferenced when encoded
	roots []any
}

// filledBookings are bookingOut values with every field set, one per kind of value their
// interface fields hold: regular attendees and a numeric host id, seated attendees, and
// whatever else (fill's string) for both.
func filledBookings(seed int) []filledShape {
	var regular, seated, other bookingOut
	fill.Value(&regular, seed)
	fill.Value(&seated, seed+1)
	fill.Value(&other, seed+2)
	var attendees []attendeeOut
	fill.Value(&attendees, seed+3)
	var seats []seatedAttendeeOut
	fill.Value(&seats, seed+4)
	regular.Attendees, seated.Attendees = attendees, seats
	regular.Hosts.one.ID, seated.Hosts.one.ID = seed, seed+1
	return []filledShape{
		{"regular", &regular, []any{&regular, &attendees}},
		{"seated", &seated, []any{&seated, &seats}},
		{"other", &other, []any{&other}},
	}
}

// filledEnvelope is a list page: every kind of booking filled, and a filled pagination.
func filledEnvelope(seed int) filledShape {
	var page []bookingOut
	for _, s := range filledBookings(seed) {
		page = append(page, *s.data.(*bookingOut))
	}
	var p pagination
	fill.Value(&p, seed)
	env := &successEnvelope{Status: statusSuccess, Data: page, Pagination: &p}
	return filledShape{"envelope", env, []any{env, &page}}
}

// checkEncoders compares appendSuccess with json.Marshal on data (an envelope, or the data
// of one).
func checkEncoders(t *testing.T, name string, data any) {
	t.Helper()
	var want, got []byte
	var errWant, errGot error
	if env, ok := data.(*successEnvelope); ok {
		want, errWant = json.Marshal(env)
		got, errGot = appendSuccessEnvelope(nil, env)
	} else {
		if b, ok := data.(*bookingOut); ok {
			data = *b
		}
		want, errWant = json.Marshal(successEnvelope{Status: statusSuccess, Data: data})
		got, errGot = appendSuccess(nil, data, nil)
	}
	if (errWant != nil) != (errGot != nil) {
		t.Fatalf("%s: encoding/json error %v, encoder error %v", name, errWant, errGot)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: encoders differ\n got: %s\nwant: %s", name, got, want)
	}
}

// fieldState is one state a field can be put in.
type fieldState struct {
	name string
	set  func(v reflect.Value)
}

// statesOf are the states of a field of type t other than the filled value: absent (the
// zero value, which is null for pointers, maps, slices and interfaces; a nullable is null
// when its inner pointer is zeroed, a field of its own) and, for maps and slices, empty.
func statesOf(t reflect.Type) []fieldState {
	states := []fieldState{{"zero", func(v reflect.Value) { v.SetZero() }}}
	switch t.Kind() {
	case reflect.Slice:
		states = append(states, fieldState{"empty", func(v reflect.Value) { v.Set(reflect.MakeSlice(t, 0, 0)) }})
	case reflect.Map:
		states = append(states, fieldState{"empty", func(v reflect.Value) { v.Set(reflect.MakeMap(t)) }})
	}
	return states
}

// TestEncoder_EveryFieldEveryState: with every field set, and then with each field (of the
// bookings, their attendees, their hosts and event type, the nullable and custom-encoded
// fields' insides, the envelope and its pagination) in each of its states one at a time,
// the encoder writes exactly what encoding/json writes.
func TestEncoder_EveryFieldEveryState(t *testing.T) {
	shapes := append(filledBookings(1), filledEnvelope(10))
	for _, s := range shapes {
		checkEncoders(t, s.name+" filled", s.data)
		for _, root := range s.roots {
			for _, f := range fill.Fields(root) {
				saved := reflect.New(f.Value.Type()).Elem()
				saved.Set(f.Value)
				for _, st := range statesOf(f.Value.Type()) {
					st.set(f.Value)
					checkEncoders(t, fmt.Sprintf("%s %T.%s=%s", s.name, root, f.Path, st.name), s.data)
				}
				f.Value.Set(saved)
			}
		}
	}
}

// TestEncoder_EveryFieldEveryState_Covers: the states test reaches the fields the wire
// shapes have; a shape whose fields it does not list (a new interface field holding a new
// shape) would be compared only as a whole.
func TestEncoder_EveryFieldEveryState_Covers(t *testing.T) {
	paths := map[string]bool{}
	for _, s := range append(filledBookings(1), filledEnvelope(10)) {
		for _, root := range s.roots {
			for _, f := range fill.Fields(root) {
				paths[fmt.Sprintf("%T.%s", root, f.Path)] = true
			}
		}
	}
	for _, want := range []string{
		"*mockserver.bookingOut.CancellationReason.v", "*mockserver.bookingOut.Hosts.one.TimeZone", "*mockserver.bookingOut.EventType.out.Slug",
		"*mockserver.bookingOut.BookingFieldsResponses.guests", "*[]mockserver.attendeeOut.[0].PhoneNumber",
		"*[]mockserver.seatedAttendeeOut.[1].Metadata", "*mockserver.successEnvelope.Pagination.HasNextPage",
	} {
		if !paths[want] {
			t.Errorf("the states test does not vary %s", want)
		}
	}
}

// FuzzEncodeBooking: filled bookings (and a page of them) with every string, number and
// bool replaced by fuzzed ones encode as encoding/json encodes them.
func FuzzEncodeBooking(f *testing.F) {
	f.Add("plain", int64(1), 2.5, true)
	f.Add("<\u2028>\xff&\"\\\x00", int64(-1<<63), 1e21, false)
	f.Add("", int64(0), math.Inf(1), false)
	f.Add("é😀", int64(1<<53+1), 1e-7, true)
	f.Fuzz(func(t *testing.T, s string, n int64, x float64, b bool) {
		shapes := append(filledBookings(1), filledEnvelope(10))
		for _, sh := range shapes {
			for _, root := range sh.roots {
				for _, fl := range fill.Fields(root) {
					setLeaf(fl.Value, s, n, x, b)
				}
			}
			checkEncoders(t, sh.name, sh.data)
		}
	})
}

// setLeaf gives a scalar field the fuzzed value of its kind, maps a fuzzed key and value,
// pointers to scalars the fuzzed value.
func setLeaf(v reflect.Value, s string, n int64, x float64, b bool) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int64:
		v.SetInt(n)
	case reflect.Float64:
		v.SetFloat(x)
	case reflect.Bool:
		v.SetBool(b)
	case reflect.Interface:
		if v.NumMethod() == 0 && v.Elem().Kind() == reflect.String {
			v.Set(reflect.ValueOf(s))
		}
	case reflect.Map:
		if v.Type() == reflect.TypeFor[map[string]any]() && !v.IsNil() {
			v.Set(reflect.ValueOf(map[string]any{s: s, "n": x, "b": b}))
		}
	case reflect.Pointer:
		if !v.IsNil() && v.Elem().Kind() != reflect.Struct {
			setLeaf(v.Elem(), s, n, x, b)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.String {
			for i := range v.Len() {
				v.Index(i).SetString(s)
			}
		}
	}
}

// TestEncodeGenFresh: encode_gen.go is what its go:generate line (in encode.go) writes from
// the wire structs as they are now. Run `go generate ./mockserver/` after changing one.
func TestEncodeGenFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the package with go list")
	}
	gencmd.CheckFresh(t, "encode.go", "../internal/wiregen/cmd/wiregen", "go generate ./mockserver/", wiregen.Run)
}
