package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"net"
	"strings"
	"testing"
)

// TestMain_UsageListsEveryFlag: -help lists every flag once, in flagHelp's order (the ones
// a newcomer needs first), each with an example; a flag added without an entry in flagHelp
// fails here.
func TestMain_UsageListsEveryFlag(t *testing.T) {
	var help bytes.Buffer
	m := NewMain(io.Discard, &help)
	if err := m.ParseFlags([]string{"-help"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-help: %v", err)
	}
	out := help.String()
	entries := map[string]bool{}
	last := -1
	for _, h := range flagHelp {
		entries[h.name] = true
		at := strings.Index(out, "\n  -"+h.name+" ")
		if at < 0 {
			at = strings.Index(out, "\n  -"+h.name+"\n")
		}
		if at < 0 {
			t.Errorf("-help does not list -%s", h.name)
			continue
		}
		if at < last {
			t.Errorf("-help lists -%s out of flagHelp's order", h.name)
		}
		last = at
		if !strings.Contains(out[at:], "e.g. "+h.example) {
			t.Errorf("-help lacks the example of -%s", h.name)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if name, ok := strings.CutPrefix(line, "  -"); ok {
			name, _, _ = strings.Cut(name, " ")
			if !entries[name] {
				t.Errorf("-%s has no entry (and example) in flagHelp", name)
			}
		}
	}
}

// TestMain_HealthCheck: -healthcheck succeeds against a running calmock, on its own address
// and on a wildcard one (asked on the loopback), and fails with a message when nothing
// listens.
func TestMain_HealthCheck(t *testing.T) {
	base, _ := MustRunMain(t)
	addr := strings.TrimPrefix(base, "http://")
	_, port, _ := net.SplitHostPort(addr)
	for _, a := range []string{addr, ":" + port, "0.0.0.0:" + port} {
		var out bytes.Buffer
		m := NewMain(&out, io.Discard)
		if err := m.ParseFlags([]string{"-addr", a, "-healthcheck"}); err != nil {
			t.Fatal(err)
		}
		if err := m.HealthCheck(); err != nil {
			t.Errorf("-addr %s -healthcheck: %v", a, err)
		}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	m := NewMain(io.Discard, io.Discard)
	if err := m.ParseFlags([]string{"-addr", closed, "-healthcheck"}); err != nil {
		t.Fatal(err)
	}
	if err := m.HealthCheck(); err == nil || !strings.Contains(err.Error(), "health check") {
		t.Errorf("health check of a closed port: %v, want an error", err)
	}
}
