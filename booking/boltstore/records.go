package boltstore

import (
	"encoding/json"

	"github.com/calmock/calmock/booking"
)

// The bookings bucket holds the JSON of a bookingRecord per booking. The records
// (records_gen.go), not the domain types, define that format. They are generated from the
// domain types, field for field, but take their JSON keys from the key file of the schema
// version (testdata/schema3.keys), not from the domain's json tags: a booking package change
// to a JSON tag (the API's wire name) leaves the file alone. A new domain field gets a record
// field under its json tag's key, which TestRecordKeys asks to add to the key file (-update):
// files written before lack the key and read it as the zero value. TestRecordKeys fails on
// any other change of the compiled records' keys (a key removed or renamed, a changed
// omitempty or Go type), which needs a new schema version, and TestRecordsGenFresh when
// records_gen.go is stale (run go generate ./booking/boltstore).
//
// A booking read back equals the one put up to what JSON keeps: times come back in UTC or
// a fixed offset (the same instant), empty slices of omitempty fields come back nil,
// numbers inside maps come back float64, and invalid UTF-8 becomes U+FFFD. Everything the
// API writes on the wire is unchanged.

//go:generate go run ../../internal/recordgen/cmd/recordgen -o records_gen.go -domain github.com/calmock/calmock/booking -types Booking,Attendee,Recording,Reference,Webhook -keys testdata/schema3.keys

// schemaVersion is the version of the file's format: the layout described in schema.go
// and the records, whose JSON keys testdata/schema3.keys freezes (they are those schema 3
// took from the domain types). Renaming or removing a record's key, changing its omitempty
// or the encoding of its value, or adding a key whose absence must not read as the zero
// value, requires a new version with its own key file (the go:generate line above names
// it) and a migration of the older files in schema.go, plus a test file of the old version
// (see testdata). Version 1 lacked by_host_start and "longest", and versions 1 and 2 kept a
// by_host bucket (be64(hostID) ‖ uid): Open migrates both (see migrate). A binary that
// only knows an older version refuses a newer file instead of writing bookings without
// maintaining an index it does not know (a schema 2 binary would read this layout's
// missing by_host as "no host has bookings").
const schemaVersion = 3

// encodeBooking is the value the bookings bucket holds for b.
func encodeBooking(b *booking.Booking) ([]byte, error) {
	rec := toBookingRecord(b)
	return json.Marshal(&rec)
}

// decodeBooking decodes a value of the bookings bucket into a fresh booking, which shares
// nothing with the store or with other callers. Slices of records are new slices; the
// record's pointers, maps and other slices are handed over, as the record only lives for
// one decoding (and, in encodeBooking, shares the booking's for one encoding).
func decodeBooking(v []byte) (booking.Booking, error) {
	var rec bookingRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return booking.Booking{}, err
	}
	return fromBookingRecord(&rec), nil
}

// encodeWebhook is the value the webhooks bucket holds for w.
func encodeWebhook(w *booking.Webhook) ([]byte, error) {
	rec := toWebhookRecord(w)
	return json.Marshal(&rec)
}

// decodeWebhook decodes a value of the webhooks bucket into a fresh webhook.
func decodeWebhook(v []byte) (booking.Webhook, error) {
	var rec webhookRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return booking.Webhook{}, err
	}
	return fromWebhookRecord(&rec), nil
}
