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

// TestMemberEntriesReadByMember: a sync reads each member's stored entries of its window
// to find deletions. SQLite, with no statistics (nothing makes it gather them), would
// read them by the index of start times: every member's entries of the window, once for
// each member synced.
func TestMemberEntriesReadByMember(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "jasper.db"))
	require.NoError(t, err)
	defer s.Close()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	query, args := sqlstore.EntryIDsQuery(dialect, clockifysync.EntryQuery{
		WorkspaceID: "ws", UserID: "u1", From: start, To: start.AddDate(0, 0, 30)})
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
	require.Contains(t, strings.Join(plan, "\n"), "INDEX entries_by_user (ws=? AND user_id=? AND start_at>? AND start_at<?)")
}
