package clockifytest

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// state is everything the fake stores. Every method expects the server's lock held.
type state struct {
	seq         uint64
	rng         *rand.Rand
	keys        map[string]string // API key → user id
	addonTokens map[string]string // add-on token → user id
	users       map[string]*clockify.User
	workspaces  map[string]*workspace
	wsOrder     []string
}

type workspace struct {
	ws       clockify.Workspace
	members  []string // user ids in the order they joined
	admins   map[string]bool
	status   map[string]clockify.MemberStatus
	projects map[string]*clockify.Project
	entries  map[string]*clockify.TimeEntry
	tags     map[string]clockify.Tag
	webhooks map[string]*clockify.Webhook
	hookIDs  []string // in the order they were created
	logs     map[string][]clockify.WebhookLog
	free     bool // on the Free plan (SetFreePlan)
	// audit holds when each stored entry was created and last updated; bin holds the
	// deleted entries, as Clockify's entity-change endpoints report them.
	audit map[string]audit
	bin   []binRecord
}

// audit is when an entry was created and last changed.
type audit struct{ created, updated time.Time }

// binRecord is a deleted entry.
type binRecord struct {
	id        string
	deletedAt time.Time
	created   time.Time
	entry     clockify.TimeEntry
}

func newState() *state {
	return &state{
		rng:         rand.New(rand.NewPCG(7, 11)),
		keys:        map[string]string{},
		addonTokens: map[string]string{},
		users:       map[string]*clockify.User{},
		workspaces:  map[string]*workspace{},
	}
}

// newID returns a fresh 24-hex id, like Clockify's ObjectIds.
func (st *state) newID() string {
	st.seq++
	return fmt.Sprintf("6a%06x%016x", 0xc10c, st.seq)
}

// newToken returns a fresh 32-character webhook token.
func (st *state) newToken() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 32)
	for i := range b {
		b[i] = alphabet[st.rng.IntN(len(alphabet))]
	}
	return string(b)
}

func (st *state) addWorkspace(w clockify.Workspace) *workspace {
	if w.ID == "" {
		w.ID = st.newID()
	}
	if ws, ok := st.workspaces[w.ID]; ok {
		ws.ws = w
		return ws
	}
	ws := &workspace{
		ws:       w,
		admins:   map[string]bool{},
		status:   map[string]clockify.MemberStatus{},
		projects: map[string]*clockify.Project{},
		entries:  map[string]*clockify.TimeEntry{},
		tags:     map[string]clockify.Tag{},
		webhooks: map[string]*clockify.Webhook{},
		logs:     map[string][]clockify.WebhookLog{},
		audit:    map[string]audit{},
	}
	st.workspaces[w.ID] = ws
	st.wsOrder = append(st.wsOrder, w.ID)
	return ws
}

// access returns the workspace if the user is an active member of it.
func (st *state) access(userID, wsID string) (*workspace, *apiError) {
	ws, ok := st.workspaces[wsID]
	if !ok {
		return nil, errAccessDenied
	}
	if s, ok := ws.status[userID]; !ok || s != clockify.MemberActive {
		return nil, errAccessDenied
	}
	return ws, nil
}

// adminAccess is access for calls only workspace admins may make.
func (st *state) adminAccess(userID, wsID string) (*workspace, *apiError) {
	ws, err := st.access(userID, wsID)
	if err != nil {
		return nil, err
	}
	if !ws.admins[userID] {
		return nil, errAccessDenied
	}
	return ws, nil
}

// membership is a member's workspace membership, with the workspace's rate.
func (ws *workspace) membership(userID string) clockify.Membership {
	return clockify.Membership{UserID: userID, TargetID: ws.ws.ID, MembershipType: "WORKSPACE",
		MembershipStatus: ws.status[userID], HourlyRate: ws.ws.HourlyRate}
}

// sortedEntries returns a workspace's entries, newest start first.
func (ws *workspace) sortedEntries(keep func(*clockify.TimeEntry) bool) []*clockify.TimeEntry {
	out := make([]*clockify.TimeEntry, 0, len(ws.entries))
	for _, e := range ws.entries {
		if keep(e) {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].TimeInterval.Start, out[j].TimeInterval.Start
		if !a.Equal(b) {
			return a.After(b)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (ws *workspace) sortedProjects() []*clockify.Project {
	out := make([]*clockify.Project, 0, len(ws.projects))
	for _, p := range ws.projects {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := strings.ToLower(out[i].Name), strings.ToLower(out[j].Name); a != b {
			return a < b
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// hydrate returns a copy of an entry with its project, task, user and tags attached.
func (st *state) hydrate(ws *workspace, e *clockify.TimeEntry) clockify.TimeEntry {
	out := plainEntry(e)
	if p, ok := ws.projects[e.ProjectID]; ok {
		pc := *p
		pc.Memberships, pc.Tasks = nil, nil
		out.Project = &pc
		for _, t := range p.Tasks {
			if t.ID == e.TaskID {
				tc := t
				out.Task = &tc
			}
		}
	}
	if u, ok := st.users[e.UserID]; ok {
		out.User = &clockify.User{ID: u.ID, Name: u.Name, Status: u.Status}
	}
	for _, id := range e.TagIDs {
		if t, ok := ws.tags[id]; ok {
			out.Tags = append(out.Tags, t)
		}
	}
	return out
}

// rateOf is the hourly rate an entry of a project is given: the project's rate, else the
// workspace's, in the workspace's currency when the rate names none. (Clockify also has
// rates per member and per task, which the fake does not keep.)
func (ws *workspace) rateOf(projectID string) *clockify.Rate {
	r := ws.ws.HourlyRate
	if p, ok := ws.projects[projectID]; ok && p.HourlyRate != nil && p.HourlyRate.Amount > 0 {
		r = p.HourlyRate
	}
	if r == nil {
		return nil
	}
	out := *r
	if out.Currency == "" && ws.ws.HourlyRate != nil {
		out.Currency = ws.ws.HourlyRate.Currency
	}
	return &out
}

// plainEntry returns a copy of an entry without hydrated fields.
func plainEntry(e *clockify.TimeEntry) clockify.TimeEntry {
	out := *e
	out.Project, out.Task, out.User, out.Tags = nil, nil, nil, nil
	if e.TagIDs != nil {
		out.TagIDs = append([]string(nil), e.TagIDs...)
	}
	return out
}

// entryInput is what creating or updating an entry may set.
type entryInput struct {
	Start       *time.Time             `json:"start"`
	End         *time.Time             `json:"end"`
	Billable    *bool                  `json:"billable"`
	Description string                 `json:"description"`
	ProjectID   string                 `json:"projectId"`
	TaskID      string                 `json:"taskId"`
	TagIDs      []string               `json:"tagIds"`
	Type        clockify.TimeEntryType `json:"type"`
}

// validate checks what Clockify checks of a request body before anything else: the
// type is REGULAR or BREAK (holidays and time off are made by Clockify itself), and the
// description at most 3,000 characters (its OpenAPI description's limit).
func (in *entryInput) validate() *apiError {
	switch in.Type {
	case "", clockify.TimeEntryRegular, clockify.TimeEntryBreak:
	default:
		return errInvalidField("type")
	}
	if utf8.RuneCountInString(in.Description) > 3000 {
		return errInvalidField("description")
	}
	return nil
}

// putEntry validates an entry against the workspace and stores it, returning the
// webhook event it causes. at is when the change happens, for the entry's audit times.
func (st *state) putEntry(ws *workspace, e *clockify.TimeEntry, isNew bool, at time.Time) (clockify.WebhookEvent, *apiError) {
	if e.ProjectID != "" {
		if _, ok := ws.projects[e.ProjectID]; !ok {
			return "", errNotInWorkspace("Project")
		}
	}
	for _, id := range e.TagIDs {
		if _, ok := ws.tags[id]; !ok {
			return "", errNotInWorkspace("Tag")
		}
	}
	if _, ok := ws.status[e.UserID]; !ok {
		return "", errNotInWorkspace("User")
	}
	iv := &e.TimeInterval
	iv.Start = iv.Start.UTC().Truncate(time.Second)
	if iv.End != nil {
		end := iv.End.UTC().Truncate(time.Second)
		if end.Before(iv.Start) {
			return "", errInvalidField("end")
		}
		iv.End = &end
		d := clockify.Duration(end.Sub(iv.Start))
		iv.Duration = &d
	} else {
		iv.Duration = nil
	}
	if e.Type == "" {
		e.Type = clockify.TimeEntryRegular
	}
	if e.HourlyRate == nil {
		e.HourlyRate = ws.rateOf(e.ProjectID)
	}
	if e.ID == "" {
		e.ID = st.newID()
	}
	e.WorkspaceID = ws.ws.ID
	if isNew {
		if _, exists := ws.entries[e.ID]; exists {
			return "", errBadRequest("Time entry already exists")
		}
		if iv.End == nil {
			// A user has at most one running timer: starting one stops the other.
			for _, other := range ws.entries {
				if other.UserID == e.UserID && other.TimeInterval.End == nil {
					end := iv.Start
					if end.Before(other.TimeInterval.Start) {
						end = other.TimeInterval.Start // a new timer dated earlier stops it at once
					}
					other.TimeInterval.End = &end
					d := clockify.Duration(end.Sub(other.TimeInterval.Start))
					other.TimeInterval.Duration = &d
					ws.touch(other.ID, at)
				}
			}
		}
	}
	stored := *e
	ws.entries[e.ID] = &stored
	if isNew {
		ws.audit[e.ID] = audit{created: at.UTC(), updated: at.UTC()}
	} else {
		ws.touch(e.ID, at)
	}
	switch {
	case !isNew:
		return clockify.EventTimeEntryUpdated, nil
	case iv.End == nil:
		return clockify.EventNewTimerStarted, nil
	default:
		return clockify.EventNewTimeEntry, nil
	}
}

// touch records that an entry changed at at.
func (ws *workspace) touch(id string, at time.Time) {
	a := ws.audit[id]
	a.updated = at.UTC()
	ws.audit[id] = a
}

// deleteEntry removes an entry and keeps it in the bin.
func (ws *workspace) deleteEntry(e *clockify.TimeEntry, at time.Time) {
	delete(ws.entries, e.ID)
	ws.bin = append(ws.bin, binRecord{id: e.ID, deletedAt: at.UTC(), created: ws.audit[e.ID].created, entry: plainEntry(e)})
	delete(ws.audit, e.ID)
}

// projectColor is the pattern Clockify's OpenAPI description gives a project's colour.
var projectColor = regexp.MustCompile(`^#(?:[0-9a-fA-F]{6}){1}$`)

// putProject validates and stores a project, returning the event it causes. The limits
// are those of Clockify's OpenAPI description: a name of 2 to 250 characters, a colour
// of its pattern (or none, for the default), a note of at most 16,384 characters.
func (st *state) putProject(ws *workspace, p *clockify.Project, isNew bool) (clockify.WebhookEvent, *apiError) {
	p.Name = strings.TrimSpace(p.Name)
	switch n := utf8.RuneCountInString(p.Name); {
	case n == 0:
		return "", errBadRequest("Project name is required")
	case n < 2 || n > 250:
		return "", errInvalidField("name")
	case p.Color != "" && !projectColor.MatchString(p.Color):
		return "", errInvalidField("color")
	case utf8.RuneCountInString(p.Note) > 16384:
		return "", errInvalidField("note")
	}
	for _, other := range ws.projects {
		if other.ID != p.ID && strings.EqualFold(other.Name, p.Name) && other.ClientID == p.ClientID {
			return "", errBadRequest("Project with that name already exists")
		}
	}
	if p.ID == "" {
		p.ID = st.newID()
	}
	p.WorkspaceID = ws.ws.ID
	if p.Duration == nil {
		zero := clockify.Duration(0)
		p.Duration = &zero
	}
	if p.Color == "" {
		p.Color = "#03A9F4"
	}
	stored := *p
	ws.projects[p.ID] = &stored
	if isNew {
		return clockify.EventNewProject, nil
	}
	return clockify.EventProjectUpdated, nil
}
