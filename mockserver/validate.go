package mockserver

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Request validation, in the two formats the real API uses (behaviour notes §4.3):
//
//   - strict: the custom pipes of create, reschedule and cancel. Unknown properties are errors,
//     nothing is coerced, and the failure is one message string built per failing property.
//   - lenient: Nest's global ValidationPipe (list query, mark-absent, decline, reassign to
//     user). Unknown properties are dropped, and the failure lists ValidationError objects
//     under error.details.errors with the generic message "Bad Request Exception".

// fieldError is one failing property, with its failed constraints in order and its failing
// children (nested objects and array items).
type fieldError struct {
	property    string
	value       any
	hasValue    bool
	constraints []constraint
	children    []fieldError
}

type constraint struct{ name, message string }

// errorsList collects field errors in declaration order.
type errorsList []fieldError

func (l *errorsList) add(property string, value any, name, message string) {
	for i := range *l {
		if (*l)[i].property == property {
			(*l)[i].constraints = append((*l)[i].constraints, constraint{name, message})
			return
		}
	}
	*l = append(*l, fieldError{property: property, value: value, hasValue: true, constraints: []constraint{{name, message}}})
}

func (l *errorsList) nest(property string, value any, children errorsList) {
	if len(children) > 0 {
		*l = append(*l, fieldError{property: property, value: value, hasValue: true, children: children})
	}
}

// notNested is class-validator's nestedValidation: property holds neither an object nor an
// array where @ValidateNested expects one.
func (l *errorsList) notNested(property string, value any) {
	l.add(property, value, "nestedValidation", "nested property "+property+" must be either object or array")
}

// eachObject validates list as @ValidateNested({each: true}) does: an element that is not an
// object fails nestedValidation under its index, and each object's own failures, which
// check adds to sub, nest under its index. It returns the elements' failures.
func eachObject(list []any, check func(obj map[string]any, sub *errorsList)) errorsList {
	var items errorsList
	for i, item := range list {
		index := strconv.Itoa(i)
		obj, ok := item.(map[string]any)
		if !ok {
			items.notNested(index, item)
			continue
		}
		var sub errorsList
		check(obj, &sub)
		items.nest(index, obj, sub)
	}
	return items
}

// strictError renders errs as the strict pipes do:
// "<property> property is wrong,<constraints joined by ', '> <children formatted alike>",
// properties joined by ", " (the odd spacing, trailing space included, is the real text).
func strictError(errs errorsList) error {
	if len(errs) == 0 {
		return nil
	}
	return newAPIError(http.StatusBadRequest, formatStrict(errs))
}

func formatStrict(errs errorsList) string {
	parts := make([]string, len(errs))
	for i, e := range errs {
		msgs := make([]string, len(e.constraints))
		for j, c := range e.constraints {
			msgs[j] = c.message
		}
		parts[i] = e.property + " property is wrong," + strings.Join(msgs, ", ") + " " + formatStrict(e.children)
	}
	return strings.Join(parts, ", ")
}

// validationError is class-validator's ValidationError as the real API serialises it.
type validationError struct {
	Target      any               `json:"target"`
	Value       any               `json:"value,omitempty"`
	Property    string            `json:"property"`
	Children    []validationError `json:"children"`
	Constraints map[string]string `json:"constraints,omitempty"`
}

// lenientError renders errs as the global ValidationPipe does.
func lenientError(target any, errs errorsList) error {
	if len(errs) == 0 {
		return nil
	}
	return &apiError{
		status:  http.StatusBadRequest,
		code:    "BadRequestException",
		message: "Bad Request Exception",
		details: map[string]any{"errors": toValidationErrors(target, errs)},
	}
}

func toValidationErrors(target any, errs errorsList) []validationError {
	out := make([]validationError, len(errs))
	for i, e := range errs {
		ve := validationError{Target: target, Property: e.property, Children: []validationError{}}
		if e.hasValue {
			ve.Value = e.value
		}
		if len(e.constraints) > 0 {
			ve.Constraints = map[string]string{}
			for _, c := range e.constraints {
				ve.Constraints[c.name] = c.message
			}
		}
		if len(e.children) > 0 {
			ve.Children = toValidationErrors(e.value, e.children)
		}
		out[i] = ve
	}
	return out
}

// rejectUnknown reports, first and in sorted order, every key of obj not in allowed: the
// strict pipes forbid non-whitelisted properties before running the other checks.
func rejectUnknown(errs *errorsList, obj map[string]any, allowed ...string) {
	var unknown []string
	for k := range obj {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		errs.add(k, obj[k], "whitelistValidation", "property "+k+" should not exist")
	}
}

// present reports whether obj has key with a non-null value (class-validator's IsOptional
// treats null like a missing value).
func present(obj map[string]any, key string) bool {
	v, ok := obj[key]
	return ok && v != nil
}

// Field checks. Each returns the parsed value and whether it passed, adding the real
// constraint message on failure.

func checkString(errs *errorsList, obj map[string]any, key string) (string, bool) {
	s, ok := obj[key].(string)
	if !ok {
		errs.add(key, obj[key], "isString", key+" must be a string")
	}
	return s, ok
}

func checkBool(errs *errorsList, obj map[string]any, key string) (bool, bool) {
	b, ok := obj[key].(bool)
	if !ok {
		errs.add(key, obj[key], "isBoolean", key+" must be a boolean value")
	}
	return b, ok
}

func checkObject(errs *errorsList, obj map[string]any, key string) (map[string]any, bool) {
	m, ok := obj[key].(map[string]any)
	if !ok {
		errs.add(key, obj[key], "isObject", key+" must be an object")
	}
	return m, ok
}

// noMin is checkInt's min for a property with IsInt and no Min.
const noMin = math.MinInt

// checkInt is class-validator's IsInt, then Min(min) unless min is noMin. Nothing is coerced
// (the pipes don't convert): IsInt takes a JSON number without a fraction (12, 12.0 and 1.2e1
// alike, as JSON.parse makes them one number), Min any number ≥ min and nothing else, so a
// string "30" fails both. The DTOs write @IsInt() above @Min(1), and class-validator runs a
// property's decorators bottom-up (typestack/class-validator#399), so Min's message is first.
func checkInt(errs *errorsList, obj map[string]any, key string, min int) (int, bool) {
	n, isInt := asInt(obj[key])
	if min != noMin {
		num, isNumber := obj[key].(json.Number)
		f, err := num.Float64()
		if !isNumber || err != nil || f < float64(min) {
			errs.add(key, obj[key], "min", fmt.Sprintf("%s must not be less than %d", key, min))
			isInt = false
		}
	}
	if _, ok := asInt(obj[key]); !ok {
		errs.add(key, obj[key], "isInt", key+" must be an integer number")
	}
	if !isInt {
		return 0, false
	}
	return n, true
}

// asInt reads a JSON number without a fraction that fits the ids and counts (int32).
func asInt(v any) (int, bool) {
	num, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := num.Float64()
	if err != nil || f != math.Trunc(f) || f > 1<<31 || f < -(1<<31) {
		return 0, false
	}
	return int(f), true
}

func checkISODate(errs *errorsList, obj map[string]any, key string) (time.Time, bool) {
	s, _ := obj[key].(string)
	t, ok := parseISO8601(s)
	if !ok {
		errs.add(key, obj[key], "isIso8601", key+" must be a valid ISO 8601 date string")
	}
	return t, ok
}

// isoLayouts are the ISO 8601 forms accepted for dates; a value without an offset is UTC, as
// the real API interprets it.
var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
}

func parseISO8601(s string) (time.Time, bool) {
	if s == "" || len(s) > 64 {
		return time.Time{}, false
	}
	// validator.js's isISO8601, behind IsDateString and IsISO8601, takes a space for the "T"
	// (its pattern has [T\s]), which is how Python's str(datetime) writes one.
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	for _, layout := range isoLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func validEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

// phonePattern is the international (E.164-like) format the real API accepts.
var phonePattern = regexp.MustCompile(`^\+[1-9]\d{6,14}$`)

func validPhone(s string) bool {
	return phonePattern.MatchString(strings.NewReplacer(" ", "", "-", "").Replace(s))
}

func validTimeZone(s string) bool {
	if s == "" || s == "Local" || strings.Contains(s, "..") {
		return false
	}
	if _, ok := knownTimeZones.Load(s); ok {
		return true
	}
	if _, err := time.LoadLocation(s); err != nil {
		return false
	}
	knownTimeZones.Store(s, struct{}{})
	return true
}

// knownTimeZones caches the zone names LoadLocation accepted: it reads the zone database
// from disk each time, which was a tenth of a create's CPU. Only valid names are kept, and
// there are a few hundred of them, so the cache stays small whatever clients send.
var knownTimeZones sync.Map

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// languages is the attendee language enum (43 values) in the real API's order.
var languages = []string{"ar", "ca", "de", "es", "eu", "he", "id", "ja", "lv", "pl", "ro", "sr", "th", "vi", "az", "cs", "el", "es-419", "fi", "hr", "it", "km", "nl", "pt", "ru", "sv", "tr", "zh-CN", "bg", "da", "en", "et", "fr", "hu", "iw", "ko", "no", "pt-BR", "sk", "ta", "uk", "zh-TW", "bn"}

// metadata limits of the create body.
const (
	metadataMaxKeys     = 50
	metadataMaxKeyLen   = 40
	metadataMaxValueLen = 500
	msgMetadataLimits   = "Metadata must have at most 50 keys, each key up to 40 characters, and string values up to 500 characters."
)

func validMetadata(m map[string]any) bool {
	if len(m) > metadataMaxKeys {
		return false
	}
	for k, v := range m {
		if len([]rune(k)) > metadataMaxKeyLen {
			return false
		}
		switch t := v.(type) {
		case string:
			if len([]rune(t)) > metadataMaxValueLen {
				return false
			}
		case json.Number, bool:
		default:
			return false
		}
	}
	return true
}
