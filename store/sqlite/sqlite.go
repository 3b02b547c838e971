package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"

	"github.com/heyjasper/jasper-clockify/store/internal/sqlstore"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// Store is a clockifysync.Store in one SQLite file: it has every method of that
// interface, from the SQL it shares with store/postgres. It is safe for concurrent use,
// by several goroutines and by several processes on one machine.
type Store struct {
	*sqlstore.Store
	db *sql.DB
}

var _ clockifysync.Store = (*Store)(nil)

// dialect stores times as Unix nanoseconds (unixNano), which keep their order as
// integers, and names the index a query of a member's or a project's entries reads.
var dialect = sqlstore.Dialect{Time: func(t time.Time) any { return unixNano(t) }, IndexedBy: true, WriteChanged: true}

// The times Unix nanoseconds in an int64 reach: from 1677-09-21 to 2262-04-11.
var minTime, maxTime = time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)

// unixNano returns t in Unix nanoseconds, and a time before minTime or after maxTime as
// the nearest of the two, where UnixNano would wrap around: so an entry dated in a year
// mistyped in Clockify keeps its place among the others, and a query's bound set far out
// ("until 9999") selects what it should.
func unixNano(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// Open opens (creating it if needed) the SQLite database at path, in WAL mode, and brings
// its schema up to date. Its errors name the path: a directory, a directory that does not
// exist (the error matches fs.ErrNotExist), a path through a file and a file that is not
// a database are refused. A database it creates, at path or at the target of a symbolic
// link there, is readable and writable by its owner only (mode 0600, as are its WAL
// files): it holds the members' names and emails and their time entries. An existing
// file keeps its mode.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: %q: want the path of a database file", path)
	}
	if err := preparePath(path); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	dsn := path + "?_txlock=immediate&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// Each connection holds its own page cache; a few serve concurrent readers, and
	// writers take the database's lock in turn.
	db.SetMaxOpenConns(4)
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return &Store{Store: sqlstore.New(db, dialect, cfg.deliveries), db: db}, nil
}

// preparePath explains the paths SQLite would only call "unable to open database file"
// (a directory, a file in a directory that does not exist, a path through a file), and
// creates a file that does not exist, readable and writable by its owner only: SQLite
// gives its WAL files the same mode. A symbolic link to no file has its target created
// so, as SQLite would create it (O_EXCL would refuse every link, and leave the target
// to SQLite and the umask). A file created meanwhile, by another process opening it,
// is opened as it is.
func preparePath(path string) error {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return errors.New("is a directory")
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return err // a path through a file, a name too long, a directory not to be read
	}
	if _, err := os.Stat(filepath.Dir(path)); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// migrate brings the schema up to date in one transaction that takes the write lock
// first, so that two processes opening the file migrate it once.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	latest := len(migrations) - 1
	switch {
	case v == latest:
		return nil
	case v > latest:
		return fmt.Errorf("the database has schema version %d, newer than this package's %d", v, latest)
	}
	for next := v + 1; next <= latest; next++ {
		if _, err := tx.ExecContext(ctx, migrations[next]); err != nil {
			return fmt.Errorf("migration %d: %w", next, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", latest)); err != nil {
		return err
	}
	return tx.Commit()
}
