package mockserver

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"sync"
)

// staticHeaders are the headers the real API sends on every response, besides the request
// id: CORS for any origin and helmet's default security headers. Keys are in canonical form
// and the value slices are shared by every response (nothing appends to them), so stamping
// them costs no allocation on the hot path.
var staticHeaders = func() http.Header {
	h := http.Header{}
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Content-Security-Policy", "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Origin-Agent-Cluster", "?1")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Strict-Transport-Security", "max-age=15552000; includeSubDomains")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Dns-Prefetch-Control", "off")
	h.Set("X-Download-Options", "noopen")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("X-Permitted-Cross-Domain-Policies", "none")
	h.Set("X-Xss-Protection", "0")
	return h
}()

// setCommonHeaders stamps what the real API sends on every response: a fresh request id (a
// client-supplied X-Request-Id is ignored, as upstream overwrites it) and the static headers.
func setCommonHeaders(h http.Header, requestID string) {
	h["X-Request-Id"] = []string{requestID}
	for k, v := range staticHeaders {
		h[k] = v
	}
}

// writePreflight answers a CORS preflight as the real API does: 204, no body.
func writePreflight(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET,PATCH,DELETE,HEAD,POST,PUT,OPTIONS")
	h.Set("Access-Control-Allow-Headers", "x-cal-client-id,x-cal-secret-key,x-cal-platform-embed,cal-api-version,Accept,Authorization,Content-Type,Origin")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// requestIDs makes UUID v4 request ids from a seeded generator, so that a fixed seed gives a
// reproducible sequence too.
type requestIDs struct {
	key [32]byte // from the seed
	mu  sync.Mutex
	rng *rand.ChaCha8
}

func newRequestIDs(seed int64) *requestIDs {
	g := &requestIDs{}
	binary.LittleEndian.PutUint64(g.key[:], uint64(seed))
	copy(g.key[8:], "calmock-request-ids")
	g.restart()
	return g
}

// restart starts the sequence again from its first id (the mock's reset).
func (g *requestIDs) restart() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rng = rand.NewChaCha8(g.key)
}

func (g *requestIDs) next() string {
	var b [16]byte
	g.mu.Lock()
	_, _ = g.rng.Read(b[:])
	g.mu.Unlock()
	return uuidString(b)
}

// uuidString formats 16 random bytes as a version 4, variant 1 UUID.
func uuidString(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}
