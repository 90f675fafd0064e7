package clock

import (
	"sync"
	"testing"
	"time"
)

// wall is a settable source of real time.
type wall struct {
	mu sync.Mutex
	t  time.Time
}

func (w *wall) Now() time.Time  { w.mu.Lock(); defer w.mu.Unlock(); return w.t }
func (w *wall) set(t time.Time) { w.mu.Lock(); defer w.mu.Unlock(); w.t = t }

var (
	day1    = time.Date(2026, 3, 1, 12, 0, 0, 123_456_789, time.UTC)
	instant = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
)

func expect(t *testing.T, c *Clock, wantNow time.Time, wantMode Mode) {
	t.Helper()
	now, mode := c.Read()
	if !now.Equal(wantNow) || mode != wantMode {
		t.Fatalf("Read() = %s %s, want %s %s", now, mode, wantNow, wantMode)
	}
	if got := c.Now(); !got.Equal(wantNow) {
		t.Fatalf("Now() = %s, want %s", got, wantNow)
	}
}

func TestClock_RealFollowsSourceTruncated(t *testing.T) {
	w := &wall{t: day1}
	c := New(w, time.Time{})
	expect(t, c, day1.Truncate(time.Millisecond), Real)
	w.set(day1.Add(time.Hour))
	expect(t, c, day1.Add(time.Hour).Truncate(time.Millisecond), Real)
}

func TestClock_FreezeAdvanceUnfreezeRestart(t *testing.T) {
	w := &wall{t: day1}
	c := New(w, instant.In(time.FixedZone("CET", 3600)))
	expect(t, c, instant, Frozen)
	if c.Now().Location() != time.UTC {
		t.Fatalf("Now() is in %s, want UTC", c.Now().Location())
	}
	w.set(day1.Add(24 * time.Hour)) // the wall clock moves; a frozen clock does not
	expect(t, c, instant, Frozen)
	c.Advance(90 * time.Minute)
	expect(t, c, instant.Add(90*time.Minute), Frozen)
	c.Unfreeze()
	expect(t, c, day1.Add(24*time.Hour).Truncate(time.Millisecond), Real)
	c.Advance(time.Hour) // a running clock runs on, an hour ahead
	expect(t, c, day1.Add(25*time.Hour).Truncate(time.Millisecond), Offset)
	w.set(day1.Add(48 * time.Hour))
	c.Advance(time.Minute) // offsets add up
	expect(t, c, day1.Add(49*time.Hour+time.Minute).Truncate(time.Millisecond), Offset)
	c.Freeze(instant.Add(-time.Hour))
	expect(t, c, instant.Add(-time.Hour), Frozen)
	c.Restart()
	expect(t, c, instant, Frozen)

	r := New(w, time.Time{})
	r.Freeze(instant)
	r.Restart()
	expect(t, r, w.Now().Truncate(time.Millisecond), Real)
}

// TestClock_Concurrent is for -race: readers and writers share the clock.
func TestClock_Concurrent(t *testing.T) {
	c := New(&wall{t: day1}, instant)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				switch i {
				case 0:
					c.Advance(time.Second)
				case 1:
					c.Freeze(instant)
				case 2:
					c.Unfreeze()
				default:
					_, _ = c.Read()
					_ = c.Now()
				}
			}
		}()
	}
	wg.Wait()
}
