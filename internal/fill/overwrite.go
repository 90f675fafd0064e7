package fill

import (
	"reflect"
	"time"
	"unsafe"
)

// Overwrite writes over every value reachable from v in place, as a careless caller would:
// strings, numbers and bools changed, pointers and interfaces followed, slice and array
// elements and map entries overwritten (a map's values become the string "overwritten").
// It is the other half of a sharing guard: hand out a value, Overwrite it, and check that
// whatever the value came from is unchanged. Pass a pointer to reach a struct's fields.
func Overwrite(v any) {
	overwrite(reflect.ValueOf(v), 0)
}

func overwrite(v reflect.Value, depth int) {
	if depth > maxDepth || !v.IsValid() {
		return
	}
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString("overwritten")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if v.CanSet() {
			v.SetInt(-7)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if v.CanSet() {
			v.SetUint(7)
		}
	case reflect.Float32, reflect.Float64:
		if v.CanSet() {
			v.SetFloat(-7.5)
		}
	case reflect.Bool:
		if v.CanSet() {
			v.SetBool(!v.Bool())
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			overwrite(v.Elem(), depth+1)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			overwrite(v.Index(i), depth+1)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := v.MapIndex(k)
			// Nested maps and slices inside the entry are shared too: write into them first.
			overwrite(e, depth+1)
			if s := reflect.ValueOf("overwritten"); s.Type().AssignableTo(v.Type().Elem()) {
				v.SetMapIndex(k, s)
			}
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			// A time is a value; its *Location is shared by the whole process (time.Local,
			// the zone cache) and must not be written through.
			if v.CanSet() {
				v.Set(reflect.ValueOf(time.Unix(7, 0).UTC()))
			}
			return
		}
		for i := range v.NumField() {
			f := v.Field(i)
			if f.CanAddr() && !f.CanSet() {
				f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
			}
			overwrite(f, depth+1)
		}
	}
}
