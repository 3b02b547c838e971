package sync

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	gosync "sync"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/internal/storable"
)

// Window is the span of entry start times a sync reads: Start <= start <= End, as
// Clockify filters.
type Window struct {
	Start, End time.Time
}

// Validate returns an InputError unless the window can be synced: a start before an end,
// at most MaxInitialDays apart, within the years 1 to 9999 (Clockify's times).
func (w Window) Validate() error {
	if w.Start.IsZero() || w.End.IsZero() || !w.Start.Before(w.End) {
		return inputError("window", "a start before an end is required")
	}
	if w.Start.UTC().Year() < 1 || w.End.UTC().Year() > 9999 {
		return inputError("window", "within the years 1 to 9999")
	}
	// An hour's slack: 365 days counted in a zone with daylight saving may be an hour longer.
	if w.End.Sub(w.Start) > MaxInitialDays*24*time.Hour+time.Hour {
		return inputError("window", "at most %d days", MaxInitialDays)
	}
	return nil
}

// Default and largest windows.
const (
	DefaultInitialDays = 30
	MaxInitialDays     = 365
	// IncrementalWindow is what SyncRecent reads: the entries started in the last 24 hours.
	IncrementalWindow = 24 * time.Hour
)

// Result says what a sync did.
type Result struct {
	Window  Window
	Members int
	// Stored counts the entries written, Deleted those marked deleted.
	Stored, Deleted int
	// Skipped lists the members whose entries Clockify would not list (deactivated
	// members, a key without admin rights): their stored entries were left as they were.
	Skipped []string
	// Resumed is set when the sync finished a run that an earlier one left unfinished.
	Resumed bool
	// Changed counts the entries a scheduled sync stored or marked deleted from
	// Clockify's list of changes, beyond its window (SyncScheduled).
	Changed int
	// WebhooksRepaired counts the webhooks a scheduled sync registered: again, because
	// Clockify no longer had them, or at last, for events it refused before (a Free
	// plan's limit, since lifted). MissingEvents lists the events Clockify does not
	// deliver: it refused their webhooks, or holds them disabled (SyncScheduled).
	WebhooksRepaired int
	MissingEvents    []clockify.WebhookEvent
	// MappingErr says why the members could not be mapped to GitHub logins again (the
	// contributor source failed, or the matcher refused its list): they keep the logins
	// they had, and the entries were synced all the same. Nil when they were mapped.
	MappingErr error
}

// SyncRecent syncs the last 24 hours of a connected workspace.
func (e *Engine) SyncRecent(ctx context.Context, workspaceID string) (*Result, error) {
	now := e.now().UTC()
	return e.Sync(ctx, workspaceID, Window{Start: now.Add(-IncrementalWindow), End: now})
}

// Sync reads every member's entries started in the window and stores them with their
// links. Clockify has no "changed since" list, and tells a deletion only by absence: an
// entry stored in the window that did not come back is read again by id, and marked
// deleted only when Clockify answers that it does not exist. Members are read
// concurrently, within the client's rate limit, and each one's progress is checkpointed:
// a sync stopped by a crash or its context resumes, on the next call, with the members
// not yet done, and running it again never duplicates anything. A run left unfinished
// is finished before a new window is read, and a second sync of the workspace waits for
// the first: in one process, and across replicas where the store is a WorkspaceLocker
// (store/postgres). An entry that a webhook delivery stored in this process while the
// sync ran is read again at its end: the sync may have read it before the change and
// written that read after the delivery's.
func (e *Engine) Sync(ctx context.Context, workspaceID string, w Window) (*Result, error) {
	return e.sync(ctx, workspaceID, w, true, false)
}

// sync is Sync; with refresh, the members and projects are imported again first (Connect,
// which has just imported them, passes false). With initial (Connect's initial sync), a
// run left unfinished that spans no less than w (an initial sync stopped before) is
// resumed instead of w; a shorter one is finished first, as by Sync. Both are decided
// under the locks: a sync running meanwhile leaves no run behind.
func (e *Engine) sync(ctx context.Context, workspaceID string, w Window, refresh, initial bool) (*Result, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	w = Window{Start: w.Start.UTC(), End: w.End.UTC()}
	unlock, err := e.lockSyncRun(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	watch := e.watched.start(workspaceID)
	defer watch.stop()
	client, _, err := e.client(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	pending, ok, err := e.store.PendingRun(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	if ok && initial && pending.End.Sub(pending.Start) >= w.End.Sub(w.Start) {
		w = Window{Start: pending.Start, End: pending.End}
	}
	if ok && (!pending.Start.Equal(w.Start) || !pending.End.Equal(w.End)) {
		if _, err := e.runWindow(ctx, client, watch, pending, true, refresh); err != nil {
			return nil, err
		}
		ok = false
	}
	run := pending
	if !ok {
		run = Run{WorkspaceID: workspaceID, Start: w.Start, End: w.End, Started: e.now().UTC()}
		if err := e.store.StartRun(ctx, run); err != nil {
			return nil, err
		}
	}
	return e.runWindow(ctx, client, watch, run, ok, refresh)
}

// runWindow reads the members of run not done yet, reads again the entries deliveries
// stored meanwhile (watch), then finishes the run.
func (e *Engine) runWindow(ctx context.Context, client *clockify.Client, watch *watch, run Run, resumed, refresh bool) (*Result, error) {
	ws := run.WorkspaceID
	res := &Result{Window: Window{Start: run.Start, End: run.End}, Resumed: resumed}
	var members []Member
	var err error
	if refresh {
		var got imported
		got, err = e.refreshDirectory(ctx, client, ws)
		members, res.MappingErr = got.members, got.mappingErr
	} else {
		members, err = e.store.Members(ctx, ws)
	}
	if err != nil {
		return nil, e.failed(ctx, ws, err)
	}
	res.Members = len(members)
	var todo []Member
	for _, m := range members {
		if !slices.Contains(run.Done, m.ID) {
			todo = append(todo, m)
		}
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var mu gosync.Mutex
	var wg gosync.WaitGroup
	next := make(chan Member)
	for range min(e.concurrency, max(len(todo), 1)) {
		wg.Go(func() {
			for m := range next {
				stored, deleted, skipped, err := e.syncMemberSafely(ctx, client, run, m)
				if err != nil {
					cancel(err)
					continue
				}
				mu.Lock()
				res.Stored += stored
				res.Deleted += deleted
				if skipped {
					res.Skipped = append(res.Skipped, m.ID)
				}
				mu.Unlock()
			}
		})
	}
feed:
	for _, m := range todo {
		select {
		case next <- m:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, e.failed(ctx, ws, err)
	}
	if err := e.reread(ctx, client, watch); err != nil {
		return nil, e.failed(ctx, ws, err)
	}
	if err := e.store.FinishRun(ctx, ws); err != nil {
		return nil, err
	}
	slices.Sort(res.Skipped)
	// Only the sync's own fields change: a schedule changed or a disconnect elsewhere
	// meanwhile stays as it was.
	return res, e.store.UpdateConnection(ctx, ws, func(c *Connection) error {
		if run.End.After(c.LastSync) {
			c.LastSync = run.End
		}
		if run.End.After(c.ChangesRead) {
			c.WindowReads = addWindowRead(c.WindowReads, run.End)
		}
		c.LastError, c.Updated = "", e.now().UTC()
		return nil
	})
}

// failed records a sync's failure on its connection (without secrets: the client's
// errors hold none) and returns err; Clockify's refusal of the stored key becomes
// ErrInvalidAPIKey, which no retry can help.
func (e *Engine) failed(ctx context.Context, workspaceID string, err error) error {
	if errors.Is(err, clockify.ErrInvalidAPIKey) {
		err = &keyError{err: err}
	}
	ctx = context.WithoutCancel(ctx)
	perr := e.store.UpdateConnection(ctx, workspaceID, func(c *Connection) error {
		c.LastError, c.Updated = storable.Text(err.Error()), e.now().UTC()
		return nil
	})
	if perr != nil && !errors.Is(perr, ErrNotFound) {
		e.log.ErrorContext(ctx, "clockifysync: recording a failed sync", "workspace", workspaceID, "error", perr)
	}
	return err
}

// syncMemberSafely is syncMember with a panic turned into an error (logged with its
// stack): it runs on a goroutine of the engine's, where no caller, River included, could
// recover it, and it would end the host's process, every workspace's syncs with it.
func (e *Engine) syncMemberSafely(ctx context.Context, client *clockify.Client, run Run, m Member) (stored, deleted int, skipped bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			e.log.ErrorContext(ctx, "clockifysync: a member's sync panicked", "workspace", run.WorkspaceID, "member", m.ID,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("clockifysync: the sync of member %s panicked: %v", m.ID, p)
		}
	}()
	return e.syncMember(ctx, client, run, m)
}

// syncMember stores one member's entries in the run's window, marks those gone as
// deleted, and checkpoints the member.
func (e *Engine) syncMember(ctx context.Context, client *clockify.Client, run Run, m Member) (stored, deleted int, skipped bool, err error) {
	if stored, deleted, skipped, err = e.readMember(ctx, client, run.WorkspaceID, m.ID, run.Start, run.End); err != nil {
		return 0, 0, false, err
	}
	return stored, deleted, skipped, e.checkpoint(ctx, run.WorkspaceID, m.ID)
}

// readMember stores a member's entries started in [start, end] as Clockify holds them
// now, and marks deleted those stored there that Clockify no longer has. When Clockify
// refuses to list them (a deactivated member, a key without admin rights), it changes
// nothing and returns skipped.
func (e *Engine) readMember(ctx context.Context, client *clockify.Client, ws, memberID string, start, end time.Time) (stored, deleted int, skipped bool, err error) {
	now := e.now().UTC()
	seen := map[string]bool{}
	batch := make([]Entry, 0, 256)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := e.putEntries(ctx, ws, batch)
		stored += len(batch)
		batch = batch[:0]
		return err
	}
	// Pages of the client's default size (1,000): Clockify serves up to 5,000, but the
	// client makes room for the page it asks for, which most members' windows do not fill.
	opts := &clockify.TimeEntryListOptions{Start: start, End: end}
	for te, err := range client.TimeEntries.All(ctx, ws, memberID, opts) {
		if err != nil {
			if refused(err) {
				e.log.InfoContext(ctx, "clockifysync: Clockify would not list a member's entries", "workspace", ws, "member", memberID, "error", err)
				return 0, 0, true, nil
			}
			return 0, 0, false, fmt.Errorf("clockifysync: entries of member %s: %w", memberID, err)
		}
		seen[te.ID] = true
		if e.skip(ctx, ws, &te) != "" {
			continue
		}
		batch = append(batch, entryOf(ws, &te, now))
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return 0, 0, false, err
			}
		}
	}
	if err := flush(); err != nil {
		return 0, 0, false, err
	}

	// An entry stored in the window that did not come back is asked for by id: pages
	// shift when entries are added or deleted while they are read, so absence alone
	// is no proof.
	have, err := e.store.EntryIDs(ctx, EntryQuery{WorkspaceID: ws, UserID: memberID, From: start, To: end.Add(time.Nanosecond)})
	if err != nil {
		return 0, 0, false, err
	}
	var gone []string
	for _, id := range have {
		if seen[id] {
			continue
		}
		te, _, err := client.TimeEntries.Get(ctx, ws, id, false)
		switch {
		case errors.Is(err, clockify.ErrNotFound):
			gone = append(gone, id)
		case err != nil:
			return 0, 0, false, fmt.Errorf("clockifysync: entry %s: %w", id, err)
		case e.skip(ctx, ws, te) == "":
			batch = append(batch, entryOf(ws, te, now))
		}
	}
	if err := flush(); err != nil {
		return 0, 0, false, err
	}
	if len(gone) > 0 {
		if err := e.store.MarkEntriesDeleted(ctx, ws, gone, now); err != nil {
			return 0, 0, false, err
		}
	}
	return stored, len(gone), false, nil
}

// checkpoint records that a member of the run in progress is done. The run ends under a
// sync when another replica disconnects the workspace (Disconnect ends its run, and
// does not wait for a sync elsewhere): that is ErrNotConnected, which no retry helps,
// also while that Disconnect has yet to mark the connection.
func (e *Engine) checkpoint(ctx context.Context, workspaceID, memberID string) error {
	err := e.store.CheckpointMember(ctx, workspaceID, memberID)
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	if _, err := e.connection(ctx, workspaceID); err != nil {
		return err
	}
	return fmt.Errorf("%w: the run of workspace %s ended while it was synced (a Disconnect elsewhere)", ErrNotConnected, workspaceID)
}

// refused reports whether Clockify refused a member's entries (a deactivated member, or
// a key without admin rights), as opposed to failing.
func refused(err error) bool {
	return errors.Is(err, clockify.ErrForbidden) || errors.Is(err, clockify.ErrNotFound)
}

// maxWindowReads bounds Connection.WindowReads: each costs a scheduled sync one request.
const maxWindowReads = 8

// addWindowRead adds the end of a window read to reads, in order, the latest replacing
// the last when reads is full.
func addWindowRead(reads []time.Time, end time.Time) []time.Time {
	i, found := slices.BinarySearchFunc(reads, end, time.Time.Compare)
	switch {
	case found:
		return reads
	case len(reads) < maxWindowReads:
		return slices.Insert(reads, i, end)
	case i == len(reads): // the latest
		reads[len(reads)-1] = end
	}
	return reads
}

// uncountable says why an entry read from Clockify is not stored ("" when it is): one
// without a start or that ends before it starts, which would make every report that
// counts it fail, or whose id no Clockify entry has (see checkID). Clockify refuses such
// entries when they are written, so a sync leaves one out, logged (skip), rather than
// fail; a delivery of one is refused (applyEntry).
func uncountable(te *clockify.TimeEntry) string {
	switch ti := te.TimeInterval; {
	case checkID("entry", te.ID) != nil:
		return "an id no Clockify entry has"
	case ti.Start.IsZero():
		return "no start"
	case ti.End != nil && ti.End.Before(ti.Start):
		return "an end before its start"
	}
	return ""
}

// skip returns why an entry read from Clockify is not stored (uncountable), and logs it;
// "" for an entry that is stored.
func (e *Engine) skip(ctx context.Context, workspaceID string, te *clockify.TimeEntry) string {
	why := uncountable(te)
	if why != "" {
		e.log.WarnContext(ctx, "clockifysync: Clockify sent an entry no report could count; it is not stored",
			"workspace", workspaceID, "entry", storable.Text(te.ID), "reason", why)
	}
	return why
}

// entryOf converts a Clockify entry, without its links (putEntries adds them).
func entryOf(workspaceID string, te *clockify.TimeEntry, now time.Time) Entry {
	en := Entry{
		WorkspaceID: workspaceID, ID: te.ID, UserID: te.UserID, ProjectID: te.ProjectID, TaskID: te.TaskID,
		Description: storable.Text(te.Description), Start: te.TimeInterval.Start.UTC(), Billable: te.Billable,
		Type: string(te.Type), Synced: now,
	}
	if te.TimeInterval.End != nil {
		en.End = te.TimeInterval.End.UTC()
	}
	if r := te.HourlyRate; r != nil {
		en.HourlyRate, en.Currency = r.Amount, r.Currency
	}
	return en
}

// putEntries stores entries read from Clockify with their auto links, resolved with the
// project mappings stored now: a project mapped while a sync runs (and relinked) is
// used for what the sync writes from then on, the batch being written included.
func (e *Engine) putEntries(ctx context.Context, workspaceID string, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	return e.linkAndWrite(ctx, workspaceID, entries, func(entries []Entry) error { return e.store.PutEntries(ctx, entries) })
}
