package profile_test

import (
	"context"
	"encoding/json"
	"errors"
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
