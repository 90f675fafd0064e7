package boltstore_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/booking/boltstore"
	"github.com/calmock/calmock/booking/memstore"
	"github.com/calmock/calmock/booking/storetest"
)

// MustOpen opens a store in a fresh temporary file, checks it and closes it at the end of
// the test.
func MustOpen(tb testing.TB, opts ...boltstore.Option) *boltstore.Store {
	tb.Helper()
	s, err := boltstore.Open(filepath.Join(tb.TempDir(), "calmock.db"), opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Check(); err != nil {
			tb.Error(err)
		}
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

func mustReopen(tb testing.TB, path string) *boltstore.Store {
	tb.Helper()
	s, err := boltstore.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calmock.db")
	s := mustReopen(t, path)
	if empty, err := s.Empty(); err != nil || !empty {
		t.Fatalf("new file: empty %v, err %v", empty, err)
	}
	a, b := storetest.Sample(41, "a"), storetest.Sample(0, "b")
	desc, rating := "desc", 4.5
	a.Description, a.Rating = &desc, &rating
	a.Start = t0.In(time.FixedZone("CET", 3600))
	storetest.MustPut(t, s, a)
	_ = s.Update(ctx, func(tx booking.Tx) error {
		b.ID = tx.NextID() // 42
		tx.Put(b)
		return nil
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = mustReopen(t, path)
	defer s.Close()
	if empty, err := s.Empty(); err != nil || empty {
		t.Fatalf("reopened: empty %v, err %v", empty, err)
	}
	got, ok := storetest.Get(t, s, "a")
	if !ok || *got.Description != desc || *got.Rating != rating || got.ID != 41 ||
		!got.Start.Equal(a.Start) || got.Attendees[0].SeatMetadata["k"] != "v" {
		t.Fatalf("a after reopen: %+v", got)
	}
	if aj, gj := mustJSON(t, a), mustJSON(t, got); aj != gj {
		t.Errorf("a after reopen:\n got %s\nwant %s", gj, aj)
	}
	_ = s.View(ctx, func(tx booking.Tx) error {
		if tx.Len() != 2 || len(tx.Series("series")) != 2 || len(storetest.Values(tx.Visible(1, ""))) != 2 {
			t.Errorf("indexes after reopen: len %d", tx.Len())
		}
		if got, ok := tx.BySeat("seat-b"); !ok || got.ID != 42 {
			t.Errorf("BySeat after reopen: %+v", got)
		}
		return nil
	})
	if id := storetest.NextID(t, s); id != 43 {
		t.Errorf("next id after reopen = %d, want 43", id)
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
}

func TestEmpty_IDHandedOut(t *testing.T) {
	s := MustOpen(t)
	storetest.NextID(t, s)
	if empty, err := s.Empty(); err != nil || empty {
		t.Fatalf("after NextID: empty %v, err %v", empty, err)
	}
}

func TestOpen_Locked(t *testing.T) {
	s := MustOpen(t)
	start := time.Now()
	// bbolt's flock is per open file, so a second Open in this process contends like
	// another process would.
	_, err := boltstore.Open(s.Path(), boltstore.WithLockTimeout(100*time.Millisecond))
	if !errors.Is(err, boltstore.ErrLocked) || !strings.Contains(err.Error(), "boltstore: open "+s.Path()) {
		t.Fatalf("err = %v", err)
	}
	t.Log(err)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("second open took %s", d)
	}
}

func TestOpen_NotADatabase(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string][]byte{
		"text":    []byte(strings.Repeat("this is not a bbolt file\n", 1000)),
		"zeroes":  make([]byte, 1<<16),
		"tiny":    []byte("x"),
		"garbage": randomBytes(1 << 15),
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := boltstore.Open(path)
		if err == nil {
			s.Close()
			t.Errorf("%s: opened", name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "boltstore: open "+path+": ") {
			t.Errorf("%s: err = %v", name, err)
		}
		t.Logf("%s: %v", name, err)
	}
}

func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestOpen_Directory(t *testing.T) {
	if _, err := boltstore.Open(t.TempDir()); err == nil {
		t.Fatal("opened a directory")
	}
}

func TestUpdate_PutFailureRollsBack(t *testing.T) {
	s := MustOpen(t)
	storetest.MustPut(t, s, storetest.Sample(1, "a"))
	for name, bad := range map[string]booking.Booking{
		"empty uid":    storetest.Sample(2, ""),
		"NaN metadata": func() booking.Booking { b := storetest.Sample(2, "b"); b.Metadata["n"] = math.NaN(); return b }(),
	} {
		err := s.Update(ctx, func(tx booking.Tx) error {
			a, _ := tx.Get("a")
			a.Status = booking.StatusCancelled
			tx.Put(a)
			tx.NextID()
			tx.Put(bad)
			return nil
		})
		if err == nil || !strings.HasPrefix(err.Error(), "boltstore: update: ") {
			t.Errorf("%s: err = %v", name, err)
		}
		if a, _ := storetest.Get(t, s, "a"); a.Status != booking.StatusAccepted {
			t.Errorf("%s: earlier Put kept", name)
		}
	}
	if id := storetest.NextID(t, s); id != 2 {
		t.Errorf("next id %d, want 2", id)
	}
}

// TestConcurrentUpdates has goroutines increment a counter in one booking by
// read-modify-write while others read: no increment may be lost, and readers only ever see
// committed states.
func TestConcurrentUpdates(t *testing.T) {
	s := MustOpen(t)
	storetest.MustPut(t, s, storetest.Sample(1, "a"))
	const workers, each = 8, 10
	var wg sync.WaitGroup
	done := make(chan struct{})
	for range workers {
		wg.Go(func() {
			for range each {
				if err := s.Update(ctx, func(tx booking.Tx) error {
					b, _ := tx.Get("a")
					n, _ := b.Metadata["n"].(float64)
					b.Metadata["n"] = n + 1
					b.ID = tx.NextID()
					tx.Put(b)
					return nil
				}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	var readers sync.WaitGroup
	readers.Go(func() {
		last := 0.0
		for {
			select {
			case <-done:
				return
			default:
			}
			_ = s.View(ctx, func(tx booking.Tx) error {
				b, _ := tx.Get("a")
				n, _ := b.Metadata["n"].(float64)
				if n < last {
					t.Errorf("counter went back from %v to %v", last, n)
				}
				last = n
				return nil
			})
		}
	})
	wg.Wait()
	close(done)
	readers.Wait()
	b, _ := storetest.Get(t, s, "a")
	if n := b.Metadata["n"]; n != float64(workers*each) {
		t.Errorf("counter %v, want %d", n, workers*each)
	}
	if b.ID != 1+workers*each {
		t.Errorf("id %d, want %d", b.ID, 1+workers*each)
	}
}

// TestReplace_Persists: what Replace leaves is what a reopened file holds, with consistent
// indexes and counters (Check), and Replace after Close fails cleanly.
func TestReplace_Persists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calmock.db")
	s := mustReopen(t, path)
	storetest.MustPut(t, s, storetest.Sample(1, "a"), storetest.Sample(2, "b"))
	if err := s.Replace(ctx, []booking.Booking{storetest.Sample(7, "c")}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Replace(ctx, nil, nil); !errors.Is(err, boltstore.ErrClosed) {
		t.Errorf("Replace after Close: %v, want ErrClosed", err)
	}

	s = mustReopen(t, path)
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Error(err)
	}
	_ = s.View(ctx, func(tx booking.Tx) error {
		if _, ok := tx.Get("a"); ok || tx.Len() != 1 {
			t.Errorf("after reopen: len %d, a present %v", tx.Len(), ok)
		}
		if got, ok := tx.BySeat("seat-c"); !ok || got.ID != 7 {
			t.Errorf("BySeat(seat-c) after reopen: %+v, %v", got, ok)
		}
		return nil
	})
	if id := storetest.NextID(t, s); id != 8 {
		t.Errorf("next id after reopen = %d, want 8", id)
	}
}

func TestClosed(t *testing.T) {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(booking.Tx) error { return nil }); !errors.Is(err, boltstore.ErrClosed) {
		t.Errorf("Update after Close: %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.View(ctx, func(booking.Tx) error { return nil }); err == nil {
		t.Error("View after Close")
	}
}

// TestAgainstMemstore runs the same random transactions against memstore and boltstore and
// compares every query's answer, then the file's own consistency check.
func TestAgainstMemstore(t *testing.T) {
	bolt, mem := MustOpen(t, boltstore.WithNoSync()), memstore.New()
	stores := []booking.Store{mem, bolt}
	r := rand.New(rand.NewPCG(7, 7))
	n := 250
	if testing.Short() {
		n = 50
	}
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	random := func() booking.Booking {
		u := r.IntN(8)
		// Ids distinct across uids, so that orders by id are total.
		id := 1 + u + 10*r.IntN(5)
		start := t0.Add(time.Duration(r.IntN(8)) * 30 * time.Minute)
		b := booking.Booking{
			ID: id, UID: string(rune('a' + u)), EventTypeID: 1 + r.IntN(3),
			HostID: r.IntN(4), Status: booking.StatusAccepted, Start: start,
			End: start.Add(time.Duration(1+r.IntN(3)) * 30 * time.Minute), RecurringBookingUID: pick("", "s1", "s2"),
			Metadata: map[string]any{"n": float64(r.IntN(10))},
		}
		for range r.IntN(3) {
			a := booking.Attendee{Email: pick("x@example.com", "Y@example.com", "y@EXAMPLE.com", "")}
			if r.IntN(2) == 0 {
				a.SeatUID = fmt.Sprintf("seat-%s-%d", b.UID, r.IntN(2))
			}
			b.Attendees = append(b.Attendees, a)
		}
		return b
	}
	for i := range n {
		var ops []booking.Booking
		for range 1 + r.IntN(3) {
			ops = append(ops, random())
		}
		fail, takeID := r.IntN(4) == 0, r.IntN(3) == 0
		for _, s := range stores {
			err := s.Update(ctx, func(tx booking.Tx) error {
				if takeID {
					tx.NextID()
				}
				for _, b := range ops {
					tx.Put(b)
				}
				if fail {
					return errors.New("fail")
				}
				return nil
			})
			if (err != nil) != fail {
				t.Fatalf("op %d: err %v", i, err)
			}
		}
		var answers [2][]string
		for j, s := range stores {
			var out []any
			_ = s.View(ctx, func(tx booking.Tx) error {
				out = append(out, tx.Len())
				for _, uid := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
					b, ok := tx.Get(uid)
					out = append(out, b, ok)
					b, ok = tx.BySeat("seat-" + uid + "-0")
					out = append(out, b.UID, ok)
				}
				out = append(out, tx.Series("s1"), tx.Series("s2"))
				for host := range 4 {
					out = append(out, tx.ForHost(host, t0.Add(time.Hour), t0.Add(2*time.Hour)))
					for _, email := range []string{"", "x@example.com", "y@example.com"} {
						// Visible's order is unspecified: compare it sorted by id.
						out = append(out, storetest.ByID(storetest.Values(tx.Visible(host, email))))
					}
				}
				for et := 1; et <= 3; et++ {
					out = append(out, tx.At(et, t0.Add(30*time.Minute)))
				}
				return nil
			})
			answers[j] = jsonEach(t, out)
		}
		for k := range answers[0] {
			if answers[0][k] != answers[1][k] {
				t.Fatalf("op %d: stores disagree on query %d\nmemstore  %s\nboltstore %s", i, k, answers[0][k], answers[1][k])
			}
		}
		if i%50 == 0 {
			if err := bolt.Check(); err != nil {
				t.Fatalf("op %d: %v", i, err)
			}
		}
	}
	if a, b := storetest.NextID(t, mem), storetest.NextID(t, bolt); a != b {
		t.Errorf("next ids differ: memstore %d, boltstore %d", a, b)
	}
}

func jsonEach(tb testing.TB, vs []any) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = mustJSON(tb, v)
	}
	return out
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func BenchmarkUpdatePut(b *testing.B) {
	benchUpdate(b)
}

func BenchmarkUpdatePutNoSync(b *testing.B) {
	benchUpdate(b, boltstore.WithNoSync())
}

func benchUpdate(b *testing.B, opts ...boltstore.Option) {
	s := MustOpen(b, opts...)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		bk := storetest.Sample(i, fmt.Sprintf("uid-%09d", i))
		if err := s.Update(ctx, func(tx booking.Tx) error { tx.Put(bk); return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdateParallel is concurrent creates with real fsyncs: 16 goroutines per CPU
// each create one booking per Update. commits/op below 1 is the group commit at work;
// p99-ms is the latency of one Update as its caller sees it.
func BenchmarkUpdateParallel(b *testing.B) {
	s := MustOpen(b)
	b.SetParallelism(16)
	runParallelUpdates(b, s, func(tx booking.Tx) error {
		id := tx.NextID()
		tx.Put(storetest.Sample(id, fmt.Sprintf("uid-%09d", id)))
		return nil
	})
}

// runParallelUpdates runs fn in an Update from every RunParallel goroutine (set the
// parallelism first) and reports commits per Update and the p99 of an Update's latency.
func runParallelUpdates(b *testing.B, s *boltstore.Store, fn func(booking.Tx) error) {
	b.ReportAllocs()
	before := boltstore.Commits(s)
	var mu sync.Mutex
	var latencies []time.Duration
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			start := time.Now()
			if err := s.Update(ctx, fn); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(start))
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	b.ReportMetric(float64(boltstore.Commits(s)-before)/float64(b.N), "commits/op")
	if len(latencies) > 0 {
		slices.Sort(latencies)
		b.ReportMetric(float64(latencies[len(latencies)*99/100])/float64(time.Millisecond), "p99-ms")
	}
}

func BenchmarkViewGet(b *testing.B) {
	s := MustOpen(b, boltstore.WithNoSync())
	const n = 10000
	_ = s.Update(ctx, func(tx booking.Tx) error {
		for i := range n {
			tx.Put(storetest.Sample(i+1, fmt.Sprintf("uid-%09d", i)))
		}
		return nil
	})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		uid := fmt.Sprintf("uid-%09d", i%n)
		i++
		if err := s.View(ctx, func(tx booking.Tx) error {
			if _, ok := tx.Get(uid); !ok {
				return fmt.Errorf("%s missing", uid)
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}
