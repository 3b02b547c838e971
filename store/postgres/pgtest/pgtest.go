package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// EnvURL is the environment variable that names the server.
const EnvURL = "JASPER_POSTGRES_URL"

// namePrefix begins the name of every database NewDatabase creates; the name goes on
// with when it was created, in Unix seconds, and a random part.
const namePrefix = "jasper_test_"

// staleAfter is the age past which a test database is taken for one a killed run left
// behind: no test run lives this long.
const staleAfter = 24 * time.Hour

// dropStaleOnce drops, once a process, the databases that killed runs left behind.
var dropStaleOnce sync.Once

// NewDatabase creates an empty database for the test, dropped when it ends, and returns
// a pool on it. It holds no connection of its own meanwhile: the server's connections
// are shared by every test that runs at once.
//
// A run that is killed cannot drop its databases; the first NewDatabase of a later
// process drops those created over a day before that nobody is connected to.
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
	// Best effort: a database that cannot be dropped now is tried by a later run.
	dropStaleOnce.Do(func() { _ = dropStale(ctx, url, namePrefix, time.Now()) })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := fmt.Sprintf("%s%d_%s", namePrefix, time.Now().Unix(), hex.EncodeToString(b))
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

// dropStale drops, on the server url names, the databases named with prefix that were
// created over staleAfter before now and that nobody is connected to (DROP DATABASE
// without FORCE refuses those). Names that carry no creation time after the prefix (as
// NewDatabase made them before) are left alone.
func dropStale(ctx context.Context, url, prefix string, now time.Time) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, prefix)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, name := range names {
		created, _, ok := strings.Cut(strings.TrimPrefix(name, prefix), "_")
		secs, err := strconv.ParseInt(created, 10, 64)
		if !ok || err != nil || now.Sub(time.Unix(secs, 0)) < staleAfter {
			continue
		}
		// A database in use, or not ours to drop, is refused: left for a later run.
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize())
	}
	return nil
}
