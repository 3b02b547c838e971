package sync_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/analytics"
	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	"github.com/heyjasper/jasper-clockify/mapping"
	"github.com/heyjasper/jasper-clockify/store/memory"
	"github.com/heyjasper/jasper-clockify/store/postgres"
	"github.com/heyjasper/jasper-clockify/store/postgres/pgtest"
	"github.com/heyjasper/jasper-clockify/store/sqlite"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/webhook"
)

var now = time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)

// rig is a fake Clockify with a generated workspace, an engine over a memory store, and
// the engine's webhook handler on loopback.
type rig struct {
	srv     *clockifytest.Server
	fx      *clockifytest.Fixture
	store   clockifysync.Store
	eng     *clockifysync.Engine
	sealKey []byte
	hook    *httptest.Server
	logs    *bytes.Buffer
	lists   atomic.Int64                // requests listing a member's entries
	onList  atomic.Pointer[func(int64)] // called after each, with the count so far
	// onRequest is called after the fake has answered each request, before the answer
	// reaches the client.
	onRequest atomic.Pointer[func(clockifytest.RequestInfo)]
}

const listRoute = "GET v1/workspaces/{ws}/user/{user}/time-entries"

// stores are the stores the engine's behaviour is checked on.
var stores = []struct {
	name string
	open func(t *testing.T) clockifysync.Store
}{
	{"memory", func(*testing.T) clockifysync.Store { return memory.New() }},
	{"sqlite", func(t *testing.T) clockifysync.Store {
		s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "jasper.db"))
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}},
	{"postgres", func(t *testing.T) clockifysync.Store {
		s, err := postgres.New(t.Context(), pgtest.NewDatabase(t))
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}},
}

// eachStore runs a test on each store.
func eachStore(t *testing.T, test func(t *testing.T, store clockifysync.Store)) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			test(t, s.open(t))
		})
	}
}

func newRig(t *testing.T, opts ...clockifysync.Option) *rig {
	t.Helper()
	return newRigOn(t, memory.New(), opts...)
}

func newRigOn(t *testing.T, store clockifysync.Store, opts ...clockifysync.Option) *rig {
	t.Helper()
	r := &rig{store: store, logs: new(bytes.Buffer)}
	r.srv, r.fx = clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 7, Now: now},
		clockifytest.WithClock(func() time.Time { return now }),
		clockifytest.WithRequestHook(func(info clockifytest.RequestInfo) {
			if fn := r.onRequest.Load(); fn != nil {
				(*fn)(info)
			}
			if info.Route == listRoute {
				n := r.lists.Add(1)
				if fn := r.onList.Load(); fn != nil {
					(*fn)(n)
				}
			}
		}))
	t.Cleanup(r.srv.Close)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	r.sealKey = key
	logger := slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	base := []clockifysync.Option{
		clockifysync.WithClientOptions(clockify.WithBaseURL(r.srv.CoreURL()), clockify.WithReportsURL(r.srv.ReportsURL()), clockify.WithLogger(logger),
			clockify.WithRateLimit(1000, 100)), // the fake has no limit: no real-time waits
		clockifysync.WithClock(func() time.Time { return now }),
		clockifysync.WithLogger(logger),
	}
	var err error
	r.eng, err = clockifysync.New(r.store, key, append(base, opts...)...)
	require.NoError(t, err)
	h, err := r.eng.Handler(t.Context())
	require.NoError(t, err)
	r.hook = httptest.NewServer(h)
	t.Cleanup(r.hook.Close)
	return r
}

// replica returns another engine over store (the rig's store, or what a wrapper of it
// wraps), as another replica of the host would run: same seal key, its own clients.
func (r *rig) replica(t *testing.T, store clockifysync.Store) *clockifysync.Engine {
	t.Helper()
	return r.replicaSealedWith(t, store, r.sealKey)
}

// replicaSealedWith is replica with another sealing key, and options.
func (r *rig) replicaSealedWith(t *testing.T, store clockifysync.Store, sealKey []byte, opts ...clockifysync.Option) *clockifysync.Engine {
	t.Helper()
	eng, err := clockifysync.New(store, sealKey, append([]clockifysync.Option{clockifysync.WithClock(func() time.Time { return now }),
		clockifysync.WithClientOptions(clockify.WithBaseURL(r.srv.CoreURL()), clockify.WithRateLimit(1000, 100))}, opts...)...)
	require.NoError(t, err)
	return eng
}

// newRigBehind is newRig with a server in front of the fake Clockify: intercept answers
// the requests it takes (and returns true), the fake the others. It returns the front's
// base URL too, for other engines' clients.
func newRigBehind(t *testing.T, intercept func(w http.ResponseWriter, r *http.Request) bool, opts ...clockifysync.Option) (*rig, string) {
	t.Helper()
	var fake atomic.Pointer[httputil.ReverseProxy]
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !intercept(w, r) {
			fake.Load().ServeHTTP(w, r)
		}
	}))
	t.Cleanup(front.Close)
	base := front.URL + "/api/"
	r := newRig(t, append([]clockifysync.Option{clockifysync.WithClientOptions(clockify.WithBaseURL(base))}, opts...)...)
	target, err := url.Parse(r.srv.URL)
	require.NoError(t, err)
	fake.Store(httputil.NewSingleHostReverseProxy(target))
	return r, base
}

// refuse answers as Clockify does when it refuses a request.
func refuse(w http.ResponseWriter, status int, body string) bool {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
	return true
}

func (r *rig) connect(t *testing.T) *clockifysync.ConnectResult {
	t.Helper()
	res, err := r.eng.Connect(t.Context(), clockifysync.ConnectRequest{
		APIKey: "  " + r.fx.OwnerKey + "\n", WorkspaceID: r.fx.Workspace.ID, WebhookURL: r.hook.URL + "/clockify",
	})
	require.NoError(t, err)
	return res
}

// inWindow returns the ids of the fake's entries started in [start, end].
func (r *rig) inWindow(start, end time.Time) []string {
	var ids []string
	for _, e := range r.srv.TimeEntries(r.fx.Workspace.ID) {
		if !e.TimeInterval.Start.Before(start) && !e.TimeInterval.Start.After(end) {
			ids = append(ids, e.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func (r *rig) stored(t *testing.T, q clockifysync.EntryQuery) []string {
	t.Helper()
	q.WorkspaceID = r.fx.Workspace.ID
	entries, err := r.store.Entries(t.Context(), q)
	require.NoError(t, err)
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	slices.Sort(ids)
	return ids
}

// add creates a one-hour entry of the owner's in the fake; its webhooks deliver it before
// add returns.
func (r *rig) add(t *testing.T, desc string, start time.Time) clockify.TimeEntry {
	t.Helper()
	e, err := r.srv.AddTimeEntry(r.fx.Workspace.ID, clockify.TimeEntry{UserID: r.fx.Owner.ID, Description: desc,
		TimeInterval: clockify.TimeInterval{Start: start, End: new(start.Add(time.Hour))}})
	require.NoError(t, err)
	return e
}

// addTo adds an entry of the owner to a project in the fake, started an hour before now.
func (r *rig) addTo(t *testing.T, projectID, desc string) clockify.TimeEntry {
	t.Helper()
	e, err := r.srv.AddTimeEntry(r.fx.Workspace.ID, clockify.TimeEntry{UserID: r.fx.Owner.ID, ProjectID: projectID, Description: desc,
		TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Hour), End: new(now)}})
	require.NoError(t, err)
	return e
}

// edit changes the description of an entry in the fake.
func (r *rig) edit(t *testing.T, id, desc string) clockify.TimeEntry {
	t.Helper()
	i := slices.IndexFunc(r.srv.TimeEntries(r.fx.Workspace.ID), func(e clockify.TimeEntry) bool { return e.ID == id })
	require.GreaterOrEqual(t, i, 0, "no entry %s", id)
	e := r.srv.TimeEntries(r.fx.Workspace.ID)[i]
	e.Description = desc
	e, err := r.srv.UpdateTimeEntry(r.fx.Workspace.ID, e)
	require.NoError(t, err)
	return e
}

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

		// Connecting again repeats nothing: the same webhooks, the same entries.
		hooks := r.srv.Webhooks(ws)
		again := r.connect(t)
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
}

func TestSyncFollowsClockify(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		r := newRigOn(t, store)
		r.connect(t)
		r.hook.Close() // no webhook reaches the engine: only a sync can tell it
		ws := r.fx.Workspace.ID
		ctx := t.Context()
		window := clockifysync.Window{Start: now.AddDate(0, 0, -30), End: now}
		before := r.inWindow(window.Start, window.End)

		gone := before[3]
		require.NoError(t, r.srv.DeleteTimeEntry(ws, gone))
		edited := r.edit(t, before[5], "acme/api#4242 after review")
		added := r.add(t, "PR-77 https://github.com/acme/web/pull/78", now.Add(-3*time.Hour))
		gets := r.srv.Requests("GET v1/workspaces/{ws}/time-entries/{id}")

		res, err := r.eng.Sync(ctx, ws, window)
		require.NoError(t, err)
		require.Equal(t, 1, res.Deleted)
		require.False(t, res.Resumed)
		after := r.inWindow(window.Start, window.End)
		require.Equal(t, after, r.stored(t, clockifysync.EntryQuery{}))
		require.Contains(t, after, added.ID)
		require.NotContains(t, after, gone)
		require.Equal(t, gets+1, r.srv.Requests("GET v1/workspaces/{ws}/time-entries/{id}"), "only the missing entry is read by id")

		deleted, err := r.store.Entry(ctx, ws, gone)
		require.NoError(t, err)
		require.True(t, deleted.Deleted.Equal(now), "kept, marked deleted")
		got, err := r.store.Entry(ctx, ws, edited.ID)
		require.NoError(t, err)
		require.Equal(t, edited.Description, got.Description)
		require.Len(t, got.Links, 1)
		require.Equal(t, "acme/api#4242", got.Links[0].Target())
		got, err = r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		require.Len(t, got.Links, 2)
		require.Equal(t, "#77", got.Links[0].Target(), "a bare number in an unmapped project stays unresolved")
		require.Equal(t, "PR-77", got.Links[0].Text)
		require.Equal(t, "acme/web#78", got.Links[1].Target())

		// Again: nothing new, nothing duplicated.
		res, err = r.eng.Sync(ctx, ws, window)
		require.NoError(t, err)
		require.Zero(t, res.Deleted)
		require.Equal(t, len(after), res.Stored)
		require.Equal(t, after, r.stored(t, clockifysync.EntryQuery{}))
		all := r.stored(t, clockifysync.EntryQuery{IncludeDeleted: true})
		require.Len(t, all, len(after)+1)
	})
}

func TestWebhookDeliveriesApply(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		r := newRigOn(t, store)
		r.connect(t)
		ws := r.fx.Workspace.ID
		ctx := t.Context()

		// The fake delivers before each call returns.
		added := r.add(t, "#5 login", now.Add(-time.Hour))
		got, err := r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		require.Equal(t, "#5 login", got.Description)

		r.edit(t, added.ID, "#6 login, after review")
		got, err = r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		require.Equal(t, "#6", got.Links[0].Text)

		require.NoError(t, r.srv.DeleteTimeEntry(ws, added.ID))
		got, err = r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		require.False(t, got.Deleted.IsZero())

		p, err := r.srv.AddProject(ws, clockify.Project{Name: "Mobile App", Billable: true})
		require.NoError(t, err)
		projects, err := r.store.Projects(ctx, ws)
		require.NoError(t, err)
		require.True(t, slices.ContainsFunc(projects, func(x clockifysync.Project) bool { return x.ID == p.ID && x.Name == "Mobile App" }))
		p.Archived = true // Clockify deletes archived projects only
		_, err = r.srv.UpdateProject(ws, p)
		require.NoError(t, err)
		require.NoError(t, r.srv.DeleteProject(ws, p.ID))
		projects, err = r.store.Projects(ctx, ws)
		require.NoError(t, err)
		i := slices.IndexFunc(projects, func(x clockifysync.Project) bool { return x.ID == p.ID })
		require.False(t, projects[i].Deleted.IsZero())

		logged, err := r.store.Deliveries(ctx, ws, 0)
		require.NoError(t, err)
		require.Len(t, logged, 6)
		for _, d := range logged {
			require.Equal(t, webhook.OutcomeApplied, d.Outcome, d.Reason)
		}
		for _, d := range r.srv.Deliveries() {
			require.Equal(t, http.StatusOK, d.StatusCode, d.Event)
		}
	})
}

// TestRedeliveryAfterAReplicaDiedApplying: a replica claimed a delivery and died applying
// it (a crash, a deploy). Clockify's redelivery, reaching another replica, is asked for
// again while the claim may still be in use, and applied once the claim has lapsed.
func TestRedeliveryAfterAReplicaDiedApplying(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		var elapsed atomic.Int64
		clock := func() time.Time { return now.Add(time.Duration(elapsed.Load())) }
		r := newRigOn(t, store, clockifysync.WithClock(clock))
		dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			body, err := io.ReadAll(req.Body)
			assert.NoError(t, err)
			ev, err := webhook.Parse(req.Header.Get(webhook.EventTypeHeader), body)
			if assert.NoError(t, err) {
				_, err = store.Claim(req.Context(), webhook.KeyOf(ev, body), clock(), webhook.DefaultApplyTimeout)
				assert.NoError(t, err)
			}
			panic(http.ErrAbortHandler) // dies with the claim taken
		}))
		t.Cleanup(dead.Close)
		ws := r.fx.Workspace.ID
		ctx := t.Context()
		_, err := r.eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, WebhookURL: dead.URL})
		require.NoError(t, err)
		added := r.add(t, "#5 login", now.Add(-time.Hour))
		sent := r.srv.Deliveries()
		first := sent[len(sent)-1]
		require.Zero(t, first.StatusCode, "no answer")

		hooks := r.srv.Webhooks(ws)
		token := hooks[slices.IndexFunc(hooks, func(h clockify.Webhook) bool { return h.ID == first.WebhookID })].AuthToken
		redeliver := func() int {
			req, err := webhook.NewSignedRequest(r.hook.URL, token, first.Event, first.Body)
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req.WithContext(ctx))
			require.NoError(t, err)
			resp.Body.Close()
			return resp.StatusCode
		}
		require.Equal(t, http.StatusServiceUnavailable, redeliver(), "the claim may still be in use: send it again")
		_, err = r.store.Entry(ctx, ws, added.ID)
		require.ErrorIs(t, err, clockifysync.ErrNotFound)

		elapsed.Add(int64(webhook.DefaultApplyTimeout))
		require.Equal(t, http.StatusOK, redeliver(), "the claim lapsed")
		got, err := r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		require.Equal(t, "#5 login", got.Description)
	})
}

func TestWebhookRefusesForgery(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	body := `{"id":"66aa00000000000000000001","workspaceId":"` + ws + `","userId":"u","description":"forged","timeInterval":{"start":"2026-11-20T10:00:00Z","end":"2026-11-20T11:00:00Z","duration":"PT1H"}}`
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, r.hook.URL+"/clockify", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set(webhook.SignatureHeader, "guessed-token")
	req.Header.Set("Clockify-Webhook-Event-Type", string(clockify.EventNewTimeEntry))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	_, err = r.store.Entry(t.Context(), ws, "66aa00000000000000000001")
	require.ErrorIs(t, err, clockifysync.ErrNotFound, "nothing stored")
}

func TestManualLinksSurviveResync(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		r := newRigOn(t, store)
		r.connect(t)
		ws := r.fx.Workspace.ID
		ctx := t.Context()
		entries, err := r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws})
		require.NoError(t, err)
		target := entries[0]

		require.NoError(t, r.eng.LinkManually(ctx, ws, target.ID, "acme/web#901"))
		require.NoError(t, r.eng.LinkManually(ctx, ws, target.ID, " https://github.com/acme/api/pull/17 "))
		_, err = r.eng.Sync(ctx, ws, clockifysync.Window{Start: now.AddDate(0, 0, -30), End: now})
		require.NoError(t, err)

		entries, err = r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws})
		require.NoError(t, err)
		i := slices.IndexFunc(entries, func(e clockifysync.LinkedEntry) bool { return e.ID == target.ID })
		var targets []string
		for _, l := range entries[i].Effective {
			require.Equal(t, clockifysync.SourceManual, l.Source)
			targets = append(targets, l.Target())
		}
		require.Equal(t, []string{"acme/web#901", "acme/api#17"}, targets, "manual links replace the auto links")

		for _, bad := range []string{"", "#12", "acme/web", "acme/web#12 and more", "PR 12"} {
			require.ErrorIs(t, r.eng.LinkManually(ctx, ws, target.ID, bad), clockifysync.ErrInput, bad)
		}
		require.ErrorIs(t, r.eng.LinkManually(ctx, ws, "no-such-entry", "acme/web#1"), clockifysync.ErrNotFound)
		require.NoError(t, r.eng.Unlink(ctx, ws, target.ID, "acme/web#901"))
		require.ErrorIs(t, r.eng.Unlink(ctx, ws, target.ID, "acme/web#901"), clockifysync.ErrNotFound)
	})
}

func TestProjectMappingRelinks(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	added := r.addTo(t, r.fx.Projects[0].ID, "#31 and WEB-9")
	links := func() []string {
		e, err := r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		var out []string
		for _, l := range e.Links {
			out = append(out, l.Target())
		}
		return out
	}
	require.Equal(t, []string{"#31"}, links())

	m := clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: r.fx.Projects[0].ID, Repo: "acme/web", Pattern: `WEB-(?P<number>\d+)`}
	require.NoError(t, r.eng.SetProjectMapping(ctx, m))
	require.Equal(t, []string{"acme/web#31", "acme/web#9"}, links())

	for _, bad := range []clockifysync.ProjectMapping{
		{WorkspaceID: ws, ProjectID: m.ProjectID, Repo: "not a repo"},
		{WorkspaceID: ws, ProjectID: m.ProjectID, Repo: "acme/api", Pattern: `WEB-\d+`}, // no number group
		{WorkspaceID: ws, ProjectID: m.ProjectID, Repo: "acme/api", Pattern: `(`},
		{WorkspaceID: ws, ProjectID: m.ProjectID, Repo: "acme/api", Pattern: strings.Repeat(`\w{100}`, 10) + `(?P<number>\d+)`}, // too costly to run
		{WorkspaceID: ws, Repo: "acme/api"},
	} {
		require.ErrorIs(t, r.eng.SetProjectMapping(ctx, bad), clockifysync.ErrInput)
	}
	stored, err := r.store.ProjectMappings(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, []clockifysync.ProjectMapping{m}, stored, "bad mappings change nothing")

	require.NoError(t, r.eng.DeleteProjectMapping(ctx, ws, m.ProjectID))
	require.Equal(t, []string{"#31"}, links())
}

// TestRelinkKeepsDeletedEntriesDeleted: mapping a project links its stored entries
// again, the deleted ones too (for history), and leaves them deleted.
func TestRelinkKeepsDeletedEntriesDeleted(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		r := newRigOn(t, store)
		r.connect(t)
		ws, project := r.fx.Workspace.ID, r.fx.Projects[0].ID
		ctx := t.Context()
		added := r.addTo(t, project, "#31 deleted later")
		require.NoError(t, r.srv.DeleteTimeEntry(ws, added.ID))
		_, err := r.eng.SyncRecent(ctx, ws)
		require.NoError(t, err)
		before, err := r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		require.False(t, before.Deleted.IsZero())

		require.NoError(t, r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: project, Repo: "acme/web"}))
		got, err := r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		require.Equal(t, "acme/web#31", got.Links[0].Target(), "linked again")
		require.True(t, before.Deleted.Equal(got.Deleted), "still deleted, at %v", got.Deleted)
		live, err := r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, ProjectID: project})
		require.NoError(t, err)
		require.False(t, slices.ContainsFunc(live, func(e clockifysync.LinkedEntry) bool { return e.ID == added.ID }), "not among the live entries")
	})
}

// readHook runs after once after the next read of a project's entries.
type readHook struct {
	clockifysync.Store
	after func()
}

func (s *readHook) Entries(ctx context.Context, q clockifysync.EntryQuery) ([]clockifysync.Entry, error) {
	got, err := s.Store.Entries(ctx, q)
	if after := s.after; after != nil && q.ProjectID != "" {
		s.after = nil
		after()
	}
	return got, err
}

// TestRelinkKeepsWhatChangedMeanwhile: an entry a sync changes while a project's entries
// are relinked keeps what the sync stored, description and links: relinking replaces
// only the links of entries that are still as it read them.
func TestRelinkKeepsWhatChangedMeanwhile(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		hook := &readHook{Store: store}
		r := newRigOn(t, hook)
		r.connect(t)
		ws, project := r.fx.Workspace.ID, r.fx.Projects[0].ID
		ctx := t.Context()
		added := r.addTo(t, project, "#31 before")
		_, err := r.eng.SyncRecent(ctx, ws)
		require.NoError(t, err)

		hook.after = func() { // the relink has read the entries; a sync stores an edit
			r.edit(t, added.ID, "#77 edited during the relink")
			_, err := r.eng.SyncRecent(ctx, ws)
			require.NoError(t, err)
		}
		require.NoError(t, r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: project, Repo: "acme/web"}))
		require.Nil(t, hook.after, "the sync ran during the relink")
		got, err := r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		require.Equal(t, "#77 edited during the relink", got.Description)
		require.Len(t, got.Links, 1)
		require.Equal(t, "acme/web#77", got.Links[0].Target())
	})
}

// putHook runs after once after the next write of entries.
type putHook struct {
	clockifysync.Store
	after atomic.Pointer[func()]
}

func (s *putHook) PutEntries(ctx context.Context, entries []clockifysync.Entry) error {
	err := s.Store.PutEntries(ctx, entries)
	if after := s.after.Swap(nil); after != nil {
		(*after)()
	}
	return err
}

// TestSyncLinksWithAMappingSetMeanwhile: a project mapped while a sync runs is used for
// the entries the sync writes after that, not the mappings the sync found at its start.
func TestSyncLinksWithAMappingSetMeanwhile(t *testing.T) {
	t.Parallel()
	hook := &putHook{Store: memory.New()}
	r := newRigOn(t, hook, clockifysync.WithConcurrency(1)) // members one after another
	r.connect(t)
	ws, project := r.fx.Workspace.ID, r.fx.Projects[0].ID
	ctx := t.Context()
	var added []string
	for _, m := range r.fx.Members {
		e, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: m.User.ID, ProjectID: project, Description: "#52 pairing",
			TimeInterval: clockify.TimeInterval{Start: now.Add(-2 * time.Hour), End: new(now.Add(-time.Hour))}})
		require.NoError(t, err)
		added = append(added, e.ID)
	}
	mapped := func() { // after the sync's first write
		require.NoError(t, r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: project, Repo: "acme/web"}))
	}
	hook.after.Store(&mapped)
	_, err := r.eng.SyncRecent(ctx, ws)
	require.NoError(t, err)
	require.Nil(t, hook.after.Load(), "mapped during the sync")
	for _, id := range added {
		got, err := r.store.Entry(ctx, ws, id)
		require.NoError(t, err)
		require.Len(t, got.Links, 1)
		require.Equal(t, "acme/web#52", got.Links[0].Target(), "entry %s of member %s", id, got.UserID)
	}
}

// TestSyncFindsDeletedProjects: a project deleted in Clockify while no webhook reached
// the engine is marked deleted by the next sync (an admin's key lists every project), and
// is no longer offered for mapping.
func TestSyncFindsDeletedProjects(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	r.hook.Close() // no webhook tells the engine
	ws, gone := r.fx.Workspace.ID, r.fx.Projects[1].ID
	ctx := t.Context()
	archived := r.fx.Projects[1]
	archived.Archived = true // Clockify deletes archived projects only
	_, err := r.srv.UpdateProject(ws, archived)
	require.NoError(t, err)
	require.NoError(t, r.srv.DeleteProject(ws, gone))
	_, err = r.eng.SyncRecent(ctx, ws)
	require.NoError(t, err)

	projects, err := r.store.Projects(ctx, ws)
	require.NoError(t, err)
	require.Len(t, projects, len(r.fx.Projects), "kept, for the history of its entries")
	for _, p := range projects {
		require.Equal(t, p.ID == gone, !p.Deleted.IsZero(), "project %s deleted at %v", p.Name, p.Deleted)
	}
	unmapped, err := r.eng.UnmappedProjects(ctx, ws)
	require.NoError(t, err)
	require.Len(t, unmapped, len(r.fx.Projects)-1)
	require.False(t, slices.ContainsFunc(unmapped, func(p clockifysync.Project) bool { return p.ID == gone }))
}

func TestSyncResumesAfterCancel(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		r := newRigOn(t, store, clockifysync.WithConcurrency(1))
		_, err := r.eng.Connect(t.Context(), clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: r.fx.Workspace.ID, InitialDays: 1})
		require.NoError(t, err)
		ws := r.fx.Workspace.ID
		window := clockifysync.Window{Start: now.AddDate(0, 0, -30), End: now}

		// Stop the sync once two members' entries have been listed.
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		start := r.lists.Load()
		stop := func(n int64) {
			if n == start+2 {
				cancel()
			}
		}
		r.onList.Store(&stop)
		_, err = r.eng.Sync(ctx, ws, window)
		r.onList.Store(nil)
		require.ErrorIs(t, err, context.Canceled)
		run, ok, err := r.store.PendingRun(t.Context(), ws)
		require.NoError(t, err)
		require.True(t, ok)
		require.NotEmpty(t, run.Done)
		require.Less(t, len(run.Done), len(r.fx.Members))
		conn, err := r.store.Connection(t.Context(), ws)
		require.NoError(t, err)
		require.Contains(t, conn.LastError, "context canceled")

		before := r.lists.Load()
		res, err := r.eng.Sync(t.Context(), ws, window)
		require.NoError(t, err)
		require.True(t, res.Resumed)
		require.Equal(t, int64(len(r.fx.Members)-len(run.Done)), r.lists.Load()-before, "members done are not read again")
		require.Equal(t, r.inWindow(window.Start, window.End), r.stored(t, clockifysync.EntryQuery{}))
		_, ok, err = r.store.PendingRun(t.Context(), ws)
		require.NoError(t, err)
		require.False(t, ok)
		conn, err = r.store.Connection(t.Context(), ws)
		require.NoError(t, err)
		require.Empty(t, conn.LastError)
	})
}

func TestDisconnectKeepsHistory(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	kept := r.stored(t, clockifysync.EntryQuery{})

	res, err := r.eng.Disconnect(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, 10, res.Unregistered)
	require.Empty(t, r.srv.Webhooks(ws))
	conn, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, clockifysync.StatusDisconnected, conn.Status)
	require.Nil(t, conn.SealedAPIKey)
	hooks, err := r.store.Webhooks(ctx, ws)
	require.NoError(t, err)
	require.Empty(t, hooks)
	require.Equal(t, kept, r.stored(t, clockifysync.EntryQuery{}), "entries kept")

	_, err = r.eng.SyncRecent(ctx, ws)
	require.ErrorIs(t, err, clockifysync.ErrNotConnected)
	err = r.eng.Apply(ctx, &webhook.Event{Kind: webhook.TimeEntryCreated, WorkspaceID: ws, EntityID: kept[0]})
	require.ErrorIs(t, err, webhook.ErrPermanent)
	_, err = r.eng.Disconnect(ctx, ws)
	require.ErrorIs(t, err, clockifysync.ErrNotConnected)
}

// TestSecretsStaySealed checks that neither the API key nor a webhook token is stored,
// logged or reported in the clear.
func TestSecretsStaySealed(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	secrets := []string{r.fx.OwnerKey}
	for _, h := range r.srv.Webhooks(ws) {
		secrets = append(secrets, h.AuthToken.Reveal())
	}
	require.NoError(t, r.eng.RotateWebhookTokens(ctx, ws))
	for _, h := range r.srv.Webhooks(ws) {
		secrets = append(secrets, h.AuthToken.Reveal())
	}
	conn, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	hooks, err := r.store.Webhooks(ctx, ws)
	require.NoError(t, err)
	for _, s := range secrets {
		require.NotEmpty(t, s)
		require.False(t, bytes.Contains(conn.SealedAPIKey, []byte(s)))
		for _, h := range hooks {
			require.False(t, bytes.Contains(h.SealedToken, []byte(s)))
		}
		require.NotContains(t, r.logs.String(), s)
	}

	// A sealed key copied to another workspace does not open there.
	other := conn
	other.WorkspaceID = "another-workspace"
	require.NoError(t, r.store.PutConnection(ctx, other))
	_, err = r.eng.SyncRecent(ctx, "another-workspace")
	require.Error(t, err)
	require.NotContains(t, err.Error(), r.fx.OwnerKey)

	// A delivery signed with a rotated token still applies during the grace period.
	added := r.add(t, "after rotation", now.Add(-time.Hour))
	_, err = r.store.Entry(ctx, ws, added.ID)
	require.NoError(t, err)
}

func TestNewRefusesBadKey(t *testing.T) {
	t.Parallel()
	_, err := clockifysync.New(memory.New(), make([]byte, 16))
	require.ErrorIs(t, err, clockifysync.ErrSealKey)
	_, err = clockifysync.New(nil, make([]byte, 32))
	require.Error(t, err)
	_, err = clockifysync.New(memory.New(), make([]byte, 32), clockifysync.WithPreviousSealKeys(make([]byte, 31)))
	require.ErrorIs(t, err, clockifysync.ErrSealKey)
}

// TestSealKeyRotation: an engine given the old sealing key as a previous one reads what
// was sealed with it, and ResealSecrets leaves nothing that needs the old key: the API
// key is sealed again, and the webhooks get new tokens. A second call changes nothing.
func TestSealKeyRotation(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	newKey := make([]byte, 32)
	_, _ = rand.Read(newKey)
	engine := func(key []byte, opts ...clockifysync.Option) *clockifysync.Engine {
		return r.replicaSealedWith(t, r.store, key, opts...)
	}
	tokens := func() map[string]clockify.Secret {
		out := map[string]clockify.Secret{}
		for _, h := range r.srv.Webhooks(ws) {
			out[h.ID] = h.AuthToken
		}
		return out
	}

	_, err := engine(newKey).SyncRecent(ctx, ws)
	require.Error(t, err, "the new key alone does not open the old seal")
	rotating := engine(newKey, clockifysync.WithPreviousSealKeys(r.sealKey))
	_, err = rotating.SyncRecent(ctx, ws)
	require.NoError(t, err)

	before := tokens()
	require.NoError(t, rotating.ResealSecrets(ctx))
	after := tokens()
	require.Len(t, after, len(before))
	for id, tok := range after {
		require.NotEqual(t, before[id], tok, "webhook %s has a new token", id)
	}
	require.NoError(t, rotating.ResealSecrets(ctx))
	require.Equal(t, after, tokens(), "nothing left to reseal")

	rotated := engine(newKey)
	_, err = rotated.SyncRecent(ctx, ws)
	require.NoError(t, err, "the new key alone opens the API key")
	_, err = rotated.Handler(ctx)
	require.NoError(t, err, "and every webhook token")
	_, err = engine(r.sealKey).SyncRecent(ctx, ws)
	require.Error(t, err, "the old key opens nothing")
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
// stays, and each entry is delivered once.
func TestConnectDropsDuplicateWebhooks(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	admin, err := r.srv.NewClient(r.fx.OwnerKey)
	require.NoError(t, err)
	var original, other string
	for _, h := range r.srv.Webhooks(ws) {
		switch h.WebhookEvent {
		case clockify.EventNewTimeEntry:
			original = h.ID
		case clockify.EventProjectDeleted:
			other = h.ID
		}
	}
	// The other Connect deleted one event's webhook and made a second of another's.
	_, err = admin.Webhooks.Delete(t.Context(), ws, other)
	require.NoError(t, err)
	dup, _, err := admin.Webhooks.Create(t.Context(), ws, &clockify.WebhookRequest{
		Name: "jasper again", URL: r.hook.URL + "/clockify", WebhookEvent: clockify.EventNewTimeEntry})
	require.NoError(t, err)

	res := r.connect(t)
	require.Equal(t, 10, res.Webhooks)
	require.Empty(t, res.MissingEvents)
	events := map[clockify.WebhookEvent]int{}
	for _, h := range r.srv.Webhooks(ws) {
		events[h.WebhookEvent]++
		require.NotEqual(t, dup.ID, h.ID, "the duplicate is gone")
	}
	require.Len(t, events, 10, "one webhook per event")
	require.Equal(t, 1, events[clockify.EventNewTimeEntry])
	require.True(t, slices.ContainsFunc(r.srv.Webhooks(ws), func(h clockify.Webhook) bool { return h.ID == original }), "the stored one stays")
	before := len(r.srv.Deliveries())
	r.add(t, "#5 delivered once", now.Add(-time.Hour))
	ds := r.srv.Deliveries()[before:]
	require.Len(t, ds, 1)
	require.Equal(t, http.StatusOK, ds[0].StatusCode)
}

func TestUserMappingByHand(t *testing.T) {
	t.Parallel()
	r := newRig(t, clockifysync.WithContributors(func(context.Context, string) ([]mapping.Contributor, error) {
		return nil, nil
	}))
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	member := r.fx.Members[1].User.ID

	for _, bad := range []string{"", "no spaces", "-dash-"} {
		require.ErrorIs(t, r.eng.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: ws, MemberID: member, Login: bad}), clockifysync.ErrInput, bad)
	}
	require.ErrorIs(t, r.eng.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: ws, MemberID: "nobody", Login: "octocat"}), clockifysync.ErrNotFound)
	stored, err := r.store.UserMappings(ctx, ws)
	require.NoError(t, err)
	require.Empty(t, stored, "bad mappings change nothing")

	require.NoError(t, r.eng.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: ws, MemberID: member, Login: "octocat"}))
	// A member mapped by hand who has left the workspace does not stop the syncs.
	require.NoError(t, r.store.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: ws, MemberID: "left-long-ago", Login: "ghost"}))
	login := func() (string, string) {
		members, err := r.store.Members(ctx, ws)
		require.NoError(t, err)
		for _, m := range members {
			if m.ID == member {
				return m.Login, m.Method
			}
		}
		t.Fatal("member gone")
		return "", ""
	}
	l, method := login()
	require.Equal(t, "octocat", l)
	require.Equal(t, "manual", method)
	_, err = r.eng.SyncRecent(ctx, ws)
	require.NoError(t, err)
	l, _ = login()
	require.Equal(t, "octocat", l, "a re-sync keeps it")

	require.NoError(t, r.eng.DeleteUserMapping(ctx, ws, member))
	_, err = r.eng.SyncRecent(ctx, ws)
	require.NoError(t, err)
	l, _ = login()
	require.Empty(t, l, "no contributor matches: unmapped again")
}

func TestUnmappedProjects(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	all, err := r.eng.UnmappedProjects(ctx, ws)
	require.NoError(t, err)
	require.Len(t, all, len(r.fx.Projects))
	require.NoError(t, r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: r.fx.Projects[0].ID, Repo: "acme/web"}))
	rest, err := r.eng.UnmappedProjects(ctx, ws)
	require.NoError(t, err)
	require.Len(t, rest, len(r.fx.Projects)-1)
	for _, p := range rest {
		require.NotEqual(t, r.fx.Projects[0].ID, p.ID)
	}

	// Suggestions come for the unmapped projects only.
	repos := []string{"acme/unrelated-thing"}
	for _, p := range r.fx.Projects {
		repos = append(repos, r.fx.Org+"/"+p.Name)
	}
	suggested, err := r.eng.SuggestRepos(ctx, ws, repos)
	require.NoError(t, err)
	require.NotEmpty(t, suggested)
	for _, s := range suggested {
		require.NotEqual(t, r.fx.Projects[0].ID, s.ProjectID, "mapped already")
		i := slices.IndexFunc(r.fx.Projects, func(p clockify.Project) bool { return p.ID == s.ProjectID })
		require.Equal(t, r.fx.Org+"/"+r.fx.Projects[i].Name, s.Repo)
	}
}

// TestScheduledSyncCatchesOldEntries: an entry of last month edited, added or deleted
// today is outside any recent window; the scheduled sync finds it in Clockify's list of
// changes.
func TestScheduledSyncCatchesOldEntries(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	r.hook.Close() // no webhook tells the engine
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	old := r.inWindow(now.AddDate(0, 0, -30), now.AddDate(0, 0, -20))
	require.GreaterOrEqual(t, len(old), 2)
	edited := r.edit(t, old[0], "acme/web#808 found late")
	require.NoError(t, r.srv.DeleteTimeEntry(ws, old[1]))
	added := r.add(t, "forgotten", now.AddDate(0, 0, -25))

	res, err := r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.GreaterOrEqual(t, res.Changed, 3)
	got, err := r.store.Entry(ctx, ws, edited.ID)
	require.NoError(t, err)
	require.Equal(t, "acme/web#808", got.Links[0].Target())
	got, err = r.store.Entry(ctx, ws, old[1])
	require.NoError(t, err)
	require.False(t, got.Deleted.IsZero())
	_, err = r.store.Entry(ctx, ws, added.ID)
	require.NoError(t, err)
}

// TestTokensRefreshAcrossReplicas: replica B registers and rotates the webhooks, replica A
// receives the deliveries. A trusts B's tokens on the first delivery they sign (its
// handler reloads the tokens on a miss, at most every five seconds) or when it refreshes
// them, and a token B rotated away still verifies on A for the grace period.
func TestTokensRefreshAcrossReplicas(t *testing.T) {
	t.Parallel()
	var elapsed atomic.Int64
	clock := func() time.Time { return now.Add(time.Duration(elapsed.Load())) }
	a := newRig(t, clockifysync.WithClock(clock)) // A: its handler is the one behind the webhook URL
	ctx := t.Context()
	ws := a.fx.Workspace.ID
	b := a.replica(t, a.store)
	_, err := b.Connect(ctx, clockifysync.ConnectRequest{APIKey: a.fx.OwnerKey, WorkspaceID: ws, WebhookURL: a.hook.URL + "/clockify"})
	require.NoError(t, err)
	deliver := func(desc string) int {
		t.Helper()
		a.add(t, desc, now.Add(-time.Hour))
		ds := a.srv.Deliveries()
		return ds[len(ds)-1].StatusCode
	}
	require.Equal(t, http.StatusOK, deliver("B's tokens, new to A"), "A reloads the tokens on the miss")

	var oldToken clockify.Secret
	for _, h := range a.srv.Webhooks(ws) {
		if h.WebhookEvent == clockify.EventNewTimeEntry {
			oldToken = h.AuthToken
		}
	}
	require.NoError(t, b.RotateWebhookTokens(ctx, ws))
	require.Equal(t, http.StatusUnauthorized, deliver("rotated, within 5 s of A's reload"))
	require.NoError(t, a.eng.RefreshTokens(ctx))
	require.Equal(t, http.StatusOK, deliver("rotated, after A refreshes"))
	elapsed.Add(int64(webhook.DefaultReloadInterval))
	require.NoError(t, b.RotateWebhookTokens(ctx, ws))
	require.Equal(t, http.StatusOK, deliver("rotated again, 5 s later"), "A reloads the tokens on the miss")

	// A delivery signed with the old token, sent before the rotation, still verifies.
	req, err := webhook.NewSignedRequest(a.hook.URL+"/clockify", oldToken, clockify.EventNewTimeEntry, clockify.TimeEntry{
		ID: "66aa00000000000000000002", WorkspaceID: ws, UserID: a.fx.Owner.ID, Description: "late",
		TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Hour), End: new(now)}})
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	require.NoError(t, err)
	resp.Body.Close()
	require.NotEqual(t, http.StatusUnauthorized, resp.StatusCode)

	// Disconnected by B, the webhooks are refused on A after its refresh.
	_, err = b.Disconnect(ctx, ws)
	require.NoError(t, err)
	require.NoError(t, a.eng.RefreshTokens(ctx))
	req, err = webhook.NewSignedRequest(a.hook.URL+"/clockify", oldToken, clockify.EventNewTimeEntry, clockify.TimeEntry{ID: "66aa00000000000000000003", WorkspaceID: ws})
	require.NoError(t, err)
	resp, err = http.DefaultClient.Do(req.WithContext(ctx))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

func TestReport(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	from := now.Add(-time.Hour)
	rita := r.srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Rita Report", Email: "rita@acme.dev"}})
	add := func(desc string, typ clockify.TimeEntryType, minutes int) string {
		t.Helper()
		e, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: rita.ID, Description: desc, Type: typ, Billable: true,
			TimeInterval: clockify.TimeInterval{Start: from, End: new(from.Add(time.Duration(minutes) * time.Minute))}})
		require.NoError(t, err)
		return e.ID
	}
	add("acme/web#1 review", "", 30)
	manual := add("#2 no project, so unresolved", "", 20)
	add("acme/web#3 lunch", clockify.TimeEntryBreak, 45)
	require.NoError(t, r.eng.LinkManually(ctx, ws, manual, "acme/api#9"))
	_, err := r.eng.SyncRecent(ctx, ws) // imports the new member
	require.NoError(t, err)
	require.NoError(t, r.eng.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: ws, MemberID: rita.ID, Login: "octocat"}))

	q := clockifysync.EntryQuery{WorkspaceID: ws, UserID: rita.ID}
	s, err := r.eng.Report(ctx, q, analytics.Options{})
	require.NoError(t, err)
	require.Equal(t, 1, s.NotWork, "the break")
	require.Zero(t, s.Unresolved, "the manual link replaced the unresolved #2")
	var prs []string
	for _, p := range s.PRs {
		prs = append(prs, p.PR)
	}
	require.ElementsMatch(t, []string{"acme/web#1", "acme/api#9"}, prs)
	require.Equal(t, int64(50*60), s.Total.Seconds())
	require.Len(t, s.Contributors, 1)
	require.Equal(t, "octocat", s.Contributors[0].Login)

	require.NoError(t, r.eng.Unlink(ctx, ws, manual, "acme/api#9"))
	s, err = r.eng.Report(ctx, q, analytics.Options{})
	require.NoError(t, err)
	require.Equal(t, 1, s.Unresolved)
}

func TestSyncRefusesBadWindows(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	for name, w := range map[string]clockifysync.Window{
		"empty":          {},
		"no start":       {End: now},
		"reversed":       {Start: now, End: now.Add(-time.Hour)},
		"zero length":    {Start: now, End: now},
		"over 365 days":  {Start: now.AddDate(-1, 0, -2), End: now},
		"no end":         {Start: now},
		"far in reverse": {Start: now.AddDate(1, 0, 0), End: now},
	} {
		before := r.lists.Load()
		_, err := r.eng.Sync(t.Context(), ws, w)
		require.ErrorIs(t, err, clockifysync.ErrInput, name)
		require.Equal(t, before, r.lists.Load(), "%s: nothing read", name)
	}
	_, err := r.eng.Sync(t.Context(), "not-connected", clockifysync.Window{Start: now.Add(-time.Hour), End: now})
	require.ErrorIs(t, err, clockifysync.ErrNotConnected)
	_, ok, err := r.store.PendingRun(t.Context(), ws)
	require.NoError(t, err)
	require.False(t, ok, "no run started")
}

// TestApplyWithoutFetch: with fetch-on-notify off, a delivery's payload is stored as it
// came, and Clockify is not asked again.
func TestApplyWithoutFetch(t *testing.T) {
	t.Parallel()
	r := newRig(t, clockifysync.WithFetchOnNotify(false))
	r.connect(t)
	ws := r.fx.Workspace.ID
	const get = "GET v1/workspaces/{ws}/time-entries/{id}"
	before := r.srv.Requests(get)
	added := r.add(t, "PR #77 from the payload", now.Add(-time.Hour))
	got, err := r.store.Entry(t.Context(), ws, added.ID)
	require.NoError(t, err)
	require.Equal(t, "PR #77 from the payload", got.Description)
	require.NoError(t, r.srv.DeleteTimeEntry(ws, added.ID))
	got, err = r.store.Entry(t.Context(), ws, added.ID)
	require.NoError(t, err)
	require.False(t, got.Deleted.IsZero())
	require.Equal(t, before, r.srv.Requests(get), "no entry read by id")

	// A delivery without its entry cannot be applied, now or later.
	err = r.eng.Apply(t.Context(), &webhook.Event{Kind: webhook.TimeEntryUpdated, WorkspaceID: ws, EntityID: "x"})
	require.ErrorIs(t, err, webhook.ErrPermanent)
}

// TestDisconnectWithRevokedKey: Clockify refuses a revoked key, so the webhooks stay
// registered there; the engine still forgets the key and the tokens, and says which
// webhooks to delete by hand.
func TestDisconnectWithRevokedKey(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()

	r.srv.RevokeAPIKey(r.fx.OwnerKey)
	res, err := r.eng.Disconnect(ctx, ws)
	require.NoError(t, err)
	require.Zero(t, res.Unregistered)
	require.Len(t, res.LeftRegistered, 10)
	require.Len(t, r.srv.Webhooks(ws), 10, "still registered in Clockify")
	conn, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Nil(t, conn.SealedAPIKey)
	require.Equal(t, clockifysync.StatusDisconnected, conn.Status)
	hooks, err := r.store.Webhooks(ctx, ws)
	require.NoError(t, err)
	require.Empty(t, hooks, "their tokens are forgotten")
}

// TestSyncWithRevokedKey: once Clockify refuses the stored key (its user generated a new
// one), a sync fails with ErrInvalidAPIKey, and the connection records what to do.
func TestSyncWithRevokedKey(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	r.srv.RevokeAPIKey(r.fx.OwnerKey)

	for name, sync := range map[string]func() error{
		"recent":    func() error { _, err := r.eng.SyncRecent(t.Context(), ws); return err },
		"scheduled": func() error { _, err := r.eng.SyncScheduled(t.Context(), ws); return err },
	} {
		err := sync()
		require.ErrorIs(t, err, clockifysync.ErrInvalidAPIKey, name)
		require.ErrorIs(t, err, clockify.ErrInvalidAPIKey, name)
		require.NotContains(t, err.Error(), r.fx.OwnerKey, name)
		conn, err := r.store.Connection(t.Context(), ws)
		require.NoError(t, err)
		require.Equal(t, clockifysync.ErrInvalidAPIKey.Error(), conn.LastError, name)
	}
}

// racingStore lets another replica act between the engine's read of a connection and
// its write: once armed, race runs after the next read of a connection, or before the
// next update; a finished run arms it when armOnFinish is set.
type racingStore struct {
	clockifysync.Store
	armed, armOnFinish atomic.Bool
	race               func()
}

func (s *racingStore) Connection(ctx context.Context, workspaceID string) (clockifysync.Connection, error) {
	c, err := s.Store.Connection(ctx, workspaceID)
	if s.armed.CompareAndSwap(true, false) {
		s.race()
	}
	return c, err
}

func (s *racingStore) UpdateConnection(ctx context.Context, workspaceID string, change func(*clockifysync.Connection) error) error {
	if s.armed.CompareAndSwap(true, false) {
		s.race()
	}
	return s.Store.UpdateConnection(ctx, workspaceID, change)
}

func (s *racingStore) FinishRun(ctx context.Context, workspaceID string) error {
	if s.armOnFinish.CompareAndSwap(true, false) {
		defer s.armed.Store(true)
	}
	return s.Store.FinishRun(ctx, workspaceID)
}

// TestDisconnectElsewhereStaysDisconnected: a workspace disconnected on another replica
// while this one ends a sync or changes its schedule stays disconnected, its key
// forgotten: neither write of this replica brings back what it read before.
func TestDisconnectElsewhereStaysDisconnected(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		act  func(r *rig, ws string) error
		arm  func(rs *racingStore)
		want error
	}{
		{"a sync ends", func(r *rig, ws string) error { _, err := r.eng.SyncRecent(t.Context(), ws); return err },
			func(rs *racingStore) { rs.armOnFinish.Store(true) }, nil},
		{"the schedule changes", func(r *rig, ws string) error {
			return r.eng.SetSchedule(t.Context(), ws, clockifysync.ScheduleDaily)
		}, func(rs *racingStore) { rs.armed.Store(true) }, clockifysync.ErrNotConnected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shared := memory.New()
			rs := &racingStore{Store: shared}
			r := newRigOn(t, rs)
			r.connect(t)
			ws := r.fx.Workspace.ID
			other := r.replica(t, shared)
			rs.race = func() {
				_, err := other.Disconnect(context.WithoutCancel(t.Context()), ws)
				require.NoError(t, err)
			}
			_, err := r.eng.SyncRecent(t.Context(), ws) // the engine's client is built and cached
			require.NoError(t, err)

			tc.arm(rs)
			err = tc.act(r, ws)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
			} else {
				require.NoError(t, err)
			}
			require.False(t, rs.armed.Load(), "the other replica disconnected")
			conn, err := shared.Connection(t.Context(), ws)
			require.NoError(t, err)
			require.Equal(t, clockifysync.StatusDisconnected, conn.Status)
			require.Nil(t, conn.SealedAPIKey, "the key stays forgotten")
			require.Equal(t, clockifysync.ScheduleRealtime, conn.Schedule, "as it was connected")
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
// and manage no webhooks; Connect syncs those entries and reports every event missing.
func TestConnectWithAMembersKey(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	i := slices.IndexFunc(r.fx.Members, func(m clockifytest.Member) bool { return !m.Admin && m.APIKey != "" })
	require.GreaterOrEqual(t, i, 0)
	me := r.fx.Members[i].User
	res, err := r.eng.Connect(t.Context(), clockifysync.ConnectRequest{APIKey: r.fx.Members[i].APIKey, WorkspaceID: r.fx.Workspace.ID, WebhookURL: r.hook.URL})
	require.NoError(t, err)
	require.True(t, res.OwnEntriesOnly)
	require.Zero(t, res.Webhooks)
	require.Len(t, res.MissingEvents, 10)
	require.Equal(t, 1, res.InitialSync.Members)
	members, err := r.store.Members(t.Context(), r.fx.Workspace.ID)
	require.NoError(t, err)
	require.Len(t, members, 1)
	require.Equal(t, me.ID, members[0].ID)
	for _, id := range r.stored(t, clockifysync.EntryQuery{}) {
		e, err := r.store.Entry(t.Context(), r.fx.Workspace.ID, id)
		require.NoError(t, err)
		require.Equal(t, me.ID, e.UserID)
	}
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

// TestScheduledSyncWithoutChangeLists: Clockify's lists of changes are Experimental; when
// it finds the request bad (400), the scheduled sync still stores its window.
func TestScheduledSyncWithoutChangeLists(t *testing.T) {
	t.Parallel()
	r, _ := newRigBehind(t, func(w http.ResponseWriter, req *http.Request) bool {
		return strings.Contains(req.URL.Path, "/entities/") && refuse(w, http.StatusBadRequest, `{"message":"Date range is too long","code":3001}`)
	})
	r.connect(t)
	r.hook.Close() // no webhook tells the engine
	added := r.add(t, "#9 logged today", now.Add(-3*time.Hour))

	res, err := r.eng.SyncScheduled(t.Context(), r.fx.Workspace.ID)
	require.NoError(t, err)
	require.Zero(t, res.Changed)
	_, err = r.store.Entry(t.Context(), r.fx.Workspace.ID, added.ID)
	require.NoError(t, err, "the window was synced")
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

// interrupting runs act once, right after the first call of one of its store's methods
// (at names it), so that another replica acts in the middle of an engine's work.
type interrupting struct {
	clockifysync.Store
	at   string
	once gosync.Once
	act  func()
}

func (s *interrupting) after(method string, err error) error {
	if method == s.at {
		s.once.Do(s.act)
	}
	return err
}

func (s *interrupting) PutProjects(ctx context.Context, ps []clockifysync.Project) error {
	return s.after("PutProjects", s.Store.PutProjects(ctx, ps))
}

func (s *interrupting) PutWebhook(ctx context.Context, w clockifysync.Webhook) error {
	return s.after("PutWebhook", s.Store.PutWebhook(ctx, w))
}

func (s *interrupting) FinishRun(ctx context.Context, workspaceID string) error {
	return s.after("FinishRun", s.Store.FinishRun(ctx, workspaceID))
}

// TestDisconnectDuringConnect: a workspace disconnected (here on another replica) while
// Connect runs stays disconnected, the later action winning: Connect stops with
// ErrNotConnected, and neither the key nor a webhook it registered stays behind.
func TestDisconnectDuringConnect(t *testing.T) {
	t.Parallel()
	for _, at := range []string{"PutProjects", "PutWebhook", "FinishRun"} {
		t.Run(at, func(t *testing.T) {
			t.Parallel()
			shared := memory.New()
			is := &interrupting{Store: shared, at: at}
			r := newRigOn(t, is)
			ws := r.fx.Workspace.ID
			other := r.replica(t, shared)
			is.act = func() {
				_, err := other.Disconnect(context.WithoutCancel(t.Context()), ws)
				require.NoError(t, err)
			}

			_, err := r.eng.Connect(t.Context(), clockifysync.ConnectRequest{
				APIKey: r.fx.OwnerKey, WorkspaceID: ws, WebhookURL: r.hook.URL + "/clockify"})
			require.ErrorIs(t, err, clockifysync.ErrNotConnected)
			conn, err := shared.Connection(t.Context(), ws)
			require.NoError(t, err)
			require.Equal(t, clockifysync.StatusDisconnected, conn.Status)
			require.Nil(t, conn.SealedAPIKey, "the key stays forgotten")
			require.Empty(t, r.srv.Webhooks(ws), "no webhook left in Clockify")
			hooks, err := shared.Webhooks(t.Context(), ws)
			require.NoError(t, err)
			require.Empty(t, hooks, "no token kept")
			_, err = r.eng.SyncRecent(t.Context(), ws)
			require.ErrorIs(t, err, clockifysync.ErrNotConnected)
		})
	}
}

// TestDeliveriesAppliedAtOnceKeepTheLatest: two deliveries about one entry applied at
// once (an entry edited, then edited again or deleted, within a second) leave what the
// later one read, whichever finishes last. Here the second change is made, delivered and
// applied after the first delivery has read the entry and before it stores it.
func TestDeliveriesAppliedAtOnceKeepTheLatest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		second func(t *testing.T, r *rig, id string)
		want   func(t *testing.T, got clockifysync.Entry)
	}{
		{"edited again", func(t *testing.T, r *rig, id string) { r.edit(t, id, "PR #2 second edit") },
			func(t *testing.T, got clockifysync.Entry) { require.Equal(t, "PR #2 second edit", got.Description) }},
		{"deleted", func(t *testing.T, r *rig, id string) {
			require.NoError(t, r.srv.DeleteTimeEntry(r.fx.Workspace.ID, id))
		},
			func(t *testing.T, got clockifysync.Entry) { require.False(t, got.Deleted.IsZero(), "stays deleted") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			r.connect(t)
			e := r.add(t, "PR #1 first", now.Add(-time.Hour))
			var armed atomic.Bool
			armed.Store(true)
			hook := func(info clockifytest.RequestInfo) {
				if info.Route == "GET v1/workspaces/{ws}/time-entries/{id}" && armed.CompareAndSwap(true, false) {
					tc.second(t, r, e.ID)
				}
			}
			r.onRequest.Store(&hook)

			r.edit(t, e.ID, "PR #1 first edit")
			require.False(t, armed.Load(), "the second change came while the first delivery applied")
			for _, d := range r.srv.Deliveries() {
				require.Equal(t, http.StatusOK, d.StatusCode)
			}
			got, err := r.store.Entry(t.Context(), r.fx.Workspace.ID, e.ID)
			require.NoError(t, err)
			tc.want(t, got)
		})
	}
}

// TestDeliveryDuringASyncIsKept: an entry changed, delivered and applied while a sync
// reads its member's entries, after the sync's read and before its write, is left as
// the delivery stored it: the sync reads such entries again before it ends.
func TestDeliveryDuringASyncIsKept(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	e := r.add(t, "PR #1 before", now.Add(-time.Hour))
	var armed atomic.Bool
	armed.Store(true)
	hook := func(info clockifytest.RequestInfo) {
		if info.Route == listRoute && strings.Contains(info.Path, "/user/"+r.fx.Owner.ID+"/") && armed.CompareAndSwap(true, false) {
			r.edit(t, e.ID, "PR #2 edited during the sync")
		}
	}
	r.onRequest.Store(&hook)

	_, err := r.eng.SyncRecent(t.Context(), r.fx.Workspace.ID)
	require.NoError(t, err)
	require.False(t, armed.Load(), "the entry was edited while the sync read it")
	got, err := r.store.Entry(t.Context(), r.fx.Workspace.ID, e.ID)
	require.NoError(t, err)
	require.Equal(t, "PR #2 edited during the sync", got.Description)
	require.Equal(t, 2, got.Links[0].Number)
}

// signalOn is a slog handler that signals on seen each record whose message holds text.
type signalOn struct {
	text string
	seen chan struct{}
}

func (h signalOn) Enabled(context.Context, slog.Level) bool { return true }
func (h signalOn) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h signalOn) WithGroup(string) slog.Handler            { return h }
func (h signalOn) Handle(_ context.Context, rec slog.Record) error {
	if strings.Contains(rec.Message, h.text) {
		select {
		case h.seen <- struct{}{}:
		default:
		}
	}
	return nil
}

// TestConnectsAtOnceRegisterOnce: a second Connect of a workspace (a form sent twice)
// waits for the first, in one process and across replicas sharing PostgreSQL.
func TestConnectsAtOnceRegisterOnce(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(t *testing.T) clockifysync.Store{
		"one process": func(*testing.T) clockifysync.Store { return memory.New() },
		"two replicas on postgres": func(t *testing.T) clockifysync.Store {
			s, err := postgres.New(t.Context(), pgtest.NewDatabase(t))
			require.NoError(t, err)
			t.Cleanup(func() { s.Close() })
			return s
		},
	} {
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

func TestWaitForASyncEndsWithTheContext(t *testing.T) {
	t.Parallel()
	waiting := make(chan struct{}, 1)
	r := newRig(t, clockifysync.WithLogger(slog.New(signalOn{"waiting for the sync", waiting})))
	r.connect(t)
	ws := r.fx.Workspace.ID
	var started atomic.Bool
	waited := make(chan error, 1)
	// While the first sync reads, a second waits for it until its context ends.
	hook := func(info clockifytest.RequestInfo) {
		if info.Route == listRoute && started.CompareAndSwap(false, true) {
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() {
				_, err := r.eng.SyncRecent(ctx, ws)
				done <- err
			}()
			<-waiting
			cancel()
			waited <- <-done
		}
	}
	r.onRequest.Store(&hook)

	_, err := r.eng.SyncRecent(t.Context(), ws)
	require.NoError(t, err)
	require.True(t, started.Load())
	require.ErrorIs(t, <-waited, context.Canceled)
}

// TestScheduledSyncRepairsWebhooks: a webhook deleted in Clockify's settings is
// registered again by the next scheduled sync, and delivers; one Clockify refuses is
// reported once, then left alone, as is an event Connect never registered.
func TestScheduledSyncRepairsWebhooks(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	admin, err := r.srv.NewClient(r.fx.OwnerKey)
	require.NoError(t, err)
	webhookOf := func(ev clockify.WebhookEvent) string {
		for _, h := range r.srv.Webhooks(ws) {
			if h.WebhookEvent == ev {
				return h.ID
			}
		}
		return ""
	}
	creates := func() int { return r.srv.RequestCounts()["POST v1/workspaces/{ws}/webhooks"] }
	// Someone deletes a webhook in Clockify; another event was never registered (a
	// plan's limit at Connect).
	_, err = admin.Webhooks.Delete(ctx, ws, webhookOf(clockify.EventNewTimeEntry))
	require.NoError(t, err)
	never := webhookOf(clockify.EventTimeEntrySplit)
	_, err = admin.Webhooks.Delete(ctx, ws, never)
	require.NoError(t, err)
	require.NoError(t, r.store.DeleteWebhook(ctx, ws, never))

	before := creates()
	res, err := r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, 1, res.WebhooksRepaired)
	require.Empty(t, res.MissingEvents)
	require.Equal(t, before+1, creates())
	require.Empty(t, webhookOf(clockify.EventTimeEntrySplit))
	delivered := r.add(t, "#7 delivered by the new webhook", now.Add(-time.Hour))
	ds := r.srv.Deliveries()
	require.Equal(t, http.StatusOK, ds[len(ds)-1].StatusCode)
	_, err = r.store.Entry(ctx, ws, delivered.ID)
	require.NoError(t, err)

	res, err = r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Zero(t, res.WebhooksRepaired, "nothing to repair")
	require.Equal(t, before+1, creates())

	// Deleted again while another integration took the last place Clockify allows: the
	// event is reported missing, once.
	_, err = admin.Webhooks.Delete(ctx, ws, webhookOf(clockify.EventNewTimeEntry))
	require.NoError(t, err)
	for _, ev := range []clockify.WebhookEvent{clockify.EventNewProject, clockify.EventNewClient} {
		_, _, err = admin.Webhooks.Create(ctx, ws, &clockify.WebhookRequest{Name: "another integration",
			URL: "https://elsewhere.example/hook", WebhookEvent: ev})
		require.NoError(t, err)
	}
	require.Len(t, r.srv.Webhooks(ws), 10, "Clockify's limit for one admin")
	res, err = r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Zero(t, res.WebhooksRepaired)
	require.Equal(t, []clockify.WebhookEvent{clockify.EventNewTimeEntry}, res.MissingEvents)
	before = creates()
	res, err = r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Empty(t, res.MissingEvents)
	require.Equal(t, before, creates(), "not tried again")
}

// TestDisconnectDuringWebhookChanges: a Disconnect on another replica while a scheduled
// sync registers a webhook again, or while the tokens are rotated, wins: no webhook
// stays in Clockify, and no token in the store.
func TestDisconnectDuringWebhookChanges(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, route string
		change      func(t *testing.T, r *rig) error
	}{
		{"repair", "POST v1/workspaces/{ws}/webhooks", func(t *testing.T, r *rig) error {
			admin, err := r.srv.NewClient(r.fx.OwnerKey)
			require.NoError(t, err)
			_, err = admin.Webhooks.Delete(t.Context(), r.fx.Workspace.ID, r.srv.Webhooks(r.fx.Workspace.ID)[0].ID)
			require.NoError(t, err)
			_, err = r.eng.SyncScheduled(t.Context(), r.fx.Workspace.ID)
			return err
		}},
		{"rotation", "PATCH v1/workspaces/{ws}/webhooks/{id}/token", func(t *testing.T, r *rig) error {
			return r.eng.RotateWebhookTokens(t.Context(), r.fx.Workspace.ID)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			r.connect(t)
			ws := r.fx.Workspace.ID
			ctx := t.Context()
			other := r.replica(t, r.store)
			var armed atomic.Bool
			armed.Store(true)
			hook := func(info clockifytest.RequestInfo) {
				if info.Route == tc.route && armed.CompareAndSwap(true, false) {
					_, err := other.Disconnect(ctx, ws)
					assert.NoError(t, err)
				}
			}
			r.onRequest.Store(&hook)

			require.ErrorIs(t, tc.change(t, r), clockifysync.ErrNotConnected)
			require.False(t, armed.Load())
			require.Empty(t, r.srv.Webhooks(ws))
			stored, err := r.store.Webhooks(ctx, ws)
			require.NoError(t, err)
			require.Empty(t, stored)
		})
	}
}
