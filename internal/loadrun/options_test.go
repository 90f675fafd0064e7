package loadrun

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestCheckOptions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Options)
		want   string // "" for valid
	}{
		{"Defaults", func(*Options) {}, ""},
		{"SkipOpenLoop", func(o *Options) { o.Rate, o.ListRate, o.DurableRate, o.ListBookings, o.Bookings = 0, 0, 0, 0, 0 }, ""},
		{"ZeroDuration", func(o *Options) { o.Duration = 0 }, "-duration must be positive"},
		{"ZeroRuns", func(o *Options) { o.Runs = 0 }, "-runs must be at least 1"},
		{"ZeroClients", func(o *Options) { o.Concurrency = 0 }, "-c must be at least 1"},
		{"ZeroPool", func(o *Options) { o.Pool = 0 }, "-pool must be at least 1"},
		{"NegativeRate", func(o *Options) { o.Rate = -1 }, "-rate must be 0 (skip) or a positive number"},
		{"NaNListRate", func(o *Options) { o.ListRate = math.NaN() }, "-list-rate must be"},
		{"InfDurableRate", func(o *Options) { o.DurableRate = math.Inf(1) }, "-durable-rate must be"},
		{"NegativeListBookings", func(o *Options) { o.ListBookings = -1 }, "-list-bookings must be 0 (skip) or positive"},
		{"EmptyOps", func(o *Options) { o.Ops = []string{""} }, "-ops is empty"},
		{"UnknownOp", func(o *Options) { o.Ops = []string{"get", "delete"} }, `unknown operation "delete"`},
		{"DuplicateOp", func(o *Options) { o.Ops = []string{"get", "get"} }, `"get" twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := Defaults()
			tc.change(&o)
			err := o.Check()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestParseRates(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []float64
		err  string
	}{
		{"3000, 1000,2000", []float64{1000, 2000, 3000}, ""},
		{"", nil, ""},
		{"1000,x", nil, `"x" is not a positive number`},
		{"0", nil, `"0" is not a positive number`},
		{"-5", nil, "not a positive number"},
		{"1000,1000", nil, "twice"},
	} {
		got, err := ParseRates(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseRates(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseRates(%q) = %v, %v, want %v", tc.in, got, err, tc.want)
		}
	}
}

// Defaults are a valid run: make bench runs with them.
func TestDefaults(t *testing.T) {
	if err := Defaults().Check(); err != nil {
		t.Fatal(err)
	}
	d := Defaults()
	d.GetRates[0], d.Ops[0] = 1, "list"
	if again := Defaults(); again.GetRates[0] == 1 || again.Ops[0] == "list" {
		t.Error("Defaults shares its slices between calls")
	}
	ops := Operations()
	ops[0] = "delete"
	if Operations()[0] != "get" {
		t.Error("Operations shares its slice with its callers")
	}
}

// What FormatRates writes (the default in -get-rates' help), ParseRates reads back.
func TestFormatRates(t *testing.T) {
	rates := []float64{500, 1000, 2500.5}
	s := FormatRates(rates)
	if s != "500, 1000, 2500.5" {
		t.Errorf("FormatRates = %q", s)
	}
	if back, err := ParseRates(s); err != nil || !slices.Equal(back, rates) {
		t.Errorf("ParseRates(%q) = %v, %v, want %v", s, back, err, rates)
	}
}
