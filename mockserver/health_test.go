package mockserver

import (
	"net/http"
	"testing"
)

// TestHealth: the health endpoint answers 200 {"status":"ok"} without an API key, however
// often it is called, with no rate-limit headers (it is not an API route).
func TestHealth(t *testing.T) {
	f := MustServer(t, Config{Seed: 1, RateLimit: 1})
	for range 3 {
		res := f.do(t, "GET", HealthPath, "", nil).expect(t, http.StatusOK)
		if got := res.Body.String(); got != `{"status":"ok"}`+"\n" && got != `{"status":"ok"}` {
			t.Fatalf("health body %q", got)
		}
		if h := res.Header().Get("X-RateLimit-Limit"); h != "" {
			t.Errorf("health answered with rate-limit headers (%q): it is not an API route", h)
		}
	}
	f.do(t, "POST", HealthPath, "", nil).expect(t, http.StatusNotFound)
}
