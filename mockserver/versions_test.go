package mockserver

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// testVersion is a cal-api-version that exists only in these tests, to prove that a second
// version is registered and dispatched through the same table mechanism as 2024-08-13.
const testVersion = "2099-12-31"

// addVersion registers one more version table the way New registers versionTables: the
// server's tables, from which routes builds the router and the profile its claims.
func (f *fixture) addVersion(vt versionTable) {
	f.srv.tables = append(f.srv.tables, vt)
	f.srv.handlers = f.srv.routes()
	f.srv.router = f.srv.handlers.mux(nil)
}

// marker is a handler that answers which row ran.
func marker(text string) func(*call) error {
	return func(c *call) error {
		writeJSON(c.w, http.StatusOK, map[string]any{"status": "success", "data": text})
		return nil
	}
}

// TestVersionDispatch_SecondVersion: a second version's table is served beside 2024-08-13;
// the pipeline picks the row of the request's version (with that row's auth), never falls
// back from one served version to another, and a missing or unknown version behaves as
// before (legacy: 400 where the legacy controller has the route, 404 elsewhere).
func TestVersionDispatch_SecondVersion(t *testing.T) {
	f := MustServer(t, Config{})
	f.addVersion(versionTable{testVersion, []route{
		// The same method and path as 2024-08-13's list, another handler and no auth.
		{http.MethodGet, "/v2/bookings", "Test_getBookings", authNone, true, marker("test list")},
		// An operation only this version has.
		{http.MethodGet, "/v2/bookings/{bookingUid}/test-only", "Test_testOnly", authNone, false, marker("test only")},
	}})
	key := bearer(f.key(0))
	tests := []struct {
		name, method, path, version, auth string
		status                            int
		want                              string // data for 200, error.message otherwise (a prefix)
	}{
		{"test version picks its own row and auth", "GET", "/v2/bookings", testVersion, "", 200, "test list"},
		{"2024-08-13 still picks its row and auth", "GET", "/v2/bookings", version20240813, "", 403, ""},
		{"an operation only the test version has", "GET", "/v2/bookings/x/test-only", testVersion, "", 200, "test only"},
		{"2024-08-13 lacks the test-only operation", "GET", "/v2/bookings/x/test-only", version20240813, key, 404, "Cannot GET /v2/bookings/x/test-only"},
		{"a missing version does not reach the test-only operation", "GET", "/v2/bookings/x/test-only", "", key, 404, "Cannot GET /v2/bookings/x/test-only"},
		{"a served version without the operation: 404, no fallback to 2024-08-13", "POST", "/v2/bookings/x/cancel", testVersion, key, 404, "Cannot POST /v2/bookings/x/cancel"},
		{"a missing version on a legacy route: 400 naming the served versions", "POST", "/v2/bookings/x/cancel", "", key, 400, "calmock implements the bookings endpoints of cal-api-version " + strings.Join(f.srv.Versions(), ", ") + " only."},
		{"an unknown version on a legacy route: 400", "GET", "/v2/bookings", "2025-01-01", key, 400, "calmock implements"},
		{"an unknown version on a 2024-08-13-only route: 404", "PATCH", "/v2/bookings/x/location", "2025-01-01", key, 404, "Cannot PATCH /v2/bookings/x/location"},
		{"2024-09-04 matches no bookings controller", "GET", "/v2/bookings", version20240904, key, 404, "Cannot GET /v2/bookings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.doHeaders(t, tt.method, tt.path, nil, map[string]string{"cal-api-version": tt.version, "Authorization": tt.auth}).expect(t, tt.status)
			if tt.status == http.StatusOK {
				if got, _ := res.body["data"].(string); got != tt.want {
					t.Errorf("data = %v, want %q", res.body["data"], tt.want)
				}
				return
			}
			if got := res.errorMessage(t); !strings.HasPrefix(got, tt.want) {
				t.Errorf("message = %q, want it to start with %q", got, tt.want)
			}
		})
	}
	// The real list still answers 2024-08-13 with a key: the test row replaced nothing.
	if list := f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, 200); list.body["pagination"] == nil {
		t.Errorf("2024-08-13 list lost its pagination: %v", list.body)
	}

	// The profile claims both versions, each with its own operations.
	res := f.doHeaders(t, "GET", "/_calmock/profile", nil, nil).expect(t, 200)
	var prof struct {
		Versions map[string][]string `json:"versions"`
	}
	if err := json.Unmarshal(res.Body.Bytes(), &prof); err != nil {
		t.Fatal(err)
	}
	if got := prof.Versions[testVersion]; !slices.Equal(got, []string{"Test_getBookings", "Test_testOnly"}) {
		t.Errorf("profile versions[%s] = %v", testVersion, got)
	}
	if got := prof.Versions[version20240813]; !slices.Contains(got, "BookingsController_2024_08_13_getBookings") || slices.Contains(got, "Test_testOnly") {
		t.Errorf("profile versions[%s] = %v", version20240813, got)
	}
	if got := f.srv.Versions(); got[0] != version20240813 || got[len(got)-1] != testVersion {
		t.Errorf("Versions() = %v", got)
	}
}

// TestVersionTables_Consistent: each version's table registers a method and path, and an
// operation id, once; rows of the same method and path agree on the legacy controller (a
// fact about the path, not the version); the profile claims exactly the tables.
func TestVersionTables_Consistent(t *testing.T) {
	f := MustServer(t, Config{})
	date := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	legacy := map[[2]string]bool{}
	claims := f.srv.versionClaims()
	if len(claims) != len(f.srv.tables) {
		t.Errorf("profile claims %d versions, tables %d", len(claims), len(f.srv.tables))
	}
	for _, vt := range f.srv.tables {
		if !date.MatchString(vt.version) {
			t.Errorf("version %q is not YYYY-MM-DD", vt.version)
		}
		paths, ids := map[[2]string]bool{}, map[string]bool{}
		for _, rt := range vt.routes {
			k := [2]string{rt.method, rt.path}
			if paths[k] {
				t.Errorf("%s: %s %s registered twice", vt.version, rt.method, rt.path)
			}
			if ids[rt.operationID] {
				t.Errorf("%s: operation %s registered twice", vt.version, rt.operationID)
			}
			paths[k], ids[rt.operationID] = true, true
			if l, ok := legacy[k]; ok && l != rt.legacy {
				t.Errorf("%s: %s %s: legacy = %v, another version says %v", vt.version, rt.method, rt.path, rt.legacy, l)
			}
			legacy[k] = rt.legacy
			if !slices.Contains(claims[vt.version], rt.operationID) {
				t.Errorf("profile does not claim %s under %s", rt.operationID, vt.version)
			}
		}
	}
	if f.srv.Versions()[0] != version20240813 {
		t.Errorf("the first table is %s; the legacy 400 tells clients to send it, so it must be 2024-08-13", f.srv.Versions()[0])
	}
}
