package sync_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/analytics"
	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

func TestReport(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	from := now.Add(-time.Hour)
	rita := r.srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Rita Report", Email: "rita@acme.dev"}})
	add := func(desc string, typ clockify.TimeEntryType, minutes int) string {
		t.Helper()
		e, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: rita.ID, Description: desc, Type: typ, Billable: true,
			TimeInterval: clockify.TimeInterval{Start: from, End: new(from.Add(time.Duration(minutes) * time.Minute))}})
		require.NoError(t, err)
		return e.ID
	}
	add("acme/web#3 lunch", clockify.TimeEntryBreak, 45) // first: the work after it still counts
	add("acme/web#1 review", "", 30)
	manual := add("#2 no project, so unresolved", "", 20)
	require.NoError(t, r.eng.LinkManually(ctx, ws, manual, "acme/api#9"))
	_, err := r.eng.SyncRecent(ctx, ws) // imports the new member
	require.NoError(t, err)
	require.NoError(t, r.eng.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: ws, MemberID: rita.ID, Login: "octocat"}))

	q := clockifysync.EntryQuery{WorkspaceID: ws, UserID: rita.ID}
	s, err := r.eng.Report(ctx, q, analytics.Options{})
	require.NoError(t, err)
	require.Equal(t, 1, s.NotWork, "the break")
	require.Zero(t, s.Unresolved, "the manual link replaced the unresolved #2")
	var prs []string
	for _, p := range s.PRs {
		prs = append(prs, p.PR)
	}
	require.ElementsMatch(t, []string{"acme/web#1", "acme/api#9"}, prs)
	require.Equal(t, int64(50*60), s.Total.Seconds())
	require.Len(t, s.Contributors, 1)
	require.Equal(t, "octocat", s.Contributors[0].Login)
	s, err = r.eng.Report(ctx, q, analytics.Options{Logins: map[string]string{rita.ID: "rita-gh"}})
	require.NoError(t, err)
	require.Equal(t, "rita-gh", s.Contributors[0].Login, "the logins given, not the store's")

	require.NoError(t, r.eng.Unlink(ctx, ws, manual, "acme/api#9"))
	s, err = r.eng.Report(ctx, q, analytics.Options{})
	require.NoError(t, err)
	require.Equal(t, 1, s.Unresolved)

	// An unresolved link leaves the entry's other links counted.
	add("#7 pairing on acme/web#5", "", 10)
	s, err = r.eng.Report(ctx, q, analytics.Options{})
	require.NoError(t, err)
	require.Equal(t, 2, s.Unresolved)
	require.True(t, slices.ContainsFunc(s.PRs, func(p analytics.PRStats) bool { return p.PR == "acme/web#5" }), "%+v", s.PRs)
}

// TestReportCountsAPROnceWhateverItsCase: GitHub's owner and repository names ignore
// case, so "Acme/Web#4", a URL in lower case and a bare #4 in a project mapped to
// "ACME/web" are one pull request, reported once with all its time.
func TestReportCountsAPROnceWhateverItsCase(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	project := r.fx.Projects[0].ID
	require.NoError(t, r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: project, Repo: "ACME/web"}))
	from := now.Add(-time.Hour)
	user := r.fx.Members[0].User.ID
	for i, desc := range []string{"Acme/Web#4 review", "https://github.com/acme/web/pull/4 fix", "#4 tests"} {
		_, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: user, ProjectID: project, Description: desc, Billable: true,
			TimeInterval: clockify.TimeInterval{Start: from.Add(time.Duration(i) * 10 * time.Minute), End: new(from.Add(time.Duration(i+1) * 10 * time.Minute))}})
		require.NoError(t, err)
	}
	_, err := r.eng.SyncRecent(ctx, ws)
	require.NoError(t, err)

	s, err := r.eng.Report(ctx, clockifysync.EntryQuery{WorkspaceID: ws, From: from}, analytics.Options{})
	require.NoError(t, err)
	require.Len(t, s.PRs, 1, "one PR")
	require.Equal(t, "acme/web#4", s.PRs[0].PR)
	require.Equal(t, int64(30*60), s.PRs[0].Stats.Seconds())
	require.Equal(t, 3, s.PRs[0].Stats.Entries)
}
