package mockserver

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// The expected trees are what qs 6 (Express 4's extended query parser) gives for the same
// strings with its defaults.
func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want map[string]any
	}{
		{"a=x", map[string]any{"a": "x"}},
		{"a=x&a=y", map[string]any{"a": []any{"x", "y"}}},
		{"a[]=x&a[]=y", map[string]any{"a": []any{"x", "y"}}},
		{"a%5B%5D=x&a%5b%5d=y", map[string]any{"a": []any{"x", "y"}}},
		{"a[0]=x&a[1]=y", map[string]any{"a": []any{"x", "y"}}},
		{"a[1]=y&a[0]=x", map[string]any{"a": []any{"x", "y"}}},
		{"a[5]=x", map[string]any{"a": []any{"x"}}},
		{"a[20]=x", map[string]any{"a": []any{"x"}}},
		{"a[21]=x", map[string]any{"a": map[string]any{"21": "x"}}},
		{"a[0]=x&a[21]=y", map[string]any{"a": map[string]any{"0": "x", "21": "y"}}},
		{"a[b]=x", map[string]any{"a": map[string]any{"b": "x"}}},
		{"a[]=x&a[b]=y", map[string]any{"a": map[string]any{"0": "x", "b": "y"}}},
		{"a=x&a[b]=y", map[string]any{"a": []any{"x", map[string]any{"b": "y"}}}},
		{"a[b][c]=x", map[string]any{"a": map[string]any{"b": map[string]any{"c": "x"}}}},
		{"a[]=x,y", map[string]any{"a": []any{"x,y"}}},
		{"a=x+y&b=x%20y&c=x%2By", map[string]any{"a": "x y", "b": "x y", "c": "x+y"}},
		{"a=%zz&b", map[string]any{"a": "%zz", "b": ""}},
		{"&&=x&a=", map[string]any{"a": ""}},
		// qs splits at "]=" first, so the key is a[=], not a[.
		{"a[=]=x", map[string]any{"a": map[string]any{"=": "x"}}},
	} {
		if got := parseQuery(tc.raw); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseQuery(%q) = %#v, want %#v", tc.raw, got, tc.want)
		}
	}
}

// Brackets past depth 5 stay one literal key, as in qs.
func TestParseQueryDepthLimit(t *testing.T) {
	got := parseQuery("a[b][c][d][e][f][g][h]=x")
	want := map[string]any{"a": map[string]any{"b": map[string]any{"c": map[string]any{"d": map[string]any{"e": map[string]any{"f": map[string]any{"[g][h]": "x"}}}}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("depth 7 key: got %#v, want %#v", got, want)
	}
}

// Parameters past the 1,000th are dropped without an error.
func TestParseQueryParameterLimit(t *testing.T) {
	parts := make([]string, 1001)
	for i := range parts {
		parts[i] = fmt.Sprintf("p%d=%d", i, i)
	}
	got := parseQuery(strings.Join(parts, "&"))
	if len(got) != 1000 {
		t.Errorf("got %d parameters, want 1000", len(got))
	}
	if _, ok := got["p999"]; !ok {
		t.Error("parameter 1000 (p999) is missing")
	}
	if v, ok := got["p1000"]; ok {
		t.Errorf("parameter 1001 (p1000) was kept: %v", v)
	}
}
