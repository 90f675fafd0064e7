package booking_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/booking/memstore"
)

// cursorEnvs are the two paths of ListCursor: memstore's seek and the Visible fallback
// (plainStore, list_test.go, hides VisibleSeeker as it hides VisibleWindow).
func cursorEnvs(t *testing.T) map[string]*env {
	seek := mustEnv(t)
	plain := mustEnv(t)
	plain.svc = booking.NewService(plainStore{plain.store}, testCatalog(), booking.ClockFunc(plain.Now), booking.NewSeededIDs(42))
	return map[string]*env{"seek": seek, "fallback": plain}
}

// pageAll pages through q with limit, calling between before each page after the first.
func pageAll(t *testing.T, e *env, caller booking.User, f booking.Filter, limit int, between func(page int, next booking.Position)) []booking.Booking {
	t.Helper()
	var all []booking.Booking
	var after *booking.Position
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatal("paging does not end")
		}
		if page > 0 && between != nil {
			between(page, *after)
		}
		p, err := e.svc.ListCursor(ctx, caller, booking.CursorQuery{Filter: f, After: after, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Bookings) > limit {
			t.Fatalf("page %d has %d bookings, limit %d", page, len(p.Bookings), limit)
		}
		all = append(all, p.Bookings...)
		if p.Next == nil {
			return all
		}
		if len(p.Bookings) != limit {
			t.Fatalf("page %d: %d bookings and a next cursor; a short page must be the last", page, len(p.Bookings))
		}
		after = p.Next
	}
}

func TestService_ListCursor_OrderPerStatus(t *testing.T) {
	for name, e := range cursorEnvs(t) {
		t.Run(name, func(t *testing.T) {
			seedList(t, e)
			st := func(s booking.ListStatus) []booking.ListStatus { return []booking.ListStatus{s} }
			cases := []struct {
				name string
				f    booking.Filter
				want []string
			}{
				// No status: every visible booking, start descending (changes note §2.1).
				{"NoStatusDesc", booking.Filter{}, []string{"rec-pend", "rec-acc", "up-rej", "up-pend", "up-acc", "past-canc", "past-acc"}},
				{"UpcomingAsc", booking.Filter{Statuses: st(booking.ListUpcoming)}, []string{"up-acc", "up-pend", "rec-acc"}},
				{"RecurringAsc", booking.Filter{Statuses: st(booking.ListRecurring)}, []string{"rec-acc", "rec-pend"}},
				{"UnconfirmedAsc", booking.Filter{Statuses: st(booking.ListUnconfirmed)}, []string{"up-pend", "rec-pend"}},
				{"PastDesc", booking.Filter{Statuses: st(booking.ListPast)}, []string{"past-acc"}},
				{"CancelledDesc", booking.Filter{Statuses: st(booking.ListCancelled)}, []string{"up-rej", "past-canc"}},
				{"SortStartAscOverridesStatus", booking.Filter{Statuses: st(booking.ListCancelled), SortBy: booking.SortStart}, []string{"past-canc", "up-rej"}},
				// seedList's createdAt grows with the id, updatedAt shrinks.
				{"SortCreatedDesc", booking.Filter{SortBy: booking.SortCreated, SortDesc: true}, []string{"rec-pend", "rec-acc", "up-rej", "up-pend", "up-acc", "past-canc", "past-acc"}},
				{"SortUpdatedAsc", booking.Filter{SortBy: booking.SortUpdated}, []string{"rec-pend", "rec-acc", "up-rej", "up-pend", "up-acc", "past-canc", "past-acc"}},
				{"FilterAndPage", booking.Filter{AttendeeEmail: "y@example.com"}, []string{"up-rej", "up-pend", "up-acc"}},
			}
			for _, c := range cases {
				for _, limit := range []int{1, 2, 100} {
					got := uids(pageAll(t, e, alice, c.f, limit, nil))
					if !slices.Equal(got, c.want) {
						t.Errorf("%s limit %d: got %v, want %v", c.name, limit, got, c.want)
					}
				}
			}
			if got := uids(pageAll(t, e, bob, booking.Filter{}, 5, nil)); !slices.Equal(got, []string{"bobs"}) {
				t.Errorf("bob sees %v, want only the booking he attends", got)
			}
		})
	}
}

// TestService_ListCursor_Anchor: the first page of an ascending status starts an hour
// before now, so a long booking that began earlier and has not ended is upcoming in the
// take/skip list but not in the cursor list; without a status the list starts below 2100.
func TestService_ListCursor_Anchor(t *testing.T) {
	for name, e := range cursorEnvs(t) {
		t.Run(name, func(t *testing.T) {
			put(t, e,
				booking.Booking{ID: 1, UID: "long", Status: booking.StatusAccepted, HostID: alice.ID, EventTypeID: etPlain, Start: t0.Add(-2 * time.Hour), End: t0.Add(time.Hour)},
				booking.Booking{ID: 2, UID: "recent", Status: booking.StatusAccepted, HostID: alice.ID, EventTypeID: etPlain, Start: t0.Add(-30 * time.Minute), End: t0.Add(time.Hour)},
				booking.Booking{ID: 3, UID: "far", Status: booking.StatusAccepted, HostID: alice.ID, EventTypeID: etPlain, Start: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2100, 1, 1, 1, 0, 0, 0, time.UTC)},
			)
			up := booking.Filter{Statuses: []booking.ListStatus{booking.ListUpcoming}}
			if got := uids(pageAll(t, e, alice, up, 10, nil)); !slices.Equal(got, []string{"recent", "far"}) {
				t.Errorf("upcoming: got %v, want [recent far]", got)
			}
			if got := uids(pageAll(t, e, alice, booking.Filter{}, 10, nil)); !slices.Equal(got, []string{"recent", "long"}) {
				t.Errorf("no status: got %v, want [recent long] (2100 and later is past the anchor)", got)
			}
			if got := uids(pageAll(t, e, alice, booking.Filter{SortBy: booking.SortStart}, 10, nil)); !slices.Equal(got, []string{"long", "recent", "far"}) {
				t.Errorf("sortStart: got %v, want every booking", got)
			}
		})
	}
}

func put(t *testing.T, e *env, bs ...booking.Booking) {
	t.Helper()
	if err := e.store.Update(ctx, func(tx booking.Tx) error {
		for _, b := range bs {
			tx.Put(b)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestService_ListCursor_ExactlyOnceWhileCreating pages through every order while bookings
// are created between pages, before, at and after the cursor's position (equal keys
// included): every booking that existed before the first page comes exactly once, no
// booking comes twice, and the pages are in order.
func TestService_ListCursor_ExactlyOnceWhileCreating(t *testing.T) {
	orders := []booking.Filter{
		{},
		{Statuses: []booking.ListStatus{booking.ListUpcoming}},
		{Statuses: []booking.ListStatus{booking.ListPast}},
		{SortBy: booking.SortStart},
		{SortBy: booking.SortEnd, SortDesc: true},
		{SortBy: booking.SortCreated},
	}
	for name, e := range cursorEnvs(t) {
		for oi, f := range orders {
			t.Run(fmt.Sprintf("%s/%d", name, oi), func(t *testing.T) {
				e.store = memstore.New()
				svcStore := booking.Store(e.store)
				if name == "fallback" {
					svcStore = plainStore{e.store}
				}
				e.svc = booking.NewService(svcStore, testCatalog(), booking.ClockFunc(e.Now), booking.NewSeededIDs(42))
				nextID := 1
				mk := func(start time.Time) booking.Booking {
					b := booking.Booking{ID: nextID, UID: fmt.Sprintf("b%04d", nextID), Status: booking.StatusAccepted, HostID: alice.ID, EventTypeID: etPlain,
						Start: start, End: start.Add(30 * time.Minute), CreatedAt: t0.Add(time.Duration(nextID%7) * time.Minute), UpdatedAt: t0}
					nextID++
					return b
				}
				// Starts repeat (three per hour), so ties are broken by id.
				var initial []booking.Booking
				for i := range 60 {
					initial = append(initial, mk(t0.Add(time.Duration(i/3-10)*time.Hour)))
				}
				put(t, e, initial...)
				created := map[string]bool{}
				got := pageAll(t, e, alice, f, 7, func(page int, next booking.Position) {
					// One booking at the cursor's own start, one far before, one far after.
					var bs []booking.Booking
					for _, start := range []time.Time{t0.Add(time.Duration(page-10) * time.Hour), t0.Add(-48 * time.Hour), t0.Add(48 * time.Hour)} {
						b := mk(start)
						created[b.UID] = true
						bs = append(bs, b)
					}
					put(t, e, bs...)
				})
				want := map[string]bool{}
				all, err := e.svc.List(ctx, alice, booking.Filter{Statuses: f.Statuses, Take: 1000})
				if err != nil {
					t.Fatal(err)
				}
				for _, b := range all.Bookings {
					if !created[b.UID] {
						want[b.UID] = true
					}
				}
				seen := map[string]bool{}
				order := booking.CursorOrder(f)
				for i, b := range got {
					if seen[b.UID] {
						t.Fatalf("%s returned twice", b.UID)
					}
					seen[b.UID] = true
					if i > 0 && !cursorAfter(order, got[i-1], b) {
						t.Fatalf("%s comes after %s out of order %+v", b.UID, got[i-1].UID, order)
					}
				}
				for uid := range want {
					if !seen[uid] {
						t.Errorf("%s (there before the first page) never returned", uid)
					}
				}
				if len(want) < 20 {
					t.Fatalf("only %d bookings to page through: the test proves little", len(want))
				}
			})
		}
	}
}

// cursorAfter reports whether b is strictly after a in order o.
func cursorAfter(o booking.Order, a, b booking.Booking) bool {
	pa, pb := o.PositionOf(&a), o.PositionOf(&b)
	c := pa.Key.Compare(pb.Key)
	if c == 0 {
		c = a.ID - b.ID
	}
	if o.Desc {
		return c > 0
	}
	return c < 0
}
