package mockserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/internal/wiretime"
)

// Wire envelopes. The real API answers through several exception filters, each with its own
// body shape (behaviour notes §4.2); the mock reproduces the three that its errors reach:
// the standard envelope (A), the tRPC envelope (C) and Nest's bare fallback (E).

const statusSuccess = "success"
const statusError = "error"

// successEnvelope is `{status, data}`; list responses add pagination.
type successEnvelope struct {
	Status     string      `json:"status"`
	Data       any         `json:"data"`
	Pagination *pagination `json:"pagination,omitempty"`
}

// errorEnvelope is the standard envelope (A) and, without details, the tRPC one (C).
type errorEnvelope struct {
	Status    string    `json:"status"`
	Timestamp string    `json:"timestamp"`
	Path      string    `json:"path"`
	Error     errorBody `json:"error"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details any    `json:"details,omitempty"`
}

// httpDetails is the `details` of an exception created with a message string: Nest puts the
// message, the reason phrase and the status code there, in this key order.
type httpDetails struct {
	Message    string `json:"message"`
	Error      string `json:"error"`
	StatusCode int    `json:"statusCode"`
}

// bareError is Nest's fallback body for errors that are not Nest exceptions (shape E).
type bareError struct {
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
}

// apiError is an error the transport itself raises (auth, validation, routing, limits), with
// everything needed to render it.
type apiError struct {
	status  int
	code    string // Nest exception class name, e.g. "BadRequestException"
	message string
	details any // nil → httpDetails built from message
	// noDetails: the envelope has no details key (the booking core's zod errors, shape B).
	noDetails bool
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

// exceptionNames maps an HTTP status to the Nest exception class the real API names in
// error.code.
var exceptionNames = map[int]string{
	http.StatusBadRequest:            "BadRequestException",
	http.StatusUnauthorized:          "UnauthorizedException",
	http.StatusForbidden:             "ForbiddenException",
	http.StatusNotFound:              "NotFoundException",
	http.StatusConflict:              "ConflictException",
	http.StatusRequestEntityTooLarge: "PayloadTooLargeException",
	http.StatusUnsupportedMediaType:  "UnsupportedMediaTypeException",
	http.StatusTooManyRequests:       "ThrottlerException",
	http.StatusInternalServerError:   "InternalServerErrorException",
}

// newAPIError builds a standard-envelope error whose details are Nest's message object.
func newAPIError(status int, message string) *apiError {
	return &apiError{status: status, code: exceptionNames[status], message: message}
}

// codeStatus maps domain error codes to HTTP statuses: the one table of the mapping.
var codeStatus = map[booking.Code]int{
	booking.EINVALID:      http.StatusBadRequest,
	booking.ENOTFOUND:     http.StatusNotFound,
	booking.ECONFLICT:     http.StatusConflict,
	booking.EUNAUTHORIZED: http.StatusUnauthorized,
	booking.EFORBIDDEN:    http.StatusForbidden,
	booking.EINTERNAL:     http.StatusInternalServerError,
}

// trpcMessages are the generic texts the real API sends for tRPC errors; the handler's own
// message is never shown.
var trpcMessages = map[int]string{
	http.StatusBadRequest:          "Bad request: Please check your request data and try again",
	http.StatusUnauthorized:        "You are not authorized to access this resource",
	http.StatusForbidden:           "You don't have necessary permissions to access this resource",
	http.StatusNotFound:            "The requested resource was not found",
	http.StatusConflict:            "Could not process the request due to a resource conflict with the current state",
	http.StatusInternalServerError: "There was an error, please try again later.",
}

// writeJSON is the single exit of every response body but the success envelopes'.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	writeBody(w, status, body, err)
}

// writeData writes a success envelope.
func writeData(w http.ResponseWriter, status int, data any) {
	writeSuccess(w, status, data, nil)
}

// writeSuccess writes a success envelope, with pagination when p is not nil, through the
// hand-written encoder (encode.go) into a pooled buffer: the hot path of every operation.
func writeSuccess(w http.ResponseWriter, status int, data any, p *pagination) {
	writeEnvelope(w, status, func(buf []byte) ([]byte, error) { return appendSuccess(buf, data, p) })
}

// writeEnvelope writes the body appendBody appends, through a pooled buffer: the success
// envelopes' one exit.
func writeEnvelope(w http.ResponseWriter, status int, appendBody func([]byte) ([]byte, error)) {
	bp := bodyBuffers.Get().(*[]byte)
	body, err := appendBody((*bp)[:0])
	writeBody(w, status, body, err)
	if cap(body) <= maxPooledBody {
		*bp = body[:0]
		bodyBuffers.Put(bp)
	}
}

// maxPooledBody keeps an occasional huge page from pinning its buffer in the pool.
const maxPooledBody = 256 << 10

var bodyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// writeBody sends body as JSON with status; err (from encoding) means a bug, answered 500.
func writeBody(w http.ResponseWriter, status int, body []byte, err error) {
	if err != nil {
		// Only a bug can get here (every value is built by this package).
		status = http.StatusInternalServerError
		body = []byte(`{"statusCode":500,"message":"Internal server error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError renders any error in the envelope the real API uses for it. Errors that are
// neither domain nor transport errors are bugs: they are logged and answered with a 500
// whose text reveals nothing.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var de *booking.Error
	switch {
	case errors.As(err, &ae):
		details := ae.details
		if details == nil && !ae.noDetails {
			details = httpDetails{Message: ae.message, Error: http.StatusText(ae.status), StatusCode: ae.status}
		}
		s.writeEnvelope(w, r, ae.status, errorBody{Code: ae.code, Message: ae.message, Details: details})
	case errors.As(err, &de):
		status, ok := codeStatus[de.Code]
		if !ok {
			status = http.StatusInternalServerError
		}
		if de.Code == booking.EINTERNAL {
			s.log.Error("internal error", "err", err, "path", r.URL.Path)
		}
		switch de.Origin {
		case booking.OriginCore:
			writeJSON(w, status, bareError{StatusCode: status, Message: de.Message})
		case booking.OriginTRPC:
			s.writeEnvelope(w, r, status, errorBody{Code: "TRPCError", Message: trpcMessages[status]})
		default:
			s.writeError(w, r, newAPIError(status, de.Message))
		}
	default:
		s.log.Error("internal error", "err", err, "path", r.URL.Path)
		s.writeError(w, r, newAPIError(http.StatusInternalServerError, "Internal server error"))
	}
}

func (s *Server) writeEnvelope(w http.ResponseWriter, r *http.Request, status int, body errorBody) {
	writeJSON(w, status, errorEnvelope{
		Status:    statusError,
		Timestamp: wiretime.Format(s.clock.Now()),
		Path:      r.URL.RequestURI(),
		Error:     body,
	})
}

// logger returns l, or a logger that discards everything.
func logger(l *slog.Logger) *slog.Logger {
	if l != nil {
		return l
	}
	return slog.New(slog.DiscardHandler)
}
