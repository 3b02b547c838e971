package sync_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// TestScheduledSyncCatchesOldEntries: an entry of last month edited, added or deleted
// today is outside any recent window; the scheduled sync finds it in Clockify's list of
// changes.
func TestScheduledSyncCatchesOldEntries(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	before, old := r.quietAfterASync(t) // the lists hold the day's entries already
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	edited := r.edit(t, old[0], "acme/web#808 found late")
	require.NoError(t, r.srv.DeleteTimeEntry(ws, old[1]))
	added := r.add(t, "forgotten", now.AddDate(0, 0, -25))

	res, err := r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, before.Changed+3, res.Changed, "the edit, the deletion and the addition")
	got, err := r.store.Entry(ctx, ws, edited.ID)
	require.NoError(t, err)
	require.Equal(t, "acme/web#808", got.Links[0].Target())
	r.requireMarkedDeleted(t, old[1], true, "deleted")
	r.requireMarkedDeleted(t, added.ID, false, "added")
}

// TestScheduledSyncFindsADeletionTheListLeavesOut: Clockify's list of deletions leaves
// out an entry created and deleted within the span asked for. One of last month that a
// delivery stored, whose deletion's delivery was lost, is read again because the
// deliveries named it and the lists of changes do not; an entry delivered and still
// listed costs no read, nor does one delivered before the span began. In a busy workspace
// the delivery that named it may be older than the log's newest 256: the log is read back
// to the span's start, and no further.
func TestScheduledSyncFindsADeletionTheListLeavesOut(t *testing.T) {
	t.Parallel()
	for _, later := range []int{0, 300} { // deliveries after the one that names it
		t.Run(fmt.Sprint(later, " deliveries after"), func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			r.connect(t)
			ws := r.fx.Workspace.ID
			ctx := t.Context()
			older := r.add(t, "acme/web#0 delivered before the span", now.AddDate(0, 0, -22))
			r.advance(25 * time.Hour) // so the second sync's span (a day back at most) starts after it
			_, err := r.eng.SyncScheduled(ctx, ws)
			require.NoError(t, err)
			r.advance(time.Hour)
			kept := r.add(t, "acme/web#1 kept", now.AddDate(0, 0, -20))
			deleted := r.add(t, "acme/web#2 deleted", now.AddDate(0, 0, -21))
			for i := range later {
				r.add(t, fmt.Sprint("acme/web#", i+3), now.AddDate(0, 0, -20))
			}
			log, err := r.store.Deliveries(ctx, ws, 1000)
			require.NoError(t, err)
			require.Equal(t, later, slices.IndexFunc(log, func(d webhook.Delivery) bool { return d.EntityID == deleted.ID }))
			r.hook.Close() // the deletion's delivery is lost
			require.NoError(t, r.srv.DeleteTimeEntry(ws, deleted.ID))
			r.requireMarkedDeleted(t, deleted.ID, false, "the store has not heard of the deletion")

			reads := r.srv.Requests("GET v1/workspaces/{ws}/time-entries/{id}")
			r.advance(time.Hour)
			_, err = r.eng.SyncScheduled(ctx, ws)
			require.NoError(t, err)
			r.requireMarkedDeleted(t, deleted.ID, true, "the deletion is found")
			require.Equal(t, reads+1, r.srv.Requests("GET v1/workspaces/{ws}/time-entries/{id}"), "only the entry not listed is read")
			r.requireMarkedDeleted(t, kept.ID, false, "kept")
			r.requireMarkedDeleted(t, older.ID, false, "delivered before the span, kept")
		})
	}
}

// TestAnEntryReadAgainCountsAsAChange: the entry read again because the deliveries
// named it and the lists of changes do not (TestScheduledSyncFindsADeletionTheListLeavesOut)
// counts in Result.Changed once, as it would have had the list named it.
func TestAnEntryReadAgainCountsAsAChange(t *testing.T) {
	t.Parallel()
	changed := func(deleted bool) int {
		r := newRig(t)
		r.connect(t)
		ws, ctx := r.fx.Workspace.ID, t.Context()
		_, err := r.eng.SyncScheduled(ctx, ws)
		require.NoError(t, err)
		r.advance(time.Hour)
		added := r.add(t, "acme/web#2", now.AddDate(0, 0, -21))
		r.hook.Close() // a deletion's delivery is lost
		if deleted {
			require.NoError(t, r.srv.DeleteTimeEntry(ws, added.ID))
		}
		r.advance(time.Hour)
		res, err := r.eng.SyncScheduled(ctx, ws)
		require.NoError(t, err)
		return res.Changed
	}
	listed := changed(false)
	require.Positive(t, listed)
	require.Equal(t, listed, changed(true))
}

// TestScheduledSyncFindsADeletionAfterTheReadThatStoredIt: with no webhook reaching the
// host (its public URL broken), an entry of last month added after one scheduled sync,
// stored by a read before the next, and deleted after that read, is found deleted by the
// next scheduled sync. Clockify's list of deletions leaves out an entry created and
// deleted within the span asked for, and that span starts at the last scheduled read of
// changes, or a day back (its window), before the read that stored the entry: that of
// the scheduled sync before (from its list of entries created), of a sync asked for by
// hand, or Connect's initial sync when the workspace is connected again. A sync of the
// last day after the deletion, which does not read the entry, changes nothing to that:
// every read since the last scheduled one counts.
func TestScheduledSyncFindsADeletionAfterTheReadThatStoredIt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, read    string
		syncRecentToo bool // after the deletion
	}{
		{"a scheduled sync", "scheduled", false},
		{"a scheduled sync, and a sync of the last day after the deletion", "scheduled", true},
		{"a sync", "sync", false},
		{"Connect again", "connect", false},
		{"Connect again, and a sync of the last day after the deletion", "connect", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			r.connect(t)
			r.hook.Close() // no webhook tells the engine
			ws := r.fx.Workspace.ID
			ctx := t.Context()
			_, err := r.eng.SyncScheduled(ctx, ws)
			require.NoError(t, err)
			r.advance(time.Hour)
			added := r.add(t, "acme/web#3 added late", now.AddDate(0, 0, -20))
			r.advance(2 * time.Minute) // added just before the read
			switch tc.read {
			case "scheduled":
				_, err = r.eng.SyncScheduled(ctx, ws)
			case "sync":
				_, err = r.eng.Sync(ctx, ws, clockifysync.Window{Start: r.clock().AddDate(0, 0, -30), End: r.clock()})
			default:
				if _, err = r.eng.Disconnect(ctx, ws); err == nil {
					r.connect(t)
				}
			}
			require.NoError(t, err)
			r.requireMarkedDeleted(t, added.ID, false, "stored by the read")

			r.advance(time.Hour)
			require.NoError(t, r.srv.DeleteTimeEntry(ws, added.ID))
			r.advance(time.Hour)
			if tc.syncRecentToo {
				_, err = r.eng.SyncRecent(ctx, ws)
				require.NoError(t, err)
				r.advance(time.Hour)
			}
			_, err = r.eng.SyncScheduled(ctx, ws)
			require.NoError(t, err)
			r.requireMarkedDeleted(t, added.ID, true, "the deletion is found")
			conn, err := r.store.Connection(ctx, ws)
			require.NoError(t, err)
			require.Empty(t, conn.WindowReads, "the reads it passed are forgotten")
		})
	}
}

// TestScheduledSyncFindsADeletionAfterASplitsRead: an entry of last month added after a
// scheduled sync, with no webhook to tell, is stored by the read a split of another entry
// of the member's makes over its time (a TIME_ENTRY_SPLIT delivery), and deleted after
// that read, also with no webhook to tell. Clockify's list of deletions leaves out an
// entry created and deleted within the span asked for: the next scheduled sync asks for
// it on each side of the split's read, and finds the deletion.
func TestScheduledSyncFindsADeletionAfterASplitsRead(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ws := r.fx.Workspace.ID
	day := now.AddDate(0, 0, -20)
	long, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: r.fx.Owner.ID, Description: "a long one",
		TimeInterval: clockify.TimeInterval{Start: day, End: new(day.Add(5 * time.Hour))}})
	require.NoError(t, err)
	r.connect(t)
	r.hook.Close() // no webhook tells the engine
	ctx := t.Context()
	_, err = r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	r.advance(time.Hour)
	added := r.add(t, "acme/web#3 added late", day.Add(time.Hour))
	r.advance(2 * time.Minute)
	later, err := r.srv.SplitTimeEntry(ws, long.ID, day.Add(4*time.Hour))
	require.NoError(t, err)
	require.NoError(t, r.eng.Apply(ctx, &webhook.Event{Kind: webhook.TimeEntryUpdated, Wire: clockify.EventTimeEntrySplit,
		WorkspaceID: ws, EntityID: later.ID, TimeEntry: &later}))
	r.requireMarkedDeleted(t, added.ID, false, "stored by the split's read")

	r.advance(time.Hour)
	require.NoError(t, r.srv.DeleteTimeEntry(ws, added.ID))
	r.advance(time.Hour)
	_, err = r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	r.requireMarkedDeleted(t, added.ID, true, "the deletion is found")
}

// TestScheduledSyncFindsADeletionListedLate: Clockify lists a deletion about a minute
// after it. An old entry deleted a moment before a scheduled sync read the changes is
// not listed to that sync, and the next one finds it, with no webhook to tell.
func TestScheduledSyncFindsADeletionListedLate(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	r.hook.Close() // no webhook tells the engine
	r.srv.SetDeletionLag(time.Minute)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	added := r.add(t, "acme/web#3 added late", now.AddDate(0, 0, -20))
	r.advance(time.Hour)
	_, err := r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)

	r.advance(time.Hour - 30*time.Second)
	require.NoError(t, r.srv.DeleteTimeEntry(ws, added.ID))
	r.advance(30 * time.Second)
	_, err = r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	r.requireMarkedDeleted(t, added.ID, false, "not listed yet")

	r.advance(time.Hour)
	_, err = r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	r.requireMarkedDeleted(t, added.ID, true, "the deletion is found")
}

// TestScheduledSyncGoesOnPastAnEntryItMayNotRead: an entry Clockify will not let the key
// read by id (403: a member's key reads only that member's entries) is left as stored
// when a scheduled sync would read it again, whether the list of deletions named it or a
// delivery did; the sync goes on, and a sync of its window decides.
func TestScheduledSyncGoesOnPastAnEntryItMayNotRead(t *testing.T) {
	t.Parallel()
	var mu gosync.Mutex
	hidden := map[string]bool{}
	r, _ := newRigBehind(t, func(w http.ResponseWriter, req *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		i := strings.LastIndex(req.URL.Path, "/time-entries/")
		return req.Method == http.MethodGet && i >= 0 && hidden[req.URL.Path[i+len("/time-entries/"):]] &&
			refuse(w, http.StatusForbidden, `{"message":"Access Denied","code":501}`)
	})
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	listed := r.inWindow(now.AddDate(0, 0, -30), now.AddDate(0, 0, -20))[0] // created long ago: its deletion is listed
	delivered := r.add(t, "acme/web#3 added late", now.AddDate(0, 0, -20)).ID
	r.hook.Close() // the deletions' deliveries are lost
	for _, id := range []string{listed, delivered} {
		require.NoError(t, r.srv.DeleteTimeEntry(ws, id))
		mu.Lock()
		hidden[id] = true
		mu.Unlock()
	}
	r.advance(time.Hour)
	_, err := r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	for _, id := range []string{listed, delivered} {
		r.requireMarkedDeleted(t, id, false, "not confirmed")
	}
}

// TestScheduledSyncGoesOnPastADeletionUndone: an entry restored (Clockify's undo of a
// deletion) after the list of deletions named it, and before the scheduled sync read it
// by id, is left as stored; the sync goes on to the deletion listed after it, and keeps
// the edit its lists of changes read before. Clockify reads page 0 as page 1, so the
// list, asked for again from page 1, no longer repeats the first answer (the restored
// entry left it) and names the later deletion a second time: it is read by id once, and
// counted once.
func TestScheduledSyncGoesOnPastADeletionUndone(t *testing.T) {
	t.Parallel()
	var (
		mu       gosync.Mutex
		undone   string // restored at its first read by id
		reads    = map[string]int{}
		restored error
	)
	var r *rig
	r, _ = newRigBehind(t, func(_ http.ResponseWriter, req *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		i := strings.LastIndex(req.URL.Path, "/time-entries/")
		if req.Method != http.MethodGet || i < 0 {
			return false
		}
		id := req.URL.Path[i+len("/time-entries/"):]
		if reads[id]++; id == undone && reads[id] == 1 {
			_, restored = r.srv.RestoreTimeEntry(r.fx.Workspace.ID, id)
		}
		return false
	})
	before, old := r.quietAfterASync(t)
	ws, ctx := r.fx.Workspace.ID, t.Context()
	edited := r.edit(t, old[0], "acme/web#808 found late")
	deleted := old[2]
	mu.Lock()
	undone = old[1]
	mu.Unlock()
	for _, id := range []string{undone, deleted} { // listed in this order
		require.NoError(t, r.srv.DeleteTimeEntry(ws, id))
	}

	res, err := r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.NoError(t, restored)
	require.Equal(t, map[string]int{undone: 1, deleted: 1}, reads, "each deletion listed is read once")
	r.requireMarkedDeleted(t, undone, false, "restored")
	r.requireMarkedDeleted(t, deleted, true, "listed after it")
	r.requireDescription(t, edited)
	require.Equal(t, before.Changed+2, res.Changed, "the edit and the deletion")
}

// TestScheduledSyncSkipsDeletionsItCannotRead: records of Clockify's list of deletions
// that are not a time entry, do not decode, or name an id no Clockify entry has (none,
// blank, a dot segment, holding NUL) are passed over: none is read by id or marked
// deleted, and the scheduled sync goes on to the deletion listed after them.
func TestScheduledSyncSkipsDeletionsItCannotRead(t *testing.T) {
	t.Parallel()
	var (
		mu    gosync.Mutex
		armed bool
		reads = map[string]int{}
	)
	r := newRigRewriting(t, func(req *http.Request) func(body any) {
		mu.Lock()
		defer mu.Unlock()
		if i := strings.LastIndex(req.URL.Path, "/time-entries/"); req.Method == http.MethodGet && i >= 0 {
			reads[req.URL.Path[i+len("/time-entries/"):]]++
		}
		if !armed || req.Method != http.MethodGet || !strings.HasSuffix(req.URL.Path, "/entities/deleted") ||
			req.URL.Query().Get("page") != "1" {
			return nil
		}
		return func(body any) {
			record := func(kind string, doc any) any {
				return map[string]any{"id": "bin-" + kind, "deletionBinId": "bin-" + kind, "deletedAt": now.Format(time.RFC3339),
					"documentType": kind, "eligibleForRestore": true, "document": doc}
			}
			bad := []any{
				record("PROJECT", map[string]any{"id": "p1", "name": "web"}),
				record("TIME_ENTRY", 42),
				record("TIME_ENTRY", map[string]any{"description": "no id"}),
			}
			for _, id := range []string{" ", "..", "a\x00b"} {
				bad = append(bad, record("TIME_ENTRY", map[string]any{"id": id}))
			}
			m := body.(map[string]any)
			list, _ := m["response"].([]any)
			m["response"] = append(bad, list...)
		}
	})
	before, old := r.quietAfterASync(t)
	ws, ctx := r.fx.Workspace.ID, t.Context()
	mu.Lock()
	armed, reads = true, map[string]int{}
	mu.Unlock()
	require.NoError(t, r.srv.DeleteTimeEntry(ws, old[0]))

	res, err := r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, map[string]int{old[0]: 1}, reads, "only the entry deleted is read by id")
	r.requireMarkedDeleted(t, old[0], true, "listed after the others")
	require.Equal(t, before.Changed+1, res.Changed, "the deletion")
}

// TestAnEntryChangedTwiceDuringTheReadCountsOnce: Result.Changed counts entries. One
// updated and then deleted while the lists of changes are read is in both, and is
// stored, then marked deleted; the updated list, changed between its first two requests
// (Clockify reads page 0 as page 1), names the entry of its first answer twice, which is
// stored as last read.
func TestAnEntryChangedTwiceDuringTheReadCountsOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		list    string // the list before whose request (page 1 when set) the fake changes
		page    string
		deleted bool // the edited entry is deleted then; else another is edited
		changed int
	}{
		{"updated, then deleted", "/entities/deleted", "", true, 1},
		{"the updated list shifted", "/entities/updated", "1", false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var during atomic.Pointer[func() error] // run once, before the list's request
			changed := make(chan error, 1)
			r, _ := newRigBehind(t, func(_ http.ResponseWriter, req *http.Request) bool {
				if strings.HasSuffix(req.URL.Path, tc.list) && req.URL.Query().Get("page") == tc.page {
					if fn := during.Swap(nil); fn != nil {
						changed <- (*fn)()
					}
				}
				return false
			})
			before, old := r.quietAfterASync(t)
			ws, ctx := r.fx.Workspace.ID, t.Context()
			edited := r.edit(t, old[0], "acme/web#808 found late")
			other := r.srv.TimeEntries(ws)[slices.IndexFunc(r.srv.TimeEntries(ws), func(e clockify.TimeEntry) bool { return e.ID == old[1] })]
			other.Description = "acme/web#809 edited meanwhile"
			change := func() error {
				if tc.deleted {
					return r.srv.DeleteTimeEntry(ws, edited.ID)
				}
				_, err := r.srv.UpdateTimeEntry(ws, other)
				return err
			}
			during.Store(&change)

			res, err := r.eng.SyncScheduled(ctx, ws)
			require.NoError(t, err)
			require.Len(t, changed, 1, "the fake changed")
			require.NoError(t, <-changed)
			require.Equal(t, before.Changed+tc.changed, res.Changed)
			if tc.deleted {
				r.requireMarkedDeleted(t, edited.ID, true, "deleted after its edit")
				return
			}
			r.requireDescription(t, edited)
			r.requireDescription(t, other)
		})
	}
}

// TestScheduledSyncWithoutChangeLists: Clockify's lists of changes are Experimental; when
// it finds the request bad (400), serves them no more (404), or refuses them (403: all,
// to a member's key, or the deletions), the scheduled sync still stores its window, does not ask for those
// changes again, and reads the connection's initial window instead: an old entry edited
// or deleted meanwhile, with no webhook to tell, is found.
func TestScheduledSyncWithoutChangeLists(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		lists  string // the lists answered
		status int    // with this status (0: the fake's own answer)
		body   string
		member bool // connected with a member's key, whom the fake refuses the lists
	}{
		{"bad request", "/entities/", http.StatusBadRequest, `{"message":"Date range is too long","code":3001}`, false},
		{"gone", "/entities/", http.StatusNotFound, `{"message":"No static resource v1/workspaces/entities/created.","code":3000}`, false},
		{"deletions refused", "/entities/deleted", http.StatusForbidden, `{"message":"Access Denied","code":501}`, false},
		{"a member's key", "", 0, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, _ := newRigBehind(t, func(w http.ResponseWriter, req *http.Request) bool {
				return tc.status != 0 && strings.Contains(req.URL.Path, tc.lists) && refuse(w, tc.status, tc.body)
			})
			ws, ctx := r.fx.Workspace.ID, t.Context()
			key, user := r.fx.OwnerKey, r.fx.Owner.ID
			if tc.member {
				i := slices.IndexFunc(r.fx.Members, func(m clockifytest.Member) bool { return !m.Admin && m.APIKey != "" })
				require.GreaterOrEqual(t, i, 0)
				key, user = r.fx.Members[i].APIKey, r.fx.Members[i].User.ID
			}
			_, err := r.eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: key, WorkspaceID: ws}) // no webhook tells the engine
			require.NoError(t, err)
			var old []string // the key user's entries of 20 to 29 days ago
			for _, e := range r.srv.TimeEntries(ws) {
				if e.UserID == user && e.TimeInterval.Start.After(now.AddDate(0, 0, -29)) && e.TimeInterval.Start.Before(now.AddDate(0, 0, -20)) {
					old = append(old, e.ID)
				}
			}
			require.GreaterOrEqual(t, len(old), 2)
			edited := r.edit(t, old[0], "acme/web#808 edited with no list of changes")
			require.NoError(t, r.srv.DeleteTimeEntry(ws, old[1]))
			start := now.Add(-3 * time.Hour)
			added, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: user, Description: "#9 logged today",
				TimeInterval: clockify.TimeInterval{Start: start, End: new(start.Add(time.Hour))}})
			require.NoError(t, err)

			r.advance(time.Hour)
			res, err := r.eng.SyncScheduled(ctx, ws)
			require.NoError(t, err)
			require.Equal(t, tc.lists == "/entities/deleted", res.Changed > 0, "changes listed")
			_, err = r.store.Entry(ctx, ws, added.ID)
			require.NoError(t, err, "the window was synced")
			r.requireDescription(t, edited)
			r.requireMarkedDeleted(t, old[1], true, "the deletion is found")
			require.Equal(t, 1, res.Deleted)
			require.GreaterOrEqual(t, res.Stored, len(old), "the older days' entries counted with the window's")
			conn, err := r.store.Connection(ctx, ws)
			require.NoError(t, err)
			require.True(t, conn.ChangesRead.Equal(res.Window.End), "%v", conn.ChangesRead)
			require.True(t, conn.LastSync.Equal(res.Window.End), "%v", conn.LastSync)
		})
	}
}

// TestFailedChangeListIsReadAgain: when Clockify fails a scheduled sync's list of
// changes (after the client's retries), the next scheduled sync reads the changes of
// that time again, however long after it runs: an old entry edited then is not lost.
func TestFailedChangeListIsReadAgain(t *testing.T) {
	t.Parallel()
	var failing atomic.Bool
	r, _ := newRigBehind(t, func(w http.ResponseWriter, req *http.Request) bool {
		return failing.Load() && strings.Contains(req.URL.Path, "/entities/") &&
			refuse(w, http.StatusInternalServerError, `{"message":"Internal server error","code":500}`)
	})
	r.connect(t)
	r.hook.Close() // no webhook tells the engine
	ws := r.fx.Workspace.ID
	ctx := t.Context()

	r.advance(2 * time.Hour)
	edited := r.editOld(t, "acme/web#808 edited while the list failed")
	r.advance(23 * time.Hour) // a daily schedule's sync
	failing.Store(true)
	_, err := r.eng.SyncScheduled(ctx, ws)
	require.Error(t, err)
	failing.Store(false)

	r.advance(24 * time.Hour) // the next one
	res, err := r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Positive(t, res.Changed)
	r.requireDescription(t, edited)
}

// TestChangesReadSince: a scheduled sync reads Clockify's changes from an hour before the
// last read of them ended, when that is before its window, but no more than
// MaxInitialDays back (30 days at a time), and records where this read ended.
func TestChangesReadSince(t *testing.T) {
	t.Parallel()
	var mu gosync.Mutex
	var starts []string
	r, _ := newRigBehind(t, func(_ http.ResponseWriter, req *http.Request) bool {
		if strings.Contains(req.URL.Path, "/entities/") {
			mu.Lock()
			starts = append(starts, req.URL.Query().Get("start"))
			mu.Unlock()
		}
		return false
	})
	conn := r.connect(t).Connection
	require.True(t, conn.ChangesRead.Equal(now), "the initial sync's end: %v", conn.ChangesRead)
	r.hook.Close() // no webhook tells the engine
	ws := r.fx.Workspace.ID
	ctx := t.Context()

	r.advance(time.Hour)
	for _, tc := range []struct {
		name       string
		read, want time.Time
	}{
		{"read last hour: the window", r.clock().Add(-time.Hour), r.clock().Add(-clockifysync.IncrementalWindow)},
		{"read three days ago", r.clock().AddDate(0, 0, -3), r.clock().AddDate(0, 0, -3).Add(-time.Hour)},
		{"read 400 days ago", r.clock().AddDate(0, 0, -400), r.clock().AddDate(0, 0, -clockifysync.MaxInitialDays)},
	} {
		require.NoError(t, r.store.UpdateConnection(ctx, ws, func(c *clockifysync.Connection) error {
			c.ChangesRead = tc.read
			return nil
		}), tc.name)
		mu.Lock()
		starts = nil
		mu.Unlock()
		_, err := r.eng.SyncScheduled(ctx, ws)
		require.NoError(t, err, tc.name)
		mu.Lock()
		require.NotEmpty(t, starts, tc.name)
		require.Equal(t, tc.want.Format(time.RFC3339), slices.Min(starts), tc.name) // UTC: sorts as it reads
		mu.Unlock()
		conn, err := r.store.Connection(ctx, ws)
		require.NoError(t, err)
		require.True(t, conn.ChangesRead.Equal(r.clock()), "%s: %v", tc.name, conn.ChangesRead)
	}
}

// TestDeliveryDuringTheChangesReadIsKept: an old entry edited, delivered and applied
// while a scheduled sync reads Clockify's list of changes, after the list was read and
// before its entries are stored, is left as the delivery stored it.
func TestDeliveryDuringTheChangesReadIsKept(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	old := r.editOld(t, "#1 edited, listed among the changes")
	var armed atomic.Bool
	armed.Store(true)
	hook := func(info clockifytest.RequestInfo) {
		// The lists of entries created and updated are read whole by then.
		if info.Route == "GET v1/workspaces/{ws}/entities/deleted" && armed.CompareAndSwap(true, false) {
			r.edit(t, old.ID, "#2 edited while the changes were read")
		}
	}
	r.onRequest.Store(&hook)

	_, err := r.eng.SyncScheduled(t.Context(), ws)
	require.NoError(t, err)
	require.False(t, armed.Load(), "the entry was edited while the changes were read")
	got, err := r.store.Entry(t.Context(), ws, old.ID)
	require.NoError(t, err)
	require.Equal(t, "#2 edited while the changes were read", got.Description)
}

// TestLongChangeReadsAreCut: Clockify documents no longest range for its lists of
// changes, and takes 30 days when a request gives no start or no end; a scheduled sync
// after a long gap asks for the changes 30 days at a time, so that a server refusing
// longer ranges loses none.
func TestLongChangeReadsAreCut(t *testing.T) {
	t.Parallel()
	const month = 30 * 24 * time.Hour
	var longest atomic.Int64
	r, _ := newRigBehind(t, func(w http.ResponseWriter, req *http.Request) bool {
		if !strings.Contains(req.URL.Path, "/entities/") {
			return false
		}
		start, err1 := time.Parse(time.RFC3339, req.URL.Query().Get("start"))
		end, err2 := time.Parse(time.RFC3339, req.URL.Query().Get("end"))
		if err1 != nil || err2 != nil {
			return refuse(w, http.StatusBadRequest, `{"message":"start and end expected","code":501}`)
		}
		if d := end.Sub(start); d > time.Duration(longest.Load()) {
			longest.Store(int64(d))
		}
		return end.Sub(start) > month && refuse(w, http.StatusBadRequest, `{"message":"Date range is too long","code":501}`)
	})
	r.connect(t)
	r.hook.Close() // no webhook tells the engine
	ws := r.fx.Workspace.ID
	r.advance(2 * time.Hour)
	edited := r.editOld(t, "acme/web#909 edited before a long gap")
	r.advance(40 * 24 * time.Hour)

	res, err := r.eng.SyncScheduled(t.Context(), ws)
	require.NoError(t, err)
	require.Positive(t, res.Changed)
	require.LessOrEqual(t, time.Duration(longest.Load()), month)
	r.requireDescription(t, edited)
}

// TestManualSyncLeavesTheChangesToRead: a manual sync between two scheduled ones moves
// the end of the last sync, not where the changes were read to: the next scheduled sync
// still reads the changes made since the last one.
func TestManualSyncLeavesTheChangesToRead(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	r.hook.Close() // no webhook tells the engine
	ws := r.fx.Workspace.ID
	ctx := t.Context()

	r.advance(2 * time.Hour)
	edited := r.editOld(t, "acme/web#707 edited before a manual sync")
	r.advance(20 * time.Hour)
	_, err := r.eng.SyncRecent(ctx, ws) // by hand: the last 24 hours
	require.NoError(t, err)
	r.advance(24 * time.Hour) // the daily sync, due a day after the manual one
	res, err := r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Positive(t, res.Changed)
	r.requireDescription(t, edited)
}

// requireMarkedDeleted checks that the store holds an entry, marked deleted or not.
func (r *rig) requireMarkedDeleted(t *testing.T, id string, deleted bool, msg string) {
	t.Helper()
	got, err := r.store.Entry(t.Context(), r.fx.Workspace.ID, id)
	require.NoError(t, err, "%s: %s", msg, id)
	require.Equal(t, deleted, !got.Deleted.IsZero(), "%s: %s", msg, id)
}

// quietAfterASync connects the rig, has a scheduled sync read what Clockify's lists of
// changes hold already, and closes the engine's webhook endpoint, so that no delivery
// tells of what follows. It returns that sync's Result and the ids of the fake's entries
// of last month (started 20 to 30 days before now), which no recent window holds.
func (r *rig) quietAfterASync(t *testing.T) (*clockifysync.Result, []string) {
	t.Helper()
	r.connect(t)
	res, err := r.eng.SyncScheduled(t.Context(), r.fx.Workspace.ID)
	require.NoError(t, err)
	r.hook.Close()
	old := r.inWindow(now.AddDate(0, 0, -30), now.AddDate(0, 0, -20))
	require.GreaterOrEqual(t, len(old), 3)
	return res, old
}
