package loadrun

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Options are the settings of a load run; cmd/calmock-load fills them from its flags, whose
// help describes each one.
type Options struct {
	Calmock     string // the calmock binary to start
	Duration    time.Duration
	Runs        int
	Concurrency int
	Ops         []string
	Bookings    int // extra bookings of the volume measurement (0 skips it)
	Seed        int64
	Pool        int
	Out         string // also write the report to this file ("": only to the report writer)
	// Rate, ListRate and DurableRate are the open-loop rates (requests/s; 0 skips that
	// measurement); ListBookings the bookings of the list measurement (0 skips it).
	Rate, ListRate, DurableRate float64
	ListBookings                int
	// GetRates are the open-loop rates of GET, ascending (empty: not measured).
	GetRates []float64
	// Settle is how long to leave a mock idle after its load before reading VmRSS again:
	// calmock gives spare memory back after -idle-release (15 s) without a request, noticed
	// within a quarter of that on either side: so at most 22.5 s after the last request.
	Settle time.Duration
	// MockFlags are extra calmock flags for every mock started (experiments: e.g.
	// "-gc-headroom 0 -idle-release 0"); empty means calmock's defaults.
	MockFlags []string
	// ServerCPUs is the CPU list (taskset -c) every server is pinned to; "" pins nothing.
	ServerCPUs string
}

// Defaults are the settings of `make bench`: the defaults of calmock-load's flags.
func Defaults() Options {
	return Options{
		Calmock: "bin/calmock", Duration: 3 * time.Second, Runs: 3, Concurrency: 32,
		Ops: Operations(), Bookings: targetVolume, Seed: 1, Pool: 3000,
		Rate: 5000, ListRate: 200, DurableRate: 1000, ListBookings: targetListAmong,
		// From well below to around the bare server's comfortable limit on the 2-core
		// machine this was written on.
		GetRates: []float64{1000, 2000, 3000, 4000, 5000},
		Settle:   25 * time.Second,
	}
}

// opNames are the operations a run can measure, in the order of Operations.
var opNames = []string{"get", "list", "create", "cancel", "confirm"}

// Operations returns the names of the operations a run can measure.
func Operations() []string { return slices.Clone(opNames) }

// Check validates the settings of a load run, naming the flag of a bad one.
func (o Options) Check() error {
	if o.Duration <= 0 {
		return fmt.Errorf("-duration must be positive, got %s", o.Duration)
	}
	if o.Runs < 1 {
		return fmt.Errorf("-runs must be at least 1, got %d", o.Runs)
	}
	if o.Concurrency < 1 {
		return fmt.Errorf("-c must be at least 1, got %d", o.Concurrency)
	}
	if o.Pool < 1 {
		return fmt.Errorf("-pool must be at least 1, got %d", o.Pool)
	}
	if o.Settle < 0 {
		return fmt.Errorf("-settle must be 0 (skip) or positive, got %s", o.Settle)
	}
	if o.Bookings < 0 || o.ListBookings < 0 {
		return fmt.Errorf("-bookings and -list-bookings must be 0 (skip) or positive, got %d and %d", o.Bookings, o.ListBookings)
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"-rate", o.Rate}, {"-list-rate", o.ListRate}, {"-durable-rate", o.DurableRate}} {
		if r.v < 0 || math.IsNaN(r.v) || math.IsInf(r.v, 0) {
			return fmt.Errorf("%s must be 0 (skip) or a positive number of requests/s, got %v", r.name, r.v)
		}
	}
	if len(o.Ops) == 0 || len(o.Ops) == 1 && o.Ops[0] == "" {
		return errors.New("-ops is empty")
	}
	for i, op := range o.Ops {
		if !slices.Contains(opNames, op) {
			return fmt.Errorf("-ops: unknown operation %q (known: %s)", op, strings.Join(opNames, ", "))
		}
		if slices.Contains(o.Ops[:i], op) {
			return fmt.Errorf("-ops: %q twice", op)
		}
	}
	return nil
}

// ParseRates reads a list of rates (-get-rates): positive numbers separated by commas,
// returned ascending.
func ParseRates(v string) ([]float64, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var rates []float64
	for _, f := range strings.Split(v, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || r <= 0 || math.IsInf(r, 0) {
			return nil, fmt.Errorf("%q is not a positive number of requests/s", strings.TrimSpace(f))
		}
		if slices.Contains(rates, r) {
			return nil, fmt.Errorf("rate %v twice", r)
		}
		rates = append(rates, r)
	}
	slices.Sort(rates)
	return rates, nil
}

// FormatRates writes rates as ParseRates reads them (with a space after each comma).
func FormatRates(rates []float64) string { return join(rates, "%v") }

// mockArgs is the command line of a calmock: rate limit off, args, then MockFlags.
func (o Options) mockArgs(args ...string) []string {
	return append(append([]string{"-rate-limit", "0"}, args...), o.MockFlags...)
}
