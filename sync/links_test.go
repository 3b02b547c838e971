package sync_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/analytics"
	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	"github.com/heyjasper/jasper-clockify/linker"
	"github.com/heyjasper/jasper-clockify/mapping"
	"github.com/heyjasper/jasper-clockify/store/memory"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

func TestManualLinksSurviveResync(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		r := newRigOn(t, store)
		r.connect(t)
		ws := r.fx.Workspace.ID
		ctx := t.Context()
		entries, err := r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws})
		require.NoError(t, err)
		target := entries[0]

		require.NoError(t, r.eng.LinkManually(ctx, ws, target.ID, "acme/web#901"))
		require.NoError(t, r.eng.LinkManually(ctx, ws, target.ID, " https://github.com/acme/api/pull/17 "))
		_, err = r.eng.Sync(ctx, ws, clockifysync.Window{Start: now.AddDate(0, 0, -30), End: now})
		require.NoError(t, err)

		entries, err = r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws})
		require.NoError(t, err)
		i := slices.IndexFunc(entries, func(e clockifysync.LinkedEntry) bool { return e.ID == target.ID })
		var targets []string
		for _, l := range entries[i].Effective {
			require.Equal(t, clockifysync.SourceManual, l.Source)
			require.Equal(t, float32(1), l.Confidence, "a link made by hand is certain")
			targets = append(targets, l.Target())
		}
		require.Equal(t, []string{"acme/web#901", "acme/api#17"}, targets, "manual links replace the auto links")

		for _, bad := range []string{"", "#12", "acme/web", "acme/web#12 and more", "PR 12"} {
			require.ErrorIs(t, r.eng.LinkManually(ctx, ws, target.ID, bad), clockifysync.ErrInput, bad)
			require.ErrorIs(t, r.eng.Unlink(ctx, ws, target.ID, bad), clockifysync.ErrInput, bad)
		}
		for _, at := range [][2]string{{"", target.ID}, {ws, ""}} {
			require.ErrorIs(t, r.eng.LinkManually(ctx, at[0], at[1], "acme/web#1"), clockifysync.ErrInput, "%q", at)
			require.ErrorIs(t, r.eng.Unlink(ctx, at[0], at[1], "acme/web#901"), clockifysync.ErrInput, "%q", at)
		}
		manual, err := r.store.ManualLinks(ctx, ws, target.ID)
		require.NoError(t, err)
		require.Len(t, manual, 2, "no bad input changed the links")
		require.ErrorIs(t, r.eng.LinkManually(ctx, ws, "no-such-entry", "acme/web#1"), clockifysync.ErrNotFound)
		require.NoError(t, r.eng.Unlink(ctx, ws, target.ID, "acme/web#901"))
		require.ErrorIs(t, r.eng.Unlink(ctx, ws, target.ID, "acme/web#901"), clockifysync.ErrNotFound)

		// An entry keeps a bounded number of manual links; a repeat of one still fits.
		for n := 1; n < clockifysync.MaxManualLinks; n++ {
			require.NoError(t, r.eng.LinkManually(ctx, ws, target.ID, fmt.Sprint("acme/web#", n)))
		}
		manual, err = r.store.ManualLinks(ctx, ws, target.ID)
		require.NoError(t, err)
		require.Len(t, manual, clockifysync.MaxManualLinks)
		require.ErrorIs(t, r.eng.LinkManually(ctx, ws, target.ID, "acme/web#901"), clockifysync.ErrInput)
		require.NoError(t, r.eng.LinkManually(ctx, ws, target.ID, "ACME/Web#7"), "a repeat, in another case")
		after, err := r.store.ManualLinks(ctx, ws, target.ID)
		require.NoError(t, err)
		require.Equal(t, manual, after)
	})
}

// TestStoredPatternThatNoLongerCompiles: a stored pattern that does not compile (one
// SetProjectMapping refuses, kept by another version that took it) is left out, with a
// warning that names its project; the mapping's repository still resolves the project's
// bare references, and a pattern that compiles is not warned of.
func TestStoredPatternThatNoLongerCompiles(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws, ctx := r.fx.Workspace.ID, t.Context()
	good, bad := r.fx.Projects[0].ID, r.fx.Projects[1].ID
	for _, m := range []clockifysync.ProjectMapping{
		{WorkspaceID: ws, ProjectID: good, Repo: "acme/web", Pattern: `WEB-(?P<number>\d+)`},
		{WorkspaceID: ws, ProjectID: bad, Repo: "acme/api", Pattern: `API-(?P<number>\d+`},
	} {
		require.NoError(t, r.store.SetProjectMapping(ctx, m))
	}
	e := r.addTo(t, bad, "#31, API-9") // delivered, and linked with the stored mappings
	r.requireTarget(t, e.ID, "acme/api#31")
	warned := linesWith(r.logs.String(), "stored project pattern does not compile")
	require.NotEmpty(t, warned)
	for _, line := range warned {
		require.Contains(t, line, "project="+bad)
	}
}

// TestManagedUsersRepository: a repository a managed user owns (GitHub names it after the
// login, "mona-cat_acme/dotfiles") can be a project's mapping, resolves the project's bare
// references, selects its entries by PR and takes manual links; an owner with '_'
// elsewhere is still refused, and changes nothing.
func TestManagedUsersRepository(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws, ctx, project := r.fx.Workspace.ID, t.Context(), r.fx.Projects[0].ID
	err := r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: project, Repo: "mona_cat_acme/dotfiles"})
	require.ErrorIs(t, err, clockifysync.ErrInput)
	require.NoError(t, r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: project, Repo: "mona-cat_acme/dotfiles"}))
	ms, err := r.store.ProjectMappings(ctx, ws)
	require.NoError(t, err)
	require.Len(t, ms, 1, "the refused mapping stored nothing")

	e := r.addTo(t, project, "#31 tidy the notes")
	r.requireTarget(t, e.ID, "mona-cat_acme/dotfiles#31")
	got, err := r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, PR: "https://github.com/mona-cat_acme/dotfiles/pull/31"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, e.ID, got[0].ID)

	require.NoError(t, r.eng.LinkManually(ctx, ws, e.ID, "mona-cat_acme/dotfiles#32"))
	got, err = r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, PR: "mona-cat_acme/dotfiles#32"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, e.ID, got[0].ID)
}

func TestProjectMappingRelinks(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	added := r.addTo(t, r.fx.Projects[0].ID, "#31 and WEB-9")
	links := func() []string {
		e, err := r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		var out []string
		for _, l := range e.Links {
			out = append(out, l.Target())
		}
		return out
	}
	require.Equal(t, []string{"#31"}, links())

	m := clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: r.fx.Projects[0].ID, Repo: "acme/web", Pattern: `WEB-(?P<number>\d+)`}
	require.NoError(t, r.eng.SetProjectMapping(ctx, m))
	require.Equal(t, []string{"acme/web#31", "acme/web#9"}, links())

	for _, bad := range []clockifysync.ProjectMapping{
		{WorkspaceID: ws, ProjectID: m.ProjectID, Repo: "not a repo"},
		{WorkspaceID: ws, ProjectID: m.ProjectID, Repo: "acme/api", Pattern: `WEB-\d+`}, // no number group
		{WorkspaceID: ws, ProjectID: m.ProjectID, Repo: "acme/api", Pattern: `(`},
		{WorkspaceID: ws, ProjectID: m.ProjectID, Repo: "acme/api", Pattern: strings.Repeat(`\w{100}`, 10) + `(?P<number>\d+)`}, // too costly to run
		{WorkspaceID: ws, Repo: "acme/api"},
	} {
		require.ErrorIs(t, r.eng.SetProjectMapping(ctx, bad), clockifysync.ErrInput)
	}
	stored, err := r.store.ProjectMappings(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, []clockifysync.ProjectMapping{m}, stored, "bad mappings change nothing")

	require.NoError(t, r.eng.DeleteProjectMapping(ctx, ws, m.ProjectID))
	require.Equal(t, []string{"#31"}, links())

	// A workspace keeps a bounded number of projects' mappings; replacing one still fits.
	for i := range clockifysync.MaxProjectMappings {
		require.NoError(t, r.store.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: fmt.Sprint("p", i), Repo: "acme/web"}))
	}
	stored, err = r.store.ProjectMappings(ctx, ws)
	require.NoError(t, err)
	require.ErrorIs(t, r.eng.SetProjectMapping(ctx, m), clockifysync.ErrInput)
	after, err := r.store.ProjectMappings(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, stored, after)
	require.NoError(t, r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: "p0", Repo: "acme/api"}))
}

// TestRelinkKeepsDeletedEntriesDeleted: mapping a project links its stored entries
// again, the deleted ones too (for history), and leaves them deleted.
func TestRelinkKeepsDeletedEntriesDeleted(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		r := newRigOn(t, store)
		r.connect(t)
		ws, project := r.fx.Workspace.ID, r.fx.Projects[0].ID
		ctx := t.Context()
		added := r.addTo(t, project, "#31 deleted later")
		require.NoError(t, r.srv.DeleteTimeEntry(ws, added.ID))
		_, err := r.eng.SyncRecent(ctx, ws)
		require.NoError(t, err)
		before, err := r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		require.False(t, before.Deleted.IsZero())

		require.NoError(t, r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: project, Repo: "acme/web"}))
		got, err := r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		require.Equal(t, "acme/web#31", got.Links[0].Target(), "linked again")
		require.True(t, before.Deleted.Equal(got.Deleted), "still deleted, at %v", got.Deleted)
		live, err := r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, ProjectID: project})
		require.NoError(t, err)
		require.False(t, slices.ContainsFunc(live, func(e clockifysync.LinkedEntry) bool { return e.ID == added.ID }), "not among the live entries")
	})
}

// readHook runs after once after the next read of a project's entries.
type readHook struct {
	clockifysync.Store
	after func()
}

func (s *readHook) Entries(ctx context.Context, q clockifysync.EntryQuery) ([]clockifysync.Entry, error) {
	got, err := s.Store.Entries(ctx, q)
	if after := s.after; after != nil && q.ProjectID != "" {
		s.after = nil
		after()
	}
	return got, err
}

// TestRelinkKeepsWhatChangedMeanwhile: an entry a sync changes while a project's entries
// are relinked keeps what the sync stored, description and links: relinking replaces
// only the links of entries that are still as it read them.
func TestRelinkKeepsWhatChangedMeanwhile(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		hook := &readHook{Store: store}
		r := newRigOn(t, hook)
		r.connect(t)
		ws, project := r.fx.Workspace.ID, r.fx.Projects[0].ID
		ctx := t.Context()
		added := r.addTo(t, project, "#31 before")
		_, err := r.eng.SyncRecent(ctx, ws)
		require.NoError(t, err)

		hook.after = func() { // the relink has read the entries; a sync stores an edit
			r.edit(t, added.ID, "#77 edited during the relink")
			_, err := r.eng.SyncRecent(ctx, ws)
			require.NoError(t, err)
		}
		require.NoError(t, r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: project, Repo: "acme/web"}))
		require.Nil(t, hook.after, "the sync ran during the relink")
		got, err := r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		require.Equal(t, "#77 edited during the relink", got.Description)
		require.Len(t, got.Links, 1)
		require.Equal(t, "acme/web#77", got.Links[0].Target())
	})
}

// hookedStore calls its hooks around the engine's writes of entries.
type hookedStore struct {
	clockifysync.Store
	beforePut     atomic.Pointer[func([]clockifysync.Entry) bool] // before each PutEntries, until it returns true
	afterPut      atomic.Pointer[func()]                          // once, after the next PutEntries
	beforeReplace atomic.Pointer[func()]                          // once, before the next ReplaceAutoLinks
}

func (s *hookedStore) PutEntries(ctx context.Context, entries []clockifysync.Entry) error {
	if before := s.beforePut.Load(); before != nil && (*before)(entries) {
		s.beforePut.Store(nil)
	}
	err := s.Store.PutEntries(ctx, entries)
	if after := s.afterPut.Swap(nil); after != nil {
		(*after)()
	}
	return err
}

func (s *hookedStore) ReplaceAutoLinks(ctx context.Context, entries []clockifysync.Entry) error {
	if before := s.beforeReplace.Swap(nil); before != nil {
		(*before)()
	}
	return s.Store.ReplaceAutoLinks(ctx, entries)
}

// mapTo maps the rig's first project to repo.
func (r *rig) mapTo(t *testing.T, repo string) {
	t.Helper()
	require.NoError(t, r.eng.SetProjectMapping(t.Context(), clockifysync.ProjectMapping{
		WorkspaceID: r.fx.Workspace.ID, ProjectID: r.fx.Projects[0].ID, Repo: repo}))
}

// requireTarget checks that an entry is stored with one link, to target.
func (r *rig) requireTarget(t *testing.T, id, target string) {
	t.Helper()
	got, err := r.store.Entry(t.Context(), r.fx.Workspace.ID, id)
	require.NoError(t, err)
	require.Len(t, got.Links, 1)
	require.Equal(t, target, got.Links[0].Target(), "entry %s of member %s", id, got.UserID)
}

// TestSyncLinksWithAMappingSetMeanwhile: a project mapped while a sync runs is used for
// the entries the sync writes after that, not the mappings the sync found at its start.
func TestSyncLinksWithAMappingSetMeanwhile(t *testing.T) {
	t.Parallel()
	hook := &hookedStore{Store: memory.New()}
	r := newRigOn(t, hook, clockifysync.WithConcurrency(1)) // members one after another
	r.connect(t)
	ws, project := r.fx.Workspace.ID, r.fx.Projects[0].ID
	var added []string
	for _, m := range r.fx.Members {
		e, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: m.User.ID, ProjectID: project, Description: "#52 pairing",
			TimeInterval: clockify.TimeInterval{Start: now.Add(-2 * time.Hour), End: new(now.Add(-time.Hour))}})
		require.NoError(t, err)
		added = append(added, e.ID)
	}
	mapped := func() { r.mapTo(t, "acme/web") } // after the sync's first write
	hook.afterPut.Store(&mapped)
	_, err := r.eng.SyncRecent(t.Context(), ws)
	require.NoError(t, err)
	require.Nil(t, hook.afterPut.Load(), "mapped during the sync")
	for _, id := range added {
		r.requireTarget(t, id, "acme/web#52")
	}
}

// TestMappingSetWhileABatchIsLinked: a project mapped after a sync has linked a batch of
// entries and before it writes them (so that the mapping's relink runs before the
// write) leaves the batch linked with the mapping all the same. Without, the batch keeps
// its unresolved links until a sync writes its entries again, which for entries older
// than the schedule's window is never.
func TestMappingSetWhileABatchIsLinked(t *testing.T) {
	t.Parallel()
	hook := &hookedStore{Store: memory.New()}
	r := newRigOn(t, hook)
	r.connect(t)
	e := r.addTo(t, r.fx.Projects[0].ID, "#52 pairing")
	mapped := func(batch []clockifysync.Entry) bool {
		if !slices.ContainsFunc(batch, func(b clockifysync.Entry) bool { return b.ID == e.ID }) {
			return false
		}
		r.mapTo(t, "acme/web")
		return true
	}
	hook.beforePut.Store(&mapped)
	_, err := r.eng.Sync(t.Context(), r.fx.Workspace.ID, clockifysync.Window{Start: now.Add(-2 * time.Hour), End: now})
	require.NoError(t, err)
	require.Nil(t, hook.beforePut.Load(), "mapped during the sync")
	r.requireTarget(t, e.ID, "acme/web#52")
}

// TestProjectMappedTwiceAtOnce: of two mappings of one project set at once, the entries
// are left linked with the one set last, even when the first one's relink writes last.
func TestProjectMappedTwiceAtOnce(t *testing.T) {
	t.Parallel()
	hook := &hookedStore{Store: memory.New()}
	r := newRigOn(t, hook)
	r.connect(t)
	e := r.addTo(t, r.fx.Projects[0].ID, "#52 pairing")
	second := func() { r.mapTo(t, "acme/api") }
	hook.beforeReplace.Store(&second)
	r.mapTo(t, "acme/web")
	require.Nil(t, hook.beforeReplace.Load(), "mapped again during the first relink")
	r.requireTarget(t, e.ID, "acme/api#52")
}

func TestUserMappingByHand(t *testing.T) {
	t.Parallel()
	r := newRig(t, clockifysync.WithContributors(func(context.Context, string) ([]mapping.Contributor, error) {
		return nil, nil
	}))
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	member := r.fx.Members[1].User.ID

	for _, bad := range []string{"", "no spaces", "-dash-"} {
		require.ErrorIs(t, r.eng.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: ws, MemberID: member, Login: bad}), clockifysync.ErrInput, bad)
	}
	require.ErrorIs(t, r.eng.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: ws, MemberID: "nobody", Login: "octocat"}), clockifysync.ErrNotFound)
	stored, err := r.store.UserMappings(ctx, ws)
	require.NoError(t, err)
	require.Empty(t, stored, "bad mappings change nothing")

	require.NoError(t, r.eng.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: ws, MemberID: member, Login: "octocat"}))
	// A member mapped by hand who has left the workspace does not stop the syncs.
	require.NoError(t, r.store.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: ws, MemberID: "left-long-ago", Login: "ghost"}))
	login := func() (string, string) {
		members, err := r.store.Members(ctx, ws)
		require.NoError(t, err)
		for _, m := range members {
			if m.ID == member {
				return m.Login, m.Method
			}
		}
		t.Fatal("member gone")
		return "", ""
	}
	l, method := login()
	require.Equal(t, "octocat", l)
	require.Equal(t, "manual", method)
	_, err = r.eng.SyncRecent(ctx, ws)
	require.NoError(t, err)
	l, _ = login()
	require.Equal(t, "octocat", l, "a re-sync keeps it")

	require.NoError(t, r.eng.DeleteUserMapping(ctx, ws, member))
	_, err = r.eng.SyncRecent(ctx, ws)
	require.NoError(t, err)
	l, _ = login()
	require.Empty(t, l, "no contributor matches: unmapped again")

	members, err := r.store.Members(ctx, ws)
	require.NoError(t, err)
	for i, m := range members { // the first the store lists too
		require.NoError(t, r.eng.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: ws, MemberID: m.ID, Login: fmt.Sprintf("user-%d", i)}), m.ID)
	}
}

// TestUserMappingByHandDuringASync: a member mapped by hand while a sync maps the members
// (after it read the manual mappings, before it stored the members) keeps that login,
// as a manual mapping: whether the contributors matched the member to another login, to
// the same one by email, or a manual mapping read before named another.
func TestUserMappingByHandDuringASync(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		found   string // the contributor's login
		byEmail bool   // the contributor has the member's email
		before  string // a login mapped by hand before the sync
	}{
		{"matched to none", "someone-else", false, ""},
		{"matched to the same login by email", "octocat", true, ""},
		{"mapped by hand before", "someone-else", false, "first-choice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var during atomic.Pointer[func()]
			var found mapping.Contributor // set once the rig's members are known, before a sync reads it
			r := newRig(t, clockifysync.WithContributors(func(context.Context, string) ([]mapping.Contributor, error) {
				if fn := during.Swap(nil); fn != nil {
					(*fn)()
				}
				return []mapping.Contributor{found}, nil
			}))
			member := r.fx.Owner.ID // the first the list names
			found.Login = c.found
			if c.byEmail {
				found.Emails = []string{r.fx.Owner.Email}
			}
			r.connect(t)
			ws := r.fx.Workspace.ID
			ctx := t.Context()
			if c.before != "" {
				require.NoError(t, r.eng.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: ws, MemberID: member, Login: c.before}))
			}
			byHand := func() {
				assert.NoError(t, r.eng.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: ws, MemberID: member, Login: "octocat"}))
			}
			during.Store(&byHand)

			_, err := r.eng.SyncRecent(ctx, ws)
			require.NoError(t, err)
			require.Nil(t, during.Load(), "mapped by hand during the sync")
			members, err := r.store.Members(ctx, ws)
			require.NoError(t, err)
			i := slices.IndexFunc(members, func(m clockifysync.Member) bool { return m.ID == member })
			require.Equal(t, "octocat", members[i].Login)
			require.Equal(t, "manual", members[i].Method)
			require.Equal(t, 1.0, members[i].Score)
		})
	}
}

func TestUnmappedProjects(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	all, err := r.eng.UnmappedProjects(ctx, ws)
	require.NoError(t, err)
	require.Len(t, all, len(r.fx.Projects))
	require.NoError(t, r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: r.fx.Projects[0].ID, Repo: "acme/web"}))
	rest, err := r.eng.UnmappedProjects(ctx, ws)
	require.NoError(t, err)
	require.Len(t, rest, len(r.fx.Projects)-1)
	for _, p := range rest {
		require.NotEqual(t, r.fx.Projects[0].ID, p.ID)
	}

	// Suggestions come for the unmapped projects only.
	repos := []string{"acme/unrelated-thing"}
	for _, p := range r.fx.Projects {
		repos = append(repos, r.fx.Org+"/"+p.Name)
	}
	suggested, err := r.eng.SuggestRepos(ctx, ws, repos)
	require.NoError(t, err)
	require.NotEmpty(t, suggested)
	for _, s := range suggested {
		require.NotEqual(t, r.fx.Projects[0].ID, s.ProjectID, "mapped already")
		i := slices.IndexFunc(r.fx.Projects, func(p clockify.Project) bool { return p.ID == s.ProjectID })
		require.Equal(t, r.fx.Org+"/"+r.fx.Projects[i].Name, s.Repo)
	}
}

// TestLinkedEntriesNeedAWorkspace: manual links are kept per workspace, so a query of
// every workspace's entries would come back without them; it is refused, as is a report
// over it, rather than answered with auto links where manual ones win.
func TestLinkedEntriesNeedAWorkspace(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	_, err := r.eng.LinkedEntries(t.Context(), clockifysync.EntryQuery{})
	var in *clockifysync.InputError
	require.ErrorAs(t, err, &in)
	require.Equal(t, "workspace", in.Field)
	_, err = r.eng.Report(t.Context(), clockifysync.EntryQuery{UserID: r.fx.Members[0].User.ID}, analytics.Options{})
	require.ErrorIs(t, err, clockifysync.ErrInput)
}

// TestEntriesOfAPR: the entries of one pull request, as its page shows them, are those
// whose effective links name it: by any form or case of the reference, or by a manual
// link; not an entry whose manual links name another PR, nor an issue of that number.
func TestEntriesOfAPR(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		r := newRigOn(t, store)
		r.connect(t)
		ws := r.fx.Workspace.ID
		ctx := t.Context()
		project := r.fx.Projects[0].ID
		require.NoError(t, r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: project, Repo: "acme/web"}))
		from := now.Add(-2 * time.Hour)
		ids := map[string]string{}
		for i, desc := range []string{"#4 review", "https://github.com/Acme/Web/pull/4 fix", "#4 and #5", "#4 pairing",
			"standup", "https://github.com/acme/web/issues/4 triage", "#40 other"} {
			e, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: r.fx.Members[0].User.ID, ProjectID: project, Description: desc,
				TimeInterval: clockify.TimeInterval{Start: from.Add(time.Duration(i) * 10 * time.Minute), End: new(from.Add(time.Duration(i+1) * 10 * time.Minute))}})
			require.NoError(t, err)
			ids[desc] = e.ID
		}
		_, err := r.eng.SyncRecent(ctx, ws)
		require.NoError(t, err)
		require.NoError(t, r.eng.LinkManually(ctx, ws, ids["#4 pairing"], "acme/web#9"))
		require.NoError(t, r.eng.LinkManually(ctx, ws, ids["standup"], "acme/web#4"))

		want := []string{ids["#4 review"], ids["https://github.com/Acme/Web/pull/4 fix"], ids["#4 and #5"], ids["standup"]}
		for _, pr := range []string{"acme/web#4", "ACME/web#4", "https://github.com/acme/web/pull/4/files"} {
			entries, err := r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, PR: pr})
			require.NoError(t, err)
			var got []string
			for _, e := range entries {
				got = append(got, e.ID)
			}
			require.Equal(t, want, got, pr)
		}

		// In pages of any size, oldest or newest first; the entry whose manual link names
		// another PR is read from the store and dropped, and the page goes on after it.
		newest := slices.Clone(want)
		slices.Reverse(newest)
		for size := 1; size <= len(want)+1; size++ {
			require.Equal(t, want, linkedPages(t, r.eng, clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/web#4"}, size))
			require.Equal(t, newest, linkedPages(t, r.eng, clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/web#4", Newest: true}, size))
		}
		page, err := r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, From: from.Add(40 * time.Minute), Limit: 1})
		require.NoError(t, err)
		require.Len(t, page, 1)
		require.Equal(t, ids["standup"], page[0].ID)
		require.Equal(t, "acme/web#4", page[0].Effective[0].Target(), "a page's entries with their manual links")
		_, err = r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, Limit: -1})
		require.ErrorIs(t, err, clockifysync.ErrInput)
		_, err = r.eng.Report(ctx, clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/web#4", Limit: 2}, analytics.Options{})
		require.ErrorIs(t, err, clockifysync.ErrInput, "a report of a page")
		_, err = r.eng.Report(ctx, clockifysync.EntryQuery{WorkspaceID: ws, After: page[0].Cursor()}, analytics.Options{})
		require.ErrorIs(t, err, clockifysync.ErrInput, "a report of a page")

		s, err := r.eng.Report(ctx, clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/web#4"}, analytics.Options{})
		require.NoError(t, err)
		i := slices.IndexFunc(s.PRs, func(p analytics.PRStats) bool { return p.PR == "acme/web#4" })
		require.GreaterOrEqual(t, i, 0)
		require.Equal(t, int64(35*60), s.PRs[i].Stats.Seconds(), "10 + 10 + half of 10 + 10 minutes")
		require.Equal(t, 4, s.PRs[i].Stats.Entries)

		entries, err := r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/web#404"})
		require.NoError(t, err)
		require.Empty(t, entries)
		for _, bad := range []string{"#4", "acme/web", "PR 4", "https://github.com/acme/web/issues/4"} {
			_, err := r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, PR: bad})
			require.ErrorIs(t, err, clockifysync.ErrInput, bad)
		}
	})
}

// linkedPages reads every page of a query of LinkedEntries, and returns the entries' ids.
func linkedPages(t *testing.T, eng *clockifysync.Engine, q clockifysync.EntryQuery, size int) []string {
	t.Helper()
	q.Limit = size
	var got []string
	for {
		page, err := eng.LinkedEntries(t.Context(), q)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), size)
		for _, e := range page {
			got = append(got, e.ID)
		}
		if len(page) < size {
			return got
		}
		q.After = page[len(page)-1].Cursor()
	}
}

// TestEnterpriseURLs: with a parser that knows a GitHub Enterprise host, the engine reads
// that host's pull-request URLs wherever it takes a target, as it does in descriptions.
func TestEnterpriseURLs(t *testing.T) {
	t.Parallel()
	p, err := linker.NewParser(linker.WithHost("git.acme.dev"))
	require.NoError(t, err)
	r := newRig(t, clockifysync.WithParser(p))
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	review := r.add(t, "https://git.acme.dev/acme/web/pull/4 review", now.Add(-time.Hour))
	pairing := r.add(t, "pairing", now.Add(-2*time.Hour))
	_, err = r.eng.SyncRecent(ctx, ws)
	require.NoError(t, err)
	require.NoError(t, r.eng.LinkManually(ctx, ws, pairing.ID, "https://git.acme.dev/acme/web/pull/4/files"))

	entries, err := r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, PR: "https://git.acme.dev/acme/web/pull/4"})
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.ID)
	}
	require.ElementsMatch(t, []string{review.ID, pairing.ID}, got)
	require.NoError(t, r.eng.Unlink(ctx, ws, pairing.ID, "https://git.acme.dev/acme/web/pull/4"))
}

// unpaged is a store written before EntryQuery had pages: it returns every entry a
// query selects.
type unpaged struct{ clockifysync.Store }

func (s unpaged) Entries(ctx context.Context, q clockifysync.EntryQuery) ([]clockifysync.Entry, error) {
	q.Limit, q.After, q.Newest = 0, nil, false
	return s.Store.Entries(ctx, q)
}

// TestPagesFromAStoreThatDoesNotPage: over a store that ignores a query's page, a page
// of LinkedEntries still holds no more than its limit, and the call ends.
func TestPagesFromAStoreThatDoesNotPage(t *testing.T) {
	t.Parallel()
	r := newRigOn(t, unpaged{memory.New()})
	r.connect(t)
	ws := r.fx.Workspace.ID
	all, err := r.eng.LinkedEntries(t.Context(), clockifysync.EntryQuery{WorkspaceID: ws})
	require.NoError(t, err)
	require.Greater(t, len(all), 3)
	require.NoError(t, r.eng.LinkManually(t.Context(), ws, all[1].ID, "acme/web#1"))
	for _, q := range []clockifysync.EntryQuery{
		{WorkspaceID: ws, Limit: 3},
		{WorkspaceID: ws, Limit: 1, PR: "acme/web#1"},
	} {
		page, err := r.eng.LinkedEntries(t.Context(), q)
		require.NoError(t, err)
		require.Len(t, page, min(q.Limit, len(all)))
	}
}

// manualReads records how many entries each read of manual links names (0: all of the
// workspace's).
type manualReads struct {
	clockifysync.Store
	mu  gosync.Mutex
	ids []int
}

func (s *manualReads) ManualLinks(ctx context.Context, workspaceID string, entryIDs ...string) ([]clockifysync.Link, error) {
	s.mu.Lock()
	s.ids = append(s.ids, len(entryIDs))
	s.mu.Unlock()
	return s.Store.ManualLinks(ctx, workspaceID, entryIDs...)
}

// take returns the reads recorded since the last call.
func (s *manualReads) take() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.ids
	s.ids = nil
	return ids
}

// TestLinkedEntriesReadsFewManualLinks: every entry read once reads all the workspace's
// manual links at once; a page, or a PR's entries, read only their own entries' links.
func TestLinkedEntriesReadsFewManualLinks(t *testing.T) {
	t.Parallel()
	store := &manualReads{Store: memory.New()}
	r := newRigOn(t, store)
	r.connect(t)
	ws := r.fx.Workspace.ID
	all, err := r.eng.LinkedEntries(t.Context(), clockifysync.EntryQuery{WorkspaceID: ws})
	require.NoError(t, err)
	require.Greater(t, len(all), 3)
	require.NoError(t, r.eng.LinkManually(t.Context(), ws, all[1].ID, "acme/web#1"))
	store.take()
	for _, tc := range []struct {
		q    clockifysync.EntryQuery
		want []int
	}{
		{clockifysync.EntryQuery{WorkspaceID: ws}, []int{0}},
		{clockifysync.EntryQuery{WorkspaceID: ws, Limit: 3}, []int{3}},
		{clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/web#1"}, []int{1}},
	} {
		_, err := r.eng.LinkedEntries(t.Context(), tc.q)
		require.NoError(t, err)
		require.Equal(t, tc.want, store.take(), "%+v", tc.q)
	}
}

// TestGitHubHostPerConnection: each connection's GitHub Enterprise host links the URLs
// on it in its own workspace's entries, by hand and in a PR's query too, and no other
// workspace's; setting it links the stored entries again. A bad host, or a workspace
// never connected, changes nothing.
func TestGitHubHostPerConnection(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := t.Context()
	ws := r.fx.Workspace.ID
	req := clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, WebhookURL: r.hook.URL + "/clockify"}
	bad := req
	bad.GitHubHost = "not a host"
	_, err := r.eng.Connect(ctx, bad)
	require.ErrorIs(t, err, clockifysync.ErrInput)
	_, err = r.store.Connection(ctx, ws)
	require.ErrorIs(t, err, clockifysync.ErrNotFound, "nothing stored")
	req.GitHubHost = " https://GitHub.Acme.Corp/ "
	res, err := r.eng.Connect(ctx, req)
	require.NoError(t, err)
	require.Equal(t, "github.acme.corp", res.Connection.GitHubHost)

	other := clockifytest.Generate(clockifytest.GenerateOptions{Seed: 8, Now: now})
	r.srv.Load(other)
	_, err = r.eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: other.OwnerKey, WorkspaceID: other.Workspace.ID, InitialDays: 1})
	require.NoError(t, err)

	const url = "https://github.acme.corp/team/svc/pull/31"
	mine := r.add(t, "Review "+url, now.Add(-time.Hour)) // delivered
	r.requireTarget(t, mine.ID, "team/svc#31")
	theirs, err := r.srv.AddTimeEntry(other.Workspace.ID, clockify.TimeEntry{UserID: other.Owner.ID, Description: "Review " + url,
		TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Hour), End: new(now)}})
	require.NoError(t, err)
	_, err = r.eng.SyncRecent(ctx, other.Workspace.ID)
	require.NoError(t, err)
	stored, err := r.store.Entry(ctx, other.Workspace.ID, theirs.ID)
	require.NoError(t, err)
	require.Empty(t, stored.Links, "another workspace's entries do not know the host")

	onPR, err := r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, PR: url})
	require.NoError(t, err)
	require.Len(t, onPR, 1)
	_, err = r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: other.Workspace.ID, PR: url})
	require.ErrorIs(t, err, clockifysync.ErrInput)
	require.NoError(t, r.eng.LinkManually(ctx, ws, mine.ID, "https://github.acme.corp/team/svc/pull/5"))
	require.ErrorIs(t, r.eng.LinkManually(ctx, other.Workspace.ID, theirs.ID, "https://github.acme.corp/team/svc/pull/5"), clockifysync.ErrInput)

	before, err := r.store.Connection(ctx, other.Workspace.ID)
	require.NoError(t, err)
	require.ErrorIs(t, r.eng.SetGitHubHost(ctx, other.Workspace.ID, "a/b"), clockifysync.ErrInput)
	require.ErrorIs(t, r.eng.SetGitHubHost(ctx, "elsewhere", "github.acme.corp"), clockifysync.ErrNotConnected)
	after, err := r.store.Connection(ctx, other.Workspace.ID)
	require.NoError(t, err)
	require.Equal(t, before, after, "nothing changed")
	require.NoError(t, r.eng.SetGitHubHost(ctx, other.Workspace.ID, "github.acme.corp"))
	stored, err = r.store.Entry(ctx, other.Workspace.ID, theirs.ID)
	require.NoError(t, err)
	require.Len(t, stored.Links, 1, "linked again with the host")
	require.Equal(t, "team/svc#31", stored.Links[0].Target())

	old := r.add(t, "Review "+url, now.AddDate(0, 0, -3)) // delivered, and out of the next initial sync's day
	r.requireTarget(t, old.ID, "team/svc#31")
	require.NoError(t, r.eng.SetGitHubHost(ctx, ws, ""))
	got, err := r.store.Entry(ctx, ws, old.ID)
	require.NoError(t, err)
	require.Empty(t, got.Links, "no host, no link")
	req.GitHubHost, req.InitialDays = "github.acme.corp", 1
	_, err = r.eng.Connect(ctx, req)
	require.NoError(t, err)
	r.requireTarget(t, old.ID, "team/svc#31") // a Connect with another host links the stored entries again
}

// TestSyncLinksWithAHostSetMeanwhile: a GitHub host set while a sync's batch of entries
// was linked without it, before that batch is written, links the batch too: the sync
// looks at the host again after each write.
func TestSyncLinksWithAHostSetMeanwhile(t *testing.T) {
	t.Parallel()
	hook := &hookedStore{Store: memory.New()}
	r := newRigOn(t, hook)
	r.connect(t)
	ws := r.fx.Workspace.ID
	e, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: r.fx.Owner.ID, Description: "https://github.acme.corp/team/svc/pull/8",
		TimeInterval: clockify.TimeInterval{Start: now.Add(-2 * time.Hour), End: new(now.Add(-time.Hour))}})
	require.NoError(t, err)
	setHost := func(entries []clockifysync.Entry) bool {
		if !slices.ContainsFunc(entries, func(en clockifysync.Entry) bool { return en.ID == e.ID }) {
			return false
		}
		require.NoError(t, r.eng.SetGitHubHost(t.Context(), ws, "github.acme.corp"))
		return true
	}
	hook.beforePut.Store(&setHost)
	_, err = r.eng.SyncRecent(t.Context(), ws)
	require.NoError(t, err)
	require.Nil(t, hook.beforePut.Load(), "the host was set during the sync")
	r.requireTarget(t, e.ID, "team/svc#8")
}

// TestLinkSameTarget: two links name one target whatever the names' case, and an issue
// is not the pull request of its number.
func TestLinkSameTarget(t *testing.T) {
	pr := clockifysync.Link{Owner: "acme", Repo: "web", Number: 12}
	for _, tc := range []struct {
		other clockifysync.Link
		same  bool
	}{
		{clockifysync.Link{Owner: "acme", Repo: "web", Number: 12, Source: clockifysync.SourceManual}, true},
		{clockifysync.Link{Owner: "ACME", Repo: "Web", Number: 12}, true},
		{clockifysync.Link{Owner: "acme", Repo: "web", Number: 13}, false},
		{clockifysync.Link{Owner: "acme", Repo: "api", Number: 12}, false},
		{clockifysync.Link{Owner: "other", Repo: "web", Number: 12}, false},
		{clockifysync.Link{Owner: "acme", Repo: "web", Number: 12, Issue: true}, false},
		{clockifysync.Link{Number: 12}, false},
	} {
		require.Equal(t, tc.same, pr.SameTarget(tc.other), "%+v", tc.other)
		require.Equal(t, tc.same, tc.other.SameTarget(pr), "%+v, the other way", tc.other)
	}
}
