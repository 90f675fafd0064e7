package booking

// StaticCatalog is a Catalog over fixed maps, for tests and fixtures. Build it with
// NewStaticCatalog; it is read-only afterwards and so safe for concurrent use.
type StaticCatalog struct {
	Users      map[int]User
	Teams      map[int]Team
	EventTypes map[int]EventType
}

var _ Catalog = (*StaticCatalog)(nil)

// NewStaticCatalog indexes users, teams and event types by id.
func NewStaticCatalog(users []User, teams []Team, eventTypes []EventType) *StaticCatalog {
	c := &StaticCatalog{Users: map[int]User{}, Teams: map[int]Team{}, EventTypes: map[int]EventType{}}
	for _, u := range users {
		c.Users[u.ID] = u
	}
	for _, t := range teams {
		c.Teams[t.ID] = t
	}
	for _, e := range eventTypes {
		c.EventTypes[e.ID] = e
	}
	return c
}

func (c *StaticCatalog) UserByID(id int) (User, bool) {
	u, ok := c.Users[id]
	return u, ok
}

func (c *StaticCatalog) UserByUsername(username string) (User, bool) {
	for _, u := range c.Users {
		if u.Username == username {
			return u, true
		}
	}
	return User{}, false
}

func (c *StaticCatalog) TeamByID(id int) (Team, bool) {
	t, ok := c.Teams[id]
	return t, ok
}

func (c *StaticCatalog) TeamBySlug(slug string) (Team, bool) {
	for _, t := range c.Teams {
		if t.Slug == slug {
			return t, true
		}
	}
	return Team{}, false
}

func (c *StaticCatalog) EventTypeByID(id int) (EventType, bool) {
	e, ok := c.EventTypes[id]
	return e, ok
}

// EventTypeBySlug finds a personal event type by owner username, or a team one by team slug.
func (c *StaticCatalog) EventTypeBySlug(slug, username, teamSlug string) (EventType, bool) {
	var ownerID, teamID int
	switch {
	case username != "":
		u, ok := c.UserByUsername(username)
		if !ok {
			return EventType{}, false
		}
		ownerID = u.ID
	case teamSlug != "":
		t, ok := c.TeamBySlug(teamSlug)
		if !ok {
			return EventType{}, false
		}
		teamID = t.ID
	default:
		return EventType{}, false
	}
	for _, e := range c.EventTypes {
		if e.Slug == slug && ((ownerID != 0 && e.OwnerID == ownerID) || (teamID != 0 && e.TeamID == teamID)) {
			return e, true
		}
	}
	return EventType{}, false
}
