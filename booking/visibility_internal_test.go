package booking

import "testing"

func TestCanSeeAttendees(t *testing.T) {
	const organizer, teamHost, stranger = 1, 2, 3
	hidden := EventType{ID: 1, OwnerID: organizer, SeatsPerTimeSlot: 3}
	shown := EventType{ID: 2, OwnerID: organizer, SeatsPerTimeSlot: 3, SeatsShowAttendees: true}
	team := EventType{ID: 3, TeamID: 9, SchedulingType: SchedulingRoundRobin, HostIDs: []int{organizer, teamHost}, SeatsPerTimeSlot: 3}
	b := Booking{HostID: organizer}
	for _, c := range []struct {
		name   string
		caller *User
		et     EventType
		want   bool
	}{
		{"AnonymousShown", nil, shown, true},
		{"AnonymousHidden", nil, hidden, false},
		{"StrangerHidden", &User{ID: stranger}, hidden, false},
		{"OrganizerHidden", &User{ID: organizer}, hidden, true},
		{"TeamHostHidden", &User{ID: teamHost}, team, true},
		{"StrangerTeamHidden", &User{ID: stranger}, team, false},
	} {
		if got := canSeeAttendees(c.caller, b, c.et); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
