package booking_test

import (
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
)

// observed installs an observer on e, with a webhook in the store (without one nothing is
// observed), and returns what it saw so far.
func observed(t *testing.T, e *env) func() []booking.Change {
	t.Helper()
	if _, err := e.svc.CreateWebhook(ctx, alice, booking.WebhookScope{}, webhookInput("http://127.0.0.1:9/a")); err != nil {
		t.Fatal(err)
	}
	var got []booking.Change
	e.svc.SetObserver(func(cs []booking.Change, hooks []booking.Webhook) {
		if len(hooks) != 1 || hooks[0].SubscriberURL != "http://127.0.0.1:9/a" {
			t.Errorf("observer got webhooks %+v", hooks)
		}
		got = append(got, cs...)
	})
	return func() []booking.Change { c := got; got = nil; return c }
}

// TestService_ObserverOnlyWithWebhooks: without a webhook in the store the observer is not
// called (nothing is recorded); the webhooks it gets are those of the transaction.
func TestService_ObserverOnlyWithWebhooks(t *testing.T) {
	e := mustEnv(t)
	calls := 0
	var seen []booking.Webhook
	e.svc.SetObserver(func(_ []booking.Change, hooks []booking.Webhook) { calls++; seen = hooks })
	e.mustCreate(t, etPlain, t0.Add(24*time.Hour), guest("A", "a@example.com"))
	if calls != 0 {
		t.Fatalf("observer called %d times with no webhook in the store", calls)
	}
	w, err := e.svc.CreateWebhook(ctx, alice, booking.WebhookScope{EventTypeID: etPlain}, webhookInput("http://127.0.0.1:9/et"))
	if err != nil {
		t.Fatal(err)
	}
	e.mustCreate(t, etPlain, t0.Add(25*time.Hour), guest("B", "b@example.com"))
	if calls != 1 || len(seen) != 1 || seen[0].ID != w.ID {
		t.Fatalf("after a webhook: %d calls, webhooks %+v", calls, seen)
	}
}

func TestService_ObserverSeesCommittedChanges(t *testing.T) {
	e := mustEnv(t)
	take := observed(t, e)
	alice := alice

	b := e.mustCreate(t, etPlain, t0.Add(24*time.Hour), guest("A", "a@example.com")).Bookings[0]
	if cs := take(); len(cs) != 1 || cs[0].Action != booking.ActionCreate || cs[0].Before != nil || cs[0].After.UID != b.UID {
		t.Fatalf("create: %+v", cs)
	}

	r, err := e.svc.Reschedule(ctx, nil, b.UID, booking.RescheduleInput{Start: t0.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	cs := take()
	if len(cs) != 1 || cs[0].Action != booking.ActionReschedule || cs[0].Before == nil || cs[0].Before.UID != b.UID ||
		cs[0].Before.Status != booking.StatusAccepted || cs[0].After.UID != r.Bookings[0].UID {
		t.Fatalf("reschedule: %+v", cs)
	}
	nb := r.Bookings[0]

	if _, err := e.svc.Cancel(ctx, &alice, nb.UID, booking.CancelInput{Reason: "x"}); err != nil {
		t.Fatal(err)
	}
	if cs := take(); len(cs) != 1 || cs[0].Action != booking.ActionCancel || cs[0].Before.Status != booking.StatusAccepted || cs[0].After.Status != booking.StatusCancelled {
		t.Fatalf("cancel: %+v", cs)
	}

	// A refused operation commits nothing and reports nothing.
	if _, err := e.svc.Cancel(ctx, &alice, nb.UID, booking.CancelInput{Reason: "again"}); err == nil {
		t.Fatal("cancelling twice succeeded")
	}
	if cs := take(); len(cs) != 0 {
		t.Fatalf("refused cancel reported %+v", cs)
	}

	// A recurring create is one change per occurrence.
	rec := e.mustCreate(t, etRecurring, t0.Add(72*time.Hour), guest("R", "r@example.com"))
	if cs := take(); len(cs) != len(rec.Bookings) || len(cs) != 3 {
		t.Fatalf("recurring create: %d changes for %d occurrences", len(cs), len(rec.Bookings))
	}

	// A new seat: the booking before the seat came, and after.
	start := t0.Add(96 * time.Hour)
	e.mustCreate(t, etSeated, start, guest("S1", "s1@example.com"))
	take()
	e.mustCreate(t, etSeated, start, guest("S2", "s2@example.com"))
	if cs := take(); len(cs) != 1 || cs[0].Before == nil || len(cs[0].Before.Attendees) != 1 || len(cs[0].After.Attendees) != 2 {
		t.Fatalf("seat create: %+v", cs)
	}

	// The QUIRK: cancelSubsequent on a plain booking commits, answers an error, and is seen.
	p := e.mustCreate(t, etPlain, t0.Add(120*time.Hour), guest("Q", "q@example.com")).Bookings[0]
	take()
	if _, err := e.svc.Cancel(ctx, &alice, p.UID, booking.CancelInput{Reason: "q", CancelSubsequent: true}); err == nil {
		t.Fatal("cancelSubsequent on a plain booking succeeded")
	}
	if cs := take(); len(cs) != 1 || cs[0].After.Status != booking.StatusCancelled {
		t.Fatalf("quirk cancel: %+v", cs)
	}

	// Mark-absent carries the request's attendees.
	m := e.mustCreate(t, etPlain, t0.Add(150*time.Hour), guest("M", "a@example.com")).Bookings[0]
	take()
	e.setNow(t0.Add(151 * time.Hour))
	if _, err := e.svc.MarkAbsent(ctx, alice, m.UID, booking.MarkAbsentInput{Attendees: []booking.AbsentAttendee{{Email: "a@example.com", Absent: true}}}); err != nil {
		t.Fatal(err)
	}
	if cs := take(); len(cs) != 1 || cs[0].Action != booking.ActionMarkAbsent || len(cs[0].NoShow) != 1 || cs[0].NoShow[0].Email != "a@example.com" {
		t.Fatalf("mark absent: %+v", cs)
	}

}
