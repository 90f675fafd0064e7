// Package openapi holds calmock's description of the Cal.com API v2 bookings endpoints
// (cal-api-version 2024-08-13) and validates HTTP traffic against it.
//
// The package is shared by the mock server, the conformance suite and their tests. It knows
// nothing about booking state: it answers "which operation is this request?" and "does this
// request or response match the document?".
//
// Load("") gives the embedded bookings.yaml. Load(path) reads any other OpenAPI 3 document
// (for example the official Cal.com file) and normalises it the same way, see normalise.
package openapi

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/router"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"go.yaml.in/yaml/v3"
)

// embeddedSpec is calmock's own bookings document. Its descriptions are ours; its facts follow
// the official Cal.com document except where a node carries x-calmock-deviation.
//
//go:embed bookings.yaml
var embeddedSpec []byte

// EmbeddedName is the name Load reports for the embedded document in errors.
const EmbeddedName = "embedded bookings.yaml"

// pathPrefix and keptPath select the operations the package keeps: the bookings and the
// webhooks of users and event types (issue 18). Every other path is pruned at load: the
// validator pre-compiles the schemas of every operation, which costs ~5 s for the full
// Cal.com document and ~0.5 s for the bookings paths alone.
const pathPrefix = "/v2/bookings"

// keptPath reports whether every operation of the path template p is one of the package's:
// the bookings, and the webhook subscriptions (issue 18).
func keptPath(p string) bool {
	return strings.HasPrefix(p, pathPrefix) || p == "/v2/webhooks" || strings.HasPrefix(p, "/v2/webhooks/") ||
		strings.HasPrefix(p, "/v2/event-types/{eventTypeId}/webhooks")
}

// discoveryOps are the operations outside keptPath the package keeps, by path and lower-case
// method: the read-only endpoints profile discovery calls (mockserver/discovery.go). Other
// methods of their paths are pruned with the other paths.
var discoveryOps = map[string]string{
	"/v2/me":                         "get",
	"/v2/event-types":                "get",
	"/v2/teams":                      "get",
	"/v2/teams/{teamId}/event-types": "get",
}

// Kept reports whether the package keeps the operation (method in any case): a bookings or
// webhooks operation, a discovery read, or calmock's own.
func Kept(method, path string) bool {
	if keptPath(path) || strings.HasPrefix(path, "/_calmock/") {
		return true
	}
	m, ok := discoveryOps[path]
	return ok && strings.EqualFold(m, method)
}

// AdminTag marks calmock's own operations (/_calmock/…) in the document: they are kept out of
// Operations and of the drift comparison with the official Cal.com document.
const AdminTag = "calmock admin"

// Operation identifies one operation of the document.
type Operation struct {
	Method      string // upper case, e.g. "POST"
	Path        string // path template, e.g. "/v2/bookings/{bookingUid}/cancel"
	OperationID string // e.g. "BookingsController_2024_08_13_cancelBooking"
}

// String returns "METHOD path".
func (o Operation) String() string { return o.Method + " " + o.Path }

// Document is a loaded, normalised OpenAPI document. It is safe for concurrent use.
//
// The validator is built lazily by the first Validate call, because building it takes about
// half a second and the mock must start fast.
type Document struct {
	name    string // file path or EmbeddedName, for messages
	raw     []byte
	model   *v3.Document
	router  router.Router
	ops     []Operation
	patches []string

	// documentsErrors is true when any operation documents a 4xx/5xx response. The official
	// Cal.com document lists only 200/201, so for it an undocumented error status says nothing
	// about the server and ValidateResponse ignores it; for ours it is a violation.
	documentsErrors bool

	once      sync.Once
	validator validator.Validator

	// versions are the documents of the operations another cal-api-version serves in its
	// own way on a method and path this document already describes (see versionsKey).
	versions map[string]*Document
}

// versionsKey is the top-level extension of our document that describes the operations of
// a cal-api-version other than the document's own (info.version), for a method and path
// that version serves differently: `x-calmock-versions: {<version>: {<path>: <path item>}}`.
// OpenAPI has one operation per method and path, while the real API routes one method and
// path to a controller per version (cal-api-version 2026-05-01's GET /v2/bookings is not
// 2024-08-13's). Each version becomes a document of its own, with the main document's
// components and only its own paths; a request whose cal-api-version header names it and
// whose method and path it describes is validated against it, any other against the main
// document. Operations lists both.
const versionsKey = "x-calmock-versions"

// versionHeader is the header that selects a version's document.
const versionHeader = "cal-api-version"

// Load reads and normalises an OpenAPI 3 document. An empty path means the embedded
// bookings.yaml; otherwise the file's extension (.json, .yaml, .yml) decides how it is parsed.
func Load(path string) (*Document, error) {
	if path == "" {
		doc, err := parse(EmbeddedName, embeddedSpec, false)
		if err != nil {
			return nil, fmt.Errorf("load spec %s: %w", EmbeddedName, err)
		}
		return doc, nil
	}
	var isJSON bool
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		isJSON = true
	case ".yaml", ".yml":
	default:
		return nil, fmt.Errorf("load spec %s: unsupported extension %q (want .json, .yaml or .yml)", path, filepath.Ext(path))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load spec %s: %w", path, err)
	}
	doc, err := parse(path, data, isJSON)
	if err != nil {
		return nil, fmt.Errorf("load spec %s: %w", path, err)
	}
	return doc, nil
}

// parse decodes data, normalises it and builds the libopenapi model.
func parse(name string, data []byte, isJSON bool) (*Document, error) {
	var tree any
	if isJSON {
		if err := json.Unmarshal(data, &tree); err != nil {
			return nil, fmt.Errorf("decode JSON: %w", err)
		}
	} else {
		if err := yaml.Unmarshal(data, &tree); err != nil {
			return nil, fmt.Errorf("decode YAML: %w", err)
		}
		tree = stringKeys(tree)
	}
	root, ok := tree.(map[string]any)
	if !ok {
		return nil, errors.New("not an OpenAPI document: top level is not an object")
	}
	if v, _ := root["openapi"].(string); !strings.HasPrefix(v, "3.") {
		return nil, fmt.Errorf("not an OpenAPI 3 document: openapi field is %q", v)
	}
	if _, ok := root["paths"].(map[string]any); !ok {
		return nil, errors.New("not an OpenAPI document: no paths object")
	}

	patches := normalise(root)
	// The main document keeps the extension (OpenAPI allows x- keys at the top level, and
	// the validator ignores them), so that our YAML needs no re-encoding.
	versionPaths, _ := root[versionsKey].(map[string]any)
	raw := data
	if len(patches) > 0 {
		// Re-encode only when something changed, so that SpecLine in violations points into the
		// file as written (our bookings.yaml needs no patch).
		var err error
		if raw, err = json.MarshalIndent(root, "", "  "); err != nil {
			return nil, fmt.Errorf("encode normalised document: %w", err)
		}
	}

	d, err := build(name, raw, patches)
	if err != nil {
		return nil, err
	}
	for _, v := range slices.Sorted(maps.Keys(versionPaths)) {
		paths, ok := versionPaths[v].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s[%q]: not a paths object", versionsKey, v)
		}
		sub := maps.Clone(root)
		delete(sub, versionsKey)
		sub["paths"] = paths
		subRaw, err := json.Marshal(sub)
		if err != nil {
			return nil, fmt.Errorf("encode %s[%q]: %w", versionsKey, v, err)
		}
		vd, err := build(fmt.Sprintf("%s (cal-api-version %s)", name, v), subRaw, nil)
		if err != nil {
			return nil, fmt.Errorf("%s[%q]: %w", versionsKey, v, err)
		}
		if d.versions == nil {
			d.versions = map[string]*Document{}
		}
		d.versions[v] = vd
		d.ops = append(d.ops, vd.ops...)
		d.documentsErrors = d.documentsErrors || vd.documentsErrors
	}
	return d, nil
}

// forRequest is the document that describes r: the one of r's cal-api-version when it has
// r's method and path, else d.
func (d *Document) forRequest(r *http.Request) *Document {
	if vd := d.versions[r.Header.Get(versionHeader)]; vd != nil {
		if _, ok := vd.findOwn(r); ok {
			return vd
		}
	}
	return d
}

// build parses an already normalised document and prepares routing.
func build(name string, raw []byte, patches []string) (*Document, error) {
	ldoc, err := libopenapi.NewDocument(raw)
	if err != nil {
		return nil, fmt.Errorf("parse OpenAPI: %w", err)
	}
	built, err := ldoc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("build OpenAPI model: %w", err)
	}
	if built == nil {
		return nil, errors.New("build OpenAPI model: no model")
	}
	d := &Document{name: name, raw: raw, model: &built.Model, patches: patches}
	d.router = router.NewRouter(d.model, router.WithPathOnlyMatching())
	d.collectOperations()
	if len(d.ops) == 0 {
		return nil, fmt.Errorf("no operations under %s", pathPrefix)
	}
	return d, nil
}

func (d *Document) collectOperations() {
	if d.model.Paths == nil || d.model.Paths.PathItems == nil {
		return
	}
	for p := d.model.Paths.PathItems.First(); p != nil; p = p.Next() {
		for o := p.Value().GetOperations().First(); o != nil; o = o.Next() {
			op := o.Value()
			if slices.Contains(op.Tags, AdminTag) {
				continue // calmock's own endpoints are not Cal.com operations
			}
			d.ops = append(d.ops, Operation{Method: strings.ToUpper(o.Key()), Path: p.Key(), OperationID: op.OperationId})
			if op.Responses == nil || op.Responses.Codes == nil {
				continue
			}
			for c := op.Responses.Codes.First(); c != nil; c = c.Next() {
				if code := c.Key(); strings.HasPrefix(code, "4") || strings.HasPrefix(code, "5") {
					d.documentsErrors = true
				}
			}
		}
	}
	sort.Slice(d.ops, func(i, j int) bool {
		if d.ops[i].Path != d.ops[j].Path {
			return d.ops[i].Path < d.ops[j].Path
		}
		return d.ops[i].Method < d.ops[j].Method
	})
}

// Operations returns every operation of the document, sorted by path then method.
// The caller may modify the returned slice.
func (d *Document) Operations() []Operation {
	return append([]Operation(nil), d.ops...)
}

// FindOperation returns the operation that r's method and path select. It reports false for
// an unknown path and for a known path with an undocumented method.
func (d *Document) FindOperation(r *http.Request) (Operation, bool) {
	return d.forRequest(r).findOwn(r)
}

// findOwn is FindOperation among d's own paths.
func (d *Document) findOwn(r *http.Request) (Operation, bool) {
	route, err := d.router.FindRoute(rewriteAPIPrefix(r))
	if err != nil || route == nil || route.Operation == nil {
		return Operation{}, false
	}
	return Operation{Method: strings.ToUpper(route.Method), Path: route.Path, OperationID: route.Operation.OperationId}, true
}

// OperationModel returns libopenapi's model of op (parameters, request body, responses), for
// tools and tests that derive requests from the document. It reports false when the document
// has no such operation. The model is shared: the caller must not modify it.
func (d *Document) OperationModel(op Operation) (*v3.Operation, bool) {
	for _, doc := range append([]*Document{d}, slices.Collect(maps.Values(d.versions))...) {
		item, ok := doc.model.Paths.PathItems.Get(op.Path)
		if !ok {
			continue
		}
		o, ok := item.GetOperations().Get(strings.ToLower(op.Method))
		if ok && o != nil && (op.OperationID == "" || o.OperationId == op.OperationID) {
			return o, true
		}
	}
	return nil, false
}

// Title returns info.title.
func (d *Document) Title() string {
	if d.model.Info == nil {
		return ""
	}
	return d.model.Info.Title
}

// Version returns info.version. For the embedded document it is the cal-api-version it
// describes ("2024-08-13").
func (d *Document) Version() string {
	if d.model.Info == nil {
		return ""
	}
	return d.model.Info.Version
}

// Raw returns the normalised document the validator uses: the file as written (YAML or JSON)
// when no patch was needed, else indented JSON. SpecLine values refer to these bytes.
// The caller must not modify the returned slice.
func (d *Document) Raw() []byte { return d.raw }

// DocumentsErrors reports whether the document describes error responses (any 4xx or 5xx).
// When it does not (the official Cal.com file), ValidateResponse ignores undocumented error
// statuses instead of reporting them.
func (d *Document) DocumentsErrors() bool { return d.documentsErrors }

// ---------------------------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------------------------

// Patch names, as recorded by normalise. They are part of the tests' contract: a new version
// of the official document that needs different patches must fail loudly, not silently.
const (
	patchPrunePaths   = "prune paths outside " + pathPrefix + ", the webhooks and the discovery reads"
	patchOneOfToAnyOf = "rename oneOf to anyOf"
	patchReassignData = "replace self-referential ReassignBookingOutput_2024_08_13.data"
)

// httpMethods are the operation keys of a path item.
var httpMethods = []string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}

// reassignSchema is the schema whose data property the official document declares as itself.
const reassignSchema = "ReassignBookingOutput_2024_08_13"

// normalise applies the load-time patches to any document, in place, and returns the names
// of the patches that changed something, each with a count. The list is deliberately short:
//
//  1. Prune paths not under /v2/bookings nor the webhooks', but for the discovery reads
//     (discoveryOps) (validator warm-up drops from ~5 s to ~0.5 s).
//  2. Rename oneOf to anyOf. The official document's oneOfs all overlap (no discriminator, no
//     additionalProperties:false; a recurring booking is a superset of a regular one), so
//     "exactly one" rejects valid traffic. The server picks the variant from the event type,
//     not from the JSON, so anyOf is the honest meaning.
//  3. Replace ReassignBookingOutput_2024_08_13.data when it refers to its own schema: no
//     finite response could validate. The real shape is {bookingUid, reassignedTo}.
func normalise(root map[string]any) []string {
	var patches []string
	if paths, ok := root["paths"].(map[string]any); ok {
		n := 0
		for p, item := range paths {
			if _, discovery := discoveryOps[p]; discovery {
				// Keep the discovery method and what is not an operation (parameters).
				im, _ := item.(map[string]any)
				for m := range im {
					if slices.Contains(httpMethods, m) && !Kept(m, p) {
						delete(im, m)
						n++
					}
				}
				continue
			}
			if !Kept("", p) { // calmock's own (AdminTag) stay
				delete(paths, p)
				n++
			}
		}
		if n > 0 {
			patches = append(patches, fmt.Sprintf("%s (%d)", patchPrunePaths, n))
		}
	}
	if n := renameKey(root, "oneOf", "anyOf"); n > 0 {
		patches = append(patches, fmt.Sprintf("%s (%d)", patchOneOfToAnyOf, n))
	}
	if fixReassignData(root) {
		patches = append(patches, patchReassignData)
	}
	return patches
}

// renameKey renames every from key to to, recursively, and returns how many it renamed.
// A node holding both keys keeps both constraints by moving them under allOf.
func renameKey(n any, from, to string) int {
	count := 0
	switch t := n.(type) {
	case map[string]any:
		if v, ok := t[from]; ok {
			delete(t, from)
			if existing, clash := t[to]; clash {
				t["allOf"] = append(asSlice(t["allOf"]), map[string]any{to: existing}, map[string]any{to: v})
				delete(t, to)
			} else {
				t[to] = v
			}
			count++
		}
		for _, v := range t {
			count += renameKey(v, from, to)
		}
	case []any:
		for _, v := range t {
			count += renameKey(v, from, to)
		}
	}
	return count
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// fixReassignData replaces the reassign output's data when any of its subschemas is a $ref
// to the reassign output itself. It reports whether it changed the document.
func fixReassignData(root map[string]any) bool {
	schemas := dig(root, "components", "schemas")
	out, _ := schemas[reassignSchema].(map[string]any)
	props, _ := out["properties"].(map[string]any)
	data, _ := props["data"].(map[string]any)
	if data == nil || !refersTo(data, "#/components/schemas/"+reassignSchema) {
		return false
	}
	props["data"] = map[string]any{
		"type":     "object",
		"required": []any{"bookingUid", "reassignedTo"},
		"properties": map[string]any{
			"bookingUid": map[string]any{"type": "string"},
			"reassignedTo": map[string]any{
				"type":     "object",
				"required": []any{"id", "name", "email"},
				"properties": map[string]any{
					"id":    map[string]any{"type": "number"},
					"name":  map[string]any{"type": "string"},
					"email": map[string]any{"type": "string"},
				},
			},
		},
	}
	return true
}

func refersTo(n any, ref string) bool {
	switch t := n.(type) {
	case map[string]any:
		if r, _ := t["$ref"].(string); r == ref {
			return true
		}
		for _, v := range t {
			if refersTo(v, ref) {
				return true
			}
		}
	case []any:
		for _, v := range t {
			if refersTo(v, ref) {
				return true
			}
		}
	}
	return false
}

// dig walks nested objects by key and returns the object found, or nil.
func dig(n map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, _ := n[k].(map[string]any)
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}

// stringKeys converts the map[any]any that YAML produces for non-string keys (e.g. a
// response code written as 200 rather than '200') into map[string]any, recursively.
func stringKeys(n any) any {
	switch t := n.(type) {
	case map[string]any:
		for k, v := range t {
			t[k] = stringKeys(v)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, v := range t {
			m[fmt.Sprint(k)] = stringKeys(v)
		}
		return m
	case []any:
		for i, v := range t {
			t[i] = stringKeys(v)
		}
		return t
	}
	return n
}

// rewriteAPIPrefix mirrors the real server, which serves /api/v2/... as /v2/...: it returns
// r itself, or a shallow copy with the prefix removed. The body is shared, not read.
func rewriteAPIPrefix(r *http.Request) *http.Request {
	if !strings.HasPrefix(r.URL.Path, "/api/v2/") && r.URL.Path != "/api/v2" {
		return r
	}
	c := r.WithContext(r.Context())
	u := *r.URL
	u.Path = strings.TrimPrefix(u.Path, "/api")
	u.RawPath = ""
	c.URL = &u
	return c
}
