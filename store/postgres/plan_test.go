package postgres

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/store/internal/sqlstore"
	"github.com/heyjasper/jasper-clockify/store/postgres/pgtest"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// TestFirstEntriesGatherStatistics: on a new database, PostgreSQL has no statistics of
// the entries until autovacuum's next round, and plans a member's entries of a window by
// the index of start times: a first sync read every member's entries once per member.
// The first entries written have it gather them, and the member's index is read.
func TestFirstEntriesGatherStatistics(t *testing.T) {
	pool := pgtest.NewDatabase(t)
	s, err := New(t.Context(), pool)
	require.NoError(t, err)
	defer s.Close()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	entries := make([]clockifysync.Entry, 5000)
	for i := range entries {
		entries[i] = clockifysync.Entry{WorkspaceID: "ws", ID: fmt.Sprint("e", i), UserID: fmt.Sprint("u", i%50),
			Description: "work", Start: t0.Add(time.Duration(i) * time.Hour)}
	}
	require.NoError(t, s.PutEntries(t.Context(), entries))

	plan := func(q clockifysync.EntryQuery) string {
		query, args, err := sqlstore.EntryIDsQuery(dialect, q)
		require.NoError(t, err)
		return explain(t, pool, query, args)
	}
	require.Contains(t, plan(clockifysync.EntryQuery{WorkspaceID: "ws", UserID: "u7", From: t0, To: t0.AddDate(1, 0, 0)}),
		"entries_ws_user_id_start_at_idx")
	// A member's running timers, looked for on every delivery of a running one.
	require.Contains(t, plan(clockifysync.EntryQuery{WorkspaceID: "ws", UserID: "u7", Running: true}), "entries_running")

	// A page starts in the index of start times where the one before ended, in either
	// order, and is not sorted.
	for _, newest := range []bool{false, true} {
		p := plan(clockifysync.EntryQuery{WorkspaceID: "ws", Newest: newest, Limit: 50,
			After: &clockifysync.Cursor{Start: t0.Add(2500 * time.Hour), ID: "e2500"}})
		require.Contains(t, p, "entries_ws_start_at_id_idx", "newest first: %v", newest)
		require.NotContains(t, p, "Sort", "newest first: %v", newest)
	}
}

// explain returns PostgreSQL's plan of a query.
func explain(t *testing.T, pool *pgxpool.Pool, query string, args []any) string {
	t.Helper()
	rows, err := pool.Query(t.Context(), "EXPLAIN "+query, args...)
	require.NoError(t, err)
	var plan []string
	for rows.Next() {
		var line string
		require.NoError(t, rows.Scan(&line))
		plan = append(plan, line)
	}
	require.NoError(t, rows.Err())
	return strings.Join(plan, "\n")
}

// TestPageLinksReadByKey: a page of entries reads each entry's links by their key.
// PostgreSQL would rather hash every link of the workspace to join a page's fifty
// entries (2.7 ms a page instead of 0.6 in BenchmarkEntriesPage).
func TestPageLinksReadByKey(t *testing.T) {
	pool := pgtest.NewDatabase(t)
	s, err := New(t.Context(), pool)
	require.NoError(t, err)
	defer s.Close()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	entries := make([]clockifysync.Entry, 10000)
	for i := range entries {
		id := fmt.Sprint("e", i)
		entries[i] = clockifysync.Entry{WorkspaceID: "ws", ID: id, UserID: fmt.Sprint("u", i%20), Description: "#1 work",
			Start: t0.Add(time.Duration(i) * time.Hour), Links: []clockifysync.Link{
				{WorkspaceID: "ws", EntryID: id, Owner: "acme", Repo: "web", Number: 1, Source: clockifysync.SourceAuto, Pattern: "#N", Text: "#1"},
			}}
	}
	require.NoError(t, s.PutEntries(t.Context(), entries))
	_, err = pool.Exec(t.Context(), "ANALYZE jasper_clockify.auto_links")
	require.NoError(t, err)
	for _, newest := range []bool{false, true} {
		query, args, err := sqlstore.PageQuery(dialect, clockifysync.EntryQuery{WorkspaceID: "ws", Newest: newest,
			After: &clockifysync.Cursor{Start: t0.Add(5000 * time.Hour), ID: "e5000"}}, 50)
		require.NoError(t, err)
		p := explain(t, pool, query, args)
		require.Contains(t, p, "auto_links_pkey", "newest first: %v\n%s", newest, p)
		require.NotContains(t, p, "Seq Scan on auto_links", "newest first: %v\n%s", newest, p)
	}
}

// TestStatisticsFollowTheEntries: statistics gathered from a first day of entries (a
// Connect's short initial sync) are gathered again once many more are written (a year's
// sync after it), before autovacuum's next round: with the first ones, PostgreSQL took
// the year's entries of a window for a handful, and read a report of half a year with a
// nested loop over every link of the workspace, in seconds.
func TestStatisticsFollowTheEntries(t *testing.T) {
	pool := pgtest.NewDatabase(t)
	s, err := New(t.Context(), pool)
	require.NoError(t, err)
	defer s.Close()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	write := func(from, to int) {
		entries := make([]clockifysync.Entry, 0, to-from)
		for i := from; i < to; i++ {
			entries = append(entries, clockifysync.Entry{WorkspaceID: "ws", ID: fmt.Sprint("e", i), UserID: fmt.Sprint("u", i%20),
				Description: "work", Start: t0.Add(time.Duration(i) * time.Hour)})
		}
		require.NoError(t, s.PutEntries(t.Context(), entries))
	}
	counted := func() float64 {
		var rows float64
		require.NoError(t, pool.QueryRow(t.Context(),
			`SELECT reltuples FROM pg_class WHERE oid = 'jasper_clockify.entries'::regclass`).Scan(&rows))
		return rows
	}
	write(0, 24)
	require.EqualValues(t, 24, counted(), "gathered after the first entries")
	write(24, 1000) // fewer than a thousand since: not yet
	require.EqualValues(t, 24, counted())
	write(1000, 6000)
	require.EqualValues(t, 6000, counted(), "gathered again after more than they counted")
	write(6000, 11000) // fewer than they counted since
	require.EqualValues(t, 6000, counted())
}
