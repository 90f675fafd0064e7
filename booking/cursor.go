package booking

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
)

// Cursor paging (cal-api-version 2026-05-01, changes note §2.1) is keyset paging: a page is
// the bookings that come strictly after a position in one total order, the sort key, then
// id, then uid (the order of the store's indexes). A position names a place in that order,
// not a booking, so a booking created or cancelled between two pages cannot shift the
// others: every booking visible at the start is returned once, in order, and a booking
// created behind the position is not returned at all.

// DefaultLimit and MaxLimit bound a cursor page (changes note §2.1: limit 1..100, default 50).
const (
	DefaultLimit = 50
	MaxLimit     = 100
)

// Position is a place in a cursor list's order: the sort key's value, then id, then uid.
// The zero ID and uid sort before every booking with the same key.
type Position struct {
	Key time.Time
	ID  int
	UID string
}

// Order is a cursor list's order: the key and its direction.
type Order struct {
	Key  SortField
	Desc bool
}

// CursorQuery is one cursor page's request: the filters of the take/skip list (Statuses
// holds at most one status; Take and Skip are not read), where to start and how many.
type CursorQuery struct {
	Filter Filter
	// After is the position the previous page ended at; nil asks for the first page.
	After *Position
	// Limit is the page size; 0 means DefaultLimit.
	Limit int
}

// CursorPage is one page of a cursor list.
type CursorPage struct {
	// Bookings are the caller's own copies.
	Bookings []Booking
	// Next is where the next page starts (the page's last booking), nil when none follows.
	Next *Position
	// Order is the order the page is in, which a cursor must keep.
	Order Order
}

// year2100 is the first page's anchor of the descending orders (changes note §2.1).
var year2100 = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

// CursorOrder is f's order in a cursor list. A sort parameter (sortStart, sortEnd,
// sortCreated, sortUpdatedAt) orders as in the take/skip list; without one the status
// decides (changes note §2.1: upcoming, recurring and unconfirmed ascend, past, cancelled
// and no status descend), always by start. The note says upstream orders by Booking.uuid,
// a time-ordered key whose first page is anchored at an instant (see anchor); the mock
// orders by start, then id: the same order for bookings made in start order, and a stable
// one for any other.
func CursorOrder(f Filter) Order {
	if f.SortBy != "" {
		return Order{Key: f.SortBy, Desc: f.SortDesc}
	}
	if len(f.Statuses) == 0 {
		return Order{Key: SortStart, Desc: true}
	}
	switch f.Statuses[0] {
	case ListUpcoming, ListRecurring, ListUnconfirmed:
		return Order{Key: SortStart}
	}
	return Order{Key: SortStart, Desc: true}
}

// anchor is where the first page starts without a sort parameter (changes note §2.1's
// "page-1 anchor"): year 2100 for no status and cancelled, now for past, now − 1 h for the
// ascending statuses. A position with id 0 sorts before every booking of its instant, so an
// ascending list starts at the anchor (inclusive) and a descending one just before it. With
// a sort parameter nothing anchors the list (the note is silent; no bound is the one that
// hides nothing).
func anchor(f Filter, now time.Time) *Position {
	if f.SortBy != "" {
		return nil
	}
	if len(f.Statuses) == 0 {
		return &Position{Key: year2100}
	}
	switch f.Statuses[0] {
	case ListUpcoming, ListRecurring, ListUnconfirmed:
		return &Position{Key: now.Add(-time.Hour)}
	case ListPast:
		return &Position{Key: now}
	}
	return &Position{Key: year2100}
}

// key returns b's value of the order's key.
func (o Order) key(b *Booking) time.Time {
	switch o.Key {
	case SortEnd:
		return b.End
	case SortCreated:
		return b.CreatedAt
	case SortUpdated:
		return b.UpdatedAt
	}
	return b.Start
}

// comparePos orders a booking's position against p in ascending key, id, uid order.
func (o Order) comparePos(b *Booking, p Position) int {
	if c := o.key(b).Compare(p.Key); c != 0 {
		return c
	}
	if c := cmp.Compare(b.ID, p.ID); c != 0 {
		return c
	}
	return strings.Compare(b.UID, p.UID)
}

// after reports whether b comes strictly after p in the order (direction included).
func (o Order) after(b *Booking, p Position) bool {
	c := o.comparePos(b, p)
	if o.Desc {
		return c < 0
	}
	return c > 0
}

// PositionOf is b's position in the order.
func (o Order) PositionOf(b *Booking) Position {
	return Position{Key: o.key(b), ID: b.ID, UID: b.UID}
}

// VisibleSeeker is what a Tx may also offer: the visible bookings (as Visible) in start,
// id, uid order, forwards or backwards, from just after a position, without reading the
// ones before it. A cursor page in start order then costs a binary search and its own
// bookings, whatever the number the caller can see. memstore's read-only transactions
// implement it; ListCursor falls back on Visible when a Tx does not.
type VisibleSeeker interface {
	// SeekVisible calls yield with each visible booking strictly after pos (strictly
	// before it when desc; from the first or the last when pos is nil), in that
	// direction's order, until yield returns false.
	SeekVisible(userID int, email string, pos *Position, desc bool, yield func(*Booking) bool)
}

// ListCursor returns one page of the bookings visible to caller that match q.Filter, in
// CursorOrder, strictly after q.After (or from the first page's anchor).
//
// Returns EINVALID with tRPC origin when eventTypeIds are given and none of them exists, as
// List does.
func (s *Service) ListCursor(ctx context.Context, caller User, q CursorQuery) (CursorPage, error) {
	f := q.Filter
	if err := s.checkEventTypeIDs(f.EventTypeIDs); err != nil {
		return CursorPage{}, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	order := CursorOrder(f)
	now := s.clock.Now()
	from := q.After
	if from == nil {
		from = anchor(f, now)
	}
	selective := f.selective()
	// One more than the page tells whether another page follows.
	var matches []*Booking
	err := s.store.View(ctx, func(tx Tx) error {
		keep := func(b *Booking) bool {
			if !selective || s.matches(b, f, now) {
				matches = append(matches, b)
			}
			return len(matches) <= limit
		}
		if sk, ok := tx.(VisibleSeeker); ok && order.Key == SortStart {
			sk.SeekVisible(caller.ID, caller.Email, from, order.Desc, keep)
			return nil
		}
		visible := tx.Visible(caller.ID, caller.Email)
		if order.Key != SortStart {
			slices.SortFunc(visible, func(a, b *Booking) int {
				return order.comparePos(a, order.PositionOf(b))
			})
		}
		if order.Desc {
			slices.Reverse(visible)
		}
		for _, b := range visible {
			if from != nil && !order.after(b, *from) {
				continue
			}
			if !keep(b) {
				break
			}
		}
		return nil
	})
	if err != nil {
		return CursorPage{}, err
	}
	page := CursorPage{Order: order}
	if len(matches) > limit {
		matches = matches[:limit]
		next := order.PositionOf(matches[limit-1])
		page.Next = &next
	}
	page.Bookings = cloneAllPtr(matches)
	return page, nil
}

// checkEventTypeIDs is the list's check that some given event type exists.
func (s *Service) checkEventTypeIDs(ids []int) error {
	if len(ids) == 0 {
		return nil
	}
	for _, id := range ids {
		if _, ok := s.catalog.EventTypeByID(id); ok {
			return nil
		}
	}
	return TRPCError(EINVALID, "event type ids do not exist")
}
