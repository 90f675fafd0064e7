package profile_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/fixtures"
	"github.com/calmock/calmock/mockserver"
	"github.com/calmock/calmock/profile"
)

// mock starts a calmock over set (nil: the default world) and returns its URL and the
// profile it serves at /_calmock/profile.
func mock(t *testing.T, set *fixtures.Set) (string, profile.Profile) {
	t.Helper()
	srv, err := mockserver.New(mockserver.Config{Seed: 1, Fixtures: set})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	resp, err := http.Get(ts.URL + profile.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p profile.Profile
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	return ts.URL, p
}

// TestDiscover_MatchesServedProfile: discovery on a calmock finds what the mock says of
// itself, for every kind: the ids and keys, and each kind's properties.
func TestDiscover_MatchesServedProfile(t *testing.T) {
	url, want := mock(t, nil)
	got, missing, err := profile.Discover(context.Background(), nil, url, want.Users[0].APIKey, want.Users[1].APIKey)
	if err != nil {
		t.Fatalf("Discover: %v", err)
	}
	if len(missing) > 0 {
		t.Errorf("missing kinds on a calmock: %+v", missing)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("the discovered profile does not validate: %v", err)
	}
	// The round trip through the file format validates too.
	data, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := profile.Decode(data); err != nil {
		t.Errorf("the discovered profile does not decode: %v", err)
	}
	if len(got.Users) != 2 {
		t.Fatalf("users = %+v, want 2", got.Users)
	}
	if got.PastBookingUID == "" || got.PastBookingUID != want.PastBookingUID {
		t.Errorf("pastBookingUid = %q, served %q", got.PastBookingUID, want.PastBookingUID)
	}
	for i := range got.Users {
		if got.Users[i] != want.Users[i] {
			t.Errorf("users[%d] = %+v, want %+v", i, got.Users[i], want.Users[i])
		}
	}
	for _, kind := range profile.Kinds {
		g, w := got.EventTypes[kind], want.EventTypes[kind]
		if g.ID != w.ID || g.Slug != w.Slug || g.LengthInMinutes != w.LengthInMinutes || g.OwnerUsername != w.OwnerUsername ||
			g.SeatsPerTimeSlot != w.SeatsPerTimeSlot || g.SeatsShowAttendees != w.SeatsShowAttendees ||
			g.TeamSlug != w.TeamSlug || !slices.Equal(g.HostUserIDs, w.HostUserIDs) || !slices.Equal(g.LengthOptions, w.LengthOptions) ||
			(g.Recurrence == nil) != (w.Recurrence == nil) || (g.Recurrence != nil && *g.Recurrence != *w.Recurrence) {
			t.Errorf("%s: discovered %+v, served %+v", kind, g, w)
		}
	}
}

// TestDiscover_MissingKinds: kinds the target lacks, or has only mixed with another kind's
// feature, are listed with a reason that names the event type; the others are still found.
func TestDiscover_MissingKinds(t *testing.T) {
	now := time.Now()
	set, err := fixtures.Default(1, now)
	if err != nil {
		t.Fatal(err)
	}
	set.Bookings = nil
	var kept []fixtures.EventType
	for _, et := range set.EventTypes {
		switch et.Kind {
		case profile.KindSeated, profile.KindRoundRobin:
			continue // gone
		case profile.KindRecurring:
			et.RequiresConfirmation = true // mixed: neither recurring nor requiresConfirmation alone
			et.Kind = ""
		}
		kept = append(kept, et)
	}
	set.EventTypes = kept
	url, want := mock(t, set)
	got, missing, err := profile.Discover(context.Background(), nil, url, want.Users[0].APIKey, want.Users[1].APIKey)
	if err != nil {
		t.Fatalf("Discover: %v", err)
	}
	reasons := map[string]string{}
	for _, m := range missing {
		reasons[m.Kind] = m.Reason
	}
	for kind, fragment := range map[string]string{
		profile.KindSeated:     "is seated",
		profile.KindRecurring:  "it is requiresConfirmation and recurring",
		profile.KindRoundRobin: "is in no team",
	} {
		if r, ok := reasons[kind]; !ok || !strings.Contains(r, fragment) {
			t.Errorf("%s: reason %q, want it to contain %q", kind, r, fragment)
		}
		if _, found := got.EventTypes[kind]; found {
			t.Errorf("%s: found %+v, want it missing", kind, got.EventTypes[kind])
		}
	}
	for _, kind := range []string{profile.KindPlain, profile.KindRequiresConfirmation, profile.KindVariableLength} {
		if got.EventTypes[kind].ID != want.EventTypes[kind].ID {
			t.Errorf("%s: discovered %+v, want id %d", kind, got.EventTypes[kind], want.EventTypes[kind].ID)
		}
	}
	if len(missing) != 3 {
		t.Errorf("missing = %+v, want 3 kinds", missing)
	}
}

// TestDiscover_RoundRobinHostedByTheSecondUser: a round-robin type the second user hosts is
// refused, with the reason.
func TestDiscover_RoundRobinHostedByTheSecondUser(t *testing.T) {
	set, err := fixtures.Default(1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	set.Bookings = nil
	for i, et := range set.EventTypes {
		if et.Kind == profile.KindRoundRobin {
			set.EventTypes[i].Kind = ""
			set.EventTypes[i].HostIDs = append(set.EventTypes[i].HostIDs, set.Users[1].ID)
			set.EventTypes[i].SchedulingType = booking.SchedulingRoundRobin
		}
	}
	url, want := mock(t, set)
	_, missing, err := profile.Discover(context.Background(), nil, url, want.Users[0].APIKey, want.Users[1].APIKey)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != 1 || missing[0].Kind != profile.KindRoundRobin || !strings.Contains(missing[0].Reason, "the second user") {
		t.Errorf("missing = %+v, want round robin refused for its second-user host", missing)
	}
}

func TestDiscover_Errors(t *testing.T) {
	url, p := mock(t, nil)
	ctx := context.Background()
	owner, other := p.Users[0].APIKey, p.Users[1].APIKey
	if _, _, err := profile.Discover(ctx, nil, url, owner, owner); err == nil || !strings.Contains(err.Error(), "both API keys belong to user") {
		t.Errorf("same key twice: %v", err)
	}
	_, _, err := profile.Discover(ctx, nil, url, "cal_test_not_a_key_of_this_target", other)
	if err == nil || errors.Is(err, profile.ErrUnreachable) || !strings.Contains(err.Error(), "401") {
		t.Errorf("unknown key: %v, want a 401 that is not ErrUnreachable", err)
	}
	if _, _, err := profile.Discover(ctx, nil, url, "", other); err == nil {
		t.Error("no owner key: no error")
	}
	// Nothing listening, and a server that is no Cal.com API: ErrUnreachable.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	if _, _, err := profile.Discover(ctx, nil, dead.URL, owner, other); !errors.Is(err, profile.ErrUnreachable) {
		t.Errorf("closed server: %v, want ErrUnreachable", err)
	}
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>hi</html>")) }))
	defer html.Close()
	if _, _, err := profile.Discover(ctx, nil, html.URL, owner, other); !errors.Is(err, profile.ErrUnreachable) {
		t.Errorf("HTML server: %v, want ErrUnreachable", err)
	}
}

// TestDiscover_Classification runs discovery on canned answers in the real API's shapes,
// with the event types a real account has that the mock's fixtures do not: each unusable one
// is refused with its reason, and the usable one of each kind with the lowest id is taken.
func TestDiscover_Classification(t *testing.T) {
	// et is an event type with the defaults of a plain one, extra's keys laid over them.
	et := func(id int, slug string, extra string) string {
		v := map[string]any{}
		base := fmt.Sprintf(`{"id":%d,"slug":%q,"lengthInMinutes":30,"price":0,"seats":{"disabled":true},"recurrence":null,
			"confirmationPolicy":{"disabled":true},"bookingFields":[{"type":"name","slug":"name","required":true,"isDefault":true}]}`, id, slug)
		for _, part := range []string{base, "{" + strings.TrimPrefix(extra, ",") + "}"} {
			if err := json.Unmarshal([]byte(part), &v); err != nil {
				t.Fatal(err)
			}
		}
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	answers := map[string]string{
		"/v2/me|cal_owner": `{"id":7,"username":"own","email":"own@example.com","timeZone":"Europe/Rome"}`,
		"/v2/me|cal_other": `{"id":8,"username":"oth","email":"oth@example.com","timeZone":"UTC"}`,
		"/v2/event-types|cal_owner": "[" + strings.Join([]string{
			et(30, "paid", `,"price":50`),
			et(31, "custom-form", `,"bookingFields":[{"type":"text","slug":"company","required":true}]`),
			et(32, "plain", ""),
			et(33, "plain-too", ""),
			et(34, "within-a-day", `,"confirmationPolicy":{"type":"time","noticeThreshold":{"unit":"hours","count":24}}`),
			et(35, "one-seat", `,"seats":{"seatsPerTimeSlot":1,"showAttendeeInfo":false,"showAvailabilityCount":true}`),
			et(36, "monthly", `,"recurrence":{"frequency":"monthly","interval":1,"occurrences":4}`),
			et(37, "verify", `,"requiresBookerEmailVerification":true,"lengthInMinutesOptions":[15,30]`),
		}, ",") + "]",
		"/v2/teams|cal_owner": `[{"id":3,"name":"Org","slug":"org","isOrganization":true},{"id":4,"name":"T","slug":"t","isOrganization":false}]`,
		"/v2/teams/4/event-types|cal_owner": "[" + et(40, "rr-alone", `,"schedulingType":"roundRobin","hosts":[{"userId":7}]`) + "," +
			et(41, "collective", `,"schedulingType":"collective","hosts":[{"userId":7},{"userId":9}]`) + "," +
			et(42, "rr", `,"schedulingType":"ROUND_ROBIN","hosts":[{"userId":7,"name":"O"},{"userId":9}]`) + "]",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := answers[r.URL.Path+"|"+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"status":"error","error":{"code":"NotFoundException","message":"Cannot GET ` + r.URL.Path + `"}}`))
			return
		}
		if r.URL.Path == "/v2/event-types" && r.Header.Get("cal-api-version") != "2024-06-14" {
			t.Errorf("event types asked with cal-api-version %q", r.Header.Get("cal-api-version"))
		}
		_, _ = w.Write([]byte(`{"status":"success","data":` + data + `}`))
	}))
	defer srv.Close()
	got, missing, err := profile.Discover(context.Background(), srv.Client(), srv.URL+"/", "cal_owner", "cal_other")
	if err != nil {
		t.Fatal(err)
	}
	if got.Users[0] != (profile.User{ID: 7, Username: "own", Email: "own@example.com", TimeZone: "Europe/Rome", APIKey: "cal_owner"}) || got.Users[1].ID != 8 {
		t.Errorf("users = %+v", got.Users)
	}
	if p := got.EventTypes[profile.KindPlain]; p.ID != 32 || p.OwnerUsername != "own" {
		t.Errorf("plain = %+v, want 32 (the lowest usable id) owned by own", p)
	}
	if r := got.EventTypes[profile.KindRecurring]; r.ID != 36 || *r.Recurrence != (profile.Recurrence{Freq: 1, Interval: 1, Count: 4}) {
		t.Errorf("recurring = %+v", r)
	}
	if rr := got.EventTypes[profile.KindRoundRobin]; rr.ID != 42 || rr.TeamSlug != "t" || !slices.Equal(rr.HostUserIDs, []int{7, 9}) {
		t.Errorf("roundRobin = %+v", rr)
	}
	reasons := map[string]string{}
	for _, m := range missing {
		reasons[m.Kind] = m.Reason
	}
	for kind, fragments := range map[string][]string{
		profile.KindRequiresConfirmation: {`34 (within-a-day): its confirmation policy is "time"`},
		profile.KindSeated:               {"35 (one-seat): it has 1 seat per slot"},
		profile.KindVariableLength:       {"37 (verify): it requires the booker's email verification"},
	} {
		for _, frag := range fragments {
			if !strings.Contains(reasons[kind], frag) {
				t.Errorf("%s: reason %q, want it to contain %q", kind, reasons[kind], frag)
			}
		}
	}
	if len(missing) != 3 {
		t.Errorf("missing = %+v, want requiresConfirmation, seated, variableLength", missing)
	}
}
