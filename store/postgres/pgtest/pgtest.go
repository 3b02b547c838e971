package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// EnvURL is the environment variable that names the server.
const EnvURL = "JASPER_POSTGRES_URL"

// NewDatabase creates an empty database for the test, dropped when it ends, and returns
// a pool on it. It holds no connection of its own meanwhile: the server's connections
// are shared by every test that runs at once.
func NewDatabase(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := os.Getenv(EnvURL)
	if url == "" {
		t.Skip("PostgreSQL tests skipped: set " + EnvURL + " (as .ci/run does) to run them")
	}
	ctx := context.Background()
	admin := func(sql string) error {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return fmt.Errorf("connecting to %s: %w", EnvURL, err)
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "jasper_test_" + hex.EncodeToString(b)
	if err := admin("CREATE DATABASE " + name); err != nil {
		t.Fatalf("pgtest: creating a database: %v", err)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	cfg.ConnConfig.Database = name
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		pool.Close()
		if err := admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: dropping %s: %v", name, err)
		}
	})
	return pool
}
