package gencmd

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDirectiveArgs(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "x.go")
	src := "package x\n\n//go:generate go run ../other/cmd -o a.go\n//go:generate go run ../gen/cmd -o out.go -types A,B\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := DirectiveArgs(file, "../gen/cmd")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"-o", "out.go", "-types", "A,B"}; !slices.Equal(got, want) {
		t.Errorf("DirectiveArgs = %q, want %q", got, want)
	}
	if _, err := DirectiveArgs(file, "../missing/cmd"); err == nil || !strings.Contains(err.Error(), "../missing/cmd") {
		t.Errorf("DirectiveArgs of a missing command: err = %v, want one naming the command", err)
	}
}

// recorder is a testing.TB that records a failure and unwinds CheckFresh with a panic that
// check recovers, as t.Fatal would unwind with runtime.Goexit. Fatalf keeps the format, which
// is enough to tell the messages apart.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatal(args ...any) {
	r.failed = fmt.Sprint(args...)
	panic(r)
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = format
	panic(r)
}

// check runs CheckFresh with a recorder and returns what it failed with ("" when it passed).
func check(t *testing.T, gen Generator) string {
	r := &recorder{TB: t}
	func() {
		defer func() {
			if v := recover(); v != nil && v != any(r) {
				panic(v)
			}
		}()
		CheckFresh(r, "x.go", "../gen/cmd", "go generate .", gen)
	}()
	return r.failed
}

func TestCheckFresh(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.WriteFile("x.go", []byte("package x\n//go:generate go run ../gen/cmd -o out.go\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("out.go", []byte("package x\n\nvar A = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gen := func(content string) Generator {
		return func(dir string, args []string) (string, []byte, error) {
			if !slices.Equal(args, []string{"-o", "out.go"}) {
				t.Fatalf("generator got args %q", args)
			}
			return "out.go", []byte(content), nil
		}
	}
	if failed := check(t, gen("package x\n\nvar A = 1\n")); failed != "" {
		t.Errorf("fresh file: CheckFresh failed with %q", failed)
	}
	if failed := check(t, gen("package x\n\nvar A = 2\n")); !strings.Contains(failed, "stale") || !strings.Contains(failed, "line %d") {
		t.Errorf("changed line: CheckFresh failed with %q, want a stale-line message", failed)
	}
	if failed := check(t, gen("package x\n\nvar A = 1\n\n")); !strings.Contains(failed, "lines, want") {
		t.Errorf("added blank line: CheckFresh failed with %q, want a line-count message", failed)
	}
}
