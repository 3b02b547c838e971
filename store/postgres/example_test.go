package postgres_test

import (
	"context"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/heyjasper/jasper-clockify/store/postgres"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// A store on the host's pool, which River can share (see sync/riverjobs). It needs a
// server, so this example is compiled, not run.
func ExampleNew() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	store, err := postgres.New(ctx, pool) // creates or upgrades the schema jasper_clockify
	if err != nil {
		panic(err)
	}
	defer store.Close()
	eng, err := clockifysync.New(store, []byte(os.Getenv("SEAL_KEY")))
	if err != nil {
		panic(err)
	}
	_ = eng
}
