package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
)

// receiver is an httptest server that checks each request's signature with its own
// HMAC-SHA256 code and records what it got.
type receiver struct {
	*httptest.Server
	secret string
	mu     sync.Mutex
	got    []received
	// answer decides the status of the n-th request (1-based); nil answers 200.
	answer func(n int, r *http.Request) int
}

type received struct {
	body      string
	header    http.Header
	signature bool // the signature matched
}

func newReceiver(t *testing.T, secret string, answer func(n int, r *http.Request) int) *receiver {
	rc := &receiver{secret: secret, answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(rc.secret))
		mac.Write(body)
		want := hex.EncodeToString(mac.Sum(nil))
		rc.mu.Lock()
		rc.got = append(rc.got, received{string(body), r.Header.Clone(), r.Header.Get("X-Cal-Signature-256") == want})
		n := len(rc.got)
		rc.mu.Unlock()
		status := http.StatusOK
		if rc.answer != nil {
			status = rc.answer(n, r)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

// noSleep records the backoffs asked for and returns at once.
type noSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *noSleep) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func newTestDispatcher(t *testing.T, cfg Config) *Dispatcher {
	if cfg.Sleep == nil {
		cfg.Sleep = (&noSleep{}).Sleep
	}
	d := NewDispatcher(cfg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := d.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func job(t *testing.T, sub Subscription, body string) Job {
	t.Helper()
	m, err := Render(&sub, BookingCreated, t0, map[string]any{"n": body})
	if err != nil {
		t.Fatal(err)
	}
	return Job{Subscription: sub, Trigger: BookingCreated, Message: m}
}

func TestDispatcher_DeliversSignedBodies(t *testing.T) {
	rc := newReceiver(t, "s3cret", nil)
	d := newTestDispatcher(t, Config{})
	subs := []Subscription{
		{ID: "with-secret", UserID: 1, SubscriberURL: rc.URL + "/hook", Active: true, Triggers: BookingTriggers, Secret: "s3cret"},
	}
	b := sampleBooking()
	pending := with(b, func(x *booking.Booking) { x.Status = booking.StatusPending })
	cancelled := with(b, func(x *booking.Booking) { x.Status = booking.StatusCancelled })
	for _, tr := range []Transition{
		{Action: booking.ActionCreate, After: pending},
		{Action: booking.ActionConfirm, Before: &pending, After: b},
		{Action: booking.ActionCancel, Before: &b, After: cancelled},
	} {
		for _, j := range Plan(tr, sampleCatalog(), subs, t0, Options{}) {
			if _, err := d.Enqueue(j); err != nil {
				t.Fatal(err)
			}
		}
	}
	ctx := waitCtx(t)
	var triggers []Trigger
	for range 3 {
		del, err := d.Next(ctx, rc.URL+"/hook")
		if err != nil {
			t.Fatal(err)
		}
		if del.State != StateDelivered || del.StatusCode != 200 || del.Attempts != 1 {
			t.Errorf("delivery %+v", del)
		}
		triggers = append(triggers, del.Trigger)
	}
	if want := []Trigger{BookingRequested, BookingCreated, BookingCancelled}; !slices.Equal(triggers, want) {
		t.Errorf("triggers %v, want %v", triggers, want)
	}
	got := rc.requests()
	for i, r := range got {
		if !r.signature {
			t.Errorf("request %d: signature %q does not verify", i, r.header.Get("X-Cal-Signature-256"))
		}
		if r.header.Get("Content-Type") != "application/json" || r.header.Get("X-Cal-Webhook-Version") != "2021-10-20" {
			t.Errorf("request %d headers: %v", i, r.header)
		}
		if !strings.Contains(r.body, `"triggerEvent":"`+string(triggers[i])+`"`) {
			t.Errorf("request %d body: %s", i, r.body)
		}
	}
	if recs := d.Deliveries(); len(recs) != 3 || recs[0].Body != got[0].body {
		t.Errorf("records do not hold the bodies sent: %+v", recs)
	}
}

func TestDispatcher_NoSecret(t *testing.T) {
	rc := newReceiver(t, "", nil)
	d := newTestDispatcher(t, Config{})
	sub := Subscription{ID: "s", SubscriberURL: rc.URL, Active: true}
	if _, err := d.Enqueue(job(t, sub, "x")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Next(waitCtx(t), rc.URL); err != nil {
		t.Fatal(err)
	}
	if sig := rc.requests()[0].header.Get("X-Cal-Signature-256"); sig != "no-secret-provided" {
		t.Errorf("signature without a secret = %q", sig)
	}
}

func TestDispatcher_RetriesWithBackoffAndGivesUp(t *testing.T) {
	rc := newReceiver(t, "", func(int, *http.Request) int { return http.StatusInternalServerError })
	sl := &noSleep{}
	d := newTestDispatcher(t, Config{MaxAttempts: 4, Sleep: sl.Sleep})
	sub := Subscription{ID: "s", SubscriberURL: rc.URL, Active: true}
	if _, err := d.Enqueue(job(t, sub, "x")); err != nil {
		t.Fatal(err)
	}
	del, err := d.Next(waitCtx(t), rc.URL)
	if err != nil {
		t.Fatal(err)
	}
	if del.State != StateFailed || del.Attempts != 4 || del.StatusCode != 500 || !strings.Contains(del.LastError, "500") {
		t.Errorf("delivery %+v", del)
	}
	if n := len(rc.requests()); n != 4 {
		t.Errorf("receiver got %d requests, want the bound 4", n)
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}; !slices.Equal(sl.waits, want) {
		t.Errorf("backoffs %v, want %v", sl.waits, want)
	}
}

func TestDispatcher_RetrySucceeds(t *testing.T) {
	rc := newReceiver(t, "", func(n int, _ *http.Request) int {
		if n < 3 {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	})
	d := newTestDispatcher(t, Config{})
	if _, err := d.Enqueue(job(t, Subscription{ID: "s", SubscriberURL: rc.URL}, "x")); err != nil {
		t.Fatal(err)
	}
	del, err := d.Next(waitCtx(t), rc.URL)
	if err != nil {
		t.Fatal(err)
	}
	if del.State != StateDelivered || del.Attempts != 3 || del.StatusCode != 204 || del.LastError != "" {
		t.Errorf("delivery %+v", del)
	}
}

// A slow receiver does not slow Enqueue: it returns while the receiver holds the first
// request, and the later jobs of the subscription wait their turn.
func TestDispatcher_EnqueueDoesNotWaitForSlowReceiver(t *testing.T) {
	entered := make(chan struct{}, 10)
	var release <-chan struct{}
	var open func()
	rc := newReceiver(t, "", func(n int, r *http.Request) int {
		entered <- struct{}{}
		<-release
		return 200
	})
	release, open = gate(t)
	d := newTestDispatcher(t, Config{})
	sub := Subscription{ID: "s", SubscriberURL: rc.URL}
	if _, err := d.Enqueue(job(t, sub, "1")); err != nil {
		t.Fatal(err)
	}
	<-entered // the first delivery is in the receiver, which does not answer
	done := make(chan error)
	go func() {
		for i := 2; i <= 5; i++ {
			if _, err := d.Enqueue(job(t, sub, fmt.Sprint(i))); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Enqueue blocked on a receiver that does not answer")
	}
	if n := len(rc.requests()); n != 1 {
		t.Errorf("receiver saw %d requests while the first was unanswered, want 1 (in order per subscription)", n)
	}
	open()
	ctx := waitCtx(t)
	for range 5 {
		if _, err := d.Next(ctx, rc.URL); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDispatcher_InOrderPerSubscriptionDespiteRetries(t *testing.T) {
	var fails atomic.Int32
	rc := newReceiver(t, "", func(n int, r *http.Request) int {
		if n == 1 && fails.Add(1) == 1 { // the first job fails once
			return 500
		}
		return 200
	})
	d := newTestDispatcher(t, Config{Workers: 4})
	a := Subscription{ID: "a", SubscriberURL: rc.URL + "/a"}
	b := Subscription{ID: "b", SubscriberURL: rc.URL + "/b"}
	for i := 1; i <= 5; i++ {
		for _, s := range []Subscription{a, b} {
			if _, err := d.Enqueue(job(t, s, fmt.Sprint(i))); err != nil {
				t.Fatal(err)
			}
		}
	}
	ctx := waitCtx(t)
	for _, s := range []Subscription{a, b} {
		var order []string
		for range 5 {
			del, err := d.Next(ctx, s.SubscriberURL)
			if err != nil {
				t.Fatal(err)
			}
			if del.State != StateDelivered {
				t.Errorf("%s: %+v", s.ID, del)
			}
			order = append(order, del.Body[strings.Index(del.Body, `"n":`)+5:][:1])
		}
		if want := []string{"1", "2", "3", "4", "5"}; !slices.Equal(order, want) {
			t.Errorf("subscription %s delivered %v, want %v", s.ID, order, want)
		}
	}
}

func TestDispatcher_RefusesTargetsOutsideTheAllowlist(t *testing.T) {
	d := newTestDispatcher(t, Config{})
	// 192.0.2.1 is TEST-NET-1: neither loopback nor allowed. No connection is attempted.
	target := "http://192.0.2.1:9/hook"
	if _, err := d.Enqueue(job(t, Subscription{ID: "s", SubscriberURL: target}, "x")); err != nil {
		t.Fatal(err)
	}
	del, err := d.Next(waitCtx(t), target)
	if err != nil {
		t.Fatal(err)
	}
	if del.State != StateFailed || del.Attempts != 1 || !strings.Contains(del.LastError, "not allowed") {
		t.Errorf("delivery %+v", del)
	}
	for _, bad := range []string{"ftp://127.0.0.1/x", "/relative", "http://"} {
		if _, err := d.Enqueue(job(t, Subscription{ID: bad, SubscriberURL: bad}, "x")); err != nil {
			t.Fatal(err)
		}
		if del, err := d.Next(waitCtx(t), bad); err != nil || del.State != StateFailed || del.Attempts != 1 {
			t.Errorf("%s: %+v %v", bad, del, err)
		}
	}
}

func TestDispatcher_LocalhostByNameIsLoopback(t *testing.T) {
	rc := newReceiver(t, "", nil)
	d := newTestDispatcher(t, Config{})
	target := strings.Replace(rc.URL, "127.0.0.1", "localhost", 1)
	if _, err := d.Enqueue(job(t, Subscription{ID: "s", SubscriberURL: target}, "x")); err != nil {
		t.Fatal(err)
	}
	if del, err := d.Next(waitCtx(t), target); err != nil || del.State != StateDelivered {
		t.Errorf("%+v %v", del, err)
	}
}

func TestAllowlist(t *testing.T) {
	a, err := NewAllowlist("10.1.0.0/16", "192.0.2.7", "Hooks.Example.")
	if err != nil {
		t.Fatal(err)
	}
	for ip, want := range map[string]bool{
		"127.0.0.1": true, "127.9.9.9": true, "::1": true, "::ffff:127.0.0.1": true,
		"10.1.200.3": true, "10.2.0.1": false, "192.0.2.7": true, "192.0.2.8": false,
		"169.254.169.254": false, "0.0.0.0": false,
	} {
		if got := a.AllowsAddr(netip.MustParseAddr(ip)); got != want {
			t.Errorf("AllowsAddr(%s) = %v, want %v", ip, got, want)
		}
	}
	if !a.allowsName("hooks.example") || a.allowsName("example") {
		t.Error("names")
	}
	for _, bad := range []string{"10.0.0.0/99", "http://x", "a b"} {
		if _, err := NewAllowlist(bad); err == nil {
			t.Errorf("NewAllowlist(%q) accepted", bad)
		}
	}
}

func TestDispatcher_DoesNotFollowRedirects(t *testing.T) {
	var followed atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) { followed.Add(1) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	d := newTestDispatcher(t, Config{MaxAttempts: 1})
	if _, err := d.Enqueue(job(t, Subscription{ID: "s", SubscriberURL: srv.URL + "/hook"}, "x")); err != nil {
		t.Fatal(err)
	}
	del, err := d.Next(waitCtx(t), srv.URL+"/hook")
	if err != nil {
		t.Fatal(err)
	}
	if del.State != StateFailed || del.StatusCode != http.StatusTemporaryRedirect || followed.Load() != 0 {
		t.Errorf("delivery %+v, redirect followed %d times", del, followed.Load())
	}
}

func TestDispatcher_TimesOutAnAttempt(t *testing.T) {
	var release <-chan struct{}
	rc := newReceiver(t, "", func(n int, r *http.Request) int {
		select {
		case <-r.Context().Done():
		case <-release:
		}
		return 200
	})
	release, _ = gate(t)
	d := newTestDispatcher(t, Config{MaxAttempts: 2, Timeout: 50 * time.Millisecond})
	if _, err := d.Enqueue(job(t, Subscription{ID: "s", SubscriberURL: rc.URL}, "x")); err != nil {
		t.Fatal(err)
	}
	del, err := d.Next(waitCtx(t), rc.URL)
	if err != nil {
		t.Fatal(err)
	}
	if del.State != StateFailed || del.Attempts != 2 || !strings.Contains(del.LastError, "deadline") && !strings.Contains(del.LastError, "timeout") {
		t.Errorf("delivery %+v", del)
	}
}

func TestDispatcher_BoundedQueue(t *testing.T) {
	entered := make(chan struct{}, 1)
	var release <-chan struct{}
	var open func()
	rc := newReceiver(t, "", func(int, *http.Request) int {
		entered <- struct{}{}
		<-release
		return 200
	})
	release, open = gate(t)
	d := newTestDispatcher(t, Config{QueueSize: 2})
	sub := Subscription{ID: "s", SubscriberURL: rc.URL}
	for i := range 2 {
		if _, err := d.Enqueue(job(t, sub, fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	<-entered
	if _, err := d.Enqueue(job(t, sub, "over")); !errors.Is(err, ErrQueueFull) {
		t.Errorf("third Enqueue: %v, want ErrQueueFull", err)
	}
	open()
	ctx := waitCtx(t)
	states := map[string]int{}
	for range 3 {
		del, err := d.Next(ctx, rc.URL)
		if err != nil {
			t.Fatal(err)
		}
		states[del.State]++
	}
	if states[StateDelivered] != 2 || states[StateFailed] != 1 {
		t.Errorf("states %v: want the refused job recorded as failed", states)
	}
}

func TestDispatcher_UnrenderableJobIsRecordedAsFailed(t *testing.T) {
	d := newTestDispatcher(t, Config{})
	sub := Subscription{ID: "s", SubscriberURL: "http://127.0.0.1:1/x", PayloadTemplate: "{{#if title}}x{{/if}}", Active: true, Triggers: BookingTriggers, UserID: 1}
	jobs := Plan(Transition{Action: booking.ActionCreate, After: sampleBooking()}, sampleCatalog(), []Subscription{sub}, t0, Options{})
	if len(jobs) != 1 || !errors.Is(jobs[0].Err, ErrTemplateUnsupported) {
		t.Fatalf("jobs %+v", jobs)
	}
	if _, err := d.Enqueue(jobs[0]); err != nil {
		t.Fatal(err)
	}
	del, err := d.Next(waitCtx(t), sub.SubscriberURL)
	if err != nil {
		t.Fatal(err)
	}
	if del.State != StateFailed || del.Attempts != 0 || !strings.Contains(del.LastError, "Handlebars") {
		t.Errorf("delivery %+v", del)
	}
}

func TestDispatcher_NextHonoursContext(t *testing.T) {
	d := newTestDispatcher(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Next(ctx, "http://127.0.0.1/none"); !errors.Is(err, context.Canceled) {
		t.Errorf("Next with a cancelled context: %v", err)
	}
}

func TestDispatcher_KeepsAtMostMaxRecords(t *testing.T) {
	rc := newReceiver(t, "", nil)
	d := newTestDispatcher(t, Config{MaxRecords: 2})
	ctx := waitCtx(t)
	for i := range 5 {
		if _, err := d.Enqueue(job(t, Subscription{ID: "s", SubscriberURL: rc.URL}, fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Next(ctx, rc.URL); err != nil {
			t.Fatal(err)
		}
	}
	recs := d.Deliveries()
	if len(recs) != 2 || !strings.Contains(recs[0].Body, `"n":"3"`) || !strings.Contains(recs[1].Body, `"n":"4"`) {
		t.Errorf("kept %+v, want the last two", recs)
	}
	// Dropping records the cursor has passed does not make Next hand one out again.
	short, cancel := context.WithCancel(ctx)
	cancel()
	if del, err := d.Next(short, rc.URL); err == nil {
		t.Errorf("Next returned %+v again", del)
	}
	d.Reset()
	if n := len(d.Deliveries()); n != 0 {
		t.Errorf("Reset kept %d records", n)
	}
}

// gate is a channel a receiver blocks on until the test opens it; it is opened at the
// latest when the test ends, before the receiver closes, so that a failing test does not
// leave the receiver's server waiting forever.
func gate(t *testing.T) (wait <-chan struct{}, open func()) {
	ch := make(chan struct{})
	var once sync.Once
	open = func() { once.Do(func() { close(ch) }) }
	t.Cleanup(open)
	return ch, open
}

// Records finish out of Enqueue order (two subscriptions to one URL); dropping the oldest
// finished ones keeps Next's walk consistent.
func TestDispatcher_DropsRecordsFinishedOutOfOrder(t *testing.T) {
	entered := make(chan struct{}, 1)
	var release <-chan struct{}
	var open func()
	rc := newReceiver(t, "", func(n int, r *http.Request) int {
		if n == 1 {
			entered <- struct{}{}
			<-release
		}
		return 200
	})
	release, open = gate(t)
	d := newTestDispatcher(t, Config{MaxRecords: 2})
	ctx := waitCtx(t)
	enqueue := func(sub, url, n string) {
		t.Helper()
		if _, err := d.Enqueue(job(t, Subscription{ID: sub, SubscriberURL: url}, n)); err != nil {
			t.Fatal(err)
		}
	}
	next := func(url, wantSub string) {
		t.Helper()
		del, err := d.Next(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		if del.SubscriptionID != wantSub {
			t.Fatalf("Next(%s) = %s, want %s", url, del.SubscriptionID, wantSub)
		}
	}
	u, v := rc.URL+"/u", rc.URL+"/v"
	enqueue("x", u, "1") // held by the receiver
	<-entered
	// Wait (polling, with ctx's deadline, not calling Next) until the records satisfy done.
	waitRecords := func(done func([]Delivery) bool) {
		t.Helper()
		for {
			recs := d.Deliveries()
			if done(recs) {
				return
			}
			if ctx.Err() != nil {
				t.Fatalf("records did not get there: %+v", recs)
			}
			runtime.Gosched()
		}
	}
	enqueue("y", u, "2")
	waitRecords(func(r []Delivery) bool { return len(r) == 2 && r[1].Finished() })
	open()
	waitRecords(func(r []Delivery) bool { return r[0].Finished() }) // x finished after y
	enqueue("z", v, "3")                                            // a third record: x, the oldest finished, is dropped
	next(v, "z")
	next(u, "y")
	done, cancel := context.WithCancel(ctx)
	cancel()
	if del, err := d.Next(done, u); err == nil {
		t.Errorf("Next(u) handed out %+v, which was dropped", del)
	}
	if n := len(d.Deliveries()); n != 2 {
		t.Errorf("kept %d records, want 2", n)
	}
}
