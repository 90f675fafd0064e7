package conformance

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/calmock/calmock/profile"
)

// KindInvariant is a failure of a rule every booking the suite sees must keep, whatever the
// step states (issue 17 point 6): a target whose bookings end a minute late fails here even
// where no scenario looks at `end`.
const KindInvariant = "invariant"

// invariants are what the suite knows of the run so far, to check every booking it sees
// against the profile and against the bookings it saw before (one per scenario).
type invariants struct {
	eventTypes map[int]profile.EventType // by id, from the target's profile
	// byTo and byFrom index the reschedule links seen: byTo[B] = A when A said
	// rescheduledToUid B, byFrom[A] = B when B said rescheduledFromUid A. Both directions
	// must agree, and a booking is rescheduled to and from one booking at most.
	byTo, byFrom map[string]string
}

func newInvariants(prof map[string]any) *invariants {
	inv := &invariants{eventTypes: map[int]profile.EventType{}, byTo: map[string]string{}, byFrom: map[string]string{}}
	// The profile was validated as generic JSON; read its event types typed.
	if raw, err := json.Marshal(prof["eventTypes"]); err == nil {
		var ets map[string]profile.EventType
		if json.Unmarshal(raw, &ets) == nil {
			for kind, et := range ets {
				if kind == profile.KindVariableLength && len(et.LengthOptions) == 0 {
					continue // lengths unknown: only end - start = duration is checked
				}
				inv.eventTypes[et.ID] = et
			}
		}
	}
	return inv
}

// bookingUID is the form of a booking uid (behaviour notes §7): Cal.com's short uids, about
// 22 characters of Bitcoin's base58 alphabet.
var bookingUID = regexp.MustCompile(`^[1-9A-HJ-NP-Za-km-z]{16,24}$`)

// seriesUID is the form of recurringBookingUid and seatUid: a UUID.
var seriesUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// knownStatuses are every booking status of the API (behaviour notes §7.1).
var knownStatuses = []string{"accepted", "pending", "cancelled", "rejected", "awaiting_host"}

// statusesOf returns the statuses a successful answer of the operation may show, keyed by
// the last path segment of a POST (nil: any known status). The path may have a prefix (the
// target's base URL).
func statusesOf(req *http.Request) []string {
	if req.Method != http.MethodPost {
		return nil
	}
	switch path := strings.TrimSuffix(req.URL.Path, "/"); {
	case strings.HasSuffix(path, "/v2/bookings"):
		return []string{"accepted", "pending", "awaiting_host"}
	case strings.HasSuffix(path, "/confirm"):
		return []string{"accepted"}
	case strings.HasSuffix(path, "/decline"):
		return []string{"rejected"}
	case strings.HasSuffix(path, "/reschedule"):
		return []string{"accepted", "pending"}
	case cancelledUID(req) != "":
		if _, seat := requestBody(req)["seatUid"]; seat {
			return nil // cancelling one seat leaves the booking as it was
		}
		return []string{"cancelled"}
	}
	return nil
}

// cancelledUID is the uid of POST …/{bookingUid}/cancel's path ("" for any other path).
func cancelledUID(req *http.Request) string {
	rest, ok := strings.CutSuffix(strings.TrimSuffix(req.URL.Path, "/"), "/cancel")
	if !ok {
		return ""
	}
	return rest[strings.LastIndex(rest, "/")+1:]
}

// requestBody is the request's JSON object body, read again through GetBody (nil if none).
func requestBody(req *http.Request) map[string]any {
	if req.GetBody == nil {
		return nil
	}
	rc, err := req.GetBody()
	if err != nil {
		return nil
	}
	defer rc.Close()
	var body map[string]any
	_ = json.NewDecoder(rc).Decode(&body) // not JSON: no body to look at
	return body
}

// check returns every invariant the answer breaks. Only successful JSON answers are looked
// at.
func (inv *invariants) check(req *http.Request, resp *response) []envFinding {
	if resp.status < 200 || resp.status > 299 || !resp.isJSON {
		return nil
	}
	doc, ok := resp.doc.(map[string]any)
	if !ok {
		return nil
	}
	var out []envFinding
	allowed := statusesOf(req)
	switch data := doc["data"].(type) {
	case map[string]any:
		out = inv.booking("data", data, allowed, out)
	case []any:
		// Cancelling a series occurrence with cancelSubsequentBookings answers with the
		// whole series: only the booking named in the path must show the new status.
		cancelled := cancelledUID(req)
		for i, item := range data {
			if b, ok := item.(map[string]any); ok {
				want := allowed
				if cancelled != "" && b["uid"] != cancelled {
					want = nil
				}
				out = inv.booking(fmt.Sprintf("data[%d]", i), b, want, out)
			}
		}
		if p, ok := doc["pagination"].(map[string]any); ok {
			out = checkPagination(req, len(data), p, out)
		}
	}
	return out
}

// booking checks one object of data, if it is a booking (it has uid, start and end).
func (inv *invariants) booking(at string, b map[string]any, allowed []string, out []envFinding) []envFinding {
	uid, okUID := b["uid"].(string)
	startS, okStart := b["start"].(string)
	endS, okEnd := b["end"].(string)
	if !okUID || !okStart || !okEnd {
		return out
	}
	fail := func(field, expected, got string) {
		out = append(out, envFinding{field: at + "." + field, expected: expected, got: got})
	}
	if !bookingUID.MatchString(uid) {
		fail("uid", "a ~22-character base58 uid", strconv.Quote(uid))
	}
	for _, key := range []string{"recurringBookingUid", "seatUid"} {
		if v, ok := b[key].(string); ok && !seriesUID.MatchString(v) {
			fail(key, "a UUID", strconv.Quote(v))
		}
	}
	status, _ := b["status"].(string)
	switch {
	case !slices.Contains(knownStatuses, status):
		fail("status", "one of "+strings.Join(knownStatuses, ", "), strconv.Quote(status))
	case allowed != nil && !slices.Contains(allowed, status):
		fail("status", "one this operation produces: "+strings.Join(allowed, ", "), strconv.Quote(status))
	}
	start, errS := time.Parse(time.RFC3339, startS)
	end, errE := time.Parse(time.RFC3339, endS)
	if errS != nil || errE != nil {
		fail("start/end", "RFC 3339 times", startS+" / "+endS)
		return out
	}
	length := end.Sub(start)
	if d, ok := b["duration"].(float64); ok && time.Duration(d)*time.Minute != length {
		fail("end", fmt.Sprintf("start + duration (%v min) = %s", d, start.Add(time.Duration(d)*time.Minute).UTC().Format(time.RFC3339)), endS)
	}
	id, _ := b["eventTypeId"].(float64)
	if et, ok := inv.eventTypes[int(id)]; ok && id > 0 {
		lengths := append([]int{et.LengthInMinutes}, et.LengthOptions...)
		if !slices.Contains(lengths, int(length/time.Minute)) || length%time.Minute != 0 {
			fail("end", fmt.Sprintf("start + the event type's length (%v min)", lengths), fmt.Sprintf("%s (%v later)", endS, length))
		}
		if attendees, ok := b["attendees"].([]any); ok && et.SeatsPerTimeSlot > 0 && len(attendees) > et.SeatsPerTimeSlot {
			fail("attendees", fmt.Sprintf("at most %d (the event type's seats)", et.SeatsPerTimeSlot), strconv.Itoa(len(attendees)))
		}
	}
	if to, ok := b["rescheduledToUid"].(string); ok && to != "" {
		inv.link(uid, to, "to", "from", inv.byTo, inv.byFrom, fail)
	}
	if from, ok := b["rescheduledFromUid"].(string); ok && from != "" {
		inv.link(uid, from, "from", "to", inv.byFrom, inv.byTo, fail)
	}
	return out
}

// link checks and records one side of a reschedule link: booking uid says it was rescheduled
// dir (to or from) other. mine indexes the links of this direction by their other end,
// theirs those of the opposite one, so that both directions must agree and a booking is
// rescheduled to and from one booking at most.
func (inv *invariants) link(uid, other, dir, opposite string, mine, theirs map[string]string, fail func(field, expected, got string)) {
	field := "rescheduled" + strings.ToUpper(dir[:1]) + dir[1:] + "Uid"
	switch {
	case other == uid:
		fail(field, "another booking", "itself")
	case theirs[uid] != "" && theirs[uid] != other:
		fail(field, theirs[uid]+", which says it was rescheduled "+opposite+" "+uid, other)
	case mine[other] != "" && mine[other] != uid:
		fail(field, "a booking no other was rescheduled "+dir, other+", which "+mine[other]+" was rescheduled "+dir+" too")
	}
	mine[other] = uid
}

// createdUpdatedFilters limit a list's page but not its totalItems on the real API (behaviour
// notes §6.4 QUIRK), so with one of them the page's length is not checked against the counts.
var createdUpdatedFilters = []string{"afterCreatedAt", "beforeCreatedAt", "afterUpdatedAt", "beforeUpdatedAt"}

// checkPagination checks the arithmetic of a list's pagination object (behaviour notes §6.4)
// or, for cursor paging, that hasMore and nextCursor agree.
func checkPagination(req *http.Request, n int, p map[string]any, out []envFinding) []envFinding {
	fail := func(field, expected string, got any) {
		out = append(out, envFinding{field: "pagination." + field, expected: expected, got: fmt.Sprint(got)})
	}
	if hasMore, ok := p["hasMore"].(bool); ok {
		cursor, _ := p["nextCursor"].(string)
		if hasMore != (cursor != "") {
			fail("hasMore", fmt.Sprintf("%v (nextCursor is %q)", cursor != "", cursor), hasMore)
		}
		return out
	}
	num := func(k string) (int, bool) {
		v, ok := p[k].(float64)
		return int(v), ok && v == math.Trunc(v)
	}
	total, ok1 := num("totalItems")
	take, ok2 := num("itemsPerPage")
	if !ok1 || !ok2 || take <= 0 {
		return out
	}
	skip, _ := strconv.Atoi(req.URL.Query().Get("skip"))
	s := min(max(skip, 0), total)
	totalPages := (total + take - 1) / take
	page := 0
	if totalPages > 0 {
		page = min(max(s/take+1, 1), totalPages)
	}
	want := map[string]any{
		"returnedItems":   min(max(total-s, 0), take),
		"remainingItems":  min(max(total-(s+take), 0), total),
		"totalPages":      totalPages,
		"currentPage":     page,
		"hasNextPage":     s+take < total,
		"hasPreviousPage": s > 0,
	}
	for _, k := range sortedKeys(want) {
		got := p[k]
		if f, ok := got.(float64); ok {
			got = int(f)
		}
		if got != want[k] {
			fail(k, fmt.Sprintf("%v (totalItems %d, skip %d, itemsPerPage %d)", want[k], total, skip, take), got)
		}
	}
	filtered := slices.ContainsFunc(createdUpdatedFilters, func(f string) bool { return req.URL.Query().Has(f) })
	if returned, ok := num("returnedItems"); ok && !filtered && returned != n {
		fail("returnedItems", fmt.Sprintf("%d (the items in data)", n), returned)
	}
	return out
}
