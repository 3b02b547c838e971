package postgres

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/store/postgres/pgtest"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// TestMigrateFromVersion1: a database of the first schema is brought up to date, its
// data kept. Its claims, which did not say whether their delivery was applied, count as
// applied, its delivery records are numbered within their workspace, its connections
// miss no webhook event, read entity changes from their last sync and are in the
// engine's default region with no rate set, and its projects count as read before any
// other. An index of a later version that the host built beforehand (CONCURRENTLY, on a
// large database) is kept.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := t.Context()
	pool := pgtest.NewDatabase(t)
	k := webhook.DeliveryKey{Event: "TIME_ENTRY_UPDATED", EntityID: "e1", Digest: sha256.Sum256([]byte("body"))}
	for _, stmt := range []string{
		`CREATE SCHEMA jasper_clockify`,
		`CREATE TABLE jasper_clockify.schema_version (version int NOT NULL)`,
		migrations[1],
		`INSERT INTO jasper_clockify.schema_version VALUES (1)`,
		`CREATE INDEX CONCURRENTLY auto_links_by_target ON jasper_clockify.auto_links (number, lower(owner), lower(repo))`,
	} {
		_, err := pool.Exec(ctx, stmt)
		require.NoError(t, err)
	}
	_, err := pool.Exec(ctx, `INSERT INTO jasper_clockify.claims (entity_id, key) VALUES ($1, $2)`, k.EntityID, k.String())
	require.NoError(t, err)
	lastSync := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)
	_, err = pool.Exec(ctx, `INSERT INTO jasper_clockify.connections
		(ws, name, hourly_rate, currency, status, step, webhook_url, schedule, initial_days, last_sync, last_error)
		VALUES ('ws', 'Acme', 0, '', 'connected', 'initial_sync', '', 'hourly', 30, $1, '')`, lastSync)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO jasper_clockify.projects (ws, id, name, billable, archived, hourly_rate, currency)
		VALUES ('ws', 'p1', 'Web', true, false, 0, '')`)
	require.NoError(t, err)
	for _, ws := range []string{"a", "", "a", "b", "a"} {
		_, err = pool.Exec(ctx, `INSERT INTO jasper_clockify.deliveries
			(event_type, kind, webhook_id, ws, entity_id, outcome, reason, status, elapsed_ns)
			VALUES ('', 0, '', $1, '', 'applied', '', 200, 0)`, ws)
		require.NoError(t, err)
	}

	s, err := New(ctx, pool)
	require.NoError(t, err)
	defer s.Close()
	var v int
	require.NoError(t, pool.QueryRow(ctx, `SELECT max(version) FROM jasper_clockify.schema_version`).Scan(&v))
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
	require.NoError(t, pool.QueryRow(ctx, `SELECT string_agg(ws || n, ' ' ORDER BY seq) FROM jasper_clockify.deliveries`).Scan(&numbered))
	require.Equal(t, "a1 1 a2 b1 a3", numbered)
}

// TestFailedMigrationChangesNothing: a migration that fails (here a column a host added
// by hand stands in its way) names itself and is rolled back, leaving the database at the
// version before it: each migration runs in a transaction of its own, so those before it
// are kept. New succeeds once the way is clear.
func TestFailedMigrationChangesNothing(t *testing.T) {
	ctx := t.Context()
	pool := pgtest.NewDatabase(t)
	for _, stmt := range []string{
		`CREATE SCHEMA jasper_clockify`,
		`CREATE TABLE jasper_clockify.schema_version (version int NOT NULL)`,
		migrations[1],
		`INSERT INTO jasper_clockify.schema_version VALUES (1)`,
		`ALTER TABLE jasper_clockify.connections ADD COLUMN missing_events text`, // migration 5's
	} {
		_, err := pool.Exec(ctx, stmt)
		require.NoError(t, err)
	}
	version := func() (v int) {
		require.NoError(t, pool.QueryRow(ctx, `SELECT max(version) FROM jasper_clockify.schema_version`).Scan(&v))
		return v
	}
	column := func(table, name string) (n int) {
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns
			WHERE table_schema = 'jasper_clockify' AND table_name = $1 AND column_name = $2`, table, name).Scan(&n))
		return n
	}

	_, err := New(ctx, pool)
	require.ErrorContains(t, err, "postgres: migration 5: ")
	require.ErrorContains(t, err, "missing_events")
	require.Equal(t, 4, version())
	require.Equal(t, 1, column("deliveries", "n"), "migration 4 is kept")
	require.Zero(t, column("connections", "changes_read"), "migration 6 is not run")

	_, err = pool.Exec(ctx, `ALTER TABLE jasper_clockify.connections DROP COLUMN missing_events`)
	require.NoError(t, err)
	s, err := New(ctx, pool)
	require.NoError(t, err)
	defer s.Close()
	require.Equal(t, len(migrations)-1, version())
	require.Equal(t, 1, column("connections", "changes_read"))
}
