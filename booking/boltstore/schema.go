package boltstore

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Layout (all in one file):
//
//	bookings      uid → JSON of bookingRecord (records_gen.go)
//	by_host_start be64(hostID) ‖ be64(start ns) ‖ uid → ""      organizer id → uids by start
//	by_email      str(lower(email)) ‖ uid → ""                  attendee email → uids
//	by_series     str(recurringBookingUid) ‖ uid → ""           series → uids
//	by_slot       be64(eventTypeID) ‖ be64(start ns) ‖ uid → "" event type, start → uids
//	by_seat       seatUID → uid
//	webhooks      be64(seq) → JSON of webhookRecord; seq orders them as first put
//	meta          "schema" → be64(3), "next_id" → be64, "count" → be64,
//	              "longest" → be64(ns): the longest End−Start ever stored, never lowered,
//	              "webhook_seq" → be64: the seq of the next new webhook
//
// be64 is a big-endian uint64 with the sign bit flipped (so keys sort like the signed
// ints), str is a uvarint length followed by the bytes (so one prefix never extends another).
// Multi-valued indexes are composite keys scanned with a cursor, so adding or removing one
// uid never rewrites a list.
//
// The webhooks bucket came within schema 3: prepare creates it in a schema 3 file that
// lacks it (no webhook yet), and a binary that predates it ignores it, so it took no new
// version.
//
// Older files are migrated by Open, in one transaction: schema 1 (no by_host_start, no
// "longest", a by_host bucket) and schema 2 (a by_host bucket).

var (
	bucketBookings  = []byte("bookings")
	bucketHostStart = []byte("by_host_start")
	bucketEmail     = []byte("by_email")
	bucketSeries    = []byte("by_series")
	bucketSlot      = []byte("by_slot")
	bucketSeat      = []byte("by_seat")
	bucketMeta      = []byte("meta")
	bucketWebhooks  = []byte("webhooks")

	allBuckets = [][]byte{bucketBookings, bucketHostStart, bucketEmail, bucketSeries, bucketSlot, bucketSeat, bucketMeta, bucketWebhooks}

	keySchema     = []byte("schema")
	keyNextID     = []byte("next_id")
	keyCount      = []byte("count")
	keyLongest    = []byte("longest")
	keyWebhookSeq = []byte("webhook_seq")

	// bucketHostV2 is the by_host index of schemas 1 and 2, which migrate deletes.
	bucketHostV2 = []byte("by_host")
)

// prepare makes the file in btx one of this version's: it creates the buckets of a new
// file and its meta keys, migrates an older schema, and refuses an unknown one.
func prepare(btx *bolt.Tx) error {
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
		b, err := decodeBooking(v)
		if err != nil {
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
