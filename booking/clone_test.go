package booking_test

import (
	"reflect"
	"testing"

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

	fill.Overwrite(&c)
	if reflect.DeepEqual(c, want) {
		t.Fatal("Overwrite changed nothing in the clone")
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
