package mockserver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

// TestOversizedBody_AnsweredToAClientThatWritesFirst: a client that writes its whole 20 MiB
// body before it reads (as curl and most HTTP/1.1 clients do) gets the 413 in the envelope,
// not a connection reset, and the body is thrown away as it comes rather than kept: the
// whole request allocates a small fraction of its size. The connection then serves the
// next request, since the body was read to its end.
func TestOversizedBody_AnsweredToAClientThatWritesFirst(t *testing.T) {
	f := MustServer(t, Config{})
	ts := httptest.NewServer(f.srv)
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A regression must fail with a message, not hang the test binary.
	if err := conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}

	const size = 20 << 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fmt.Fprintf(conn, "POST /v2/bookings HTTP/1.1\r\nHost: calmock\r\nContent-Type: application/json\r\n"+
		"cal-api-version: 2024-08-13\r\nContent-Length: %d\r\n\r\n", size)
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	for sent := 0; sent < size; sent += len(chunk) {
		if _, err := conn.Write(chunk); err != nil {
			t.Fatalf("the server stopped reading after %d of %d bytes: %v", sent, size, err)
		}
	}
	rd := bufio.NewReader(conn)
	resp, err := http.ReadResponse(rd, nil)
	if err != nil {
		t.Fatalf("no answer after the whole body was sent: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413; body %s", resp.StatusCode, body)
	}
	var env struct {
		Status string `json:"status"`
		Error  struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Status != "error" || env.Error.Code != "PayloadTooLargeException" {
		t.Errorf("body %s is not the 413 envelope (%v)", body, err)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > size/4 {
		t.Errorf("the request allocated %d bytes for a %d-byte body: the body was kept, not thrown away", allocated, size)
	}
	if resp.Close {
		t.Fatalf("the server closes the connection although it read the body to its end")
	}

	fmt.Fprintf(conn, "GET /v2/bookings/missing HTTP/1.1\r\nHost: calmock\r\ncal-api-version: 2024-08-13\r\n\r\n")
	next, err := http.ReadResponse(rd, nil)
	if err != nil {
		t.Fatalf("the connection did not serve the next request: %v", err)
	}
	next.Body.Close()
	if next.StatusCode != http.StatusNotFound {
		t.Errorf("next request: status %d, want 404", next.StatusCode)
	}
}
