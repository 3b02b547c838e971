package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// BenchmarkLockWorkspace takes a workspace's lock and lets go of it, as every sync run
// and Connect does, against a baseline that opens a session for each lock and ends it
// after (what LockWorkspace did before it kept sessions).
func BenchmarkLockWorkspace(b *testing.B) {
	ctx := b.Context()
	s, pool := newStore(b)
	b.Run("baseline-new-session", func(b *testing.B) {
		cfg := pool.Config().ConnConfig
		for b.Loop() {
			conn, err := pgx.ConnectConfig(ctx, cfg)
			require.NoError(b, err)
			var ok bool
			require.NoError(b, conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(1)`).Scan(&ok))
			require.True(b, ok)
			_, err = conn.Exec(ctx, `SELECT pg_advisory_unlock(1)`)
			require.NoError(b, err)
			require.NoError(b, conn.Close(ctx))
		}
	})
	b.Run("kept-session", func(b *testing.B) {
		for b.Loop() {
			unlock, err := s.LockWorkspace(ctx, "sync run", "ws-1", func() { b.Fatal("waited for a free lock") })
			require.NoError(b, err)
			unlock()
		}
	})
}
