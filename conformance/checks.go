package conformance

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"

	"github.com/calmock/calmock/internal/apiversion"
	"github.com/calmock/calmock/scenarios"
)

// ResponseChecker checks one response against an API description (the OpenAPI document).
// It gets every response of every step; it decides itself what it can check (e.g. the
// bookings spec documents only 2xx responses). Implementations must be safe for concurrent
// use.
type ResponseChecker interface {
	CheckResponse(req *http.Request, status int, header http.Header, body []byte) []Finding
}

// Finding is one disagreement between a response and the API description.
type Finding struct {
	Field    string // where: a JSON path, a header, "status"…
	Expected string
	Got      string
}

// CheckerFunc adapts a function to ResponseChecker.
type CheckerFunc func(req *http.Request, status int, header http.Header, body []byte) []Finding

// CheckResponse calls f.
func (f CheckerFunc) CheckResponse(req *http.Request, status int, header http.Header, body []byte) []Finding {
	return f(req, status, header, body)
}

type envFinding struct{ field, expected, got string }

// paginationKeys are the keys of the list endpoint's pagination object (behaviour §6.4).
var paginationKeys = []string{"returnedItems", "totalItems", "itemsPerPage", "remainingItems", "currentPage", "totalPages", "hasNextPage", "hasPreviousPage"}

// cursorPaginationKeys are those of the cursor list of cal-api-version cursorListVersion
// (bookings-changes-2026.md: `pagination: {nextCursor, hasMore}`).
var cursorPaginationKeys = []string{"nextCursor", "hasMore"}

// cursorListVersion is the cal-api-version whose GET /v2/bookings pages by cursor.
const cursorListVersion = apiversion.V20260501

// listPaginationKeys returns the pagination keys the list answer to req must have.
func listPaginationKeys(req *http.Request) []string {
	if req.Header.Get("cal-api-version") == cursorListVersion {
		return cursorPaginationKeys
	}
	return paginationKeys
}

// checkEnvelope checks the Cal.com envelope of a response (behaviour §4): success is
// {status: "success", data[, pagination]}; error is {status: "error", error: {code, message}};
// bare is Nest's fallback {statusCode, message}.
func checkEnvelope(kind string, req *http.Request, resp *response) []envFinding {
	var out []envFinding
	add := func(field, expected, got string) { out = append(out, envFinding{field, expected, got}) }
	if resp.status == http.StatusNoContent || resp.status == http.StatusNotModified {
		// No body by definition (a preflight's 204, a conditional GET's 304): nothing to wrap.
		if len(resp.body) > 0 {
			add("body", "none", abbreviate(string(resp.body)))
		}
		return out
	}
	if !resp.isJSON {
		add("body", "a JSON object", abbreviate(string(resp.body)))
		return out
	}
	obj, ok := resp.doc.(map[string]any)
	if !ok {
		add("body", "a JSON object", typeOf(resp.doc))
		return out
	}
	str := func(key string) (string, bool) {
		v, ok := obj[key]
		if !ok {
			return "absent", false
		}
		s, isStr := v.(string)
		if !isStr {
			return quote(v), false
		}
		return s, true
	}
	switch kind {
	case scenarios.EnvelopeSuccess:
		if s, _ := str("status"); s != "success" {
			add("status", `"success"`, s)
		}
		data, hasData := obj["data"]
		if !hasData {
			add("data", "present", "absent")
		}
		if isList(req) {
			if _, isArr := data.([]any); hasData && !isArr {
				add("data", "an array", typeOf(data))
			}
			pg, ok := obj["pagination"].(map[string]any)
			if !ok {
				add("pagination", "an object", renderPresence(obj, "pagination"))
				break
			}
			for _, k := range listPaginationKeys(req) {
				if _, ok := pg[k]; !ok {
					add("pagination."+k, "present", "absent")
				}
			}
		}
	case scenarios.EnvelopeStatus:
		if s, _ := str("status"); s != "success" {
			add("status", `"success"`, s)
		}
		if _, hasData := obj["data"]; hasData {
			add("data", "absent", renderPresence(obj, "data"))
		}
	case scenarios.EnvelopeError:
		if s, _ := str("status"); s != "error" {
			add("status", `"error"`, s)
		}
		e, ok := obj["error"].(map[string]any)
		if !ok {
			add("error", "an object", renderPresence(obj, "error"))
			break
		}
		for _, k := range []string{"code", "message"} {
			if _, isStr := e[k].(string); !isStr {
				add("error."+k, "a string", renderPresence(e, k))
			}
		}
	case scenarios.EnvelopeBare:
		if v, ok := obj["statusCode"].(float64); !ok || int(v) != resp.status {
			add("statusCode", quote(float64(resp.status)), renderPresence(obj, "statusCode"))
		}
		if _, ok := obj["message"].(string); !ok {
			add("message", "a string", renderPresence(obj, "message"))
		}
	}
	return out
}

func renderPresence(obj map[string]any, key string) string {
	v, ok := obj[key]
	if !ok {
		return "absent"
	}
	return abbreviate(quote(v))
}

// isList reports whether the request is the list endpoint GET /v2/bookings.
func isList(req *http.Request) bool {
	return req.Method == http.MethodGet && strings.HasSuffix(strings.TrimRight(req.URL.Path, "/"), "/v2/bookings")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// msgInvalidAPIKey is the rate limiter's refusal of an unknown API key.
const msgInvalidAPIKey = "CustomThrottlerGuard - Invalid API Key"

// passedLimiter reports whether the real server's rate limiter set its X-RateLimit-* headers
// on this response, i.e. the request got past the stages before it (behaviour §1, §3.4) and
// past the limiter's own key lookup. Not so for:
//   - a CORS preflight, answered by the CORS middleware before routing;
//   - a body-parser error: 413, or 400 for a JSON body that does not parse or whose top level
//     is not an object or array (body-parser's strict mode);
//   - a route miss ("Cannot GET …" 404), which covers a cal-api-version matching no
//     controller: version routing picks the controller before any guard runs;
//   - an unknown API key: CustomThrottlerGuard looks the key up before it counts the request
//     or sets a header, and refuses it with a 401 there (getRateLimitsForApiKeyTracker throws
//     before incrementRateLimit; cal.com apps/api/v2/src/lib/throttler-guard.ts).
//
// Everything else (later guards' 401/403, validation, 429, success) passed the limiter.
func passedLimiter(req *http.Request, resp *response) bool {
	switch {
	case req.Method == http.MethodOptions:
		return false
	case resp.status == http.StatusRequestEntityTooLarge, resp.status == http.StatusUnsupportedMediaType:
		// body-parser: too large, or a charset other than UTF-*.
		return false
	case resp.status == http.StatusBadRequest && bodyParserRefuses(req):
		return false
	case routeMiss(resp):
		return false
	case resp.status == http.StatusUnauthorized:
		msg, _ := lookup(resp.doc, "error.message")
		return msg != msgInvalidAPIKey
	}
	return true
}

// bodyParserRefuses reports whether body-parser's json() refuses the request's body: a JSON
// content type, and a non-blank body that is not JSON or whose top level is neither an object
// nor an array.
func bodyParserRefuses(req *http.Request) bool {
	if req.GetBody == nil {
		return false
	}
	mt, _, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return false
	}
	rc, err := req.GetBody()
	if err != nil {
		return false
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return false
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return false
	}
	return !json.Valid(data) || (data[0] != '{' && data[0] != '[')
}

// routeMiss reports whether the response is the framework's "no such route" 404
// ("Cannot GET /v2/…"), which is answered before the guards run.
func routeMiss(resp *response) bool {
	if resp.status != http.StatusNotFound || !resp.isJSON {
		return false
	}
	msg, _ := lookup(resp.doc, "error.message")
	s, _ := msg.(string)
	return strings.HasPrefix(s, "Cannot ")
}
