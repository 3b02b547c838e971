package sync

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// changeSpan is the longest span of changes asked for at once: Clockify documents no
// limit, and takes 30 days when a request gives no start or no end.
const changeSpan = 30 * 24 * time.Hour

// applyChanges reads the time entries created, updated and deleted in Clockify since a
// time, whatever their start, and stores them: the window of a sync holds the entries
// that started in it, so without this an entry of last month edited, added or deleted
// today would wait for a full sync. Clockify marks these endpoints Experimental, and
// documents none of their limits, so they are asked for 30 days at a time (changeSpan):
// a span a workspace or key is refused (403, 404), or that they find bad (400), is left
// to the window syncs. A deletion is confirmed by reading the entry, and an entry a
// delivery stored while the lists were read is read again at the end, as in a window
// sync.
func (e *Engine) applyChanges(ctx context.Context, client *clockify.Client, workspaceID string, since, until time.Time) (int, error) {
	now := e.now().UTC()
	watch := e.watched.start(workspaceID)
	defer watch.stop()
	var put []Entry
	var gone []string
	for from := since; from.Before(until); {
		to := minTime(from.Add(changeSpan), until)
		p, g, err := e.readChanges(ctx, client, workspaceID, from, to, now)
		if err != nil {
			return 0, err
		}
		put, gone = append(put, p...), append(gone, g...)
		from = to
	}
	if err := e.putEntries(ctx, workspaceID, put); err != nil {
		return 0, err
	}
	if err := e.store.MarkEntriesDeleted(ctx, workspaceID, gone, now); err != nil {
		return 0, err
	}
	if err := e.reread(ctx, client, watch); err != nil {
		return 0, err
	}
	return len(put) + len(gone), nil
}

// readChanges reads one span's changes: the entries created or updated in it as they are
// now, and those deleted in it that Clockify no longer has. A span Clockify will not list
// (unserved) gives none.
func (e *Engine) readChanges(ctx context.Context, client *clockify.Client, workspaceID string, from, to, now time.Time) (put []Entry, gone []string, err error) {
	opts := &clockify.EntityChangeOptions{Types: []clockify.EntityType{clockify.EntityTimeEntry}, Start: from, End: to}
	for _, changes := range []iter.Seq2[clockify.EntityChange, error]{
		client.EntityChanges.AllCreated(ctx, workspaceID, opts),
		client.EntityChanges.AllUpdated(ctx, workspaceID, opts),
	} {
		for ch, err := range changes {
			if unserved(err) {
				e.log.InfoContext(ctx, "clockifysync: Clockify would not list entity changes", "workspace", workspaceID,
					"start", from, "end", to, "error", err)
				return nil, nil, nil
			}
			if err != nil {
				return nil, nil, err
			}
			if ch.TimeEntry != nil && ch.TimeEntry.ID != "" {
				put = append(put, entryOf(workspaceID, ch.TimeEntry, now))
			}
		}
	}
	for d, err := range client.EntityChanges.AllDeleted(ctx, workspaceID, opts) {
		if unserved(err) {
			break // what was created and updated still counts
		}
		if err != nil {
			return nil, nil, err
		}
		te, err := d.TimeEntry()
		if err != nil || te == nil || te.ID == "" {
			continue // not a time entry, or one Clockify did not describe
		}
		switch _, _, err := client.TimeEntries.Get(ctx, workspaceID, te.ID, false); {
		case errors.Is(err, clockify.ErrNotFound):
			gone = append(gone, te.ID)
		case err != nil:
			return nil, nil, err
		}
	}
	return put, gone, nil
}

// unserved reports whether Clockify will not serve a list of changes: it refused it
// (refused), or found the request bad, which asking again cannot mend.
func unserved(err error) bool {
	if refused(err) {
		return true
	}
	apiErr, ok := errors.AsType[*clockify.APIError](err)
	return ok && apiErr.StatusCode == http.StatusBadRequest
}
