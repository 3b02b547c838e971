package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/store/postgres"
	"github.com/heyjasper/jasper-clockify/store/postgres/pgtest"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/sync/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) clockifysync.Store {
		s, err := postgres.New(t.Context(), pgtest.NewDatabase(t))
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestMigrateTwiceAndConcurrently(t *testing.T) {
	pool := pgtest.NewDatabase(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := postgres.New(t.Context(), pool)
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
	var latest int
	require.NoError(t, pool.QueryRow(t.Context(), `SELECT max(version) FROM jasper_clockify.schema_version`).Scan(&latest))
	_, err := pool.Exec(t.Context(), `INSERT INTO jasper_clockify.schema_version VALUES (99)`)
	require.NoError(t, err)
	_, err = postgres.New(t.Context(), pool)
	require.ErrorContains(t, err, fmt.Sprintf("schema version 99, newer than this package's %d", latest))
}

// TestLockWorkspace: a workspace's lock is held until let go, across sessions; a taker
// that finds it held says so, and waits until its context ends.
func TestLockWorkspace(t *testing.T) {
	ctx := t.Context()
	s, err := postgres.New(ctx, pgtest.NewDatabase(t))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	free := func() { t.Error("waited for a free lock") }

	unlock, err := s.LockWorkspace(ctx, "connect", "ws-1", free)
	require.NoError(t, err)
	other, err := s.LockWorkspace(ctx, "connect", "ws-2", free)
	require.NoError(t, err, "another workspace's lock is another lock")
	other()
	otherKind, err := s.LockWorkspace(ctx, "other", "ws-1", free)
	require.NoError(t, err, "and so is another kind's")
	otherKind()

	waiting, cancel := context.WithCancel(ctx)
	_, err = s.LockWorkspace(waiting, "connect", "ws-1", cancel) // told it waits, it gives up
	require.ErrorIs(t, err, context.Canceled)

	unlock()
	again, err := s.LockWorkspace(ctx, "connect", "ws-1", free)
	require.NoError(t, err)
	again()
}

func TestDeliveriesKeptApart(t *testing.T) {
	s, err := postgres.New(t.Context(), pgtest.NewDatabase(t), postgres.WithDeliveryRecords(20))
	require.NoError(t, err)
	defer s.Close()
	storetest.DeliveriesKeptApart(t, s, 20)
}
