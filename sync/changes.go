package sync

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// applyChanges reads the time entries created, updated and deleted in Clockify since a
// time, whatever their start, and stores them: the window of a sync holds the entries
// that started in it, so without this an entry of last month edited, added or deleted
// today would wait for a full sync. Clockify marks these endpoints Experimental; a
// workspace or key they refuse (403, 404) is left to the window syncs, and returns 0.
// A deletion is confirmed by reading the entry, as in a window sync.
func (e *Engine) applyChanges(ctx context.Context, client *clockify.Client, workspaceID string, since, until time.Time) (int, error) {
	opts := &clockify.EntityChangeOptions{Types: []clockify.EntityType{clockify.EntityTimeEntry}, Start: since, End: until}
	now := e.now().UTC()
	idx, err := e.projectIndex(ctx, workspaceID)
	if err != nil {
		return 0, err
	}
	var put []Entry
	for _, changes := range []iter.Seq2[clockify.EntityChange, error]{
		client.EntityChanges.AllCreated(ctx, workspaceID, opts),
		client.EntityChanges.AllUpdated(ctx, workspaceID, opts),
	} {
		for ch, err := range changes {
			if refused(err) {
				e.log.InfoContext(ctx, "clockifysync: Clockify would not list entity changes", "workspace", workspaceID, "error", err)
				return 0, nil
			}
			if err != nil {
				return 0, err
			}
			if ch.TimeEntry != nil && ch.TimeEntry.ID != "" {
				put = append(put, e.entryOf(workspaceID, ch.TimeEntry, now, idx))
			}
		}
	}
	var gone []string
	for d, err := range client.EntityChanges.AllDeleted(ctx, workspaceID, opts) {
		if refused(err) {
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
	if err := e.store.PutEntries(ctx, put); err != nil {
		return 0, err
	}
	if err := e.store.MarkEntriesDeleted(ctx, workspaceID, gone, now); err != nil {
		return 0, err
	}
	return len(put) + len(gone), nil
}
