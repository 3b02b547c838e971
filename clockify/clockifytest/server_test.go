package clockifytest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
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
		{"body over 1 MiB", "POST", wsPath + "/projects", `{"name":"` + strings.Repeat("a", 1<<20) + `"}`, 400, "Malformed JSON"},
		{"update from malformed JSON", "PUT", wsPath + "/time-entries/" + fx.Entries[0].ID, "{", 400, "Malformed JSON"},
		{"stop from malformed JSON", "PATCH", wsPath + "/user/" + fx.Owner.ID + "/time-entries", "{", 400, "Malformed JSON"},
		{"webhook without name", "POST", wsPath + "/webhooks", `{"url":"https://x","webhookEvent":"NEW_PROJECT"}`, 400, "Webhook already exists"},
		{"active project delete", "DELETE", wsPath + "/projects/" + fx.Projects[0].ID, "", 400, "Cannot delete an active project"},
		{"report without range", "POST", srv.ReportsURL() + "v1/workspaces/" + fx.Workspace.ID + "/reports/detailed", "{}", 400, "required"},
		{"report without start", "POST", srv.ReportsURL() + "v1/workspaces/" + fx.Workspace.ID + "/reports/detailed",
			`{"dateRangeEnd":"2026-11-02T00:00:00Z","detailedFilter":{"page":1,"pageSize":10}}`, 400, "required"},
		{"report without end", "POST", srv.ReportsURL() + "v1/workspaces/" + fx.Workspace.ID + "/reports/detailed",
			`{"dateRangeStart":"2026-11-01T00:00:00Z","detailedFilter":{"page":1,"pageSize":10}}`, 400, "required"},
		{"report without filter", "POST", srv.ReportsURL() + "v1/workspaces/" + fx.Workspace.ID + "/reports/detailed",
			`{"dateRangeStart":"2026-11-01T00:00:00Z","dateRangeEnd":"2026-11-02T00:00:00Z"}`, 400, "required"},
		{"update without start", "PUT", wsPath + "/time-entries/" + fx.Entries[0].ID, `{"description":"x"}`, 400, "[start]"},
		{"stop without end", "PATCH", wsPath + "/user/" + fx.Owner.ID + "/time-entries", `{}`, 400, "[end]"},
		{"stop with nothing running", "PATCH", wsPath + "/user/" + fx.Owner.ID + "/time-entries", `{"end":"2026-11-27T17:00:00Z"}`, 404, "No running"},
		{"end before start", "POST", wsPath + "/time-entries", `{"start":"2026-11-27T17:00:00Z","end":"2026-11-27T16:00:00Z"}`, 400, "[end]"},
		{"entry on unknown project", "POST", wsPath + "/time-entries", `{"projectId":"000000000000000000000000"}`, 400, "Project doesn't belong"},
		{"entry with unknown tag", "POST", wsPath + "/time-entries", `{"tagIds":["x"]}`, 400, "Tag doesn't belong"},
		{"project without name", "POST", wsPath + "/projects", `{"name":" "}`, 400, "name is required"},
		{"duplicate project", "POST", wsPath + "/projects", `{"name":"` + strings.ToUpper(fx.Projects[0].Name) + `"}`, 400, "already exists"},
		{"project name of one character", "POST", wsPath + "/projects", `{"name":" é "}`, 400, "[name]"},
		{"project name of 251 characters", "POST", wsPath + "/projects", `{"name":"` + strings.Repeat("é", 251) + `"}`, 400, "[name]"},
		{"project colour of three digits", "POST", wsPath + "/projects", `{"name":"web-x","color":"#fff"}`, 400, "[color]"},
		{"project colour without #", "POST", wsPath + "/projects", `{"name":"web-x","color":"4CAF50"}`, 400, "[color]"},
		{"project note of 16,385 characters", "POST", wsPath + "/projects", `{"name":"web-x","note":"` + strings.Repeat("é", 16385) + `"}`, 400, "[note]"},
		{"project renamed to one character", "PUT", wsPath + "/projects/" + fx.Projects[0].ID, `{"name":"x"}`, 400, "[name]"},
		{"entry description of 3,001 characters", "POST", wsPath + "/time-entries", `{"description":"` + strings.Repeat("é", 3001) + `"}`, 400, "[description]"},
	}
	allProjects := wsPath + "/projects?page-size=5000"
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.TimeEntries(fx.Workspace.ID))
			_, _, _, projectsBefore := call(t, "GET", allProjects, auth, "")
			status, hdr, body, raw := call(t, tc.method, tc.url, auth, tc.body)
			require.Equal(t, tc.status, status, string(raw))
			require.Contains(t, body["message"], tc.message)
			if status == 405 {
				require.NotEmpty(t, hdr.Get("Allow"))
			}
			if status == 405 || strings.HasPrefix(tc.message, "No static resource") {
				require.Equal(t, float64(3000), body["code"], "the code of a route Clockify has not")
			}
			require.Equal(t, before, len(srv.TimeEntries(fx.Workspace.ID)), "a rejected request changes nothing")
			_, _, _, projectsAfter := call(t, "GET", allProjects, auth, "")
			require.Equal(t, string(projectsBefore), string(projectsAfter), "nor any project")
		})
	}

	// Clockify's code for a field it cannot take, and for no timer to stop, is 501.
	i := slices.IndexFunc(fx.Entries, func(e clockify.TimeEntry) bool { return e.Running() })
	require.GreaterOrEqual(t, i, 0, "the fixture has a running timer")
	running := fx.Entries[i]
	ownEntries := wsPath + "/user/" + fx.Owner.ID + "/time-entries"
	for _, req := range []struct{ method, url, body string }{
		{"GET", ownEntries + "?end=today", ""},
		{"PUT", wsPath + "/time-entries/" + fx.Entries[0].ID, `{"description":"x"}`},
		{"PATCH", ownEntries, `{}`},
		{"PATCH", ownEntries, `{"end":"2026-11-27T17:00:00Z"}`},
		{"PATCH", wsPath + "/user/" + running.UserID + "/time-entries", `{"end":"` + running.TimeInterval.Start.Add(-time.Hour).Format(time.RFC3339) + `"}`},
		{"POST", wsPath + "/time-entries", `{"type":"HOLIDAY"}`},
		{"GET", wsPath + "/time-entries/000000000000000000000000", ""},
		{"DELETE", wsPath + "/projects/" + fx.Projects[0].ID, ""},
		{"POST", wsPath + "/time-entries", `{"start":"2026-11-27T17:00:00Z","end":"2026-11-27T16:00:00Z"}`},
	} {
		_, _, body, raw := call(t, req.method, req.url, auth, req.body)
		require.Equal(t, float64(501), body["code"], "%s %s: %s", req.method, req.url, raw)
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

	entry := `{"start":"2026-11-27T10:00:00Z","end":"2026-11-27T11:00:00Z"}`
	own := ws + "/user/" + fx.Members[2].User.ID + "/time-entries"
	owner := map[string]string{"X-Api-Key": fx.OwnerKey}
	var made []string
	for _, who := range []map[string]string{member, owner} {
		status, _, body, raw := call(t, "POST", own, who, entry)
		require.Equal(t, 201, status, "members add their own entries, admins anyone's: %s", raw)
		require.Equal(t, fx.Members[2].User.ID, body["userId"])
		made = append(made, body["id"].(string))
	}
	for _, who := range []map[string]string{member, owner} {
		status, _, _, raw := call(t, "PUT", ws+"/time-entries/"+made[0], who, entry)
		require.Equal(t, 200, status, "members edit their own entries, admins anyone's: %s", raw)
	}
	status, _, _, raw := call(t, "DELETE", ws+"/time-entries/"+made[1], member, "")
	require.Equal(t, 204, status, "members delete their own entries: %s", raw)
	require.Empty(t, raw)
	status, _, _, _ = call(t, "GET", ws+"/time-entries/"+made[1], owner, "")
	require.Equal(t, 400, status, "gone")

	srv.AddMember(fx.Workspace.ID, clockifytest.Member{User: clockify.User{Name: "Ina Active"}, APIKey: "inactive-key", Status: clockify.MemberInactive})
	status, _, _, _ = call(t, "GET", ws+"/projects", map[string]string{"X-Api-Key": "inactive-key"}, "")
	require.Equal(t, 403, status, "an inactive member reads nothing of the workspace")
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
	for _, page := range []string{"2147483648", "2305843009213693953"} {
		status, _, body, _ := call(t, "GET", u+"&page="+page, auth, "")
		require.Equal(t, http.StatusBadRequest, status, page)
		require.Contains(t, body["message"], "Failed to convert", page)
	}
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

// TestNilOptionsKeepDefaults: a nil option, clock or delivery client keeps the default
// instead of panicking, and a nil fixture loads nothing.
func TestNilOptionsKeepDefaults(t *testing.T) {
	// Deliveries are made before the triggering call returns: no waiting.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer hook.Close()
	srv, fx := newServer(t, nil, clockifytest.WithClock(nil), clockifytest.WithDeliveryClient(nil))
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
	srv.Load(nil) // loads nothing
	require.Len(t, srv.TimeEntries(fx.Workspace.ID), len(fx.Entries)+1)
}

// TestDefaultPageSizes: a list asked for without a page size comes in Clockify's default
// pages, 50 members, projects or changed entries and 10 running timers, and a page of
// nothing found is an empty array.
func TestDefaultPageSizes(t *testing.T) {
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 5, Now: now, Members: 51, Projects: 51})
	t.Cleanup(srv.Close)
	for _, m := range fx.Members[:11] {
		_, err := srv.AddTimeEntry(fx.Workspace.ID, clockify.TimeEntry{UserID: m.User.ID, TimeInterval: clockify.TimeInterval{Start: now}})
		require.NoError(t, err)
	}
	auth := map[string]string{"X-Api-Key": fx.OwnerKey}
	ws := srv.CoreURL() + "v1/workspaces/" + fx.Workspace.ID
	for _, tc := range []struct {
		path     string
		want     int
		lastPage string // the lists of changes send no Last-Page
	}{
		{"/users", 50, "false"},
		{"/projects", 50, "false"},
		{"/time-entries/status/in-progress", 10, "false"},
		{"/entities/created?type=TIME_ENTRY", 50, ""},
		{"/projects?name=nothing-is-named-so", 0, "true"},
	} {
		status, hdr, _, raw := call(t, "GET", ws+tc.path, auth, "")
		require.Equal(t, http.StatusOK, status, tc.path)
		var page []json.RawMessage
		require.NoError(t, json.Unmarshal(raw, &page), tc.path)
		require.Len(t, page, tc.want, tc.path)
		if strings.Contains(tc.path, "in-progress") {
			var running []clockify.TimeEntry
			require.NoError(t, json.Unmarshal(raw, &running))
			for _, e := range running {
				require.True(t, e.Running(), e.ID)
			}
		}
		require.Equal(t, tc.lastPage, hdr.Get("Last-Page"), tc.path)
		if tc.want == 0 {
			require.Equal(t, "[]\n", string(raw), "an empty array, not null")
		}
	}
}

// TestRequestCountsAndClose: the fake counts requests by route, answers JSON with its
// Content-Type, and takes no connection once closed.
func TestRequestCountsAndClose(t *testing.T) {
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 5, Now: now})
	defer srv.Close()
	auth := map[string]string{"X-Api-Key": fx.OwnerKey}
	for range 2 {
		status, hdr, _, _ := call(t, "GET", srv.CoreURL()+"v1/workspaces/"+fx.Workspace.ID+"/projects", auth, "")
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, "application/json", hdr.Get("Content-Type"))
	}
	route := "GET v1/workspaces/{ws}/projects"
	require.Equal(t, map[string]int{route: 2}, srv.RequestCounts())
	require.Equal(t, 2, srv.Requests(route))
	require.GreaterOrEqual(t, srv.HighestRate(), 1)

	srv.Close()
	_, err := http.Get(srv.CoreURL() + "v1/user")
	require.Error(t, err)
}
