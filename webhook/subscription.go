package webhook

import (
	"slices"
	"time"
)

// Trigger is a webhook trigger event, with Cal.com's wire value (Prisma enum
// WebhookTriggerEvents; the triggers enum of CreateWebhookInputDto in the OpenAPI document).
type Trigger string

// The triggers of the enum. Only the booking ones are fired by the mock (Fire); the others
// may be subscribed to, as in the real API, and then never fire.
const (
	BookingCreated                  Trigger = "BOOKING_CREATED"
	BookingPaymentInitiated         Trigger = "BOOKING_PAYMENT_INITIATED"
	BookingPaid                     Trigger = "BOOKING_PAID"
	BookingRescheduled              Trigger = "BOOKING_RESCHEDULED"
	BookingRequested                Trigger = "BOOKING_REQUESTED"
	BookingCancelled                Trigger = "BOOKING_CANCELLED"
	BookingRejected                 Trigger = "BOOKING_REJECTED"
	BookingNoShowUpdated            Trigger = "BOOKING_NO_SHOW_UPDATED"
	FormSubmitted                   Trigger = "FORM_SUBMITTED"
	MeetingEnded                    Trigger = "MEETING_ENDED"
	MeetingStarted                  Trigger = "MEETING_STARTED"
	RecordingReady                  Trigger = "RECORDING_READY"
	InstantMeeting                  Trigger = "INSTANT_MEETING"
	RecordingTranscriptionGenerated Trigger = "RECORDING_TRANSCRIPTION_GENERATED"
	OOOCreated                      Trigger = "OOO_CREATED"
	AfterHostsCalVideoNoShow        Trigger = "AFTER_HOSTS_CAL_VIDEO_NO_SHOW"
	AfterGuestsCalVideoNoShow       Trigger = "AFTER_GUESTS_CAL_VIDEO_NO_SHOW"
	FormSubmittedNoEvent            Trigger = "FORM_SUBMITTED_NO_EVENT"
)

// Triggers lists every trigger in the order of the OpenAPI document's enum.
var Triggers = []Trigger{
	BookingCreated, BookingPaymentInitiated, BookingPaid, BookingRescheduled, BookingRequested,
	BookingCancelled, BookingRejected, BookingNoShowUpdated, FormSubmitted, MeetingEnded,
	MeetingStarted, RecordingReady, InstantMeeting, RecordingTranscriptionGenerated, OOOCreated,
	AfterHostsCalVideoNoShow, AfterGuestsCalVideoNoShow, FormSubmittedNoEvent,
}

// BookingTriggers are the triggers a booking transition can fire: what a `-webhook URL`
// subscription listens to.
var BookingTriggers = []Trigger{
	BookingCreated, BookingRescheduled, BookingRequested, BookingCancelled, BookingRejected,
	BookingNoShowUpdated, InstantMeeting,
}

// Valid reports whether t is one of Cal.com's triggers.
func (t Trigger) Valid() bool { return slices.Contains(Triggers, t) }

// TimeUnit is the unit of Subscription.Time (Prisma enum TimeUnit).
type TimeUnit string

const (
	TimeUnitNone   TimeUnit = ""
	TimeUnitDay    TimeUnit = "DAY"
	TimeUnitHour   TimeUnit = "HOUR"
	TimeUnitMinute TimeUnit = "MINUTE"
)

// DefaultVersion is the payload version every webhook has unless it says otherwise (Prisma
// `version String @default("2021-10-20")`; the only value of the `version` enum of
// CreateWebhookInputDto in the 2026-08 document). It is sent as X-Cal-Webhook-Version.
const DefaultVersion = "2021-10-20"

// Subscription is one webhook: Cal.com's Prisma model Webhook (packages/prisma/schema.prisma),
// restricted to what API v2 users can create. Exactly one of UserID (/v2/webhooks: the
// user's own webhooks) and EventTypeID (/v2/event-types/{id}/webhooks) is set.
//
// The json and yaml tags are the fixture file format, like booking's types.
type Subscription struct {
	// ID is a UUID string, as Cal.com's (`id String @id`, made with uuidv4 by the webhook
	// repository). The OpenAPI document types the output id as a number; the real API
	// sends the string.
	ID          string `json:"id" yaml:"id"`
	UserID      int    `json:"userId,omitempty" yaml:"userId,omitempty"`
	EventTypeID int    `json:"eventTypeId,omitempty" yaml:"eventTypeId,omitempty"`

	SubscriberURL string    `json:"subscriberUrl" yaml:"subscriberUrl"`
	Active        bool      `json:"active" yaml:"active"`
	Triggers      []Trigger `json:"triggers" yaml:"triggers,flow"`
	// Secret is the HMAC key of X-Cal-Signature-256; "" signs with "no-secret-provided".
	Secret string `json:"secret,omitempty" yaml:"secret,omitempty"`
	// PayloadTemplate, when set, replaces the default body (ApplyTemplate).
	PayloadTemplate string `json:"payloadTemplate,omitempty" yaml:"payloadTemplate,omitempty"`
	// Time and TimeUnit delay the scheduled triggers (AFTER_*_CAL_VIDEO_NO_SHOW) in Cal.com
	// (Prisma `time Int?`, `timeUnit TimeUnit?`). Booking triggers ignore them.
	Time     int      `json:"time,omitempty" yaml:"time,omitempty"`
	TimeUnit TimeUnit `json:"timeUnit,omitempty" yaml:"timeUnit,omitempty"`
	// Version is sent as X-Cal-Webhook-Version; "" means DefaultVersion.
	Version   string    `json:"version,omitempty" yaml:"version,omitempty"`
	CreatedAt time.Time `json:"createdAt,omitempty" yaml:"createdAt,omitempty"`
}

// Subscribed reports whether s is active and listens to t.
func (s *Subscription) Subscribed(t Trigger) bool {
	return s.Active && slices.Contains(s.Triggers, t)
}

// WebhookVersion is the value of X-Cal-Webhook-Version for s.
func (s *Subscription) WebhookVersion() string {
	if s.Version == "" {
		return DefaultVersion
	}
	return s.Version
}

// Clone returns a deep copy of s.
func (s Subscription) Clone() Subscription {
	s.Triggers = slices.Clone(s.Triggers)
	return s
}
