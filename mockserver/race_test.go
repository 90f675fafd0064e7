package mockserver

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/calmock/calmock/profile"
)

// hammer sends n concurrent requests built by req(i) and returns how many got 200. Any 5xx
// fails the test.
func (f *fixture) hammer(t *testing.T, n int, req func(i int) (path string, body any)) int32 {
	t.Helper()
	var ok atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			path, body := req(i)
			r := f.do(t, "POST", path, f.key(0), body)
			switch {
			case r.Code == http.StatusOK:
				ok.Add(1)
			case r.Code >= 500:
				t.Errorf("%s: status %d: %s", path, r.Code, r.Body.String())
			}
		}(i)
	}
	wg.Wait()
	return ok.Load()
}

// TestConcurrentTransitions_OneWins: many goroutines race to apply the same transition to
// one booking through the HTTP handler; exactly one may win, because each transition is one
// atomic read-modify-write of the store.
func TestConcurrentTransitions_OneWins(t *testing.T) {
	const n = 60
	f := MustServer(t, Config{})
	rc := f.eventType(t, profile.KindRequiresConfirmation)
	plain := f.eventType(t, profile.KindPlain)
	create := func(etID, day int) string {
		return f.do(t, "POST", "/v2/bookings", "", createBody(etID, slot(day, 10), "race@example.com")).expect(t, http.StatusCreated).data(t)["uid"].(string)
	}

	t.Run("confirm", func(t *testing.T) {
		uid := create(rc.ID, 12)
		if got := f.hammer(t, n, func(int) (string, any) { return "/v2/bookings/" + uid + "/confirm", nil }); got != 1 {
			t.Fatalf("%d concurrent confirms succeeded, want exactly 1", got)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		uid := create(plain.ID, 13)
		body := map[string]any{"cancellationReason": "race"}
		if got := f.hammer(t, n, func(int) (string, any) { return "/v2/bookings/" + uid + "/cancel", body }); got != 1 {
			t.Fatalf("%d concurrent cancels succeeded, want exactly 1", got)
		}
	})
	t.Run("reschedule", func(t *testing.T) {
		uid := create(plain.ID, 14)
		// Each goroutine asks for its own new slot; only one may move the booking.
		var wg sync.WaitGroup
		var ok atomic.Int32
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := f.do(t, "POST", "/v2/bookings/"+uid+"/reschedule", "", map[string]any{"start": slot(15+i, 10)})
				if r.Code == http.StatusCreated {
					ok.Add(1)
				} else if r.Code >= 500 {
					t.Errorf("reschedule: %d %s", r.Code, r.Body.String())
				}
			}(i)
		}
		wg.Wait()
		if got := ok.Load(); got != 1 {
			t.Fatalf("%d concurrent reschedules succeeded, want exactly 1", got)
		}
	})
	t.Run("mixed", func(t *testing.T) {
		// Confirm, decline and cancel interleaved: several may legally succeed in sequence
		// (cancel after confirm, for instance), but none may fail with a 5xx and the booking
		// must have left pending.
		uid := create(rc.ID, 80)
		paths := []string{"/confirm", "/decline", "/cancel"}
		body := map[string]any{"cancellationReason": "race"}
		if got := f.hammer(t, n, func(i int) (string, any) { return "/v2/bookings/" + uid + paths[i%3], body }); got == 0 {
			t.Fatal("no transition succeeded")
		}
		if st := f.do(t, "GET", "/v2/bookings/"+uid, "", nil).expect(t, http.StatusOK).data(t)["status"]; st == "pending" {
			t.Fatal("booking still pending")
		}
	})
}
