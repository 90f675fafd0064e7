// Package profile describes a conformance target: the users and API keys to call it with,
// the event types of each kind that the scenarios book, and the cal-api-version values and
// operations it claims to serve. A calmock serves its profile at
// GET /_calmock/profile; for any other target (the real api.cal.com, a third-party clone) the
// same shape is read from a file.
package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
)

// Path is where a calmock serves its profile.
const Path = "/_calmock/profile"

// Event type kinds, the keys of Profile.EventTypes.
const (
	KindPlain                = "plain"
	KindRequiresConfirmation = "requiresConfirmation"
	KindSeated               = "seated"
	KindRecurring            = "recurring"
	KindRoundRobin           = "roundRobin"
	KindVariableLength       = "variableLength"
)

// Kinds lists every event type kind, in a stable order.
var Kinds = []string{KindPlain, KindRequiresConfirmation, KindSeated, KindRecurring, KindRoundRobin, KindVariableLength}

// Profile is what a conformance run needs to know about a target.
type Profile struct {
	// Users: the first owns the personal event types; the second is unrelated to them (used
	// to check that one user cannot see or change another's bookings).
	Users []User `json:"users"`
	// EventTypes maps a kind (see Kinds) to an event type of that kind. A kind that is
	// missing disables the scenarios that need it.
	EventTypes map[string]EventType `json:"eventTypes"`
	// PastBookingUID is an accepted booking organised by the first user that has already
	// started (bookings cannot be created in the past, and mark-absent needs one). Optional:
	// without it the scenarios that need it are skipped.
	PastBookingUID string `json:"pastBookingUid,omitempty"`
	// Versions maps each cal-api-version the target serves to the operation ids (as in
	// Cal.com's OpenAPI document, e.g. BookingsController_2024_08_13_getBooking) it serves
	// under that version. A calmock reports its route table here. Optional: without it the
	// target claims nothing and no scenario is skipped for its version or operations; with
	// it, a scenario whose version or operations are not claimed is skipped (see Claims).
	Versions map[string][]string `json:"versions,omitempty"`
}

// Claims reports whether the profile claims the operation under the version; an empty
// operationID asks about the version alone. A profile without Versions claims everything,
// so that a target described before the field existed keeps running every scenario.
func (p Profile) Claims(version, operationID string) bool {
	if p.Versions == nil {
		return true
	}
	ops, ok := p.Versions[version]
	if !ok {
		return false
	}
	return operationID == "" || slices.Contains(ops, operationID)
}

// User is one account on the target.
type User struct {
	ID       int    `json:"id"`
	Username string `json:"username"`
	Email    string `json:"email"`
	TimeZone string `json:"timeZone"`
	APIKey   string `json:"apiKey"`
}

// Recurrence is a recurring event type's rule (freq: 0 yearly, 1 monthly, 2 weekly).
type Recurrence struct {
	Freq     int `json:"freq"`
	Interval int `json:"interval"`
	Count    int `json:"count"`
}

// EventType is one bookable event type. Fields beyond id, slug and lengthInMinutes are set
// only for the kinds that need them.
type EventType struct {
	ID              int    `json:"id"`
	Slug            string `json:"slug"`
	LengthInMinutes int    `json:"lengthInMinutes"`
	// OwnerUsername is the owner of a personal event type (for slug + username booking).
	OwnerUsername string `json:"ownerUsername,omitempty"`
	// SeatsPerTimeSlot and SeatsShowAttendees: seated kind.
	SeatsPerTimeSlot   int  `json:"seatsPerTimeSlot,omitempty"`
	SeatsShowAttendees bool `json:"seatsShowAttendees,omitempty"`
	// Recurrence: recurring kind.
	Recurrence *Recurrence `json:"recurrence,omitempty"`
	// TeamSlug and HostUserIDs: round-robin kind.
	TeamSlug    string `json:"teamSlug,omitempty"`
	HostUserIDs []int  `json:"hostUserIds,omitempty"`
	// LengthOptions: variable-length kind (the durations a booker may pick).
	LengthOptions []int `json:"lengthOptions,omitempty"`
}

// UnmarshalJSON reads an event type in this package's field names or in those of Cal.com's
// own event type output (GET /v2/event-types, cal-api-version 2024-06-14), so that a profile
// can be written from what the target's event types API answers: `lengthInMinutesOptions`
// for lengthOptions, `recurrence` as {frequency, interval, occurrences}, and `seats` as
// {seatsPerTimeSlot, showAttendeeInfo, showAvailabilityCount}. Any other unknown key is an
// error, as everywhere in a profile.
func (et *EventType) UnmarshalJSON(data []byte) error {
	type fields EventType // without this method
	var aux struct {
		fields
		LengthInMinutesOptions []int           `json:"lengthInMinutesOptions"`
		Recurrence             json.RawMessage `json:"recurrence"`
		Seats                  *struct {
			SeatsPerTimeSlot      int  `json:"seatsPerTimeSlot"`
			ShowAttendeeInfo      bool `json:"showAttendeeInfo"`
			ShowAvailabilityCount bool `json:"showAvailabilityCount"`
		} `json:"seats"`
	}
	if err := decodeStrict(data, &aux); err != nil {
		return err
	}
	*et = EventType(aux.fields)
	if len(aux.LengthInMinutesOptions) > 0 {
		et.LengthOptions = aux.LengthInMinutesOptions
	}
	if aux.Seats != nil {
		et.SeatsPerTimeSlot, et.SeatsShowAttendees = aux.Seats.SeatsPerTimeSlot, aux.Seats.ShowAttendeeInfo
	}
	if len(aux.Recurrence) > 0 && string(aux.Recurrence) != "null" {
		r, err := decodeRecurrence(aux.Recurrence)
		if err != nil {
			return err
		}
		et.Recurrence = r
	}
	return nil
}

// calFrequencies are the frequencies of Cal.com's event type output by rrule number.
var calFrequencies = map[string]int{"yearly": 0, "monthly": 1, "weekly": 2}

// decodeRecurrence reads {freq, interval, count} or Cal.com's {frequency, interval,
// occurrences}.
func decodeRecurrence(data []byte) (*Recurrence, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("recurrence: %w", err)
	}
	if _, cal := probe["frequency"]; !cal {
		var r Recurrence
		if err := decodeStrict(data, &r); err != nil {
			return nil, fmt.Errorf("recurrence: %w", err)
		}
		return &r, nil
	}
	var c struct {
		Frequency   string `json:"frequency"`
		Interval    int    `json:"interval"`
		Occurrences int    `json:"occurrences"`
	}
	if err := decodeStrict(data, &c); err != nil {
		return nil, fmt.Errorf("recurrence: %w", err)
	}
	freq, ok := calFrequencies[c.Frequency]
	if !ok {
		return nil, fmt.Errorf("recurrence: frequency %q is not yearly, monthly or weekly", c.Frequency)
	}
	return &Recurrence{Freq: freq, Interval: c.Interval, Count: c.Occurrences}, nil
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Decode reads a profile from JSON, rejecting unknown keys, and checks it.
func Decode(data []byte) (Profile, error) {
	var p Profile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Profile{}, fmt.Errorf("decode profile: %w", err)
	}
	if err := p.Validate(); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// Load reads a profile file (JSON).
func Load(path string) (Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Profile{}, fmt.Errorf("load profile: %w", err)
	}
	p, err := Decode(data)
	if err != nil {
		return Profile{}, fmt.Errorf("load profile %s: %w", path, err)
	}
	return p, nil
}

// Validate checks that the profile is usable: at least one user with an API key, and known
// kinds with the properties each kind needs.
func (p Profile) Validate() error {
	var errs []error
	if len(p.Users) == 0 {
		errs = append(errs, errors.New("profile: users: at least one user is required"))
	}
	for i, u := range p.Users {
		if u.APIKey == "" {
			errs = append(errs, fmt.Errorf("profile: users[%d]: apiKey is required", i))
		}
	}
	for kind, et := range p.EventTypes {
		if !known(kind) {
			errs = append(errs, fmt.Errorf("profile: eventTypes: unknown kind %q (known: %v)", kind, Kinds))
			continue
		}
		if et.ID == 0 || et.Slug == "" || et.LengthInMinutes <= 0 {
			errs = append(errs, fmt.Errorf("profile: eventTypes.%s: id, slug and lengthInMinutes are required", kind))
		}
		switch kind {
		case KindSeated:
			if et.SeatsPerTimeSlot < 2 {
				errs = append(errs, fmt.Errorf("profile: eventTypes.%s: seatsPerTimeSlot must be at least 2", kind))
			}
		case KindRecurring:
			if et.Recurrence == nil || et.Recurrence.Count < 2 {
				errs = append(errs, fmt.Errorf("profile: eventTypes.%s: recurrence with count >= 2 is required", kind))
			}
		case KindRoundRobin:
			if et.TeamSlug == "" || len(et.HostUserIDs) < 2 {
				errs = append(errs, fmt.Errorf("profile: eventTypes.%s: teamSlug and at least two hostUserIds are required", kind))
			}
		case KindVariableLength:
			if len(et.LengthOptions) < 2 {
				errs = append(errs, fmt.Errorf("profile: eventTypes.%s: at least two lengthOptions are required", kind))
			}
		}
	}
	for _, v := range slices.Sorted(maps.Keys(p.Versions)) {
		ops := p.Versions[v]
		if !versionFormat.MatchString(v) {
			errs = append(errs, fmt.Errorf("profile: versions: %q is not a cal-api-version (YYYY-MM-DD)", v))
		}
		seen := map[string]bool{}
		for i, op := range ops {
			switch {
			case op == "":
				errs = append(errs, fmt.Errorf("profile: versions.%s[%d]: empty operation id", v, i))
			case seen[op]:
				errs = append(errs, fmt.Errorf("profile: versions.%s: operation %s listed twice", v, op))
			}
			seen[op] = true
		}
	}
	return errors.Join(errs...)
}

// versionFormat is the shape of a cal-api-version value.
var versionFormat = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func known(kind string) bool {
	for _, k := range Kinds {
		if k == kind {
			return true
		}
	}
	return false
}
