package main

import (
	"errors"
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/calmock/calmock/internal/loadrun"
)

func TestParseFlags_Defaults(t *testing.T) {
	c, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatalf("no flags: %v", err)
	}
	if c.serveBare || !reflect.DeepEqual(c.run, loadrun.Defaults()) {
		t.Errorf("no flags gave %+v, want a run with loadrun.Defaults() %+v", c, loadrun.Defaults())
	}
}

// Every flag lands in its own field of the Options.
func TestParseFlags_EveryFlag(t *testing.T) {
	c, err := parseFlags([]string{
		"-calmock", "/x/calmock", "-duration", "1s", "-runs", "5", "-c", "8", "-ops", "create,get",
		"-bookings", "7", "-seed", "9", "-pool", "11", "-out", "r.md", "-rate", "300",
		"-get-rates", "20,10", "-list-bookings", "13", "-list-rate", "40", "-settle", "2s",
		"-server-cpus", "1-3", "-mock-flags", " -gc-headroom 0  -idle-release 0", "-durable-rate", "50",
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := loadrun.Options{
		Calmock: "/x/calmock", Duration: time.Second, Runs: 5, Concurrency: 8, Ops: []string{"create", "get"},
		Bookings: 7, Seed: 9, Pool: 11, Out: "r.md", Rate: 300, GetRates: []float64{10, 20},
		ListBookings: 13, ListRate: 40, Settle: 2 * time.Second, ServerCPUs: "1-3",
		MockFlags: []string{"-gc-headroom", "0", "-idle-release", "0"}, DurableRate: 50,
	}
	if !reflect.DeepEqual(c.run, want) {
		t.Errorf("got  %+v\nwant %+v", c.run, want)
	}
}

func TestParseFlags_ServeBare(t *testing.T) {
	c, err := parseFlags([]string{"-serve-bare", "-canned", "/tmp/canned.json", "-addr", "127.0.0.1:9999"}, io.Discard)
	if err != nil || !c.serveBare || c.canned != "/tmp/canned.json" || c.addr != "127.0.0.1:9999" {
		t.Errorf("got %+v, %v", c, err)
	}
}

func TestParseFlags_Rejects(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		want  string
		usage bool // rejected by the flag package, which has printed the usage
	}{
		{[]string{"-runs", "0"}, "-runs must be at least 1, got 0", false},
		{[]string{"-ops", "get,delete"}, `-ops: unknown operation "delete"`, false},
		{[]string{"-get-rates", "1000,x"}, `"x" is not a positive number of requests/s`, true},
		{[]string{"-duration", "soon"}, `invalid value "soon" for flag -duration`, true},
		{[]string{"-bogus"}, "flag provided but not defined: -bogus", true},
		{[]string{"-runs", "1", "now"}, `unexpected argument "now"`, false},
	} {
		var stderr strings.Builder
		_, err := parseFlags(tc.args, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one containing %q", tc.args, err, tc.want)
			continue
		}
		if got := errors.Is(err, errUsage); got != tc.usage {
			t.Errorf("%q: errors.Is(err, errUsage) = %v, want %v", tc.args, got, tc.usage)
		}
		if tc.usage && !strings.Contains(stderr.String(), "Usage:") {
			t.Errorf("%q: no usage printed:\n%s", tc.args, stderr.String())
		}
	}
	if _, err := parseFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: error %v, want flag.ErrHelp", err)
	}
}
