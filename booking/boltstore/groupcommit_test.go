package boltstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/booking/boltstore"
	"github.com/calmock/calmock/booking/storetest"
)

// The tests of the group commit hold the committer inside an Update (holdCommitter) while
// they queue the Updates of one batch, one at a time (enqueue), so that what a batch holds
// and in which order is known, with no sleeps and no timing assumptions.

// holdCommitter keeps the committer busy in an Update until release is called (at the
// latest when the test ends): the Updates queued meanwhile form the next batch.
func holdCommitter(tb testing.TB, s *boltstore.Store) (release func()) {
	tb.Helper()
	running, gate := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Update(ctx, func(booking.Tx) error { close(running); <-gate; return nil })
	}()
	<-running
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(gate)
			if err := <-done; err != nil {
				tb.Error(err)
			}
		})
	}
	tb.Cleanup(release)
	return release
}

// enqueue runs call, which calls s.Update once, in a new goroutine, and returns when that
// Update is queued. The channel is closed when call returns.
func enqueue(tb testing.TB, s *boltstore.Store, call func()) <-chan struct{} {
	tb.Helper()
	n := boltstore.Queued(s)
	done := make(chan struct{})
	go func() { defer close(done); call() }()
	waitQueued(tb, s, n+1)
	return done
}

func waitQueued(tb testing.TB, s *boltstore.Store, n int) {
	tb.Helper()
	for deadline := time.Now().Add(10 * time.Second); boltstore.Queued(s) < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("%d updates queued after 10s, want %d", boltstore.Queued(s), n)
		}
	}
}

func wait(tb testing.TB, chans ...<-chan struct{}) {
	tb.Helper()
	for _, c := range chans {
		select {
		case <-c:
		case <-time.After(10 * time.Second):
			tb.Fatal("an Update is still waiting after 10s")
		}
	}
}

// putOne is an Update fn that creates booking uid with a fresh id.
func putOne(uid string) func(booking.Tx) error {
	return func(tx booking.Tx) error {
		tx.Put(storetest.Sample(tx.NextID(), uid))
		return nil
	}
}

// TestUpdate_GroupCommit has 64 goroutines create a booking each, concurrently: all are
// acknowledged, all are in the file after a reopen, and they share commits.
func TestUpdate_GroupCommit(t *testing.T) {
	const n = 64
	// run starts the n Updates together and returns how many commits they took.
	run := func(t *testing.T, s *boltstore.Store, held bool) int64 {
		release := func() {}
		if held {
			release = holdCommitter(t, s)
		}
		before := boltstore.Commits(s)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				if err := s.Update(ctx, putOne(fmt.Sprintf("uid-%02d", i))); err != nil {
					t.Error(err)
				}
			})
		}
		close(start)
		if held {
			waitQueued(t, s, n)
		}
		release()
		wg.Wait()
		return boltstore.Commits(s) - before
	}
	check := func(t *testing.T, path string) {
		s := mustReopen(t, path)
		defer s.Close()
		if err := s.Check(); err != nil {
			t.Error(err)
		}
		_ = s.View(ctx, func(tx booking.Tx) error {
			ids := map[int]bool{}
			for i := range n {
				b, ok := tx.Get(fmt.Sprintf("uid-%02d", i))
				if !ok {
					t.Errorf("uid-%02d acknowledged but missing after reopen", i)
				}
				ids[b.ID] = true
			}
			if tx.Len() != n || len(ids) != n {
				t.Errorf("len %d, %d distinct ids; want %d", tx.Len(), len(ids), n)
			}
			return nil
		})
	}

	t.Run("Held", func(t *testing.T) {
		// All n are queued before the committer is free: they form one batch.
		path := filepath.Join(t.TempDir(), "calmock.db")
		s := mustReopen(t, path)
		if commits := run(t, s, true); commits != 2 {
			t.Errorf("%d commits for the held Update and a batch of %d, want 2", commits, n)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		check(t, path)
	})
	t.Run("Free", func(t *testing.T) {
		// Nothing arranged: batches form by themselves while a commit is in flight. One
		// attempt could in theory see every Update arrive alone, so allow a few.
		var commits []int64
		for range 5 {
			path := filepath.Join(t.TempDir(), "calmock.db")
			s := mustReopen(t, path)
			c := run(t, s, false)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			check(t, path)
			if commits = append(commits, c); c < n {
				break
			}
		}
		t.Logf("commits for %d concurrent Updates: %v", n, commits)
		if commits[len(commits)-1] >= n {
			t.Errorf("%d concurrent Updates never shared a commit in %d attempts", n, len(commits))
		}
	})
}

// TestUpdate_BatchSeesEarlierWrites: a member of a batch sees, through every query, what the
// members before it wrote.
func TestUpdate_BatchSeesEarlierWrites(t *testing.T) {
	s := MustOpen(t)
	release := holdCommitter(t, s)
	var errA, errB error
	a := enqueue(t, s, func() { errA = s.Update(ctx, putOne("a")) })
	b := enqueue(t, s, func() {
		errB = s.Update(ctx, func(tx booking.Tx) error {
			a, ok := tx.Get("a")
			switch {
			case !ok:
				return errors.New("Get: a is missing")
			case tx.Len() != 1:
				return fmt.Errorf("Len %d, want 1", tx.Len())
			case len(tx.ForHost(a.HostID, t0, t0.Add(time.Hour))) != 1:
				return errors.New("ForHost: a is missing")
			case len(tx.Series(a.RecurringBookingUID)) != 1:
				return errors.New("Series: a is missing")
			case len(tx.At(a.EventTypeID, a.Start)) != 1:
				return errors.New("At: a is missing")
			case len(tx.Visible(0, a.Attendees[0].Email)) != 1:
				return errors.New("Visible: a is missing")
			}
			if got, ok := tx.BySeat(a.Attendees[0].SeatUID); !ok || got.UID != "a" {
				return errors.New("BySeat: a is missing")
			}
			if id := tx.NextID(); id != a.ID+1 {
				return fmt.Errorf("NextID %d after a's id %d", id, a.ID)
			}
			return nil
		})
	})
	release()
	wait(t, a, b)
	if errA != nil || errB != nil {
		t.Fatalf("a: %v; b: %v", errA, errB)
	}
	if id := storetest.NextID(t, s); id != 3 {
		t.Errorf("next id %d, want 3", id)
	}
}

// TestUpdate_BatchMemberFails: in one batch, a member that fails after writing leaves no
// trace, neither for the members after it nor in the file, and the others are kept; every
// fn runs exactly once.
func TestUpdate_BatchMemberFails(t *testing.T) {
	s := MustOpen(t)
	storetest.MustPut(t, s, storetest.Sample(1, "x"))
	release := holdCommitter(t, s)
	before := boltstore.Commits(s)
	boom := errors.New("boom")
	var runs [3]atomic.Int32
	var errs [3]error
	a := enqueue(t, s, func() {
		errs[0] = s.Update(ctx, func(tx booking.Tx) error { runs[0].Add(1); return putOne("a")(tx) })
	})
	b := enqueue(t, s, func() {
		errs[1] = s.Update(ctx, func(tx booking.Tx) error {
			runs[1].Add(1)
			// Rewrite every index entry of x, delete none of a's, add b's.
			x, _ := tx.Get("x")
			x.HostID, x.Start, x.RecurringBookingUID = 9, x.Start.Add(time.Hour), "other"
			x.Attendees[0].Email, x.Attendees[0].SeatUID = "b@example.com", "seat-moved"
			tx.Put(x)
			tx.Put(storetest.Sample(tx.NextID(), "b"))
			return boom
		})
	})
	c := enqueue(t, s, func() {
		errs[2] = s.Update(ctx, func(tx booking.Tx) error {
			runs[2].Add(1)
			if _, ok := tx.Get("b"); ok {
				return errors.New("sees b, written by a failed member")
			}
			if x, _ := tx.Get("x"); x.HostID != 1 || tx.Len() != 2 {
				return fmt.Errorf("sees x with host %d and len %d, want 1 and 2", x.HostID, tx.Len())
			}
			return putOne("c")(tx)
		})
	})
	release()
	wait(t, a, b, c)
	if errs[0] != nil || !errors.Is(errs[1], boom) || errs[2] != nil {
		t.Fatalf("errors %v, want nil, boom, nil", errs)
	}
	for i := range runs {
		if n := runs[i].Load(); n != 1 {
			t.Errorf("fn %d ran %d times", i, n)
		}
	}
	if commits := boltstore.Commits(s) - before; commits != 2 {
		t.Errorf("%d commits, want 2 (the held Update's, the batch's)", commits)
	}
	x, _ := storetest.Get(t, s, "x")
	if want := storetest.Sample(1, "x"); mustJSON(t, x) != mustJSON(t, want) {
		t.Errorf("x changed by a failed member: %+v", x)
	}
	_ = s.View(ctx, func(tx booking.Tx) error {
		if got := storetest.UIDs(tx.Series("series")); fmt.Sprint(got) != "[x a c]" {
			t.Errorf("series %v, want [x a c]", got)
		}
		if b, ok := tx.BySeat("seat-moved"); ok {
			t.Errorf("seat of a failed member indexed: %s", b.UID)
		}
		if a, _ := tx.Get("a"); a.ID != 2 {
			t.Errorf("a has id %d, want 2", a.ID)
		}
		if c, _ := tx.Get("c"); c.ID != 3 {
			t.Errorf("c has id %d, want 3 (the failed member's id is not kept)", c.ID)
		}
		return nil
	}) // and MustOpen's cleanup checks every index
}

// TestUpdate_BatchMemberPanics: a panicking fn panics in its caller's goroutine, with its
// writes undone; the other members of its batch are committed.
func TestUpdate_BatchMemberPanics(t *testing.T) {
	s := MustOpen(t)
	release := holdCommitter(t, s)
	var errA, errC error
	var recovered any
	a := enqueue(t, s, func() { errA = s.Update(ctx, putOne("a")) })
	b := enqueue(t, s, func() {
		defer func() { recovered = recover() }()
		_ = s.Update(ctx, func(tx booking.Tx) error {
			tx.Put(storetest.Sample(tx.NextID(), "b"))
			panic("boom")
		})
	})
	c := enqueue(t, s, func() { errC = s.Update(ctx, putOne("c")) })
	release()
	wait(t, a, b, c)
	if errA != nil || errC != nil || recovered != "boom" {
		t.Fatalf("a: %v, c: %v, recovered %v; want nil, nil, boom", errA, errC, recovered)
	}
	if _, ok := storetest.Get(t, s, "b"); ok {
		t.Error("b, put before the panic, was kept")
	}
	for _, uid := range []string{"a", "c"} {
		if _, ok := storetest.Get(t, s, uid); !ok {
			t.Errorf("%s missing", uid)
		}
	}
}

// TestUpdate_ContextDoneWhileQueued: a request whose ctx ends while it waits in the queue
// gets ctx's error and its fn never runs.
func TestUpdate_ContextDoneWhileQueued(t *testing.T) {
	s := MustOpen(t)
	release := holdCommitter(t, s)
	c, cancel := context.WithCancel(ctx)
	var err error
	called := false
	done := enqueue(t, s, func() { err = s.Update(c, func(booking.Tx) error { called = true; return nil }) })
	cancel()
	release()
	wait(t, done)
	if !errors.Is(err, context.Canceled) || called {
		t.Errorf("err %v, called %v; want context.Canceled, false", err, called)
	}
}

// TestClose_QueuedUpdates: Close lets the Updates already queued run and be answered; an
// Update after Close fails with ErrClosed.
func TestClose_QueuedUpdates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calmock.db")
	s := mustReopen(t, path)
	release := holdCommitter(t, s)
	var errs [3]error
	var queued []<-chan struct{}
	for i := range errs {
		queued = append(queued, enqueue(t, s, func() { errs[i] = s.Update(ctx, putOne(fmt.Sprint(i))) }))
	}
	closed := make(chan struct{})
	var closeErr error
	go func() { defer close(closed); closeErr = s.Close() }()
	release()
	wait(t, append(queued, closed)...)
	if closeErr != nil || errs != [3]error{} {
		t.Fatalf("Close: %v; queued updates: %v", closeErr, errs)
	}
	if err := s.Update(ctx, putOne("late")); !errors.Is(err, boltstore.ErrClosed) {
		t.Errorf("Update after Close: %v, want ErrClosed", err)
	}
	s = mustReopen(t, path)
	defer s.Close()
	for i := range errs {
		if _, ok := storetest.Get(t, s, fmt.Sprint(i)); !ok {
			t.Errorf("queued update %d acknowledged but missing", i)
		}
	}
}

// TestClose_DuringUpdates closes the store while goroutines keep updating it: each Update
// either succeeds, and is in the file, or fails with ErrClosed, and nothing hangs.
func TestClose_DuringUpdates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calmock.db")
	s := mustReopen(t, path)
	var acked sync.Map // uid → true once Update returned nil
	var n atomic.Int32
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := 0; ; i++ {
				uid := fmt.Sprintf("g%02d-%04d", g, i)
				err := s.Update(ctx, putOne(uid))
				if err != nil {
					if !errors.Is(err, boltstore.ErrClosed) {
						t.Errorf("%s: %v", uid, err)
					}
					return
				}
				acked.Store(uid, true)
				n.Add(1)
			}
		})
	}
	for deadline := time.Now().Add(10 * time.Second); n.Load() < 50; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d updates acknowledged after 10s", n.Load())
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	s = mustReopen(t, path)
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Error(err)
	}
	_ = s.View(ctx, func(tx booking.Tx) error {
		total := 0
		acked.Range(func(uid, _ any) bool {
			total++
			if _, ok := tx.Get(uid.(string)); !ok {
				t.Errorf("%s acknowledged but missing", uid)
			}
			return true
		})
		if tx.Len() != total {
			t.Errorf("len %d, but %d acknowledged", tx.Len(), total)
		}
		return nil
	})
}
