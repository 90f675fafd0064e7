package openapi

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Validator benchmarks that complement bench_test.go (Load, a valid create request, a GET
// response): a GET request, and an invalid create body, whose rich error details cost
// much more than a pass (/work/shared/research/libraries.md §2). The mock does not validate
// at runtime, so these costs fall on test and conformance runs. Run with `make bench` or
// `go test -run '^$' -bench . -benchmem ./openapi`.

// benchInvalidCreate has the wrong types for start and eventTypeId.
const benchInvalidCreate = `{"start":20300813,"eventTypeId":"one","attendee":{"name":"Ada Lovelace","email":"ada@example.com","timeZone":"Europe/London"}}`

func benchRequest(method, path, body string) *http.Request {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, path, nil)
	} else {
		r = httptest.NewRequest(method, path, bytes.NewReader([]byte(body)))
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("cal-api-version", "2024-08-13")
	r.Header.Set("Authorization", "Bearer cal_test_0123456789abcdef0123456789abcdef")
	return r
}

func BenchmarkValidateRequest_Get(b *testing.B) {
	d := MustEmbedded(b)
	newReq := func() *http.Request { return benchRequest(http.MethodGet, "/v2/bookings/3kfGJrQoY8nPz2LwXc5hAb", "") }
	if vs := d.ValidateRequest(newReq()); len(vs) > 0 { // also builds the validator, untimed
		b.Fatal(describe(vs))
	}
	b.ReportAllocs()
	for b.Loop() {
		d.ValidateRequest(newReq())
	}
}

func BenchmarkValidateRequest_Invalid(b *testing.B) {
	d := MustEmbedded(b)
	newReq := func() *http.Request { return benchRequest(http.MethodPost, "/v2/bookings", benchInvalidCreate) }
	if vs := d.ValidateRequest(newReq()); len(vs) == 0 {
		b.Fatal("invalid body passed")
	}
	b.ReportAllocs()
	for b.Loop() {
		d.ValidateRequest(newReq())
	}
}
