package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/calmock/calmock/mockserver"
)

// TestLogEntry: -verbose prints one line per request from its journal entry, key masked,
// with the spec verdict of a request the mock answered leniently.
func TestLogEntry(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	srv, err := mockserver.New(mockserver.Config{Seed: 1, OnRequest: logEntry(log)})
	if err != nil {
		t.Fatal(err)
	}
	key := srv.Fixtures().Profile().Users[0].APIKey
	req := httptest.NewRequest("GET", "/v2/bookings?tkae=5", nil)
	req.Header.Set("cal-api-version", "2024-08-13")
	req.Header.Set("Authorization", "Bearer "+key)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	line := buf.String()
	for _, want := range []string{"method=GET", "path=\"/v2/bookings?tkae=5\"", "status=200",
		"operation=BookingsController_2024_08_13_getBookings", "apiKey=cal_test_" + key[9:13] + "…", "violations=1", "tkae"} {
		if !strings.Contains(line, want) {
			t.Errorf("line lacks %s:\n%s", want, line)
		}
	}
	if strings.Contains(line, key) || strings.Count(line, "\n") != 1 {
		t.Errorf("want one line without the key:\n%s", line)
	}
}

func TestMain_BannerNamesAdminAndJournal(t *testing.T) {
	base, out := MustRunMain(t, "-journal", "50")
	for _, want := range []string{base + mockserver.OpenAPIPath, base + "/_calmock/", "last 50 requests", base + mockserver.JournalPath} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, out.String())
		}
	}
	_, off := MustRunMain(t, "-journal", "0")
	if !strings.Contains(off.String(), "request journal: off") {
		t.Errorf("banner with -journal 0:\n%s", off.String())
	}
}
