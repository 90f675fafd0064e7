package mockserver

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/fixtures"
	"github.com/calmock/calmock/profile"
	"github.com/calmock/calmock/webhook"
)

// hookReceiver is a subscriber that checks every signature with its own HMAC-SHA256 and
// answers 401 to a wrong one, so a delivery's status code says whether it verified.
func hookReceiver(t *testing.T, secret string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		want := hex.EncodeToString(m.Sum(nil))
		if !hmac.Equal([]byte(r.Header.Get("X-Cal-Signature-256")), []byte(want)) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// putWebhook stores w in srv's store, as a fixtures file would.
func putWebhook(t *testing.T, srv *Server, w webhook.Subscription) {
	t.Helper()
	if err := srv.store.Update(context.Background(), func(tx booking.Tx) error { tx.PutWebhook(w); return nil }); err != nil {
		t.Fatal(err)
	}
}

func TestWebhooks_EndToEnd(t *testing.T) {
	const secret = "whsec-test"
	recv := hookReceiver(t, secret)
	ownerURL, rrURL := recv.URL+"/owner", recv.URL+"/rr"
	f := MustServer(t, Config{Webhooks: []webhook.Subscription{
		{ID: "owner", UserID: 1, SubscriberURL: ownerURL, Active: true, Triggers: webhook.BookingTriggers, Secret: secret},
	}})
	rr := f.eventType(t, profile.KindRoundRobin)
	// The round-robin booking may go to either host: an event-type webhook sees it anyway.
	// (Not through the API: a team event type's webhooks are not a user's to manage there.)
	putWebhook(t, f.srv, webhook.Subscription{ID: "rr", EventTypeID: rr.ID, SubscriberURL: rrURL, Active: true, Triggers: webhook.BookingTriggers, Secret: secret})
	t.Cleanup(func() {
		if err := f.srv.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})

	// next waits for the next delivery to url and checks it verified and is about uid.
	next := func(url string, trigger webhook.Trigger, uid string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		d, err := f.srv.Webhooks().Next(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		if d.Trigger != trigger || d.StatusCode != http.StatusOK || d.State != webhook.StateDelivered {
			t.Fatalf("delivery %d to %s: trigger %s status %d state %s error %q, want %s delivered with 200", d.ID, url, d.Trigger, d.StatusCode, d.State, d.LastError, trigger)
		}
		var body struct {
			TriggerEvent string `json:"triggerEvent"`
			Payload      struct {
				UID string `json:"uid"`
			} `json:"payload"`
		}
		if err := json.Unmarshal([]byte(d.Body), &body); err != nil || body.TriggerEvent != string(trigger) || body.Payload.UID != uid {
			t.Fatalf("delivery %d body: trigger %q uid %q (%v), want %s for %s", d.ID, body.TriggerEvent, body.Payload.UID, err, trigger, uid)
		}
	}
	owner := f.key(0)
	plain := f.eventType(t, profile.KindPlain)
	confirm := f.eventType(t, profile.KindRequiresConfirmation)
	uidOf := func(r response) string { return r.data(t)["uid"].(string) }

	// create → reschedule → cancel
	b := uidOf(f.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(1, 10), "ada@example.com")).expect(t, http.StatusCreated))
	next(ownerURL, webhook.BookingCreated, b)
	nb := uidOf(f.do(t, "POST", "/v2/bookings/"+b+"/reschedule", owner, map[string]any{"start": slot(2, 10)}).expect(t, http.StatusCreated))
	next(ownerURL, webhook.BookingRescheduled, nb)
	f.do(t, "POST", "/v2/bookings/"+nb+"/cancel", owner, map[string]any{"cancellationReason": "done"}).expect(t, http.StatusOK)
	next(ownerURL, webhook.BookingCancelled, nb)

	// create pending → confirm; create pending → decline
	p := uidOf(f.do(t, "POST", "/v2/bookings", "", createBody(confirm.ID, slot(3, 10), "ada@example.com")).expect(t, http.StatusCreated))
	next(ownerURL, webhook.BookingRequested, p)
	f.do(t, "POST", "/v2/bookings/"+p+"/confirm", owner, nil).expect(t, http.StatusOK)
	next(ownerURL, webhook.BookingCreated, p)
	d := uidOf(f.do(t, "POST", "/v2/bookings", "", createBody(confirm.ID, slot(4, 10), "ada@example.com")).expect(t, http.StatusCreated))
	next(ownerURL, webhook.BookingRequested, d)
	f.do(t, "POST", "/v2/bookings/"+d+"/decline", owner, map[string]any{"reason": "busy"}).expect(t, http.StatusOK)
	next(ownerURL, webhook.BookingRejected, d)

	// reassign fires nothing: the delivery after it is the cancel's.
	r := uidOf(f.do(t, "POST", "/v2/bookings", "", createBody(rr.ID, slot(5, 10), "ada@example.com")).expect(t, http.StatusCreated))
	next(rrURL, webhook.BookingCreated, r)
	f.do(t, "POST", "/v2/bookings/"+r+"/reassign", owner, nil).expect(t, http.StatusOK)
	f.do(t, "POST", "/v2/bookings/"+r+"/cancel", owner, map[string]any{"cancellationReason": "x"}).expect(t, http.StatusOK)
	next(rrURL, webhook.BookingCancelled, r)

	// The admin endpoint lists them, and DELETE forgets the finished ones.
	list := f.do(t, "GET", WebhookDeliveriesPath, "", nil).expect(t, http.StatusOK).list(t)
	if len(list) < 8 {
		t.Fatalf("%d deliveries listed, want at least 8", len(list))
	}
	for _, k := range []string{"subscriptionId", "trigger", "url", "statusCode", "attempts", "body"} {
		if _, ok := list[0][k]; !ok {
			t.Errorf("delivery has no %s: %v", k, list[0])
		}
	}
	f.do(t, "DELETE", WebhookDeliveriesPath, "", nil).expect(t, http.StatusOK)
	// Deliveries to the other subscribers may still be on their way: DELETE keeps those.
	kept := f.srv.Webhooks().Deliveries()
	for _, d := range kept {
		if d.Finished() {
			t.Errorf("finished delivery %+v kept after DELETE", d)
		}
	}
	if len(kept) >= len(list) {
		t.Errorf("%d deliveries kept after DELETE of %d", len(kept), len(list))
	}
}

func TestWebhooks_DeleteNeedsAdminToken(t *testing.T) {
	f := MustServer(t, Config{AdminToken: "s3cret"})
	f.do(t, "GET", WebhookDeliveriesPath, "", nil).expect(t, http.StatusOK)
	f.do(t, "DELETE", WebhookDeliveriesPath, "", nil).expect(t, http.StatusUnauthorized)
	f.do(t, "DELETE", WebhookDeliveriesPath, "s3cret", nil).expect(t, http.StatusOK)
}

// TestWebhooks_DispatcherOnlyWhenNeeded: a server without subscriptions makes no Dispatcher
// while it serves bookings and lists (empty) deliveries, so a sandbox does not pay for one;
// Webhooks() makes it, and Close closes it, so that a later delivery is refused.
func TestWebhooks_DispatcherOnlyWhenNeeded(t *testing.T) {
	f := MustServer(t, Config{})
	plain := f.eventType(t, profile.KindPlain)
	f.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(1, 10), "ada@example.com")).expect(t, http.StatusCreated)
	r := f.do(t, "GET", WebhookDeliveriesPath, "", nil).expect(t, http.StatusOK)
	if got := r.Body.String(); got != `{"status":"success","data":[]}` {
		t.Errorf("deliveries = %s, want an empty list", got)
	}
	if f.srv.dispatch.made() != nil {
		t.Fatal("a Dispatcher was made for a server with no webhook subscription")
	}
	d := f.srv.Webhooks()
	if d == nil || f.srv.dispatch.made() != d {
		t.Fatal("Webhooks() did not make the Dispatcher once")
	}
	if err := f.srv.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Enqueue(webhook.Job{}); err == nil {
		t.Error("the Dispatcher took a job after Close")
	}
}

// storedWebhooks lists the ids of the subscriptions in srv's store.
func storedWebhooks(t *testing.T, srv *Server) []string {
	t.Helper()
	var ids []string
	if err := srv.store.View(context.Background(), func(tx booking.Tx) error {
		for _, w := range tx.Webhooks() {
			ids = append(ids, w.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestWebhooks_InitialStateAndReset: the fixtures' webhooks and Config.Webhooks are the
// store's initial subscriptions; a reset puts exactly them back; a sandbox starts with its
// own copy, and what it subscribes stays its own.
func TestWebhooks_InitialStateAndReset(t *testing.T) {
	set, err := fixtures.Default(1, testNow)
	if err != nil {
		t.Fatal(err)
	}
	set.Webhooks = []booking.Webhook{{ID: "fx", UserID: set.Users[0].ID, SubscriberURL: "http://127.0.0.1:9/fx", Active: true, Triggers: webhook.BookingTriggers}}
	f := MustServer(t, Config{Fixtures: set, Webhooks: []webhook.Subscription{{ID: "flag", UserID: set.Users[1].ID, SubscriberURL: "http://127.0.0.1:9/flag", Active: true, Triggers: webhook.BookingTriggers}}})
	want := []string{"fx", "flag"}
	if got := storedWebhooks(t, f.srv); !slices.Equal(got, want) {
		t.Fatalf("initial webhooks %v, want %v", got, want)
	}
	putWebhook(t, f.srv, webhook.Subscription{ID: "added", UserID: set.Users[0].ID, SubscriberURL: "http://127.0.0.1:9/x", Active: true})
	sb, err := f.srv.NewSandbox(SandboxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := storedWebhooks(t, sb); !slices.Equal(got, want) {
		t.Fatalf("sandbox starts with %v, want %v", got, want)
	}
	putWebhook(t, sb, webhook.Subscription{ID: "sandboxed", UserID: set.Users[0].ID, SubscriberURL: "http://127.0.0.1:9/s", Active: true})
	if got := storedWebhooks(t, f.srv); !slices.Equal(got, []string{"fx", "flag", "added"}) {
		t.Fatalf("server webhooks %v after a sandbox subscribed", got)
	}
	f.do(t, "POST", ResetPath, "", nil).expect(t, http.StatusOK)
	if got := storedWebhooks(t, f.srv); !slices.Equal(got, want) {
		t.Fatalf("after reset %v, want %v", got, want)
	}
}
