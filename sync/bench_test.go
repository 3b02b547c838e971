package sync_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// benchYear is a generated workspace with a year of the given number of members'
// entries, served in-process by the fake with no rate limit.
type benchYear struct {
	now     time.Time
	srv     *clockifytest.Server
	fx      *clockifytest.Fixture
	opts    []clockify.Option // the client's, to reach the fake
	window  clockifysync.Window
	entries int // those started in the window
}

func newBenchYear(b *testing.B, members int) *benchYear {
	y := &benchYear{now: time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)}
	y.srv, y.fx = clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 9, Members: members, Days: 365, Now: y.now},
		clockifytest.WithoutListener())
	b.Cleanup(y.srv.Close)
	y.opts = []clockify.Option{clockify.WithBaseURL(y.srv.CoreURL()), clockify.WithReportsURL(y.srv.ReportsURL()),
		clockify.WithHTTPClient(&http.Client{Transport: y.srv.Transport()}), clockify.WithRateLimit(1e6, 1000)}
	y.window = clockifysync.Window{Start: y.now.AddDate(0, 0, -365), End: y.now}
	for _, e := range y.fx.Entries {
		if !e.TimeInterval.Start.Before(y.window.Start) && !e.TimeInterval.Start.After(y.window.End) {
			y.entries++
		}
	}
	return y
}

// engine returns an engine over store, on the fake.
func (y *benchYear) engine(b *testing.B, store clockifysync.Store) *clockifysync.Engine {
	eng, err := clockifysync.New(store, make([]byte, 32), clockifysync.WithClientOptions(y.opts...),
		clockifysync.WithClock(func() time.Time { return y.now }))
	require.NoError(b, err)
	return eng
}

// baseline reads the year's entries through the client, member after member, and keeps
// nothing: the least any sync must do.
func (y *benchYear) baseline(b *testing.B) {
	c, err := clockify.NewClient(append([]clockify.Option{clockify.WithAPIKey(y.fx.OwnerKey)}, y.opts...)...)
	require.NoError(b, err)
	n := 0
	for b.Loop() {
		n = 0
		for _, m := range y.fx.Members {
			for _, err := range c.TimeEntries.All(b.Context(), y.fx.Workspace.ID, m.User.ID, &clockify.TimeEntryListOptions{
				Start: y.window.Start, End: y.window.End, ListOptions: clockify.ListOptions{PageSize: 1000}}) {
				require.NoError(b, err)
				n++
			}
		}
	}
	require.Equal(b, y.entries, n)
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkSyncWindow syncs a year of a 20-member workspace (the fake in-process, no rate
// limit) against a baseline that only reads the same entries through the client: the
// least any sync must do. The ratio is what the engine and the store add.
func BenchmarkSyncWindow(b *testing.B) {
	y := newBenchYear(b, 20)
	b.Run("baseline-read-only", y.baseline)
	for _, s := range stores {
		b.Run("engine-"+s.name, func(b *testing.B) {
			eng := y.engine(b, s.open(b))
			_, err := eng.Connect(b.Context(), clockifysync.ConnectRequest{APIKey: y.fx.OwnerKey, WorkspaceID: y.fx.Workspace.ID, InitialDays: 1})
			require.NoError(b, err)
			for b.Loop() {
				res, err := eng.Sync(b.Context(), y.fx.Workspace.ID, y.window)
				require.NoError(b, err)
				require.Equal(b, y.entries, res.Stored)
			}
			b.ReportMetric(float64(y.entries)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// BenchmarkFirstSync connects a workspace with a year of 80 members' entries to a new,
// empty store, as a new customer does, its initial sync a year long; the baseline reads
// the same entries through the client.
func BenchmarkFirstSync(b *testing.B) {
	y := newBenchYear(b, 80)
	b.Run("baseline-read-only", y.baseline)
	for _, s := range stores {
		b.Run("connect-"+s.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				eng := y.engine(b, s.open(b))
				b.StartTimer()
				res, err := eng.Connect(b.Context(), clockifysync.ConnectRequest{APIKey: y.fx.OwnerKey, WorkspaceID: y.fx.Workspace.ID,
					InitialDays: clockifysync.MaxInitialDays})
				require.NoError(b, err)
				require.Equal(b, y.entries, res.InitialSync.Stored)
			}
			b.ReportMetric(float64(y.entries)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// synced returns an engine over store with the year synced, every project mapped to a
// repository.
func (y *benchYear) synced(b *testing.B, store clockifysync.Store) *clockifysync.Engine {
	ctx, ws := b.Context(), y.fx.Workspace.ID
	eng := y.engine(b, store)
	_, err := eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: y.fx.OwnerKey, WorkspaceID: ws, InitialDays: 1})
	require.NoError(b, err)
	for _, p := range y.fx.Projects {
		require.NoError(b, eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: p.ID, Repo: "acme/" + p.Name}))
	}
	_, err = eng.Sync(ctx, ws, y.window)
	require.NoError(b, err)
	return eng
}

// BenchmarkEntriesPage reads a page of 50 entries, newest first, from a year of a
// 20-member workspace in each store, as a list of entries to link by hand shows them:
// the first page, one deep in the year, and the first page of a search. The baseline
// reads every entry the query selects and keeps the newest 50 in Go: what a host would
// do without EntryQuery.Limit.
func BenchmarkEntriesPage(b *testing.B) {
	y := newBenchYear(b, 20)
	ws := y.fx.Workspace.ID
	const size = 50
	for _, s := range stores {
		b.Run(s.name, func(b *testing.B) {
			ctx := b.Context()
			eng := y.synced(b, s.open(b))
			all, err := eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, Newest: true})
			require.NoError(b, err)
			for _, tc := range []struct {
				name string
				q    clockifysync.EntryQuery
			}{
				{"first", clockifysync.EntryQuery{WorkspaceID: ws}},
				{"deep", clockifysync.EntryQuery{WorkspaceID: ws, After: all[len(all)/2].Cursor()}},
				{"search", clockifysync.EntryQuery{WorkspaceID: ws, Text: "review"}},
			} {
				tc.q.Newest = true
				whole, err := eng.LinkedEntries(ctx, tc.q)
				require.NoError(b, err)
				require.Greater(b, len(whole), size)
				b.Run(tc.name+"/baseline-every-entry", func(b *testing.B) {
					var got []clockifysync.LinkedEntry
					for b.Loop() {
						every, err := eng.LinkedEntries(ctx, tc.q)
						require.NoError(b, err)
						got = every[:size]
					}
					require.Equal(b, whole[size-1].ID, got[size-1].ID)
				})
				b.Run(tc.name+"/page", func(b *testing.B) {
					q := tc.q
					q.Limit = size
					var got []clockifysync.LinkedEntry
					for b.Loop() {
						got, err = eng.LinkedEntries(ctx, q)
						require.NoError(b, err)
					}
					require.Len(b, got, size)
					require.Equal(b, whole[size-1].ID, got[size-1].ID)
				})
			}
		})
	}
}

// BenchmarkEntriesOfAPR reads the entries of one pull request, as its page in a code
// review shows them, from a year of a 20-member workspace with every project mapped to a
// repository, in each store. The baseline reads the workspace's linked entries and keeps
// the pull request's in Go: what a host would do without EntryQuery.PR.
func BenchmarkEntriesOfAPR(b *testing.B) {
	y := newBenchYear(b, 20)
	ws := y.fx.Workspace.ID
	for _, s := range stores {
		b.Run(s.name, func(b *testing.B) {
			ctx := b.Context()
			eng := y.synced(b, s.open(b))

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

// BenchmarkRecordDelivery records a webhook delivery into a workspace whose log is at
// the store's bound (10,000 records, each new one dropping the oldest) against a baseline
// that records into a workspace of its own, with nothing to drop. The ratio is what
// keeping each workspace's log bounded costs a delivery.
func BenchmarkRecordDelivery(b *testing.B) {
	const kept = 10_000
	for _, s := range stores {
		b.Run(s.name, func(b *testing.B) {
			store, ctx := s.open(b), b.Context()
			d := webhook.Delivery{ReceivedAt: now, EventType: string(clockify.EventNewTimeEntry), Kind: webhook.TimeEntryCreated,
				WebhookID: "h1", WorkspaceID: "full", EntityID: "e1", Outcome: webhook.OutcomeApplied, Status: http.StatusOK}
			for range kept {
				require.NoError(b, store.Record(ctx, d))
			}
			b.Run("baseline-new-workspace", func(b *testing.B) {
				n := 0
				for b.Loop() {
					n++
					d := d
					d.WorkspaceID = fmt.Sprint("new", n)
					require.NoError(b, store.Record(ctx, d))
				}
			})
			b.Run("full-workspace", func(b *testing.B) {
				for b.Loop() {
					require.NoError(b, store.Record(ctx, d))
				}
				got, err := store.Deliveries(ctx, "full", 0)
				require.NoError(b, err)
				require.Len(b, got, kept)
			})
		})
	}
}
