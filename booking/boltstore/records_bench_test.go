package boltstore

import (
	"testing"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/internal/fill"
)

var sinkRecord bookingRecord
var sinkBooking booking.Booking

// BenchmarkRecords is the copy between a booking with every field set and its record,
// each way: the part of encodeBooking and decodeBooking the record code owns.
func BenchmarkRecords(b *testing.B) {
	var full booking.Booking
	fill.Value(&full, 1)
	b.Run("to", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkRecord = toBookingRecord(&full)
		}
	})
	rec := toBookingRecord(&full)
	b.Run("from", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkBooking = fromBookingRecord(&rec)
		}
	})
}
