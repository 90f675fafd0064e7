package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestMain_Webhook runs the real wiring with -webhook: a booking created through the API
// reaches the receiver, signed with -webhook-secret.
func TestMain_Webhook(t *testing.T) {
	type hit struct {
		body []byte
		sig  string
	}
	hits := make(chan hit, 8)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hits <- hit{body, r.Header.Get("X-Cal-Signature-256")}
	}))
	defer recv.Close()
	base, _, stop := startMain(t, "-webhook", recv.URL+"/hooks", "-webhook-secret", "s3cret", "-rate-limit", "0")
	defer stop()

	start := time.Now().UTC().AddDate(0, 0, 90).Truncate(24 * time.Hour).Add(10 * time.Hour).Format(time.RFC3339)
	req, _ := http.NewRequest("POST", base+"/v2/bookings", strings.NewReader(`{"start":"`+start+`","eventTypeId":1,"attendee":{"name":"Ada","email":"ada@example.com","timeZone":"UTC"}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("cal-api-version", "2024-08-13")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d", res.StatusCode)
	}
	select {
	case h := <-hits:
		m := hmac.New(sha256.New, []byte("s3cret"))
		m.Write(h.body)
		if h.sig != hex.EncodeToString(m.Sum(nil)) {
			t.Errorf("signature %q does not verify", h.sig)
		}
		var body struct {
			TriggerEvent string `json:"triggerEvent"`
		}
		if err := json.Unmarshal(h.body, &body); err != nil || body.TriggerEvent != "BOOKING_CREATED" {
			t.Errorf("triggerEvent %q (%v)", body.TriggerEvent, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no webhook delivered")
	}
}

func TestMain_WebhookFlagsChecked(t *testing.T) {
	for _, args := range [][]string{
		{"-webhook", "ftp://example.com/x"},
		{"-webhook", "not a url"},
		{"-webhook-allow", "bad host:1"},
		{"-webhook-allow", "10.0.0.0/99"},
	} {
		if err := NewMain(io.Discard, io.Discard).ParseFlags(args); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	if err := NewMain(io.Discard, io.Discard).ParseFlags([]string{"-webhook", "http://127.0.0.1:9/h", "-webhook-allow", "hooks.test, 10.0.0.0/8"}); err != nil {
		t.Errorf("valid webhook flags refused: %v", err)
	}
}
