package differential

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"

	"github.com/calmock/calmock/booking"
	"github.com/calmock/calmock/fixtures"
	"github.com/calmock/calmock/mockserver"
	"github.com/calmock/calmock/profile"
)

// Placeholders stand for what a profile does not say: a user's display name, an event
// type's title, a host the profile lists by id only. The oracle shows them where the
// target shows the real value; the comparison learns each pair from the first answer that
// shows both (see Normalisations, kind learned) and substitutes it from then on. They are
// unlike any real value, so that a substitution never hits a string by accident.
const (
	placeholderUser      = "mirror-user-"
	placeholderEventType = "mirror-event-type-"
	placeholderHost      = "mirror-host-"
)

// mirrorTeamID is the id of the team of a round-robin event type: a profile names the
// team by slug only, and no booking answer shows the team's id.
const mirrorTeamID = 1

// MirrorFixtures builds the world of an oracle from a target's profile: the same users
// (ids, usernames, emails, time zones, API keys), the same event types (ids, slugs, kinds,
// lengths and length options, seats, recurrence, round-robin hosts and team slug), and no
// bookings. What the profile does not carry gets a placeholder: user names, event type
// titles, and hosts that are not among the profile's users. Every event type is located
// on Cal Video, Cal.com's default for a new event type. The set is checked with
// fixtures.Set.Validate.
func MirrorFixtures(p profile.Profile) (*fixtures.Set, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("mirror fixtures: %w", err)
	}
	set := &fixtures.Set{}
	byUsername := map[string]int{}
	known := map[int]bool{}
	for _, u := range p.Users {
		set.Users = append(set.Users, fixtures.User{
			User: booking.User{
				ID: u.ID, Username: u.Username, Email: u.Email, TimeZone: u.TimeZone,
				Name: placeholderUser + strconv.Itoa(u.ID),
			},
			APIKey: u.APIKey,
		})
		byUsername[u.Username] = u.ID
		known[u.ID] = true
	}
	for _, kind := range profile.Kinds {
		pe, ok := p.EventTypes[kind]
		if !ok {
			continue
		}
		et := booking.EventType{
			ID: pe.ID, Slug: pe.Slug, Title: placeholderEventType + strconv.Itoa(pe.ID),
			LengthInMinutes: pe.LengthInMinutes,
			Locations:       []string{"integration"}, Integrations: []string{"cal-video"},
		}
		switch kind {
		case profile.KindRequiresConfirmation:
			et.RequiresConfirmation = true
		case profile.KindSeated:
			et.SeatsPerTimeSlot, et.SeatsShowAttendees = pe.SeatsPerTimeSlot, pe.SeatsShowAttendees
		case profile.KindRecurring:
			r := pe.Recurrence
			et.Recurrence = &booking.Recurrence{Frequency: booking.Frequency(r.Freq), Interval: r.Interval, Count: r.Count}
		case profile.KindVariableLength:
			et.LengthOptions = slices.Clone(pe.LengthOptions)
			if !slices.Contains(et.LengthOptions, et.LengthInMinutes) {
				// Cal.com always lets a booker take the default length.
				et.LengthOptions = append(et.LengthOptions, et.LengthInMinutes)
				slices.Sort(et.LengthOptions)
			}
		}
		if kind == profile.KindRoundRobin {
			et.TeamID, et.SchedulingType = mirrorTeamID, booking.SchedulingRoundRobin
			et.HostIDs = slices.Clone(pe.HostUserIDs)
			set.Teams = []booking.Team{{ID: mirrorTeamID, Slug: pe.TeamSlug, Name: pe.TeamSlug}}
			for _, h := range pe.HostUserIDs {
				if known[h] {
					continue
				}
				known[h] = true
				tag := placeholderHost + strconv.Itoa(h)
				set.Users = append(set.Users, fixtures.User{
					User: booking.User{
						ID: h, Username: tag, Name: tag, Email: tag + "@example.invalid", TimeZone: "UTC",
					},
					// Never sent: the profile has no key for this host.
					APIKey: "cal_" + tag,
				})
			}
		} else {
			owner, ok := byUsername[pe.OwnerUsername]
			if !ok {
				owner = p.Users[0].ID // profile.EventType: the first user owns the personal kinds
			}
			et.OwnerID = owner
		}
		set.EventTypes = append(set.EventTypes, fixtures.EventType{EventType: et, Kind: kind})
	}
	if err := set.Validate(); err != nil {
		return nil, fmt.Errorf("mirror fixtures: %w", err)
	}
	return set, nil
}

// newOracle starts an in-process calmock over set: rate limits off (the oracle is never the
// one that paces), the journal off, uids from seed.
func newOracle(set *fixtures.Set, seed int64) (http.Handler, error) {
	srv, err := mockserver.New(mockserver.Config{Fixtures: set, Seed: seed, JournalSize: -1})
	if err != nil {
		return nil, fmt.Errorf("oracle: %w", err)
	}
	return srv, nil
}

// handlerClient sends requests straight to an in-process handler, without a socket.
type handlerClient struct{ h http.Handler }

func (c handlerClient) Do(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	return rec.Result(), nil
}
