package boltstore

import (
	"encoding/binary"
	"math"
	"time"
)

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
