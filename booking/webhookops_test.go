package booking_test

import (
	"testing"

	"github.com/calmock/calmock/booking"
)

func webhookInput(url string) booking.WebhookInput {
	active := true
	return booking.WebhookInput{SubscriberURL: &url, Active: &active, Triggers: []booking.WebhookTrigger{"BOOKING_CREATED"}}
}

func wantCode(t *testing.T, err error, code booking.Code, msg string) {
	t.Helper()
	if booking.ErrorCode(err) != code || booking.ErrorMessage(err) != msg {
		t.Fatalf("error %v, want %s %q", err, code, msg)
	}
}

// TestService_Webhooks: the guards' rules and messages (cal.com
// apps/api/v2/src/modules/webhooks/guards), one subscriber URL per owner, paging, update of
// the fields sent only, delete.
func TestService_Webhooks(t *testing.T) {
	e := mustEnv(t)
	user, et := booking.WebhookScope{}, booking.WebhookScope{EventTypeID: etPlain}

	a, err := e.svc.CreateWebhook(ctx, alice, user, webhookInput("http://127.0.0.1:9/a"))
	if err != nil {
		t.Fatal(err)
	}
	if a.UserID != alice.ID || a.EventTypeID != 0 || !a.Active || a.ID == "" || !a.CreatedAt.Equal(t0) {
		t.Fatalf("created %+v", a)
	}
	_, err = e.svc.CreateWebhook(ctx, alice, user, webhookInput("http://127.0.0.1:9/a"))
	wantCode(t, err, booking.ECONFLICT, "Webhook with this subscriber url already exists for this user")
	// Another user may use the same URL, and so may an event type.
	if _, err := e.svc.CreateWebhook(ctx, bob, user, webhookInput("http://127.0.0.1:9/a")); err != nil {
		t.Fatal(err)
	}
	h, err := e.svc.CreateWebhook(ctx, alice, et, webhookInput("http://127.0.0.1:9/a"))
	if err != nil {
		t.Fatal(err)
	}
	if h.EventTypeID != etPlain || h.UserID != 0 {
		t.Fatalf("event type webhook %+v", h)
	}
	_, err = e.svc.CreateWebhook(ctx, alice, et, webhookInput("http://127.0.0.1:9/a"))
	wantCode(t, err, booking.ECONFLICT, "Webhook with this subscriber url already exists for this event type")

	// The event type guard.
	_, err = e.svc.CreateWebhook(ctx, bob, et, webhookInput("http://127.0.0.1:9/b"))
	wantCode(t, err, booking.EFORBIDDEN, "IsUserEventTypeWebhookGuard - User (2) is not the owner of event type (100)")
	_, err = e.svc.ListWebhooks(ctx, alice, booking.WebhookScope{EventTypeID: 999}, 0, 10)
	wantCode(t, err, booking.ENOTFOUND, "IsUserEventTypeWebhookGuard - Event type (999) not found")
	_, err = e.svc.ListWebhooks(ctx, alice, booking.WebhookScope{EventTypeID: etRoundRobin}, 0, 10)
	wantCode(t, err, booking.EFORBIDDEN, "IsUserEventTypeWebhookGuard - User (1) is not the owner of event type (104)")
	_, err = e.svc.CheckWebhookAccess(ctx, alice, et, a.ID)
	wantCode(t, err, booking.EINVALID, "IsUserEventTypeWebhookGuard - Webhook ("+a.ID+") is not associated with an event type")
	_, err = e.svc.CheckWebhookAccess(ctx, alice, booking.WebhookScope{EventTypeID: etConfirm}, h.ID)
	wantCode(t, err, booking.EFORBIDDEN, "IsUserEventTypeWebhookGuard - Webhook ("+h.ID+") is not associated with event type (101)")

	// The user guard: another's webhook, an event type's, an unknown one.
	_, err = e.svc.CheckWebhookAccess(ctx, bob, user, a.ID)
	wantCode(t, err, booking.EFORBIDDEN, "Forbidden resource")
	_, err = e.svc.CheckWebhookAccess(ctx, alice, user, h.ID)
	wantCode(t, err, booking.EFORBIDDEN, "Forbidden resource")
	_, err = e.svc.DeleteWebhook(ctx, alice, user, "nope")
	wantCode(t, err, booking.ENOTFOUND, "Webhook (nope) not found")

	// Lists: the scope's own, paged.
	for _, u := range []string{"b", "c"} {
		if _, err := e.svc.CreateWebhook(ctx, alice, user, webhookInput("http://127.0.0.1:9/"+u)); err != nil {
			t.Fatal(err)
		}
	}
	page, err := e.svc.ListWebhooks(ctx, alice, user, 1, 5)
	if err != nil || len(page) != 2 || page[0].SubscriberURL != "http://127.0.0.1:9/b" {
		t.Fatalf("page = %+v, %v", page, err)
	}
	if page, _ := e.svc.ListWebhooks(ctx, alice, user, 9, 5); len(page) != 0 {
		t.Fatalf("page past the end = %+v", page)
	}

	// Update changes what was sent only.
	secret := "s"
	u, err := e.svc.UpdateWebhook(ctx, alice, user, a.ID, booking.WebhookInput{Secret: &secret})
	if err != nil || u.Secret != "s" || !u.Active || u.SubscriberURL != a.SubscriberURL || len(u.Triggers) != 1 {
		t.Fatalf("updated %+v, %v", u, err)
	}

	// Delete one; delete all of the event type.
	if d, err := e.svc.DeleteWebhook(ctx, alice, user, a.ID); err != nil || d.ID != a.ID {
		t.Fatalf("delete = %+v, %v", d, err)
	}
	if _, err := e.svc.CheckWebhookAccess(ctx, alice, user, a.ID); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("deleted webhook still found: %v", err)
	}
	if n, err := e.svc.DeleteEventTypeWebhooks(ctx, alice, etPlain); err != nil || n != 1 {
		t.Fatalf("delete all = %d, %v", n, err)
	}
}
