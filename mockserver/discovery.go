package mockserver

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/calmock/calmock/booking"
)

// The read-only endpoints a client calls to learn who it is and what it can book: the
// profile discovery (package profile, Discover) calls them on a target, and a client that
// calls them keeps working against the mock. They answer from the fixtures world and
// change nothing. They are not bookings operations, so they sit outside the bookings
// version tables (Versions and the profile's claims do not list them): each row says which
// cal-api-version values its controller is registered for.

// version20240614 is the event types controller's version (EventTypesController_2024_06_14).
const version20240614 = "2024-06-14"

// resourceRoute is a route of a resource other than bookings, with the cal-api-version values
// its controller is registered for; nil means every version (API_VERSIONS_VALUES upstream,
// which includes the legacy 2024-04-15 that a missing or unknown header becomes, so any
// header value reaches it).
type resourceRoute struct {
	route
	versions []string
}

// discoveryRoutes lists the discovery endpoints.
func (s *Server) discoveryRoutes() []resourceRoute {
	return []resourceRoute{
		// MeController: @Controller({path: "/v2/me", version: API_VERSIONS_VALUES}),
		// ApiAuthGuard + PermissionsGuard (cal.com apps/api/v2/src/ee/me/me.controller.ts).
		{route{http.MethodGet, "/v2/me", "MeController_getMe", authRequired, false, s.handleMe}, nil},
		// EventTypesController_2024_06_14, registered for 2024-06-14 only; the legacy
		// 2024-04-15 controller has the same path with other bodies, which the mock does not
		// imitate (the 400 of msgUnsupportedResourceVersion). Authorization is optional.
		{route{http.MethodGet, "/v2/event-types", "EventTypesController_2024_06_14_getEventTypes", authOptional, true, s.handleEventTypes}, []string{version20240614}},
		// TeamsController (API_VERSIONS_VALUES): the caller's teams.
		{route{http.MethodGet, "/v2/teams", "TeamsController_getTeams", authRequired, false, s.handleTeams}, nil},
		// TeamsEventTypesController: @Controller({path: "/v2/teams/:teamId/event-types",
		// version: API_VERSIONS_VALUES}), @Roles("TEAM_MEMBER") (cal.com
		// apps/api/v2/src/modules/teams/event-types/controllers/teams-event-types.controller.ts).
		{route{http.MethodGet, "/v2/teams/{teamId}/event-types", "TeamsEventTypesController_getTeamEventTypes", authRequired, false, s.handleTeamEventTypes}, nil},
	}
}

// msgUnsupportedResourceVersion is msgUnsupportedVersion for a resource outside bookings.
const msgUnsupportedResourceVersion = "calmock implements %s %s of cal-api-version %s only. This request's cal-api-version is %q; the real API would route it to its legacy controller (missing, unknown or older versions fall back to it), whose bodies differ. Send the header 'cal-api-version: %s'."

// selectResourceRoute is selectRoute for a resource row: NestJS's exact match of the
// controller's versions, with the same three outcomes.
func (s *Server) selectResourceRoute(r *http.Request, rr *resourceRoute) (route, error, error) {
	v := r.Header.Get(versionHeader)
	if rr.versions == nil || slices.Contains(rr.versions, v) {
		return rr.route, nil, nil
	}
	if v == version20240904 || slices.ContainsFunc(s.tables, func(t versionTable) bool { return t.version == v }) {
		return route{}, nil, cannot(r)
	}
	return route{}, newAPIError(http.StatusBadRequest, sprintf(msgUnsupportedResourceVersion,
		rr.method, rr.path, strings.Join(rr.versions, ", "), v, rr.versions[0])), nil
}

// meOut is MeOutput (GET /v2/me). The fixtures have no schedules, organisations or
// preferences: every user has one default schedule numbered as the user, the 12-hour format
// and Sunday weeks (Cal.com's defaults), and no organisation (organizationId null, as
// upstream's MeOutput declares it: number | null; cal.com apps/api/v2/src/ee/me/outputs/me.output.ts).
type meOut struct {
	ID                int    `json:"id"`
	Username          string `json:"username"`
	Email             string `json:"email"`
	TimeFormat        int    `json:"timeFormat"`
	DefaultScheduleID int    `json:"defaultScheduleId"`
	WeekStart         string `json:"weekStart"`
	TimeZone          string `json:"timeZone"`
	OrganizationID    *int   `json:"organizationId"`
}

func (s *Server) handleMe(c *call) error {
	u := c.caller
	writeData(c.w, http.StatusOK, meOut{
		ID: u.ID, Username: u.Username, Email: u.Email, TimeFormat: 12, DefaultScheduleID: u.ID,
		WeekStart: "Sunday", TimeZone: u.TimeZone,
	})
	return nil
}

// teamOut is TeamOutputDto (GET /v2/teams).
type teamOut struct {
	ID             int    `json:"id"`
	Name           string `json:"name"`
	Slug           string `json:"slug"`
	IsOrganization bool   `json:"isOrganization"`
	IsPrivate      bool   `json:"isPrivate"`
}

// memberOf reports whether the user belongs to the team: the fixtures have no memberships,
// so the members of a team are the hosts of its event types.
func (s *Server) memberOf(userID, teamID int) bool {
	for _, et := range s.fixtures.EventTypes {
		if et.TeamID == teamID && slices.Contains(et.HostIDs, userID) {
			return true
		}
	}
	return false
}

func (s *Server) handleTeams(c *call) error {
	out := []teamOut{}
	for _, t := range s.fixtures.Teams {
		if s.memberOf(c.caller.ID, t.ID) {
			out = append(out, teamOut{ID: t.ID, Name: t.Name, Slug: t.Slug})
		}
	}
	writeData(c.w, http.StatusOK, out)
	return nil
}

// eventTypeFullOut is EventTypeOutput_2024_06_14 and, with the team fields,
// TeamEventTypeOutput (GET /v2/event-types, GET /v2/teams/{teamId}/event-types; eventTypeOut
// is a booking's reference to one), in the fields Cal.com's output service writes (cal.com
// apps/api/v2/src/ee/event-types/event-types_2024_06_14/services/output-event-types.service.ts).
// What the fixtures do not model has Cal.com's default: no description, buffers, price or
// redirects, and no booking form of its own (bookingFields empty).
type eventTypeFullOut struct {
	ID                              int                `json:"id"`
	LengthInMinutes                 int                `json:"lengthInMinutes"`
	LengthInMinutesOptions          []int              `json:"lengthInMinutesOptions,omitempty"`
	Title                           string             `json:"title"`
	Slug                            string             `json:"slug"`
	Description                     string             `json:"description"`
	Locations                       []map[string]any   `json:"locations"`
	BookingFields                   []any              `json:"bookingFields"`
	DisableGuests                   bool               `json:"disableGuests"`
	SlotInterval                    *int               `json:"slotInterval"`
	MinimumBookingNotice            int                `json:"minimumBookingNotice"`
	BeforeEventBuffer               int                `json:"beforeEventBuffer"`
	AfterEventBuffer                int                `json:"afterEventBuffer"`
	Recurrence                      *recurrenceOut     `json:"recurrence"`
	Metadata                        map[string]any     `json:"metadata"`
	Price                           int                `json:"price"`
	Currency                        string             `json:"currency"`
	LockTimeZoneToggleOnBookingPage bool               `json:"lockTimeZoneToggleOnBookingPage"`
	SeatsPerTimeSlot                *int               `json:"seatsPerTimeSlot"`
	ForwardParamsSuccessRedirect    bool               `json:"forwardParamsSuccessRedirect"`
	SuccessRedirectURL              *string            `json:"successRedirectUrl"`
	IsInstantEvent                  bool               `json:"isInstantEvent"`
	SeatsShowAvailabilityCount      *bool              `json:"seatsShowAvailabilityCount"`
	ScheduleID                      *int               `json:"scheduleId"`
	ConfirmationPolicy              map[string]any     `json:"confirmationPolicy,omitempty"`
	Seats                           *seatsOut          `json:"seats,omitempty"`
	Hidden                          bool               `json:"hidden"`
	BookingRequiresAuthentication   bool               `json:"bookingRequiresAuthentication"`
	OwnerID                         *int               `json:"ownerId"`
	Users                           []eventTypeUserOut `json:"users,omitempty"`
	TeamID                          int                `json:"teamId,omitempty"`
	Hosts                           []eventTypeHostOut `json:"hosts,omitempty"`
	SchedulingType                  string             `json:"schedulingType,omitempty"`
	Team                            *eventTypeTeamOut  `json:"team,omitempty"`
}

// recurrenceOut is Recurrence_2024_06_14 (transformRecurrenceInternalToApi).
type recurrenceOut struct {
	Interval    int    `json:"interval"`
	Occurrences int    `json:"occurrences"`
	Frequency   string `json:"frequency"`
}

// seatsOut is Seats_2024_06_14 (transformSeatsInternalToApi).
type seatsOut struct {
	SeatsPerTimeSlot      int  `json:"seatsPerTimeSlot"`
	ShowAttendeeInfo      bool `json:"showAttendeeInfo"`
	ShowAvailabilityCount bool `json:"showAvailabilityCount"`
}

type eventTypeUserOut struct {
	ID       int    `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

// eventTypeHostOut is a host of a team event type as the output pipe writes it.
type eventTypeHostOut struct {
	UserID   int    `json:"userId"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

// eventTypeTeamOut is EventTypeTeam. The fixtures' teams have no branding: those columns,
// nullable in Cal.com's Team model, are null.
type eventTypeTeamOut struct {
	ID             int     `json:"id"`
	Slug           string  `json:"slug"`
	BannerURL      *string `json:"bannerUrl"`
	Name           string  `json:"name"`
	LogoURL        *string `json:"logoUrl"`
	WeekStart      string  `json:"weekStart"`
	BrandColor     *string `json:"brandColor"`
	DarkBrandColor *string `json:"darkBrandColor"`
	Theme          *string `json:"theme"`
}

// frequencyNames are Recurrence_2024_06_14's frequencies by Cal.com's rrule number.
var frequencyNames = map[booking.Frequency]string{booking.FrequencyYearly: "yearly", booking.FrequencyMonthly: "monthly", booking.FrequencyWeekly: "weekly"}

// fullEventType builds the output of one event type.
func (s *Server) fullEventType(et booking.EventType) eventTypeFullOut {
	out := eventTypeFullOut{
		ID: et.ID, LengthInMinutes: et.LengthInMinutes, LengthInMinutesOptions: et.LengthOptions,
		Title: et.Title, Slug: et.Slug, Locations: locationsOut(et), BookingFields: []any{},
		Metadata: map[string]any{}, Currency: "usd", ForwardParamsSuccessRedirect: true,
	}
	if r := et.Recurrence; r != nil {
		out.Recurrence = &recurrenceOut{Interval: r.Interval, Occurrences: r.Count, Frequency: frequencyNames[r.Frequency]}
	}
	// transformRequiresConfirmationInternalToApi: {type: always, ...} or {disabled: true}.
	if et.RequiresConfirmation {
		out.ConfirmationPolicy = map[string]any{"type": "always", "blockUnconfirmedBookingsInBooker": false}
	} else {
		out.ConfirmationPolicy = map[string]any{"disabled": true}
	}
	if et.IsSeated() {
		n, show := et.SeatsPerTimeSlot, false
		out.SeatsPerTimeSlot, out.SeatsShowAvailabilityCount = &n, &show
		out.Seats = &seatsOut{SeatsPerTimeSlot: n, ShowAttendeeInfo: et.SeatsShowAttendees}
	}
	if et.OwnerID != 0 {
		id := et.OwnerID
		out.OwnerID = &id
		if u, ok := s.catalog.UserByID(et.OwnerID); ok {
			out.Users = []eventTypeUserOut{{ID: u.ID, Name: u.Name, Username: u.Username}}
		}
		return out
	}
	out.TeamID, out.SchedulingType = et.TeamID, string(et.SchedulingType)
	out.Hosts = []eventTypeHostOut{}
	for _, h := range et.HostIDs {
		if u, ok := s.catalog.UserByID(h); ok {
			out.Hosts = append(out.Hosts, eventTypeHostOut{UserID: u.ID, Name: u.Name, Username: u.Username})
		}
	}
	if t, ok := s.catalog.TeamByID(et.TeamID); ok {
		out.Team = &eventTypeTeamOut{ID: t.ID, Slug: t.Slug, Name: t.Name, WeekStart: "Sunday"}
	}
	return out
}

// locationsOut writes the event type's locations as transformLocationsInternalToApi does:
// one integration location per configured integration, the others with their value.
func locationsOut(et booking.EventType) []map[string]any {
	out := []map[string]any{}
	for _, l := range et.Locations {
		switch l {
		case "integration":
			for _, in := range et.Integrations {
				out = append(out, map[string]any{"type": "integration", "integration": in})
			}
		case "address":
			out = append(out, map[string]any{"type": "address", "address": et.Address, "public": true})
		case "link":
			out = append(out, map[string]any{"type": "link", "link": et.Link, "public": true})
		case "phone":
			out = append(out, map[string]any{"type": "phone", "phone": et.Phone, "public": true})
		}
	}
	return out
}

// handleEventTypes serves GET /v2/event-types as EventTypesService_2024_06_14.getEventTypes
// decides (cal.com apps/api/v2/src/ee/event-types/event-types_2024_06_14/services/
// event-types.service.ts): username (with eventSlug: that one event type) names the user,
// an unknown one gives an empty list; else the caller's event types; anonymous without a
// username, none. The fixtures have no hidden event types, so what the owner and others
// see is the same. usernames (a dynamic event type) and orgSlug/orgId (organisation users)
// match nothing in the fixtures: an empty list.
func (s *Server) handleEventTypes(c *call) error {
	q := c.r.URL.Query()
	if v := q.Get("orgId"); v != "" {
		if _, err := strconv.Atoi(v); err != nil {
			return newAPIError(http.StatusBadRequest, "orgId must be an integer number")
		}
	}
	owner := 0
	switch username := q.Get("username"); {
	case q.Get("orgSlug") != "" || q.Get("orgId") != "":
	case username != "":
		if u, ok := s.catalog.UserByUsername(username); ok {
			owner = u.ID
		}
	case q.Get("usernames") != "":
	case c.caller != nil:
		owner = c.caller.ID
	}
	slug := q.Get("eventSlug")
	if q.Get("username") == "" {
		slug = "" // eventSlug counts only with username
	}
	out := []eventTypeFullOut{}
	for _, et := range s.fixtures.EventTypes {
		if owner != 0 && et.OwnerID == owner && (slug == "" || et.Slug == slug) {
			out = append(out, s.fullEventType(et.EventType))
		}
	}
	writeData(c.w, http.StatusOK, out)
	return nil
}

// handleTeamEventTypes serves GET /v2/teams/{teamId}/event-types for a member of the team
// (RolesGuard: "RolesGuard - User is not a member of the team with id=<id>.", 403).
func (s *Server) handleTeamEventTypes(c *call) error {
	raw := c.pathVar("teamId")
	teamID, err := strconv.Atoi(raw)
	if err != nil {
		return newAPIError(http.StatusBadRequest, "Validation failed (numeric string is expected)")
	}
	if v := c.r.URL.Query().Get("hostsLimit"); v != "" {
		if _, err := strconv.Atoi(v); err != nil {
			return newAPIError(http.StatusBadRequest, "hostsLimit must be an integer number")
		}
	}
	if !s.memberOf(c.caller.ID, teamID) {
		return newAPIError(http.StatusForbidden, sprintf("RolesGuard - User is not a member of the team with id=%s.", raw))
	}
	slug := c.r.URL.Query().Get("eventSlug")
	out := []eventTypeFullOut{}
	for _, et := range s.fixtures.EventTypes {
		if et.TeamID == teamID && (slug == "" || et.Slug == slug) {
			out = append(out, s.fullEventType(et.EventType))
		}
	}
	writeData(c.w, http.StatusOK, out)
	return nil
}
