package memstore

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/calmock/calmock/booking"
)

// TestMergeAndUnionLen: on random sorted lists that share some entries (a user who organises
// and attends the same booking), merge visits the sorted union once each, stops where add
// says, and unionLen counts what merge would visit, from any pair of positions.
func TestMergeAndUnionLen(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var a, b ordered
		for id := range rng.IntN(40) {
			e := entry{start: int64(rng.IntN(10)), id: id, b: &booking.Booking{ID: id}}
			inA, inB := rng.IntN(3) > 0, rng.IntN(3) > 0
			if inA {
				a = append(a, e)
			}
			if inB {
				b = append(b, e)
			}
		}
		sortEntries := func(o ordered) { slices.SortFunc(o, entry.compare) }
		sortEntries(a)
		sortEntries(b)
		var want ordered // the union, each entry once
		for _, e := range append(slices.Clone(a), b...) {
			if !slices.ContainsFunc(want, func(w entry) bool { return w.id == e.id }) {
				want = append(want, e)
			}
		}
		sortEntries(want)

		var got []int
		merge(a, b, func(e entry) bool { got = append(got, e.id); return true })
		if !slices.Equal(got, ids(want)) {
			t.Fatalf("round %d: merge visited %v, want %v", round, got, ids(want))
		}
		if n := unionLen(a, b); n != len(want) {
			t.Fatalf("round %d: unionLen = %d, want %d", round, n, len(want))
		}
		for stop := 1; stop <= len(want); stop++ {
			got = got[:0]
			i, j := merge(a, b, func(e entry) bool { got = append(got, e.id); return len(got) < stop })
			if len(got) != stop {
				t.Fatalf("round %d: merge stopped after %d entries, want %d", round, len(got), stop)
			}
			if rest := unionLen(a[i:], b[j:]); stop+rest != len(want) {
				t.Fatalf("round %d: stopped at %d, unionLen of the rest = %d, want %d", round, stop, rest, len(want)-stop)
			}
		}
	}
}

func ids(o ordered) []int {
	out := make([]int, len(o))
	for i, e := range o {
		out[i] = e.id
	}
	return out
}
