package sync

import (
	"context"
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

// retryAfter is how long a failed scheduled sync waits before the next try.
const retryAfter = 5 * time.Minute

// maxIdle is the longest Run waits before it reads the connections again, to pick up
// workspaces connected meanwhile.
const maxIdle = time.Minute

// Run syncs every connected workspace on its schedule until ctx ends, and returns ctx's
// error. A scheduled sync reads from an hour before the last one ended (at least the last
// 24 hours, at most 365 days), so a host that was down catches up. A failed sync is
// tried again after five minutes; it is recorded on the connection, and Run goes on with
// the other workspaces. On one machine Run is the scheduler; with several replicas,
// sync/riverjobs runs the same syncs as River jobs instead, so that two replicas never
// sync one workspace at once.
func (e *Engine) Run(ctx context.Context) error {
	for {
		next, err := e.runDue(ctx)
		if err != nil && ctx.Err() == nil {
			e.log.ErrorContext(ctx, "clockifysync: reading the connections", "error", err)
		}
		wait := min(max(next.Sub(e.now()), 0), maxIdle)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// runDue runs the syncs that are due and returns when the next one is.
func (e *Engine) runDue(ctx context.Context) (time.Time, error) {
	now := e.now()
	next := now.Add(maxIdle)
	conns, err := e.store.Connections(ctx)
	if err != nil {
		return next, err
	}
	for _, c := range conns {
		due, ok := e.dueAt(c)
		if !ok {
			continue
		}
		if due.After(now) {
			next = minTime(next, due)
			continue
		}
		if _, err := e.Sync(ctx, c.WorkspaceID, e.catchUp(c)); err != nil {
			if ctx.Err() != nil {
				return next, ctx.Err()
			}
			e.log.WarnContext(ctx, "clockifysync: scheduled sync failed", "workspace", c.WorkspaceID, "error", err)
		}
		next = minTime(next, e.now().Add(min(c.Schedule.Period(), retryAfter)))
	}
	return next, nil
}

// dueAt returns when a connection's next scheduled sync is due, and false when it has
// none (manual, or not connected).
func (e *Engine) dueAt(c Connection) (time.Time, bool) {
	p := c.Schedule.Period()
	if p == 0 || c.Status != StatusConnected {
		return time.Time{}, false
	}
	due := c.LastSync.Add(p)
	if c.LastError != "" && c.Updated.Add(retryAfter).After(due) {
		due = c.Updated.Add(retryAfter)
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
