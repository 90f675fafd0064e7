package recordgen

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// frozen is a key file's content for the table of TestCheck.
var frozen = []Key{
	{Record: "rootRecord", Field: "ID", Name: "id", Type: "int"},
	{Record: "rootRecord", Field: "Tags", Name: "tags", OmitEmpty: true, Type: "[]string"},
	{Record: "rootRecord", Field: "Items", Name: "items", Type: "[]itemRecord"},
	{Record: "itemRecord", Field: "Name", Name: "name", Type: "string"},
}

// altered is frozen with change applied to a copy.
func altered(change func(keys []Key) []Key) []Key {
	return change(slices.Clone(frozen))
}

// TestCheck: the checker lets the records gain a key (to be recorded with -update) and
// refuses, with the way to a new schema version, every change that would misread the
// files already written: a key removed or renamed, a changed omitempty or Go type.
func TestCheck(t *testing.T) {
	bump := []string{"files of schema 3 (testdata/schema3.keys)", "bump schemaVersion", "schema4.keys",
		"go:generate line", "migration of schema 3 files in schema.go", "test file written by schema 3 in testdata"}
	for _, tc := range []struct {
		name     string
		current  []Key
		updates  []string // each update must contain its string, in order
		breaking []string // the error must contain each string, and the bump advice
	}{
		{name: "same", current: frozen},
		{name: "same, other order", current: altered(func(k []Key) []Key { slices.Reverse(k); return k })},
		{
			name: "key added",
			current: altered(func(k []Key) []Key {
				return append(k, Key{Record: "itemRecord", Field: "Count", Name: "count", OmitEmpty: true, Type: "int"})
			}),
			updates: []string{`itemRecord: key "count" added (field Count, int)`},
		},
		{
			name:    "field renamed in Go only",
			current: altered(func(k []Key) []Key { k[0].Field = "Ident"; return k }),
			updates: []string{`rootRecord: key "id" is now field Ident (was ID)`},
		},
		{
			name:     "key removed",
			current:  altered(func(k []Key) []Key { return slices.Delete(k, 1, 2) }),
			breaking: []string{`rootRecord: key "tags" (field Tags) removed`},
		},
		{
			name:     "record removed",
			current:  altered(func(k []Key) []Key { return k[:3] }),
			breaking: []string{`itemRecord: key "name" (field Name) removed`},
		},
		{
			name:     "key renamed",
			current:  altered(func(k []Key) []Key { k[1].Name = "labels"; return k }),
			breaking: []string{`rootRecord.Tags: key "tags" renamed to "labels"`},
		},
		{
			name:     "omitempty dropped",
			current:  altered(func(k []Key) []Key { k[1].OmitEmpty = false; return k }),
			breaking: []string{`rootRecord: key "tags" omitempty changed from true to false`},
		},
		{
			name:     "omitempty added",
			current:  altered(func(k []Key) []Key { k[0].OmitEmpty = true; return k }),
			breaking: []string{`rootRecord: key "id" omitempty changed from false to true`},
		},
		{
			name:     "type changed",
			current:  altered(func(k []Key) []Key { k[0].Type = "string"; return k }),
			breaking: []string{`rootRecord: key "id" type changed from int to string`},
		},
		{
			name: "type and omitempty changed, a key added",
			current: altered(func(k []Key) []Key {
				k[3].Type, k[3].OmitEmpty = "*string", true
				return append(k, Key{Record: "rootRecord", Field: "New", Name: "new", Type: "bool"})
			}),
			updates: []string{`rootRecord: key "new" added`},
			breaking: []string{`itemRecord: key "name" omitempty changed from false to true`,
				`itemRecord: key "name" type changed from string to *string`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			updates, err := Check(frozen, tc.current, 3, "testdata/schema3.keys")
			if len(updates) != len(tc.updates) {
				t.Errorf("updates %q, want %d like %q", updates, len(tc.updates), tc.updates)
			} else {
				for i, u := range updates {
					if !strings.Contains(u, tc.updates[i]) {
						t.Errorf("update %q, want one containing %q", u, tc.updates[i])
					}
				}
			}
			if tc.breaking == nil {
				if err != nil {
					t.Errorf("error %v, want none", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one saying %q", tc.breaking)
			}
			for _, want := range append(tc.breaking, bump...) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error\n%v\nlacks %q", err, want)
				}
			}
		})
	}
}

type item struct {
	Name string `json:"name"`
}

type kind string

type root struct {
	ID       int             `json:"id"`
	Tags     []string        `json:"tags,omitempty"`
	Items    []item          `json:"items"`
	Main     *item           `json:"main,omitempty"`
	Kind     kind            `json:"kind"`
	At       time.Time       `json:"at"`
	Extra    map[string]any  `json:"extra"`
	Grid     [2][]*time.Time `json:"grid"`
	Untagged bool
	Skipped  int `json:"-"`
	_        int // unexported: not a key
}

// TestKeysOf: the keys of compiled records are read as encoding/json reads them, nested
// records after their holder, types written as in the records' package; and they survive
// a key file.
func TestKeysOf(t *testing.T) {
	keys := KeysOf(reflect.TypeFor[root]())
	want := []Key{
		{Record: "root", Field: "ID", Name: "id", Type: "int"},
		{Record: "root", Field: "Tags", Name: "tags", OmitEmpty: true, Type: "[]string"},
		{Record: "root", Field: "Items", Name: "items", Type: "[]item"},
		{Record: "root", Field: "Main", Name: "main", OmitEmpty: true, Type: "*item"},
		{Record: "root", Field: "Kind", Name: "kind", Type: "kind"},
		{Record: "root", Field: "At", Name: "at", Type: "time.Time"},
		{Record: "root", Field: "Extra", Name: "extra", Type: "map[string]any"},
		{Record: "root", Field: "Grid", Name: "grid", Type: "[2][]*time.Time"},
		{Record: "root", Field: "Untagged", Name: "Untagged", Type: "bool"},
		{Record: "item", Field: "Name", Name: "name", Type: "string"},
	}
	if !slices.Equal(keys, want) {
		t.Errorf("KeysOf =\n%v\nwant\n%v", keys, want)
	}
	var b bytes.Buffer
	if err := WriteKeys(&b, keys); err != nil {
		t.Fatal(err)
	}
	read, err := ReadKeys(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(read, keys) {
		t.Errorf("keys read back from\n%s\n=\n%v\nwant\n%v", b.String(), read, keys)
	}
	for _, bad := range []string{"root ID id", "root ID id,string int", "root ID ,omitempty int"} {
		if _, err := ReadKeys(strings.NewReader("# ok\n\n" + bad + "\n")); err == nil || !strings.Contains(err.Error(), "line 3") {
			t.Errorf("ReadKeys(%q) error = %v, want one naming line 3", bad, err)
		}
	}
}
