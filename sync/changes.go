package sync

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"slices"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// deletionLag bounds, with room to spare, how long after a deletion Clockify's list of
// deletions may lack it: it documents "approximately one minute".
const deletionLag = 5 * time.Minute

// changeSpan is the longest span of changes asked for at once: Clockify documents no
// limit, and takes 30 days when a request gives no start or no end.
const changeSpan = 30 * 24 * time.Hour

// applyChanges reads the time entries created, updated and deleted in Clockify since a
// time, whatever their start, and stores them: the window of a sync holds the entries
// that started in it, so without this an entry of last month edited, added or deleted
// today would wait for a full sync. Clockify marks these endpoints Experimental, and
// documents none of their limits, so they are asked for 30 days at a time (changeSpan):
// a span a workspace or key is refused (403, 404), or that they find bad (400), is left
// to the window syncs, and complete is false. A deletion is confirmed by reading the
// entry, and an entry a delivery stored while the lists were read is read again at the
// end, as in a window sync.
//
// Clockify's list of deletions leaves out an entry created and deleted within the span
// asked for. The span starts before the last read of changes ended (lastRead), so that
// read may have stored an entry created in the span, and so may the reads of windows
// since (windowReads: a sync asked for by hand, Connect's initial sync, a split's read);
// the deletions are asked for on each side of each apart, and of a moment before
// lastRead, as Clockify lists a deletion a minute or so after it. One that a delivery
// stored, and whose deletion's delivery was lost, would stay stored too: so an entry
// that the deliveries received since the span began name (unlisted), and that the lists
// of entries created and updated do not, is read again by id.
func (e *Engine) applyChanges(ctx context.Context, client *clockify.Client, workspaceID string, since, until, lastRead time.Time, windowReads []time.Time) (changed int, complete bool, err error) {
	now := e.now().UTC()
	watch := e.watched.start(workspaceID)
	defer watch.stop()
	var put []Entry
	var gone []string
	deletionsRead := map[string]bool{}
	served, complete := true, true
	cuts := append([]time.Time{lastRead.Add(-deletionLag), lastRead}, windowReads...)
	slices.SortFunc(cuts, time.Time.Compare)
	for from := since; from.Before(until); {
		to := minTime(from.Add(changeSpan), until)
		p, g, ok, all, err := e.readChanges(ctx, client, workspaceID, from, to, now, cuts, deletionsRead)
		if err != nil {
			return 0, false, err
		}
		put, gone, served, complete = append(put, p...), append(gone, g...), served && ok, complete && all
		from = to
	}
	if err := e.putEntries(ctx, workspaceID, put); err != nil {
		return 0, false, err
	}
	if err := e.store.MarkEntriesDeleted(ctx, workspaceID, gone, now); err != nil {
		return 0, false, err
	}
	named := make(map[string]bool, len(put)+len(gone))
	for _, en := range put {
		named[en.ID] = true
	}
	for _, id := range gone {
		named[id] = true
	}
	changed = len(named) // an entry listed twice, or updated and then deleted, counts once
	if served {
		ids, err := e.unlisted(ctx, workspaceID, since, named)
		if err != nil {
			return 0, false, err
		}
		for _, id := range ids {
			switch read, err := e.readAgain(ctx, client, workspaceID, id); {
			case errors.Is(err, clockify.ErrForbidden): // the key may not read it: left to the window syncs
			case err != nil:
				return 0, false, err
			case read:
				changed++
			}
		}
	}
	if err := e.reread(ctx, client, watch); err != nil {
		return 0, false, err
	}
	return changed, complete, nil
}

// unlisted returns the entries that the deliveries of a workspace received since a time
// created, updated or stopped, that are stored and not marked deleted, and that the
// changes read do not name (named, to which it adds them). The delivery log is read
// newest first, in growing pages, until it reaches that time or its start.
func (e *Engine) unlisted(ctx context.Context, workspaceID string, since time.Time, named map[string]bool) ([]string, error) {
	var log []webhook.Delivery
	for limit := 256; ; limit *= 4 {
		var err error
		if log, err = e.store.Deliveries(ctx, workspaceID, limit); err != nil {
			return nil, err
		}
		if len(log) < limit || log[len(log)-1].ReceivedAt.Before(since) {
			break
		}
	}
	var ids []string
	for _, d := range log {
		if d.ReceivedAt.Before(since) {
			break
		}
		if !d.Kind.IsTimeEntry() || d.Kind == webhook.TimeEntryDeleted || d.EntityID == "" || named[d.EntityID] {
			continue
		}
		named[d.EntityID] = true
		switch en, err := e.store.Entry(ctx, workspaceID, d.EntityID); {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return nil, err
		case en.Deleted.IsZero():
			ids = append(ids, d.EntityID)
		}
	}
	return ids, nil
}

// readChanges reads one span's changes: the entries created or updated in it as they are
// now, and those deleted in it that Clockify no longer has, asked for apart on each side
// of the cuts (in order). A span whose entries created or updated Clockify will not list
// (unserved) gives none, and served false; complete is false then, and when Clockify
// will not list its deletions.
//
// A deletion is read by id once per sync (deletionsRead holds those read, and gains this
// span's): a list may name one twice, at the instant two spans share, or after it
// changed while read (Clockify reads page 0 as page 1, so a change between the first two
// requests makes page 1 look like the next page, and the first page's items come again).
func (e *Engine) readChanges(ctx context.Context, client *clockify.Client, workspaceID string, from, to, now time.Time, cuts []time.Time, deletionsRead map[string]bool) (put []Entry, gone []string, served, complete bool, err error) {
	opts := &clockify.EntityChangeOptions{Types: []clockify.EntityType{clockify.EntityTimeEntry}, Start: from, End: to}
	for _, changes := range []iter.Seq2[clockify.EntityChange, error]{
		client.EntityChanges.AllCreated(ctx, workspaceID, opts),
		client.EntityChanges.AllUpdated(ctx, workspaceID, opts),
	} {
		for ch, err := range changes {
			if unserved(err) {
				e.log.InfoContext(ctx, "clockifysync: Clockify would not list entity changes", "workspace", workspaceID,
					"start", from, "end", to, "error", err)
				return nil, nil, false, false, nil
			}
			if err != nil {
				return nil, nil, false, false, err
			}
			if ch.TimeEntry != nil && ch.TimeEntry.ID != "" && e.skip(ctx, workspaceID, ch.TimeEntry) == "" {
				put = append(put, entryOf(workspaceID, ch.TimeEntry, now))
			}
		}
	}
	for _, span := range splitAt(from, to, cuts...) {
		opts := &clockify.EntityChangeOptions{Types: opts.Types, Start: span[0], End: span[1]}
		for d, err := range client.EntityChanges.AllDeleted(ctx, workspaceID, opts) {
			if unserved(err) {
				return put, gone, true, false, nil // what was created and updated still counts
			}
			if err != nil {
				return nil, nil, false, false, err
			}
			te, err := d.TimeEntry()
			if err != nil || checkID("entry", te.ID) != nil || deletionsRead[te.ID] {
				continue // not a time entry, undecodable, with an id no entry has, or read already
			}
			deletionsRead[te.ID] = true
			switch _, _, err := client.TimeEntries.Get(ctx, workspaceID, te.ID, false); {
			case errors.Is(err, clockify.ErrNotFound):
				gone = append(gone, te.ID)
			case errors.Is(err, clockify.ErrForbidden): // the key may not read it: left to the window syncs
			case err != nil:
				return nil, nil, false, false, err
			}
		}
	}
	return put, gone, true, true, nil
}

// splitAt cuts the span [from, to] at each of the times, in order, that fall inside it.
func splitAt(from, to time.Time, cuts ...time.Time) [][2]time.Time {
	var spans [][2]time.Time
	for _, cut := range cuts {
		if cut.After(from) && cut.Before(to) {
			spans = append(spans, [2]time.Time{from, cut})
			from = cut
		}
	}
	return append(spans, [2]time.Time{from, to})
}

// unserved reports whether Clockify will not serve a list of changes: it refused it
// (refused), found the request bad, which asking again cannot mend, or has no route for
// it (a 404: the lists are experimental, and may be withdrawn).
func unserved(err error) bool {
	if refused(err) {
		return true
	}
	apiErr, ok := errors.AsType[*clockify.APIError](err)
	return ok && (apiErr.StatusCode == http.StatusBadRequest || apiErr.StatusCode == http.StatusNotFound)
}
