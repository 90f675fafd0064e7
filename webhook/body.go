package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"

	"github.com/calmock/calmock/internal/wiretime"

	"time"
)

// Content types of a delivery (sendPayload.ts: JSON unless a payloadTemplate that is not
// JSON is configured).
const (
	ContentTypeJSON = "application/json"
	ContentTypeForm = "application/x-www-form-urlencoded"
)

// Header names the real platform sends (sendPayload.ts _sendPayload).
const (
	HeaderSignature = "X-Cal-Signature-256"
	HeaderVersion   = "X-Cal-Webhook-Version"
)

// NoSecret is the signature header's value for a webhook without a secret
// (createWebhookSignature).
const NoSecret = "no-secret-provided"

// Sign is createWebhookSignature: the lower-case hex HMAC-SHA256 of body keyed with secret,
// or NoSecret when secret is "".
func Sign(secret string, body []byte) string {
	if secret == "" {
		return NoSecret
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Message is one rendered delivery: the exact body and its headers.
type Message struct {
	Body   []byte
	Header http.Header
}

// Render builds the request s receives for trigger with payload, sent at createdAt: the
// default body `{"triggerEvent","createdAt","payload"}` or s's template applied, the
// Content-Type, X-Cal-Signature-256 over the exact body and X-Cal-Webhook-Version.
// It fails only when s's template uses Handlebars constructs the mock does not implement.
func Render(s *Subscription, trigger Trigger, createdAt time.Time, payload any) (Message, error) {
	at := wiretime.Format(createdAt) // new Date().toISOString()
	ct := ContentTypeJSON
	if s.PayloadTemplate != "" && !jsonTruthy(s.PayloadTemplate) {
		ct = ContentTypeForm
	}
	var body []byte
	if s.PayloadTemplate == "" {
		var err error
		body, err = marshalJS(struct {
			TriggerEvent Trigger `json:"triggerEvent"`
			CreatedAt    string  `json:"createdAt"`
			Payload      any     `json:"payload"`
		}{trigger, at, payload})
		if err != nil {
			return Message{}, err
		}
	} else {
		data, err := templateData(payload, trigger, at)
		if err != nil {
			return Message{}, err
		}
		body, err = ApplyTemplate(s.PayloadTemplate, data, ct)
		if err != nil {
			return Message{}, err
		}
	}
	h := http.Header{}
	h.Set("Content-Type", ct)
	h.Set(HeaderSignature, Sign(s.Secret, body))
	h.Set(HeaderVersion, s.WebhookVersion())
	return Message{Body: body, Header: h}, nil
}

// marshalJS encodes v as JSON.stringify would: no HTML escaping of <, > and &.
func marshalJS(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// templateData is what Cal.com hands Handlebars: the payload's fields at the top level with
// triggerEvent and createdAt ({ ...data, triggerEvent, createdAt }), as JSON values.
func templateData(payload any, trigger Trigger, createdAt string) (map[string]any, error) {
	raw, err := marshalJS(payload)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	data := map[string]any{}
	if err := dec.Decode(&data); err != nil {
		return nil, err
	}
	data["triggerEvent"] = string(trigger)
	data["createdAt"] = createdAt
	return data, nil
}
