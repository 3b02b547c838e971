package sync_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestScheduledSyncCatchesOldEntries: an entry of last month edited, added or deleted
// today is outside any recent window; the scheduled sync finds it in Clockify's list of
// changes.
func TestScheduledSyncCatchesOldEntries(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	r.hook.Close() // no webhook tells the engine
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	old := r.inWindow(now.AddDate(0, 0, -30), now.AddDate(0, 0, -20))
	require.GreaterOrEqual(t, len(old), 2)
	before, err := r.eng.SyncScheduled(ctx, ws) // what the lists hold already (the day's entries)
	require.NoError(t, err)
	edited := r.edit(t, old[0], "acme/web#808 found late")
	require.NoError(t, r.srv.DeleteTimeEntry(ws, old[1]))
	added := r.add(t, "forgotten", now.AddDate(0, 0, -25))

	res, err := r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, before.Changed+3, res.Changed, "the edit, the deletion and the addition")
	got, err := r.store.Entry(ctx, ws, edited.ID)
	require.NoError(t, err)
	require.Equal(t, "acme/web#808", got.Links[0].Target())
	got, err = r.store.Entry(ctx, ws, old[1])
	require.NoError(t, err)
	require.False(t, got.Deleted.IsZero())
	_, err = r.store.Entry(ctx, ws, added.ID)
	require.NoError(t, err)
}

// TestScheduledSyncWithoutChangeLists: Clockify's lists of changes are Experimental; when
// it finds the request bad (400), the scheduled sync still stores its window.
func TestScheduledSyncWithoutChangeLists(t *testing.T) {
	t.Parallel()
	r, _ := newRigBehind(t, func(w http.ResponseWriter, req *http.Request) bool {
		return strings.Contains(req.URL.Path, "/entities/") && refuse(w, http.StatusBadRequest, `{"message":"Date range is too long","code":3001}`)
	})
	r.connect(t)
	r.hook.Close() // no webhook tells the engine
	added := r.add(t, "#9 logged today", now.Add(-3*time.Hour))

	res, err := r.eng.SyncScheduled(t.Context(), r.fx.Workspace.ID)
	require.NoError(t, err)
	require.Zero(t, res.Changed)
	_, err = r.store.Entry(t.Context(), r.fx.Workspace.ID, added.ID)
	require.NoError(t, err, "the window was synced")
}
