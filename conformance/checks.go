package conformance

import (
	"net/http"
	"sort"
	"strings"

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

// checkEnvelope checks the Cal.com envelope of a response (behaviour §4): success is
// {status: "success", data[, pagination]}; error is {status: "error", error: {code, message}};
// bare is Nest's fallback {statusCode, message}.
func checkEnvelope(kind string, req *http.Request, resp *response) []envFinding {
	var out []envFinding
	add := func(field, expected, got string) { out = append(out, envFinding{field, expected, got}) }
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
			for _, k := range paginationKeys {
				if _, ok := pg[k]; !ok {
					add("pagination."+k, "present", "absent")
				}
			}
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
