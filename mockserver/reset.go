package mockserver

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/fixtures"
)

// ResetPath is where POST puts the mock back to how it started (see Server.Reset).
const ResetPath = "/_calmock/reset"

// initialBookings is what the store started with, kept so that Reset can put it back: the
// fixtures' own bookings, and how to generate the extra (-bookings) ones again. Keeping
// those would double the memory of a large world; generating them is deterministic.
type initialBookings struct {
	base  []booking.Booking
	extra int
	seed  int64
	now   time.Time // the clock when the server was built, which the extra bookings count back from
	// webhooks are the subscriptions a reset puts back: the fixtures' and Config.Webhooks.
	webhooks []booking.Webhook
}

// initialWebhooks are the subscriptions a server starts with: the fixtures', then
// Config.Webhooks (-webhook), which replace a fixture webhook of the same id.
func initialWebhooks(cfg Config, set *fixtures.Set) []booking.Webhook {
	out := booking.CloneWebhooks(set.Webhooks)
	for _, w := range cfg.Webhooks {
		if i := slices.IndexFunc(out, func(x booking.Webhook) bool { return x.ID == w.ID }); i >= 0 {
			out[i] = w.Clone()
		} else {
			out = append(out, w.Clone())
		}
	}
	return out
}

// bookings returns the initial bookings, freshly generated (the store copies them anyway).
func (ib initialBookings) bookings(world *fixtures.Set) ([]booking.Booking, error) {
	set := *world // users, teams and event types: what the extra bookings are drawn from
	set.Bookings = slices.Clone(ib.base)
	if err := set.AddBookings(ib.extra, ib.seed, ib.now); err != nil {
		return nil, fmt.Errorf("extra bookings: %w", err)
	}
	return set.Bookings, nil
}

// Reset puts the mock back to how it started: the store holds exactly the fixtures'
// bookings and webhook subscriptions (with Config.Webhooks) again (a durable store too, on disk), booking uids and request ids restart
// their seeded sequences, every rate-limit count is forgotten, and the clock returns to its
// start state (frozen at Config.FrozenAt again, or real time with no offset), and every
// fault is removed. So a client that resets
// between test suites sees what a freshly started mock would show it, without a restart;
// requests running during a reset see the state before it or after it, never a mix. The
// memory the old state held is handed back to the operating system at once (not by a sandbox). It returns the
// number of bookings the store holds afterwards.
func (s *Server) Reset(ctx context.Context) (int, error) {
	bookings, err := s.initial.bookings(s.fixtures)
	if err != nil {
		return 0, fmt.Errorf("mockserver: reset: %w", err)
	}
	if err := s.store.Replace(ctx, bookings, s.initial.webhooks); err != nil {
		return 0, fmt.Errorf("mockserver: reset: %w", err)
	}
	s.clock.Restart()
	s.ids.Restart()
	s.reqIDs.restart()
	s.ClearFaults()
	if s.limiter != nil {
		s.limiter.reset()
	}
	if !s.sandbox {
		// A sandbox holds a few dozen bookings, and tests may reset hundreds of them: a
		// forced collection each time would cost more than it gives back.
		debug.FreeOSMemory()
	}
	return len(bookings), nil
}

// resetResult is the data of a reset's answer.
type resetResult struct {
	Bookings int `json:"bookings"`
}

// handleReset serves POST /_calmock/reset. Like the other /_calmock endpoints it needs no
// API key and counts against no rate limit; it answers in the API's success envelope.
func (s *Server) handleReset(w http.ResponseWriter, r *http.Request) {
	n, err := s.Reset(r.Context())
	if err != nil {
		s.log.Error("reset", "err", err)
		s.writeError(w, r, newAPIError(http.StatusInternalServerError, err.Error()))
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Status string      `json:"status"`
		Data   resetResult `json:"data"`
	}{"success", resetResult{Bookings: n}})
}
