package postgres_test

import (
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
	_, err := pool.Exec(t.Context(), `INSERT INTO jasper_clockify.schema_version VALUES (99)`)
	require.NoError(t, err)
	_, err = postgres.New(t.Context(), pool)
	require.ErrorContains(t, err, "newer")
}
