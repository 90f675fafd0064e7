package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/calmock/calmock/booking"
)

// hook is a webhook with every field set.
func hook(id string, userID int) booking.Webhook {
	return booking.Webhook{
		ID: id, UserID: userID, SubscriberURL: "http://127.0.0.1:9/" + id, Active: true,
		Triggers: []booking.WebhookTrigger{"BOOKING_CREATED", "BOOKING_CANCELLED"}, Secret: "s-" + id,
		PayloadTemplate: `{"x":"{{title}}"}`, Time: 5, TimeUnit: "MINUTE", Version: "2021-10-20",
		CreatedAt: t0,
	}
}

func hookIDs(ws []booking.Webhook) []string {
	ids := []string{}
	for _, w := range ws {
		ids = append(ids, w.ID)
	}
	return ids
}

// testWebhooks: webhooks are kept in the order first put, a put of a known id replaces it
// in place, delete removes, a failed Update keeps none of its webhook writes, reads are
// copies, and Replace swaps the whole list.
func testWebhooks(t *testing.T, s booking.Store) {
	ctx := context.Background()
	view := func() []booking.Webhook {
		t.Helper()
		var out []booking.Webhook
		if err := s.View(ctx, func(tx booking.Tx) error { out = tx.Webhooks(); return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := view(); len(got) != 0 {
		t.Fatalf("a new store has webhooks %v", hookIDs(got))
	}
	err := s.Update(ctx, func(tx booking.Tx) error {
		tx.PutWebhook(hook("b", 1))
		tx.PutWebhook(hook("a", 2))
		tx.PutWebhook(hook("c", 1))
		if got := hookIDs(tx.Webhooks()); !reflect.DeepEqual(got, []string{"b", "a", "c"}) {
			t.Errorf("inside the Update, Webhooks = %v", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := view()
	if !reflect.DeepEqual(hookIDs(got), []string{"b", "a", "c"}) {
		t.Fatalf("Webhooks = %v, want b a c (the order first put)", hookIDs(got))
	}
	if !got[1].CreatedAt.Equal(t0) {
		t.Errorf("createdAt %v, want %v", got[1].CreatedAt, t0)
	}
	got[1].CreatedAt = t0 // an equal instant may come back in another location
	if want := hook("a", 2); !reflect.DeepEqual(got[1], want) {
		t.Errorf("read back %+v, want %+v", got[1], want)
	}
	got[0].Triggers[0] = "CHANGED" // a read is the caller's copy
	if view()[0].Triggers[0] != "BOOKING_CREATED" {
		t.Error("changing a read webhook changed the store")
	}

	// Replace in place, delete, and a failed Update that would have done more.
	err = s.Update(ctx, func(tx booking.Tx) error {
		w := hook("b", 1)
		w.Active = false
		tx.PutWebhook(w)
		if !tx.DeleteWebhook("a") || tx.DeleteWebhook("nope") {
			t.Error("DeleteWebhook did not report what it removed")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	failed := errors.New("no")
	if err := s.Update(ctx, func(tx booking.Tx) error {
		tx.PutWebhook(hook("d", 3))
		tx.DeleteWebhook("c")
		return failed
	}); !errors.Is(err, failed) {
		t.Fatalf("failed Update returned %v", err)
	}
	got = view()
	if !reflect.DeepEqual(hookIDs(got), []string{"b", "c"}) || got[0].Active {
		t.Fatalf("after update and a failed one: %v (b active %v), want b (inactive) c", hookIDs(got), got[0].Active)
	}

	if err := s.Replace(ctx, nil, []booking.Webhook{hook("x", 1), hook("y", 2)}); err != nil {
		t.Fatal(err)
	}
	if got := hookIDs(view()); !reflect.DeepEqual(got, []string{"x", "y"}) {
		t.Fatalf("after Replace: %v, want x y", got)
	}
	if err := s.Update(ctx, func(tx booking.Tx) error { tx.PutWebhook(hook("z", 1)); return nil }); err != nil {
		t.Fatal(err)
	}
	if got := hookIDs(view()); !reflect.DeepEqual(got, []string{"x", "y", "z"}) {
		t.Fatalf("a webhook put after Replace: %v, want x y z", got)
	}
	if err := s.Replace(ctx, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := view(); len(got) != 0 {
		t.Fatalf("Replace with none kept %v", hookIDs(got))
	}
}
