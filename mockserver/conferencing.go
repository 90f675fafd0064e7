package mockserver

import (
	"net/http"

	"github.com/calmock/calmock/booking"
)

// Handlers of the conferencing-sessions and routing-trace reads (cal-api-version 2024-08-13
// only; the rules are in booking/conferencing.go).

// handleConferencingSessions handles GET /v2/bookings/{bookingUid}/conferencing-sessions.
func (s *Server) handleConferencingSessions(c *call) error {
	sessions, err := s.service.ConferencingSessions(c.r.Context(), *c.caller, c.pathVar("bookingUid"))
	if err != nil {
		return err
	}
	out := make([]meetingSessionOut, len(sessions))
	for i, m := range sessions {
		out[i] = toMeetingSessionOut(m)
	}
	writeData(c.w, http.StatusOK, out)
	return nil
}

// handleRoutingTrace handles GET /v2/bookings/{bookingUid}/routing-trace.
func (s *Server) handleRoutingTrace(c *call) error {
	tr, err := s.service.RoutingTrace(c.r.Context(), *c.caller, c.pathVar("bookingUid"))
	if err != nil {
		return err
	}
	writeData(c.w, http.StatusOK, routingTraceOut{Steps: tr.Steps, Groups: tr.Groups})
	return nil
}

// meetingSessionOut is CalMeetingSession (cal-video.output.service.ts); userId and userName
// are always present, null when unknown.
type meetingSessionOut struct {
	ID              string                  `json:"id"`
	Room            string                  `json:"room"`
	StartTime       int64                   `json:"startTime"`
	Duration        int                     `json:"duration"`
	Ongoing         bool                    `json:"ongoing"`
	MaxParticipants int                     `json:"maxParticipants"`
	Participants    []meetingParticipantOut `json:"participants"`
}

type meetingParticipantOut struct {
	UserID   *string `json:"userId"`
	UserName *string `json:"userName"`
	JoinTime int64   `json:"joinTime"`
	Duration int     `json:"duration"`
}

func toMeetingSessionOut(m booking.MeetingSession) meetingSessionOut {
	parts := make([]meetingParticipantOut, len(m.Participants))
	for i, p := range m.Participants {
		parts[i] = meetingParticipantOut(p)
	}
	return meetingSessionOut{ID: m.ID, Room: m.Room, StartTime: m.StartTime, Duration: m.Duration,
		Ongoing: m.Ongoing, MaxParticipants: m.MaxParticipants, Participants: parts}
}

// routingTraceOut is GetBookingRoutingTraceOutput_2024_08_13's data as far as it is known
// (changes-2026 §1.2: hosted docs only, schema UNVERIFIED beyond steps and groups).
type routingTraceOut struct {
	Steps  []map[string]any `json:"steps"`
	Groups []map[string]any `json:"groups"`
}
