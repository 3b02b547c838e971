package sync_test

import (
	"context"
	"net/http"
	gosync "sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	"github.com/heyjasper/jasper-clockify/store/memory"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// connectedInProcess returns an engine over store with the fake's workspace connected,
// the fake reached in-process (for synctest's fake clock), and no wait for the rate
// limit: synctest.Wait would return while a sync waits for a turn, as it would while the
// scheduler waits for the next sync.
func connectedInProcess(t *testing.T, srv *clockifytest.Server, fx *clockifytest.Fixture, store clockifysync.Store,
	opts ...clockifysync.Option) *clockifysync.Engine {
	t.Helper()
	eng, err := clockifysync.New(store, make([]byte, 32), append([]clockifysync.Option{clockifysync.WithClientOptions(
		clockify.WithBaseURL(srv.CoreURL()), clockify.WithReportsURL(srv.ReportsURL()),
		clockify.WithHTTPClient(&http.Client{Transport: srv.Transport()}), clockify.WithRateLimit(1000, 1000))}, opts...)...)
	require.NoError(t, err)
	_, err = eng.Connect(t.Context(), clockifysync.ConnectRequest{APIKey: fx.OwnerKey, WorkspaceID: fx.Workspace.ID})
	require.NoError(t, err)
	return eng
}

// TestRunFollowsSchedules runs the scheduler on synctest's fake clock, with the fake
// Clockify in-process: hours pass in no time, and each sync is seen exactly when due.
func TestRunFollowsSchedules(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int64
		lists := func() int { return int(n.Load()) }
		srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 3, Now: time.Now()},
			clockifytest.WithoutListener(),
			clockifytest.WithRequestHook(func(info clockifytest.RequestInfo) {
				if info.Route == listRoute {
					n.Add(1)
				}
			}))
		defer srv.Close()
		store := memory.New()
		eng := connectedInProcess(t, srv, fx, store, clockifysync.WithConcurrency(1))
		ws := fx.Workspace.ID
		members := len(fx.Members)
		conn, err := store.Connection(t.Context(), ws)
		require.NoError(t, err)
		require.Equal(t, clockifysync.ScheduleHourly, conn.Schedule, "no webhook URL: hourly")

		ctx, cancel := context.WithCancel(t.Context())
		defer func() { cancel() }()
		done := make(chan error, 1)
		start := func() { go func() { done <- eng.Run(ctx) }() }
		start()
		synctest.Wait()
		before := lists()
		time.Sleep(59 * time.Minute)
		synctest.Wait()
		require.Equal(t, before, lists(), "not due yet")
		time.Sleep(time.Minute)
		synctest.Wait()
		require.Equal(t, before+members, lists(), "one hourly sync, every member read once")

		// With no webhook, an entry that started 20 hours ago and was added since is read
		// by the next hourly sync: its window is at least the last 24 hours.
		late, err := srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: fx.Owner.ID, Description: "#78 logged late",
			TimeInterval: clockify.TimeInterval{Start: time.Now().Add(-20 * time.Hour), End: new(time.Now().Add(-19 * time.Hour))}})
		require.NoError(t, err)
		time.Sleep(time.Hour)
		synctest.Wait()
		_, err = store.Entry(t.Context(), ws, late.ID)
		require.NoError(t, err)
		conn, err = store.Connection(t.Context(), ws)
		require.NoError(t, err)
		require.True(t, conn.LastSync.Equal(time.Now()))

		// A failed sync is recorded, and tried again five minutes later. The client does
		// not retry a 500: the sync's first request fails it.
		srv.FailNext(clockifytest.FaultInternalError)
		time.Sleep(time.Hour)
		synctest.Wait()
		conn, err = store.Connection(t.Context(), ws)
		require.NoError(t, err)
		require.NotEmpty(t, conn.LastError)
		failedAt := lists()
		time.Sleep(4 * time.Minute)
		synctest.Wait()
		require.Equal(t, failedAt, lists(), "not retried yet")
		time.Sleep(time.Minute)
		synctest.Wait()
		conn, err = store.Connection(t.Context(), ws)
		require.NoError(t, err)
		require.Empty(t, conn.LastError, "the retry succeeded")
		require.Greater(t, lists(), failedAt)

		// Stopped for three days, the scheduler catches up on its return: an entry that
		// started two days ago is read.
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
		time.Sleep(72 * time.Hour)
		old, err := srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: fx.Owner.ID, Description: "#77 while the host was down",
			TimeInterval: clockify.TimeInterval{Start: time.Now().Add(-48 * time.Hour), End: new(time.Now().Add(-47 * time.Hour))}})
		require.NoError(t, err)
		ctx, cancel = context.WithCancel(t.Context())
		start()
		synctest.Wait()
		_, err = store.Entry(t.Context(), ws, old.ID)
		require.NoError(t, err)

		// A manual schedule is never run by the scheduler.
		require.NoError(t, eng.SetSchedule(t.Context(), ws, clockifysync.ScheduleManual))
		before = lists()
		time.Sleep(48 * time.Hour)
		synctest.Wait()
		require.Equal(t, before, lists())
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
	})
}

// TestSetSchedule: a connected workspace's schedule changes without connecting again; a
// bad schedule or a workspace not connected changes nothing.
func TestSetSchedule(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ctx := t.Context()
	ws := r.fx.Workspace.ID
	before, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, clockifysync.ScheduleRealtime, before.Schedule)

	require.ErrorIs(t, r.eng.SetSchedule(ctx, ws, "weekly"), clockifysync.ErrInput)
	require.ErrorIs(t, r.eng.SetSchedule(ctx, "not-connected", clockifysync.ScheduleDaily), clockifysync.ErrNotConnected)
	after, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, before, after, "nothing changed")

	// Two hours after the last sync, the realtime schedule's hourly reconcile is due; a
	// daily sync is not.
	before.LastSync = before.LastSync.Add(-2 * time.Hour)
	require.NoError(t, r.store.PutConnection(ctx, before))
	due, err := r.eng.Due(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{ws}, due)
	require.NoError(t, r.eng.SetSchedule(ctx, ws, clockifysync.ScheduleDaily))
	after, err = r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, clockifysync.ScheduleDaily, after.Schedule)
	require.Equal(t, before.LastSync, after.LastSync)
	due, err = r.eng.Due(ctx)
	require.NoError(t, err)
	require.Empty(t, due)
	// A day and an hour after it, the daily sync is due.
	after.LastSync = after.LastSync.Add(-23 * time.Hour)
	require.NoError(t, r.store.PutConnection(ctx, after))
	due, err = r.eng.Due(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{ws}, due)

	_, err = r.eng.Disconnect(ctx, ws)
	require.NoError(t, err)
	require.ErrorIs(t, r.eng.SetSchedule(ctx, ws, clockifysync.ScheduleHourly), clockifysync.ErrNotConnected)
}

// TestRunBacksOffAFailingWorkspace: a workspace whose key was revoked is tried again
// after five minutes, then after waits that double, up to its schedule's period.
func TestRunBacksOffAFailingWorkspace(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var revoked atomic.Bool
		var mu gosync.Mutex
		var attempts []time.Duration // after the sync fell due, one per attempt
		due := time.Now().Add(time.Hour)
		srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 3, Now: time.Now()},
			clockifytest.WithoutListener(),
			clockifytest.WithRequestHook(func(info clockifytest.RequestInfo) {
				mu.Lock()
				defer mu.Unlock()
				// Every request of one attempt comes at one instant.
				if at := time.Since(due); revoked.Load() && (len(attempts) == 0 || attempts[len(attempts)-1] != at) {
					attempts = append(attempts, at)
				}
			}))
		defer srv.Close()
		store := memory.New()
		eng := connectedInProcess(t, srv, fx, store)
		ws := fx.Workspace.ID
		srv.RevokeAPIKey(fx.OwnerKey)
		revoked.Store(true)

		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- eng.Run(ctx) }()
		time.Sleep(5 * time.Hour)
		synctest.Wait()
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)

		m := time.Minute
		mu.Lock()
		defer mu.Unlock()
		require.Equal(t, []time.Duration{0, 5 * m, 10 * m, 20 * m, 40 * m, 80 * m, 140 * m, 200 * m}, attempts)
		conn, err := store.Connection(t.Context(), ws)
		require.NoError(t, err)
		require.Equal(t, clockifysync.ErrInvalidAPIKey.Error(), conn.LastError)
	})
}

// TestRunIsNotHeldUpByAFailingWorkspace: when two workspaces' syncs fall due together,
// the second runs at once even though the first fails.
func TestRunIsNotHeldUpByAFailingWorkspace(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 3, Now: time.Now()}, clockifytest.WithoutListener())
		defer srv.Close()
		other := clockifytest.Generate(clockifytest.GenerateOptions{Seed: 4, Now: time.Now()})
		srv.Load(other)
		require.NotEqual(t, fx.Workspace.ID, other.Workspace.ID)
		store := memory.New()
		eng := connectedInProcess(t, srv, fx, store)
		_, err := eng.Connect(t.Context(), clockifysync.ConnectRequest{APIKey: other.OwnerKey, WorkspaceID: other.Workspace.ID})
		require.NoError(t, err)
		conns, err := store.Connections(t.Context())
		require.NoError(t, err)
		require.Len(t, conns, 2)
		// The scheduler runs them in the store's order: the first one's key is revoked.
		failing, healthy := conns[0].WorkspaceID, conns[1].WorkspaceID
		keys := map[string]string{fx.Workspace.ID: fx.OwnerKey, other.Workspace.ID: other.OwnerKey}
		require.True(t, srv.RevokeAPIKey(keys[failing]))

		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- eng.Run(ctx) }()
		time.Sleep(time.Hour) // both fall due
		synctest.Wait()
		for ws, failed := range map[string]bool{failing: true, healthy: false} {
			c, err := store.Connection(t.Context(), ws)
			require.NoError(t, err)
			require.Equal(t, failed, c.LastError != "", "%s: %q", ws, c.LastError)
			require.Equal(t, !failed, c.LastSync.Equal(time.Now()), "%s last synced at %v", ws, c.LastSync)
		}
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
	})
}

// TestScheduledSyncCatchesUp: a scheduled sync reads from an hour before the last sync
// (entries started just before it may have been running then), at least the last 24
// hours, and at most the longest window a sync takes.
func TestScheduledSyncCatchesUp(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	for _, tc := range []struct {
		name      string
		lastSync  time.Time
		wantStart time.Time
	}{
		{"an hour ago: the last day", now.Add(-time.Hour), now.Add(-clockifysync.IncrementalWindow)},
		{"three days ago: from an hour before", now.AddDate(0, 0, -3), now.AddDate(0, 0, -3).Add(-time.Hour)},
		{"two years ago: a year", now.AddDate(-2, 0, 0), now.AddDate(0, 0, -clockifysync.MaxInitialDays)},
	} {
		conn, err := r.store.Connection(ctx, ws)
		require.NoError(t, err)
		conn.LastSync = tc.lastSync
		require.NoError(t, r.store.PutConnection(ctx, conn))
		res, err := r.eng.SyncScheduled(ctx, ws)
		require.NoError(t, err, tc.name)
		require.Equal(t, clockifysync.Window{Start: tc.wantStart, End: now}, res.Window, tc.name)
	}
}

// panicking is a store that panics, once told where: in EntryIDs (which each member's
// sync calls, on a goroutine of the engine's) or in PendingRun (which Run's goroutine
// calls).
type panicking struct {
	clockifysync.Store
	in atomic.Value // of string
}

func (p *panicking) EntryIDs(ctx context.Context, q clockifysync.EntryQuery) ([]string, error) {
	if p.in.Load() == "EntryIDs" {
		panic("a bug in the store")
	}
	return p.Store.EntryIDs(ctx, q)
}

func (p *panicking) PendingRun(ctx context.Context, workspaceID string) (clockifysync.Run, bool, error) {
	if p.in.Load() == "PendingRun" {
		panic("a bug in the store")
	}
	return p.Store.PendingRun(ctx, workspaceID)
}

// TestPanicsEndNoProcess: a panic in a scheduled sync, on Run's goroutine or on one the
// engine started for a member, is recorded as the sync's failure and Run goes on; it
// does not end the process, and every other workspace's syncs with it.
func TestPanicsEndNoProcess(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"EntryIDs", "PendingRun"} {
		t.Run(in, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 3, Now: time.Now()},
					clockifytest.WithoutListener())
				defer srv.Close()
				store := &panicking{Store: memory.New()}
				store.in.Store("")
				eng := connectedInProcess(t, srv, fx, store)
				ws := fx.Workspace.ID
				store.in.Store(in)

				ctx, cancel := context.WithCancel(t.Context())
				done := make(chan error, 1)
				go func() { done <- eng.Run(ctx) }()
				time.Sleep(2 * time.Hour) // the hourly sync falls due, fails, and is tried again
				synctest.Wait()
				cancel()
				require.ErrorIs(t, <-done, context.Canceled)
				conn, err := store.Connection(t.Context(), ws)
				require.NoError(t, err)
				require.Contains(t, conn.LastError, "panicked: a bug in the store")
			})
		})
	}
}
