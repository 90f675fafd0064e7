// Package gencmd is what this module's code generators (internal/recordgen, internal/wiregen)
// share: the main of a go:generate command, and the test that a generated file is what the
// generate directive naming it would write now.
package gencmd

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// Generator turns the arguments of a go:generate line, run in package directory dir, into the
// generated file: its name relative to dir and its gofmt-ed source.
type Generator func(dir string, args []string) (output string, src []byte, err error)

// Main runs gen as a go:generate command: in the package's directory, with the command line's
// arguments, writing the file it names. It exits 1 with the error on stderr when gen fails.
func Main(gen Generator) {
	output, src, err := gen(".", os.Args[1:])
	if err == nil {
		err = os.WriteFile(output, src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// DirectiveArgs returns the arguments of the go:generate line in file (a path relative to the
// package directory) that runs `go run <command>`.
func DirectiveArgs(file, command string) ([]string, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	directive := "//go:generate go run " + command + " "
	for line := range strings.Lines(string(src)) {
		if rest, ok := strings.CutPrefix(line, directive); ok {
			return strings.Fields(rest), nil
		}
	}
	return nil, fmt.Errorf("%s has no %q line", file, directive)
}

// CheckFresh fails t when the file written by the go:generate line of file that runs command
// differs from what gen writes now, naming the first line that differs and the command that
// regenerates it (regen, e.g. "go generate ./mockserver/"). It runs in the package directory,
// as go test does.
func CheckFresh(t testing.TB, file, command, regen string, gen Generator) {
	t.Helper()
	args, err := DirectiveArgs(file, command)
	if err != nil {
		t.Fatal(err)
	}
	output, want, err := gen(".", args)
	if err != nil {
		t.Fatalf("%s: %v", command, err)
	}
	got, err := os.ReadFile(output)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range min(len(gl), len(wl)) {
		if gl[i] != wl[i] {
			t.Fatalf("%s is stale (run %s): line %d is\n\t%s\nwant\n\t%s", output, regen, i+1, gl[i], wl[i])
		}
	}
	t.Fatalf("%s is stale (run %s): %d lines, want %d", output, regen, len(gl), len(wl))
}
