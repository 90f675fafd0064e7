package boltstore

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// Commits is the number of bbolt commits the committer has made: fewer than the Updates it
// answered means that they shared commits.
func Commits(s *Store) int64 { return s.commits.Load() }

// Queued is the number of Updates waiting for the committer.
func Queued(s *Store) int { return len(s.reqs) }

// Longest is the store's "longest" duration, as the next Update would see it.
func Longest(s *Store) time.Duration {
	var d time.Duration
	_ = s.db.View(func(btx *bolt.Tx) error {
		d = time.Duration(decodeInt(btx.Bucket(bucketMeta).Get(keyLongest)))
		return nil
	})
	return d
}

// DiffFields lists the fields of booking.Booking in which got and want differ.
var DiffFields = diffFields
