package differential

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calmock/calmock/mockserver"
)

// TestRun_CalmockAgainstItselfManySeeds: no difference over many seeds (skipped by -short).
func TestRun_CalmockAgainstItselfManySeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("many seeds: not with -short")
	}
	for seed := int64(100); seed < 112; seed++ {
		var log bytes.Buffer
		if _, err := Run(context.Background(), Options{Handler: calmockTarget(t), Seed: seed, N: 3, Steps: 40, Progress: &log}); err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, log.String())
		}
	}
}

// limited answers every third /v2/ request 429 with a reset header, as Cal.com's limiter
// does, without passing it on.
type limited struct {
	h  http.Handler
	mu sync.Mutex
	n  int
}

func (l *limited) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/v2/") {
		l.mu.Lock()
		l.n++
		n := l.n
		l.mu.Unlock()
		if n%3 == 0 {
			w.Header().Set("X-RateLimit-Reset-Default", "2")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"status":"error","error":{"code":"TooManyRequestsException","message":"ThrottlerException: Too Many Requests"}}`))
			return
		}
	}
	l.h.ServeHTTP(w, r)
}

// TestRun_PacesOnTheRateLimit: a 429 is waited out for as long as its reset header says,
// then the request is sent again; the run sees no difference.
func TestRun_PacesOnTheRateLimit(t *testing.T) {
	srv, err := mockserver.New(mockserver.Config{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	sleep := func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	rep, err := Run(context.Background(), Options{Handler: &limited{h: srv}, Seed: 4, N: 2, Steps: 20, Sleep: sleep})
	if err != nil {
		t.Fatal(err)
	}
	if len(waits) < 10 {
		t.Fatalf("%d waits, want one per third request", len(waits))
	}
	for _, d := range waits {
		if d != 2*time.Second+250*time.Millisecond {
			t.Fatalf("waited %s, want the announced 2 s and the margin", d)
		}
	}
	if rep.RateLimitWait != time.Duration(len(waits))*(2*time.Second+250*time.Millisecond) {
		t.Fatalf("report says %s waited", rep.RateLimitWait)
	}
}

// TestRun_CleanupCancelsWhatItMade: on a shared target, every booking the run made is
// cancelled (or otherwise over) at the end.
func TestRun_CleanupCancelsWhatItMade(t *testing.T) {
	srv, err := mockserver.New(mockserver.Config{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var made []string
	rec := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := httptest.NewRecorder()
		srv.ServeHTTP(rw, r)
		if r.Method == http.MethodPost && rw.Code == http.StatusCreated && strings.HasSuffix(r.URL.Path, "/v2/bookings") {
			var out struct {
				Data json.RawMessage `json:"data"`
			}
			_ = json.Unmarshal(rw.Body.Bytes(), &out)
			var one struct{ UID string }
			var many []struct{ UID string }
			mu.Lock()
			if json.Unmarshal(out.Data, &one) == nil && one.UID != "" {
				made = append(made, one.UID)
			} else if json.Unmarshal(out.Data, &many) == nil {
				for _, b := range many {
					made = append(made, b.UID)
				}
			}
			mu.Unlock()
		}
		for k, v := range rw.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rw.Code)
		_, _ = w.Write(rw.Body.Bytes())
	})
	if _, err := Run(context.Background(), Options{Handler: rec, Seed: 8, N: 2, Steps: 30, Cleanup: true}); err != nil {
		t.Fatal(err)
	}
	if len(made) < 3 {
		t.Fatalf("the run made %d bookings", len(made))
	}
	key := mustProfileKey(t, srv)
	for _, uid := range made {
		req := httptest.NewRequest(http.MethodGet, "/v2/bookings/"+uid, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("cal-api-version", APIVersion)
		rw := httptest.NewRecorder()
		srv.ServeHTTP(rw, req)
		var out struct {
			Data struct{ Status string } `json:"data"`
		}
		_ = json.Unmarshal(rw.Body.Bytes(), &out)
		if out.Data.Status == "accepted" || out.Data.Status == "pending" {
			t.Errorf("booking %s is still %s after the cleanup", uid, out.Data.Status)
		}
	}
}

func mustProfileKey(t *testing.T, h http.Handler) string {
	t.Helper()
	rw := httptest.NewRecorder()
	h.ServeHTTP(rw, httptest.NewRequest(http.MethodGet, "/_calmock/profile", nil))
	var p struct {
		Users []struct {
			APIKey string `json:"apiKey"`
		} `json:"users"`
	}
	if err := json.Unmarshal(rw.Body.Bytes(), &p); err != nil || len(p.Users) == 0 {
		t.Fatalf("profile: %v %s", err, rw.Body.String())
	}
	return p.Users[0].APIKey
}
