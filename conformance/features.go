package conformance

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Feature names. A scenario lists the features it needs; a target declares the features it
// supports (-features); a scenario needing anything else is skipped with a reason. The set is
// frozen after package initialisation: an unknown name in a scenario file is a load error.
const (
	FeatureCore          = "core"                  // create, get, cancel of a plain booking
	FeatureAuth          = "auth"                  // API-key checks, ownership
	FeatureList          = "list"                  // GET /v2/bookings: filters, sorting, paging
	FeatureRecurring     = "recurring"             // recurring event types
	FeatureSeated        = "seated"                // seated event types
	FeatureRoundRobin    = "round-robin"           // team round robin, reassign
	FeatureConfirmation  = "confirmation"          // requires-confirmation event types: confirm, decline
	FeatureReschedule    = "reschedule"            // POST …/reschedule
	FeatureAbsent        = "absent"                // POST …/mark-absent
	FeatureCalendarLinks = "calendar-links"        // GET …/calendar-links
	FeatureReferences    = "references"            // GET …/references
	FeatureRecordings    = "recordings"            // GET …/recordings and …/transcripts
	FeatureVersion       = "version"               // cal-api-version routing
	FeatureBySeat        = "by-seat"               // GET /v2/bookings/by-seat/{seatUid} (not in the 2025-10 snapshot)
	FeatureValidation    = "validation"            // request body and query validation errors
	FeatureAttendees     = "attendees"             // …/attendees: list, get one, add, remove (cal.diy 2024-08-13)
	FeatureGuests        = "guests"                // POST …/guests (newer than the 2025-10 snapshot)
	FeatureLocation      = "location"              // PATCH …/location (cal.diy 2024-08-13)
	FeatureConferencing  = "conferencing-sessions" // GET …/conferencing-sessions (Cal Video)
	FeatureRoutingTrace  = "routing-trace"         // GET …/routing-trace (hosted Cal.com only)
	FeatureCursorPaging  = "cursor-paging"         // GET /v2/bookings on cal-api-version 2026-05-01
	FeatureWebhooks      = "webhooks"              // /v2/webhooks subscriptions and the deliveries of booking changes
)

// registry is the set of known features. Add is only legal before Freeze (package init).
type registry struct {
	mu     sync.RWMutex
	names  map[string]string // name -> description
	frozen bool
}

func (r *registry) add(name, description string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.frozen {
		panic(fmt.Sprintf("conformance: feature %q added after the registry was frozen", name))
	}
	if _, dup := r.names[name]; dup {
		panic(fmt.Sprintf("conformance: feature %q registered twice", name))
	}
	r.names[name] = description
}

func (r *registry) freeze() {
	r.mu.Lock()
	r.frozen = true
	r.mu.Unlock()
}

var features = func() *registry {
	r := &registry{names: map[string]string{}}
	r.add(FeatureCore, "create, get and cancel a plain booking")
	r.add(FeatureAuth, "API key checks and ownership")
	r.add(FeatureList, "list with filters, sorting and paging")
	r.add(FeatureRecurring, "recurring event types")
	r.add(FeatureSeated, "seated event types")
	r.add(FeatureRoundRobin, "round-robin team event types and reassignment")
	r.add(FeatureConfirmation, "event types requiring confirmation: confirm and decline")
	r.add(FeatureReschedule, "reschedule")
	r.add(FeatureAbsent, "mark absent")
	r.add(FeatureCalendarLinks, "calendar links")
	r.add(FeatureReferences, "booking references")
	r.add(FeatureRecordings, "recordings and transcripts")
	r.add(FeatureVersion, "cal-api-version routing")
	r.add(FeatureBySeat, "get a booking by seat uid")
	r.add(FeatureValidation, "request validation errors")
	r.add(FeatureAttendees, "list, get, add and remove a booking's attendees")
	r.add(FeatureGuests, "add guests to a booking")
	r.add(FeatureLocation, "update a booking's location")
	r.add(FeatureConferencing, "a Cal Video booking's meeting sessions")
	r.add(FeatureRoutingTrace, "a booking's routing trace")
	r.add(FeatureCursorPaging, "list by cursor (cal-api-version 2026-05-01)")
	r.add(FeatureWebhooks, "webhook subscriptions (/v2/webhooks) and the deliveries booking changes cause")
	r.freeze()
	return r
}()

// KnownFeature reports whether name is a registered feature.
func KnownFeature(name string) bool {
	features.mu.RLock()
	defer features.mu.RUnlock()
	_, ok := features.names[name]
	return ok
}

// Features returns every registered feature name, sorted.
func Features() []string {
	features.mu.RLock()
	defer features.mu.RUnlock()
	out := make([]string, 0, len(features.names))
	for n := range features.names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// FeatureDescription returns the one-line description of a registered feature.
func FeatureDescription(name string) string {
	features.mu.RLock()
	defer features.mu.RUnlock()
	return features.names[name]
}

// ParseFeatures parses a comma-separated feature list ("" or "all" = every feature). An
// unknown name is a usage error.
func ParseFeatures(s string) (map[string]bool, error) {
	s = strings.TrimSpace(s)
	out := map[string]bool{}
	if s == "" || s == "all" {
		for _, f := range Features() {
			out[f] = true
		}
		return out, nil
	}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !KnownFeature(f) {
			return nil, &UsageError{Err: fmt.Errorf("-features: unknown feature %q (known: %s)", f, strings.Join(Features(), ","))}
		}
		out[f] = true
	}
	return out, nil
}
