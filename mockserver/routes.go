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
	"time"

	"github.com/gorilla/mux"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/profile"
)

// Versions of the cal-api-version header (behaviour notes §2).
const (
	versionHeader   = "cal-api-version"
	version20240813 = "2024-08-13"
	// version20240904 is valid for other resources but matches no bookings controller.
	version20240904 = "2024-09-04"
)

// OpenAPIPath is where the server serves the OpenAPI document it describes itself with.
const OpenAPIPath = "/_calmock/openapi"

// maxBodyBytes is the real API's JSON body limit (body-parser's 100 kB default).
const maxBodyBytes = 100 * 1024

// route is one bookings operation and how the pipeline treats it.
type route struct {
	method, path string
	operationID  string
	auth         authMode
	// legacy: the legacy controller, chosen when cal-api-version is not 2024-08-13, also
	// has this method and path. Other routes answer 404 "Cannot <METHOD> <path>" then.
	legacy bool
	handle func(*call) error
}

// call is one request on its way through a handler.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	caller *booking.User
	// body is the decoded JSON object; empty (not nil) when the request had no JSON body,
	// as the real API's body parser leaves {}.
	body map[string]any
}

// pathVar returns a decoded path parameter.
func (c *call) pathVar(name string) string {
	v := mux.Vars(c.r)[name]
	if d, err := url.PathUnescape(v); err == nil {
		return d
	}
	return v
}

// routes registers every operation, literal segments before parameters so that
// /v2/bookings/by-seat/{seatUid} never falls into {bookingUid}. Flat routes only: gorilla/mux
// subrouters answer some wrong methods with 404 instead of 405, and the real API (NestJS)
// answers every unknown method+path with its own 404 anyway.
func (s *Server) routes() *mux.Router {
	r := mux.NewRouter()
	// Match the path as sent: no redirect to a cleaned path (NestJS answers 404 instead), and
	// an encoded slash inside {bookingUid} stays inside it, as in Express.
	r.SkipClean(true)
	r.UseEncodedPath()
	r.NotFoundHandler = http.HandlerFunc(s.handleNotFound)
	r.MethodNotAllowedHandler = http.HandlerFunc(s.handleNotFound)
	for _, rt := range s.bookingRoutes() {
		r.Handle(rt.path, s.pipeline(rt)).Methods(rt.method)
	}
	r.HandleFunc(profile.Path, s.handleProfile).Methods(http.MethodGet)
	r.HandleFunc(OpenAPIPath, s.handleOpenAPI).Methods(http.MethodGet)
	r.HandleFunc(ResetPath, s.handleReset).Methods(http.MethodPost)
	return r
}

// Operations lists the bookings operations the server implements (method, path template,
// operation id), for tests that compare it with the OpenAPI document.
func (s *Server) Operations() [][3]string {
	var ops [][3]string
	for _, rt := range s.bookingRoutes() {
		ops = append(ops, [3]string{rt.method, rt.path, rt.operationID})
	}
	return ops
}

func (s *Server) bookingRoutes() []route {
	const base = "/v2/bookings"
	const one = base + "/{bookingUid}"
	return []route{
		{http.MethodGet, base, "BookingsController_2024_08_13_getBookings", authRequired, true, s.handleBookingList},
		{http.MethodPost, base, "BookingsController_2024_08_13_createBooking", authOptional, true, s.handleBookingCreate},
		{http.MethodGet, base + "/by-seat/{seatUid}", "BookingsController_2024_08_13_getBookingBySeat", authOptional, false, s.handleBookingGetBySeat},
		{http.MethodGet, one, "BookingsController_2024_08_13_getBooking", authOptional, true, s.handleBookingGet},
		{http.MethodGet, one + "/recordings", "BookingsController_2024_08_13_getBookingRecordings", authNone, false, s.handleBookingRecordings},
		{http.MethodGet, one + "/transcripts", "BookingsController_2024_08_13_getBookingTranscripts", authNone, false, s.handleBookingTranscripts},
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
	}
}

// pipeline runs the real API's stages in its order, because the order decides which error a
// bad request gets (behaviour notes §1): body parsing, version routing, rate limiting (which
// also refuses unknown API keys), permissions, authentication; validation happens in the
// handler, and every stage returns early.
func (s *Server) pipeline(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := readJSONBody(r)
		if err != nil && !errors.Is(err, errBodyNotObject) {
			if ae, ok := err.(*apiError); ok && ae.status == http.StatusRequestEntityTooLarge {
				drainBody(w, r)
			}
			s.writeError(w, r, err)
			return
		}
		// A JSON array passes the body parser; the pipes refuse it, after the guards, so
		// its 400 comes after version routing, the limiter (and its headers) and auth.
		pipeErr := err
		if err := checkVersion(r, rt); err != nil {
			s.writeError(w, r, err)
			return
		}
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
			if err := s.limiter.take(w.Header(), creds.tracker(r)); err != nil {
				s.writeError(w, r, err)
				return
			}
		} else {
			setUnlimitedHeaders(w.Header())
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
const msgUnsupportedVersion = "calmock implements the bookings endpoints of cal-api-version 2024-08-13 only. This request's cal-api-version is %q; the real API would route it to its legacy bookings controller (missing, unknown or older versions fall back to it), whose request and response bodies differ. Send the header 'cal-api-version: 2024-08-13'."

// checkVersion routes by cal-api-version as the real API does: only an exact 2024-08-13
// reaches these handlers; 2024-09-04 matches no bookings controller (404); anything else
// (missing, empty, unknown, quoted, legacy) selects the legacy controller, which lacks most
// routes (404) and which the mock does not imitate for the ones it has (400, see above).
func checkVersion(r *http.Request, rt route) error {
	v := r.Header.Get(versionHeader)
	switch {
	case v == version20240813:
		return nil
	case v == version20240904 || !rt.legacy:
		return cannot(r)
	default:
		return newAPIError(http.StatusBadRequest, fmt.Sprintf(msgUnsupportedVersion, v))
	}
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
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, newAPIError(http.StatusBadRequest, "request aborted")
	}
	if len(data) > maxBodyBytes {
		return nil, newAPIError(http.StatusRequestEntityTooLarge, "request entity too large")
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
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
