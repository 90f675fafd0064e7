package mockserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"
)

// FaultsPath is where faults are added (POST), listed (GET) and cleared (DELETE, or DELETE
// FaultsPath/{id} for one).
const FaultsPath = "/_calmock/faults"

// FaultHeader names the fault that answered (or delayed) a request, so that a test seeing
// an odd answer can tell an injected one from a real one. Dropped connections carry nothing.
const FaultHeader = "X-Calmock-Fault"

// FaultSpec is what a fault matches and does: the body of POST /_calmock/faults. Every
// matcher that is set must match (an empty one matches anything); a fault without matchers
// matches every Cal.com request. Faults apply to the Cal.com operations only, never to the
// /_calmock endpoints, so a test can always list and clear them.
type FaultSpec struct {
	// Method matches the HTTP method (case-insensitive).
	Method string `json:"method,omitempty"`
	// Path matches the request path (after the /api/v2 and /v2/ee aliases are rewritten to
	// /v2): the route template as in the OpenAPI document ("/v2/bookings/{bookingUid}"), a
	// path.Match pattern ("/v2/bookings/*/cancel", * stays within a segment), or a prefix
	// ending in "/**" ("/v2/bookings/**": that path and everything under it).
	Path string `json:"path,omitempty"`
	// OperationID matches the operation of the request's cal-api-version, e.g.
	// "BookingsController_2024_08_13_cancelBooking".
	OperationID string `json:"operationId,omitempty"`
	// APIKey matches the bearer value the request sends (with or without "Bearer ").
	APIKey string `json:"apiKey,omitempty"`

	// Status, when set (400-599), answers with that status in the API's error envelope,
	// with Message (default: the status text, as a Nest exception thrown without one).
	Status  int    `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	// Latency (a Go duration, e.g. "250ms", at most maxFaultLatency) delays the request in
	// real time before it is answered by Status, dropped, or passed on to the mock.
	Latency string `json:"latency,omitempty"`
	// Drop closes the connection without an answer (the client sees an error: EOF or reset).
	Drop bool `json:"drop,omitempty"`

	// Times is how many requests the fault applies to (1 = once); 0 means until removed.
	Times int `json:"times,omitempty"`
	// Probability, when set (0 < p <= 1), applies the fault to each matching request with
	// that probability, drawn from Seed (default: the server's -seed): the k-th matching
	// request's draw depends only on the seed and k, so a run that sends the same requests in
	// the same order gets the same faults.
	Probability *float64 `json:"probability,omitempty"`
	Seed        *int64   `json:"seed,omitempty"`
}

// Fault is a fault as listed: its spec, its id and what it has done so far.
type Fault struct {
	ID string `json:"id"`
	FaultSpec
	// Remaining is how many more requests it applies to; absent when Times is 0 (no limit).
	Remaining *int `json:"remaining,omitempty"`
	// Matched counts the requests that matched it while it had applications left (each draw
	// of a probability fault); Hits those it was applied to.
	Matched int `json:"matched"`
	Hits    int `json:"hits"`
}

// maxFaultLatency bounds a latency fault, so that a typo ("5h" for "5s") cannot hang a
// suite for hours.
const maxFaultLatency = 10 * time.Minute

// installedFault is one installed fault with its parsed spec and its state.
type installedFault struct {
	Fault
	latency time.Duration
	rng     *rand.Rand // nil without a probability
}

// faultSet is a Server's faults. Each Server has its own, so a sandbox (its own Server)
// has its own faults too.
type faultSet struct {
	// n is len(list), read without the lock so that a mock without faults (the usual case)
	// pays one atomic load per request.
	n    atomic.Int32
	mu   sync.Mutex
	list []*installedFault
	next int // ids count up across clears, so a stale id never names a new fault
}

// faultAction is what the pipeline does to one request.
type faultAction struct {
	id      string
	status  int
	message string
	latency time.Duration
	drop    bool
}

// checkFaultSpec validates spec and fills in its defaults; every error names the field.
func (s *Server) checkFaultSpec(spec *FaultSpec) (time.Duration, error) {
	spec.Method = strings.ToUpper(strings.TrimSpace(spec.Method))
	if spec.Method != "" && !slices.Contains([]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead}, spec.Method) {
		return 0, fmt.Errorf("method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, got %q", spec.Method)
	}
	if spec.Path != "" {
		if !strings.HasPrefix(spec.Path, "/") {
			return 0, fmt.Errorf("path must start with /, got %q", spec.Path)
		}
		if _, err := path.Match(strings.TrimSuffix(spec.Path, "/**"), "/"); err != nil {
			return 0, fmt.Errorf("path %q is not a valid pattern: %v", spec.Path, err)
		}
	}
	if spec.OperationID != "" && !slices.ContainsFunc(s.Operations(), func(op [3]string) bool { return op[2] == spec.OperationID }) {
		return 0, fmt.Errorf("operationId %q is not an operation of this mock (see %s)", spec.OperationID, OpenAPIPath)
	}
	spec.APIKey = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(spec.APIKey), "Bearer "))
	var latency time.Duration
	if spec.Latency != "" {
		d, err := time.ParseDuration(strings.TrimSpace(spec.Latency))
		if err != nil || d <= 0 || d > maxFaultLatency {
			return 0, fmt.Errorf("latency must be a positive Go duration up to %s such as 250ms or 2s, got %q", maxFaultLatency, spec.Latency)
		}
		latency = d
	}
	if spec.Status != 0 && (spec.Status < 400 || spec.Status > 599) {
		return 0, fmt.Errorf("status must be an error status from 400 to 599, got %d", spec.Status)
	}
	if spec.Message != "" && spec.Status == 0 {
		return 0, errors.New("message needs a status")
	}
	if spec.Drop && spec.Status != 0 {
		return 0, errors.New("drop and status exclude each other: a dropped connection has no status")
	}
	if spec.Status == 0 && !spec.Drop && latency == 0 {
		return 0, errors.New("a fault needs an action: status, latency or drop")
	}
	if spec.Times < 0 {
		return 0, fmt.Errorf("times must be 0 (until removed) or a positive count, got %d", spec.Times)
	}
	if p := spec.Probability; p != nil && (!(*p > 0) || *p > 1) {
		return 0, fmt.Errorf("probability must be greater than 0 and at most 1, got %v", *p)
	}
	if spec.Seed != nil && spec.Probability == nil {
		return 0, errors.New("seed needs a probability")
	}
	if spec.Probability != nil && spec.Seed == nil {
		seed := s.faultSeed
		spec.Seed = &seed
	}
	return latency, nil
}

// AddFault checks spec and installs it after the faults already there (the first that
// applies to a request wins). The error says what is wrong with spec.
func (s *Server) AddFault(spec FaultSpec) (Fault, error) {
	latency, err := s.checkFaultSpec(&spec)
	if err != nil {
		return Fault{}, err
	}
	f := &installedFault{Fault: Fault{FaultSpec: spec}, latency: latency}
	if spec.Times > 0 {
		n := spec.Times
		f.Remaining = &n
	}
	if spec.Probability != nil {
		// PCG from the seed alone: the same seed gives the same sequence of draws.
		f.rng = rand.New(rand.NewPCG(uint64(*spec.Seed), 0x63616c6d6f636b)) // "calmock"
	}
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.next++
	f.ID = "f" + strconv.Itoa(fs.next)
	fs.list = append(fs.list, f)
	fs.n.Store(int32(len(fs.list)))
	return f.snapshot(), nil
}

// snapshot copies f's public state (the caller holds the lock).
func (f *installedFault) snapshot() Fault {
	out := f.Fault
	if f.Remaining != nil {
		n := *f.Remaining
		out.Remaining = &n
	}
	if f.Probability != nil {
		p, seed := *f.Probability, *f.Seed
		out.Probability, out.Seed = &p, &seed
	}
	return out
}

// Faults lists the installed faults in the order they are tried, spent ones included
// (remaining 0), with their counts.
func (s *Server) Faults() []Fault {
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]Fault, len(fs.list))
	for i, f := range fs.list {
		out[i] = f.snapshot()
	}
	return out
}

// ClearFaults removes every fault and returns how many there were.
func (s *Server) ClearFaults() int {
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n := len(fs.list)
	fs.list = nil
	fs.n.Store(0)
	return n
}

// RemoveFault removes the fault id, returning it as it was; false when there is none.
func (s *Server) RemoveFault(id string) (Fault, bool) {
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.list {
		if f.ID == id {
			fs.list = slices.Delete(fs.list, i, i+1)
			fs.n.Store(int32(len(fs.list)))
			return f.snapshot(), true
		}
	}
	return Fault{}, false
}

// matches reports whether f's matchers accept the request (the caller holds the lock).
func (f *installedFault) matches(r *http.Request, template, operationID, apiKey string) bool {
	if f.Method != "" && f.Method != r.Method {
		return false
	}
	if f.OperationID != "" && f.OperationID != operationID {
		return false
	}
	if f.APIKey != "" && f.APIKey != apiKey {
		return false
	}
	return f.Path == "" || pathMatches(f.Path, template, r.URL.Path)
}

// pathMatches applies a fault's path: the route template, a "/**" prefix or a path.Match
// pattern.
func pathMatches(pattern, template, p string) bool {
	if pattern == template {
		return true
	}
	if prefix, ok := strings.CutSuffix(pattern, "/**"); ok {
		if prefix == p || strings.HasPrefix(p, prefix+"/") {
			return true
		}
		ok, _ := path.Match(prefix, p)
		return ok
	}
	ok, _ := path.Match(pattern, p)
	return ok
}

// pick returns the action of the first fault that applies to the request, spending one of
// its applications, or nil.
func (fs *faultSet) pick(r *http.Request, template, operationID, apiKey string) *faultAction {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, f := range fs.list {
		if (f.Remaining != nil && *f.Remaining == 0) || !f.matches(r, template, operationID, apiKey) {
			continue
		}
		f.Matched++
		if f.rng != nil && f.rng.Float64() >= *f.Probability {
			continue
		}
		f.Hits++
		if f.Remaining != nil {
			*f.Remaining--
		}
		return &faultAction{id: f.ID, status: f.Status, message: f.Message, latency: f.latency, drop: f.Drop}
	}
	return nil
}

// applyFault runs the fault that applies to the request, if any, before the pipeline's
// first stage: nothing is read, counted or stored for a faulted request, so a fault never
// changes state. It reports whether the request is finished (answered, dropped, or its
// client gone during the latency); false passes it on (no fault, or latency only).
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, ep *endpoint) bool {
	if s.faults.n.Load() == 0 {
		return false
	}
	a := s.faults.pick(r, ep.path, ep.operationID(r.Header.Get(versionHeader)), readCredentials(r).bearer)
	if a == nil {
		return false
	}
	if a.latency > 0 && !sleepCtx(r.Context(), a.latency) {
		return true // the client is gone: nobody to answer
	}
	switch {
	case a.drop:
		dropConnection(w)
		return true
	case a.status != 0:
		w.Header().Set(FaultHeader, a.id)
		msg := a.message
		if msg == "" {
			msg = http.StatusText(a.status)
		}
		s.writeError(w, r, &apiError{status: a.status, code: faultExceptionName(a.status), message: msg})
		return true
	}
	w.Header().Set(FaultHeader, a.id)
	return false
}

// sleepCtx waits d of real time, not the admin clock's: a frozen clock would otherwise
// hold the request forever, and what a latency fault exercises is the client's own
// timeouts, which run on real time. It returns false when ctx ends first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// dropConnection closes the client's connection without an answer. Where the connection
// cannot be taken over (HTTP/2, or a writer that does not unwrap to one that can),
// http.ErrAbortHandler makes net/http abort the response instead (ServeHTTP lets it pass).
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// faultExceptionName is the Nest exception class (@nestjs/common's built-in exceptions) a
// status fault names in error.code, as the real API would for that status.
func faultExceptionName(status int) string {
	if name, ok := exceptionNames[status]; ok {
		return name
	}
	if name, ok := map[int]string{
		http.StatusMethodNotAllowed:        "MethodNotAllowedException",
		http.StatusNotAcceptable:           "NotAcceptableException",
		http.StatusRequestTimeout:          "RequestTimeoutException",
		http.StatusGone:                    "GoneException",
		http.StatusPreconditionFailed:      "PreconditionFailedException",
		http.StatusTeapot:                  "ImATeapotException",
		http.StatusMisdirectedRequest:      "MisdirectedException",
		http.StatusUnprocessableEntity:     "UnprocessableEntityException",
		http.StatusNotImplemented:          "NotImplementedException",
		http.StatusBadGateway:              "BadGatewayException",
		http.StatusServiceUnavailable:      "ServiceUnavailableException",
		http.StatusGatewayTimeout:          "GatewayTimeoutException",
		http.StatusHTTPVersionNotSupported: "HttpVersionNotSupportedException",
	}[status]; ok {
		return name
	}
	return "HttpException"
}

// ---------------------------------------------------------------------------------------
// Admin endpoints
// ---------------------------------------------------------------------------------------

const faultBodyHelp = `send e.g. {"operationId": "BookingsController_2024_08_13_cancelBooking", "status": 503, "times": 1}, {"path": "/v2/bookings/**", "latency": "2s"} or {"method": "POST", "drop": true, "probability": 0.5, "seed": 7}`

// handleFaultAdd serves POST /_calmock/faults: 201 with the fault and its id.
func (s *Server) handleFaultAdd(w http.ResponseWriter, r *http.Request) {
	var spec FaultSpec
	err := decodeAdminBody(w, r, &spec, faultBodyHelp)
	var f Fault
	if err == nil {
		f, err = s.AddFault(spec)
		if err != nil {
			err = fmt.Errorf("invalid fault: %w", err)
		}
	}
	if err != nil {
		s.writeError(w, r, newAPIError(http.StatusBadRequest, err.Error()))
		return
	}
	writeJSON(w, http.StatusCreated, adminData{statusSuccess, f})
}

// handleFaultList serves GET /_calmock/faults.
func (s *Server) handleFaultList(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, adminData{statusSuccess, s.Faults()})
}

// handleFaultClear serves DELETE /_calmock/faults: {"cleared": n}.
func (s *Server) handleFaultClear(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, adminData{statusSuccess, struct {
		Cleared int `json:"cleared"`
	}{s.ClearFaults()}})
}

// handleFaultRemove serves DELETE /_calmock/faults/{id}: the fault removed, or 404.
func (s *Server) handleFaultRemove(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	f, ok := s.RemoveFault(id)
	if !ok {
		s.writeError(w, r, newAPIError(http.StatusNotFound, fmt.Sprintf("no fault with id %q (GET %s lists them)", id, FaultsPath)))
		return
	}
	writeJSON(w, http.StatusOK, adminData{statusSuccess, f})
}

// adminData is the success envelope of the admin endpoints.
type adminData struct {
	Status string `json:"status"`
	Data   any    `json:"data"`
}

// decodeAdminBody decodes an admin endpoint's JSON body strictly into v: one object, known
// fields only, at most maxBodyBytes. Errors end with help, an example of a valid body.
func decodeAdminBody(w http.ResponseWriter, r *http.Request, v any, help string) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("empty body: %s", help)
		}
		return fmt.Errorf("invalid JSON body (%v): %s", err, help)
	}
	if dec.More() {
		return fmt.Errorf("invalid JSON body (more than one JSON value): %s", help)
	}
	return nil
}
