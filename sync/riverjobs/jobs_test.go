package riverjobs

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	"github.com/heyjasper/jasper-clockify/store/memory"
	"github.com/heyjasper/jasper-clockify/store/postgres"
	"github.com/heyjasper/jasper-clockify/store/postgres/pgtest"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

const listRoute = "GET v1/workspaces/{ws}/user/{user}/time-entries"

// replica is one host process: an engine over the shared Postgres store, and a River
// client on the same database.
type replica struct {
	engine *clockifysync.Engine
	client *river.Client[pgx.Tx]
	events <-chan *river.Event
}

type rig struct {
	pool  *pgxpool.Pool
	store *postgres.Store
	srv   *clockifytest.Server
	fx    *clockifytest.Fixture
	key   []byte
	lists atomic.Int64
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{pool: pgtest.NewDatabase(t), key: make([]byte, 32)}
	_, _ = rand.Read(r.key)
	require.NoError(t, Migrate(t.Context(), r.pool))
	var err error
	r.store, err = postgres.New(t.Context(), r.pool)
	require.NoError(t, err)
	closeStore(t, r.store)
	r.srv, r.fx = clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 5},
		clockifytest.WithRequestHook(func(info clockifytest.RequestInfo) {
			if info.Route == listRoute {
				r.lists.Add(1)
			}
		}))
	t.Cleanup(r.srv.Close)
	return r
}

// closeStore closes store when the test ends: the store itself, not whatever the rig
// holds then, which a test may have replaced.
func closeStore(t *testing.T, store *postgres.Store) {
	t.Cleanup(func() { require.NoError(t, store.Close()) })
}

func (r *rig) replica(t *testing.T) *replica {
	t.Helper()
	eng, err := clockifysync.New(r.store, r.key, clockifysync.WithClientOptions(
		clockify.WithBaseURL(r.srv.CoreURL()), clockify.WithReportsURL(r.srv.ReportsURL()), clockify.WithRateLimit(1000, 100)))
	require.NoError(t, err)
	client, err := NewClient(r.pool, eng, &river.Config{FetchCooldown: 10 * time.Millisecond, FetchPollInterval: 50 * time.Millisecond})
	require.NoError(t, err)
	events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobSnoozed, river.EventKindJobFailed)
	t.Cleanup(cancel)
	return &replica{engine: eng, client: client, events: events}
}

func (p *replica) start(t *testing.T) {
	t.Helper()
	require.NoError(t, p.client.Start(t.Context()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = p.client.Stop(ctx)
	})
}

// next waits for the replica's next event of a job of the kind.
func (p *replica) next(t *testing.T, kind string) *river.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for {
		select {
		case ev := <-p.events:
			if ev.Job.Kind == kind {
				return ev
			}
		case <-ctx.Done():
			t.Fatalf("no %s event", kind)
		}
	}
}

func (r *rig) connect(t *testing.T, p *replica) {
	t.Helper()
	_, err := p.engine.Connect(t.Context(), clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: r.fx.Workspace.ID, InitialDays: 2})
	require.NoError(t, err)
}

// due makes the workspace's scheduled sync due: its last one ended two hours ago.
func (r *rig) due(t *testing.T) {
	t.Helper()
	require.NoError(t, r.store.UpdateConnection(t.Context(), r.fx.Workspace.ID, func(c *clockifysync.Connection) error {
		c.LastSync = c.LastSync.Add(-2 * time.Hour)
		return nil
	}))
}

// TestNewClientKeepsTheHostsConfig: NewClient runs with the host's settings, adds the
// engine's workers, queue and tick to a copy, and leaves the host's Config as it was.
func TestNewClientKeepsTheHostsConfig(t *testing.T) {
	r := newRig(t)
	eng, err := clockifysync.New(r.store, r.key)
	require.NoError(t, err)
	cfg := &river.Config{ID: "replica-7"}
	client, err := NewClient(r.pool, eng, cfg)
	require.NoError(t, err)
	require.Equal(t, "replica-7", client.ID())
	require.Equal(t, river.Config{ID: "replica-7"}, *cfg)

	// No config is River's defaults.
	client, err = NewClient(r.pool, eng, nil)
	require.NoError(t, err)
	require.NotEmpty(t, client.ID())
}

// TestTickQueuesDueSyncs: on start, the tick finds the workspace due and a sync runs.
func TestTickQueuesDueSyncs(t *testing.T) {
	r := newRig(t)
	a := r.replica(t)
	r.connect(t, a)
	r.due(t)
	before := r.lists.Load()

	a.start(t)
	ev := a.next(t, SyncArgs{}.Kind())
	require.Equal(t, river.EventKindJobCompleted, ev.Kind, "%v", ev.Job.Errors)
	require.Equal(t, before+int64(len(r.fx.Members)), r.lists.Load())
	conn, err := r.store.Connection(t.Context(), r.fx.Workspace.ID)
	require.NoError(t, err)
	require.WithinDuration(t, time.Now(), conn.LastSync, time.Minute)
	require.Empty(t, conn.LastError)

	// The engine's result, which no caller receives, is the job's output.
	var out SyncOutput
	require.NoError(t, json.Unmarshal(ev.Job.Output(), &out), "%s", ev.Job.Metadata)
	require.Equal(t, len(r.fx.Members), out.Members)
	require.WithinDuration(t, conn.LastSync, out.End, time.Microsecond, "the store keeps microseconds")
	require.Empty(t, out.MissingEvents)
}

// TestTickQueuesNothingWhenNothingIsDue: a workspace synced a moment ago is not synced
// again by the tick.
func TestTickQueuesNothingWhenNothingIsDue(t *testing.T) {
	r := newRig(t)
	a := r.replica(t)
	r.connect(t, a)
	before := r.lists.Load()
	a.start(t)
	ev := a.next(t, TickArgs{}.Kind())
	require.Equal(t, river.EventKindJobCompleted, ev.Kind, "%v", ev.Job.Errors)
	var queued int
	require.NoError(t, r.pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE kind = $1`, SyncArgs{}.Kind()).Scan(&queued))
	require.Zero(t, queued, "a sync was queued")
	require.Equal(t, before, r.lists.Load())
}

// TestTickQueuesEverySyncThatIsDue: a workspace whose scheduled sync has run gets the
// next one when it is due again; the finished job does not stand in its way.
func TestTickQueuesEverySyncThatIsDue(t *testing.T) {
	r := newRig(t)
	a := r.replica(t)
	r.connect(t, a)
	r.due(t)
	a.start(t)
	ev := a.next(t, SyncArgs{}.Kind())
	require.Equal(t, river.EventKindJobCompleted, ev.Kind, "%v", ev.Job.Errors)

	r.due(t)
	before := r.lists.Load()
	_, err := a.client.Insert(t.Context(), TickArgs{}, nil)
	require.NoError(t, err)
	ev = a.next(t, SyncArgs{}.Kind())
	require.Equal(t, river.EventKindJobCompleted, ev.Kind, "%v", ev.Job.Errors)
	require.Equal(t, before+int64(len(r.fx.Members)), r.lists.Load(), "the second sync read every member")
}

// TestFailedScheduledSyncIsLeftToTheTick: River does not retry a failed scheduled sync
// (its backoff would keep the workspace's place for hours); the tick queues the next one
// once the engine finds the workspace due again, as Engine.Run does.
func TestFailedScheduledSyncIsLeftToTheTick(t *testing.T) {
	r := newRig(t)
	a := r.replica(t)
	r.connect(t, a)
	r.due(t)
	r.srv.FailNext(clockifytest.FaultInternalError)
	a.start(t)
	ev := a.next(t, SyncArgs{}.Kind())
	require.Equal(t, river.EventKindJobFailed, ev.Kind)
	require.Equal(t, rivertype.JobStateDiscarded, ev.Job.State)

	conn, err := r.store.Connection(t.Context(), r.fx.Workspace.ID)
	require.NoError(t, err)
	require.NotEmpty(t, conn.LastError)
	require.NoError(t, r.store.UpdateConnection(t.Context(), r.fx.Workspace.ID, func(c *clockifysync.Connection) error {
		// The engine's wait has passed: as long as the sync had been due (an hour), up
		// to the hourly period.
		c.Updated = c.Updated.Add(-61 * time.Minute)
		return nil
	}))
	_, err = a.client.Insert(t.Context(), TickArgs{}, nil)
	require.NoError(t, err)
	ev = a.next(t, SyncArgs{}.Kind())
	require.Equal(t, river.EventKindJobCompleted, ev.Kind, "%v", ev.Job.Errors)
}

// abandon queues a scheduled sync as a replica that stopped while running it leaves
// it: running since ago, with no session holding its workspace's lock.
func (r *rig) abandon(t *testing.T, p *replica, args SyncArgs, ago time.Duration) *rivertype.JobRow {
	t.Helper()
	res, err := p.client.Insert(t.Context(), args, scheduledOpts)
	require.NoError(t, err)
	require.False(t, res.UniqueSkippedAsDuplicate)
	_, err = r.pool.Exec(t.Context(), `UPDATE river_job SET state = 'running', attempt = 1,
		attempted_at = now() - make_interval(secs => $2), attempted_by = ARRAY['stopped-replica'] WHERE id = $1`,
		res.Job.ID, ago.Seconds())
	require.NoError(t, err)
	return res.Job
}

// TestAbandonedScheduledSyncIsReplaced: a scheduled sync that a stopped replica left
// running holds its workspace's place in the queue until River rescues it, an hour
// later. Once it has run for two minutes with its workspace's lock free, the tick
// queues another in its place (and in place of that one, when it was abandoned too),
// which syncs, whether or not the tick queued another workspace's sync afresh before
// it. One that a live replica runs, its lock held, that started a moment ago, or that
// was snoozed to wait its turn (not running, its lock free), is left alone.
func TestAbandonedScheduledSyncIsReplaced(t *testing.T) {
	for _, tc := range []struct {
		name      string
		abandoned int // how many, each queued in place of the one before
		ago       time.Duration
		held      bool
		snoozed   bool
		replaced  bool
		fresh     bool // another workspace, due first, has no sync queued
	}{
		{"abandoned", 1, 5 * time.Minute, false, false, true, false},
		{"its replacement abandoned too", 2, 5 * time.Minute, false, false, true, false},
		{"abandoned, after a workspace queued afresh", 1, 5 * time.Minute, false, false, true, true},
		{"lock held by a live replica", 1, 5 * time.Minute, true, false, false, false},
		{"started a moment ago", 1, 10 * time.Second, false, false, false, false},
		{"snoozed, waiting its turn", 1, 5 * time.Minute, false, true, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			a := r.replica(t)
			r.connect(t, a)
			r.due(t)
			ws := r.fx.Workspace.ID
			if tc.fresh { // sorted before ws; with no key, its sync is cancelled
				require.NoError(t, r.store.PutConnection(t.Context(), clockifysync.Connection{WorkspaceID: "0-fresh",
					Status: clockifysync.StatusConnected, Schedule: clockifysync.ScheduleHourly, LastSync: time.Now().Add(-2 * time.Hour)}))
			}
			args := SyncArgs{WorkspaceID: ws}
			var left *rivertype.JobRow
			for range tc.abandoned {
				left = r.abandon(t, a, args, tc.ago)
				args.Replaces = left.ID
			}
			if tc.snoozed {
				// As River leaves a sync that found its workspace's lock taken
				// (busySnooze): attempted, and scheduled to run again.
				_, err := r.pool.Exec(t.Context(), `UPDATE river_job SET state = 'scheduled',
					scheduled_at = now() + interval '1 hour' WHERE id = $1`, left.ID)
				require.NoError(t, err)
			}
			if tc.held {
				// A session of its own: ending it lets go of the lock.
				held, err := pgx.ConnectConfig(t.Context(), r.pool.Config().ConnConfig)
				require.NoError(t, err)
				defer held.Close(context.Background())
				_, err = held.Exec(t.Context(), `SELECT pg_advisory_lock($1)`, lockKey(ws))
				require.NoError(t, err)
			}
			before := r.lists.Load()

			a.start(t)
			if tc.replaced {
				var (
					ev  *river.Event
					ran SyncArgs
				)
				for ran.WorkspaceID != ws {
					ev, ran = a.next(t, SyncArgs{}.Kind()), SyncArgs{} // no field left from the last job's
					require.NoError(t, json.Unmarshal(ev.Job.EncodedArgs, &ran))
				}
				require.Equal(t, river.EventKindJobCompleted, ev.Kind, "%v", ev.Job.Errors)
				require.Equal(t, SyncArgs{WorkspaceID: ws, Replaces: left.ID}, ran)
				require.Equal(t, before+int64(len(r.fx.Members)), r.lists.Load())
				conn, err := r.store.Connection(t.Context(), ws)
				require.NoError(t, err)
				require.WithinDuration(t, time.Now(), conn.LastSync, time.Minute)
				return
			}
			ev := a.next(t, TickArgs{}.Kind())
			require.Equal(t, river.EventKindJobCompleted, ev.Kind, "%v", ev.Job.Errors)
			var queued int
			require.NoError(t, r.pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE kind = $1`, SyncArgs{}.Kind()).Scan(&queued))
			require.Equal(t, tc.abandoned, queued, "a sync was queued beside the one running")
			require.Equal(t, before, r.lists.Load())
		})
	}
}

// TestOneSyncPerWorkspaceAcrossReplicas: while one replica holds a workspace's lock, a
// manual sync on another waits, and runs once the lock is free.
func TestOneSyncPerWorkspaceAcrossReplicas(t *testing.T) {
	busySnooze = 20 * time.Millisecond
	t.Cleanup(func() { busySnooze = 30 * time.Second })
	r := newRig(t)
	a, b := r.replica(t), r.replica(t)
	r.connect(t, a)
	ws := r.fx.Workspace.ID

	// A sync in progress elsewhere: its session holds the lock.
	held, err := r.pool.Acquire(t.Context())
	require.NoError(t, err)
	defer held.Release()
	_, err = held.Exec(t.Context(), `SELECT pg_advisory_lock($1)`, lockKey(ws))
	require.NoError(t, err)

	a.start(t)
	b.start(t)
	before := r.lists.Load()
	now := time.Now()
	require.NoError(t, EnqueueSync(t.Context(), a.client, ws, clockifysync.Window{Start: now.Add(-time.Hour), End: now}))
	snoozed := waitAny(t, a, b, SyncArgs{}.Kind())
	require.Equal(t, river.EventKindJobSnoozed, snoozed.Kind)
	require.Equal(t, before, r.lists.Load(), "nothing read while the workspace is busy")

	_, err = held.Exec(t.Context(), `SELECT pg_advisory_unlock($1)`, lockKey(ws))
	require.NoError(t, err)
	for {
		ev := waitAny(t, a, b, SyncArgs{}.Kind())
		if ev.Kind == river.EventKindJobCompleted {
			break
		}
		require.Equal(t, river.EventKindJobSnoozed, ev.Kind, "%v", ev.Job.Errors)
	}
	require.Equal(t, before+int64(len(r.fx.Members)), r.lists.Load(), "the sync ran once")
}

// TestSyncThatCannotSucceedIsCancelled: no retry can help a workspace that is not
// connected, or whose key Clockify refuses, until it is connected again, nor a window the
// engine refuses (one that a host queued itself: EnqueueSync refuses it).
func TestSyncThatCannotSucceedIsCancelled(t *testing.T) {
	for _, tc := range []struct {
		name, workspace, reason string
		revoke                  bool
		halfWindow              bool // queued by a host itself, as EnqueueSync would not
	}{
		{"not connected", "not-connected", "not connected", false, false},
		{"revoked key", "", "rejected the API key", true, false},
		{"window without an end", "", "a start before an end", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			a := r.replica(t)
			ws := tc.workspace
			if ws == "" {
				r.connect(t, a)
				ws = r.fx.Workspace.ID
			}
			if tc.revoke {
				r.srv.RevokeAPIKey(r.fx.OwnerKey)
			}
			events, cancel := a.client.Subscribe(river.EventKindJobCancelled)
			defer cancel()
			a.start(t)
			now := time.Now()
			if tc.halfWindow {
				_, err := a.client.Insert(t.Context(), SyncArgs{WorkspaceID: ws, Start: now.Add(-time.Hour)}, nil)
				require.NoError(t, err)
			} else {
				require.NoError(t, EnqueueSync(t.Context(), a.client, ws, clockifysync.Window{Start: now.Add(-time.Hour), End: now}))
			}
			select {
			case ev := <-events:
				require.Equal(t, SyncArgs{}.Kind(), ev.Job.Kind)
				require.Contains(t, ev.Job.Errors[0].Error, tc.reason)
			case <-time.After(30 * time.Second):
				t.Fatal("the job was not cancelled")
			}
		})
	}
}

// waitAny returns the next event of the kind on either replica.
func waitAny(t *testing.T, a, b *replica, kind string) *river.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for {
		select {
		case ev := <-a.events:
			if ev.Job.Kind == kind {
				return ev
			}
		case ev := <-b.events:
			if ev.Job.Kind == kind {
				return ev
			}
		case <-ctx.Done():
			t.Fatalf("no %s event", kind)
		}
	}
}

// TestSyncsOnASmallPool: as many syncs of different workspaces running at once as the
// pool has connections still finish: their locks are held outside the pool, which is
// left to the store and River.
func TestSyncsOnASmallPool(t *testing.T) {
	r := newRig(t)
	ctx := t.Context()
	cfg := r.pool.Config()
	cfg.MaxConns = 4
	small, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(small.Close)
	r.pool = small
	r.store, err = postgres.New(ctx, small)
	require.NoError(t, err)
	closeStore(t, r.store)
	a := r.replica(t)

	workspaces := []*clockifytest.Fixture{r.fx}
	for seed := range uint64(3) {
		fx := clockifytest.Generate(clockifytest.GenerateOptions{Seed: 100 + seed})
		r.srv.Load(fx)
		workspaces = append(workspaces, fx)
	}
	now := time.Now()
	for _, fx := range workspaces {
		_, err := a.engine.Connect(ctx, clockifysync.ConnectRequest{APIKey: fx.OwnerKey, WorkspaceID: fx.Workspace.ID, InitialDays: 1})
		require.NoError(t, err)
		require.NoError(t, EnqueueSync(ctx, a.client, fx.Workspace.ID, clockifysync.Window{Start: now.Add(-time.Hour), End: now}))
	}

	// Every sync holds its lock before any of them reads the store.
	var holding atomic.Int32
	all := make(chan struct{})
	locked = func() {
		if holding.Add(1) == int32(len(workspaces)) {
			close(all)
		}
		select {
		case <-all:
		case <-ctx.Done():
		}
	}
	t.Cleanup(func() { locked = func() {} })
	a.start(t)
	for range workspaces {
		ev := a.next(t, SyncArgs{}.Kind())
		require.Equal(t, river.EventKindJobCompleted, ev.Kind, "%v", ev.Job.Errors)
	}
	require.EqualValues(t, len(workspaces), holding.Load())
}

// TestBatchOfScheduledSyncsIsUnique: the tick's batch insert keeps one scheduled sync per
// workspace: a workspace with one queued is skipped, the others are queued.
func TestBatchOfScheduledSyncsIsUnique(t *testing.T) {
	r := newRig(t)
	a := r.replica(t)
	batch := func(workspaces ...string) []bool {
		params := make([]river.InsertManyParams, len(workspaces))
		for i, ws := range workspaces {
			params[i] = river.InsertManyParams{Args: SyncArgs{WorkspaceID: ws}, InsertOpts: scheduledOpts}
		}
		res, err := a.client.InsertMany(t.Context(), params)
		require.NoError(t, err)
		skipped := make([]bool, len(res))
		for i, x := range res {
			skipped[i] = x.UniqueSkippedAsDuplicate
		}
		return skipped
	}
	require.Equal(t, []bool{false, false}, batch("ws-1", "ws-2"))
	require.Equal(t, []bool{true, false, true}, batch("ws-1", "ws-3", "ws-2"))
}

// TestOutputOf: a job's output carries the whole result, its mapping error as text.
func TestOutputOf(t *testing.T) {
	start := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	res := &clockifysync.Result{Window: clockifysync.Window{Start: start, End: start.Add(24 * time.Hour)}, Members: 3,
		Stored: 40, Deleted: 2, Skipped: []string{"u9"}, Resumed: true, Changed: 5, WebhooksRepaired: 1,
		MissingEvents: []clockify.WebhookEvent{clockify.EventNewProject}, MappingErr: errors.New("contributors: 502")}
	b, err := json.Marshal(outputOf(res))
	require.NoError(t, err)
	require.JSONEq(t, `{"start":"2026-11-28T00:00:00Z","end":"2026-11-29T00:00:00Z","members":3,"stored":40,"deleted":2,
		"changed":5,"webhooks_repaired":1,"missing_events":["NEW_PROJECT"],"skipped":["u9"],"resumed":true,
		"mapping_error":"contributors: 502"}`, string(b))
	b, err = json.Marshal(outputOf(&clockifysync.Result{Window: res.Window}))
	require.NoError(t, err)
	require.JSONEq(t, `{"start":"2026-11-28T00:00:00Z","end":"2026-11-29T00:00:00Z","members":0,"stored":0,"deleted":0}`, string(b))
}

// TestNilArgumentsAreErrors: a nil pool, engine, client or workers is an error, not a
// panic when the first job runs, each alone as well as all of them.
func TestNilArgumentsAreErrors(t *testing.T) {
	ctx := t.Context()
	require.ErrorIs(t, Migrate(ctx, nil), errNil)
	require.ErrorIs(t, AddWorkers(river.NewWorkers(), nil, nil), errNil)
	_, err := NewClient(nil, nil, nil)
	require.ErrorIs(t, err, errNil)
	pool, err := pgxpool.New(ctx, "postgres://nobody@127.0.0.1:1/none") // never connects
	require.NoError(t, err)
	defer pool.Close()
	eng, err := clockifysync.New(memory.New(), make([]byte, 32))
	require.NoError(t, err)
	require.ErrorIs(t, AddWorkers(nil, eng, pool), errNil)
	require.ErrorIs(t, AddWorkers(river.NewWorkers(), nil, pool), errNil)
	require.ErrorIs(t, AddWorkers(river.NewWorkers(), eng, nil), errNil)
	_, err = NewClient(nil, eng, nil)
	require.ErrorIs(t, err, errNil)
	_, err = NewClient(pool, nil, nil)
	require.ErrorIs(t, err, errNil)
	now := time.Now()
	require.ErrorIs(t, EnqueueSync(ctx, nil, "ws", clockifysync.Window{Start: now.Add(-time.Hour), End: now}), errNil)
}

// TestEnqueueSyncRefusesBadInput: a window the engine would refuse, or no workspace, is
// an InputError and queues no job.
func TestEnqueueSyncRefusesBadInput(t *testing.T) {
	r := newRig(t)
	a := r.replica(t)
	now := time.Now()
	for _, tc := range []struct {
		ws string
		w  clockifysync.Window
	}{
		{"", clockifysync.Window{Start: now.Add(-time.Hour), End: now}},
		{" ", clockifysync.Window{Start: now.Add(-time.Hour), End: now}},
		{"ws\x00", clockifysync.Window{Start: now.Add(-time.Hour), End: now}}, // jsonb holds no NUL
		{"ws\xff", clockifysync.Window{Start: now.Add(-time.Hour), End: now}}, // JSON would carry U+FFFD
		{r.fx.Workspace.ID, clockifysync.Window{}},
		{r.fx.Workspace.ID, clockifysync.Window{Start: now, End: now.Add(-time.Hour)}},
		{r.fx.Workspace.ID, clockifysync.Window{Start: now.AddDate(-2, 0, 0), End: now}},
	} {
		require.ErrorIs(t, EnqueueSync(t.Context(), a.client, tc.ws, tc.w), clockifysync.ErrInput, "%q %v", tc.ws, tc.w)
	}
	jobs, err := a.client.JobList(t.Context(), river.NewJobListParams())
	require.NoError(t, err)
	require.Empty(t, jobs.Jobs)
}

// TestManualSyncsStopAfterEightAttempts: a manual sync that keeps failing is not
// retried for weeks (River's default of 25 attempts).
func TestManualSyncsStopAfterEightAttempts(t *testing.T) {
	r := newRig(t)
	a := r.replica(t)
	now := time.Now()
	require.NoError(t, EnqueueSync(t.Context(), a.client, r.fx.Workspace.ID, clockifysync.Window{Start: now.Add(-time.Hour), End: now}))
	jobs, err := a.client.JobList(t.Context(), river.NewJobListParams())
	require.NoError(t, err)
	require.Len(t, jobs.Jobs, 1)
	require.Equal(t, 8, jobs.Jobs[0].MaxAttempts)
}
