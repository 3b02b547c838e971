package sync_test

import (
	"bytes"
	"context"
	"log/slog"
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
	// A day after it, the daily sync is due.
	after.LastSync = after.LastSync.Add(-22 * time.Hour)
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

// twoConnected returns an engine over store with two of the fake's workspaces
// connected, in the order the scheduler runs them (the store's), with their keys.
func twoConnected(t *testing.T, store clockifysync.Store, opts ...clockifysync.Option) (
	eng *clockifysync.Engine, srv *clockifytest.Server, first, second string, keys map[string]string) {
	t.Helper()
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 3, Now: time.Now()}, clockifytest.WithoutListener())
	t.Cleanup(srv.Close)
	other := clockifytest.Generate(clockifytest.GenerateOptions{Seed: 4, Now: time.Now()})
	srv.Load(other)
	require.NotEqual(t, fx.Workspace.ID, other.Workspace.ID)
	eng = connectedInProcess(t, srv, fx, store, opts...)
	_, err := eng.Connect(t.Context(), clockifysync.ConnectRequest{APIKey: other.OwnerKey, WorkspaceID: other.Workspace.ID})
	require.NoError(t, err)
	conns, err := store.Connections(t.Context())
	require.NoError(t, err)
	require.Len(t, conns, 2)
	keys = map[string]string{fx.Workspace.ID: fx.OwnerKey, other.Workspace.ID: other.OwnerKey}
	return eng, srv, conns[0].WorkspaceID, conns[1].WorkspaceID, keys
}

// requireSyncedNow checks whether a workspace's last sync ended now, without an error.
func requireSyncedNow(t *testing.T, store clockifysync.Store, ws string, want bool) {
	t.Helper()
	c, err := store.Connection(t.Context(), ws)
	require.NoError(t, err)
	require.Equal(t, want, c.LastError == "" && c.LastSync.Equal(time.Now()),
		"%s last synced at %v (%q)", ws, c.LastSync, c.LastError)
}

// TestRunIsNotHeldUpByAFailingWorkspace: when two workspaces' syncs fall due together,
// the second runs at once even though the first fails.
func TestRunIsNotHeldUpByAFailingWorkspace(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		store := memory.New()
		eng, srv, failing, healthy, keys := twoConnected(t, store, clockifysync.WithWorkspaceConcurrency(1))
		require.True(t, srv.RevokeAPIKey(keys[failing]))

		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- eng.Run(ctx) }()
		time.Sleep(time.Hour) // both fall due
		synctest.Wait()
		c, err := store.Connection(t.Context(), failing)
		require.NoError(t, err)
		require.NotEmpty(t, c.LastError)
		requireSyncedNow(t, store, healthy, true)
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
	})
}

// failingOnce fails the first read of the connections and of the webhooks after it is
// armed.
type failingOnce struct {
	clockifysync.Store
	connections, webhooks atomic.Bool
}

func (s *failingOnce) Connections(ctx context.Context) ([]clockifysync.Connection, error) {
	if s.connections.CompareAndSwap(true, false) {
		return nil, errStoreDown
	}
	return s.Store.Connections(ctx)
}

func (s *failingOnce) Webhooks(ctx context.Context, workspaceID string) ([]clockifysync.Webhook, error) {
	if s.webhooks.CompareAndSwap(true, false) {
		return nil, errStoreDown
	}
	return s.Store.Webhooks(ctx, workspaceID)
}

// TestRunLogsEachFailureOnce: Run logs a failed sync, and a failed read of the
// connections or of the webhook tokens, once each and naming what failed; it goes on
// after each, and logs nothing for what succeeds.
func TestRunLogsEachFailureOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var logs bytes.Buffer // slog's handler writes one record at a time
		store := &failingOnce{Store: memory.New()}
		eng, srv, failing, healthy, keys := twoConnected(t, store, clockifysync.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		require.True(t, srv.RevokeAPIKey(keys[failing]))
		_, err := eng.Handler(t.Context()) // Run refreshes the tokens of a handler
		require.NoError(t, err)
		store.connections.Store(true)
		store.webhooks.Store(true)

		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- eng.Run(ctx) }()
		time.Sleep(time.Hour) // both fall due; the failing one's retry is five minutes off
		synctest.Wait()
		requireSyncedNow(t, store, healthy, true)
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)

		lines := linesWith(logs.String(), "scheduled sync failed")
		require.Len(t, lines, 1, "%q", lines)
		require.Contains(t, lines[0], "workspace="+failing)
		require.Contains(t, lines[0], clockifysync.ErrInvalidAPIKey.Error())
		for _, msg := range []string{"reading the connections", "reading the webhook tokens"} {
			lines = linesWith(logs.String(), msg)
			require.Len(t, lines, 1, "%s: %q", msg, lines)
			require.Contains(t, lines[0], "level=ERROR")
			require.Contains(t, lines[0], errStoreDown.Error())
		}
	})
}

// TestRunReportsEachSync: WithOnSync hears of each scheduled sync Run runs, with its
// result, or with its error, even one that panicked.
func TestRunReportsEachSync(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var mu gosync.Mutex
		type report struct {
			res *clockifysync.Result
			err error
		}
		reports := map[string][]report{}
		store := &panicking{Store: memory.New()}
		eng, srv, failing, healthy, keys := twoConnected(t, store, clockifysync.WithOnSync(
			func(_ context.Context, ws string, res *clockifysync.Result, err error) {
				mu.Lock()
				defer mu.Unlock()
				reports[ws] = append(reports[ws], report{res, err})
			}))
		require.True(t, srv.RevokeAPIKey(keys[failing]))

		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- eng.Run(ctx) }()
		time.Sleep(time.Hour) // both fall due
		synctest.Wait()
		store.in.Store("PendingRun") // the next syncs panic
		time.Sleep(time.Hour)
		synctest.Wait()
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)

		mu.Lock()
		defer mu.Unlock()
		require.NotEmpty(t, reports[failing])
		require.Nil(t, reports[failing][0].res)
		require.ErrorIs(t, reports[failing][0].err, clockifysync.ErrInvalidAPIKey)
		require.Len(t, reports[healthy], 2)
		require.NoError(t, reports[healthy][0].err)
		require.NotNil(t, reports[healthy][0].res)
		require.True(t, reports[healthy][0].res.Window.End.Equal(time.Now().Add(-time.Hour)), "the first hour's sync")
		require.ErrorContains(t, reports[healthy][1].err, "panicked")
	})
}

// gatedStore holds the runs of one workspace at their start until released, and counts
// them.
type gatedStore struct {
	clockifysync.Store
	workspace atomic.Pointer[string]
	release   chan struct{}
	runs      atomic.Int64
}

func (s *gatedStore) StartRun(ctx context.Context, r clockifysync.Run) error {
	if ws := s.workspace.Load(); ws != nil && *ws == r.WorkspaceID {
		s.runs.Add(1)
		<-s.release
	}
	return s.Store.StartRun(ctx, r)
}

// TestRunIsNotHeldUpByASlowWorkspace: a workspace whose sync takes hours holds up no
// other's schedule, and is not started again while it runs; with one workspace at a
// time, the other waits for it.
func TestRunIsNotHeldUpByASlowWorkspace(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		opts    []clockifysync.Option
		waiting bool
	}{
		{"by default", nil, false},
		{"one at a time", []clockifysync.Option{clockifysync.WithWorkspaceConcurrency(1)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				store := &gatedStore{Store: memory.New(), release: make(chan struct{})}
				eng, _, slow, other, _ := twoConnected(t, store, tc.opts...)
				store.workspace.Store(&slow)

				ctx, cancel := context.WithCancel(t.Context())
				done := make(chan error, 1)
				go func() { done <- eng.Run(ctx) }()
				for range 3 { // the hourly syncs fall due while the slow one's first runs
					time.Sleep(time.Hour)
					synctest.Wait()
					requireSyncedNow(t, store, other, !tc.waiting)
					require.EqualValues(t, 1, store.runs.Load(), "the slow workspace's sync started once")
				}
				// Once it ends, one more sync, within the minute, reads from where the slow
				// one's window ended.
				released := time.Now()
				close(store.release)
				time.Sleep(time.Minute)
				synctest.Wait()
				for _, ws := range []string{slow, other} {
					c, err := store.Connection(t.Context(), ws)
					require.NoError(t, err)
					require.Empty(t, c.LastError)
					require.False(t, c.LastSync.Before(released), "%s last synced at %v", ws, c.LastSync)
				}
				require.EqualValues(t, 2, store.runs.Load())
				cancel()
				require.ErrorIs(t, <-done, context.Canceled)
			})
		})
	}
}

// refreshCounting counts the reads of every workspace's webhooks, which RefreshTokens
// makes.
type refreshCounting struct {
	clockifysync.Store
	reads atomic.Int64
}

func (s *refreshCounting) Webhooks(ctx context.Context, workspaceID string) ([]clockifysync.Webhook, error) {
	if workspaceID == "" {
		s.reads.Add(1)
	}
	return s.Store.Webhooks(ctx, workspaceID)
}

// TestRunRefreshesTokensEveryMinute: Run brings the handler's tokens in line with the
// store every minute, however many syncs end in between, so that a webhook another
// replica deleted is refused within a minute; and so it goes on when the clock is set
// back an hour.
func TestRunRefreshesTokensEveryMinute(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		store := &refreshCounting{Store: memory.New()}
		var back atomic.Int64
		eng, _, _, _, _ := twoConnected(t, store, clockifysync.WithClock(func() time.Time {
			return time.Now().Add(-time.Duration(back.Load()))
		}))
		_, err := eng.Handler(t.Context())
		require.NoError(t, err)
		before := store.reads.Load()

		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- eng.Run(ctx) }()
		time.Sleep(150 * time.Minute) // two hourly syncs of each workspace
		synctest.Wait()
		require.EqualValues(t, 151, store.reads.Load()-before)
		back.Store(int64(time.Hour))
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		require.EqualValues(t, 161, store.reads.Load()-before, "with the clock set back")
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
	})
}

// connectionsCounting counts the reads of every connection, which Run makes to find
// the syncs that are due.
type connectionsCounting struct {
	clockifysync.Store
	reads atomic.Int64
}

func (s *connectionsCounting) Connections(ctx context.Context) ([]clockifysync.Connection, error) {
	s.reads.Add(1)
	return s.Store.Connections(ctx)
}

// TestRunReadsTheConnectionsOnceAMinute: Run reads every connection once a minute, and
// starts the due syncs that wait for a free place as others end, without reading them
// all again each time (with thousands of workspaces, that was thousands of reads of
// thousands of rows a round).
func TestRunReadsTheConnectionsOnceAMinute(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		store := &connectionsCounting{Store: memory.New()}
		eng, _, first, second, _ := twoConnected(t, store, clockifysync.WithWorkspaceConcurrency(1))
		before := store.reads.Load()

		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- eng.Run(ctx) }()
		time.Sleep(time.Hour) // both fall due: one syncs, then the other
		synctest.Wait()
		requireSyncedNow(t, store, first, true)
		requireSyncedNow(t, store, second, true)
		require.EqualValues(t, 61, store.reads.Load()-before, "at the start, then once a minute")
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
		{"an hour ago: the last day", now.Add(-time.Hour), now.Add(-24 * time.Hour)},
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
// sync calls, on a goroutine of the engine's) or in PendingRun (which the sync's own
// goroutine calls).
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
