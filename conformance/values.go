package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/calmock/calmock/scenarios"
)

// ---------------------------------------------------------------------------------------------
// JSON paths: dot-separated keys and array indices, e.g. data.attendees.0.email. "" or "$" is
// the whole document.

// errNoValue means a path does not resolve (a key or index is missing).
var errNoValue = errors.New("no value at path")

func lookup(doc any, path string) (any, error) {
	if path == "" || path == "$" {
		return doc, nil
	}
	cur := doc
	for _, seg := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[seg]
			if !ok {
				return nil, errNoValue
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(v) {
				return nil, errNoValue
			}
			cur = v[i]
		default:
			return nil, errNoValue
		}
	}
	return cur, nil
}

// normalize turns a value from YAML or Go into the shape encoding/json produces
// (map[string]any, []any, float64, string, bool, nil), so that comparisons work.
func normalize(v any) any {
	switch t := v.(type) {
	case nil, string, bool, float64:
		return t
	case int:
		return float64(t)
	case int64:
		return float64(t)
	case uint64:
		return float64(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = normalize(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = normalize(x)
		}
		return out
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return fmt.Sprint(v)
	}
	return out
}

// render shows a value in failure messages: strings bare, everything else as JSON.
func render(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func quote(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return render(v)
}

func typeOf(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		if t == math.Trunc(t) {
			return "integer"
		}
		return "number"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

// ---------------------------------------------------------------------------------------------
// Matchers

// mismatch is one failed matcher operator.
type mismatch struct{ expected, got string }

// match checks every operator of m against the value at a path. present says whether the
// path resolved. Expected values must already be templated and normalised.
func match(m scenarios.Matcher, v any, present bool) []mismatch {
	var out []mismatch
	got := "absent"
	if present {
		got = quote(v)
	}
	fail := func(expected string) { out = append(out, mismatch{expected: expected, got: got}) }

	if m.Has("absent") && m.Absent {
		if present {
			fail("absent")
		}
		return out
	}
	if !present {
		// Every other operator needs a value.
		fail(describe(m))
		return out
	}
	if m.Has("equals") && !reflect.DeepEqual(m.Equals, v) {
		fail(quote(m.Equals))
	}
	if m.Has("notEquals") && reflect.DeepEqual(m.NotEquals, v) {
		fail("not " + quote(m.NotEquals))
	}
	if m.Type != "" {
		t := typeOf(v)
		if !(t == m.Type || (m.Type == "number" && t == "integer")) {
			out = append(out, mismatch{expected: "type " + m.Type, got: "type " + t + " " + got})
		}
	}
	if m.Length != nil {
		n := -1
		switch t := v.(type) {
		case []any:
			n = len(t)
		case map[string]any:
			n = len(t)
		case string:
			n = len([]rune(t))
		}
		if n != *m.Length {
			out = append(out, mismatch{expected: fmt.Sprintf("length %d", *m.Length), got: fmt.Sprintf("length %d: %s", n, abbreviate(got))})
		}
	}
	if m.Regex != "" {
		if re := regexp.MustCompile(m.Regex); !re.MatchString(render(v)) {
			fail("matching /" + m.Regex + "/")
		}
	}
	if m.Has("oneOf") {
		ok := false
		choices, _ := m.OneOf.([]any)
		for _, c := range choices {
			if reflect.DeepEqual(c, v) {
				ok = true
			}
		}
		if !ok {
			fail("one of " + render(m.OneOf))
		}
	}
	if m.Has("contains") {
		ok := false
		switch t := v.(type) {
		case string:
			s, isStr := m.Contains.(string)
			ok = isStr && strings.Contains(t, s)
		case []any:
			for _, x := range t {
				if reflect.DeepEqual(x, m.Contains) {
					ok = true
				}
			}
		}
		if !ok {
			fail("containing " + quote(m.Contains))
		}
	}
	return out
}

// describe summarises a matcher for "expected" when the value is missing.
func describe(m scenarios.Matcher) string {
	var parts []string
	if m.Has("equals") {
		parts = append(parts, quote(m.Equals))
	}
	if m.Has("notEquals") {
		parts = append(parts, "not "+quote(m.NotEquals))
	}
	if m.Type != "" {
		parts = append(parts, "type "+m.Type)
	}
	if m.Length != nil {
		parts = append(parts, fmt.Sprintf("length %d", *m.Length))
	}
	if m.Regex != "" {
		parts = append(parts, "matching /"+m.Regex+"/")
	}
	if m.Has("oneOf") {
		parts = append(parts, "one of "+render(m.OneOf))
	}
	if m.Has("contains") {
		parts = append(parts, "containing "+quote(m.Contains))
	}
	if len(parts) == 0 {
		return "present"
	}
	return "present, " + strings.Join(parts, ", ")
}

func abbreviate(s string) string {
	const max = 300
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
