package differential

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/calmock/calmock/conformance"
	"github.com/calmock/calmock/internal/wiretime"
	"github.com/calmock/calmock/profile"
)

// The scenario file a shrunk sequence becomes (the format of package scenarios). Fields are
// in the order a reader expects them.
type outScenario struct {
	Name        string    `yaml:"name"`
	Description string    `yaml:"description"`
	Features    []string  `yaml:"features,flow"`
	Steps       []outStep `yaml:"steps"`
}

type outStep struct {
	Name    string            `yaml:"name"`
	Request *outRequest       `yaml:"request,omitempty"`
	Expect  *outExpect        `yaml:"expect,omitempty"`
	Capture map[string]string `yaml:"capture,omitempty,flow"`
	Clock   map[string]string `yaml:"clock,omitempty,flow"`
}

type outRequest struct {
	Method  string            `yaml:"method"`
	Path    string            `yaml:"path"`
	Auth    string            `yaml:"auth,omitempty"`
	Headers map[string]string `yaml:"headers,omitempty"`
	Query   map[string]string `yaml:"query,omitempty"`
	Body    any               `yaml:"body,omitempty"`
	RawBody string            `yaml:"rawBody,omitempty"`
}

type outExpect struct {
	Status  int            `yaml:"status"`
	JSON    map[string]any `yaml:"json,omitempty"`
	Headers map[string]any `yaml:"headers,omitempty"`
}

// ScenarioName is the name (and, with .yaml, the file name) of the scenario for a
// difference: its operation and field, in kebab-case.
func ScenarioName(d Difference) string {
	return kebab("diff-" + string(d.Op) + "-" + where(d.Path))
}

// Scenario writes a shrunk sequence as a scenario file of package scenarios, ready to copy
// into scenarios/: one step per op, each expecting the oracle's status; the last step also
// expects the oracle's value of the field that differed. An op that quotes an earlier
// answer ({{ref:…}}) reads a capture of that step; slots, emails and names become the
// suite's templates ({{slot.N}}, {{email.eN}}, {{run}}), and event types the profile's
// ({{profile.eventTypes.<kind>.id}}), so the scenario runs on any target the profile
// describes. A value of the oracle the suite cannot name (a uid no step captured, a time
// of answering) is expected by its type only.
func (r *Runner) Scenario(sh Shrunk, name string) ([]byte, error) {
	res := sh.Result
	w := &scenarioWriter{r: r, res: res, name: name, vars: map[string]string{}, features: map[string]bool{conformance.FeatureCore: true}}
	w.tag = fmt.Sprintf("%04x", fnv32(name)%0x10000)
	// The captures each op needs: every {{ref:ID:path}} a later op quotes.
	for _, op := range res.ops {
		for _, m := range refFullRe.FindAllStringSubmatch(opText(op), -1) {
			id, _ := strconv.Atoi(m[1])
			key := m[1] + ":" + m[2]
			if _, done := w.vars[key]; done {
				continue
			}
			if v, ok := lookup(res.oracle[id], m[2]); ok {
				w.vars[key] = captureName(id, m[2])
				w.oracleVals = append(w.oracleVals, [2]string{v, "{{" + captureName(id, m[2]) + "}}"})
			}
		}
	}
	// Every booking a create or reschedule made is captured too, so that the last step
	// can name a list's element by its uid.
	for _, op := range res.ops {
		if op.Kind != OpCreate && op.Kind != OpReschedule {
			continue
		}
		key := strconv.Itoa(op.ID) + ":data.uid"
		if _, done := w.vars[key]; done {
			continue
		}
		if v, ok := lookup(res.oracle[op.ID], "data.uid"); ok {
			w.vars[key] = captureName(op.ID, "data.uid")
			w.oracleVals = append(w.oracleVals, [2]string{v, "{{" + captureName(op.ID, "data.uid") + "}}"})
		}
	}
	sc := outScenario{Name: name, Features: nil}
	for i, op := range res.ops {
		st := outStep{Name: fmt.Sprintf("%d-%s", i+1, kebab(op.Name))}
		if op.Admin {
			body, _ := op.Body.(map[string]any)
			freeze, _ := body["freeze"].(string)
			st.Clock = map[string]string{"freeze": w.request(freeze)}
			w.features[conformance.FeatureAbsent] = true
			sc.Steps = append(sc.Steps, st)
			continue
		}
		st.Request = w.requestOf(op)
		st.Expect = &outExpect{Status: res.Steps[i].OracleStatus}
		for key, v := range w.vars {
			id, path, _ := strings.Cut(key, ":")
			if id == strconv.Itoa(op.ID) {
				if st.Capture == nil {
					st.Capture = map[string]string{}
				}
				st.Capture[v] = path
			}
		}
		w.feature(op)
		sc.Steps = append(sc.Steps, st)
	}
	if n := len(sc.Steps); n > 0 && sc.Steps[n-1].Expect != nil {
		w.expect(sc.Steps[n-1].Expect, sh.Difference, res.oracle[res.ops[n-1].ID])
	}
	for f := range w.features {
		sc.Features = append(sc.Features, f)
	}
	slices.Sort(sc.Features)
	d := sh.Difference
	sc.Description = fmt.Sprintf("found by a differential run (seed %d, sequence %d, shrunk from %d to %d steps): on %s, %s differs: the target answered %s, calmock %s",
		res.Sequence.Seed, res.Sequence.Index, sh.From, len(res.ops), d.OpName, d.Path, sideValue(d, "target"), sideValue(d, "oracle"))
	var b bytes.Buffer
	b.WriteString("# Written by calmock's differential run; the last step states calmock's answer.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(sc); err != nil {
		return nil, fmt.Errorf("differential: scenario %s: %w", name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("differential: scenario %s: %w", name, err)
	}
	return b.Bytes(), nil
}

func sideValue(d Difference, which string) string {
	if d.Absent == which {
		return "nothing"
	}
	if which == "target" {
		return show(d.Target)
	}
	return show(d.Oracle)
}

var refFullRe = regexp.MustCompile(`\{\{ref:(\d+):([^}]*)\}\}`)

func opText(op Op) string {
	s := op.Path
	for _, kv := range op.Query {
		s += " " + kv[1]
	}
	if op.Body != nil {
		s += " " + show(op.Body)
	}
	return s
}

// captureName is the variable a capture of op id's answer at path goes into: uid3,
// seat3, uid3-1 (data.1.uid).
func captureName(id int, path string) string {
	switch path {
	case "data.uid":
		return "uid" + strconv.Itoa(id)
	case "data.seatUid":
		return "seat" + strconv.Itoa(id)
	}
	return "v" + strconv.Itoa(id) + "-" + kebab(strings.TrimPrefix(path, "data."))
}

func kebab(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}

func fnv32(s string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(s))
	return h.Sum32()
}

type scenarioWriter struct {
	r        *Runner
	res      SequenceResult
	name     string
	tag      string
	vars     map[string]string // "ID:path" → capture variable
	features map[string]bool
	// oracleVals are the oracle's values the scenario names by a template (captures).
	oracleVals [][2]string
}

// request turns a generator template string into the suite's templates.
func (w *scenarioWriter) request(s string) string {
	return templateRe.ReplaceAllStringFunc(s, func(m string) string {
		sub := templateRe.FindStringSubmatch(m)
		switch sub[1] {
		case "slot":
			return "{{slot." + sub[2] + "}}"
		case "during":
			return "{{slot." + sub[2] + " +1m}}"
		case "email":
			return "{{email.e" + sub[2] + "}}"
		case "name":
			n, _ := strconv.Atoi(sub[2])
			return bookerNames[n%len(bookerNames)] + " {{run}}-" + w.tag
		default:
			if v, ok := w.vars[sub[2]]; ok {
				return "{{" + v + "}}"
			}
			return UnknownUID
		}
	})
}

func (w *scenarioWriter) requestValue(key string, v any) any {
	switch t := v.(type) {
	case string:
		return w.request(t)
	case int:
		if key == "eventTypeId" {
			for _, k := range profile.Kinds {
				if et, ok := w.r.prof.EventTypes[k]; ok && et.ID == t {
					return "{{profile.eventTypes." + k + ".id}}"
				}
			}
		}
		return t
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = w.requestValue(k, x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = w.requestValue(key, x)
		}
		return out
	}
	return v
}

func (w *scenarioWriter) requestOf(op Op) *outRequest {
	rq := &outRequest{Method: op.Method, Path: w.request(op.Path), RawBody: op.RawBody}
	switch op.Auth {
	case AuthOther:
		rq.Auth = "other"
	case AuthNone:
		rq.Auth = "none"
	case AuthBad:
		rq.Auth, rq.Headers = "none", map[string]string{"Authorization": "Bearer " + badAPIKey}
	}
	if op.Kind == OpReassignTo {
		// The host's id, from the profile.
		rr := w.r.prof.EventTypes[profile.KindRoundRobin]
		i := strings.LastIndex(rq.Path, "/")
		if id, err := strconv.Atoi(rq.Path[i+1:]); err == nil {
			if n := slices.Index(rr.HostUserIDs, id); n >= 0 {
				rq.Path = rq.Path[:i+1] + "{{profile.eventTypes.roundRobin.hostUserIds." + strconv.Itoa(n) + "}}"
			}
		}
	}
	if len(op.Query) > 0 {
		rq.Query = map[string]string{}
		for _, kv := range op.Query {
			rq.Query[kv[0]] = w.request(kv[1])
		}
	}
	if body, ok := op.Body.(map[string]any); ok {
		b := w.requestValue("", body).(map[string]any)
		if _, slug := b["eventTypeSlug"]; slug {
			b["eventTypeSlug"], b["username"] = "{{profile.eventTypes.plain.slug}}", "{{profile.eventTypes.plain.ownerUsername}}"
		}
		rq.Body = b
	} else if op.Body != nil {
		rq.Body = w.requestValue("", op.Body)
	}
	return rq
}

func (w *scenarioWriter) feature(op Op) {
	f := w.features
	switch op.Kind {
	case OpCreate:
		if body, ok := op.Body.(map[string]any); ok {
			if id, ok := body["eventTypeId"].(int); ok {
				for k, et := range w.r.prof.EventTypes {
					if et.ID == id {
						f[kindFeature[k]] = true
					}
				}
			}
		}
		if op.RawBody != "" || strings.Contains(op.Name, "(") && !strings.Contains(op.Name, "another seat") && !strings.Contains(op.Name, "by slug") {
			f[conformance.FeatureValidation] = true
		}
	case OpList:
		f[conformance.FeatureList] = true
	case OpReschedule:
		f[conformance.FeatureReschedule] = true
	case OpConfirm, OpDecline:
		f[conformance.FeatureConfirmation] = true
	case OpMarkAbsent:
		f[conformance.FeatureAbsent] = true
	case OpReassign, OpReassignTo:
		f[conformance.FeatureRoundRobin] = true
	case OpCalendarLinks:
		f[conformance.FeatureCalendarLinks] = true
	case OpReferences:
		f[conformance.FeatureReferences] = true
	}
	if op.Auth == AuthOther || op.Auth == AuthBad {
		f[conformance.FeatureAuth] = true
	}
}

var kindFeature = map[string]string{
	profile.KindPlain: conformance.FeatureCore, profile.KindVariableLength: conformance.FeatureCore,
	profile.KindRequiresConfirmation: conformance.FeatureConfirmation, profile.KindSeated: conformance.FeatureSeated,
	profile.KindRecurring: conformance.FeatureRecurring, profile.KindRoundRobin: conformance.FeatureRoundRobin,
}

// expect adds to the last step what the oracle answered at the difference's field.
func (w *scenarioWriter) expect(e *outExpect, d Difference, answer any) {
	path := indexRe.ReplaceAllStringFunc(d.Path, func(m string) string { return "." + m[1:len(m)-1] })
	switch {
	case d.Path == "(status)" || d.Path == "(body)":
		return
	case d.Path == "(content-type)":
		ct, _ := d.Oracle.(string)
		e.Headers = map[string]any{"Content-Type": map[string]any{"regex": "^" + regexp.QuoteMeta(mediaType(ct))}}
		return
	case strings.HasSuffix(d.Path, ".length"):
		e.JSON = map[string]any{strings.TrimSuffix(path, ".length"): map[string]any{"length": d.Oracle}}
		return
	case d.Absent == "oracle":
		e.JSON = map[string]any{path: map[string]any{"absent": true}}
		return
	}
	v, ok := w.oracleValue(d.Op, d.Path, d.Oracle)
	switch {
	case ok:
		if _, obj := v.(map[string]any); obj {
			v = map[string]any{"equals": v}
		}
		e.JSON = map[string]any{path: v}
	case d.Absent == "target":
		e.JSON = map[string]any{path: map[string]any{"exists": true}}
	case w.elementUID(e, path, answer):
		// An element of a list that the oracle has elsewhere: named by its uid.
	default:
		e.JSON = map[string]any{path: map[string]any{"type": jsonType(d.Oracle)}}
	}
}

// elementUID expects, for a field inside an element of a list (data.2.id), the uid the
// oracle has at that element, when a step captured it.
func (w *scenarioWriter) elementUID(e *outExpect, path string, answer any) bool {
	segs := strings.Split(path, ".")
	for i := len(segs) - 1; i > 0; i-- {
		if _, err := strconv.Atoi(segs[i]); err != nil {
			continue
		}
		elem := strings.Join(segs[:i+1], ".")
		uid, ok := lookup(answer, elem+".uid")
		if !ok {
			continue
		}
		if s, ok := w.oracleString(uid); ok && strings.HasPrefix(s, "{{uid") {
			e.JSON = map[string]any{elem + ".uid": s}
			return true
		}
	}
	return false
}

// oracleValue writes the oracle's value with templates for what is the run's own (the
// captured uids, slots, emails, names); ok is false when a part of it is neither the same
// on any run nor nameable (an uncaptured uid, a row id, a time of answering).
func (w *scenarioWriter) oracleValue(op OpKind, path string, v any) (any, bool) {
	kind := rule(op, where(path)).Kind
	switch t := v.(type) {
	case string:
		s, ok := w.oracleString(t)
		if !ok || (kind == NormTime && !strings.Contains(s, "{{slot.")) {
			return nil, false
		}
		return s, true
	case float64:
		return t, kind != NormMapped
	case map[string]any:
		out := map[string]any{}
		for k, x := range t {
			y, ok := w.oracleValue(op, join(path, k), x)
			if !ok {
				return nil, false
			}
			out[k] = y
		}
		return out, true
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			y, ok := w.oracleValue(op, fmt.Sprintf("%s[%d]", path, i), x)
			if !ok {
				return nil, false
			}
			out[i] = y
		}
		return out, true
	}
	return v, true
}

func (w *scenarioWriter) oracleString(s string) (string, bool) {
	for _, p := range w.oracleVals {
		s = strings.ReplaceAll(s, p[0], p[1])
	}
	// Emails and names of the sequence's block.
	sd := &side{answers: map[int]any{}}
	for n := 0; n < 4*len(w.res.ops)+4; n++ {
		s = strings.ReplaceAll(s, w.r.resolve(sd, fmt.Sprintf("{{email:%d}}", n), w.res.block), fmt.Sprintf("{{email.e%d}}", n))
	}
	for n := range bookerNames {
		s = strings.ReplaceAll(s, w.r.resolve(sd, fmt.Sprintf("{{name:%d}}", n), w.res.block), bookerNames[n]+" {{run}}-"+w.tag)
	}
	// Placeholders: the target's value learned for them.
	for t, o := range w.res.mapping.fwd["learned"] {
		s = strings.ReplaceAll(s, o, t)
	}
	if strings.Contains(s, "mirror-") {
		return "", false
	}
	for o := range w.res.mapping.back["uid"] {
		if len(o) >= 6 && strings.Contains(s, o) {
			return "", false
		}
	}
	ok := true
	s = instantRe.ReplaceAllStringFunc(s, func(m string) string {
		t, err := time.Parse(time.RFC3339Nano, m)
		if err != nil {
			ok = false
			return m
		}
		best, bestOff := -1, time.Duration(0)
		for n := 0; n < 2*len(w.res.ops)+8; n++ {
			off := t.Sub(w.r.slotTime(w.res.block, n))
			if off >= 0 && off < 24*time.Hour && off%time.Minute == 0 && (best < 0 || off < bestOff) {
				best, bestOff = n, off
			}
		}
		switch {
		case best < 0 || wiretime.Format(t) != m:
			ok = false
			return m
		case bestOff == 0:
			return fmt.Sprintf("{{slot.%d}}", best)
		}
		return fmt.Sprintf("{{slot.%d +%dm}}", best, int(bestOff/time.Minute))
	})
	return s, ok
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return "null"
}
