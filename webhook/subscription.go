package webhook

import "github.com/calmock/calmock/booking"

// Trigger is a webhook trigger event, with Cal.com's wire value: booking's WebhookTrigger,
// which the store keeps.
type Trigger = booking.WebhookTrigger

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
var Triggers = booking.WebhookTriggers

// BookingTriggers are the triggers a booking transition can fire: what a `-webhook URL`
// subscription listens to.
var BookingTriggers = []Trigger{
	BookingCreated, BookingRescheduled, BookingRequested, BookingCancelled, BookingRejected,
	BookingNoShowUpdated, InstantMeeting,
}

// TimeUnit is the unit of Subscription.Time (Prisma enum TimeUnit).
type TimeUnit = booking.WebhookTimeUnit

const (
	TimeUnitNone   TimeUnit = ""
	TimeUnitDay    TimeUnit = "DAY"
	TimeUnitHour   TimeUnit = "HOUR"
	TimeUnitMinute TimeUnit = "MINUTE"
)

// DefaultVersion is the payload version every webhook has unless it says otherwise; it is
// sent as X-Cal-Webhook-Version.
const DefaultVersion = booking.DefaultWebhookVersion

// Subscription is one webhook: booking.Webhook, the type the store keeps (Cal.com's Prisma
// model Webhook). Exactly one of UserID (/v2/webhooks) and EventTypeID
// (/v2/event-types/{id}/webhooks) is set.
type Subscription = booking.Webhook
