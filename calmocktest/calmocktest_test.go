package calmocktest_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/calmock/calmock/calmocktest"
	"github.com/calmock/calmock/mockserver"
	"github.com/calmock/calmock/profile"
)

var monday = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

type listed struct {
	Data []struct {
		UID string `json:"uid"`
	} `json:"data"`
}

func book(t *testing.T, m *calmocktest.Mock, start string) string {
	t.Helper()
	var out struct {
		Data struct{ UID string } `json:"data"`
	}
	call(t, m.URL(), "POST", "/v2/bookings", "", fmt.Sprintf(
		`{"start":%q,"eventTypeId":%d,"attendee":{"name":"Ada","email":"ada@example.com","timeZone":"UTC"}}`,
		start, m.Profile().EventTypes[profile.KindPlain].ID), &out)
	return out.Data.UID
}

func upcoming(t *testing.T, m *calmocktest.Mock) map[string]bool {
	t.Helper()
	var l listed
	call(t, m.URL(), "GET", "/v2/bookings?status=upcoming&take=250", m.Profile().Users[0].APIKey, "", &l)
	out := map[string]bool{}
	for _, b := range l.Data {
		out[b.UID] = true
	}
	return out
}

// TestStart_Isolated: parallel mocks never see each other's bookings or clocks.
func TestStart_Isolated(t *testing.T) {
	a, b := calmocktest.Start(t, calmocktest.WithClock(monday)), calmocktest.Start(t, calmocktest.WithClock(monday))
	if a.URL() == b.URL() {
		t.Fatal("two mocks share a URL")
	}
	done := make(chan string, 2)
	for _, m := range []*calmocktest.Mock{a, b} {
		go func() { done <- book(t, m, "2026-01-07T10:00:00Z") }()
	}
	<-done
	<-done
	ua, ub := upcoming(t, a), upcoming(t, b)
	if len(ua) != len(ub) {
		t.Fatalf("same seed, same requests, different worlds: %d vs %d", len(ua), len(ub))
	}
	a.Clock().Advance(48 * time.Hour)
	if !b.Clock().Now().Equal(monday) || !a.Clock().Now().Equal(monday.Add(48*time.Hour)) {
		t.Fatalf("clocks: a %s, b %s", a.Clock().Now(), b.Clock().Now())
	}
	if len(upcoming(t, a)) >= len(ub) {
		t.Errorf("advancing a's clock left its upcoming list as long as b's")
	}
}

// TestMock_ResetAndClock: Reset forgets what a test did; the clock freezes, advances and
// returns to real time.
func TestMock_ResetAndClock(t *testing.T) {
	m := calmocktest.Start(t, calmocktest.WithSeed(9))
	before := upcoming(t, m)
	uid := book(t, m, time.Now().UTC().AddDate(0, 0, 60).Truncate(24*time.Hour).Add(10*time.Hour).Format(time.RFC3339))
	if !upcoming(t, m)[uid] {
		t.Fatal("the new booking is not upcoming")
	}
	m.Reset()
	if after := upcoming(t, m); len(after) != len(before) || after[uid] {
		t.Fatalf("after Reset: %d bookings (want %d), new one present %v", len(after), len(before), after[uid])
	}
	m.Clock().Freeze(monday)
	if !m.Clock().Now().Equal(monday) {
		t.Fatalf("frozen at %s, reads %s", monday, m.Clock().Now())
	}
	m.Clock().Real()
	if d := time.Since(m.Clock().Now()); d < -time.Second || d > time.Second {
		t.Fatalf("real time reads %s", m.Clock().Now())
	}
}

// TestStart_RateLimitAndCleanup: WithRateLimit counts per key (off by default), and the
// mock's listener is closed when the test ends.
func TestStart_RateLimitAndCleanup(t *testing.T) {
	var url string
	t.Run("limited", func(t *testing.T) {
		m := calmocktest.Start(t, calmocktest.WithRateLimit(1))
		url = m.URL()
		key := m.Profile().Users[0].APIKey
		call(t, m.URL(), "GET", "/v2/bookings", key, "", nil)
		req, _ := http.NewRequest("GET", m.URL()+"/v2/bookings", nil)
		req.Header.Set("cal-api-version", "2024-08-13")
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("second request: %d, want 429", resp.StatusCode)
		}
		unlimited := calmocktest.Start(t)
		for range 5 {
			call(t, unlimited.URL(), "GET", "/v2/bookings", unlimited.Profile().Users[0].APIKey, "", nil)
		}
	})
	if resp, err := http.Get(url + "/_calmock/health"); err == nil {
		resp.Body.Close()
		t.Fatalf("the mock still answers after its test ended")
	}
}

// TestMock_FaultAndJournal: a fault answers the next matching request and then no more; the
// journal shows what was sent, with the verdict on a misspelt query parameter.
func TestMock_FaultAndJournal(t *testing.T) {
	m := calmocktest.Start(t, calmocktest.WithClock(monday))
	key := m.Profile().Users[0].APIKey
	f := m.Fault(mockserver.FaultSpec{Method: "GET", Path: "/v2/bookings", Status: 503, Times: 1})
	get := func(query string) int {
		req, err := http.NewRequest("GET", m.URL()+"/v2/bookings"+query, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("cal-api-version", "2024-08-13")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(""); code != 503 {
		t.Fatalf("with fault %s: status %d, want 503", f.ID, code)
	}
	if code := get("?tkae=5"); code != 200 {
		t.Fatalf("after the fault's one hit: status %d, want 200", code)
	}
	if n := len(m.Faults()); n != 1 || m.ClearFaults() != 1 || len(m.Faults()) != 0 {
		t.Fatalf("faults listed %d, then not cleared", n)
	}
	yes := true
	bad := m.Journal(mockserver.JournalFilter{Path: "/v2/bookings", HasViolations: &yes})
	if len(bad) != 1 || bad[0].Query != "tkae=5" {
		t.Fatalf("journal entries with violations: %+v, want the one with tkae=5", bad)
	}
	if all := m.Journal(mockserver.JournalFilter{}); len(all) != 2 || all[0].Status != 200 || all[1].Status != 503 {
		t.Fatalf("journal: %+v, want the 200 then (older) the 503", all)
	}
	if n := m.ClearJournal(); n != 2 || len(m.Journal(mockserver.JournalFilter{})) != 0 {
		t.Fatalf("ClearJournal cleared %d", n)
	}
}
