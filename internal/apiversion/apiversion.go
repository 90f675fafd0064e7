// Package apiversion names the cal-api-version values calmock knows, once: the mock serves
// them and the conformance suite sends and checks them, and the two must agree.
package apiversion

// Header is the request header that picks the version (behaviour notes §2).
const Header = "cal-api-version"

// The versions of the bookings endpoints.
const (
	// V20240813 is the default: the version of the 2025-10 reference snapshot.
	V20240813 = "2024-08-13"
	// V20240904 is valid for other resources but matches no bookings controller.
	V20240904 = "2024-09-04"
	// V20260225 adds create overrides, kept seats and request-reschedule (changes §1.1, §2.1).
	V20260225 = "2026-02-25"
	// V20260501 pages GET /v2/bookings by cursor (changes §2.1).
	V20260501 = "2026-05-01"
)
