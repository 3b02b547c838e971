package sync_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/analytics"
	"github.com/heyjasper/jasper-clockify/billing"
	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// storeState is everything a store keeps of the workspaces a test names, as its reads
// return it.
type storeState struct {
	Connections     []clockifysync.Connection
	Members         [][]clockifysync.Member
	Projects        [][]clockifysync.Project
	ProjectMappings [][]clockifysync.ProjectMapping
	UserMappings    [][]clockifysync.UserMapping
	Webhooks        [][]clockifysync.Webhook
	Entries         [][]clockifysync.Entry
	ManualLinks     [][]clockifysync.Link
	PendingRuns     []clockifysync.Run
}

// snapshot reads everything a store keeps of the workspaces.
func snapshot(t *testing.T, store clockifysync.Store, workspaceIDs ...string) storeState {
	t.Helper()
	ctx := t.Context()
	var s storeState
	var err error
	s.Connections, err = store.Connections(ctx)
	require.NoError(t, err)
	for _, ws := range workspaceIDs {
		members, err := store.Members(ctx, ws)
		require.NoError(t, err)
		projects, err := store.Projects(ctx, ws)
		require.NoError(t, err)
		pms, err := store.ProjectMappings(ctx, ws)
		require.NoError(t, err)
		ums, err := store.UserMappings(ctx, ws)
		require.NoError(t, err)
		hooks, err := store.Webhooks(ctx, ws)
		require.NoError(t, err)
		entries, err := store.Entries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, IncludeDeleted: true})
		require.NoError(t, err)
		links, err := store.ManualLinks(ctx, ws)
		require.NoError(t, err)
		run, _, err := store.PendingRun(ctx, ws)
		require.NoError(t, err)
		s.Members, s.Projects, s.ProjectMappings = append(s.Members, members), append(s.Projects, projects), append(s.ProjectMappings, pms)
		s.UserMappings, s.Webhooks, s.Entries = append(s.UserMappings, ums), append(s.Webhooks, hooks), append(s.Entries, entries)
		s.ManualLinks, s.PendingRuns = append(s.ManualLinks, links), append(s.PendingRuns, run)
	}
	return s
}

// TestBadInputChangesNothing calls every method of the engine that takes input with bad
// input, or on a workspace it cannot act on: on every store, each returns its typed
// error, sends Clockify no request that changes anything, and leaves every record of
// the store as it was.
func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	eachStore(t, badInputChangesNothing)
}

// badInputChangesNothing runs TestBadInputChangesNothing on a store.
func badInputChangesNothing(t *testing.T, store clockifysync.Store) {
	var writes atomic.Int64
	r := newRigOn(t, store)
	r.connect(t)
	ctx := t.Context()
	ws, nowhere := r.fx.Workspace.ID, "never-connected"
	project, member := r.fx.Projects[0].ID, r.fx.Members[0].User.ID
	entry := r.add(t, "#12 fix login", now.Add(-time.Hour))
	require.NoError(t, r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: project, Repo: "acme/web"}))
	longest := clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: strings.Repeat("p", 255), Repo: "acme/web"}
	require.NoError(t, r.eng.SetProjectMapping(ctx, longest), "an id of 255 bytes is kept")
	require.NoError(t, r.eng.LinkManually(ctx, ws, entry.ID, "acme/api#3"))
	require.NoError(t, r.eng.SetProjectRate(ctx, ws, project, billing.Money{Minor: 120_00}))
	// A connection that Disconnect ended: it keeps its history, and no key.
	gone := clockifytest.Generate(clockifytest.GenerateOptions{Seed: 8, Now: now})
	r.srv.Load(gone)
	_, err := r.eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: gone.OwnerKey, WorkspaceID: gone.Workspace.ID, InitialDays: 2})
	require.NoError(t, err)
	_, err = r.eng.Disconnect(ctx, gone.Workspace.ID)
	require.NoError(t, err)
	fn := func(info clockifytest.RequestInfo) {
		if info.Method != http.MethodGet {
			writes.Add(1)
		}
	}
	r.onRequest.Store(&fn)
	usd, err := billing.NewMoney(-1, "USD")
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		want error
		call func(ctx context.Context) error
	}{
		{"connect without a key", clockifysync.ErrInput, func(ctx context.Context) error {
			_, err := r.eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: " ", WorkspaceID: nowhere})
			return err
		}},
		{"connect for more than a year", clockifysync.ErrInput, func(ctx context.Context) error {
			_, err := r.eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, InitialDays: 366})
			return err
		}},
		{"connect with a relative webhook URL", clockifysync.ErrInput, func(ctx context.Context) error {
			_, err := r.eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, WebhookURL: "/hooks"})
			return err
		}},
		{"connect with a webhook URL that is not UTF-8", clockifysync.ErrInput, func(ctx context.Context) error {
			_, err := r.eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, WebhookURL: "https://example.com/\xff"})
			return err
		}},
		{"connect with a GitHub host that is none", clockifysync.ErrInput, func(ctx context.Context) error {
			_, err := r.eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: nowhere, GitHubHost: "not a host"})
			return err
		}},
		{"connect with a key with a space inside", clockifysync.ErrInput, func(ctx context.Context) error {
			_, err := r.eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: "copied badly", WorkspaceID: nowhere})
			return err
		}},
		{"a new key with a line break inside", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.SetAPIKey(ctx, ws, "half\nkey")
		}},
		{"a new key Clockify rejects", clockifysync.ErrInvalidAPIKey, func(ctx context.Context) error {
			return r.eng.SetAPIKey(ctx, ws, "not-a-key")
		}},
		{"a new key that is empty", clockifysync.ErrInput, func(ctx context.Context) error { return r.eng.SetAPIKey(ctx, ws, "  ") }},
		{"a new key for a workspace never connected", clockifysync.ErrNotConnected, func(ctx context.Context) error {
			return r.eng.SetAPIKey(ctx, nowhere, r.fx.OwnerKey)
		}},
		{"a project mapped to no repository", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: project, Repo: "not a repo"})
		}},
		{"a pattern without a number group", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: project, Repo: "acme/web", Pattern: `T-\d+`})
		}},
		{"a pattern that does not compile", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: project, Repo: "acme/web", Pattern: `(?P<number>\d+`})
		}},
		{"a mapping of no project", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, Repo: "acme/web"})
		}},
		{"a mapping of no workspace", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{ProjectID: project, Repo: "acme/web"})
		}},
		{"a project mapped in a workspace never connected", clockifysync.ErrNotConnected, func(ctx context.Context) error {
			return r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: nowhere, ProjectID: project, Repo: "acme/web"})
		}},
		{"a project mapping deleted that is not there", clockifysync.ErrNotFound, func(ctx context.Context) error {
			return r.eng.DeleteProjectMapping(ctx, ws, r.fx.Projects[1].ID)
		}},
		{"a member mapped to a login GitHub refuses", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: ws, MemberID: member, Login: "-bad-"})
		}},
		{"a member mapping deleted that is not there", clockifysync.ErrNotFound, func(ctx context.Context) error {
			return r.eng.DeleteUserMapping(ctx, ws, member)
		}},
		{"a link by hand to no pull request", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.LinkManually(ctx, ws, entry.ID, "not a PR")
		}},
		{"a link by hand of an entry not stored", clockifysync.ErrNotFound, func(ctx context.Context) error {
			return r.eng.LinkManually(ctx, ws, "no-such-entry", "acme/web#1")
		}},
		{"a link undone that was never made", clockifysync.ErrNotFound, func(ctx context.Context) error {
			return r.eng.Unlink(ctx, ws, entry.ID, "acme/web#99")
		}},
		{"a negative default rate", clockifysync.ErrInput, func(ctx context.Context) error { return r.eng.SetDefaultRate(ctx, ws, usd) }},
		{"a default rate of a workspace never connected", clockifysync.ErrNotConnected, func(ctx context.Context) error {
			return r.eng.SetDefaultRate(ctx, nowhere, billing.Money{Minor: 1})
		}},
		{"a negative project rate from a moment on", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.SetProjectRateFrom(ctx, ws, project, now, usd)
		}},
		{"a default rate from year 10000", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.SetDefaultRateFrom(ctx, ws, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), billing.Money{Minor: 1})
		}},
		{"a project rate from before year 1", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.SetProjectRateFrom(ctx, ws, project, time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC), billing.Money{Minor: 1})
		}},
		{"a project rate of no project", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.SetProjectRate(ctx, ws, "", billing.Money{Minor: 1})
		}},
		{"a project rate deleted that is not there", clockifysync.ErrNotFound, func(ctx context.Context) error {
			return r.eng.DeleteProjectRate(ctx, ws, r.fx.Projects[1].ID)
		}},
		{"Clockify's rates honoured in a workspace never connected", clockifysync.ErrNotConnected, func(ctx context.Context) error {
			return r.eng.SetClockifyRates(ctx, nowhere, true)
		}},
		{"a schedule that is none", clockifysync.ErrInput, func(ctx context.Context) error { return r.eng.SetSchedule(ctx, ws, "weekly") }},
		{"a schedule of a workspace never connected", clockifysync.ErrNotConnected, func(ctx context.Context) error {
			return r.eng.SetSchedule(ctx, nowhere, clockifysync.ScheduleDaily)
		}},
		{"a GitHub host that is none", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.SetGitHubHost(ctx, ws, "https://github.acme.corp/path")
		}},
		{"a workspace id with a NUL", clockifysync.ErrNotConnected, func(ctx context.Context) error {
			return r.eng.SetSchedule(ctx, ws+"\x00", clockifysync.ScheduleDaily) // PostgreSQL holds no NUL
		}},
		{"a workspace id that is not UTF-8", clockifysync.ErrNotConnected, func(ctx context.Context) error {
			return r.eng.SetSchedule(ctx, ws+"\xff", clockifysync.ScheduleDaily)
		}},
		{"an entry id with a NUL", clockifysync.ErrNotFound, func(ctx context.Context) error {
			return r.eng.LinkManually(ctx, ws, entry.ID+"\x00", "acme/web#1")
		}},
		{"a project id with a NUL", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: project + "\x00", Repo: "acme/web"})
		}},
		{"a project rate for an id that is not UTF-8", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.SetProjectRate(ctx, ws, project+"\xff", billing.Money{Minor: 1})
		}},
		{"a pattern that holds NUL", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: project, Repo: "acme/web", Pattern: "WEB\x00-(?P<number>\\d+)"})
		}},
		{"a project rate for a project id of spaces", clockifysync.ErrInput, func(ctx context.Context) error {
			// A rate card takes it for none: every Report failed on the rate kept.
			return r.eng.SetProjectRate(ctx, ws, "  ", billing.Money{Minor: 1})
		}},
		{"a project id over 255 bytes", clockifysync.ErrInput, func(ctx context.Context) error {
			// PostgreSQL indexes no key much over 2,700 bytes (random ones: they do not compress).
			return r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: strings.Repeat("p", 256), Repo: "acme/web"})
		}},
		{"a GitHub host with a control character", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.SetGitHubHost(ctx, ws, "github.acme\x00.corp") // PostgreSQL stores no NUL
		}},
		{"a webhook URL of another scheme", clockifysync.ErrInput, func(ctx context.Context) error {
			_, err := r.eng.SetWebhookURL(ctx, ws, "ftp://example.com/hooks")
			return err
		}},
		{"a webhook URL that is not UTF-8", clockifysync.ErrInput, func(ctx context.Context) error {
			// JSON carries no such bytes: Clockify would list another URL than the one stored.
			_, err := r.eng.SetWebhookURL(ctx, ws, "https://example.com/hooks/\xff")
			return err
		}},
		{"a webhook URL for a disconnected workspace", clockifysync.ErrNotConnected, func(ctx context.Context) error {
			_, err := r.eng.SetWebhookURL(ctx, gone.Workspace.ID, "https://example.com/hooks")
			return err
		}},
		{"no event to apply", clockifysync.ErrInput, func(ctx context.Context) error { return r.eng.Apply(ctx, nil) }},
		{"an entry's event without the entry's id", webhook.ErrPermanent, func(ctx context.Context) error {
			return r.eng.Apply(ctx, &webhook.Event{Kind: webhook.TimeEntryUpdated, WorkspaceID: ws, TimeEntry: &clockify.TimeEntry{}})
		}},
		{"an entry's event with an id of spaces", webhook.ErrPermanent, func(ctx context.Context) error {
			return r.eng.Apply(ctx, deliveredEntry(ws, " ", member))
		}},
		{"an entry's event with an id that holds NUL", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.Apply(ctx, deliveredEntry(ws, "e\x00", member))
		}},
		{"a project's event with an id that is not UTF-8", webhook.ErrPermanent, func(ctx context.Context) error {
			p := &clockify.Project{ID: "p\xff", WorkspaceID: ws, Name: "new"}
			return r.eng.Apply(ctx, &webhook.Event{Wire: clockify.EventNewProject, Kind: webhook.ProjectCreated, WorkspaceID: ws, EntityID: p.ID, Project: p})
		}},
		{"a project's event with the id ..", clockifysync.ErrInput, func(ctx context.Context) error {
			p := &clockify.Project{ID: "..", WorkspaceID: ws, Name: "new"}
			return r.eng.Apply(ctx, &webhook.Event{Wire: clockify.EventNewProject, Kind: webhook.ProjectCreated, WorkspaceID: ws, EntityID: p.ID, Project: p})
		}},
		{"a mapping of the project ..", clockifysync.ErrInput, func(ctx context.Context) error {
			return r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: "..", Repo: "acme/web"})
		}},
		{"a window that ends before it starts", clockifysync.ErrInput, func(ctx context.Context) error {
			_, err := r.eng.Sync(ctx, ws, clockifysync.Window{Start: now, End: now.Add(-time.Hour)})
			return err
		}},
		{"a window of more than a year", clockifysync.ErrInput, func(ctx context.Context) error {
			_, err := r.eng.Sync(ctx, ws, clockifysync.Window{Start: now.AddDate(-2, 0, 0), End: now})
			return err
		}},
		{"a window in year 10000", clockifysync.ErrInput, func(ctx context.Context) error {
			start := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
			_, err := r.eng.Sync(ctx, ws, clockifysync.Window{Start: start, End: start.Add(time.Hour)})
			return err
		}},
		{"a sync of a disconnected workspace", clockifysync.ErrNotConnected, func(ctx context.Context) error {
			_, err := r.eng.SyncRecent(ctx, gone.Workspace.ID)
			return err
		}},
		{"a scheduled sync of a workspace never connected", clockifysync.ErrNotConnected, func(ctx context.Context) error {
			_, err := r.eng.SyncScheduled(ctx, nowhere)
			return err
		}},
		{"tokens rotated in a disconnected workspace", clockifysync.ErrNotConnected, func(ctx context.Context) error {
			return r.eng.RotateWebhookTokens(ctx, gone.Workspace.ID)
		}},
		{"a workspace never connected disconnected", clockifysync.ErrNotConnected, func(ctx context.Context) error {
			_, err := r.eng.Disconnect(ctx, nowhere)
			return err
		}},
		{"a connected workspace purged", clockifysync.ErrStillConnected, func(ctx context.Context) error { return r.eng.Purge(ctx, ws) }},
		{"a report by a period that is none", clockifysync.ErrInput, func(ctx context.Context) error {
			_, err := r.eng.Report(ctx, clockifysync.EntryQuery{WorkspaceID: ws}, analytics.Options{Period: 99})
			return err
		}},
		{"a report split by a policy that is none", clockifysync.ErrInput, func(ctx context.Context) error {
			_, err := r.eng.Report(ctx, clockifysync.EntryQuery{WorkspaceID: ws}, analytics.Options{Split: 7})
			return err
		}},
		{"a query of no workspace", clockifysync.ErrInput, func(ctx context.Context) error {
			_, err := r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{})
			return err
		}},
		{"a query of a pull request that is none", clockifysync.ErrInput, func(ctx context.Context) error {
			_, err := r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/web#0"})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, r.store, ws, gone.Workspace.ID, nowhere)
			sent := writes.Load()
			err := tc.call(ctx)
			require.ErrorIs(t, err, tc.want)
			require.Equal(t, sent, writes.Load(), "no request that changes anything in Clockify")
			require.Equal(t, before, snapshot(t, r.store, ws, gone.Workspace.ID, nowhere))
		})
	}
}

// deliveredEntry is a delivery's NEW_TIME_ENTRY, as webhook.Parse reads it, of an entry
// with the id given.
func deliveredEntry(ws, id, userID string) *webhook.Event {
	end := now.Add(-time.Hour)
	te := &clockify.TimeEntry{ID: id, WorkspaceID: ws, UserID: userID, Description: "#3 new",
		TimeInterval: clockify.TimeInterval{Start: end.Add(-time.Hour), End: &end}}
	return &webhook.Event{Wire: clockify.EventNewTimeEntry, Kind: webhook.TimeEntryCreated, WorkspaceID: ws, EntityID: id, TimeEntry: te}
}
