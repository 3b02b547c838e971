package clockifytest

import (
	"slices"
	"strings"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// Member is a user of a workspace as the fake stores it.
type Member struct {
	User clockify.User
	// APIKey authenticates as this user ("" for a member with no key).
	APIKey string
	// Admin members may list users, manage webhooks, run reports and read others' entries.
	Admin bool
	// Status is the membership status (ACTIVE when empty).
	Status clockify.MemberStatus
}

// AddWorkspace stores a workspace (an id is assigned when empty) and returns it. Given
// the id of a stored workspace, it replaces that workspace's settings and keeps its
// members, projects, entries and webhooks.
func (s *Server) AddWorkspace(w clockify.Workspace) clockify.Workspace {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.addWorkspace(w).ws
}

// AddMember adds a user to a workspace (an id is assigned when empty) and returns it.
// It panics if the workspace is unknown: that is a mistake in the test.
func (s *Server) AddMember(workspaceID string, m Member) clockify.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.addMember(workspaceID, m)
}

func (st *state) addMember(workspaceID string, m Member) clockify.User {
	ws, ok := st.workspaces[workspaceID]
	if !ok {
		panic("clockifytest: AddMember to unknown workspace " + workspaceID)
	}
	u := m.User
	if u.ID == "" {
		u.ID = st.newID()
	}
	if u.Status == "" {
		u.Status = clockify.AccountActive
	}
	if u.ActiveWorkspace == "" {
		u.ActiveWorkspace, u.DefaultWorkspace = workspaceID, workspaceID
	}
	if u.Settings == nil {
		u.Settings = &clockify.UserSettings{TimeZone: "UTC", WeekStart: "MONDAY"}
	}
	st.users[u.ID] = &u
	if m.APIKey != "" {
		st.keys[m.APIKey] = u.ID
	}
	status := m.Status
	if status == "" {
		status = clockify.MemberActive
	}
	if _, ok := ws.status[u.ID]; !ok {
		ws.members = append(ws.members, u.ID)
	}
	ws.status[u.ID] = status
	ws.admins[u.ID] = m.Admin
	return u
}

// RevokeAPIKey makes the fake refuse an API key from now on, as Clockify does once its
// user generates a new one: every request with it gets 401 "Api key does not exist"
// (code 4003). It reports whether the key was known.
func (s *Server) RevokeAPIKey(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.state.keys[key]
	delete(s.state.keys, key)
	return ok
}

// SetDeletionLag makes the list of deleted entities (GET .../entities/deleted) leave out
// an entry until d after its deletion: Clockify documents that a deletion shows there
// "approximately one minute after" it. The default is none.
func (s *Server) SetDeletionLag(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deletionLag = d
}

// SetFreePlan moves a workspace to Clockify's Free plan (free true) or to a paid one, as
// its owner's subscription changes. On the Free plan a workspace holds at most three
// webhooks: a downgrade disables all but the three oldest (listed with enabled false,
// and not delivered), and creating a fourth is refused. An upgrade enables them again.
func (s *Server) SetFreePlan(workspaceID string, free bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws, ok := s.state.workspaces[workspaceID]
	if !ok {
		return errAccessDenied
	}
	ws.free = free
	for i, id := range ws.hookIDs {
		ws.webhooks[id].Enabled = !free || i < maxWebhooksFree
	}
	return nil
}

// AddAddonToken lets an add-on token (sent in X-Addon-Token) act as a user.
func (s *Server) AddAddonToken(token, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.addonTokens[token] = userID
}

// AddTag stores a tag in a workspace and returns it. A tag without a name is refused,
// as Clockify refuses it ("Tag name is required").
func (s *Server) AddTag(workspaceID string, t clockify.Tag) (clockify.Tag, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws, ok := s.state.workspaces[workspaceID]
	if !ok {
		return t, errAccessDenied
	}
	if t.Name = strings.TrimSpace(t.Name); t.Name == "" {
		return t, errBadRequest("Tag name is required")
	}
	if t.ID == "" {
		t.ID = s.state.newID()
	}
	t.WorkspaceID = workspaceID
	ws.tags[t.ID] = t
	return t, nil
}

// AddProject stores a project and delivers NEW_PROJECT to matching webhooks.
func (s *Server) AddProject(workspaceID string, p clockify.Project) (clockify.Project, error) {
	return s.seedProject(workspaceID, func(st *state, ws *workspace) (*clockify.Project, clockify.WebhookEvent, *apiError) {
		p.ID = ""
		ev, err := st.putProject(ws, &p, true)
		return &p, ev, err
	})
}

// UpdateProject replaces a stored project and delivers PROJECT_UPDATED.
func (s *Server) UpdateProject(workspaceID string, p clockify.Project) (clockify.Project, error) {
	return s.seedProject(workspaceID, func(st *state, ws *workspace) (*clockify.Project, clockify.WebhookEvent, *apiError) {
		if _, ok := ws.projects[p.ID]; !ok {
			return nil, "", errNotInWorkspace("Project")
		}
		ev, err := st.putProject(ws, &p, false)
		return &p, ev, err
	})
}

// DeleteProject removes an archived project and delivers PROJECT_DELETED.
func (s *Server) DeleteProject(workspaceID, projectID string) error {
	_, err := s.seedProject(workspaceID, func(_ *state, ws *workspace) (*clockify.Project, clockify.WebhookEvent, *apiError) {
		return removeProject(ws, projectID)
	})
	return err
}

// seedProject applies a Go-side project change to any workspace.
func (s *Server) seedProject(workspaceID string, change func(*state, *workspace) (*clockify.Project, clockify.WebhookEvent, *apiError)) (clockify.Project, error) {
	p, err := s.changeProject(asServer(workspaceID), change)
	if err != nil {
		return clockify.Project{}, err
	}
	return *p, nil
}

// AddTimeEntry stores an entry (a nil End starts a timer) and delivers NEW_TIME_ENTRY or
// NEW_TIMER_STARTED. UserID must be a member of the workspace.
func (s *Server) AddTimeEntry(workspaceID string, e clockify.TimeEntry) (clockify.TimeEntry, error) {
	return s.seedEntry(workspaceID, func(st *state, ws *workspace) (*clockify.TimeEntry, clockify.WebhookEvent, *apiError) {
		ev, err := st.putEntry(ws, &e, true, s.now())
		return &e, ev, err
	})
}

// UpdateTimeEntry replaces a stored entry and delivers TIME_ENTRY_UPDATED.
func (s *Server) UpdateTimeEntry(workspaceID string, e clockify.TimeEntry) (clockify.TimeEntry, error) {
	return s.seedEntry(workspaceID, func(st *state, ws *workspace) (*clockify.TimeEntry, clockify.WebhookEvent, *apiError) {
		if _, ok := ws.entries[e.ID]; !ok {
			return nil, "", errNotInWorkspace("Time entry")
		}
		ev, err := st.putEntry(ws, &e, false, s.now())
		return &e, ev, err
	})
}

// DeleteTimeEntry removes an entry and delivers TIME_ENTRY_DELETED.
func (s *Server) DeleteTimeEntry(workspaceID, entryID string) error {
	_, err := s.seedEntry(workspaceID, func(_ *state, ws *workspace) (*clockify.TimeEntry, clockify.WebhookEvent, *apiError) {
		e, ok := ws.entries[entryID]
		if !ok {
			return nil, "", errNotInWorkspace("Time entry")
		}
		ws.deleteEntry(e, s.now())
		return e, clockify.EventTimeEntryDeleted, nil
	})
	return err
}

// SplitTimeEntry splits an entry in two at a time inside it (for a running timer, before
// now), as Clockify's Split action does: the entry keeps its id and ends at at, and a
// new entry with its details starts at at and ends where it ended, or runs on. It
// delivers TIME_ENTRY_SPLIT with the new entry, and returns it. Clockify documents
// neither which part its delivery carries nor a delivery for the other part; its sample
// delivery is of a running entry, as the later part of a running timer is.
func (s *Server) SplitTimeEntry(workspaceID, entryID string, at time.Time) (clockify.TimeEntry, error) {
	return s.seedEntry(workspaceID, func(st *state, ws *workspace) (*clockify.TimeEntry, clockify.WebhookEvent, *apiError) {
		e, ok := ws.entries[entryID]
		if !ok {
			return nil, "", errNotInWorkspace("Time entry")
		}
		at := at.UTC().Truncate(time.Second)
		iv, end := e.TimeInterval, s.now() // a timer runs to now
		if iv.End != nil {
			end = *iv.End
		}
		if !at.After(iv.Start) || !at.Before(end) {
			return nil, "", errBadRequest("The split time must be within the time entry")
		}
		later := plainEntry(e)
		later.ID, later.TimeInterval = "", clockify.TimeInterval{Start: at, End: iv.End}
		if _, err := st.putEntry(ws, &later, true, s.now()); err != nil { // checked before any change
			return nil, "", err
		}
		d := clockify.Duration(at.Sub(iv.Start))
		e.TimeInterval.End, e.TimeInterval.Duration = &at, &d
		ws.touch(e.ID, s.now())
		return &later, clockify.EventTimeEntrySplit, nil
	})
}

// RestoreTimeEntry brings a deleted entry back, as Clockify's undo of a deletion does,
// and delivers TIME_ENTRY_RESTORED. The entry leaves the list of deleted entities and
// counts as updated now in the lists of changes (what Clockify's lists show of a
// restore is not documented). An entry whose project was deleted since is refused.
func (s *Server) RestoreTimeEntry(workspaceID, entryID string) (clockify.TimeEntry, error) {
	return s.seedEntry(workspaceID, func(st *state, ws *workspace) (*clockify.TimeEntry, clockify.WebhookEvent, *apiError) {
		i := slices.IndexFunc(ws.bin, func(b binRecord) bool { return b.id == entryID })
		if i < 0 {
			return nil, "", errNotInWorkspace("Time entry")
		}
		b := ws.bin[i]
		e := plainEntry(&b.entry)
		if _, err := st.putEntry(ws, &e, true, s.now()); err != nil {
			return nil, "", err
		}
		ws.bin = slices.Delete(ws.bin, i, i+1)
		ws.audit[e.ID] = audit{created: b.created, updated: s.now().UTC()}
		return &e, clockify.EventTimeEntryRestored, nil
	})
}

// StopTimer stops a user's running timer at end and delivers TIMER_STOPPED.
func (s *Server) StopTimer(workspaceID, userID string, end time.Time) (clockify.TimeEntry, error) {
	return s.seedEntry(workspaceID, func(_ *state, ws *workspace) (*clockify.TimeEntry, clockify.WebhookEvent, *apiError) {
		return stopRunning(ws, userID, end, s.now())
	})
}

// seedEntry applies a Go-side entry change to any workspace.
func (s *Server) seedEntry(workspaceID string, change func(*state, *workspace) (*clockify.TimeEntry, clockify.WebhookEvent, *apiError)) (clockify.TimeEntry, error) {
	e, err := s.changeEntry(asServer(workspaceID), change)
	if err != nil {
		return clockify.TimeEntry{}, err
	}
	return *e, nil
}

// TimeEntries returns a snapshot of a workspace's entries, newest start first.
func (s *Server) TimeEntries(workspaceID string) []clockify.TimeEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws, ok := s.state.workspaces[workspaceID]
	if !ok {
		return nil
	}
	var out []clockify.TimeEntry
	for _, e := range ws.sortedEntries(func(*clockify.TimeEntry) bool { return true }) {
		out = append(out, plainEntry(e))
	}
	return out
}

// Webhooks returns a snapshot of a workspace's webhooks, tokens included.
func (s *Server) Webhooks(workspaceID string) []clockify.Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws, ok := s.state.workspaces[workspaceID]
	if !ok {
		return nil
	}
	var out []clockify.Webhook
	for _, id := range ws.hookIDs {
		h := *ws.webhooks[id]
		h.TriggerSource = slices.Clone(h.TriggerSource)
		out = append(out, h)
	}
	return out
}
