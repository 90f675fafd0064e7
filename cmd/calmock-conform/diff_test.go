package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/calmock/calmock/conformance"
	"github.com/calmock/calmock/mockserver"
	"github.com/calmock/calmock/scenarios"
)

func TestDiff_CalmockAgainstItself(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-diff", "-seed", "5", "-n", "2", "-steps", "20",
		"-report", filepath.Join(dir, "r.yaml"), "-junit", filepath.Join(dir, "j.xml"), "-diff-out", filepath.Join(dir, "sc")}, &out, &errOut)
	if code != conformance.ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "seed 5") || !strings.Contains(out.String(), "0 divergences") {
		t.Fatalf("stdout:\n%s", out.String())
	}
	for _, f := range []string{"r.yaml", "j.xml"} {
		if b, err := os.ReadFile(filepath.Join(dir, f)); err != nil || len(b) == 0 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "sc")); !os.IsNotExist(err) {
		t.Fatalf("a clean run made the scenario directory: %v", err)
	}
}

// miscounting is calmock with sandboxes whose lists count one booking too many.
func miscounting(t *testing.T) *httptest.Server {
	t.Helper()
	srv, err := mockserver.New(mockserver.Config{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	sb, err := mockserver.NewSandboxes(srv, mockserver.SandboxLimits{Max: 64})
	if err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, r)
		var body map[string]any
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/v2/bookings") && json.Unmarshal(rec.Body.Bytes(), &body) == nil {
			if p, ok := body["pagination"].(map[string]any); ok {
				p["totalItems"] = p["totalItems"].(float64) + 1
			}
			b, _ := json.Marshal(body)
			rec.Body = bytes.NewBuffer(b)
			rec.Header().Del("Content-Length")
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

func TestDiff_BrokenTarget(t *testing.T) {
	ts := miscounting(t)
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-diff", "-target", ts.URL, "-seed", "5", "-n", "3", "-steps", "20",
		"-report", filepath.Join(dir, "r.json"), "-diff-out", filepath.Join(dir, "sc")}, &out, &errOut)
	if code != conformance.ExitContractBroken {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out.String(), errOut.String())
	}
	files, _ := filepath.Glob(filepath.Join(dir, "sc", "*.yaml"))
	if len(files) != 1 || filepath.Base(files[0]) != "diff-list-pagination-totalitems.yaml" {
		t.Fatalf("scenario files %v\n%s", files, out.String())
	}
	data, _ := os.ReadFile(files[0])
	if _, err := scenarios.Parse(files[0], data, conformance.KnownFeature); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	var rep struct {
		Divergences []struct {
			Field  string `json:"field"`
			Target any    `json:"target"`
			Oracle any    `json:"oracle"`
			File   string `json:"file"`
		} `json:"divergences"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "r.json"))
	if err := json.Unmarshal(b, &rep); err != nil || len(rep.Divergences) != 1 || rep.Divergences[0].File != files[0] {
		t.Fatalf("report: %v %s", err, b)
	}
	if d := rep.Divergences[0]; d.Field != "pagination.totalItems" || d.Target.(float64) != d.Oracle.(float64)+1 {
		t.Fatalf("divergence %+v", d)
	}
	if !strings.Contains(out.String(), "pagination.totalItems: target") {
		t.Fatalf("stdout does not show the divergence:\n%s", out.String())
	}
}

func TestDiff_ExitCodes(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		args []string
		want int
	}{
		{"unknown report format", []string{"-diff", "-report", "r.txt"}, conformance.ExitUsage},
		{"junit not xml", []string{"-diff", "-junit", "j.json"}, conformance.ExitUsage},
		{"no steps", []string{"-diff", "-steps", "0"}, conformance.ExitUsage},
		{"missing profile", []string{"-diff", "-profile", filepath.Join(dir, "nope.json")}, conformance.ExitUsage},
		{"unreachable", []string{"-diff", "-target", "http://127.0.0.1:1", "-report", filepath.Join(dir, "u.json")}, conformance.ExitUnreachable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(context.Background(), tt.args, &out, &errOut); code != tt.want {
				t.Fatalf("exit %d, want %d\n%s", code, tt.want, errOut.String())
			}
		})
	}
	b, err := os.ReadFile(filepath.Join(dir, "u.json"))
	if err != nil || !strings.Contains(string(b), `"error"`) {
		t.Fatalf("the unreachable run's report does not say so: %v %s", err, b)
	}
}
