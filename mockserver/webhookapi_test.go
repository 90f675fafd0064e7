package mockserver

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/calmock/calmock/profile"
)

func hookBody(url string) map[string]any {
	return map[string]any{"active": true, "subscriberUrl": url, "triggers": []any{"BOOKING_CREATED", "BOOKING_CANCELLED"}}
}

// validationProperties lists the properties of a lenient 400's ValidationErrors with the
// names of their constraints.
func validationProperties(t *testing.T, r response) map[string][]string {
	t.Helper()
	details, _ := r.body["error"].(map[string]any)["details"].(map[string]any)
	errs, _ := details["errors"].([]any)
	out := map[string][]string{}
	for _, e := range errs {
		m := e.(map[string]any)
		var names []string
		for k := range m["constraints"].(map[string]any) {
			names = append(names, k)
		}
		out[m["property"].(string)] = names
	}
	return out
}

func TestWebhookAPI_UserWebhooks(t *testing.T) {
	f := MustServer(t, Config{})
	owner, other := f.key(0), f.key(1)

	// Create: 201, the uuid id, the secret as set, payloadTemplate null.
	body := hookBody("http://127.0.0.1:9/a")
	body["secret"] = "whsec"
	body["unknown"] = "dropped"
	created := f.do(t, "POST", "/v2/webhooks", owner, body).expect(t, http.StatusCreated).data(t)
	id, _ := created["id"].(string)
	if len(id) != 36 || created["userId"] != float64(f.prof.Users[0].ID) || created["secret"] != "whsec" ||
		created["payloadTemplate"] != nil || created["active"] != true || created["subscriberUrl"] != "http://127.0.0.1:9/a" {
		t.Fatalf("created %v", created)
	}
	if _, ok := created["eventTypeId"]; ok {
		t.Errorf("a user webhook has eventTypeId: %v", created)
	}
	if _, ok := created["unknown"]; ok {
		t.Errorf("an unknown property came back: %v", created)
	}

	// The same subscriber URL again: 409 (user-webhooks.service.ts).
	r := f.do(t, "POST", "/v2/webhooks", owner, hookBody("http://127.0.0.1:9/a")).expect(t, http.StatusConflict)
	if m := r.errorMessage(t); m != "Webhook with this subscriber url already exists for this user" {
		t.Errorf("409 message %q", m)
	}

	// Validation: active, subscriberUrl and triggers are required; triggers are the enum.
	r = f.do(t, "POST", "/v2/webhooks", owner, map[string]any{"payloadTemplate": 5}).expect(t, http.StatusBadRequest)
	got := validationProperties(t, r)
	for _, p := range []string{"payloadTemplate", "active", "subscriberUrl", "triggers"} {
		if _, ok := got[p]; !ok {
			t.Errorf("no validation error for %s: %v", p, got)
		}
	}
	if len(got["triggers"]) != 2 {
		t.Errorf("triggers missing fails isArray and isEnum, got %v", got["triggers"])
	}
	r = f.do(t, "POST", "/v2/webhooks", owner, map[string]any{"active": true, "subscriberUrl": "http://127.0.0.1:9/b", "triggers": []any{"BOOKING_CONFIRMED"}}).expect(t, http.StatusBadRequest)
	if !strings.Contains(r.Body.String(), "each value in triggers must be one of the following values: BOOKING_CREATED, ") {
		t.Errorf("unknown trigger: %s", r.Body.String())
	}

	// Get, list (paged), update (only what was sent), delete.
	if g := f.do(t, "GET", "/v2/webhooks/"+id, owner, nil).expect(t, http.StatusOK).data(t); g["id"] != id {
		t.Fatalf("get %v", g)
	}
	f.do(t, "POST", "/v2/webhooks", owner, hookBody("http://127.0.0.1:9/c")).expect(t, http.StatusCreated)
	if l := f.do(t, "GET", "/v2/webhooks", owner, nil).expect(t, http.StatusOK).list(t); len(l) != 2 || l[0]["id"] != id {
		t.Fatalf("list %v", l)
	}
	if l := f.do(t, "GET", "/v2/webhooks?skip=1&take=1", owner, nil).expect(t, http.StatusOK).list(t); len(l) != 1 || l[0]["subscriberUrl"] != "http://127.0.0.1:9/c" {
		t.Fatalf("second page %v", l)
	}
	r = f.do(t, "GET", "/v2/webhooks?take=251", owner, nil).expect(t, http.StatusBadRequest)
	if got := validationProperties(t, r); len(got["take"]) != 1 {
		t.Errorf("take=251: %v", got)
	}
	if l := f.do(t, "GET", "/v2/webhooks", other, nil).expect(t, http.StatusOK).list(t); len(l) != 0 {
		t.Fatalf("another user lists %v", l)
	}
	u := f.do(t, "PATCH", "/v2/webhooks/"+id, owner, map[string]any{"active": false}).expect(t, http.StatusOK).data(t)
	if u["active"] != false || u["secret"] != "whsec" || len(u["triggers"].([]any)) != 2 {
		t.Fatalf("updated %v", u)
	}
	r = f.do(t, "PATCH", "/v2/webhooks/"+id, owner, map[string]any{"active": "no"}).expect(t, http.StatusBadRequest)
	if got := validationProperties(t, r); len(got) != 1 || len(got["active"]) != 1 {
		t.Errorf("PATCH active \"no\": %v", got)
	}

	// Another user's webhook: 403 "Forbidden resource", before the body is validated; an
	// unknown one 404.
	for _, m := range []string{"GET", "PATCH", "DELETE"} {
		r := f.do(t, m, "/v2/webhooks/"+id, other, map[string]any{"active": "not checked"}).expect(t, http.StatusForbidden)
		if msg := r.errorMessage(t); msg != "Forbidden resource" {
			t.Errorf("%s of another's webhook: %q", m, msg)
		}
	}
	r = f.do(t, "GET", "/v2/webhooks/nope", owner, nil).expect(t, http.StatusNotFound)
	if msg := r.errorMessage(t); msg != "Webhook (nope) not found" {
		t.Errorf("404 message %q", msg)
	}
	d := f.do(t, "DELETE", "/v2/webhooks/"+id, owner, nil).expect(t, http.StatusOK).data(t)
	if d["id"] != id || d["active"] != false {
		t.Fatalf("deleted %v", d)
	}
	f.do(t, "GET", "/v2/webhooks/"+id, owner, nil).expect(t, http.StatusNotFound)

	// No credentials: the strategy's 401, as no PermissionsGuard comes first (§3.3).
	r = f.do(t, "GET", "/v2/webhooks", "", nil).expect(t, http.StatusUnauthorized)
	if m := r.errorMessage(t); m != msgNoAuthMethod {
		t.Errorf("no credentials: %q", m)
	}
	f.doHeaders(t, "GET", "/v2/webhooks", nil, map[string]string{"x-cal-client-id": "c"}).expect(t, http.StatusUnauthorized)
}

func TestWebhookAPI_EventTypeWebhooks(t *testing.T) {
	f := MustServer(t, Config{})
	owner, other := f.key(0), f.key(1)
	plain := f.eventType(t, profile.KindPlain)
	base := "/v2/event-types/" + strconv.Itoa(plain.ID) + "/webhooks"

	created := f.do(t, "POST", base, owner, hookBody("http://127.0.0.1:9/et")).expect(t, http.StatusCreated).data(t)
	id := created["id"].(string)
	if created["eventTypeId"] != float64(plain.ID) || created["secret"] != nil {
		t.Fatalf("created %v", created)
	}
	if _, ok := created["userId"]; ok {
		t.Errorf("an event type webhook has userId: %v", created)
	}
	r := f.do(t, "POST", base, owner, hookBody("http://127.0.0.1:9/et")).expect(t, http.StatusConflict)
	if m := r.errorMessage(t); m != "Webhook with this subscriber url already exists for this event type" {
		t.Errorf("409 message %q", m)
	}

	// The guard: not the owner (403), an unknown event type (404), a team event type (403),
	// a user webhook under an event type (400), then ParseIntPipe (400).
	msg := func(r response) string { return r.errorMessage(t) }
	if m := msg(f.do(t, "GET", base, other, nil).expect(t, http.StatusForbidden)); m != "IsUserEventTypeWebhookGuard - User ("+strconv.Itoa(f.prof.Users[1].ID)+") is not the owner of event type ("+strconv.Itoa(plain.ID)+")" {
		t.Errorf("not the owner: %q", m)
	}
	if m := msg(f.do(t, "GET", "/v2/event-types/99999/webhooks", owner, nil).expect(t, http.StatusNotFound)); m != "IsUserEventTypeWebhookGuard - Event type (99999) not found" {
		t.Errorf("unknown event type: %q", m)
	}
	rr := f.eventType(t, profile.KindRoundRobin)
	f.do(t, "POST", "/v2/event-types/"+strconv.Itoa(rr.ID)+"/webhooks", owner, hookBody("http://127.0.0.1:9/rr")).expect(t, http.StatusForbidden)
	userHook := f.do(t, "POST", "/v2/webhooks", owner, hookBody("http://127.0.0.1:9/u")).expect(t, http.StatusCreated).data(t)["id"].(string)
	if m := msg(f.do(t, "GET", base+"/"+userHook, owner, nil).expect(t, http.StatusBadRequest)); m != "IsUserEventTypeWebhookGuard - Webhook ("+userHook+") is not associated with an event type" {
		t.Errorf("user webhook under an event type: %q", m)
	}
	if m := msg(f.do(t, "GET", "/v2/webhooks/"+id, owner, nil).expect(t, http.StatusForbidden)); m != "Forbidden resource" {
		t.Errorf("event type webhook under /v2/webhooks: %q", m)
	}
	if m := msg(f.do(t, "GET", "/v2/event-types/abc/webhooks", owner, nil).expect(t, http.StatusBadRequest)); m != "Validation failed (numeric string is expected)" {
		t.Errorf("non-numeric event type id: %q", m)
	}

	// Get, list, update, delete one, delete all.
	f.do(t, "GET", base+"/"+id, owner, nil).expect(t, http.StatusOK)
	f.do(t, "POST", base, owner, hookBody("http://127.0.0.1:9/et2")).expect(t, http.StatusCreated)
	if l := f.do(t, "GET", base, owner, nil).expect(t, http.StatusOK).list(t); len(l) != 2 {
		t.Fatalf("list %v", l)
	}
	u := f.do(t, "PATCH", base+"/"+id, owner, map[string]any{"payloadTemplate": `{"t":"{{title}}"}`}).expect(t, http.StatusOK).data(t)
	if u["payloadTemplate"] != `{"t":"{{title}}"}` {
		t.Fatalf("updated %v", u)
	}
	f.do(t, "DELETE", base+"/"+id, owner, nil).expect(t, http.StatusOK)
	r = f.do(t, "DELETE", base, owner, nil).expect(t, http.StatusOK)
	if r.body["data"] != "1 webhooks deleted" {
		t.Fatalf("delete all: %s", r.Body.String())
	}
	if l := f.do(t, "GET", base, owner, nil).expect(t, http.StatusOK).list(t); len(l) != 0 {
		t.Fatalf("after delete all: %v", l)
	}
}

// TestWebhookAPI_AnyVersion: the webhook controllers are registered for every
// cal-api-version, so any header, or none, reaches them (unlike the bookings routes).
func TestWebhookAPI_AnyVersion(t *testing.T) {
	f := MustServer(t, Config{})
	for i, v := range []string{"", "2024-08-13", "2024-09-04", "2026-02-25", "2026-05-01", "2024-04-15", "garbage"} {
		r := f.doHeaders(t, "POST", "/v2/webhooks", hookBody("http://127.0.0.1:9/v"+strconv.Itoa(i)),
			map[string]string{"cal-api-version": v, "Authorization": bearer(f.key(0))})
		r.expect(t, http.StatusCreated)
		f.doHeaders(t, "GET", "/v2/webhooks", nil, map[string]string{"cal-api-version": v, "Authorization": bearer(f.key(0))}).expect(t, http.StatusOK)
	}
}
