package sync_test

import (
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	"github.com/heyjasper/jasper-clockify/store/memory"
	"github.com/heyjasper/jasper-clockify/store/postgres"
	"github.com/heyjasper/jasper-clockify/store/postgres/pgtest"
	"github.com/heyjasper/jasper-clockify/store/sqlite"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// benchStores are the stores the benchmarks run on.
var benchStores = []struct {
	name string
	open func(b *testing.B) clockifysync.Store
}{
	{"memory", func(*testing.B) clockifysync.Store { return memory.New() }},
	{"sqlite", func(b *testing.B) clockifysync.Store {
		st, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
		require.NoError(b, err)
		b.Cleanup(func() { st.Close() })
		return st
	}},
	{"postgres", func(b *testing.B) clockifysync.Store { // skipped without JASPER_POSTGRES_URL
		st, err := postgres.New(b.Context(), pgtest.NewDatabase(b))
		require.NoError(b, err)
		b.Cleanup(func() { st.Close() })
		return st
	}},
}

// BenchmarkSyncWindow syncs a year of a 20-member workspace (the fake in-process, no rate
// limit) against a baseline that only reads the same entries through the client: the
// least any sync must do. The ratio is what the engine and the store add.
func BenchmarkSyncWindow(b *testing.B) {
	now := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 9, Members: 20, Days: 365, Now: now},
		clockifytest.WithoutListener())
	defer srv.Close()
	opts := []clockify.Option{clockify.WithBaseURL(srv.CoreURL()), clockify.WithReportsURL(srv.ReportsURL()),
		clockify.WithHTTPClient(&http.Client{Transport: srv.Transport()}), clockify.WithRateLimit(1e6, 1000)}
	ws := fx.Workspace.ID
	window := clockifysync.Window{Start: now.AddDate(0, 0, -365), End: now}
	entries := 0 // those started in the window
	for _, e := range fx.Entries {
		if !e.TimeInterval.Start.Before(window.Start) && !e.TimeInterval.Start.After(window.End) {
			entries++
		}
	}

	b.Run("baseline-read-only", func(b *testing.B) {
		c, err := clockify.NewClient(append([]clockify.Option{clockify.WithAPIKey(fx.OwnerKey)}, opts...)...)
		require.NoError(b, err)
		n := 0
		for b.Loop() {
			n = 0
			for _, m := range fx.Members {
				for _, err := range c.TimeEntries.All(b.Context(), ws, m.User.ID, &clockify.TimeEntryListOptions{
					Start: window.Start, End: window.End, ListOptions: clockify.ListOptions{PageSize: 1000}}) {
					require.NoError(b, err)
					n++
				}
			}
		}
		require.Equal(b, entries, n)
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	})
	for _, s := range benchStores {
		b.Run("engine-"+s.name, func(b *testing.B) {
			eng, err := clockifysync.New(s.open(b), make([]byte, 32), clockifysync.WithClientOptions(opts...),
				clockifysync.WithClock(func() time.Time { return now }))
			require.NoError(b, err)
			_, err = eng.Connect(b.Context(), clockifysync.ConnectRequest{APIKey: fx.OwnerKey, WorkspaceID: ws, InitialDays: 1})
			require.NoError(b, err)
			for b.Loop() {
				res, err := eng.Sync(b.Context(), ws, window)
				require.NoError(b, err)
				require.Equal(b, entries, res.Stored)
			}
			b.ReportMetric(float64(entries)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// BenchmarkEntriesOfAPR reads the entries of one pull request, as its page in a code
// review shows them, from a year of a 20-member workspace with every project mapped to a
// repository, in each store. The baseline reads the workspace's linked entries and keeps
// the pull request's in Go: what a host would do without EntryQuery.PR.
func BenchmarkEntriesOfAPR(b *testing.B) {
	now := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 9, Members: 20, Days: 365, Now: now},
		clockifytest.WithoutListener())
	defer srv.Close()
	ws := fx.Workspace.ID
	for _, s := range benchStores {
		b.Run(s.name, func(b *testing.B) {
			ctx := b.Context()
			eng, err := clockifysync.New(s.open(b), make([]byte, 32), clockifysync.WithClock(func() time.Time { return now }),
				clockifysync.WithClientOptions(clockify.WithBaseURL(srv.CoreURL()), clockify.WithReportsURL(srv.ReportsURL()),
					clockify.WithHTTPClient(&http.Client{Transport: srv.Transport()}), clockify.WithRateLimit(1e6, 1000)))
			require.NoError(b, err)
			_, err = eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: fx.OwnerKey, WorkspaceID: ws, InitialDays: 1})
			require.NoError(b, err)
			for _, p := range fx.Projects {
				require.NoError(b, eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: p.ID, Repo: "acme/" + p.Name}))
			}
			_, err = eng.Sync(ctx, ws, clockifysync.Window{Start: now.AddDate(0, 0, -365), End: now})
			require.NoError(b, err)

			// The pull request with the most entries.
			all, err := eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws})
			require.NoError(b, err)
			count := map[string]int{}
			for _, e := range all {
				for _, l := range e.Effective {
					if l.Resolved() && !l.Issue {
						count[l.Target()]++
					}
				}
			}
			pr := ""
			for t, n := range count {
				if pr == "" || n > count[pr] || n == count[pr] && t < pr {
					pr = t
				}
			}
			owner, repo, number, err := clockifysync.ParsePR(pr)
			require.NoError(b, err)
			want := count[pr]

			b.Run("baseline-whole-workspace", func(b *testing.B) {
				n := 0
				for b.Loop() {
					all, err := eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws})
					require.NoError(b, err)
					n = 0
					for _, e := range all {
						if slices.ContainsFunc(e.Effective, func(l clockifysync.Link) bool { return l.IsPR(owner, repo, number) }) {
							n++
						}
					}
				}
				require.Equal(b, want, n)
			})
			b.Run("pr-query", func(b *testing.B) {
				var got []clockifysync.LinkedEntry
				for b.Loop() {
					got, err = eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, PR: pr})
					require.NoError(b, err)
				}
				require.Len(b, got, want)
			})
			b.Logf("%s: %d of %d entries", pr, want, len(all))
		})
	}
}
