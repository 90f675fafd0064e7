package differential

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/calmock/calmock/profile"
)

// Op is one request of a sequence, written once for both sides. Strings of Path, Query
// and Body may hold templates that each side resolves on its own (see resolve):
//
//	{{slot:N}}           the sequence's N-th time slot (the same instant on both sides)
//	{{during:N}}         one minute after slot N starts (a clock to freeze at)
//	{{email:K}}          the K-th attendee email of the sequence, unique to the run
//	{{name:K}}           the K-th booker name, unique to the run (an attendeeName filter
//	                     finds no booking the target held before)
//	{{ref:ID:PATH}}      the value at PATH (e.g. data.uid, data.1.uid, data.seatUid) of this
//	                     side's answer to the op whose ID is ID; an op not run or not
//	                     answered gives UnknownUID, so a prefix, or a sequence with ops
//	                     dropped, stays runnable
//
// An Op never holds a side's uid, so a sequence replays on any pair of fresh sides.
type Op struct {
	// ID names the op for the refs of later ops: its index in the sequence as generated,
	// kept when ops are dropped.
	ID int `json:"id"`
	// Kind is the operation (OpCreate, …); Name says which variant, e.g. "create seated",
	// "cancel seat", "get (wrong key)". Both are in every difference.
	Kind   OpKind `json:"kind"`
	Name   string `json:"name"`
	Method string `json:"method"`
	Path   string `json:"path"`
	// Query is sent in the order given (pairs), so that the request is the same bytes
	// on both sides and in a replay.
	Query [][2]string `json:"query,omitempty"`
	// Body is JSON-encoded as is (after templates); nil sends none. RawBody, when set,
	// is sent instead, verbatim (malformed JSON).
	Body    any    `json:"body,omitempty"`
	RawBody string `json:"rawBody,omitempty"`
	// Auth is whose key goes in Authorization: AuthOwner (the profile's first user),
	// AuthOther (the second), AuthNone, or AuthBad (a well-formed key nobody has).
	Auth Auth `json:"auth"`
	// Admin ops go to calmock's own endpoints (/_calmock/clock) of both sides.
	Admin bool `json:"admin,omitempty"`
}

// OpKind names an operation; the comparison's table may scope a rule to some kinds.
type OpKind string

// The operations a sequence is made of.
const (
	OpCreate        OpKind = "create"
	OpGet           OpKind = "get"
	OpList          OpKind = "list"
	OpReschedule    OpKind = "reschedule"
	OpCancel        OpKind = "cancel"
	OpConfirm       OpKind = "confirm"
	OpDecline       OpKind = "decline"
	OpMarkAbsent    OpKind = "markAbsent"
	OpReassign      OpKind = "reassign"
	OpReassignTo    OpKind = "reassignTo"
	OpCalendarLinks OpKind = "calendarLinks"
	OpReferences    OpKind = "references"
	OpClock         OpKind = "clock"
)

// Auth says which key a request carries.
type Auth string

// The keys a request may carry.
const (
	AuthOwner Auth = "owner"
	AuthOther Auth = "other"
	AuthNone  Auth = "none"
	AuthBad   Auth = "bad"
)

// badAPIKey is well-formed (cal_ + hex) and belongs to nobody on either side.
const badAPIKey = "cal_0000000000000000000000000000dead"

// UnknownUID stands for a booking that does not exist: the uid of an op's reference whose
// step was not run, and the target of the "unknown uid" requests. It has the form of a
// Cal.com uid so that only its existence is wrong.
const UnknownUID = "diffUnknownUid0000000000"

// Sequence is a generated list of operations. Seed and Index say where it came from:
// Generate(cfg, seed, index) gives it back.
type Sequence struct {
	Seed  int64 `json:"seed"`
	Index int   `json:"index"`
	Ops   []Op  `json:"ops"`
}

// GenConfig is what the generator needs to know about the target.
type GenConfig struct {
	Profile profile.Profile
	// Steps is the length of a sequence.
	Steps int
	// Clock: the sides have calmock's clock (POST /_calmock/clock), so a booking can be
	// made to have started and be marked absent. Without it no mark-absent is generated:
	// the run's bookings are all in the future, and the refusal quotes each side's clock.
	Clock bool
}

// handle is the generator's idea of a booking the sequence made. It is a guess (an op may
// fail on both sides); the generator uses it to make most requests valid, never to judge.
type handle struct {
	kind    string
	uid     string // template
	slot    int
	status  string
	seats   []string // templates of the seat uids still held
	series  bool     // an occurrence of a recurring series
	started bool     // the clock has been frozen after its start
}

type generator struct {
	cfg     GenConfig
	r       *rand.Rand
	ops     []Op
	handles []*handle
	slots   int // next unused slot
	emails  int // next unused email
	kinds   []string
}

// Generate returns the index-th sequence of a run seeded with seed: the same arguments
// give the same sequence.
func Generate(cfg GenConfig, seed int64, index int) Sequence {
	g := &generator{cfg: cfg, r: rand.New(rand.NewPCG(uint64(seed), uint64(index)))}
	for _, k := range profile.Kinds {
		if _, ok := cfg.Profile.EventTypes[k]; ok {
			g.kinds = append(g.kinds, k)
		}
	}
	for len(g.ops) < cfg.Steps {
		g.step()
	}
	return Sequence{Seed: seed, Index: index, Ops: g.ops[:cfg.Steps]}
}

func (g *generator) add(op Op) int {
	if op.Auth == "" {
		op.Auth = AuthOwner
	}
	op.ID = len(g.ops)
	g.ops = append(g.ops, op)
	return len(g.ops) - 1
}

func (g *generator) newSlot() int     { g.slots++; return g.slots - 1 }
func (g *generator) newEmail() string { g.emails++; return fmt.Sprintf("{{email:%d}}", g.emails-1) }

func ref(step int, path string) string { return fmt.Sprintf("{{ref:%d:%s}}", step, path) }
func slot(n int) string                { return fmt.Sprintf("{{slot:%d}}", n) }

// pick returns a booking the sequence made, preferring live ones of the given kinds.
func (g *generator) pick(kinds ...string) *handle {
	var live, all []*handle
	for _, h := range g.handles {
		if len(kinds) > 0 && !contains(kinds, h.kind) {
			continue
		}
		all = append(all, h)
		if h.status == "accepted" || h.status == "pending" {
			live = append(live, h)
		}
	}
	switch {
	case len(live) > 0 && (len(all) == len(live) || g.r.IntN(5) > 0):
		return live[g.r.IntN(len(live))]
	case len(all) > 0:
		return all[g.r.IntN(len(all))]
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var bookerNames = []string{"Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth"}

// step adds one operation (two for a mark-absent that first moves the clock).
func (g *generator) step() {
	if len(g.handles) == 0 || g.r.IntN(100) < 22 {
		g.create()
		return
	}
	n := g.r.IntN(100)
	switch {
	case n < 14:
		g.get()
	case n < 26:
		g.list()
	case n < 36:
		g.reschedule()
	case n < 48:
		g.cancel()
	case n < 55:
		g.confirmOrDecline(OpConfirm)
	case n < 60:
		g.confirmOrDecline(OpDecline)
	case n < 67 && g.cfg.Clock:
		g.markAbsent()
	case n < 73:
		g.reassign()
	case n < 78:
		g.simpleGet(OpCalendarLinks, "calendar-links")
	case n < 83:
		g.simpleGet(OpReferences, "references")
	default:
		g.invalid()
	}
}

func (g *generator) attendee() map[string]any {
	return map[string]any{"name": g.name(), "email": g.newEmail(), "timeZone": "UTC"}
}

func (g *generator) name() string {
	return fmt.Sprintf("{{name:%d}}", g.r.IntN(len(bookerNames)))
}

func (g *generator) create() {
	kind := g.kinds[g.r.IntN(len(g.kinds))]
	et := g.cfg.Profile.EventTypes[kind]
	body := map[string]any{"eventTypeId": et.ID, "attendee": g.attendee()}
	name := "create " + kind
	s := -1
	switch kind {
	case profile.KindSeated:
		// Half the time take another seat of a seated booking the sequence holds.
		if h := g.pick(profile.KindSeated); h != nil && g.r.IntN(2) == 0 {
			s, name = h.slot, "create seated (another seat)"
		}
	case profile.KindVariableLength:
		if opts := et.LengthOptions; len(opts) > 0 && g.r.IntN(3) > 0 {
			body["lengthInMinutes"] = opts[g.r.IntN(len(opts))]
		}
	case profile.KindRecurring:
		if c := et.Recurrence.Count; c > 2 && g.r.IntN(2) == 0 {
			body["recurrenceCount"] = 2
		}
	case profile.KindPlain:
		if g.r.IntN(3) == 0 && et.OwnerUsername != "" {
			delete(body, "eventTypeId")
			body["eventTypeSlug"], body["username"], name = et.Slug, et.OwnerUsername, "create plain (by slug)"
		}
	}
	if s < 0 {
		s = g.newSlot()
	}
	body["start"] = slot(s)
	auth := AuthOwner
	if g.r.IntN(4) == 0 {
		auth = AuthNone
	}
	step := g.add(Op{Kind: OpCreate, Name: name, Method: "POST", Path: "/v2/bookings", Body: body, Auth: auth})
	status := "accepted"
	if kind == profile.KindRequiresConfirmation {
		status = "pending"
	}
	switch {
	case kind == profile.KindRecurring:
		count := et.Recurrence.Count
		if c, ok := body["recurrenceCount"].(int); ok {
			count = c
		}
		for i := 0; i < count; i++ {
			g.handles = append(g.handles, &handle{kind: kind, uid: ref(step, "data."+strconv.Itoa(i)+".uid"), slot: s, status: status, series: true})
		}
	case kind == profile.KindSeated:
		for _, h := range g.handles {
			if h.kind == kind && h.slot == s {
				h.seats = append(h.seats, ref(step, "data.seatUid"))
				return
			}
		}
		g.handles = append(g.handles, &handle{kind: kind, uid: ref(step, "data.uid"), slot: s, status: status, seats: []string{ref(step, "data.seatUid")}})
	default:
		g.handles = append(g.handles, &handle{kind: kind, uid: ref(step, "data.uid"), slot: s, status: status})
	}
}

func (g *generator) get() {
	h := g.pick()
	auth := AuthOwner
	if g.r.IntN(8) == 0 {
		auth = AuthNone
	}
	g.add(Op{Kind: OpGet, Name: "get", Method: "GET", Path: "/v2/bookings/" + h.uid, Auth: auth})
}

func (g *generator) simpleGet(kind OpKind, tail string) {
	h := g.pick()
	g.add(Op{Kind: kind, Name: string(kind), Method: "GET", Path: "/v2/bookings/" + h.uid + "/" + tail})
}

// list filters by an attendee email the sequence used, so that no booking the target held
// before the run can be in the answer.
func (g *generator) list() {
	email := fmt.Sprintf("{{email:%d}}", g.r.IntN(g.emails))
	q := [][2]string{{"attendeeEmail", email}}
	if g.r.IntN(3) == 0 {
		// The bookers of a seated slot or of several creates share no email; a name
		// filter spans them.
		q = [][2]string{{"attendeeName", g.name()}, {"afterStart", slot(0)}}
	}
	if g.r.IntN(3) == 0 {
		statuses := []string{"upcoming", "recurring", "past", "cancelled", "unconfirmed", "upcoming,cancelled"}
		q = append(q, [2]string{"status", statuses[g.r.IntN(len(statuses))]})
	}
	if g.r.IntN(2) == 0 {
		q = append(q, [2]string{"take", strconv.Itoa(1 + g.r.IntN(3))})
		if g.r.IntN(2) == 0 {
			q = append(q, [2]string{"skip", strconv.Itoa(g.r.IntN(3))})
		}
	}
	if g.r.IntN(3) == 0 {
		q = append(q, [2]string{"sortStart", []string{"asc", "desc"}[g.r.IntN(2)]})
	}
	g.add(Op{Kind: OpList, Name: "list", Method: "GET", Path: "/v2/bookings", Query: q})
}

func (g *generator) reschedule() {
	h := g.pick()
	s := g.newSlot()
	body := map[string]any{"start": slot(s)}
	if g.r.IntN(2) == 0 {
		body["reschedulingReason"] = "clash"
	}
	name := "reschedule"
	if len(h.seats) > 0 {
		body["seatUid"], name = h.seats[g.r.IntN(len(h.seats))], "reschedule seat"
	}
	step := g.add(Op{Kind: OpReschedule, Name: name, Method: "POST", Path: "/v2/bookings/" + h.uid + "/reschedule", Body: body})
	if len(h.seats) == 0 && (h.status == "accepted" || h.status == "pending") && !h.series {
		h.status = "cancelled"
		g.handles = append(g.handles, &handle{kind: h.kind, uid: ref(step, "data.uid"), slot: s, status: h.freshStatus()})
	}
}

// freshStatus is the status of a booking made from h by a reschedule.
func (h *handle) freshStatus() string {
	if h.kind == profile.KindRequiresConfirmation {
		return "pending"
	}
	return "accepted"
}

func (g *generator) cancel() {
	h := g.pick()
	path := "/v2/bookings/" + h.uid + "/cancel"
	switch {
	case len(h.seats) > 0 && g.r.IntN(3) > 0:
		i := g.r.IntN(len(h.seats))
		g.add(Op{Kind: OpCancel, Name: "cancel seat", Method: "POST", Path: path, Body: map[string]any{"seatUid": h.seats[i]}, Auth: AuthNone})
		h.seats = append(h.seats[:i:i], h.seats[i+1:]...)
		if len(h.seats) == 0 {
			h.status = "cancelled"
		}
	case h.series && g.r.IntN(2) == 0:
		g.add(Op{Kind: OpCancel, Name: "cancel series (subsequent)", Method: "POST", Path: path, Body: map[string]any{"cancellationReason": "later ones", "cancelSubsequentBookings": true}})
		for _, o := range g.handles {
			if o.series && o.slot == h.slot {
				o.status = "cancelled" // a guess: only this one and the later ones are
			}
		}
	case g.r.IntN(4) == 0:
		// The host must give a reason (behaviour notes): a refusal.
		g.add(Op{Kind: OpCancel, Name: "cancel (host, no reason)", Method: "POST", Path: path, Body: map[string]any{}})
	default:
		auth, name := AuthOwner, "cancel"
		if g.r.IntN(3) == 0 {
			auth, name = AuthNone, "cancel (attendee)"
		}
		g.add(Op{Kind: OpCancel, Name: name, Method: "POST", Path: path, Body: map[string]any{"cancellationReason": "plans changed"}, Auth: auth})
		h.status = "cancelled"
	}
}

func (g *generator) confirmOrDecline(kind OpKind) {
	h := g.pick(profile.KindRequiresConfirmation)
	if h == nil || g.r.IntN(5) == 0 {
		h = g.pick() // mostly a wrong state
	}
	op := Op{Kind: kind, Name: string(kind), Method: "POST", Path: "/v2/bookings/" + h.uid + "/confirm"}
	if kind == OpDecline {
		op.Path, op.Body = "/v2/bookings/"+h.uid+"/decline", map[string]any{"reason": "no time"}
	}
	g.add(op)
	if h.status == "pending" {
		h.status = map[OpKind]string{OpConfirm: "accepted", OpDecline: "rejected"}[kind]
	}
}

func (g *generator) markAbsent() {
	h := g.pick()
	if !h.started && g.r.IntN(4) > 0 {
		// Move both clocks to one minute into the booking, so it has started. Later
		// slots stay in the future: slots only grow.
		g.add(Op{Kind: OpClock, Name: "clock (freeze during the booking)", Method: "POST", Path: "/_calmock/clock", Body: map[string]any{"freeze": fmt.Sprintf("{{during:%d}}", h.slot)}, Admin: true})
		for _, o := range g.handles {
			if o.slot <= h.slot {
				o.started = true
			}
		}
	}
	body := map[string]any{"host": g.r.IntN(2) == 0}
	if g.r.IntN(3) > 0 {
		body["attendees"] = []any{map[string]any{"email": g.emailOfSomeone(), "absent": g.r.IntN(3) > 0}}
	}
	g.add(Op{Kind: OpMarkAbsent, Name: "mark absent", Method: "POST", Path: "/v2/bookings/" + h.uid + "/mark-absent", Body: body})
}

func (g *generator) emailOfSomeone() string {
	return fmt.Sprintf("{{email:%d}}", g.r.IntN(g.emails))
}

func (g *generator) reassign() {
	h := g.pick(profile.KindRoundRobin)
	if h == nil {
		h = g.pick()
	}
	rr := g.cfg.Profile.EventTypes[profile.KindRoundRobin]
	if len(rr.HostUserIDs) > 0 && g.r.IntN(2) == 0 {
		host := rr.HostUserIDs[g.r.IntN(len(rr.HostUserIDs))]
		g.add(Op{Kind: OpReassignTo, Name: "reassign to host", Method: "POST", Path: fmt.Sprintf("/v2/bookings/%s/reassign/%d", h.uid, host), Body: map[string]any{"reason": "swap"}})
		return
	}
	g.add(Op{Kind: OpReassign, Name: "reassign", Method: "POST", Path: "/v2/bookings/" + h.uid + "/reassign"})
}

// invalid adds a request that both sides must refuse the same way.
func (g *generator) invalid() {
	h := g.pick()
	switch g.r.IntN(7) {
	case 0:
		g.add(Op{Kind: OpCreate, Name: "create (no start)", Method: "POST", Path: "/v2/bookings", Body: map[string]any{"eventTypeId": g.cfg.Profile.EventTypes[g.kinds[0]].ID, "attendee": g.attendee()}})
	case 1:
		g.add(Op{Kind: OpCreate, Name: "create (start not a date)", Method: "POST", Path: "/v2/bookings", Body: map[string]any{"start": "tomorrow", "eventTypeId": g.cfg.Profile.EventTypes[g.kinds[0]].ID, "attendee": g.attendee()}})
	case 2:
		g.add(Op{Kind: OpCreate, Name: "create (malformed JSON)", Method: "POST", Path: "/v2/bookings", RawBody: `{"start": `})
	case 3:
		g.add(Op{Kind: OpGet, Name: "get (wrong key)", Method: "GET", Path: "/v2/bookings/" + h.uid, Auth: AuthBad})
	case 4:
		g.add(Op{Kind: OpCancel, Name: "cancel (other user)", Method: "POST", Path: "/v2/bookings/" + h.uid + "/cancel", Body: map[string]any{"cancellationReason": "not mine"}, Auth: AuthOther})
	case 5:
		g.add(Op{Kind: OpGet, Name: "get (unknown uid)", Method: "GET", Path: "/v2/bookings/" + UnknownUID})
	default:
		g.add(Op{Kind: OpList, Name: "list (bad take)", Method: "GET", Path: "/v2/bookings", Query: [][2]string{{"attendeeEmail", g.emailOfSomeone()}, {"take", "-1"}}})
	}
}
