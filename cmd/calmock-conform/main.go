// Command calmock-conform runs the conformance suite against any Cal.com bookings API as one
// binary, for CI systems that do not run Go tests: it parses flags, runs every scenario, prints
// progress and a per-feature summary, writes a report, and exits with a code that tells causes
// apart (0 conformant, 1 contract broken, 2 target unreachable or not a Cal.com API, 3 usage).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/calmock/calmock/conformance"
	"github.com/calmock/calmock/mockserver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program; it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var opts conformance.Options
	var reportPath string
	var seed int64
	fs := flag.NewFlagSet("calmock-conform", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `calmock-conform: run calmock's conformance scenarios against a Cal.com bookings API (2024-08-13).

Usage:
  calmock-conform [flags]                 # against calmock started in-process
  calmock-conform -target URL -profile F  # against any target

Exit codes: 0 conformant, 1 contract broken, 2 target unreachable or not a Cal.com API, 3 usage error.

Flags:
`)
		fs.PrintDefaults()
	}
	opts.RegisterFlags(fs)
	fs.StringVar(&reportPath, "report", "", "write the conformance report to this `file` (.json, .yaml or .yml)")
	fs.Int64Var(&seed, "seed", 1, "seed of the in-process mock (only without -target)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return conformance.ExitOK
		}
		return conformance.ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "calmock-conform: unexpected argument %q (see -help)\n", fs.Arg(0))
		return conformance.ExitUsage
	}
	if opts.Target == "" {
		// The in-process mock never throttles the suite; its headers still come.
		srv, err := mockserver.New(mockserver.Config{Seed: seed})
		if err != nil {
			fmt.Fprintln(stderr, "calmock-conform:", err)
			return conformance.ExitUsage
		}
		opts.Handler = srv
	}
	opts.Progress = stdout
	rep, err := conformance.RunAll(ctx, opts)
	if err == nil || !isSetupError(err) {
		rep.WriteText(stdout)
		if reportPath != "" {
			if dir := filepath.Dir(reportPath); dir != "" {
				_ = os.MkdirAll(dir, 0o755) // WriteFile reports any real problem
			}
			if werr := rep.WriteFile(reportPath); werr != nil {
				fmt.Fprintln(stderr, "calmock-conform:", werr)
				return conformance.ExitUsage
			}
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "calmock-conform:", err)
	}
	return conformance.ExitCode(err)
}

func isSetupError(err error) bool {
	var ue *conformance.UsageError
	return errors.As(err, &ue)
}
