package booking

import (
	"slices"
	"time"
)

// WebhookTrigger is a webhook trigger event, with Cal.com's wire value (Prisma enum
// WebhookTriggerEvents; the triggers enum of CreateWebhookInputDto in the OpenAPI document).
// Package webhook names each one (webhook.Trigger is this type).
type WebhookTrigger string

// WebhookTriggers lists every trigger in the order of the OpenAPI document's enum.
var WebhookTriggers = []WebhookTrigger{
	"BOOKING_CREATED", "BOOKING_PAYMENT_INITIATED", "BOOKING_PAID", "BOOKING_RESCHEDULED",
	"BOOKING_REQUESTED", "BOOKING_CANCELLED", "BOOKING_REJECTED", "BOOKING_NO_SHOW_UPDATED",
	"FORM_SUBMITTED", "MEETING_ENDED", "MEETING_STARTED", "RECORDING_READY", "INSTANT_MEETING",
	"RECORDING_TRANSCRIPTION_GENERATED", "OOO_CREATED", "AFTER_HOSTS_CAL_VIDEO_NO_SHOW",
	"AFTER_GUESTS_CAL_VIDEO_NO_SHOW", "FORM_SUBMITTED_NO_EVENT",
}

// Valid reports whether t is one of Cal.com's triggers.
func (t WebhookTrigger) Valid() bool { return slices.Contains(WebhookTriggers, t) }

// WebhookTimeUnit is the unit of Webhook.Time (Prisma enum TimeUnit).
type WebhookTimeUnit string

// DefaultWebhookVersion is the payload version every webhook has unless it says otherwise
// (Prisma `version String @default("2021-10-20")`; the only value of the `version` enum of
// CreateWebhookInputDto in the 2026-08 document). It is sent as X-Cal-Webhook-Version.
const DefaultWebhookVersion = "2021-10-20"

// Webhook is one webhook subscription: Cal.com's Prisma model Webhook
// (packages/prisma/schema.prisma), restricted to what API v2 users can create. Exactly one
// of UserID (/v2/webhooks: the user's own webhooks) and EventTypeID
// (/v2/event-types/{id}/webhooks) is set. Webhooks live in the Store next to the bookings
// (Tx.Webhooks); package webhook calls it Subscription and delivers to it.
//
// The json and yaml tags are the fixture file format, like the other domain types.
type Webhook struct {
	// ID is a UUID string, as Cal.com's (`id String @id`, made with uuidv4 by the webhook
	// repository, apps/api/v2/src/modules/webhooks/webhooks.repository.ts). The OpenAPI
	// document types the output id as a number; the real API sends the string.
	ID          string `json:"id" yaml:"id"`
	UserID      int    `json:"userId,omitempty" yaml:"userId,omitempty"`
	EventTypeID int    `json:"eventTypeId,omitempty" yaml:"eventTypeId,omitempty"`

	SubscriberURL string           `json:"subscriberUrl" yaml:"subscriberUrl"`
	Active        bool             `json:"active" yaml:"active"`
	Triggers      []WebhookTrigger `json:"triggers" yaml:"triggers,flow"`
	// Secret is the HMAC key of X-Cal-Signature-256; "" signs with "no-secret-provided".
	Secret string `json:"secret,omitempty" yaml:"secret,omitempty"`
	// PayloadTemplate, when set, replaces the default body (webhook.ApplyTemplate).
	PayloadTemplate string `json:"payloadTemplate,omitempty" yaml:"payloadTemplate,omitempty"`
	// Time and TimeUnit delay the scheduled triggers (AFTER_*_CAL_VIDEO_NO_SHOW) in Cal.com
	// (Prisma `time Int?`, `timeUnit TimeUnit?`). Booking triggers ignore them.
	Time     int             `json:"time,omitempty" yaml:"time,omitempty"`
	TimeUnit WebhookTimeUnit `json:"timeUnit,omitempty" yaml:"timeUnit,omitempty"`
	// Version is sent as X-Cal-Webhook-Version; "" means DefaultWebhookVersion.
	Version   string    `json:"version,omitempty" yaml:"version,omitempty"`
	CreatedAt time.Time `json:"createdAt,omitempty" yaml:"createdAt,omitempty"`
}

// Subscribed reports whether w is active and listens to t.
func (w *Webhook) Subscribed(t WebhookTrigger) bool {
	return w.Active && slices.Contains(w.Triggers, t)
}

// WebhookVersion is the value of X-Cal-Webhook-Version for w.
func (w *Webhook) WebhookVersion() string {
	if w.Version == "" {
		return DefaultWebhookVersion
	}
	return w.Version
}

// Clone returns a deep copy of w.
func (w Webhook) Clone() Webhook {
	w.Triggers = slices.Clone(w.Triggers)
	return w
}

// CloneWebhooks deep-copies ws (nil stays nil).
func CloneWebhooks(ws []Webhook) []Webhook {
	if ws == nil {
		return nil
	}
	out := make([]Webhook, len(ws))
	for i := range ws {
		out[i] = ws[i].Clone()
	}
	return out
}
