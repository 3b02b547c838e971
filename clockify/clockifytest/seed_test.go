package clockifytest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
)

// TestAddMemberDefaults: a member added with only a name is what Clockify would show for
// a new active member of the workspace; what the test sets is kept. A member of a
// workspace the fake does not hold panics, naming it.
func TestAddMemberDefaults(t *testing.T) {
	srv, fx := newServer(t)
	ws := fx.Workspace.ID
	u := srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "New Member"}, APIKey: "new-key"})
	require.Regexp(t, `^[0-9a-f]{24}$`, u.ID)
	require.Equal(t, clockify.AccountActive, u.Status)
	require.Equal(t, ws, u.ActiveWorkspace)
	require.Equal(t, ws, u.DefaultWorkspace)
	require.Equal(t, &clockify.UserSettings{TimeZone: "UTC", WeekStart: "MONDAY"}, u.Settings)
	c, err := srv.NewClient("new-key")
	require.NoError(t, err)
	me, _, err := c.Users.Current(t.Context())
	require.NoError(t, err)
	require.Equal(t, u.ID, me.ID)
	require.Equal(t, clockify.AccountActive, me.Status)
	require.Equal(t, ws, me.ActiveWorkspace)

	kept := srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Old", Status: clockify.AccountDeleted, ActiveWorkspace: "elsewhere"}})
	require.Equal(t, clockify.AccountDeleted, kept.Status)
	require.Equal(t, "elsewhere", kept.ActiveWorkspace)

	require.PanicsWithValue(t, "clockifytest: AddMember to unknown workspace nowhere", func() {
		srv.AddMember("nowhere", clockifytest.Member{User: clockify.User{Name: "Lost"}})
	}, "a mistake in the test, said as such")
}

// TestSeedingChecks: AddWorkspace with a known id replaces the settings and keeps the
// data, and without one gives a new id; AddTimeEntry refuses a user who is not a member
// and an id already stored; TimeEntries is a copy, which a test may change freely.
func TestSeedingChecks(t *testing.T) {
	srv, fx := newServer(t)
	ws := fx.Workspace
	ws.Name = "Renamed"
	require.Equal(t, "Renamed", srv.AddWorkspace(ws).Name)
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	got, _, err := c.Workspaces.Get(t.Context(), ws.ID)
	require.NoError(t, err)
	require.Equal(t, "Renamed", got.Name)
	require.Len(t, srv.TimeEntries(ws.ID), len(fx.Entries), "the entries are kept")
	other := srv.AddWorkspace(clockify.Workspace{Name: "Other"})
	require.Regexp(t, `^[0-9a-f]{24}$`, other.ID)
	require.NotEqual(t, ws.ID, other.ID)

	end := now
	_, err = srv.AddTimeEntry(ws.ID, clockify.TimeEntry{UserID: "000000000000000000000000", TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Hour), End: &end}})
	require.ErrorContains(t, err, "User doesn't belong")
	_, err = srv.AddTimeEntry(ws.ID, clockify.TimeEntry{ID: fx.Entries[0].ID, UserID: fx.Owner.ID, TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Hour), End: &end}})
	require.ErrorContains(t, err, "already exists")
	stored, _, err := c.TimeEntries.Get(t.Context(), ws.ID, fx.Entries[0].ID, false)
	require.NoError(t, err)
	require.Equal(t, fx.Entries[0].Description, stored.Description, "nothing replaced")
	require.Len(t, srv.TimeEntries(ws.ID), len(fx.Entries))

	tag, err := srv.AddTag(ws.ID, clockify.Tag{Name: "review"})
	require.NoError(t, err)
	tagged, err := srv.AddTimeEntry(ws.ID, clockify.TimeEntry{UserID: fx.Owner.ID, TagIDs: []string{tag.ID}, TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Hour), End: &end}})
	require.NoError(t, err)
	for _, e := range srv.TimeEntries(ws.ID) {
		if e.ID == tagged.ID {
			e.TagIDs[0] = "changed by the test"
		}
	}
	stored, _, err = c.TimeEntries.Get(t.Context(), ws.ID, tagged.ID, false)
	require.NoError(t, err)
	require.Equal(t, []string{tag.ID}, stored.TagIDs)
}

// TestSplitTimeEntry: a split leaves the entry ending at the split time, listed as
// updated then, and a new entry with its details from there to where it ended (running
// on, for a timer), delivers TIME_ENTRY_SPLIT with the new entry, and refuses a time not
// inside the entry.
func TestSplitTimeEntry(t *testing.T) {
	url, got := receiver(t)
	var elapsed atomic.Int64
	srv, fx := newServer(t, clockifytest.WithClock(func() time.Time { return now.Add(time.Duration(elapsed.Load())) }))
	ws := fx.Workspace.ID
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	_, _, err = c.Webhooks.Create(t.Context(), ws, &clockify.WebhookRequest{Name: "split", URL: url, WebhookEvent: clockify.EventTimeEntrySplit})
	require.NoError(t, err)
	updatedAfterNow := func() []string {
		var ids []string
		for u, err := range c.EntityChanges.AllUpdated(t.Context(), ws, &clockify.EntityChangeOptions{
			Types: []clockify.EntityType{clockify.EntityTimeEntry}, Start: now.Add(time.Minute), End: now.Add(time.Hour)}) {
			require.NoError(t, err)
			ids = append(ids, u.ID)
		}
		return ids
	}

	for _, running := range []bool{false, true} {
		elapsed.Store(0)
		e := clockify.TimeEntry{UserID: fx.Owner.ID, Description: "#7 pairing", Billable: true, TimeInterval: clockify.TimeInterval{Start: now.Add(-3 * time.Hour)}}
		if !running {
			e.TimeInterval.End = new(now.Add(-time.Hour))
		}
		e, err := srv.AddTimeEntry(ws, e)
		require.NoError(t, err)
		count := len(srv.TimeEntries(ws))
		for _, at := range []time.Time{e.TimeInterval.Start, e.TimeInterval.Start.Add(-time.Minute), now.Add(-time.Hour), now.Add(time.Minute)} {
			if running && at.Equal(now.Add(-time.Hour)) {
				continue // a timer may be split at any time from its start to now
			}
			_, err := srv.SplitTimeEntry(ws, e.ID, at)
			require.ErrorContains(t, err, "within the time entry", "at %v", at)
		}
		_, err = srv.SplitTimeEntry(ws, "missing", now.Add(-2*time.Hour))
		require.ErrorContains(t, err, "doesn't belong")
		require.Len(t, srv.TimeEntries(ws), count, "nothing split")

		elapsed.Store(int64(10 * time.Minute)) // split after the start of the span listed
		later, err := srv.SplitTimeEntry(ws, e.ID, now.Add(-2*time.Hour))
		require.NoError(t, err)
		require.Equal(t, "TIME_ENTRY_SPLIT "+later.ID, <-got)
		require.Contains(t, updatedAfterNow(), e.ID, "the entry shortened")
		require.NotEqual(t, e.ID, later.ID)
		first, _, err := c.TimeEntries.Get(t.Context(), ws, e.ID, false)
		require.NoError(t, err)
		second, _, err := c.TimeEntries.Get(t.Context(), ws, later.ID, false)
		require.NoError(t, err)
		require.Equal(t, now.Add(-2*time.Hour), *first.TimeInterval.End)
		require.Equal(t, now.Add(-2*time.Hour), second.TimeInterval.Start)
		require.Equal(t, e.TimeInterval.End, second.TimeInterval.End, "ends where the entry ended, or runs")
		require.Equal(t, []any{e.Description, e.Billable, e.UserID}, []any{second.Description, second.Billable, second.UserID})
	}
}

// TestRestoreTimeEntry: a deleted entry comes back as it was, with TIME_ENTRY_RESTORED,
// and leaves the list of deleted entities; one whose project was deleted since, and an
// id never deleted, are refused.
func TestRestoreTimeEntry(t *testing.T) {
	url, got := receiver(t)
	var elapsed atomic.Int64
	srv, fx := newServer(t, clockifytest.WithClock(func() time.Time { return now.Add(time.Duration(elapsed.Load())) }))
	ws := fx.Workspace.ID
	ctx := t.Context()
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	_, _, err = c.Webhooks.Create(ctx, ws, &clockify.WebhookRequest{Name: "restored", URL: url, WebhookEvent: clockify.EventTimeEntryRestored})
	require.NoError(t, err)
	deleted := func() []string {
		var ids []string
		for d, err := range c.EntityChanges.AllDeleted(ctx, ws, &clockify.EntityChangeOptions{
			Types: []clockify.EntityType{clockify.EntityTimeEntry}, Start: now.Add(time.Minute), End: now.Add(time.Hour)}) {
			require.NoError(t, err)
			te, err := d.TimeEntry()
			require.NoError(t, err)
			ids = append(ids, te.ID)
		}
		return ids
	}

	e, err := srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: fx.Owner.ID, Description: "#8 undo", Billable: true,
		TimeInterval: clockify.TimeInterval{Start: now.Add(-2 * time.Hour), End: new(now.Add(-time.Hour))}})
	require.NoError(t, err)
	_, err = srv.RestoreTimeEntry(ws, e.ID)
	require.ErrorContains(t, err, "doesn't belong", "not deleted")
	elapsed.Store(int64(10 * time.Minute)) // deleted after the start of the span listed
	require.NoError(t, srv.DeleteTimeEntry(ws, e.ID))
	require.Contains(t, deleted(), e.ID)

	back, err := srv.RestoreTimeEntry(ws, e.ID)
	require.NoError(t, err)
	require.Equal(t, "TIME_ENTRY_RESTORED "+e.ID, <-got)
	stored, _, err := c.TimeEntries.Get(ctx, ws, e.ID, false)
	require.NoError(t, err)
	require.Equal(t, []any{e.Description, e.Billable, e.TimeInterval.Start, *e.TimeInterval.End},
		[]any{stored.Description, stored.Billable, stored.TimeInterval.Start, *stored.TimeInterval.End})
	require.Equal(t, e.ID, back.ID)
	require.NotContains(t, deleted(), e.ID)

	// An entry of a project deleted since stays deleted.
	elapsed.Store(0)
	p, err := srv.AddProject(ws, clockify.Project{Name: "short-lived"})
	require.NoError(t, err)
	e, err = srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: fx.Owner.ID, ProjectID: p.ID,
		TimeInterval: clockify.TimeInterval{Start: now.Add(-2 * time.Hour), End: new(now.Add(-time.Hour))}})
	require.NoError(t, err)
	elapsed.Store(int64(20 * time.Minute))
	require.NoError(t, srv.DeleteTimeEntry(ws, e.ID))
	p.Archived = true
	_, err = srv.UpdateProject(ws, p)
	require.NoError(t, err)
	require.NoError(t, srv.DeleteProject(ws, p.ID))
	_, err = srv.RestoreTimeEntry(ws, e.ID)
	require.ErrorContains(t, err, "Project doesn't belong")
	require.Contains(t, deleted(), e.ID)
}

// receiver starts a webhook receiver and returns its URL and what it receives: each
// delivery's event type and entity id, as "EVENT id".
func receiver(t *testing.T) (string, <-chan string) {
	got := make(chan string, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			ID string `json:"id"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		got <- r.Header.Get("Clockify-Webhook-Event-Type") + " " + body.ID
	}))
	t.Cleanup(srv.Close)
	return srv.URL, got
}
