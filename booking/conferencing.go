package booking

import (
	"context"
	"crypto/sha1"
	"fmt"
	"strconv"
	"time"
)

// The conferencing-sessions and routing-trace reads of cal-api-version 2024-08-13
// (changes-2026 notes §1.2). Sources:
//   - cal.com apps/api/v2/src/platform/bookings/2024-08-13/controllers/bookings.controller.ts
//     getVideoSessions: @UseGuards(ApiAuthGuard, BookingUidGuard, BookingPbacGuard),
//     @Permissions([BOOKING_READ]), @Pbac(["booking.readRecordings"]);
//   - …/2024-08-13/services/cal-video.service.ts getVideoSessions: "No Cal Video reference
//     found with booking uid <uid>" (404), the same text as recordings and transcripts;
//   - …/services/cal-video.output.service.ts: Daily's snake_case session mapped to camelCase;
//   - packages/trpc/server/routers/viewer/bookings/getRoutingTrace.handler.ts: the routing
//     trace is read through BookingAccessService, the rule BookingPbacGuard applies.

// MeetingSession is one Cal Video (Daily) meeting session of a booking, as
// CalMeetingSession: times are Unix seconds and durations seconds, as Daily gives them.
type MeetingSession struct {
	ID              string
	Room            string
	StartTime       int64
	Duration        int
	Ongoing         bool
	MaxParticipants int
	Participants    []MeetingParticipant
}

// MeetingParticipant is one participant of a session. UserID is the Cal.com user id (as a
// string, Daily's user_id) of a signed-in participant, nil for a guest; UserName is nil when
// the participant gave no name.
type MeetingParticipant struct {
	UserID   *string
	UserName *string
	JoinTime int64
	Duration int
}

// RoutingTrace is a booking's routing trace: its steps, and the steps grouped by routing
// round. The mock has no routing forms, so both are always empty; their item shapes are
// UNVERIFIED (hosted docs only), hence untyped.
type RoutingTrace struct {
	Steps  []map[string]any
	Groups []map[string]any
}

// ConferencingSessions returns the Cal Video sessions of booking uid. The organizer, a host
// or an attendee may call it (BookingPbacGuard, as for the attendees).
//
// The mock has no Daily to ask, so the sessions are derived from the booking alone and the
// clock, the same booking always giving the same sessions:
//   - an accepted booking that has started has one session, in the room of its daily_video
//     reference (the booking uid when it has none), starting at the booking's start;
//   - its participants are the organizer (user id and name) and then the attendees (no user
//     id, their name), minus those marked absent: each joins at the start and stays for the
//     whole session, and maxParticipants is their number;
//   - the session is ongoing until the booking's end; its duration is the time elapsed so far
//     while ongoing, the booking's length afterwards;
//   - any other booking (future, pending, cancelled, rejected) has none: nobody met.
//
// Returns ENOTFOUND if the booking does not exist or is not a Cal Video booking, EFORBIDDEN
// for callers other than the above.
func (s *Service) ConferencingSessions(ctx context.Context, caller User, uid string) ([]MeetingSession, error) {
	var b Booking
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if b, err = s.readableBooking(tx, caller, uid); err != nil {
			return err
		}
		if !isCalVideo(b.Location) {
			return Errorf(ENOTFOUND, "No Cal Video reference found with booking uid %s", uid)
		}
		b = b.Clone()
		return nil
	})
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if b.Status != StatusAccepted || now.Before(b.Start) {
		return []MeetingSession{}, nil
	}
	return []MeetingSession{s.sessionOf(b, now)}, nil
}

// sessionOf is the one session of b, which has started by now (see ConferencingSessions).
func (s *Service) sessionOf(b Booking, now time.Time) MeetingSession {
	ongoing := now.Before(b.End)
	end := b.End
	if ongoing {
		end = now
	}
	seconds := int(end.Sub(b.Start) / time.Second)
	start := b.Start.Unix()
	var parts []MeetingParticipant
	if b.HostID != 0 && !b.AbsentHost {
		id := strconv.Itoa(b.HostID)
		p := MeetingParticipant{UserID: &id, JoinTime: start, Duration: seconds}
		if u, ok := s.catalog.UserByID(b.HostID); ok && u.Name != "" {
			p.UserName = &u.Name
		}
		parts = append(parts, p)
	}
	for _, a := range b.Attendees {
		if a.Absent {
			continue
		}
		p := MeetingParticipant{JoinTime: start, Duration: seconds}
		if a.Name != "" {
			name := a.Name
			p.UserName = &name
		}
		parts = append(parts, p)
	}
	if parts == nil {
		parts = []MeetingParticipant{}
	}
	return MeetingSession{
		ID:              sessionID(b.UID),
		Room:            roomOf(b),
		StartTime:       start,
		Duration:        seconds,
		Ongoing:         ongoing,
		MaxParticipants: len(parts),
		Participants:    parts,
	}
}

// sessionID is a UUID-shaped id (Daily's session ids are UUIDs) derived from the booking uid:
// the first 16 bytes of its SHA-1, formatted as a version-5 UUID.
func sessionID(uid string) string {
	h := sha1.Sum([]byte("calmock-session:" + uid))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// roomOf is the Daily room of a Cal Video booking: its daily_video reference's id, as
// cal-video.service.ts takes it, or the uid when the booking has no reference.
func roomOf(b Booking) string {
	for _, r := range b.References {
		if r.Type == "daily_video" && r.EventUID != "" {
			return r.EventUID
		}
	}
	return b.UID
}

// RoutingTrace returns the routing trace of booking uid to the callers of Attendees. Without
// routing forms in the mock there is never a trace, and upstream answers a booking without
// one with empty steps and groups (not 404).
//
// Returns ENOTFOUND if the booking does not exist, EFORBIDDEN for other callers.
func (s *Service) RoutingTrace(ctx context.Context, caller User, uid string) (RoutingTrace, error) {
	err := s.store.View(ctx, func(tx Tx) error {
		_, err := s.readableBooking(tx, caller, uid)
		return err
	})
	if err != nil {
		return RoutingTrace{}, err
	}
	return RoutingTrace{Steps: []map[string]any{}, Groups: []map[string]any{}}, nil
}
