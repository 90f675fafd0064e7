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
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/calmock/calmock/conformance"
	"github.com/calmock/calmock/mockserver"
	"github.com/calmock/calmock/scenarios"
)

// inProcessSandboxes bounds the sandboxes of the in-process mock: a scenario's is deleted when
// it ends, so at most -parallel exist at once.
const inProcessSandboxes = 64

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program; it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if diffMode(args) {
		return runDiff(ctx, args, stdout, stderr)
	}
	var opts conformance.Options
	var reportPath, junitPath, sources, discoverPath, otherKey string
	var seed int64
	var list, showVersion bool
	fs := flag.NewFlagSet("calmock-conform", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `calmock-conform: run calmock's conformance scenarios against a Cal.com bookings API.

Usage:
  calmock-conform [flags]                 # against calmock started in-process
  calmock-conform -target URL -profile F  # against any target
  calmock-conform -list                   # the scenarios and the features they need
  calmock-conform -diff [flags]           # a differential run (see -diff -help)
  calmock-conform -target URL -api-key K -other-api-key K2 -discover F
                                          # write the target's profile to F and exit

Exit codes: 0 conformant, 1 contract broken, 2 target unreachable or not a Cal.com API, 3 usage error.

Flags:
`)
		fs.PrintDefaults()
	}
	opts.RegisterFlags(fs)
	fs.StringVar(&reportPath, "report", "", "write the report to this `file`; its extension picks the format: .json, .yaml/.yml, or .xml (JUnit)")
	fs.StringVar(&junitPath, "junit", "", "also write a JUnit XML report to this `file` (e.g. -junit out/junit.xml)")
	fs.StringVar(&sources, "scenarios", "embedded", "comma-separated scenario `sources`: directories of *.yaml files, and 'embedded' for the built-in ones (e.g. embedded,./my-scenarios)")
	fs.BoolVar(&list, "list", false, "print the scenarios with their features and exit")
	fs.BoolVar(&showVersion, "version", false, "print the version and exit")
	fs.StringVar(&discoverPath, "discover", "", "discover the target's profile from -api-key (the owner of the event types) and -other-api-key, write it to this `file` (JSON) and exit")
	fs.StringVar(&otherKey, "other-api-key", os.Getenv(envOtherAPIKey), "with -discover: the API key of a second user, unrelated to the first (env "+envOtherAPIKey+")")
	fs.Int64Var(&seed, "seed", 1, "seed of the in-process mock (only without -target)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return conformance.ExitOK
		}
		return conformance.ExitUsage
	}
	usage := func(err error) int {
		fmt.Fprintln(stderr, "calmock-conform:", err)
		return conformance.ExitUsage
	}
	if fs.NArg() > 0 {
		return usage(fmt.Errorf("unexpected argument %q (see -help)", fs.Arg(0)))
	}
	if showVersion {
		fmt.Fprintln(stdout, "calmock-conform", version)
		return conformance.ExitOK
	}
	if discoverPath != "" {
		return discover(ctx, opts.Target, opts.APIKey, otherKey, discoverPath, stdout, stderr)
	}
	var err error
	if opts.Scenarios, err = scenarioSources(sources); err != nil {
		return usage(err)
	}
	if list {
		all, err := conformance.LoadScenarios(opts.Scenarios)
		if err != nil {
			return usage(err)
		}
		for _, sc := range all {
			fmt.Fprintf(stdout, "%-45s %-24s %s\n", sc.Name, strings.Join(sc.Features, ","), sc.Description)
		}
		return conformance.ExitOK
	}
	// Refuse a report file the run could not write before running, not after.
	if reportPath != "" {
		if _, err := conformance.ReportFormat(reportPath); err != nil {
			return usage(err)
		}
	}
	if format, _ := conformance.ReportFormat(junitPath); junitPath != "" && format != conformance.FormatJUnit {
		return usage(fmt.Errorf("-junit %q: the file must end in .xml", junitPath))
	}
	if opts.Target == "" {
		// The in-process mock never throttles the suite; its headers still come.
		// With sandboxes, as `calmock` serves by default: each scenario gets its own.
		srv, err := mockserver.New(mockserver.Config{Seed: seed})
		if err != nil {
			return usage(err)
		}
		if opts.Handler, err = mockserver.NewSandboxes(srv, mockserver.SandboxLimits{Max: inProcessSandboxes}); err != nil {
			return usage(err)
		}
	}
	opts.Progress = stdout
	rep, err := conformance.RunAll(ctx, opts)
	var ue *conformance.UsageError
	if !errors.As(err, &ue) {
		if werr := writeReports(rep, stdout, reportPath, junitPath); werr != nil {
			return usage(werr)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "calmock-conform:", err)
	}
	return conformance.ExitCode(err)
}

// scenarioSources turns -scenarios into file systems: "embedded" is the built-in set, anything
// else a directory, which must exist.
func scenarioSources(list string) ([]fs.FS, error) {
	var out []fs.FS
	for _, s := range strings.Split(list, ",") {
		switch s = strings.TrimSpace(s); s {
		case "":
		case "embedded":
			out = append(out, scenarios.Embedded)
		default:
			if info, err := os.Stat(s); err != nil || !info.IsDir() {
				return nil, fmt.Errorf("-scenarios: %q is not a directory of scenario files", s)
			}
			out = append(out, os.DirFS(s))
		}
	}
	return out, nil
}

// report is what the suite and the differential run both write.
type report interface {
	WriteText(io.Writer)
	WriteFile(path string) error
}

// writeReports prints rep's text to stdout and writes it to each path that is set (its
// format by the extension).
func writeReports(rep report, stdout io.Writer, paths ...string) error {
	rep.WriteText(stdout)
	for _, p := range paths {
		if p == "" {
			continue
		}
		if err := rep.WriteFile(p); err != nil {
			return err
		}
	}
	return nil
}
