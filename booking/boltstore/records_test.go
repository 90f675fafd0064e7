package boltstore

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/internal/fill"
)

// recordOf pairs each record type with the domain type it stores.
var recordOf = map[reflect.Type]reflect.Type{
	reflect.TypeFor[booking.Booking]():   reflect.TypeFor[bookingRecord](),
	reflect.TypeFor[booking.Attendee]():  reflect.TypeFor[attendeeRecord](),
	reflect.TypeFor[booking.Recording](): reflect.TypeFor[recordingRecord](),
	reflect.TypeFor[booking.Reference](): reflect.TypeFor[referenceRecord](),
}

// TestRecords_MirrorDomain: every record has its domain type's fields, by name, type and
// order, with the records of nested domain types in their place. A field added to the
// domain fails here until the record, its conversion and its key are decided.
func TestRecords_MirrorDomain(t *testing.T) {
	for domain, record := range recordOf {
		if dn, rn := fieldNames(domain), fieldNames(record); !slices.Equal(dn, rn) {
			t.Errorf("%s has fields %v,\nbut %s has %v", record, rn, domain, dn)
			continue
		}
		for i := range domain.NumField() {
			df, rf := domain.Field(i), record.Field(i)
			if want := storedType(df.Type); rf.Type != want {
				t.Errorf("%s.%s is a %s, want %s (for %s.%s)", record, rf.Name, rf.Type, want, domain, df.Name)
			}
			if rf.Tag.Get("json") == "" {
				t.Errorf("%s.%s has no JSON key", record, rf.Name)
			}
		}
	}
}

func fieldNames(t reflect.Type) []string {
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = t.Field(i).Name
	}
	return names
}

// storedType is the type a record stores a domain field of type t as.
func storedType(t reflect.Type) reflect.Type {
	if r, ok := recordOf[t]; ok {
		return r
	}
	if t.Kind() == reflect.Slice {
		if r, ok := recordOf[t.Elem()]; ok {
			return reflect.SliceOf(r)
		}
	}
	return t
}

// TestRecords_RoundTrip: a booking with every field set, down to the nested ones (filled by
// reflection, so a new domain field is set too), comes back equal from its record and
// from its encoding; so do null and empty lists, which the file tells apart (but for
// omitempty ones, which JSON reads back as nil).
func TestRecords_RoundTrip(t *testing.T) {
	var full booking.Booking
	fill.Value(&full, 1)
	empty := booking.Booking{UID: "empty", Attendees: []booking.Attendee{}, Metadata: map[string]any{}}
	emptyOmitted := booking.Booking{UID: "omitted", Recordings: []booking.Recording{}, References: []booking.Reference{}}
	for _, b := range []booking.Booking{full, empty, emptyOmitted, {UID: "null"}} {
		rec := toRecord(&b)
		for _, d := range diffFields(fromRecord(&rec), b) {
			t.Errorf("%s through its record: %s", b.UID, d)
		}
		if b.UID == emptyOmitted.UID {
			continue
		}
		data, err := encodeBooking(&b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeBooking(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range diffFields(got, b) {
			t.Errorf("%s through %s: %s", b.UID, data, d)
		}
	}
}

// diffFields lists the fields of booking.Booking in which got and want differ.
func diffFields(got, want booking.Booking) []string {
	var diffs []string
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		gf, wf := g.Field(i).Interface(), w.Field(i).Interface()
		if !reflect.DeepEqual(gf, wf) {
			diffs = append(diffs, fmt.Sprintf("%s = %#v, want %#v", g.Type().Field(i).Name, gf, wf))
		}
	}
	return diffs
}
