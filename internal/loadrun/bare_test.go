package loadrun

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The bare server gives each operation the mock's recorded answer, byte for byte, and every
// other request (readiness probes) an empty 200.
func TestBareHandler(t *testing.T) {
	h := bareHandler(map[string]canned{
		"create": {Status: http.StatusCreated, ContentType: "application/json; charset=utf-8", Body: []byte(`{"status":"success"}`)},
	})
	req := httptest.NewRequest(http.MethodPost, "/v2/bookings", strings.NewReader(`{"start":"x"}`))
	req.Header.Set(opHeader, "create")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" ||
		rec.Header().Get("Content-Length") != "20" || rec.Body.String() != `{"status":"success"}` {
		t.Errorf("create: %d %v %q", rec.Code, rec.Header(), rec.Body)
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("probe: %d %q, want an empty 200", rec.Code, rec.Body)
	}
}
