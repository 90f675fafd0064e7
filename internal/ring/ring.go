// Package ring keeps the last n values pushed, in a fixed amount of memory: the request
// journal's store, whatever the traffic.
package ring

import "sync"

// Item is a value with its sequence number: 1 for the first value ever pushed, counting on
// across Clear, so that a reader can tell what it missed.
type Item[T any] struct {
	Seq   uint64
	Value T
}

// Buffer keeps the last Cap values pushed. It is safe for concurrent use; a Push costs one
// mutex round trip and, once the buffer has filled up, no allocation. Its slots grow as values
// come instead of all at once, so that an idle buffer costs nothing: every sandbox has a
// journal, and a thousand sandboxes with 1000 empty slots each would hold 16 MB for nothing.
type Buffer[T any] struct {
	mu       sync.Mutex
	items    []Item[T] // grows up to capacity, then is written round
	capacity int
	next     int    // slot the next Push writes once full
	n        int    // values held, at most len(items)
	pushed   uint64 // values ever pushed
}

// New returns a buffer that keeps the last n values; n must be positive.
func New[T any](n int) *Buffer[T] {
	if n <= 0 {
		panic("ring: capacity must be positive")
	}
	return &Buffer[T]{capacity: n}
}

// Cap returns how many values the buffer keeps.
func (b *Buffer[T]) Cap() int { return b.capacity }

// Push adds v, dropping the oldest value when the buffer is full, and returns v's sequence
// number.
func (b *Buffer[T]) Push(v T) uint64 {
	b.mu.Lock()
	b.pushed++
	seq := b.pushed
	if len(b.items) < b.capacity {
		b.items = append(b.items, Item[T]{Seq: seq, Value: v})
		b.next = len(b.items) % b.capacity
	} else {
		b.items[b.next] = Item[T]{Seq: seq, Value: v}
		b.next = (b.next + 1) % b.capacity
	}
	b.n = min(b.n+1, len(b.items))
	b.mu.Unlock()
	return seq
}

// Snapshot returns the values held, oldest first, in a new slice.
func (b *Buffer[T]) Snapshot() []Item[T] {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Item[T], 0, b.n)
	start := b.next - b.n
	if start < 0 {
		start += len(b.items)
	}
	for i := range b.n {
		out = append(out, b.items[(start+i)%len(b.items)])
	}
	return out
}

// Len returns how many values the buffer holds.
func (b *Buffer[T]) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

// Clear drops every value (their memory too) and returns how many there were. Sequence
// numbers go on from where they were.
func (b *Buffer[T]) Clear() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := b.n
	clear(b.items)
	b.items = b.items[:0] // the slots are kept for the next values
	b.next, b.n = 0, 0
	return n
}
