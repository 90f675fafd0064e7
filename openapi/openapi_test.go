package openapi

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/calmock/calmock/internal/testshared"
)

// officialPath is the official Cal.com document in the shared folder beside the project
// root. A test that needs it skips when the folder is absent (testshared says when it fails
// instead).
func officialPath(tb testing.TB) string {
	tb.Helper()
	return testshared.Path(tb, "reference/calcom-openapi-v2.json")
}

// embedded is loaded once: every test reads it and none modifies it, and sharing it also
// exercises the concurrent, lazy validator construction under -race.
var (
	embeddedOnce sync.Once
	embeddedDoc  *Document
	embeddedErr  error
)

// MustEmbedded returns the shared embedded document.
func MustEmbedded(tb testing.TB) *Document {
	tb.Helper()
	embeddedOnce.Do(func() { embeddedDoc, embeddedErr = Load("") })
	if embeddedErr != nil {
		tb.Fatalf("Load(\"\"): %v", embeddedErr)
	}
	return embeddedDoc
}

// MustOfficial loads the official document, or skips the test as officialPath does.
func MustOfficial(tb testing.TB) *Document {
	tb.Helper()
	path := officialPath(tb)
	d, err := Load(path)
	if err != nil {
		tb.Fatalf("Load(%s): %v", path, err)
	}
	return d
}

func writeFile(tb testing.TB, name, content string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// tinyJSON is a minimal valid document with one bookings operation and one path that
// normalisation must prune.
const tinyJSON = `{
  "openapi": "3.0.3",
  "info": {"title": "tiny", "version": "1"},
  "paths": {
    "/v2/bookings/{bookingUid}": {"get": {"operationId": "get",
      "parameters": [{"name": "bookingUid", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"oneOf": [{"type": "object"}]}}}}}}},
    "/v2/schedules": {"get": {"operationId": "schedules", "responses": {"200": {"description": "ok"}}}}
  }
}`

const tinyYAML = `openapi: 3.0.3
info: {title: tiny yaml, version: "2"}
paths:
  /v2/bookings:
    get:
      operationId: list
      responses:
        200:
          description: ok
`

func TestLoad_Embedded(t *testing.T) {
	d := MustEmbedded(t)
	if got, want := d.Version(), "2024-08-13"; got != want {
		t.Errorf("Version() = %q, want %q", got, want)
	}
	if !strings.Contains(d.Title(), "bookings") {
		t.Errorf("Title() = %q, want it to mention bookings", d.Title())
	}
	if len(d.patches) != 0 {
		t.Errorf("embedded document needed patches %v; bookings.yaml should already be normalised", d.patches)
	}
	if !d.DocumentsErrors() {
		t.Error("DocumentsErrors() = false, want true: bookings.yaml documents error responses")
	}
	if len(d.Raw()) == 0 {
		t.Error("Raw() is empty")
	}
	wantIDs := []string{
		"BookingsController_2024_08_13_createBooking", "BookingsController_2024_08_13_getBookings",
		"BookingsController_2024_08_13_getBooking", "BookingsController_2024_08_13_getBookingBySeat",
		"BookingsController_2024_08_13_getBookingRecordings", "BookingsController_2024_08_13_getBookingTranscripts",
		"BookingsController_2024_08_13_rescheduleBooking", "BookingsController_2024_08_13_cancelBooking",
		"BookingsController_2024_08_13_markNoShow", "BookingsController_2024_08_13_reassignBooking",
		"BookingsController_2024_08_13_reassignBookingToUser", "BookingsController_2024_08_13_confirmBooking",
		"BookingsController_2024_08_13_declineBooking", "BookingsController_2024_08_13_getCalendarLinks",
		"BookingsController_2024_08_13_getBookingReferences",
		"BookingAttendeesController_2024_08_13_getBookingAttendees", "BookingAttendeesController_2024_08_13_addAttendee",
		"BookingAttendeesController_2024_08_13_getBookingAttendee", "BookingAttendeesController_2024_08_13_removeAttendee",
		"BookingGuestsController_2024_08_13_addGuests",
		"BookingsController_2024_08_13_getVideoSessions", "BookingRoutingTraceController_2024_08_13_getBookingRoutingTrace",
		"BookingLocationController_2024_08_13_updateBookingLocation",
		"BookingsController_2026_02_25_requestReschedule",
		"WebhooksController_createWebhook", "WebhooksController_getWebhooks", "WebhooksController_getWebhook",
		"WebhooksController_updateWebhook", "WebhooksController_deleteWebhook",
		"EventTypeWebhooksController_createEventTypeWebhook", "EventTypeWebhooksController_getEventTypeWebhooks",
		"EventTypeWebhooksController_getEventTypeWebhook", "EventTypeWebhooksController_updateEventTypeWebhook",
		"EventTypeWebhooksController_deleteEventTypeWebhook", "EventTypeWebhooksController_deleteAllEventTypeWebhooks",
		// x-calmock-versions
		"BookingsController_2026_05_01_getBookings",
		// the discovery reads
		"MeController_getMe", "EventTypesController_2024_06_14_getEventTypes", "TeamsController_getTeams",
		"TeamsEventTypesController_getTeamEventTypes",
	}
	got := map[string]bool{}
	for _, op := range d.Operations() {
		got[op.OperationID] = true
	}
	for _, id := range wantIDs {
		if !got[id] {
			t.Errorf("operation %s missing", id)
		}
	}
	if len(got) != len(wantIDs) {
		t.Errorf("got %d operations, want %d", len(got), len(wantIDs))
	}
}

func TestLoad_Files(t *testing.T) {
	tests := []struct {
		name, file, content string
		wantTitle           string
		wantOps             int
		wantErr             string // substring; empty means success
	}{
		{name: "JSON", file: "spec.json", content: tinyJSON, wantTitle: "tiny", wantOps: 1},
		{name: "YAML", file: "spec.yaml", content: tinyYAML, wantTitle: "tiny yaml", wantOps: 1},
		{name: "YML", file: "spec.yml", content: tinyYAML, wantTitle: "tiny yaml", wantOps: 1},
		{name: "BadExtension", file: "spec.txt", content: tinyJSON, wantErr: `unsupported extension ".txt"`},
		{name: "GarbageJSON", file: "spec.json", content: "{not json", wantErr: "decode JSON"},
		{name: "GarbageYAML", file: "spec.yaml", content: "a: [b", wantErr: "decode YAML"},
		{name: "NotAnObject", file: "spec.json", content: `[1,2]`, wantErr: "top level is not an object"},
		{name: "NotOpenAPI3", file: "spec.yaml", content: "swagger: '2.0'\npaths: {}\n", wantErr: "not an OpenAPI 3 document"},
		{name: "NoBookings", file: "spec.yaml", content: "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {/v2/schedules: {get: {responses: {'200': {description: ok}}}}}\n", wantErr: "no operations under /v2/bookings"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, tc.file, tc.content)
			d, err := Load(p)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("Load(%s) succeeded, want error containing %q", tc.file, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), p) {
					t.Fatalf("Load error = %q, want it to contain %q and the path", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load(%s): %v", tc.file, err)
			}
			if d.Title() != tc.wantTitle || len(d.Operations()) != tc.wantOps {
				t.Errorf("Title()=%q ops=%d, want %q and %d", d.Title(), len(d.Operations()), tc.wantTitle, tc.wantOps)
			}
		})
	}
	t.Run("MissingFile", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "absent.json")
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), "load spec "+p) || !os.IsNotExist(unwrapAll(err)) {
			t.Fatalf("Load(missing) error = %v, want a wrapped not-exist error naming the path", err)
		}
	})
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}

func TestNormalise(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal([]byte(`{
	  "paths": {"/v2/bookings": {}, "/v2/bookings/{uid}": {}, "/v2/schedules": {}, "/v1/x": {},
	    "/v2/me": {"get": {}, "patch": {}, "parameters": []}},
	  "components": {"schemas": {
	    "ReassignBookingOutput_2024_08_13": {"properties": {"data": {
	      "oneOf": [{"$ref": "#/components/schemas/ReassignBookingOutput_2024_08_13"}],
	      "allOf": [{"$ref": "#/components/schemas/ReassignBookingOutput_2024_08_13"}]}}},
	    "Both": {"oneOf": [{"type": "string"}], "anyOf": [{"type": "number"}]},
	    "Nested": {"items": {"oneOf": [{"type": "string"}]}}}}}`), &root); err != nil {
		t.Fatal(err)
	}
	got := normalise(root)
	// /v2/schedules, /v1/x and PATCH /v2/me go; GET /v2/me is a discovery read and stays.
	want := []string{patchPrunePaths + " (3)", patchOneOfToAnyOf + " (3)", patchReassignData}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("normalise patches = %q, want %q", got, want)
	}
	if me := dig(root, "paths", "/v2/me"); me == nil || me["get"] == nil || me["patch"] != nil || me["parameters"] == nil {
		t.Errorf("/v2/me after prune = %v, want its get (a discovery read) and parameters only", me)
	}
	if len(root["paths"].(map[string]any)) != 3 {
		t.Errorf("paths after prune = %v, want the two /v2/bookings paths and /v2/me", root["paths"])
	}
	enc, _ := json.Marshal(root)
	if strings.Contains(string(enc), "oneOf") {
		t.Errorf("oneOf left after normalise: %s", enc)
	}
	both := dig(root, "components", "schemas", "Both")
	if len(asSlice(both["allOf"])) != 2 {
		t.Errorf("a node with oneOf and anyOf must keep both under allOf, got %v", both)
	}
	data := dig(root, "components", "schemas", reassignSchema, "properties", "data")
	if data["type"] != "object" || refersTo(data, "#/components/schemas/"+reassignSchema) {
		t.Errorf("reassign data not replaced: %v", data)
	}
	if again := normalise(root); len(again) != 0 {
		t.Errorf("normalise is not idempotent: second run applied %v", again)
	}
}

func TestLoad_OfficialIsPatched(t *testing.T) {
	d := MustOfficial(t)
	if n := len(d.Operations()); n != 29 {
		t.Errorf("official document has %d operations after pruning, want 29 (14 bookings, 11 webhooks, 4 discovery reads)", n)
	}
	joined := strings.Join(d.patches, "; ")
	for _, p := range []string{patchPrunePaths, patchOneOfToAnyOf, patchReassignData} {
		if !strings.Contains(joined, p) {
			t.Errorf("patch %q was not applied to the official document (applied: %s)", p, joined)
		}
	}
	if d.DocumentsErrors() {
		t.Error("official document documents no errors, but DocumentsErrors() = true")
	}
}

func TestDocument_FindOperation(t *testing.T) {
	d := MustEmbedded(t)
	tests := []struct {
		method, target string
		wantID         string // empty: no operation
		wantPath       string
	}{
		{"GET", "/v2/bookings", "BookingsController_2024_08_13_getBookings", "/v2/bookings"},
		{"POST", "/v2/bookings", "BookingsController_2024_08_13_createBooking", "/v2/bookings"},
		{"GET", "/v2/bookings/abc", "BookingsController_2024_08_13_getBooking", "/v2/bookings/{bookingUid}"},
		{"GET", "/v2/bookings/by-seat/seat-1", "BookingsController_2024_08_13_getBookingBySeat", "/v2/bookings/by-seat/{seatUid}"},
		{"POST", "/v2/bookings/abc/reassign/42", "BookingsController_2024_08_13_reassignBookingToUser", "/v2/bookings/{bookingUid}/reassign/{userId}"},
		{"POST", "/v2/bookings/abc/reassign", "BookingsController_2024_08_13_reassignBooking", "/v2/bookings/{bookingUid}/reassign"},
		{"GET", "/api/v2/bookings/abc/references", "BookingsController_2024_08_13_getBookingReferences", "/v2/bookings/{bookingUid}/references"},
		{"DELETE", "/v2/bookings/abc", "", ""},
		{"GET", "/v2/nope", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			op, ok := d.FindOperation(httptest.NewRequest(tc.method, tc.target, nil))
			if ok != (tc.wantID != "") || op.OperationID != tc.wantID || op.Path != tc.wantPath {
				t.Fatalf("FindOperation = %+v, %v; want %q at %q", op, ok, tc.wantID, tc.wantPath)
			}
			if ok && op.Method != tc.method {
				t.Errorf("Method = %q, want %q", op.Method, tc.method)
			}
		})
	}
}

func TestDocument_OperationModel(t *testing.T) {
	d := MustEmbedded(t)
	for _, op := range d.Operations() {
		m, ok := d.OperationModel(op)
		if !ok {
			t.Errorf("OperationModel(%s) found nothing", op)
			continue
		}
		if m.OperationId != op.OperationID {
			t.Errorf("OperationModel(%s).OperationId = %q, want %q", op, m.OperationId, op.OperationID)
		}
	}
	create := Operation{Method: "POST", Path: "/v2/bookings"}
	if m, ok := d.OperationModel(create); !ok || m.RequestBody == nil {
		t.Errorf("OperationModel(%s) has no request body", create)
	}
	for _, op := range []Operation{{Method: "DELETE", Path: "/v2/bookings"}, {Method: "GET", Path: "/v2/nothing"}} {
		if _, ok := d.OperationModel(op); ok {
			t.Errorf("OperationModel(%s) found an operation, want none", op)
		}
	}
}
