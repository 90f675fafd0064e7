package boltstore_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/booking/boltstore"
	"github.com/calmock/calmock/booking/storetest"
)

// schema3File was written by writeSchema3File at e40b35a, the last version storing the
// domain types' JSON (every later version must still read it), and compacted. It is only
// ever read through a copy.
const schema3File = "testdata/schema3.db"

// schema3Out, when set, makes TestWriteSchema3File write a new file like schema3File there.
// Never point it at schema3File: that file stands for what an older binary wrote.
var schema3Out = flag.String("schema3-out", "", "write a schema 3 test file to this path and exit")

// schema3NextID is the id the file hands out next: one id was drawn, and not used, after
// the bookings were put.
const schema3NextID = 43

// schema3Bookings are the bookings in schema3File. Together they set every field of
// booking.Booking, Attendee, Recording and Reference (the full one alone does), a null or
// empty value of each nullable one, a booking before 1970 and one without a host.
func schema3Bookings() []booking.Booking {
	str := func(s string) *string { return &s }
	rating := 4.5
	t1 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	full := booking.Booking{
		ID:          40,
		UID:         "full-uid",
		Title:       "Every field",
		Description: str("all of them set"),
		EventTypeID: 7,
		HostID:      1,
		Status:      booking.StatusCancelled,
		Start:       t1,
		End:         t1.Add(90 * time.Minute),
		Attendees: []booking.Attendee{
			{
				Name: "Ada", Email: "Ada@Example.com", TimeZone: "Europe/Paris", Language: "fr",
				PhoneNumber: "+33123456789", Absent: true, SeatUID: "seat-ada",
				SeatResponses: map[string]any{"name": "Ada", "notes": []any{"a", 1.5, true, nil}},
				SeatMetadata:  map[string]any{"row": 3.0, "vip": map[string]any{"yes": true}},
			},
			{Name: "Bob", Email: "bob@example.com", TimeZone: "UTC", Language: "en", SeatUID: "seat-bob"},
		},
		Guests:                 []string{"guest@example.com", "other@example.com"},
		Location:               "https://cal.com/video/full",
		Metadata:               map[string]any{"source": "test", "n": 2.0, "nested": map[string]any{"list": []any{"x"}}},
		BookingFieldsResponses: map[string]any{"name": "Ada", "email": "Ada@Example.com", "guests": []any{"guest@example.com"}},
		AbsentHost:             true,
		Rating:                 &rating,
		ICSUID:                 "ics-full@cal.com",
		CancellationReason:     str("changed plans"),
		CancelledByEmail:       str("Ada@Example.com"),
		RejectionReason:        "not rejected, but set",
		Rescheduled:            true,
		RescheduledFromUID:     "older-uid",
		RescheduledToUID:       "newer-uid",
		ReschedulingReason:     "moved",
		RescheduledByEmail:     str("owner@example.com"),
		RecurringBookingUID:    "series-uid",
		Recordings: []booking.Recording{
			{
				ID: "rec-1", RoomName: "room", StartTs: 1772442000, Status: "finished", MaxParticipants: 3,
				Duration: 3600, ShareToken: "token", DownloadLink: str("https://example.com/rec-1.mp4"),
			},
			{ID: "rec-2", RoomName: "room", Status: "in-progress"},
		},
		Transcripts: []string{"https://example.com/t1.txt"},
		References: []booking.Reference{
			{ID: 5, Type: "google_calendar", EventUID: "gcal-1", DestinationCalendarID: str("primary")},
			{ID: 6, Type: "daily_video", EventUID: "daily-1"},
		},
		CreatedAt: t1.Add(-48 * time.Hour),
		UpdatedAt: t1.Add(-time.Hour),
	}
	next := full.Clone()
	next.ID, next.UID = 41, "next-uid"
	next.Start, next.End = t1.Add(7*24*time.Hour), t1.Add(7*24*time.Hour+30*time.Minute)
	next.Status = booking.StatusAccepted
	next.Attendees = []booking.Attendee{{Name: "Cy", Email: "cy@example.com", TimeZone: "UTC", Language: "en"}}
	next.Description, next.Rating, next.CancellationReason, next.CancelledByEmail, next.RescheduledByEmail = nil, nil, nil, nil, nil
	next.Metadata, next.BookingFieldsResponses = map[string]any{}, nil
	next.Guests, next.Recordings, next.Transcripts, next.References = nil, nil, nil, nil
	next.RejectionReason, next.Rescheduled, next.RescheduledFromUID, next.RescheduledToUID, next.ReschedulingReason = "", false, "", "", ""
	next.AbsentHost, next.ICSUID = false, ""
	return []booking.Booking{
		full,
		next,
		{
			// Instant booking awaiting a host, before 1970, lasting three days: "longest".
			ID: 3, UID: "old-uid", Title: "Before the epoch", EventTypeID: 8, Status: booking.StatusAwaitingHost,
			Start: time.Unix(-3600, 0).UTC(), End: time.Unix(-3600+3*24*3600, 0).UTC(),
			Attendees: []booking.Attendee{}, Location: "",
			CreatedAt: time.Unix(-7200, 0).UTC(), UpdatedAt: time.Unix(-7200, 0).UTC(),
		},
		{ID: 1, UID: "bare-uid", EventTypeID: 7, HostID: 2, Status: booking.StatusPending, Start: t1, End: t1.Add(time.Minute)},
	}
}

// TestWriteSchema3File writes a file like schema3File (see schema3Out) and compacts it:
// bbolt's 16 MB preallocation of a fresh file shrinks to a few pages.
func TestWriteSchema3File(t *testing.T) {
	if *schema3Out == "" {
		t.Skip("writes a test file only with -schema3-out")
	}
	tmp := filepath.Join(t.TempDir(), "calmock.db")
	s := mustReopen(t, tmp)
	storetest.MustPut(t, s, schema3Bookings()...)
	if id := storetest.NextID(t, s); id != schema3NextID-1 {
		t.Fatalf("NextID %d, want %d", id, schema3NextID-1)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	src, err := bolt.Open(tmp, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := bolt.Open(*schema3Out, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := bolt.Compact(dst, src, 0); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestOpen_Schema3File opens a copy of a file an older version wrote and checks that every
// booking reads back equal, field for field, to what was written, that the indexes and
// counters in the file still serve, and that putting the bookings read back writes the
// very bytes the file held: this version's records are schema 3's, but for keys added
// since (see withoutAddedKeys).
func TestOpen_Schema3File(t *testing.T) {
	path := copyFile(t, schema3File)
	stored := storedBookings(t, path)
	s := mustReopen(t, path)
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	want := schema3Bookings()
	var read []booking.Booking
	for _, w := range want {
		got, ok := storetest.Get(t, s, w.UID)
		if !ok {
			t.Errorf("%s: missing", w.UID)
			continue
		}
		for _, d := range boltstore.DiffFields(got, w) {
			t.Errorf("%s: %s", w.UID, d)
		}
		read = append(read, got)
	}
	if err := s.View(ctx, func(tx booking.Tx) error {
		if n := tx.Len(); n != len(want) {
			t.Errorf("Len %d, want %d", n, len(want))
		}
		if b, ok := tx.BySeat("seat-bob"); !ok || b.UID != "full-uid" {
			t.Errorf("BySeat(seat-bob) = %q, %v, want full-uid", b.UID, ok)
		}
		if got := uidsOf(tx.Series("series-uid")); got != "[full-uid next-uid]" {
			t.Errorf("Series %s, want [full-uid next-uid]", got)
		}
		if got := uidsOf(tx.At(7, want[0].Start)); got != "[bare-uid full-uid]" {
			t.Errorf("At %s, want [bare-uid full-uid]", got)
		}
		// Found through "longest": it starts three days before the window.
		if got := uidsOf(tx.ForHost(0, time.Unix(2*24*3600, 0), time.Unix(2*24*3600+60, 0))); got != "[old-uid]" {
			t.Errorf("ForHost(0) %s, want [old-uid]", got)
		}
		var visible []booking.Booking
		for _, b := range tx.Visible(2, "ada@example.com") {
			visible = append(visible, *b)
		}
		if got := uidsOf(visible); got != "[bare-uid full-uid]" {
			t.Errorf("Visible %s, want [bare-uid full-uid]", got)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if id := storetest.NextID(t, s); id != schema3NextID {
		t.Errorf("NextID %d, want %d", id, schema3NextID)
	}
	storetest.MustPut(t, s, read...)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	assertLayout(t, path)
	rewritten := storedBookings(t, path)
	seen := keyPlaces(t, stored)
	for uid, v := range stored {
		if rewritten[uid] != v && withoutAddedKeys(t, rewritten[uid], seen) != canonicalJSON(t, v) {
			t.Errorf("%s was stored as\n%s\nand is now rewritten as\n%s\n(a new format needs a new schema version)", uid, v, rewritten[uid])
		}
	}
	if len(rewritten) != len(stored) {
		t.Errorf("%d bookings after rewriting them, want %d", len(rewritten), len(stored))
	}
}

// keyPlaces collects where the values stored in the file have object keys: ".attendees.name"
// for the key name of the objects in the list under attendees. As the file sets every
// field somewhere, a key found nowhere is one the records gained after it was written.
func keyPlaces(tb testing.TB, values map[string]string) map[string]bool {
	seen := map[string]bool{}
	for _, v := range values {
		walkObjects(decodeJSON(tb, v), "", func(obj map[string]any, place string) {
			for k := range obj {
				seen[place+"."+k] = true
			}
		})
	}
	return seen
}

// withoutAddedKeys is value, in canonical form, without the keys found nowhere in the file
// (seen): a key added to the records writes its zero value into a rewritten booking, which
// TestRecordKeys allows (an older file reads it as the zero value) and nothing else may.
func withoutAddedKeys(tb testing.TB, value string, seen map[string]bool) string {
	v := decodeJSON(tb, value)
	walkObjects(v, "", func(obj map[string]any, place string) {
		for k := range obj {
			if !seen[place+"."+k] {
				delete(obj, k)
			}
		}
	})
	return marshalJSON(tb, v)
}

// canonicalJSON is value with its object keys sorted, numbers as written.
func canonicalJSON(tb testing.TB, value string) string { return marshalJSON(tb, decodeJSON(tb, value)) }

func decodeJSON(tb testing.TB, value string) any {
	tb.Helper()
	d := json.NewDecoder(strings.NewReader(value))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		tb.Fatalf("%v in %s", err, value)
	}
	return v
}

func marshalJSON(tb testing.TB, v any) string {
	tb.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}

// walkObjects calls visit with every object in v and its place (the keys leading to it,
// lists left out), before looking into the object.
func walkObjects(v any, place string, visit func(obj map[string]any, place string)) {
	switch v := v.(type) {
	case map[string]any:
		visit(v, place)
		for k, e := range v {
			walkObjects(e, place+"."+k, visit)
		}
	case []any:
		for _, e := range v {
			walkObjects(e, place, visit)
		}
	}
}

// storedBookings reads the bookings bucket of the file in path as bbolt holds it.
func storedBookings(tb testing.TB, path string) map[string]string {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	values := map[string]string{}
	if err := db.View(func(btx *bolt.Tx) error {
		return btx.Bucket([]byte("bookings")).ForEach(func(k, v []byte) error {
			values[string(k)] = string(v)
			return nil
		})
	}); err != nil {
		tb.Fatal(err)
	}
	return values
}

func uidsOf(bs []booking.Booking) string {
	uids := make([]string, len(bs))
	for i, b := range bs {
		uids[i] = b.UID
	}
	return fmt.Sprint(uids)
}

// copyFile copies src into a fresh temporary directory and returns the copy's path.
func copyFile(tb testing.TB, src string) string {
	tb.Helper()
	in, err := os.Open(src)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	dst := filepath.Join(tb.TempDir(), filepath.Base(src))
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
	return dst
}
