package clockifytest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
)

// TestEntryBodyIsValidated: Clockify takes REGULAR or BREAK in a request (holidays and
// time off are its own) and a description of at most 3,000 characters.
func TestEntryBodyIsValidated(t *testing.T) {
	srv, fx := newServer(t, clockifytest.WithClock(func() time.Time { return now }))
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	before := srv.TimeEntries(fx.Workspace.ID)
	end := now
	var ae *clockify.APIError
	entries := "v1/workspaces/" + fx.Workspace.ID + "/time-entries"
	for _, body := range []map[string]string{
		{"type": "HOLIDAY"},
		{"description": strings.Repeat("é", 3001)},
	} {
		body["start"], body["end"] = now.Add(-time.Hour).Format(time.RFC3339), now.Format(time.RFC3339)
		// Sent as a host writing its own request would, past the client's own checks.
		err = sendRaw(t, c, http.MethodPost, entries, body)
		require.ErrorAs(t, err, &ae)
		require.Equal(t, http.StatusBadRequest, ae.StatusCode)
	}
	require.Equal(t, before, srv.TimeEntries(fx.Workspace.ID), "nothing was stored")
	long, _, err := c.TimeEntries.Create(t.Context(), fx.Workspace.ID, &clockify.TimeEntryRequest{Start: now.Add(-3 * time.Hour), End: new(now.Add(-2 * time.Hour)), Description: strings.Repeat("é", 3000)})
	require.NoError(t, err, "3,000 characters are the limit")
	require.Equal(t, strings.Repeat("é", 3000), long.Description)

	plain, _, err := c.TimeEntries.Create(t.Context(), fx.Workspace.ID, &clockify.TimeEntryRequest{Start: now.Add(-2 * time.Hour), End: new(now.Add(-time.Hour))})
	require.NoError(t, err)
	require.Equal(t, clockify.TimeEntryRegular, plain.Type, "without a type")
	e, _, err := c.TimeEntries.Create(t.Context(), fx.Workspace.ID, &clockify.TimeEntryRequest{Start: now.Add(-time.Hour), End: &end, Type: clockify.TimeEntryBreak, Description: "lunch"})
	require.NoError(t, err)
	require.Equal(t, clockify.TimeEntryBreak, e.Type)
	err = sendRaw(t, c, http.MethodPut, entries+"/"+e.ID, map[string]string{"start": now.Add(-time.Hour).Format(time.RFC3339), "type": "regular"})
	require.ErrorAs(t, err, &ae)
	require.Equal(t, http.StatusBadRequest, ae.StatusCode)
	got, _, err := c.TimeEntries.Get(t.Context(), fx.Workspace.ID, e.ID, false)
	require.NoError(t, err)
	require.Equal(t, clockify.TimeEntryBreak, got.Type)
	require.Equal(t, "lunch", got.Description, "the refused update changed nothing")
}

// sendRaw sends body to a path of the fake as the client sends its own requests, but
// without the checks its typed calls make first.
func sendRaw(t *testing.T, c *clockify.Client, method, path string, body any) error {
	t.Helper()
	req, err := c.NewRequest(t.Context(), method, path, body)
	require.NoError(t, err)
	_, err = c.Do(req, nil)
	return err
}

func TestEarlierTimerStopsTheRunningOneWithoutANegativeDuration(t *testing.T) {
	srv, fx := newServer(t, clockifytest.WithClock(func() time.Time { return now }))
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	running, _, err := c.TimeEntries.Create(t.Context(), fx.Workspace.ID, &clockify.TimeEntryRequest{Description: "first"})
	require.NoError(t, err)
	_, _, err = c.TimeEntries.Create(t.Context(), fx.Workspace.ID, &clockify.TimeEntryRequest{Start: now.Add(-time.Hour), Description: "second, dated earlier"})
	require.NoError(t, err)
	stopped, _, err := c.TimeEntries.Get(t.Context(), fx.Workspace.ID, running.ID, false)
	require.NoError(t, err)
	require.NotNil(t, stopped.TimeInterval.End, "a user has one running timer")
	require.False(t, stopped.TimeInterval.End.Before(stopped.TimeInterval.Start))
	require.Zero(t, *stopped.TimeInterval.Duration)
}

func TestWorkspaceListAndProjectUpdateOverHTTP(t *testing.T) {
	srv, fx := newServer(t)
	other := srv.AddWorkspace(clockify.Workspace{Name: "Other"})
	srv.AddMember(other.ID, clockifytest.Member{User: fx.Owner, Admin: true})
	srv.AddMember(other.ID, clockifytest.Member{User: clockify.User{Name: "Outsider"}, APIKey: "outsider-key"})

	names := func(key string) []string {
		c, err := srv.NewClient(key)
		require.NoError(t, err)
		list, _, err := c.Workspaces.List(t.Context())
		require.NoError(t, err)
		var out []string
		for _, w := range list {
			out = append(out, w.Name)
		}
		return out
	}
	require.Equal(t, []string{fx.Workspace.Name, "Other"}, names(fx.OwnerKey))
	require.Equal(t, []string{"Other"}, names("outsider-key"), "only the workspaces the user belongs to")

	got := make(chan string, 4)
	receiver := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Clockify-Webhook-Event-Type")
	}))
	defer receiver.Close()
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	_, _, err = c.Webhooks.Create(t.Context(), fx.Workspace.ID, &clockify.WebhookRequest{Name: "updates", URL: receiver.URL, WebhookEvent: clockify.EventProjectUpdated})
	require.NoError(t, err)

	p := fx.Projects[0]
	u := srv.CoreURL() + "v1/workspaces/" + fx.Workspace.ID + "/projects/"
	owner := map[string]string{"X-Api-Key": fx.OwnerKey, "Content-Type": "application/json"}
	member := map[string]string{"X-Api-Key": fx.Members[2].APIKey, "Content-Type": "application/json"}
	// Every field changes (generated projects are public, so isPublic goes to false).
	status, _, body, _ := call(t, "PUT", u+p.ID, owner, `{"name":"renamed","clientId":"c1","color":"#03A9F4","note":"n",
		"billable":false,"archived":true,"isPublic":false,"hourlyRate":{"amount":12345,"currency":"AUD"}}`)
	require.Equal(t, 200, status)
	for k, v := range map[string]any{"name": "renamed", "clientId": "c1", "color": "#03A9F4", "note": "n", "billable": false, "archived": true, "public": false,
		"hourlyRate": map[string]any{"amount": 12345.0, "currency": "AUD"}} {
		require.Equal(t, v, body[k], k)
	}
	require.Equal(t, string(clockify.EventProjectUpdated), <-got)
	// Fields left out keep their values.
	status, _, body, _ = call(t, "PUT", u+p.ID, owner, `{"note":"m"}`)
	require.Equal(t, 200, status)
	require.Equal(t, "m", body["note"])
	require.Equal(t, "c1", body["clientId"])
	require.Equal(t, string(clockify.EventProjectUpdated), <-got)

	// Rejected updates change nothing and deliver nothing.
	for _, tc := range []struct {
		name, id, body string
		hdr            map[string]string
		status         int
	}{
		{"unknown project", "000000000000000000000000", `{"name":"x"}`, owner, 400},
		{"not an admin", p.ID, `{"name":"x"}`, member, 403},
		{"malformed JSON", p.ID, `{"name":`, owner, 400},
	} {
		status, _, _, _ := call(t, "PUT", u+tc.id, tc.hdr, tc.body)
		require.Equal(t, tc.status, status, tc.name)
	}
	_, _, body, _ = call(t, "GET", u+p.ID, owner, "")
	require.Equal(t, "renamed", body["name"])
	require.Len(t, srv.Deliveries(), 2)

	// A project made over HTTP is a new one to the webhooks; malformed JSON is named so.
	_, _, err = c.Webhooks.Create(t.Context(), fx.Workspace.ID, &clockify.WebhookRequest{Name: "new", URL: receiver.URL, WebhookEvent: clockify.EventNewProject})
	require.NoError(t, err)
	status, _, body, _ = call(t, "POST", strings.TrimSuffix(u, "/"), owner, `{"name":"made over HTTP"}`)
	require.Equal(t, 201, status)
	require.Equal(t, "#03A9F4", body["color"], "Clockify's default colour")
	require.Equal(t, "PT0S", body["duration"])
	require.Equal(t, string(clockify.EventNewProject), <-got)
	status, _, body, _ = call(t, "POST", strings.TrimSuffix(u, "/"), owner, `{"name":`)
	require.Equal(t, 400, status)
	require.Contains(t, body["message"], "Malformed JSON")
}

// TestListFilters: the member and project lists filter as Clockify's do (parts of names
// and emails in any case, a project's whole name, membership status, archived, billable)
// and hydrate on request.
func TestListFilters(t *testing.T) {
	srv, fx := newServer(t)
	ctx, ws := t.Context(), fx.Workspace.ID
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Pat Pending", Email: "a.pat@acme.dev"}, Status: clockify.MemberPending})

	names := func(opts *clockify.UserListOptions) []string {
		t.Helper()
		var out []string
		for u, err := range c.Users.All(ctx, ws, opts) {
			require.NoError(t, err)
			out = append(out, u.Name)
		}
		return out
	}
	target := fx.Members[1].User
	require.Equal(t, []string{target.Name}, names(&clockify.UserListOptions{Email: strings.ToUpper(target.Email[:6])}))
	require.Equal(t, []string{target.Name}, names(&clockify.UserListOptions{Name: strings.ToLower(target.Name)}))
	require.Equal(t, []string{"Pat Pending"}, names(&clockify.UserListOptions{Status: clockify.MemberPending}))
	require.Len(t, names(&clockify.UserListOptions{Status: clockify.MemberActive}), len(fx.Members))
	require.Len(t, names(&clockify.UserListOptions{Status: clockify.MemberAll}), len(fx.Members)+1)
	// Limited users and deleted accounts are listed only when asked for.
	srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Lim Ited", Status: clockify.AccountLimited}})
	srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Del Eted", Status: clockify.AccountDeleted}})
	srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Nora Registered", Email: "nora@acme.dev", Status: clockify.AccountNotRegistered}})
	srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Vera Verifying", Email: "vera@acme.dev", Status: clockify.AccountPendingEmailVerification}})
	require.Len(t, names(nil), len(fx.Members)+3, "the members, Pat Pending, Nora and Vera")
	require.Equal(t, []string{"Lim Ited"}, names(&clockify.UserListOptions{AccountStatuses: []clockify.AccountStatus{clockify.AccountLimited}}))
	require.Len(t, names(&clockify.UserListOptions{AccountStatuses: []clockify.AccountStatus{
		clockify.AccountActive, clockify.AccountLimited, clockify.AccountDeleted}}), len(fx.Members)+3, "not Nora or Vera")
	// Members come sorted by email, Clockify's default order, across pages.
	var emails []string
	for u, err := range c.Users.All(ctx, ws, &clockify.UserListOptions{ListOptions: clockify.ListOptions{PageSize: 2}}) {
		require.NoError(t, err)
		emails = append(emails, u.Email)
	}
	require.Len(t, emails, len(fx.Members)+3)
	require.True(t, slices.IsSorted(emails), "%v", emails)
	require.Equal(t, "a.pat@acme.dev", emails[0], "not in the order they joined")

	users, _, err := c.Users.List(ctx, ws, &clockify.UserListOptions{IncludeMemberships: true, Name: target.Name})
	require.NoError(t, err)
	require.Len(t, users, 1)
	require.Equal(t, []clockify.Membership{{UserID: target.ID, TargetID: ws, MembershipType: "WORKSPACE", MembershipStatus: clockify.MemberActive, HourlyRate: fx.Workspace.HourlyRate}}, users[0].Memberships)
	users, _, err = c.Users.List(ctx, ws, &clockify.UserListOptions{Name: target.Name})
	require.NoError(t, err)
	require.Empty(t, users[0].Memberships)

	p := fx.Projects[0]
	p.Archived, p.Tasks = true, []clockify.Task{{ID: "0000002a00000000000000ff", Name: "Review", ProjectID: p.ID}}
	_, err = srv.UpdateProject(ws, p)
	require.NoError(t, err)
	projects := func(opts *clockify.ProjectListOptions) []clockify.Project {
		t.Helper()
		out, _, err := c.Projects.List(ctx, ws, opts)
		require.NoError(t, err)
		return out
	}
	byName := projects(&clockify.ProjectListOptions{Name: strings.ToUpper(p.Name)})
	require.Len(t, byName, 1)
	require.Equal(t, p.ID, byName[0].ID)
	require.Empty(t, byName[0].Tasks, "tasks only when hydrated")
	require.Equal(t, p.Tasks, projects(&clockify.ProjectListOptions{Name: p.Name, Hydrated: true})[0].Tasks)
	require.Len(t, projects(&clockify.ProjectListOptions{Archived: new(true)}), 1)
	require.Len(t, projects(&clockify.ProjectListOptions{Archived: new(false)}), len(fx.Projects)-1)
	billable := 0
	for _, q := range fx.Projects {
		if q.Billable {
			billable++
		}
	}
	require.Len(t, projects(&clockify.ProjectListOptions{Billable: new(true)}), billable)
	// Projects come by name in any case, then by id: made in another order, a
	// capital's byte value does not put "Zed" before "alpha".
	for _, pr := range []clockify.Project{{Name: "zed"}, {Name: "Zed", ClientID: "other"}, {Name: "alpha"}} {
		_, err = srv.AddProject(ws, pr)
		require.NoError(t, err)
	}
	var order []string
	all := projects(&clockify.ProjectListOptions{ListOptions: clockify.ListOptions{PageSize: clockify.MaxPageSize}})
	for _, pr := range all {
		order = append(order, strings.ToLower(pr.Name))
	}
	require.True(t, slices.IsSorted(order), "%v", order)
	require.Equal(t, "alpha", all[0].Name)
	zeds := all[len(all)-2:]
	require.Equal(t, "zed", strings.ToLower(zeds[0].Name))
	require.Less(t, zeds[0].ID, zeds[1].ID, "the same name, by id")
	// A strict search matches the whole name, in any case as the search by part does.
	_, err = srv.AddProject(ws, clockify.Project{Name: "alphabet"})
	require.NoError(t, err)
	require.Len(t, projects(&clockify.ProjectListOptions{Name: "alpha"}), 2)
	for name, want := range map[string]int{"alpha": 1, "ALPHA": 1, "alph": 0, "alphabet": 1} {
		got := projects(&clockify.ProjectListOptions{Name: name, StrictName: true})
		require.Len(t, got, want, name)
		if want > 0 {
			require.True(t, strings.EqualFold(name, got[0].Name), name)
		}
	}

	// GET /v1/user carries the memberships only when asked.
	auth := map[string]string{"X-Api-Key": fx.OwnerKey}
	_, _, plain, _ := call(t, "GET", srv.CoreURL()+"v1/user", auth, "")
	_, _, full, _ := call(t, "GET", srv.CoreURL()+"v1/user?include-memberships=true", auth, "")
	require.Empty(t, plain["memberships"])
	require.NotEmpty(t, full["memberships"])
}

// TestEntryFilters: a user's entries filter by start, running state, project, task,
// description and having a project or a task, and an entry is hydrated only when asked.
func TestEntryFilters(t *testing.T) {
	srv, fx := newServer(t)
	ctx, ws := t.Context(), fx.Workspace.ID
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	var running *clockify.TimeEntry
	for i := range fx.Entries {
		if fx.Entries[i].Running() {
			running = &fx.Entries[i]
		}
	}
	require.NotNil(t, running)
	list := func(opts *clockify.TimeEntryListOptions) []clockify.TimeEntry {
		t.Helper()
		var out []clockify.TimeEntry
		for e, err := range c.TimeEntries.All(ctx, ws, running.UserID, opts) {
			require.NoError(t, err)
			out = append(out, e)
		}
		return out
	}
	all := list(nil)
	for i := 1; i < len(all); i++ {
		a, b := all[i-1].TimeInterval.Start, all[i].TimeInterval.Start
		require.True(t, a.After(b) || a.Equal(b) && all[i-1].ID < all[i].ID, "newest start first, then by id: %v before %v", a, b)
	}
	require.Nil(t, all[0].Project, "plain unless hydrated")
	hydrated := list(&clockify.TimeEntryListOptions{Hydrated: true})
	require.Len(t, hydrated, len(all))
	for i, e := range hydrated {
		require.Equal(t, all[i].ID, e.ID)
		require.NotNil(t, e.Project, e.ID)
		require.Equal(t, e.ProjectID, e.Project.ID)
		require.Equal(t, running.UserID, e.User.ID)
	}
	only := list(&clockify.TimeEntryListOptions{InProgress: new(true)})
	require.Len(t, only, 1)
	require.Equal(t, running.ID, only[0].ID)
	require.Len(t, list(&clockify.TimeEntryListOptions{InProgress: new(false)}), len(all)-1)
	// Start and end bound the entries' starts, both included.
	from, to := all[len(all)-2].TimeInterval.Start, all[1].TimeInterval.Start
	require.True(t, all[len(all)-1].TimeInterval.Start.Before(from) && all[0].TimeInterval.Start.After(to), "the first and last entries start apart from the others")
	var within []string
	for _, e := range list(&clockify.TimeEntryListOptions{Start: from, End: to}) {
		within = append(within, e.ID)
	}
	want := []string{}
	for _, e := range all[1 : len(all)-1] {
		want = append(want, e.ID)
	}
	require.Equal(t, want, within)
	inProject := list(&clockify.TimeEntryListOptions{Project: running.ProjectID})
	require.NotEmpty(t, inProject)
	require.Less(t, len(inProject), len(all))
	for _, e := range inProject {
		require.Equal(t, running.ProjectID, e.ProjectID)
	}
	// The description filter is a search term, ignoring case.
	term := strings.ToUpper(running.Description[:min(4, len(running.Description))])
	found := list(&clockify.TimeEntryListOptions{Description: term})
	require.NotEmpty(t, found)
	require.Less(t, len(found), len(all), "the term %q is too common to test the filter", term)
	for _, e := range found {
		require.Contains(t, strings.ToLower(e.Description), strings.ToLower(term))
	}
	// A task, and entries with a project or a task at all: two entries added, one with a
	// task, one with neither.
	at := all[0].TimeInterval.Start.Add(-time.Hour)
	withTask, err := srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: running.UserID, ProjectID: running.ProjectID,
		TaskID: "0000002a00000000000000aa", TimeInterval: clockify.TimeInterval{Start: at, End: new(at.Add(time.Minute))}})
	require.NoError(t, err)
	bare, err := srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: running.UserID,
		TimeInterval: clockify.TimeInterval{Start: at, End: new(at.Add(time.Minute))}})
	require.NoError(t, err)
	ids := func(opts *clockify.TimeEntryListOptions) []string {
		var out []string
		for _, e := range list(opts) {
			out = append(out, e.ID)
		}
		return out
	}
	require.Equal(t, []string{withTask.ID}, ids(&clockify.TimeEntryListOptions{Task: withTask.TaskID}))
	require.Equal(t, []string{withTask.ID}, ids(&clockify.TimeEntryListOptions{TaskRequired: true}))
	withProject := ids(&clockify.TimeEntryListOptions{ProjectRequired: true})
	require.Len(t, withProject, len(all)+1)
	require.NotContains(t, withProject, bare.ID)
	every := ids(nil)
	require.Len(t, every, len(all)+2)
	for _, id := range []string{withTask.ID, bare.ID} {
		require.Regexp(t, `^[0-9a-f]{24}$`, id, "an id like Clockify's")
	}
	require.Less(t, withTask.ID, bare.ID, "ids grow, as Clockify's do")
	require.Less(t, slices.Index(every, withTask.ID), slices.Index(every, bare.ID), "of two entries that start together, the lesser id first")

	plain, _, err := c.TimeEntries.Get(ctx, ws, running.ID, false)
	require.NoError(t, err)
	require.Nil(t, plain.Project)
	full, _, err := c.TimeEntries.Get(ctx, ws, running.ID, true)
	require.NoError(t, err)
	require.NotNil(t, full.Project)
	require.Equal(t, running.ProjectID, full.Project.ID)
	require.Equal(t, running.UserID, full.User.ID)
}

// TestRejectedWritesChangeNothing: writes Clockify would refuse are 400s, and leave the
// entries, projects and webhooks as they were, with nothing delivered.
func TestRejectedWritesChangeNothing(t *testing.T) {
	srv, fx := newServer(t)
	ws := fx.Workspace.ID
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	hook, _, err := c.Webhooks.Create(t.Context(), ws, &clockify.WebhookRequest{Name: "all", URL: "http://127.0.0.1:1/x", WebhookEvent: clockify.EventTimeEntryUpdated})
	require.NoError(t, err)
	var running clockify.TimeEntry
	for _, e := range fx.Entries {
		if e.Running() {
			running = e
		}
	}
	require.NotEmpty(t, running.ID)
	projects := func() []clockify.Project {
		ps, _, err := c.Projects.List(t.Context(), ws, nil)
		require.NoError(t, err)
		return ps
	}
	entries, hooks, ps := srv.TimeEntries(ws), srv.Webhooks(ws), projects()

	base := srv.CoreURL() + "v1/workspaces/" + ws
	owner := map[string]string{"X-Api-Key": fx.OwnerKey, "Content-Type": "application/json"}
	before := running.TimeInterval.Start.Add(-time.Minute).Format(time.RFC3339)
	for _, tc := range []struct{ name, method, url, body string }{
		{"update an unknown entry", "PUT", base + "/time-entries/000000000000000000000000", `{"start":"2026-11-01T00:00:00Z"}`},
		{"update with malformed JSON", "PUT", base + "/time-entries/" + fx.Entries[0].ID, `{"start":`},
		{"stop before the start", "PATCH", base + "/user/" + running.UserID + "/time-entries", `{"end":"` + before + `"}`},
		{"stop without an end", "PATCH", base + "/user/" + running.UserID + "/time-entries", ``},
		{"stop with malformed JSON", "PATCH", base + "/user/" + running.UserID + "/time-entries", `{"end":`},
		{"create a project from malformed JSON", "POST", base + "/projects", `{"name":`},
		{"delete an unknown project", "DELETE", base + "/projects/000000000000000000000000", ``},
		{"update a webhook from malformed JSON", "PUT", base + "/webhooks/" + hook.ID, `{"name":`},
	} {
		status, _, _, _ := call(t, tc.method, tc.url, owner, tc.body)
		require.Equal(t, http.StatusBadRequest, status, tc.name)
	}
	require.Equal(t, entries, srv.TimeEntries(ws))
	require.Equal(t, hooks, srv.Webhooks(ws))
	require.Equal(t, ps, projects())
	require.Empty(t, srv.Deliveries())
}

// TestEntryUpdateAndTask: an update sets the billable flag, and a hydrated entry carries
// its task.
func TestEntryUpdateAndTask(t *testing.T) {
	srv, fx := newServer(t)
	ws := fx.Workspace.ID
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	p := fx.Projects[0]
	p.Tasks = []clockify.Task{{ID: "0000002a00000000000000fe", Name: "Review", ProjectID: p.ID}, {ID: "0000002a00000000000000ff", Name: "Build", ProjectID: p.ID}}
	_, err = srv.UpdateProject(ws, p)
	require.NoError(t, err)
	e := fx.Entries[0]
	end := e.TimeInterval.Start.Add(time.Hour)
	for _, billable := range []bool{!e.Billable, e.Billable} {
		got, _, err := c.TimeEntries.Update(t.Context(), ws, e.ID, &clockify.TimeEntryRequest{Start: e.TimeInterval.Start, End: &end, ProjectID: p.ID, TaskID: "0000002a00000000000000ff", Billable: new(billable)})
		require.NoError(t, err)
		require.Equal(t, billable, got.Billable)
	}
	full, _, err := c.TimeEntries.Get(t.Context(), ws, e.ID, true)
	require.NoError(t, err)
	require.Equal(t, &clockify.Task{ID: "0000002a00000000000000ff", Name: "Build", ProjectID: p.ID}, full.Task)
}

// TestProjectFieldBounds: the fake takes a project's fields at the bounds of Clockify's
// OpenAPI description (TestRoutingErrors refuses them just past it).
func TestProjectFieldBounds(t *testing.T) {
	srv, fx := newServer(t)
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	name, note := strings.Repeat("é", 250), strings.Repeat("é", 16384)
	p, _, err := c.Projects.Create(t.Context(), fx.Workspace.ID, &clockify.ProjectRequest{Name: " " + name + " ", Color: "#abcDEF", Note: note})
	require.NoError(t, err)
	require.Equal(t, name, p.Name, "the name is trimmed")
	require.Equal(t, "#abcDEF", p.Color)
	require.Equal(t, note, p.Note)
	p, _, err = c.Projects.Update(t.Context(), fx.Workspace.ID, p.ID, &clockify.ProjectUpdate{Name: new("ab")})
	require.NoError(t, err)
	require.Equal(t, "ab", p.Name)
	require.Equal(t, note, p.Note, "kept")
}

// TestBillableDefaults: a project created without a billable flag follows the workspace's
// defaultBillableProjects setting; an entry created without one takes its project's, and
// is not billable without a project. A flag in the request always wins.
func TestBillableDefaults(t *testing.T) {
	srv, fx := newServer(t)
	owner := map[string]string{"X-Api-Key": fx.OwnerKey}
	projects := srv.CoreURL() + "v1/workspaces/" + fx.Workspace.ID + "/projects"
	for _, tc := range []struct {
		setting bool
		body    string
		want    bool
	}{
		{true, `{"name":"aa"}`, true},
		{false, `{"name":"bb"}`, false},
		{false, `{"name":"cc","billable":true}`, true},
		{true, `{"name":"dd","billable":false}`, false},
	} {
		w := fx.Workspace
		w.Settings = &clockify.WorkspaceSettings{DefaultBillableProjects: tc.setting}
		srv.AddWorkspace(w)
		status, _, got, raw := call(t, "POST", projects, owner, tc.body)
		require.Equal(t, 201, status, string(raw))
		require.Equal(t, tc.want, got["billable"], "%s with defaultBillableProjects %v", tc.body, tc.setting)
	}

	i := slices.IndexFunc(fx.Projects, func(p clockify.Project) bool { return !p.Billable })
	require.GreaterOrEqual(t, i, 0, "the generator makes a non-billable project")
	plain, paid := fx.Projects[i].ID, fx.Projects[(i+1)%len(fx.Projects)]
	require.True(t, paid.Billable)
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	end := now.Add(-time.Hour)
	for _, tc := range []struct {
		name    string
		project string
		flag    *bool
		want    bool
	}{
		{"billable project", paid.ID, nil, true},
		{"non-billable project", plain, nil, false},
		{"no project", "", nil, false},
		{"flag over a billable project", paid.ID, new(false), false},
		{"flag without a project", "", new(true), true},
	} {
		e, _, err := c.TimeEntries.Create(t.Context(), fx.Workspace.ID, &clockify.TimeEntryRequest{Start: end.Add(-time.Hour), End: &end, ProjectID: tc.project, Billable: tc.flag})
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, e.Billable, tc.name)
	}
}

// TestEntryRates: an entry is given its project's hourly rate, else the workspace's,
// which reads and lists show; the answers to a create and an update carry
// none, as Clockify's do. An update to another project takes that project's rate.
func TestEntryRates(t *testing.T) {
	srv, fx := newServer(t)
	ws := fx.Workspace.ID
	i := slices.IndexFunc(fx.Projects, func(p clockify.Project) bool { return p.HourlyRate != nil && p.HourlyRate.Amount > 0 })
	j := slices.IndexFunc(fx.Projects, func(p clockify.Project) bool { return p.HourlyRate == nil || p.HourlyRate.Amount == 0 })
	require.True(t, i >= 0 && j >= 0, "the generator makes projects with and without a rate")
	rated, plain := fx.Projects[i], fx.Projects[j]
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	end := now.Add(-time.Hour)
	created, _, err := c.TimeEntries.Create(t.Context(), ws, &clockify.TimeEntryRequest{Start: end.Add(-time.Hour), End: &end, ProjectID: rated.ID})
	require.NoError(t, err)
	require.Nil(t, created.HourlyRate, "a create's answer has no rates")
	got, _, err := c.TimeEntries.Get(t.Context(), ws, created.ID, false)
	require.NoError(t, err)
	require.Equal(t, &clockify.Rate{Amount: rated.HourlyRate.Amount, Currency: "AUD"}, got.HourlyRate, "the project's rate")

	updated, _, err := c.TimeEntries.Update(t.Context(), ws, created.ID, &clockify.TimeEntryRequest{Start: end.Add(-time.Hour), End: &end, ProjectID: plain.ID})
	require.NoError(t, err)
	require.Nil(t, updated.HourlyRate, "an update's answer has no rates")
	for e, err := range c.TimeEntries.All(t.Context(), ws, fx.Owner.ID, &clockify.TimeEntryListOptions{Start: end.Add(-time.Hour), End: end}) {
		require.NoError(t, err)
		if e.ID == created.ID {
			require.Equal(t, fx.Workspace.HourlyRate, e.HourlyRate, "the workspace's rate")
		}
	}

	// A project's rate of 0 is none; one without a currency has the workspace's; with
	// no rate anywhere, an entry has none.
	made := 0
	rate := func(project *clockify.Rate, workspace *clockify.Rate) *clockify.Rate {
		t.Helper()
		w := fx.Workspace
		w.HourlyRate = workspace
		srv.AddWorkspace(w)
		made++
		pr, err := srv.AddProject(ws, clockify.Project{Name: fmt.Sprintf("rated %d", made), HourlyRate: project})
		require.NoError(t, err)
		e, err := srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: fx.Owner.ID, ProjectID: pr.ID, TimeInterval: clockify.TimeInterval{Start: end.Add(-time.Hour), End: &end}})
		require.NoError(t, err)
		got, _, err := c.TimeEntries.Get(t.Context(), ws, e.ID, false)
		require.NoError(t, err)
		return got.HourlyRate
	}
	wsRate := &clockify.Rate{Amount: 5000, Currency: "EUR"}
	require.Equal(t, wsRate, rate(&clockify.Rate{Amount: 0, Currency: "USD"}, wsRate))
	require.Equal(t, &clockify.Rate{Amount: 1, Currency: "USD"}, rate(&clockify.Rate{Amount: 1, Currency: "USD"}, wsRate))
	require.Equal(t, &clockify.Rate{Amount: 700, Currency: "EUR"}, rate(&clockify.Rate{Amount: 700}, wsRate))
	require.Equal(t, &clockify.Rate{Amount: 700}, rate(&clockify.Rate{Amount: 700}, nil))
	require.Nil(t, rate(nil, nil))
}

func TestEntityChangesOnTheWire(t *testing.T) {
	var clock atomic.Int64
	clock.Store(now.Unix())
	at := func() time.Time { return time.Unix(clock.Load(), 0).UTC() }
	srv, fx := newServer(t, clockifytest.WithClock(at))
	ws, uid := fx.Workspace.ID, fx.Owner.ID
	base := srv.URL + "/api/v1/workspaces/" + ws + "/entities/"
	key := map[string]string{"X-Api-Key": fx.OwnerKey}
	get := func(which, query string) (int, []map[string]any, http.Header) {
		t.Helper()
		status, hdr, _, body := call(t, http.MethodGet, base+which+"?"+query, key, "")
		var items []map[string]any
		if status == http.StatusOK && which == "deleted" {
			var w struct{ Response []map[string]any }
			require.NoError(t, json.Unmarshal(body, &w))
			items = w.Response
		} else if status == http.StatusOK {
			require.NoError(t, json.Unmarshal(body, &items))
		}
		return status, items, hdr
	}
	ids := func(items []map[string]any) []string {
		var out []string
		for _, it := range items {
			if doc, ok := it["document"].(map[string]any); ok {
				it = doc
			}
			out = append(out, it["id"].(string))
		}
		return out
	}

	// An entry made 90 days back is found only by ranges that reach back to it: a missing
	// end is 30 days after the start, a missing start 30 days before the end.
	clock.Store(now.AddDate(0, 0, -90).Unix())
	ancient, err := srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: uid, TimeInterval: clockify.TimeInterval{
		Start: now.AddDate(0, 0, -91), End: new(now.AddDate(0, 0, -90))}})
	require.NoError(t, err)
	clock.Store(now.Unix())
	_, items, _ := get("created", "type=TIME_ENTRY&start="+now.AddDate(0, 0, -100).Format(time.RFC3339))
	require.Equal(t, []string{ancient.ID}, ids(items))
	_, items, _ = get("created", "type=TIME_ENTRY&end="+now.AddDate(0, 0, -70).Format(time.RFC3339))
	require.Equal(t, []string{ancient.ID}, ids(items))
	_, items, _ = get("created", "type=TIME_ENTRY&end="+now.AddDate(0, 0, -40).Format(time.RFC3339))
	require.Empty(t, items)
	// Thirty days exactly: an hour beyond them is out of reach either way.
	_, items, _ = get("created", "type=TIME_ENTRY&end="+now.AddDate(0, 0, -60).Add(time.Hour).Format(time.RFC3339))
	require.Empty(t, items)
	_, items, _ = get("created", "type=TIME_ENTRY&start="+now.AddDate(0, 0, -120).Add(-time.Hour).Format(time.RFC3339))
	require.Empty(t, items)

	// A timer started at +1h is stopped at +2h by starting another (an update of the
	// first), and the second is stopped at +3h.
	clock.Store(now.Add(time.Hour).Unix())
	first, err := srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: uid, TimeInterval: clockify.TimeInterval{Start: now.Add(time.Hour)}})
	require.NoError(t, err)
	clock.Store(now.Add(2 * time.Hour).Unix())
	second, err := srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: uid, TimeInterval: clockify.TimeInterval{Start: now.Add(2 * time.Hour)}})
	require.NoError(t, err)
	clock.Store(now.Add(3 * time.Hour).Unix())
	_, err = srv.StopTimer(ws, uid, now.Add(3*time.Hour))
	require.NoError(t, err)

	status, items, hdr := get("created", "type=TIME_ENTRY&start="+now.Add(30*time.Minute).Format(time.RFC3339))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, []string{first.ID, second.ID}, ids(items), "oldest first; a missing end is 30 days on")
	require.Empty(t, hdr.Get("Last-Page"), "these lists send no Last-Page")
	require.Equal(t, "TIME_ENTRY", items[0]["documentType"])
	audit := items[0]["auditMetadata"].(map[string]any)
	require.Equal(t, now.Add(time.Hour).Format(time.RFC3339), audit["createdAt"])
	require.Equal(t, now.Add(2*time.Hour).Format(time.RFC3339), audit["updatedAt"], "stopped by the next timer")

	_, items, _ = get("updated", "type=TIME_ENTRY&start="+now.Add(150*time.Minute).Format(time.RFC3339)+"&end="+now.Add(4*time.Hour).Format(time.RFC3339))
	require.Equal(t, []string{second.ID}, ids(items), "stopped at +3h")
	_, items, _ = get("updated", "type=TIME_ENTRY&end="+now.Add(4*time.Hour).Format(time.RFC3339))
	require.Empty(t, items, "a missing start is 30 days back: both were created in the range")

	// Pages count from 1 (0 reads as 1), limit sets their size.
	_, p0, _ := get("created", "type=TIME_ENTRY&type=TIME_ENTRY_RATE&limit=1&page=0&start="+now.Add(30*time.Minute).Format(time.RFC3339))
	_, p1, _ := get("created", "type=TIME_ENTRY&limit=1&page=1&start="+now.Add(30*time.Minute).Format(time.RFC3339))
	_, p2, _ := get("created", "type=TIME_ENTRY&limit=1&page=2&start="+now.Add(30*time.Minute).Format(time.RFC3339))
	require.Equal(t, []string{first.ID}, ids(p0))
	require.Equal(t, ids(p0), ids(p1))
	require.Equal(t, []string{second.ID}, ids(p2))

	// The first entry changed again at +4h30m: the created list keeps the order of
	// creation, the updated one (of entries created before its range) follows the change.
	clock.Store(now.Add(270 * time.Minute).Unix())
	stored := srv.TimeEntries(ws)
	changed := stored[slices.IndexFunc(stored, func(e clockify.TimeEntry) bool { return e.ID == first.ID })]
	changed.Description = "changed again"
	_, err = srv.UpdateTimeEntry(ws, changed)
	require.NoError(t, err)
	_, items, _ = get("created", "type=TIME_ENTRY&start="+now.Add(30*time.Minute).Format(time.RFC3339))
	require.Equal(t, []string{first.ID, second.ID}, ids(items))
	_, items, _ = get("updated", "type=TIME_ENTRY&start="+now.Add(150*time.Minute).Format(time.RFC3339))
	require.Equal(t, []string{second.ID, first.ID}, ids(items))

	// Deleted entries come in the "response" wrapper, the entry as it was in "document".
	clock.Store(now.Add(5 * time.Hour).Unix())
	require.NoError(t, srv.DeleteTimeEntry(ws, first.ID))
	_, items, _ = get("deleted", "type=TIME_ENTRY&start="+now.Add(4*time.Hour).Format(time.RFC3339))
	require.Equal(t, []string{first.ID}, ids(items))
	require.Equal(t, now.Add(5*time.Hour).Format(time.RFC3339), items[0]["deletedAt"])
	require.Equal(t, true, items[0]["eligibleForRestore"])
	_, items, _ = get("deleted", "type=TIME_ENTRY")
	require.Empty(t, items, "the last 30 days by default, which the entry was created in")
	_, items, _ = get("created", "type=TIME_ENTRY&start="+now.Add(30*time.Minute).Format(time.RFC3339))
	require.Equal(t, []string{second.ID}, ids(items), "a deleted entry is not listed as created")

	// With a deletion lag, a deletion is listed only once the lag has passed.
	srv.SetDeletionLag(time.Minute)
	clock.Store(now.Add(6 * time.Hour).Unix())
	require.NoError(t, srv.DeleteTimeEntry(ws, second.ID))
	_, items, _ = get("deleted", "type=TIME_ENTRY&start="+now.Add(4*time.Hour).Format(time.RFC3339))
	require.Equal(t, []string{first.ID}, ids(items), "deleted a moment ago")
	clock.Store(now.Add(6*time.Hour + time.Minute).Unix())
	_, items, _ = get("deleted", "type=TIME_ENTRY&start="+now.Add(4*time.Hour).Format(time.RFC3339))
	require.Equal(t, []string{first.ID, second.ID}, ids(items), "a minute on")

	for _, query := range []string{"", "type=EXPENSE", "type=TIME_ENTRY&start=yesterday",
		"type=TIME_ENTRY&start=" + now.Format(time.RFC3339) + "&end=" + now.Add(-time.Second).Format(time.RFC3339),
		"type=TIME_ENTRY&limit=x", "type=TIME_ENTRY&limit=5001"} {
		status, _, _ := get("created", query)
		require.Equal(t, http.StatusBadRequest, status, query)
	}
	for _, query := range []string{"type=EXPENSE", "type=TIME_ENTRY&start=" + now.Format(time.RFC3339) + "&end=" + now.Add(-time.Second).Format(time.RFC3339)} {
		_, _, body, _ := call(t, http.MethodGet, base+"created?"+query, key, "")
		require.Equal(t, float64(501), body["code"], query)
	}
	status, _, _, _ = call(t, http.MethodGet, base+"deleted?type=TIME_ENTRY", map[string]string{"X-Api-Key": fx.Members[1].APIKey}, "")
	require.Equal(t, http.StatusForbidden, status, "admins only")
}
