package booking

import (
	"fmt"
	"math/rand/v2"
	"sync"
)

// base58 is Bitcoin's alphabet, which Cal.com's short uids use.
const base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// uidLength is the length of a booking uid (e.g. "2NtaeaVcKfpmSZ4CthFdfk").
const uidLength = 22

// SeededIDs makes booking uids and UUIDs from a seeded generator: the same seed gives the
// same sequence. It is safe for concurrent use (the order of concurrent callers is, of
// course, theirs).
type SeededIDs struct {
	seed uint64
	mu   sync.Mutex
	rng  *rand.Rand
}

// NewSeededIDs returns IDs whose sequence depends only on seed.
func NewSeededIDs(seed int64) *SeededIDs {
	g := &SeededIDs{seed: uint64(seed)}
	g.Restart()
	return g
}

// Restart starts the sequence again from its first value, as a new generator of the same
// seed would (the mock's reset).
func (g *SeededIDs) Restart() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rng = rand.New(rand.NewPCG(g.seed, g.seed^0x9e3779b97f4a7c15))
}

// BookingUID returns a 22-character base58 uid.
func (g *SeededIDs) BookingUID() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	b := make([]byte, uidLength)
	for i := range b {
		b[i] = base58[g.rng.IntN(len(base58))]
	}
	return string(b)
}

// UUID returns a random (version 4, RFC 4122 variant) UUID string.
func (g *SeededIDs) UUID() string {
	g.mu.Lock()
	hi, lo := g.rng.Uint64(), g.rng.Uint64()
	g.mu.Unlock()
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Fresh identifiers. A seeded generator restarts its sequence with the process, while a
// durable store keeps the uids of earlier runs; drawing again on a clash keeps uids unique
// without giving up reproducible sequences for a fresh store.

func (s *Service) freshBookingUID(tx Tx) string {
	for {
		if uid := s.ids.BookingUID(); !hasBooking(tx, uid) {
			return uid
		}
	}
}

func (s *Service) freshSeatUID(tx Tx) string {
	for {
		if uid := s.ids.UUID(); !seatTaken(tx, uid) {
			return uid
		}
	}
}

func (s *Service) freshSeriesUID(tx Tx) string {
	for {
		if uid := s.ids.UUID(); len(tx.Series(uid)) == 0 {
			return uid
		}
	}
}

func seatTaken(tx Tx, seatUID string) bool {
	_, ok := tx.BySeat(seatUID)
	return ok
}

func hasBooking(tx Tx, uid string) bool {
	_, ok := tx.Get(uid)
	return ok
}
