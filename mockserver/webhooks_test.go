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
	"strings"
	"sync/atomic"
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

// delivered waits for the next delivery to url on srv, checks that it verified (the
// receiver answers 401 to a wrong signature) and returns its trigger and decoded body.
func delivered(t *testing.T, srv *Server, url string) (webhook.Trigger, map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := srv.Webhooks().Next(ctx, url)
	if err != nil {
		t.Fatalf("waiting for a delivery to %s: %v", url, err)
	}
	if d.StatusCode != http.StatusOK || d.State != webhook.StateDelivered {
		t.Fatalf("delivery %d to %s (%s): status %d state %s error %q", d.ID, url, d.Trigger, d.StatusCode, d.State, d.LastError)
	}
	var body struct {
		TriggerEvent string         `json:"triggerEvent"`
		Payload      map[string]any `json:"payload"`
	}
	if err := json.Unmarshal([]byte(d.Body), &body); err != nil || body.TriggerEvent != string(d.Trigger) {
		t.Fatalf("delivery %d body %q: %v", d.ID, d.Body, err)
	}
	return d.Trigger, body.Payload
}

// TestWebhooks_EndToEndMore: the rest of issue 18's sequences, to a subscription made with
// POST /v2/webhooks, each delivery's signature verified by the receiver: a recurring
// series created and cancelled (one webhook per occurrence), seats (a second seat, one seat
// cancelled: only its attendee), mark-absent (host only: nothing; with attendees: one).
func TestWebhooks_EndToEndMore(t *testing.T) {
	const secret = "whsec-api"
	recv := hookReceiver(t, secret)
	url := recv.URL + "/api"
	f := MustServer(t, Config{})
	t.Cleanup(func() { _ = f.srv.Close(context.Background()) })
	owner := f.key(0)
	body := hookBody(url)
	body["secret"] = secret
	body["triggers"] = []any{"BOOKING_CREATED", "BOOKING_CANCELLED", "BOOKING_NO_SHOW_UPDATED"}
	f.do(t, "POST", "/v2/webhooks", owner, body).expect(t, http.StatusCreated)

	// Recurring: one BOOKING_CREATED per occurrence, then one BOOKING_CANCELLED each.
	rec := f.eventType(t, profile.KindRecurring)
	series := f.do(t, "POST", "/v2/bookings", "", createBody(rec.ID, slot(1, 10), "ada@example.com")).expect(t, http.StatusCreated).body["data"].([]any)
	if len(series) < 2 {
		t.Fatalf("a recurring create made %d bookings", len(series))
	}
	var uids []string
	for _, b := range series {
		uids = append(uids, b.(map[string]any)["uid"].(string))
	}
	for _, uid := range uids {
		if tr, p := delivered(t, f.srv, url); tr != webhook.BookingCreated || p["uid"] != uid {
			t.Fatalf("recurring create: %s for %v, want BOOKING_CREATED for %s", tr, p["uid"], uid)
		}
	}
	f.do(t, "POST", "/v2/bookings/"+uids[0]+"/cancel", owner, map[string]any{"cancellationReason": "series", "cancelSubsequentBookings": true}).expect(t, http.StatusOK)
	cancelled := map[string]bool{}
	for range uids {
		tr, p := delivered(t, f.srv, url)
		if tr != webhook.BookingCancelled || p["status"] != "CANCELLED" {
			t.Fatalf("series cancel: %s status %v", tr, p["status"])
		}
		cancelled[p["uid"].(string)] = true
	}
	for _, uid := range uids {
		if !cancelled[uid] {
			t.Errorf("occurrence %s got no BOOKING_CANCELLED (got %v)", uid, cancelled)
		}
	}

	// Seats: the first seat, a second one (every attendee, attendeeSeatId), one cancelled.
	seated := f.eventType(t, profile.KindSeated)
	first := f.do(t, "POST", "/v2/bookings", "", createBody(seated.ID, slot(2, 10), "s1@example.com")).expect(t, http.StatusCreated).data(t)
	if tr, _ := delivered(t, f.srv, url); tr != webhook.BookingCreated {
		t.Fatalf("first seat: %s", tr)
	}
	second := f.do(t, "POST", "/v2/bookings", "", createBody(seated.ID, slot(2, 10), "s2@example.com")).expect(t, http.StatusCreated).data(t)
	tr, p := delivered(t, f.srv, url)
	if tr != webhook.BookingCreated || p["uid"] != first["uid"] || len(p["attendees"].([]any)) != 2 || p["attendeeSeatId"] != second["seatUid"] {
		t.Fatalf("second seat: %s uid %v attendees %v seat %v (want %v)", tr, p["uid"], p["attendees"], p["attendeeSeatId"], second["seatUid"])
	}
	f.do(t, "POST", "/v2/bookings/"+first["uid"].(string)+"/cancel", "", map[string]any{"seatUid": second["seatUid"]}).expect(t, http.StatusOK)
	tr, p = delivered(t, f.srv, url)
	atts, _ := p["attendees"].([]any)
	if tr != webhook.BookingCancelled || len(atts) != 1 || atts[0].(map[string]any)["email"] != "s2@example.com" {
		t.Fatalf("seat cancel: %s attendees %v, want BOOKING_CANCELLED for s2 only", tr, atts)
	}

	// Mark-absent: the host only fires nothing (the next delivery is the attendees' one).
	past, email := f.pastAccepted(t)
	f.do(t, "POST", "/v2/bookings/"+past+"/mark-absent", owner, map[string]any{"host": true}).expect(t, http.StatusOK)
	f.do(t, "POST", "/v2/bookings/"+past+"/mark-absent", owner, map[string]any{"attendees": []any{map[string]any{"email": email, "absent": true}}}).expect(t, http.StatusOK)
	tr, p = delivered(t, f.srv, url)
	noShow, _ := p["attendees"].([]any)
	if tr != webhook.BookingNoShowUpdated || p["bookingUid"] != past || len(noShow) != 1 || noShow[0].(map[string]any)["noShow"] != true {
		t.Fatalf("mark-absent: %s %v", tr, p)
	}

	// Every delivery is in the journal too, as an entry of kind webhook: each was awaited
	// above, and the journal has it before Next hands it out (Config.OnFinish).
	hooks := f.do(t, "GET", JournalPath+"?kind=webhook", "", nil).expect(t, http.StatusOK).list(t)
	if len(hooks) != 2*len(uids)+4 {
		t.Fatalf("%d webhook entries in the journal, want %d", len(hooks), 2*len(uids)+4)
	}
	h := hooks[0] // newest first
	w, _ := h["webhook"].(map[string]any)
	if h["kind"] != "webhook" || h["method"] != "POST" || h["path"] != url || h["status"] != float64(200) ||
		h["operation"] != "BOOKING_NO_SHOW_UPDATED" || w["state"] != "delivered" || w["attempts"] != float64(1) ||
		!strings.Contains(h["body"].(string), `"BOOKING_NO_SHOW_UPDATED"`) {
		t.Fatalf("journal webhook entry %v", h)
	}
	for _, e := range f.do(t, "GET", JournalPath+"?kind=request", "", nil).expect(t, http.StatusOK).list(t) {
		if e["kind"] != "request" {
			t.Fatalf("kind=request listed %v", e)
		}
	}
}

// TestWebhooks_SandboxesKeepTheirSubscriptions: a subscription made in one sandbox never
// hears of another sandbox's bookings.
func TestWebhooks_SandboxesKeepTheirSubscriptions(t *testing.T) {
	recv := hookReceiver(t, "box-secret")
	f := MustServer(t, Config{})
	boxes := make([]*fixture, 2)
	for i := range boxes {
		sb, err := f.srv.NewSandbox(SandboxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sb.Close(context.Background()) })
		boxes[i] = &fixture{srv: sb, clock: f.clock, prof: f.prof}
	}
	a, b := boxes[0], boxes[1]
	plain := f.eventType(t, profile.KindPlain)
	sub := hookBody(recv.URL + "/a")
	sub["secret"] = "box-secret"
	a.do(t, "POST", "/v2/webhooks", a.key(0), sub).expect(t, http.StatusCreated)

	// A booking in b: nobody in b subscribed, so nothing is planned there or anywhere.
	b.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(1, 10), "b@example.com")).expect(t, http.StatusCreated)
	if b.srv.dispatch.made() != nil || a.srv.dispatch.made() != nil {
		t.Fatal("a booking in a sandbox without subscriptions made a Dispatcher")
	}
	// A booking in a: its own subscription hears of it, and it is the only delivery.
	uid := a.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(1, 10), "a@example.com")).expect(t, http.StatusCreated).data(t)["uid"]
	_, p := delivered(t, a.srv, recv.URL+"/a")
	if p["uid"] != uid {
		t.Fatalf("sandbox a's subscription got %v, want its own booking %v", p["uid"], uid)
	}
	if n := len(a.srv.Webhooks().Deliveries()); n != 1 {
		t.Fatalf("sandbox a made %d deliveries, want 1", n)
	}
	if l := b.do(t, "GET", "/v2/webhooks", b.key(0), nil).expect(t, http.StatusOK).list(t); len(l) != 0 {
		t.Fatalf("sandbox b lists a's subscription: %v", l)
	}
}

// TestWebhooks_ReceiverFailsOrStalls, through the API: a failing receiver gets MaxAttempts
// attempts and no more, and a receiver that has not answered yet does not hold up the API
// call whose booking it hears of.
func TestWebhooks_ReceiverFailsOrStalls(t *testing.T) {
	arrived, release := make(chan struct{}, 8), make(chan struct{})
	var failing atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/fail" {
			failing.Add(1)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		arrived <- struct{}{}
		<-release
	}))
	t.Cleanup(srv.Close)
	f := MustServer(t, Config{WebhookDelivery: webhook.Config{MaxAttempts: 3,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}}) // no backoff wait in a test
	t.Cleanup(func() { _ = f.srv.Close(context.Background()) })
	plain := f.eventType(t, profile.KindPlain)

	f.do(t, "POST", "/v2/webhooks", f.key(0), hookBody(srv.URL+"/fail")).expect(t, http.StatusCreated)
	f.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(1, 10), "ada@example.com")).expect(t, http.StatusCreated)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := f.srv.Webhooks().Next(ctx, srv.URL+"/fail")
	if err != nil {
		t.Fatal(err)
	}
	if d.State != webhook.StateFailed || d.Attempts != 3 || d.StatusCode != http.StatusInternalServerError || failing.Load() != 3 {
		t.Fatalf("failing receiver: state %s, %d attempts (receiver saw %d), status %d", d.State, d.Attempts, failing.Load(), d.StatusCode)
	}

	// The stalled receiver answers only after the create has answered: had the API waited
	// for it, the create would hang until the delivery timed out, and the delivery fail.
	f.do(t, "POST", "/v2/webhooks", f.key(0), hookBody(srv.URL+"/stall")).expect(t, http.StatusCreated)
	f.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(2, 10), "ada@example.com")).expect(t, http.StatusCreated)
	select {
	case <-arrived:
	case <-ctx.Done():
		t.Fatal("the delivery to the stalled receiver never arrived")
	}
	close(release)
	if d, err := f.srv.Webhooks().Next(ctx, srv.URL+"/stall"); err != nil || d.State != webhook.StateDelivered {
		t.Fatalf("stalled receiver: %+v, %v", d, err)
	}
}
