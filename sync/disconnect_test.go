package sync_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	"github.com/heyjasper/jasper-clockify/store/memory"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/webhook"
)

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

	// Connected again two days later, the next scheduled sync reads the changes from
	// where the last read before the Disconnect ended.
	r.advance(48 * time.Hour)
	again := r.connect(t)
	require.True(t, again.Connection.ChangesRead.Equal(conn.ChangesRead), "%v", again.Connection.ChangesRead)
}

// TestHistoryChangedWhileDisconnectedIsRead: entries older than the window of the
// initial sync after a Connect again, edited or deleted in Clockify while the workspace
// was disconnected, are read by the next scheduled sync: the history kept is Clockify's.
func TestHistoryChangedWhileDisconnectedIsRead(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	_, err := r.eng.Disconnect(ctx, ws)
	require.NoError(t, err)

	old := r.inWindow(now.AddDate(0, 0, -30), now.AddDate(0, 0, -22)) // stored, and out of the window ten days on
	require.GreaterOrEqual(t, len(old), 2)
	edited := r.edit(t, old[0], "acme/web#909 edited while disconnected")
	require.NoError(t, r.srv.DeleteTimeEntry(ws, old[1]))
	r.advance(10 * 24 * time.Hour)
	r.connect(t)
	r.advance(time.Hour)
	_, err = r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	r.requireDescription(t, edited)
	r.requireMarkedDeleted(t, old[1], true, "deleted while disconnected")
}

// TestDisconnectWithRevokedKey: Clockify refuses a revoked key, so the webhooks stay
// registered there; the engine still forgets the key and the tokens, and says which
// webhooks to delete by hand. The handler trusts those tokens no more: Clockify's next
// delivery is refused as unsigned, and stores nothing.
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

	added := r.add(t, "#5 after the disconnect", now.Add(-time.Hour))
	ds := r.srv.Deliveries()
	require.Equal(t, http.StatusUnauthorized, ds[len(ds)-1].StatusCode)
	_, err = r.store.Entry(ctx, ws, added.ID)
	require.ErrorIs(t, err, clockifysync.ErrNotFound)
}

// TestDisconnectCountsALateWebhook: a webhook that another replica (a Connect or a
// repair) registers at the connection's URL while Disconnect runs, after its first
// deletions, is deleted by its second look and counted with the others.
func TestDisconnectCountsALateWebhook(t *testing.T) {
	t.Parallel()
	rs := &racingStore{Store: memory.New()}
	r := newRigOn(t, rs)
	r.connect(t)
	ws := r.fx.Workspace.ID
	admin, err := r.srv.NewClient(r.fx.OwnerKey)
	require.NoError(t, err)
	rs.race = func() {
		_, _, err := admin.Webhooks.Create(context.WithoutCancel(t.Context()), ws, &clockify.WebhookRequest{
			Name: "registered meanwhile", URL: r.hook.URL + "/clockify", WebhookEvent: clockify.EventNewTimeEntry})
		require.NoError(t, err)
	}
	rs.armOnFinish.Store(true)

	res, err := r.eng.Disconnect(t.Context(), ws)
	require.NoError(t, err)
	require.False(t, rs.armed.Load(), "the webhook was registered meanwhile")
	require.Equal(t, 11, res.Unregistered, "the ten and the late one")
	require.Empty(t, res.LeftRegistered)
	require.Empty(t, r.srv.Webhooks(ws))
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

func (s *interrupting) PutEntries(ctx context.Context, entries []clockifysync.Entry) error {
	return s.after("PutEntries", s.Store.PutEntries(ctx, entries))
}

// TestDisconnectDuringASyncElsewhere: a sync on one replica whose workspace another
// replica disconnects (which ends the sync's run) stops with ErrNotConnected, which no
// retry can help, rather than with the run not found. A run ended otherwise (a store
// shared by processes it cannot lock across) says so.
func TestDisconnectDuringASyncElsewhere(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		act  func(t *testing.T, other *clockifysync.Engine, store clockifysync.Store, ws string)
		want func(t *testing.T, err error)
	}{
		{"disconnected", func(t *testing.T, other *clockifysync.Engine, _ clockifysync.Store, ws string) {
			_, err := other.Disconnect(context.WithoutCancel(t.Context()), ws)
			require.NoError(t, err)
		}, func(t *testing.T, err error) { require.ErrorIs(t, err, clockifysync.ErrNotConnected) }},
		{"run ended", func(t *testing.T, _ *clockifysync.Engine, store clockifysync.Store, ws string) {
			require.NoError(t, store.FinishRun(t.Context(), ws))
		}, func(t *testing.T, err error) { require.ErrorContains(t, err, "ended while it was synced") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			shared := memory.New()
			s := &interrupting{Store: shared}
			r := newRigOn(t, s, clockifysync.WithConcurrency(1))
			r.connect(t)
			ws := r.fx.Workspace.ID
			other := r.replica(t, shared)
			s.at = "PutEntries" // after the first member's entries are written
			s.act = func() { tc.act(t, other, shared, ws) }
			_, err := r.eng.Sync(t.Context(), ws, clockifysync.Window{Start: now.AddDate(0, 0, -7), End: now})
			tc.want(t, err)
			require.NotErrorIs(t, err, clockifysync.ErrNotFound)
		})
	}
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

// TestDisconnectDuringWebhookChanges: a Disconnect on another replica while a scheduled
// sync registers a webhook again, while the tokens are rotated, while the webhooks move
// to a new URL, or while SetAPIKey checks a new key, wins: the change says the workspace
// is not connected, no webhook stays in Clockify, and no token or key in the store.
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
		{"a new URL", "POST v1/workspaces/{ws}/webhooks", func(t *testing.T, r *rig) error {
			_, err := r.eng.SetWebhookURL(t.Context(), r.fx.Workspace.ID, r.hook.URL+"/new")
			return err
		}},
		{"a new key", "GET v1/workspaces/{ws}", func(t *testing.T, r *rig) error {
			return r.eng.SetAPIKey(t.Context(), r.fx.Workspace.ID, r.fx.OwnerKey)
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
			conn, err := r.store.Connection(ctx, ws)
			require.NoError(t, err)
			require.Empty(t, conn.SealedAPIKey)
		})
	}
}

// TestDisconnectDuringRepairLeavesNoMissingEvents: a Disconnect on another replica while a
// scheduled sync lists the webhooks (and finds some disabled) wins: the connection keeps
// no missing event.
func TestDisconnectDuringRepairLeavesNoMissingEvents(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	require.NoError(t, r.srv.SetFreePlan(ws, true))
	other := r.replica(t, r.store)
	var armed atomic.Bool
	armed.Store(true)
	hook := func(info clockifytest.RequestInfo) {
		if info.Route == "GET v1/workspaces/{ws}/webhooks" && armed.CompareAndSwap(true, false) {
			_, err := other.Disconnect(ctx, ws)
			assert.NoError(t, err)
		}
	}
	r.onRequest.Store(&hook)

	res, err := r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.NotEmpty(t, res.MissingEvents, "the sync found disabled webhooks")
	require.False(t, armed.Load())
	conn, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, clockifysync.StatusDisconnected, conn.Status)
	require.Empty(t, conn.MissingEvents)
}

// TestDisconnectFailsPartWay: when Clockify fails to delete a webhook (a 500, or a 404
// saying that it has no route for the path, which tells nothing of the webhook),
// Disconnect returns the error having changed nothing but the webhooks already deleted:
// the workspace stays connected, with its key and the other webhooks, and a second
// Disconnect finishes the job.
func TestDisconnectFailsPartWay(t *testing.T) {
	t.Parallel()
	for name, answer := range map[string]struct {
		status int
		body   string
	}{
		"server error": {http.StatusInternalServerError, `{"message":"Internal server error","code":500}`},
		"no route":     {http.StatusNotFound, `{"message":"No static resource v1/workspaces/x/webhooks/y.","code":3000}`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var deletes atomic.Int64
			r, _ := newRigBehind(t, func(w http.ResponseWriter, req *http.Request) bool {
				return req.Method == http.MethodDelete && strings.Contains(req.URL.Path, "/webhooks/") && deletes.Add(1) == 3 &&
					refuse(w, answer.status, answer.body)
			})
			r.connect(t)
			ws := r.fx.Workspace.ID
			ctx := t.Context()

			_, err := r.eng.Disconnect(ctx, ws)
			require.Error(t, err)
			require.Len(t, r.srv.Webhooks(ws), 8, "two deleted before the failure")
			hooks, err := r.store.Webhooks(ctx, ws)
			require.NoError(t, err)
			require.Len(t, hooks, 8, "the store follows Clockify")
			conn, err := r.store.Connection(ctx, ws)
			require.NoError(t, err)
			require.Equal(t, clockifysync.StatusConnected, conn.Status)
			require.NotNil(t, conn.SealedAPIKey)

			res, err := r.eng.Disconnect(ctx, ws)
			require.NoError(t, err)
			require.Equal(t, 8, res.Unregistered)
			require.Empty(t, res.LeftRegistered)
			require.Empty(t, r.srv.Webhooks(ws))
			conn, err = r.store.Connection(ctx, ws)
			require.NoError(t, err)
			require.Equal(t, clockifysync.StatusDisconnected, conn.Status)
			require.Nil(t, conn.SealedAPIKey)
		})
	}
}

// TestPurge: what is kept of a disconnected workspace is deleted on request; a
// connected one loses nothing, and can be connected again afresh after a purge.
func TestPurge(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		r := newRigOn(t, store)
		r.connect(t)
		ws := r.fx.Workspace.ID
		ctx := t.Context()
		r.mapTo(t, "acme/web")
		kept := r.stored(t, clockifysync.EntryQuery{})
		require.NotEmpty(t, kept)
		require.NoError(t, r.eng.LinkManually(ctx, ws, kept[0], "acme/web#1"))
		r.add(t, "#5 delivered", now.Add(-time.Hour))

		require.ErrorIs(t, r.eng.Purge(ctx, ws), clockifysync.ErrStillConnected)
		require.Len(t, r.stored(t, clockifysync.EntryQuery{}), len(kept)+1, "nothing lost")
		require.ErrorIs(t, r.eng.Purge(ctx, ""), clockifysync.ErrInput)

		_, err := r.eng.Disconnect(ctx, ws)
		require.NoError(t, err)
		require.NoError(t, r.eng.Purge(ctx, ws))
		require.Empty(t, r.stored(t, clockifysync.EntryQuery{IncludeDeleted: true}))
		_, err = store.Connection(ctx, ws)
		require.ErrorIs(t, err, clockifysync.ErrNotFound)
		members, err := store.Members(ctx, ws)
		require.NoError(t, err)
		require.Empty(t, members) // the rest of what the store deletes: storetest's WorkspaceDeleted
		require.NoError(t, r.eng.Purge(ctx, ws), "nothing left to purge")

		res := r.connect(t)
		require.Equal(t, clockifysync.StatusConnected, res.Connection.Status)
		require.NotEmpty(t, r.stored(t, clockifysync.EntryQuery{}))
	})
}

// purgeFails is a store whose DeleteWorkspace fails, having deleted nothing.
type purgeFails struct{ clockifysync.Store }

func (purgeFails) DeleteWorkspace(context.Context, string) error { return errStoreDown }

// TestPurgeReportsAStoreFailure: a Purge the store fails returns its error, and the
// workspace is still there to purge again.
func TestPurgeReportsAStoreFailure(t *testing.T) {
	t.Parallel()
	r := newRigOn(t, purgeFails{memory.New()})
	r.connect(t)
	ws := r.fx.Workspace.ID
	_, err := r.eng.Disconnect(t.Context(), ws)
	require.NoError(t, err)
	require.ErrorIs(t, r.eng.Purge(t.Context(), ws), errStoreDown)
	conn, err := r.store.Connection(t.Context(), ws)
	require.NoError(t, err)
	require.Equal(t, clockifysync.StatusDisconnected, conn.Status)
	require.NotEmpty(t, r.stored(t, clockifysync.EntryQuery{IncludeDeleted: true}))
}

// TestPurgeWaitsForASync: a Purge while a sync of the workspace runs waits for it,
// rather than delete what the sync goes on writing.
func TestPurgeWaitsForASync(t *testing.T) {
	t.Parallel()
	waiting := make(chan struct{}, 1)
	r := newRig(t, clockifysync.WithLogger(slog.New(signalOn{"waiting for the sync", waiting})))
	r.connect(t)
	ws := r.fx.Workspace.ID
	purged := make(chan error, 1)
	var started atomic.Bool
	hook := func(info clockifytest.RequestInfo) {
		if info.Route == listRoute && started.CompareAndSwap(false, true) {
			go func() { purged <- r.eng.Purge(t.Context(), ws) }()
			select {
			case <-waiting:
			case err := <-purged:
				t.Errorf("Purge ended during the sync: %v", err)
				purged <- err
			}
		}
	}
	r.onRequest.Store(&hook)
	_, err := r.eng.SyncRecent(t.Context(), ws)
	require.NoError(t, err)
	require.ErrorIs(t, <-purged, clockifysync.ErrStillConnected, "the workspace is still connected once the sync is done")
}

// TestPurgeDuringADelivery: a delivery whose apply was reading its entry or project from
// Clockify (or, after a split, the member's entries) when the workspace was disconnected
// and purged (one "delete my account" that calls both, here or on another replica)
// leaves nothing of the workspace behind: what it wrote after the purge is deleted
// again, and Clockify is told not to deliver it again.
func TestPurgeDuringADelivery(t *testing.T) {
	t.Parallel()
	for _, route := range []string{"GET v1/workspaces/{ws}/time-entries/{id}", "GET v1/workspaces/{ws}/projects/{id}", listRoute} {
		t.Run(route, func(t *testing.T) {
			t.Parallel()
			thisEngineAndAReplica(t, func(t *testing.T, store clockifysync.Store, replica bool) {
				r := newRigOn(t, store)
				r.connect(t)
				ws := r.fx.Workspace.ID
				purging := r.eng
				if replica {
					purging = r.replica(t, r.store)
				}
				var armed atomic.Bool
				armed.Store(true)
				hook := func(info clockifytest.RequestInfo) {
					if info.Route == route && armed.CompareAndSwap(true, false) {
						_, err := purging.Disconnect(t.Context(), ws)
						require.NoError(t, err)
						require.NoError(t, purging.Purge(t.Context(), ws))
					}
				}
				r.onRequest.Store(&hook)

				switch {
				case route == listRoute:
					e := r.add(t, "PR #1 split during the purge", now.Add(-2*time.Hour))
					_, err := r.srv.SplitTimeEntry(ws, e.ID, now.Add(-90*time.Minute))
					require.NoError(t, err)
				case strings.Contains(route, "time-entries"):
					r.add(t, "PR #1 delivered during the purge", now.Add(-time.Hour))
				default:
					_, err := r.srv.AddProject(ws, clockify.Project{Name: "delivered during the purge"})
					require.NoError(t, err)
				}
				require.False(t, armed.Load(), "the workspace was purged while the delivery applied")
				require.Empty(t, r.stored(t, clockifysync.EntryQuery{IncludeDeleted: true}))
				projects, err := store.Projects(t.Context(), ws)
				require.NoError(t, err)
				require.Empty(t, projects)
				_, err = store.Connection(t.Context(), ws)
				require.ErrorIs(t, err, clockifysync.ErrNotFound)
				d := r.srv.Deliveries()
				require.Equal(t, http.StatusUnprocessableEntity, d[len(d)-1].StatusCode, "not to be delivered again")
			})
		})
	}
}

// connectingOnProbe starts a Connect of the workspace just after the first
// UpdateConnection, once armed, finds no connection, and returns when that Connect has
// stored its connection (and holds its lock).
type connectingOnProbe struct {
	clockifysync.Store
	armed    atomic.Bool
	connect  func() error
	stored   atomic.Pointer[chan struct{}] // told of the next PutConnection
	connects chan error
}

func (s *connectingOnProbe) UpdateConnection(ctx context.Context, ws string, change func(*clockifysync.Connection) error) error {
	err := s.Store.UpdateConnection(ctx, ws, change)
	if errors.Is(err, clockifysync.ErrNotFound) && s.armed.CompareAndSwap(true, false) {
		stored := make(chan struct{}, 1)
		s.stored.Store(&stored)
		go func() { s.connects <- s.connect() }()
		<-stored
	}
	return err
}

func (s *connectingOnProbe) PutConnection(ctx context.Context, c clockifysync.Connection) error {
	err := s.Store.PutConnection(ctx, c)
	if stored := s.stored.Swap(nil); stored != nil {
		*stored <- struct{}{}
	}
	return err
}

// TestConnectAfterAPurgeDuringADelivery: when the workspace a delivery's apply wrote
// to was purged meanwhile, and connected again before the apply took Purge's locks, the
// new connection and what it imported stay, and so does the delivered entry.
func TestConnectAfterAPurgeDuringADelivery(t *testing.T) {
	t.Parallel()
	store := &connectingOnProbe{Store: memory.New(), connects: make(chan error, 1)}
	r := newRigOn(t, store)
	r.connect(t)
	ws := r.fx.Workspace.ID
	store.connect = func() error {
		_, err := r.eng.Connect(t.Context(), clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, WebhookURL: r.hook.URL + "/clockify"})
		return err
	}
	var purged atomic.Bool
	hook := func(info clockifytest.RequestInfo) {
		if info.Route == "GET v1/workspaces/{ws}/time-entries/{id}" && purged.CompareAndSwap(false, true) {
			_, err := r.eng.Disconnect(t.Context(), ws)
			require.NoError(t, err)
			require.NoError(t, r.eng.Purge(t.Context(), ws))
			store.armed.Store(true) // the apply's look at the connection comes next
		}
	}
	r.onRequest.Store(&hook)

	e := r.add(t, "PR #1 delivered during the purge", now.Add(-time.Hour))
	require.True(t, purged.Load())
	require.NoError(t, <-store.connects)
	c, err := store.Connection(t.Context(), ws)
	require.NoError(t, err)
	require.Equal(t, clockifysync.StatusConnected, c.Status)
	require.NotEmpty(t, r.stored(t, clockifysync.EntryQuery{}), "the new Connect's initial sync")
	r.requireDescription(t, e)
	d := r.srv.Deliveries()
	require.Equal(t, http.StatusOK, d[len(d)-1].StatusCode)
}

// purgeBefore is a store that runs purge once, when armed, just before the next write of
// a mapping, a manual link or auto links: a Purge meeting a call that read the workspace
// first.
type purgeBefore struct {
	clockifysync.Store
	armed atomic.Bool
	purge func()
}

func (s *purgeBefore) before() {
	if s.armed.CompareAndSwap(true, false) {
		s.purge()
	}
}

func (s *purgeBefore) SetProjectMapping(ctx context.Context, m clockifysync.ProjectMapping) error {
	s.before()
	return s.Store.SetProjectMapping(ctx, m)
}

func (s *purgeBefore) SetUserMapping(ctx context.Context, m clockifysync.UserMapping) error {
	s.before()
	return s.Store.SetUserMapping(ctx, m)
}

func (s *purgeBefore) AddManualLink(ctx context.Context, l clockifysync.Link) error {
	s.before()
	return s.Store.AddManualLink(ctx, l)
}

func (s *purgeBefore) ReplaceAutoLinks(ctx context.Context, entries []clockifysync.Entry) error {
	s.before()
	return s.Store.ReplaceAutoLinks(ctx, entries)
}

// TestPurgeDuringASetting: a project mapped or unmapped, a member mapped, an entry linked
// by hand or the GitHub host set while the workspace is purged (here or on another
// replica) leaves nothing of it behind, the member's name and email included, and the
// call returns ErrNotConnected.
func TestPurgeDuringASetting(t *testing.T) {
	t.Parallel()
	calls := map[string]func(ctx context.Context, r *rig, entryID string) error{
		"project mapped": func(ctx context.Context, r *rig, _ string) error {
			return r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: r.fx.Workspace.ID, ProjectID: r.fx.Projects[0].ID, Repo: "acme/web"})
		},
		"member mapped": func(ctx context.Context, r *rig, _ string) error {
			return r.eng.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: r.fx.Workspace.ID, MemberID: r.fx.Members[1].User.ID, Login: "octo"})
		},
		"entry linked": func(ctx context.Context, r *rig, entryID string) error {
			return r.eng.LinkManually(ctx, r.fx.Workspace.ID, entryID, "acme/web#1")
		},
		"project unmapped": func(ctx context.Context, r *rig, _ string) error {
			return r.eng.DeleteProjectMapping(ctx, r.fx.Workspace.ID, r.fx.Projects[1].ID)
		},
		"GitHub host set": func(ctx context.Context, r *rig, _ string) error {
			return r.eng.SetGitHubHost(ctx, r.fx.Workspace.ID, "github.acme.corp")
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			thisEngineAndAReplica(t, func(t *testing.T, store clockifysync.Store, replica bool) {
				hooked := &purgeBefore{Store: store}
				r := newRigOn(t, hooked)
				r.connect(t)
				ws := r.fx.Workspace.ID
				entry := r.add(t, "#1 before the purge", now.Add(-time.Hour))
				require.NoError(t, r.eng.SetProjectMapping(t.Context(), clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: r.fx.Projects[1].ID, Repo: "acme/api"}))
				_, err := r.eng.Disconnect(t.Context(), ws)
				require.NoError(t, err)
				purging := r.eng
				if replica {
					purging = r.replica(t, store)
				}
				hooked.purge = func() { require.NoError(t, purging.Purge(t.Context(), ws)) }
				hooked.armed.Store(true)

				require.ErrorIs(t, call(t.Context(), r, entry.ID), clockifysync.ErrNotConnected)
				require.False(t, hooked.armed.Load(), "purged during the call")
				_, err = store.Connection(t.Context(), ws)
				require.ErrorIs(t, err, clockifysync.ErrNotFound)
				state := snapshot(t, store, ws)
				state.Connections, state.PendingRuns = nil, nil
				require.Equal(t, storeState{Members: [][]clockifysync.Member{nil}, Projects: [][]clockifysync.Project{nil},
					ProjectMappings: [][]clockifysync.ProjectMapping{nil}, UserMappings: [][]clockifysync.UserMapping{nil},
					Webhooks: [][]clockifysync.Webhook{nil}, Entries: [][]clockifysync.Entry{nil}, ManualLinks: [][]clockifysync.Link{nil}},
					state, "nothing of the workspace kept")
			})
		})
	}
}
