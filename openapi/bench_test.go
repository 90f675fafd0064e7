package openapi

import "testing"

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateRequest(b *testing.B) {
	d := MustEmbedded(b)
	body := string(mustJSON(b, createBody))
	d.ValidateRequest(newRequest(b, "POST", "/v2/bookings", body, false)) // build the validator outside the timer
	b.ReportAllocs()
	for b.Loop() {
		if vs := d.ValidateRequest(newRequest(b, "POST", "/v2/bookings", body, false)); len(vs) > 0 {
			b.Fatal(describe(vs))
		}
	}
}

func BenchmarkValidateResponse(b *testing.B) {
	d := MustEmbedded(b)
	r := newRequest(b, "GET", uidPath, nil, false)
	body, h := mustJSON(b, ok(booking())), goodHeaders()
	d.ValidateResponse(r, 200, h, body)
	b.ReportAllocs()
	for b.Loop() {
		if vs := d.ValidateResponse(r, 200, h, body); len(vs) > 0 {
			b.Fatal(describe(vs))
		}
	}
}
