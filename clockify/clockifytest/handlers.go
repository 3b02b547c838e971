package clockifytest

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// pageParams reads a 1-based page and its size (the sizeParam query parameter) as
// Clockify does: page ≤ 0 is page 1, a size ≤ 0 is defSize, a size over the endpoint's
// maximum is a 400, and either one not a number is a 400.
func pageParams(r *http.Request, sizeParam string, defSize, maxSize int) (page, size int, err *apiError) {
	if page, err = intParam(r, "page", 1); err != nil {
		return 0, 0, err
	}
	if size, err = intParam(r, sizeParam, defSize); err != nil {
		return 0, 0, err
	}
	if size > maxSize {
		return 0, 0, &apiError{status: http.StatusBadRequest, Message: "Page size cannot be larger than " + thousands(maxSize) + "."}
	}
	if size <= 0 {
		size = defSize
	}
	return max(page, 1), size, nil
}

// intParam reads an integer query parameter, def when it is absent. Like Clockify's
// (Java int) parameters, it holds 32 bits: a larger number is a 400.
func intParam(r *http.Request, name string, def int) (int, *apiError) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0, errConvert(name, v)
	}
	return int(n), nil
}

func errConvert(name, v string) *apiError {
	return &apiError{status: http.StatusBadRequest, Message: "Method parameter '" + name + "': Failed to convert value of type 'java.lang.String' to required type 'int'; For input string: \"" + v + "\""}
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	if len(s) <= 3 {
		return s
	}
	return s[:len(s)-3] + "," + s[len(s)-3:]
}

// pageSpan returns where page (1-based, of size items) starts and ends among n items,
// clamped to [0, n] without overflowing however large page and size are.
func pageSpan(n, page, size int) (from, to int) {
	if page-1 > n/size {
		return n, n
	}
	from = min((page-1)*size, n)
	return from, from + min(size, n-from)
}

// writePage writes one page of items as a bare array with the Last-Page header.
func writePage[T any](w http.ResponseWriter, items []T, page, size int) {
	from, to := pageSpan(len(items), page, size)
	w.Header().Set("Last-Page", strconv.FormatBool(to >= len(items)))
	out := items[from:to]
	if out == nil {
		out = []T{}
	}
	writeJSON(w, http.StatusOK, out)
}

func boolParam(r *http.Request, name string) (*bool, *apiError) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, &apiError{status: http.StatusBadRequest, Message: "Method parameter '" + name + "': Failed to convert value of type 'java.lang.String' to required type 'boolean'"}
	}
	return &b, nil
}

func timeParam(r *http.Request, name string) (time.Time, *apiError) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, errInvalidField(name)
	}
	return t, nil
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, _ params, uid string) {
	s.mu.Lock()
	u := *s.state.users[uid]
	u.Memberships = []clockify.Membership{}
	if r.URL.Query().Get("include-memberships") == "true" {
		for _, id := range s.state.wsOrder {
			if ws := s.state.workspaces[id]; ws.status[uid] != "" {
				u.Memberships = append(u.Memberships, ws.membership(uid))
			}
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) listWorkspaces(w http.ResponseWriter, _ *http.Request, _ params, uid string) {
	s.mu.Lock()
	out := []clockify.Workspace{}
	for _, id := range s.state.wsOrder {
		if _, err := s.state.access(uid, id); err == nil {
			out = append(out, s.state.workspaces[id].ws)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getWorkspace(w http.ResponseWriter, _ *http.Request, p params, uid string) {
	s.mu.Lock()
	ws, err := s.state.access(uid, p["ws"])
	var out clockify.Workspace
	if err == nil {
		out = ws.ws
	}
	s.mu.Unlock()
	writeResult(w, http.StatusOK, out, err)
}

// defaultAccountStatuses are the accounts the member list holds when the request names
// none: limited users and deleted accounts are left out.
var defaultAccountStatuses = map[clockify.AccountStatus]bool{
	clockify.AccountActive: true, clockify.AccountPendingEmailVerification: true, clockify.AccountNotRegistered: true,
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, p params, uid string) {
	page, size, perr := pageParams(r, "page-size", 50, clockify.MaxPageSize)
	if perr != nil {
		writeError(w, perr)
		return
	}
	q := r.URL.Query()
	email, name := strings.ToLower(q.Get("email")), strings.ToLower(q.Get("name"))
	status := clockify.MemberStatus(q.Get("status"))
	switch status {
	case "", clockify.MemberPending, clockify.MemberActive, clockify.MemberDeclined, clockify.MemberInactive, clockify.MemberAll:
	default:
		writeError(w, &apiError{status: http.StatusBadRequest, Message: "Method parameter 'status': Failed to convert value of type 'java.lang.String' to required type 'MembershipStatus'"})
		return
	}
	accounts := defaultAccountStatuses
	if v := q.Get("account-statuses"); v != "" {
		accounts = map[clockify.AccountStatus]bool{}
		for a := range strings.SplitSeq(v, ",") {
			accounts[clockify.AccountStatus(strings.TrimSpace(a))] = true
		}
	}
	s.mu.Lock()
	ws, err := s.state.adminAccess(uid, p["ws"])
	var out []clockify.User
	if err == nil {
		for _, id := range ws.members {
			u := *s.state.users[id]
			st := ws.status[id]
			if (email != "" && !strings.Contains(strings.ToLower(u.Email), email)) ||
				(name != "" && !strings.Contains(strings.ToLower(u.Name), name)) ||
				(status != "" && status != clockify.MemberAll && status != st) || !accounts[u.Status] {
				continue
			}
			u.Memberships = []clockify.Membership{}
			if q.Get("memberships") == "WORKSPACE" || q.Get("memberships") == "ALL" {
				u.Memberships = []clockify.Membership{ws.membership(id)}
			}
			out = append(out, u)
		}
	}
	s.mu.Unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	// Clockify's default order (sort-column EMAIL, ascending).
	slices.SortStableFunc(out, func(a, b clockify.User) int { return cmp.Compare(a.Email, b.Email) })
	writePage(w, out, page, size)
}

func (s *Server) listProjects(w http.ResponseWriter, r *http.Request, p params, uid string) {
	page, size, perr := pageParams(r, "page-size", 50, clockify.MaxPageSize)
	if perr != nil {
		writeError(w, perr)
		return
	}
	archived, aerr := boolParam(r, "archived")
	billable, berr := boolParam(r, "billable")
	strict, serr := boolParam(r, "strict-name-search")
	if err := firstErr(aerr, berr, serr); err != nil {
		writeError(w, err)
		return
	}
	name := strings.ToLower(r.URL.Query().Get("name"))
	// A strict search matches the whole name, in any case as the search by part does:
	// Clockify's description says "exactly", not whether case counts.
	matches := strings.Contains
	if strict != nil && *strict {
		matches = func(a, b string) bool { return a == b }
	}
	hydrated := r.URL.Query().Get("hydrated") == "true"
	s.mu.Lock()
	ws, err := s.state.access(uid, p["ws"])
	var out []clockify.Project
	if err == nil {
		for _, pr := range ws.sortedProjects() {
			if (name != "" && !matches(strings.ToLower(pr.Name), name)) ||
				(archived != nil && *archived != pr.Archived) ||
				(billable != nil && *billable != pr.Billable) {
				continue
			}
			c := *pr
			if !hydrated {
				c.Tasks = nil
			}
			out = append(out, c)
		}
	}
	s.mu.Unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	writePage(w, out, page, size)
}

func firstErr(errs ...*apiError) *apiError {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func (s *Server) getProject(w http.ResponseWriter, _ *http.Request, p params, uid string) {
	s.mu.Lock()
	ws, err := s.state.access(uid, p["ws"])
	var out clockify.Project
	if err == nil {
		if pr, ok := ws.projects[p["id"]]; ok {
			out = *pr
		} else {
			err = errNotInWorkspace("Project")
		}
	}
	s.mu.Unlock()
	writeResult(w, http.StatusOK, out, err)
}

// projectInput is what creating or updating a project may set.
type projectInput struct {
	Name       *string        `json:"name"`
	ClientID   *string        `json:"clientId"`
	Color      *string        `json:"color"`
	Note       *string        `json:"note"`
	Billable   *bool          `json:"billable"`
	Archived   *bool          `json:"archived"`
	IsPublic   *bool          `json:"isPublic"`
	HourlyRate *clockify.Rate `json:"hourlyRate"`
}

func (in projectInput) apply(p *clockify.Project) {
	if in.Name != nil {
		p.Name = *in.Name
	}
	if in.ClientID != nil {
		p.ClientID = *in.ClientID
	}
	if in.Color != nil {
		p.Color = *in.Color
	}
	if in.Note != nil {
		p.Note = *in.Note
	}
	if in.Billable != nil {
		p.Billable = *in.Billable
	}
	if in.Archived != nil {
		p.Archived = *in.Archived
	}
	if in.IsPublic != nil {
		p.Public = *in.IsPublic
	}
	if in.HourlyRate != nil {
		p.HourlyRate = in.HourlyRate
	}
}

func (s *Server) createProject(w http.ResponseWriter, r *http.Request, p params, uid string) {
	var in projectInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, err)
		return
	}
	var pr clockify.Project
	in.apply(&pr)
	out, err := s.changeProject(asAdmin(uid, p["ws"]), func(st *state, ws *workspace) (*clockify.Project, clockify.WebhookEvent, *apiError) {
		if in.Billable == nil {
			// The workspace setting that makes new projects billable.
			pr.Billable = ws.ws.Settings != nil && ws.ws.Settings.DefaultBillableProjects
		}
		ev, err := st.putProject(ws, &pr, true)
		return &pr, ev, err
	})
	writeResult(w, http.StatusCreated, out, err)
}

func (s *Server) updateProject(w http.ResponseWriter, r *http.Request, p params, uid string) {
	var in projectInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, err)
		return
	}
	out, err := s.changeProject(asAdmin(uid, p["ws"]), func(st *state, ws *workspace) (*clockify.Project, clockify.WebhookEvent, *apiError) {
		old, ok := ws.projects[p["id"]]
		if !ok {
			return nil, "", errNotInWorkspace("Project")
		}
		pr := *old
		in.apply(&pr)
		ev, err := st.putProject(ws, &pr, false)
		return &pr, ev, err
	})
	writeResult(w, http.StatusOK, out, err)
}

func (s *Server) deleteProject(w http.ResponseWriter, _ *http.Request, p params, uid string) {
	out, err := s.changeProject(asAdmin(uid, p["ws"]), func(_ *state, ws *workspace) (*clockify.Project, clockify.WebhookEvent, *apiError) {
		return removeProject(ws, p["id"])
	})
	writeResult(w, http.StatusOK, out, err)
}

func removeProject(ws *workspace, id string) (*clockify.Project, clockify.WebhookEvent, *apiError) {
	pr, ok := ws.projects[id]
	if !ok {
		return nil, "", errNotInWorkspace("Project")
	}
	if !pr.Archived {
		return nil, "", errBadRequest("Cannot delete an active project")
	}
	delete(ws.projects, id)
	return pr, clockify.EventProjectDeleted, nil
}

// lookup finds the workspace a change applies to, or says why the caller may not change it.
type lookup func(*state) (*workspace, *apiError)

// asAdmin is a lookup for API calls only admins may make.
func asAdmin(uid, wsID string) lookup {
	return func(st *state) (*workspace, *apiError) { return st.adminAccess(uid, wsID) }
}

// asMember is a lookup for API calls any active member may make.
func asMember(uid, wsID string) lookup {
	return func(st *state) (*workspace, *apiError) { return st.access(uid, wsID) }
}

// asServer is the lookup of the Go seeding methods, which act on any workspace.
func asServer(wsID string) lookup {
	return func(st *state) (*workspace, *apiError) {
		if ws, ok := st.workspaces[wsID]; ok {
			return ws, nil
		}
		return nil, errAccessDenied
	}
}

// changeProject runs a project change under the lock and then delivers the webhooks it
// causes. It returns a copy of the changed project.
func (s *Server) changeProject(find lookup, change func(*state, *workspace) (*clockify.Project, clockify.WebhookEvent, *apiError)) (*clockify.Project, *apiError) {
	s.mu.Lock()
	ws, err := find(s.state)
	var out *clockify.Project
	var ps []pending
	if err == nil {
		var ev clockify.WebhookEvent
		out, ev, err = change(s.state, ws)
		if err == nil {
			c := *out
			out = &c
			ps = ws.matchWebhooks(ev, subject{projectID: out.ID}, out)
		}
	}
	s.mu.Unlock()
	s.deliver(ps)
	return out, err
}

func (s *Server) listEntries(w http.ResponseWriter, r *http.Request, p params, uid string) {
	page, size, perr := pageParams(r, "page-size", 50, clockify.MaxPageSize)
	if perr != nil {
		writeError(w, perr)
		return
	}
	start, serr := timeParam(r, "start")
	end, eerr := timeParam(r, "end")
	inProgress, ierr := boolParam(r, "in-progress")
	needProject, nperr := boolParam(r, "project-required")
	needTask, nterr := boolParam(r, "task-required")
	if err := firstErr(serr, eerr, ierr, nperr, nterr); err != nil {
		writeError(w, err)
		return
	}
	q := r.URL.Query()
	desc, project, task := strings.ToLower(q.Get("description")), q.Get("project"), q.Get("task")
	hydrated := q.Get("hydrated") == "true"
	target := p["user"]
	s.mu.Lock()
	ws, err := s.state.access(uid, p["ws"])
	if err == nil && target != uid && !ws.admins[uid] {
		err = errAccessDenied
	}
	if err == nil {
		if _, ok := ws.status[target]; !ok {
			err = errNotInWorkspace("User")
		}
	}
	var out []clockify.TimeEntry
	if err == nil {
		for _, e := range ws.sortedEntries(func(e *clockify.TimeEntry) bool {
			st := e.TimeInterval.Start
			return e.UserID == target &&
				(start.IsZero() || !st.Before(start)) &&
				(end.IsZero() || !st.After(end)) &&
				(inProgress == nil || *inProgress == (e.TimeInterval.End == nil)) &&
				(desc == "" || strings.Contains(strings.ToLower(e.Description), desc)) &&
				(project == "" || e.ProjectID == project) &&
				(task == "" || e.TaskID == task) &&
				(needProject == nil || !*needProject || e.ProjectID != "") &&
				(needTask == nil || !*needTask || e.TaskID != "")
		}) {
			if hydrated {
				out = append(out, s.state.hydrate(ws, e))
			} else {
				out = append(out, plainEntry(e))
			}
		}
	}
	s.mu.Unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	writePage(w, out, page, size)
}

func (s *Server) listInProgress(w http.ResponseWriter, r *http.Request, p params, uid string) {
	page, size, perr := pageParams(r, "page-size", 10, clockify.MaxInProgressPageSize)
	if perr != nil {
		writeError(w, perr)
		return
	}
	s.mu.Lock()
	ws, err := s.state.access(uid, p["ws"])
	var out []clockify.TimeEntry
	if err == nil {
		for _, e := range ws.sortedEntries(func(e *clockify.TimeEntry) bool { return e.TimeInterval.End == nil }) {
			out = append(out, s.state.hydrate(ws, e))
		}
	}
	s.mu.Unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	writePage(w, out, page, size)
}

func (s *Server) getEntry(w http.ResponseWriter, r *http.Request, p params, uid string) {
	hydrated := r.URL.Query().Get("hydrated") == "true"
	s.mu.Lock()
	ws, err := s.state.access(uid, p["ws"])
	var out clockify.TimeEntry
	if err == nil {
		e, ok := ws.entries[p["id"]]
		switch {
		case !ok:
			err = errNotInWorkspace("Time entry")
		case hydrated:
			out = s.state.hydrate(ws, e)
		default:
			out = plainEntry(e)
		}
	}
	s.mu.Unlock()
	writeResult(w, http.StatusOK, out, err)
}

// changeEntry runs an entry change under the lock and delivers the webhooks it causes
// (with the hydrated entry as payload). It returns a plain copy of the changed entry,
// without its rates, as Clockify answers a create, an update or a stop.
func (s *Server) changeEntry(find lookup, change func(*state, *workspace) (*clockify.TimeEntry, clockify.WebhookEvent, *apiError)) (*clockify.TimeEntry, *apiError) {
	s.mu.Lock()
	ws, err := find(s.state)
	var out clockify.TimeEntry
	var ps []pending
	if err == nil {
		var e *clockify.TimeEntry
		var ev clockify.WebhookEvent
		e, ev, err = change(s.state, ws)
		if err == nil {
			payload := s.state.hydrate(ws, e)
			payload.Type, payload.HourlyRate, payload.CostRate = "", nil, nil // as in Clockify's sample payloads
			ps = ws.matchWebhooks(ev, subject{projectID: e.ProjectID, userID: e.UserID, taskID: e.TaskID, tagIDs: e.TagIDs}, payload)
			out = plainEntry(e)
			out.HourlyRate, out.CostRate = nil, nil // Clockify answers these changes without rates
		}
	}
	s.mu.Unlock()
	s.deliver(ps)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Server) createEntry(w http.ResponseWriter, r *http.Request, p params, uid string) {
	var in entryInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, err)
		return
	}
	if err := in.validate(); err != nil {
		writeError(w, err)
		return
	}
	target := uid
	if p["user"] != "" {
		target = p["user"]
	}
	out, err := s.changeEntry(asMember(uid, p["ws"]), func(st *state, ws *workspace) (*clockify.TimeEntry, clockify.WebhookEvent, *apiError) {
		if target != uid && !ws.admins[uid] {
			return nil, "", errAccessDenied
		}
		// Without a billable flag a new entry takes its project's (see the package doc).
		var billable bool
		if pr, ok := ws.projects[in.ProjectID]; ok {
			billable = pr.Billable
		}
		e := s.entryFrom(in, clockify.TimeEntry{UserID: target, Billable: billable})
		ev, err := st.putEntry(ws, &e, true, s.now())
		return &e, ev, err
	})
	writeResult(w, http.StatusCreated, out, err)
}

// entryFrom applies a request body to an entry; a missing start means now.
func (s *Server) entryFrom(in entryInput, e clockify.TimeEntry) clockify.TimeEntry {
	if in.Start != nil {
		e.TimeInterval.Start = *in.Start
	} else if e.TimeInterval.Start.IsZero() {
		e.TimeInterval.Start = s.now()
	}
	e.TimeInterval.End = in.End
	if in.Billable != nil {
		e.Billable = *in.Billable
	}
	e.Description, e.ProjectID, e.TaskID, e.TagIDs, e.Type = in.Description, in.ProjectID, in.TaskID, in.TagIDs, in.Type
	return e
}

func (s *Server) updateEntry(w http.ResponseWriter, r *http.Request, p params, uid string) {
	var in entryInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, err)
		return
	}
	if in.Start == nil {
		writeError(w, errInvalidField("start"))
		return
	}
	if err := in.validate(); err != nil {
		writeError(w, err)
		return
	}
	out, err := s.changeEntry(asMember(uid, p["ws"]), func(st *state, ws *workspace) (*clockify.TimeEntry, clockify.WebhookEvent, *apiError) {
		old, ok := ws.entries[p["id"]]
		if !ok {
			return nil, "", errNotInWorkspace("Time entry")
		}
		if old.UserID != uid && !ws.admins[uid] {
			return nil, "", errAccessDenied
		}
		e := s.entryFrom(in, plainEntry(old))
		e.HourlyRate = nil // the rate of its project now
		ev, err := st.putEntry(ws, &e, false, s.now())
		return &e, ev, err
	})
	writeResult(w, http.StatusOK, out, err)
}

func (s *Server) deleteEntry(w http.ResponseWriter, _ *http.Request, p params, uid string) {
	_, err := s.changeEntry(asMember(uid, p["ws"]), func(_ *state, ws *workspace) (*clockify.TimeEntry, clockify.WebhookEvent, *apiError) {
		e, ok := ws.entries[p["id"]]
		if !ok {
			return nil, "", errNotInWorkspace("Time entry")
		}
		if e.UserID != uid && !ws.admins[uid] {
			return nil, "", errAccessDenied
		}
		ws.deleteEntry(e, s.now())
		return e, clockify.EventTimeEntryDeleted, nil
	})
	if err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) stopTimer(w http.ResponseWriter, r *http.Request, p params, uid string) {
	var in struct {
		End *time.Time `json:"end"`
	}
	if err := decodeBody(r, &in); err != nil {
		writeError(w, err)
		return
	}
	if in.End == nil {
		writeError(w, errInvalidField("end"))
		return
	}
	out, err := s.changeEntry(asMember(uid, p["ws"]), func(_ *state, ws *workspace) (*clockify.TimeEntry, clockify.WebhookEvent, *apiError) {
		if p["user"] != uid && !ws.admins[uid] {
			return nil, "", errAccessDenied
		}
		return stopRunning(ws, p["user"], *in.End, s.now())
	})
	writeResult(w, http.StatusOK, out, err)
}

func stopRunning(ws *workspace, userID string, end, at time.Time) (*clockify.TimeEntry, clockify.WebhookEvent, *apiError) {
	for _, e := range ws.entries {
		if e.UserID != userID || e.TimeInterval.End != nil {
			continue
		}
		end = end.UTC().Truncate(time.Second)
		if end.Before(e.TimeInterval.Start) {
			return nil, "", errInvalidField("end")
		}
		e.TimeInterval.End = &end
		d := clockify.Duration(end.Sub(e.TimeInterval.Start))
		e.TimeInterval.Duration = &d
		ws.touch(e.ID, at)
		return e, clockify.EventTimerStopped, nil
	}
	return nil, "", &apiError{status: http.StatusNotFound, Message: "No running time entry", Code: 501}
}
