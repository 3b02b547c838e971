package clockifytest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
)

// TestAddMemberDefaults: a member added with only a name is what Clockify would show for
// a new active member of the workspace; what the test sets is kept.
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
}

// TestSeedingChecks: AddWorkspace with a known id replaces the settings and keeps the
// data; AddTimeEntry refuses a user who is not a member and an id already stored.
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

	end := now
	_, err = srv.AddTimeEntry(ws.ID, clockify.TimeEntry{UserID: "000000000000000000000000", TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Hour), End: &end}})
	require.ErrorContains(t, err, "User doesn't belong")
	_, err = srv.AddTimeEntry(ws.ID, clockify.TimeEntry{ID: fx.Entries[0].ID, UserID: fx.Owner.ID, TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Hour), End: &end}})
	require.ErrorContains(t, err, "already exists")
	stored, _, err := c.TimeEntries.Get(t.Context(), ws.ID, fx.Entries[0].ID, false)
	require.NoError(t, err)
	require.Equal(t, fx.Entries[0].Description, stored.Description, "nothing replaced")
	require.Len(t, srv.TimeEntries(ws.ID), len(fx.Entries))
}
