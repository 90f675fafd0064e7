package mockserver

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/internal/apiversion"
)

// cal-api-version 2026-05-01: everything it changes is in this file. Upstream it is one
// operation, GET /v2/bookings with cursor paging (changes note §2.1, from the hosted docs
// page "Get all bookings"); every other bookings route has no 2026-05-01 controller, so the
// version gets 404 there (selectRoute), as NestJS gives a version no controller declares.

const version20260501 = apiversion.V20260501

// routes20260501 is the table of cal-api-version 2026-05-01. The operation id follows
// upstream's <Controller>_<version>_<method> pattern; the hosted docs page shows no id, so
// the exact one is UNVERIFIED.
func (s *Server) routes20260501() []route {
	return []route{
		{http.MethodGet, "/v2/bookings", "BookingsController_2026_05_01_getBookings", authRequired, true, s.handleBookingListCursor},
	}
}

// handleBookingListCursor handles GET /v2/bookings on 2026-05-01: the list's filters, one
// status, and a page after a cursor (booking.ListCursor) with `pagination: {nextCursor,
// hasMore}` instead of the take/skip counts.
func (s *Server) handleBookingListCursor(c *call) error {
	q, err := decodeCursorListQuery(parseQuery(c.r.URL.RawQuery))
	if err != nil {
		return err
	}
	page, err := s.service.ListCursor(c.r.Context(), *c.caller, q)
	if err != nil {
		return err
	}
	items := getBookingOuts(len(page.Bookings))
	defer putBookingOuts(items)
	for i := range page.Bookings {
		(*items)[i] = s.toBookingOut(page.Bookings[i], view{})
	}
	p := &cursorPagination{HasMore: page.Next != nil}
	if page.Next != nil {
		next := encodeCursor(page.Order, *page.Next)
		p.NextCursor = &next
	}
	writeEnvelope(c.w, http.StatusOK, func(buf []byte) ([]byte, error) {
		return appendCursorEnvelope(buf, &cursorEnvelope{Status: statusSuccess, Data: *items, Pagination: p})
	})
	return nil
}

// cursorEnvelope is the 2026-05-01 list's success envelope.
type cursorEnvelope struct {
	Status     string            `json:"status"`
	Data       any               `json:"data"`
	Pagination *cursorPagination `json:"pagination"`
}

// cursorPagination is CursorPaginationMeta_2026_05_01 (changes note §2.1): no counts.
type cursorPagination struct {
	NextCursor *string `json:"nextCursor"`
	HasMore    bool    `json:"hasMore"`
}

// decodeCursorListQuery validates the 2026-05-01 list's query leniently (unknown parameters,
// take and skip among them, are ignored): the filters and sorts as on 2024-08-13
// (decodeListFilters), then one status, a cursor and a limit.
//
// status is one value (changes note §2.1: "a single enum value", comma lists no longer
// documented): a comma list or an array is not one of the values and fails IsEnum with the
// list's message. limit has take's checks (parseInt, IsNumber, Min 1, Max 100; default 50).
// cursor must be a string (IsString), and then one this server issued for a list in the same
// order, else a 400 "Invalid cursor" in the standard envelope: upstream decodes its cursor
// in the service, after the pipe, so a bad one is never reported beside the pipe's errors
// (the exact upstream text is UNVERIFIED).
func decodeCursorListQuery(q map[string]any) (booking.CursorQuery, error) {
	var cq booking.CursorQuery
	var errs errorsList
	if v, ok := q["status"]; ok {
		s, _ := v.(string)
		if !slices.Contains(listStatuses, s) {
			errs.add("status", v, "isEnum", msgInvalidStatus)
		} else {
			cq.Filter.Statuses = []booking.ListStatus{booking.ListStatus(s)}
		}
	}
	decodeListFilters(q, &cq.Filter, &errs)
	raw, hasCursor := q["cursor"]
	cursor, isString := raw.(string)
	if hasCursor && !isString {
		errs.add("cursor", raw, "isString", "cursor must be a string")
	}
	cq.Limit = booking.DefaultLimit
	if n, ok := decodeParsedInt(q, &errs, "limit", 1, booking.MaxLimit); ok {
		cq.Limit = n
	}
	if err := lenientError(q, errs); err != nil {
		return cq, err
	}
	if hasCursor {
		pos, err := decodeCursor(cursor, booking.CursorOrder(cq.Filter))
		if err != nil {
			return cq, err
		}
		cq.After = &pos
	}
	return cq, nil
}

// cursorVersion is the format of the cursors this server issues. A cursor is opaque to
// clients: base64url (no padding) of a small JSON object, as upstream's is base64 JSON
// ({"v":1,"sortUuid":…}). It holds the page's order, so a cursor sent with other status or
// sort parameters is refused rather than read in the wrong order, and the last booking's
// position: the sort key's instant, its id and its uid. The same data gives the same cursor.
const cursorVersion = 1

type cursorBody struct {
	V    int    `json:"v"`
	Sort string `json:"sort"`
	Desc bool   `json:"desc,omitempty"`
	At   string `json:"at"`
	ID   int    `json:"id"`
	UID  string `json:"uid"`
}

func encodeCursor(o booking.Order, p booking.Position) string {
	b, _ := json.Marshal(cursorBody{V: cursorVersion, Sort: string(o.Key), Desc: o.Desc, At: p.Key.UTC().Format(time.RFC3339Nano), ID: p.ID, UID: p.UID})
	return base64.RawURLEncoding.EncodeToString(b)
}

var errInvalidCursor error = newAPIError(http.StatusBadRequest, "Invalid cursor")

// decodeCursor reads a cursor issued for a list in order o.
func decodeCursor(s string, o booking.Order) (booking.Position, error) {
	// Tolerate the padding a client's base64 library may have added back.
	data, err := base64.RawURLEncoding.Strict().DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return booking.Position{}, errInvalidCursor
	}
	var c cursorBody
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || c.V != cursorVersion || c.ID < 0 {
		return booking.Position{}, errInvalidCursor
	}
	if _, err := dec.Token(); err != io.EOF { // nothing may follow the object
		return booking.Position{}, errInvalidCursor
	}
	at, err := time.Parse(time.RFC3339Nano, c.At)
	if err != nil {
		return booking.Position{}, errInvalidCursor
	}
	if c.Sort != string(o.Key) || c.Desc != o.Desc {
		return booking.Position{}, newAPIError(http.StatusBadRequest, "Invalid cursor: it was issued for a list in another order; send the status and sort parameters of the request that returned it")
	}
	return booking.Position{Key: at, ID: c.ID, UID: c.UID}, nil
}
