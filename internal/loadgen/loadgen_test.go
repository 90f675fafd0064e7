package loadgen

import (
	"context"
	"io"
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
}
