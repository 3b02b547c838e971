package sync_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/store/memory"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// TestStoresAgree: seeded streams of writes (entries put, read before or after the stored
// ones, marked deleted and back; manual links added and removed; projects likewise) go to
// the memory store and to each SQL store, and after each step a random query (every
// filter of EntryQuery, pages from a cursor in either order) must give both the same
// entries, links included, and the same manual links and projects.
// The memory store is the model: plain Go over a map.
func TestStoresAgree(t *testing.T) {
	t.Parallel()
	for _, s := range stores[1:] {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			for seed := range uint64(6) {
				t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
					agree(t, memory.New(), s.open(t), seed)
				})
			}
		})
	}
}

// agree runs one stream of TestStoresAgree.
func agree(t *testing.T, model, store clockifysync.Store, seed uint64) {
	ctx := t.Context()
	rnd := rand.New(rand.NewPCG(seed, 7))
	pick := func(xs ...string) string { return xs[rnd.IntN(len(xs))] }
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	at := func() time.Time { return t0.Add(time.Duration(rnd.IntN(20*24)) * time.Hour / 2) } // on the half hour: ties
	workspaces := []string{"ws1", "ws2"}
	ids := func() string { return fmt.Sprint("e", rnd.IntN(40)) }
	texts := []string{"", "login", "LOGIN page", "50% done", "snake_case", "Übersicht", "#7 fix", "acme/web#7", "a\\b"}
	link := func(ws, id string) clockifysync.Link {
		l := clockifysync.Link{WorkspaceID: ws, EntryID: id, Owner: pick("acme", "Acme", ""), Repo: pick("web", "WEB", "api"),
			Number: 1 + rnd.IntN(8), Issue: rnd.IntN(6) == 0, Source: clockifysync.SourceAuto, Pattern: "#N", Text: "#", Confidence: 0.5}
		if l.Owner == "" {
			l.Repo = ""
		}
		return l
	}
	var written []clockifysync.Entry // what the stream put, for cursors and manual links
	step := func(name string, do func(s clockifysync.Store) error) {
		t.Helper()
		errModel, errStore := do(model), do(store)
		require.Equal(t, errModel == nil, errStore == nil, "%s: model %v, store %v", name, errModel, errStore)
	}
	for i := range 150 {
		switch rnd.IntN(14) {
		case 0, 1, 2, 3, 4:
			var batch []clockifysync.Entry
			for range 1 + rnd.IntN(6) {
				ws := pick(workspaces...)
				e := clockifysync.Entry{WorkspaceID: ws, ID: ids(), UserID: pick("u1", "u2", "u3"), ProjectID: pick("", "p1", "p2"),
					Description: pick(texts...), Start: at(), Billable: rnd.IntN(2) == 0, HourlyRate: int64(rnd.IntN(3) * 5000),
					Currency: pick("", "AUD", "USD"), Type: pick("REGULAR", "BREAK"), Synced: at()}
				if rnd.IntN(5) > 0 {
					e.End = e.Start.Add(time.Duration(1+rnd.IntN(300)) * time.Minute)
				}
				if rnd.IntN(8) == 0 {
					e.Deleted = at()
				}
				for range rnd.IntN(3) {
					e.Links = append(e.Links, link(ws, e.ID))
				}
				batch = append(batch, e)
			}
			written = append(written, batch...)
			step("put", func(s clockifysync.Store) error { return s.PutEntries(ctx, batch) })
		case 5:
			ws, gone := pick(workspaces...), []string{ids(), ids()}
			when := at()
			step("mark deleted", func(s clockifysync.Store) error { return s.MarkEntriesDeleted(ctx, ws, gone, when) })
		case 6:
			// Links found again (a project mapped since), for entries as a writer read
			// them: those changed since keep their links.
			if len(written) == 0 {
				continue
			}
			var batch []clockifysync.Entry
			for range 1 + rnd.IntN(3) {
				e := written[rnd.IntN(len(written))]
				if slices.ContainsFunc(batch, func(b clockifysync.Entry) bool { return b.WorkspaceID == e.WorkspaceID && b.ID == e.ID }) {
					continue // one version of an entry a batch
				}
				e.Links = nil
				for range rnd.IntN(3) {
					e.Links = append(e.Links, link(e.WorkspaceID, e.ID))
				}
				batch = append(batch, e)
			}
			step("replace auto links", func(s clockifysync.Store) error { return s.ReplaceAutoLinks(ctx, batch) })
		case 8:
			var batch []clockifysync.Project
			for range 1 + rnd.IntN(3) {
				batch = append(batch, clockifysync.Project{WorkspaceID: pick(workspaces...), ID: pick("p1", "p2", "p3"),
					Name: pick("Web", "web app", "Ünïcode"), Billable: rnd.IntN(2) == 0, Archived: rnd.IntN(4) == 0,
					HourlyRate: int64(rnd.IntN(3) * 5000), Currency: pick("", "AUD"), Synced: at()})
			}
			step("put projects", func(s clockifysync.Store) error { return s.PutProjects(ctx, batch) })
		case 9:
			ws, id, when := pick(workspaces...), pick("p1", "p2", "p3"), at()
			step("mark project deleted", func(s clockifysync.Store) error { return s.MarkProjectDeleted(ctx, ws, id, when) })
		case 7:
			if len(written) == 0 {
				continue
			}
			e := written[rnd.IntN(len(written))]
			l := link(e.WorkspaceID, e.ID)
			if l.Owner == "" {
				l.Owner, l.Repo = "acme", "web"
			}
			l.Source, l.Pattern, l.Text, l.Confidence, l.Created = clockifysync.SourceManual, "manual", "", 1, at()
			if rnd.IntN(3) == 0 {
				step("remove manual", func(s clockifysync.Store) error { return s.RemoveManualLink(ctx, l) })
			} else {
				step("add manual", func(s clockifysync.Store) error { return s.AddManualLink(ctx, l) })
			}
		default:
			q := clockifysync.EntryQuery{WorkspaceID: pick(workspaces...)}
			if rnd.IntN(3) == 0 {
				q.From = at()
			}
			if rnd.IntN(3) == 0 {
				q.To = at()
			}
			q.UserID = pick("", "", "u1", "u2")
			q.ProjectID = pick("", "", "", "p1", "p2")
			q.Text = pick("", "", "", "login", "%", "_", "übersicht", "#7", "\\")
			q.IncludeDeleted = rnd.IntN(3) == 0
			q.Running = rnd.IntN(6) == 0
			q.PR = pick("", "", "", "acme/web#7", "ACME/Web#3", "acme/api#1")
			q.Newest = rnd.IntN(2) == 0
			if rnd.IntN(2) == 0 {
				q.Limit = 1 + rnd.IntN(5)
			}
			if len(written) > 0 && rnd.IntN(3) == 0 {
				q.After = written[rnd.IntN(len(written))].Cursor()
			}
			want, err := model.Entries(ctx, q)
			require.NoError(t, err)
			got, err := store.Entries(ctx, q)
			require.NoError(t, err)
			require.Equal(t, ids0(want), ids0(got), "step %d: %+v", i, q)
			for j := range want {
				requireSameEntry(t, want[j], got[j])
			}
			onlyIDs, err := store.EntryIDs(ctx, q)
			require.NoError(t, err)
			require.Equal(t, ids0(want), append([]string{}, onlyIDs...), "EntryIDs, step %d: %+v", i, q)
			ws := q.WorkspaceID
			wantLinks, err := model.ManualLinks(ctx, ws)
			require.NoError(t, err)
			gotLinks, err := store.ManualLinks(ctx, ws)
			require.NoError(t, err)
			require.Equal(t, linkKeys(wantLinks), linkKeys(gotLinks), "manual links, step %d", i)
			wantProjects, err := model.Projects(ctx, ws)
			require.NoError(t, err)
			gotProjects, err := store.Projects(ctx, ws)
			require.NoError(t, err)
			require.Equal(t, projectKeys(wantProjects), projectKeys(gotProjects), "projects, step %d", i)
		}
	}
}

// linkKeys renders links as entry, target and creation time, in their order.
func linkKeys(ls []clockifysync.Link) []string {
	out := []string{}
	for _, l := range ls {
		out = append(out, fmt.Sprint(l.EntryID, " ", l.Target(), " ", l.Issue, " ", l.Created.UTC().Format(time.RFC3339)))
	}
	return out
}

// projectKeys renders projects with their times as instants.
func projectKeys(ps []clockifysync.Project) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%s %s %q %t %t %d %s deleted %s synced %s", p.WorkspaceID, p.ID, p.Name, p.Billable, p.Archived,
			p.HourlyRate, p.Currency, p.Deleted.UTC().Format(time.RFC3339), p.Synced.UTC().Format(time.RFC3339)))
	}
	return out
}

// ids0 returns the ids of entries, never nil.
func ids0(es []clockifysync.Entry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

// requireSameEntry compares two stores' entry, their times as instants.
func requireSameEntry(t *testing.T, want, got clockifysync.Entry) {
	t.Helper()
	for _, p := range []struct{ w, g *time.Time }{{&want.Start, &got.Start}, {&want.End, &got.End}, {&want.Deleted, &got.Deleted}, {&want.Synced, &got.Synced}} {
		require.Truef(t, p.w.Equal(*p.g), "entry %s: time %v, want %v", want.ID, *p.g, *p.w)
		*p.w, *p.g = time.Time{}, time.Time{}
	}
	require.Equal(t, want, got)
}
