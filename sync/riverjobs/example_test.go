package riverjobs_test

import (
	"context"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/heyjasper/jasper-clockify/store/postgres"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/sync/riverjobs"
)

// Each replica runs the same code: the store, the engine and a River client on one
// PostgreSQL database. It needs a server, so this example is compiled, not run.
func ExampleNewClient() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	if err := riverjobs.Migrate(ctx, pool); err != nil { // River's own tables
		panic(err)
	}
	store, err := postgres.New(ctx, pool)
	if err != nil {
		panic(err)
	}
	eng, err := clockifysync.New(store, []byte(os.Getenv("SEAL_KEY")))
	if err != nil {
		panic(err)
	}
	jobs, err := riverjobs.NewClient(pool, eng, nil)
	if err != nil {
		panic(err)
	}
	if err := jobs.Start(ctx); err != nil {
		panic(err)
	}
	defer jobs.Stop(ctx)

	// A manual sync of the last week, run after any sync of the workspace in progress.
	now := time.Now()
	_ = riverjobs.EnqueueSync(ctx, jobs, "workspace-id", clockifysync.Window{Start: now.AddDate(0, 0, -7), End: now})
}
