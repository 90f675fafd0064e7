package booking

import (
	"context"
	"slices"
)

// The webhook operations of API v2: a user's own webhooks (/v2/webhooks, Cal.com's
// WebhooksController) and an event type's (/v2/event-types/{eventTypeId}/webhooks,
// EventTypeWebhooksController), over the webhooks of the Store. Sources (cal.com
// apps/api/v2/src/modules/webhooks/): the guards is-user-webhook-guard.ts and
// is-user-event-type-webhook-guard.ts (who may manage what, and their messages),
// services/webhooks.service.ts ("Webhook (id) not found"), services/user-webhooks.service.ts
// and services/event-type-webhooks.service.ts (one subscriber URL per owner, 409),
// webhooks.repository.ts (uuid ids; lists are findMany with skip and take, no order).

// WebhookScope names whose webhooks an operation manages: the caller's own (EventTypeID 0)
// or those of the event type EventTypeID.
type WebhookScope struct {
	EventTypeID int
}

// WebhookInput is a create or update body. A nil field was not sent: update leaves it
// alone (UpdateWebhookInputDto is PartialType(CreateWebhookInputDto)).
type WebhookInput struct {
	SubscriberURL   *string
	Active          *bool
	Triggers        []WebhookTrigger // nil: not sent
	Secret          *string
	PayloadTemplate *string
}

// CheckWebhookAccess runs the guards of a webhook operation, which Cal.com runs before the
// body is validated: for an event type's webhooks, the event type exists (404) and the
// caller owns it (403, so a team event type's webhooks are managed elsewhere); when id is
// set, the webhook exists (404) and belongs to the scope (the user's: 403 "Forbidden
// resource"; the event type's: 400 when it has none, 403 when it is another's). It returns
// the webhook of id, if any.
func (s *Service) CheckWebhookAccess(ctx context.Context, caller User, scope WebhookScope, id string) (Webhook, error) {
	var out Webhook
	err := s.store.View(ctx, func(tx Tx) error {
		w, err := s.checkWebhookAccess(tx, caller, scope, id)
		out = w
		return err
	})
	return out, err
}

func (s *Service) checkWebhookAccess(tx Tx, caller User, scope WebhookScope, id string) (Webhook, error) {
	if scope.EventTypeID != 0 {
		et, ok := s.catalog.EventTypeByID(scope.EventTypeID)
		if !ok {
			return Webhook{}, Errorf(ENOTFOUND, "IsUserEventTypeWebhookGuard - Event type (%d) not found", scope.EventTypeID)
		}
		if et.OwnerID != caller.ID {
			return Webhook{}, Errorf(EFORBIDDEN, "IsUserEventTypeWebhookGuard - User (%d) is not the owner of event type (%d)", caller.ID, scope.EventTypeID)
		}
	}
	if id == "" {
		return Webhook{}, nil
	}
	i := slices.IndexFunc(tx.Webhooks(), func(w Webhook) bool { return w.ID == id })
	if i < 0 {
		return Webhook{}, Errorf(ENOTFOUND, "Webhook (%s) not found", id)
	}
	w := tx.Webhooks()[i]
	switch {
	case scope.EventTypeID == 0 && w.UserID != caller.ID:
		// IsUserWebhookGuard returns false (the user is no system admin): Nest's default
		// ForbiddenException.
		return Webhook{}, Errorf(EFORBIDDEN, "Forbidden resource")
	case scope.EventTypeID != 0 && w.EventTypeID == 0:
		return Webhook{}, Errorf(EINVALID, "IsUserEventTypeWebhookGuard - Webhook (%s) is not associated with an event type", id)
	case scope.EventTypeID != 0 && w.EventTypeID != scope.EventTypeID:
		return Webhook{}, Errorf(EFORBIDDEN, "IsUserEventTypeWebhookGuard - Webhook (%s) is not associated with event type (%d)", id, scope.EventTypeID)
	}
	return w, nil
}

// inScope reports whether w is one of scope's webhooks for caller.
func inScope(w Webhook, caller User, scope WebhookScope) bool {
	if scope.EventTypeID != 0 {
		return w.EventTypeID == scope.EventTypeID
	}
	return w.UserID == caller.ID
}

// CreateWebhook makes a webhook of scope from in, whose subscriberUrl, active and triggers
// the caller validated as present. A second webhook of the same owner and subscriber URL is
// a 409. secret and payloadTemplate default to none (null in Cal.com).
func (s *Service) CreateWebhook(ctx context.Context, caller User, scope WebhookScope, in WebhookInput) (Webhook, error) {
	var out Webhook
	err := s.store.Update(ctx, func(tx Tx) error {
		if _, err := s.checkWebhookAccess(tx, caller, scope, ""); err != nil {
			return err
		}
		url := deref(in.SubscriberURL)
		for _, w := range tx.Webhooks() {
			if inScope(w, caller, scope) && w.SubscriberURL == url {
				if scope.EventTypeID != 0 {
					return Errorf(ECONFLICT, "Webhook with this subscriber url already exists for this event type")
				}
				return Errorf(ECONFLICT, "Webhook with this subscriber url already exists for this user")
			}
		}
		w := Webhook{
			ID: s.ids.UUID(), SubscriberURL: url, Active: in.Active != nil && *in.Active,
			Triggers: slices.Clone(in.Triggers), Secret: deref(in.Secret),
			PayloadTemplate: deref(in.PayloadTemplate), CreatedAt: s.clock.Now(),
		}
		if w.Triggers == nil {
			w.Triggers = []WebhookTrigger{}
		}
		if scope.EventTypeID != 0 {
			w.EventTypeID = scope.EventTypeID
		} else {
			w.UserID = caller.ID
		}
		tx.PutWebhook(w)
		out = w.Clone()
		return nil
	})
	return out, err
}

// ListWebhooks returns the page [skip, skip+take) of scope's webhooks, in the order they
// were made.
func (s *Service) ListWebhooks(ctx context.Context, caller User, scope WebhookScope, skip, take int) ([]Webhook, error) {
	out := []Webhook{}
	err := s.store.View(ctx, func(tx Tx) error {
		if _, err := s.checkWebhookAccess(tx, caller, scope, ""); err != nil {
			return err
		}
		for _, w := range tx.Webhooks() {
			if inScope(w, caller, scope) {
				out = append(out, w)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	skip = min(max(skip, 0), len(out))
	return out[skip:min(skip+max(take, 0), len(out))], nil
}

// UpdateWebhook changes the fields in sets of the webhook id (no duplicate check: Cal.com's
// update is a plain repository update).
func (s *Service) UpdateWebhook(ctx context.Context, caller User, scope WebhookScope, id string, in WebhookInput) (Webhook, error) {
	var out Webhook
	err := s.store.Update(ctx, func(tx Tx) error {
		w, err := s.checkWebhookAccess(tx, caller, scope, id)
		if err != nil {
			return err
		}
		if in.SubscriberURL != nil {
			w.SubscriberURL = *in.SubscriberURL
		}
		if in.Active != nil {
			w.Active = *in.Active
		}
		if in.Triggers != nil {
			w.Triggers = slices.Clone(in.Triggers)
		}
		if in.Secret != nil {
			w.Secret = *in.Secret
		}
		if in.PayloadTemplate != nil {
			w.PayloadTemplate = *in.PayloadTemplate
		}
		tx.PutWebhook(w)
		out = w.Clone()
		return nil
	})
	return out, err
}

// DeleteWebhook removes the webhook id and returns it as it was.
func (s *Service) DeleteWebhook(ctx context.Context, caller User, scope WebhookScope, id string) (Webhook, error) {
	var out Webhook
	err := s.store.Update(ctx, func(tx Tx) error {
		w, err := s.checkWebhookAccess(tx, caller, scope, id)
		if err != nil {
			return err
		}
		tx.DeleteWebhook(id)
		out = w
		return nil
	})
	return out, err
}

// DeleteEventTypeWebhooks removes every webhook of the event type and returns how many.
func (s *Service) DeleteEventTypeWebhooks(ctx context.Context, caller User, eventTypeID int) (int, error) {
	n := 0
	scope := WebhookScope{EventTypeID: eventTypeID}
	err := s.store.Update(ctx, func(tx Tx) error {
		if _, err := s.checkWebhookAccess(tx, caller, scope, ""); err != nil {
			return err
		}
		for _, w := range tx.Webhooks() {
			if w.EventTypeID == eventTypeID && tx.DeleteWebhook(w.ID) {
				n++
			}
		}
		return nil
	})
	return n, err
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
