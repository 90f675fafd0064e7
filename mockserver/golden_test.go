package mockserver

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/calmock/calmock/profile"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden pins whole responses for seed 1 and the fixed test clock: the same seed and
// clock must give the same bytes, so any change to data generation or wire shapes shows up
// here as a diff. Run with -update to accept a deliberate change.
func TestGolden(t *testing.T) {
	f := MustServer(t, Config{Seed: 1})
	plain := f.eventType(t, profile.KindPlain)
	rec := f.eventType(t, profile.KindRecurring)
	seatedBody := createBody(f.eventType(t, profile.KindSeated).ID, slot(5, 10), "golden@example.com")
	seatedBody["metadata"] = map[string]any{"source": "golden"}
	steps := []struct {
		name, method, path, key string
		body                    any
	}{
		{"profile", "GET", "/_calmock/profile", "", nil},
		{"list-first-page", "GET", "/v2/bookings?take=3", f.key(0), nil},
		{"list-cancelled", "GET", "/v2/bookings?status=cancelled&take=2", f.key(0), nil},
		{"create-plain", "POST", "/v2/bookings", "", createBody(plain.ID, slot(3, 10), "golden@example.com")},
		{"create-recurring", "POST", "/v2/bookings", "", createBody(rec.ID, slot(4, 10), "golden@example.com")},
		{"error-not-found", "GET", "/v2/bookings/unknown-uid", "", nil},
		{"error-validation-strict", "POST", "/v2/bookings", "", map[string]any{"start": "soon"}},
		{"error-validation-lenient", "GET", "/v2/bookings?take=500&sortStart=up", f.key(0), nil},
		{"error-no-auth", "GET", "/v2/bookings", "", nil},
		// Last, so that the uids of the steps above stay as they were. It pins the seated
		// shape, with the seat's metadata (an optional key no fixture sets).
		{"create-seated", "POST", "/v2/bookings", f.key(0), seatedBody},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			checkGolden(t, st.name, f.do(t, st.method, st.path, st.key, st.body))
		})
	}
}

// TestGolden_Versions pins the responses of the other cal-api-versions, as TestGolden does
// for 2024-08-13.
func TestGolden_Versions(t *testing.T) {
	f := MustServer(t, Config{Seed: 1})
	key := bearer(f.key(0))
	steps := []struct{ name, version, path string }{
		{"v20260501-list-first-page", version20260501, "/v2/bookings?limit=3"},
		{"v20260501-list-past", version20260501, "/v2/bookings?status=past&limit=2"},
		{"v20260501-error-validation", version20260501, "/v2/bookings?limit=101&status=past,upcoming&cursor[]=x"},
		{"v20260501-error-cursor", version20260501, "/v2/bookings?cursor=bm90LWEtY3Vyc29y"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			checkGolden(t, st.name, f.doHeaders(t, "GET", st.path, nil, map[string]string{"cal-api-version": st.version, "Authorization": key}))
		})
	}
}

// checkGolden compares r with the golden file of name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, r response) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, r.Body.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%d\n%s\n", r.Code, pretty.String())
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./mockserver -run TestGolden -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("response differs from %s (run with -update if the change is intended)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
