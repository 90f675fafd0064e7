// Package memstore is the in-memory booking.Store: one RWMutex, copies in and out, indexes
// for every lookup the Service makes, and all-or-nothing updates.
//
// The indexes that can grow large (by organizer, by attendee email, by event type) are
// slices of (start, id, pointer) entries kept sorted by start then id. A list walks one or
// two of them in order without touching other users' bookings and hands the service
// bookings already in its default order; the availability check and the seat lookup are a
// binary search; and an entry costs 24 bytes, against ~100 for a uid in a set per key.
package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/calmock/calmock/booking"
)

var _ booking.Store = (*Store)(nil)

// entry is one booking in an ordered index: its sort key beside the pointer, so that
// searching and merging never dereference the booking.
type entry struct {
	start int64 // Start.UnixNano(), so equal instants in different locations compare equal
	id    int
	b     *booking.Booking
}

func entryOf(b *booking.Booking) entry { return entry{b.Start.UnixNano(), b.ID, b} }

// compare orders entries by start, then id, then uid (ids are unique in practice; the uid
// makes the order total even for a fixture file that repeats one).
func (e entry) compare(o entry) int {
	if c := cmp.Compare(e.start, o.start); c != 0 {
		return c
	}
	if c := cmp.Compare(e.id, o.id); c != 0 {
		return c
	}
	return strings.Compare(e.b.UID, o.b.UID)
}

// ordered is a slice of entries sorted by entry.compare.
type ordered []entry

// find returns where e is or would be inserted, and whether it is there.
func (o ordered) find(e entry) (int, bool) {
	return slices.BinarySearchFunc(o, e, entry.compare)
}

// from returns the index of the first entry starting at or after start.
func (o ordered) from(start int64) int {
	i, _ := slices.BinarySearchFunc(o, start, func(e entry, t int64) int { return cmp.Compare(e.start, t) })
	return i
}

func (o ordered) insert(e entry) ordered {
	i, _ := o.find(e)
	return slices.Insert(o, i, e)
}

func (o ordered) remove(e entry) ordered {
	if i, ok := o.find(e); ok {
		return slices.Delete(o, i, i+1)
	}
	return o
}

// Store keeps bookings in memory. The zero value is not usable; call New.
type Store struct {
	mu       sync.RWMutex
	bookings map[string]*booking.Booking // by uid; never changed in place (see copy)
	byHost   map[int]ordered             // organizer id → their bookings
	byEmail  map[string]ordered          // lower-cased attendee email → bookings attended
	byEvent  map[int]ordered             // event type id → its bookings (seats share a slot)
	bySeries map[string][]string         // recurringBookingUid → uids (a series is short)
	bySeat   map[string]string           // seat uid → booking uid
	// longest is the longest booking ever stored: how long before a window a booking
	// overlapping it can start. It never shrinks, which only costs a few extra entries.
	longest time.Duration
	nextID  int
	// webhooks are the webhook subscriptions in the order they were first put: a handful,
	// so a slice replaced whole by each Update that changes it (never changed in place).
	webhooks []booking.Webhook
}

// New returns an empty store whose first id is 1.
func New() *Store {
	return &Store{
		bookings: map[string]*booking.Booking{},
		byHost:   map[int]ordered{},
		byEmail:  map[string]ordered{},
		byEvent:  map[int]ordered{},
		bySeries: map[string][]string{},
		bySeat:   map[string]string{},
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

// bulkWrites is the number of writes in one Update above which the indexes are rebuilt and
// sorted once instead of updated entry by entry (seeding 100 000 bookings one insertion at a
// time would move the host slices around quadratically).
const bulkWrites = 1024

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
	if len(t.writes) > bulkWrites {
		for uid, b := range t.writes {
			s.bookings[uid] = &b
		}
		s.reindex()
	} else {
		for _, b := range t.writes {
			s.put(b)
		}
	}
	s.nextID = t.nextID
	if t.hooks != nil {
		s.webhooks = *t.hooks
	}
	return nil
}

// Replace swaps in a store holding only copies of bookings, under the write lock: a View or
// Update runs wholly before or after it. The copies are made before the lock is taken.
func (s *Store) Replace(ctx context.Context, bookings []booking.Booking, webhooks []booking.Webhook) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	fresh := make(map[string]*booking.Booking, len(bookings))
	nextID := 1
	for _, b := range bookings {
		c := b.Clone()
		fresh[c.UID] = &c // a later booking with the same uid replaces an earlier one, as Put does
		nextID = max(nextID, c.ID+1)
	}
	var hooks []booking.Webhook
	for _, w := range webhooks {
		hooks = putWebhook(hooks, w.Clone()) // a repeated id replaces, as PutWebhook does
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bookings, s.nextID, s.longest = fresh, nextID, 0
	s.webhooks = hooks
	s.reindex()
	return nil
}

// put stores b (already a private copy), replacing and unindexing the old version.
func (s *Store) put(b booking.Booking) {
	p := &b
	if old, ok := s.bookings[b.UID]; ok {
		s.unindex(old)
	}
	s.bookings[b.UID] = p
	s.index(p)
}

func (s *Store) index(b *booking.Booking) { s.indexWith(b, ordered.insert) }

// indexWith adds b to every index, its entries to the ordered ones through add: an insert
// in place, or an append that reindex sorts afterwards.
func (s *Store) indexWith(b *booking.Booking, add func(ordered, entry) ordered) {
	e := entryOf(b)
	s.byHost[b.HostID] = add(s.byHost[b.HostID], e)
	s.byEvent[b.EventTypeID] = add(s.byEvent[b.EventTypeID], e)
	for _, email := range emailsOf(b) {
		s.byEmail[email] = add(s.byEmail[email], e)
	}
	for _, a := range b.Attendees {
		if a.SeatUID != "" {
			s.bySeat[a.SeatUID] = b.UID
		}
	}
	if b.RecurringBookingUID != "" {
		s.bySeries[b.RecurringBookingUID] = append(s.bySeries[b.RecurringBookingUID], b.UID)
	}
	s.longest = max(s.longest, b.End.Sub(b.Start))
}

func (s *Store) unindex(b *booking.Booking) {
	e := entryOf(b)
	removeFrom(s.byHost, b.HostID, e)
	removeFrom(s.byEvent, b.EventTypeID, e)
	for _, email := range emailsOf(b) {
		removeFrom(s.byEmail, email, e)
	}
	for _, a := range b.Attendees {
		if a.SeatUID != "" && s.bySeat[a.SeatUID] == b.UID {
			delete(s.bySeat, a.SeatUID)
		}
	}
	if r := b.RecurringBookingUID; r != "" {
		uids := slices.DeleteFunc(s.bySeries[r], func(uid string) bool { return uid == b.UID })
		if len(uids) == 0 {
			delete(s.bySeries, r)
		} else {
			s.bySeries[r] = uids
		}
	}
}

// reindex rebuilds every index from s.bookings: append everything, then sort each list once.
func (s *Store) reindex() {
	s.byHost, s.byEvent, s.byEmail = map[int]ordered{}, map[int]ordered{}, map[string]ordered{}
	s.bySeries, s.bySeat = map[string][]string{}, map[string]string{}
	for _, b := range s.bookings {
		s.indexWith(b, func(o ordered, e entry) ordered { return append(o, e) })
	}
	for _, m := range []map[int]ordered{s.byHost, s.byEvent} {
		for _, o := range m {
			slices.SortFunc(o, entry.compare)
		}
	}
	for _, o := range s.byEmail {
		slices.SortFunc(o, entry.compare)
	}
}

// emailsOf returns the distinct lower-cased attendee emails of b (a seated booking may
// list one person twice; their booking must still be indexed once).
func emailsOf(b *booking.Booking) []string {
	if len(b.Attendees) == 1 {
		return []string{strings.ToLower(b.Attendees[0].Email)}
	}
	out := make([]string, 0, len(b.Attendees))
	for _, a := range b.Attendees {
		if e := strings.ToLower(a.Email); !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

func removeFrom[K comparable](m map[K]ordered, k K, e entry) {
	o := m[k].remove(e)
	if len(o) == 0 {
		delete(m, k)
	} else {
		m[k] = o
	}
}

// tx is one transaction. Reads see the store plus the transaction's own writes.
type tx struct {
	s        *Store
	readOnly bool
	writes   map[string]booking.Booking // uid → pending version (private copies)
	nextID   int
	// hooks, once the transaction changed a webhook, is the whole new list (private copies).
	hooks *[]booking.Webhook
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

// stored reports whether the stored version p is what the transaction sees (not rewritten
// by it).
func (t *tx) stored(p *booking.Booking) bool {
	_, rewritten := t.writes[p.UID]
	return !rewritten
}

// pending returns copies of the bookings written in this transaction that satisfy keep: the
// indexes know only stored versions, so every query adds these.
func (t *tx) pending(keep func(*booking.Booking) bool) []booking.Booking {
	var out []booking.Booking
	for _, b := range t.writes {
		if keep(&b) {
			out = append(out, b.Clone())
		}
	}
	return out
}

// byUIDs returns copies of the stored bookings among uids satisfying keep, plus the pending
// ones satisfying it.
func (t *tx) byUIDs(uids []string, keep func(*booking.Booking) bool) []booking.Booking {
	var out []booking.Booking
	for _, uid := range uids {
		if p := t.s.bookings[uid]; p != nil && t.stored(p) && keep(p) {
			out = append(out, t.copy(*p))
		}
	}
	return append(out, t.pending(keep)...)
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
	var candidates []string
	if uid, ok := t.s.bySeat[seatUID]; ok {
		candidates = []string{uid}
	}
	found := t.byUIDs(candidates, holds)
	if len(found) == 0 {
		return booking.Booking{}, false
	}
	return found[0], true
}

func (t *tx) Series(recurringUID string) []booking.Booking {
	out := t.byUIDs(t.s.bySeries[recurringUID], func(b *booking.Booking) bool {
		return recurringUID != "" && b.RecurringBookingUID == recurringUID
	})
	booking.SortByStart(out)
	return out
}

func (t *tx) At(eventTypeID int, start time.Time) []booking.Booking {
	at := start.UnixNano()
	var out []booking.Booking
	idx := t.s.byEvent[eventTypeID]
	for _, e := range idx[idx.from(at):] {
		if e.start != at {
			break
		}
		if t.stored(e.b) {
			out = append(out, t.copy(*e.b))
		}
	}
	out = append(out, t.pending(func(b *booking.Booking) bool {
		return b.EventTypeID == eventTypeID && b.Start.Equal(start)
	})...)
	booking.SortByID(out)
	return out
}

func (t *tx) ForHost(hostID int, start, end time.Time) []booking.Booking {
	// A booking overlapping [start, end) starts before end and at most `longest` before
	// start: a binary search in the host's list, then a short walk.
	overlaps := func(b *booking.Booking) bool {
		return b.HostID == hostID && b.Start.Before(end) && b.End.After(start)
	}
	var out []booking.Booking
	idx := t.s.byHost[hostID]
	stop := end.UnixNano()
	for _, e := range idx[idx.from(start.Add(-t.s.longest).UnixNano()):] {
		if e.start >= stop {
			break
		}
		if t.stored(e.b) && overlaps(e.b) {
			out = append(out, t.copy(*e.b))
		}
	}
	out = append(out, t.pending(overlaps)...)
	booking.SortByID(out)
	return out
}

// VisibleWindow is Visible's window [skip, skip+take) and Visible's length, from one merge
// walk over the two index lists that compares keys only: no booking is read, only the page
// is allocated, and the entries past the page are counted, not visited. In an Update it
// cuts Visible, which sees the transaction's writes.
func (t *tx) VisibleWindow(userID int, email string, skip, take int) ([]*booking.Booking, int) {
	if !t.readOnly {
		all := t.Visible(userID, email)
		return all[min(skip, len(all)):min(skip+take, len(all))], len(all)
	}
	hosted, attended := t.lists(userID, email)
	if take <= 0 {
		return nil, unionLen(hosted, attended)
	}
	// Sized for the page at once (the two lists bound it): no growing it booking by booking.
	page := make([]*booking.Booking, 0, min(take, len(hosted)+len(attended)))
	n := 0
	i, j := merge(hosted, attended, func(e entry) bool {
		if n >= skip {
			page = append(page, e.b)
		}
		n++
		return n < skip+take
	})
	// The rest is only counted: a tight loop over keys instead of a call per booking.
	return page, n + unionLen(hosted[i:], attended[j:])
}

// lists returns the organizer's and the attendee's index lists.
func (t *tx) lists(userID int, email string) (hosted, attended ordered) {
	if userID != 0 {
		hosted = t.s.byHost[userID]
	}
	if email != "" {
		attended = t.s.byEmail[strings.ToLower(email)]
	}
	return hosted, attended
}

// merge calls add for each entry of a and b in order, once for an entry in both, until add
// returns false; it returns how far into a and b it got.
func merge(a, b ordered, add func(entry) bool) (i, j int) {
	for i < len(a) && j < len(b) {
		var e entry
		switch c := a[i].compare(b[j]); {
		case c < 0:
			e = a[i]
			i++
		case c > 0:
			e = b[j]
			j++
		default: // the user organises and attends it
			e = a[i]
			i++
			j++
		}
		if !add(e) {
			return i, j
		}
	}
	for ; i < len(a); i++ {
		if !add(a[i]) {
			return i + 1, j
		}
	}
	for ; j < len(b); j++ {
		if !add(b[j]) {
			return i, j + 1
		}
	}
	return i, j
}

// unionLen is how many entries merge(a, b) would visit.
func unionLen(a, b ordered) int {
	n := len(a) + len(b)
	if len(a) == 0 || len(b) == 0 || a[len(a)-1].compare(b[0]) < 0 || b[len(b)-1].compare(a[0]) < 0 {
		return n // the lists do not overlap
	}
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch c := a[i].compare(b[j]); {
		case c < 0:
			i++
		case c > 0:
			j++
		default:
			n--
			i++
			j++
		}
	}
	return n
}

// Visible merges the organizer's list and the attendee's list, both sorted, into one
// sorted slice (a booking in both appears once). Pointers to the stored bookings in a View;
// in an Update, copies, with the transaction's own writes, re-sorted.
func (t *tx) Visible(userID int, email string) []*booking.Booking {
	hosted, attended := t.lists(userID, email)
	out := make([]*booking.Booking, 0, len(hosted)+len(attended))
	merge(hosted, attended, func(e entry) bool {
		if t.readOnly {
			out = append(out, e.b)
		} else if t.stored(e.b) {
			c := e.b.Clone()
			out = append(out, &c)
		}
		return true
	})
	if t.readOnly || len(t.writes) == 0 {
		return out
	}
	for _, b := range t.pending(func(b *booking.Booking) bool { return b.VisibleTo(userID, email) }) {
		out = append(out, &b)
	}
	slices.SortFunc(out, func(a, b *booking.Booking) int { return entryOf(a).compare(entryOf(b)) })
	return out
}

func (t *tx) All() []booking.Booking {
	out := make([]booking.Booking, 0, t.Len())
	for _, p := range t.s.bookings {
		if t.stored(p) {
			out = append(out, t.copy(*p))
		}
	}
	out = append(out, t.pending(func(*booking.Booking) bool { return true })...)
	booking.SortByStart(out)
	return out
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

// webhookList is the list of webhooks the transaction sees (not to be changed in place).
func (t *tx) webhookList() []booking.Webhook {
	if t.hooks != nil {
		return *t.hooks
	}
	return t.s.webhooks
}

func (t *tx) Webhooks() []booking.Webhook { return booking.CloneWebhooks(t.webhookList()) }

func (t *tx) PutWebhook(w booking.Webhook) {
	if t.readOnly {
		panic("memstore: PutWebhook in a read-only transaction")
	}
	next := putWebhook(slices.Clone(t.webhookList()), w.Clone())
	t.hooks = &next
}

func (t *tx) DeleteWebhook(id string) bool {
	if t.readOnly {
		panic("memstore: DeleteWebhook in a read-only transaction")
	}
	list := t.webhookList()
	i := slices.IndexFunc(list, func(w booking.Webhook) bool { return w.ID == id })
	if i < 0 {
		return false
	}
	next := slices.Delete(slices.Clone(list), i, i+1)
	t.hooks = &next
	return true
}

// putWebhook replaces the webhook of w's id in list, or appends w.
func putWebhook(list []booking.Webhook, w booking.Webhook) []booking.Webhook {
	if i := slices.IndexFunc(list, func(x booking.Webhook) bool { return x.ID == w.ID }); i >= 0 {
		list[i] = w
		return list
	}
	return append(list, w)
}

// posCompare orders e against a cursor position as entry.compare orders entries.
func (e entry) posCompare(p *booking.Position) int {
	if c := cmp.Compare(e.start, p.Key.UnixNano()); c != 0 {
		return c
	}
	if c := cmp.Compare(e.id, p.ID); c != 0 {
		return c
	}
	return strings.Compare(e.b.UID, p.UID)
}

// after returns the index of the first entry strictly after p.
func (o ordered) after(p *booking.Position) int {
	i, found := slices.BinarySearchFunc(o, p, entry.posCompare)
	if found {
		i++
	}
	return i
}

// SeekVisible walks Visible's order from just after pos (backwards from just before it when
// desc) with a binary search into each index list and a merge walk from there: a cursor
// page reads its own entries only, not the ones before it. In an Update it filters Visible,
// which sees the transaction's writes.
func (t *tx) SeekVisible(userID int, email string, pos *booking.Position, desc bool, yield func(*booking.Booking) bool) {
	if !t.readOnly {
		all := t.Visible(userID, email)
		if desc {
			slices.Reverse(all)
		}
		for _, b := range all {
			c := 1
			if pos != nil {
				c = entryOf(b).posCompare(pos)
				if desc {
					c = -c
				}
			}
			if c > 0 && !yield(b) {
				return
			}
		}
		return
	}
	hosted, attended := t.lists(userID, email)
	if !desc {
		if pos != nil {
			hosted, attended = hosted[hosted.after(pos):], attended[attended.after(pos):]
		}
		merge(hosted, attended, func(e entry) bool { return yield(e.b) })
		return
	}
	if pos != nil {
		// The entries strictly before pos: those before the first at or after it.
		at := func(o ordered) int {
			i, _ := slices.BinarySearchFunc(o, pos, entry.posCompare)
			return i
		}
		hosted, attended = hosted[:at(hosted)], attended[:at(attended)]
	}
	mergeDesc(hosted, attended, func(e entry) bool { return yield(e.b) })
}

// mergeDesc is merge backwards: each entry of a and b from the last, once for an entry in
// both, until add returns false.
func mergeDesc(a, b ordered, add func(entry) bool) {
	i, j := len(a)-1, len(b)-1
	for i >= 0 && j >= 0 {
		var e entry
		switch c := a[i].compare(b[j]); {
		case c > 0:
			e = a[i]
			i--
		case c < 0:
			e = b[j]
			j--
		default:
			e = a[i]
			i--
			j--
		}
		if !add(e) {
			return
		}
	}
	for ; i >= 0; i-- {
		if !add(a[i]) {
			return
		}
	}
	for ; j >= 0; j-- {
		if !add(b[j]) {
			return
		}
	}
}

var _ booking.VisibleSeeker = (*tx)(nil)
