package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	gosync "sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/heyjasper/jasper-clockify/internal/storable"
	"github.com/heyjasper/jasper-clockify/store/internal/sqlstore"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// Store is a clockifysync.Store in PostgreSQL, shared by every replica of a host: it has
// every method of that interface, from the SQL it shares with store/sqlite. It is safe
// for concurrent use.
type Store struct {
	*sqlstore.Store
	db     *sql.DB
	config *pgx.ConnConfig // of LockWorkspace's sessions: the pool's, named LockApplicationName
	stats  statistics
	locks  lockSessions
}

// lockSessions are LockWorkspace's sessions that hold no lock, kept for the next taker.
type lockSessions struct {
	mu     gosync.Mutex
	idle   []*pgx.Conn
	closed bool // by Close: sessions let go of are ended
}

// LockApplicationName is the application_name of LockWorkspace's sessions, as
// pg_stat_activity shows them beside the pool's.
const LockApplicationName = "jasper-clockify workspace locks"

// keptLockSessions is how many idle sessions LockWorkspace keeps: every sync run takes
// a lock, and a new session costs PostgreSQL a process (BenchmarkLockWorkspace: 25 ms a
// lock with a new session, 0.14 ms with a kept one). Four serve the runs of an engine's
// default WithWorkspaceConcurrency; more at once open sessions of their own.
const keptLockSessions = 4

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

// dialect writes $n placeholders, keeps times as timestamptz (microseconds: Clockify's
// times are whole seconds) and text as PostgreSQL can hold it (storable.Text). Keys such
// as a workspace's or an entry's id are text too: one given with bytes PostgreSQL does
// not hold (bad input) then finds nothing, as in the other stores, instead of failing
// the query.
var dialect = sqlstore.Dialect{
	Prefix:   "jasper_clockify.",
	Numbered: true,
	Time:     func(t time.Time) any { return t.UTC() },
	LockRow:  " FOR UPDATE",
	Lateral:  true,
	Text:     storable.Text,
}

// New returns a store over pool, after bringing the schema jasper_clockify up to date.
// Replicas starting at once migrate one after another. The pool stays the caller's: it
// may serve River (sync/riverjobs) and the host's own tables too.
func New(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	if pool == nil {
		return nil, errors.New("postgres: New needs a pool")
	}
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if err := migrate(ctx, pool); err != nil {
		return nil, err
	}
	db := stdlib.OpenDBFromPool(pool)
	locks := pool.Config().ConnConfig // a copy
	if locks.RuntimeParams == nil {
		locks.RuntimeParams = map[string]string{}
	}
	locks.RuntimeParams["application_name"] = LockApplicationName
	return &Store{Store: sqlstore.New(db, dialect, cfg.deliveries), db: db, config: locks,
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
// that dies holding the lock ends its session, which lets go of it. A session whose lock
// is let go of serves the next call (a few are kept), and one that fails is ended. A
// nil waiting is not called.
func (s *Store) LockWorkspace(ctx context.Context, kind, workspaceID string, waiting func()) (func(), error) {
	conn, err := s.lockSession(ctx)
	if err != nil {
		return nil, err
	}
	h := fnv.New64a()
	h.Write([]byte("jasper_clockify/" + kind + "/" + workspaceID))
	key := int64(h.Sum64())
	var ok bool
	err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok)
	if err == nil && !ok {
		if waiting != nil {
			waiting()
		}
		_, err = conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key)
	}
	if err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return func() {
		// Unlocked before the session is kept or ended, so that the next taker finds it
		// free at once.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unlockTimeout)
		defer cancel()
		var unlocked bool
		if err := conn.QueryRow(ctx, `SELECT pg_advisory_unlock($1)`, key).Scan(&unlocked); err != nil || !unlocked {
			conn.Close(ctx) // whatever the session still holds goes with it
			return
		}
		s.keepLockSession(ctx, conn)
	}, nil
}

// lockSession returns a kept session that still answers, or a new one.
func (s *Store) lockSession(ctx context.Context) (*pgx.Conn, error) {
	ls := &s.locks
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ls.mu.Lock()
		n := len(ls.idle)
		if n == 0 {
			ls.mu.Unlock()
			return pgx.ConnectConfig(ctx, s.config)
		}
		conn := ls.idle[n-1]
		ls.idle = ls.idle[:n-1]
		ls.mu.Unlock()
		if err := conn.Ping(ctx); err == nil {
			return conn, nil
		}
		conn.Close(context.WithoutCancel(ctx)) // ended by the server meanwhile, or ctx
	}
}

// keepLockSession keeps a session that holds no lock for the next LockWorkspace, or ends
// it when enough are kept or the Store is closed.
func (s *Store) keepLockSession(ctx context.Context, conn *pgx.Conn) {
	ls := &s.locks
	ls.mu.Lock()
	keep := !ls.closed && len(ls.idle) < keptLockSessions
	if keep {
		ls.idle = append(ls.idle, conn)
	}
	ls.mu.Unlock()
	if !keep {
		conn.Close(ctx)
	}
}

// unlockTimeout bounds how long letting go of a lock waits for an unreachable server;
// the session's end lets go of it then.
const unlockTimeout = 10 * time.Second

// Close releases the store's handle on the pool, and ends the sessions LockWorkspace
// kept; the pool itself stays open. A lock held meanwhile ends its session when let go.
func (s *Store) Close() error {
	ls := &s.locks
	ls.mu.Lock()
	idle := ls.idle
	ls.idle, ls.closed = nil, true
	ls.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), unlockTimeout)
	defer cancel()
	for _, conn := range idle {
		conn.Close(ctx)
	}
	return s.db.Close()
}

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
