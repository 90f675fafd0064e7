package testshared

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that notes a skip, a failure or a log line instead of acting on
// them; Skip and Fatal still end the goroutine, as the real ones do.
type recorder struct {
	testing.TB
	skipped, failed, logged string
}

func (r *recorder) Helper()         {}
func (r *recorder) Log(args ...any) { r.logged = fmt.Sprint(args...) }
func (r *recorder) Skip(args ...any) {
	r.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// call runs f with a recorder in its own goroutine, so that Skip and Fatal can end it.
func call(f func(testing.TB)) *recorder {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

// layout makes <tmp>/project/pkg (holding go.mod at project/) and, when withShared, a
// <tmp>/shared holding files; it moves into project/pkg as a test's package directory.
func layout(t *testing.T, withShared bool, files ...string) (shared string) {
	t.Helper()
	tmp := t.TempDir()
	pkg := filepath.Join(tmp, "project", "pkg")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "project", "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	shared = filepath.Join(tmp, "shared")
	if withShared {
		for _, f := range files {
			p := filepath.Join(shared, f)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.MkdirAll(shared, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(pkg)
	return shared
}

const doc = "reference/doc.json"

func TestPath(t *testing.T) {
	tests := []struct {
		name       string
		ci         string
		withShared bool
		files      []string
		want       string // "path", "skip" or "fail"
	}{
		{"present", "", true, []string{doc}, "path"},
		{"present in CI", "true", true, []string{doc}, "path"},
		{"no folder", "", false, nil, "skip"},
		{"no folder in CI", "true", false, nil, "skip"},
		{"folder without the file", "", true, []string{"other.md"}, "skip"},
		{"folder without the file in CI", "true", true, []string{"other.md"}, "fail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			shared := layout(t, tt.withShared, tt.files...)
			var got string
			r := call(func(tb testing.TB) { got = Path(tb, doc) })
			switch tt.want {
			case "path":
				if want := filepath.Join(shared, doc); r.skipped != "" || r.failed != "" || !sameFile(t, got, want) {
					t.Fatalf("Path = %q (skipped %q, failed %q), want %s", got, r.skipped, r.failed, want)
				}
			case "skip":
				if r.skipped == "" || r.failed != "" || !strings.Contains(r.skipped, doc) {
					t.Fatalf("want a skip naming %s; skipped %q, failed %q", doc, r.skipped, r.failed)
				}
			case "fail":
				if r.failed == "" || r.skipped != "" || !strings.Contains(r.failed, "CI=true") {
					t.Fatalf("want a failure that names CI=true; skipped %q, failed %q", r.skipped, r.failed)
				}
			}
			// Lookup agrees: where Path skips it logs and reports false, and it fails alike.
			var ok bool
			l := call(func(tb testing.TB) { _, ok = Lookup(tb, doc) })
			if ok != (tt.want == "path") || (l.failed != "") != (tt.want == "fail") || l.skipped != "" {
				t.Fatalf("Lookup: ok %v, failed %q, skipped %q; Path's outcome was %s", ok, l.failed, l.skipped, tt.want)
			}
		})
	}
}

// TestPath_NoModule: outside any module there is no project root to stand beside, which is a
// broken setup: it fails, it does not skip.
func TestPath_NoModule(t *testing.T) {
	t.Chdir(t.TempDir())
	if _, err := os.Stat("/go.mod"); err == nil {
		t.Skip("this machine has a /go.mod, so every directory is inside a module")
	}
	r := call(func(tb testing.TB) { Path(tb, doc) })
	if r.failed == "" || r.skipped != "" {
		t.Fatalf("want a failure; skipped %q, failed %q", r.skipped, r.failed)
	}
}

// sameFile compares paths through symbolic links (a temporary directory may be one).
func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	ai, err := os.Stat(a)
	if err != nil {
		return false
	}
	bi, err := os.Stat(b)
	if err != nil {
		t.Fatal(err)
	}
	return os.SameFile(ai, bi)
}
