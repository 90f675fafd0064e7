package mockserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/internal/apiversion"
	"github.com/calmock/calmock/profile"
)

// Versions of the cal-api-version header (behaviour notes §2).
const (
	versionHeader   = apiversion.Header
	version20240813 = apiversion.V20240813
	version20240904 = apiversion.V20240904
)

// OpenAPIPath is where the server serves the OpenAPI document it describes itself with.
const OpenAPIPath = "/_calmock/openapi"

// maxBodyBytes is the real API's JSON body limit (body-parser's 100 kB default).
const maxBodyBytes = 100 * 1024

// route is one bookings operation of one cal-api-version and how the pipeline treats it. A
// row says nothing about its version: the table it sits in does (see versionTables).
type route struct {
	method, path string
	operationID  string
	auth         authMode
	// legacy: the legacy controller, chosen when cal-api-version is missing or unknown, also
	// has this method and path. Other routes answer 404 "Cannot <METHOD> <path>" then. It is
	// a fact about the method and path, so every version's row for them says the same.
	legacy bool
	handle func(*call) error
}

// versionTable is the route table of one cal-api-version: every operation the real API
// registers for that version, and only those.
type versionTable struct {
	version string
	routes  []route
}

// call is one request on its way through a handler.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	caller *booking.User
	// body is the decoded JSON object; empty (not nil) when the request had no JSON body,
	// as the real API's body parser leaves {}.
	body map[string]any
	// results, when set, is the output rule of the row's version that a shared handler's
	// booking results go through before they are rendered (resultData); a version's table
	// sets it by wrapping the handler (e.g. v20260225). nil: as the service returned them.
	results func(caller *booking.User, res booking.Result) booking.Result
}

// pathVar returns a decoded path parameter.
func (c *call) pathVar(name string) string {
	v := mux.Vars(c.r)[name]
	if d, err := url.PathUnescape(v); err == nil {
		return d
	}
	return v
}

// routes lists every operation of every version, one route per method and path whatever
// the number of versions (the pipeline picks the version's row), and the /_calmock
// endpoints, each with its handler bound to s. routeSet.mux turns the list into the router.
func (s *Server) routes() *routeSet {
	r := &routeSet{notFound: http.HandlerFunc(s.handleNotFound)}
	for _, ep := range endpoints(s.tables) {
		r.Handle(ep.path, s.pipeline(ep)).Methods(ep.method)
	}
	for _, rr := range s.discoveryRoutes() {
		ep := &endpoint{method: rr.method, path: rr.path, resource: &rr}
		r.Handle(ep.path, s.pipeline(ep)).Methods(ep.method)
	}
	r.HandleFunc(profile.Path, s.handleProfile).Methods(http.MethodGet)
	r.HandleFunc(OpenAPIPath, s.handleOpenAPI).Methods(http.MethodGet)
	r.HandleFunc(HealthPath, s.handleHealth).Methods(http.MethodGet)
	r.HandleFunc(ResetPath, s.requireAdmin(s.handleReset)).Methods(http.MethodPost)
	r.HandleFunc(ClockPath, s.handleClockGet).Methods(http.MethodGet)
	r.HandleFunc(ClockPath, s.requireAdmin(s.handleClockPost)).Methods(http.MethodPost)
	r.HandleFunc(FaultsPath, s.handleFaultList).Methods(http.MethodGet)
	r.HandleFunc(FaultsPath, s.requireAdmin(s.handleFaultAdd)).Methods(http.MethodPost)
	r.HandleFunc(FaultsPath, s.requireAdmin(s.handleFaultClear)).Methods(http.MethodDelete)
	r.HandleFunc(FaultsPath+"/{id}", s.requireAdmin(s.handleFaultRemove)).Methods(http.MethodDelete)
	r.HandleFunc(BookingsAdminPath, s.handleStateList).Methods(http.MethodGet)
	r.HandleFunc(BookingsAdminPath+"/{uid}", s.handleStateGet).Methods(http.MethodGet)
	r.HandleFunc(BookingsAdminPath+"/{uid}", s.requireAdmin(s.handleStatePut)).Methods(http.MethodPut)
	r.HandleFunc(JournalPath, s.requireAdmin(s.handleJournalGet)).Methods(http.MethodGet)
	r.HandleFunc(JournalPath, s.requireAdmin(s.handleJournalDelete)).Methods(http.MethodDelete)
	r.HandleFunc(WebhookDeliveriesPath, s.handleWebhookDeliveries).Methods(http.MethodGet)
	r.HandleFunc(WebhookDeliveriesPath, s.requireAdmin(s.handleWebhookDeliveriesDelete)).Methods(http.MethodDelete)
	return r
}

// routeSet is a server's routes in registration order, with gorilla/mux's registration
// methods (Handle, HandleFunc, Methods), so that a route is added as it would be to a
// mux.Router. It is kept apart from the router because compiling a router (a regexp per
// route) costs about a millisecond, far more than the rest of a sandbox: every sandbox of a
// server shares one router (sandbox.go), whose routes call the sandbox's own handlers.
type routeSet struct {
	rows     []*routeRow
	notFound http.Handler
}

// routeRow is one registered route.
type routeRow struct {
	path    string
	methods []string
	handler http.Handler
}

// Handle registers handler for path (a gorilla/mux template).
func (rs *routeSet) Handle(path string, handler http.Handler) *routeRow {
	row := &routeRow{path: path, handler: handler}
	rs.rows = append(rs.rows, row)
	return row
}

// HandleFunc registers f for path.
func (rs *routeSet) HandleFunc(path string, f func(http.ResponseWriter, *http.Request)) *routeRow {
	return rs.Handle(path, http.HandlerFunc(f))
}

// Methods restricts the route to these methods.
func (row *routeRow) Methods(methods ...string) *routeRow {
	row.methods = append(row.methods, methods...)
	return row
}

// sameShape reports whether other registers the same paths and methods in the same order,
// so that a router made for one routes the other's requests to the same rows.
func (rs *routeSet) sameShape(other *routeSet) bool {
	return slices.EqualFunc(rs.rows, other.rows, func(a, b *routeRow) bool {
		return a.path == b.path && slices.Equal(a.methods, b.methods)
	})
}

// mux compiles the routes into a router. With pick nil each route calls its own handler;
// otherwise route i calls pick(r).rows[i] and an unmatched request pick(r).notFound, for
// a router shared by servers whose routes have the same shape. Flat routes only:
// gorilla/mux subrouters answer some wrong methods with 404 instead of 405, and the real API
// (NestJS) answers every unknown method+path with its own 404 anyway.
func (rs *routeSet) mux(pick func(*http.Request) *routeSet) *mux.Router {
	r := mux.NewRouter()
	// Match the path as sent: no redirect to a cleaned path (NestJS answers 404 instead), and
	// an encoded slash inside {bookingUid} stays inside it, as in Express.
	r.SkipClean(true)
	r.UseEncodedPath()
	notFound := rs.notFound
	if pick != nil {
		notFound = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			pick(req).notFound.ServeHTTP(w, req)
		})
	}
	r.NotFoundHandler = notFound
	r.MethodNotAllowedHandler = notFound
	for i, row := range rs.rows {
		h := row.handler
		if pick != nil {
			h = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				pick(req).rows[i].handler.ServeHTTP(w, req)
			})
		}
		route := r.Handle(row.path, h)
		if len(row.methods) > 0 {
			route.Methods(row.methods...)
		}
	}
	return r
}

// Operations lists the Cal.com operations the server implements in any version (method,
// path template, operation id, each once): the bookings operations and the discovery reads.
func (s *Server) Operations() [][3]string {
	var ops [][3]string
	for _, rr := range s.discoveryRoutes() {
		ops = append(ops, [3]string{rr.method, rr.path, rr.operationID})
	}
	seen := map[[3]string]bool{}
	for _, t := range s.tables {
		for _, rt := range t.routes {
			op := [3]string{rt.method, rt.path, rt.operationID}
			if !seen[op] {
				seen[op] = true
				ops = append(ops, op)
			}
		}
	}
	return ops
}

// Versions lists the cal-api-version values the server serves, in table order.
func (s *Server) Versions() []string {
	out := make([]string, len(s.tables))
	for i, t := range s.tables {
		out[i] = t.version
	}
	return out
}

// versionClaims is what the profile says the server serves: each version's operation ids.
func (s *Server) versionClaims() map[string][]string {
	out := make(map[string][]string, len(s.tables))
	for _, t := range s.tables {
		ids := make([]string, len(t.routes))
		for i, rt := range t.routes {
			ids[i] = rt.operationID
		}
		out[t.version] = ids
	}
	return out
}

// versionTables returns the route table of every cal-api-version the mock serves, oldest
// first.
//
// Why one table per version, not a version column on each row: the real API registers one
// controller per version, and NestJS matches the header against each controller's versions
// exactly, with no fallback from one version to another (see selectRoute). A version is
// therefore a list of rows, and adding one is a line here plus a function returning its
// rows, touching no existing row. An operation a new version serves unchanged (upstream's
// attendees controller is registered for [VERSION_2024_08_13, VERSION_2026_02_25]) is listed
// in both tables with the same handler; one it changes gets that version's own handler in
// that version's table. So what a version changes is all in its table function, and no
// handler asks which version it runs under.
func (s *Server) versionTables() []versionTable {
	return []versionTable{
		{version20240813, s.routes20240813()},
		{version20260225, s.routes20260225()},
		{version20260501, s.routes20260501()},
	}
}

// routes20240813 is the table of cal-api-version 2024-08-13 (BookingsController_2024_08_13),
// literal segments before parameters (see endpoints).
func (s *Server) routes20240813() []route {
	const base = "/v2/bookings"
	const one = base + "/{bookingUid}"
	rows := []route{
		{http.MethodGet, base, "BookingsController_2024_08_13_getBookings", authRequired, true, s.handleBookingList},
		{http.MethodPost, base, "BookingsController_2024_08_13_createBooking", authOptional, true, s.handleBookingCreate},
		{http.MethodGet, base + "/by-seat/{seatUid}", "BookingsController_2024_08_13_getBookingBySeat", authOptional, false, s.handleBookingGetBySeat},
		{http.MethodGet, one, "BookingsController_2024_08_13_getBooking", authOptional, true, s.handleBookingGet},
		{http.MethodGet, one + "/recordings", "BookingsController_2024_08_13_getBookingRecordings", authRequired, false, s.handleBookingRecordings},
		{http.MethodGet, one + "/transcripts", "BookingsController_2024_08_13_getBookingTranscripts", authRequired, false, s.handleBookingTranscripts},
		{http.MethodPost, one + "/reschedule", "BookingsController_2024_08_13_rescheduleBooking", authOptional, false, s.handleBookingReschedule},
		{http.MethodPost, one + "/cancel", "BookingsController_2024_08_13_cancelBooking", authOptional, true, s.handleBookingCancel},
		{http.MethodPost, one + "/mark-absent", "BookingsController_2024_08_13_markNoShow", authRequired, false, s.handleBookingMarkAbsent},
		{http.MethodPost, one + "/reassign", "BookingsController_2024_08_13_reassignBooking", authRequired, false, s.handleBookingReassign},
		{http.MethodPost, one + "/reassign/{userId}", "BookingsController_2024_08_13_reassignBookingToUser", authRequired, false, s.handleBookingReassignTo},
		{http.MethodPost, one + "/confirm", "BookingsController_2024_08_13_confirmBooking", authRequired, false, s.handleBookingConfirm},
		{http.MethodPost, one + "/decline", "BookingsController_2024_08_13_declineBooking", authRequired, false, s.handleBookingDecline},
		{http.MethodGet, one + "/calendar-links", "BookingsController_2024_08_13_getCalendarLinks", authRequired, false, s.handleBookingCalendarLinks},
		{http.MethodGet, one + "/references", "BookingsController_2024_08_13_getBookingReferences", authRequired, false, s.handleBookingReferences},

		// Attendees and guests (cal.diy 2024-08-13 controllers; handlers in attendees.go).
		{http.MethodGet, one + "/attendees", "BookingAttendeesController_2024_08_13_getBookingAttendees", authRequired, false, s.handleAttendeeList},
		{http.MethodPost, one + "/attendees", "BookingAttendeesController_2024_08_13_addAttendee", authRequired, false, s.handleAttendeeAdd},
		{http.MethodGet, one + "/attendees/{attendeeId}", "BookingAttendeesController_2024_08_13_getBookingAttendee", authRequired, false, s.handleAttendeeGet},
		{http.MethodDelete, one + "/attendees/{attendeeId}", "BookingAttendeesController_2024_08_13_removeAttendee", authRequired, false, s.handleAttendeeRemove},
		{http.MethodPost, one + "/guests", "BookingGuestsController_2024_08_13_addGuests", authRequired, false, s.handleGuestsAdd},

		// Conferencing sessions (cal.com controller) and routing trace (hosted docs only;
		// handlers in conferencing.go).
		{http.MethodGet, one + "/conferencing-sessions", "BookingsController_2024_08_13_getVideoSessions", authRequired, false, s.handleConferencingSessions},
		{http.MethodGet, one + "/routing-trace", "BookingRoutingTraceController_2024_08_13_getBookingRoutingTrace", authRequired, false, s.handleRoutingTrace},
		{http.MethodPatch, one + "/location", "BookingLocationController_2024_08_13_updateBookingLocation", authRequired, false, s.handleLocationUpdate},
	}
	// The webhook controllers answer every version (everyVersion): their rows are here once.
	return append(rows, s.webhookRoutes()...)
}

// endpoint is one method and path with its row in each version that registers it.
type endpoint struct {
	method, path string
	byVersion    map[string]route
	legacy       bool
	// anyVersion: the operation's controller is registered for every cal-api-version
	// (everyVersion), so its row answers whatever the header says.
	anyVersion bool
	// resource: a route of a resource other than bookings (discovery.go), which carries
	// its own versions; byVersion is empty then.
	resource *resourceRoute
}

// operationID is the operation a request of the cal-api-version reaches here, or "".
func (ep *endpoint) operationID(version string) string {
	if rr := ep.resource; rr != nil && (rr.versions == nil || slices.Contains(rr.versions, version)) {
		return rr.operationID
	}
	return ep.byVersion[version].operationID
}

// endpoints groups the rows of every table by method and path, in the order first seen
// (tables oldest first, each in its own order), because gorilla/mux takes the first route
// that matches: literal segments must come before parameters (by-seat before {bookingUid})
// in the tables as in this list.
func endpoints(tables []versionTable) []*endpoint {
	var out []*endpoint
	index := map[[2]string]*endpoint{}
	for _, t := range tables {
		for _, rt := range t.routes {
			k := [2]string{rt.method, rt.path}
			ep := index[k]
			if ep == nil {
				ep = &endpoint{method: rt.method, path: rt.path, byVersion: map[string]route{}}
				index[k] = ep
				out = append(out, ep)
			}
			ep.byVersion[t.version] = rt
			ep.legacy = ep.legacy || rt.legacy
			ep.anyVersion = ep.anyVersion || everyVersion[rt.operationID]
		}
	}
	return out
}

// pipeline runs the real API's stages in its order, because the order decides which error a
// bad request gets (behaviour notes §1): body parsing, version routing (selectRoute picks
// the endpoint's row for the version: auth and handler come from that row), rate limiting
// (which also refuses unknown API keys; the default limit, then the operation's named limit
// from namedLimits), permissions, authentication; validation happens in the handler, and
// every stage returns early. An injected fault (faults.go) comes before them all, so that a
// faulted request changes nothing.
func (s *Server) pipeline(ep *endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.applyFault(w, r, ep) {
			return
		}
		body, err := readJSONBody(r)
		if err != nil && !errors.Is(err, errBodyNotObject) {
			if ae, ok := err.(*apiError); ok && (ae.status == http.StatusRequestEntityTooLarge || ae.status == http.StatusUnsupportedMediaType) {
				drainBody(w, r)
			}
			s.writeError(w, r, err)
			return
		}
		// A JSON array passes the body parser; the pipes refuse it, after the guards, so
		// its 400 comes after version routing, the limiter (and its headers) and auth.
		pipeErr := err
		rt, legacyErr, err := s.selectRoute(r, ep)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		noteOperation(w, rt.operationID)
		creds := readCredentials(r)
		// The limiter looks an API key up before it counts anything or sets a header: an
		// unknown cal_ key is refused there, uncounted and without X-RateLimit-* headers
		// (CustomThrottlerGuard.getRateLimitsForApiKeyTracker throws its 401 before
		// incrementRateLimit, the only place that sets them; cal.com
		// apps/api/v2/src/lib/throttler-guard.ts).
		if err := s.checkAPIKey(creds); err != nil {
			s.writeError(w, r, err)
			return
		}
		if s.limiter != nil {
			tracker := creds.tracker(r)
			if err := s.limiter.take(w.Header(), tracker); err != nil {
				s.writeError(w, r, err)
				return
			}
			// The route's named limit, if the table gives it one (ratelimit.go namedLimits):
			// the same guard counts it after the default one, before authentication.
			if nl, ok := namedLimits[rt.operationID]; ok {
				if err := s.limiter.takeNamed(w.Header(), tracker, nl); err != nil {
					s.writeError(w, r, err)
					return
				}
			}
		} else {
			setUnlimitedHeaders(w.Header())
		}
		if legacyErr != nil {
			// The legacy controller's route: the request passed the global guards, key
			// lookup and limiter included, so it has their headers and was counted.
			s.writeError(w, r, legacyErr)
			return
		}
		caller, err := s.authenticate(creds, rt.auth)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if pipeErr != nil {
			s.writeError(w, r, pipeErr)
			return
		}
		if err := rt.handle(&call{w: w, r: r, caller: caller, body: body}); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// handleNotFound answers an unknown method or path exactly as NestJS does.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, cannot(r))
}

func cannot(r *http.Request) error {
	return newAPIError(http.StatusNotFound, fmt.Sprintf("Cannot %s %s", r.Method, r.URL.Path))
}

// msgUnsupportedVersion explains the one place where the mock knowingly differs from the
// real API: where the real server would answer with its legacy bookings controller (whose
// bodies differ), the mock refuses with a clear 400 instead of imitating that controller.
const msgUnsupportedVersion = "calmock implements the bookings endpoints of cal-api-version %s only. This request's cal-api-version is %q; the real API would route it to its legacy bookings controller (missing, unknown or older versions fall back to it), whose request and response bodies differ. Send the header 'cal-api-version: %s'."

// selectRoute is version routing, the one place that reads cal-api-version. It picks the
// endpoint's row for the request's version as NestJS does: each route matches the version
// exactly against its controller's versions, and a miss falls through to the next route and
// at last to the 404 "Cannot <METHOD> <path>", never to another version's controller
// (@nestjs/platform-express ExpressAdapter.applyVersionFilter, VersioningType.CUSTOM;
// Cal.com's extractor in apps/api/v2/src/app.ts turns a missing or unknown header into
// 2024-04-15, the legacy controller's version). So:
//   - a version with a row here: that row; an operation of every version (anyVersion,
//     the webhook controllers): its row, whatever the header;
//   - a version the mock serves without a row here, or 2024-09-04 (valid for other
//     resources, no bookings controller): 404;
//   - anything else (missing, empty, unknown, quoted, older, or a newer version the mock
//     does not serve yet): the legacy controller, which lacks most routes (404) and which the
//     mock does not imitate for the ones it has (legacy: the 400 of msgUnsupportedVersion,
//     which the pipeline sends after the global guards, as the real legacy controller's
//     answer would come after them; err: a 404 before any guard).
func (s *Server) selectRoute(r *http.Request, ep *endpoint) (rt route, legacy, err error) {
	if ep.resource != nil {
		return s.selectResourceRoute(r, ep.resource)
	}
	v := r.Header.Get(versionHeader)
	if rt, ok := ep.byVersion[v]; ok {
		return rt, nil, nil
	}
	if ep.anyVersion {
		for _, rt := range ep.byVersion {
			return rt, nil, nil
		}
	}
	if v == version20240904 || !ep.legacy || slices.ContainsFunc(s.tables, func(t versionTable) bool { return t.version == v }) {
		return route{}, nil, cannot(r)
	}
	served := s.Versions()
	return route{}, newAPIError(http.StatusBadRequest, fmt.Sprintf(msgUnsupportedVersion, strings.Join(served, ", "), v, served[0])), nil
}

// errBodyNotObject is the bookings pipes' refusal of a JSON array, which the body parser
// accepts: readJSONBody returns it for the pipeline to send after the guards.
var errBodyNotObject error = newAPIError(http.StatusBadRequest, "Body should be an object")

// readJSONBody decodes the body as the real API's body parser does: only for a JSON content
// type (anything else leaves {}), at most 100 kB, strict (the top level must be an object or
// an array). Numbers stay json.Number so validation can tell 1 from 1.5.
func readJSONBody(r *http.Request) (map[string]any, error) {
	empty := map[string]any{}
	if r.Body == nil || r.Body == http.NoBody {
		return empty, nil
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	isJSON := err == nil && mt == "application/json"
	// body-parser's json() refuses a charset other than UTF-* before it reads a byte
	// (expressjs/body-parser lib/types/json.js: "assert charset per RFC 7159 sec 8.1",
	// 415 'unsupported charset "<CHARSET>"'; its getCharset lower-cases the value).
	if cs := strings.ToLower(params["charset"]); isJSON && cs != "" && !strings.HasPrefix(cs, "utf-") {
		return nil, newAPIError(http.StatusUnsupportedMediaType, fmt.Sprintf("unsupported charset %q", strings.ToUpper(cs)))
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, newAPIError(http.StatusBadRequest, "request aborted")
	}
	if len(data) > maxBodyBytes {
		return nil, newAPIError(http.StatusRequestEntityTooLarge, "request entity too large")
	}
	if !isJSON {
		return empty, nil
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return empty, nil
	}
	if trimmed[0] != '{' && trimmed[0] != '[' {
		return nil, newAPIError(http.StatusBadRequest, fmt.Sprintf("Unexpected token %c in JSON at position 0", trimmed[0]))
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, newAPIError(http.StatusBadRequest, jsonErrorMessage(err))
	}
	if dec.More() {
		return nil, newAPIError(http.StatusBadRequest, fmt.Sprintf("Unexpected non-whitespace character after JSON at position %d", dec.InputOffset()))
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errBodyNotObject
	}
	return obj, nil
}

// drainLimit and drainTime bound how much of an oversized body is read and thrown away
// before its 413 is sent. body-parser reads off the entire request before it passes the
// error on (expressjs/body-parser lib/read.js: stream.resume(), then onFinished), so a
// client that writes its whole body before it reads (curl, most HTTP/1.1 clients) gets the
// 413; a server that stops reading and closes resets the connection under a client still
// sending, which then sees no answer at all. The bounds keep one client from holding the
// mock; past them the connection is closed after the answer.
const (
	drainLimit = 64 << 20
	drainTime  = 10 * time.Second
)

// drainBody reads the rest of r's body into io.Discard, whose pooled buffer keeps memory
// flat whatever the size, within drainLimit and drainTime; when either bound cuts it short
// the answer asks the client to close the connection.
func drainBody(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	// A writer without deadlines (httptest's recorder) is drained without one.
	_ = rc.SetReadDeadline(time.Now().Add(drainTime))
	defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
	if n, err := io.CopyN(io.Discard, r.Body, drainLimit); n == drainLimit || err != nil && !errors.Is(err, io.EOF) {
		w.Header().Set("Connection", "close")
	}
}

// jsonErrorMessage words a decoding error like Node's JSON.parse, with the byte position.
func jsonErrorMessage(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("Unexpected token in JSON at position %d", se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "Unexpected end of JSON input"
	}
	return "Unexpected token in JSON"
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
