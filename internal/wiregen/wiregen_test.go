package wiregen

import (
	"strings"
	"testing"
)

// TestGenerate: the generator writes each field by its kind and tag, and refuses what it
// cannot write exactly as encoding/json would, naming the field.
func TestGenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a package with go list")
	}
	src, err := Generate(Options{Dir: "testdata/shapes", Output: "gen.go", Types: []string{"ok", "inner"}, Slices: []string{"inner"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"func appendOk(buf []byte, v *ok) ([]byte, error)",
		"buf = append(buf, `{\"s\":`...)",
		"if v.Named != \"\" {",
		"buf = appendString(buf, string(v.Named))",
		"if buf, err = appendInner(buf, v.P); err != nil {",
		"if len(v.L) > 0 {",
		"if buf, err = appendInnerSlice(buf, v.L); err != nil {",
		"if v.M != nil {",
		"func appendInnerSlice(buf []byte, s []inner) ([]byte, error)",
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("generated code lacks %q:\n%s", want, src)
		}
	}
	for _, unwanted := range []string{"skip", "Dash"} {
		if strings.Contains(string(src), unwanted) {
			t.Errorf("generated code writes the field %s, which encoding/json leaves out", unwanted)
		}
	}

	for typ, want := range map[string]string{
		"embedded":      "embedded.inner: embedded fields are not supported",
		"optionalFirst": "optionalFirst.A: an omittable field before",
		"unsupported":   "unsupported.C: type chan int is not supported",
		"missing":       "type missing not found",
	} {
		_, err := Generate(Options{Dir: "testdata/shapes", Output: "gen.go", Types: []string{typ}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Generate(%s) error = %v, want one containing %q", typ, err, want)
		}
	}
}
