package booking_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/internal/fill"
)

// Clone must share no memory with the original: a store hands clones out and keeps the
// original. The booking is filled by reflection, so a field added later is covered without
// touching this test; when it is a slice, map or pointer that Clone does not copy, the test
// names it.
func TestBooking_CloneSharesNothing(t *testing.T) {
	var orig, want booking.Booking
	fill.Value(&orig, 1)
	fill.Value(&want, 1)
	c := orig.Clone()
	if !reflect.DeepEqual(c, orig) {
		t.Fatalf("the clone differs from the original:\n got %+v\nwant %+v", c, orig)
	}

	writeThrough(reflect.ValueOf(&c).Elem(), 2)
	if reflect.DeepEqual(c, want) {
		t.Fatal("writeThrough changed nothing in the clone")
	}
	got, wantFields := fill.Fields(&orig), fill.Fields(&want)
	if len(got) != len(wantFields) {
		t.Fatalf("changing the clone changed the shape of the original: %d fields, want %d", len(got), len(wantFields))
	}
	for i, f := range got {
		if !reflect.DeepEqual(f.Value.Interface(), wantFields[i].Value.Interface()) {
			t.Errorf("%s: changing the clone changed the original (Clone must copy it)", f.Path)
		}
	}
}

// writeThrough changes, in place, every value reachable from v: through pointers, slice
// elements and map entries, never by replacing a pointer, slice or map. Whatever the clone
// shares with the original therefore changes in the original too.
func writeThrough(v reflect.Value, seed int) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			writeThrough(v.Elem(), seed)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			writeThrough(v.Index(i), seed)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem())
			fill.Value(e.Interface(), seed)
			v.SetMapIndex(k, e.Elem())
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			fill.Value(v.Addr().Interface(), seed)
			return
		}
		for i := range v.NumField() {
			writeThrough(v.Field(i), seed)
		}
	default:
		fill.Value(v.Addr().Interface(), seed)
	}
}
