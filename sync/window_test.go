package sync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/analytics"
	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

func TestSyncFollowsClockify(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		r := newRigOn(t, store)
		r.connect(t)
		r.hook.Close() // no webhook reaches the engine: only a sync can tell it
		ws := r.fx.Workspace.ID
		ctx := t.Context()
		window := clockifysync.Window{Start: now.AddDate(0, 0, -30), End: now}
		before := r.inWindow(window.Start, window.End)

		gone := before[3]
		require.NoError(t, r.srv.DeleteTimeEntry(ws, gone))
		edited := r.edit(t, before[5], "acme/api#4242 after review")
		added := r.add(t, "PR-77 https://github.com/acme/web/pull/78", now.Add(-3*time.Hour))
		gets := r.srv.Requests("GET v1/workspaces/{ws}/time-entries/{id}")

		res, err := r.eng.Sync(ctx, ws, window)
		require.NoError(t, err)
		require.Equal(t, 1, res.Deleted)
		require.False(t, res.Resumed)
		after := r.inWindow(window.Start, window.End)
		require.Equal(t, after, r.stored(t, clockifysync.EntryQuery{}))
		require.Contains(t, after, added.ID)
		require.NotContains(t, after, gone)
		require.Equal(t, gets+1, r.srv.Requests("GET v1/workspaces/{ws}/time-entries/{id}"), "only the missing entry is read by id")

		deleted, err := r.store.Entry(ctx, ws, gone)
		require.NoError(t, err)
		require.True(t, deleted.Deleted.Equal(now), "kept, marked deleted")
		got, err := r.store.Entry(ctx, ws, edited.ID)
		require.NoError(t, err)
		require.Equal(t, edited.Description, got.Description)
		require.Len(t, got.Links, 1)
		require.Equal(t, "acme/api#4242", got.Links[0].Target())
		got, err = r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		require.Len(t, got.Links, 2)
		require.Equal(t, "#77", got.Links[0].Target(), "a bare number in an unmapped project stays unresolved")
		require.Equal(t, "PR-77", got.Links[0].Text)
		require.Equal(t, "acme/web#78", got.Links[1].Target())

		// Again: nothing new, nothing duplicated.
		res, err = r.eng.Sync(ctx, ws, window)
		require.NoError(t, err)
		require.Zero(t, res.Deleted)
		require.Equal(t, len(after), res.Stored)
		require.Equal(t, after, r.stored(t, clockifysync.EntryQuery{}))
		all := r.stored(t, clockifysync.EntryQuery{IncludeDeleted: true})
		require.Len(t, all, len(after)+1)
	})
}

// TestUnknownRouteIsNoDeletion: Clockify's 404 for a path it has no route for (code
// 3000) says nothing of the entity asked for. A delivery whose entry is read again so
// answered is refused (503, for Clockify to send it again) and changes nothing; an entry
// missing from a sync's list and so answered when read by id fails the sync, marking
// nothing deleted. Answered again, the redelivery and the next sync do their work.
func TestUnknownRouteIsNoDeletion(t *testing.T) {
	t.Parallel()
	var noRoute atomic.Bool
	r, _ := newRigBehind(t, func(w http.ResponseWriter, req *http.Request) bool {
		return noRoute.Load() && req.Method == http.MethodGet && path.Base(path.Dir(req.URL.Path)) == "time-entries" &&
			refuse(w, http.StatusNotFound, `{"message":"No static resource `+strings.TrimPrefix(req.URL.Path, "/api/")+`.","code":3000}`)
	})
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	window := clockifysync.Window{Start: now.AddDate(0, 0, -30), End: now}
	ids := r.inWindow(window.Start, window.End)
	requireDeleted := func(id string, deleted bool) {
		t.Helper()
		entry, err := r.store.Entry(ctx, ws, id)
		require.NoError(t, err)
		require.Equal(t, deleted, !entry.Deleted.IsZero())
	}

	noRoute.Store(true)
	edited := r.edit(t, ids[5], "acme/api#4242 after review")
	ds := r.srv.Deliveries()
	d := ds[len(ds)-1]
	require.Equal(t, clockify.EventTimeEntryUpdated, d.Event)
	require.Equal(t, http.StatusServiceUnavailable, d.StatusCode)
	kept, err := r.store.Entry(ctx, ws, edited.ID)
	require.NoError(t, err)
	require.True(t, kept.Deleted.IsZero(), "not marked deleted")
	require.NotEqual(t, edited.Description, kept.Description, "nor changed")
	noRoute.Store(false)
	require.Equal(t, "ok\n", r.resend(t, d))
	r.requireDescription(t, edited)

	r.hook.Close() // no webhook reaches the engine: only a sync can tell it
	gone := ids[3]
	require.NoError(t, r.srv.DeleteTimeEntry(ws, gone))
	noRoute.Store(true)
	_, err = r.eng.Sync(ctx, ws, window)
	var ae *clockify.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 3000, ae.Code)
	requireDeleted(gone, false)
	noRoute.Store(false)
	res, err := r.eng.Sync(ctx, ws, window)
	require.NoError(t, err)
	require.Equal(t, 1, res.Deleted)
	requireDeleted(gone, true)
}

// TestSyncFindsDeletedProjects: a project deleted in Clockify while no webhook reached
// the engine is marked deleted by the next sync (an admin's key lists every project), and
// is no longer offered for mapping.
func TestSyncFindsDeletedProjects(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	r.hook.Close() // no webhook tells the engine
	ws, gone := r.fx.Workspace.ID, []string{r.fx.Projects[1].ID, r.fx.Projects[2].ID}
	ctx := t.Context()
	for _, p := range r.fx.Projects[1:3] {
		p.Archived = true // Clockify deletes archived projects only
		_, err := r.srv.UpdateProject(ws, p)
		require.NoError(t, err)
		require.NoError(t, r.srv.DeleteProject(ws, p.ID))
	}
	const readByID = "GET v1/workspaces/{ws}/projects/{id}"
	reads := r.srv.Requests(readByID)
	_, err := r.eng.SyncRecent(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, reads+len(gone), r.srv.Requests(readByID), "only the projects missing from the list read by id")
	_, err = r.eng.SyncRecent(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, reads+len(gone), r.srv.Requests(readByID), "those stored deleted not read again")

	projects, err := r.store.Projects(ctx, ws)
	require.NoError(t, err)
	require.Len(t, projects, len(r.fx.Projects), "kept, for the history of their entries")
	for _, p := range projects {
		require.Equal(t, slices.Contains(gone, p.ID), !p.Deleted.IsZero(), "project %s deleted at %v", p.Name, p.Deleted)
	}
	unmapped, err := r.eng.UnmappedProjects(ctx, ws)
	require.NoError(t, err)
	require.Len(t, unmapped, len(r.fx.Projects)-len(gone))
	require.False(t, slices.ContainsFunc(unmapped, func(p clockifysync.Project) bool { return slices.Contains(gone, p.ID) }))
}

func TestSyncResumesAfterCancel(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		r := newRigOn(t, store, clockifysync.WithConcurrency(1))
		_, err := r.eng.Connect(t.Context(), clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: r.fx.Workspace.ID, InitialDays: 1})
		require.NoError(t, err)
		ws := r.fx.Workspace.ID
		window := clockifysync.Window{Start: now.AddDate(0, 0, -30), End: now}

		run := r.interrupt(t, func(ctx context.Context) error {
			_, err := r.eng.Sync(ctx, ws, window)
			return err
		})
		conn, err := r.store.Connection(t.Context(), ws)
		require.NoError(t, err)
		require.Contains(t, conn.LastError, "context canceled")

		before := r.lists.Load()
		res, err := r.eng.Sync(t.Context(), ws, window)
		require.NoError(t, err)
		require.True(t, res.Resumed)
		require.Equal(t, int64(len(r.fx.Members)-len(run.Done)), r.lists.Load()-before, "members done are not read again")
		require.Equal(t, r.inWindow(window.Start, window.End), r.stored(t, clockifysync.EntryQuery{}))
		_, pending, err := r.store.PendingRun(t.Context(), ws)
		require.NoError(t, err)
		require.False(t, pending)
		conn, err = r.store.Connection(t.Context(), ws)
		require.NoError(t, err)
		require.Empty(t, conn.LastError)
	})
}

func TestSyncRefusesBadWindows(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	for name, w := range map[string]clockifysync.Window{
		"empty":          {},
		"no start":       {End: now},
		"reversed":       {Start: now, End: now.Add(-time.Hour)},
		"zero length":    {Start: now, End: now},
		"over 365 days":  {Start: now.AddDate(-1, 0, -2), End: now},
		"no end":         {Start: now},
		"far in reverse": {Start: now.AddDate(1, 0, 0), End: now},
	} {
		before := r.lists.Load()
		_, err := r.eng.Sync(t.Context(), ws, w)
		require.ErrorIs(t, err, clockifysync.ErrInput, name)
		require.Equal(t, before, r.lists.Load(), "%s: nothing read", name)
	}
	_, err := r.eng.Sync(t.Context(), "not-connected", clockifysync.Window{Start: now.Add(-time.Hour), End: now})
	require.ErrorIs(t, err, clockifysync.ErrNotConnected)
	_, ok, err := r.store.PendingRun(t.Context(), ws)
	require.NoError(t, err)
	require.False(t, ok, "no run started")
}

// TestSyncWithRevokedKey: once Clockify refuses the stored key (its user generated a new
// one), a sync fails with ErrInvalidAPIKey, and the connection records what to do.
func TestSyncWithRevokedKey(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	r.srv.RevokeAPIKey(r.fx.OwnerKey)

	for name, sync := range map[string]func() error{
		"recent":    func() error { _, err := r.eng.SyncRecent(t.Context(), ws); return err },
		"scheduled": func() error { _, err := r.eng.SyncScheduled(t.Context(), ws); return err },
	} {
		err := sync()
		require.ErrorIs(t, err, clockifysync.ErrInvalidAPIKey, name)
		require.ErrorIs(t, err, clockify.ErrInvalidAPIKey, name)
		require.NotContains(t, err.Error(), r.fx.OwnerKey, name)
		conn, err := r.store.Connection(t.Context(), ws)
		require.NoError(t, err)
		require.Equal(t, clockifysync.ErrInvalidAPIKey.Error(), conn.LastError, name)
	}
	require.NotContains(t, r.logs.String(), "recording a failed sync", "recorded")

	// A failure the store cannot record (its first write) is logged, and the sync's own
	// error returned.
	_, err := r.replica(t, &failingStore{Store: r.store, nth: 1}).SyncRecent(t.Context(), ws)
	require.ErrorIs(t, err, clockifysync.ErrInvalidAPIKey)
	require.Contains(t, r.logs.String(), "recording a failed sync")
	require.Contains(t, r.logs.String(), errStoreDown.Error())
}

// TestSyncStoresEveryEntryOfABusyMember: a member with more entries in the window than
// a page of the list (1,000) or a write of the store holds has every one stored.
func TestSyncStoresEveryEntryOfABusyMember(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	from := now.AddDate(0, 0, -29)
	for i := range 1100 {
		r.add(t, fmt.Sprint("#", i+1), from.Add(time.Duration(i)*30*time.Minute))
	}
	res := r.connect(t) // before any webhook: only the initial sync stores them
	want := r.inWindow(res.InitialSync.Window.Start, res.InitialSync.Window.End)
	require.Greater(t, len(want), 1100)
	require.Equal(t, want, r.stored(t, clockifysync.EntryQuery{}))
	require.Equal(t, len(want), res.InitialSync.Stored)
}

func TestWaitForASyncEndsWithTheContext(t *testing.T) {
	t.Parallel()
	waiting := make(chan struct{}, 1)
	r := newRig(t, clockifysync.WithLogger(slog.New(signalOn{"waiting for the sync", waiting})))
	r.connect(t)
	ws := r.fx.Workspace.ID
	var started atomic.Bool
	waited := make(chan error, 1)
	// While the first sync reads, a second waits for it until its context ends.
	hook := func(info clockifytest.RequestInfo) {
		if info.Route == listRoute && started.CompareAndSwap(false, true) {
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() {
				_, err := r.eng.SyncRecent(ctx, ws)
				done <- err
			}()
			<-waiting
			cancel()
			waited <- <-done
		}
	}
	r.onRequest.Store(&hook)

	_, err := r.eng.SyncRecent(t.Context(), ws)
	require.NoError(t, err)
	require.True(t, started.Load())
	require.ErrorIs(t, <-waited, context.Canceled)
}

func TestWindowValidate(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	year := clockifysync.MaxInitialDays * 24 * time.Hour
	day := func(y int, m time.Month, d int, loc *time.Location) time.Time {
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	for _, tc := range []struct {
		name string
		w    clockifysync.Window
		ok   bool
	}{
		{"a day", clockifysync.Window{Start: start, End: start.Add(24 * time.Hour)}, true},
		{"a year and the hour daylight saving may add", clockifysync.Window{Start: start, End: start.Add(year + time.Hour)}, true},
		{"longer", clockifysync.Window{Start: start, End: start.Add(year + time.Hour + time.Nanosecond)}, false},
		{"no start", clockifysync.Window{End: start}, false},
		{"no end", clockifysync.Window{Start: start}, false},
		{"empty", clockifysync.Window{Start: start, End: start}, false},
		{"backwards", clockifysync.Window{Start: start, End: start.Add(-time.Hour)}, false},
		// Clockify's times are of the years 1 to 9999 (UTC), as JSON's are. The first
		// instant of the year 1 is the zero time: no start.
		{"from the year 1", clockifysync.Window{Start: day(1, 1, 1, time.UTC).Add(time.Hour), End: day(1, 1, 2, time.UTC)}, true},
		{"to the last day of 9999", clockifysync.Window{Start: day(9999, 12, 30, time.UTC), End: day(9999, 12, 31, time.UTC)}, true},
		{"from the year 0", clockifysync.Window{Start: day(0, 12, 31, time.UTC), End: day(1, 1, 1, time.UTC).Add(time.Hour)}, false},
		{"from the year 1 east of UTC: the year 0 in UTC", clockifysync.Window{Start: day(1, 1, 1, time.FixedZone("+1", 3600)), End: day(1, 1, 2, time.UTC)}, false},
		{"to the year 10000", clockifysync.Window{Start: day(9999, 12, 31, time.UTC), End: day(10000, 1, 1, time.UTC)}, false},
	} {
		err := tc.w.Validate()
		if tc.ok {
			require.NoError(t, err, tc.name)
			continue
		}
		require.ErrorIs(t, err, clockifysync.ErrInput, tc.name)
	}
	// What is wrong is said.
	for want, w := range map[string]clockifysync.Window{
		"a start before an end": {End: start},
		"at most 365 days":      {Start: start, End: start.Add(year + 2*time.Hour)},
		"the years 1 to 9999":   {Start: day(0, 12, 31, time.UTC), End: day(1, 1, 1, time.UTC).Add(time.Hour)},
	} {
		require.ErrorContains(t, w.Validate(), want)
	}
}

// TestNulCharactersAreStored: Clockify takes a NUL character in a description or a name;
// PostgreSQL refuses it in text. The engine stores U+FFFD in its place on every store, so
// that one such entry cannot fail every sync of its workspace.
func TestNulCharactersAreStored(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		r := newRigOn(t, store)
		ctx := t.Context()
		ws := r.fx.Workspace.ID
		member := r.srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Zoë\x00", Email: "zoe@example.com"}})
		project, err := r.srv.AddProject(ws, clockify.Project{Name: "web\x00app"})
		require.NoError(t, err)
		synced, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: r.fx.Owner.ID, Description: "#4 before\x00connecting",
			TimeInterval: clockify.TimeInterval{Start: now.Add(-2 * time.Hour), End: new(now.Add(-time.Hour))}})
		require.NoError(t, err)
		r.connect(t)
		delivered := r.add(t, "#5 after\x00connecting", now.Add(-time.Hour))

		for id, want := range map[string]string{synced.ID: "#4 before\uFFFDconnecting", delivered.ID: "#5 after\uFFFDconnecting"} {
			got, err := r.store.Entry(ctx, ws, id)
			require.NoError(t, err)
			require.Equal(t, want, got.Description)
		}
		members, err := r.store.Members(ctx, ws)
		require.NoError(t, err)
		require.True(t, slices.ContainsFunc(members, func(m clockifysync.Member) bool { return m.ID == member.ID && m.Name == "Zoë\uFFFD" }))
		projects, err := r.store.Projects(ctx, ws)
		require.NoError(t, err)
		require.True(t, slices.ContainsFunc(projects, func(p clockifysync.Project) bool { return p.ID == project.ID && p.Name == "web\uFFFDapp" }))
	})
}

// TestFailureWithAnyBytesIsRecorded: a failed sync's error may quote an answer that is
// not Clockify's JSON (a proxy's error page, in any encoding); the connection records it
// on every store, as valid UTF-8.
func TestFailureWithAnyBytesIsRecorded(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		var fail atomic.Bool
		r, _ := newRigBehindOn(t, store, func(w http.ResponseWriter, req *http.Request) bool {
			if !fail.Load() || !strings.Contains(req.URL.Path, "/time-entries") {
				return false
			}
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte("proxy error: caf\xe9 \x00 closed"))
			return true
		})
		r.connect(t)
		fail.Store(true)
		_, err := r.eng.SyncRecent(t.Context(), r.fx.Workspace.ID)
		require.Error(t, err)
		conn, err := r.store.Connection(t.Context(), r.fx.Workspace.ID)
		require.NoError(t, err)
		require.Contains(t, conn.LastError, "proxy error: caf\uFFFD \uFFFD closed")
	})
}

// TestSyncFollowsAnEntryMovedOutOfItsWindow: an entry whose start was moved out of the
// window is not listed with it, but Clockify still has it: read by id, it is stored as
// it is now, not marked deleted.
func TestSyncFollowsAnEntryMovedOutOfItsWindow(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	r.hook.Close() // no webhook reaches the engine: only a sync can tell it
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	window := clockifysync.Window{Start: now.AddDate(0, 0, -30), End: now}
	id := r.inWindow(window.Start, window.End)[0]
	i := slices.IndexFunc(r.srv.TimeEntries(ws), func(e clockify.TimeEntry) bool { return e.ID == id })
	moved := r.srv.TimeEntries(ws)[i]
	start := now.AddDate(0, 0, -40)
	moved.TimeInterval = clockify.TimeInterval{Start: start, End: new(start.Add(time.Hour))}
	_, err := r.srv.UpdateTimeEntry(ws, moved)
	require.NoError(t, err)

	res, err := r.eng.Sync(ctx, ws, window)
	require.NoError(t, err)
	require.Zero(t, res.Deleted)
	got, err := r.store.Entry(ctx, ws, id)
	require.NoError(t, err)
	require.True(t, got.Deleted.IsZero(), "not deleted")
	require.True(t, got.Start.Equal(start), "stored as Clockify has it: %v", got.Start)
}

// TestSyncSkipsARefusedMember: a member whose entries Clockify will not list (403: the
// key's user lost admin rights, say) is skipped, and reported; their stored entries
// stay as they were, and the other members' are synced.
func TestSyncSkipsARefusedMember(t *testing.T) {
	t.Parallel()
	var refused atomic.Pointer[map[string]bool] // the members whose entries Clockify will not list
	r, _ := newRigBehind(t, func(w http.ResponseWriter, req *http.Request) bool {
		_, rest, _ := strings.Cut(req.URL.Path, "/user/")
		id, _, _ := strings.Cut(rest, "/")
		return refused.Load() != nil && (*refused.Load())[id] && strings.HasSuffix(req.URL.Path, "/time-entries") &&
			refuse(w, http.StatusForbidden, `{"message":"Access Denied","code":501}`)
	})
	r.connect(t)
	r.hook.Close() // no webhook reaches the engine: only a sync can tell it
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	window := clockifysync.Window{Start: now.AddDate(0, 0, -30), End: now}
	member := r.fx.Members[1].User.ID
	theirs := r.stored(t, clockifysync.EntryQuery{UserID: member})
	require.NotEmpty(t, theirs)
	require.NoError(t, r.srv.DeleteTimeEntry(ws, theirs[0]))
	added := r.add(t, "#12 the owner's", now.Add(-time.Hour))

	refused.Store(&map[string]bool{member: true})
	res, err := r.eng.Sync(ctx, ws, window)
	require.NoError(t, err)
	require.Equal(t, []string{member}, res.Skipped)
	require.Zero(t, res.Deleted)
	require.Equal(t, theirs, r.stored(t, clockifysync.EntryQuery{UserID: member}), "left as they were")
	_, err = r.store.Entry(ctx, ws, added.ID)
	require.NoError(t, err, "the others' entries are synced")
	_, pending, err := r.store.PendingRun(ctx, ws)
	require.NoError(t, err)
	require.False(t, pending, "the run is finished")

	// Every member but the owner refused: listed by id, in whatever order their syncs end.
	all, others := map[string]bool{}, []string{}
	for _, m := range r.fx.Members {
		if m.User.ID != r.fx.Owner.ID {
			all[m.User.ID] = true
			others = append(others, m.User.ID)
		}
	}
	slices.Sort(others)
	require.Greater(t, len(others), 2)
	refused.Store(&all)
	res, err = r.eng.Sync(ctx, ws, window)
	require.NoError(t, err)
	require.Equal(t, others, res.Skipped)
}

// TestSyncConfirmsAProjectGone: a project missing from Clockify's list (pages shift when
// projects are added or deleted while they are read) is read by id, and marked deleted
// only when Clockify no longer has it; one it still has is kept, as it is now.
func TestSyncConfirmsAProjectGone(t *testing.T) {
	t.Parallel()
	var admin atomic.Pointer[clockify.Client]
	var hidden atomic.Pointer[string]
	r, _ := newRigBehind(t, func(w http.ResponseWriter, req *http.Request) bool {
		id := hidden.Load()
		if id == nil || req.Method != http.MethodGet || !strings.HasSuffix(req.URL.Path, "/projects") {
			return false
		}
		// The list as a shifted page gives it: without one project.
		all, _, err := admin.Load().Projects.List(req.Context(), path.Base(path.Dir(req.URL.Path)), &clockify.ProjectListOptions{
			ListOptions: clockify.ListOptions{PageSize: clockify.MaxPageSize}})
		if err != nil {
			return refuse(w, http.StatusInternalServerError, `{"message":"test proxy","code":500}`)
		}
		all = slices.DeleteFunc(all, func(p clockify.Project) bool { return p.ID == *id })
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(all)
		return true
	})
	c, err := r.srv.NewClient(r.fx.OwnerKey)
	require.NoError(t, err)
	admin.Store(c)
	r.connect(t)
	r.hook.Close() // no webhook tells the engine
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	shifted, gone := r.fx.Projects[1], r.fx.Projects[2]
	shifted.Name = "renamed, then missed by a shifted page"
	_, err = r.srv.UpdateProject(ws, shifted)
	require.NoError(t, err)
	gone.Archived = true // Clockify deletes archived projects only
	_, err = r.srv.UpdateProject(ws, gone)
	require.NoError(t, err)
	require.NoError(t, r.srv.DeleteProject(ws, gone.ID))

	hidden.Store(&shifted.ID)
	_, err = r.eng.SyncRecent(ctx, ws)
	require.NoError(t, err)
	projects, err := r.store.Projects(ctx, ws)
	require.NoError(t, err)
	for _, p := range projects {
		switch p.ID {
		case shifted.ID:
			require.True(t, p.Deleted.IsZero(), "Clockify still has it")
			require.Equal(t, shifted.Name, p.Name, "stored as read by id")
		case gone.ID:
			require.False(t, p.Deleted.IsZero(), "Clockify no longer has it")
		default:
			require.True(t, p.Deleted.IsZero(), p.Name)
		}
	}
}

// TestDeliveryDuringTheProjectListIsKept: projects renamed or deleted, delivered and
// applied while a sync reads Clockify's project list, after the list was read and
// before it is stored, are left as the deliveries stored them: read again at the end
// when this engine applied them, and kept by the store (Project.Synced) when another
// replica did.
func TestDeliveryDuringTheProjectListIsKept(t *testing.T) {
	t.Parallel()
	thisEngineAndAReplica(t, func(t *testing.T, store clockifysync.Store, replica bool) {
		r := newRigOn(t, store)
		r.connect(t)
		ws := r.fx.Workspace.ID
		renamed, deleted := r.fx.Projects[0], r.fx.Projects[1]
		renamed.Name = "renamed while the projects were read"
		var armed atomic.Bool
		armed.Store(true)
		hook := func(info clockifytest.RequestInfo) {
			if info.Route == "GET v1/workspaces/{ws}/projects" && armed.CompareAndSwap(true, false) {
				if replica { // this engine's re-read must keep it even with the clock still
					r.advance(time.Minute)
				}
				_, err := r.srv.UpdateProject(ws, renamed) // delivered to the rig's engine
				assert.NoError(t, err)
				deleted.Archived = true // Clockify deletes archived projects only
				_, err = r.srv.UpdateProject(ws, deleted)
				assert.NoError(t, err)
				assert.NoError(t, r.srv.DeleteProject(ws, deleted.ID))
			}
		}
		r.onRequest.Store(&hook)

		syncing := r.eng
		if replica {
			syncing = r.replica(t, r.store)
		}
		_, err := syncing.SyncRecent(t.Context(), ws)
		require.NoError(t, err)
		require.False(t, armed.Load(), "the projects changed while the list was read")
		projects, err := r.store.Projects(t.Context(), ws)
		require.NoError(t, err)
		i := slices.IndexFunc(projects, func(p clockifysync.Project) bool { return p.ID == renamed.ID })
		require.Equal(t, renamed.Name, projects[i].Name)
		i = slices.IndexFunc(projects, func(p clockifysync.Project) bool { return p.ID == deleted.ID })
		require.False(t, projects[i].Deleted.IsZero(), "deleted while the list was read")
	})
}

// TestSyncsAtOnceRunOneAtATime: a sync of a workspace asked for while another runs
// (a manual sync during Connect's initial sync, say) waits for it, in one process and
// across replicas sharing PostgreSQL; without, the second finished the first's run
// under it, and the first failed.
func TestSyncsAtOnceRunOneAtATime(t *testing.T) {
	t.Parallel()
	for name, open := range oneProcessOrTwoReplicas {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			waiting := make(chan struct{}, 1)
			logger := clockifysync.WithLogger(slog.New(signalOn{"waiting for the sync", waiting}))
			r := newRigOn(t, open(t), logger)
			r.connect(t)
			ws := r.fx.Workspace.ID
			second := r.eng
			if name != "one process" {
				second = r.replicaSealedWith(t, r.store, r.sealKey, logger)
			}
			other := make(chan error, 1)
			var started atomic.Bool
			hook := func(info clockifytest.RequestInfo) {
				if info.Route == listRoute && started.CompareAndSwap(false, true) {
					go func() {
						_, err := second.Sync(t.Context(), ws, clockifysync.Window{Start: now.Add(-time.Hour), End: now})
						other <- err
					}()
					select {
					case <-waiting:
					case err := <-other:
						other <- err // the second sync ran through
					}
				}
			}
			r.onRequest.Store(&hook)

			_, err := r.eng.Sync(t.Context(), ws, clockifysync.Window{Start: now.AddDate(0, 0, -7), End: now})
			require.NoError(t, err)
			require.NoError(t, <-other)
			_, pending, err := r.store.PendingRun(t.Context(), ws)
			require.NoError(t, err)
			require.False(t, pending)
		})
	}
}

// TestEntriesNoReportCouldCountAreLeftOut: an entry that Clockify answers with an end
// before its start (which it refuses to write, and on which every report counting it
// would fail) is left out by a window sync, by the list of changes a scheduled sync
// reads, and when an entry a delivery named is read again: the store keeps what it
// held, the syncs succeed, and so do reports.
func TestEntriesNoReportCouldCountAreLeftOut(t *testing.T) {
	t.Parallel()
	var victim atomic.Pointer[string]
	r := newRigRewriting(t, func(req *http.Request) func(body any) {
		id := victim.Load()
		if id == nil || req.Method != http.MethodGet {
			return nil
		}
		return func(body any) { endBeforeStart(body, *id) }
	})
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	id := r.inWindow(now.AddDate(0, 0, -3), now)[0]
	before, err := r.store.Entry(ctx, ws, id)
	require.NoError(t, err)
	victim.Store(&id)

	res, err := r.eng.Sync(ctx, ws, clockifysync.Window{Start: now.AddDate(0, 0, -3), End: now})
	require.NoError(t, err)
	require.Positive(t, res.Stored)
	after, err := r.store.Entry(ctx, ws, id)
	require.NoError(t, err)
	require.Equal(t, before, after, "kept as it was")

	// Edited: the delivery, which reads the entry (fetch-on-notify), is refused for good,
	// and the scheduled sync that lists it changed, and reads it again as the delivery
	// named it, leaves it as it was.
	r.advance(time.Minute)
	r.edit(t, id, "#77 edited")
	ds := r.srv.Deliveries()
	require.Equal(t, http.StatusUnprocessableEntity, ds[len(ds)-1].StatusCode)
	r.advance(2 * time.Hour)
	_, err = r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	after, err = r.store.Entry(ctx, ws, id)
	require.NoError(t, err)
	require.Equal(t, before, after)
	_, err = r.eng.Report(ctx, clockifysync.EntryQuery{WorkspaceID: ws}, analytics.Options{})
	require.NoError(t, err)
	lines := linesWith(r.logs.String(), "no report could count")
	require.NotEmpty(t, lines)
	for _, line := range lines {
		require.Contains(t, line, "entry="+id, "only the entry left out is logged")
	}
}

// TestEntriesWithIdsNoClockifyEntryHasAreLeftOut: an entry that Clockify lists with an
// id no Clockify entry has (blank, a dot segment, holding NUL) is left out by a window
// sync, logged, as an entry no report could count is: the sync succeeds, and no entry
// with that id is stored.
func TestEntriesWithIdsNoClockifyEntryHasAreLeftOut(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", " ", "..", "a\x00b"} {
		t.Run(fmt.Sprintf("%q", bad), func(t *testing.T) {
			t.Parallel()
			r := newRigRewriting(t, func(req *http.Request) func(body any) {
				if req.Method != http.MethodGet || !strings.Contains(req.URL.Path, "/user/") {
					return nil
				}
				return func(body any) {
					if list, ok := body.([]any); ok && len(list) > 0 {
						list[0].(map[string]any)["id"] = bad
					}
				}
			})
			r.connect(t)
			ws := r.fx.Workspace.ID
			_, err := r.eng.Sync(t.Context(), ws, clockifysync.Window{Start: now.AddDate(0, 0, -3), End: now})
			require.NoError(t, err)
			require.False(t, slices.Contains(r.stored(t, clockifysync.EntryQuery{WorkspaceID: ws}), bad), "stored")
			require.NotEmpty(t, linesWith(r.logs.String(), "reason=\"an id no Clockify entry has\""))
		})
	}
}

// endBeforeStart sets the end of the entry with the id, wherever a decoded answer of
// Clockify holds it, an hour before its start.
func endBeforeStart(v any, id string) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			endBeforeStart(e, id)
		}
	case map[string]any:
		if ti, ok := x["timeInterval"].(map[string]any); ok && x["id"] == id {
			start, _ := time.Parse(time.RFC3339, ti["start"].(string))
			ti["end"] = start.Add(-time.Hour).Format(time.RFC3339)
		}
		for _, e := range x {
			endBeforeStart(e, id)
		}
	}
}
