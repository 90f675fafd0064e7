// Package memstore is the in-memory booking.Store: one RWMutex, copies in and out, indexes
// for every lookup the Service makes, and all-or-nothing updates.
package memstore

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/calmock/calmock/booking"
)

var _ booking.Store = (*Store)(nil)

// set is a set of booking uids.
type set map[string]struct{}

func (s set) add(uid string) { s[uid] = struct{}{} }

// slotKey indexes bookings by event type and exact start.
type slotKey struct {
	eventTypeID int
	start       int64 // UnixNano, so that equal instants in different locations match
}

// hostDay indexes bookings by organizer and the day their start falls on, so that the
// availability check of a create looks at a few days of one host, not at all their bookings.
type hostDay struct {
	hostID int
	day    int64 // days since the Unix epoch, of the start, in UTC
}

func dayOf(t time.Time) int64 {
	d := t.Unix() / 86400
	if t.Unix() < 0 && t.Unix()%86400 != 0 {
		d-- // floor, for starts before 1970
	}
	return d
}

// Store keeps bookings in memory. The zero value is not usable; call New.
type Store struct {
	mu       sync.RWMutex
	bookings map[string]*booking.Booking // by uid; never changed in place (see copy)
	byHost   map[int]set                 // organizer id → uids
	byEmail  map[string]set              // lower-cased attendee email → uids
	bySeries map[string]set              // recurringBookingUid → uids
	bySlot   map[slotKey]set             // (event type, start) → uids
	bySeat   map[string]string           // seat uid → booking uid
	byDay    map[hostDay]set             // (organizer, start day) → uids
	// longest is the longest booking ever stored: how many days before a window a booking
	// overlapping it can start. It never shrinks, which only costs a few extra lookups.
	longest time.Duration
	nextID  int
}

// New returns an empty store whose first id is 1.
func New() *Store {
	return &Store{
		bookings: map[string]*booking.Booking{},
		byHost:   map[int]set{},
		byEmail:  map[string]set{},
		bySeries: map[string]set{},
		bySlot:   map[slotKey]set{},
		bySeat:   map[string]string{},
		byDay:    map[hostDay]set{},
		nextID:   1,
	}
}

// View runs fn with a read-only transaction under the read lock. Put and NextID panic in it.
func (s *Store) View(ctx context.Context, fn func(booking.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn(&tx{s: s, readOnly: true})
}

// Update runs fn with a read-write transaction under the write lock. Writes are buffered in
// the transaction and applied only when fn returns nil, so an error leaves the store as it
// was.
func (s *Store) Update(ctx context.Context, fn func(booking.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &tx{s: s, writes: map[string]booking.Booking{}, nextID: s.nextID}
	if err := fn(t); err != nil {
		return err
	}
	for _, b := range t.writes {
		s.put(b)
	}
	s.nextID = t.nextID
	return nil
}

// put stores b (already a private copy), replacing and unindexing the old version.
func (s *Store) put(b booking.Booking) {
	if old, ok := s.bookings[b.UID]; ok {
		s.unindex(*old)
	}
	s.bookings[b.UID] = &b
	s.index(b)
}

func (s *Store) index(b booking.Booking) {
	addTo(s.byHost, b.HostID, b.UID)
	for _, a := range b.Attendees {
		addTo(s.byEmail, strings.ToLower(a.Email), b.UID)
		if a.SeatUID != "" {
			s.bySeat[a.SeatUID] = b.UID
		}
	}
	if b.RecurringBookingUID != "" {
		addTo(s.bySeries, b.RecurringBookingUID, b.UID)
	}
	addTo(s.bySlot, slotOf(b), b.UID)
	addTo(s.byDay, hostDay{b.HostID, dayOf(b.Start)}, b.UID)
	s.longest = max(s.longest, b.End.Sub(b.Start))
}

func (s *Store) unindex(b booking.Booking) {
	removeFrom(s.byHost, b.HostID, b.UID)
	for _, a := range b.Attendees {
		removeFrom(s.byEmail, strings.ToLower(a.Email), b.UID)
		if a.SeatUID != "" && s.bySeat[a.SeatUID] == b.UID {
			delete(s.bySeat, a.SeatUID)
		}
	}
	if b.RecurringBookingUID != "" {
		removeFrom(s.bySeries, b.RecurringBookingUID, b.UID)
	}
	removeFrom(s.bySlot, slotOf(b), b.UID)
	removeFrom(s.byDay, hostDay{b.HostID, dayOf(b.Start)}, b.UID)
}

func slotOf(b booking.Booking) slotKey { return slotKey{b.EventTypeID, b.Start.UnixNano()} }

func addTo[K comparable](m map[K]set, k K, uid string) {
	if m[k] == nil {
		m[k] = set{}
	}
	m[k].add(uid)
}

func removeFrom[K comparable](m map[K]set, k K, uid string) {
	if ids := m[k]; ids != nil {
		delete(ids, uid)
		if len(ids) == 0 {
			delete(m, k)
		}
	}
}

// tx is one transaction. Reads see the store plus the transaction's own writes.
type tx struct {
	s        *Store
	readOnly bool
	writes   map[string]booking.Booking // uid → pending version (private copies)
	nextID   int
}

// current returns the version of uid the transaction sees.
func (t *tx) current(uid string) (booking.Booking, bool) {
	if b, ok := t.writes[uid]; ok {
		return b, true
	}
	p, ok := t.s.bookings[uid]
	if !ok {
		return booking.Booking{}, false
	}
	return *p, true
}

// query returns copies of the bookings among the index candidates, plus any written in this
// transaction, that satisfy keep. An index only proposes candidates; keep decides, so stale
// candidates (rewritten in this transaction) are filtered correctly.
func (t *tx) query(candidates set, keep func(*booking.Booking) bool) []booking.Booking {
	var out []booking.Booking
	for uid := range candidates {
		if _, rewritten := t.writes[uid]; rewritten {
			continue
		}
		if p := t.s.bookings[uid]; p != nil && keep(p) {
			out = append(out, t.copy(*p))
		}
	}
	for uid := range t.writes {
		if b := t.writes[uid]; keep(&b) {
			out = append(out, t.copy(b))
		}
	}
	return out
}

func (t *tx) Get(uid string) (booking.Booking, bool) {
	b, ok := t.current(uid)
	if !ok {
		return booking.Booking{}, false
	}
	return t.copy(b), true
}

// copy returns what the transaction hands out for a stored booking. Stored versions are
// never changed in place (put stores a private copy, and an Update hands out deep copies), so
// a read-only transaction can share their slices and maps instead of deep-copying every
// booking it reads: that is what keeps a list of thousands of bookings cheap. Callers of View
// must treat what they get as read-only (booking.Tx says so).
func (t *tx) copy(b booking.Booking) booking.Booking {
	if t.readOnly {
		return b
	}
	return b.Clone()
}

func (t *tx) BySeat(seatUID string) (booking.Booking, bool) {
	holds := func(b *booking.Booking) bool {
		for _, a := range b.Attendees {
			if a.SeatUID == seatUID {
				return true
			}
		}
		return false
	}
	var candidates set
	if uid, ok := t.s.bySeat[seatUID]; ok {
		candidates = set{uid: {}}
	}
	found := t.query(candidates, holds)
	if len(found) == 0 {
		return booking.Booking{}, false
	}
	return found[0], true
}

func (t *tx) Series(recurringUID string) []booking.Booking {
	out := t.query(t.s.bySeries[recurringUID], func(b *booking.Booking) bool {
		return recurringUID != "" && b.RecurringBookingUID == recurringUID
	})
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (t *tx) At(eventTypeID int, start time.Time) []booking.Booking {
	out := t.query(t.s.bySlot[slotKey{eventTypeID, start.UnixNano()}], func(b *booking.Booking) bool {
		return b.EventTypeID == eventTypeID && b.Start.Equal(start)
	})
	sortByID(out)
	return out
}

func (t *tx) ForHost(hostID int, start, end time.Time) []booking.Booking {
	// A booking overlapping [start, end) starts before end and at most `longest` before
	// start; the bookings written in this transaction are seen by query in any case.
	longest := t.s.longest
	for _, b := range t.writes {
		longest = max(longest, b.End.Sub(b.Start))
	}
	candidates := set{}
	for d := dayOf(start.Add(-longest)); d <= dayOf(end); d++ {
		for uid := range t.s.byDay[hostDay{hostID, d}] {
			candidates.add(uid)
		}
	}
	out := t.query(candidates, func(b *booking.Booking) bool {
		return b.HostID == hostID && b.Start.Before(end) && b.End.After(start)
	})
	sortByID(out)
	return out
}

func (t *tx) Visible(userID int, email string) []*booking.Booking {
	email = strings.ToLower(email)
	var hosted, attended set
	if userID != 0 {
		hosted = t.s.byHost[userID]
	}
	if email != "" {
		attended = t.s.byEmail[email]
	}
	// Straight from the two indexes into one slice of pointers (no merged candidate set, no
	// sorting: the order is unspecified, and no copy in a View), because a list may visit
	// tens of thousands of bookings.
	out := make([]*booking.Booking, 0, len(hosted)+len(attended))
	consider := func(uid string) {
		if _, rewritten := t.writes[uid]; rewritten {
			return
		}
		if p := t.s.bookings[uid]; p != nil && p.VisibleTo(userID, email) {
			out = append(out, t.share(p))
		}
	}
	for uid := range hosted {
		consider(uid)
	}
	for uid := range attended {
		if _, dup := hosted[uid]; !dup {
			consider(uid)
		}
	}
	for uid := range t.writes {
		if b := t.writes[uid]; b.VisibleTo(userID, email) {
			c := b.Clone()
			out = append(out, &c)
		}
	}
	return out
}

// share is copy for pointers: the stored booking itself in a View, a deep copy in an Update.
func (t *tx) share(p *booking.Booking) *booking.Booking {
	if t.readOnly {
		return p
	}
	c := p.Clone()
	return &c
}

func (t *tx) Put(b booking.Booking) {
	if t.readOnly {
		panic("memstore: Put in a read-only transaction")
	}
	if b.ID >= t.nextID {
		t.nextID = b.ID + 1
	}
	t.writes[b.UID] = b.Clone()
}

func (t *tx) NextID() int {
	if t.readOnly {
		panic("memstore: NextID in a read-only transaction")
	}
	id := t.nextID
	t.nextID++
	return id
}

func (t *tx) Len() int {
	n := len(t.s.bookings)
	for uid := range t.writes {
		if _, ok := t.s.bookings[uid]; !ok {
			n++
		}
	}
	return n
}

func sortByID(bs []booking.Booking) {
	sort.Slice(bs, func(i, j int) bool { return bs[i].ID < bs[j].ID })
}
