package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Cal.com applies a payloadTemplate with Handlebars (packages/features/webhooks/lib/
// sendPayload.ts, applyTemplate):
//
//	const compiled = compile(template)(data).replace(/&quot;/g, '"');
//	if (contentType === "application/json") return JSON.stringify(jsonParse(compiled));
//	return compiled;
//
// where data is the payload with triggerEvent and createdAt added at the top level, the
// content type is JSON when the template itself parses as a truthy JSON value, and
// jsonParse returns false for text that is not JSON (so such a body is `false`).
//
// The mock implements the part of Handlebars templates use: {{path}} (HTML-escaped as
// Handlebars escapes, then &quot; turned back into "), {{{path}}} and {{&path}} (raw),
// comments, \{{ escapes and ~ whitespace control. Paths are dotted or slashed, with
// numeric segments indexing arrays (attendees.0.name), [segment] literals, this and
// length. A block helper ({{#if}}, {{#each}}, …), a partial or a helper call with
// arguments is refused with ErrTemplateUnsupported rather than sent wrong.

// ErrTemplateUnsupported is returned for templates using Handlebars features the mock
// does not implement.
var ErrTemplateUnsupported = errors.New("webhook: payloadTemplate uses a Handlebars feature the mock does not implement")

// ApplyTemplate renders tmpl over data and, for contentType JSON, re-serialises the result
// as JSON.stringify(JSON.parse(…)) does.
func ApplyTemplate(tmpl string, data map[string]any, contentType string) ([]byte, error) {
	out, err := renderHandlebars(tmpl, data)
	if err != nil {
		return nil, err
	}
	out = strings.ReplaceAll(out, "&quot;", `"`)
	if contentType != ContentTypeJSON {
		return []byte(out), nil
	}
	v, ok := parseJS(out)
	if !ok {
		return []byte("false"), nil
	}
	var buf bytes.Buffer
	v.write(&buf)
	return buf.Bytes(), nil
}

func renderHandlebars(tmpl string, data map[string]any) (string, error) {
	var out strings.Builder
	trimNext := false
	for len(tmpl) > 0 {
		i := strings.Index(tmpl, "{{")
		if i < 0 {
			writeText(&out, tmpl, trimNext)
			break
		}
		if i > 0 && tmpl[i-1] == '\\' { // \{{ is a literal {{
			writeText(&out, tmpl[:i-1], trimNext)
			trimNext = false
			end := strings.Index(tmpl[i:], "}}")
			if end < 0 {
				out.WriteString(tmpl[i:])
				break
			}
			out.WriteString(tmpl[i : i+end+2])
			tmpl = tmpl[i+end+2:]
			continue
		}
		text := tmpl[:i]
		tmpl = tmpl[i:]
		var inner string
		raw := false
		switch {
		case strings.HasPrefix(tmpl, "{{!--"):
			end := strings.Index(tmpl, "--}}")
			if end < 0 {
				return "", fmt.Errorf("%w: unclosed comment", ErrTemplateUnsupported)
			}
			writeText(&out, text, trimNext)
			trimNext = false
			tmpl = tmpl[end+4:]
			continue
		case strings.HasPrefix(tmpl, "{{{"):
			end := strings.Index(tmpl, "}}}")
			if end < 0 {
				return "", fmt.Errorf("%w: unclosed {{{", ErrTemplateUnsupported)
			}
			inner, raw = tmpl[3:end], true
			tmpl = tmpl[end+3:]
		default:
			end := strings.Index(tmpl, "}}")
			if end < 0 {
				return "", fmt.Errorf("%w: unclosed {{", ErrTemplateUnsupported)
			}
			inner = tmpl[2:end]
			tmpl = tmpl[end+2:]
		}
		if strings.HasPrefix(inner, "~") {
			text = strings.TrimRight(text, " \t\r\n")
			inner = inner[1:]
		}
		nextTrim := false
		if strings.HasSuffix(inner, "~") {
			nextTrim = true
			inner = inner[:len(inner)-1]
		}
		writeText(&out, text, trimNext)
		trimNext = nextTrim
		inner = strings.TrimSpace(inner)
		if strings.HasPrefix(inner, "!") {
			continue
		}
		if strings.HasPrefix(inner, "&") {
			raw, inner = true, strings.TrimSpace(inner[1:])
		}
		if inner == "" || strings.ContainsAny(inner[:1], "#/^>@") || inner == "else" || strings.ContainsAny(inner, " \t\n=()") {
			return "", fmt.Errorf("%w: {{%s}}", ErrTemplateUnsupported, inner)
		}
		s := jsString(lookup(data, inner))
		if !raw {
			s = escapeHTML(s)
		}
		out.WriteString(s)
	}
	return out.String(), nil
}

func writeText(out *strings.Builder, s string, trimLeft bool) {
	if trimLeft {
		s = strings.TrimLeft(s, " \t\r\n")
	}
	out.WriteString(s)
}

// lookup resolves a Handlebars path in data; a missing step is undefined (nil).
func lookup(data map[string]any, path string) any {
	var cur any = data
	if path == "this" || path == "." {
		return cur
	}
	path = strings.TrimPrefix(strings.TrimPrefix(path, "this."), "./")
	for _, seg := range splitPath(path) {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[seg]
		case []any:
			if seg == "length" {
				cur = json.Number(strconv.Itoa(len(c)))
				continue
			}
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		case string:
			if seg != "length" {
				return nil
			}
			cur = json.Number(strconv.Itoa(utf16Len(c))) // JavaScript counts UTF-16 units
		default:
			return nil
		}
	}
	return cur
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func splitPath(p string) []string {
	var segs []string
	for len(p) > 0 {
		if p[0] == '[' {
			end := strings.IndexByte(p, ']')
			if end < 0 {
				segs = append(segs, p[1:])
				break
			}
			segs = append(segs, p[1:end])
			p = strings.TrimLeft(p[end+1:], "./")
			continue
		}
		end := strings.IndexAny(p, "./")
		if end < 0 {
			segs = append(segs, p)
			break
		}
		segs = append(segs, p[:end])
		p = p[end+1:]
	}
	return segs
}

// jsString is JavaScript's String(v) for the JSON values of data, as Handlebars outputs
// them: undefined and null give "", arrays join their elements with ",", objects give
// "[object Object]".
func jsString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil && !math.IsInf(f, 0) {
			return string(t)
		}
		return jsNumber(f)
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = jsString(e)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return "[object Object]"
	}
	return fmt.Sprint(v)
}

// jsNumber is Number.prototype.toString for finite numbers (and JSON.stringify's).
func jsNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	}
	if a := math.Abs(f); a >= 1e-6 && a < 1e21 { // Number::toString: decimal for -6 < n ≤ 21
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // 1e-07, 1.5e+21
	mant, exp, _ := strings.Cut(s, "e")
	sign := exp[:1]
	exp = strings.TrimLeft(exp[1:], "0")
	return mant + "e" + sign + exp
}

// escapeHTML is Handlebars' escapeExpression.
var handlebarsEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;", "`", "&#x60;", "=", "&#x3D;",
)

func escapeHTML(s string) string { return handlebarsEscaper.Replace(s) }

// jsonTruthy is sendPayload's `jsonParse(template)` used as a condition: the template
// parses as JSON and the value is truthy (not false, 0, null or "").
func jsonTruthy(s string) bool {
	v, ok := parseJS(s)
	if !ok {
		return false
	}
	switch v.kind {
	case jsNull:
		return false
	case jsBool:
		return v.b
	case jsNum:
		f, _ := strconv.ParseFloat(v.s, 64)
		return f != 0 && !math.IsNaN(f)
	case jsStr:
		return v.s != ""
	}
	return true
}

// jsValue is a parsed JSON value that keeps what JSON.stringify(JSON.parse(x)) keeps:
// object keys in JavaScript's property order (array-index keys ascending, then the others
// in first-insertion order, a repeated key keeping its place and its last value).
type jsValue struct {
	kind  jsKind
	b     bool
	s     string // string value, or number text
	items []jsValue
	keys  []string
	vals  map[string]jsValue
}

type jsKind int

const (
	jsNull jsKind = iota
	jsBool
	jsNum
	jsStr
	jsArr
	jsObj
)

func parseJS(s string) (jsValue, bool) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := parseValue(dec)
	if err != nil {
		return jsValue{}, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return jsValue{}, false
	}
	return v, true
}

func parseValue(dec *json.Decoder) (jsValue, error) {
	tok, err := dec.Token()
	if err != nil {
		return jsValue{}, err
	}
	switch t := tok.(type) {
	case nil:
		return jsValue{kind: jsNull}, nil
	case bool:
		return jsValue{kind: jsBool, b: t}, nil
	case json.Number:
		return jsValue{kind: jsNum, s: string(t)}, nil
	case string:
		return jsValue{kind: jsStr, s: t}, nil
	case json.Delim:
		switch t {
		case '[':
			v := jsValue{kind: jsArr}
			for dec.More() {
				e, err := parseValue(dec)
				if err != nil {
					return v, err
				}
				v.items = append(v.items, e)
			}
			_, err := dec.Token()
			return v, err
		case '{':
			v := jsValue{kind: jsObj, vals: map[string]jsValue{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return v, err
				}
				k, _ := kt.(string)
				e, err := parseValue(dec)
				if err != nil {
					return v, err
				}
				if _, dup := v.vals[k]; !dup {
					v.keys = append(v.keys, k)
				}
				v.vals[k] = e
			}
			_, err := dec.Token()
			v.keys = jsKeyOrder(v.keys)
			return v, err
		}
	}
	return jsValue{}, fmt.Errorf("webhook: unexpected JSON token %v", tok)
}

// jsKeyOrder puts array-index keys ("0", "17"; canonical, below 2^32-1) first, ascending.
func jsKeyOrder(keys []string) []string {
	var idx []uint64
	var rest []string
	for _, k := range keys {
		if n, err := strconv.ParseUint(k, 10, 32); err == nil && n < math.MaxUint32 && strconv.FormatUint(n, 10) == k {
			idx = append(idx, n)
			continue
		}
		rest = append(rest, k)
	}
	if len(idx) == 0 {
		return keys
	}
	for i := 1; i < len(idx); i++ { // few keys: insertion sort
		for j := i; j > 0 && idx[j] < idx[j-1]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	out := make([]string, 0, len(keys))
	for _, n := range idx {
		out = append(out, strconv.FormatUint(n, 10))
	}
	return append(out, rest...)
}

func (v jsValue) write(buf *bytes.Buffer) {
	switch v.kind {
	case jsNull:
		buf.WriteString("null")
	case jsBool:
		buf.WriteString(strconv.FormatBool(v.b))
	case jsNum:
		f, err := strconv.ParseFloat(v.s, 64)
		if err != nil && !math.IsInf(f, 0) || math.IsInf(f, 0) {
			buf.WriteString("null") // JSON.stringify(Infinity)
			return
		}
		buf.WriteString(jsNumber(f))
	case jsStr:
		writeJSString(buf, v.s)
	case jsArr:
		buf.WriteByte('[')
		for i, e := range v.items {
			if i > 0 {
				buf.WriteByte(',')
			}
			e.write(buf)
		}
		buf.WriteByte(']')
	case jsObj:
		buf.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSString(buf, k)
			buf.WriteByte(':')
			v.vals[k].write(buf)
		}
		buf.WriteByte('}')
	}
}

// writeJSString quotes s as JSON.stringify does: only ", \ and control characters escaped.
func writeJSString(buf *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			buf.WriteString(`\"`)
		case '\\':
			buf.WriteString(`\\`)
		case '\b':
			buf.WriteString(`\b`)
		case '\f':
			buf.WriteString(`\f`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case '\t':
			buf.WriteString(`\t`)
		default:
			if r < 0x20 {
				buf.WriteString(`\u00`)
				buf.WriteByte(hex[r>>4])
				buf.WriteByte(hex[r&0xf])
				continue
			}
			buf.WriteRune(r)
		}
	}
	buf.WriteByte('"')
}
