package mockserver

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/webhook"
)

// WebhookDeliveriesPath lists the webhook deliveries (GET) and forgets the finished ones
// (DELETE, an admin change).
const WebhookDeliveriesPath = "/_calmock/webhooks/deliveries"

// setupWebhooks observes the Service's committed changes (issue 18). The subscriptions
// live in the store (booking.Tx.Webhooks): the fixtures', Config.Webhooks (cmd/calmock's
// -webhook) and those made through /v2/webhooks and /v2/event-types/{id}/webhooks
// (webhookapi.go). The Service calls the observer only when the store holds one, and the
// Dispatcher is made on first use (webhookDispatcher), so a server nobody subscribed to
// pays for neither.
func (s *Server) setupWebhooks(cfg Config) {
	s.dispatch.cfg = cfg.WebhookDelivery
	if s.journal != nil {
		// Each finished delivery is also an entry of the journal (kind "webhook").
		next := cfg.WebhookDelivery.OnFinish
		s.dispatch.cfg.OnFinish = func(d webhook.Delivery) {
			s.journal.recordDelivery(d)
			if next != nil {
				next(d)
			}
		}
	}
	s.service.SetObserver(s.observeChanges)
}

// lazyDispatcher makes a server's webhook Dispatcher when it is first needed: most servers,
// and nearly every sandbox, never send a webhook, and a Dispatcher (its HTTP transport,
// client and maps) was most of what a sandbox cost before anything ran
// (BenchmarkSandboxMemory; figures in docs/performance.md).
type lazyDispatcher struct {
	cfg  webhook.Config
	once sync.Once
	d    atomic.Pointer[webhook.Dispatcher]
}

// get returns the Dispatcher, made now if it was not yet.
func (l *lazyDispatcher) get() *webhook.Dispatcher {
	l.once.Do(func() { l.d.Store(webhook.NewDispatcher(l.cfg)) })
	return l.d.Load()
}

// made returns the Dispatcher, or nil if none was made yet.
func (l *lazyDispatcher) made() *webhook.Dispatcher { return l.d.Load() }

// observeChanges plans the webhooks of each change and enqueues them. It runs inside the
// API call, after the commit, and never waits for the network: Enqueue only queues (and a
// full queue records the delivery as failed rather than slowing the API down).
// subs are the subscriptions the store held in the change's transaction.
func (s *Server) observeChanges(changes []booking.Change, subs []booking.Webhook) {
	now := s.clock.Now()
	for _, c := range changes {
		t := webhook.Transition{Action: c.Action, Before: c.Before, After: c.After, NoShow: c.NoShow}
		for _, job := range webhook.Plan(t, s.catalog, subs, now, webhook.Options{}) {
			if _, err := s.dispatch.get().Enqueue(job); err != nil {
				s.log.Warn("webhook not queued", "subscription", job.Subscription.ID, "trigger", job.Trigger, "err", err)
			}
		}
	}
}

// Webhooks returns the server's webhook Dispatcher: its Deliveries, and Next to wait for one
// in a test.
func (s *Server) Webhooks() *webhook.Dispatcher { return s.dispatch.get() }

// Close stops the webhook Dispatcher: it waits until the queued deliveries are done or ctx
// is done, then abandons the rest. Call it when the server stops serving.
func (s *Server) Close(ctx context.Context) error {
	// Made if it was not, so that it is closed: a webhook enqueued later is refused.
	return s.dispatch.get().Close(ctx)
}

// handleWebhookDeliveries serves GET /_calmock/webhooks/deliveries: every kept delivery,
// oldest first, with its subscription, trigger, target, last status code, attempts, last
// error, body and headers.
func (s *Server) handleWebhookDeliveries(w http.ResponseWriter, _ *http.Request) {
	deliveries := []webhook.Delivery{}
	if d := s.dispatch.made(); d != nil {
		deliveries = d.Deliveries()
	}
	writeJSON(w, http.StatusOK, struct {
		Status string             `json:"status"`
		Data   []webhook.Delivery `json:"data"`
	}{"success", deliveries})
}

// handleWebhookDeliveriesDelete serves DELETE /_calmock/webhooks/deliveries: it forgets the
// finished deliveries (those under way are kept) and answers with what is left.
func (s *Server) handleWebhookDeliveriesDelete(w http.ResponseWriter, r *http.Request) {
	if d := s.dispatch.made(); d != nil {
		d.Reset()
	}
	s.handleWebhookDeliveries(w, r)
}
