package booking

import (
	"net/netip"
	"regexp"
	"strings"
)

// The bookingFieldsResponses a booking records (behaviour notes §7.1): what Cal.com's API v2
// puts in the booking's responses before its booking core stores them. Source:
// calcom/cal.com apps/api/v2/src/ee/bookings/2024-08-13/services/input.service.ts
// (transformInputCreateBooking, transformInputCreateRecurringBooking, transformLocation,
// transformInputRescheduleBooking).

// locationAnswer is bookingFieldsResponses.location: Cal.com's internal location type and the
// text the booker gave for it ("" when the organizer defined the location).
type locationAnswer struct {
	value, optionValue string
}

func (a *locationAnswer) response() map[string]any {
	return LocationResponse(a.value, a.optionValue)
}

// LocationResponse is bookingFieldsResponses.location as the API shows it, for a booking's
// LocationType and LocationOption.
func LocationResponse(typ, option string) map[string]any {
	return map[string]any{"value": typ, "optionValue": option}
}

// internalIntegrations maps the API's integration names to Cal.com's internal location types.
// Source: calcom/cal.com apps/api/v2/src/ee/event-types/event-types_2024_06_14/transformers
// (apiToInternalintegrationsMapping); note the irregular ones (google:meet, huddle01,
// sirius_video_video, element-call_video).
var internalIntegrations = map[string]string{
	"cal-video":          calVideoStored,
	"google-meet":        "integrations:google:meet",
	"office365-video":    "integrations:office365_video",
	"zoom":               "integrations:zoom",
	"whereby-video":      "integrations:whereby_video",
	"whatsapp-video":     "integrations:whatsapp_video",
	"webex-video":        "integrations:webex_video",
	"telegram-video":     "integrations:telegram_video",
	"tandem":             "integrations:tandem",
	"sylaps-video":       "integrations:sylaps_video",
	"skype-video":        "integrations:skype_video",
	"sirius-video":       "integrations:sirius_video_video",
	"signal-video":       "integrations:signal_video",
	"shimmer-video":      "integrations:shimmer_video",
	"salesroom-video":    "integrations:salesroom_video",
	"roam-video":         "integrations:roam_video",
	"riverside-video":    "integrations:riverside_video",
	"ping-video":         "integrations:ping_video",
	"mirotalk-video":     "integrations:mirotalk_video",
	"jitsi":              "integrations:jitsi",
	"jelly-video":        "integrations:jelly_video",
	"jelly-conferencing": "integrations:jelly_conferencing",
	"huddle":             "integrations:huddle01",
	"facetime-video":     "integrations:facetime_video",
	"element-call-video": "integrations:element-call_video",
	"eightxeight-video":  "integrations:eightxeight_video",
	"discord-video":      "integrations:discord_video",
	"demodesk-video":     "integrations:demodesk_video",
	"campfire-video":     "integrations:campfire_video",
}

// internalIntegration is the internal location type of an API integration name. A name
// outside Cal.com's list (only a fixtures file can configure one) keeps the
// "integrations:<name>" pattern.
func internalIntegration(name string) string {
	if t, ok := internalIntegrations[name]; ok {
		return t
	}
	return "integrations:" + name
}

// objectLocationAnswer is what Cal.com records for the object form of the create body's
// location. Organizer-defined kinds record no optionValue: the value lives on the event type.
func objectLocationAnswer(l *LocationInput) *locationAnswer {
	switch l.Type {
	case "integration":
		return &locationAnswer{value: internalIntegration(l.Integration)}
	case "address":
		return &locationAnswer{value: "inPerson"}
	case "attendeeAddress":
		return &locationAnswer{value: "attendeeInPerson", optionValue: l.Address}
	case "link":
		return &locationAnswer{value: "link"}
	case "phone":
		return &locationAnswer{value: "userPhone"}
	case "organizersDefaultApp":
		return &locationAnswer{value: "conferencing"}
	case "attendeePhone":
		return &locationAnswer{value: "phone", optionValue: l.Phone}
	case "attendeeDefined":
		return &locationAnswer{value: "somewhereElse", optionValue: l.Location}
	}
	return nil
}

// stringLocationAnswer is what Cal.com records for the legacy string form of the location
// (and for meetingUrl, which it treats the same way): a URL (scheme optional) or a "www."
// string is a link, an international phone number a phone, anything else free text.
func stringLocationAnswer(s string) *locationAnswer {
	switch {
	case looksLikeURL(s) || strings.HasPrefix(s, "www."):
		return &locationAnswer{value: "link", optionValue: s}
	case looksLikePhone(s):
		return &locationAnswer{value: "phone", optionValue: s}
	}
	return &locationAnswer{value: "somewhereElse", optionValue: s}
}

// hostLabel is one label of a domain name; tld the last one (letters only, or punycode), as
// validator.js's isFQDN wants by default.
var (
	hostLabel = regexp.MustCompile(`^[\p{L}\p{N}]([\p{L}\p{N}-]*[\p{L}\p{N}])?$`)
	tld       = regexp.MustCompile(`^(\p{L}{2,}|xn--[a-z0-9-]{2,})$`)
)

// looksLikeURL approximates validator.js's isURL(s, {require_protocol: false}), which Cal.com
// applies to a string location: an optional http(s)/ftp scheme, optional user info, a host
// that is a fully qualified domain name (so "localhost" is not one) or an IP, an optional
// port, then anything without white space.
func looksLikeURL(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	if i := strings.Index(s, "://"); i >= 0 {
		switch strings.ToLower(s[:i]) {
		case "http", "https", "ftp":
			s = s[i+3:]
		default:
			return false
		}
	}
	host := s
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		port := host[i+1:]
		if port == "" || strings.Trim(port, "0123456789") != "" || len(port) > 5 {
			return false
		}
		host = host[:i]
	}
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil && ip.IsValid() {
		return true
	}
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	if len(labels) < 2 || !tld.MatchString(labels[len(labels)-1]) {
		return false
	}
	for _, l := range labels {
		if len(l) > 63 || !hostLabel.MatchString(l) {
			return false
		}
	}
	return true
}

// internationalPhone is the international format Cal.com's class-validator isPhoneNumber
// accepts without a region (the same rule the transport applies to attendee.phoneNumber).
var internationalPhone = regexp.MustCompile(`^\+[1-9]\d{6,14}$`)

func looksLikePhone(s string) bool {
	return internationalPhone.MatchString(strings.NewReplacer(" ", "", "-", "").Replace(s))
}

// createResponses builds the bookingFieldsResponses of a create: the given answers, with the
// keys the API itself answers laid over them. Those keys are always the API's: when it has
// no value for one (no guests, no location, no phone) the booker's answer under that key is
// dropped too, as Cal.com's `key: undefined` does once stored as JSON. smsReminderNumber is
// answered from attendee.phoneNumber only when the event type asks for it, and only by the
// non-recurring create (Cal.com's recurring transform does not touch the key at all).
func createResponses(in CreateInput, et EventType, recurring bool, booker Attendee, loc location) map[string]any {
	r := cloneMap(in.BookingFieldsResponses)
	if r == nil {
		r = map[string]any{}
	}
	r["name"] = booker.Name
	r["email"] = booker.Email
	delete(r, "guests")
	if len(in.Guests) > 0 {
		g := make([]any, len(in.Guests))
		for i, e := range in.Guests {
			g[i] = e
		}
		r["guests"] = g
	}
	delete(r, "location")
	if loc.answer != nil {
		r["location"] = loc.answer.response()
	}
	delete(r, "attendeePhoneNumber")
	if booker.PhoneNumber != "" {
		r["attendeePhoneNumber"] = booker.PhoneNumber
	}
	if !recurring {
		delete(r, "smsReminderNumber")
		if et.SMSReminderNumber && booker.PhoneNumber != "" {
			r["smsReminderNumber"] = booker.PhoneNumber
		}
	}
	return r
}

// storedResponses is what a booking keeps of its bookingFieldsResponses: the answers less
// those the API's output derives from the booking itself (the booker's name and email from
// the first attendee, guests from Guests, the location answer from LocationType and
// LocationOption, which createResponses always sets from the API's own value), or nil when
// nothing is left. A created booking
// usually answers nothing else, and a Go map costs ~340 bytes even with two keys: a third of
// what a booking cost the store before (issue 6). The output is unchanged: it is built from
// the derived values with the stored ones laid over them (mockserver's bookingResponses).
// Metadata likewise stays nil when the request sent none; the output shows {}.
func storedResponses(responses map[string]any, booker Attendee, guests []string) map[string]any {
	var out map[string]any
	for k, v := range responses {
		switch {
		case k == "name" && v == any(booker.Name),
			k == "email" && v == any(booker.Email),
			k == "guests" && len(guests) > 0,
			k == "location":
			continue
		}
		if out == nil {
			out = make(map[string]any, len(responses))
		}
		out[k] = cloneValue(v)
	}
	return out
}

// rescheduledResponses are the responses of the booking a reschedule creates: the old
// booking's, with rescheduledReason set to this reschedule's reason, or dropped when it gives
// none (Cal.com spreads `rescheduledReason: reschedulingReason` over the old responses, and an
// undefined value is not stored), so a reason never carries over from an earlier reschedule.
// responses is the new booking's own copy.
func rescheduledResponses(responses map[string]any, reason string) map[string]any {
	if reason == "" {
		delete(responses, "rescheduledReason")
		if len(responses) == 0 {
			return nil
		}
		return responses
	}
	if responses == nil {
		responses = map[string]any{}
	}
	responses["rescheduledReason"] = reason
	return responses
}
