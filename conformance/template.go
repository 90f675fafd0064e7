package conformance

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/calmock/calmock/internal/wiretime"
)

// Templates are written {{expr}} inside any string of a request (path, headers, query, body)
// or of an expected value. A string that is exactly one {{expr}} takes the value's JSON type
// (so eventTypeId: "{{profile.eventTypes.plain.id}}" sends a number); otherwise the values are
// interpolated as text. Expressions:
//
//	name                     a scenario var or a captured value
//	profile.<path>           a value of the target profile, e.g. profile.users.0.apiKey,
//	                         profile.eventTypes.seated.id, profile.eventTypes.roundRobin.hostUserIds.1;
//	                         a missing value skips the scenario (the target cannot run it)
//	slot.N [+7d] [-30m]      the scenario's N-th free time slot (ISO-8601 UTC, milliseconds),
//	                         with optional offsets (w, d, h, m)
//	past [-1d]               two days before now, on the hour (for refusals)
//	now [+1h]                the current time
//	email.<tag>              an attendee email unique to the run and scenario
//	run                      the run id
//
// Time slots: each run picks a week far in the future (from its run id); scenario i books
// on its own day, 28·i days after that week (so weekly recurring series never overlap another
// scenario), slot N at 09:00+N local time of the profile's first user (then the next day).

// RunInfo identifies one run. Every process of a parallel run must share it so that
// scenarios keep distinct slots and emails.
type RunInfo struct {
	// ID is short and unique per run; it goes into emails. Empty: NewRunInfo picks one.
	ID string
	// Week is the Monday (00:00 UTC) from which scenario days are counted.
	Week time.Time
}

// NewRunInfo returns a RunInfo for a new run: a random id (when id is "") and a week between
// 8 and 112 weeks after now chosen from the id, so two runs against one account rarely share
// a week.
func NewRunInfo(id string, now time.Time) RunInfo {
	if id == "" {
		var b [4]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	weeks := 8 + int(h.Sum32()%104)
	d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 7*weeks)
	for d.Weekday() != time.Monday {
		d = d.AddDate(0, 0, 1)
	}
	return RunInfo{ID: id, Week: d}
}

// missingProfileError means a template asked for a profile value the target's profile does
// not have: the scenario is skipped, not failed.
type missingProfileError struct{ path string }

func (e *missingProfileError) Error() string {
	return fmt.Sprintf("the target profile has no %s", e.path)
}

// env resolves templates for one scenario run.
type env struct {
	vars    map[string]any
	profile map[string]any
	run     RunInfo
	index   int
	loc     *time.Location
	now     time.Time
}

var tmplRe = regexp.MustCompile(`\{\{\s*([^{}]+?)\s*\}\}`)

// expand resolves the templates of a value from YAML, recursively.
func (e *env) expand(v any) (any, error) {
	switch t := v.(type) {
	case string:
		return e.expandString(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			y, err := e.expand(x)
			if err != nil {
				return nil, err
			}
			out[k] = y
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			y, err := e.expand(x)
			if err != nil {
				return nil, err
			}
			out[i] = y
		}
		return out, nil
	}
	return v, nil
}

func (e *env) expandString(s string) (any, error) {
	if m := tmplRe.FindStringSubmatchIndex(s); m != nil && m[0] == 0 && m[1] == len(s) {
		return e.resolve(s[m[2]:m[3]])
	}
	var firstErr error
	out := tmplRe.ReplaceAllStringFunc(s, func(tok string) string {
		v, err := e.resolve(tmplRe.FindStringSubmatch(tok)[1])
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return tok
		}
		return render(v)
	})
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// text expands a template and renders the result as a string (paths, headers, query).
func (e *env) text(s string) (string, error) {
	v, err := e.expandString(s)
	if err != nil {
		return "", err
	}
	return render(v), nil
}

func (e *env) resolve(expr string) (any, error) {
	fields := strings.Fields(expr)
	name, offsets := fields[0], fields[1:]
	var t time.Time
	switch {
	case strings.HasPrefix(name, "profile."):
		if len(offsets) > 0 {
			return nil, fmt.Errorf("{{%s}}: offsets apply only to times", expr)
		}
		p := strings.TrimPrefix(name, "profile.")
		v, err := lookup(e.profile, p)
		if err != nil || v == nil || v == "" {
			return nil, &missingProfileError{path: p}
		}
		return v, nil
	case strings.HasPrefix(name, "slot."):
		n, err := strconv.Atoi(strings.TrimPrefix(name, "slot."))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("{{%s}}: slot index must be a non-negative integer", expr)
		}
		t = e.slot(n)
	case name == "past":
		t = e.now.Add(-48 * time.Hour).Truncate(time.Hour)
	case name == "now":
		t = e.now
	case strings.HasPrefix(name, "email."):
		tag := strings.TrimPrefix(name, "email.")
		return fmt.Sprintf("calmock-%s-%s-%d@example.com", tag, e.run.ID, e.index), nil
	case name == "run":
		return e.run.ID, nil
	default:
		if len(offsets) > 0 {
			return nil, fmt.Errorf("{{%s}}: offsets apply only to times", expr)
		}
		v, ok := e.vars[name]
		if !ok {
			return nil, fmt.Errorf("{{%s}}: undefined variable %q", expr, name)
		}
		return v, nil
	}
	for _, o := range offsets {
		d, err := parseOffset(o)
		if err != nil {
			return nil, fmt.Errorf("{{%s}}: %w", expr, err)
		}
		t = t.Add(d)
	}
	return wiretime.Format(t), nil // how Cal.com answers, so requests use it too
}

// slot is the scenario's n-th slot: its own day, 09:00+n local time (8 per day).
func (e *env) slot(n int) time.Time {
	day := e.run.Week.AddDate(0, 0, 28*e.index+e.index%5+n/8)
	loc := e.loc
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(day.Year(), day.Month(), day.Day(), 9+n%8, 0, 0, 0, loc)
}

var offsetRe = regexp.MustCompile(`^([+-])(\d+)([wdhm])$`)

func parseOffset(s string) (time.Duration, error) {
	m := offsetRe.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("bad offset %q (want e.g. +7d, -30m)", s)
	}
	n, _ := strconv.Atoi(m[2])
	unit := map[string]time.Duration{"w": 7 * 24 * time.Hour, "d": 24 * time.Hour, "h": time.Hour, "m": time.Minute}[m[3]]
	d := time.Duration(n) * unit
	if m[1] == "-" {
		d = -d
	}
	return d, nil
}
