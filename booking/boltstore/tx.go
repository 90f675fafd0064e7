package boltstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/calmock/calmock/booking"
)

// tx adapts a bbolt transaction to booking.Tx, for one fn. Writes go straight into the
// bbolt transaction, so reads see them, and each is logged so that undo can take them back
// out of the transaction the fn shares with the rest of its batch.
type tx struct {
	readOnly bool

	bookings, hostStart, email, series, meta, slot, seat, webhooks *bolt.Bucket

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
		webhooks:  btx.Bucket(bucketWebhooks),
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

// load decodes the stored booking uid into a fresh value, so nothing is shared with the
// store or with other callers.
func (t *tx) load(uid []byte) (booking.Booking, bool) {
	v := t.bookings.Get(uid)
	if v == nil {
		return booking.Booking{}, false
	}
	b, err := decodeBooking(v)
	if err != nil {
		t.fail(fmt.Errorf("decode booking %q: %w", uid, err))
		return booking.Booking{}, false
	}
	return b, true
}

func (t *tx) Get(uid string) (booking.Booking, bool) {
	if uid == "" {
		return booking.Booking{}, false
	}
	return t.load([]byte(uid))
}

// All decodes every stored booking (the transaction's own writes included: they are in the
// bbolt transaction).
func (t *tx) All() []booking.Booking {
	out := make([]booking.Booking, 0, t.count)
	c := t.bookings.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		b, err := decodeBooking(v)
		if err != nil {
			t.fail(fmt.Errorf("decode booking %q: %w", k, err))
			return nil
		}
		out = append(out, b)
	}
	booking.SortByStart(out)
	return out
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
	data, err := encodeBooking(&b)
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

// Webhooks decodes every stored webhook, in seq order (the order they were first put).
func (t *tx) Webhooks() []booking.Webhook {
	var out []booking.Webhook
	err := t.webhooks.ForEach(func(k, v []byte) error {
		w, err := decodeWebhook(v)
		if err != nil {
			return fmt.Errorf("decode webhook %x: %w", k, err)
		}
		out = append(out, w)
		return nil
	})
	if err != nil {
		t.fail(err)
		return nil
	}
	return out
}

// webhookKey returns the key the webhook id is stored under, or nil. Subscriptions are a
// handful per store, so a scan is cheaper than keeping an index of them.
func (t *tx) webhookKey(id string) []byte {
	var key []byte
	_ = t.webhooks.ForEach(func(k, v []byte) error {
		if key != nil {
			return nil
		}
		var rec struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(v, &rec) == nil && rec.ID == id {
			key = bytes.Clone(k)
		}
		return nil
	})
	return key
}

// PutWebhook stores w under the key of the webhook with its id, or under the next seq. A
// failure fails the enclosing Update, as Put's do.
func (t *tx) PutWebhook(w booking.Webhook) {
	if t.readOnly {
		panic("boltstore: PutWebhook in a read-only transaction")
	}
	if t.err != nil {
		return
	}
	if w.ID == "" {
		t.fail(errors.New("put webhook: empty id"))
		return
	}
	data, err := encodeWebhook(&w)
	if err != nil {
		t.fail(fmt.Errorf("encode webhook %q: %w", w.ID, err))
		return
	}
	key := t.webhookKey(w.ID)
	if key == nil {
		seq := decodeInt(t.meta.Get(keyWebhookSeq))
		key = encodeInt(seq)
		if err := t.put(t.meta, keyWebhookSeq, encodeInt(seq+1)); err != nil {
			t.fail(fmt.Errorf("put webhook %q: %w", w.ID, err))
			return
		}
	}
	if err := t.put(t.webhooks, key, data); err != nil {
		t.fail(fmt.Errorf("put webhook %q: %w", w.ID, err))
	}
}

// DeleteWebhook removes the webhook id.
func (t *tx) DeleteWebhook(id string) bool {
	if t.readOnly {
		panic("boltstore: DeleteWebhook in a read-only transaction")
	}
	if t.err != nil {
		return false
	}
	key := t.webhookKey(id)
	if key == nil {
		return false
	}
	if err := t.del(t.webhooks, key); err != nil {
		t.fail(fmt.Errorf("delete webhook %q: %w", id, err))
		return false
	}
	return true
}
