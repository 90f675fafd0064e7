package mockserver

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/calmock/calmock/profile"
)

func TestDiscovery_Me(t *testing.T) {
	f := MustServer(t, Config{})
	// MeController is registered for every version: with any header or none it answers.
	for _, v := range []string{"", "2024-08-13", "2024-06-14", "nonsense"} {
		r := f.doHeaders(t, "GET", "/v2/me", nil, map[string]string{"cal-api-version": v, "Authorization": bearer(f.key(1))}).expect(t, http.StatusOK)
		d := r.data(t)
		u := f.prof.Users[1]
		if d["id"] != float64(u.ID) || d["email"] != u.Email || d["username"] != u.Username || d["timeZone"] != u.TimeZone {
			t.Errorf("version %q: /v2/me = %v, want user %+v", v, d, u)
		}
		if _, ok := d["organizationId"]; !ok || d["organizationId"] != nil {
			t.Errorf("organizationId = %v, want null", d["organizationId"])
		}
	}
	f.do(t, "GET", "/v2/me", "", nil).expect(t, http.StatusForbidden)
	f.do(t, "GET", "/v2/me", "cal_unknown", nil).expect(t, http.StatusUnauthorized)
}

func TestDiscovery_EventTypes(t *testing.T) {
	f := MustServer(t, Config{})
	get := func(path, key, version string) response {
		return f.doHeaders(t, "GET", path, nil, map[string]string{"cal-api-version": version, "Authorization": bearer(key)})
	}
	list := get("/v2/event-types", f.key(0), "2024-06-14").expect(t, http.StatusOK).list(t)
	bySlug := map[string]map[string]any{}
	for _, et := range list {
		bySlug[et["slug"].(string)] = et
		if et["ownerId"] != float64(f.prof.Users[0].ID) {
			t.Errorf("%v: ownerId %v, want the caller's", et["slug"], et["ownerId"])
		}
	}
	for _, kind := range []string{profile.KindPlain, profile.KindRequiresConfirmation, profile.KindSeated, profile.KindRecurring, profile.KindVariableLength} {
		want := f.eventType(t, kind)
		got, ok := bySlug[want.Slug]
		if !ok || got["id"] != float64(want.ID) || got["lengthInMinutes"] != float64(want.LengthInMinutes) {
			t.Errorf("%s: listed %v, want id %d", kind, got, want.ID)
		}
	}
	if s := bySlug[f.eventType(t, profile.KindSeated).Slug]["seats"].(map[string]any); s["seatsPerTimeSlot"] != float64(f.eventType(t, profile.KindSeated).SeatsPerTimeSlot) {
		t.Errorf("seats = %v", s)
	}
	if r := bySlug[f.eventType(t, profile.KindRecurring).Slug]["recurrence"].(map[string]any); r["frequency"] != "weekly" || r["occurrences"] != float64(3) {
		t.Errorf("recurrence = %v", r)
	}
	if c := bySlug[f.eventType(t, profile.KindRequiresConfirmation).Slug]["confirmationPolicy"].(map[string]any); c["type"] != "always" {
		t.Errorf("confirmationPolicy = %v", c)
	}
	if c := bySlug[f.eventType(t, profile.KindPlain).Slug]["confirmationPolicy"].(map[string]any); c["disabled"] != true {
		t.Errorf("plain confirmationPolicy = %v", c)
	}
	// The second user sees their own, not the owner's.
	for _, et := range get("/v2/event-types", f.key(1), "2024-06-14").expect(t, http.StatusOK).list(t) {
		if et["ownerId"] != float64(f.prof.Users[1].ID) {
			t.Errorf("second user's list has %v", et)
		}
	}
	// Only 2024-06-14's controller: the legacy fallback gets the mock's 400, a valid other
	// version a 404.
	r := get("/v2/event-types", f.key(0), "").expect(t, http.StatusBadRequest)
	if msg := r.errorMessage(t); !strings.Contains(msg, "2024-06-14") {
		t.Errorf("legacy version message %q does not name 2024-06-14", msg)
	}
	get("/v2/event-types", f.key(0), "2024-08-13").expect(t, http.StatusNotFound)
	get("/v2/event-types?orgId=abc", f.key(0), "2024-06-14").expect(t, http.StatusBadRequest)
	// By username, anonymous: that user's; an unknown user or no one: an empty list.
	plain := f.eventType(t, profile.KindPlain)
	one := get("/v2/event-types?username="+plain.OwnerUsername+"&eventSlug="+plain.Slug, "", "2024-06-14").expect(t, http.StatusOK).list(t)
	if len(one) != 1 || one[0]["id"] != float64(plain.ID) {
		t.Errorf("by username and slug: %v, want event type %d", one, plain.ID)
	}
	for _, q := range []string{"?username=nobody-at-all", "", "?usernames=a,b"} {
		if l := get("/v2/event-types"+q, "", "2024-06-14").expect(t, http.StatusOK).list(t); len(l) != 0 {
			t.Errorf("anonymous %q: %v, want an empty list", q, l)
		}
	}
}

func TestDiscovery_Teams(t *testing.T) {
	f := MustServer(t, Config{})
	rr := f.eventType(t, profile.KindRoundRobin)
	teams := f.do(t, "GET", "/v2/teams", f.key(0), nil).expect(t, http.StatusOK).list(t)
	if len(teams) != 1 || teams[0]["slug"] != rr.TeamSlug {
		t.Fatalf("owner's teams = %v, want the team %q", teams, rr.TeamSlug)
	}
	path := fmt.Sprintf("/v2/teams/%v/event-types", teams[0]["id"])
	ets := f.do(t, "GET", path, f.key(0), nil).expect(t, http.StatusOK).list(t)
	if len(ets) != 1 || ets[0]["id"] != float64(rr.ID) || ets[0]["schedulingType"] != "roundRobin" {
		t.Fatalf("team event types = %v", ets)
	}
	var hosts []int
	for _, h := range ets[0]["hosts"].([]any) {
		hosts = append(hosts, int(h.(map[string]any)["userId"].(float64)))
	}
	if !slices.Equal(hosts, rr.HostUserIDs) {
		t.Errorf("hosts %v, want %v", hosts, rr.HostUserIDs)
	}
	// The second user is no member: no teams, and 403 on the team's event types.
	if teams := f.do(t, "GET", "/v2/teams", f.key(1), nil).expect(t, http.StatusOK).list(t); len(teams) != 0 {
		t.Errorf("second user's teams = %v", teams)
	}
	r := f.do(t, "GET", path, f.key(1), nil).expect(t, http.StatusForbidden)
	if !strings.Contains(r.errorMessage(t), "not a member of the team") {
		t.Errorf("message %q", r.errorMessage(t))
	}
	f.do(t, "GET", "/v2/teams/abc/event-types", f.key(0), nil).expect(t, http.StatusBadRequest)
}

// TestDiscovery_FaultByOperation: a fault names a discovery read by its operation id, and
// only the versions its controller serves reach it.
func TestDiscovery_FaultByOperation(t *testing.T) {
	f := MustServer(t, Config{})
	f.addFault(t, map[string]any{"operationId": "EventTypesController_2024_06_14_getEventTypes", "status": 503})
	get := func(version string) response {
		return f.doHeaders(t, "GET", "/v2/event-types", nil, map[string]string{"cal-api-version": version, "Authorization": bearer(f.key(0))})
	}
	get("2024-06-14").expect(t, http.StatusServiceUnavailable)
	get("2024-08-13").expect(t, http.StatusNotFound) // no such operation under that version
	f.do(t, "GET", "/v2/me", f.key(0), nil).expect(t, http.StatusOK)
}

// TestDiscovery_InSandbox: a sandbox of another seed answers the discovery reads from its
// own world, through the shared router.
func TestDiscovery_InSandbox(t *testing.T) {
	f := MustServer(t, Config{})
	sb := f.registry(t, SandboxLimits{Max: 2}, nil).sandbox(t, map[string]any{"seed": 99})
	if sb.key(0) == f.key(0) {
		t.Fatal("the sandbox of another seed has the same keys; the test proves nothing")
	}
	d := sb.do(t, "GET", "/v2/me", sb.key(0), nil).expect(t, http.StatusOK).data(t)
	if d["email"] != sb.prof.Users[0].Email {
		t.Errorf("sandbox /v2/me = %v, want its own first user %s", d, sb.prof.Users[0].Email)
	}
	sb.do(t, "GET", "/v2/me", f.key(0), nil).expect(t, http.StatusUnauthorized)
}
