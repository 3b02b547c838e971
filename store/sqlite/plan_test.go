package sqlite

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/store/internal/sqlstore"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// TestEntriesReadByTheirIndex: a sync reads each member's stored entries of its window
// to find deletions, and a project's mapping changed relinks its entries. SQLite, with no
// statistics (nothing makes it gather them), would read both by the index of start
// times: every member's entries of the window once for each member, and the whole
// workspace for a project. A pull request's few entries are read from its links, by
// their key, not by scanning the workspace's. A page starts in the index where the one
// before ended.
func TestEntriesReadByTheirIndex(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "jasper.db"))
	require.NoError(t, err)
	defer s.Close()
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 30)
	for _, tc := range []struct {
		name string
		q    clockifysync.EntryQuery
		plan string
	}{
		{"a member's window", clockifysync.EntryQuery{WorkspaceID: "ws", UserID: "u1", From: from, To: to},
			"INDEX entries_by_user (ws=? AND user_id=? AND start_at>? AND start_at<?)"},
		{"a member's running timers", clockifysync.EntryQuery{WorkspaceID: "ws", UserID: "u1", Running: true},
			"INDEX entries_running (ws=? AND user_id=?)"},
		{"a project", clockifysync.EntryQuery{WorkspaceID: "ws", ProjectID: "p1", IncludeDeleted: true},
			"INDEX entries_by_project (ws=? AND project_id=?)"},
		{"a window", clockifysync.EntryQuery{WorkspaceID: "ws", From: from, To: to},
			"INDEX entries_by_start (ws=? AND start_at>? AND start_at<?)"},
		{"a pull request", clockifysync.EntryQuery{WorkspaceID: "ws", PR: "acme/web#7"},
			"SCAN p\nSEARCH e USING PRIMARY KEY (ws=? AND id=?)"},
		{"a page", clockifysync.EntryQuery{WorkspaceID: "ws", After: &clockifysync.Cursor{Start: from, ID: "e1"}, Limit: 50},
			"SEARCH e USING INDEX entries_by_start (ws=? AND start_at>?)"},
		{"a page, newest first", clockifysync.EntryQuery{WorkspaceID: "ws", After: &clockifysync.Cursor{Start: from, ID: "e1"}, Newest: true, Limit: 50},
			"SEARCH e USING INDEX entries_by_start (ws=? AND start_at<?)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			query, args, err := sqlstore.EntryIDsQuery(dialect, tc.q)
			require.NoError(t, err)
			plan := planOf(t, s, query, args)
			require.Contains(t, plan, tc.plan)
			if tc.q.Limit > 0 {
				require.NotContains(t, plan, "TEMP B-TREE", "a page read in the index's order, not sorted")
			}
		})
	}
}

// TestDeliveriesReadByTheirIndex: a workspace's delivery records are read by its index,
// not found among every workspace's (which the log may hold thousands of each).
func TestDeliveriesReadByTheirIndex(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "jasper.db"))
	require.NoError(t, err)
	defer s.Close()
	query, args := sqlstore.DeliveriesQuery(dialect, "ws", 50)
	require.Contains(t, planOf(t, s, query, args), "SEARCH deliveries USING INDEX deliveries_by_ws (ws=?)")
}

// planOf returns SQLite's plan of a query, a step a line.
func planOf(t *testing.T, s *Store, query string, args []any) string {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	require.NoError(t, err)
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		plan = append(plan, detail)
	}
	require.NoError(t, rows.Err())
	return strings.Join(plan, "\n")
}
