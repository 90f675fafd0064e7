package booking_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/internal/fill"
)

// TestService_ResultsAreTheCallers: every read the Service answers from a read-only
// transaction (which may share memory with the store) hands out the caller's own copy.
// Each result is written over in place, everywhere reachable from it; the store and a
// second read must be exactly what they were. The bookings have every field set (by
// reflection), so a field added later is covered without editing this test.
func TestService_ResultsAreTheCallers(t *testing.T) {
	e := mustEnv(t)
	full := func(seed int, uid string, start time.Time) booking.Booking {
		var b booking.Booking
		fill.Value(&b, seed)
		b.UID, b.RecurringBookingUID = uid, "series-1"
		b.HostID, b.EventTypeID, b.Status = alice.ID, etPlain, booking.StatusAccepted
		b.Start, b.End = start, start.Add(30*time.Minute)
		b.Location = "integrations:daily" // Cal Video: recordings and transcripts are read
		for i := range b.Attendees {
			b.Attendees[i].SeatUID = uid + "-seat-" + string(rune('a'+i))
		}
		b.References[0].Type = "daily_video"
		return b
	}
	first, second := full(1, "full-1", t0.Add(time.Hour)), full(2, "full-2", t0.Add(2*time.Hour))
	if err := e.store.Update(ctx, func(tx booking.Tx) error { tx.Put(first); tx.Put(second); return nil }); err != nil {
		t.Fatal(err)
	}

	reads := map[string]func() (any, error){
		"Get": func() (any, error) { return e.svc.Get(ctx, &alice, "full-1") },
		"Get series": func() (any, error) {
			return e.svc.Get(ctx, &alice, "series-1")
		},
		"GetBySeat": func() (any, error) { return e.svc.GetBySeat(ctx, &alice, "full-1-seat-a") },
		"List": func() (any, error) {
			return e.svc.List(ctx, alice, booking.Filter{})
		},
		"List filtered and sorted": func() (any, error) {
			return e.svc.List(ctx, alice, booking.Filter{Statuses: []booking.ListStatus{booking.ListUpcoming}, SortBy: booking.SortCreated, SortDesc: true})
		},
		"Recordings":  func() (any, error) { return e.svc.Recordings(ctx, alice, "full-1") },
		"Transcripts": func() (any, error) { return e.svc.Transcripts(ctx, alice, "full-1") },
		"References":  func() (any, error) { return e.svc.References(ctx, alice, "full-1", "") },
		"CalendarEvent": func() (any, error) {
			b, et, host, err := e.svc.CalendarEvent(ctx, "full-1")
			return []any{&b, &et, &host}, err
		},
	}
	for name, read := range reads {
		t.Run(name, func(t *testing.T) {
			store := storeJSON(t, e)
			got, err := read()
			if err != nil {
				t.Fatal(err)
			}
			want := mustJSON(t, got)
			if len(want) < 10 {
				t.Fatalf("the read returned almost nothing (%s): the test would prove nothing", want)
			}
			fill.Overwrite(&got)
			if mustJSON(t, got) == want {
				t.Fatal("Overwrite changed nothing in the result")
			}
			if after := storeJSON(t, e); after != store {
				t.Errorf("writing over the result changed the store:\nbefore %.400s\n after %.400s", store, after)
			}
			again, err := read()
			if err != nil {
				t.Fatal(err)
			}
			if got := mustJSON(t, again); got != want {
				t.Errorf("a second read differs after the first result was written over:\n got %.400s\nwant %.400s", got, want)
			}
		})
	}
}

// storeJSON is every stored booking, as JSON (which follows pointers, maps and slices).
func storeJSON(t *testing.T, e *env) string {
	t.Helper()
	var all []booking.Booking
	if err := e.store.View(ctx, func(tx booking.Tx) error {
		for _, b := range tx.Visible(alice.ID, alice.Email) {
			all = append(all, *b)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return mustJSON(t, all)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestService_WrittenResultsAreTheCallers: what an operation that writes returns is a copy
// too (an Update hands out deep copies and Put keeps its own): writing over it changes
// neither the store nor a later read.
func TestService_WrittenResultsAreTheCallers(t *testing.T) {
	e := mustEnv(t)
	in := booking.CreateInput{EventTypeID: etPlain, Start: t0.Add(time.Hour), Attendee: guest("A", "a@example.com"),
		Guests: []string{"g@example.com"}, Metadata: map[string]any{"k": "v"}, BookingFieldsResponses: map[string]any{"q": []any{"x"}}}
	writes := []struct {
		name  string
		write func(t *testing.T) (any, string)
	}{
		{"Create", func(t *testing.T) (any, string) {
			r, err := e.svc.Create(ctx, nil, in)
			if err != nil {
				t.Fatal(err)
			}
			return &r, r.Bookings[0].UID
		}},
		{"Reschedule", func(t *testing.T) (any, string) {
			uid := e.mustCreate(t, etPlain, t0.Add(3*time.Hour), guest("B", "b@example.com")).Bookings[0].UID
			r, err := e.svc.Reschedule(ctx, &alice, uid, booking.RescheduleInput{Start: t0.Add(5 * time.Hour), Reason: "moved"})
			if err != nil {
				t.Fatal(err)
			}
			return &r, r.Bookings[0].UID
		}},
		{"Cancel", func(t *testing.T) (any, string) {
			uid := e.mustCreate(t, etPlain, t0.Add(7*time.Hour), guest("C", "c@example.com")).Bookings[0].UID
			r, err := e.svc.Cancel(ctx, &alice, uid, booking.CancelInput{Reason: "busy"})
			if err != nil {
				t.Fatal(err)
			}
			return &r, uid
		}},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			got, uid := w.write(t)
			store := storeJSON(t, e)
			read := mustJSON(t, e.mustGet(t, uid))
			fill.Overwrite(got)
			if after := storeJSON(t, e); after != store {
				t.Errorf("writing over the result changed the store:\nbefore %.400s\n after %.400s", store, after)
			}
			if again := mustJSON(t, e.mustGet(t, uid)); again != read {
				t.Errorf("a read differs after the result was written over:\n got %.400s\nwant %.400s", again, read)
			}
		})
	}
}
