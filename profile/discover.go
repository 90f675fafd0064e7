package profile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// ErrUnreachable wraps every Discover error that says the target could not be reached or
// did not answer as a Cal.com API v2 (no JSON envelope). Other errors are about the keys.
var ErrUnreachable = errors.New("target unreachable or not a Cal.com API v2")

// Missing is a kind Discover could not fill, and why.
type Missing struct {
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
}

// Discover builds a profile from the target itself, for the owner of ownerKey (the first
// user, whose event types the scenarios book) and the owner of otherKey (the second user,
// unrelated to them; "" leaves the profile with one user). It reads who the keys belong to
// (GET /v2/me), the owner's event types (GET /v2/event-types, cal-api-version 2024-06-14)
// and the event types of the owner's teams (GET /v2/teams, GET /v2/teams/{teamId}/event-types),
// and picks one event type per kind. It changes nothing on the target.
//
// An event type stands for a kind only when it has that kind's feature and no other (a
// seated type that also needs confirmation would make the seated scenarios test two
// things), is bookable without payment or the booker's login, and, for round robin, is hosted
// by the owner and at least one more user but not by the second user. Each kind without one
// is in the missing list with the reason; when several qualify the lowest id wins, so two
// runs on the same target give the same profile.
//
// pastBookingUid is the owner's accepted, non-recurring, non-seated booking with the latest
// start among their past ones (GET /v2/bookings?status=past), as a calmock picks it; none
// leaves it out. The profile has no versions: it claims everything.
func Discover(ctx context.Context, client *http.Client, baseURL, ownerKey, otherKey string) (Profile, []Missing, error) {
	if client == nil {
		client = http.DefaultClient
	}
	d := &discoverer{ctx: ctx, client: client, base: strings.TrimRight(baseURL, "/")}
	if ownerKey == "" {
		return Profile{}, nil, errors.New("discover: the first user's API key is required")
	}
	owner, err := d.me(ownerKey)
	if err != nil {
		return Profile{}, nil, err
	}
	p := Profile{Users: []User{owner}, EventTypes: map[string]EventType{}}
	if otherKey != "" {
		other, err := d.me(otherKey)
		if err != nil {
			return Profile{}, nil, err
		}
		if other.ID == owner.ID {
			return Profile{}, nil, fmt.Errorf("discover: both API keys belong to user %d (%s); the second must be another user's", owner.ID, owner.Email)
		}
		p.Users = append(p.Users, other)
	}

	var personal []calEventType
	if err := d.get("/v2/event-types", ownerKey, "2024-06-14", &personal); err != nil {
		return Profile{}, nil, err
	}
	var missing []Missing
	for _, kind := range []string{KindPlain, KindRequiresConfirmation, KindSeated, KindRecurring, KindVariableLength} {
		et, reason := pick(kind, personal, owner)
		if reason != "" {
			missing = append(missing, Missing{Kind: kind, Reason: reason})
			continue
		}
		p.EventTypes[kind] = et
	}
	otherID := 0
	if len(p.Users) > 1 {
		otherID = p.Users[1].ID
	}
	rr, reason, err := d.roundRobin(ownerKey, owner, otherID)
	if err != nil {
		return Profile{}, nil, err
	}
	if reason != "" {
		missing = append(missing, Missing{Kind: KindRoundRobin, Reason: reason})
	} else {
		p.EventTypes[KindRoundRobin] = rr
	}
	if p.PastBookingUID, err = d.pastBooking(ownerKey, owner); err != nil {
		return Profile{}, nil, err
	}
	if err := p.Validate(); err != nil {
		return Profile{}, nil, fmt.Errorf("discover: the discovered profile is not valid (a bug): %w", err)
	}
	return p, missing, nil
}

// calEventType is the part of EventTypeOutput_2024_06_14 (and the team output) that
// classification reads.
type calEventType struct {
	ID                     int    `json:"id"`
	Slug                   string `json:"slug"`
	LengthInMinutes        int    `json:"lengthInMinutes"`
	LengthInMinutesOptions []int  `json:"lengthInMinutesOptions"`
	Recurrence             *struct {
		Frequency   string `json:"frequency"`
		Interval    int    `json:"interval"`
		Occurrences int    `json:"occurrences"`
	} `json:"recurrence"`
	Seats *struct {
		SeatsPerTimeSlot int  `json:"seatsPerTimeSlot"`
		ShowAttendeeInfo bool `json:"showAttendeeInfo"`
	} `json:"seats"`
	SeatsPerTimeSlot *int `json:"seatsPerTimeSlot"`
	// ConfirmationPolicy is {type, ...} when bookings need confirmation, {disabled: true}
	// or absent otherwise; RequiresConfirmation is the older outputs' boolean.
	ConfirmationPolicy *struct {
		Type     string `json:"type"`
		Disabled bool   `json:"disabled"`
	} `json:"confirmationPolicy"`
	RequiresConfirmation            bool `json:"requiresConfirmation"`
	RequiresBookerEmailVerification bool `json:"requiresBookerEmailVerification"`
	// BookingFields: a required custom field (not one of Cal.com's defaults, which carry
	// isDefault) is one the scenarios' create bodies do not answer.
	BookingFields []struct {
		Slug      string `json:"slug"`
		Required  bool   `json:"required"`
		Hidden    bool   `json:"hidden"`
		IsDefault any    `json:"isDefault"`
	} `json:"bookingFields"`
	Price                         float64 `json:"price"`
	BookingRequiresAuthentication bool    `json:"bookingRequiresAuthentication"`
	IsInstantEvent                bool    `json:"isInstantEvent"`
	// Team event types.
	SchedulingType string `json:"schedulingType"`
	Hosts          []struct {
		UserID int `json:"userId"`
	} `json:"hosts"`
}

func (e calEventType) seats() int {
	if e.Seats != nil {
		return e.Seats.SeatsPerTimeSlot
	}
	if e.SeatsPerTimeSlot != nil {
		return *e.SeatsPerTimeSlot
	}
	return 0
}

func (e calEventType) needsConfirmation() bool {
	if e.ConfirmationPolicy != nil {
		return !e.ConfirmationPolicy.Disabled && e.ConfirmationPolicy.Type != ""
	}
	return e.RequiresConfirmation
}

// features lists the kinds' features the event type has, in Kinds order.
func (e calEventType) features() []string {
	var f []string
	if e.needsConfirmation() {
		f = append(f, KindRequiresConfirmation)
	}
	if e.seats() > 0 {
		f = append(f, KindSeated)
	}
	if e.Recurrence != nil && e.Recurrence.Occurrences > 0 {
		f = append(f, KindRecurring)
	}
	if len(e.LengthInMinutesOptions) > 1 {
		f = append(f, KindVariableLength)
	}
	return f
}

// unbookable says why the scenarios cannot book the event type, or "".
func (e calEventType) unbookable() string {
	switch {
	case e.Price > 0:
		return "it takes a payment"
	case e.BookingRequiresAuthentication:
		return "booking it requires the owner's authentication"
	case e.IsInstantEvent:
		return "it is an instant event"
	case e.RequiresBookerEmailVerification:
		return "it requires the booker's email verification"
	case e.ID == 0 || e.Slug == "" || e.LengthInMinutes <= 0:
		return "it has no id, slug or length"
	}
	for _, f := range e.BookingFields {
		if f.Required && !f.Hidden && f.IsDefault != true {
			return fmt.Sprintf("its booking form requires the custom field %q", f.Slug)
		}
	}
	return ""
}

// profileEventType converts a qualifying event type.
func (e calEventType) profileEventType(ownerUsername string) EventType {
	et := EventType{ID: e.ID, Slug: e.Slug, LengthInMinutes: e.LengthInMinutes, OwnerUsername: ownerUsername}
	if n := e.seats(); n > 0 {
		et.SeatsPerTimeSlot = n
		if e.Seats != nil {
			et.SeatsShowAttendees = e.Seats.ShowAttendeeInfo
		}
	}
	if r := e.Recurrence; r != nil && r.Occurrences > 0 {
		et.Recurrence = &Recurrence{Freq: calFrequencies[r.Frequency], Interval: r.Interval, Count: r.Occurrences}
	}
	if len(e.LengthInMinutesOptions) > 1 {
		et.LengthOptions = slices.Clone(e.LengthInMinutesOptions)
	}
	return et
}

// qualifies says why e cannot stand for kind, or "" when it can.
func (e calEventType) qualifies(kind string) string {
	if why := e.unbookable(); why != "" {
		return why
	}
	f := e.features()
	want := []string{kind}
	if kind == KindPlain || kind == KindRoundRobin {
		want = nil
	}
	if slices.Equal(f, want) {
		switch kind {
		case KindSeated:
			if e.seats() < 2 {
				return fmt.Sprintf("it has %d seat per slot; the scenarios need at least 2", e.seats())
			}
		case KindRequiresConfirmation:
			// A "time" policy asks for confirmation only inside a notice threshold.
			if p := e.ConfirmationPolicy; p != nil && p.Type != "always" {
				return fmt.Sprintf("its confirmation policy is %q, not \"always\"", p.Type)
			}
		case KindRecurring:
			if _, ok := calFrequencies[e.Recurrence.Frequency]; !ok || e.Recurrence.Occurrences < 2 || e.Recurrence.Interval < 1 {
				return fmt.Sprintf("its recurrence %+v is not weekly, monthly or yearly with at least 2 occurrences", *e.Recurrence)
			}
		}
		return ""
	}
	if len(f) == 0 {
		return "it has none of the kinds' features"
	}
	return "it is " + strings.Join(f, " and ")
}

// pick chooses the personal event type of kind with the lowest id, or says why there is none.
func pick(kind string, ets []calEventType, owner User) (EventType, string) {
	best, reasons := -1, []string{}
	for i, e := range ets {
		if why := e.qualifies(kind); why != "" {
			if kind == KindPlain || slices.Contains(e.features(), kind) {
				reasons = append(reasons, fmt.Sprintf("%d (%s): %s", e.ID, e.Slug, why))
			}
			continue
		}
		if best < 0 || e.ID < ets[best].ID {
			best = i
		}
	}
	if best >= 0 {
		return ets[best].profileEventType(owner.Username), ""
	}
	what := map[string]string{
		KindPlain:                "plain (fixed length, no seats, recurrence or confirmation)",
		KindRequiresConfirmation: "one that requires confirmation",
		KindSeated:               "seated",
		KindRecurring:            "recurring",
		KindVariableLength:       "of variable length (lengthInMinutesOptions)",
	}[kind]
	msg := fmt.Sprintf("none of the %d event types of user %d (%s) is %s", len(ets), owner.ID, owner.Username, what)
	if len(reasons) > 0 {
		msg += "; not usable: " + strings.Join(reasons, "; ")
	}
	return EventType{}, msg
}

// roundRobin finds a round-robin team event type hosted by the owner and someone else, not
// by the second user (the profile treats them as unrelated).
func (d *discoverer) roundRobin(key string, owner User, otherID int) (EventType, string, error) {
	var teams []struct {
		ID             int    `json:"id"`
		Slug           string `json:"slug"`
		IsOrganization bool   `json:"isOrganization"`
	}
	if err := d.get("/v2/teams", key, "", &teams); err != nil {
		return EventType{}, "", err
	}
	var reasons []string
	var best *EventType
	for _, t := range teams {
		if t.IsOrganization || t.Slug == "" {
			continue
		}
		var ets []calEventType
		if err := d.get(fmt.Sprintf("/v2/teams/%d/event-types", t.ID), key, "", &ets); err != nil {
			return EventType{}, "", err
		}
		for _, e := range ets {
			if !strings.EqualFold(strings.ReplaceAll(e.SchedulingType, "_", ""), "roundrobin") {
				continue
			}
			var hosts []int
			for _, h := range e.Hosts {
				hosts = append(hosts, h.UserID)
			}
			why := e.qualifies(KindRoundRobin)
			switch {
			case why != "":
			case !slices.Contains(hosts, owner.ID):
				why = fmt.Sprintf("user %d does not host it", owner.ID)
			case len(hosts) < 2:
				why = "it has fewer than two hosts"
			case otherID != 0 && slices.Contains(hosts, otherID):
				why = fmt.Sprintf("the second user (%d) hosts it, and the profile treats them as unrelated", otherID)
			}
			if why != "" {
				reasons = append(reasons, fmt.Sprintf("%d (%s/%s): %s", e.ID, t.Slug, e.Slug, why))
				continue
			}
			if best == nil || e.ID < best.ID {
				et := e.profileEventType("")
				et.TeamSlug, et.HostUserIDs = t.Slug, hosts
				best = &et
			}
		}
	}
	if best != nil {
		return *best, "", nil
	}
	if len(teams) == 0 {
		return EventType{}, fmt.Sprintf("user %d (%s) is in no team (GET /v2/teams)", owner.ID, owner.Username), nil
	}
	msg := fmt.Sprintf("no round-robin event type in the %d teams of user %d (%s)", len(teams), owner.ID, owner.Username)
	if len(reasons) > 0 {
		msg += "; not usable: " + strings.Join(reasons, "; ")
	}
	return EventType{}, msg, nil
}

// pastBooking finds the booking pastBookingUid names, or "" when the owner has none or the
// list is refused (the key is fine: /v2/me took it; the scenarios that need one are skipped).
func (d *discoverer) pastBooking(key string, owner User) (string, error) {
	var bookings []struct {
		UID                 string `json:"uid"`
		Status              string `json:"status"`
		Start               string `json:"start"`
		RecurringBookingUID string `json:"recurringBookingUid"`
		Hosts               []struct {
			ID int `json:"id"`
		} `json:"hosts"`
		Attendees []struct {
			SeatUID string `json:"seatUid"`
		} `json:"attendees"`
	}
	err := d.get("/v2/bookings?status=past&sortStart=desc&take=250", key, "2024-08-13", &bookings)
	var se *statusError
	if errors.As(err, &se) {
		return "", nil // the target answered, with an error: leave it out
	}
	if err != nil {
		return "", err
	}
	best, bestStart := "", time.Time{}
	for _, b := range bookings {
		start, perr := time.Parse(time.RFC3339, b.Start)
		if perr != nil || b.Status != "accepted" || b.RecurringBookingUID != "" || len(b.Hosts) == 0 || b.Hosts[0].ID != owner.ID ||
			len(b.Attendees) == 0 || b.Attendees[0].SeatUID != "" {
			continue
		}
		if best == "" || start.After(bestStart) || (start.Equal(bestStart) && b.UID < best) {
			best, bestStart = b.UID, start
		}
	}
	return best, nil
}

type discoverer struct {
	ctx    context.Context
	client *http.Client
	base   string
}

// me reads the user a key belongs to.
func (d *discoverer) me(key string) (User, error) {
	var me struct {
		ID       int    `json:"id"`
		Username string `json:"username"`
		Email    string `json:"email"`
		TimeZone string `json:"timeZone"`
	}
	if err := d.get("/v2/me", key, "", &me); err != nil {
		return User{}, err
	}
	if me.ID == 0 {
		return User{}, fmt.Errorf("discover: GET /v2/me: no user id in the answer: %w", ErrUnreachable)
	}
	return User{ID: me.ID, Username: me.Username, Email: me.Email, TimeZone: me.TimeZone, APIKey: key}, nil
}

// get sends an authenticated GET and decodes the envelope's data into out. A 401 or 403 is
// the key's fault; anything else that is not a 200 with a JSON envelope is ErrUnreachable.
func (d *discoverer) get(path, key, version string, out any) error {
	req, err := http.NewRequestWithContext(d.ctx, http.MethodGet, d.base+path, nil)
	if err != nil {
		return fmt.Errorf("discover: GET %s: %w", path, err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if version != "" {
		req.Header.Set("cal-api-version", version)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return fmt.Errorf("discover: GET %s: %w: %w", path, ErrUnreachable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("discover: GET %s: reading the answer: %w: %w", path, ErrUnreachable, err)
	}
	var env struct {
		Status string          `json:"status"`
		Data   json.RawMessage `json:"data"`
		Error  *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Status == "" {
		return fmt.Errorf("discover: GET %s: %d without a Cal.com JSON envelope: %w", path, resp.StatusCode, ErrUnreachable)
	}
	if resp.StatusCode != http.StatusOK {
		se := &statusError{status: resp.StatusCode}
		if env.Error != nil {
			se.msg = env.Error.Code + ": " + env.Error.Message
		}
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			return fmt.Errorf("discover: GET %s with key %s: %w", path, redact(key), se)
		}
		return fmt.Errorf("discover: GET %s: %w: %w", path, se, ErrUnreachable)
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fmt.Errorf("discover: GET %s: data: %w: %w", path, ErrUnreachable, err)
	}
	return nil
}

// statusError is an error answer in Cal.com's envelope.
type statusError struct {
	status int
	msg    string
}

func (e *statusError) Error() string { return fmt.Sprintf("%d %s", e.status, e.msg) }

// redact shows enough of a key to tell two apart.
func redact(key string) string {
	if len(key) <= 12 {
		return "cal_…"
	}
	return key[:8] + "…" + key[len(key)-4:]
}
