// Package boltstore is a booking.Store persisted in one bbolt file, for the mock's -data
// flag: state survives restarts and a hard kill.
//
// The file's layout and migrations are described in schema.go, the records its bookings
// are stored as in records_gen.go (generated from the domain types and the frozen keys of
// testdata/schema<N>.keys; records.go says how and holds the schema version), the key
// encodings in keys.go, the
// indexes and the queries reading them in indexes.go, the transaction and its undo log in
// tx.go, and durability and group commit in groupcommit.go.
package boltstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/calmock/calmock/booking"
)

var _ booking.Store = (*Store)(nil)

// ErrLocked is returned (wrapped) by Open when another process holds the file.
var ErrLocked = errors.New("database file is locked by another process")

// ErrNotDatabase is returned (wrapped) by Open when the file is not a bbolt database (or its
// meta pages are both damaged), or holds a schema this version does not know.
var ErrNotDatabase = errors.New("not a calmock bbolt database")

// ErrClosed is returned (wrapped) by Update after Close.
var ErrClosed = errors.New("store is closed")

// initialMmapSize is how much of the file bbolt maps at Open: 1 GB of address space on
// 64-bit builds (not memory: a page is only read in when touched), bbolt's default on
// 32-bit ones, which lack the room. By default bbolt maps 32 KB and doubles the mapping
// whenever the file outgrows it, and each remap stalls the commit that triggers it: it
// waits for every read transaction, the pages are faulted in again afterwards (~10 µs per
// first touch on the CI VM), and while the file is under bbolt's AllocSize (16 MB) the
// file is also grown to the new mapping size with a truncate and an fsync. That was 7-9
// stalls of 5-40 ms in the first few thousand creates of a fresh file. Mapped at 1 GB, the
// file grows in AllocSize steps (a truncate and an fsync per 16 MB, ~5,000 creates) and is
// not remapped below 1 GB. So even a fresh file is 16 MB long; the part never written is a
// hole, which takes no disk space.
const initialMmapSize = (strconv.IntSize / 64) << 30

// Store is a booking.Store in a bbolt file. Open it with Open; it is safe for concurrent use.
// The caller should call Close when finished.
type Store struct {
	db   *bolt.DB
	path string

	// mu guards closed and every send on reqs: Close closes reqs under the write lock, so
	// no Update can send on a closed channel or be left in the queue unanswered.
	mu     sync.RWMutex
	closed bool
	reqs   chan *request // Updates waiting for the committer
	// stopped is closed when the committer has answered every request and exited.
	stopped chan struct{}

	commits atomic.Int64 // commits made by the committer; the tests count batches with it
}

type config struct {
	timeout time.Duration
	noSync  bool
	mode    os.FileMode
}

// Option configures Open.
type Option func(*config)

// WithLockTimeout sets how long Open waits for another process to release the file lock
// before failing with ErrLocked. Default 1s; 0 waits forever.
func WithLockTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithNoSync skips the fsync on commit. Faster, but a crash (of the machine, not only the
// process) can lose or corrupt data: for tests and benchmarks only.
func WithNoSync() Option { return func(c *config) { c.noSync = true } }

// WithFileMode sets the permissions of a newly created file. Default 0600.
func WithFileMode(m os.FileMode) Option { return func(c *config) { c.mode = m } }

// Open opens the store in path, creating the file (and its buckets) if needed. A second
// process opening the same file waits for the lock timeout and then fails with ErrLocked.
func Open(path string, opts ...Option) (*Store, error) {
	cfg := config{timeout: time.Second, mode: 0o600}
	for _, o := range opts {
		o(&cfg)
	}
	db, err := bolt.Open(path, cfg.mode, &bolt.Options{
		Timeout:         cfg.timeout,
		NoSync:          cfg.noSync,
		InitialMmapSize: initialMmapSize,
	})
	if err != nil {
		switch {
		case errors.Is(err, berrors.ErrTimeout):
			err = fmt.Errorf("%w (waited %s): %w", ErrLocked, cfg.timeout, err)
		case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch),
			errors.Is(err, berrors.ErrChecksum):
			err = fmt.Errorf("%w: %w", ErrNotDatabase, err)
		}
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	if err := db.Update(prepare); err != nil {
		db.Close()
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, reqs: make(chan *request, maxBatch), stopped: make(chan struct{})}
	go s.commitLoop()
	return s, nil
}

// Close closes the file. Updates already queued run and are answered first, and Views
// running are waited for; Updates called later fail with ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.reqs)
	}
	s.mu.Unlock()
	<-s.stopped
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("boltstore: close %s: %w", s.path, err)
	}
	return nil
}

// Path is the file the store lives in.
func (s *Store) Path() string { return s.path }

// Empty reports whether no booking was ever stored and no id ever handed out: the caller
// seeds fixtures when it is true (first start) and keeps the file's state otherwise.
func (s *Store) Empty() (bool, error) {
	var empty bool
	err := s.db.View(func(btx *bolt.Tx) error {
		first, _ := btx.Bucket(bucketBookings).Cursor().First()
		empty = first == nil && decodeInt(btx.Bucket(bucketMeta).Get(keyNextID)) <= 1
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("boltstore: %s: %w", s.path, err)
	}
	return empty, nil
}

// Check runs bbolt's consistency check (page structure and freelist) plus this package's
// own (every index entry matches a booking, every booking is fully indexed, the count is
// right). It returns every problem found, joined; nil means the file is sound.
func (s *Store) Check() error {
	var errs []error
	err := s.db.View(func(btx *bolt.Tx) error {
		for e := range btx.Check() {
			errs = append(errs, e)
		}
		errs = append(errs, checkIndexes(btx)...)
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("boltstore: check %s: %w", s.path, err)
	}
	return nil
}

// View runs fn with a read-only bbolt transaction (a consistent snapshot; Views run
// concurrently with each other and with one Update). Put and NextID panic in it. A booking
// that cannot be decoded makes View return an error even if fn returned nil.
func (s *Store) View(ctx context.Context, fn func(booking.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var ferr error
	err := s.db.View(func(btx *bolt.Tx) error {
		t := newTx(btx, true)
		if ferr = fn(t); ferr != nil {
			return ferr
		}
		return t.err
	})
	if err != nil && !errors.Is(err, ferr) {
		return fmt.Errorf("boltstore: view: %w", err)
	}
	return err
}

// Update runs fn, exactly once, in a read-write bbolt transaction; Updates are serialised, so
// fn sees the writes of every Update that returned nil before it was called. If fn returns
// an error (or a Put failed: a booking that cannot be encoded, an empty uid), none of its
// writes, nor the ids it handed out, are kept. Otherwise they are committed and synced to
// disk before Update returns nil; they may share that commit with other Updates (see the
// package comment). If fn panics, Update panics with the same value, and nothing is kept.
//
// ctx is checked when Update is called and again just before fn runs; once fn has run,
// Update waits for the commit whatever ctx says, so that its answer is always the truth.
// fn runs on the committer's goroutine: it must not call Update (that would wait for
// itself) nor runtime.Goexit (t.Fatal in a test: use t.Error and return an error).
func (s *Store) Update(ctx context.Context, fn func(booking.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &request{ctx: ctx, fn: fn, done: make(chan result, 1)}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return fmt.Errorf("boltstore: update: %w", ErrClosed)
	}
	s.reqs <- r // blocks only while maxBatch requests are queued
	s.mu.RUnlock()
	res := <-r.done
	if res.panicked != nil {
		panic(res.panicked)
	}
	return res.err
}

// Replace empties every bucket but meta, resets meta's counters and puts bookings and webhooks, in one
// bbolt transaction committed (and synced) before it returns: a crash leaves the old state
// or the new one. It does not go through the committer, as it must not share a transaction
// with other Updates; bbolt runs one writer at a time, so they simply wait for each other.
func (s *Store) Replace(ctx context.Context, bookings []booking.Booking, webhooks []booking.Webhook) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock() // Close waits for this, so the file stays open until the commit is done
	defer s.mu.RUnlock()
	if s.closed {
		return fmt.Errorf("boltstore: replace: %w", ErrClosed)
	}
	err := s.db.Update(func(btx *bolt.Tx) error {
		for _, name := range allBuckets {
			if bytes.Equal(name, bucketMeta) {
				continue
			}
			if err := btx.DeleteBucket(name); err != nil {
				return fmt.Errorf("empty bucket %s: %w", name, err)
			}
			if _, err := btx.CreateBucket(name); err != nil {
				return fmt.Errorf("empty bucket %s: %w", name, err)
			}
		}
		meta := btx.Bucket(bucketMeta)
		for _, k := range [][]byte{keyCount, keyLongest, keyWebhookSeq} {
			if err := meta.Delete(k); err != nil {
				return fmt.Errorf("reset %s: %w", k, err)
			}
		}
		// Stored even when no booking raises it, so that the file says its next id.
		if err := meta.Put(keyNextID, encodeInt(1)); err != nil {
			return fmt.Errorf("reset %s: %w", keyNextID, err)
		}
		t := newTx(btx, false)
		for _, b := range bookings {
			t.Put(b)
		}
		for _, w := range webhooks {
			t.PutWebhook(w)
		}
		t.saveCounters()
		return t.err
	})
	if err != nil {
		return fmt.Errorf("boltstore: replace: %w", err)
	}
	return nil
}
