package mockserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/calmock/calmock/internal/clock"
	"github.com/calmock/calmock/internal/wiretime"
)

// ClockPath is the mock's clock: GET reads it, POST freezes it at an instant, advances it
// by a duration, or returns it to real time. Everything time-dependent in the mock reads
// this one clock (the past/upcoming filters and their order, mark-absent of a started
// booking, "cannot book in the past", createdAt/updatedAt, rate-limit windows).
const ClockPath = "/_calmock/clock"

// clockState is the data of the clock endpoint's answers.
type clockState struct {
	Now  string     `json:"now"`
	Mode clock.Mode `json:"mode"`
}

// clockChange is the body of POST /_calmock/clock: exactly one field.
type clockChange struct {
	Freeze  *string `json:"freeze"`
	Advance *string `json:"advance"`
	Real    *bool   `json:"real"`
}

func (s *Server) handleClockGet(w http.ResponseWriter, _ *http.Request) {
	s.writeClock(w)
}

func (s *Server) handleClockPost(w http.ResponseWriter, r *http.Request) {
	change, err := readClockChange(w, r)
	if err == nil {
		err = s.applyClockChange(change)
	}
	if err != nil {
		s.writeError(w, r, newAPIError(http.StatusBadRequest, err.Error()))
		return
	}
	s.writeClock(w)
}

func (s *Server) writeClock(w http.ResponseWriter) {
	now, mode := s.clock.Read()
	writeJSON(w, http.StatusOK, struct {
		Status string     `json:"status"`
		Data   clockState `json:"data"`
	}{"success", clockState{Now: wiretime.Format(now), Mode: mode}})
}

const clockBodyHelp = `send one of {"freeze": "2026-01-05T09:00:00Z"}, {"advance": "90m"}, {"real": true}`

// readClockChange decodes the body strictly: one JSON object, known fields only.
func readClockChange(w http.ResponseWriter, r *http.Request) (clockChange, error) {
	var c clockChange
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return c, fmt.Errorf("empty body: %s", clockBodyHelp)
		}
		return c, fmt.Errorf("invalid clock body (%v): %s", err, clockBodyHelp)
	}
	if dec.More() {
		return c, fmt.Errorf("invalid clock body (more than one JSON value): %s", clockBodyHelp)
	}
	return c, nil
}

var minFreeze = time.Unix(0, 0)

// applyClockChange checks the change and applies it to the clock.
func (s *Server) applyClockChange(c clockChange) error {
	n := 0
	for _, set := range []bool{c.Freeze != nil, c.Advance != nil, c.Real != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("exactly one of freeze, advance, real is needed, got %d: %s", n, clockBodyHelp)
	}
	switch {
	case c.Freeze != nil:
		at, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(*c.Freeze))
		if err != nil {
			return fmt.Errorf("freeze must be an RFC 3339 instant such as 2026-01-05T09:00:00Z, got %q", *c.Freeze)
		}
		if at.Before(minFreeze) {
			// Timestamps before the Unix epoch (and the zero time) mean "unset" to too many clients.
			return fmt.Errorf("freeze must be at or after 1970-01-01T00:00:00Z, got %q", *c.Freeze)
		}
		s.clock.Freeze(at)
	case c.Advance != nil:
		d, err := time.ParseDuration(strings.TrimSpace(*c.Advance))
		if err != nil || d <= 0 {
			return fmt.Errorf("advance must be a positive Go duration such as 90m or 24h, got %q (to go back, freeze at an earlier instant)", *c.Advance)
		}
		s.clock.Advance(d)
	default:
		if !*c.Real {
			return fmt.Errorf(`real must be true (to stop the clock, freeze it): %s`, clockBodyHelp)
		}
		s.clock.Unfreeze()
	}
	return nil
}

// Clock returns the server's clock, the one GET and POST /_calmock/clock read and move, for
// a program that embeds the mock (calmocktest): Freeze, Advance, Unfreeze and Now are its
// methods.
func (s *Server) Clock() *clock.Clock { return s.clock }
