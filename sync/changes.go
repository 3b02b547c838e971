package sync

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// applyChanges reads the time entries created, updated and deleted in Clockify since a
// time, whatever their start, and stores them: the window of a sync holds the entries
// that started in it, so without this an entry of last month edited, added or deleted
// today would wait for a full sync. Clockify marks these endpoints Experimental, and
// documents none of their limits: a workspace or key they refuse (403, 404), or a
// request they find bad (400, such as a range longer than they serve), is left to the
// window syncs, and returns 0. A deletion is confirmed by reading the entry, and an
// entry a delivery stored while the lists were read is read again at the end, as in a
// window sync.
func (e *Engine) applyChanges(ctx context.Context, client *clockify.Client, workspaceID string, since, until time.Time) (int, error) {
	opts := &clockify.EntityChangeOptions{Types: []clockify.EntityType{clockify.EntityTimeEntry}, Start: since, End: until}
	now := e.now().UTC()
	watch := e.watched.start(workspaceID)
	defer watch.stop()
	var put []Entry
	for _, changes := range []iter.Seq2[clockify.EntityChange, error]{
		client.EntityChanges.AllCreated(ctx, workspaceID, opts),
		client.EntityChanges.AllUpdated(ctx, workspaceID, opts),
	} {
		for ch, err := range changes {
			if unserved(err) {
				e.log.InfoContext(ctx, "clockifysync: Clockify would not list entity changes", "workspace", workspaceID, "error", err)
				return 0, nil
			}
			if err != nil {
				return 0, err
			}
			if ch.TimeEntry != nil && ch.TimeEntry.ID != "" {
				put = append(put, entryOf(workspaceID, ch.TimeEntry, now))
			}
		}
	}
	var gone []string
	for d, err := range client.EntityChanges.AllDeleted(ctx, workspaceID, opts) {
		if unserved(err) {
			break // what was created and updated still counts
		}
		if err != nil {
			return 0, err
		}
		te, err := d.TimeEntry()
		if err != nil || te == nil || te.ID == "" {
			continue // not a time entry, or one Clockify did not describe
		}
		switch _, _, err := client.TimeEntries.Get(ctx, workspaceID, te.ID, false); {
		case errors.Is(err, clockify.ErrNotFound):
			gone = append(gone, te.ID)
		case err != nil:
			return 0, err
		}
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

// unserved reports whether Clockify will not serve a list of changes: it refused it
// (refused), or found the request bad, which asking again cannot mend.
func unserved(err error) bool {
	if refused(err) {
		return true
	}
	apiErr, ok := errors.AsType[*clockify.APIError](err)
	return ok && apiErr.StatusCode == http.StatusBadRequest
}
