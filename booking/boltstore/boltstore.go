// Package boltstore is a booking.Store persisted in one bbolt file, for the mock's -data
// flag: state survives restarts and a hard kill.
//
// Layout (all in one file):
//
//	bookings      uid → JSON of booking.Booking
//	by_host_start be64(hostID) ‖ be64(start ns) ‖ uid → ""      organizer id → uids by start
//	by_email      str(lower(email)) ‖ uid → ""                  attendee email → uids
//	by_series     str(recurringBookingUid) ‖ uid → ""           series → uids
//	by_slot       be64(eventTypeID) ‖ be64(start ns) ‖ uid → "" event type, start → uids
//	by_seat       seatUID → uid
//	meta          "schema" → be64(3), "next_id" → be64, "count" → be64,
//	              "longest" → be64(ns): the longest End−Start ever stored, never lowered
//
// be64 is a big-endian uint64 with the sign bit flipped (so keys sort like the signed
// ints), str is a uvarint length followed by the bytes (so one prefix never extends another).
// Multi-valued indexes are composite keys scanned with a cursor, so adding or removing one
// uid never rewrites a list.
//
// ForHost, the availability check of every create, reads by_host_start as memstore reads
// its per-host list: a booking overlapping [start, end) starts before end and no earlier
// than start − longest, so it seeks there and decodes only the bookings starting in
// between, not every booking of the host. Visible scans the same bucket by the host prefix
// alone: the host's uids, which it sorts by start and id anyway. There is no separate
// host → uids index: it held the same uids, and writing it cost every create one more
// randomly placed page (without it, an experiment made 10-18% more durable creates per
// second). Older files are migrated
// by Open, in one transaction: schema 1 (no by_host_start, no "longest", a by_host bucket)
// and schema 2 (a by_host bucket).
//
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
//
// Bookings are stored as JSON, so a booking read back equals the one put up to what JSON
// keeps: times come back in UTC or a fixed offset (the same instant), empty slices of
// omitempty fields come back nil, numbers inside maps come back float64, and invalid UTF-8
// becomes U+FFFD. Everything the API writes on the wire is unchanged.
package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/calmock/calmock/booking"
)

var _ booking.Store = (*Store)(nil)

// schemaVersion is the layout above. Version 1 lacked by_host_start and "longest", and
// versions 1 and 2 kept a by_host bucket (be64(hostID) ‖ uid): Open migrates both (see
// migrate). A binary that only knows an older version refuses a newer file instead of
// writing bookings without maintaining an index it does not know (a schema 2 binary would
// read this layout's missing by_host as "no host has bookings").
const schemaVersion = 3

var (
	bucketBookings  = []byte("bookings")
	bucketHostStart = []byte("by_host_start")
	bucketEmail     = []byte("by_email")
	bucketSeries    = []byte("by_series")
	bucketSlot      = []byte("by_slot")
	bucketSeat      = []byte("by_seat")
	bucketMeta      = []byte("meta")

	allBuckets = [][]byte{bucketBookings, bucketHostStart, bucketEmail, bucketSeries, bucketSlot, bucketSeat, bucketMeta}

	keySchema  = []byte("schema")
	keyNextID  = []byte("next_id")
	keyCount   = []byte("count")
	keyLongest = []byte("longest")

	// bucketHostV2 is the by_host index of schemas 1 and 2, which migrate deletes.
	bucketHostV2 = []byte("by_host")
)

// ErrLocked is returned (wrapped) by Open when another process holds the file.
var ErrLocked = errors.New("database file is locked by another process")

// ErrNotDatabase is returned (wrapped) by Open when the file is not a bbolt database (or its
// meta pages are both damaged), or holds a schema this version does not know.
var ErrNotDatabase = errors.New("not a calmock bbolt database")

// ErrClosed is returned (wrapped) by Update after Close.
var ErrClosed = errors.New("store is closed")

// maxBatch caps how many Updates share one commit, so that one commit's answer never waits
// on an unbounded number of fns. It is also the capacity of the queue.
const maxBatch = 256

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
	err = db.Update(func(btx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := btx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		meta := btx.Bucket(bucketMeta)
		if v := meta.Get(keySchema); v != nil {
			switch {
			case len(v) == 8 && decodeInt(v) == schemaVersion:
				return nil
			case len(v) == 8 && (decodeInt(v) == 1 || decodeInt(v) == 2):
				return migrate(btx, decodeInt(v))
			}
			return fmt.Errorf("%w: schema version %x, want %d", ErrNotDatabase, v, schemaVersion)
		}
		if err := meta.Put(keySchema, encodeInt(schemaVersion)); err != nil {
			return err
		}
		return meta.Put(keyNextID, encodeInt(1))
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, reqs: make(chan *request, maxBatch), stopped: make(chan struct{})}
	go s.commitLoop()
	return s, nil
}

// migrate brings a schema 1 or 2 file to schema 3 inside Open's transaction. Schema 1
// first gets by_host_start and "longest", built from the bookings bucket; both then lose
// the by_host bucket, whose uids Visible now reads from by_host_start. A crash before the
// commit leaves the file as it was, to be migrated again.
func migrate(btx *bolt.Tx, from int) error {
	if from == 1 {
		if err := buildHostStart(btx); err != nil {
			return fmt.Errorf("migrate schema 1 to %d: %w", schemaVersion, err)
		}
	}
	if err := btx.DeleteBucket(bucketHostV2); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
		return fmt.Errorf("migrate schema %d to %d: delete %s: %w", from, schemaVersion, bucketHostV2, err)
	}
	return btx.Bucket(bucketMeta).Put(keySchema, encodeInt(schemaVersion))
}

// buildHostStart fills by_host_start and "longest" from the bookings bucket (schema 1 → 2).
func buildHostStart(btx *bolt.Tx) error {
	// Start from an empty index, whatever a schema 1 file holds under that name.
	if err := btx.DeleteBucket(bucketHostStart); err != nil {
		return err
	}
	hostStart, err := btx.CreateBucket(bucketHostStart)
	if err != nil {
		return err
	}
	var longest time.Duration
	err = btx.Bucket(bucketBookings).ForEach(func(k, v []byte) error {
		var b booking.Booking
		if err := json.Unmarshal(v, &b); err != nil {
			return fmt.Errorf("decode booking %q: %w", k, err)
		}
		longest = max(longest, b.End.Sub(b.Start))
		return hostStart.Put(timeKey(b.HostID, b.Start, b.UID), []byte{})
	})
	if err != nil {
		return err
	}
	return btx.Bucket(bucketMeta).Put(keyLongest, encodeInt(int(longest)))
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

// Replace empties every bucket but meta, resets meta's counters and puts bookings, in one
// bbolt transaction committed (and synced) before it returns: a crash leaves the old state
// or the new one. It does not go through the committer, as it must not share a transaction
// with other Updates; bbolt runs one writer at a time, so they simply wait for each other.
func (s *Store) Replace(ctx context.Context, bookings []booking.Booking) error {
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
		for _, k := range [][]byte{keyNextID, keyCount, keyLongest} {
			if err := meta.Delete(k); err != nil {
				return fmt.Errorf("reset %s: %w", k, err)
			}
		}
		t := newTx(btx, false)
		for _, b := range bookings {
			t.Put(b)
		}
		t.saveCounters()
		return t.err
	})
	if err != nil {
		return fmt.Errorf("boltstore: replace: %w", err)
	}
	return nil
}

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

// tx adapts a bbolt transaction to booking.Tx, for one fn. Writes go straight into the
// bbolt transaction, so reads see them, and each is logged so that undo can take them back
// out of the transaction the fn shares with the rest of its batch.
type tx struct {
	readOnly bool

	bookings, hostStart, email, series, meta, slot, seat *bolt.Bucket

	startID, nextID   int
	startCount, count int
	err               error   // first failure; fails the fn
	log               []write // every write, in order, for undo

	// longest is meta's "longest" as this fn sees it. Put raises both together; the
	// bucket's write is logged, so undo lowers it again, and this copy dies with the fn.
	longest time.Duration
}

// write is one bucket write and what it replaced.
type write struct {
	bucket   *bolt.Bucket
	key, old []byte
	existed  bool // false: key was absent, undo deletes it
}

func newTx(btx *bolt.Tx, readOnly bool) *tx {
	t := &tx{
		readOnly:  readOnly,
		bookings:  btx.Bucket(bucketBookings),
		hostStart: btx.Bucket(bucketHostStart),
		email:     btx.Bucket(bucketEmail),
		series:    btx.Bucket(bucketSeries),
		slot:      btx.Bucket(bucketSlot),
		seat:      btx.Bucket(bucketSeat),
		meta:      btx.Bucket(bucketMeta),
	}
	t.longest = time.Duration(decodeInt(t.meta.Get(keyLongest)))
	t.startID = decodeInt(t.meta.Get(keyNextID))
	if t.startID < 1 {
		t.startID = 1
	}
	t.nextID = t.startID
	t.startCount = decodeInt(t.meta.Get(keyCount))
	t.count = t.startCount
	return t
}

func (t *tx) fail(err error) {
	if t.err == nil {
		t.err = err
	}
}

// put and del write to bk through the log. The old value is copied: bbolt's is only valid
// until the bucket changes.
func (t *tx) put(bk *bolt.Bucket, k, v []byte) error {
	t.logWrite(bk, k)
	return bk.Put(k, v)
}

func (t *tx) del(bk *bolt.Bucket, k []byte) error {
	t.logWrite(bk, k)
	return bk.Delete(k)
}

func (t *tx) logWrite(bk *bolt.Bucket, k []byte) {
	// A cursor tells an absent key from an empty value (the index entries), Get does not.
	got, old := bk.Cursor().Seek(k)
	t.log = append(t.log, write{bucket: bk, key: bytes.Clone(k), old: bytes.Clone(old), existed: bytes.Equal(got, k)})
}

// undo takes the fn's writes back out of the transaction, newest first.
func (t *tx) undo() error {
	for i := len(t.log) - 1; i >= 0; i-- {
		w := t.log[i]
		var err error
		if w.existed {
			err = w.bucket.Put(w.key, w.old)
		} else {
			err = w.bucket.Delete(w.key)
		}
		if err != nil {
			return fmt.Errorf("undo a failed update: %w", err)
		}
	}
	t.log = nil
	return nil
}

// saveCounters stores the id counter and the count if the fn changed them.
func (t *tx) saveCounters() {
	if t.err != nil {
		return
	}
	if t.nextID != t.startID {
		if err := t.put(t.meta, keyNextID, encodeInt(t.nextID)); err != nil {
			t.fail(err)
			return
		}
	}
	if t.count != t.startCount {
		if err := t.put(t.meta, keyCount, encodeInt(t.count)); err != nil {
			t.fail(err)
		}
	}
}

// load decodes the stored booking uid. The JSON is decoded into a fresh value, so nothing
// is shared with the store or with other callers.
func (t *tx) load(uid []byte) (booking.Booking, bool) {
	v := t.bookings.Get(uid)
	if v == nil {
		return booking.Booking{}, false
	}
	var b booking.Booking
	if err := json.Unmarshal(v, &b); err != nil {
		t.fail(fmt.Errorf("decode booking %q: %w", uid, err))
		return booking.Booking{}, false
	}
	return b, true
}

// query loads the candidate uids (deduplicated) and keeps those satisfying keep. As in
// memstore an index only proposes candidates and keep decides.
func (t *tx) query(uids [][]byte, keep func(booking.Booking) bool) []booking.Booking {
	var out []booking.Booking
	seen := make(map[string]bool, len(uids))
	for _, uid := range uids {
		if seen[string(uid)] {
			continue
		}
		seen[string(uid)] = true
		if b, ok := t.load(uid); ok && keep(b) {
			out = append(out, b)
		}
	}
	return out
}

// scan returns the uids of the keys of bucket b starting with prefix (the rest of the key).
func scan(b *bolt.Bucket, prefix []byte) [][]byte {
	var uids [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		uids = append(uids, bytes.Clone(k[len(prefix):]))
	}
	return uids
}

func (t *tx) Get(uid string) (booking.Booking, bool) {
	if uid == "" {
		return booking.Booking{}, false
	}
	return t.load([]byte(uid))
}

func (t *tx) BySeat(seatUID string) (booking.Booking, bool) {
	if seatUID == "" {
		return booking.Booking{}, false
	}
	uid := t.seat.Get([]byte(seatUID))
	if uid == nil {
		return booking.Booking{}, false
	}
	found := t.query([][]byte{uid}, func(b booking.Booking) bool {
		for _, a := range b.Attendees {
			if a.SeatUID == seatUID {
				return true
			}
		}
		return false
	})
	if len(found) == 0 {
		return booking.Booking{}, false
	}
	return found[0], true
}

func (t *tx) Series(recurringUID string) []booking.Booking {
	if recurringUID == "" {
		return nil
	}
	out := t.query(scan(t.series, strKey(recurringUID, "")), func(b booking.Booking) bool {
		return b.RecurringBookingUID == recurringUID
	})
	booking.SortByStart(out)
	return out
}

func (t *tx) At(eventTypeID int, start time.Time) []booking.Booking {
	out := t.query(scan(t.slot, timeKey(eventTypeID, start, "")), func(b booking.Booking) bool {
		return b.EventTypeID == eventTypeID && b.Start.Equal(start)
	})
	booking.SortByID(out)
	return out
}

// ForHost walks the host's entries of by_host_start from start − longest (no booking
// starting earlier can reach start) up to end (none starting later can overlap), and
// decodes only those.
func (t *tx) ForHost(hostID int, start, end time.Time) []booking.Booking {
	prefix := encodeInt(hostID)
	from, stop := subSat(start.UnixNano(), int64(t.longest)), end.UnixNano()
	var uids [][]byte
	c := t.hostStart.Cursor()
	for k, _ := c.Seek(timeKeyNano(hostID, from, "")); len(k) >= 16 && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if int64(decodeInt(k[8:16])) >= stop {
			break
		}
		uids = append(uids, bytes.Clone(k[16:]))
	}
	out := t.query(uids, func(b booking.Booking) bool {
		return b.HostID == hostID && b.Start.Before(end) && b.End.After(start)
	})
	booking.SortByID(out)
	return out
}

func (t *tx) Visible(userID int, email string) []*booking.Booking {
	email = strings.ToLower(email)
	var uids [][]byte
	if userID != 0 {
		// by_host_start keys are host ‖ start ‖ uid: drop the start as well as the prefix.
		for _, k := range scan(t.hostStart, encodeInt(userID)) {
			if len(k) >= 8 {
				uids = append(uids, k[8:])
			}
		}
	}
	if email != "" {
		uids = append(uids, scan(t.email, strKey(email, ""))...)
	}
	out := t.query(uids, func(b booking.Booking) bool { return b.VisibleTo(userID, email) })
	booking.SortByStart(out)
	ptrs := make([]*booking.Booking, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return ptrs
}

// Put stores b, replacing (and first unindexing) the version with the same uid. It cannot
// return an error, so a failure (empty uid, a value JSON cannot encode, a bbolt error) is
// recorded and makes the enclosing Update fail and its writes be undone.
func (t *tx) Put(b booking.Booking) {
	if t.readOnly {
		panic("boltstore: Put in a read-only transaction")
	}
	if t.err != nil {
		return
	}
	if b.UID == "" {
		t.fail(errors.New("put booking: empty uid"))
		return
	}
	data, err := json.Marshal(b)
	if err != nil {
		t.fail(fmt.Errorf("encode booking %q: %w", b.UID, err))
		return
	}
	uid := []byte(b.UID)
	old, existed := t.load(uid)
	if t.err != nil {
		return
	}
	if existed {
		if err := t.unindex(old); err != nil {
			t.fail(fmt.Errorf("unindex booking %q: %w", b.UID, err))
			return
		}
	}
	if err := t.put(t.bookings, uid, data); err != nil {
		t.fail(fmt.Errorf("put booking %q: %w", b.UID, err))
		return
	}
	if err := t.index(b); err != nil {
		t.fail(fmt.Errorf("index booking %q: %w", b.UID, err))
		return
	}
	if d := b.End.Sub(b.Start); d > t.longest {
		if err := t.put(t.meta, keyLongest, encodeInt(int(d))); err != nil {
			t.fail(fmt.Errorf("put longest for booking %q: %w", b.UID, err))
			return
		}
		t.longest = d
	}
	if !existed {
		t.count++
	}
	if b.ID >= t.nextID {
		t.nextID = b.ID + 1
	}
}

func (t *tx) index(b booking.Booking) error {
	var errs []error
	put := func(bk *bolt.Bucket, k, v []byte) { errs = append(errs, t.put(bk, k, v)) }
	none := []byte{}
	put(t.hostStart, timeKey(b.HostID, b.Start, b.UID), none)
	for _, a := range b.Attendees {
		put(t.email, strKey(strings.ToLower(a.Email), b.UID), none)
		if a.SeatUID != "" {
			put(t.seat, []byte(a.SeatUID), []byte(b.UID))
		}
	}
	if b.RecurringBookingUID != "" {
		put(t.series, strKey(b.RecurringBookingUID, b.UID), none)
	}
	put(t.slot, timeKey(b.EventTypeID, b.Start, b.UID), none)
	return errors.Join(errs...)
}

func (t *tx) unindex(b booking.Booking) error {
	var errs []error
	del := func(bk *bolt.Bucket, k []byte) { errs = append(errs, t.del(bk, k)) }
	del(t.hostStart, timeKey(b.HostID, b.Start, b.UID))
	for _, a := range b.Attendees {
		del(t.email, strKey(strings.ToLower(a.Email), b.UID))
		if a.SeatUID != "" && string(t.seat.Get([]byte(a.SeatUID))) == b.UID {
			del(t.seat, []byte(a.SeatUID))
		}
	}
	if b.RecurringBookingUID != "" {
		del(t.series, strKey(b.RecurringBookingUID, b.UID))
	}
	del(t.slot, timeKey(b.EventTypeID, b.Start, b.UID))
	return errors.Join(errs...)
}

// NextID hands out the next id; it is kept only if the Update commits.
func (t *tx) NextID() int {
	if t.readOnly {
		panic("boltstore: NextID in a read-only transaction")
	}
	id := t.nextID
	t.nextID++
	return id
}

func (t *tx) Len() int { return t.count }

// encodeInt encodes v as 8 big-endian bytes with the sign bit flipped, so that byte order is
// numeric order for negative values too.
func encodeInt(v int) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(int64(v))^(1<<63))
}

func decodeInt(b []byte) int {
	if len(b) != 8 {
		return 0
	}
	return int(int64(binary.BigEndian.Uint64(b) ^ (1 << 63)))
}

// strKey is uvarint(len(s)) ‖ s ‖ uid; with uid "" it is the prefix of s's entries.
func strKey(s, uid string) []byte {
	k := binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64+len(s)+len(uid)), uint64(len(s)))
	return append(append(k, s...), uid...)
}

// timeKey is be64(v) ‖ be64(start UnixNano) ‖ uid, the key of by_slot (v an event type
// id) and by_host_start (v a host id): equal instants in different locations share a key,
// and a host's entries sort by start. With uid "" it is the prefix of v's entries at start.
func timeKey(v int, start time.Time, uid string) []byte {
	return timeKeyNano(v, start.UnixNano(), uid)
}

func timeKeyNano(v int, ns int64, uid string) []byte {
	k := make([]byte, 0, 16+len(uid))
	k = append(append(k, encodeInt(v)...), encodeInt(int(ns))...)
	return append(k, uid...)
}

// subSat is a − b for b ≥ 0, stopping at the smallest int64 instead of wrapping around.
func subSat(a, b int64) int64 {
	if a < math.MinInt64+b {
		return math.MinInt64
	}
	return a - b
}
