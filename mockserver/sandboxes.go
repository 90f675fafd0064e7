package mockserver

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/calmock/calmock/fixtures"
)

// SandboxesPath is the sandbox registry: POST creates a sandbox, GET lists them.
// SandboxesPath + "/{id}" is a sandbox's base URL: every Cal.com path and every per-server
// /_calmock endpoint (clock, reset, profile, …) works under it exactly as at the root, so a
// client only changes its base URL; DELETE on the base URL itself deletes the sandbox.
const SandboxesPath = "/_calmock/sandboxes"

// SandboxLimits bound the sandboxes of a registry.
type SandboxLimits struct {
	// Max is the most sandboxes that may exist at once; creating one more gets a 507. It
	// must be positive.
	Max int
	// TTL is how long a sandbox may go without a request before it expires (deleted; its
	// URL then answers 404). Zero: sandboxes never expire. Measured in real time (Now), not
	// the sandbox's own clock, which tests freeze and advance.
	TTL time.Duration
	// MaxBookings, when positive, is the most bookings one sandbox may hold
	// (SandboxOptions.MaxBookings). With Max it bounds the memory sandboxes hold.
	MaxBookings int
	// Now tells the real time for expiry. Nil means time.Now; tests inject their own.
	Now func() time.Time
}

// Sandboxes is the registry in front of a server: requests under SandboxesPath + "/{id}" go
// to that sandbox with the prefix stripped, the registry's own endpoints are answered here,
// and every other request goes to the server unchanged. Expiry is lazy: an expired sandbox
// is dropped when a request names it, and all expired ones whenever a sandbox is created or
// the list is read, so no goroutine runs and an expired sandbox never blocks a create.
type Sandboxes struct {
	parent *Server
	limits SandboxLimits
	reqIDs *requestIDs

	mu   sync.Mutex
	byID map[string]*sandboxEntry
}

type sandboxEntry struct {
	id      string
	srv     *Server
	seed    int64
	created time.Time
	// lastUsed is when the sandbox last got a request (Unix nanoseconds, real time).
	lastUsed atomic.Int64
}

// NewSandboxes puts a sandbox registry in front of parent: sandboxes are made from it
// (Server.NewSandbox), and requests outside SandboxesPath go to it.
func NewSandboxes(parent *Server, limits SandboxLimits) (*Sandboxes, error) {
	if limits.Max <= 0 {
		return nil, fmt.Errorf("mockserver: sandboxes: Max must be positive, got %d", limits.Max)
	}
	if limits.TTL < 0 || limits.MaxBookings < 0 {
		return nil, fmt.Errorf("mockserver: sandboxes: TTL and MaxBookings must not be negative, got %s and %d", limits.TTL, limits.MaxBookings)
	}
	if limits.Now == nil {
		limits.Now = time.Now
	}
	return &Sandboxes{
		parent: parent,
		limits: limits,
		// Its own sequence, so that sandbox admin calls leave the server's request ids as
		// they would be without them.
		reqIDs: newRequestIDs(parent.cfg.Seed ^ 0x5a4db0c5),
		byID:   map[string]*sandboxEntry{},
	}, nil
}

// Sandbox is one sandbox as the registry describes it.
type Sandbox struct {
	ID         string    `json:"id"`
	Path       string    `json:"path"`
	URL        string    `json:"url,omitempty"`
	Seed       int64     `json:"seed"`
	CreatedAt  time.Time `json:"createdAt"`
	LastUsedAt time.Time `json:"lastUsedAt"`
	// ExpiresAt is when the sandbox expires unless it gets a request first (no TTL: absent).
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

// Create makes a sandbox of the parent server as o says (o.MaxBookings defaults to the
// limits') and registers it. Past the limits it returns an error wrapping ErrSandboxFull.
func (sb *Sandboxes) Create(o SandboxOptions) (Sandbox, *Server, error) {
	if o.MaxBookings == 0 {
		o.MaxBookings = sb.limits.MaxBookings
	}
	srv, err := sb.parent.NewSandbox(o)
	if err != nil {
		return Sandbox{}, nil, err
	}
	id, err := newSandboxID()
	if err != nil {
		return Sandbox{}, nil, err
	}
	now := sb.limits.Now()
	e := &sandboxEntry{id: id, srv: srv, seed: srv.cfg.Seed, created: now}
	e.lastUsed.Store(now.UnixNano())

	sb.mu.Lock()
	defer sb.mu.Unlock()
	sb.sweep(now)
	if len(sb.byID) >= sb.limits.Max {
		return Sandbox{}, nil, fmt.Errorf("%w: %d sandboxes exist, the most -max-sandboxes allows; delete one (DELETE %s/{id}) or let an idle one expire (-sandbox-ttl)",
			ErrSandboxFull, len(sb.byID), SandboxesPath)
	}
	sb.byID[id] = e
	return sb.describe(e), srv, nil
}

// Delete drops the sandbox id and reports whether it existed (an expired one did not).
func (sb *Sandboxes) Delete(id string) bool {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	e, ok := sb.byID[id]
	if !ok {
		return false
	}
	delete(sb.byID, id)
	return !sb.expired(e, sb.limits.Now())
}

// List returns the live sandboxes, oldest first, dropping expired ones.
func (sb *Sandboxes) List() []Sandbox {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	sb.sweep(sb.limits.Now())
	out := make([]Sandbox, 0, len(sb.byID))
	for _, e := range sb.byID {
		out = append(out, sb.describe(e))
	}
	slices.SortFunc(out, func(a, b Sandbox) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// Len is the number of sandboxes held, expired ones not yet dropped included.
func (sb *Sandboxes) Len() int {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	return len(sb.byID)
}

// lookup returns the live sandbox id and marks it used, dropping it if it has expired.
func (sb *Sandboxes) lookup(id string) *sandboxEntry {
	now := sb.limits.Now()
	sb.mu.Lock()
	defer sb.mu.Unlock()
	e, ok := sb.byID[id]
	if !ok {
		return nil
	}
	if sb.expired(e, now) {
		delete(sb.byID, id)
		return nil
	}
	e.lastUsed.Store(now.UnixNano())
	return e
}

func (sb *Sandboxes) expired(e *sandboxEntry, now time.Time) bool {
	return sb.limits.TTL > 0 && now.UnixNano()-e.lastUsed.Load() >= int64(sb.limits.TTL)
}

// sweep drops every expired sandbox; the caller holds mu.
func (sb *Sandboxes) sweep(now time.Time) {
	if sb.limits.TTL == 0 {
		return
	}
	for id, e := range sb.byID {
		if sb.expired(e, now) {
			delete(sb.byID, id)
		}
	}
}

func (sb *Sandboxes) describe(e *sandboxEntry) Sandbox {
	last := time.Unix(0, e.lastUsed.Load()).UTC()
	d := Sandbox{ID: e.id, Path: SandboxesPath + "/" + e.id, Seed: e.seed, CreatedAt: e.created.UTC(), LastUsedAt: last}
	if sb.limits.TTL > 0 {
		at := last.Add(sb.limits.TTL)
		d.ExpiresAt = &at
	}
	return d
}

// newSandboxID returns a random id: sandboxes of parallel tests must not guess each other's.
func newSandboxID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("mockserver: sandbox id: %w", err)
	}
	return "sb-" + hex.EncodeToString(b[:]), nil
}

// ServeHTTP routes a request to a sandbox, to the registry's own endpoints, or to the
// parent server.
func (sb *Sandboxes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, SandboxesPath)
	if !ok || (rest != "" && rest[0] != '/') {
		sb.parent.ServeHTTP(w, r)
		return
	}
	if rest == "" || rest == "/" {
		sb.serveRegistry(w, r)
		return
	}
	id, tail, _ := strings.Cut(rest[1:], "/")
	e := sb.lookup(id)
	if e == nil {
		sb.serveOwn(w, r, func(w http.ResponseWriter, r *http.Request) {
			sb.parent.writeError(w, r, newAPIError(http.StatusNotFound, fmt.Sprintf(
				"calmock sandbox %q not found: it was deleted, expired after %s without a request (-sandbox-ttl), or never existed; create one with POST %s",
				id, sb.limits.TTL, SandboxesPath)))
		})
		return
	}
	if tail == "" && r.Method == http.MethodDelete && !strings.HasSuffix(rest, "/") {
		sb.serveOwn(w, r, sb.parent.requireAdmin(func(w http.ResponseWriter, r *http.Request) {
			sb.Delete(id)
			writeJSON(w, http.StatusOK, struct {
				Status string  `json:"status"`
				Data   Sandbox `json:"data"`
			}{"success", sb.describe(e)})
		}))
		return
	}
	// Strip the prefix as http.StripPrefix does, from the escaped path too: the router
	// matches the path as sent (an encoded slash inside a uid stays inside it).
	prefix := SandboxesPath + "/" + id
	r2 := *r
	u := *r.URL
	u.Path = "/" + tail
	if raw, ok := strings.CutPrefix(u.RawPath, prefix); ok && raw != "" {
		u.RawPath = raw
	} else {
		u.RawPath = ""
	}
	r2.URL = &u
	e.srv.ServeHTTP(w, &r2)
}

// serveOwn answers a request for the registry itself as the server's /_calmock endpoints
// are answered: common headers, CORS preflight, no panic escapes.
func (sb *Sandboxes) serveOwn(w http.ResponseWriter, r *http.Request, h http.HandlerFunc) {
	defer func() {
		if v := recover(); v != nil {
			sb.parent.log.Error("panic", "value", v, "method", r.Method, "path", r.URL.Path)
			sb.parent.writeError(w, r, newAPIError(http.StatusInternalServerError, "Internal server error"))
		}
	}()
	setCommonHeaders(w.Header(), sb.reqIDs.next())
	if r.Method == http.MethodOptions {
		writePreflight(w)
		return
	}
	h(w, r)
}

// serveRegistry answers GET (list) and POST (create) on SandboxesPath.
func (sb *Sandboxes) serveRegistry(w http.ResponseWriter, r *http.Request) {
	sb.serveOwn(w, r, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			sb.handleList(w, r)
		case http.MethodPost:
			sb.parent.requireAdmin(sb.handleCreate)(w, r)
		default:
			sb.parent.writeError(w, r, cannot(r))
		}
	})
}

// sandboxList is the data of GET /_calmock/sandboxes.
type sandboxList struct {
	Sandboxes   []Sandbox `json:"sandboxes"`
	Max         int       `json:"max"`
	TTL         string    `json:"ttl"`
	MaxBookings int       `json:"maxBookings"`
}

func (sb *Sandboxes) handleList(w http.ResponseWriter, r *http.Request) {
	list := sb.List()
	base := baseURL(r)
	for i := range list {
		list[i].URL = base + list[i].Path
	}
	ttl := "0s"
	if sb.limits.TTL > 0 {
		ttl = sb.limits.TTL.String()
	}
	writeJSON(w, http.StatusOK, struct {
		Status string      `json:"status"`
		Data   sandboxList `json:"data"`
	}{"success", sandboxList{Sandboxes: list, Max: sb.limits.Max, TTL: ttl, MaxBookings: sb.limits.MaxBookings}})
}

// sandboxRequest is the body of POST /_calmock/sandboxes; every field is optional.
type sandboxRequest struct {
	Seed      *int64          `json:"seed"`
	Clock     *string         `json:"clock"`
	RateLimit *int            `json:"rateLimit"`
	Fixtures  json.RawMessage `json:"fixtures"`
}

// maxSandboxBody bounds the create body, which may carry a whole fixtures document.
const maxSandboxBody = 1 << 20

const sandboxBodyHelp = `send {} or any of {"seed": 7, "clock": "2026-01-05T09:00:00Z", "rateLimit": 0, "fixtures": {"users": […], "eventTypes": […], "bookings": […]}}`

func (sb *Sandboxes) handleCreate(w http.ResponseWriter, r *http.Request) {
	o, err := readSandboxRequest(w, r)
	if err != nil {
		sb.parent.writeError(w, r, err)
		return
	}
	d, _, err := sb.Create(o)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, ErrSandboxFull) {
			status = http.StatusInsufficientStorage
		}
		sb.parent.writeError(w, r, newAPIError(status, err.Error()))
		return
	}
	d.URL = baseURL(r) + d.Path
	writeJSON(w, http.StatusCreated, struct {
		Status string  `json:"status"`
		Data   Sandbox `json:"data"`
	}{"success", d})
}

// readSandboxRequest decodes the create body strictly: an empty body, or one JSON object
// with known fields only.
func readSandboxRequest(w http.ResponseWriter, r *http.Request) (SandboxOptions, error) {
	var o SandboxOptions
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSandboxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return o, newAPIError(http.StatusRequestEntityTooLarge, fmt.Sprintf("sandbox body larger than %d bytes", maxSandboxBody))
		}
		return o, newAPIError(http.StatusBadRequest, "request aborted")
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return o, nil
	}
	var req sandboxRequest
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return o, newAPIError(http.StatusBadRequest, fmt.Sprintf("invalid sandbox body (%v): %s", err, sandboxBodyHelp))
	}
	if dec.More() {
		return o, newAPIError(http.StatusBadRequest, "invalid sandbox body (more than one JSON value): "+sandboxBodyHelp)
	}
	o.Seed, o.RateLimit = req.Seed, req.RateLimit
	if req.RateLimit != nil && *req.RateLimit < 0 {
		return o, newAPIError(http.StatusBadRequest, fmt.Sprintf("rateLimit must be 0 (off) or positive, got %d", *req.RateLimit))
	}
	if req.Clock != nil {
		at, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(*req.Clock))
		if err != nil || at.Before(minFreeze) {
			return o, newAPIError(http.StatusBadRequest, fmt.Sprintf("clock must be an RFC 3339 instant at or after 1970, such as 2026-01-05T09:00:00Z, got %q", *req.Clock))
		}
		o.FrozenAt = at
	}
	if len(req.Fixtures) > 0 && string(req.Fixtures) != "null" {
		set, err := fixtures.Decode(req.Fixtures, fixtures.FormatJSON)
		if err != nil {
			return o, newAPIError(http.StatusBadRequest, fmt.Sprintf("sandbox fixtures: %v", err))
		}
		o.Fixtures = set
	}
	return o, nil
}

// baseURL is the scheme and host the request was sent to, for the sandbox's url.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
