package ring

import (
	"sync"
	"testing"
)

func values(items []Item[int]) ([]int, []uint64) {
	var vs []int
	var seqs []uint64
	for _, it := range items {
		vs = append(vs, it.Value)
		seqs = append(seqs, it.Seq)
	}
	return vs, seqs
}

func TestBuffer_KeepsTheLastN(t *testing.T) {
	b := New[int](3)
	if got := b.Snapshot(); len(got) != 0 {
		t.Fatalf("empty buffer holds %v", got)
	}
	for i := 1; i <= 2; i++ {
		b.Push(i * 10)
	}
	if vs, _ := values(b.Snapshot()); len(vs) != 2 || vs[0] != 10 || vs[1] != 20 {
		t.Fatalf("after 2 pushes: %v", vs)
	}
	for i := 3; i <= 7; i++ {
		if seq := b.Push(i * 10); seq != uint64(i) {
			t.Fatalf("push %d got seq %d", i, seq)
		}
	}
	vs, seqs := values(b.Snapshot())
	if len(vs) != 3 || vs[0] != 50 || vs[1] != 60 || vs[2] != 70 || seqs[0] != 5 || seqs[2] != 7 {
		t.Fatalf("after 7 pushes into 3: %v %v", vs, seqs)
	}
	if b.Len() != 3 || b.Cap() != 3 {
		t.Fatalf("len %d cap %d", b.Len(), b.Cap())
	}
}

func TestBuffer_Clear(t *testing.T) {
	b := New[*int](2)
	for range 3 {
		b.Push(new(int))
	}
	if n := b.Clear(); n != 2 {
		t.Fatalf("Clear dropped %d, want 2", n)
	}
	for _, it := range b.items {
		if it.Value != nil {
			t.Fatal("Clear kept a pointer: its memory would stay reachable")
		}
	}
	if seq := b.Push(new(int)); seq != 4 {
		t.Fatalf("seq after Clear = %d, want 4 (numbers go on)", seq)
	}
	if b.Len() != 1 {
		t.Fatalf("len %d after one push", b.Len())
	}
}

func TestBuffer_NonPositiveCapacityPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("New(0) did not panic")
		}
	}()
	New[int](0)
}

// TestBuffer_Concurrent pushes and reads at once (run with -race): every snapshot is in
// sequence order and no push is lost from the count.
func TestBuffer_Concurrent(t *testing.T) {
	b := New[int](50)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				b.Push(w*1000 + i)
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 200 {
			_, seqs := values(b.Snapshot())
			for i := 1; i < len(seqs); i++ {
				if seqs[i] != seqs[i-1]+1 {
					t.Errorf("snapshot out of order: %v", seqs)
					return
				}
			}
			if len(seqs) > 50 {
				t.Errorf("snapshot of %d > capacity", len(seqs))
				return
			}
		}
	}()
	wg.Wait()
	<-done
	_, seqs := values(b.Snapshot())
	if len(seqs) != 50 || seqs[49] != 2000 {
		t.Fatalf("after 2000 pushes: %d held, last seq %v", len(seqs), seqs[len(seqs)-1])
	}
}

// TestBuffer_GrowsAsValuesCome: an unused buffer holds no slots, and a cleared one keeps
// wrapping correctly as it refills.
func TestBuffer_GrowsAsValuesCome(t *testing.T) {
	b := New[int](3)
	if len(b.items) != 0 {
		t.Fatalf("a new buffer holds %d slots", len(b.items))
	}
	for v := range 5 {
		b.Push(v)
	}
	b.Clear()
	for v := 10; v < 14; v++ {
		b.Push(v)
	}
	var got []int
	for _, it := range b.Snapshot() {
		got = append(got, it.Value)
	}
	if len(got) != 3 || got[0] != 11 || got[2] != 13 || len(b.items) != 3 {
		t.Fatalf("after clear and 4 pushes: %v (%d slots), want [11 12 13]", got, len(b.items))
	}
}
