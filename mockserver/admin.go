package mockserver

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// requireAdmin guards a /_calmock endpoint that changes state: with an admin token set
// (Config.AdminToken) a call without "Authorization: Bearer <token>" gets a 401 in the
// API's error envelope, so that a mock shared by several suites cannot be reset or have its
// clock moved by a client that only holds API keys. Read-only endpoints (profile, openapi,
// health) stay open: they are what a client reads to find its keys and whether the mock is up.
func (s *Server) requireAdmin(next http.HandlerFunc) http.HandlerFunc {
	if s.adminToken == "" {
		return next
	}
	want := []byte("Bearer " + s.adminToken)
	return func(w http.ResponseWriter, r *http.Request) {
		got := []byte(strings.TrimSpace(r.Header.Get("Authorization")))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			s.writeError(w, r, newAPIError(http.StatusUnauthorized,
				"calmock admin endpoint: send the -admin-token as 'Authorization: Bearer <token>'"))
			return
		}
		next(w, r)
	}
}
