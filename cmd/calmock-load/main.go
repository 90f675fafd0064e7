// Command calmock-load is the loopback load run of `make bench` (issue 6). It only parses
// flags and hands them to internal/loadrun, which starts a built calmock and a bare net/http
// server, drives both, and prints a markdown report (see that package and
// docs/performance.md).
//
// Mode used internally (the same binary, re-executed by loadrun.Run): -serve-bare.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/calmock/calmock/internal/loadrun"
)

func main() {
	c, err := parseFlags(os.Args[1:], os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		os.Exit(2) // the flag package has printed the error and the usage
	case err != nil:
		fmt.Fprintln(os.Stderr, "calmock-load:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if c.serveBare {
		err = loadrun.ServeBare(ctx, c.addr, c.canned)
	} else {
		err = loadrun.Run(ctx, c.run, os.Stdout, os.Stderr)
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "calmock-load:", err)
		os.Exit(1)
	}
}

// command is a parsed command line: a load run, or the bare server loadrun.Run starts.
type command struct {
	run          loadrun.Options
	serveBare    bool
	addr, canned string // of -serve-bare
}

// errUsage marks a command line the flag package rejected (and has already explained).
var errUsage = errors.New("bad command line")

// parseFlags reads the command line; help and errors go to stderr.
func parseFlags(args []string, stderr io.Writer) (command, error) {
	c := command{run: loadrun.Defaults()}
	o := &c.run
	fs := flag.NewFlagSet("calmock-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ops := strings.Join(o.Ops, ",")
	fs.StringVar(&o.Calmock, "calmock", o.Calmock, "calmock `binary` to start")
	fs.DurationVar(&o.Duration, "duration", o.Duration, "length of each measurement (one operation, one server, one run)")
	fs.IntVar(&o.Runs, "runs", o.Runs, "runs per measurement; the report shows the median")
	fs.IntVar(&o.Concurrency, "c", o.Concurrency, "concurrent clients (closed loop) and connections (open loop)")
	fs.StringVar(&ops, "ops", ops, "comma-separated operations: "+strings.Join(loadrun.Operations(), ","))
	fs.IntVar(&o.Bookings, "bookings", o.Bookings, "extra bookings for the volume measurement (start-up, idle RSS and so memory per booking, get and list); 0 skips it")
	fs.Int64Var(&o.Seed, "seed", o.Seed, "fixture seed")
	fs.IntVar(&o.Pool, "pool", o.Pool, "bookings created before each cancel/confirm measurement; bounds its request count")
	fs.StringVar(&o.Out, "out", o.Out, "also write the markdown report to this `file`")
	fs.Float64Var(&o.Rate, "rate", o.Rate, "open-loop latency run: requests/s in total, over -c connections, for create, cancel and confirm, against the mock and the bare server; latency counts from when each request was due; 0 skips it")
	fs.Func("get-rates", fmt.Sprintf("open-loop latency runs of get: comma-separated `rates` (requests/s over -c connections), against the mock and the bare server, each judged on p99 < %.0f ms; \"\" skips them (default %s)", loadrun.TargetGetP99, loadrun.FormatRates(o.GetRates)), func(v string) (err error) {
		o.GetRates, err = loadrun.ParseRates(v)
		return err
	})
	fs.IntVar(&o.ListBookings, "list-bookings", o.ListBookings, "list measurement: start calmock -bookings `N` and list take=100 as the first user (~1/3 of them) at 1 client and at -list-rate; 0 skips it")
	fs.Float64Var(&o.ListRate, "list-rate", o.ListRate, "list measurement: open-loop requests/s over -c connections; 0 runs only the 1-client measurement")
	fs.DurationVar(&o.Settle, "settle", o.Settle, "after the last run's load (and the volume load), leave the mock idle this long and read VmRSS again (calmock gives spare memory back after 15 s without a request); 0 skips that reading")
	fs.StringVar(&o.ServerCPUs, "server-cpus", o.ServerCPUs, "run every server (mock and bare) on these `CPUs` (taskset -c list, e.g. 1) so that they do not share cores with the load generator; pin the generator itself with e.g. taskset -c 0 calmock-load …")
	fs.Func("mock-flags", "extra `flags` for every calmock started, space-separated (e.g. \"-gc-headroom 0 -idle-release 0\"); default none: calmock's defaults besides -rate-limit 0", func(v string) error {
		o.MockFlags = strings.Fields(v)
		return nil
	})
	fs.Float64Var(&o.DurableRate, "durable-rate", o.DurableRate, "durable create (calmock -data <temp file>): open-loop requests/s over -c connections, after the closed-loop run at -c clients; 0 runs only the closed loop")
	fs.BoolVar(&c.serveBare, "serve-bare", false, "internal: serve canned answers (-canned) on -addr")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:0", "internal: address for -serve-bare")
	fs.StringVar(&c.canned, "canned", "", "internal: canned answers file for -serve-bare")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `calmock-load: the loopback load run of make bench (issue 6); see docs/performance.md.

Usage:
  calmock-load [flags]

Starts bin/calmock (and a bare net/http server as the baseline) on 127.0.0.1 and prints a
markdown report: throughput at saturation (closed loop), latency at fixed rates (open loop),
list among many bookings, durable create, start-up and memory. The default run takes a few
minutes; -duration 1s -runs 1 is a quick check.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		// A stray word must not start a run of several minutes.
		return c, fmt.Errorf("unexpected argument %q (see -help)", fs.Arg(0))
	}
	o.Ops = strings.Split(ops, ",")
	if c.serveBare {
		return c, nil
	}
	return c, o.Check()
}
