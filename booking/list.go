package booking

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
)

// DefaultTake is the list endpoint's default page size.
const DefaultTake = 100

// List returns the bookings visible to caller (organised by them or attended with their
// email) that match f, sorted and paged (§6). Total counts every match over all pages: unlike
// Cal.com, which leaves the created/updated-at filters out of totalItems (QUIRK), the mock
// applies every filter to both the page and the total.
//
// Returns EINVALID with tRPC origin when eventTypeIds are given and none of them exists.
func (s *Service) List(ctx context.Context, caller User, f Filter) (Page, error) {
	matches, p, err := s.listPage(ctx, caller, f)
	if err != nil {
		return Page{}, err
	}
	// Only the page is copied: the caller owns it, and the matches off the page are never
	// read again.
	p.Bookings = cloneAllPtr(matches)
	return p, nil
}

// ListFunc is List for a caller that only reads the page once, as the HTTP list does to
// encode it: instead of copying the page it lends each booking to visit, in order, and
// returns the Page without Bookings. What visit is lent is the store's own memory (a stored
// booking is never changed in place, so it stays as it was after ListFunc returns): visit
// and whatever it keeps must only read it, never write to anything reachable from it. The
// booking is passed by value, so its own fields may be overwritten; its maps, slices and
// pointers may not. A caller that wants to keep or change bookings calls List. In
// mockserver, TestSharing_BorrowedList guards the one caller.
//
// Returns what List returns.
func (s *Service) ListFunc(ctx context.Context, caller User, f Filter, visit func(Booking)) (Page, error) {
	matches, p, err := s.listPage(ctx, caller, f)
	if err != nil {
		return Page{}, err
	}
	for _, b := range matches {
		visit(*b)
	}
	return p, nil
}

// listPage finds List's page: the matches on it, pointers to the stored bookings, and the
// Page without Bookings.
func (s *Service) listPage(ctx context.Context, caller User, f Filter) ([]*Booking, Page, error) {
	if err := s.checkEventTypeIDs(f.EventTypeIDs); err != nil {
		return nil, Page{}, err
	}
	take := f.Take
	if take <= 0 {
		take = DefaultTake
	}
	skip := max(f.Skip, 0)

	// Filter and sort pointers into the visible slice: a user may see tens of thousands of
	// bookings, and moving whole Booking values around is what a list would otherwise spend
	// its time on. Visible hands them over by start, so a list with no filter and the
	// default order does not even read the bookings off the page.
	// What the transaction finds, in one variable: the closure's captures escape with it.
	var found struct {
		matches  []*Booking
		windowed bool
		total    int
	}
	err := s.store.View(ctx, func(tx Tx) error {
		if w, ok := tx.(VisibleWindower); ok && !f.selective() && (f.SortBy == "" || f.SortBy == SortStart && !f.SortDesc) {
			// The page is a window of Visible's own order: take just that.
			found.matches, found.total = w.VisibleWindow(caller.ID, caller.Email, skip, take)
			found.windowed = true
			return nil
		}
		visible := tx.Visible(caller.ID, caller.Email)
		if !f.selective() {
			found.matches = visible
			return nil
		}
		now := s.clock.Now()
		// Visible's slice is the caller's: the matches are kept in its front, no new slice.
		matches := visible[:0]
		for _, b := range visible {
			if s.matches(b, f, now) {
				matches = append(matches, b)
			}
		}
		found.matches = matches
		return nil
	})
	if err != nil {
		return nil, Page{}, err
	}
	matches, total := found.matches, found.total
	if !found.windowed {
		sortBookings(matches, f)
		total = len(matches)
		matches = matches[min(skip, len(matches)):min(skip+take, len(matches))]
	}
	return matches, Page{Total: total, Take: take, Skip: skip}, nil
}

// selective reports whether some filter of f may leave a visible booking out.
func (f Filter) selective() bool {
	return len(f.Statuses) > 0 || normalizeEmail(f.AttendeeEmail) != "" ||
		strings.TrimSpace(f.AttendeeName) != "" || f.BookingUID != "" ||
		len(f.EventTypeIDs) > 0 || len(f.TeamIDs) > 0 ||
		f.AfterStart != nil || f.BeforeEnd != nil || f.AfterCreatedAt != nil ||
		f.BeforeCreatedAt != nil || f.AfterUpdatedAt != nil || f.BeforeUpdatedAt != nil
}

// matches applies every filter of f to b.
func (s *Service) matches(b *Booking, f Filter, now time.Time) bool {
	if len(f.Statuses) > 0 {
		hit := false
		for _, st := range f.Statuses {
			if statusMatches(b, st, now) {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	if e := normalizeEmail(f.AttendeeEmail); e != "" && !hasAttendeeEmail(b, e) {
		return false
	}
	if n := strings.TrimSpace(f.AttendeeName); n != "" {
		found := false
		for _, a := range b.Attendees {
			if a.Name == n {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if f.BookingUID != "" && b.UID != f.BookingUID {
		return false
	}
	if len(f.EventTypeIDs) > 0 && !slices.Contains(f.EventTypeIDs, b.EventTypeID) {
		return false
	}
	if len(f.TeamIDs) > 0 {
		et, ok := s.catalog.EventTypeByID(b.EventTypeID)
		if !ok || !slices.Contains(f.TeamIDs, et.TeamID) {
			return false
		}
	}
	return inBounds(b.Start, f.AfterStart, nil) &&
		inBounds(b.End, nil, f.BeforeEnd) &&
		inBounds(b.CreatedAt, f.AfterCreatedAt, f.BeforeCreatedAt) &&
		inBounds(b.UpdatedAt, f.AfterUpdatedAt, f.BeforeUpdatedAt)
}

// normalizeEmail undoes the query string's "+" → " " decoding, as Cal.com does: whitespace
// inside the address becomes "+".
func normalizeEmail(e string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return '+'
		}
		return r
	}, strings.TrimSpace(e))
}

// inBounds reports after ≤ t ≤ before, each bound optional (all list bounds are inclusive).
func inBounds(t time.Time, after, before *time.Time) bool {
	if after != nil && t.Before(*after) {
		return false
	}
	if before != nil && t.After(*before) {
		return false
	}
	return true
}

// statusMatches is the list endpoint's predicate for one status value (§6.2).
func statusMatches(b *Booking, st ListStatus, now time.Time) bool {
	gone := b.Status == StatusCancelled || b.Status == StatusRejected
	future := !b.End.Before(now)
	past := !b.End.After(now)
	switch st {
	case ListUpcoming:
		if b.IsRecurring() {
			return future && b.Status == StatusAccepted
		}
		return future && !gone
	case ListRecurring:
		return future && b.IsRecurring() && !gone
	case ListPast:
		return past && !gone
	case ListCancelled:
		return gone
	case ListUnconfirmed:
		return future && b.Status == StatusPending
	}
	return false
}

// sortBookings orders the list (§6.3): one status and no sort → by start, descending for
// past and cancelled; else the sort key given; else start ascending. Ties go by id.
func sortBookings(bs []*Booking, f Filter) {
	key := func(b *Booking) time.Time { return b.Start }
	desc := false
	switch {
	case f.SortBy == "" && len(f.Statuses) == 1:
		desc = f.Statuses[0] == ListPast || f.Statuses[0] == ListCancelled
	case f.SortBy == SortEnd:
		key, desc = func(b *Booking) time.Time { return b.End }, f.SortDesc
	case f.SortBy == SortCreated:
		key, desc = func(b *Booking) time.Time { return b.CreatedAt }, f.SortDesc
	case f.SortBy == SortUpdated:
		key, desc = func(b *Booking) time.Time { return b.UpdatedAt }, f.SortDesc
	case f.SortBy == SortStart:
		desc = f.SortDesc
	}
	if f.SortBy == "" || f.SortBy == SortStart {
		// Already by start then id (Tx.Visible's order, kept by filtering): nothing to
		// compare, and a descending order is that order backwards.
		if desc {
			slices.Reverse(bs)
		}
		return
	}
	// Ties are broken by id, so the order is total and the sort need not be stable.
	slices.SortFunc(bs, func(a, b *Booking) int {
		c := key(a).Compare(key(b))
		if c == 0 {
			c = cmp.Compare(a.ID, b.ID)
		}
		if desc {
			return -c
		}
		return c
	})
}
