// Package testshared finds the reference material that tests read from the shared folder
// beside the project root (../shared: the official OpenAPI document, the behaviour notes).
// The folder is never copied into the repository, so a checkout without it must still pass:
// the tests that need it skip, with a reason.
//
// CI has the folder, though, and there a skip would let a check quietly stop checking. So
// under CI=true, once the folder is present, nothing here skips: a file missing from it or
// unreadable fails the test. That is the whole guarantee that no test reading ../shared
// skipped in CI; it needs no scan of the test output, because every such test comes here.
package testshared

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// dirName is the shared folder's name, beside the directory that holds go.mod.
const dirName = "shared"

// Path returns the path of rel (e.g. "reference/calcom-openapi-v2.json") in the shared
// folder. When the folder is absent it skips the test with a reason; when the folder is
// present but rel is not, it skips outside CI (the folder may be some other project's
// "shared") and fails under CI=true.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	p, why := find(tb, rel)
	if why != "" {
		tb.Skip(why)
	}
	return p
}

// Lookup is Path for a test that only adds checks when the file is there: instead of
// skipping it reports false, after logging why. Under CI=true with the folder present it
// fails just as Path does.
func Lookup(tb testing.TB, rel string) (string, bool) {
	tb.Helper()
	p, why := find(tb, rel)
	if why != "" {
		tb.Log(why)
		return "", false
	}
	return p, true
}

// find returns the path of rel in the shared folder, or why a test may go without it. It
// fails the test itself when going without is not allowed: under CI=true with the folder
// present, or when the project root cannot be found (a broken setup, never a reason to skip).
func find(tb testing.TB, rel string) (path, why string) {
	tb.Helper()
	root, err := moduleRoot()
	if err != nil {
		tb.Fatalf("finding the shared folder: %v", err)
	}
	dir := filepath.Join(root, "..", dirName)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", fmt.Sprintf("no shared folder at %s (it sits beside the project root), so no %s", dir, rel)
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	f, err := os.Open(p)
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("CI=true and the shared folder %s is present, so a test reading %s must not skip: %v", dir, rel, err)
		}
		return "", fmt.Sprintf("the folder %s has no readable %s: %v", dir, rel, err)
	}
	f.Close()
	return p, ""
}

// moduleRoot is the nearest directory at or above the working directory (a test's package
// directory) that holds go.mod.
func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		_, err := os.Stat(filepath.Join(dir, "go.mod"))
		switch {
		case err == nil:
			return dir, nil
		case !errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("looking for go.mod: %w", err)
		case filepath.Dir(dir) == dir:
			return "", fmt.Errorf("no go.mod at or above %s", wd)
		}
	}
}
