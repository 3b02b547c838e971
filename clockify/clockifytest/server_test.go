package clockifytest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
)

var now = time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)

func newServer(t *testing.T, opts ...clockifytest.Option) (*clockifytest.Server, *clockifytest.Fixture) {
	t.Helper()
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 5, Now: now}, opts...)
	t.Cleanup(srv.Close)
	return srv, fx
}

// call sends a raw request and returns status, headers and decoded JSON body.
func call(t *testing.T, method, url string, hdr map[string]string, body string) (int, http.Header, map[string]any, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, resp.Header, m, b
}

func TestAuthLikeClockify(t *testing.T) {
	srv, fx := newServer(t)
	srv.AddAddonToken("addon-tok", fx.Owner.ID)
	u := srv.CoreURL() + "v1/user"
	cases := []struct {
		name   string
		hdr    map[string]string
		status int
		code   float64
	}{
		{"none", nil, 401, 1000},
		{"both", map[string]string{"X-Api-Key": fx.OwnerKey, "X-Addon-Token": "addon-tok"}, 401, 1000},
		{"bearer", map[string]string{"Authorization": "Bearer " + fx.OwnerKey}, 401, 1000},
		{"key and bearer", map[string]string{"X-Api-Key": fx.OwnerKey, "Authorization": "Bearer x"}, 401, 1000},
		{"unknown key", map[string]string{"X-Api-Key": "nope"}, 401, 4003},
		{"unknown addon token", map[string]string{"X-Addon-Token": "nope"}, 401, 4017},
		{"key", map[string]string{"X-Api-Key": fx.OwnerKey}, 200, 0},
		{"addon token", map[string]string{"X-Addon-Token": "addon-tok"}, 200, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body, _ := call(t, "GET", u, tc.hdr, "")
			require.Equal(t, tc.status, status)
			if tc.code != 0 {
				require.Equal(t, tc.code, body["code"])
			} else {
				require.Equal(t, fx.Owner.ID, body["id"])
				require.Empty(t, body["memberships"], "memberships are empty unless asked for")
			}
		})
	}
}

// TestRevokedKeyIsRefused: a revoked key gets Clockify's answer for an unknown key, and
// the other keys still work.
func TestRevokedKeyIsRefused(t *testing.T) {
	srv, fx := newServer(t)
	u := srv.CoreURL() + "v1/user"
	require.True(t, srv.RevokeAPIKey(fx.OwnerKey))
	require.False(t, srv.RevokeAPIKey(fx.OwnerKey), "already revoked")
	status, _, body, _ := call(t, "GET", u, map[string]string{"X-Api-Key": fx.OwnerKey}, "")
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, map[string]any{"message": "Api key does not exist", "code": 4003.0}, body)
	other := fx.Members[1]
	status, _, body, _ = call(t, "GET", u, map[string]string{"X-Api-Key": other.APIKey}, "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, other.User.ID, body["id"])
}

func TestRoutingErrors(t *testing.T) {
	srv, fx := newServer(t)
	auth := map[string]string{"X-Api-Key": fx.OwnerKey}
	wsPath := srv.CoreURL() + "v1/workspaces/" + fx.Workspace.ID
	cases := []struct {
		name, method, url, body string
		status                  int
		message                 string
	}{
		{"workspace-wide GET of entries", "GET", wsPath + "/time-entries", "", 405, "Request method 'GET' is not supported"},
		{"GET of logs", "GET", wsPath + "/webhooks/x/logs", "", 405, "not supported"},
		{"logs of an unknown webhook", "POST", wsPath + "/webhooks/000000000000000000000000/logs", "{}", 400, "Webhook doesn't belong to Workspace"},
		{"logs page not a number", "POST", wsPath + "/webhooks/x/logs?page=first", "{}", 400, "Failed to convert"},
		{"logs size not a number", "POST", wsPath + "/webhooks/x/logs?size=ten", "{}", 400, "Failed to convert"},
		{"logs status not in the enum", "POST", wsPath + "/webhooks/x/logs", `{"status":"failed"}`, 400, "[status]"},
		{"unknown route", "GET", srv.CoreURL() + "v1/nothing", "", 404, "No static resource"},
		{"reports on the core host", "POST", wsPath + "/reports/detailed", "{}", 404, "No static resource"},
		{"page size over 5000", "GET", wsPath + "/user/" + fx.Owner.ID + "/time-entries?page-size=5001", "", 400, "Page size cannot be larger than 5,000."},
		{"in-progress page size over 1000", "GET", wsPath + "/time-entries/status/in-progress?page-size=1001", "", 400, "1,000"},
		{"page not a number", "GET", wsPath + "/projects?page=x", "", 400, "Failed to convert"},
		{"members page not a number", "GET", wsPath + "/users?page=x", "", 400, "Failed to convert"},
		{"in-progress page not a number", "GET", wsPath + "/time-entries/status/in-progress?page=x", "", 400, "Failed to convert"},
		{"empty workspace id", "GET", srv.CoreURL() + "v1/workspaces//projects", "", 404, "No static resource"},
		{"trailing slash", "GET", wsPath + "/projects/", "", 404, "No static resource"},
		{"trailing slash after an id", "GET", wsPath + "/", "", 404, "No static resource"},
		{"bool not a bool", "GET", wsPath + "/projects?archived=maybe", "", 400, "Failed to convert"},
		{"member status not in the enum", "GET", wsPath + "/users?status=active", "", 400, "Failed to convert"},
		{"bad start", "GET", wsPath + "/user/" + fx.Owner.ID + "/time-entries?start=yesterday", "", 400, "invalid value"},
		{"unknown entry", "GET", wsPath + "/time-entries/000000000000000000000000", "", 400, "Time entry doesn't belong to Workspace"},
		{"unknown project", "GET", wsPath + "/projects/000000000000000000000000", "", 400, "Project doesn't belong to Workspace"},
		{"unknown user", "GET", wsPath + "/user/000000000000000000000000/time-entries", "", 400, "User doesn't belong to Workspace"},
		{"foreign workspace", "GET", srv.CoreURL() + "v1/workspaces/000000000000000000000000", "", 403, "Access Denied"},
		{"projects of a foreign workspace", "GET", srv.CoreURL() + "v1/workspaces/000000000000000000000000/projects", "", 403, "Access Denied"},
		{"running timers of a foreign workspace", "GET", srv.CoreURL() + "v1/workspaces/000000000000000000000000/time-entries/status/in-progress", "", 403, "Access Denied"},
		{"members of a foreign workspace", "GET", srv.CoreURL() + "v1/workspaces/000000000000000000000000/users", "", 403, "Access Denied"},
		{"report of a foreign workspace", "POST", srv.ReportsURL() + "v1/workspaces/000000000000000000000000/reports/detailed",
			`{"dateRangeStart":"2026-11-01T00:00:00Z","dateRangeEnd":"2026-11-02T00:00:00Z","detailedFilter":{"page":1,"pageSize":10}}`, 403, "Access Denied"},
		{"logs from malformed JSON", "POST", wsPath + "/webhooks/x/logs", "{", 400, "Malformed JSON"},
		{"malformed JSON", "POST", wsPath + "/time-entries", "{", 400, "Malformed JSON"},
		{"webhook without name", "POST", wsPath + "/webhooks", `{"url":"https://x","webhookEvent":"NEW_PROJECT"}`, 400, "Webhook already exists"},
		{"active project delete", "DELETE", wsPath + "/projects/" + fx.Projects[0].ID, "", 400, "Cannot delete an active project"},
		{"report without range", "POST", srv.ReportsURL() + "v1/workspaces/" + fx.Workspace.ID + "/reports/detailed", "{}", 400, "required"},
		{"update without start", "PUT", wsPath + "/time-entries/" + fx.Entries[0].ID, `{"description":"x"}`, 400, "[start]"},
		{"stop without end", "PATCH", wsPath + "/user/" + fx.Owner.ID + "/time-entries", `{}`, 400, "[end]"},
		{"stop with nothing running", "PATCH", wsPath + "/user/" + fx.Owner.ID + "/time-entries", `{"end":"2026-11-27T17:00:00Z"}`, 404, "No running"},
		{"end before start", "POST", wsPath + "/time-entries", `{"start":"2026-11-27T17:00:00Z","end":"2026-11-27T16:00:00Z"}`, 400, "[end]"},
		{"entry on unknown project", "POST", wsPath + "/time-entries", `{"projectId":"000000000000000000000000"}`, 400, "Project doesn't belong"},
		{"entry with unknown tag", "POST", wsPath + "/time-entries", `{"tagIds":["x"]}`, 400, "Tag doesn't belong"},
		{"project without name", "POST", wsPath + "/projects", `{"name":" "}`, 400, "name is required"},
		{"duplicate project", "POST", wsPath + "/projects", `{"name":"` + strings.ToUpper(fx.Projects[0].Name) + `"}`, 400, "already exists"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.TimeEntries(fx.Workspace.ID))
			status, hdr, body, raw := call(t, tc.method, tc.url, auth, tc.body)
			require.Equal(t, tc.status, status, string(raw))
			require.Contains(t, body["message"], tc.message)
			if status == 405 {
				require.NotEmpty(t, hdr.Get("Allow"))
			}
			require.Equal(t, before, len(srv.TimeEntries(fx.Workspace.ID)), "a rejected request changes nothing")
		})
	}
}

func TestPermissions(t *testing.T) {
	srv, fx := newServer(t)
	member := map[string]string{"X-Api-Key": fx.Members[2].APIKey}
	ws := srv.CoreURL() + "v1/workspaces/" + fx.Workspace.ID
	for _, u := range []string{ws + "/users", ws + "/webhooks", ws + "/user/" + fx.Owner.ID + "/time-entries"} {
		status, _, body, _ := call(t, "GET", u, member, "")
		require.Equal(t, 403, status, u)
		require.Equal(t, float64(501), body["code"])
	}
	status, _, _, _ := call(t, "GET", ws+"/user/"+fx.Members[2].User.ID+"/time-entries", member, "")
	require.Equal(t, 200, status, "members read their own entries")
	status, _, _, _ = call(t, "PUT", ws+"/time-entries/"+fx.Entries[0].ID, member, `{"start":"2026-11-01T00:00:00Z"}`)
	require.Equal(t, 403, status, "members do not edit others' entries")
	status, _, _, _ = call(t, "DELETE", ws+"/time-entries/"+fx.Entries[0].ID, member, "")
	require.Equal(t, 403, status)
	status, _, _, _ = call(t, "POST", ws+"/user/"+fx.Owner.ID+"/time-entries", member, `{}`)
	require.Equal(t, 403, status)
	status, _, _, _ = call(t, "PATCH", ws+"/user/"+fx.Owner.ID+"/time-entries", member, `{"end":"2026-11-27T17:00:00Z"}`)
	require.Equal(t, 403, status)
}

func TestPagingHeaders(t *testing.T) {
	srv, fx := newServer(t)
	auth := map[string]string{"X-Api-Key": fx.OwnerKey}
	u := srv.CoreURL() + "v1/workspaces/" + fx.Workspace.ID + "/projects?page-size=4"
	_, hdr, _, raw := call(t, "GET", u+"&page=0", auth, "")
	require.Equal(t, "false", hdr.Get("Last-Page"))
	var page []clockify.Project
	require.NoError(t, json.Unmarshal(raw, &page))
	require.Len(t, page, 4, "page 0 is page 1")
	_, hdr, _, raw = call(t, "GET", u+"&page=2", auth, "")
	require.Equal(t, "true", hdr.Get("Last-Page"))
	require.NoError(t, json.Unmarshal(raw, &page))
	require.Len(t, page, 2)
	_, _, _, raw = call(t, "GET", u+"&page=9", auth, "")
	require.Equal(t, "[]\n", string(raw), "past the end is an empty array, not null")

	// Page sizes: 5000 is the largest, zero or less is the default of 50.
	entries := srv.CoreURL() + "v1/workspaces/" + fx.Workspace.ID + "/user/" + fx.Owner.ID + "/time-entries?page-size="
	var all []clockify.TimeEntry
	status, _, _, raw := call(t, "GET", entries+"5000", auth, "")
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, json.Unmarshal(raw, &all))
	require.Greater(t, len(all), 50)
	status, _, _, _ = call(t, "GET", entries+"5001", auth, "")
	require.Equal(t, http.StatusBadRequest, status)
	for _, size := range []string{"0", "-3"} {
		status, _, _, raw = call(t, "GET", entries+size, auth, "")
		require.Equal(t, http.StatusOK, status, size)
		require.NoError(t, json.Unmarshal(raw, &all))
		require.Len(t, all, 50, size)
	}
}

func TestHugePagesAreAnswered(t *testing.T) {
	// Clockify's page numbers are Java ints: a larger one is a 400, and the largest one
	// is an empty page, never a crash.
	srv, fx := newServer(t)
	auth := map[string]string{"X-Api-Key": fx.OwnerKey}
	u := srv.CoreURL() + "v1/workspaces/" + fx.Workspace.ID + "/projects?page-size=5"
	status, _, body, _ := call(t, "GET", u+"&page=2305843009213693953", auth, "")
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body["message"], "Failed to convert")
	status, hdr, _, raw := call(t, "GET", u+"&page=2147483647", auth, "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "[]\n", string(raw))
	require.Equal(t, "true", hdr.Get("Last-Page"))

	report := srv.ReportsURL() + "v1/workspaces/" + fx.Workspace.ID + "/reports/detailed"
	body1 := `{"dateRangeStart":"2026-01-01T00:00:00Z","dateRangeEnd":"2026-12-31T00:00:00Z","detailedFilter":{"page":%d,"pageSize":%d}}`
	status, _, _, _ = call(t, "POST", report, auth, fmt.Sprintf(body1, int64(1)<<40, 5))
	require.Equal(t, http.StatusBadRequest, status)
	status, _, got, _ := call(t, "POST", report, auth, fmt.Sprintf(body1, math.MaxInt32, math.MaxInt32))
	require.Equal(t, http.StatusOK, status)
	require.Empty(t, got["timeentries"])
	require.NotZero(t, got["totals"].([]any)[0].(map[string]any)["entriesCount"], "the window holds entries")
}

func TestGenerateIsDeterministic(t *testing.T) {
	a := clockifytest.Generate(clockifytest.GenerateOptions{Seed: 11, Now: now, Members: 20, Projects: 12})
	b := clockifytest.Generate(clockifytest.GenerateOptions{Seed: 11, Now: now, Members: 20, Projects: 12})
	require.Equal(t, a, b)
	c := clockifytest.Generate(clockifytest.GenerateOptions{Seed: 12, Now: now})
	require.NotEqual(t, a.Entries[0].Description+a.Members[0].User.Name, c.Entries[0].Description+c.Members[0].User.Name)
	require.Equal(t, clockifytest.Generate(clockifytest.GenerateOptions{Seed: 1, Now: now}), clockifytest.Generate(clockifytest.GenerateOptions{Now: now}), "seed 0 is seed 1")

	var hash, pr, url, plain, crossing, running int
	for _, e := range a.Entries {
		d := e.Description
		switch {
		case strings.HasPrefix(d, "#"):
			hash++
		case strings.HasPrefix(d, "PR #") || strings.HasPrefix(d, "PR-"):
			pr++
		case strings.Contains(d, "github.com/"):
			url++
		default:
			plain++
		}
		if m := prNumber.FindStringSubmatch(d); m != nil {
			n, err := strconv.Atoi(m[1])
			require.NoError(t, err)
			require.Positive(t, n, "a PR number is positive: %q", d)
		}
		if e.TimeInterval.End == nil {
			running++
			require.True(t, e.TimeInterval.Start.Before(now), "the timer runs at Now")
			continue
		}
		wd := e.TimeInterval.Start.Weekday()
		require.True(t, wd != time.Saturday && wd != time.Sunday, "work starts on a working day: %v", e.TimeInterval.Start)
		require.False(t, e.TimeInterval.Start.After(now))
		require.False(t, e.TimeInterval.End.After(now))
		if e.TimeInterval.Start.YearDay() != e.TimeInterval.End.YearDay() {
			crossing++
		}
		require.Equal(t, e.TimeInterval.End.Sub(e.TimeInterval.Start), e.TimeInterval.Duration.Std())
	}
	for name, n := range map[string]int{"#N": hash, "PR": pr, "URL": url, "plain": plain, "crossing midnight": crossing} {
		require.Positive(t, n, name)
	}
	require.Equal(t, 1, running)
	names := map[string]bool{}
	for _, m := range a.Members {
		require.False(t, names[m.User.Name], "member names are unique")
		names[m.User.Name] = true
	}
	// Ids look like Clockify's (24 hex digits) and are unique.
	ids := []string{a.Workspace.ID, a.Owner.ID}
	for _, p := range a.Projects {
		ids = append(ids, p.ID)
	}
	for _, e := range a.Entries {
		ids = append(ids, e.ID)
	}
	for _, id := range ids {
		require.Regexp(t, `^[0-9a-f]{24}$`, id)
	}
	requireUnique(t, "id", ids)
}

// prNumber finds the number of the PR reference a generated description starts with or
// links to.
var prNumber = regexp.MustCompile(`(?:^#|^PR #|^PR-|/pull/)(-?\d+)`)

// requireUnique fails when a value is empty or appears twice.
func requireUnique(t *testing.T, what string, vals []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, v := range vals {
		require.NotEmpty(t, v, what)
		require.False(t, seen[v], "%s %q twice", what, v)
		seen[v] = true
	}
}

func TestGoMethodsDeliverWebhooks(t *testing.T) {
	type delivery struct{ sig, event, id string }
	got := make(chan delivery, 20)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			ID string `json:"id"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		got <- delivery{r.Header.Get("Clockify-Signature"), r.Header.Get("Clockify-Webhook-Event-Type"), body.ID}
		if r.Header.Get("Clockify-Webhook-Event-Type") == "PROJECT_DELETED" {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer receiver.Close()
	srv, fx := newServer(t)
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	ctx := t.Context()
	wsID := fx.Workspace.ID
	tokens := map[clockify.WebhookEvent]string{}
	for _, ev := range []clockify.WebhookEvent{clockify.EventNewProject, clockify.EventProjectUpdated, clockify.EventProjectDeleted, clockify.EventNewTimeEntry, clockify.EventTimeEntryUpdated, clockify.EventTimeEntryDeleted, clockify.EventTimerStopped, clockify.EventNewTimerStarted} {
		h, _, err := c.Webhooks.Create(ctx, wsID, &clockify.WebhookRequest{Name: "hook " + string(ev)[:8], URL: receiver.URL, WebhookEvent: ev})
		require.NoError(t, err)
		tokens[ev] = h.AuthToken.Reveal()
	}
	// A webhook limited to one project does not fire for others.
	_, _, err = c.Webhooks.Create(ctx, wsID, &clockify.WebhookRequest{Name: "scoped", URL: receiver.URL, WebhookEvent: clockify.EventNewTimeEntry, TriggerSourceType: clockify.TriggerProject, TriggerSource: []string{"000000000000000000000000"}})
	require.NoError(t, err)

	expect := func(ev clockify.WebhookEvent, id string) {
		t.Helper()
		d := <-got
		require.Equal(t, string(ev), d.event)
		require.Equal(t, tokens[ev], d.sig)
		require.Equal(t, id, d.id)
	}
	p, err := srv.AddProject(wsID, clockify.Project{Name: "new-repo"})
	require.NoError(t, err)
	expect(clockify.EventNewProject, p.ID)
	p.Archived = true
	_, err = srv.UpdateProject(wsID, p)
	require.NoError(t, err)
	expect(clockify.EventProjectUpdated, p.ID)
	require.NoError(t, srv.DeleteProject(wsID, p.ID))
	expect(clockify.EventProjectDeleted, p.ID)

	e, err := srv.AddTimeEntry(wsID, clockify.TimeEntry{UserID: fx.Owner.ID, Description: "#1 x", TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Hour), End: new(now)}})
	require.NoError(t, err)
	expect(clockify.EventNewTimeEntry, e.ID)
	e.Description = "#2 y"
	_, err = srv.UpdateTimeEntry(wsID, e)
	require.NoError(t, err)
	expect(clockify.EventTimeEntryUpdated, e.ID)
	require.NoError(t, srv.DeleteTimeEntry(wsID, e.ID))
	expect(clockify.EventTimeEntryDeleted, e.ID)
	timer, err := srv.AddTimeEntry(wsID, clockify.TimeEntry{UserID: fx.Owner.ID, TimeInterval: clockify.TimeInterval{Start: now}})
	require.NoError(t, err)
	expect(clockify.EventNewTimerStarted, timer.ID)
	_, err = srv.StopTimer(wsID, fx.Owner.ID, now.Add(time.Minute))
	require.NoError(t, err)
	expect(clockify.EventTimerStopped, timer.ID)
	require.Empty(t, got, "the project-scoped webhook did not fire")

	ds := srv.Deliveries()
	require.Len(t, ds, 8)
	require.Equal(t, http.StatusInternalServerError, ds[2].StatusCode)
	hooks := srv.Webhooks(wsID)
	require.Len(t, hooks, 9)
	failed, _, err := c.Webhooks.Logs(ctx, wsID, hooks[2].ID, &clockify.WebhookLogOptions{Status: clockify.LogsFailed, SortByNewest: true})
	require.NoError(t, err)
	require.Len(t, failed, 1)

	// Errors of the Go methods.
	_, err = srv.UpdateTimeEntry(wsID, clockify.TimeEntry{ID: "missing"})
	require.Error(t, err)
	require.Error(t, srv.DeleteTimeEntry(wsID, "missing"))
	_, err = srv.UpdateProject(wsID, clockify.Project{ID: "missing"})
	require.Error(t, err)
	_, err = srv.AddTimeEntry("no-such-ws", clockify.TimeEntry{})
	require.Error(t, err)
	_, err = srv.AddProject("no-such-ws", clockify.Project{Name: "x"})
	require.Error(t, err)
	_, err = srv.AddTag("no-such-ws", clockify.Tag{Name: "x"})
	require.Error(t, err)
	require.Nil(t, srv.TimeEntries("no-such-ws"))
	require.Nil(t, srv.Webhooks("no-such-ws"))
	require.Panics(t, func() { srv.AddMember("no-such-ws", clockifytest.Member{}) })
}

// TestAddMemberDefaults: a member added with only a name is what Clockify would show for
// a new active member of the workspace; what the test sets is kept.
func TestAddMemberDefaults(t *testing.T) {
	srv, fx := newServer(t)
	ws := fx.Workspace.ID
	u := srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "New Member"}, APIKey: "new-key"})
	require.Regexp(t, `^[0-9a-f]{24}$`, u.ID)
	require.Equal(t, clockify.AccountActive, u.Status)
	require.Equal(t, ws, u.ActiveWorkspace)
	require.Equal(t, ws, u.DefaultWorkspace)
	require.Equal(t, &clockify.UserSettings{TimeZone: "UTC", WeekStart: "MONDAY"}, u.Settings)
	c, err := srv.NewClient("new-key")
	require.NoError(t, err)
	me, _, err := c.Users.Current(t.Context())
	require.NoError(t, err)
	require.Equal(t, u.ID, me.ID)
	require.Equal(t, clockify.AccountActive, me.Status)
	require.Equal(t, ws, me.ActiveWorkspace)

	kept := srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Old", Status: clockify.AccountDeleted, ActiveWorkspace: "elsewhere"}})
	require.Equal(t, clockify.AccountDeleted, kept.Status)
	require.Equal(t, "elsewhere", kept.ActiveWorkspace)
}

func TestUnreachableWebhookIsLogged(t *testing.T) {
	srv, fx := newServer(t, clockifytest.WithDeliveryClient(&http.Client{Timeout: time.Second}), clockifytest.WithClock(func() time.Time { return now }))
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	_, _, err = c.Webhooks.Create(t.Context(), fx.Workspace.ID, &clockify.WebhookRequest{Name: "gone", URL: closed.URL, WebhookEvent: clockify.EventNewTimerStarted})
	require.NoError(t, err)
	e, _, err := c.TimeEntries.Create(t.Context(), fx.Workspace.ID, &clockify.TimeEntryRequest{Description: "timer"})
	require.NoError(t, err)
	require.True(t, e.TimeInterval.Start.Equal(now), "a timer without a start begins at the server's now")
	ds := srv.Deliveries()
	require.Len(t, ds, 1)
	require.Zero(t, ds[0].StatusCode)
	require.NotEmpty(t, ds[0].Err)
	require.Equal(t, now, ds[0].At)
}

func TestWebhookLimits(t *testing.T) {
	// Clockify lets each admin create ten webhooks and a workspace hold a hundred; past
	// either, a create is a 400 and stores nothing.
	srv, fx := newServer(t)
	create := func(key string, n int) error {
		c, err := srv.NewClient(key)
		require.NoError(t, err)
		_, _, err = c.Webhooks.Create(t.Context(), fx.Workspace.ID, &clockify.WebhookRequest{
			Name: fmt.Sprintf("hook %d", n), URL: "http://127.0.0.1:1/hook", WebhookEvent: clockify.EventNewTag})
		return err
	}
	keys := []string{fx.OwnerKey}
	for i := range 10 {
		key := fmt.Sprintf("admin-key-%d", i)
		srv.AddMember(fx.Workspace.ID, clockifytest.Member{User: clockify.User{Name: "Admin", Email: fmt.Sprintf("a%d@x", i)}, APIKey: key, Admin: true})
		keys = append(keys, key)
	}
	for n := range 10 {
		require.NoError(t, create(keys[0], n))
	}
	err := create(keys[0], 10)
	var ae *clockify.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, http.StatusBadRequest, ae.StatusCode)
	require.Len(t, srv.Webhooks(fx.Workspace.ID), 10, "the refused webhook was not stored")

	for _, key := range keys[1:10] {
		for n := range 10 {
			require.NoError(t, create(key, n), "another admin has ten of their own")
		}
	}
	require.Len(t, srv.Webhooks(fx.Workspace.ID), 100)
	require.ErrorAs(t, create(keys[10], 0), &ae, "the workspace holds a hundred")
	require.Equal(t, http.StatusBadRequest, ae.StatusCode)
	require.Len(t, srv.Webhooks(fx.Workspace.ID), 100)
}

func TestEntryTypeIsValidated(t *testing.T) {
	// Clockify takes REGULAR or BREAK in a request; holidays and time off are its own.
	srv, fx := newServer(t, clockifytest.WithClock(func() time.Time { return now }))
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	before := srv.TimeEntries(fx.Workspace.ID)
	end := now
	var ae *clockify.APIError
	_, _, err = c.TimeEntries.Create(t.Context(), fx.Workspace.ID, &clockify.TimeEntryRequest{Start: now.Add(-time.Hour), End: &end, Type: clockify.TimeEntryHoliday})
	require.ErrorAs(t, err, &ae)
	require.Equal(t, http.StatusBadRequest, ae.StatusCode)
	require.Equal(t, before, srv.TimeEntries(fx.Workspace.ID), "nothing was stored")

	e, _, err := c.TimeEntries.Create(t.Context(), fx.Workspace.ID, &clockify.TimeEntryRequest{Start: now.Add(-time.Hour), End: &end, Type: clockify.TimeEntryBreak, Description: "lunch"})
	require.NoError(t, err)
	require.Equal(t, clockify.TimeEntryBreak, e.Type)
	_, _, err = c.TimeEntries.Update(t.Context(), fx.Workspace.ID, e.ID, &clockify.TimeEntryRequest{Start: now.Add(-time.Hour), End: &end, Type: "regular"})
	require.ErrorAs(t, err, &ae)
	require.Equal(t, http.StatusBadRequest, ae.StatusCode)
	got, _, err := c.TimeEntries.Get(t.Context(), fx.Workspace.ID, e.ID, false)
	require.NoError(t, err)
	require.Equal(t, clockify.TimeEntryBreak, got.Type)
	require.Equal(t, "lunch", got.Description, "the refused update changed nothing")
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

func TestWebhookRedirectIsNotFollowed(t *testing.T) {
	// A receiver's redirect is the delivery's answer: following it would hand the
	// webhook's token (a custom header, which net/http keeps across hosts) to another.
	var reached atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
	defer elsewhere.Close()
	moved := httptest.NewServer(http.RedirectHandler(elsewhere.URL, http.StatusTemporaryRedirect))
	defer moved.Close()

	srv, fx := newServer(t, clockifytest.WithDeliveryClient(&http.Client{Timeout: time.Second}))
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	_, _, err = c.Webhooks.Create(t.Context(), fx.Workspace.ID, &clockify.WebhookRequest{Name: "moved", URL: moved.URL, WebhookEvent: clockify.EventNewTimerStarted})
	require.NoError(t, err)
	_, _, err = c.TimeEntries.Create(t.Context(), fx.Workspace.ID, &clockify.TimeEntryRequest{Description: "timer"})
	require.NoError(t, err)
	ds := srv.Deliveries()
	require.Len(t, ds, 1)
	require.Equal(t, http.StatusTemporaryRedirect, ds[0].StatusCode)
	require.Zero(t, reached.Load())
}

func TestFaultsAndHook(t *testing.T) {
	seen := make(chan clockifytest.RequestInfo, 100)
	srv, fx := newServer(t, clockifytest.WithRequestHook(func(ri clockifytest.RequestInfo) { seen <- ri }))
	auth := map[string]string{"X-Api-Key": fx.OwnerKey}
	u := srv.CoreURL() + "v1/user"
	srv.FailNext(clockifytest.FaultTooManyRequests, clockifytest.FaultTooManyRequestsRetryAfter, clockifytest.FaultInternalError,
		clockifytest.FaultBadGateway, clockifytest.FaultUnavailable, clockifytest.FaultLatency, clockifytest.FaultNone)
	for _, want := range []int{429, 429, 500, 502, 503, 200, 200} {
		status, hdr, _, _ := call(t, "GET", u, auth, "")
		require.Equal(t, want, status)
		ri := <-seen
		require.Equal(t, "GET v1/user", ri.Route)
		require.Equal(t, want, ri.Status)
		if ri.Fault == clockifytest.FaultTooManyRequestsRetryAfter {
			require.Equal(t, "1", hdr.Get("Retry-After"))
		}
	}
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("X-Api-Key", fx.OwnerKey)
	noRetry := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	srv.FailNext(clockifytest.FaultDropConnection)
	_, err := noRetry.Do(req)
	require.Error(t, err)
	dropped := <-seen
	require.Equal(t, clockifytest.FaultDropConnection, dropped.Fault)
	require.Zero(t, dropped.Status)

	srv.FailNext(clockifytest.FaultTruncateBody)
	resp, err := noRetry.Do(req)
	require.NoError(t, err)
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.Equal(t, clockifytest.FaultTruncateBody, (<-seen).Fault)

	// A lost answer: the webhook is created, and its delivery made, but nothing comes back.
	hooks := func() int {
		status, _, _, body := call(t, "GET", srv.CoreURL()+"v1/workspaces/"+fx.Workspace.ID+"/webhooks", auth, "")
		require.Equal(t, 200, status)
		var l clockify.WebhookList
		require.NoError(t, json.Unmarshal(body, &l))
		return len(l.Webhooks)
	}
	before := hooks()
	<-seen
	post, _ := http.NewRequest("POST", srv.CoreURL()+"v1/workspaces/"+fx.Workspace.ID+"/webhooks",
		strings.NewReader(`{"name":"lost","url":"https://example.test/h","webhookEvent":"NEW_PROJECT"}`))
	post.Header.Set("X-Api-Key", fx.OwnerKey)
	srv.FailNext(clockifytest.FaultLoseAnswer)
	_, err = noRetry.Do(post)
	require.Error(t, err)
	lost := <-seen
	require.Equal(t, clockifytest.FaultLoseAnswer, lost.Fault)
	require.Equal(t, "lose-answer", lost.Fault.String())
	require.Zero(t, lost.Status)
	require.Equal(t, before+1, hooks(), "the request was carried out")
	<-seen

	// Random faults are reproducible from the seed.
	draw := func() []int {
		srv.SetFaults(clockifytest.Faults{Seed: 4, Rate: 0.5, Kinds: []clockifytest.Fault{clockifytest.FaultUnavailable}})
		var out []int
		for range 20 {
			status, _, _, _ := call(t, "GET", u, auth, "")
			out = append(out, status)
			<-seen
		}
		return out
	}
	first := draw()
	require.Equal(t, first, draw())
	require.Contains(t, first, 503)
	require.Contains(t, first, 200)
	require.Equal(t, "503", clockifytest.FaultUnavailable.String())
	require.Equal(t, "Fault(99)", clockifytest.Fault(99).String())
	require.Equal(t, 7+1+1+40, srv.Requests("GET v1/user"), "every request is counted: 7 scripted, a drop, a truncation, 40 drawn")
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
}

// TestWebhookBodiesAreValidated sends the fake bodies Clockify would refuse, to create a
// webhook and to update one; each is a 400 and leaves the webhooks as they were.
func TestWebhookBodiesAreValidated(t *testing.T) {
	srv, fx := newServer(t)
	owner := map[string]string{"X-Api-Key": fx.OwnerKey, "Content-Type": "application/json"}
	u := srv.CoreURL() + "v1/workspaces/" + fx.Workspace.ID + "/webhooks"
	status, _, created, raw := call(t, "POST", u, owner, `{"name":"kept","url":"https://example.com/hook","webhookEvent":"NEW_PROJECT","triggerSourceType":"WORKSPACE_ID","triggerSource":[]}`)
	require.Equal(t, 201, status, string(raw))
	id, _ := created["id"].(string)
	_, _, _, before := call(t, "GET", u, owner, "")

	valid := map[string]string{"name": `"renamed"`, "url": `"https://example.com/other"`, "webhookEvent": `"NEW_TIME_ENTRY"`, "triggerSourceType": `"PROJECT_ID"`}
	body := func(field, value string) string {
		var parts []string
		for _, f := range []string{"name", "url", "webhookEvent", "triggerSourceType"} {
			v := valid[f]
			if f == field {
				v = value
			}
			if v != "" {
				parts = append(parts, `"`+f+`":`+v)
			}
		}
		return "{" + strings.Join(parts, ",") + `,"triggerSource":[]}`
	}
	for _, tc := range []struct {
		name, body, message string
	}{
		{"no name", body("name", ""), "Webhook already exists"},
		{"one-letter name", body("name", `"a"`), "Webhook already exists"},
		{"name of 31 characters", body("name", `"`+strings.Repeat("é", 31)+`"`), "Webhook already exists"},
		{"relative URL", body("url", `"/hook"`), "[url]"},
		{"ftp URL", body("url", `"ftp://example.com/hook"`), "[url]"},
		{"no event", body("webhookEvent", ""), "[webhookEvent]"},
		{"event in lower case", body("webhookEvent", `"new_time_entry"`), "[webhookEvent]"},
		{"event not in the enum", body("webhookEvent", `"TIME_ENTRY_BATCH_DELETED"`), "[webhookEvent]"},
		{"unknown trigger source type", body("triggerSourceType", `"CLIENT_ID"`), "[triggerSourceType]"},
		{"malformed JSON", `{"name":`, "Malformed JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, req := range []struct{ method, url string }{{"POST", u}, {"PUT", u + "/" + id}} {
				status, _, got, raw := call(t, req.method, req.url, owner, tc.body)
				require.Equal(t, 400, status, "%s: %s", req.method, raw)
				require.Contains(t, got["message"], tc.message, req.method)
			}
			_, _, _, after := call(t, "GET", u, owner, "")
			require.JSONEq(t, string(before), string(after), "a rejected body changes no webhook")
		})
	}

	status, _, _, raw = call(t, "PUT", u+"/000000000000000000000000", owner, body("", ""))
	require.Equal(t, 400, status)
	require.Contains(t, string(raw), "Webhook doesn't belong to Workspace")
	status, _, updated, raw := call(t, "PUT", u+"/"+id, owner, body("", ""))
	require.Equal(t, 200, status, string(raw))
	require.Equal(t, "renamed", updated["name"])
	require.Equal(t, "NEW_TIME_ENTRY", updated["webhookEvent"])
	require.Equal(t, "PROJECT_ID", updated["triggerSourceType"])
	require.Equal(t, created["authToken"], updated["authToken"], "an update keeps the token")
	// The ends of the name's length, counted in characters, are accepted.
	for _, name := range []string{"ab", strings.Repeat("é", 30)} {
		status, _, updated, raw = call(t, "PUT", u+"/"+id, owner, body("name", `"`+name+`"`))
		require.Equal(t, 200, status, string(raw))
		require.Equal(t, name, updated["name"])
	}
}

// TestWebhookTriggerSources checks that a webhook fires only for entries its trigger
// source covers: the workspace, or a listed project, user, task or tag.
func TestWebhookTriggerSources(t *testing.T) {
	receiver := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer receiver.Close()
	srv, fx := newServer(t)
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	wsID := fx.Workspace.ID
	tag, err := srv.AddTag(wsID, clockify.Tag{Name: "review"})
	require.NoError(t, err)
	member := fx.Members[2].User.ID

	names := map[string]string{} // webhook id -> name
	for _, h := range []struct {
		name   string
		typ    clockify.TriggerSourceType
		source []string
	}{
		{"workspace", clockify.TriggerWorkspace, []string{wsID}},
		{"project", clockify.TriggerProject, []string{fx.Projects[0].ID}},
		{"user", clockify.TriggerUser, []string{member}},
		{"task", clockify.TriggerTask, []string{"task-1"}},
		{"tag", clockify.TriggerTag, []string{"other-tag", tag.ID}},
		{"assignment", clockify.TriggerAssignment, []string{"task-1"}},
		{"expense", clockify.TriggerExpense, []string{fx.Projects[0].ID}},
	} {
		hook, _, err := c.Webhooks.Create(t.Context(), wsID, &clockify.WebhookRequest{Name: h.name, URL: receiver.URL, WebhookEvent: clockify.EventNewTimeEntry, TriggerSourceType: h.typ, TriggerSource: h.source})
		require.NoError(t, err)
		names[hook.ID] = h.name
	}

	for _, tc := range []struct {
		name  string
		entry clockify.TimeEntry
		fired []string
	}{
		{"nothing listed", clockify.TimeEntry{UserID: fx.Owner.ID, ProjectID: fx.Projects[1].ID}, []string{"workspace"}},
		{"no project", clockify.TimeEntry{UserID: fx.Owner.ID}, []string{"workspace"}},
		{"listed project", clockify.TimeEntry{UserID: fx.Owner.ID, ProjectID: fx.Projects[0].ID}, []string{"workspace", "project"}},
		{"listed user", clockify.TimeEntry{UserID: member}, []string{"workspace", "user"}},
		{"listed task", clockify.TimeEntry{UserID: fx.Owner.ID, ProjectID: fx.Projects[1].ID, TaskID: "task-1"}, []string{"workspace", "task"}},
		{"one listed tag", clockify.TimeEntry{UserID: fx.Owner.ID, TagIDs: []string{tag.ID}}, []string{"workspace", "tag"}},
		{"all of them", clockify.TimeEntry{UserID: member, ProjectID: fx.Projects[0].ID, TaskID: "task-1", TagIDs: []string{tag.ID}}, []string{"workspace", "project", "user", "task", "tag"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.Deliveries())
			tc.entry.TimeInterval = clockify.TimeInterval{Start: now.Add(-2 * time.Hour), End: new(now.Add(-time.Hour))}
			_, err := srv.AddTimeEntry(wsID, tc.entry)
			require.NoError(t, err)
			var fired []string
			for _, d := range srv.Deliveries()[before:] {
				fired = append(fired, names[d.WebhookID])
			}
			require.ElementsMatch(t, tc.fired, fired)
		})
	}
}

// TestWebhookLogsFilterSortAndPage reads a webhook's delivery logs through the client:
// by outcome, by time, newest first, and a page at a time.
func TestWebhookLogsFilterSortAndPage(t *testing.T) {
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if strings.Contains(string(b), "refused") {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer receiver.Close()
	var ticks atomic.Int64 // each reading of the clock is one second later
	srv, fx := newServer(t, clockifytest.WithClock(func() time.Time { return now.Add(time.Duration(ticks.Add(1)) * time.Second) }))
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	ctx, wsID := t.Context(), fx.Workspace.ID
	hook, _, err := c.Webhooks.Create(ctx, wsID, &clockify.WebhookRequest{Name: "logged", URL: receiver.URL, WebhookEvent: clockify.EventNewTimeEntry})
	require.NoError(t, err)
	for _, d := range []string{"accepted 1", "refused 2", "accepted 3", "refused 4", "accepted 5"} {
		_, err := srv.AddTimeEntry(wsID, clockify.TimeEntry{UserID: fx.Owner.ID, Description: d, TimeInterval: clockify.TimeInterval{Start: now.Add(-2 * time.Hour), End: new(now.Add(-time.Hour))}})
		require.NoError(t, err)
	}
	ds := srv.Deliveries()
	require.Len(t, ds, 5)

	numbers := func(opts *clockify.WebhookLogOptions) []string {
		t.Helper()
		logs, _, err := c.Webhooks.Logs(ctx, wsID, hook.ID, opts)
		require.NoError(t, err)
		var out []string
		for _, l := range logs {
			var e clockify.TimeEntry
			require.NoError(t, json.Unmarshal([]byte(l.RequestBody), &e))
			out = append(out, e.Description[len(e.Description)-1:])
		}
		return out
	}
	for _, tc := range []struct {
		name string
		opts *clockify.WebhookLogOptions
		want []string
	}{
		{"all, oldest first", nil, []string{"1", "2", "3", "4", "5"}},
		{"failed", &clockify.WebhookLogOptions{Status: clockify.LogsFailed}, []string{"2", "4"}},
		{"succeeded", &clockify.WebhookLogOptions{Status: clockify.LogsSucceeded}, []string{"1", "3", "5"}},
		{"newest first", &clockify.WebhookLogOptions{SortByNewest: true}, []string{"5", "4", "3", "2", "1"}},
		{"from the second to the fourth", &clockify.WebhookLogOptions{From: ds[1].At, To: ds[3].At}, []string{"2", "3", "4"}},
		{"page 0 is the first page", &clockify.WebhookLogOptions{Page: 0, Size: 2}, []string{"1", "2"}},
		{"page 1 is the first page", &clockify.WebhookLogOptions{Page: 1, Size: 2}, []string{"1", "2"}},
		{"page 3", &clockify.WebhookLogOptions{Page: 3, Size: 2}, []string{"5"}},
		{"past the end", &clockify.WebhookLogOptions{Page: 4, Size: 2}, nil},
		{"failed, newest first, one a page", &clockify.WebhookLogOptions{Status: clockify.LogsFailed, SortByNewest: true, Page: 1, Size: 1}, []string{"4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, numbers(tc.opts))
		})
	}

	// AllLogs reads every page of a filtered, sorted list, none twice (page 1 repeats
	// page 0 here, and is dropped).
	var all []string
	for l, err := range c.Webhooks.AllLogs(ctx, wsID, hook.ID, &clockify.WebhookLogOptions{SortByNewest: true, Page: 7, Size: 2}) {
		require.NoError(t, err)
		var e clockify.TimeEntry
		require.NoError(t, json.Unmarshal([]byte(l.RequestBody), &e))
		all = append(all, e.Description)
	}
	require.Equal(t, []string{"accepted 5", "refused 4", "accepted 3", "refused 2", "accepted 1"}, all)
}

// TestReportRangeIsReadInTheReportsZone sends raw report requests: the range is
// wall-clock time in the request's zone, or the user's own zone when it names none.
func TestReportRangeIsReadInTheReportsZone(t *testing.T) {
	srv, fx := newServer(t)
	wsID := fx.Workspace.ID
	sydney := srv.AddMember(wsID, clockifytest.Member{User: clockify.User{Name: "Sydney Admin", Settings: &clockify.UserSettings{TimeZone: "Australia/Sydney"}}, APIKey: "sydney-key", Admin: true})
	// 09:30 in Sydney on 2 March 2026 (UTC+11) is 22:30 UTC on 1 March.
	e, err := srv.AddTimeEntry(wsID, clockify.TimeEntry{UserID: sydney.ID, Description: "zoned", TimeInterval: clockify.TimeInterval{
		Start: time.Date(2026, 3, 1, 22, 30, 0, 0, time.UTC), End: new(time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC))}})
	require.NoError(t, err)

	u := srv.ReportsURL() + "v1/workspaces/" + wsID + "/reports/detailed"
	report := func(key, zone string) (int, []string, []byte) {
		t.Helper()
		body := `{"dateRangeStart":"2026-03-02T00:00:00.000Z","dateRangeEnd":"2026-03-02T23:59:59.999Z","detailedFilter":{"page":1,"pageSize":50}` + zone + `}`
		status, _, _, raw := call(t, "POST", u, map[string]string{"X-Api-Key": key}, body)
		var rep struct {
			Entries []struct {
				ID           string `json:"_id"`
				TimeInterval struct {
					Start string `json:"start"`
				} `json:"timeInterval"`
			} `json:"timeentries"`
		}
		_ = json.Unmarshal(raw, &rep)
		var starts []string
		for _, r := range rep.Entries {
			if r.ID == e.ID {
				starts = append(starts, r.TimeInterval.Start)
			}
		}
		return status, starts, raw
	}
	for _, tc := range []struct {
		name, key, zone string
		status          int
		starts          []string
	}{
		{"the 2nd in Sydney, named", fx.OwnerKey, `,"timeZone":"Australia/Sydney"`, 200, []string{"2026-03-02T09:30:00+11:00"}},
		{"the 2nd in Sydney, the user's zone", "sydney-key", ``, 200, []string{"2026-03-02T09:30:00+11:00"}},
		{"the 2nd in UTC, named", "sydney-key", `,"timeZone":"UTC"`, 200, nil},
		{"the 2nd in UTC, the user's zone", fx.OwnerKey, ``, 200, nil},
		{"an unknown zone", fx.OwnerKey, `,"timeZone":"Mars/Olympus_Mons"`, 400, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, starts, raw := report(tc.key, tc.zone)
			require.Equal(t, tc.status, status, string(raw))
			require.Equal(t, tc.starts, starts)
		})
	}
}

// TestNilOptionsKeepDefaults: a nil clock or delivery client keeps the default instead of
// panicking.
func TestNilOptionsKeepDefaults(t *testing.T) {
	// Deliveries are made before the triggering call returns: no waiting.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer hook.Close()
	srv, fx := newServer(t, clockifytest.WithClock(nil), clockifytest.WithDeliveryClient(nil))
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	_, _, err = c.Webhooks.Create(t.Context(), fx.Workspace.ID, &clockify.WebhookRequest{Name: "hook", URL: hook.URL, WebhookEvent: clockify.EventNewTimerStarted})
	require.NoError(t, err)
	e, _, err := c.TimeEntries.Create(t.Context(), fx.Workspace.ID, &clockify.TimeEntryRequest{Description: "timer"})
	require.NoError(t, err)
	require.False(t, e.TimeInterval.Start.IsZero(), "started now")
	ds := srv.Deliveries()
	require.Len(t, ds, 1)
	require.Equal(t, http.StatusOK, ds[0].StatusCode, "delivered through the default client")
}

// TestFaultRateAndRetryAfter: Rate is the share of requests that fail (a fixed seed makes
// the draw the same on every run), and Retry-After is whole seconds, rounded up.
func TestFaultRateAndRetryAfter(t *testing.T) {
	srv, fx := newServer(t)
	auth := map[string]string{"X-Api-Key": fx.OwnerKey}
	u := srv.CoreURL() + "v1/user"
	for _, rate := range []float64{0.1, 0.9} {
		srv.SetFaults(clockifytest.Faults{Seed: 7, Rate: rate, Kinds: []clockifytest.Fault{clockifytest.FaultUnavailable}})
		failed := 0
		for range 400 {
			if status, _, _, _ := call(t, "GET", u, auth, ""); status == http.StatusServiceUnavailable {
				failed++
			}
		}
		require.InDelta(t, rate*400, failed, 40, "rate %v", rate)
	}
	for _, tc := range []struct {
		after time.Duration
		want  string
	}{{0, "1"}, {1500 * time.Millisecond, "2"}, {3 * time.Second, "3"}} {
		srv.SetFaults(clockifytest.Faults{RetryAfter: tc.after})
		srv.FailNext(clockifytest.FaultTooManyRequestsRetryAfter)
		status, hdr, _, _ := call(t, "GET", u, auth, "")
		require.Equal(t, http.StatusTooManyRequests, status)
		require.Equal(t, tc.want, hdr.Get("Retry-After"), "%v", tc.after)
	}
}

// TestListFilters: the member and project lists filter as Clockify's do (parts of names
// and emails in any case, membership status, archived, billable) and hydrate on request.
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

	// GET /v1/user carries the memberships only when asked.
	auth := map[string]string{"X-Api-Key": fx.OwnerKey}
	_, _, plain, _ := call(t, "GET", srv.CoreURL()+"v1/user", auth, "")
	_, _, full, _ := call(t, "GET", srv.CoreURL()+"v1/user?include-memberships=true", auth, "")
	require.Empty(t, plain["memberships"])
	require.NotEmpty(t, full["memberships"])
}

// TestEntryFilters: a user's entries filter by running state and project, and an entry
// is hydrated only when asked.
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
	inProject := list(&clockify.TimeEntryListOptions{Project: running.ProjectID})
	require.NotEmpty(t, inProject)
	require.Less(t, len(inProject), len(all))
	for _, e := range inProject {
		require.Equal(t, running.ProjectID, e.ProjectID)
	}

	plain, _, err := c.TimeEntries.Get(ctx, ws, running.ID, false)
	require.NoError(t, err)
	require.Nil(t, plain.Project)
	full, _, err := c.TimeEntries.Get(ctx, ws, running.ID, true)
	require.NoError(t, err)
	require.NotNil(t, full.Project)
	require.Equal(t, running.ProjectID, full.Project.ID)
	require.Equal(t, running.UserID, full.User.ID)
}

// TestGenerateAtScale: past the built-in name lists, members, emails, keys and project
// names stay unique, the counts are those asked for, and entries stay inside the days.
func TestGenerateAtScale(t *testing.T) {
	f := clockifytest.Generate(clockifytest.GenerateOptions{Seed: 3, Now: now, Members: 90, Projects: 40, Days: 3, Org: "globex"})
	require.Len(t, f.Members, 90)
	require.Len(t, f.Projects, 40)
	require.True(t, f.Members[0].Admin)
	var names, emails, keys, projects []string
	for _, m := range f.Members {
		names, emails, keys = append(names, m.User.Name), append(emails, m.User.Email), append(keys, m.APIKey)
		require.True(t, strings.HasSuffix(m.User.Email, "@globex.dev"), m.User.Email)
		require.Equal(t, m.Admin, m.User.ID == f.Owner.ID)
	}
	for _, p := range f.Projects {
		projects = append(projects, p.Name)
	}
	requireUnique(t, "name", names)
	requireUnique(t, "email", emails)
	requireUnique(t, "key", keys)
	requireUnique(t, "project", projects)
	require.NotEmpty(t, f.Entries)
	earliest := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -3)
	for _, e := range f.Entries {
		require.False(t, e.TimeInterval.Start.Before(earliest), "%v", e.TimeInterval.Start)
		require.False(t, e.TimeInterval.Start.After(now))
	}
}

// TestReportFilters: a detailed report keeps the entries of the users, projects and
// billable flag asked for, names their users and projects, and totals what it kept.
func TestReportFilters(t *testing.T) {
	srv, fx := newServer(t)
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	from, to := now.AddDate(0, 0, -60), now
	member, project := fx.Members[1].User, fx.Projects[0]
	cases := []struct {
		name string
		req  clockify.DetailedReportRequest
		keep func(e clockify.TimeEntry) bool
	}{
		{"user", clockify.DetailedReportRequest{Users: []string{member.ID}}, func(e clockify.TimeEntry) bool { return e.UserID == member.ID }},
		{"project", clockify.DetailedReportRequest{Projects: []string{project.ID}}, func(e clockify.TimeEntry) bool { return e.ProjectID == project.ID }},
		{"billable", clockify.DetailedReportRequest{Billable: new(true)}, func(e clockify.TimeEntry) bool { return e.Billable }},
		{"not billable", clockify.DetailedReportRequest{Billable: new(false)}, func(e clockify.TimeEntry) bool { return !e.Billable }},
		{"user and project", clockify.DetailedReportRequest{Users: []string{member.ID}, Projects: []string{project.ID}},
			func(e clockify.TimeEntry) bool { return e.UserID == member.ID && e.ProjectID == project.ID }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			var total, billable int64
			for _, e := range fx.Entries {
				if tc.keep(e) {
					want = append(want, e.ID)
					if e.TimeInterval.End != nil {
						d := int64(e.TimeInterval.End.Sub(e.TimeInterval.Start) / time.Second)
						total += d
						if e.Billable {
							billable += d
						}
					}
				}
			}
			require.NotEmpty(t, want)
			require.Less(t, len(want), len(fx.Entries), "the filter leaves some out")
			req := tc.req
			req.Start, req.End, req.PageSize = from, to, 5000
			rep, _, err := c.Reports.Detailed(t.Context(), fx.Workspace.ID, &req)
			require.NoError(t, err)
			var got []string
			for _, e := range rep.Entries {
				got = append(got, e.ID)
				require.NotEmpty(t, e.UserName)
				require.NotEmpty(t, e.UserEmail)
				require.Equal(t, e.ProjectID != "", e.ProjectName != "")
			}
			require.ElementsMatch(t, want, got)
			require.Equal(t, []clockify.ReportTotal{{ID: rep.Totals[0].ID, TotalTime: total, TotalBillableTime: billable, EntriesCount: len(want)}}, rep.Totals)
		})
	}
	// A page size of 0 (or none) is Clockify's default, 50.
	require.Greater(t, len(fx.Entries), 50)
	_, _, _, raw := call(t, "POST", srv.ReportsURL()+"v1/workspaces/"+fx.Workspace.ID+"/reports/detailed", map[string]string{"X-Api-Key": fx.OwnerKey},
		`{"dateRangeStart":"`+from.Format(time.RFC3339)+`","dateRangeEnd":"`+to.Format(time.RFC3339)+`","detailedFilter":{"page":1,"pageSize":0}}`)
	var page struct{ TimeEntries []json.RawMessage }
	require.NoError(t, json.Unmarshal(raw, &page))
	require.Len(t, page.TimeEntries, 50)
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
		{true, `{"name":"a"}`, true},
		{false, `{"name":"b"}`, false},
		{false, `{"name":"c","billable":true}`, true},
		{true, `{"name":"d","billable":false}`, false},
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

// TestFaultsWithoutKindsUseEvery: Faults with a rate and no kinds draws from every kind.
func TestFaultsWithoutKindsUseEvery(t *testing.T) {
	const n = 200
	faults := make(chan clockifytest.Fault, n)
	srv, fx := newServer(t, clockifytest.WithRequestHook(func(ri clockifytest.RequestInfo) { faults <- ri.Fault }))
	srv.SetFaults(clockifytest.Faults{Seed: 3, Rate: 1, Latency: time.Nanosecond})
	// A connection each, so that net/http never sends a request again after a drop.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for range n {
		req, err := http.NewRequest("GET", srv.CoreURL()+"v1/user", nil)
		require.NoError(t, err)
		req.Header.Set("X-Api-Key", fx.OwnerKey)
		if resp, err := hc.Do(req); err == nil { // a dropped connection is an error here
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	seen := map[clockifytest.Fault]int{}
	for range n {
		seen[<-faults]++
	}
	require.Zero(t, seen[clockifytest.FaultNone], "a rate of 1 faults every request")
	for _, f := range []clockifytest.Fault{clockifytest.FaultTooManyRequests, clockifytest.FaultTooManyRequestsRetryAfter, clockifytest.FaultInternalError,
		clockifytest.FaultBadGateway, clockifytest.FaultUnavailable, clockifytest.FaultDropConnection, clockifytest.FaultTruncateBody, clockifytest.FaultLatency} {
		require.Positive(t, seen[f], f.String())
	}
}

// TestSeedingChecks: AddWorkspace with a known id replaces the settings and keeps the
// data; AddTimeEntry refuses a user who is not a member and an id already stored.
func TestSeedingChecks(t *testing.T) {
	srv, fx := newServer(t)
	ws := fx.Workspace
	ws.Name = "Renamed"
	require.Equal(t, "Renamed", srv.AddWorkspace(ws).Name)
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	got, _, err := c.Workspaces.Get(t.Context(), ws.ID)
	require.NoError(t, err)
	require.Equal(t, "Renamed", got.Name)
	require.Len(t, srv.TimeEntries(ws.ID), len(fx.Entries), "the entries are kept")

	end := now
	_, err = srv.AddTimeEntry(ws.ID, clockify.TimeEntry{UserID: "000000000000000000000000", TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Hour), End: &end}})
	require.ErrorContains(t, err, "User doesn't belong")
	_, err = srv.AddTimeEntry(ws.ID, clockify.TimeEntry{ID: fx.Entries[0].ID, UserID: fx.Owner.ID, TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Hour), End: &end}})
	require.ErrorContains(t, err, "already exists")
	stored, _, err := c.TimeEntries.Get(t.Context(), ws.ID, fx.Entries[0].ID, false)
	require.NoError(t, err)
	require.Equal(t, fx.Entries[0].Description, stored.Description, "nothing replaced")
	require.Len(t, srv.TimeEntries(ws.ID), len(fx.Entries))
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

	// Deleted entries come in the "response" wrapper, the entry as it was in "document".
	clock.Store(now.Add(5 * time.Hour).Unix())
	require.NoError(t, srv.DeleteTimeEntry(ws, first.ID))
	_, items, _ = get("deleted", "type=TIME_ENTRY&start="+now.Add(4*time.Hour).Format(time.RFC3339))
	require.Equal(t, []string{first.ID}, ids(items))
	require.Equal(t, now.Add(5*time.Hour).Format(time.RFC3339), items[0]["deletedAt"])
	_, items, _ = get("deleted", "type=TIME_ENTRY")
	require.Empty(t, items, "the last 30 days by default, which the entry was created in")
	_, items, _ = get("created", "type=TIME_ENTRY&start="+now.Add(30*time.Minute).Format(time.RFC3339))
	require.Equal(t, []string{second.ID}, ids(items), "a deleted entry is not listed as created")

	for _, query := range []string{"", "type=EXPENSE", "type=TIME_ENTRY&start=yesterday",
		"type=TIME_ENTRY&start=" + now.Format(time.RFC3339) + "&end=" + now.Add(-time.Second).Format(time.RFC3339),
		"type=TIME_ENTRY&limit=x", "type=TIME_ENTRY&limit=5001"} {
		status, _, _ := get("created", query)
		require.Equal(t, http.StatusBadRequest, status, query)
	}
	status, _, _, _ = call(t, http.MethodGet, base+"deleted?type=TIME_ENTRY", map[string]string{"X-Api-Key": fx.Members[1].APIKey}, "")
	require.Equal(t, http.StatusForbidden, status, "admins only")
}
