package openapi

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	validator "github.com/pb33f/libopenapi-validator"
	vErrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"
)

// Violation kinds. A report can group by them; tests compare against them.
const (
	KindPath           = "path"            // no operation for this method and path
	KindRequestBody    = "request.body"    // request body does not match its schema
	KindRequestQuery   = "request.query"   // query parameter missing or invalid
	KindRequestHeader  = "request.header"  // header parameter missing or invalid
	KindRequestPath    = "request.path"    // path parameter invalid
	KindRequest        = "request"         // anything else about the request (security, content type)
	KindResponseStatus = "response.status" // status code not documented for the operation
	KindResponseBody   = "response.body"   // response body or content type does not match
	KindResponseHeader = "response.header" // response header missing or invalid
)

// Violation is one way in which a request or response departs from the document.
type Violation struct {
	Kind      string // one of the Kind constants
	Operation string // operationId, or "METHOD path" when no operation matched
	Field     string // JSON path ($.data.status) for bodies; the name for parameters and headers (compare header names case-insensitively)
	Reason    string // what is wrong, in the validator's words
	Expected  string // what the document wants, when known
	Got       string // what was sent, when known
	SpecLine  int    // line in Document.Raw of the schema or parameter, 0 when unknown
}

// String returns the violation on one line, e.g.
// `request.body BookingsController_2024_08_13_createBooking $.start: got number, want string (expected string, got number) [spec line 812]`.
func (v Violation) String() string {
	var b strings.Builder
	b.WriteString(v.Kind)
	b.WriteByte(' ')
	b.WriteString(v.Operation)
	if v.Field != "" {
		b.WriteByte(' ')
		b.WriteString(v.Field)
	}
	b.WriteString(": ")
	b.WriteString(v.Reason)
	if v.Expected != "" || v.Got != "" {
		fmt.Fprintf(&b, " (expected %s, got %s)", orDash(v.Expected), orDash(v.Got))
	}
	if v.SpecLine > 0 {
		fmt.Fprintf(&b, " [spec line %d]", v.SpecLine)
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// validatorFor builds the libopenapi validator on first use. Building it pre-compiles every
// schema of every operation (~0.5 s for the bookings paths), so Load stays cheap and only
// processes that validate pay for it. The validator is safe for concurrent use.
func (d *Document) validatorFor() validator.Validator {
	d.once.Do(func() {
		// Default options: no format assertions (the official document has almost none) and
		// no request defaults (that option would modify the caller's request).
		d.validator = validator.NewValidatorFromV3Model(d.model)
	})
	return d.validator
}

// ValidateRequest checks r against the operation its method and path select: parameters,
// headers and body. It returns nil when r conforms.
//
// The body is read and then restored (r.Body is replaced by an equivalent reader), so a
// handler can still read it afterwards.
func (d *Document) ValidateRequest(r *http.Request) []Violation {
	d = d.forRequest(r)
	body, err := readAndRestore(r)
	if err != nil {
		return []Violation{{Kind: KindRequestBody, Operation: d.opName(r), Reason: "read request body: " + err.Error()}}
	}
	vr := rewriteAPIPrefix(r)
	if vr != r || body != nil {
		// The validator reads the body; give it its own reader so that r keeps a fresh one.
		vr = vr.WithContext(vr.Context())
		vr.Body = io.NopCloser(bytes.NewReader(body))
	}
	_, errs := d.validatorFor().ValidateHttpRequestSync(vr)
	out := d.convert(r, errs)
	if extra := d.undocumentedQuery(vr); len(extra) > 0 {
		out = append(out, extra...)
		sortViolations(out)
	}
	return out
}

// undocumentedQuery reports each query parameter the operation does not declare: the
// validator checks the declared ones only, and the real API ignores the others (its
// ValidationPipe whitelists DTO properties without forbidNonWhitelisted), so a misspelt
// filter silently filters nothing. A bracketed form of a declared name (status[]=…,
// status[0]=…, as qs and axios send arrays) counts as that name: the real query parser
// reads it as the same parameter.
func (d *Document) undocumentedQuery(r *http.Request) []Violation {
	if r.URL.RawQuery == "" {
		return nil
	}
	op, ok := d.FindOperation(r)
	if !ok {
		return nil // the path violation says it all
	}
	declared := d.queryParams(op)
	var out []Violation
	seen := map[string]bool{}
	for name := range r.URL.Query() {
		base, _, _ := strings.Cut(name, "[")
		if declared[base] || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, Violation{Kind: KindRequestQuery, Operation: op.OperationID, Field: name,
			Reason: "query parameter not in the document (the real API ignores it)", Expected: "absent", Got: "present"})
	}
	return out
}

// queryParams returns the names of the query parameters op declares, on the operation or
// on its path.
func (d *Document) queryParams(op Operation) map[string]bool {
	names := map[string]bool{}
	item, ok := d.model.Paths.PathItems.Get(op.Path)
	if !ok {
		return names
	}
	for _, p := range item.Parameters {
		if p != nil && p.In == "query" {
			names[p.Name] = true
		}
	}
	if o, ok := item.GetOperations().Get(strings.ToLower(op.Method)); ok && o != nil {
		for _, p := range o.Parameters {
			if p != nil && p.In == "query" {
				names[p.Name] = true
			}
		}
	}
	return names
}

// ValidateResponse checks a response the server gave to r: status code, headers and body.
// r is used only to find the operation; its body is not read. It returns nil when the
// response conforms.
//
// When the document describes no error responses at all (see DocumentsErrors), a status of
// 400 or more that the operation does not list is accepted without further checks: such a
// document says nothing about errors.
func (d *Document) ValidateResponse(r *http.Request, status int, header http.Header, body []byte) []Violation {
	d = d.forRequest(r)
	vr := rewriteAPIPrefix(r)
	op, ok := d.FindOperation(vr)
	if !ok {
		return []Violation{{Kind: KindPath, Operation: d.opName(r), Field: r.URL.Path,
			Reason: "no operation for this method and path"}}
	}
	documented := d.documentedStatuses(op)
	if !containsStatus(documented, status) {
		if status >= 400 && !d.documentsErrors {
			return nil
		}
		return []Violation{{Kind: KindResponseStatus, Operation: op.OperationID, Field: "status",
			Reason: "status code not documented for this operation", Expected: strings.Join(documented, "|"),
			Got: strconv.Itoa(status)}}
	}
	if header == nil {
		header = http.Header{}
	}
	resp := &http.Response{
		StatusCode:    status,
		Status:        strconv.Itoa(status) + " " + http.StatusText(status),
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       vr,
	}
	_, errs := d.validatorFor().ValidateHttpResponse(vr, resp)
	return d.convert(r, errs)
}

// documentedStatuses lists the response codes the operation declares (e.g. "200", "4XX",
// "default"), in document order.
func (d *Document) documentedStatuses(op Operation) []string {
	item, ok := d.model.Paths.PathItems.Get(op.Path)
	if !ok {
		return nil
	}
	o, ok := item.GetOperations().Get(strings.ToLower(op.Method))
	if !ok || o.Responses == nil {
		return nil
	}
	var codes []string
	if o.Responses.Codes != nil {
		for c := o.Responses.Codes.First(); c != nil; c = c.Next() {
			codes = append(codes, c.Key())
		}
	}
	if o.Responses.Default != nil {
		codes = append(codes, "default")
	}
	return codes
}

func containsStatus(codes []string, status int) bool {
	s := strconv.Itoa(status)
	for _, c := range codes {
		if c == s || c == "default" || (len(c) == 3 && strings.EqualFold(c[1:], "XX") && c[0] == s[0]) {
			return true
		}
	}
	return false
}

// readAndRestore reads r.Body and puts back an equivalent reader (and GetBody). It returns
// nil for a request without body.
func readAndRestore(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return body, err
}

// opName names the operation r selects, or "METHOD path" when none does.
func (d *Document) opName(r *http.Request) string {
	if op, ok := d.FindOperation(r); ok {
		return op.OperationID
	}
	return r.Method + " " + r.URL.Path
}

// ---------------------------------------------------------------------------------------------
// Conversion from libopenapi-validator errors
// ---------------------------------------------------------------------------------------------

var (
	reGotWant      = regexp.MustCompile(`got ([^,]+), want (.+)$`)
	reMissingProps = regexp.MustCompile(`^missing propert(?:y|ies) (.+)$`)
	reQuoted       = regexp.MustCompile(`'([^']*)'`)
	reEnum         = regexp.MustCompile(`^value must be one of (.+)$`)
)

// convert turns validator errors into Violations: one per schema failure, combinators'
// summary lines dropped, duplicates collapsed (anyOf repeats a fault once per branch), and
// sorted for stable output.
func (d *Document) convert(r *http.Request, errs []*vErrors.ValidationError) []Violation {
	if len(errs) == 0 {
		return nil
	}
	opName := d.opName(r)
	seen := map[string]bool{}
	var out []Violation
	add := func(v Violation) {
		key := v.Kind + "\x00" + v.Field + "\x00" + v.Reason
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, v)
	}
	for _, e := range errs {
		if e == nil {
			continue
		}
		kind := kindOf(e)
		base := Violation{Kind: kind, Operation: opName, Field: e.ParameterName, Reason: e.Message, SpecLine: e.SpecLine}
		switch {
		case kind == KindPath:
			base.Field = r.URL.Path
		case base.Field == "" && (kind == KindResponseHeader || kind == KindRequestHeader):
			if m := reQuoted.FindStringSubmatch(e.Message); m != nil {
				base.Field = m[1]
			}
		case strings.Contains(e.Message, "content type"):
			base.Field = "Content-Type"
		}
		if len(e.SchemaValidationErrors) == 0 {
			if e.Reason != "" && e.Reason != e.Message {
				base.Reason = e.Message + ": " + e.Reason
			}
			add(base)
			continue
		}
		onlySummaries := true
		for _, s := range e.SchemaValidationErrors {
			if s != nil && !isCombinatorSummary(s.Reason) {
				onlySummaries = false
			}
		}
		for _, s := range e.SchemaValidationErrors {
			// A summary line adds nothing next to the branch failures it sums up, but it is
			// the only explanation when every branch matched ("subschemas 0, 2 matched").
			if s == nil || (isCombinatorSummary(s.Reason) && !onlySummaries) {
				continue
			}
			for _, v := range fromSchemaFailure(base, e, s) {
				add(v)
			}
		}
	}
	sortViolations(out)
	return out
}

// sortViolations orders by kind, then field, for stable output.
func sortViolations(out []Violation) {
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Field < out[j].Field
	})
}

// fromSchemaFailure maps one schema failure; "missing properties 'a', 'b'" becomes one
// violation per property so that Field names the missing member.
func fromSchemaFailure(base Violation, e *vErrors.ValidationError, s *vErrors.SchemaValidationFailure) []Violation {
	v := base
	v.Reason = s.Reason
	if s.Line > 0 {
		v.SpecLine = s.Line
	}
	switch {
	case v.Kind == KindResponseHeader || v.Kind == KindRequestHeader || v.Kind == KindRequestQuery || v.Kind == KindRequestPath:
		if v.Field == "" {
			v.Field = s.FieldName
		}
	default:
		v.Field = s.FieldPath
		if v.Field == "" {
			v.Field = "$"
		}
	}
	if m := reGotWant.FindStringSubmatch(s.Reason); m != nil {
		v.Got, v.Expected = strings.TrimSpace(m[1]), strings.TrimSpace(m[2])
	} else if m := reEnum.FindStringSubmatch(s.Reason); m != nil {
		v.Expected = "one of " + m[1]
	}
	if m := reMissingProps.FindStringSubmatch(s.Reason); m != nil && v.Kind != KindResponseHeader && v.Kind != KindRequestHeader {
		var out []Violation
		for _, q := range reQuoted.FindAllStringSubmatch(m[1], -1) {
			w := v
			w.Field = joinField(v.Field, q[1])
			w.Reason = "missing required property"
			w.Expected, w.Got = "present", "absent"
			out = append(out, w)
		}
		if len(out) > 0 {
			return out
		}
	}
	return []Violation{v}
}

func joinField(parent, name string) string {
	if parent == "" || parent == "$" {
		return "$." + name
	}
	return parent + "." + name
}

// isCombinatorSummary spots the validator's "'anyOf' failed, …" lines, which only say that
// the per-branch failures listed next to them happened.
func isCombinatorSummary(reason string) bool {
	return strings.HasPrefix(reason, "'anyOf' failed") || strings.HasPrefix(reason, "'oneOf' failed") ||
		strings.HasPrefix(reason, "'allOf' failed")
}

// kindOf maps the validator's type and subtype onto our Kind.
func kindOf(e *vErrors.ValidationError) string {
	switch e.ValidationType {
	case helpers.PathValidation, "paths":
		return KindPath
	case helpers.ParameterValidation:
		switch e.ValidationSubType {
		case helpers.ParameterValidationQuery:
			return KindRequestQuery
		case helpers.ParameterValidationHeader:
			return KindRequestHeader
		case helpers.ParameterValidationPath:
			return KindRequestPath
		}
		return KindRequest
	case helpers.RequestBodyValidation:
		return KindRequestBody
	case helpers.ResponseBodyValidation:
		// Header value failures come back with subtype "schema"; only the message tells.
		if strings.HasPrefix(e.Message, "header '") {
			return KindResponseHeader
		}
		switch e.ValidationSubType {
		case helpers.ResponseBodyResponseCode:
			return KindResponseStatus
		case helpers.ParameterValidationHeader:
			return KindResponseHeader
		}
		return KindResponseBody
	}
	if e.IsPathMissingError() || e.IsOperationMissingError() {
		return KindPath
	}
	return KindRequest
}
