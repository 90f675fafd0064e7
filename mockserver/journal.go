package mockserver

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/calmock/calmock/internal/ring"
	"github.com/calmock/calmock/openapi"
	"github.com/calmock/calmock/webhook"
)

// JournalPath lists the requests the mock received (GET, with filters) and forgets them
// (DELETE). Both need the -admin-token when one is set: the journal holds what every
// client sent, bodies (attendee names and emails) included.
const JournalPath = "/_calmock/journal"

// DefaultJournalSize is how many requests the journal keeps when Config.JournalSize is 0.
const DefaultJournalSize = 1000

// Bounds of one journal entry, so that the journal's memory is bounded whatever the traffic:
// at most JournalSize × (JournalBodyLimit + journalHeaderLimit + a few hundred bytes).
const (
	// JournalBodyLimit is how many bytes of a request body an entry keeps; the rest is
	// counted (bodyBytes) and flagged (bodyTruncated), not kept.
	JournalBodyLimit = 8 << 10
	// journalHeaderLimit bounds the bytes of header names and values an entry keeps.
	journalHeaderLimit = 8 << 10
)

// journal records every request the server answers (but its own reads and health checks)
// into a ring of the last N. Recording is cheap on purpose: one allocation for the entry and
// its response-writer wrapper, one for the header list, and one for the body's first bytes
// when there is a body. Nothing is validated on the request path: spec verdicts are computed
// when the journal is read, once per entry.
type journal struct {
	entries *ring.Buffer[*journalEntry] // nil when the journal is off but OnRequest is set
	observe func(JournalEntry)
	doc     func() (*openapi.Document, error)
}

// newJournal returns nil when there is nothing to record for.
func newJournal(size int, observe func(JournalEntry), doc func() (*openapi.Document, error)) *journal {
	if size == 0 {
		size = DefaultJournalSize
	}
	if size < 0 && observe == nil {
		return nil
	}
	j := &journal{observe: observe, doc: doc}
	if size > 0 {
		j.entries = ring.New[*journalEntry](size)
	}
	return j
}

// versionHeaderKey is versionHeader as net/http stores it.
var versionHeaderKey = http.CanonicalHeaderKey(versionHeader)

// journalEntry is one request as received; immutable once pushed, but for the verdicts
// computed on first read.
type journalEntry struct {
	at              time.Time
	method          string
	path, rawPath   string // as sent, before the /api/v2 rewrite
	query           string
	header          []string // name, value, name, value, …; at most journalHeaderLimit bytes
	headerTruncated bool
	body            []byte // the first JournalBodyLimit bytes
	bodyBytes       int64  // bytes of body read in all
	operation       string // the route row's operation id, "" when no route matched
	version         string // cal-api-version as sent
	bearer          string // the Authorization credential, unmasked: only compared, never shown
	status          int
	duration        time.Duration
	verdictOnce     sync.Once
	verdicts        []openapi.Violation
	verdictNote     string
	// delivery, set on an entry of kind "webhook", is the webhook delivery it records.
	delivery *JournalWebhook
}

// Kinds of journal entry: a request the mock received, or a webhook delivery it made.
const (
	JournalKindRequest = "request"
	JournalKindWebhook = "webhook"
)

// JournalWebhook is what an entry of kind "webhook" adds: the delivery as
// GET /_calmock/webhooks/deliveries lists it (its body and headers are the entry's).
type JournalWebhook struct {
	DeliveryID     int    `json:"deliveryId"`
	SubscriptionID string `json:"subscriptionId"`
	Trigger        string `json:"trigger"`
	URL            string `json:"url"`
	State          string `json:"state"`
	Attempts       int    `json:"attempts"`
	LastError      string `json:"lastError,omitempty"`
}

// recordDelivery puts a finished webhook delivery in the journal as an entry of its own
// kind: method POST, path the subscriber URL, status the last answer's (0 when none came),
// operation the trigger, body and headers as sent, duration from enqueue to finish. The
// webhook.Dispatcher calls it (Config.OnFinish) in finishing order. -verbose has its own
// line per attempt (Config.Logf), so OnRequest is not told.
func (j *journal) recordDelivery(d webhook.Delivery) {
	if j == nil || j.entries == nil {
		return
	}
	body := d.Body
	if len(body) > JournalBodyLimit {
		body = body[:JournalBodyLimit]
	}
	e := &journalEntry{
		at: d.FinishedAt, method: http.MethodPost, path: d.URL, status: d.StatusCode,
		operation: string(d.Trigger), body: []byte(body), bodyBytes: int64(len(d.Body)),
		duration: d.FinishedAt.Sub(d.EnqueuedAt),
		delivery: &JournalWebhook{DeliveryID: d.ID, SubscriptionID: d.SubscriptionID, Trigger: string(d.Trigger),
			URL: d.URL, State: d.State, Attempts: d.Attempts, LastError: d.LastError},
	}
	e.header, e.headerTruncated = copyHeader(d.Header)
	j.entries.Push(e)
}

func (e *journalEntry) bodyTruncated() bool { return e.bodyBytes > int64(len(e.body)) }

// journalWriter is the response writer of a recorded request: it notes the status, taps the
// request body, and carries the entry (one allocation for the three).
type journalWriter struct {
	http.ResponseWriter
	tap   bodyTap
	start time.Time
	e     journalEntry
	j     *journal
	// kept: the entry is in the journal, and no longer changes.
	kept bool
}

// WriteHeader keeps the entry before the status goes out, so that a client that has its
// answer finds the request in the journal (a test reads it right after the call).
func (jw *journalWriter) WriteHeader(code int) {
	if jw.e.status == 0 {
		jw.e.status = code
	}
	jw.keep()
	jw.ResponseWriter.WriteHeader(code)
}

func (jw *journalWriter) Write(p []byte) (int, error) {
	if jw.e.status == 0 {
		jw.e.status = http.StatusOK
	}
	jw.keep()
	return jw.ResponseWriter.Write(p)
}

func (jw *journalWriter) keep() {
	if !jw.kept {
		jw.kept = true
		jw.j.keep(jw)
	}
}

// Unwrap lets http.ResponseController reach the connection (drainBody sets deadlines).
func (jw *journalWriter) Unwrap() http.ResponseWriter { return jw.ResponseWriter }

// bodyTap copies the first JournalBodyLimit bytes the handler reads of the request body.
type bodyTap struct {
	rc   io.ReadCloser
	e    *journalEntry
	hint int64
	eof  bool
}

func (t *bodyTap) Read(p []byte) (int, error) {
	n, err := t.rc.Read(p)
	if n > 0 && t.e != nil {
		if room := JournalBodyLimit - len(t.e.body); room > 0 {
			if t.e.body == nil {
				size := max(t.hint, int64(n)) // the Content-Length when sent
				if t.hint <= 0 {
					size = max(size, 512)
				}
				t.e.body = make([]byte, 0, min(size, JournalBodyLimit))
			}
			t.e.body = append(t.e.body, p[:min(n, room)]...)
		}
		t.e.bodyBytes += int64(n)
	}
	if err == io.EOF {
		t.eof = true
	}
	return n, err
}

func (t *bodyTap) Close() error { return t.rc.Close() }

// begin starts the record of r, or returns nil for a request the journal leaves out: its
// own reads (reading would fill it) and health checks (a container polls them).
func (j *journal) begin(w http.ResponseWriter, r *http.Request) *journalWriter {
	if p := r.URL.Path; p == JournalPath || p == HealthPath {
		return nil
	}
	jw := &journalWriter{ResponseWriter: w, start: time.Now(), j: j}
	e := &jw.e
	e.at = jw.start
	e.method, e.path, e.rawPath, e.query = r.Method, r.URL.Path, r.URL.RawPath, r.URL.RawQuery
	if vs := r.Header[versionHeaderKey]; len(vs) > 0 {
		e.version = vs[0] // Header.Get would canonicalise "cal-api-version" into a new string
	}
	e.bearer = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r.Header.Get("Authorization")), "Bearer "))
	e.header, e.headerTruncated = copyHeader(r.Header)
	if r.Body != nil && r.Body != http.NoBody {
		jw.tap = bodyTap{rc: r.Body, e: e, hint: r.ContentLength}
		r.Body = &jw.tap
	}
	return jw
}

// copyHeader flattens h into name/value pairs, sharing the strings, up to
// journalHeaderLimit bytes.
func copyHeader(h http.Header) ([]string, bool) {
	n := 0
	for _, vs := range h {
		n += 2 * len(vs)
	}
	out := make([]string, 0, n)
	size, truncated := 0, false
	for name, vs := range h {
		for _, v := range vs {
			size += len(name) + len(v)
			if size > journalHeaderLimit {
				truncated = true
				continue
			}
			out = append(out, name, v)
		}
	}
	return out, truncated
}

// finish keeps the record once the handler has returned, if its answer did not already.
func (j *journal) finish(jw *journalWriter) {
	jw.keep()
	// The entry outlives the request: drop what would keep the connection's buffers alive.
	jw.ResponseWriter, jw.tap = nil, bodyTap{}
}

// keep completes the record (at the answer's first byte, or when the handler returns
// without one) and puts it in the journal; from then on it does not change.
func (j *journal) keep(jw *journalWriter) {
	e := &jw.e
	if jw.tap.rc != nil && !jw.tap.eof && e.bodyBytes == 0 {
		// The handler read none of it (an unknown path, say): keep its start anyway, as
		// net/http would read and discard it for the next request on the connection.
		_, _ = io.CopyN(io.Discard, &jw.tap, JournalBodyLimit+1)
	}
	e.duration = time.Since(jw.start)
	if e.status == 0 {
		e.status = http.StatusOK // net/http's answer to a handler that wrote nothing
	}
	jw.tap.e = nil // a body read after the answer started is not recorded
	var seq uint64
	if j.entries != nil {
		seq = j.entries.Push(e)
	}
	if j.observe != nil {
		j.observe(j.view(seq, e))
	}
}

// noteOperation records the operation the pipeline's version routing chose.
func noteOperation(w http.ResponseWriter, operationID string) {
	if jw, ok := w.(*journalWriter); ok {
		jw.e.operation = operationID
	}
}

// ---------------------------------------------------------------------------------------
// Reading: filters, masking, verdicts
// ---------------------------------------------------------------------------------------

// JournalEntry is one request as the journal shows it: secrets masked (see maskSecret),
// spec verdicts computed.
type JournalEntry struct {
	Seq uint64 `json:"seq"`
	// Kind is "request" (a request the mock received) or "webhook" (a delivery it made).
	Kind             string              `json:"kind"`
	Time             string              `json:"time"`
	Method           string              `json:"method"`
	Path             string              `json:"path"`
	Query            string              `json:"query,omitempty"`
	Headers          map[string][]string `json:"headers"`
	HeadersTruncated bool                `json:"headersTruncated,omitempty"`
	// Body is the body's first JournalBodyLimit bytes as text (bytes that are not UTF-8 show
	// as U+FFFD); BodyBytes counts all of it.
	Body          string `json:"body,omitempty"`
	BodyBytes     int64  `json:"bodyBytes"`
	BodyTruncated bool   `json:"bodyTruncated"`
	// Operation is the operation id of the route that answered ("" when none matched).
	Operation     string `json:"operation,omitempty"`
	CalAPIVersion string `json:"calApiVersion,omitempty"`
	APIKey        string `json:"apiKey,omitempty"`
	Status        int    `json:"status"`
	// DurationMs is the time from the request to the first byte of its answer.
	DurationMs float64 `json:"durationMs"`
	// Violations lists every way the request departed from the OpenAPI document in use,
	// even where the mock answered it, as the real API does; empty when it conforms.
	Violations []JournalViolation `json:"violations"`
	// VerdictNote says why the request was not (fully) checked, when it was not.
	VerdictNote string `json:"verdictNote,omitempty"`
	// Webhook is the delivery an entry of kind "webhook" records.
	Webhook *JournalWebhook `json:"webhook,omitempty"`
}

// JournalViolation is an openapi.Violation on the wire.
type JournalViolation struct {
	Kind     string `json:"kind"`
	Field    string `json:"field,omitempty"`
	Reason   string `json:"reason"`
	Expected string `json:"expected,omitempty"`
	Got      string `json:"got,omitempty"`
	SpecLine int    `json:"specLine,omitempty"`
}

// JournalFilter selects journal entries; zero fields select everything.
type JournalFilter struct {
	// Path is a prefix of the path, or a glob (path.Match: * stops at /) when it holds one of
	// *?[. It is tried on the path as sent and as routed (/api/v2/… is /v2/…).
	Path string
	// Operation is an operation id, exactly.
	Operation string
	// Status is a status code (404) or a class (4xx); 0 or "" selects any.
	Status string
	// APIKey is compared with the unmasked credential of the Authorization header.
	APIKey string
	// HasViolations, when not nil, keeps only entries with (true) or without (false)
	// violations.
	HasViolations *bool
	// Kind is "request" or "webhook"; "" selects both.
	Kind string
}

var journalFilterNames = []string{"path", "operation", "status", "apiKey", "hasViolations", "kind"}

// parseJournalFilter reads the query of GET /_calmock/journal, strictly.
func parseJournalFilter(q url.Values) (JournalFilter, error) {
	var f JournalFilter
	for name, vs := range q {
		if !containsString(journalFilterNames, name) {
			return f, fmt.Errorf("unknown journal filter %q: use %s", name, strings.Join(journalFilterNames, ", "))
		}
		if len(vs) != 1 {
			return f, fmt.Errorf("journal filter %s given %d times: give it once", name, len(vs))
		}
	}
	f.Path, f.Operation, f.Status, f.APIKey, f.Kind = q.Get("path"), q.Get("operation"), q.Get("status"), q.Get("apiKey"), q.Get("kind")
	if f.Kind != "" && f.Kind != JournalKindRequest && f.Kind != JournalKindWebhook {
		return f, fmt.Errorf("kind must be %s or %s, got %q", JournalKindRequest, JournalKindWebhook, f.Kind)
	}
	if strings.ContainsAny(f.Path, "*?[") {
		if _, err := path.Match(f.Path, ""); err != nil {
			return f, fmt.Errorf("path %q is not a valid glob: %v", f.Path, err)
		}
	}
	if f.Status != "" && !validStatusFilter(f.Status) {
		return f, fmt.Errorf("status must be a code such as 404 or a class such as 4xx, got %q", f.Status)
	}
	if v, ok := q["hasViolations"]; ok {
		b, err := strconv.ParseBool(v[0])
		if err != nil {
			return f, fmt.Errorf("hasViolations must be true or false, got %q", v[0])
		}
		f.HasViolations = &b
	}
	return f, nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func validStatusFilter(s string) bool {
	if len(s) != 3 || s[0] < '1' || s[0] > '5' {
		return false
	}
	if strings.EqualFold(s[1:], "xx") {
		return true
	}
	_, err := strconv.Atoi(s)
	return err == nil
}

// matches applies the filters that need no verdict.
func (f JournalFilter) matches(e *journalEntry) bool {
	if f.Kind != "" && (f.Kind == JournalKindWebhook) != (e.delivery != nil) {
		return false
	}
	if f.Operation != "" && e.operation != f.Operation {
		return false
	}
	if f.APIKey != "" && e.bearer != f.APIKey {
		return false
	}
	if f.Status != "" && f.Status != "0" {
		code := strconv.Itoa(e.status)
		if strings.EqualFold(f.Status[1:], "xx") {
			if code[0] != f.Status[0] {
				return false
			}
		} else if code != f.Status {
			return false
		}
	}
	if f.Path != "" {
		routed := routedPath(e.path)
		if strings.ContainsAny(f.Path, "*?[") {
			a, _ := path.Match(f.Path, e.path)
			b, _ := path.Match(f.Path, routed)
			return a || b
		}
		return strings.HasPrefix(e.path, f.Path) || strings.HasPrefix(routed, f.Path)
	}
	return true
}

// routedPath is p after the real API's /api/v2 and /v2/ee rewrite (rewritePath).
func routedPath(p string) string {
	r := http.Request{URL: &url.URL{Path: p}}
	rewritePath(&r)
	return r.URL.Path
}

// list returns the entries f selects, newest first.
func (j *journal) list(f JournalFilter) []JournalEntry {
	items := j.entries.Snapshot()
	out := make([]JournalEntry, 0, len(items))
	for i := len(items) - 1; i >= 0; i-- {
		e := items[i].Value
		if !f.matches(e) {
			continue
		}
		if f.HasViolations != nil {
			vs, _ := j.verdicts(e)
			if (len(vs) > 0) != *f.HasViolations {
				continue
			}
		}
		out = append(out, j.view(items[i].Seq, e))
	}
	return out
}

// view is e as shown: secrets masked, verdicts computed (once per entry).
func (j *journal) view(seq uint64, e *journalEntry) JournalEntry {
	v := JournalEntry{
		Seq: seq, Time: e.at.UTC().Format(time.RFC3339Nano), Method: e.method, Path: e.path, Query: e.query,
		Headers: make(map[string][]string, len(e.header)/2), HeadersTruncated: e.headerTruncated,
		Body: string(e.body), BodyBytes: e.bodyBytes, BodyTruncated: e.bodyTruncated(),
		Operation: e.operation, CalAPIVersion: e.version, APIKey: maskSecret(e.bearer), Status: e.status,
		DurationMs: float64(e.duration.Microseconds()) / 1000,
		Violations: []JournalViolation{},
	}
	for i := 0; i+1 < len(e.header); i += 2 {
		name, value := e.header[i], e.header[i+1]
		v.Headers[name] = append(v.Headers[name], maskHeader(name, value))
	}
	v.Kind, v.Webhook = JournalKindRequest, e.delivery
	if e.delivery != nil {
		v.Kind = JournalKindWebhook
	}
	vs, note := j.verdicts(e)
	for _, x := range vs {
		v.Violations = append(v.Violations, JournalViolation{Kind: x.Kind, Field: x.Field, Reason: x.Reason,
			Expected: x.Expected, Got: x.Got, SpecLine: x.SpecLine})
	}
	v.VerdictNote = note
	return v
}

// verdicts validates the request e recorded against the document, on first call only.
func (j *journal) verdicts(e *journalEntry) ([]openapi.Violation, string) {
	e.verdictOnce.Do(func() {
		if e.delivery != nil {
			e.verdictNote = "a webhook delivery the mock sent: not checked against the Cal.com document"
			return
		}
		if strings.HasPrefix(e.path, "/_calmock/") {
			e.verdictNote = "calmock's own endpoint: not checked against the Cal.com document"
			return
		}
		doc, err := j.doc()
		if err != nil {
			e.verdictNote = "no OpenAPI document to check against: " + err.Error()
			return
		}
		r := &http.Request{
			Method: e.method,
			URL:    &url.URL{Scheme: "http", Host: "calmock", Path: e.path, RawPath: e.rawPath, RawQuery: e.query},
			Header: make(http.Header, len(e.header)/2),
			Host:   "calmock",
			Body:   http.NoBody,
		}
		for i := 0; i+1 < len(e.header); i += 2 {
			r.Header[e.header[i]] = append(r.Header[e.header[i]], e.header[i+1])
		}
		if len(e.body) > 0 {
			r.Body = io.NopCloser(bytes.NewReader(e.body))
			r.ContentLength = int64(len(e.body))
		}
		vs := doc.ValidateRequest(r)
		if e.bodyTruncated() {
			// A cut body is not JSON: its verdicts would be about the cut.
			kept := vs[:0]
			for _, v := range vs {
				if v.Kind != openapi.KindRequestBody {
					kept = append(kept, v)
				}
			}
			vs = kept
			e.verdictNote = fmt.Sprintf("body longer than the journal keeps (%d bytes): not checked", JournalBodyLimit)
		}
		if e.headerTruncated {
			e.verdictNote = strings.TrimPrefix(e.verdictNote+"; headers past the journal's bound were not checked", "; ")
		}
		e.verdicts = vs
	})
	return e.verdicts, e.verdictNote
}

// maskHeader masks the value of a header that carries a secret; others pass unchanged.
// Secret headers: Authorization and Proxy-Authorization (the scheme stays), Cookie, and any
// whose name holds "secret", "token", "password", "api-key" or "apikey"
// (x-cal-secret-key). x-cal-client-id is an identifier, not a secret, and stays.
func maskHeader(name, value string) string {
	n := strings.ToLower(name)
	switch {
	case n == "authorization" || n == "proxy-authorization":
		if scheme, cred, ok := strings.Cut(strings.TrimSpace(value), " "); ok {
			return scheme + " " + maskSecret(strings.TrimSpace(cred))
		}
		return maskSecret(value)
	case n == "cookie" || strings.Contains(n, "secret") || strings.Contains(n, "token") ||
		strings.Contains(n, "password") || strings.Contains(n, "api-key") || strings.Contains(n, "apikey"):
		return maskSecret(value)
	}
	return value
}

// maskSecret shows enough of a secret to tell which one it is, never enough to use it:
// a Cal.com key keeps its kind prefix (cal_test_, cal_live_, cal_) and the first 4
// characters after it; any other secret keeps its first quarter, at most 4 characters.
// Then "…". E.g. cal_test_1a2b3c… (32 hex) shows as cal_test_1a2b….
func maskSecret(s string) string {
	if s == "" {
		return ""
	}
	prefix := ""
	if strings.HasPrefix(s, "cal_") {
		if i := strings.LastIndexByte(s[:min(len(s), 16)], '_'); i >= 0 {
			prefix = s[:i+1]
		}
	}
	rest := s[len(prefix):]
	return prefix + rest[:min(4, len(rest)/4)] + "…"
}

// ---------------------------------------------------------------------------------------
// Endpoints and the Go API
// ---------------------------------------------------------------------------------------

// errJournalOff answers the journal endpoints of a server started with the journal off.
var errJournalOff = newAPIError(http.StatusNotFound, "calmock: the journal is off (start with -journal N, N > 0)")

// Journal returns the recorded requests f selects, newest first, or nil when the journal is
// off.
func (s *Server) Journal(f JournalFilter) []JournalEntry {
	if s.journal == nil || s.journal.entries == nil {
		return nil
	}
	return s.journal.list(f)
}

// ClearJournal forgets every recorded request and returns how many there were.
func (s *Server) ClearJournal() int {
	if s.journal == nil || s.journal.entries == nil {
		return 0
	}
	return s.journal.entries.Clear()
}

func (s *Server) handleJournalGet(w http.ResponseWriter, r *http.Request) {
	if s.journal == nil || s.journal.entries == nil {
		s.writeError(w, r, errJournalOff)
		return
	}
	f, err := parseJournalFilter(r.URL.Query())
	if err != nil {
		s.writeError(w, r, newAPIError(http.StatusBadRequest, err.Error()))
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Status string         `json:"status"`
		Data   []JournalEntry `json:"data"`
	}{"success", s.journal.list(f)})
}

func (s *Server) handleJournalDelete(w http.ResponseWriter, r *http.Request) {
	if s.journal == nil || s.journal.entries == nil {
		s.writeError(w, r, errJournalOff)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Status string `json:"status"`
		Data   struct {
			Cleared int `json:"cleared"`
		} `json:"data"`
	}{Status: "success", Data: struct {
		Cleared int `json:"cleared"`
	}{s.journal.entries.Clear()}})
}
