package loadrun

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/calmock/calmock/internal/loadgen"
	"github.com/calmock/calmock/profile"
)

// world is what the operations need to know about a mock: its profile and, for cancel and
// confirm, a pool of fresh bookings.
type world struct {
	prof profile.Profile
	// slot numbers free hours for creates, shared by every create of the process: creates
	// of one run never collide, and each run starts a fresh mock.
	slot *atomic.Int64
	now  time.Time
	pool []string
}

func (w *world) headers(op string) http.Header {
	return http.Header{
		"Cal-Api-Version": {"2024-08-13"},
		"Authorization":   {"Bearer " + w.prof.Users[0].APIKey},
		"Content-Type":    {"application/json"},
		opHeader:          {op},
	}
}

// createBody books event type etID at the next free hour, 400 days from now and beyond.
func (w *world) createBody(etID int) []byte {
	k := w.slot.Add(1)
	start := w.now.Truncate(24*time.Hour).AddDate(0, 0, 400).Add(time.Duration(k) * time.Hour)
	return fmt.Appendf(nil, `{"start":%q,"eventTypeId":%d,"attendee":{"name":"Ada Lovelace","email":"ada%d@example.com","timeZone":"Europe/London"}}`,
		start.Format(time.RFC3339), etID, k)
}

// op returns the named operation against w. Cancel and confirm consume w.pool (Next wraps
// around, which only happens if the run outlasts the pool; the count bound prevents it).
func (w *world) op(name string) loadgen.Op {
	h := w.headers(name)
	plain := w.prof.EventTypes[profile.KindPlain].ID
	switch name {
	case "get":
		path := "/v2/bookings/" + w.prof.PastBookingUID
		return loadgen.Op{Name: name, Expect: http.StatusOK, Next: func(int) loadgen.Request {
			return loadgen.Request{Method: http.MethodGet, Path: path, Header: h}
		}}
	case "list":
		return loadgen.Op{Name: name, Expect: http.StatusOK, Next: func(int) loadgen.Request {
			return loadgen.Request{Method: http.MethodGet, Path: "/v2/bookings?take=100", Header: h}
		}}
	case "create":
		return loadgen.Op{Name: name, Expect: http.StatusCreated, Next: func(int) loadgen.Request {
			return loadgen.Request{Method: http.MethodPost, Path: "/v2/bookings", Header: h, Body: w.createBody(plain)}
		}}
	case "cancel":
		body := []byte(`{"cancellationReason":"load test"}`)
		return loadgen.Op{Name: name, Expect: http.StatusOK, Next: func(i int) loadgen.Request {
			return loadgen.Request{Method: http.MethodPost, Path: "/v2/bookings/" + w.pool[i%len(w.pool)] + "/cancel", Header: h, Body: body}
		}}
	case "confirm":
		return loadgen.Op{Name: name, Expect: http.StatusOK, Next: func(i int) loadgen.Request {
			return loadgen.Request{Method: http.MethodPost, Path: "/v2/bookings/" + w.pool[i%len(w.pool)] + "/confirm", Header: h}
		}}
	}
	return loadgen.Op{}
}

// fill creates n bookings of the event type of kind through do and keeps their uids.
func (w *world) fill(kind string, n int, do func(loadgen.Request) (int, []byte, error)) error {
	w.pool = w.pool[:0]
	et := w.prof.EventTypes[kind].ID
	for range n {
		status, body, err := do(loadgen.Request{Method: http.MethodPost, Path: "/v2/bookings", Header: w.headers("create"), Body: w.createBody(et)})
		if err != nil {
			return err
		}
		var out struct {
			Data struct {
				UID string `json:"uid"`
			} `json:"data"`
		}
		if status != http.StatusCreated || json.Unmarshal(body, &out) != nil || out.Data.UID == "" {
			return fmt.Errorf("create %s booking: status %d: %s", kind, status, body)
		}
		w.pool = append(w.pool, out.Data.UID)
	}
	return nil
}

func poolKind(op string) string {
	switch op {
	case "cancel":
		return profile.KindPlain
	case "confirm":
		return profile.KindRequiresConfirmation
	}
	return ""
}

// httpDo sends one request to base.
func httpDo(base string) func(loadgen.Request) (int, []byte, error) {
	return func(r loadgen.Request) (int, []byte, error) {
		req, err := http.NewRequest(r.Method, base+r.Path, bytes.NewReader(r.Body))
		if err != nil {
			return 0, nil, err
		}
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp.StatusCode, body, err
	}
}

func fetchProfile(base string) (profile.Profile, error) {
	var p profile.Profile
	resp, err := http.Get(base + profile.Path)
	if err != nil {
		return p, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return p, err
	}
	if len(p.Users) == 0 || p.PastBookingUID == "" {
		return p, errors.New("profile has no users or no past booking")
	}
	return p, nil
}

// bookingsOf returns how many bookings the first user of w sees (totalItems of a list):
// every booking the load run creates is theirs, with an attendee who is no fixture user.
func bookingsOf(base string, w *world) (int, error) {
	status, body, err := httpDo(base)(loadgen.Request{Method: http.MethodGet, Path: "/v2/bookings?take=1", Header: w.headers("list")})
	if err != nil {
		return 0, err
	}
	var out struct {
		Pagination struct {
			TotalItems *int `json:"totalItems"`
		} `json:"pagination"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &out) != nil || out.Pagination.TotalItems == nil {
		return 0, fmt.Errorf("list bookings: status %d: %.200s", status, body)
	}
	return *out.Pagination.TotalItems, nil
}
