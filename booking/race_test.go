package booking_test

import (
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/booking/memstore"
)

// tickingClock returns a later instant on every call, so that each transaction (which reads
// the clock once) stamps a distinct UpdatedAt: the commit order becomes visible.
type tickingClock struct{ n atomic.Int64 }

func (c *tickingClock) Now() time.Time { return t0.Add(time.Duration(c.n.Add(1)) * time.Millisecond) }

const goroutines = 50

// TestService_ConcurrentSameAction: 50 goroutines apply the same action to one pending
// booking; exactly one wins, the others get the status machine's refusal.
func TestService_ConcurrentSameAction(t *testing.T) {
	for _, a := range []booking.Action{booking.ActionConfirm, booking.ActionCancel} {
		t.Run(string(a), func(t *testing.T) {
			store := memstore.New()
			svc := booking.NewService(store, testCatalog(), &tickingClock{}, booking.NewSeededIDs(3))
			b, err := svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etConfirm, Start: t0.Add(time.Hour), Attendee: guest("A", "a@example.com")})
			if err != nil {
				t.Fatal(err)
			}
			uid := b.Bookings[0].UID
			var wins atomic.Int32
			var wg sync.WaitGroup
			for range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var err error
					if a == booking.ActionConfirm {
						_, err = svc.Confirm(ctx, alice, uid)
					} else {
						_, err = svc.Cancel(ctx, nil, uid, booking.CancelInput{Reason: "r"})
					}
					if err == nil {
						wins.Add(1)
					} else if booking.ErrorCode(err) != booking.EINVALID {
						t.Errorf("unexpected error %v", err)
					}
				}()
			}
			wg.Wait()
			if wins.Load() != 1 {
				t.Fatalf("%d winners, want exactly 1", wins.Load())
			}
		})
	}
}

// TestService_ConcurrentMixed: 50 goroutines confirm, decline or cancel one pending booking.
// Cal.com's quirks let several of these succeed one after another (a declined booking can be
// confirmed, a confirmed one cancelled), so "one winner" is not the invariant; atomicity is.
// The first committed transition is exactly one of the three, and replaying the successes in
// commit order through the pure transition functions must give each recorded status and the
// stored final state.
func TestService_ConcurrentMixed(t *testing.T) {
	store := memstore.New()
	clock := &tickingClock{}
	svc := booking.NewService(store, testCatalog(), clock, booking.NewSeededIDs(4))
	r, err := svc.Create(ctx, nil, booking.CreateInput{EventTypeID: etConfirm, Start: t0.Add(time.Hour), Attendee: guest("A", "a@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	start := r.Bookings[0]
	type success struct {
		action booking.Action
		b      booking.Booking
	}
	var mu sync.Mutex
	var wins []success
	var wg sync.WaitGroup
	for i := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := []booking.Action{booking.ActionConfirm, booking.ActionDecline, booking.ActionCancel}[i%3]
			var res booking.Result
			var err error
			switch a {
			case booking.ActionConfirm:
				res, err = svc.Confirm(ctx, alice, start.UID)
			case booking.ActionDecline:
				res, err = svc.Decline(ctx, alice, start.UID, "no")
			default:
				res, err = svc.Cancel(ctx, nil, start.UID, booking.CancelInput{Reason: "r"})
			}
			if err != nil {
				if booking.ErrorCode(err) != booking.EINVALID {
					t.Errorf("unexpected error %v", err)
				}
				return
			}
			mu.Lock()
			wins = append(wins, success{a, res.Bookings[0]})
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(wins) == 0 {
		t.Fatal("no transition won")
	}
	sort.Slice(wins, func(i, j int) bool { return wins[i].b.UpdatedAt.Before(wins[j].b.UpdatedAt) })
	cur := start
	for i, w := range wins {
		if i > 0 && w.b.UpdatedAt.Equal(wins[i-1].b.UpdatedAt) {
			t.Fatalf("two transitions committed at the same instant")
		}
		next, err := apply(cur, w.action, w.b.UpdatedAt)
		if err != nil {
			t.Fatalf("success %d (%s) is not allowed after %s: %v", i, w.action, cur.Status, err)
		}
		if next.Status != w.b.Status {
			t.Fatalf("success %d (%s): replay gives %s, service returned %s", i, w.action, next.Status, w.b.Status)
		}
		cur = w.b
	}
	var final booking.Booking
	_ = store.View(ctx, func(tx booking.Tx) error { final, _ = tx.Get(start.UID); return nil })
	if final.Status != cur.Status || !final.UpdatedAt.Equal(cur.UpdatedAt) {
		t.Fatalf("stored %s@%v, last success %s@%v", final.Status, final.UpdatedAt, cur.Status, cur.UpdatedAt)
	}
}
