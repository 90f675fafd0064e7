package mockserver

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/gorilla/mux"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/fixtures"
)

// BookingsAdminPath is the state of the mock, whoever owns it: GET lists every booking,
// GET BookingsAdminPath/{uid} reads one, and PUT BookingsAdminPath/{uid} puts one in any
// state directly. Bookings travel in the fixtures file's booking format (the domain's
// json/yaml keys, package fixtures), so what a test writes there is what it would write in
// a fixtures file, and what it reads can be changed and put back.
const BookingsAdminPath = "/_calmock/bookings"

// handleStateList serves GET /_calmock/bookings: every booking, by start then id.
func (s *Server) handleStateList(w http.ResponseWriter, r *http.Request) {
	all, err := s.service.AllBookings(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if all == nil {
		all = []booking.Booking{}
	}
	writeJSON(w, http.StatusOK, adminData{statusSuccess, all})
}

// handleStateGet serves GET /_calmock/bookings/{uid}: the booking in the fixtures format.
func (s *Server) handleStateGet(w http.ResponseWriter, r *http.Request) {
	b, err := s.service.BookingByUID(r.Context(), adminUID(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, adminData{statusSuccess, b})
}

// handleStatePut serves PUT /_calmock/bookings/{uid}: the body is one booking (JSON, or
// YAML with a YAML content type); the uid may be left out of it. It is stored as given if
// booking.CheckBooking accepts it (400 naming the field otherwise): 201 when new, 200 when
// it replaced the booking with that uid.
func (s *Server) handleStatePut(w http.ResponseWriter, r *http.Request) {
	b, err := readAdminBooking(w, r)
	if err != nil {
		s.writeError(w, r, newAPIError(http.StatusBadRequest, err.Error()))
		return
	}
	stored, created, err := s.service.PutBooking(r.Context(), b)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, adminData{statusSuccess, stored})
}

// adminUID is the {uid} of an admin path, decoded.
func adminUID(r *http.Request) string {
	v := mux.Vars(r)["uid"]
	if d, err := url.PathUnescape(v); err == nil {
		return d
	}
	return v
}

const bookingBodyHelp = `send one booking as in a fixtures file's bookings[] (JSON, or YAML with Content-Type application/yaml), e.g. {"title": "Intro", "eventTypeId": 1, "hostId": 1, "status": "cancelled", "start": "2026-01-05T09:00:00Z", "end": "2026-01-05T09:30:00Z", "attendees": [{"name": "Ada", "email": "ada@example.com", "timeZone": "Europe/London"}]}`

// readAdminBooking decodes the body of PUT /_calmock/bookings/{uid} and reconciles its uid
// with the path's.
func readAdminBooking(w http.ResponseWriter, r *http.Request) (booking.Booking, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return booking.Booking{}, fmt.Errorf("body larger than %d bytes", maxBodyBytes)
	case err != nil:
		return booking.Booking{}, fmt.Errorf("read body: %v", err)
	}
	format := fixtures.FormatJSON
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil {
		switch mt {
		case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml":
			format = fixtures.FormatYAML
		}
	}
	b, err := fixtures.DecodeBooking(data, format)
	if err != nil {
		return b, fmt.Errorf("invalid booking body (%v): %s", err, bookingBodyHelp)
	}
	uid := adminUID(r)
	switch b.UID {
	case "":
		b.UID = uid
	case uid:
	default:
		return b, fmt.Errorf("uid: %q in the body is not %q of the path", b.UID, uid)
	}
	return b, nil
}
