package booking

import (
	"strings"
	"time"
)

// Private helpers shared by the Service operations.

// CalVideoBaseURL prefixes the meeting URL of Cal Video bookings: <CalVideoBaseURL><uid>.
const CalVideoBaseURL = "https://app.cal.com/video/"

// calVideoStored is how Cal.com stores a Cal Video location before it becomes a URL.
const calVideoStored = "integrations:daily"

func calVideoURL(uid string) string { return CalVideoBaseURL + uid }

// isCalVideo reports whether a booking's location is a Cal Video meeting.
func isCalVideo(location string) bool {
	return location == calVideoStored || strings.HasPrefix(location, CalVideoBaseURL)
}

// hostsOf returns the ids of the users who host et: its owner, or its team hosts.
func hostsOf(et EventType) []int {
	if et.OwnerID != 0 {
		return append([]int{et.OwnerID}, et.HostIDs...)
	}
	return et.HostIDs
}

// isHostOf reports whether user id organises b or hosts (or owns) its event type.
func isHostOf(id int, b Booking, et EventType) bool {
	if id == 0 {
		return false
	}
	if id == b.HostID {
		return true
	}
	for _, h := range hostsOf(et) {
		if h == id {
			return true
		}
	}
	return false
}

// blocks reports whether b keeps its host busy: accepted or pending.
func blocks(b Booking) bool { return b.Status == StatusAccepted || b.Status == StatusPending }

// hostBusy reports whether hostID organises a blocking booking overlapping [start, end),
// ignoring the bookings whose uid is in except (the booking being rescheduled).
func hostBusy(tx Tx, hostID int, start, end time.Time, except map[string]bool) bool {
	for _, b := range tx.ForHost(hostID, start, end) {
		if blocks(b) && !except[b.UID] && b.Start.Before(end) && b.End.After(start) {
			return true
		}
	}
	return false
}

// slot is one [start, end) interval.
type slot struct{ start, end time.Time }

// allFree reports whether hostID is free in every slot.
func allFree(tx Tx, hostID int, slots []slot, except map[string]bool) bool {
	for _, s := range slots {
		if hostBusy(tx, hostID, s.start, s.end, except) {
			return false
		}
	}
	return true
}

// eventTitle is Cal.com's default event name: "<event type title> between <host> and
// <attendee>", where host is the team name for collective event types (Cal.com's
// getEventName uses the team name when several hosts share the booking) and the organizer's
// name otherwise.
func eventTitle(c Catalog, et EventType, host User, attendeeName string) string {
	hostName := host.Name
	if et.SchedulingType == SchedulingCollective {
		if t, ok := c.TeamByID(et.TeamID); ok && t.Name != "" {
			hostName = t.Name
		}
	}
	return et.Title + " between " + hostName + " and " + attendeeName
}

// seatIndex returns the index of the attendee holding seatUID, or -1.
func seatIndex(b Booking, seatUID string) int {
	for i, a := range b.Attendees {
		if a.SeatUID == seatUID {
			return i
		}
	}
	return -1
}

// hasAttendeeEmail reports whether an attendee of b has email (exact).
func hasAttendeeEmail(b *Booking, email string) bool {
	for _, a := range b.Attendees {
		if a.Email == email {
			return true
		}
	}
	return false
}

func notFoundInDatabase(uid string) *Error {
	return Errorf(ENOTFOUND, "Booking with uid=%s was not found in the database", uid)
}
