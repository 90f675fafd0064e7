package mockserver

import (
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// parseQuery reads a raw query string the way the real API's Express 4 does: its "extended"
// query parser is qs with its defaults (ljharb/qs lib/parse.js: arrayLimit 20, depth 5,
// parameterLimit 1000, allowDots false, duplicates "combine", parseArrays true). The result
// is a tree of string, []any and map[string]any. Written here, in about a hundred lines,
// because no maintained Go package copies qs's rules (Go's own url.ParseQuery knows no
// brackets), and the rules that matter are few:
//   - `a[]=x`, `a[0]=x` and `a=x&a=y` make arrays; holes are dropped (`a[5]=x` is ["x"]);
//   - an index above 20 makes an object key instead (`a[21]=x` is {"21": "x"});
//   - `a[b]=x` makes an object; mixing an object into an array turns the array into an
//     object keyed by index;
//   - brackets past depth 5 stay one literal key (`a[b][c][d][e][f][g]` → key "[g]");
//   - parameters past the 1,000th are dropped silently;
//   - `+` is a space, and a bad %-escape leaves the text as it is (qs's decoder catches the
//     URIError and returns the raw string).
//
// Not copied: qs drops keys named like Object.prototype's properties (`hasOwnProperty=1`);
// no parameter the mock reads has such a name.
func parseQuery(raw string) map[string]any {
	const parameterLimit = 1000
	parts := strings.SplitN(raw, "&", parameterLimit+1)
	if len(parts) > parameterLimit {
		parts = parts[:parameterLimit]
	}
	// First pass: flat keys, duplicates combined into arrays (qs's parseValues).
	flat := map[string]any{}
	var order []string
	for _, part := range parts {
		if part == "" {
			continue
		}
		// qs splits at "]=" when there is one, so `a[=]=x`-like keys keep their "=".
		pos := strings.Index(part, "]=")
		if pos >= 0 {
			pos++
		} else {
			pos = strings.IndexByte(part, '=')
		}
		var key, val string
		if pos < 0 {
			key = qsDecode(part)
		} else {
			key, val = qsDecode(part[:pos]), qsDecode(part[pos+1:])
		}
		if key == "" {
			continue
		}
		if old, ok := flat[key]; ok {
			flat[key] = combine(old, val)
		} else {
			flat[key] = val
			order = append(order, key)
		}
	}
	// Second pass: each key's bracket chain becomes nested values, merged into the result.
	out := map[string]any{}
	for _, key := range order {
		chain := splitKey(key)
		if chain == nil {
			continue
		}
		out = merge(out, buildChain(chain, flat[key])).(map[string]any)
	}
	return compactTree(out).(map[string]any)
}

// qsDecode decodes a key or value as qs does: `+` is a space, then percent-decoding; a
// malformed escape leaves the text as it came.
func qsDecode(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

// sparse is a JavaScript array while qs builds it: holes allowed, compacted at the end.
type sparse struct {
	items  map[int]any
	length int
}

func (a *sparse) push(v any) { a.set(a.length, v) }

func (a *sparse) set(i int, v any) {
	a.items[i] = v
	if i >= a.length {
		a.length = i + 1
	}
}

func newSparse(vs ...any) *sparse {
	a := &sparse{items: map[int]any{}}
	for _, v := range vs {
		a.push(v)
	}
	return a
}

func combine(old any, val string) any {
	if a, ok := old.(*sparse); ok {
		a.push(val)
		return a
	}
	return newSparse(old, val)
}

const (
	qsDepth      = 5
	qsArrayLimit = 20
)

var qsSegment = regexp.MustCompile(`\[[^\[\]]*\]`)

// splitKey is qs's parseKeys: the parent, then at most qsDepth bracket segments, then the
// rest as one segment.
func splitKey(key string) []string {
	segs := qsSegment.FindAllStringIndex(key, -1)
	parent := key
	if len(segs) > 0 {
		parent = key[:segs[0][0]]
	}
	var chain []string
	if parent != "" {
		chain = append(chain, parent)
	}
	// qs's child regex runs on from the first bracket, so segments must follow one another;
	// FindAll gives the same matches since each starts where a "[" is.
	for i, s := range segs {
		if i == qsDepth {
			chain = append(chain, "["+key[s[0]:]+"]")
			break
		}
		chain = append(chain, key[s[0]:s[1]])
	}
	return chain
}

// buildChain is qs's parseObject: the leaf wrapped from the innermost segment outwards.
func buildChain(chain []string, leaf any) any {
	for i := len(chain) - 1; i >= 0; i-- {
		root := chain[i]
		if root == "[]" {
			// [].concat(leaf): a leaf that already is an array (`a[]=x&a[]=y`) stays one.
			if _, ok := leaf.(*sparse); !ok {
				leaf = newSparse(leaf)
			}
			continue
		}
		clean := root
		if strings.HasPrefix(root, "[") && strings.HasSuffix(root, "]") {
			clean = root[1 : len(root)-1]
		}
		if n, err := strconv.Atoi(clean); err == nil && root != clean && strconv.Itoa(n) == clean && n >= 0 && n <= qsArrayLimit {
			a := newSparse()
			a.set(n, leaf)
			leaf = a
			continue
		}
		leaf = map[string]any{clean: leaf}
	}
	return leaf
}

// merge is qs's utils.merge for the default options.
func merge(target, source any) any {
	switch src := source.(type) {
	case string:
		switch t := target.(type) {
		case *sparse:
			t.push(src)
			return t
		case map[string]any:
			t[src] = "true" // qs sets true; as a query value it reads as the string
			return t
		}
		return newSparse(target, src)
	case *sparse:
		switch t := target.(type) {
		case *sparse:
			for _, i := range slices.Sorted(maps.Keys(src.items)) {
				item := src.items[i]
				if old, ok := t.items[i]; ok {
					if isObject(old) && isObject(item) {
						t.items[i] = merge(old, item)
					} else {
						t.push(item)
					}
				} else {
					t.set(i, item)
				}
			}
			return t
		case map[string]any:
			for _, i := range slices.Sorted(maps.Keys(src.items)) {
				mergeKey(t, strconv.Itoa(i), src.items[i])
			}
			return t
		}
		a := newSparse(target)
		for _, i := range slices.Sorted(maps.Keys(src.items)) {
			a.push(src.items[i])
		}
		return a
	case map[string]any:
		var m map[string]any
		switch t := target.(type) {
		case map[string]any:
			m = t
		case *sparse:
			m = map[string]any{}
			for i, v := range t.items {
				m[strconv.Itoa(i)] = v
			}
		default:
			a := newSparse(target)
			a.push(src)
			return a
		}
		for k, v := range src {
			mergeKey(m, k, v)
		}
		return m
	}
	return target
}

func mergeKey(m map[string]any, k string, v any) {
	if old, ok := m[k]; ok {
		m[k] = merge(old, v)
	} else {
		m[k] = v
	}
}

func isObject(v any) bool {
	switch v.(type) {
	case *sparse, map[string]any:
		return true
	}
	return false
}

// compactTree turns every sparse array into a []any without its holes (qs's utils.compact).
func compactTree(v any) any {
	switch t := v.(type) {
	case *sparse:
		out := make([]any, 0, len(t.items))
		for _, i := range slices.Sorted(maps.Keys(t.items)) {
			out = append(out, compactTree(t.items[i]))
		}
		return out
	case map[string]any:
		for k, e := range t {
			t[k] = compactTree(e)
		}
		return t
	}
	return v
}
