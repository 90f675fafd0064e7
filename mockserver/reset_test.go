package mockserver

import (
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"github.com/calmock/calmock/booking/boltstore"
)

// TestReset_LikeAFreshStart: after writes and a reset, a server answers exactly what a server
// started fresh with the same configuration answers: the same lists (fixture and extra
// bookings back, created ones gone, cancelled ones accepted again), the same uid for the next
// create and the same request ids.
func TestReset_LikeAFreshStart(t *testing.T) {
	cfg := Config{ExtraBookings: 40}
	used, fresh := MustServer(t, cfg), MustServer(t, cfg)
	plain := used.eventType(t, "plain")

	created := used.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(1, 10), "ada@example.com")).expect(t, http.StatusCreated).data(t)
	past, _ := used.pastAccepted(t)
	upcoming := used.do(t, "GET", "/v2/bookings?status=upcoming", used.key(0), nil).expect(t, http.StatusOK).list(t)[0]["uid"].(string)
	used.do(t, "POST", "/v2/bookings/"+upcoming+"/cancel", used.key(0), map[string]any{"cancellationReason": "gone"}).expect(t, http.StatusOK)

	reset := used.do(t, "POST", ResetPath, "", nil).expect(t, http.StatusOK)
	const listAll = "/v2/bookings?take=250&sortStart=asc"
	freshList := fresh.do(t, "GET", listAll, fresh.key(0), nil).expect(t, http.StatusOK)
	if got := reset.body["data"].(map[string]any)["bookings"].(float64); got < 40 {
		t.Errorf("reset reports %v bookings, want the fixtures' plus 40", got)
	}

	usedList := used.do(t, "GET", listAll, used.key(0), nil).expect(t, http.StatusOK)
	if usedList.Body.String() != freshList.Body.String() {
		t.Errorf("first user's list after reset differs from a fresh server's:\n got %.400s\nwant %.400s", usedList.Body, freshList.Body)
	}
	if g, w := usedList.Header().Get("X-Request-Id"), freshList.Header().Get("X-Request-Id"); g != w {
		t.Errorf("request id after reset %q, fresh server's first %q", g, w)
	}
	for _, uid := range []string{created["uid"].(string)} {
		used.do(t, "GET", "/v2/bookings/"+uid, "", nil).expect(t, http.StatusNotFound)
	}
	if got := used.do(t, "GET", "/v2/bookings/"+upcoming, "", nil).expect(t, http.StatusOK).data(t)["status"]; got != "accepted" {
		t.Errorf("cancelled fixture booking after reset: status %v, want accepted", got)
	}
	used.do(t, "GET", "/v2/bookings/"+past, "", nil).expect(t, http.StatusOK)

	again := used.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(1, 10), "ada@example.com")).expect(t, http.StatusCreated)
	first := fresh.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(1, 10), "ada@example.com")).expect(t, http.StatusCreated)
	if again.Body.String() != first.Body.String() {
		t.Errorf("create after reset differs from a fresh server's first create:\n got %s\nwant %s", again.Body, first.Body)
	}
}

// TestReset_RateLimit: a reset forgets the counts, so a blocked key may send again.
func TestReset_RateLimit(t *testing.T) {
	f := MustServer(t, Config{RateLimit: 2})
	for range 2 {
		f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, http.StatusOK)
	}
	f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, http.StatusTooManyRequests)
	f.do(t, "POST", ResetPath, "", nil).expect(t, http.StatusOK)
	f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, http.StatusOK)
}

// TestReset_Durable: with a durable store the reset is on disk: a server reopening the file
// sees the fixtures, not what was created before the reset.
func TestReset_Durable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calmock.db")
	open := func() *fixture {
		st, err := boltstore.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return MustServer(t, Config{Store: st})
	}
	f := open()
	plain := f.eventType(t, "plain")
	uid := f.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(1, 10), "ada@example.com")).expect(t, http.StatusCreated).data(t)["uid"].(string)
	f.do(t, "POST", ResetPath, "", nil).expect(t, http.StatusOK)
	f.do(t, "GET", "/v2/bookings/"+uid, "", nil).expect(t, http.StatusNotFound)
	if err := f.srv.store.(*boltstore.Store).Close(); err != nil {
		t.Fatal(err)
	}

	g := open()
	g.do(t, "GET", "/v2/bookings/"+uid, "", nil).expect(t, http.StatusNotFound)
	want := MustServer(t, Config{}).do(t, "GET", "/v2/bookings?take=250", g.key(0), nil).expect(t, http.StatusOK).list(t)
	if got := g.do(t, "GET", "/v2/bookings?take=250", g.key(0), nil).expect(t, http.StatusOK).list(t); len(got) != len(want) {
		t.Errorf("reopened after reset: %d bookings listed, a fresh server lists %d", len(got), len(want))
	}
}

// TestReset_WrongMethod: only POST resets; anything else is the API's 404.
func TestReset_WrongMethod(t *testing.T) {
	f := MustServer(t, Config{})
	f.do(t, "GET", ResetPath, "", nil).expect(t, http.StatusNotFound)
}

// TestReset_Concurrent: resets racing creates, lists and cancels never fail a request with a
// 5xx and leave a consistent state (run under -race).
func TestReset_Concurrent(t *testing.T) {
	f := MustServer(t, Config{})
	plain := f.eventType(t, "plain")
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for i := range 20 {
				r := f.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(2+w, i%8+9), fmt.Sprintf("w%d-%d@example.com", w, i)))
				if r.Code >= 500 {
					t.Errorf("create during resets: %d %s", r.Code, r.Body)
				}
				if l := f.do(t, "GET", "/v2/bookings", f.key(0), nil); l.Code != http.StatusOK {
					t.Errorf("list during resets: %d %s", l.Code, l.Body)
				}
			}
		})
	}
	for range 5 {
		f.do(t, "POST", ResetPath, "", nil).expect(t, http.StatusOK)
	}
	wg.Wait()
	n := f.do(t, "POST", ResetPath, "", nil).expect(t, http.StatusOK).data(t)["bookings"]
	fresh := MustServer(t, Config{})
	want := fresh.do(t, "POST", ResetPath, "", nil).expect(t, http.StatusOK).data(t)["bookings"]
	if n != want {
		t.Errorf("after concurrent resets the store holds %v bookings, want %v", n, want)
	}
}
