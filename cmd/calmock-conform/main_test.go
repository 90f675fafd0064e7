package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/calmock/calmock/conformance"
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
