package wiretime

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestFormat: Format and Append agree with time.Format(Layout) inside years 0-9999 (in
// any zone, with fractions that must be cut, not rounded) and outside them, where they defer
// to Format.
func TestFormat(t *testing.T) {
	zone := time.FixedZone("UTC+05:30", 5*3600+1800)
	times := []time.Time{
		{},
		time.Date(2026, 12, 3, 7, 9, 5, 999_999_999, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 0, zone),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999_000_000, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 6, 15, 12, 0, 0, 0, time.UTC),
		time.Unix(0, 1),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10_000 {
		times = append(times, time.Unix(rng.Int64N(400_000_000_000)-62_000_000_000, rng.Int64N(1e9)).In(zone))
	}
	for _, tm := range times {
		want := tm.UTC().Format(Layout)
		if got := Format(tm); got != want {
			t.Fatalf("Format(%v) = %q, want %q", tm, got, want)
		}
		if got := string(Append([]byte("x"), tm)); got != "x"+want {
			t.Fatalf("Append(\"x\", %v) = %q, want %q", tm, got, "x"+want)
		}
	}
	if got, want := Format(time.Date(2030, 1, 1, 11, 30, 0, 0, time.UTC)), "2030-01-01T11:30:00.000Z"; got != want {
		t.Fatalf("Format = %q, want the API's %q", got, want)
	}
}

var benchAt = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

// BenchmarkFormat is one wire timestamp; a booking has four.
func BenchmarkFormat(b *testing.B) {
	tm := benchAt.Add(1234567 * time.Millisecond)
	b.ReportAllocs()
	for b.Loop() {
		_ = Format(tm)
	}
}

// BenchmarkFormat_Layout is the same through time.Format, for comparison.
func BenchmarkFormat_Layout(b *testing.B) {
	tm := benchAt.Add(1234567 * time.Millisecond)
	b.ReportAllocs()
	for b.Loop() {
		_ = tm.UTC().Format(Layout)
	}
}
