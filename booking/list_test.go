package booking_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
)

// seedList stores bookings with fixed ids and times; alice organises all but "theirs", which
// bob attends only as a guest of someone else's booking.
func seedList(tb testing.TB, e *env) {
	tb.Helper()
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	mk := func(id int, uid string, st booking.Status, start int, series string, host int, att ...string) booking.Booking {
		b := booking.Booking{ID: id, UID: uid, Status: st, EventTypeID: etPlain, HostID: host, Start: at(start), End: at(start).Add(30 * time.Minute),
			RecurringBookingUID: series, CreatedAt: at(-100 + id), UpdatedAt: at(-50 - id)}
		for _, a := range att {
			b.Attendees = append(b.Attendees, booking.Attendee{Name: "N " + a, Email: a})
		}
		return b
	}
	rows := []booking.Booking{
		mk(1, "past-acc", booking.StatusAccepted, -5, "", alice.ID, "x@example.com"),
		mk(2, "past-canc", booking.StatusCancelled, -4, "", alice.ID, "x@example.com"),
		mk(3, "up-acc", booking.StatusAccepted, 5, "", alice.ID, "y@example.com"),
		mk(4, "up-pend", booking.StatusPending, 6, "", alice.ID, "y@example.com"),
		mk(5, "up-rej", booking.StatusRejected, 7, "", alice.ID, "y@example.com"),
		mk(6, "rec-acc", booking.StatusAccepted, 8, "S", alice.ID, "z@example.com"),
		mk(7, "rec-pend", booking.StatusPending, 9, "S", alice.ID, "z@example.com"),
		mk(8, "theirs", booking.StatusAccepted, 10, "", carol.ID, "bob+x@example.com"),
		mk(9, "bobs", booking.StatusAccepted, 11, "", carol.ID, bob.Email),
	}
	rows[3].EventTypeID = etConfirm
	rows[5].EventTypeID, rows[6].EventTypeID = etRecurring, etRecurring
	rows[8].EventTypeID = etRoundRobin
	if err := e.store.Update(ctx, func(tx booking.Tx) error {
		for _, b := range rows {
			tx.Put(b)
		}
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
}

func uids(bs []booking.Booking) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.UID
	}
	return out
}

func TestService_List(t *testing.T) {
	e := mustEnv(t)
	seedList(t, e)
	tm := func(h int) *time.Time { v := t0.Add(time.Duration(h) * time.Hour); return &v }
	cases := []struct {
		name   string
		caller booking.User
		f      booking.Filter
		want   []string
	}{
		{"AllDefaultStartAsc", alice, booking.Filter{}, []string{"past-acc", "past-canc", "up-acc", "up-pend", "up-rej", "rec-acc", "rec-pend"}},
		{"VisibleAsAttendee", bob, booking.Filter{}, []string{"bobs"}},
		{"Upcoming", alice, booking.Filter{Statuses: []booking.ListStatus{booking.ListUpcoming}}, []string{"up-acc", "up-pend", "rec-acc"}},
		{"Recurring", alice, booking.Filter{Statuses: []booking.ListStatus{booking.ListRecurring}}, []string{"rec-acc", "rec-pend"}},
		{"PastDesc", alice, booking.Filter{Statuses: []booking.ListStatus{booking.ListPast}}, []string{"past-acc"}},
		{"CancelledDesc", alice, booking.Filter{Statuses: []booking.ListStatus{booking.ListCancelled}}, []string{"up-rej", "past-canc"}},
		{"Unconfirmed", alice, booking.Filter{Statuses: []booking.ListStatus{booking.ListUnconfirmed}}, []string{"up-pend", "rec-pend"}},
		{"TwoStatusesStartAsc", alice, booking.Filter{Statuses: []booking.ListStatus{booking.ListCancelled, booking.ListPast}}, []string{"past-acc", "past-canc", "up-rej"}},
		{"SortOverridesStatusDefault", alice, booking.Filter{Statuses: []booking.ListStatus{booking.ListCancelled}, SortBy: booking.SortStart}, []string{"past-canc", "up-rej"}},
		{"AttendeeEmailPlusFromSpace", carol, booking.Filter{AttendeeEmail: "bob x@example.com"}, []string{"theirs"}},
		{"AttendeeName", alice, booking.Filter{AttendeeName: " N y@example.com "}, []string{"up-acc", "up-pend", "up-rej"}},
		{"BookingUID", alice, booking.Filter{BookingUID: "up-acc"}, []string{"up-acc"}},
		{"EventTypeIDs", alice, booking.Filter{EventTypeIDs: []int{etConfirm, 9999}}, []string{"up-pend"}},
		{"TeamIDs", carol, booking.Filter{TeamIDs: []int{team.ID}}, []string{"bobs"}},
		{"AfterStartBeforeEndInclusive", alice, booking.Filter{AfterStart: tm(5), BeforeEnd: func() *time.Time { v := t0.Add(6*time.Hour + 30*time.Minute); return &v }()}, []string{"up-acc", "up-pend"}},
		{"CreatedBounds", alice, booking.Filter{AfterCreatedAt: tm(-98), BeforeCreatedAt: tm(-97)}, []string{"past-canc", "up-acc"}},
		{"UpdatedBounds", alice, booking.Filter{AfterUpdatedAt: tm(-52), BeforeUpdatedAt: tm(-51)}, []string{"past-acc", "past-canc"}},
		{"SortCreatedDesc", alice, booking.Filter{SortBy: booking.SortCreated, SortDesc: true, Take: 2}, []string{"rec-pend", "rec-acc"}},
		{"SortUpdatedAsc", alice, booking.Filter{SortBy: booking.SortUpdated, Take: 2}, []string{"rec-pend", "rec-acc"}},
		{"SortEndDesc", alice, booking.Filter{SortBy: booking.SortEnd, SortDesc: true, Take: 1}, []string{"rec-pend"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := e.svc.List(ctx, c.caller, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := uids(p.Bookings); !equalStrings(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestService_ListPaging(t *testing.T) {
	e := mustEnv(t)
	seedList(t, e)
	// §6.4 example: 5 bookings, skip 2, default take → 3 returned of 5.
	f := booking.Filter{Statuses: []booking.ListStatus{booking.ListUpcoming, booking.ListCancelled}, Skip: 2}
	p, err := e.svc.List(ctx, alice, f)
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 5 || p.Take != 100 || p.Skip != 2 || len(p.Bookings) != 3 {
		t.Fatalf("total %d take %d skip %d returned %d", p.Total, p.Take, p.Skip, len(p.Bookings))
	}
	p, _ = e.svc.List(ctx, alice, booking.Filter{Take: 2, Skip: 6})
	if p.Total != 7 || len(p.Bookings) != 1 || p.Bookings[0].UID != "rec-pend" {
		t.Fatalf("last page: %d %v", p.Total, uids(p.Bookings))
	}
	p, _ = e.svc.List(ctx, alice, booking.Filter{Skip: 50})
	if p.Total != 7 || p.Bookings == nil || len(p.Bookings) != 0 {
		t.Fatalf("beyond the end: %d %v", p.Total, p.Bookings)
	}
	// Total counts the created/updated filters too (the sane choice, not Cal.com's QUIRK).
	v := t0.Add(-98 * time.Hour)
	p, _ = e.svc.List(ctx, alice, booking.Filter{AfterCreatedAt: &v})
	if p.Total != len(p.Bookings) || p.Total != 6 {
		t.Fatalf("total %d returned %d", p.Total, len(p.Bookings))
	}
}

func TestService_ListErrUnknownEventTypes(t *testing.T) {
	e := mustEnv(t)
	_, err := e.svc.List(ctx, alice, booking.Filter{EventTypeIDs: []int{9998, 9999}})
	checkErr(t, err, booking.EINVALID, booking.OriginTRPC, "event type ids do not exist")
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestService_ListWindowMatchesFullList: an unfiltered list in start order takes its page
// from the store's VisibleWindow; through a store without it, the same lists must come out.
func TestService_ListWindowMatchesFullList(t *testing.T) {
	e := mustEnv(t)
	seedList(t, e)
	plain := booking.NewService(plainStore{e.store}, testCatalog(), booking.ClockFunc(e.Now), booking.NewSeededIDs(42))
	for _, f := range []booking.Filter{
		{}, {Take: 2}, {Take: 2, Skip: 3}, {Skip: 6}, {Skip: 50}, {SortBy: booking.SortStart},
		{SortBy: booking.SortStart, SortDesc: true, Take: 3}, {SortBy: booking.SortEnd, Take: 4},
	} {
		got, err := e.svc.List(ctx, alice, f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := plain.List(ctx, alice, f)
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != want.Total || !slices.Equal(uids(got.Bookings), uids(want.Bookings)) {
			t.Errorf("%+v: windowed %d %v, full %d %v", f, got.Total, uids(got.Bookings), want.Total, uids(want.Bookings))
		}
	}
}

// plainStore hides the optional interfaces of its store's transactions (VisibleWindow,
// SeekVisible).
type plainStore struct{ booking.Store }

func (p plainStore) View(ctx context.Context, fn func(booking.Tx) error) error {
	return p.Store.View(ctx, func(tx booking.Tx) error { return fn(plainTx{tx}) })
}

type plainTx struct{ booking.Tx }

// TestService_ListFuncVisitsListsPage: ListFunc lends, in order, exactly the bookings List
// copies, with the same page numbers, for every order, filter and window; and its errors
// are List's.
func TestService_ListFuncVisitsListsPage(t *testing.T) {
	e := mustEnv(t)
	seedList(t, e)
	for _, f := range []booking.Filter{
		{}, {Take: 2, Skip: 3}, {Skip: 50}, {SortBy: booking.SortStart, SortDesc: true, Take: 3},
		{SortBy: booking.SortEnd, Take: 4}, {SortBy: booking.SortCreated, SortDesc: true},
		{Statuses: []booking.ListStatus{booking.ListPast}}, {Statuses: []booking.ListStatus{booking.ListUpcoming, booking.ListRecurring}},
		{AttendeeEmail: "y@example.com"}, {EventTypeIDs: []int{etRecurring}},
	} {
		want, err := e.svc.List(ctx, alice, f)
		if err != nil {
			t.Fatal(err)
		}
		lent := []booking.Booking{}
		got, err := e.svc.ListFunc(ctx, alice, f, func(b booking.Booking) { lent = append(lent, b) })
		if err != nil {
			t.Fatal(err)
		}
		if got.Bookings != nil {
			t.Errorf("%+v: ListFunc's page has Bookings %v, want none (they are lent to visit)", f, uids(got.Bookings))
		}
		if len(want.Bookings) == 0 && f.Skip < 50 {
			t.Fatalf("%+v: List found nothing: the test would prove little", f)
		}
		if mustJSON(t, lent) != mustJSON(t, want.Bookings) || got.Total != want.Total || got.Take != want.Take || got.Skip != want.Skip {
			t.Errorf("%+v: ListFunc lent %v (total %d, take %d, skip %d), List copied %v (total %d, take %d, skip %d)", f,
				uids(lent), got.Total, got.Take, got.Skip, uids(want.Bookings), want.Total, want.Take, want.Skip)
		}
	}
	visited := false
	_, err := e.svc.ListFunc(ctx, alice, booking.Filter{EventTypeIDs: []int{99999}}, func(booking.Booking) { visited = true })
	if _, listErr := e.svc.List(ctx, alice, booking.Filter{EventTypeIDs: []int{99999}}); err == nil || listErr == nil || err.Error() != listErr.Error() || visited {
		t.Errorf("unknown event type: ListFunc error %v (visited %t), List error %v", err, visited, listErr)
	}
}
