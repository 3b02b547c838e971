package sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	gosync "sync"
	"time"
)

// Period returns how often a schedule syncs: the reconcile of a realtime schedule and an
// hourly one every hour, a daily one every day, a manual one never (0).
func (s Schedule) Period() time.Duration {
	switch s {
	case ScheduleRealtime, ScheduleHourly:
		return time.Hour
	case ScheduleDaily:
		return 24 * time.Hour
	}
	return 0
}

// retryAfter is how long a failed scheduled sync waits before its first retry.
const retryAfter = 5 * time.Minute

// maxIdle is the longest Run waits before it reads the connections again, to pick up
// workspaces connected meanwhile.
const maxIdle = time.Minute

// Run syncs every connected workspace on its schedule (SyncScheduled) until ctx ends,
// and returns ctx's error once the syncs it started have ended. Up to
// WithWorkspaceConcurrency workspaces (4 by default) sync at once, each with its own
// client and rate limit: a slow workspace, or one with much to read, holds up no other's
// schedule, and a workspace still syncing when its next sync falls due is not started
// twice. A failed sync is recorded on the connection, and Run goes on with the other
// workspaces. A failing workspace is tried again after five minutes, then after waits
// that double while it keeps failing, up to its schedule's period: a revoked key, or a
// Free plan's limit of requests per hour, is not hammered. On one machine Run is the
// scheduler; with several replicas, sync/riverjobs runs the same syncs as River jobs
// instead, so that two replicas never sync one workspace at once.
func (e *Engine) Run(ctx context.Context) error {
	running := map[string]bool{}
	ended := make(chan string, e.workspaces) // never full: one send per running sync
	var wg gosync.WaitGroup
	defer wg.Wait()
	var refreshed, next time.Time
	var queue []string // due, waiting for a free place
	read := true       // the connections, at the start and then when the timer fires
	for {
		if now := e.now(); refreshed.IsZero() || now.Sub(refreshed) >= maxIdle || now.Before(refreshed) {
			refreshed = now
			if err := e.RefreshTokens(ctx); err != nil && ctx.Err() == nil {
				e.log.ErrorContext(ctx, "clockifysync: reading the webhook tokens", "error", err)
			}
		}
		if read {
			var err error
			if queue, next, err = e.due(ctx); err != nil && ctx.Err() == nil {
				e.log.ErrorContext(ctx, "clockifysync: reading the connections", "error", err)
			}
		}
		for len(queue) > 0 && len(running) < e.workspaces && ctx.Err() == nil {
			ws := queue[0]
			queue = queue[1:]
			if running[ws] {
				continue
			}
			running[ws] = true
			wg.Go(func() {
				if err := e.runScheduled(ctx, ws); err != nil && ctx.Err() == nil {
					e.log.WarnContext(ctx, "clockifysync: scheduled sync failed", "workspace", ws, "error", err)
				}
				ended <- ws
			})
		}
		t := time.NewTimer(min(max(minTime(next, refreshed.Add(maxIdle)).Sub(e.now()), 0), maxIdle))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case ws := <-ended: // a free place for the next of the queue
			t.Stop()
			delete(running, ws)
			read = false
		case <-t.C:
			read = true
		}
	}
}

// runScheduled runs a workspace's scheduled sync for Run, and reports it (WithOnSync).
func (e *Engine) runScheduled(ctx context.Context, ws string) error {
	res, err := e.syncScheduledSafely(ctx, ws)
	if e.onSync != nil {
		e.onSync(ctx, ws, res, err)
	}
	return err
}

// syncScheduledSafely is SyncScheduled with a panic turned into an error (logged with
// its stack, and recorded on the connection), as River does for its jobs: one
// workspace's fault does not end the host's process and every other's syncs.
func (e *Engine) syncScheduledSafely(ctx context.Context, ws string) (res *Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			e.log.ErrorContext(ctx, "clockifysync: scheduled sync panicked", "workspace", ws, "panic", fmt.Sprint(p),
				"stack", string(debug.Stack()))
			res, err = nil, e.failed(ctx, ws, fmt.Errorf("clockifysync: the scheduled sync panicked: %v", p))
		}
	}()
	return e.SyncScheduled(ctx, ws)
}

// Due returns the connected workspaces whose scheduled sync is due now, for a scheduler
// other than Run (sync/riverjobs) to run with SyncScheduled.
func (e *Engine) Due(ctx context.Context) ([]string, error) {
	due, _, err := e.due(ctx)
	return due, err
}

// due returns the workspaces due now and when the next one not due yet is.
func (e *Engine) due(ctx context.Context) (due []string, next time.Time, err error) {
	now := e.now()
	next = now.Add(maxIdle)
	conns, err := e.store.Connections(ctx)
	if err != nil {
		return nil, next, err
	}
	for _, c := range conns {
		at, ok := e.dueAt(c)
		switch {
		case !ok:
		case at.After(now):
			next = minTime(next, at)
		default:
			due = append(due, c.WorkspaceID)
		}
	}
	return due, next, nil
}

// SyncScheduled runs a workspace's scheduled sync: the entries started from an hour
// before the last sync ended (at least the last 24 hours, at most 365 days) to now, so
// that a host that was down catches up; then the entries created, updated or deleted in
// Clockify over that time whatever their start, from Clockify's entity-change endpoints
// (Result.Changed), and since the last such read ended when that was earlier (one that
// failed is made good by the next). Last, the webhooks that Clockify no longer has
// (deleted in its settings) are registered again (Result.WebhooksRepaired), at the cost
// of one request, and one more while Clockify refuses an event's webhook (a Free plan's
// limit): each sync tries one such event, and when Clockify takes it, the others
// (Result.MissingEvents lists those it still refuses or holds disabled).
//
// Clockify's list of deletions leaves out an entry created and deleted within the span
// it is asked for, as it documents, and lists a deletion about a minute late. So the
// deletions are asked for on each side of the end of the last read apart, and of a
// moment before it (two more requests): that lists an entry the last read stored and
// that was deleted since, and one deleted too shortly before that read to be listed to
// it (when the reads are five minutes apart or more). So they are too on each side of
// each read of a window since (a Sync, SyncRecent, Connect's initial sync: a request
// each, eight at most; Connection.WindowReads), for the entries it stored. And the
// entries that the deliveries received since the span began created or updated (by the
// store's delivery log), and that the lists of changes do not name, are read again by id
// (a request for each): one that started before the window, whose deletion's delivery
// was lost, is marked deleted. Where Clockify will not list the changes (they are
// Experimental; a member's key may be refused them), the entries started in the
// connection's initial days (InitialDays back from now) are read instead, as by Sync: a
// request or more for each member, every sync. One change still escapes: an entry
// created and deleted since the last read, stored by no delivery but by the read of a
// window that ended in the past (or by one of more than eight reads), or by a handler
// logging elsewhere, stays stored until a sync of a window holding its start
// (Engine.Sync) finds it gone.
//
// A workspace not connected, never or no longer, is ErrNotConnected.
func (e *Engine) SyncScheduled(ctx context.Context, workspaceID string) (*Result, error) {
	conn, err := e.connection(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	w := e.catchUp(conn)
	windowReads := conn.WindowReads // the reads of windows before this sync's
	res, err := e.Sync(ctx, workspaceID, w)
	if err != nil {
		return nil, err
	}
	client, conn, err := e.client(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	// The changes are read from where the last read of them ended (an hour before, as
	// the window): after a failed read, that is before this window.
	since := w.Start
	if !conn.ChangesRead.IsZero() {
		since = maxTime(minTime(since, conn.ChangesRead.Add(-time.Hour)), w.End.AddDate(0, 0, -MaxInitialDays))
	}
	var complete bool
	if res.Changed, complete, err = e.applyChanges(ctx, client, workspaceID, since, w.End, conn.ChangesRead, windowReads); err != nil {
		return nil, e.failed(ctx, workspaceID, err)
	}
	err = e.store.UpdateConnection(ctx, workspaceID, func(c *Connection) error {
		if w.End.After(c.ChangesRead) {
			c.ChangesRead = w.End
		}
		c.WindowReads = slices.DeleteFunc(c.WindowReads, func(end time.Time) bool { return !end.After(w.End) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	if start := w.End.AddDate(0, 0, -cmp.Or(conn.InitialDays, DefaultInitialDays)); !complete && start.Before(w.Start) {
		// Without Clockify's lists of changes, the connection's initial window is read
		// instead, before this sync's: its entries edited or deleted since are found.
		older, err := e.sync(ctx, workspaceID, Window{Start: start, End: w.Start}, false, false)
		if err != nil {
			return nil, err
		}
		res.Stored, res.Deleted = res.Stored+older.Stored, res.Deleted+older.Deleted
	}
	reg, err := e.repairWebhooks(ctx, client, conn)
	if err != nil {
		return nil, e.failed(ctx, workspaceID, err)
	}
	res.WebhooksRepaired, res.MissingEvents = reg.added, reg.missing
	if !reg.looked || slices.Equal(reg.missing, conn.MissingEvents) {
		return res, nil
	}
	return res, e.store.UpdateConnection(ctx, workspaceID, func(c *Connection) error {
		if c.Status != StatusDisconnected { // a Disconnect meanwhile cleared them
			c.MissingEvents = reg.missing
		}
		return nil
	})
}

// SetSchedule changes when a connected workspace is synced, without connecting it
// again. The end of its last sync stays, so the next sync is due a period of the new
// schedule after it. An unknown schedule is an InputError, and a workspace not connected
// ErrNotConnected; neither changes anything.
func (e *Engine) SetSchedule(ctx context.Context, workspaceID string, s Schedule) error {
	if !s.valid() {
		return inputError("schedule", "unknown schedule %q", s)
	}
	err := e.store.UpdateConnection(ctx, workspaceID, func(c *Connection) error {
		if err := connected(workspaceID, c); err != nil {
			return err
		}
		c.Schedule = s
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return connected(workspaceID, nil)
	}
	return err
}

// dueAt returns when a connection's next scheduled sync is due, and false when it has
// none (manual, or not connected).
func (e *Engine) dueAt(c Connection) (time.Time, bool) {
	p := c.Schedule.Period()
	if p == 0 || c.Status != StatusConnected {
		return time.Time{}, false
	}
	due := c.LastSync.Add(p)
	if c.LastError != "" {
		// The wait after a failure is the time it has been due, from five minutes up to
		// the period: it doubles while the workspace keeps failing.
		wait := min(max(c.Updated.Sub(due), retryAfter), p)
		due = maxTime(due, c.Updated.Add(wait))
	}
	return due, true
}

// catchUp is the window of a scheduled sync: from an hour before the last sync ended, or
// the last 24 hours when that is shorter, to now.
func (e *Engine) catchUp(c Connection) Window {
	now := e.now().UTC()
	start := minTime(now.Add(-IncrementalWindow), c.LastSync.Add(-time.Hour))
	return Window{Start: maxTime(start, now.AddDate(0, 0, -MaxInitialDays)), End: now}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
