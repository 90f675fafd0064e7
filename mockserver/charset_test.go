package mockserver

import (
	"net/http"
	"testing"
)

// TestBodyCharset: body-parser reads a JSON body in any UTF-* charset and refuses any other
// with 415 'unsupported charset "<CHARSET>"' before reading it; a charset on a non-JSON
// type is not its business (the body is ignored, as any non-JSON body is).
func TestBodyCharset(t *testing.T) {
	f := MustServer(t, Config{Seed: 1})
	for _, c := range []struct {
		contentType string
		status      int
		message     string
	}{
		{"application/json; charset=latin1", http.StatusUnsupportedMediaType, `unsupported charset "LATIN1"`},
		{"application/json; charset=ISO-8859-1", http.StatusUnsupportedMediaType, `unsupported charset "ISO-8859-1"`},
		{"application/json; charset=utf-8", http.StatusBadRequest, ""},
		{"application/json; charset=UTF-8", http.StatusBadRequest, ""},
		{"text/plain; charset=latin1", http.StatusBadRequest, ""},
	} {
		res := f.doHeaders(t, "POST", "/v2/bookings", `{"start":"soon"}`, map[string]string{
			"cal-api-version": version20240813, "Content-Type": c.contentType,
		})
		if res.Code != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.contentType, res.Code, c.status, res.Body)
			continue
		}
		if c.message != "" {
			if got := res.errorMessage(t); got != c.message {
				t.Errorf("%s: message %q, want %q", c.contentType, got, c.message)
			}
		}
	}
}
