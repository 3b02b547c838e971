package sqlite

import (
	"crypto/sha256"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// TestMigrateFromVersion1: a file of the first schema is brought up to date on Open,
// its data kept. Its claims, which did not say whether their delivery was applied,
// count as applied. Its delivery records are numbered within their workspace, its
// connections miss no webhook event, read entity changes from their last sync and are in
// the engine's default region with no rate set, and its projects count as read before
// any other.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	k := webhook.DeliveryKey{Event: "TIME_ENTRY_UPDATED", EntityID: "e1", Digest: sha256.Sum256([]byte("body"))}
	for _, stmt := range []string{migrations[1], `PRAGMA user_version = 1`} {
		_, err = db.Exec(stmt)
		require.NoError(t, err)
	}
	_, err = db.Exec(`INSERT INTO claims (entity_id, key) VALUES (?, ?)`, k.EntityID, k.String())
	require.NoError(t, err)
	lastSync := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)
	_, err = db.Exec(`INSERT INTO connections (ws, name, hourly_rate, currency, status, step, webhook_url, schedule, initial_days,
		last_sync, last_error) VALUES ('ws', 'Acme', 0, '', 'connected', 'initial_sync', '', 'hourly', 30, ?, '')`, lastSync.UnixNano())
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO projects (ws, id, name, billable, archived, hourly_rate, currency)
		VALUES ('ws', 'p1', 'Web', 1, 0, 0, '')`)
	require.NoError(t, err)
	for _, ws := range []string{"a", "", "a", "b", "a"} {
		_, err = db.Exec(`INSERT INTO deliveries (event_type, kind, webhook_id, ws, entity_id, outcome, reason, status, elapsed_ns)
			VALUES ('', 0, '', ?, '', 'applied', '', 200, 0)`, ws)
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())

	s, err := Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	var v int
	require.NoError(t, s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v))
	require.Equal(t, len(migrations)-1, v)
	c, err := s.Claim(ctx, k, time.Now(), time.Minute)
	require.NoError(t, err)
	require.Equal(t, webhook.ClaimApplied, c)

	conn, err := s.Connection(ctx, "ws")
	require.NoError(t, err)
	require.Equal(t, "Acme", conn.WorkspaceName)
	require.Empty(t, conn.MissingEvents)
	require.Equal(t, clockify.RegionGlobal, conn.Region, "the engine's default region")
	require.True(t, conn.Rates.IsZero(), "no rate set: %+v", conn.Rates)
	require.Empty(t, conn.GitHubHost)
	require.Empty(t, conn.WindowReads)
	require.True(t, conn.LastSync.Equal(lastSync), "%v", conn.LastSync)
	require.True(t, conn.ChangesRead.Equal(lastSync), "%v", conn.ChangesRead)

	// A project stored before its read time was kept counts as read before any other.
	ps, err := s.Projects(ctx, "ws")
	require.NoError(t, err)
	require.Len(t, ps, 1)
	require.True(t, ps[0].Synced.IsZero())
	require.NoError(t, s.PutProjects(ctx, []clockifysync.Project{{WorkspaceID: "ws", ID: "p1", Name: "Web app", Synced: lastSync}}))
	ps, err = s.Projects(ctx, "ws")
	require.NoError(t, err)
	require.Equal(t, "Web app", ps[0].Name)

	var numbered string
	require.NoError(t, s.db.QueryRowContext(ctx, `SELECT group_concat(ws || n, ' ') FROM (SELECT ws, n FROM deliveries ORDER BY seq)`).Scan(&numbered))
	require.Equal(t, "a1 1 a2 b1 a3", numbered)
}

// TestFailedMigrationChangesNothing: a migration that fails (here a column a host added
// by hand stands in its way) names itself, and leaves the file as it was: the migrations
// run in one transaction, so neither it nor those before it are kept. Open succeeds once
// the way is clear.
func TestFailedMigrationChangesNothing(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	for _, stmt := range []string{migrations[1], `PRAGMA user_version = 1`,
		`ALTER TABLE connections ADD COLUMN missing_events TEXT`} { // migration 5's
		_, err = db.Exec(stmt)
		require.NoError(t, err)
	}
	version := func() (v int) {
		require.NoError(t, db.QueryRow("PRAGMA user_version").Scan(&v))
		return v
	}
	column := func(table, name string) (n int) {
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, table, name).Scan(&n))
		return n
	}

	_, err = Open(ctx, path)
	require.ErrorContains(t, err, "sqlite: open "+path+": migration 5: ")
	require.ErrorContains(t, err, "missing_events")
	require.Equal(t, 1, version())
	require.Zero(t, column("claims", "lapse_at"), "migration 2 is not kept")

	_, err = db.Exec(`ALTER TABLE connections DROP COLUMN missing_events`)
	require.NoError(t, err)
	s, err := Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.Equal(t, len(migrations)-1, version())
	require.Equal(t, 1, column("claims", "lapse_at"))
}
