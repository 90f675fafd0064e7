package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/calmock/calmock/fixtures"
	"github.com/calmock/calmock/mockserver"
	"github.com/calmock/calmock/webhook"
)

// webhookFlags are -webhook, -webhook-secret and -webhook-allow (issue 18).
type webhookFlags struct {
	urls   []string
	secret string
	allow  string
}

func (w *webhookFlags) define(fs *flag.FlagSet) {
	fs.Func("webhook", "send the booking webhooks of every fixture user to this `URL` (one subscription per user to every booking trigger; repeatable); deliveries are listed at GET "+mockserver.WebhookDeliveriesPath, func(v string) error {
		w.urls = append(w.urls, v)
		return nil
	})
	fs.StringVar(&w.secret, "webhook-secret", "", "sign -webhook deliveries (X-Cal-Signature-256, hex HMAC-SHA256 of the body) with this `secret`; without one Cal.com sends no-secret-provided")
	fs.StringVar(&w.allow, "webhook-allow", "", "comma-separated `hosts`, addresses and CIDR prefixes webhooks may be sent to besides loopback, which is always allowed")
}

// check validates -webhook and -webhook-allow.
func (w *webhookFlags) check() error {
	for _, raw := range w.urls {
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("-webhook must be an http or https URL, got %q", raw)
		}
	}
	if _, err := webhook.NewAllowlist(strings.Split(w.allow, ",")...); err != nil {
		return fmt.Errorf("-webhook-allow: %w", err)
	}
	return nil
}

// configure turns the flags into cfg's subscriptions and delivery settings. Each -webhook
// URL becomes one subscription per fixture user, listening to every booking trigger: the
// mock is one shared world and every booking has one of them as organizer, so the URL
// hears of every booking. -verbose logs one line per delivery attempt.
func (w *webhookFlags) configure(cfg *mockserver.Config, log *slog.Logger, verbose bool, load func(time.Time) (*fixtures.Set, error)) error {
	allow, err := webhook.NewAllowlist(strings.Split(w.allow, ",")...)
	if err != nil {
		return fmt.Errorf("-webhook-allow: %w", err)
	}
	cfg.WebhookDelivery.Allow = allow
	if verbose {
		cfg.WebhookDelivery.Logf = func(format string, args ...any) { log.Info(fmt.Sprintf(format, args...)) }
	}
	if len(w.urls) == 0 {
		return nil
	}
	set := cfg.Fixtures
	if set == nil { // the users of the default fixtures do not depend on the date
		if set, err = load(time.Now()); err != nil {
			return err
		}
	}
	for i, u := range w.urls {
		for _, user := range set.Users {
			cfg.Webhooks = append(cfg.Webhooks, webhook.Subscription{
				ID:     fmt.Sprintf("webhook-%d-user-%d", i+1, user.ID),
				UserID: user.ID, SubscriberURL: u, Active: true, Secret: w.secret,
				Triggers: slices.Clone(webhook.BookingTriggers),
			})
		}
	}
	return nil
}
