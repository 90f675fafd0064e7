package booking

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// Store keeps bookings. Every service operation runs inside one View or Update, so a
// transition is one atomic read-modify-write: two concurrent cancels of one booking cannot
// both win. Implementations: booking/memstore (in memory) and
// booking/boltstore (a bbolt file).
type Store interface {
	// View runs fn with a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn with a read-write transaction. If fn returns an error, none of its
	// writes are kept. Updates are serialised.
	Update(ctx context.Context, fn func(Tx) error) error
	// Replace drops every booking and stores bookings instead, in one step that concurrent
	// Views and Updates see whole or not at all: afterwards the store holds what a fresh,
	// empty store would after putting bookings in order (the id counter follows their
	// highest id). It is how the mock goes back to its fixtures.
	// The webhooks are replaced in the same step: afterwards the store holds exactly
	// webhooks, in their order.
	Replace(ctx context.Context, bookings []Booking, webhooks []Webhook) error
}

// Tx is the view of the store inside one transaction. In an Update, returned bookings are
// deep copies: changing them changes nothing until they are passed to Put. In a View they may
// share slices and maps with the store (so that reading thousands of bookings stays cheap):
// treat them as read-only, also after View returns.
type Tx interface {
	// Get returns the booking with uid, if any.
	Get(uid string) (Booking, bool)
	// BySeat returns the booking holding the seat seatUID, if any.
	BySeat(seatUID string) (Booking, bool)
	// Series returns every occurrence with RecurringBookingUID == recurringUID, by start.
	Series(recurringUID string) []Booking
	// At returns the bookings of event type eventTypeID starting exactly at start (seats).
	At(eventTypeID int, start time.Time) []Booking
	// ForHost returns the bookings organised by user hostID that overlap [start, end).
	ForHost(hostID int, start, end time.Time) []Booking
	// Visible returns every booking organised by userID or attended by email (an index
	// lookup, not a scan of other users' bookings), ordered by start, then id: the list's
	// default order, so that a list without filters pages without reading every booking.
	// A new slice the caller may reorder; pointers, because a user may see tens of thousands
	// of bookings, with the same read-only rule as above.
	Visible(userID int, email string) []*Booking
	// All returns every booking, by start then id: a scan of the whole store, for the admin
	// listing (GET /_calmock/bookings), never for an API operation.
	All() []Booking
	// Put inserts b, or replaces the booking with the same UID.
	Put(b Booking)
	// NextID returns a fresh numeric booking id.
	NextID() int
	// Len is the number of bookings stored.
	Len() int

	// Webhooks returns every webhook subscription, in the order they were first put (the
	// order the real API lists them in), as deep copies: they are few, and the observer
	// keeps them beyond the transaction.
	Webhooks() []Webhook
	// PutWebhook inserts w, or replaces the webhook with the same ID where it stands.
	PutWebhook(w Webhook)
	// DeleteWebhook removes the webhook id and reports whether there was one.
	DeleteWebhook(id string) bool
}

// SortByStart orders bs by start (the instant, in any location), then id: the order of
// Tx.Visible and Tx.Series.
func SortByStart(bs []Booking) {
	slices.SortFunc(bs, func(a, b Booking) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// SortByID orders bs by id: the order of Tx.At and Tx.ForHost.
func SortByID(bs []Booking) {
	slices.SortFunc(bs, func(a, b Booking) int { return cmp.Compare(a.ID, b.ID) })
}

// VisibleWindower is what a Tx may also offer: Visible cut to the window [skip, skip+take)
// of its order, with the length Visible would have had. An unfiltered list in the default
// order then reads and allocates only its page, not every booking the user can see.
// memstore's transactions implement it; List falls back on Visible when a Tx does not.
type VisibleWindower interface {
	VisibleWindow(userID int, email string, skip, take int) (page []*Booking, total int)
}

// Catalog is the read-only world the bookings live in: users, teams and event types, as
// loaded from the fixtures.
type Catalog interface {
	UserByID(id int) (User, bool)
	UserByUsername(username string) (User, bool)
	TeamByID(id int) (Team, bool)
	TeamBySlug(slug string) (Team, bool)
	EventTypeByID(id int) (EventType, bool)
	// EventTypeBySlug finds a personal event type by owner username, or a team one by team
	// slug (exactly one of username and teamSlug is set).
	EventTypeBySlug(slug, username, teamSlug string) (EventType, bool)
}

// Clock tells the time. Tests and the admin clock inject their own.
type Clock interface{ Now() time.Time }

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

func (f ClockFunc) Now() time.Time { return f() }

// SystemClock is the wall clock, truncated to milliseconds like Cal.com's timestamps.
var SystemClock Clock = ClockFunc(func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) })

// IDs makes the random identifiers of bookings and seats. The mock seeds it so that the same
// seed gives the same uids.
type IDs interface {
	// BookingUID returns a new ~22 character base58 uid.
	BookingUID() string
	// UUID returns a new UUID v4 string (seat uids, recurring series uids).
	UUID() string
}
