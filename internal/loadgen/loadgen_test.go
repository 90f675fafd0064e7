package loadgen

import (
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestHistogram_Buckets(t *testing.T) {
	// Every value falls in a bucket whose bounds hold it, within 1/32 of its size.
	for _, v := range []uint64{0, 1, 63, 64, 65, 127, 128, 1000, 999_999, 1 << 40, 1<<63 + 12345} {
		i := bucketOf(v)
		lo, next := bucketLow(i), bucketLow(i+1)
		if v < lo || v >= next {
			t.Errorf("value %d in bucket %d = [%d, %d)", v, i, lo, next)
		}
		if v >= subCount && float64(next-lo) > float64(v)/32+1 {
			t.Errorf("value %d: bucket width %d is more than 1/32 of it", v, next-lo)
		}
	}
}

func TestHistogram_Quantile(t *testing.T) {
	var h Histogram
	if got := h.Quantile(0.5); got != 0 {
		t.Errorf("empty: Quantile(0.5) = %v, want 0", got)
	}
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Microsecond}, {0.99, 990 * time.Microsecond}, {1, time.Millisecond}} {
		got := h.Quantile(tc.q)
		if got < tc.want || float64(got) > float64(tc.want)*1.04 {
			t.Errorf("Quantile(%v) = %v, want %v (+4%%)", tc.q, got, tc.want)
		}
	}
	if h.Count() != 1000 || h.Max() != time.Millisecond {
		t.Errorf("Count, Max = %d, %v; want 1000, 1ms", h.Count(), h.Max())
	}
	var m Histogram
	m.Merge(&h)
	m.Merge(&h)
	if m.Count() != 2000 || m.Quantile(0.5) != h.Quantile(0.5) {
		t.Errorf("merged twice: Count %d, p50 %v; want 2000, %v", m.Count(), m.Quantile(0.5), h.Quantile(0.5))
	}
}

func TestRun_Requests(t *testing.T) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Test") != "yes" || string(body) != "hello" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	op := Op{
		Name:   "post",
		Expect: http.StatusCreated,
		Next: func(int) Request {
			return Request{Method: http.MethodPost, Path: "/x", Header: http.Header{"X-Test": {"yes"}}, Body: []byte("hello")}
		},
	}
	res, err := Run(context.Background(), srv.URL, op, Options{Concurrency: 4, Requests: 50})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 50 || res.Errors != 0 || got.Load() != 50 {
		t.Fatalf("requests %d, errors %d (%s), server saw %d; want 50, 0, 50", res.Requests, res.Errors, res.FirstError, got.Load())
	}
	if res.RPS() <= 0 || res.Latency.Quantile(0.99) <= 0 {
		t.Errorf("RPS %v, p99 %v: want both positive", res.RPS(), res.Latency.Quantile(0.99))
	}
}

func TestRun_CountsErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	op := Op{Name: "get", Expect: http.StatusOK, Next: func(int) Request { return Request{Method: http.MethodGet, Path: "/missing"} }}
	res, err := Run(context.Background(), srv.URL, op, Options{Concurrency: 2, Requests: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 10 || !strings.Contains(res.FirstError, "status 404, want 200") {
		t.Fatalf("errors %d, first %q; want 10 and the status", res.Errors, res.FirstError)
	}
}

func TestRun_Duration(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	op := Op{Name: "get", Expect: http.StatusOK, Next: func(int) Request { return Request{Method: http.MethodGet, Path: "/"} }}
	res, err := Run(context.Background(), srv.URL, op, Options{Concurrency: 2, Duration: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Errors != 0 {
		t.Fatalf("requests %d, errors %d (%s); want some and none", res.Requests, res.Errors, res.FirstError)
	}
}

func TestRun_BadOptions(t *testing.T) {
	op := Op{Name: "x", Next: func(int) Request { return Request{} }}
	if _, err := Run(context.Background(), "http://127.0.0.1:1", op, Options{}); err == nil {
		t.Error("no bound: want an error")
	}
	if _, err := Run(context.Background(), "http://127.0.0.1:1", Op{}, Options{Requests: 1}); err == nil {
		t.Error("no Next: want an error")
	}
	for _, rate := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := Run(context.Background(), "http://127.0.0.1:1", op, Options{Requests: 1, Rate: rate}); err == nil {
			t.Errorf("rate %v: want an error", rate)
		}
	}
}

func TestDueWithin(t *testing.T) {
	for _, tc := range []struct {
		rate float64
		d    time.Duration
		want int
	}{
		{1000, time.Second, 1000},       // due at 0, 1 ms, … 999 ms
		{1000, time.Second + 1, 1001},   // 1 s itself is within
		{3, time.Second, 3},             // 0, 333 ms, 666 ms
		{0.5, time.Second, 1},           // only the first, at 0
		{5000, 3 * time.Second, 15_000}, // the calmock-load default
		{1e9, time.Millisecond, 1_000_000},
	} {
		interval := float64(time.Second) / tc.rate
		due := func(i int) time.Duration { return time.Duration(float64(i) * interval) }
		if got := dueWithin(tc.d, due); got != tc.want {
			t.Errorf("rate %v, %v: dueWithin = %d, want %d", tc.rate, tc.d, got, tc.want)
		}
	}
}

func TestRun_OpenLoop(t *testing.T) {
	trivial := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	const sleep = 10 * time.Millisecond
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { time.Sleep(sleep) })
	for _, tc := range []struct {
		name    string
		handler http.Handler
		opt     Options
		check   func(t *testing.T, res Result)
	}{{
		// Requests bound: exactly N sent, and the last one not before it was due.
		name:    "RequestsBound",
		handler: trivial,
		opt:     Options{Concurrency: 4, Requests: 50, Rate: 1000},
		check: func(t *testing.T, res Result) {
			if res.Requests != 50 || res.Unsent != 0 {
				t.Errorf("requests %d, unsent %d; want 50, 0", res.Requests, res.Unsent)
			}
			if res.Elapsed < 49*time.Millisecond {
				t.Errorf("elapsed %v, want at least 49 ms (the last request is due at 49 ms)", res.Elapsed)
			}
		},
	}, {
		// Duration bound: nothing due at or after the end is sent.
		name:    "DurationBound",
		handler: trivial,
		opt:     Options{Concurrency: 2, Duration: 100 * time.Millisecond, Rate: 200},
		check: func(t *testing.T, res Result) {
			if res.Requests == 0 || res.Requests+res.Unsent != 20 {
				t.Errorf("requests %d + unsent %d; want some, 20 in all (due at 0, 5, … 95 ms)", res.Requests, res.Unsent)
			}
		},
	}, {
		// Two workers, each request taking ≥ 10 ms, 1000 req/s offered: one worker sends at
		// least 10 of the 20, so the last answer comes ≥ 100 ms after the start for a request
		// due ≤ 19 ms: its latency is ≥ 81 ms although the server took 10 ms. A latency
		// measured from the send (Service) would hide that.
		name:    "SlowServerQueues",
		handler: slow,
		opt:     Options{Concurrency: 2, Requests: 20, Rate: 1000},
		check: func(t *testing.T, res Result) {
			if res.Requests != 20 {
				t.Fatalf("requests %d, want 20", res.Requests)
			}
			if got := res.Latency.Max(); got < 81*time.Millisecond {
				t.Errorf("max latency %v, want ≥ 81 ms (queueing behind a %v handler)", got, sleep)
			}
			if res.Service.Quantile(0.5) < sleep {
				t.Errorf("service p50 %v, want ≥ the handler's %v", res.Service.Quantile(0.5), sleep)
			}
			// Requests 2…19 are due every ms but each waits for a worker ≥ 10 ms busy.
			if res.Late < 10 || res.Lag.Max() < 50*time.Millisecond {
				t.Errorf("late %d, max lag %v; want ≥ 10 late and ≥ 50 ms", res.Late, res.Lag.Max())
			}
			if res.Latency.Quantile(0.99) <= res.Service.Quantile(0.99) {
				t.Errorf("p99 from due %v ≤ p99 from send %v: coordinated omission not corrected",
					res.Latency.Quantile(0.99), res.Service.Quantile(0.99))
			}
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			var got atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got.Add(1)
				tc.handler.ServeHTTP(w, r)
			}))
			defer srv.Close()
			op := Op{Name: "get", Expect: http.StatusOK, Next: func(int) Request { return Request{Method: http.MethodGet, Path: "/"} }}
			res, err := Run(context.Background(), srv.URL, op, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if res.Errors != 0 || int(got.Load()) != res.Requests {
				t.Fatalf("errors %d (%s), server saw %d of %d", res.Errors, res.FirstError, got.Load(), res.Requests)
			}
			if res.Rate != tc.opt.Rate || res.Service.Count() != uint64(res.Requests) || res.Lag.Count() != uint64(res.Requests) {
				t.Errorf("rate %v, service %d, lag %d: want %v and %d of each", res.Rate, res.Service.Count(), res.Lag.Count(), tc.opt.Rate, res.Requests)
			}
			tc.check(t, res)
		})
	}
}

func TestRun_OpenLoopCanceled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	op := Op{Name: "get", Expect: http.StatusOK, Next: func(int) Request { return Request{Method: http.MethodGet, Path: "/"} }}
	res, err := Run(ctx, srv.URL, op, Options{Concurrency: 2, Requests: 10, Rate: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 0 || res.Unsent != 10 {
		t.Errorf("requests %d, unsent %d; want 0, 10", res.Requests, res.Unsent)
	}
}

func TestSleeper(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    sleeper
	}{{"default", newSleeper()}, {"timer", timerSleeper{}}} {
		t.Run(tc.name, func(t *testing.T) {
			defer tc.s.close()
			for range 3 { // the timerfd is re-armed each time
				t0 := time.Now()
				if err := tc.s.sleep(context.Background(), 2*time.Millisecond); err != nil {
					t.Fatal(err)
				}
				if got := time.Since(t0); got < 2*time.Millisecond {
					t.Fatalf("slept %v, want at least 2ms", got)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(10*time.Millisecond, cancel)
			t0 := time.Now()
			if err := tc.s.sleep(ctx, time.Hour); err != context.Canceled {
				t.Fatalf("cancelled sleep: err %v, want context.Canceled", err)
			}
			if got := time.Since(t0); got > time.Minute {
				t.Fatalf("cancelled sleep took %v", got)
			}
		})
	}
}
