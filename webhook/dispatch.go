package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Config tunes a Dispatcher. Zero values take the defaults.
type Config struct {
	// Allow is the target allowlist; nil allows loopback only.
	Allow *Allowlist
	// Timeout bounds one attempt (connect, send, response headers and body); default 10s.
	Timeout time.Duration
	// MaxAttempts is the number of attempts per delivery, the first included; default 3.
	MaxAttempts int
	// Backoff is the wait before attempt n+1 after n failed ones (n ≥ 1); default
	// 1s·2^(n-1).
	Backoff func(n int) time.Duration
	// QueueSize bounds the deliveries waiting or in progress; Enqueue refuses beyond it.
	// Default 1024.
	QueueSize int
	// Workers bounds the deliveries in progress at once; default 8.
	Workers int
	// Sleep waits d or until ctx is done (tests inject one that does not sleep).
	Sleep func(ctx context.Context, d time.Duration) error
	// Now stamps the records; default time.Now.
	Now func() time.Time
	// Logf, when set, gets one line per attempt (-verbose).
	Logf func(format string, args ...any)
	// OnFinish, when set, is told of each delivery once it is finished (delivered or
	// failed, also when it failed without an attempt), in finishing order (the mock's
	// journal). It runs under the Dispatcher's lock: it must be quick and must not call the
	// Dispatcher.
	OnFinish func(Delivery)
	// MaxRecords bounds the deliveries kept for Deliveries and Next; the oldest finished
	// ones are dropped first. Default 10000.
	MaxRecords int
	// Transport replaces the HTTP transport (tests); its dialing is then not checked
	// against Allow, only the URL's literal host.
	Transport http.RoundTripper
}

// Job is one delivery to make: a rendered message for one subscription.
type Job struct {
	Subscription Subscription
	Trigger      Trigger
	Message      Message
	// Err, when set, is why the message could not be rendered: Enqueue records the job as
	// failed without sending anything.
	Err error
}

// Delivery is the record of one Job.
type Delivery struct {
	ID             int         `json:"id"`
	SubscriptionID string      `json:"subscriptionId"`
	Trigger        Trigger     `json:"trigger"`
	URL            string      `json:"url"`
	StatusCode     int         `json:"statusCode"` // of the last attempt; 0 when none answered
	Attempts       int         `json:"attempts"`
	LastError      string      `json:"lastError,omitempty"`
	Body           string      `json:"body"`
	Header         http.Header `json:"headers"`
	// State is "queued", "sending", "delivered" or "failed".
	State      string    `json:"state"`
	EnqueuedAt time.Time `json:"enqueuedAt"`
	FinishedAt time.Time `json:"finishedAt,omitzero"`
}

// Delivery states.
const (
	StateQueued    = "queued"
	StateSending   = "sending"
	StateDelivered = "delivered"
	StateFailed    = "failed"
)

// Finished reports whether no more attempts will be made.
func (d Delivery) Finished() bool { return d.State == StateDelivered || d.State == StateFailed }

// ErrQueueFull is returned by Enqueue when QueueSize deliveries are pending.
var ErrQueueFull = errors.New("webhook: delivery queue full")

// ErrClosed is returned by Enqueue after Close.
var ErrClosed = errors.New("webhook: dispatcher closed")

// Dispatcher delivers jobs asynchronously: Enqueue never waits for the network. Jobs of one
// subscription are delivered one after the other in Enqueue order (a retrying delivery
// holds back the later ones, as a receiver expects created before cancelled); different
// subscriptions proceed in parallel up to Workers.
type Dispatcher struct {
	cfg    Config
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc
	sem    chan struct{}
	wg     sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	pending int
	queues  map[string][]int // subscription id → delivery ids waiting, in order
	running map[string]bool
	records map[int]*Delivery
	order   []int // ids, by Enqueue
	nextID  int
	// finished[url] lists finished delivery ids to url in finishing order; taken[url] is
	// how many of them Next has handed out.
	finished map[string][]int
	taken    map[string]int
	changed  chan struct{} // closed and replaced when a delivery finishes
	jobs     map[int]Job
}

// NewDispatcher returns a running Dispatcher. Close it to stop.
func NewDispatcher(cfg Config) *Dispatcher {
	if cfg.Allow == nil {
		cfg.Allow, _ = NewAllowlist()
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.Backoff == nil {
		cfg.Backoff = func(n int) time.Duration { return time.Second << min(n-1, 10) }
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 1024
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxRecords <= 0 {
		cfg.MaxRecords = 10000
	}
	tr := cfg.Transport
	if tr == nil {
		dialer := &net.Dialer{Timeout: cfg.Timeout}
		tr = &http.Transport{
			Proxy:                 nil, // a proxy would be the host dialled, not the target
			DialContext:           cfg.Allow.dialContext(dialer, net.DefaultResolver),
			ForceAttemptHTTP2:     true,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       30 * time.Second,
			TLSHandshakeTimeout:   cfg.Timeout,
			ResponseHeaderTimeout: cfg.Timeout,
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Dispatcher{
		cfg: cfg,
		client: &http.Client{
			Transport: tr,
			// redirect: "manual" in Cal.com's fetch: a 3xx is the answer, and a failure.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		ctx: ctx, cancel: cancel,
		sem:      make(chan struct{}, cfg.Workers),
		queues:   map[string][]int{},
		running:  map[string]bool{},
		records:  map[int]*Delivery{},
		finished: map[string][]int{},
		taken:    map[string]int{},
		changed:  make(chan struct{}),
		jobs:     map[int]Job{},
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Enqueue records j and schedules its delivery; it returns at once with the delivery's id.
// It refuses (ErrQueueFull, ErrClosed) rather than wait; a refused job is recorded as
// failed, so that it is seen.
func (d *Dispatcher) Enqueue(j Job) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.nextID++
	id := d.nextID
	rec := &Delivery{
		ID: id, SubscriptionID: j.Subscription.ID, Trigger: j.Trigger,
		URL: j.Subscription.SubscriberURL, Body: string(j.Message.Body),
		Header: j.Message.Header.Clone(), State: StateQueued, EnqueuedAt: d.cfg.Now(),
	}
	d.records[id] = rec
	d.order = append(d.order, id)
	var refuse error
	switch {
	case d.closed:
		refuse = ErrClosed
	case j.Err != nil:
		d.finishLocked(rec, StateFailed, j.Err.Error())
		return id, nil
	case d.pending >= d.cfg.QueueSize:
		refuse = ErrQueueFull
	}
	if refuse != nil {
		d.finishLocked(rec, StateFailed, refuse.Error())
		return id, refuse
	}
	d.pending++
	d.jobs[id] = j
	key := j.Subscription.ID
	d.queues[key] = append(d.queues[key], id)
	if !d.running[key] {
		d.running[key] = true
		d.wg.Add(1)
		go d.run(key)
	}
	return id, nil
}

// run delivers the queue of one subscription, in order, until it is empty.
func (d *Dispatcher) run(key string) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		q := d.queues[key]
		if len(q) == 0 {
			delete(d.queues, key)
			delete(d.running, key)
			d.mu.Unlock()
			return
		}
		id := q[0]
		d.queues[key] = q[1:]
		j := d.jobs[id]
		delete(d.jobs, id)
		d.mu.Unlock()

		select {
		case d.sem <- struct{}{}:
			d.deliver(id, j)
			<-d.sem
		case <-d.ctx.Done():
			d.mu.Lock()
			d.finishLocked(d.records[id], StateFailed, "dispatcher closed before delivery")
			d.mu.Unlock()
		}
		d.mu.Lock()
		d.pending--
		d.mu.Unlock()
	}
}

// deliver makes up to MaxAttempts attempts, waiting Backoff between them.
func (d *Dispatcher) deliver(id int, j Job) {
	target := j.Subscription.SubscriberURL
	var status int
	var lastErr error
	attempts := 0
	for attempts < d.cfg.MaxAttempts {
		if attempts > 0 {
			if err := d.cfg.Sleep(d.ctx, d.cfg.Backoff(attempts)); err != nil {
				lastErr = fmt.Errorf("stopped before attempt %d: %w", attempts+1, err)
				break
			}
		}
		attempts++
		d.update(id, func(r *Delivery) { r.State, r.Attempts = StateSending, attempts })
		status, lastErr = d.attempt(target, j.Message)
		d.update(id, func(r *Delivery) {
			r.StatusCode = status
			r.LastError = ""
			if lastErr != nil {
				r.LastError = lastErr.Error()
			}
		})
		if d.cfg.Logf != nil {
			outcome := fmt.Sprint(status)
			if lastErr != nil {
				outcome = lastErr.Error()
			}
			d.cfg.Logf("webhook %s %s → %s attempt %d/%d: %s", j.Trigger, j.Subscription.ID, target, attempts, d.cfg.MaxAttempts, outcome)
		}
		if lastErr == nil || errors.Is(lastErr, ErrNotAllowed) || errors.Is(lastErr, errBadURL) {
			break // delivered, or no later attempt can do better
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	rec := d.records[id]
	rec.Attempts = attempts
	rec.StatusCode = status
	if lastErr != nil {
		d.finishLocked(rec, StateFailed, lastErr.Error())
		return
	}
	d.finishLocked(rec, StateDelivered, "")
}

var errBadURL = errors.New("webhook: subscriber URL must be an absolute http or https URL")

// attempt sends msg once; a non-2xx answer is an error (Cal.com's response.ok).
func (d *Dispatcher) attempt(target string, msg Message) (int, error) {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return 0, fmt.Errorf("%w: %q", errBadURL, target)
	}
	if d.cfg.Transport != nil { // a test transport: check at least the literal host
		if err := d.checkLiteral(u.Hostname()); err != nil {
			return 0, err
		}
	}
	ctx, cancel := context.WithTimeout(d.ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(msg.Body))
	if err != nil {
		return 0, fmt.Errorf("webhook: request to %s: %w", target, err)
	}
	req.Header = msg.Header.Clone()
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	// Read (a bounded part of) the answer, as Cal.com does (response.text()), so the
	// connection is reused and a slow body counts against the timeout.
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)); err != nil {
		return resp.StatusCode, fmt.Errorf("webhook: reading the answer of %s: %w", target, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("webhook: %s answered %d", target, resp.StatusCode)
	}
	return resp.StatusCode, nil
}

func (d *Dispatcher) checkLiteral(host string) error {
	if d.cfg.Allow.allowsName(host) {
		return nil
	}
	if ip, err := netipParse(host); err == nil && d.cfg.Allow.AllowsAddr(ip) {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	return fmt.Errorf("%w: %s is not loopback and not in the allowlist", ErrNotAllowed, host)
}

func (d *Dispatcher) update(id int, f func(*Delivery)) {
	d.mu.Lock()
	f(d.records[id])
	d.mu.Unlock()
}

// finishLocked marks rec finished, wakes the waiters of Next and drops the oldest finished
// records beyond MaxRecords.
func (d *Dispatcher) finishLocked(rec *Delivery, state, lastErr string) {
	rec.State = state
	if lastErr != "" {
		rec.LastError = lastErr
	}
	rec.FinishedAt = d.cfg.Now()
	if d.cfg.OnFinish != nil {
		d.cfg.OnFinish(*rec)
	}
	d.finished[rec.URL] = append(d.finished[rec.URL], rec.ID)
	close(d.changed)
	d.changed = make(chan struct{})
	d.trimLocked()
}

func (d *Dispatcher) trimLocked() {
	for len(d.order) > d.cfg.MaxRecords {
		victim := -1
		for i, id := range d.order {
			if d.records[id].Finished() {
				victim = i
				break
			}
		}
		if victim < 0 {
			return
		}
		id := d.order[victim]
		url := d.records[id].URL
		d.order = append(d.order[:victim], d.order[victim+1:]...)
		delete(d.records, id)
		// Drop it from its URL's finishing order too; Next's cursor moves back if it had
		// passed it. (Records finish out of Enqueue order, so it need not be the first.)
		f := d.finished[url]
		for i, fid := range f {
			if fid != id {
				continue
			}
			d.finished[url] = append(f[:i:i], f[i+1:]...)
			if i < d.taken[url] {
				d.taken[url]--
			}
			break
		}
	}
}

// Deliveries returns a copy of every kept record, oldest first.
func (d *Dispatcher) Deliveries() []Delivery {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Delivery, 0, len(d.order))
	for _, id := range d.order {
		r := *d.records[id]
		r.Header = r.Header.Clone()
		out = append(out, r)
	}
	return out
}

// Next returns the next finished delivery to url (delivered or failed) that Next has not
// returned before, waiting for it until ctx is done. Successive calls walk the deliveries
// to url in the order they finished, so a test reads a trigger sequence without sleeping.
func (d *Dispatcher) Next(ctx context.Context, url string) (Delivery, error) {
	for {
		d.mu.Lock()
		if f := d.finished[url]; len(f) > d.taken[url] {
			r := *d.records[f[d.taken[url]]]
			d.taken[url]++
			d.mu.Unlock()
			r.Header = r.Header.Clone()
			return r, nil
		}
		ch := d.changed
		d.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return Delivery{}, fmt.Errorf("webhook: waiting for a delivery to %s: %w", url, ctx.Err())
		}
	}
}

// Reset forgets every finished record (the admin reset); deliveries under way are kept.
func (d *Dispatcher) Reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	kept := d.order[:0]
	for _, id := range d.order {
		if d.records[id].Finished() {
			delete(d.records, id)
			continue
		}
		kept = append(kept, id)
	}
	d.order = kept
	d.finished = map[string][]int{}
	d.taken = map[string]int{}
}

// Close stops accepting jobs and waits until the queued ones are delivered or ctx is done;
// then it abandons what is left (recorded as failed) and returns ctx's error, if any.
func (d *Dispatcher) Close(ctx context.Context) error {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
		d.cancel()
		return nil
	case <-ctx.Done():
		d.cancel()
		<-done
		return ctx.Err()
	}
}
