package recordgen

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/tabwriter"
)

// Key is one field of a record as the file format sees it: the JSON key it is stored
// under, whether an empty value is left out, and the Go type its value is encoded from.
// Field, the record's (and the domain's) Go field name, is how the generator finds a
// domain field's key; it is not part of the format.
type Key struct {
	Record    string // the record type, e.g. bookingRecord
	Field     string
	Name      string // the JSON key
	OmitEmpty bool
	Type      string // the record field's Go type, as TypeString writes it
}

func (k Key) String() string {
	return fmt.Sprintf("%s.%s %s %s", k.Record, k.Field, k.tag(), k.Type)
}

func (k Key) tag() string {
	if k.OmitEmpty {
		return k.Name + ",omitempty"
	}
	return k.Name
}

// keyFileHeader opens every key file WriteKeys writes.
const keyFileHeader = `# The JSON keys of a store's records, frozen for one schema version: one line per record
# field, "record field key[,omitempty] type". The records are generated with these keys
# (internal/recordgen), and a test compares the compiled records with this file: a new key
# is added to it with the test's -update flag, any other change needs a new schema version.

`

// ReadKeys parses a key file (see WriteKeys).
func ReadKeys(r io.Reader) ([]Key, error) {
	var keys []Key
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			return nil, fmt.Errorf("line %d: want \"record field key[,omitempty] type\", got %q", n, line)
		}
		name, opt, hasOpt := strings.Cut(f[2], ",")
		if hasOpt && opt != "omitempty" || name == "" {
			return nil, fmt.Errorf("line %d: key %q: want key or key,omitempty", n, f[2])
		}
		keys = append(keys, Key{Record: f[0], Field: f[1], Name: name, OmitEmpty: hasOpt, Type: strings.Join(f[3:], " ")})
	}
	return keys, sc.Err()
}

// WriteKeys writes keys as a key file, aligned in columns.
func WriteKeys(w io.Writer, keys []Key) error {
	var b bytes.Buffer
	b.WriteString(keyFileHeader)
	tw := tabwriter.NewWriter(&b, 0, 0, 1, ' ', 0)
	for i, k := range keys {
		if i > 0 && keys[i-1].Record != k.Record {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.Record, k.Field, k.tag(), k.Type)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// KeysOf lists the keys of the compiled record root and of every record it holds (the
// structs of root's package reachable through its fields), root's first, each in field
// order. It reads what encoding/json will: the json tags of the exported fields.
func KeysOf(root reflect.Type) []Key {
	var keys []Key
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		if seen[t] {
			return
		}
		seen[t] = true
		var nested []reflect.Type
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			keys = append(keys, Key{
				Record: t.Name(), Field: f.Name, Name: name,
				OmitEmpty: hasOption(opts, "omitempty"), Type: TypeString(f.Type, root.PkgPath()),
			})
			if r := recordIn(f.Type, root.PkgPath()); r != nil {
				nested = append(nested, r)
			}
		}
		for _, r := range nested {
			walk(r)
		}
	}
	walk(root)
	return keys
}

func hasOption(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

// recordIn is the struct of package pkg that t is, or points to or holds, if any.
func recordIn(t reflect.Type, pkg string) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct && t.PkgPath() == pkg && t.Name() != "" {
		return t
	}
	return nil
}

// TypeString writes t as Go source in package local would (a named type of another package
// qualified by its package's name), with any for the empty interface: the notation of a key
// file's type column.
func TypeString(t reflect.Type, local string) string {
	if t.Name() != "" {
		switch t.PkgPath() {
		case "", local:
			return t.Name()
		}
		pkg := t.PkgPath()
		return pkg[strings.LastIndex(pkg, "/")+1:] + "." + t.Name()
	}
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + TypeString(t.Elem(), local)
	case reflect.Slice:
		return "[]" + TypeString(t.Elem(), local)
	case reflect.Array:
		return fmt.Sprintf("[%d]%s", t.Len(), TypeString(t.Elem(), local))
	case reflect.Map:
		return "map[" + TypeString(t.Key(), local) + "]" + TypeString(t.Elem(), local)
	case reflect.Interface:
		if t.NumMethod() == 0 {
			return "any"
		}
	}
	return t.String()
}

// Check compares the keys of the records as compiled (current) with the key file of the
// schema version they claim (frozen). A key that is new, or whose field was renamed in Go
// only, is a change that -update records: an older file lacks the key and reads it as the
// zero value. Anything else (a key gone or renamed, a changed omitempty or Go type) would
// misread the files already written, and is the error, which says what to do instead.
func Check(frozen, current []Key, version int, keyFile string) (updates []string, err error) {
	type id struct{ record, name string }
	cur := map[id]Key{}
	for _, k := range current {
		cur[id{k.Record, k.Name}] = k
	}
	byField := map[[2]string]Key{}
	for _, k := range current {
		byField[[2]string{k.Record, k.Field}] = k
	}
	var breaking []string
	known := map[id]bool{}
	for _, f := range frozen {
		known[id{f.Record, f.Name}] = true
		c, ok := cur[id{f.Record, f.Name}]
		if !ok {
			if r, ok := byField[[2]string{f.Record, f.Field}]; ok {
				breaking = append(breaking, fmt.Sprintf("%s.%s: key %q renamed to %q", f.Record, f.Field, f.Name, r.Name))
				known[id{r.Record, r.Name}] = true
			} else {
				breaking = append(breaking, fmt.Sprintf("%s: key %q (field %s) removed", f.Record, f.Name, f.Field))
			}
			continue
		}
		if c.OmitEmpty != f.OmitEmpty {
			breaking = append(breaking, fmt.Sprintf("%s: key %q omitempty changed from %v to %v", f.Record, f.Name, f.OmitEmpty, c.OmitEmpty))
		}
		if c.Type != f.Type {
			breaking = append(breaking, fmt.Sprintf("%s: key %q type changed from %s to %s", f.Record, f.Name, f.Type, c.Type))
		}
		if c.Field != f.Field {
			updates = append(updates, fmt.Sprintf("%s: key %q is now field %s (was %s)", f.Record, f.Name, c.Field, f.Field))
		}
	}
	for _, c := range current {
		if !known[id{c.Record, c.Name}] {
			updates = append(updates, fmt.Sprintf("%s: key %q added (field %s, %s)", c.Record, c.Name, c.Field, c.Type))
		}
	}
	if len(breaking) > 0 {
		err = fmt.Errorf("the records no longer read files of schema %d (%s):\n\t%s\n"+
			"Undo the change, or make it a new format: bump schemaVersion, write schema%d.keys next to %s "+
			"with the new keys and point the go:generate line at it, write the migration of schema %d "+
			"files in schema.go, and keep a test file written by schema %d in testdata with a test that reopens it",
			version, keyFile, strings.Join(breaking, "\n\t"), version+1, keyFile, version, version)
	}
	return updates, err
}
