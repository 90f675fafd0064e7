package openapi

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// deviationKey marks a node of OUR document that differs from the official one on purpose.
// A marked node may differ in its own keywords (type, nullable, enum, required, property set,
// combinator kind and branch count, ref name); the children both sides share are still compared.
const deviationKey = "x-calmock-deviation"

// TestDrift compares our document with the official Cal.com one, as both are written (not
// normalised: normalisation would hide the oneOf/anyOf difference). It fails with every
// unmarked difference in one message.
func TestDrift(t *testing.T) {
	path := officialPath(t)
	official := readJSONMap(t, path)
	var ours map[string]any
	if err := yaml.Unmarshal(embeddedSpec, &ours); err != nil {
		t.Fatal(err)
	}
	ours = stringKeys(ours).(map[string]any)
	if drifts := compareDocs(ours, official); len(drifts) > 0 {
		t.Fatalf("bookings.yaml drifts from %s in %d places (fix the fact, or mark the node with %s):\n  %s",
			path, len(drifts), deviationKey, strings.Join(drifts, "\n  "))
	}
}

// TestCompareDocs proves the comparison can fail, and that a mark excuses only its own node.
func TestCompareDocs(t *testing.T) {
	official := mustDoc(t, `{"openapi":"3.0.0","paths":{
	  "/v2/bookings/{uid}":{"get":{"operationId":"get",
	    "parameters":[{"name":"uid","in":"path","required":true,"schema":{"type":"string"}},
	                  {"name":"take","in":"query","schema":{"type":"number"}}],
	    "responses":{"200":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Out"}}}}}}},
	  "/v2/bookings/{uid}/cancel":{"post":{"operationId":"cancel","responses":{"200":{}}}},
	  "/v2/other":{"get":{"operationId":"ignored"}}},
	 "components":{"schemas":{"Out":{"type":"object","required":["status","data"],"properties":{
	    "status":{"type":"string","enum":["success","error"]},
	    "data":{"oneOf":[{"type":"object","properties":{"n":{"type":"number"}}},{"type":"array"}]}}}}}}`)
	ours := mustDoc(t, `{"openapi":"3.0.3","paths":{
	  "/v2/bookings/{uid}":{"get":{"operationId":"get",
	    "parameters":[{"name":"uid","in":"path","required":true,"schema":{"type":"integer"}},
	                  {"name":"take","in":"query","schema":{"type":"number","minimum":1}}],
	    "responses":{"200":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Out"}}}},
	                 "404":{"description":"errors may be added"}}}},
	  "/v2/bookings/extra":{"get":{"operationId":"extra"}}},
	 "components":{"schemas":{"Out":{"type":"object","required":["status"],"properties":{
	    "status":{"type":"string","enum":["success","error","maybe"]},
	    "data":{"anyOf":[{"type":"object","properties":{"n":{"type":"string"}}},{"type":"array"}]}}}}}}`)
	got := compareDocs(ours, official)
	want := []string{
		`$.paths['/v2/bookings/extra'].get: operation not in the official document`,
		`$.paths['/v2/bookings/{uid}'].get.parameters[path uid].schema: type "integer", official "string"`,
		`$.paths['/v2/bookings/{uid}/cancel'].post: operation missing (official operationId "cancel")`,
		`$.components.schemas.Out: required [status], official [data status]`,
		`$.components.schemas.Out.properties.data: combinator anyOf[2], official oneOf[2]`,
		`$.components.schemas.Out.properties.data.anyOf[0].properties.n: type "string", official "number"`,
		`$.components.schemas.Out.properties.status: enum [error maybe success], official [error success]`,
	}
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("compareDocs =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}

	// Marking the differing nodes silences exactly them; the nested type drift under the
	// marked anyOf is still reported.
	out := dig(ours, "components", "schemas", "Out")
	out[deviationKey] = "test"
	dig(out, "properties", "status")[deviationKey] = "test"
	dig(out, "properties", "data")[deviationKey] = "test"
	dig(ours, "paths", "/v2/bookings/extra", "get")[deviationKey] = "test"
	got = compareDocs(ours, official)
	want = []string{
		`$.paths['/v2/bookings/{uid}'].get.parameters[path uid].schema: type "integer", official "string"`,
		`$.paths['/v2/bookings/{uid}/cancel'].post: operation missing (official operationId "cancel")`,
		`$.components.schemas.Out.properties.data.anyOf[0].properties.n: type "string", official "number"`,
	}
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("after marking, compareDocs =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func mustDoc(tb testing.TB, s string) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		tb.Fatal(err)
	}
	return m
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

type comparer struct {
	ours, official map[string]any
	drifts         []string
	visited        map[string]bool // "ourRef|officialRef" pairs already compared
}

// compareDocs returns every unmarked difference between the bookings operations of two raw
// documents, sorted, each prefixed with the JSON path of the node in OUR document.
//
// Compared: the set of operations (method + path) and their operationIds; parameters by
// (in, name): required and schema; request body: required, media types, schema; responses
// for every status the official document lists: media types and schema. Schemas are compared
// recursively through $ref (names must pair), properties, items, allOf and oneOf/anyOf
// (by position): type, nullable, enum (as a set), required (as a set), property names,
// combinator kind and branch count. Error statuses (4xx/5xx) that only we document are
// additions, not drift. Descriptions, examples, formats and bounds are not compared.
func compareDocs(ours, official map[string]any) []string {
	c := &comparer{ours: ours, official: official, visited: map[string]bool{}}
	oOps, fOps := bookingOps(ours), bookingOps(official)
	for key, f := range fOps {
		o, ok := oOps[key]
		if !ok {
			c.drift(key.jsonPath(), "operation missing (official operationId %q)", f["operationId"])
			continue
		}
		c.compareOperation(key.jsonPath(), o, f)
	}
	for key, o := range oOps {
		if _, ok := fOps[key]; !ok && !marked(o) {
			c.drift(key.jsonPath(), "operation not in the official document")
		}
	}
	sort.Strings(c.drifts)
	return c.drifts
}

type opKey struct{ method, path string }

func (k opKey) jsonPath() string { return fmt.Sprintf("$.paths['%s'].%s", k.path, k.method) }

func bookingOps(doc map[string]any) map[opKey]map[string]any {
	ops := map[opKey]map[string]any{}
	paths, _ := doc["paths"].(map[string]any)
	for p, item := range paths {
		im, _ := item.(map[string]any)
		for m, op := range im {
			if om, ok := op.(map[string]any); ok && slices.Contains(httpMethods, m) && Kept(m, p) && !adminOp(om) {
				ops[opKey{m, p}] = om
			}
		}
	}
	return ops
}

func (c *comparer) drift(path, format string, args ...any) {
	c.drifts = append(c.drifts, path+": "+fmt.Sprintf(format, args...))
}

func marked(n map[string]any) bool {
	_, ok := n[deviationKey]
	return ok
}

func (c *comparer) compareOperation(path string, o, f map[string]any) {
	if o["operationId"] != f["operationId"] && !marked(o) {
		c.drift(path, "operationId %v, official %v", o["operationId"], f["operationId"])
	}
	// Parameters, keyed by location and (for headers, case-insensitive) name.
	params := func(op map[string]any) map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, p := range asSlice(op["parameters"]) {
			pm, _ := p.(map[string]any)
			name, _ := pm["name"].(string)
			if pm["in"] == "header" {
				name = strings.ToLower(name)
			}
			out[fmt.Sprintf("%v %s", pm["in"], name)] = pm
		}
		return out
	}
	oP, fP := params(o), params(f)
	for key, fp := range fP {
		pp := fmt.Sprintf("%s.parameters[%s]", path, key)
		op, ok := oP[key]
		if !ok {
			c.drift(pp, "parameter missing")
			continue
		}
		if truthy(op["required"]) != truthy(fp["required"]) && !marked(op) {
			c.drift(pp, "required %v, official %v", truthy(op["required"]), truthy(fp["required"]))
		}
		c.compareSchema(pp+".schema", asMap(op["schema"]), asMap(fp["schema"]))
	}
	for key, op := range oP {
		if _, ok := fP[key]; !ok && !marked(op) {
			c.drift(fmt.Sprintf("%s.parameters[%s]", path, key), "parameter not in the official document")
		}
	}
	// Request body.
	oB, fB := c.resolveOwn(c.ours, asMap(o["requestBody"])), c.resolveOwn(c.official, asMap(f["requestBody"]))
	switch {
	case oB == nil && fB != nil:
		c.drift(path+".requestBody", "missing")
	case oB != nil && fB == nil:
		if !marked(oB) {
			c.drift(path+".requestBody", "not in the official document")
		}
	case oB != nil:
		if truthy(oB["required"]) != truthy(fB["required"]) && !marked(oB) {
			c.drift(path+".requestBody", "required %v, official %v", truthy(oB["required"]), truthy(fB["required"]))
		}
		c.compareContent(path+".requestBody", oB, fB)
	}
	// Responses: every official status must be ours too.
	oR, fR := asMap(o["responses"]), asMap(f["responses"])
	for code, fr := range fR {
		rp := fmt.Sprintf("%s.responses['%s']", path, code)
		or, ok := oR[code]
		if !ok {
			c.drift(rp, "response missing")
			continue
		}
		c.compareContent(rp, c.resolveOwn(c.ours, asMap(or)), c.resolveOwn(c.official, asMap(fr)))
	}
	for code, or := range oR {
		if _, ok := fR[code]; !ok && !strings.HasPrefix(code, "4") && !strings.HasPrefix(code, "5") && !marked(asMap(or)) {
			c.drift(fmt.Sprintf("%s.responses['%s']", path, code), "success response not in the official document")
		}
	}
}

// resolveOwn follows a $ref to components/requestBodies or components/responses.
func (c *comparer) resolveOwn(doc, n map[string]any) map[string]any {
	if ref, ok := n["$ref"].(string); ok {
		return lookupRef(doc, ref)
	}
	return n
}

func (c *comparer) compareContent(path string, o, f map[string]any) {
	oc, fc := asMap(o["content"]), asMap(f["content"])
	for mt, fm := range fc {
		om, ok := oc[mt]
		if !ok {
			c.drift(fmt.Sprintf("%s.content['%s']", path, mt), "media type missing")
			continue
		}
		c.compareSchema(fmt.Sprintf("%s.content['%s'].schema", path, mt), asMap(asMap(om)["schema"]), asMap(asMap(fm)["schema"]))
	}
	for mt := range oc {
		if _, ok := fc[mt]; !ok && len(fc) > 0 && !marked(o) {
			c.drift(fmt.Sprintf("%s.content['%s']", path, mt), "media type not in the official document")
		}
	}
}

// compareSchema compares two schema nodes; path names the node in OUR document.
func (c *comparer) compareSchema(path string, o, f map[string]any) {
	if o == nil || f == nil {
		if (o == nil) != (f == nil) {
			c.drift(path, "schema present on one side only")
		}
		return
	}
	oRef, _ := o["$ref"].(string)
	fRef, _ := f["$ref"].(string)
	isMarked := marked(o)
	if oRef != "" || fRef != "" {
		if refName(oRef) != refName(fRef) && !isMarked {
			c.drift(path, "refers to %q, official %q", refName(oRef), refName(fRef))
		}
		key := oRef + "|" + fRef
		if c.visited[key] {
			return
		}
		c.visited[key] = true
		if oRef != "" {
			o = lookupRef(c.ours, oRef)
			path = "$.components.schemas." + refName(oRef)
			isMarked = isMarked || marked(o)
		}
		if fRef != "" {
			f = lookupRef(c.official, fRef)
		}
		if o == nil || f == nil {
			c.drift(path, "unresolvable $ref (ours %q, official %q)", oRef, fRef)
			return
		}
	}
	if !isMarked {
		if ot, ft := typeOf(o), typeOf(f); ot != ft {
			c.drift(path, "type %q, official %q", ot, ft)
		}
		if truthy(o["nullable"]) != truthy(f["nullable"]) {
			c.drift(path, "nullable %v, official %v", truthy(o["nullable"]), truthy(f["nullable"]))
		}
		if oe, fe := stringSet(o["enum"]), stringSet(f["enum"]); !slices.Equal(oe, fe) {
			c.drift(path, "enum %v, official %v", oe, fe)
		}
		if or, fr := stringSet(o["required"]), stringSet(f["required"]); !slices.Equal(or, fr) {
			c.drift(path, "required %v, official %v", or, fr)
		}
		if ok, fk := combinator(o), combinator(f); ok != fk {
			c.drift(path, "combinator %s, official %s", ok, fk)
		}
		if (o["items"] == nil) != (f["items"] == nil) {
			c.drift(path, "items on one side only")
		}
	}
	oProps, fProps := asMap(o["properties"]), asMap(f["properties"])
	for _, name := range sortedKeys(fProps) {
		if op, ok := oProps[name]; ok {
			c.compareSchema(path+".properties."+name, asMap(op), asMap(fProps[name]))
		} else if !isMarked {
			c.drift(path+".properties."+name, "property missing")
		}
	}
	for _, name := range sortedKeys(oProps) {
		if _, ok := fProps[name]; !ok && !isMarked && !marked(asMap(oProps[name])) {
			c.drift(path+".properties."+name, "property not in the official document")
		}
	}
	if o["items"] != nil && f["items"] != nil {
		c.compareSchema(path+".items", asMap(o["items"]), asMap(f["items"]))
	}
	oAll, fAll := asSlice(o["allOf"]), asSlice(f["allOf"])
	for i := 0; i < min(len(oAll), len(fAll)); i++ {
		c.compareSchema(fmt.Sprintf("%s.allOf[%d]", path, i), asMap(oAll[i]), asMap(fAll[i]))
	}
	oKey, oBr := branches(o)
	_, fBr := branches(f)
	for i := 0; i < min(len(oBr), len(fBr)); i++ {
		c.compareSchema(fmt.Sprintf("%s.%s[%d]", path, oKey, i), asMap(oBr[i]), asMap(fBr[i]))
	}
}

// combinator describes a node's oneOf/anyOf/allOf use, e.g. "anyOf[3]", for comparison.
func combinator(n map[string]any) string {
	var parts []string
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if s := asSlice(n[k]); s != nil {
			parts = append(parts, fmt.Sprintf("%s[%d]", k, len(s)))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "+")
}

func branches(n map[string]any) (string, []any) {
	if s := asSlice(n["anyOf"]); s != nil {
		return "anyOf", s
	}
	return "oneOf", asSlice(n["oneOf"])
}

func lookupRef(doc map[string]any, ref string) map[string]any {
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	return dig(doc, strings.Split(strings.TrimPrefix(ref, "#/"), "/")...)
}

func typeOf(n map[string]any) string {
	t, _ := n["type"].(string)
	return t
}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func truthy(v any) bool {
	b, _ := v.(bool)
	return b
}

func stringSet(v any) []string {
	var out []string
	for _, x := range asSlice(v) {
		out = append(out, fmt.Sprint(x))
	}
	sort.Strings(out)
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// adminOp reports whether op is one of calmock's own (tagged AdminTag): never compared.
func adminOp(op map[string]any) bool {
	tags, _ := op["tags"].([]any)
	return slices.Contains(tags, any(AdminTag))
}
