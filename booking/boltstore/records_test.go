package boltstore

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/internal/fill"
	"github.com/calmock/calmock/internal/gencmd"
	"github.com/calmock/calmock/internal/recordgen"
)

// updateKeys makes TestRecordKeys add the records' new keys to the key file.
var updateKeys = flag.Bool("update", false, "add the records' new keys to the key file of the schema version")

// recordOf pairs each record type with the domain type it stores.
var recordOf = map[reflect.Type]reflect.Type{
	reflect.TypeFor[booking.Booking]():   reflect.TypeFor[bookingRecord](),
	reflect.TypeFor[booking.Attendee]():  reflect.TypeFor[attendeeRecord](),
	reflect.TypeFor[booking.Recording](): reflect.TypeFor[recordingRecord](),
	reflect.TypeFor[booking.Reference](): reflect.TypeFor[referenceRecord](),
}

// TestRecords_MirrorDomain: every record has its domain type's fields, by name, type and
// order, with the records of nested domain types in their place, and a JSON key. The
// generator writes them so; this checks the generated file that is compiled.
func TestRecords_MirrorDomain(t *testing.T) {
	for domain, record := range recordOf {
		if dn, rn := fieldNames(domain), fieldNames(record); !slices.Equal(dn, rn) {
			t.Errorf("%s has fields %v,\nbut %s has %v", record, rn, domain, dn)
			continue
		}
		for i := range domain.NumField() {
			df, rf := domain.Field(i), record.Field(i)
			if want := storedType(df.Type); rf.Type != want {
				t.Errorf("%s.%s is a %s, want %s (for %s.%s)", record, rf.Name, rf.Type, want, domain, df.Name)
			}
			if rf.Tag.Get("json") == "" {
				t.Errorf("%s.%s has no JSON key", record, rf.Name)
			}
		}
	}
}

func fieldNames(t reflect.Type) []string {
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = t.Field(i).Name
	}
	return names
}

// storedType is the type a record stores a domain field of type t as.
func storedType(t reflect.Type) reflect.Type {
	if r, ok := recordOf[t]; ok {
		return r
	}
	if t.Kind() == reflect.Slice {
		if r, ok := recordOf[t.Elem()]; ok {
			return reflect.SliceOf(r)
		}
	}
	return t
}

// TestRecords_RoundTrip: a booking with every field set, down to the nested ones (filled by
// reflection, so a new domain field is set too), comes back equal from its record and
// from its encoding; so do null and empty lists, which the file tells apart (but for
// omitempty ones, which JSON reads back as nil).
func TestRecords_RoundTrip(t *testing.T) {
	var full booking.Booking
	fill.Value(&full, 1)
	empty := booking.Booking{UID: "empty", Attendees: []booking.Attendee{}, Metadata: map[string]any{}}
	emptyOmitted := booking.Booking{UID: "omitted", Recordings: []booking.Recording{}, References: []booking.Reference{}}
	for _, b := range []booking.Booking{full, empty, emptyOmitted, {UID: "null"}} {
		rec := toBookingRecord(&b)
		for _, d := range diffFields(fromBookingRecord(&rec), b) {
			t.Errorf("%s through its record: %s", b.UID, d)
		}
		if b.UID == emptyOmitted.UID {
			continue
		}
		data, err := encodeBooking(&b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeBooking(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range diffFields(got, b) {
			t.Errorf("%s through %s: %s", b.UID, data, d)
		}
	}
}

// diffFields lists the fields of booking.Booking in which got and want differ.
func diffFields(got, want booking.Booking) []string {
	var diffs []string
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		gf, wf := g.Field(i).Interface(), w.Field(i).Interface()
		if !reflect.DeepEqual(gf, wf) {
			diffs = append(diffs, fmt.Sprintf("%s = %#v, want %#v", g.Type().Field(i).Name, gf, wf))
		}
	}
	return diffs
}

// keyFile is the key file of this version's records.
var keyFile = fmt.Sprintf("testdata/schema%d.keys", schemaVersion)

// TestRecordKeys: the compiled records have the keys, omitempty and Go types the key file
// of schemaVersion froze, so files written before read back as they were written. A key
// the domain added is recorded there with -update; any other change fails, saying how to
// make it a new schema version instead.
func TestRecordKeys(t *testing.T) {
	f, err := os.Open(keyFile)
	if err != nil {
		t.Fatalf("%v (a new schema version needs its key file)", err)
	}
	frozen, err := recordgen.ReadKeys(f)
	f.Close()
	if err != nil {
		t.Fatalf("%s: %v", keyFile, err)
	}
	// Every record stored in a bucket of its own: bookings, and webhooks.
	current := append(recordgen.KeysOf(reflect.TypeFor[bookingRecord]()), recordgen.KeysOf(reflect.TypeFor[webhookRecord]())...)
	updates, err := recordgen.Check(frozen, current, schemaVersion, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(updates) == 0 {
		return
	}
	if !*updateKeys {
		t.Fatalf("the records changed in a way files of schema %d still read (a missing key reads as the zero value):\n\t%s\n"+
			"Record it in %s: go test ./booking/boltstore -run TestRecordKeys -update",
			schemaVersion, strings.Join(updates, "\n\t"), keyFile)
	}
	var b bytes.Buffer
	if err := recordgen.WriteKeys(&b, current); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s updated:\n\t%s", keyFile, strings.Join(updates, "\n\t"))
}

// TestRecordsGenFresh: records_gen.go is what the go:generate line of records.go writes
// from the domain types and the key file of schemaVersion, which that line names. Run
// `go generate ./booking/boltstore` after changing either.
func TestRecordsGenFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the domain package with go list")
	}
	const command = "../../internal/recordgen/cmd/recordgen"
	args, err := gencmd.DirectiveArgs("records.go", command)
	if err != nil {
		t.Fatal(err)
	}
	o, err := recordgen.ParseArgs(args)
	if err != nil {
		t.Fatal(err)
	}
	if o.Keys != keyFile {
		t.Errorf("the go:generate line reads %s, but schemaVersion %d is %s", o.Keys, schemaVersion, keyFile)
	}
	gencmd.CheckFresh(t, "records.go", command, "go generate ./booking/boltstore", recordgen.Run)
}
