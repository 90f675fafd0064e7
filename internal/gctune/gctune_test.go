package gctune

import (
	"context"
	"runtime"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mb = 1 << 20
	for _, tc := range []struct {
		live, headroom uint64
		want           int
	}{
		{4 * mb, 32 * mb, 800},    // small heap: grow by the headroom
		{16 * mb, 32 * mb, 200},   //
		{32 * mb, 32 * mb, 100},   // from here on the default
		{64 * mb, 32 * mb, 100},   // up to bigHeap
		{96 * mb, 32 * mb, 66},    // past it, grow by bigHeap…
		{128 * mb, 32 * mb, 50},   // …or by half the heap, whichever is more
		{400 * mb, 32 * mb, 50},   // large heap: GOGC 50
		{200 * mb, 256 * mb, 128}, // a headroom larger than half the heap still wins
		{1 * mb, 32 * mb, 2000},   // capped
		{0, 32 * mb, 2000},        // nothing measured yet
		{4 * mb, 0, 100},          // no headroom asked: the default
	} {
		if got := Percent(tc.live, tc.headroom, 2000); got != tc.want {
			t.Errorf("Percent(%d MB live, %d MB headroom) = %d, want %d", tc.live/mb, tc.headroom/mb, got, tc.want)
		}
	}
}

// TestLoop: GOGC follows the live heap, ignores small wobbles, and is restored on return.
// The fake live reading blocks until the test hands it a value, so each step is in order.
func TestLoop(t *testing.T) {
	const mb = 1 << 20
	lives := make(chan uint64)
	gogc := 100
	var sets []int
	tu := &Tuner{
		headroom: 32 * mb,
		live:     func() uint64 { return <-lives },
		set: func(p int) int {
			old := gogc
			gogc = p
			sets = append(sets, p)
			return old
		},
	}
	ticks := make(chan time.Time)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tu.loop(ctx, ticks); close(done) }()
	lives <- 4 * mb // at start: 800
	for _, live := range []uint64{
		4*mb + mb/8, // a wobble: 780 vs 800, no change
		16 * mb,     // the heap grew: 200
		64 * mb,     // large: back to 100
	} {
		ticks <- time.Time{}
		lives <- live
	}
	cancel()
	<-done
	want := []int{800, 200, 100, 100} // the last restores the original
	if len(sets) != len(want) {
		t.Fatalf("GOGC set to %v, want %v", sets, want)
	}
	for i := range want {
		if sets[i] != want[i] {
			t.Fatalf("GOGC set to %v, want %v", sets, want)
		}
	}
	if gogc != 100 {
		t.Errorf("GOGC after Run = %d, want the original 100", gogc)
	}
}

// TestNew reads the real metric: after start-up some heap is live.
func TestNew(t *testing.T) {
	runtime.GC()
	if live := New(1).live(); live == 0 {
		t.Errorf("live heap read as 0; %s missing?", liveMetric)
	}
}
