package mockserver

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// TestRateLimiter_BoundedMemory: a client cycling through fresh trackers cannot grow the
// limiter past its bound once their windows are over, and live trackers are kept.
func TestRateLimiter_BoundedMemory(t *testing.T) {
	clock := &testClock{now: testNow}
	l := newRateLimiter(2, clock)
	h := http.Header{}
	for i := 0; i < maxTrackers; i++ {
		_ = l.take(h, "bogus-"+strconv.Itoa(i))
	}
	clock.Advance(30 * time.Second)
	// Blocked at 30 s, so blocked until 90 s.
	_ = l.take(h, "live")
	_ = l.take(h, "live")
	if err := l.take(h, "live"); err == nil {
		t.Fatal("third request of a limit of 2 was not refused")
	}
	_ = l.take(h, "one-more") // windows of the bogus trackers still open: nothing to evict yet
	if len(l.seen) <= maxTrackers {
		t.Fatalf("evicted trackers whose window is still open: %d left", len(l.seen))
	}
	clock.Advance(31 * time.Second)
	_ = l.take(h, "after")
	if len(l.seen) > 3 {
		t.Fatalf("%d trackers kept after their windows ended, want at most 3", len(l.seen))
	}
	if _, ok := l.seen["live"]; !ok {
		t.Fatal("the blocked tracker was dropped before its block ended")
	}
}
