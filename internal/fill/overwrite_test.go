package fill

import (
	"reflect"
	"testing"
	"time"
)

// TestOverwrite_ReachesSharedMemory: everything a value shares with another (through a
// pointer, a slice, a map, a nested map inside an interface) is changed for both, and
// the value's own fields change too.
func TestOverwrite_ReachesSharedMemory(t *testing.T) {
	type inner struct {
		N     int
		label string
	}
	type shape struct {
		S      string
		F      float64
		B      bool
		P      *inner
		L      []inner
		M      map[string]any
		Nested map[string]any
		At     time.Time
	}
	shared := &inner{N: 1, label: "a"}
	list := []inner{{N: 2}}
	m := map[string]any{"k": "v"}
	deep := map[string]any{"x": 1.0}
	nested := map[string]any{"d": deep, "arr": []any{map[string]any{"y": 2.0}}}
	rome := time.FixedZone("Europe/Rome", 3600)
	at := time.Date(2030, 1, 1, 10, 0, 0, 0, rome)
	v := shape{S: "s", F: 1.5, B: true, P: shared, L: list, M: m, Nested: nested, At: at}
	before := shape{S: "s", F: 1.5, B: true, P: &inner{N: 1, label: "a"}, L: []inner{{N: 2}},
		M: map[string]any{"k": "v"}, Nested: map[string]any{"d": map[string]any{"x": 1.0}, "arr": []any{map[string]any{"y": 2.0}}}}

	Overwrite(&v)

	if v.S == before.S || v.F == before.F || v.B == before.B {
		t.Errorf("scalar fields unchanged: %+v", v)
	}
	if *shared == *before.P {
		t.Errorf("value behind a pointer unchanged: %+v", *shared)
	}
	if list[0] == before.L[0] {
		t.Errorf("slice element unchanged: %+v", list[0])
	}
	if reflect.DeepEqual(m, before.M) {
		t.Errorf("map entry unchanged: %v", m)
	}
	if reflect.DeepEqual(deep, before.Nested["d"]) {
		t.Errorf("map nested in a map entry unchanged: %v", deep)
	}
	if v.At.Equal(at) {
		t.Errorf("time unchanged: %v", v.At)
	}
	if rome.String() != "Europe/Rome" || at.Location() != rome {
		t.Errorf("the time's shared *Location was written through: %q", rome.String())
	}
}
