package mockserver

import "net/http"

// HealthPath answers 200 while the server is up: for container health checks and scripts
// that wait for the mock, which should not spend an API key's rate limit to find out.
const HealthPath = "/_calmock/health"

// healthOut is the health endpoint's body. Like the other /_calmock endpoints it is
// calmock's own, outside the Cal.com API, so it has no envelope.
type healthOut struct {
	Status string `json:"status"`
}

func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, healthOut{Status: "ok"})
}
