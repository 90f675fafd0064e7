package conformance

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// hookTarget is a fake API with webhook subscriptions: POST /v2/webhooks keeps the
// subscription, POST /v2/bookings answers 201 and sends the deliveries send makes of the
// subscription (URL, secret), DELETE /v2/webhooks/{id} forgets it. It counts the deletes.
type hookTarget struct {
	mu      sync.Mutex
	url     string
	secret  string
	deleted int
}

// sign is the signature a delivery of body carries (behaviour §10).
func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func (h *hookTarget) serve(t *testing.T, send func(url, secret string) []*http.Request) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "11111111-1111-4111-8111-111111111111")
		w.Header().Set("X-RateLimit-Limit-Default", "120")
		w.Header().Set("X-RateLimit-Remaining-Default", "119")
		w.Header().Set("X-RateLimit-Reset-Default", "60")
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v2/webhooks":
			var in struct {
				SubscriberURL string `json:"subscriberUrl"`
				Secret        string `json:"secret"`
			}
			_ = json.NewDecoder(r.Body).Decode(&in)
			h.mu.Lock()
			h.url, h.secret = in.SubscriberURL, in.Secret
			h.mu.Unlock()
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"status":"success","data":{"id":41}}`))
		case r.Method == http.MethodDelete && r.URL.Path == "/v2/webhooks/41":
			h.mu.Lock()
			h.deleted++
			h.mu.Unlock()
			_, _ = w.Write([]byte(`{"status":"success","data":{"id":41}}`))
		case r.Method == http.MethodPost && r.URL.Path == "/v2/bookings":
			h.mu.Lock()
			url, secret := h.url, h.secret
			h.mu.Unlock()
			// Delivered before the answer, as a fast platform might: the runner must not
			// depend on the order of the two.
			for _, req := range send(url, secret) {
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Errorf("delivery: %v", err)
					continue
				}
				resp.Body.Close()
			}
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"status":"success","data":{"uid":"u-1"}}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"status":"error","error":{"code":"NotFoundException","message":"no"}}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// post is one delivery of trigger to url, signed with secret unless sig is given.
func post(t *testing.T, url, secret, trigger, uid, sig string) *http.Request {
	body, _ := json.Marshal(map[string]any{"triggerEvent": trigger, "createdAt": "2031-01-06T10:00:00.000Z", "payload": map[string]any{"uid": uid, "status": "ACCEPTED"}})
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if sig == "" {
		sig = sign(secret, body)
	}
	req.Header.Set(SignatureHeader, sig)
	req.Header.Set("Content-Type", "application/json")
	return req
}

const webhookScenario = `name: t
description: d
features: [webhooks]
webhook: {triggers: [BOOKING_CREATED, BOOKING_CANCELLED]}
steps:
  - name: create
    request: {method: POST, path: /v2/bookings, body: {start: x}}
    expect:
      status: 201
      webhooks:
        - trigger: BOOKING_CREATED
          json: {payload.uid: "{{uid}}", payload.status: ACCEPTED}
    capture: {uid: data.uid}
`

// TestRun_Webhooks: the runner subscribes its receiver, checks each delivery's trigger,
// signature and body, reports a missing or unexpected one, and always unsubscribes.
func TestRun_Webhooks(t *testing.T) {
	tests := []struct {
		name string
		send func(t *testing.T, url, secret string) []*http.Request
		want string // substring of the failures; "" = passes
	}{
		{name: "OK", send: func(t *testing.T, url, secret string) []*http.Request {
			return []*http.Request{post(t, url, secret, "BOOKING_CREATED", "u-1", "")}
		}},
		{name: "BadSignature", send: func(t *testing.T, url, secret string) []*http.Request {
			return []*http.Request{post(t, url, secret, "BOOKING_CREATED", "u-1", "no-secret-provided")}
		}, want: `t / create: webhook webhooks[0] X-Cal-Signature-256: expected the HMAC-SHA256`},
		{name: "WrongTrigger", send: func(t *testing.T, url, secret string) []*http.Request {
			return []*http.Request{post(t, url, secret, "BOOKING_CANCELLED", "u-1", "")}
		}, want: "webhook webhooks[0] triggerEvent: expected BOOKING_CREATED, got BOOKING_CANCELLED"},
		{name: "WrongBody", send: func(t *testing.T, url, secret string) []*http.Request {
			return []*http.Request{post(t, url, secret, "BOOKING_CREATED", "u-2", "")}
		}, want: `webhook webhooks[0] payload.uid: expected "u-1", got "u-2"`},
		{name: "Missing", send: func(*testing.T, string, string) []*http.Request { return nil },
			want: "webhook webhooks[0]: expected a BOOKING_CREATED delivery, got none within 200ms"},
		{name: "Unexpected", send: func(t *testing.T, url, secret string) []*http.Request {
			return []*http.Request{post(t, url, secret, "BOOKING_CREATED", "u-1", ""), post(t, url, secret, "BOOKING_CANCELLED", "u-1", "")}
		}, want: "(after the last step): webhook webhooks: expected no delivery no step stated, got BOOKING_CANCELLED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &hookTarget{}
			srv := h.serve(t, func(url, secret string) []*http.Request { return tt.send(t, url, secret) })
			rc, err := NewReceiver("", "")
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			tg := &Target{BaseURL: srv.URL, Webhooks: rc, WebhookWait: 200 * time.Millisecond,
				Profile: map[string]any{"users": []any{map[string]any{"apiKey": "k"}}}}
			res := Run(context.Background(), tg, parse(t, webhookScenario))
			switch {
			case tt.want == "" && res.Outcome != Passed:
				t.Fatalf("outcome %s, want passed:\n%s", res.Outcome, res.Error())
			case tt.want != "" && !strings.Contains(res.Error(), tt.want):
				t.Fatalf("failures do not contain %q:\n%s", tt.want, res.Error())
			}
			if h.deleted != 1 {
				t.Errorf("the subscription was deleted %d times, want once", h.deleted)
			}
		})
	}
}

// TestRun_WebhooksUnreachableSkips: without a receiver (a remote target and no -webhook-url),
// a scenario that checks webhooks is skipped with the way out in the reason.
func TestRun_WebhooksUnreachableSkips(t *testing.T) {
	tg := &Target{BaseURL: "https://api.cal.com", Profile: map[string]any{"users": []any{map[string]any{"apiKey": "k"}}}}
	res := Run(context.Background(), tg, parse(t, webhookScenario))
	if res.Outcome != Skipped || !strings.Contains(res.SkipReason, "-webhook-url") {
		t.Fatalf("outcome %s (%s), want skipped naming -webhook-url", res.Outcome, res.SkipReason)
	}
	for base, want := range map[string]bool{"http://127.0.0.1:8080": true, "http://localhost:1": true, "http://[::1]:2": true, "https://api.cal.com": false, "http://10.0.0.5": false} {
		if got := reachableFrom(base); got != want {
			t.Errorf("reachableFrom(%s) = %v, want %v", base, got, want)
		}
	}
}
