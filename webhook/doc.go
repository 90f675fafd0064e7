// Package webhook sends the webhooks Cal.com sends for booking events (issue 18): the
// subscriptions (Subscription), which triggers a booking transition fires and to whom (Fire,
// Recipients), the body and headers of each request (BuildPayload, Render, ApplyTemplate,
// Sign) and their delivery (Dispatcher: asynchronous, bounded, in order per subscription,
// retried with backoff, to allowed targets only, every delivery recorded).
//
// It is plain Go over package booking and knows nothing of the HTTP mock. Facts come from
// §10 of the behaviour notes and, where they are silent, from Cal.com's source, cited where
// used.
//
// # Wiring
//
// The mock wires it in three places:
//
//  1. Subscriptions live in the store next to the bookings (durable with -data, per
//     sandbox, cleared by reset) and are managed by the /v2/webhooks and
//     /v2/event-types/{eventTypeId}/webhooks handlers, the fixtures file and -webhook URL
//     (a Subscription of the user to BookingTriggers).
//  2. Transitions are observed where the booking.Service commits them: each Service
//     method that changes bookings (Create, Confirm, Decline, Cancel, Reschedule,
//     MarkAbsent, Reassign) has the bookings before and after inside its store Update.
//     After the transaction commits it reports one Transition per booking changed (per
//     occurrence of a series; for a reschedule the old booking as Before and the new one
//     as After; for a seat, the booking before and after the seat came or went; for
//     mark-absent the request's attendees as NoShow) to an observer the mock installs,
//     e.g. a hook in booking's Config, or mockserver calling Plan after a successful
//     Service call with the Result and what it read before. An error returned to the
//     client means nothing was committed, except the QUIRK of Cancel with
//     cancelSubsequent on a non-recurring booking, which commits and must still fire.
//  3. The observer calls Plan with the catalog and the subscriptions read at that moment
//     and Enqueues each Job on the mock's Dispatcher; it never waits for the network, so
//     the API call is not slowed by it. An admin endpoint lists Dispatcher.Deliveries;
//     -verbose sets Config.Logf; Close on shutdown.
//
// Done: Subscription is booking.Webhook, kept by the booking.Store (Tx.Webhooks, in both
// stores, reset with the bookings); booking.Service.SetObserver reports booking.Change
// values (recorded from each transaction's Puts, only when the store holds a webhook) with
// the subscriptions of that transaction, and mockserver/webhooks.go turns them into
// Transitions, plans and enqueues.
package webhook
