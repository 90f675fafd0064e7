package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/calmock/calmock/conformance"
	"github.com/calmock/calmock/differential"
	"github.com/calmock/calmock/mockserver"
	"github.com/calmock/calmock/profile"
)

// diffMode reports whether the arguments ask for a differential run (-diff).
func diffMode(args []string) bool {
	for _, a := range args {
		switch a {
		case "-diff", "--diff", "-diff=true", "--diff=true":
			return true
		}
		if a == "--" {
			break
		}
	}
	return false
}

// runDiff is `calmock-conform -diff`: a differential run (package differential) against the
// target with calmock as the oracle. Exit codes as the suite's: 0 no divergence, 1
// divergences, 2 target unreachable, 3 usage.
func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var (
		o                          differential.Options
		apiKey, profileFile        string
		reportPath, junitPath, out string
		diff                       bool
	)
	fs := flag.NewFlagSet("calmock-conform -diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `calmock-conform -diff: play generated sequences of bookings operations against a target and
against calmock mirroring it, and report where their answers differ; each difference is shrunk
to the shortest sequence that shows it and written as a scenario file.

Usage:
  calmock-conform -diff [flags]                           # calmock in-process against itself
  calmock-conform -diff -target URL -profile F -diff-out DIR

Exit codes: 0 no divergence, 1 divergences, 2 target unreachable, 3 usage error.

Flags:
`)
		fs.PrintDefaults()
	}
	fs.BoolVar(&diff, "diff", false, "run the differential mode (this one)")
	fs.StringVar(&o.Target, "target", os.Getenv(conformance.EnvTarget), "base URL of the API under test (env "+conformance.EnvTarget+"); empty: calmock in-process")
	fs.StringVar(&apiKey, "api-key", os.Getenv(conformance.EnvAPIKey), "API key replacing the profile's first user's key (env "+conformance.EnvAPIKey+")")
	fs.StringVar(&profileFile, "profile", os.Getenv(conformance.EnvProfile), "target profile JSON file (env "+conformance.EnvProfile+"); empty: fetched from the target's "+profile.Path)
	fs.Int64Var(&o.Seed, "seed", 0, "seed of the sequences; 0: a random one (printed)")
	fs.IntVar(&o.N, "n", 10, "how many sequences")
	fs.IntVar(&o.Steps, "steps", 30, "steps per sequence")
	fs.StringVar(&reportPath, "report", "", "write the report to this `file`: .json, .yaml/.yml, or .xml (JUnit)")
	fs.StringVar(&junitPath, "junit", "", "also write a JUnit XML report to this `file`")
	fs.StringVar(&out, "diff-out", "", "write one scenario file per divergence into this `directory`")
	fs.BoolVar(&o.Cleanup, "cleanup", os.Getenv(conformance.EnvCleanup) == "1" || os.Getenv(conformance.EnvCleanup) == "true", "cancel the bookings the run made on the target (env "+conformance.EnvCleanup+"=1)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return conformance.ExitOK
		}
		return conformance.ExitUsage
	}
	usage := func(err error) int {
		fmt.Fprintln(stderr, "calmock-conform -diff:", err)
		return conformance.ExitUsage
	}
	switch {
	case fs.NArg() > 0:
		return usage(fmt.Errorf("unexpected argument %q (see -diff -help)", fs.Arg(0)))
	case o.N <= 0 || o.Steps <= 0:
		return usage(errors.New("-n and -steps must be positive"))
	}
	if reportPath != "" {
		if _, err := conformance.ReportFormat(reportPath); err != nil {
			return usage(err)
		}
	}
	if format, _ := conformance.ReportFormat(junitPath); junitPath != "" && format != conformance.FormatJUnit {
		return usage(fmt.Errorf("-junit %q: the file must end in .xml", junitPath))
	}
	if profileFile != "" {
		data, err := os.ReadFile(profileFile)
		if err != nil {
			return usage(fmt.Errorf("-profile: %w", err))
		}
		var p profile.Profile
		if err := json.Unmarshal(data, &p); err != nil {
			return usage(fmt.Errorf("-profile %s: %w", profileFile, err))
		}
		if err := p.Validate(); err != nil {
			return usage(fmt.Errorf("-profile %s: %w", profileFile, err))
		}
		o.Profile = &p
	}
	if apiKey != "" {
		if o.Profile == nil {
			return usage(errors.New("-api-key needs -profile (the key replaces its first user's)"))
		}
		o.Profile.Users[0].APIKey = apiKey
	}
	if o.Target == "" {
		srv, err := mockserver.New(mockserver.Config{Seed: 1})
		if err != nil {
			return usage(err)
		}
		if o.Handler, err = mockserver.NewSandboxes(srv, mockserver.SandboxLimits{Max: inProcessSandboxes}); err != nil {
			return usage(err)
		}
	}
	o.ScenarioDir, o.Progress = out, stdout
	rep, err := differential.Run(ctx, o)
	code := diffExitCode(err)
	if code == conformance.ExitUsage {
		return usage(err)
	}
	if rep.Target == "" {
		rep.Target = o.Target
	}
	if err != nil && rep.Error == "" && code != conformance.ExitContractBroken {
		rep.Error = err.Error()
	}
	if werr := writeReports(rep, stdout, reportPath, junitPath); werr != nil {
		return usage(werr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "calmock-conform -diff:", err)
	}
	return code
}

// diffExitCode maps a differential run's error to an exit code: divergences 1, no answer
// from the target 2, a target without a profile (and none given) 3, anything else 2 (the
// target answered in a way the run could not go on with).
func diffExitCode(err error) int {
	var ue *url.Error
	switch {
	case err == nil:
		return conformance.ExitOK
	case errors.Is(err, differential.ErrDifferent):
		return conformance.ExitContractBroken
	case errors.As(err, &ue):
		return conformance.ExitUnreachable
	case errors.Is(err, differential.ErrNoProfile):
		return conformance.ExitUsage
	}
	return conformance.ExitUnreachable
}
