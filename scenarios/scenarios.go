// Package scenarios holds the conformance scenarios: one YAML file per flow, embedded in the
// binary, plus the types they decode into and a strict loader. A scenario only states
// behaviour (requests, expected statuses and values, captures); the conformance package
// interprets it and adds the automatic checks (OpenAPI, envelope, headers) to every step.
//
// File format (every key is optional unless marked required; unknown keys are errors):
//
//	name: cancel-twice                 # required, kebab-case, unique (by convention the file name)
//	description: ...                   # required
//	features: [core]                   # required, each one a registered feature
//	version: 2024-08-13                # cal-api-version of every step (default 2024-08-13)
//	operations: [BookingsController_2024_08_13_getBooking]  # operation ids it needs
//	vars: {email: "{{email.booker}}"}  # evaluated once, before the first step
//	supersededBy: other-scenario       # skipped where other-scenario can run (it moves the clock)
//	webhook: {triggers: [BOOKING_CREATED, BOOKING_CANCELLED]}  # subscribe the runner's receiver
//	steps:                             # required, at least one
//	  - name: create                   # required, unique in the scenario
//	    version: 2026-02-25            # this step's cal-api-version (default: the scenario's)
//	    request:
//	      method: POST                 # required
//	      path: /v2/bookings           # required, templated
//	      auth: owner                  # owner (default) | other | none
//	      headers: {X: "v"}            # templated; "" removes a default header
//	      query: {take: "2"}           # templated
//	      body: {...}                  # any YAML value, templated recursively
//	    expect:
//	      status: 201                  # required
//	      envelope: success            # success | error | bare; default from status
//	      json: {data.status: accepted, data.uid: {exists: true}}
//	      headers: {X-Request-Id: {exists: true}}
//	      webhooks:                    # the deliveries this step causes, in order (needs webhook)
//	        - trigger: BOOKING_CREATED
//	          json: {payload.uid: "{{uid}}", payload.status: ACCEPTED}
//	    capture: {uid: data.uid}       # variable -> JSON path of the response
//	  - name: end-passes               # a clock step: no request, expect or capture
//	    clock: {freeze: "{{slot.0 +1h}}"}  # or {advance: 90m}
//
// A clock step moves the target's clock (calmock's POST /_calmock/clock), so a scenario can
// reach "after the booking ended" without a fixture booking in the past. Only a target whose
// clock the suite alone controls can run it (a calmock sandbox made for the scenario); on any
// other target the scenario is skipped with that reason. A scenario that needs the past on
// other targets (a profile's past booking, say) names the clock scenario that covers the same
// behaviour in supersededBy: where the clock can move, it is skipped in the other's favour.
//
// A scenario with webhook subscribes a receiver of the runner to those triggers (POST
// /v2/webhooks as the owner, with a secret) before its first step and deletes the subscription
// after its last. Each step then states every delivery it causes in expect.webhooks, in order
// (none stated: it must cause none): the runner checks the trigger, the signature and the JSON
// matchers of each body, and a delivery nobody expected shows as soon as a later expected one
// arrives, since a subscription's deliveries come in order. A target that cannot reach the
// runner's receiver skips the scenario with the reason.
//
// Templates are written {{name}}; the conformance package documents the names it resolves.
//
// version and operations are claims the target's profile must make (profile.Profile.Versions):
// a target that lists its versions and lacks one a scenario uses, or lacks one of its
// operations under the scenario's version, skips the scenario with that reason. A step that
// must send a header the target does not serve on purpose (a missing or unknown version,
// to test the fallback) sets it in request.headers instead, which claims nothing.
package scenarios

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Embedded holds the scenario files shipped with calmock.
//
//go:embed *.yaml
var Embedded embed.FS

// Scenario is one flow, read from one file.
type Scenario struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Features    []string `yaml:"features"`
	// Version is the cal-api-version every step sends unless the step sets its own. Empty:
	// the interpreter's default (2024-08-13).
	Version string `yaml:"version"`
	// Operations are the operation ids (as in Cal.com's OpenAPI document) the scenario needs
	// the target to serve under Version. Optional.
	Operations []string          `yaml:"operations"`
	Vars       map[string]string `yaml:"vars"`
	// SupersededBy names a scenario of the same source that moves the clock (MovesClock) to
	// cover this one's behaviour: this one is skipped where that one can run. Optional.
	SupersededBy string `yaml:"supersededBy"`
	// Webhook, when set, subscribes the runner's receiver before the first step.
	Webhook *Webhook `yaml:"webhook"`
	Steps   []Step   `yaml:"steps"`

	// File is the file the scenario was read from (set by the loader).
	File string `yaml:"-"`
	// Index is the scenario's position in the sorted list Load returns. The interpreter
	// derives the scenario's time slots from it, so two scenarios never book the same slot.
	Index int `yaml:"-"`
}

// Step is one request and what its response must look like.
type Step struct {
	Name string `yaml:"name"`
	// Version is the cal-api-version of this step's request. Empty: the scenario's.
	Version string            `yaml:"version"`
	Request Request           `yaml:"request"`
	Expect  Expect            `yaml:"expect"`
	Capture map[string]string `yaml:"capture"`
	// Clock, when set, makes this a clock step: it moves the target's clock and sends no
	// request (Request, Expect and Capture stay empty).
	Clock *ClockChange `yaml:"clock"`
}

// Webhook is the subscription a scenario makes for its receiver.
type Webhook struct {
	// Triggers are the subscription's triggers (Cal.com's names, e.g. BOOKING_CREATED).
	Triggers []string `yaml:"triggers"`
}

// Delivery is one webhook delivery a step must cause.
type Delivery struct {
	// Trigger is the body's triggerEvent.
	Trigger string `yaml:"trigger"`
	// JSON are matchers on the delivery's body, as Expect.JSON on a response's.
	JSON map[string]Matcher `yaml:"json"`
}

// ExpectsWebhooks reports whether the scenario subscribes a receiver.
func (sc Scenario) ExpectsWebhooks() bool { return sc.Webhook != nil }

// ClockChange moves a target's clock: exactly one field is set.
type ClockChange struct {
	// Freeze stops the clock at this instant (templated, e.g. "{{slot.0 +1h}}").
	Freeze string `yaml:"freeze"`
	// Advance moves the clock forward by a Go duration ("90m", "26h").
	Advance string `yaml:"advance"`
}

// MovesClock reports whether a step of the scenario moves the target's clock.
func (sc Scenario) MovesClock() bool {
	for _, st := range sc.Steps {
		if st.Clock != nil {
			return true
		}
	}
	return false
}

// Auth values of Request.Auth.
const (
	AuthOwner = "owner" // the profile's first user (the event types' owner); the default
	AuthOther = "other" // the profile's second user, unrelated to the event types
	AuthNone  = "none"  // no Authorization header
)

// Request is an HTTP request. Defaults added by the interpreter: cal-api-version 2024-08-13,
// Content-Type application/json when there is a body, and Authorization per Auth. A header
// given here with an empty value removes the default.
type Request struct {
	Method  string            `yaml:"method"`
	Path    string            `yaml:"path"`
	Auth    string            `yaml:"auth"`
	Headers map[string]string `yaml:"headers"`
	Query   map[string]string `yaml:"query"`
	Body    any               `yaml:"body"`
	// RawBody is sent as is (for malformed JSON); it excludes Body.
	RawBody string `yaml:"rawBody"`
}

// Envelope values of Expect.Envelope.
const (
	EnvelopeSuccess = "success" // {status: success, data}
	EnvelopeError   = "error"   // {status: error, error: {...}}
	EnvelopeBare    = "bare"    // Nest's fallback {statusCode, message}: no Cal.com envelope
	// EnvelopeStatus is {status: success} with no data, as 2026-02-25's request-reschedule
	// answers (bookings-changes-2026.md).
	EnvelopeStatus = "status"
)

// Expect states what the response must be. Status is required.
type Expect struct {
	Status   int                `yaml:"status"`
	Envelope string             `yaml:"envelope"`
	JSON     map[string]Matcher `yaml:"json"`
	Headers  map[string]Matcher `yaml:"headers"`
	// Webhooks are the deliveries the step causes, in order; the scenario must set webhook.
	Webhooks []Delivery `yaml:"webhooks"`
}

// DefaultEnvelope is the envelope a status implies when Expect.Envelope is empty.
func (e Expect) DefaultEnvelope() string {
	if e.Envelope != "" {
		return e.Envelope
	}
	if e.Status >= 200 && e.Status < 300 {
		return EnvelopeSuccess
	}
	return EnvelopeError
}

// Matcher is an assertion on one value. In YAML, a scalar or a sequence means Equals; a
// mapping sets the operators below (all given operators must hold).
type Matcher struct {
	// Equals: the value, after templating, compared as JSON (numbers by value).
	Equals any `yaml:"equals"`
	// NotEquals: the value must exist and differ.
	NotEquals any `yaml:"notEquals"`
	// Exists true: the key is present (null counts as present). Absent true: it is not.
	Exists bool `yaml:"exists"`
	Absent bool `yaml:"absent"`
	// Type: string, number, integer, boolean, object, array or null.
	Type string `yaml:"type"`
	// Length: the array, string or object has exactly that many elements.
	Length *int `yaml:"length"`
	// Regex: the value, rendered as a string, matches.
	Regex string `yaml:"regex"`
	// OneOf: the value equals one of these: a sequence, or a template giving an array.
	OneOf any `yaml:"oneOf"`
	// Contains: a string contains this text, or an array has an element equal to it.
	Contains any `yaml:"contains"`

	// set records which operators were given (Equals may legitimately be null).
	set map[string]bool
}

// Has reports whether the operator (its YAML key) was given.
func (m Matcher) Has(op string) bool { return m.set[op] }

// Eq returns a Matcher that requires equality with v.
func Eq(v any) Matcher { return Matcher{Equals: v, set: map[string]bool{"equals": true}} }

var matcherKeys = map[string]bool{
	"equals": true, "notEquals": true, "exists": true, "absent": true, "type": true,
	"length": true, "regex": true, "oneOf": true, "contains": true,
}

var matcherTypes = map[string]bool{
	"string": true, "number": true, "integer": true, "boolean": true, "object": true, "array": true, "null": true,
}

// UnmarshalYAML decodes a scalar or sequence as Equals, a mapping as operators.
func (m *Matcher) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		var v any
		if err := n.Decode(&v); err != nil {
			return err
		}
		*m = Eq(v)
		return nil
	}
	set := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if !matcherKeys[k] {
			return fmt.Errorf("line %d: unknown matcher %q", n.Content[i].Line, k)
		}
		set[k] = true
	}
	type plain Matcher // no UnmarshalYAML: avoids recursion
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*m = Matcher(p)
	m.set = set
	if m.Type != "" && !matcherTypes[m.Type] {
		return fmt.Errorf("line %d: unknown type %q", n.Line, m.Type)
	}
	if m.Regex != "" {
		if _, err := regexp.Compile(m.Regex); err != nil {
			return fmt.Errorf("line %d: regex: %w", n.Line, err)
		}
	}
	if m.Exists && m.Absent {
		return fmt.Errorf("line %d: exists and absent exclude each other", n.Line)
	}
	return nil
}

// triggerName is the shape of a webhook trigger (Cal.com's WebhookTriggerEvents).
var triggerName = regexp.MustCompile(`^[A-Z]+(_[A-Z]+)*$`)

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// versionFormat is the shape of a cal-api-version value (written quoted or not: YAML's
// timestamp decodes into a string field as written).
var versionFormat = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// Load reads every *.yaml file of fsys (non-recursive), strictly: an unknown key, a feature
// for which known returns false, a missing required key or a duplicate name is an error that
// names the file. The result is sorted by name and each Scenario's Index set accordingly.
func Load(fsys fs.FS, known func(feature string) bool) ([]Scenario, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("load scenarios: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("load scenarios: no *.yaml file")
	}
	var (
		out  []Scenario
		errs []error
		seen = map[string]string{}
	)
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		sc, err := Parse(name, data, known)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, ok := seen[sc.Name]; ok {
			errs = append(errs, fmt.Errorf("%s: duplicate scenario name %q (also in %s)", name, sc.Name, prev))
			continue
		}
		seen[sc.Name] = name
		out = append(out, sc)
	}
	byName := map[string]Scenario{}
	for _, sc := range out {
		byName[sc.Name] = sc
	}
	for _, sc := range out {
		if sc.SupersededBy == "" {
			continue
		}
		if by, ok := byName[sc.SupersededBy]; !ok {
			errs = append(errs, fmt.Errorf("%s: supersededBy %q: no such scenario in this source", sc.File, sc.SupersededBy))
		} else if !by.MovesClock() {
			errs = append(errs, fmt.Errorf("%s: supersededBy %q: that scenario has no clock step, so it runs wherever this one does", sc.File, sc.SupersededBy))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	for i := range out {
		out[i].Index = i
	}
	return out, nil
}

// Parse decodes one scenario file strictly (see Load); file is used in error messages.
func Parse(file string, data []byte, known func(feature string) bool) (Scenario, error) {
	var sc Scenario
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&sc); err != nil {
		if errors.Is(err, io.EOF) {
			return Scenario{}, fmt.Errorf("%s: empty file", file)
		}
		return Scenario{}, fmt.Errorf("%s: %w", file, err)
	}
	sc.File = file
	if err := sc.validate(known); err != nil {
		return Scenario{}, fmt.Errorf("%s: %w", file, err)
	}
	return sc, nil
}

var methods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true, "HEAD": true}

func (sc Scenario) validate(known func(string) bool) error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !kebab.MatchString(sc.Name) {
		add("name %q is not kebab-case", sc.Name)
	}
	if strings.TrimSpace(sc.Description) == "" {
		add("description is required")
	}
	if len(sc.Features) == 0 {
		add("features: at least one is required")
	}
	for _, f := range sc.Features {
		if known != nil && !known(f) {
			add("unknown feature %q", f)
		}
	}
	if sc.Version != "" && !versionFormat.MatchString(sc.Version) {
		add("version %q is not a cal-api-version (YYYY-MM-DD)", sc.Version)
	}
	for i, op := range sc.Operations {
		if strings.TrimSpace(op) == "" {
			add("operations[%d]: empty operation id", i)
		}
	}
	if len(sc.Steps) == 0 {
		add("steps: at least one is required")
	}
	stepNames := map[string]bool{}
	for i, st := range sc.Steps {
		where := fmt.Sprintf("steps[%d] (%s)", i, st.Name)
		if st.Name == "" {
			add("steps[%d]: name is required", i)
		} else if stepNames[st.Name] {
			add("%s: duplicate step name", where)
		}
		stepNames[st.Name] = true
		if st.Version != "" && !versionFormat.MatchString(st.Version) {
			add("%s: version %q is not a cal-api-version (YYYY-MM-DD)", where, st.Version)
		}
		if st.Clock != nil {
			if err := st.validateClock(); err != nil {
				add("%s: %v", where, err)
			}
			continue
		}
		if !methods[st.Request.Method] {
			add("%s: request.method %q is not an upper-case HTTP method", where, st.Request.Method)
		}
		if !strings.HasPrefix(st.Request.Path, "/") {
			add("%s: request.path must start with /", where)
		}
		switch st.Request.Auth {
		case "", AuthOwner, AuthOther, AuthNone:
		default:
			add("%s: request.auth %q is not one of owner, other, none", where, st.Request.Auth)
		}
		if st.Request.Body != nil && st.Request.RawBody != "" {
			add("%s: request.body and request.rawBody exclude each other", where)
		}
		if st.Expect.Status < 100 || st.Expect.Status > 599 {
			add("%s: expect.status is required (100-599)", where)
		}
		switch st.Expect.Envelope {
		case "", EnvelopeSuccess, EnvelopeError, EnvelopeBare, EnvelopeStatus:
		default:
			add("%s: expect.envelope %q is not one of success, error, bare, status", where, st.Expect.Envelope)
		}
	}
	if sc.SupersededBy == sc.Name {
		add("supersededBy names the scenario itself")
	}
	if sc.Webhook != nil {
		if len(sc.Webhook.Triggers) == 0 {
			add("webhook.triggers: at least one is required")
		}
		for i, tr := range sc.Webhook.Triggers {
			if !triggerName.MatchString(tr) {
				add("webhook.triggers[%d]: %q is not a trigger name (upper case, e.g. BOOKING_CREATED)", i, tr)
			}
		}
	}
	for i, st := range sc.Steps {
		for j, d := range st.Expect.Webhooks {
			switch {
			case sc.Webhook == nil:
				add("steps[%d] (%s): expect.webhooks needs the scenario's webhook subscription", i, st.Name)
			case !slices.Contains(sc.Webhook.Triggers, d.Trigger):
				add("steps[%d] (%s): expect.webhooks[%d]: trigger %q is not one of webhook.triggers %v", i, st.Name, j, d.Trigger, sc.Webhook.Triggers)
			}
		}
	}
	return errors.Join(errs...)
}

// validateClock checks a clock step: one change, and nothing of a request step.
func (st Step) validateClock() error {
	var errs []error
	c := st.Clock
	switch {
	case (c.Freeze == "") == (c.Advance == ""):
		errs = append(errs, errors.New("clock: exactly one of freeze and advance is needed"))
	case c.Advance != "":
		if d, err := time.ParseDuration(c.Advance); err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("clock.advance %q is not a positive Go duration (e.g. 90m, 26h)", c.Advance))
		}
	}
	if st.Request.Method != "" || st.Request.Path != "" || st.Expect.Status != 0 || len(st.Capture) > 0 {
		errs = append(errs, errors.New("a clock step sends no request: drop request, expect and capture"))
	}
	return errors.Join(errs...)
}
