package riverjobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/internal/storable"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// SyncArgs is a sync of one workspace. A zero window is the workspace's scheduled sync
// (Engine.SyncScheduled); a window given reads that window (Engine.Sync).
type SyncArgs struct {
	WorkspaceID string    `json:"workspace_id"`
	Start       time.Time `json:"start,omitzero"`
	End         time.Time `json:"end,omitzero"`
	// Replaces is the job id of the scheduled sync this one is queued in place of: one
	// that a replica left running when it stopped (killed, or lost with its machine).
	Replaces int64 `json:"replaces,omitzero"`
}

// Kind implements river.JobArgs.
func (SyncArgs) Kind() string { return "jasper_clockify_sync" }

// SyncOutput is what a sync job records as its output (river.RecordOutput), so that a
// host can read from the job's row (rivertype.JobRow.Output) the engine's Result, which
// no caller receives when the sync runs as a job. A failed sync records none: River
// keeps its error.
type SyncOutput struct {
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Members int       `json:"members"`
	Stored  int       `json:"stored"`
	Deleted int       `json:"deleted"`
	// Changed, WebhooksRepaired and MissingEvents are a scheduled sync's.
	Changed          int                     `json:"changed,omitzero"`
	WebhooksRepaired int                     `json:"webhooks_repaired,omitzero"`
	MissingEvents    []clockify.WebhookEvent `json:"missing_events,omitempty"`
	Skipped          []string                `json:"skipped,omitempty"`
	Resumed          bool                    `json:"resumed,omitzero"`
	// MappingError is Result.MappingErr's text.
	MappingError string `json:"mapping_error,omitempty"`
}

// outputOf returns what a sync job records of the engine's result.
func outputOf(r *clockifysync.Result) SyncOutput {
	out := SyncOutput{
		Start: r.Window.Start, End: r.Window.End, Members: r.Members, Stored: r.Stored, Deleted: r.Deleted,
		Changed: r.Changed, WebhooksRepaired: r.WebhooksRepaired, MissingEvents: r.MissingEvents,
		Skipped: r.Skipped, Resumed: r.Resumed,
	}
	if r.MappingErr != nil {
		out.MappingError = r.MappingErr.Error()
	}
	return out
}

// TickArgs is the scheduler's tick: it queues a sync for each workspace that is due.
type TickArgs struct{}

// Kind implements river.JobArgs.
func (TickArgs) Kind() string { return "jasper_clockify_tick" }

// TickInterval is how often the tick runs.
const TickInterval = time.Minute

// busySnooze is how long a sync waits when another replica is syncing its workspace
// (a variable for the tests).
var busySnooze = 30 * time.Second

// errNil is returned for a nil pool, engine, River client or workers.
var errNil = errors.New("riverjobs: a pool, an engine and River's client or workers are required, not nil")

// locked is called once a sync holds its workspace's lock (a hook for the tests).
var locked = func() {}

// Migrate brings River's tables up to date in the pool's database, for hosts that do not
// run River's own migrations. Run it before the first client starts; concurrent runs
// are safe.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	if pool == nil {
		return errNil
	}
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

// AddWorkers registers the engine's workers with a host's River workers.
func AddWorkers(workers *river.Workers, engine *clockifysync.Engine, pool *pgxpool.Pool) error {
	if workers == nil || engine == nil || pool == nil {
		return errNil
	}
	if err := river.AddWorkerSafely(workers, &syncWorker{engine: engine, pool: pool}); err != nil {
		return err
	}
	return river.AddWorkerSafely(workers, &tickWorker{engine: engine, pool: pool})
}

// PeriodicJobs returns the tick, for a host's river.Config.PeriodicJobs. River's elected
// leader runs it, so one replica ticks at a time.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(TickInterval),
		func() (river.JobArgs, *river.InsertOpts) { return TickArgs{}, nil },
		&river.PeriodicJobOpts{ID: TickArgs{}.Kind(), RunOnStart: true})}
}

// NewClient returns a River client that runs the engine's jobs on pool's database, with
// cfg's other settings (nil for River's defaults with one queue of four workers). A host
// that runs jobs of its own adds AddWorkers and PeriodicJobs to its client instead.
//
// A running sync holds its workspace's lock on a connection of its own, opened with the
// pool's settings but outside it, so that the locks never take the connections the
// store and River need: the database sees up to one more connection per worker.
func NewClient(pool *pgxpool.Pool, engine *clockifysync.Engine, cfg *river.Config) (*river.Client[pgx.Tx], error) {
	if cfg == nil {
		cfg = &river.Config{}
	}
	c := *cfg
	if c.Queues == nil {
		c.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}}
	}
	if c.Workers == nil {
		c.Workers = river.NewWorkers()
	}
	if err := AddWorkers(c.Workers, engine, pool); err != nil {
		return nil, err
	}
	c.PeriodicJobs = append(c.PeriodicJobs, PeriodicJobs()...)
	return river.NewClient(riverpgxv5.New(pool), &c)
}

// scheduledOpts makes a scheduled sync unique per workspace while it waits or runs, so
// that ticks queue a second one only in place of one abandoned (tickWorker.Work, with
// SyncArgs.Replaces to keep it apart). A finished sync is left out: River's default
// states include it, and would skip every later tick's sync of the workspace until its
// finished job is cleaned out (a day, by default).
//
// A failed scheduled sync is not retried by River: the engine records the failure, and
// the tick queues the workspace again when Engine.Due says, as Engine.Run does. River's
// backoff would hold the workspace's unique place meanwhile.
var scheduledOpts = &river.InsertOpts{
	MaxAttempts: 1,
	UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateScheduled,
	}},
}

// tickWorker queues the syncs that are due, in one batch.
type tickWorker struct {
	river.WorkerDefaults[TickArgs]
	engine *clockifysync.Engine
	pool   *pgxpool.Pool
}

// abandonedAfter is how long a scheduled sync has been running, its workspace's lock
// free, when the tick takes it for abandoned by a replica that stopped. A sync takes the
// lock as it starts and holds it until it ends, moments before River records it done.
const abandonedAfter = 2 * time.Minute

// Work queues a scheduled sync for each workspace that is due. A scheduled sync that a
// stopped replica left running would keep its workspace's place in the queue until
// River rescued it, an hour after it started (the sync's Timeout): the workspace would
// go unsynced meanwhile. So a sync that holds the place of one due, and is abandoned,
// has another queued in its place, which resumes where it stopped.
func (w *tickWorker) Work(ctx context.Context, _ *river.Job[TickArgs]) error {
	due, err := w.engine.Due(ctx)
	if err != nil {
		return err
	}
	params := make([]river.InsertManyParams, len(due))
	for i, ws := range due {
		params[i] = river.InsertManyParams{Args: SyncArgs{WorkspaceID: ws}, InsertOpts: scheduledOpts}
	}
	client := river.ClientFromContext[pgx.Tx](ctx)
	// Each round queues in place of the abandoned syncs the last found in the way; one
	// queued in place of another may have been abandoned too. The ids replaced only
	// grow, so the rounds end.
	for len(params) > 0 {
		res, err := client.InsertMany(ctx, params)
		if err != nil {
			return err
		}
		params = params[:0]
		for _, r := range res {
			if !r.UniqueSkippedAsDuplicate {
				continue
			}
			args, abandoned, err := w.abandoned(ctx, r.Job)
			if err != nil {
				return err
			}
			if abandoned {
				args.Replaces = r.Job.ID
				params = append(params, river.InsertManyParams{Args: args, InsertOpts: scheduledOpts})
			}
		}
	}
	return nil
}

// abandoned reports whether a scheduled sync is running with no replica syncing its
// workspace, for longer than abandonedAfter, and returns its arguments.
func (w *tickWorker) abandoned(ctx context.Context, job *rivertype.JobRow) (SyncArgs, bool, error) {
	var args SyncArgs
	if job.State != rivertype.JobStateRunning || job.AttemptedAt == nil {
		return args, false, nil
	}
	if err := json.Unmarshal(job.EncodedArgs, &args); err != nil {
		return args, false, err
	}
	tx, err := w.pool.Begin(ctx)
	if err != nil {
		return args, false, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) // lets go of the lock taken to look
	var abandoned bool
	err = tx.QueryRow(ctx, `SELECT now() - $1::timestamptz >= make_interval(secs => $2) AND pg_try_advisory_xact_lock($3)`,
		*job.AttemptedAt, abandonedAfter.Seconds(), lockKey(args.WorkspaceID)).Scan(&abandoned)
	return args, abandoned, err
}

// syncWorker runs a sync, holding the workspace's advisory lock: two replicas never sync
// one workspace at once, and a sync that finds the lock taken (a manual sync asked for
// while a scheduled one runs) waits its turn. The lock is held on a connection outside
// the pool: taken from the pool, as many syncs as the pool has connections would hold
// them all, and wait for ever on the store's queries. A sync no retry can help (the
// workspace is not connected, Clockify refuses its key, the window is bad) is cancelled.
type syncWorker struct {
	river.WorkerDefaults[SyncArgs]
	engine *clockifysync.Engine
	pool   *pgxpool.Pool
}

// Timeout lets a sync of a large workspace run longer than River's default minute.
func (w *syncWorker) Timeout(*river.Job[SyncArgs]) time.Duration { return time.Hour }

func (w *syncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	args := job.Args
	conn, err := pgx.ConnectConfig(ctx, w.pool.Config().ConnConfig)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx)) // ending the session releases its lock
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, lockKey(args.WorkspaceID)).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return river.JobSnooze(busySnooze)
	}
	locked()
	var res *clockifysync.Result
	if args.Start.IsZero() && args.End.IsZero() {
		res, err = w.engine.SyncScheduled(ctx, args.WorkspaceID)
	} else {
		res, err = w.engine.Sync(ctx, args.WorkspaceID, clockifysync.Window{Start: args.Start, End: args.End})
	}
	switch {
	case errors.Is(err, clockifysync.ErrNotConnected) || errors.Is(err, clockifysync.ErrInput) ||
		errors.Is(err, clockifysync.ErrInvalidAPIKey):
		return river.JobCancel(err) // no retry can help
	case err != nil:
		return fmt.Errorf("sync of %s: %w", args.WorkspaceID, err)
	}
	return river.RecordOutput(ctx, outputOf(res))
}

// lockKey is the advisory lock of a workspace's syncs.
func lockKey(workspaceID string) int64 {
	h := fnv.New64a()
	h.Write([]byte("jasper_clockify/sync/" + workspaceID))
	return int64(h.Sum64())
}

// manualOpts bounds a manual sync's attempts: River's default of 25 would retry one
// that keeps failing for three weeks, recording each failure on the connection. Eight
// span River's backoff of about 80 minutes: an hour's outage of Clockify; past that,
// the schedule's syncs go on, and a host queues the window again.
var manualOpts = &river.InsertOpts{MaxAttempts: 8}

// EnqueueSync queues a manual sync of a window; it runs after any sync of the workspace
// in progress (waiting for one does not count as an attempt). A sync that fails is tried
// again, with River's backoff, up to eight attempts in all (about 80 minutes). A window
// the engine would refuse (Window.Validate), or no workspace (or one whose id is not
// UTF-8 or holds NUL, which the job's JSON could not carry), is an InputError, and
// queues nothing.
func EnqueueSync(ctx context.Context, client *river.Client[pgx.Tx], workspaceID string, w clockifysync.Window) error {
	if client == nil {
		return errNil
	}
	if strings.TrimSpace(workspaceID) == "" {
		return &clockifysync.InputError{Field: "workspace", Reason: "required"}
	}
	if storable.Text(workspaceID) != workspaceID { // the job's JSON arguments could not carry it
		return &clockifysync.InputError{Field: "workspace", Reason: "an id is UTF-8 without NUL"}
	}
	if err := w.Validate(); err != nil {
		return err
	}
	_, err := client.Insert(ctx, SyncArgs{WorkspaceID: workspaceID, Start: w.Start, End: w.End}, manualOpts)
	return err
}
