package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	gosync "sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/heyjasper/jasper-clockify/store/internal/sqlstore"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// Store is a clockifysync.Store in PostgreSQL, shared by every replica of a host: it has
// every method of that interface, from the SQL it shares with store/sqlite. It is safe
// for concurrent use.
type Store struct {
	*sqlstore.Store
	db     *sql.DB
	config *pgx.ConnConfig // of the pool's connections, for LockWorkspace's own
	stats  statistics
}

// statistics is what a Store knows of PostgreSQL's statistics of the entries.
type statistics struct {
	mu        gosync.Mutex
	known     float64 // the rows they counted when last read (-1 before)
	written   int     // the entries this Store wrote since
	gathering bool    // a write is having them gathered
}

// minRegather is the fewest entries written before the statistics are gathered again.
const minRegather = 1000

var (
	_ clockifysync.Store           = (*Store)(nil)
	_ clockifysync.WorkspaceLocker = (*Store)(nil)
)

// dialect writes $n placeholders and keeps times as timestamptz (microseconds: Clockify's
// times are whole seconds).
var dialect = sqlstore.Dialect{
	Prefix:   "jasper_clockify.",
	Numbered: true,
	Time:     func(t time.Time) any { return t.UTC() },
	LockRow:  " FOR UPDATE",
	Lateral:  true,
}

// New returns a store over pool, after bringing the schema jasper_clockify up to date.
// Replicas starting at once migrate one after another. The pool stays the caller's: it
// may serve River (sync/riverjobs) and the host's own tables too.
func New(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	if err := migrate(ctx, pool); err != nil {
		return nil, err
	}
	db := stdlib.OpenDBFromPool(pool)
	return &Store{Store: sqlstore.New(db, dialect, cfg.deliveries), db: db, config: pool.Config().ConnConfig,
		stats: statistics{known: -1}}, nil
}

// PutEntries implements clockifysync.EntryStore. It also has PostgreSQL gather the
// statistics of the entries and their links when there are none (the first entries
// written to a new database) and when this Store has written more entries since they
// were gathered than they counted (at least a thousand). Statistics that know none of
// the entries, or only a first day of them, make PostgreSQL plan for a tiny table until
// autovacuum's next round: a member's entries by the index of start times (a first sync
// read every member's entries of the window once for each member), or the entries of a
// window it holds no start of by a nested loop over every link of the workspace (a
// report of half a year took seconds). The entries being written, that step is best
// effort: when it fails, a later write tries it again.
func (s *Store) PutEntries(ctx context.Context, entries []clockifysync.Entry) error {
	if err := s.Store.PutEntries(ctx, entries); err != nil || len(entries) == 0 {
		return err
	}
	st := &s.stats
	st.mu.Lock()
	st.written += len(entries)
	due, first := !st.gathering && (st.known < 0 || float64(st.written) > max(st.known, minRegather)), st.known < 0
	st.gathering = st.gathering || due
	st.mu.Unlock()
	if !due {
		return nil
	}
	known, err := s.gather(ctx, !first)
	st.mu.Lock()
	if err == nil {
		st.known, st.written = known, 0
	}
	st.gathering = false
	st.mu.Unlock()
	return nil
}

// gather has PostgreSQL gather the statistics of the entries and their links, when it
// has none or always, and returns the rows they count.
func (s *Store) gather(ctx context.Context, always bool) (float64, error) {
	const counted = `SELECT reltuples FROM pg_class WHERE oid = 'jasper_clockify.entries'::regclass`
	var rows float64
	if !always {
		if err := s.db.QueryRowContext(ctx, counted).Scan(&rows); err != nil || rows >= 0 {
			return rows, err
		}
	}
	if _, err := s.db.ExecContext(ctx, `ANALYZE jasper_clockify.entries, jasper_clockify.auto_links`); err != nil {
		return 0, err
	}
	return rows, s.db.QueryRowContext(ctx, counted).Scan(&rows)
}

// LockWorkspace implements clockifysync.WorkspaceLocker with a session advisory lock,
// held on a connection of its own outside the pool: from the pool, calls waiting for
// the lock could hold every connection and leave none to the call holding it. A process
// that dies holding the lock ends its session, which lets go of it.
func (s *Store) LockWorkspace(ctx context.Context, kind, workspaceID string, waiting func()) (func(), error) {
	conn, err := pgx.ConnectConfig(ctx, s.config)
	if err != nil {
		return nil, err
	}
	h := fnv.New64a()
	h.Write([]byte("jasper_clockify/" + kind + "/" + workspaceID))
	key := int64(h.Sum64())
	var ok bool
	err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok)
	if err == nil && !ok {
		waiting()
		_, err = conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key)
	}
	if err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return func() {
		// Unlocked before the session ends, so that the next taker finds it free at once.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unlockTimeout)
		defer cancel()
		_, _ = conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, key)
		conn.Close(ctx)
	}, nil
}

// unlockTimeout bounds how long letting go of a lock waits for an unreachable server;
// the session's end lets go of it then.
const unlockTimeout = 10 * time.Second

// Close releases the store's handle on the pool; the pool itself stays open.
func (s *Store) Close() error { return s.db.Close() }

// migrationLock is the advisory lock that makes migrations run one at a time.
const migrationLock = 0x6a61737065720001 // "jasper" and 1

// migrate applies the migrations not applied yet, each in its own transaction, under an
// advisory lock held for the transaction.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	for {
		done, err := migrateOne(ctx, pool)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next migration, and reports whether there was none to apply.
func migrateOne(ctx context.Context, pool *pgxpool.Pool) (done bool, err error) {
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS jasper_clockify;
			CREATE TABLE IF NOT EXISTS jasper_clockify.schema_version (version int NOT NULL)`); err != nil {
			return err
		}
		var v int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM jasper_clockify.schema_version`).Scan(&v); err != nil {
			return err
		}
		switch {
		case v == len(migrations)-1:
			done = true
			return nil
		case v >= len(migrations):
			return fmt.Errorf("postgres: the database has schema version %d, newer than this package's %d", v, len(migrations)-1)
		}
		if _, err := tx.Exec(ctx, migrations[v+1]); err != nil {
			return fmt.Errorf("postgres: migration %d: %w", v+1, err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO jasper_clockify.schema_version (version) VALUES ($1)`, v+1)
		return err
	})
	return done, err
}
