package recordgen

import (
	"strings"
	"testing"
)

// TestGenerate: a record field takes its key and omitempty from the key file, a field the
// key file lacks from the domain's json tag; fields of listed types become their records,
// copied by the generated functions; and what cannot be stored as a frozen record is
// refused, naming the field.
func TestGenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a package with go list")
	}
	opts := func(types ...string) Options {
		return Options{Dir: "testdata/store", Output: "gen.go", Domain: "../domain", Types: types, Keys: "schema1.keys"}
	}
	src, err := Generate(opts("Root", "Item"))
	if err != nil {
		t.Fatal(err)
	}
	// Compared with runs of blanks as one space, gofmt's alignment aside.
	flat := strings.Join(strings.FieldsFunc(string(src), func(r rune) bool { return r == ' ' || r == '\t' }), " ")
	flat = strings.ReplaceAll(flat, "\n ", "\n")
	for _, want := range []string{
		"package store",
		"\"time\"\n\n\"github.com/calmock/calmock/internal/recordgen/testdata/domain\"\n)",
		"type rootRecord struct {",
		"Renamed string `json:\"diskName\"`",         // the key file's key, not the wire name
		"Kind domain.Kind `json:\"kind,omitempty\"`", // the key file's omitempty
		"Extra map[string]any `json:\"extra\"`",
		"Added *string `json:\"added,omitempty\"`", // new: the domain's tag
		"Untagged int `json:\"Untagged\"`",
		"Items []itemRecord `json:\"items,omitempty\"`",
		"Main itemRecord `json:\"main\"`",
		"Maybe *itemRecord `json:\"maybe\"`",
		"func toRootRecord(v *domain.Root) rootRecord {",
		"Items: convertAll(v.Items, toItemRecord),",
		"Main: toItemRecord(&v.Main),",
		"Maybe: convertPtr(v.Maybe, toItemRecord),",
		"Added: v.Added,",
		"func fromRootRecord(r *rootRecord) domain.Root {",
		"Items: convertAll(r.Items, fromItemRecord),",
		"func toItemRecord(v *domain.Item) itemRecord { return itemRecord(*v) }",
		"func fromItemRecord(r *itemRecord) domain.Item { return domain.Item(*r) }",
		"func convertAll[S, D any](s []S, convert func(*S) D) []D {",
		"func convertPtr[S, D any](p *S, convert func(*S) D) *D {",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("generated code lacks %q:\n%s", want, src)
		}
	}

	for _, tc := range []struct {
		types []string
		want  string
	}{
		{[]string{"Root"}, "Root.Items: type domain.Item is a struct of the domain without a record: add it to -types"},
		{[]string{"Unlisted"}, "Unlisted.Items: type domain.Item is a struct of the domain without a record"},
		{[]string{"InMap", "Item"}, "InMap.M: type domain.Item holds a record only as T, *T or []T"},
		{[]string{"Hidden"}, "Hidden.X: json tag \"-\""},
		{[]string{"Private"}, "Private.x: embedded and unexported fields are not supported"},
		{[]string{"Stringly"}, "Stringly.N: json option \"string\""},
		{[]string{"Kind"}, "Kind is not a struct"},
		{[]string{"Missing"}, "type Missing not found"},
	} {
		_, err := Generate(opts(tc.types...))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Generate(%v) error = %v, want one containing %q", tc.types, err, tc.want)
		}
	}
}
