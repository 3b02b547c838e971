package sync_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	"github.com/heyjasper/jasper-clockify/mapping"
	"github.com/heyjasper/jasper-clockify/store/memory"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

func TestConnect(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		r := newRigOn(t, store)
		res := r.connect(t)
		ws := r.fx.Workspace.ID

		require.Equal(t, clockifysync.StatusConnected, res.Connection.Status)
		require.Equal(t, clockifysync.StepInitialSync, res.Connection.Step)
		require.Equal(t, clockifysync.ScheduleRealtime, res.Connection.Schedule)
		require.Equal(t, 30, res.Connection.InitialDays)
		require.Equal(t, r.fx.Workspace.HourlyRate.Amount, res.Connection.HourlyRate)
		require.Equal(t, r.fx.Workspace.HourlyRate.Currency, res.Connection.Currency)
		require.False(t, res.OwnEntriesOnly)
		require.True(t, res.Connection.LastSync.Equal(now))
		require.Equal(t, 10, res.Webhooks)
		require.Empty(t, res.MissingEvents)
		require.Len(t, r.srv.Webhooks(ws), 10)

		members, err := r.store.Members(t.Context(), ws)
		require.NoError(t, err)
		require.Len(t, members, len(r.fx.Members))
		projects, err := r.store.Projects(t.Context(), ws)
		require.NoError(t, err)
		require.Len(t, projects, len(r.fx.Projects))

		want := r.inWindow(now.AddDate(0, 0, -30), now)
		require.NotEmpty(t, want)
		require.Equal(t, want, r.stored(t, clockifysync.EntryQuery{}))
		require.Equal(t, len(want), res.InitialSync.Stored)
		require.Equal(t, len(r.fx.Members), res.InitialSync.Members)

		// Connecting again repeats nothing: the same webhooks, the same entries. The
		// workspace's rate, removed in Clockify meanwhile, goes.
		hooks := r.srv.Webhooks(ws)
		noRate := r.fx.Workspace
		noRate.HourlyRate = nil
		r.srv.AddWorkspace(noRate)
		again := r.connect(t)
		require.Zero(t, again.Connection.HourlyRate)
		require.Empty(t, again.Connection.Currency)
		require.Equal(t, 10, again.Webhooks)
		require.Equal(t, hooks, r.srv.Webhooks(ws))
		require.Equal(t, want, r.stored(t, clockifysync.EntryQuery{}))
	})
}

func TestConnectRefusesBadInput(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ws := r.fx.Workspace.ID
	cases := []struct {
		name string
		req  clockifysync.ConnectRequest
		want error
	}{
		{"no key", clockifysync.ConnectRequest{APIKey: "  "}, clockifysync.ErrInput},
		{"rejected key", clockifysync.ConnectRequest{APIKey: "not-a-key-secret-123"}, clockifysync.ErrInvalidAPIKey},
		{"rejected key is the client's error too", clockifysync.ConnectRequest{APIKey: "not-a-key-secret-123"}, clockify.ErrInvalidAPIKey},
		{"workspace id that is a dot segment", clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ".."}, clockifysync.ErrInput},
		{"key with a space inside", clockifysync.ConnectRequest{APIKey: "not-a-key-secret-123 x", WorkspaceID: ws}, clockifysync.ErrInput},
		{"workspace without access", clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: "5f0000000000000000000000"}, clockifysync.ErrWorkspaceAccess},
		{"too many days", clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, InitialDays: 366}, clockifysync.ErrInput},
		{"negative days", clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, InitialDays: -1}, clockifysync.ErrInput},
		{"relative webhook url", clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, WebhookURL: "/hooks"}, clockifysync.ErrInput},
		{"webhook url of another scheme", clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, WebhookURL: "ftp://x/y"}, clockifysync.ErrInput},
		{"unknown schedule", clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, Schedule: "weekly"}, clockifysync.ErrInput},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := r.eng.Connect(t.Context(), c.req)
			require.ErrorIs(t, err, c.want)
			require.NotContains(t, err.Error(), "not-a-key-secret-123")
			conns, err := r.store.Connections(t.Context())
			require.NoError(t, err)
			require.Empty(t, conns, "nothing stored")
			require.Empty(t, r.srv.Webhooks(ws))
		})
	}
	require.NotContains(t, r.logs.String(), "not-a-key-secret-123")

	// The longest initial sync allowed, a year, is no error, nor a workspace id pasted
	// with spaces around it; nor is the shortest, a day.
	res, err := r.eng.Connect(t.Context(), clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: " " + ws + "\n", InitialDays: clockifysync.MaxInitialDays})
	require.NoError(t, err)
	require.Equal(t, ws, res.Connection.WorkspaceID)
	require.Equal(t, now.AddDate(0, 0, -clockifysync.MaxInitialDays), res.InitialSync.Window.Start)
	res, err = r.eng.Connect(t.Context(), clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, InitialDays: 1})
	require.NoError(t, err)
	require.Equal(t, now.AddDate(0, 0, -1), res.InitialSync.Window.Start)
}

// TestConnectRepairsWebhooks: a webhook deleted in Clockify is registered again, and the
// store forgets the old one.
func TestConnectRepairsWebhooks(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	admin, err := r.srv.NewClient(r.fx.OwnerKey)
	require.NoError(t, err)
	gone := r.srv.Webhooks(ws)[0]
	_, err = admin.Webhooks.Delete(t.Context(), ws, gone.ID)
	require.NoError(t, err)

	res := r.connect(t)
	require.Equal(t, 10, res.Webhooks)
	live := r.srv.Webhooks(ws)
	require.Len(t, live, 10)
	stored, err := r.store.Webhooks(t.Context(), ws)
	require.NoError(t, err)
	require.Len(t, stored, 10)
	for _, w := range stored {
		require.NotEqual(t, gone.ID, w.ID)
		require.True(t, slices.ContainsFunc(live, func(h clockify.Webhook) bool { return h.ID == w.ID }))
	}
	// The new webhook's deliveries verify.
	_, err = r.srv.AddProject(ws, clockify.Project{Name: "After repair"})
	require.NoError(t, err)
	for _, d := range r.srv.Deliveries() {
		require.Equal(t, http.StatusOK, d.StatusCode, d.Event)
	}
}

// TestConnectDropsDuplicateWebhooks: a second webhook of an event at the URL (two
// Connects at once) is deleted when the workspace is connected again, so that it takes
// no other event's place under the plan's limit; the one whose token the store holds
// stays, whichever Clockify lists first, and each entry is delivered once.
func TestConnectDropsDuplicateWebhooks(t *testing.T) {
	t.Parallel()
	for _, newestFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("newest first %v", newestFirst), func(t *testing.T) {
			t.Parallel()
			r := newRigRewriting(t, func(req *http.Request) func(body any) {
				if !newestFirst || req.Method != http.MethodGet || !strings.HasSuffix(req.URL.Path, "/webhooks") {
					return nil
				}
				return func(body any) { // the webhooks listed in the reverse order
					list, _ := body.(map[string]any)
					hooks, ok := list["webhooks"].([]any)
					if !ok {
						t.Errorf("the fake's list of webhooks: %v", body)
					}
					slices.Reverse(hooks)
				}
			})
			r.connect(t)
			ws := r.fx.Workspace.ID
			admin, err := r.srv.NewClient(r.fx.OwnerKey)
			require.NoError(t, err)
			var original string
			var others []string
			for _, h := range r.srv.Webhooks(ws) {
				switch h.WebhookEvent {
				case clockify.EventNewTimeEntry:
					original = h.ID
				case clockify.EventProjectDeleted, clockify.EventTimeEntryRestored:
					others = append(others, h.ID)
				}
			}
			// The other Connect deleted two events' webhooks and made a second of two others'
			// (one registered first, one in the middle, so that a duplicate is found before
			// the end of the list in either order).
			for _, id := range others {
				_, err = admin.Webhooks.Delete(t.Context(), ws, id)
				require.NoError(t, err)
			}
			dup, _, err := admin.Webhooks.Create(t.Context(), ws, &clockify.WebhookRequest{
				Name: "jasper again", URL: r.hook.URL + "/clockify", WebhookEvent: clockify.EventNewTimeEntry})
			require.NoError(t, err)
			dup2, _, err := admin.Webhooks.Create(t.Context(), ws, &clockify.WebhookRequest{
				Name: "jasper again", URL: r.hook.URL + "/clockify", WebhookEvent: clockify.EventNewProject})
			require.NoError(t, err)

			regenerated := r.srv.Requests("PATCH v1/workspaces/{ws}/webhooks/{id}/token")
			res := r.connect(t)
			require.Equal(t, 10, res.Webhooks)
			require.Empty(t, res.MissingEvents)
			events := map[clockify.WebhookEvent]int{}
			for _, h := range r.srv.Webhooks(ws) {
				events[h.WebhookEvent]++
				require.NotEqual(t, dup.ID, h.ID, "the duplicate is gone")
				require.NotEqual(t, dup2.ID, h.ID, "the duplicate is gone")
			}
			require.Len(t, events, 10, "one webhook per event")
			for ev, n := range events {
				require.Equal(t, 1, n, ev)
			}
			require.True(t, slices.ContainsFunc(r.srv.Webhooks(ws), func(h clockify.Webhook) bool { return h.ID == original }), "the stored one stays")
			require.Equal(t, regenerated, r.srv.Requests("PATCH v1/workspaces/{ws}/webhooks/{id}/token"), "its token kept")
			before := len(r.srv.Deliveries())
			r.add(t, "#5 delivered once", now.Add(-time.Hour))
			ds := r.srv.Deliveries()[before:]
			require.Len(t, ds, 1)
			require.Equal(t, http.StatusOK, ds[0].StatusCode)
		})
	}
}

// TestConnectResumesAfterAWebhookFails: Clockify failing to create a webhook (a 500, not
// a refusal), or creating it but answering without its token, fails Connect, with no
// event reported missing and no webhook stored, and connecting again registers every
// webhook, whose deliveries verify.
func TestConnectResumesAfterAWebhookFails(t *testing.T) {
	t.Parallel()
	// firstCreate reports whether req is the first request to create a webhook.
	firstCreate := func(req *http.Request, seen *atomic.Bool) bool {
		return req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/webhooks") && !seen.Swap(true)
	}
	for _, tc := range []struct {
		name  string
		rig   func(t *testing.T, seen *atomic.Bool) *rig
		check func(t *testing.T, err error)
	}{
		{
			"a 500",
			func(t *testing.T, seen *atomic.Bool) *rig {
				r, _ := newRigBehind(t, func(w http.ResponseWriter, req *http.Request) bool {
					return firstCreate(req, seen) && refuse(w, http.StatusInternalServerError, `{"message":"Internal server error","code":500}`)
				})
				return r
			},
			func(t *testing.T, err error) {
				var apiErr *clockify.APIError
				require.ErrorAs(t, err, &apiErr)
				require.Equal(t, http.StatusInternalServerError, apiErr.StatusCode)
			},
		},
		{
			"an answer without its token",
			func(t *testing.T, seen *atomic.Bool) *rig {
				return newRigRewriting(t, func(req *http.Request) func(body any) {
					if !firstCreate(req, seen) {
						return nil
					}
					return func(body any) { delete(body.(map[string]any), "authToken") }
				})
			},
			func(t *testing.T, err error) { require.ErrorContains(t, err, "without its token") },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var seen atomic.Bool
			r := tc.rig(t, &seen)
			ws := r.fx.Workspace.ID
			_, err := r.eng.Connect(t.Context(), clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, WebhookURL: r.hook.URL + "/clockify"})
			tc.check(t, err)
			require.True(t, seen.Load())
			conn, err := r.store.Connection(t.Context(), ws)
			require.NoError(t, err)
			require.Equal(t, clockifysync.StatusConnecting, conn.Status)
			require.Empty(t, conn.MissingEvents, "a failure is no refusal")
			stored, err := r.store.Webhooks(t.Context(), ws)
			require.NoError(t, err)
			require.Empty(t, stored)

			res := r.connect(t)
			require.Equal(t, 10, res.Webhooks)
			require.Empty(t, res.MissingEvents)
			require.Len(t, r.srv.Webhooks(ws), 10)
			r.add(t, "#9 delivered", now.Add(-time.Hour))
			ds := r.srv.Deliveries()
			require.Equal(t, http.StatusOK, ds[len(ds)-1].StatusCode)
		})
	}
}

// TestConnectMovesWebhooks: connecting again with another URL moves the engine's webhooks
// there: the old ones are deleted in Clockify, and their tokens refused.
func TestConnectMovesWebhooks(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	old := r.srv.Webhooks(ws)
	_, err := r.eng.Connect(t.Context(), clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, WebhookURL: r.hook.URL + "/moved"})
	require.NoError(t, err)
	moved := r.srv.Webhooks(ws)
	require.Len(t, moved, 10)
	for _, h := range moved {
		require.Equal(t, r.hook.URL+"/moved", h.URL)
		require.False(t, slices.ContainsFunc(old, func(o clockify.Webhook) bool { return o.ID == h.ID }))
	}
	stored, err := r.store.Webhooks(t.Context(), ws)
	require.NoError(t, err)
	require.Len(t, stored, 10)
	_, err = r.srv.AddProject(ws, clockify.Project{Name: "After the move"})
	require.NoError(t, err)
	ds := r.srv.Deliveries()
	require.Equal(t, http.StatusOK, ds[len(ds)-1].StatusCode)

	// Connecting with no URL removes them.
	res, err := r.eng.Connect(t.Context(), clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws})
	require.NoError(t, err)
	require.Zero(t, res.Webhooks)
	require.Empty(t, r.srv.Webhooks(ws))
	require.Equal(t, clockifysync.ScheduleHourly, res.Connection.Schedule)
}

// TestConnectReadsTheDirectoryOnce: the initial sync uses the members and projects
// Connect has just imported.
func TestConnectReadsTheDirectoryOnce(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	require.Equal(t, 1, r.srv.Requests("GET v1/workspaces/{ws}/users"))
	require.Equal(t, 1, r.srv.Requests("GET v1/workspaces/{ws}/projects"))
}

// TestConnectWithAMembersKey: Clockify lets a regular member read only their own entries
// and manage no webhooks; Connect syncs those entries and reports every event missing,
// or none when no webhook URL is given (a host with no public URL); the scheduled sync
// and Disconnect work with the key too.
func TestConnectWithAMembersKey(t *testing.T) {
	t.Parallel()
	for _, withURL := range []bool{true, false} {
		t.Run(fmt.Sprint("webhook URL ", withURL), func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			ctx, ws := t.Context(), r.fx.Workspace.ID
			i := slices.IndexFunc(r.fx.Members, func(m clockifytest.Member) bool { return !m.Admin && m.APIKey != "" })
			require.GreaterOrEqual(t, i, 0)
			me := r.fx.Members[i].User
			req := clockifysync.ConnectRequest{APIKey: r.fx.Members[i].APIKey, WorkspaceID: ws}
			if withURL {
				req.WebhookURL = r.hook.URL
			}
			res, err := r.eng.Connect(ctx, req)
			require.NoError(t, err)
			require.True(t, res.OwnEntriesOnly)
			require.Zero(t, res.Webhooks)
			if withURL {
				require.Len(t, res.MissingEvents, 10)
			} else {
				require.Empty(t, res.MissingEvents)
			}
			require.Equal(t, res.MissingEvents, res.Connection.MissingEvents)
			require.Equal(t, 1, res.InitialSync.Members)
			members, err := r.store.Members(ctx, ws)
			require.NoError(t, err)
			require.Len(t, members, 1)
			require.Equal(t, me.ID, members[0].ID)
			stored := r.stored(t, clockifysync.EntryQuery{})
			require.NotEmpty(t, stored)
			for _, id := range stored {
				e, err := r.store.Entry(ctx, ws, id)
				require.NoError(t, err)
				require.Equal(t, me.ID, e.UserID)
			}
			// A project deleted in Clockify, with no webhook to tell: the key's list of
			// projects is not complete, so the scheduled sync reads it by id.
			gone := r.fx.Projects[1]
			gone.Archived = true
			_, err = r.srv.UpdateProject(ws, gone)
			require.NoError(t, err)
			require.NoError(t, r.srv.DeleteProject(ws, gone.ID))
			_, err = r.eng.SyncScheduled(ctx, ws)
			require.NoError(t, err)
			conn, err := r.store.Connection(ctx, ws)
			require.NoError(t, err)
			require.Equal(t, res.MissingEvents, conn.MissingEvents)
			projects, err := r.store.Projects(ctx, ws)
			require.NoError(t, err)
			for _, p := range projects {
				require.Equal(t, p.ID == gone.ID, !p.Deleted.IsZero(), "project %s deleted", p.Name)
			}
			_, err = r.eng.Disconnect(ctx, ws)
			require.NoError(t, err)
		})
	}
}

// TestProjectHiddenFromTheKeyIsKept: a stored project missing from Clockify's list that
// the key may not read by id (403: a private project a member left) is kept as stored,
// and the sync goes on.
func TestProjectHiddenFromTheKeyIsKept(t *testing.T) {
	t.Parallel()
	var hidden atomic.Value // the project's id
	hidden.Store("")
	r, _ := newRigBehind(t, func(w http.ResponseWriter, req *http.Request) bool {
		id := hidden.Load().(string)
		return id != "" && req.Method == http.MethodGet && strings.HasSuffix(req.URL.Path, "/projects/"+id) &&
			refuse(w, http.StatusForbidden, `{"message":"Access Denied","code":501}`)
	})
	r.connect(t)
	ctx, ws := t.Context(), r.fx.Workspace.ID
	p := r.fx.Projects[1]
	p.Archived = true
	_, err := r.srv.UpdateProject(ws, p)
	require.NoError(t, err)
	r.hook.Close() // no webhook tells the engine
	require.NoError(t, r.srv.DeleteProject(ws, p.ID))
	hidden.Store(p.ID)
	r.advance(time.Hour)
	_, err = r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.True(t, r.storedProject(t, p.ID).Deleted.IsZero(), "kept as stored")
}

// TestContributorSourceFailure: GitHub's side failing (the host's contributor source, or
// a list the matcher refuses) does not stop the time entries: the members keep the logins
// they had, and the result says why.
func TestContributorSourceFailure(t *testing.T) {
	t.Parallel()
	errRateLimited := errors.New("github: rate limited")
	var mode atomic.Value // "ok", "fail" or "bad list"
	mode.Store("ok")
	var r *rig
	r = newRig(t, clockifysync.WithContributors(func(context.Context, string) ([]mapping.Contributor, error) {
		switch mode.Load() {
		case "fail":
			return nil, errRateLimited
		case "bad list":
			return []mapping.Contributor{{Login: "not a login"}}, nil
		}
		return []mapping.Contributor{{Login: "owner-gh", Emails: []string{r.fx.Owner.Email}}}, nil
	}))
	ctx := t.Context()
	ws := r.fx.Workspace.ID
	ownerLogin := func() string {
		t.Helper()
		members, err := r.store.Members(ctx, ws)
		require.NoError(t, err)
		i := slices.IndexFunc(members, func(m clockifysync.Member) bool { return m.ID == r.fx.Owner.ID })
		require.GreaterOrEqual(t, i, 0)
		return members[i].Login
	}
	require.NoError(t, r.connect(t).MappingErr)
	require.Equal(t, "owner-gh", ownerLogin())

	mode.Store("fail")
	added := r.add(t, "#77 while GitHub is down", now.Add(-2*time.Hour))
	require.NoError(t, r.store.MarkEntriesDeleted(ctx, ws, []string{added.ID}, now)) // the sync must bring it back
	res, err := r.eng.SyncRecent(ctx, ws)
	require.NoError(t, err, "the entries sync without GitHub")
	require.ErrorIs(t, res.MappingErr, errRateLimited)
	got, err := r.store.Entry(ctx, ws, added.ID)
	require.NoError(t, err)
	require.True(t, got.Deleted.IsZero(), "the entry was synced")
	require.Equal(t, "owner-gh", ownerLogin(), "the login stays")
	require.Contains(t, r.logs.String(), "members not mapped again")

	mode.Store("bad list")
	res, err = r.eng.SyncRecent(ctx, ws)
	require.NoError(t, err)
	require.ErrorIs(t, res.MappingErr, mapping.ErrInput)
	require.Equal(t, "owner-gh", ownerLogin())

	mode.Store("ok")
	res, err = r.eng.SyncRecent(ctx, ws)
	require.NoError(t, err)
	require.NoError(t, res.MappingErr)

	// Connecting while GitHub is down connects, with the members unmapped.
	r2 := newRig(t, clockifysync.WithContributors(func(context.Context, string) ([]mapping.Contributor, error) { return nil, errRateLimited }))
	cres := r2.connect(t)
	require.ErrorIs(t, cres.MappingErr, errRateLimited)
	require.Equal(t, clockifysync.StatusConnected, cres.Connection.Status)
	members, err := r2.store.Members(ctx, r2.fx.Workspace.ID)
	require.NoError(t, err)
	require.NotEmpty(t, members)
	for _, m := range members {
		require.Empty(t, m.Login)
	}
}

// TestReplicasFollowANewKey: a workspace connected again with another key (on another
// replica, the old key then revoked) is synced with the new key everywhere, not with the
// client a replica built from the old one.
func TestReplicasFollowANewKey(t *testing.T) {
	t.Parallel()
	a := newRig(t)
	ctx := t.Context()
	ws := a.fx.Workspace.ID
	a.srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Ada Admin", Email: "ada@acme.dev"}, APIKey: "second-admin-key", Admin: true})
	a.connect(t)
	_, err := a.eng.SyncRecent(ctx, ws) // A builds its client from the owner's key
	require.NoError(t, err)

	b := a.replica(t, a.store)
	_, err = b.Connect(ctx, clockifysync.ConnectRequest{APIKey: "second-admin-key", WorkspaceID: ws, WebhookURL: a.hook.URL + "/clockify"})
	require.NoError(t, err)
	a.srv.RevokeAPIKey(a.fx.OwnerKey)

	_, err = a.eng.SyncRecent(ctx, ws)
	require.NoError(t, err, "A syncs with the key B stored")
}

// TestConnectsAtOnceRegisterOnce: a second Connect of a workspace (a form sent twice)
// waits for the first, in one process and across replicas sharing PostgreSQL.
func TestConnectsAtOnceRegisterOnce(t *testing.T) {
	t.Parallel()
	for name, open := range oneProcessOrTwoReplicas {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			waiting := make(chan struct{}, 1)
			logger := clockifysync.WithLogger(slog.New(signalOn{"waiting for the connect", waiting}))
			r := newRigOn(t, open(t), logger)
			second := r.eng
			if name != "one process" {
				second = r.replicaSealedWith(t, r.store, r.sealKey, logger)
			}
			connectsAtOnce(t, r, second, waiting)
		})
	}
}

// connectsAtOnce connects r's workspace with r's engine and, once it has registered a
// webhook, with second; the first goes on when the second waits for it, or lists the
// webhooks.
func connectsAtOnce(t *testing.T, r *rig, second *clockifysync.Engine, waiting <-chan struct{}) {
	ctx := t.Context()
	ws := r.fx.Workspace.ID
	req := clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, WebhookURL: r.hook.URL + "/clockify"}
	type result struct {
		res *clockifysync.ConnectResult
		err error
	}
	other := make(chan result, 1)
	secondListed := make(chan struct{}, 1)
	var lists atomic.Int32
	var started atomic.Bool
	hook := func(info clockifytest.RequestInfo) {
		if info.Route == "GET v1/workspaces/{ws}/webhooks" && lists.Add(1) == 2 {
			secondListed <- struct{}{}
		}
		if info.Route == "POST v1/workspaces/{ws}/webhooks" && started.CompareAndSwap(false, true) {
			go func() {
				res, err := second.Connect(ctx, req)
				other <- result{res, err}
			}()
			select {
			case <-waiting:
			case <-secondListed:
			}
		}
	}
	r.onRequest.Store(&hook)

	first, err := r.eng.Connect(ctx, req)
	require.NoError(t, err)
	got := <-other
	require.NoError(t, got.err)
	for _, res := range []*clockifysync.ConnectResult{first, got.res} {
		require.Equal(t, 10, res.Webhooks)
		require.Empty(t, res.MissingEvents)
	}
	events := map[clockify.WebhookEvent]int{}
	for _, h := range r.srv.Webhooks(ws) {
		events[h.WebhookEvent]++
	}
	require.Len(t, events, 10)
	for ev, n := range events {
		require.Equal(t, 1, n, "one webhook of %s", ev)
	}
}

// TestMissingEventsStoredBeforeTheInitialSync: Connect records the events Clockify
// delivers no webhook for once their webhooks are registered, before the initial sync,
// which may fail.
func TestMissingEventsStoredBeforeTheInitialSync(t *testing.T) {
	t.Parallel()
	r, _ := newRigBehind(t, func(w http.ResponseWriter, req *http.Request) bool {
		if !strings.Contains(req.URL.Path, "/time-entries") {
			return false
		}
		return refuse(w, http.StatusInternalServerError, `{"message":"down","code":500}`)
	})
	ws := r.fx.Workspace.ID
	require.NoError(t, r.srv.SetFreePlan(ws, true))
	_, err := r.eng.Connect(t.Context(), clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, WebhookURL: r.hook.URL})
	require.Error(t, err, "the initial sync failed")
	conn, err := r.store.Connection(t.Context(), ws)
	require.NoError(t, err)
	require.Equal(t, clockifysync.StepWebhooks, conn.Step)
	require.Equal(t, clockifysync.StatusConnecting, conn.Status, "not connected before its initial sync")
	require.Len(t, conn.MissingEvents, 7, "a Free plan's three webhooks registered, seven events missing")
}

// TestConnectResumesItsInitialSync: a Connect stopped in its initial sync, called again
// later, finishes that sync's window with the members not yet read, rather than read
// every member's entries again over a new window.
func TestConnectResumesItsInitialSync(t *testing.T) {
	t.Parallel()
	r := newRig(t, clockifysync.WithConcurrency(1))
	ws := r.fx.Workspace.ID
	req := clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws}

	run := r.interrupt(t, func(ctx context.Context) error {
		_, err := r.eng.Connect(ctx, req)
		return err
	})

	r.advance(time.Hour)
	before := r.lists.Load()
	res, err := r.eng.Connect(t.Context(), req)
	require.NoError(t, err)
	require.True(t, res.InitialSync.Resumed)
	require.True(t, res.InitialSync.Window.End.Equal(now), "the first Connect's window: %v", res.InitialSync.Window)
	require.Equal(t, int64(len(r.fx.Members)-len(run.Done)), r.lists.Load()-before, "members done are not read again")
	require.Equal(t, r.inWindow(now.AddDate(0, 0, -30), now), r.stored(t, clockifysync.EntryQuery{}))
	require.Equal(t, clockifysync.StatusConnected, res.Connection.Status)
}

// TestConnectImportsWhoMayHaveTrackedTime: the members imported are those who may have
// tracked time in the workspace, deactivated and limited users too, and not those
// invited who never joined (pending) or declined.
func TestConnectImportsWhoMayHaveTrackedTime(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ws := r.fx.Workspace.ID
	add := func(name string, status clockify.MemberStatus, account clockify.AccountStatus) string {
		return r.srv.AddMember(ws, clockifytest.Member{Status: status,
			User: clockify.User{Name: name, Email: strings.ToLower(name) + "@acme.dev", Status: account}}).ID
	}
	deactivated := add("Deactivated", clockify.MemberInactive, clockify.AccountActive)
	limited := add("Limited", clockify.MemberActive, clockify.AccountLimited)
	add("Invited", clockify.MemberPending, clockify.AccountPendingEmailVerification)
	add("Declined", clockify.MemberDeclined, clockify.AccountActive)
	r.connect(t)

	members, err := r.store.Members(t.Context(), ws)
	require.NoError(t, err)
	var ids []string
	for _, m := range members {
		ids = append(ids, m.ID)
	}
	want := []string{deactivated, limited}
	for _, m := range r.fx.Members {
		want = append(want, m.User.ID)
	}
	require.ElementsMatch(t, want, ids)
}

// TestConnectAdoptsAWebhookWithoutItsToken: a webhook already at the URL whose token the
// store does not hold (registered by a Connect whose answer was lost) is kept, with a
// token Clockify issues anew, rather than registered twice; its deliveries verify.
func TestConnectAdoptsAWebhookWithoutItsToken(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ws := r.fx.Workspace.ID
	admin, err := r.srv.NewClient(r.fx.OwnerKey)
	require.NoError(t, err)
	lost, _, err := admin.Webhooks.Create(t.Context(), ws, &clockify.WebhookRequest{
		Name: "registered before", URL: r.hook.URL + "/clockify", WebhookEvent: clockify.EventNewTimeEntry})
	require.NoError(t, err)

	res := r.connect(t)
	require.Equal(t, 10, res.Webhooks)
	live := r.srv.Webhooks(ws)
	require.Len(t, live, 10, "none registered twice")
	i := slices.IndexFunc(live, func(h clockify.Webhook) bool { return h.ID == lost.ID })
	require.GreaterOrEqual(t, i, 0, "the webhook found is kept")
	require.NotEqual(t, lost.AuthToken, live[i].AuthToken, "with a new token")
	stored, err := r.store.Webhooks(t.Context(), ws)
	require.NoError(t, err)
	require.True(t, slices.ContainsFunc(stored, func(w clockifysync.Webhook) bool { return w.ID == lost.ID }))

	added := r.add(t, "#3 delivered by the webhook found", now.Add(-time.Hour))
	_, err = r.store.Entry(t.Context(), ws, added.ID)
	require.NoError(t, err)
	ds := r.srv.Deliveries()
	require.Equal(t, http.StatusOK, ds[len(ds)-1].StatusCode)
}

// TestConnectDuringASyncReadsItsOwnWindow: a Connect of a workspace (again) while a
// manual sync of a few hours runs reads its whole initial window once the sync is done,
// not the sync's window (which it found pending when it looked for an initial sync of its
// own to resume).
func TestConnectDuringASyncReadsItsOwnWindow(t *testing.T) {
	t.Parallel()
	waiting := make(chan struct{}, 1)
	r := newRig(t, clockifysync.WithLogger(slog.New(signalOn{"waiting for the sync", waiting})))
	r.connect(t)
	r.hook.Close() // no webhook tells the engine
	ws := r.fx.Workspace.ID
	old := r.add(t, "#61 added ten days ago", now.AddDate(0, 0, -10))

	connected := make(chan *clockifysync.ConnectResult, 1)
	var started atomic.Bool
	hook := func(info clockifytest.RequestInfo) {
		if info.Route == listRoute && started.CompareAndSwap(false, true) {
			go func() {
				res, err := r.eng.Connect(t.Context(), clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws,
					WebhookURL: r.hook.URL + "/clockify"})
				assert.NoError(t, err)
				connected <- res
			}()
			<-waiting // the Connect waits for the sync
		}
	}
	r.onRequest.Store(&hook)
	_, err := r.eng.Sync(t.Context(), ws, clockifysync.Window{Start: now.Add(-3 * time.Hour), End: now})
	require.NoError(t, err)
	res := <-connected
	require.NotNil(t, res)
	require.Equal(t, clockifysync.Window{Start: now.AddDate(0, 0, -clockifysync.DefaultInitialDays), End: now}, res.InitialSync.Window)
	r.requireDescription(t, old)
}

// TestConnectFinishesAnotherRunFirst: a Connect that finds a shorter sync's run left
// unfinished (a manual sync stopped by a crash) finishes it, then reads its whole
// initial window.
func TestConnectFinishesAnotherRunFirst(t *testing.T) {
	t.Parallel()
	r := newRig(t, clockifysync.WithConcurrency(1))
	r.connect(t)
	ws := r.fx.Workspace.ID
	short := clockifysync.Window{Start: now.Add(-3 * time.Hour), End: now}
	r.interrupt(t, func(ctx context.Context) error {
		_, err := r.eng.Sync(ctx, ws, short)
		return err
	})
	res, err := r.eng.Connect(t.Context(), clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws})
	require.NoError(t, err)
	require.Equal(t, clockifysync.Window{Start: now.AddDate(0, 0, -clockifysync.DefaultInitialDays), End: now}, res.InitialSync.Window)
	_, pending, err := r.store.PendingRun(t.Context(), ws)
	require.NoError(t, err)
	require.False(t, pending)
}

// hostsByKey is a transport to the fake that records which hosts each API key's
// requests were sent to.
type hostsByKey struct {
	rt    http.RoundTripper
	mu    gosync.Mutex
	hosts map[string][]string
}

func (h *hostsByKey) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	key := req.Header.Get("X-Api-Key")
	if !slices.Contains(h.hosts[key], req.URL.Host) {
		h.hosts[key] = append(h.hosts[key], req.URL.Host)
	}
	h.mu.Unlock()
	return h.rt.RoundTrip(req)
}

func (h *hostsByKey) of(key string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.hosts[key])
}

// TestWorkspacesInTheirRegions: one engine serves workspaces of several data regions,
// each reached in the region its connection names, from Connect on and on every replica;
// a connection without one is reached in the engine's default region. An unknown region
// is an InputError, and sends and stores nothing.
func TestWorkspacesInTheirRegions(t *testing.T) {
	t.Parallel()
	srv, eu := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 3, Now: now}, clockifytest.WithoutListener())
	t.Cleanup(srv.Close)
	global := clockifytest.Generate(clockifytest.GenerateOptions{Seed: 4, Now: now})
	srv.Load(global)
	rec := &hostsByKey{rt: srv.Transport(), hosts: map[string][]string{}}
	store := memory.New()
	engine := func(opts ...clockify.Option) *clockifysync.Engine {
		eng, err := clockifysync.New(store, make([]byte, 32), clockifysync.WithClientOptions(append([]clockify.Option{
			clockify.WithHTTPClient(&http.Client{Transport: rec}), clockify.WithRateLimit(1000, 1000)}, opts...)...))
		require.NoError(t, err)
		return eng
	}
	ctx := t.Context()
	eng := engine()

	_, err := eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: eu.OwnerKey, WorkspaceID: eu.Workspace.ID, Region: "eu"})
	require.ErrorIs(t, err, clockifysync.ErrInput)
	require.Empty(t, rec.of(eu.OwnerKey), "nothing sent")
	_, err = store.Connection(ctx, eu.Workspace.ID)
	require.ErrorIs(t, err, clockifysync.ErrNotFound, "nothing stored")

	res, err := eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: eu.OwnerKey, WorkspaceID: eu.Workspace.ID, Region: clockify.RegionEUC1})
	require.NoError(t, err)
	require.Equal(t, clockify.RegionEUC1, res.Connection.Region)
	_, err = eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: global.OwnerKey, WorkspaceID: global.Workspace.ID})
	require.NoError(t, err)
	for _, ws := range []string{eu.Workspace.ID, global.Workspace.ID} {
		_, err := eng.SyncRecent(ctx, ws)
		require.NoError(t, err)
	}
	require.Equal(t, []string{"euc1.clockify.me"}, rec.of(eu.OwnerKey))
	require.Equal(t, []string{"api.clockify.me"}, rec.of(global.OwnerKey))

	// A replica whose client options name another region reaches the workspace of no
	// region there, and the other in its own.
	replica := engine(clockify.WithRegion(clockify.RegionUSE2))
	for _, ws := range []string{eu.Workspace.ID, global.Workspace.ID} {
		_, err := replica.SyncRecent(ctx, ws)
		require.NoError(t, err)
	}
	require.Equal(t, []string{"euc1.clockify.me"}, rec.of(eu.OwnerKey))
	require.Equal(t, []string{"api.clockify.me", "use2.clockify.me"}, rec.of(global.OwnerKey))
}

// TestConnectImportsMembersAfterASync: a Connect of a workspace (again) while a sync of
// it runs waits for the sync before it reads the members, so that the sync does not
// store its read of them after Connect's (here or on another replica: the run's lock is
// the store's).
func TestConnectImportsMembersAfterASync(t *testing.T) {
	t.Parallel()
	waiting := make(chan struct{}, 1)
	r := newRig(t, clockifysync.WithLogger(slog.New(signalOn{"waiting for the sync", waiting})))
	r.connect(t)
	ws := r.fx.Workspace.ID
	membersRead := make(chan struct{}, 1)
	connected := make(chan error, 1)
	var syncing, started atomic.Bool
	hook := func(info clockifytest.RequestInfo) {
		switch {
		case info.Route == "GET v1/workspaces/{ws}/users" && started.Load():
			select {
			case membersRead <- struct{}{}:
			default:
			}
		case info.Route == listRoute && syncing.Load() && started.CompareAndSwap(false, true):
			go func() {
				_, err := r.eng.Connect(t.Context(), clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws,
					WebhookURL: r.hook.URL + "/clockify"})
				connected <- err
			}()
			select {
			case <-waiting:
			case <-membersRead:
				t.Error("Connect read the members while the sync ran")
			}
		}
	}
	r.onRequest.Store(&hook)
	syncing.Store(true)
	_, err := r.eng.SyncRecent(t.Context(), ws)
	require.NoError(t, err)
	require.NoError(t, <-connected)
}

// TestSetAPIKey: a workspace whose key Clockify refuses (its user generated a new one)
// takes the new key without Connect's initial sync, and its syncs work again at once; a
// bad key, one without access to the workspace, or a workspace not connected changes
// nothing. A member's key may take over too.
func TestSetAPIKey(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	require.True(t, r.srv.RevokeAPIKey(r.fx.OwnerKey))
	_, err := r.eng.SyncRecent(ctx, ws)
	require.ErrorIs(t, err, clockifysync.ErrInvalidAPIKey)
	before, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, clockifysync.ErrInvalidAPIKey.Error(), before.LastError)

	outsider := r.srv.AddWorkspace(clockify.Workspace{Name: "Elsewhere"})
	r.srv.AddMember(outsider.ID, clockifytest.Member{User: clockify.User{Name: "Outsider", Email: "o@else.dev"},
		APIKey: "outsider-key", Admin: true})
	for key, want := range map[string]error{
		"":             clockifysync.ErrInput,
		"no-such-key":  clockifysync.ErrInvalidAPIKey,
		r.fx.OwnerKey:  clockifysync.ErrInvalidAPIKey, // the revoked one
		"outsider-key": clockifysync.ErrWorkspaceAccess,
	} {
		require.ErrorIs(t, r.eng.SetAPIKey(ctx, ws, key), want, key)
		after, err := r.store.Connection(ctx, ws)
		require.NoError(t, err)
		require.Equal(t, before, after, "nothing changed by %q", key)
	}
	require.ErrorIs(t, r.eng.SetAPIKey(ctx, "not-connected", "owner-new-key"), clockifysync.ErrNotConnected)

	r.srv.AddMember(ws, clockifytest.Member{User: r.fx.Owner, APIKey: "owner-new-key", Admin: true})
	lists := r.lists.Load()
	creates := r.srv.Requests("POST v1/workspaces/{ws}/webhooks")
	require.NoError(t, r.eng.SetAPIKey(ctx, ws, " owner-new-key\n"))
	require.Equal(t, lists, r.lists.Load(), "no initial sync")
	require.Equal(t, creates, r.srv.Requests("POST v1/workspaces/{ws}/webhooks"), "no webhook registered")
	after, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Empty(t, after.LastError, "the backoff for the old key ends")
	require.NotEqual(t, before.SealedAPIKey, after.SealedAPIKey)
	require.NotContains(t, string(after.SealedAPIKey), "owner-new-key", "sealed")

	_, err = r.eng.SyncRecent(ctx, ws)
	require.NoError(t, err)
	e := r.add(t, "#9 delivered after the new key", now.Add(-time.Hour))
	r.requireDescription(t, e) // deliveries are read again with the new key

	// A member's key takes over: it may not list the webhooks, but those registered
	// still deliver, and are not reported missing.
	i := slices.IndexFunc(r.fx.Members, func(m clockifytest.Member) bool { return !m.Admin && m.APIKey != "" })
	require.GreaterOrEqual(t, i, 0)
	require.NoError(t, r.eng.SetAPIKey(ctx, ws, r.fx.Members[i].APIKey))
	r.advance(time.Hour)
	res, err := r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Empty(t, res.MissingEvents)
	after, err = r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Empty(t, after.MissingEvents)
	e, err = r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: r.fx.Members[i].User.ID, Description: "#10 delivered to a member's key",
		TimeInterval: clockify.TimeInterval{Start: now, End: new(now.Add(time.Minute))}})
	require.NoError(t, err)
	r.requireDescription(t, e)
}
