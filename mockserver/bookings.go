package mockserver

import (
	"net/http"
	"sync"

	"github.com/calmock/calmock/booking"
)

// Handlers of the bookings operations. Each one only decodes, calls the service and encodes;
// the rules live in package booking.

// handleBookingList handles GET /v2/bookings. The page is borrowed from the store
// (Service.ListFunc), not copied: its output shapes are built from the stored bookings,
// encoded and cleared, and nothing here writes to them (TestSharing_BorrowedList).
func (s *Server) handleBookingList(c *call) error {
	f, err := decodeListQuery(parseQuery(c.r.URL.RawQuery))
	if err != nil {
		return err
	}
	take := f.Take
	if take <= 0 {
		take = booking.DefaultTake
	}
	items := getBookingOuts(take)
	defer putBookingOuts(items)
	*items = (*items)[:0]
	page, err := s.service.ListFunc(c.r.Context(), *c.caller, f, func(b booking.Booking) {
		*items = append(*items, s.toBookingOut(b, view{}))
	})
	if err != nil {
		return err
	}
	writeSuccess(c.w, http.StatusOK, *items, newPagination(page.Total, page.Take, page.Skip))
	return nil
}

// bookingOutSlices recycles the wire shapes of list pages: a page of 100 is ~57 KB, which
// every list would otherwise allocate only to encode it once. writeSuccess has encoded the
// page into its own buffer before the slice goes back.
var bookingOutSlices = sync.Pool{New: func() any { return new([]bookingOut) }}

func getBookingOuts(n int) *[]bookingOut {
	p := bookingOutSlices.Get().(*[]bookingOut)
	if cap(*p) < n || *p == nil { // never nil: an empty page is [] on the wire, not null
		*p = make([]bookingOut, n)
	}
	*p = (*p)[:n]
	return p
}

// putBookingOuts clears the slice (so that it keeps no booking alive) and returns it. A
// page is at most maxTake bookings, so nothing larger is ever kept.
func putBookingOuts(p *[]bookingOut) {
	if cap(*p) > maxTake {
		return
	}
	clear((*p)[:cap(*p)])
	bookingOutSlices.Put(p)
}

// handleBookingCreate handles POST /v2/bookings (regular, recurring, seated, instant).
func (s *Server) handleBookingCreate(c *call) error {
	return s.createWith(c, decodeCreate)
}

// createWith is a create whose body decode decodes (each version has its own).
func (s *Server) createWith(c *call, decode func(map[string]any) (booking.CreateInput, error)) error {
	in, err := decode(c.body)
	if err != nil {
		return err
	}
	if err := checkGuestEmails(in.Guests); err != nil {
		return err
	}
	res, err := s.service.Create(c.r.Context(), c.caller, in)
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusCreated, s.resultData(c, res))
	return nil
}

// handleBookingGet handles GET /v2/bookings/{bookingUid} (a booking, or a whole series by its
// recurringBookingUid).
func (s *Server) handleBookingGet(c *call) error {
	res, err := s.service.Get(c.r.Context(), c.caller, c.pathVar("bookingUid"))
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, s.resultData(c, res))
	return nil
}

// handleBookingGetBySeat handles GET /v2/bookings/by-seat/{seatUid}.
func (s *Server) handleBookingGetBySeat(c *call) error {
	res, err := s.service.GetBySeat(c.r.Context(), c.caller, c.pathVar("seatUid"))
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, s.resultData(c, res))
	return nil
}

// handleBookingRecordings handles GET /v2/bookings/{bookingUid}/recordings.
func (s *Server) handleBookingRecordings(c *call) error {
	recs, err := s.service.Recordings(c.r.Context(), *c.caller, c.pathVar("bookingUid"))
	if err != nil {
		return err
	}
	out := make([]recordingOut, len(recs))
	for i, r := range recs {
		out[i] = recordingOut(r)
	}
	writeData(c.w, http.StatusOK, out)
	return nil
}

// handleBookingTranscripts handles GET /v2/bookings/{bookingUid}/transcripts.
func (s *Server) handleBookingTranscripts(c *call) error {
	links, err := s.service.Transcripts(c.r.Context(), *c.caller, c.pathVar("bookingUid"))
	if err != nil {
		return err
	}
	if links == nil {
		links = []string{}
	}
	writeData(c.w, http.StatusOK, links)
	return nil
}

// handleBookingReschedule handles POST /v2/bookings/{bookingUid}/reschedule.
func (s *Server) handleBookingReschedule(c *call) error {
	in, err := decodeReschedule(c.body)
	if err != nil {
		return err
	}
	res, err := s.service.Reschedule(c.r.Context(), c.caller, c.pathVar("bookingUid"), in)
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusCreated, s.resultData(c, res))
	return nil
}

// handleBookingCancel handles POST /v2/bookings/{bookingUid}/cancel.
func (s *Server) handleBookingCancel(c *call) error {
	in, err := decodeCancel(c.body)
	if err != nil {
		return err
	}
	res, err := s.service.Cancel(c.r.Context(), c.caller, c.pathVar("bookingUid"), in)
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, s.resultData(c, res))
	return nil
}

// handleBookingMarkAbsent handles POST /v2/bookings/{bookingUid}/mark-absent.
func (s *Server) handleBookingMarkAbsent(c *call) error {
	in, err := decodeMarkAbsent(c.body)
	if err != nil {
		return err
	}
	res, err := s.service.MarkAbsent(c.r.Context(), *c.caller, c.pathVar("bookingUid"), in)
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, s.resultData(c, res))
	return nil
}

// handleBookingReassign handles POST /v2/bookings/{bookingUid}/reassign.
func (s *Server) handleBookingReassign(c *call) error {
	ra, err := s.service.Reassign(c.r.Context(), *c.caller, c.pathVar("bookingUid"))
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, toReassignOut(ra))
	return nil
}

// handleBookingReassignTo handles POST /v2/bookings/{bookingUid}/reassign/{userId}.
func (s *Server) handleBookingReassignTo(c *call) error {
	userID, err := parseUserID(c.pathVar("userId"))
	if err != nil {
		return err
	}
	reason, err := decodeReason(c.body)
	if err != nil {
		return err
	}
	ra, err := s.service.ReassignTo(c.r.Context(), *c.caller, c.pathVar("bookingUid"), userID, reason)
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, toReassignOut(ra))
	return nil
}

func toReassignOut(ra booking.Reassignment) reassignOut {
	var out reassignOut
	out.BookingUID = ra.Booking.UID
	out.ReassignedTo.ID = ra.To.ID
	out.ReassignedTo.Name = ra.To.Name
	out.ReassignedTo.Email = ra.To.Email
	return out
}

// handleBookingConfirm handles POST /v2/bookings/{bookingUid}/confirm.
func (s *Server) handleBookingConfirm(c *call) error {
	res, err := s.service.Confirm(c.r.Context(), *c.caller, c.pathVar("bookingUid"))
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, s.resultData(c, res))
	return nil
}

// handleBookingDecline handles POST /v2/bookings/{bookingUid}/decline.
func (s *Server) handleBookingDecline(c *call) error {
	reason, err := decodeReason(c.body)
	if err != nil {
		return err
	}
	res, err := s.service.Decline(c.r.Context(), *c.caller, c.pathVar("bookingUid"), reason)
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, s.resultData(c, res))
	return nil
}

// handleBookingCalendarLinks handles GET /v2/bookings/{bookingUid}/calendar-links.
func (s *Server) handleBookingCalendarLinks(c *call) error {
	b, et, host, err := s.service.CalendarEvent(c.r.Context(), c.pathVar("bookingUid"))
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, calendarLinks(b, et, host))
	return nil
}

// handleBookingReferences handles GET /v2/bookings/{bookingUid}/references.
func (s *Server) handleBookingReferences(c *call) error {
	typ, err := decodeReferencesQuery(parseQuery(c.r.URL.RawQuery))
	if err != nil {
		return err
	}
	refs, err := s.service.References(c.r.Context(), *c.caller, c.pathVar("bookingUid"), typ)
	if err != nil {
		return err
	}
	out := make([]referenceOut, len(refs))
	for i, r := range refs {
		out[i] = referenceOut{Type: r.Type, EventUID: r.EventUID, DestinationCalendarID: r.DestinationCalendarID, ID: r.ID}
	}
	writeData(c.w, http.StatusOK, out)
	return nil
}

// handleProfile serves GET /_calmock/profile: what a conformance run needs to know about this
// target. It is calmock's own endpoint, outside the Cal.com API, so it has no envelope.
func (s *Server) handleProfile(w http.ResponseWriter, r *http.Request) {
	p := s.fixtures.Profile()
	p.Versions = s.versionClaims()
	if len(s.fixtures.Users) > 0 {
		// The profile promises a booking of its first user. Without one (or when the store
		// fails) the key is left out, and the scenarios that need it are skipped.
		p.PastBookingUID, _ = s.service.PastBookingUID(r.Context(), s.fixtures.Users[0].User)
	}
	writeJSON(w, http.StatusOK, p)
}

// checkGuestEmails refuses guests that are not email addresses. The create body's own checks
// let any string through; the real booking core then refuses it with a zod error, answered
// in its own envelope (shape B: code BAD_REQUEST, no details, "<path> - <issue>, " text).
func checkGuestEmails(guests []string) error {
	for _, g := range guests {
		if !validEmail(g) {
			return &apiError{status: http.StatusBadRequest, code: "BAD_REQUEST",
				message: "responses - {guests}email_validation_error, ", noDetails: true}
		}
	}
	return nil
}
