package main

import (
	"flag"
	"fmt"
	"strings"
)

// flagHelp is the order -help lists the flags in, the ones a newcomer needs first, each with
// an example. A flag missing here is still listed, after these (TestMain_UsageListsEveryFlag).
var flagHelp = []struct{ name, example string }{
	{"addr", "calmock -addr :8080   (every interface, e.g. in a container)"},
	{"seed", "calmock -seed 7"},
	{"dump-fixtures", "calmock -dump-fixtures > mine.yaml"},
	{"fixtures", "calmock -fixtures mine.yaml"},
	{"rate-limit", "calmock -rate-limit 0"},
	{"clock", "calmock -clock 2026-01-05T09:00:00Z"},
	{"admin-token", "calmock -admin-token s3cret"},
	{"max-sandboxes", "calmock -max-sandboxes 500"},
	{"sandbox-ttl", "calmock -sandbox-ttl 5m"},
	{"sandbox-max-bookings", "calmock -sandbox-max-bookings 200"},
	{"verbose", "calmock -verbose"},
	{"journal", "calmock -journal 10000   (0 turns it off)"},
	{"webhook", "calmock -webhook http://127.0.0.1:9000/hooks"},
	{"webhook-secret", "calmock -webhook http://127.0.0.1:9000/hooks -webhook-secret whsec"},
	{"webhook-allow", "calmock -webhook http://hooks.internal/cal -webhook-allow hooks.internal,10.0.0.0/8"},
	{"data", "calmock -data calmock.db"},
	{"spec", "calmock -spec ../shared/reference/calcom-openapi-v2.json"},
	{"bookings", "calmock -bookings 100000"},
	{"healthcheck", "calmock -addr :8080 -healthcheck"},
	{"idle-release", "calmock -idle-release 0"},
	{"gc-headroom", "calmock -gc-headroom 64"},
	{"version", "calmock -version"},
}

// usage prints -help: what calmock is, how to call it, then every flag with an example.
func (m *Main) usage(fs *flag.FlagSet) {
	out := fs.Output()
	fmt.Fprint(out, `calmock: a stateful mock of the Cal.com API v2 bookings endpoints (cal-api-version 2024-08-13).

Usage:
  calmock [flags]

Send 'cal-api-version: 2024-08-13' and 'Authorization: Bearer <apiKey>' like the real API.
The fixture users and their API keys are listed at GET /_calmock/profile.

Flags:
`)
	listed := map[string]bool{}
	show := func(f *flag.Flag, example string) {
		listed[f.Name] = true
		name, usage := flag.UnquoteUsage(f)
		line := "  -" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(out, "%s\n    \t%s", line, strings.ReplaceAll(usage, "\n", "\n    \t"))
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintf(out, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(out)
		if example != "" {
			fmt.Fprintf(out, "    \te.g. %s\n", example)
		}
	}
	for _, h := range flagHelp {
		if f := fs.Lookup(h.name); f != nil {
			show(f, h.example)
		}
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !listed[f.Name] {
			show(f, "")
		}
	})
}
