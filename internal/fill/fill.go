// Package fill sets every field of a value by reflection, for tests that must notice when
// code written field by field (a copy, an encoder, a conversion, a file format) misses a
// field that was added later. A hand-built test value sets only the fields its author knew
// about; a filled one sets all of them, including fields added after the test was written.
//
// Unexported fields are set too (through unsafe), because wire shapes such as mockserver's
// nullable[T] keep their state in them.
package fill

import (
	"fmt"
	"reflect"
	"time"
	"unsafe"
)

// maxDepth bounds the recursion into self-referencing types.
const maxDepth = 8

// Value sets every field reachable from ptr (a non-nil pointer) to a non-zero value:
// strings, numbers and instants distinct per field and per seed, bools true, pointers to
// filled values, slices of two filled elements, maps of one filled entry, interfaces a
// string. Two calls with the same seed give equal values; different seeds give values that
// differ in every string and number.
func Value(ptr any, seed int) {
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		panic(fmt.Sprintf("fill.Value: need a non-nil pointer, got %T", ptr))
	}
	f := filler{seed: seed}
	f.fill(v.Elem(), 0)
}

type filler struct {
	seed, n int
}

// next returns a number distinct for each leaf filled in this call.
func (f *filler) next() int {
	f.n++
	return f.seed*1000 + f.n
}

func (f *filler) fill(v reflect.Value, depth int) {
	if depth > maxDepth {
		return
	}
	if v.Type() == reflect.TypeFor[time.Time]() {
		n := f.next()
		v.Set(reflect.ValueOf(time.Date(2030, 1, 1+n%28, n%24, n%60, 0, 0, time.UTC)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", f.next()))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := int64(f.next())
		if v.OverflowInt(n) {
			n %= 100
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n := uint64(f.next())
		if v.OverflowUint(n) {
			n %= 100
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(f.next()) + 0.5)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			f.fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			f.fill(v.Index(i), depth+1)
		}
	case reflect.Map:
		m := reflect.MakeMapWithSize(v.Type(), 1)
		k := reflect.New(v.Type().Key()).Elem()
		f.fill(k, depth+1)
		e := reflect.New(v.Type().Elem()).Elem()
		f.fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Interface:
		if v.NumMethod() == 0 {
			v.Set(reflect.ValueOf(fmt.Sprintf("s%d", f.next())))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f.fill(settable(v.Field(i)), depth+1)
		}
	}
}

// settable returns fv, made settable when it is an unexported field of an addressable struct.
func settable(fv reflect.Value) reflect.Value {
	if fv.CanSet() {
		return fv
	}
	return reflect.NewAt(fv.Type(), unsafe.Pointer(fv.UnsafeAddr())).Elem()
}

// Field is one field reachable from a filled value, by its path of Go field names
// ("Attendees[0].SeatResponses").
type Field struct {
	Path  string
	Value reflect.Value // settable
}

// Fields lists every struct field reachable from ptr (through pointers, slice and array
// elements, not map values), depth first, so that a test can change one field at a time:
// zero it (absent), set it to nil (null) or leave it filled (a value).
func Fields(ptr any) []Field {
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		panic(fmt.Sprintf("fill.Fields: need a non-nil pointer, got %T", ptr))
	}
	var out []Field
	walk(v.Elem(), "", 0, &out)
	return out
}

func walk(v reflect.Value, path string, depth int, out *[]Field) {
	if depth > maxDepth {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walk(v.Elem(), path, depth+1, out)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1, out)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			name := v.Type().Field(i).Name
			if path != "" {
				name = path + "." + name
			}
			fv := settable(v.Field(i))
			*out = append(*out, Field{Path: name, Value: fv})
			walk(fv, name, depth+1, out)
		}
	}
}
