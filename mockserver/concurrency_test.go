package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/calmock/calmock/profile"
)

// TestConcurrency_MixedOperationsKeepInvariants drives a real HTTP server with workers that
// create, cancel, reschedule, confirm, decline and list at once (a bounded number of
// operations each), then checks what must hold whatever the interleaving:
//   - no 5xx;
//   - no two accepted or pending bookings of one host overlap (unless a confirm revived one);
//   - every reschedule chain is consistent in both directions;
//   - paging through the list visits every booking exactly once, and totalItems agrees.
func TestConcurrency_MixedOperationsKeepInvariants(t *testing.T) {
	f := MustServer(t, Config{})
	ts := httptest.NewServer(f.srv)
	defer ts.Close()
	client := ts.Client()
	key := f.key(0)
	kinds := []profile.EventType{f.eventType(t, profile.KindPlain), f.eventType(t, profile.KindRequiresConfirmation), f.eventType(t, profile.KindVariableLength)}

	send := func(method, path string, body any) (int, map[string]any) {
		var buf bytes.Buffer
		if body != nil {
			_ = json.NewEncoder(&buf).Encode(body)
		}
		req, _ := http.NewRequest(method, ts.URL+path, &buf)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("cal-api-version", "2024-08-13")
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("%s %s: %v", method, path, err)
			return 0, nil
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode >= 500 {
			t.Errorf("%s %s: %d %v", method, path, resp.StatusCode, out)
		}
		return resp.StatusCode, out
	}

	const workers, opsPerWorker = 8, 40
	var mu sync.Mutex
	var uids []string
	// decided holds the bookings a confirm or decline succeeded on. Cal.com lets confirm
	// revive a cancelled booking and decline turn a cancelled one into rejected, without any
	// availability check (real QUIRKs the mock keeps), so the slot and chain invariants below
	// only hold for bookings that never went through them.
	decided := map[string]bool{}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			pick := func() string {
				mu.Lock()
				defer mu.Unlock()
				if len(uids) == 0 {
					return "none"
				}
				return uids[rng.IntN(len(uids))]
			}
			for i := 0; i < opsPerWorker; i++ {
				// Few distinct slots, so that creates and reschedules really collide.
				start := slot(30+rng.IntN(3), 9+rng.IntN(3))
				switch rng.IntN(6) {
				case 0, 1:
					et := kinds[rng.IntN(len(kinds))]
					if code, body := send("POST", "/v2/bookings", createBody(et.ID, start, fmt.Sprintf("w%d-%d@example.com", w, i))); code == http.StatusCreated {
						mu.Lock()
						uids = append(uids, body["data"].(map[string]any)["uid"].(string))
						mu.Unlock()
					}
				case 2:
					send("POST", "/v2/bookings/"+pick()+"/cancel", map[string]any{"cancellationReason": "soak"})
				case 3:
					if code, body := send("POST", "/v2/bookings/"+pick()+"/reschedule", map[string]any{"start": start}); code == http.StatusCreated {
						mu.Lock()
						uids = append(uids, body["data"].(map[string]any)["uid"].(string))
						mu.Unlock()
					}
				case 4:
					action := []string{"/confirm", "/decline"}[rng.IntN(2)]
					uid := pick()
					if code, _ := send("POST", "/v2/bookings/"+uid+action, nil); code == http.StatusOK {
						mu.Lock()
						decided[uid] = true
						mu.Unlock()
					}
				case 5:
					send("GET", "/v2/bookings?take=7&skip="+fmt.Sprint(rng.IntN(20)), nil)
				}
			}
		}(w)
	}
	wg.Wait()

	// Page through everything the first user sees.
	seen := map[string]map[string]any{}
	total := -1
	for skip := 0; ; skip += 13 {
		_, body := send("GET", fmt.Sprintf("/v2/bookings?take=13&skip=%d", skip), nil)
		pg := body["pagination"].(map[string]any)
		if total == -1 {
			total = int(pg["totalItems"].(float64))
		} else if int(pg["totalItems"].(float64)) != total {
			t.Fatalf("totalItems changed while paging: %v then %v", total, pg["totalItems"])
		}
		items := body["data"].([]any)
		if int(pg["returnedItems"].(float64)) != len(items) {
			t.Fatalf("returnedItems %v != %d items", pg["returnedItems"], len(items))
		}
		for _, it := range items {
			b := it.(map[string]any)
			if _, dup := seen[b["uid"].(string)]; dup {
				t.Fatalf("booking %v listed twice", b["uid"])
			}
			seen[b["uid"].(string)] = b
		}
		if pg["hasNextPage"] != true {
			break
		}
	}
	if len(seen) != total {
		t.Fatalf("paging visited %d bookings, totalItems says %d", len(seen), total)
	}

	// No overlapping active bookings per host.
	type span struct {
		start, end time.Time
		uid        string
	}
	byHost := map[float64][]span{}
	for uid, b := range seen {
		if (b["status"] != "accepted" && b["status"] != "pending") || decided[uid] {
			continue
		}
		hosts := b["hosts"].([]any)
		id, _ := hosts[0].(map[string]any)["id"].(float64)
		s, _ := time.Parse(time.RFC3339, b["start"].(string))
		e, _ := time.Parse(time.RFC3339, b["end"].(string))
		byHost[id] = append(byHost[id], span{s, e, uid})
	}
	for host, spans := range byHost {
		sort.Slice(spans, func(i, j int) bool { return spans[i].start.Before(spans[j].start) })
		for i := 1; i < len(spans); i++ {
			if spans[i].start.Before(spans[i-1].end) {
				t.Errorf("host %v has overlapping active bookings %s and %s", host, spans[i-1].uid, spans[i].uid)
			}
		}
	}

	// Reschedule chains agree in both directions.
	for uid, b := range seen {
		if to, ok := b["rescheduledToUid"].(string); ok {
			if b["status"] != "cancelled" && !decided[uid] {
				t.Errorf("%s was rescheduled to %s but is %v", uid, to, b["status"])
			}
			if n, ok := seen[to]; !ok || n["rescheduledFromUid"] != uid {
				t.Errorf("%s → %s: the new booking does not point back", uid, to)
			}
		}
		if from, ok := b["rescheduledFromUid"].(string); ok {
			if o, ok := seen[from]; !decided[from] && (!ok || o["rescheduledToUid"] != uid) {
				t.Errorf("%s ← %s: the old booking does not point forward", uid, from)
			}
		}
	}
}
