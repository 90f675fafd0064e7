package conformance

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/calmock/calmock/scenarios"
)

// A scenario with a webhook subscription (scenarios.Webhook) checks the deliveries its steps
// cause. The run has one Receiver, an HTTP server of the runner's; each such scenario
// subscribes a path of its own under it through the target's own API (POST /v2/webhooks, as
// the owner, with a random secret), checks every delivery's trigger, signature
// (X-Cal-Signature-256: lower-case hex HMAC-SHA256 of the raw body, behaviour §10) and body,
// and deletes the subscription when it ends.

// SignatureHeader carries a delivery's signature (behaviour §10).
const SignatureHeader = "X-Cal-Signature-256"

// DefaultWebhookWait is how long a step waits for each delivery it expects.
const DefaultWebhookWait = 10 * time.Second

// Receiver takes the webhook deliveries of a run: one inbox per subscribed scenario, keyed by
// the URL path the scenario subscribed.
type Receiver struct {
	// base is the URL subscriptions name (the listener's, or a public URL forwarding to it).
	base string
	srv  *http.Server
	ln   net.Listener

	mu    sync.Mutex
	inbox map[string]chan delivery
}

// delivery is one request the receiver took.
type delivery struct {
	header http.Header
	body   []byte
}

// inboxSize bounds what one scenario's inbox holds; a target that sends more than a scenario
// can expect gets 503s past it, and the scenario fails on what it did get.
const inboxSize = 64

// NewReceiver listens on listen (host:port; "" means 127.0.0.1:0) and serves deliveries.
// publicURL, when not empty, is the URL subscriptions name instead of the listener's (a tunnel
// or proxy that forwards to it, for a target that cannot reach this machine). Close it.
func NewReceiver(listen, publicURL string) (*Receiver, error) {
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("webhook receiver: %w", err)
	}
	rc := &Receiver{ln: ln, inbox: map[string]chan delivery{}, base: "http://" + ln.Addr().String()}
	if publicURL != "" {
		if u, err := url.Parse(publicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			ln.Close()
			return nil, fmt.Errorf("webhook receiver: %q is not an http(s) URL", publicURL)
		}
		rc.base = strings.TrimRight(publicURL, "/")
	}
	rc.srv = &http.Server{Handler: rc, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = rc.srv.Serve(ln) }()
	return rc, nil
}

// URL is the base URL subscriptions name.
func (rc *Receiver) URL() string { return rc.base }

// Close stops the receiver.
func (rc *Receiver) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return rc.srv.Shutdown(ctx)
}

// ServeHTTP takes a delivery for an open inbox (200) and refuses anything else.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || r.Method != http.MethodPost {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	ch, ok := rc.inbox[r.URL.Path]
	rc.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	select {
	case ch <- delivery{header: r.Header.Clone(), body: body}:
		w.WriteHeader(http.StatusOK)
	default:
		w.WriteHeader(http.StatusServiceUnavailable)
	}
}

// open makes an inbox for one scenario and returns its URL; close forgets it.
func (rc *Receiver) open(name string) (target string, inbox <-chan delivery, closeFn func()) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	p := "/hooks/" + url.PathEscape(name) + "-" + hex.EncodeToString(b[:])
	ch := make(chan delivery, inboxSize)
	rc.mu.Lock()
	rc.inbox[p] = ch
	rc.mu.Unlock()
	return rc.base + p, ch, func() {
		rc.mu.Lock()
		delete(rc.inbox, p)
		rc.mu.Unlock()
	}
}

// reachableFrom reports whether a target at base can call a receiver listening on this
// machine without a public URL: only a target on this machine can.
func reachableFrom(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	switch h := u.Hostname(); h {
	case "localhost":
		return true
	default:
		ip := net.ParseIP(h)
		return ip != nil && ip.IsLoopback()
	}
}

// subscription is a scenario's webhook on the target.
type subscription struct {
	id     string // the target's webhook id, for the DELETE
	secret string
	inbox  <-chan delivery
}

// subscribe makes the scenario's subscription (POST /v2/webhooks as the owner) and returns it
// with the function that deletes it and closes its inbox.
func (r *runner) subscribe(ctx context.Context, w *scenarios.Webhook) (*subscription, func(), error) {
	target, inbox, closeInbox := r.t.Webhooks.open(r.sc.Name)
	var b [16]byte
	_, _ = rand.Read(b[:])
	sub := &subscription{secret: hex.EncodeToString(b[:]), inbox: inbox}
	body, _ := json.Marshal(map[string]any{"subscriberUrl": target, "triggers": w.Triggers, "active": true, "secret": sub.secret})
	resp, err := r.ownerRequest(ctx, http.MethodPost, "/v2/webhooks", body)
	if err != nil {
		closeInbox()
		return nil, nil, err
	}
	// The id is a uuid string on the real API, though its document says number: take either.
	var env struct {
		Data struct {
			ID any `json:"id"`
		} `json:"data"`
	}
	if resp.status/100 != 2 || json.Unmarshal(resp.body, &env) != nil || env.Data.ID == nil || render(env.Data.ID) == "" {
		closeInbox()
		return nil, nil, fmt.Errorf("POST /v2/webhooks answered %d without data.id: %s", resp.status, abbreviate(string(resp.body)))
	}
	sub.id = render(env.Data.ID)
	return sub, func() {
		// Best effort, like cleanup: a subscription left behind only sends to a closed inbox.
		_, _ = r.ownerRequest(context.WithoutCancel(ctx), http.MethodDelete, "/v2/webhooks/"+url.PathEscape(sub.id), nil)
		closeInbox()
	}, nil
}

// checkDeliveries waits for each delivery the step expects, in order, and checks its trigger,
// signature and body. It reports through fail, as the step's other checks do.
func (r *runner) checkDeliveries(ctx context.Context, st scenarios.Step, fail func(kind, field, expected, got string)) bool {
	broken := false
	wait := r.t.WebhookWait
	if wait <= 0 {
		wait = DefaultWebhookWait
	}
	for i, want := range st.Expect.Webhooks {
		where := fmt.Sprintf("webhooks[%d]", i)
		var d delivery
		tm := time.NewTimer(wait)
		select {
		case d = <-r.sub.inbox:
			tm.Stop()
		case <-tm.C:
			fail(KindWebhook, where, "a "+want.Trigger+" delivery", fmt.Sprintf("none within %s", wait))
			return true
		case <-ctx.Done():
			tm.Stop()
			fail(KindWebhook, where, "a "+want.Trigger+" delivery", ctx.Err().Error())
			return true
		}
		mac := hmac.New(sha256.New, []byte(r.sub.secret))
		mac.Write(d.body)
		if sig, wantSig := d.header.Get(SignatureHeader), hex.EncodeToString(mac.Sum(nil)); sig != wantSig {
			fail(KindWebhook, where+" "+SignatureHeader, "the HMAC-SHA256 of the body with the subscription's secret, "+wantSig, fmt.Sprintf("%q", sig))
			broken = true
		}
		var doc any
		if err := json.Unmarshal(d.body, &doc); err != nil {
			fail(KindWebhook, where+" body", "JSON", abbreviate(string(d.body)))
			broken = true
			continue
		}
		if got, _ := lookup(doc, "triggerEvent"); got != want.Trigger {
			fail(KindWebhook, where+" triggerEvent", want.Trigger, fmt.Sprintf("%v (a delivery this or an earlier step was not expected to cause?)", render(got)))
			broken = true
			continue
		}
		for _, p := range sortedKeys(want.JSON) {
			m, err := r.expandMatcher(want.JSON[p])
			if r.templateErr(st.Name, where+" "+p, err) {
				return true
			}
			v, err := lookup(doc, p)
			for _, mm := range match(m, v, err == nil) {
				fail(KindWebhook, where+" "+p, mm.expected, mm.got)
				broken = true
			}
		}
	}
	return broken
}

// unexpectedDeliveries reports the deliveries that arrived and no step expected (those still
// in the inbox when the scenario ends).
func (r *runner) unexpectedDeliveries() {
	for {
		select {
		case d := <-r.sub.inbox:
			var doc any
			_ = json.Unmarshal(d.body, &doc)
			trigger, _ := lookup(doc, "triggerEvent")
			r.res.Failures = append(r.res.Failures, Failure{Scenario: r.sc.Name, Step: "(after the last step)", Kind: KindWebhook,
				Field: "webhooks", Expected: "no delivery no step stated", Got: fmt.Sprintf("%v: %s", render(trigger), abbreviate(string(d.body)))})
		default:
			return
		}
	}
}

// webhookSkip is why a scenario expecting deliveries cannot run against t ("" if it can).
func (t *Target) webhookSkip(sc scenarios.Scenario) string {
	if !sc.ExpectsWebhooks() || t.Webhooks != nil {
		return ""
	}
	return "it checks webhook deliveries, and the target at " + t.BaseURL + " cannot reach this runner's receiver: pass -webhook-url, a public URL that forwards to -webhook-listen"
}

// errNoReceiver is returned by startReceiver when the target cannot reach one.
var errNoReceiver = errors.New("no receiver the target can reach")

// startReceiver starts the run's receiver when a scenario needs one and the target can
// reach it: always with a public URL, else only for a target on this machine.
func startReceiver(o Options, base string, all []scenarios.Scenario) (*Receiver, error) {
	needed := false
	for _, sc := range all {
		needed = needed || sc.ExpectsWebhooks()
	}
	if !needed || (o.WebhookURL == "" && !reachableFrom(base)) {
		return nil, errNoReceiver
	}
	return NewReceiver(o.WebhookListen, o.WebhookURL)
}
