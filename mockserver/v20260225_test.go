package mockserver

import (
	"testing"

	"github.com/calmock/calmock/profile"
)

// TestV20260225_Wire: the HTTP layer of 2026-02-25 only decodes and routes (the rules are
// tested in package booking): the overrides are booleans, 2024-08-13 refuses them, and
// request-reschedule answers {status: success} without data and cancels the booking.
func TestV20260225_Wire(t *testing.T) {
	f := MustServer(t, Config{})
	et := f.eventType(t, profile.KindPlain)
	v26 := map[string]string{"cal-api-version": version20260225, "Authorization": bearer(f.key(0))}
	body := createBody(et.ID, slot(2, 10), "v26@example.com")
	body["allowConflicts"] = "yes"
	if msg := f.doHeaders(t, "POST", "/v2/bookings", body, v26).expect(t, 400).body; msg == nil {
		t.Fatal("no body")
	}
	body["allowConflicts"] = true
	old := createBody(et.ID, slot(2, 10), "v24@example.com")
	old["allowConflicts"] = true
	f.doHeaders(t, "POST", "/v2/bookings", old, map[string]string{"cal-api-version": version20240813}).expect(t, 400)
	uid := f.doHeaders(t, "POST", "/v2/bookings", body, v26).expect(t, 201).data(t)["uid"].(string)

	res := f.doHeaders(t, "POST", "/v2/bookings/"+uid+"/request-reschedule", map[string]any{"rescheduleReason": "moved"}, v26).expect(t, 200)
	if len(res.body) != 1 || res.body["status"] != "success" {
		t.Errorf("request-reschedule answered %v", res.body)
	}
	got := f.doHeaders(t, "GET", "/v2/bookings/"+uid, nil, v26).expect(t, 200).data(t)
	if got["status"] != "cancelled" || got["cancellationReason"] != "moved" {
		t.Errorf("after request-reschedule: %v", got)
	}
	f.doHeaders(t, "POST", "/v2/bookings/"+uid+"/request-reschedule", nil, v26).expect(t, 400)
	f.doHeaders(t, "POST", "/v2/bookings/"+uid+"/request-reschedule", nil, map[string]string{"cal-api-version": version20240813, "Authorization": bearer(f.key(0))}).expect(t, 404)
	f.doHeaders(t, "POST", "/v2/bookings/"+uid+"/request-reschedule", nil, map[string]string{"cal-api-version": version20260225}).expect(t, 403) // PermissionsGuard, as elsewhere
}
