package mockserver

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/calmock/calmock/booking"
)

// The webhook endpoints of API v2 (issue 18): a user's own webhooks, /v2/webhooks
// (WebhooksController), and an event type's, /v2/event-types/{eventTypeId}/webhooks
// (EventTypeWebhooksController). The rules are booking/webhookops.go; the subscriptions they
// make live in the store and receive deliveries (webhooks.go).
//
// Both controllers are declared with `version: API_VERSIONS_VALUES` (cal.com
// apps/api/v2/src/modules/webhooks/controllers/*.controller.ts), every cal-api-version the
// API knows, and the official document gives their operations no cal-api-version parameter:
// any header, or none (which the extractor turns into 2024-04-15, one of them), reaches the
// same controller. Their rows sit in the 2024-08-13 table and everyVersion marks them.
//
// Order of the checks, as in Nest: ApiAuthGuard (the pipeline's authStrategy: no
// PermissionsGuard on these controllers), then the controller's guards
// (Service.CheckWebhookAccess: event type, webhook, owner), then the pipes: ParseIntPipe on
// eventTypeId and the global ValidationPipe on the body and the query (lenient: unknown
// keys dropped, ValidationError objects in details).

// everyVersion are the operations whose controller is registered for every cal-api-version.
var everyVersion = map[string]bool{
	"WebhooksController_createWebhook":                       true,
	"WebhooksController_getWebhooks":                         true,
	"WebhooksController_getWebhook":                          true,
	"WebhooksController_updateWebhook":                       true,
	"WebhooksController_deleteWebhook":                       true,
	"EventTypeWebhooksController_createEventTypeWebhook":     true,
	"EventTypeWebhooksController_getEventTypeWebhooks":       true,
	"EventTypeWebhooksController_getEventTypeWebhook":        true,
	"EventTypeWebhooksController_updateEventTypeWebhook":     true,
	"EventTypeWebhooksController_deleteEventTypeWebhook":     true,
	"EventTypeWebhooksController_deleteAllEventTypeWebhooks": true,
}

// webhookRoutes are the rows of the webhook operations.
func (s *Server) webhookRoutes() []route {
	const user = "/v2/webhooks"
	const et = "/v2/event-types/{eventTypeId}/webhooks"
	return []route{
		{http.MethodPost, user, "WebhooksController_createWebhook", authStrategy, false, s.handleWebhookCreate},
		{http.MethodGet, user, "WebhooksController_getWebhooks", authStrategy, false, s.handleWebhookList},
		{http.MethodGet, user + "/{webhookId}", "WebhooksController_getWebhook", authStrategy, false, s.handleWebhookGet},
		{http.MethodPatch, user + "/{webhookId}", "WebhooksController_updateWebhook", authStrategy, false, s.handleWebhookUpdate},
		{http.MethodDelete, user + "/{webhookId}", "WebhooksController_deleteWebhook", authStrategy, false, s.handleWebhookDelete},
		{http.MethodPost, et, "EventTypeWebhooksController_createEventTypeWebhook", authStrategy, false, s.handleWebhookCreate},
		{http.MethodGet, et, "EventTypeWebhooksController_getEventTypeWebhooks", authStrategy, false, s.handleWebhookList},
		{http.MethodDelete, et, "EventTypeWebhooksController_deleteAllEventTypeWebhooks", authStrategy, false, s.handleWebhookDeleteAll},
		{http.MethodGet, et + "/{webhookId}", "EventTypeWebhooksController_getEventTypeWebhook", authStrategy, false, s.handleWebhookGet},
		{http.MethodPatch, et + "/{webhookId}", "EventTypeWebhooksController_updateEventTypeWebhook", authStrategy, false, s.handleWebhookUpdate},
		{http.MethodDelete, et + "/{webhookId}", "EventTypeWebhooksController_deleteEventTypeWebhook", authStrategy, false, s.handleWebhookDelete},
	}
}

// webhookOut is UserWebhookOutputDto and EventTypeWebhookOutputDto (webhook.output.ts,
// user-webhook.output.ts, event-type-webhook.output.ts): the Prisma row through
// WebhookOutputPipe (eventTriggers renamed triggers) with only the exposed fields. The
// id is the uuid string (the document says number), and payloadTemplate and secret are
// null when not set, as Prisma's columns are (the user and event type services store
// `?? null`). The secret is exposed (@Expose on WebhookOutputDto.secret), so it is sent.
type webhookOut struct {
	ID              string                   `json:"id"`
	PayloadTemplate *string                  `json:"payloadTemplate"`
	Triggers        []booking.WebhookTrigger `json:"triggers"`
	SubscriberURL   string                   `json:"subscriberUrl"`
	Active          bool                     `json:"active"`
	Secret          *string                  `json:"secret"`
	UserID          *int                     `json:"userId,omitempty"`
	EventTypeID     *int                     `json:"eventTypeId,omitempty"`
}

func toWebhookOut(w booking.Webhook) webhookOut {
	out := webhookOut{ID: w.ID, Triggers: w.Triggers, SubscriberURL: w.SubscriberURL, Active: w.Active}
	if out.Triggers == nil {
		out.Triggers = []booking.WebhookTrigger{}
	}
	if w.PayloadTemplate != "" {
		out.PayloadTemplate = &w.PayloadTemplate
	}
	if w.Secret != "" {
		out.Secret = &w.Secret
	}
	if w.EventTypeID != 0 {
		out.EventTypeID = &w.EventTypeID
	} else {
		out.UserID = &w.UserID
	}
	return out
}

// numericString is what ParseIntPipe accepts (Nest's isNumeric: an optional sign and
// digits, nothing else).
var numericString = regexp.MustCompile(`^[-+]?[0-9]+$`)

// webhookScope reads the path's eventTypeId, if the route has one. Cal.com's guard reads it
// with parseInt before ParseIntPipe runs, so a value that is not a number reaches Prisma as
// NaN (a 500 there, presumably); the mock answers ParseIntPipe's 400 at once instead.
func webhookScope(c *call) (booking.WebhookScope, error) {
	if _, ok := mux.Vars(c.r)["eventTypeId"]; !ok {
		return booking.WebhookScope{}, nil
	}
	raw := c.pathVar("eventTypeId")
	if !numericString.MatchString(raw) {
		return booking.WebhookScope{}, newAPIError(http.StatusBadRequest, "Validation failed (numeric string is expected)")
	}
	id, err := strconv.Atoi(raw)
	if err != nil || id == 0 {
		// 0 or out of range: no event type has it.
		return booking.WebhookScope{}, booking.Errorf(booking.ENOTFOUND, "IsUserEventTypeWebhookGuard - Event type (%s) not found", raw)
	}
	return booking.WebhookScope{EventTypeID: id}, nil
}

// handleWebhookCreate handles POST /v2/webhooks and POST /v2/event-types/{id}/webhooks: 201.
func (s *Server) handleWebhookCreate(c *call) error {
	scope, err := webhookScope(c)
	if err != nil {
		return err
	}
	if _, err := s.service.CheckWebhookAccess(c.r.Context(), *c.caller, scope, ""); err != nil {
		return err
	}
	in, err := decodeWebhookBody(c.body, true)
	if err != nil {
		return err
	}
	w, err := s.service.CreateWebhook(c.r.Context(), *c.caller, scope, in)
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusCreated, toWebhookOut(w))
	return nil
}

// handleWebhookList handles GET of either list: take (default 250, at most 250) and skip.
func (s *Server) handleWebhookList(c *call) error {
	scope, err := webhookScope(c)
	if err != nil {
		return err
	}
	if _, err := s.service.CheckWebhookAccess(c.r.Context(), *c.caller, scope, ""); err != nil {
		return err
	}
	q := parseQuery(c.r.URL.RawQuery)
	var errs errorsList
	take, ok := decodeParsedInt(q, &errs, "take", 1, 250)
	if !ok {
		take = 250
	}
	skip, _ := decodeParsedInt(q, &errs, "skip", 0, 1<<31-1)
	if err := lenientError(q, errs); err != nil {
		return err
	}
	list, err := s.service.ListWebhooks(c.r.Context(), *c.caller, scope, skip, take)
	if err != nil {
		return err
	}
	out := make([]webhookOut, len(list))
	for i, w := range list {
		out[i] = toWebhookOut(w)
	}
	writeData(c.w, http.StatusOK, out)
	return nil
}

// handleWebhookGet handles GET of one webhook.
func (s *Server) handleWebhookGet(c *call) error {
	scope, err := webhookScope(c)
	if err != nil {
		return err
	}
	w, err := s.service.CheckWebhookAccess(c.r.Context(), *c.caller, scope, c.pathVar("webhookId"))
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, toWebhookOut(w))
	return nil
}

// handleWebhookUpdate handles PATCH of one webhook: the fields sent change.
func (s *Server) handleWebhookUpdate(c *call) error {
	scope, err := webhookScope(c)
	if err != nil {
		return err
	}
	id := c.pathVar("webhookId")
	if _, err := s.service.CheckWebhookAccess(c.r.Context(), *c.caller, scope, id); err != nil {
		return err
	}
	in, err := decodeWebhookBody(c.body, false)
	if err != nil {
		return err
	}
	w, err := s.service.UpdateWebhook(c.r.Context(), *c.caller, scope, id, in)
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, toWebhookOut(w))
	return nil
}

// handleWebhookDelete handles DELETE of one webhook: 200 with the webhook as it was.
func (s *Server) handleWebhookDelete(c *call) error {
	scope, err := webhookScope(c)
	if err != nil {
		return err
	}
	w, err := s.service.DeleteWebhook(c.r.Context(), *c.caller, scope, c.pathVar("webhookId"))
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, toWebhookOut(w))
	return nil
}

// handleWebhookDeleteAll handles DELETE /v2/event-types/{id}/webhooks: data is
// "<count> webhooks deleted" (event-types-webhooks.controller.ts).
func (s *Server) handleWebhookDeleteAll(c *call) error {
	scope, err := webhookScope(c)
	if err != nil {
		return err
	}
	n, err := s.service.DeleteEventTypeWebhooks(c.r.Context(), *c.caller, scope.EventTypeID)
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, fmt.Sprintf("%d webhooks deleted", n))
	return nil
}

// decodeWebhookBody validates CreateWebhookInputDto (create) or UpdateWebhookInputDto, its
// PartialType (update: every property optional), in the DTO's order (cal.com
// apps/api/v2/src/modules/webhooks/inputs/webhook.input.ts): payloadTemplate IsString
// optional, active IsBoolean, subscriberUrl IsString, triggers IsArray and IsEnum(each),
// secret IsString optional. active has no default: create requires it.
func decodeWebhookBody(body map[string]any, create bool) (booking.WebhookInput, error) {
	var in booking.WebhookInput
	var errs errorsList
	optionalString := func(key string, dst **string) {
		if present(body, key) {
			if v, ok := checkString(&errs, body, key); ok {
				*dst = &v
			}
		}
	}
	optionalString("payloadTemplate", &in.PayloadTemplate)
	if create || present(body, "active") {
		if v, ok := checkBool(&errs, body, "active"); ok {
			in.Active = &v
		}
	}
	if create || present(body, "subscriberUrl") {
		if v, ok := checkString(&errs, body, "subscriberUrl"); ok {
			in.SubscriberURL = &v
		}
	}
	if create || present(body, "triggers") {
		in.Triggers = decodeTriggers(&errs, body["triggers"])
	}
	optionalString("secret", &in.Secret)
	return in, lenientError(plainMap(body), errs)
}

// decodeTriggers is IsArray then IsEnum(WebhookTriggerEvents, {each: true}): a value that
// is not an array fails both (class-validator validates it as one value).
func decodeTriggers(errs *errorsList, v any) []booking.WebhookTrigger {
	enumMsg := "each value in triggers must be one of the following values: " + joinTriggers()
	list, ok := v.([]any)
	if !ok {
		errs.add("triggers", v, "isArray", "triggers must be an array")
		errs.add("triggers", v, "isEnum", enumMsg)
		return nil
	}
	out := []booking.WebhookTrigger{}
	for _, item := range list {
		s, ok := item.(string)
		if !ok || !booking.WebhookTrigger(s).Valid() {
			errs.add("triggers", v, "isEnum", enumMsg)
			return nil
		}
		out = append(out, booking.WebhookTrigger(s))
	}
	return out
}

func joinTriggers() string {
	names := make([]string, len(booking.WebhookTriggers))
	for i, t := range booking.WebhookTriggers {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}
