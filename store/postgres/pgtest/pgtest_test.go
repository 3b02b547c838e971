package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// TestNewDatabase: with the server named, NewDatabase gives a test a database of its own
// (it never skips then: in CI the PostgreSQL tests must run) and drops it when the test
// ends.
func TestNewDatabase(t *testing.T) {
	url := os.Getenv(EnvURL)
	if url == "" {
		t.Skip("PostgreSQL tests skipped: set " + EnvURL + " (as .ci/run does) to run them")
	}
	ctx := t.Context()
	var name string
	t.Run("a test", func(t *testing.T) {
		pool := NewDatabase(t)
		require.NoError(t, pool.QueryRow(ctx, `SELECT current_database()`).Scan(&name))
	})
	require.NotEmpty(t, name, "NewDatabase skipped, with %s set", EnvURL)
	require.True(t, strings.HasPrefix(name, namePrefix), name)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n))
	require.Zero(t, n, "%s is left after its test", name)
}

func TestDropStale(t *testing.T) {
	url := os.Getenv(EnvURL)
	if url == "" {
		t.Skip("PostgreSQL tests skipped: set " + EnvURL + " (as .ci/run does) to run them")
	}
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) }) // after the drops below

	// A prefix of its own: the other packages' tests, run at once, drop stale databases
	// too, and would drop this test's before it looks.
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	prefix := "jasper_droptest_" + hex.EncodeToString(b) + "_"
	now := time.Now()
	named := func(created time.Time, tag string) string {
		return fmt.Sprintf("%s%d_%s", prefix, created.Unix(), tag)
	}
	stale := named(now.Add(-staleAfter-time.Minute), "stale")
	inUse := named(now.Add(-2*staleAfter), "inuse")
	fresh := named(now.Add(-staleAfter+time.Minute), "fresh")
	undated := prefix + "undated" // as NewDatabase named them before
	// Created after those kept: listed after them, as PostgreSQL lists them in order made.
	staleToo := named(now.Add(-3*staleAfter), "stale_too")
	for _, name := range []string{stale, inUse, fresh, undated, staleToo} {
		_, err := conn.Exec(ctx, "CREATE DATABASE "+name)
		require.NoError(t, err)
		t.Cleanup(func() {
			_, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			require.NoError(t, err)
		})
	}
	cfg := conn.Config().Copy()
	cfg.Database = inUse
	user, err := pgx.ConnectConfig(ctx, cfg)
	require.NoError(t, err)
	defer user.Close(context.Background())

	require.NoError(t, dropStale(ctx, url, prefix, now))
	var left []string
	for _, name := range []string{stale, inUse, fresh, undated, staleToo} {
		var n int
		require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n))
		if n > 0 {
			left = append(left, name)
		}
	}
	require.Equal(t, []string{inUse, fresh, undated}, left)
}
