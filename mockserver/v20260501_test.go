package mockserver

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/calmock/calmock/openapi"
	"github.com/calmock/calmock/profile"
)

// cursorList sends GET /v2/bookings?query with cal-api-version 2026-05-01 as the first user.
func (f *fixture) cursorList(t *testing.T, query string) response {
	t.Helper()
	return f.doHeaders(t, "GET", "/v2/bookings?"+query, nil, map[string]string{"cal-api-version": version20260501, "Authorization": bearer(f.key(0))})
}

// pagesOf follows nextCursor from the first page of query to the last, calling between
// before every page after the first; it returns the uids in order.
func (f *fixture) pagesOf(t *testing.T, query string, between func(page int)) []string {
	t.Helper()
	var uids []string
	cursor := ""
	for page := 0; ; page++ {
		if page > 500 {
			t.Fatal("paging does not end")
		}
		if page > 0 && between != nil {
			between(page)
		}
		q := query
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		r := f.cursorList(t, q).expect(t, http.StatusOK)
		for _, b := range r.list(t) {
			uids = append(uids, b["uid"].(string))
		}
		p, _ := r.body["pagination"].(map[string]any)
		if len(p) != 2 {
			t.Fatalf("pagination = %v, want exactly nextCursor and hasMore", r.body["pagination"])
		}
		next, _ := p["nextCursor"].(string)
		if hasMore, _ := p["hasMore"].(bool); hasMore != (next != "") {
			t.Fatalf("hasMore %v with nextCursor %v", p["hasMore"], p["nextCursor"])
		}
		if next == "" {
			return uids
		}
		cursor = next
	}
}

// TestCursorList_EveryBookingOnceWhileCreating pages through the 2026-05-01 list (small
// pages, in both directions) while bookings are created between pages: every booking there
// was at the first page comes exactly once.
func TestCursorList_EveryBookingOnceWhileCreating(t *testing.T) {
	for _, query := range []string{"limit=2", "status=upcoming&limit=1", "status=past&limit=3", "sortCreated=asc&limit=2"} {
		t.Run(query, func(t *testing.T) {
			f := MustServer(t, Config{})
			plain := f.eventType(t, profile.KindPlain)
			status := ""
			if i := strings.Index(query, "status="); i >= 0 {
				status = "&status=" + strings.SplitN(query[i+len("status="):], "&", 2)[0]
			}
			var before []string
			for _, b := range f.do(t, "GET", "/v2/bookings?take=250"+status, f.key(0), nil).expect(t, http.StatusOK).list(t) {
				before = append(before, b["uid"].(string))
			}
			if len(before) < 3 {
				t.Fatalf("only %d bookings to page through", len(before))
			}
			created := map[string]bool{}
			got := f.pagesOf(t, query, func(page int) {
				if page > 6 {
					return // an ascending list would meet each new booking ahead of it, forever
				}
				uid := f.do(t, "POST", "/v2/bookings", "", createBody(plain.ID, slot(page, 9), fmt.Sprintf("p%d@example.com", page))).
					expect(t, http.StatusCreated).data(t)["uid"].(string)
				created[uid] = true
			})
			seen := map[string]int{}
			for _, uid := range got {
				seen[uid]++
				if seen[uid] > 1 {
					t.Errorf("%s returned %d times", uid, seen[uid])
				}
			}
			for _, uid := range before {
				if seen[uid] != 1 {
					t.Errorf("%s (there at the first page) returned %d times", uid, seen[uid])
				}
			}
			for _, uid := range got {
				if !created[uid] && !contains(before, uid) {
					t.Errorf("%s returned, neither there before nor created", uid)
				}
			}
		})
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestCursorList_Paging: the default and largest limit, a cursor is the same for the same
// data, and each version keeps its own paging (take/skip does nothing on 2026-05-01, the
// cursor shape is not 2024-08-13's).
func TestCursorList_Paging(t *testing.T) {
	f := MustServer(t, Config{})
	all := f.pagesOf(t, "limit=100", nil)
	if len(all) == 0 {
		t.Fatal("the first user sees no bookings")
	}
	first := f.cursorList(t, "").expect(t, http.StatusOK)
	if n := len(first.list(t)); n != min(50, len(all)) {
		t.Errorf("default page has %d bookings, want %d", n, min(50, len(all)))
	}
	if n := len(f.cursorList(t, "take=1&skip=2").expect(t, http.StatusOK).list(t)); n != min(50, len(all)) {
		t.Errorf("take/skip changed a 2026-05-01 page to %d bookings", n)
	}
	a := f.cursorList(t, "limit=1").expect(t, http.StatusOK).body["pagination"]
	b := f.cursorList(t, "limit=1").expect(t, http.StatusOK).body["pagination"]
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("the same request gave cursors %v and %v", a, b)
	}
	if p := f.do(t, "GET", "/v2/bookings", f.key(0), nil).expect(t, http.StatusOK).body["pagination"].(map[string]any); p["totalItems"] == nil || p["nextCursor"] != nil {
		t.Errorf("2024-08-13 pagination = %v", p)
	}
}

// TestCursorList_Errors: validation in the pipe's envelope with class-validator messages, a
// bad cursor a 400 "Invalid cursor", other routes 404 on 2026-05-01 (no fallback).
func TestCursorList_Errors(t *testing.T) {
	f := MustServer(t, Config{})
	next := f.cursorList(t, "limit=1").expect(t, http.StatusOK).body["pagination"].(map[string]any)["nextCursor"].(string)
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		query, property, constraint, message string
	}{
		{"limit=0", "limit", "min", "limit must not be less than 1"},
		{"limit=101", "limit", "max", "limit must not be greater than 100"},
		{"limit=abc", "limit", "isNumber", "limit must be a number conforming to the specified constraints"},
		{"status=past,upcoming", "status", "isEnum", msgInvalidStatus},
		{"status[]=past", "status", "isEnum", msgInvalidStatus},
		{"status=later", "status", "isEnum", msgInvalidStatus},
		{"cursor[a]=1", "cursor", "isString", "cursor must be a string"},
		{"sortStart=up", "sortStart", "isEnum", `SortStart must be either "asc" or "desc".`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := f.cursorList(t, tt.query).expect(t, http.StatusBadRequest)
			errs := r.body["error"].(map[string]any)["details"].(map[string]any)["errors"].([]any)
			e := errs[0].(map[string]any)
			if e["property"] != tt.property || e["constraints"].(map[string]any)[tt.constraint] != tt.message {
				t.Errorf("error = %v, want %s %s %q", e, tt.property, tt.constraint, tt.message)
			}
		})
	}
	for _, bad := range []string{"x", "%25%25", b64("{}"), b64(`{"v":2,"sort":"start","desc":true,"at":"2030-01-01T00:00:00Z","id":1,"uid":"u"}`),
		b64(`{"v":1,"sort":"start","desc":true,"at":"yesterday","id":1,"uid":"u"}`), b64("[1,2]"), next + "AAAA"} {
		if msg := f.cursorList(t, "cursor="+bad).expect(t, http.StatusBadRequest).errorMessage(t); msg != "Invalid cursor" {
			t.Errorf("cursor %q: message %q", bad, msg)
		}
	}
	// A good cursor sent with another order.
	if msg := f.cursorList(t, "status=upcoming&cursor="+next).expect(t, http.StatusBadRequest).errorMessage(t); !strings.HasPrefix(msg, "Invalid cursor: it was issued for a list in another order") {
		t.Errorf("cursor of another order: %q", msg)
	}
	f.cursorList(t, "cursor="+next).expect(t, http.StatusOK)
	// Auth as on 2024-08-13 (no credentials: the permissions guard's 403).
	f.doHeaders(t, "GET", "/v2/bookings", nil, map[string]string{"cal-api-version": version20260501}).expect(t, http.StatusForbidden)
	// 2026-05-01 has no other bookings route.
	r := f.doHeaders(t, "POST", "/v2/bookings", createBody(f.eventType(t, profile.KindPlain).ID, slot(1, 9), "v@example.com"),
		map[string]string{"cal-api-version": version20260501}).expect(t, http.StatusNotFound)
	if msg := r.errorMessage(t); msg != "Cannot POST /v2/bookings" {
		t.Errorf("POST on 2026-05-01: %q", msg)
	}
}

// TestCursorList_ResponsesMatchDocument: the 2026-05-01 answers, successes and errors,
// match the version's operation in the embedded document (x-calmock-versions), as the
// response sweep checks 2024-08-13's.
func TestCursorList_ResponsesMatchDocument(t *testing.T) {
	doc, err := openapi.Load("")
	if err != nil {
		t.Fatal(err)
	}
	f := MustServer(t, Config{})
	next := f.cursorList(t, "limit=2").expect(t, http.StatusOK).body["pagination"].(map[string]any)["nextCursor"].(string)
	for _, c := range []struct {
		query  string
		key    bool
		status int
	}{
		{"limit=2", true, 200},
		{"limit=2&cursor=" + next, true, 200},
		{"limit=100&status=cancelled", true, 200},
		{"bookingUid=none", true, 200}, // an empty last page: nextCursor null
		{"limit=0", true, 400},
		{"cursor=x", true, 400},
		{"", false, 403},
	} {
		t.Run(c.query, func(t *testing.T) {
			h := map[string]string{"cal-api-version": version20260501}
			if c.key {
				h["Authorization"] = bearer(f.key(0))
			}
			r := f.doHeaders(t, "GET", "/v2/bookings?"+c.query, nil, h).expect(t, c.status)
			req := httptest.NewRequest("GET", "/v2/bookings?"+c.query, nil)
			for k, v := range h {
				req.Header.Set(k, v)
			}
			if op, _ := doc.FindOperation(req); op.OperationID != "BookingsController_2026_05_01_getBookings" {
				t.Fatalf("document operation %q", op.OperationID)
			}
			if vs := doc.ValidateResponse(req, r.Code, r.Header(), r.Body.Bytes()); len(vs) > 0 {
				t.Errorf("%d violations: %v\n%s", len(vs), vs, r.Body.String())
			}
		})
	}
}
