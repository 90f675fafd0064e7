package differential

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// NormKind is how a field that may differ by right is compared.
type NormKind string

// The kinds of normalisation.
const (
	// NormMapped: the values are identities the two sides pick on their own (uids, ids).
	// The first answer that shows a pair records it in the mapping table of the rule's
	// Space; from then on the target's value must map to the oracle's, both ways.
	NormMapped NormKind = "mapped"
	// NormLearned: the oracle shows a placeholder for what the profile does not say (see
	// MirrorFixtures). The first answer that shows it pairs it with the target's value;
	// after that every string of the target has the value replaced by the placeholder.
	// A value that is no placeholder is compared as it is.
	NormLearned NormKind = "learned"
	// NormLearnedPrefix: like NormLearned for a string that begins with a placeholder
	// (a title is the event type's title and then names): the target's prefix is learned
	// when the rest of the two strings agree.
	NormLearnedPrefix NormKind = "learnedPrefix"
	// NormTime: instants equal within Options.Tolerance.
	NormTime NormKind = "time"
	// NormUnordered: an array whose order carries no meaning, compared as a multiset.
	NormUnordered NormKind = "unordered"
	// NormCalendarLink: a URL-escaped calendar link, compared unescaped with the mapped
	// values substituted and its DTSTAMP within the tolerance.
	NormCalendarLink NormKind = "calendarLink"
	// NormText: every other string, compared after the mapped and learned values of the
	// target are replaced by the oracle's (a uid inside a meeting URL or an error message).
	NormText NormKind = "text"
	// NormNotCompared: not compared at all.
	NormNotCompared NormKind = "notCompared"
)

// Normalisation is one row of the table of what may differ by right.
type Normalisation struct {
	// Where is a JSON path with array indices written [] (data[].uid), or "**." and a
	// path for that path at any depth (**.createdAt), or "header:" and a header name.
	Where string
	// Ops, when not empty, limits the row to answers of these operations.
	Ops  []OpKind
	Kind NormKind
	// Space is the mapping table of a NormMapped row: values of rows of one space pair
	// with each other.
	Space  string
	Reason string
}

// Normalisations is the one table of what the comparison lets differ, and why. A path no
// row names is compared exactly (strings after NormText). The first row that matches a
// path wins.
var Normalisations = []Normalisation{
	{Where: "header:*", Kind: NormNotCompared, Reason: "only the status code, Content-Type and the body are compared: X-Request-Id is per request, the rate-limit headers follow each side's own limit and count, Date is the time of sending"},
	{Where: "data[].id", Ops: []OpKind{OpReferences}, Kind: NormMapped, Space: "referenceId", Reason: "reference ids are row ids of each side's database"},
	{Where: "data", Ops: []OpKind{OpReferences}, Kind: NormUnordered, Reason: "Cal.com returns a booking's references in database order, which no contract fixes"},
	{Where: "data[].link", Ops: []OpKind{OpCalendarLinks}, Kind: NormCalendarLink, Reason: "the links carry the title, the uids (mapped) URL-escaped, and the ICS DTSTAMP, the booking's createdAt (a time)"},
	{Where: "data.id", Kind: NormMapped, Space: "bookingId", Reason: "booking ids are row ids: the target holds bookings from before the run, the oracle none"},
	{Where: "data[].id", Kind: NormMapped, Space: "bookingId", Reason: "booking ids, as data.id"},
	{Where: "data.bookingId", Kind: NormMapped, Space: "bookingId", Reason: "booking ids, as data.id"},
	{Where: "**.uid", Kind: NormMapped, Space: "uid", Reason: "booking uids are random on each side"},
	{Where: "**.seatUid", Kind: NormMapped, Space: "uid", Reason: "seat uids are random on each side"},
	{Where: "**.recurringBookingUid", Kind: NormMapped, Space: "uid", Reason: "a series' uid is random on each side"},
	{Where: "**.rescheduledFromUid", Kind: NormMapped, Space: "uid", Reason: "a booking uid (random on each side)"},
	{Where: "**.rescheduledToUid", Kind: NormMapped, Space: "uid", Reason: "a booking uid (random on each side)"},
	{Where: "**.bookingUid", Kind: NormMapped, Space: "uid", Reason: "a booking uid (random on each side)"},
	{Where: "**.eventUid", Kind: NormMapped, Space: "uid", Reason: "a reference's uid in the calendar or video app, random on each side"},
	{Where: "**.createdAt", Kind: NormTime, Reason: "the time each side stored the booking or seat: the two requests are not sent at the same instant"},
	{Where: "**.updatedAt", Kind: NormTime, Reason: "the time each side last changed the booking"},
	{Where: "**.timestamp", Kind: NormTime, Reason: "an error answer's time of answering (Cal.com's exception filter)"},
	{Where: "**.hosts[].name", Kind: NormLearned, Reason: "a profile carries no user's display name: the oracle has a placeholder"},
	{Where: "**.hosts[].email", Kind: NormLearned, Reason: "a round-robin host the profile does not list as a user has a placeholder email"},
	{Where: "**.hosts[].displayEmail", Kind: NormLearned, Reason: "derived from hosts[].email, a placeholder for a host the profile does not list"},
	{Where: "**.hosts[].username", Kind: NormLearned, Reason: "a round-robin host the profile does not list as a user has a placeholder username"},
	{Where: "data.reassignedTo.name", Kind: NormLearned, Reason: "the new host's display name, which a profile does not carry (as hosts[].name)"},
	{Where: "data.reassignedTo.email", Kind: NormLearned, Reason: "derived from hosts[].email, a placeholder for a host the profile does not list"},
	{Where: "**.title", Kind: NormLearnedPrefix, Reason: "a booking's title begins with its event type's title, which a profile does not carry: the oracle has a placeholder"},
	{Where: "**", Kind: NormText, Reason: "any string may quote a uid (meetingUrl, icsUid, an error message) or a learned name (a title), and a message may quote the current time (compared within the tolerance)"},
}

// rule returns the row for a path of an answer to op.
func rule(op OpKind, path string) Normalisation {
	for _, n := range Normalisations {
		if len(n.Ops) > 0 && !slices.Contains(n.Ops, op) {
			continue
		}
		if matchWhere(n.Where, path) {
			return n
		}
	}
	return Normalisation{Kind: NormText}
}

func matchWhere(where, path string) bool {
	if where == "**" {
		return true
	}
	if tail, ok := strings.CutPrefix(where, "**."); ok {
		return path == tail || strings.HasSuffix(path, "."+tail)
	}
	return where == path
}

// Difference is one place where the two answers to a step disagree.
type Difference struct {
	Sequence int    `json:"sequence"`
	Step     int    `json:"step"`
	Op       OpKind `json:"op"`
	OpName   string `json:"opName"`
	// Path is the JSON path in the answer body ("data.attendees[1].email"), or "(status)",
	// "(content-type)", "(body)" for what is not a JSON value.
	Path   string `json:"path"`
	Target any    `json:"target"`
	Oracle any    `json:"oracle"`
	// Absent is "target" or "oracle" when that side has no value at Path at all (its
	// value above is then null).
	Absent string `json:"absent,omitempty"`
	// Note says why equal-looking values differ (a mapping that does not hold).
	Note string `json:"note,omitempty"`
}

func (d Difference) String() string {
	t, o := show(d.Target), show(d.Oracle)
	switch d.Absent {
	case "target":
		t = "absent"
	case "oracle":
		o = "absent"
	}
	s := fmt.Sprintf("sequence %d step %d (%s): %s: target %s, oracle %s", d.Sequence, d.Step, d.OpName, d.Path, t, o)
	if d.Note != "" {
		s += " (" + d.Note + ")"
	}
	return s
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// absentValue marks a key one side does not have.
type absentValue struct{}

var absent any = absentValue{}

// Mapping holds what the comparison has learned so far: for each space the target's
// values paired with the oracle's, and the learned placeholders. One Mapping lives as long
// as the two sides' state (one sequence on fresh sides, or a whole run on a shared target).
type Mapping struct {
	fwd  map[string]map[string]string // space → target value → oracle value
	back map[string]map[string]string // space → oracle value → target value
	// subst replaces, in the target's strings, every mapped uid and learned value with
	// the oracle's; rebuilt when a pair is added.
	subst *strings.Replacer
	pairs [][2]string
}

// NewMapping returns an empty mapping table.
func NewMapping() *Mapping {
	return &Mapping{fwd: map[string]map[string]string{}, back: map[string]map[string]string{}, subst: strings.NewReplacer()}
}

// pair records target ↔ oracle in space, or says why it contradicts what was recorded.
func (m *Mapping) pair(space, target, oracle string) (note string, ok bool) {
	if m.fwd[space] == nil {
		m.fwd[space], m.back[space] = map[string]string{}, map[string]string{}
	}
	if o, seen := m.fwd[space][target]; seen {
		if o != oracle {
			return fmt.Sprintf("the target's %s was paired with the oracle's %s earlier", target, o), false
		}
		return "", true
	}
	if t, seen := m.back[space][oracle]; seen {
		return fmt.Sprintf("the oracle's %s was paired with the target's %s earlier", oracle, t), false
	}
	m.fwd[space][target], m.back[space][oracle] = oracle, target
	// Only strings of some length are substituted inside other strings: a short value
	// (an id such as 3) would hit unrelated text.
	if target != oracle && ((space == "uid" && len(target) >= 6) || (space == "learned" && len(target) >= 3)) {
		m.pairs = append(m.pairs, [2]string{target, oracle})
		// Longest first, so that a value containing another is replaced whole.
		slices.SortStableFunc(m.pairs, func(a, b [2]string) int { return cmp.Compare(len(b[0]), len(a[0])) })
		args := make([]string, 0, 2*len(m.pairs))
		for _, p := range m.pairs {
			args = append(args, p[0], p[1])
		}
		m.subst = strings.NewReplacer(args...)
	}
	return "", true
}

// Text returns s of the target with every known value replaced by the oracle's.
func (m *Mapping) Text(s string) string { return m.subst.Replace(s) }

// OracleOf returns the oracle's value paired with the target's in space.
func (m *Mapping) OracleOf(space, target string) (string, bool) {
	o, ok := m.fwd[space][target]
	return o, ok
}

// comparer compares the answers to one step.
type comparer struct {
	m         *Mapping
	tolerance time.Duration
	op        Op
	diffs     []Difference
}

func (c *comparer) add(path string, target, oracle any, note string) {
	d := Difference{Op: c.op.Kind, OpName: c.op.Name, Path: path, Target: target, Oracle: oracle, Note: note}
	if target == absent {
		d.Target, d.Absent = nil, "target"
	}
	if oracle == absent {
		d.Oracle, d.Absent = nil, "oracle"
	}
	c.diffs = append(c.diffs, d)
}

// answer is one side's answer to a step.
type answer struct {
	Status      int
	ContentType string
	Body        []byte
	JSON        any // nil when the body is not JSON
	IsJSON      bool
}

// compareAnswers compares status, Content-Type, envelope, error and body, in that order.
func compareAnswers(m *Mapping, tolerance time.Duration, op Op, target, oracle answer) []Difference {
	c := &comparer{m: m, tolerance: tolerance, op: op}
	if target.Status != oracle.Status {
		c.add("(status)", target.Status, oracle.Status, "")
	}
	if mediaType(target.ContentType) != mediaType(oracle.ContentType) {
		c.add("(content-type)", target.ContentType, oracle.ContentType, "")
	}
	switch {
	case target.IsJSON != oracle.IsJSON || (!target.IsJSON && string(target.Body) != string(oracle.Body)):
		c.add("(body)", abbreviate(string(target.Body)), abbreviate(string(oracle.Body)), "")
	case target.IsJSON:
		c.envelope(target.JSON, oracle.JSON)
	}
	return c.diffs
}

// envelope compares status, then error.code and error.message, then the rest, so that
// the first difference of a refused request is the one that says most.
func (c *comparer) envelope(t, o any) {
	tm, tok := t.(map[string]any)
	om, ook := o.(map[string]any)
	if !tok || !ook {
		c.value("", t, o)
		return
	}
	first := []string{"status", "error"}
	for _, k := range first {
		tv, tin := tm[k]
		ov, oin := om[k]
		if !tin && !oin {
			continue
		}
		if !tin {
			tv = absent
		}
		if !oin {
			ov = absent
		}
		if k == "error" {
			te, _ := tv.(map[string]any)
			oe, _ := ov.(map[string]any)
			if te != nil && oe != nil {
				for _, ek := range []string{"code", "message"} {
					c.value("error."+ek, orAbsent(te, ek), orAbsent(oe, ek))
				}
				rest := func(e map[string]any) map[string]any {
					r := map[string]any{}
					for k, v := range e {
						if k != "code" && k != "message" {
							r[k] = v
						}
					}
					return r
				}
				c.object("error", rest(te), rest(oe))
				continue
			}
		}
		c.value(k, tv, ov)
	}
	rest := func(e map[string]any) map[string]any {
		r := map[string]any{}
		for k, v := range e {
			if !slices.Contains(first, k) {
				r[k] = v
			}
		}
		return r
	}
	c.object("", rest(tm), rest(om))
}

func orAbsent(m map[string]any, k string) any {
	if v, ok := m[k]; ok {
		return v
	}
	return absent
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// where is path with array indices written [].
var indexRe = regexp.MustCompile(`\[\d+\]`)

func where(path string) string { return indexRe.ReplaceAllString(path, "[]") }

// object compares two objects key by key: mapped fields first (they teach the uids the
// strings quote), then nested values (hosts teach the names a title quotes), then the rest.
func (c *comparer) object(path string, t, o map[string]any) {
	keys := map[string]bool{}
	for k := range t {
		keys[k] = true
	}
	for k := range o {
		keys[k] = true
	}
	order := func(k string) int {
		if rule(c.op.Kind, where(join(path, k))).Kind == NormMapped {
			return 0
		}
		switch t[k].(type) {
		case map[string]any, []any:
			return 1
		}
		switch o[k].(type) {
		case map[string]any, []any:
			return 1
		}
		return 2
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	slices.SortFunc(sorted, func(a, b string) int {
		return cmp.Or(cmp.Compare(order(a), order(b)), cmp.Compare(a, b))
	})
	for _, k := range sorted {
		c.value(join(path, k), orAbsent(t, k), orAbsent(o, k))
	}
}

func (c *comparer) value(path string, t, o any) {
	r := rule(c.op.Kind, where(path))
	if t == absent || o == absent {
		c.add(path, t, o, "")
		return
	}
	switch r.Kind {
	case NormNotCompared:
		return
	case NormMapped:
		if t == nil && o == nil {
			return
		}
		ts, tok := scalar(t)
		os, ook := scalar(o)
		if !tok || !ook || fmt.Sprintf("%T", t) != fmt.Sprintf("%T", o) {
			c.add(path, t, o, "")
			return
		}
		if note, ok := c.m.pair(r.Space, ts, os); !ok {
			c.add(path, t, o, note)
		}
		return
	case NormTime:
		tsv, tok := t.(string)
		osv, ook := o.(string)
		if tok && ook {
			if !c.closeTimes(tsv, osv) {
				c.add(path, t, o, fmt.Sprintf("more than %s apart", c.tolerance))
			}
			return
		}
	case NormLearned, NormLearnedPrefix:
		tsv, tok := t.(string)
		osv, ook := o.(string)
		if tok && ook {
			c.learned(path, r.Kind, tsv, osv)
			return
		}
	case NormCalendarLink:
		tsv, tok := t.(string)
		osv, ook := o.(string)
		if tok && ook {
			c.calendarLink(path, tsv, osv)
			return
		}
	case NormUnordered:
		ta, tok := t.([]any)
		oa, ook := o.([]any)
		if tok && ook {
			c.array(path, c.sorted(path, ta, true), c.sorted(path, oa, false))
			return
		}
	}
	switch tv := t.(type) {
	case map[string]any:
		ov, ok := o.(map[string]any)
		if !ok {
			c.add(path, t, o, "")
			return
		}
		c.object(path, tv, ov)
	case []any:
		ov, ok := o.([]any)
		if !ok {
			c.add(path, t, o, "")
			return
		}
		c.array(path, tv, ov)
	case string:
		ov, ok := o.(string)
		if !ok || !c.textEqual(c.m.Text(tv), ov) {
			c.add(path, t, o, "")
		}
	default:
		if !jsonEqual(t, o) {
			c.add(path, t, o, "")
		}
	}
}

func (c *comparer) array(path string, t, o []any) {
	if len(t) != len(o) {
		c.add(path+".length", len(t), len(o), "")
	}
	for i := range min(len(t), len(o)) {
		c.value(fmt.Sprintf("%s[%d]", path, i), t[i], o[i])
	}
}

// sorted orders an unordered array by each element's canonical JSON, with the mapped and
// time fields left out (they differ by right) and the target's strings substituted.
func (c *comparer) sorted(path string, a []any, isTarget bool) []any {
	type keyed struct {
		key string
		v   any
	}
	ks := make([]keyed, len(a))
	for i, v := range a {
		ks[i] = keyed{c.sortKey(path+"[]", v, isTarget), v}
	}
	slices.SortStableFunc(ks, func(x, y keyed) int { return cmp.Compare(x.key, y.key) })
	out := make([]any, len(a))
	for i, k := range ks {
		out[i] = k.v
	}
	return out
}

func (c *comparer) sortKey(path string, v any, isTarget bool) string {
	switch tv := v.(type) {
	case map[string]any:
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range tv {
				if !yield(k) {
					return
				}
			}
		})
		var b strings.Builder
		for _, k := range keys {
			switch rule(c.op.Kind, join(path, k)).Kind {
			case NormMapped, NormTime:
				continue
			}
			b.WriteString(k + "=" + c.sortKey(join(path, k), tv[k], isTarget) + ";")
		}
		return "{" + b.String() + "}"
	case string:
		if isTarget {
			return strconv.Quote(c.m.Text(tv))
		}
		return strconv.Quote(tv)
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

func (c *comparer) learned(path string, kind NormKind, t, o string) {
	ts := c.m.Text(t)
	if ts == o {
		return
	}
	if kind == NormLearned {
		if strings.HasPrefix(o, "mirror-") {
			if note, ok := c.m.pair("learned", t, o); !ok {
				c.add(path, t, o, note)
			}
			return
		}
		c.add(path, t, o, "")
		return
	}
	// A title: the placeholder then the rest, which must agree.
	m := placeholderPrefixRe.FindString(o)
	if m == "" || !strings.HasSuffix(ts, o[len(m):]) || len(ts) == len(o)-len(m) {
		c.add(path, t, o, "")
		return
	}
	prefix := ts[:len(ts)-(len(o)-len(m))]
	if note, ok := c.m.pair("learned", prefix, m); !ok {
		c.add(path, t, o, note)
	}
}

var placeholderPrefixRe = regexp.MustCompile(`^` + placeholderEventType + `\d+`)

var dtstampRe = regexp.MustCompile(`DTSTAMP:(\d{8}T\d{6}Z)`)

func (c *comparer) calendarLink(path, t, o string) {
	tu, err1 := url.QueryUnescape(t)
	ou, err2 := url.QueryUnescape(o)
	if err1 != nil || err2 != nil {
		if t != o {
			c.add(path, t, o, "")
		}
		return
	}
	tu = c.m.Text(tu)
	tStamp, oStamp := dtstampRe.FindStringSubmatch(tu), dtstampRe.FindStringSubmatch(ou)
	if tStamp != nil && oStamp != nil {
		tt, e1 := time.Parse("20060102T150405Z", tStamp[1])
		ot, e2 := time.Parse("20060102T150405Z", oStamp[1])
		if e1 != nil || e2 != nil || absDuration(tt.Sub(ot)) > c.tolerance {
			c.add(path, t, o, "DTSTAMP differs")
			return
		}
		tu = dtstampRe.ReplaceAllString(tu, "DTSTAMP:*")
		ou = dtstampRe.ReplaceAllString(ou, "DTSTAMP:*")
	}
	if tu != ou {
		c.add(path, t, o, "")
	}
}

var instantRe = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z`)

// textEqual compares two strings whose instants (a message quoting the current time) may
// be apart by the tolerance.
func (c *comparer) textEqual(t, o string) bool {
	if t == o {
		return true
	}
	ti, oi := instantRe.FindAllString(t, -1), instantRe.FindAllString(o, -1)
	// A string that is one instant (start, end) is a fact of the booking: exact.
	if len(ti) == 0 || len(ti) != len(oi) || ti[0] == t || oi[0] == o {
		return false
	}
	for i := range ti {
		if !c.closeTimes(ti[i], oi[i]) {
			return false
		}
	}
	return instantRe.ReplaceAllString(t, "*") == instantRe.ReplaceAllString(o, "*")
}

func (c *comparer) closeTimes(t, o string) bool {
	tt, err1 := time.Parse(time.RFC3339Nano, t)
	ot, err2 := time.Parse(time.RFC3339Nano, o)
	if err1 != nil || err2 != nil {
		return t == o
	}
	return absDuration(tt.Sub(ot)) <= c.tolerance
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// scalar is a mapped value's key: strings as they are, numbers in their shortest form.
func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		if x == math.Trunc(x) {
			return strconv.FormatInt(int64(x), 10), true
		}
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case json.Number:
		return x.String(), true
	}
	return "", false
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

func abbreviate(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
