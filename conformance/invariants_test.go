package conformance

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCheckPagination(t *testing.T) {
	tests := []struct {
		name, query string
		items       int
		p           map[string]any
		wantField   string // "" when the pagination is right
	}{
		{"behaviour notes §6.4 example", "skip=2", 3, map[string]any{"returnedItems": 3.0, "totalItems": 5.0, "itemsPerPage": 100.0,
			"remainingItems": 0.0, "currentPage": 1.0, "totalPages": 1.0, "hasNextPage": false, "hasPreviousPage": true}, ""},
		{"empty list", "", 0, map[string]any{"returnedItems": 0.0, "totalItems": 0.0, "itemsPerPage": 100.0,
			"remainingItems": 0.0, "currentPage": 0.0, "totalPages": 0.0, "hasNextPage": false, "hasPreviousPage": false}, ""},
		{"second page", "skip=2&take=2", 2, map[string]any{"returnedItems": 2.0, "totalItems": 5.0, "itemsPerPage": 2.0,
			"remainingItems": 1.0, "currentPage": 2.0, "totalPages": 3.0, "hasNextPage": true, "hasPreviousPage": true}, ""},
		{"wrong page", "skip=2&take=2", 2, map[string]any{"returnedItems": 2.0, "totalItems": 5.0, "itemsPerPage": 2.0,
			"remainingItems": 1.0, "currentPage": 1.0, "totalPages": 3.0, "hasNextPage": true, "hasPreviousPage": true}, "pagination.currentPage"},
		{"data shorter than returnedItems", "", 2, map[string]any{"returnedItems": 3.0, "totalItems": 3.0, "itemsPerPage": 100.0,
			"remainingItems": 0.0, "currentPage": 1.0, "totalPages": 1.0, "hasNextPage": false, "hasPreviousPage": false}, "pagination.returnedItems"},
		{"created-at filter limits only the page (§6.4 quirk)", "afterCreatedAt=2030-01-01", 2, map[string]any{"returnedItems": 3.0, "totalItems": 3.0, "itemsPerPage": 100.0,
			"remainingItems": 0.0, "currentPage": 1.0, "totalPages": 1.0, "hasNextPage": false, "hasPreviousPage": false}, ""},
		{"cursor: more without a cursor", "", 1, map[string]any{"nextCursor": nil, "hasMore": true}, "pagination.hasMore"},
		{"cursor: last page", "", 1, map[string]any{"nextCursor": nil, "hasMore": false}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/v2/bookings?"+tt.query, nil)
			got := checkPagination(req, tt.items, tt.p, nil)
			var fields []string
			for _, f := range got {
				fields = append(fields, f.field)
			}
			switch {
			case tt.wantField == "" && len(got) > 0:
				t.Errorf("want no finding, got %+v", got)
			case tt.wantField != "" && !strings.Contains(strings.Join(fields, " "), tt.wantField):
				t.Errorf("want a finding on %s, got %+v", tt.wantField, got)
			}
		})
	}
}
