package fill

import (
	"reflect"
	"testing"
	"time"
)

type inner struct {
	Name string
	when time.Time
}

type outer struct {
	ID     int
	Ok     bool
	Ratio  float64
	Note   *string
	Tags   []string
	Meta   map[string]any
	Inner  inner
	Inners []inner
	Any    any
	hidden *int
}

func TestValue_SetsEveryField(t *testing.T) {
	var o outer
	Value(&o, 1)
	for _, f := range Fields(&o) {
		if f.Value.IsZero() {
			t.Errorf("field %s left at its zero value", f.Path)
		}
	}
	if o.hidden == nil || o.Inner.when.IsZero() {
		t.Errorf("unexported fields left unset: hidden %v, when %v", o.hidden, o.Inner.when)
	}
	if len(o.Inners) != 2 || o.Inners[0].Name == o.Inners[1].Name {
		t.Errorf("slice elements should be two distinct values: %+v", o.Inners)
	}
}

func TestValue_SameSeedSameValue(t *testing.T) {
	var a, b, c outer
	Value(&a, 1)
	Value(&b, 1)
	Value(&c, 2)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("same seed gave different values:\n%+v\n%+v", a, b)
	}
	if a.Inner.Name == c.Inner.Name || a.ID == c.ID {
		t.Errorf("different seeds gave equal leaves: %q %q, %d %d", a.Inner.Name, c.Inner.Name, a.ID, c.ID)
	}
}

func TestFields_PathsReachNestedAndUnexported(t *testing.T) {
	var o outer
	Value(&o, 1)
	paths := map[string]bool{}
	for _, f := range Fields(&o) {
		paths[f.Path] = true
	}
	for _, want := range []string{"ID", "Inner.Name", "Inner.when", "Inners[1].Name", "hidden", "Meta"} {
		if !paths[want] {
			t.Errorf("Fields misses %s (got %v)", want, paths)
		}
	}
	// A field set through Fields changes the value itself.
	for _, f := range Fields(&o) {
		if f.Path == "Inners[1].Name" {
			f.Value.SetString("changed")
		}
	}
	if o.Inners[1].Name != "changed" {
		t.Errorf("setting a Field did not change the value: %q", o.Inners[1].Name)
	}
}
