package clockifytest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
)

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

// TestFreePlan: on Clockify's Free plan a workspace holds three webhooks. A downgrade
// disables all but the three oldest, which stay listed, disabled, and are not
// delivered; a fourth is refused; an upgrade enables them all again.
func TestFreePlan(t *testing.T) {
	srv, fx := newServer(t)
	ctx, ws := t.Context(), fx.Workspace.ID
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	create := func(n int) (*clockify.Webhook, error) {
		h, _, err := c.Webhooks.Create(ctx, ws, &clockify.WebhookRequest{
			Name: fmt.Sprintf("hook %d", n), URL: "http://127.0.0.1:1/hook", WebhookEvent: clockify.EventNewProject})
		return h, err
	}
	var ids []string
	for n := range 5 {
		h, err := create(n)
		require.NoError(t, err)
		ids = append(ids, h.ID)
	}
	enabled := func() []bool {
		list, _, err := c.Webhooks.List(ctx, ws)
		require.NoError(t, err)
		var on []bool
		for _, h := range list.Webhooks {
			on = append(on, h.Enabled)
		}
		return on
	}
	delivered := func() []string {
		before := len(srv.Deliveries())
		_, err := srv.AddProject(ws, clockify.Project{Name: fmt.Sprint("p", before)})
		require.NoError(t, err)
		var to []string
		for _, d := range srv.Deliveries()[before:] {
			to = append(to, d.WebhookID)
		}
		return to
	}

	require.NoError(t, srv.SetFreePlan(ws, true))
	require.Equal(t, []bool{true, true, true, false, false}, enabled(), "the three oldest stay enabled")
	require.Equal(t, ids[:3], delivered())
	_, err = create(5)
	var ae *clockify.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, http.StatusBadRequest, ae.StatusCode)
	require.Len(t, srv.Webhooks(ws), 5)

	require.NoError(t, srv.SetFreePlan(ws, false))
	require.Equal(t, []bool{true, true, true, true, true}, enabled())
	require.Equal(t, ids, delivered())
	_, err = create(5)
	require.NoError(t, err)

	// Back on the Free plan with two webhooks, a third is taken and a fourth refused.
	require.NoError(t, srv.SetFreePlan(ws, true))
	for _, h := range srv.Webhooks(ws)[2:] {
		_, err := c.Webhooks.Delete(ctx, ws, h.ID)
		require.NoError(t, err)
	}
	_, err = create(6)
	require.NoError(t, err, "the third")
	_, err = create(7)
	require.ErrorAs(t, err, &ae, "the fourth")
	require.Equal(t, http.StatusBadRequest, ae.StatusCode)
	require.Len(t, srv.Webhooks(ws), 3)

	require.Error(t, srv.SetFreePlan("no-such-workspace", true))
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
	require.Len(t, created["authToken"], 32, "a create issues a token: 32 characters, as a real receiver's configuration holds")
	require.NotContains(t, updated, "authToken", "only a create and a regeneration answer with the token")
	for _, h := range srv.Webhooks(fx.Workspace.ID) {
		if h.ID == id {
			require.Equal(t, created["authToken"], h.AuthToken.Reveal(), "an update keeps the token")
		}
	}
	_, _, listed, _ := call(t, "GET", u+"/"+id, owner, "")
	require.NotContains(t, listed, "authToken", "nor does a read")
	require.NotContains(t, string(before), "authToken", "nor a list")
	_, _, regenerated, _ := call(t, "PATCH", u+"/"+id+"/token", owner, "")
	require.NotEmpty(t, regenerated["authToken"])
	require.NotEqual(t, created["authToken"], regenerated["authToken"])
	// The ends of the name's length, counted in characters, are accepted.
	for _, name := range []string{"ab", strings.Repeat("é", 30)} {
		status, _, updated, raw = call(t, "PUT", u+"/"+id, owner, body("name", `"`+name+`"`))
		require.Equal(t, 200, status, string(raw))
		require.Equal(t, name, updated["name"])
	}
}

// TestWebhookReadAndDelete: a webhook is read by its id, with the workspace as its
// trigger source type when the create named none, and its logs with no body; a deleted
// one is gone from the list, from reads by id and from its logs, and the answer to the
// delete carries no token.
func TestWebhookReadAndDelete(t *testing.T) {
	srv, fx := newServer(t)
	owner := map[string]string{"X-Api-Key": fx.OwnerKey, "Content-Type": "application/json"}
	u := srv.CoreURL() + "v1/workspaces/" + fx.Workspace.ID + "/webhooks"
	status, _, created, raw := call(t, "POST", u, owner, `{"name":"short-lived","url":"https://example.com/hook","webhookEvent":"NEW_PROJECT","triggerSource":[]}`)
	require.Equal(t, 201, status, string(raw))
	id := created["id"].(string)
	status, _, read, raw := call(t, "GET", u+"/"+id, owner, "")
	require.Equal(t, 200, status, string(raw))
	require.Equal(t, id, read["id"])
	require.Equal(t, "short-lived", read["name"])
	require.Equal(t, "WORKSPACE_ID", read["triggerSourceType"], "the default")
	status, _, _, raw = call(t, "POST", u+"/"+id+"/logs", owner, "")
	require.Equal(t, 200, status, "an empty body is no filter: %s", raw)
	require.Equal(t, "[]\n", string(raw))

	status, _, deleted, raw := call(t, "DELETE", u+"/"+id, owner, "")
	require.Equal(t, 200, status, string(raw))
	require.Equal(t, id, deleted["id"])
	require.NotContains(t, deleted, "authToken")
	_, _, _, list := call(t, "GET", u, owner, "")
	require.NotContains(t, string(list), id)
	for _, method := range []string{"GET", "DELETE"} {
		status, _, _, raw = call(t, method, u+"/"+id, owner, "")
		require.Equal(t, 400, status, method)
		require.Contains(t, string(raw), "Webhook doesn't belong to Workspace", method)
	}
	status, _, _, raw = call(t, "POST", u+"/"+id+"/logs", owner, "{}")
	require.Equal(t, 400, status)
	require.Contains(t, string(raw), "Webhook doesn't belong to Workspace")
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

// TestWebhookLogsFilterSortAndPage reads a webhook's delivery logs, each with the
// receiver's answer, through the client: by outcome, by time, newest first, and a page
// at a time.
func TestWebhookLogsFilterSortAndPage(t *testing.T) {
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		switch {
		case strings.Contains(string(b), "refused 4"):
			w.WriteHeader(http.StatusMultipleChoices) // 2xx only is a success
		case strings.Contains(string(b), "refused"):
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_, _ = io.WriteString(w, "noted")
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
			require.Equal(t, "noted", l.ResponseBody, "the receiver's answer is logged")
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

	// Without a size, a page holds Clockify's default of 50.
	for i := range 46 {
		_, err := srv.AddTimeEntry(wsID, clockify.TimeEntry{UserID: fx.Owner.ID, Description: fmt.Sprintf("accepted %d", 6+i), TimeInterval: clockify.TimeInterval{Start: now.Add(-2 * time.Hour), End: new(now.Add(-time.Hour))}})
		require.NoError(t, err)
	}
	status, _, _, raw := call(t, "POST", srv.CoreURL()+"v1/workspaces/"+wsID+"/webhooks/"+hook.ID+"/logs", map[string]string{"X-Api-Key": fx.OwnerKey}, "{}")
	require.Equal(t, http.StatusOK, status)
	var page []json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &page))
	require.Len(t, page, 50)
}
