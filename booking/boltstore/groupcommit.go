package boltstore

import (
	"context"
	"fmt"
	"runtime"

	bolt "go.etcd.io/bbolt"

	"github.com/calmock/calmock/booking"
)

// Durability and group commit: Updates are queued to one committer goroutine (started by
// Open, stopped by Close). It takes the first queued Update plus whatever else is already
// queued (up to maxBatch), runs their fns one after another in one bbolt read-write
// transaction, and commits once: bbolt writes the pages and then the meta page, with an
// fdatasync after each, before Commit returns, and only then are the Updates answered. So
// when Update returns nil its writes are on disk, a crash at any moment leaves either the
// old or the new state, and concurrent Updates share one commit (two fsyncs, ~5 ms on the
// CI VM) instead of queueing for one each. Nothing waits for a batch to fill: a lone Update
// commits at once, and the Updates that arrive during a commit form the next batch.
//
// Each fn runs exactly once, so bbolt's DB.Batch is not used: it re-runs the other members
// of a batch when one fails. Instead every write a fn makes is logged with the value it
// replaced, and if the fn fails (returns an error, fails a Put or panics) the log is played
// back to undo them: the later members of the batch and the commit see exactly the writes
// of the members that succeeded. If the commit fails, all of those get its error.

// maxBatch caps how many Updates share one commit, so that one commit's answer never waits
// on an unbounded number of fns. It is also the capacity of the queue.
const maxBatch = 256

// request is one Update waiting for the committer.
type request struct {
	ctx  context.Context
	fn   func(booking.Tx) error
	done chan result // buffered: the committer never blocks on an answer
}

// result answers a request.
type result struct {
	err error
	// panicked is the value fn panicked with (nil if it did not): Update panics again with
	// it in the caller's goroutine, where a recover can see it, instead of killing the
	// process from the committer's.
	panicked any
}

func (r result) failed() bool { return r.err != nil || r.panicked != nil }

// commitLoop is the committer: it commits one batch at a time until Close closes reqs and
// the queue is empty.
func (s *Store) commitLoop() {
	defer close(s.stopped)
	batch := make([]*request, 0, maxBatch)
	for r := range s.reqs {
		batch = append(batch[:0], r)
	drain:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		s.commit(batch)
		clear(batch) // drop the fns and contexts now, not when the slots are next reused
		// Let the Updates just answered run before the next batch. Each answer puts its
		// caller on this P's run queue, where it would otherwise wait until the committer
		// blocks in the next commit's fsync and the runtime hands the P over (0.1 to
		// several ms under load), delaying the reply and, in a closed loop, the caller's
		// next Update, which then misses the next batch. Yielding halves that wait; an
		// in-process closed loop of 32 creators makes ~26-Update batches instead of 16 and
		// ~25% more creates per second.
		runtime.Gosched()
	}
}

// commit runs the fns of batch in order in one bbolt transaction, commits it if any
// succeeded, and only then answers every request.
func (s *Store) commit(batch []*request) {
	results := make([]result, len(batch))
	err := s.runBatch(batch, results)
	for i, r := range batch {
		if err != nil && !results[i].failed() {
			results[i].err = fmt.Errorf("boltstore: update: %w", err)
		}
		r.done <- results[i]
	}
}

// runBatch runs the fns of batch, filling in the result of each one that failed or was not
// run because its ctx was done. It returns the error of the transaction as a whole
// (beginning it, undoing a failed fn, or the commit), which is the answer of every other
// request: no write of the batch was kept.
func (s *Store) runBatch(batch []*request, results []result) error {
	btx, err := s.db.Begin(true)
	if err != nil {
		return err
	}
	succeeded := false
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		var undoErr error
		results[i], undoErr = runOne(btx, r.fn)
		if undoErr != nil {
			// The transaction still holds part of a failed fn's writes: give it up whole.
			// The requests not run yet get the error too (they ran zero times, not twice).
			_ = btx.Rollback()
			return undoErr
		}
		succeeded = succeeded || !results[i].failed()
	}
	if !succeeded {
		return btx.Rollback()
	}
	s.commits.Add(1)
	return btx.Commit()
}

// runOne runs fn once against btx. If fn fails, its writes are undone before runOne returns
// (undoErr is an error doing that).
func runOne(btx *bolt.Tx, fn func(booking.Tx) error) (res result, undoErr error) {
	t := newTx(btx, false)
	defer func() {
		if p := recover(); p != nil {
			res = result{panicked: p}
		}
		if res.failed() {
			undoErr = t.undo()
		}
	}()
	if err := fn(t); err != nil {
		return result{err: err}, nil
	}
	t.saveCounters()
	if t.err != nil {
		return result{err: fmt.Errorf("boltstore: update: %w", t.err)}, nil
	}
	return result{}, nil
}
