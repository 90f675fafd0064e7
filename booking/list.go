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
	if err := s.checkEventTypeIDs(f.EventTypeIDs); err != nil {
		return Page{}, err
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
	var matches []*Booking
	windowed, total := false, 0
	err := s.store.View(ctx, func(tx Tx) error {
		if w, ok := tx.(VisibleWindower); ok && !f.selective() && (f.SortBy == "" || f.SortBy == SortStart && !f.SortDesc) {
			// The page is a window of Visible's own order: take just that.
			matches, total = w.VisibleWindow(caller.ID, caller.Email, skip, take)
			windowed = true
			return nil
		}
		visible := tx.Visible(caller.ID, caller.Email)
		if !f.selective() {
			matches = visible
			return nil
		}
		now := s.clock.Now()
		for _, b := range visible {
			if s.matches(b, f, now) {
				matches = append(matches, b)
			}
		}
		return nil
	})
	if err != nil {
		return Page{}, err
	}
	if !windowed {
		sortBookings(matches, f)
		total = len(matches)
		matches = matches[min(skip, len(matches)):min(skip+take, len(matches))]
	}
	// Only the page is copied: the caller owns it, and the matches off the page are never
	// read again.
	return Page{Bookings: cloneAllPtr(matches), Total: total, Take: take, Skip: skip}, nil
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
