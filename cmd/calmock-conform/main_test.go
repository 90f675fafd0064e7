package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/reporters"

	"github.com/calmock/calmock/conformance"
	"github.com/calmock/calmock/mockserver"
)

func TestRun_InProcessMockConforms(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every scenario")
	}
	var out, errOut bytes.Buffer
	report := filepath.Join(t.TempDir(), "new-dir", "report.json")
	code := run(context.Background(), []string{"-report", report}, &out, &errOut)
	if code != conformance.ExitOK {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	data, err := os.ReadFile(report)
	if err != nil || !strings.Contains(string(data), "features") {
		t.Fatalf("report: %v %s", err, data)
	}
}

func TestRun_ExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"unknown flag", []string{"-nope"}, conformance.ExitUsage},
		{"stray argument", []string{"go"}, conformance.ExitUsage},
		{"unknown feature", []string{"-features", "teleport"}, conformance.ExitUsage},
		{"unreachable target", []string{"-target", "http://127.0.0.1:1"}, conformance.ExitUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			if code != tt.want {
				t.Fatalf("exit code %d, want %d; stderr: %s", code, tt.want, errOut.String())
			}
		})
	}
}

// runCmd runs the program and returns its exit code, stdout and stderr.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRun_ReportFormatFollowsExtension(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "r.txt")
	if code, _, stderr := runCmd(t, "-report", bad, "-target", "http://127.0.0.1:1"); code != conformance.ExitUsage || !strings.Contains(stderr, ".xml") {
		t.Fatalf("-report r.txt: exit %d, stderr %q; want a usage error naming the formats", code, stderr)
	}
	if _, err := os.Stat(bad); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("-report r.txt: the file was written (stat: %v)", err)
	}
	if code, _, stderr := runCmd(t, "-junit", filepath.Join(dir, "j.json")); code != conformance.ExitUsage {
		t.Fatalf("-junit j.json: exit %d, want usage; stderr %q", code, stderr)
	}
}

// TestRun_UnreachableTargetWritesReport: a run that cannot reach its target replaces the
// previous report with one that says so, in every format asked for.
func TestRun_UnreachableTargetWritesReport(t *testing.T) {
	dir := t.TempDir()
	yml, junit := filepath.Join(dir, "r.yaml"), filepath.Join(dir, "j.xml")
	for _, p := range []string{yml, junit} {
		if err := os.WriteFile(p, []byte("last run"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, _, _ := runCmd(t, "-target", "http://127.0.0.1:1", "-profile", writeProfile(t), "-report", yml, "-junit", junit)
	if code != conformance.ExitUnreachable {
		t.Fatalf("exit %d, want %d", code, conformance.ExitUnreachable)
	}
	data, err := os.ReadFile(yml)
	if err != nil || !strings.Contains(string(data), "outcome: unreachable") || !strings.Contains(string(data), "127.0.0.1:1") {
		t.Errorf("YAML report: %v\n%s", err, data)
	}
	suites := readJUnit(t, junit)
	if suites.Failures != 1 || len(suites.TestSuites) != 1 || suites.TestSuites[0].TestCases[0].Failure == nil {
		t.Errorf("JUnit report of an unreachable target: %+v, want one failing case", suites)
	}
}

func TestRun_JUnitHasEveryScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every scenario")
	}
	dir := t.TempDir()
	junit, xmlReport := filepath.Join(dir, "j.xml"), filepath.Join(dir, "r.xml")
	code, stdout, stderr := runCmd(t, "-junit", junit, "-report", xmlReport)
	if code != conformance.ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	all, err := conformance.LoadScenarios(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{junit, xmlReport} {
		suites := readJUnit(t, p)
		if suites.Tests != len(all) || suites.Failures != 0 {
			t.Errorf("%s: %d tests, %d failures; want %d tests, 0 failures", filepath.Base(p), suites.Tests, suites.Failures, len(all))
		}
		names := map[string]bool{}
		timed := 0
		for _, tc := range suites.TestSuites[0].TestCases {
			names[tc.Name] = true
			if tc.Time > 0 {
				timed++
			}
		}
		if timed == 0 {
			t.Errorf("%s: no test case has a time", filepath.Base(p))
		}
		for _, sc := range all {
			if !names[sc.Name] {
				t.Errorf("%s has no test case %q", filepath.Base(p), sc.Name)
			}
		}
	}
}

const ownScenario = `name: own-not-found
description: a user's own scenario
features: [core]
steps:
  - name: get
    request: {method: GET, path: /v2/bookings/no-such-uid}
    expect: {status: 404}
`

func TestRun_OwnScenarios(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "own.yaml"), []byte(ownScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, "-scenarios", dir, "-report", filepath.Join(t.TempDir(), "r.json"))
	if code != conformance.ExitOK || !strings.Contains(stdout, "own-not-found") || !strings.Contains(stdout, "1 passed, 0 failed, 0 skipped") {
		t.Fatalf("-scenarios DIR: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, _ = runCmd(t, "-list", "-scenarios", "embedded,"+dir)
	if code != conformance.ExitOK || !strings.Contains(stdout, "own-not-found") || !strings.Contains(stdout, "create-and-get-booking") {
		t.Errorf("-list with both sources: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := runCmd(t, "-list", "-scenarios", dir+","+dir); code != conformance.ExitUsage || !strings.Contains(stderr, "own-not-found") {
		t.Errorf("a name in two sources: exit %d, stderr %q; want a usage error naming it", code, stderr)
	}
	if code, _, stderr := runCmd(t, "-scenarios", filepath.Join(dir, "missing")); code != conformance.ExitUsage || !strings.Contains(stderr, "missing") {
		t.Errorf("a missing directory: exit %d, stderr %q", code, stderr)
	}
}

func TestRun_ListAndVersion(t *testing.T) {
	code, stdout, _ := runCmd(t, "-list")
	all, err := conformance.LoadScenarios(nil)
	if err != nil {
		t.Fatal(err)
	}
	if code != conformance.ExitOK || strings.Count(stdout, "\n") != len(all) {
		t.Errorf("-list: exit %d, %d lines for %d scenarios", code, strings.Count(stdout, "\n"), len(all))
	}
	for _, sc := range all {
		if !strings.Contains(stdout, sc.Name+" ") {
			t.Errorf("-list does not name %s", sc.Name)
		}
	}
	if code, stdout, _ := runCmd(t, "-version"); code != conformance.ExitOK || stdout != "calmock-conform dev\n" {
		t.Errorf("-version: exit %d, %q", code, stdout)
	}
}

// writeProfile writes the in-process mock's profile to a file, so that a run against an
// unreachable target gets past loading it.
func writeProfile(t *testing.T) string {
	t.Helper()
	srv, err := mockserver.New(mockserver.Config{})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_calmock/profile", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("profile: %d", rec.Code)
	}
	p := filepath.Join(t.TempDir(), "profile.json")
	if err := os.WriteFile(p, rec.Body.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readJUnit(t *testing.T, path string) reporters.JUnitTestSuites {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s reporters.JUnitTestSuites
	if err := xml.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s is not JUnit XML: %v\n%s", path, err, data)
	}
	return s
}
