package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// Dialect is what differs between the databases.
type Dialect struct {
	// Prefix is put before every table's name ("" or "schema.").
	Prefix string
	// Numbered writes placeholders as $1, $2, ... instead of ?.
	Numbered bool
	// Time encodes a non-zero time as a query argument.
	Time func(time.Time) any
	// IndexedBy names the index a query of one member's entries, or of one project's,
	// reads (SQLite's INDEXED BY). SQLite needs telling: without statistics, which
	// nothing makes it gather, it reads them by the index of start times, so a sync read
	// every member's entries of its window once for each member.
	IndexedBy bool
	// LockRow ends a query that reads a row about to be changed in the same transaction
	// (" FOR UPDATE"), where the database locks rows; "" where a write transaction holds
	// the whole database (SQLite's BEGIN IMMEDIATE).
	LockRow string
	// WriteChanged has PutEntries read what is stored of the entries it is given and
	// rewrite only those that changed; of the others only the time they were read. That
	// pays where rewriting a row costs much more than reading it (SQLite, where the
	// rewrite changes each of the row's four index entries). In PostgreSQL the read costs
	// more than it saves: an unchanged row's read time writes a new version of it anyway.
	WriteChanged bool
	// Lateral joins a page of entries to their links entry by entry (LATERAL): PostgreSQL
	// would otherwise hash every link of the workspace to join the page's few entries.
	Lateral bool
	// Text encodes a string as a query argument where the database cannot hold every
	// string (PostgreSQL holds text only as UTF-8 without NUL); nil keeps strings as
	// they are.
	Text func(string) string
}

// Store implements clockifysync.Store over database/sql.
type Store struct {
	db   *sql.DB
	d    Dialect
	keep int // delivery records kept of each workspace
}

// New returns a store over db, whose schema is already in place, that keeps keep
// delivery records of each workspace (KeepDeliveries when keep is not positive).
func New(db *sql.DB, d Dialect, keep int) *Store {
	if keep <= 0 {
		keep = KeepDeliveries
	}
	return &Store{db: db, d: d, keep: keep}
}

// q readies a query for the dialect: "@" before a table's name becomes the prefix, and
// each "?" a numbered placeholder where the dialect wants them.
func (s *Store) q(query string) string {
	query = strings.ReplaceAll(query, "@", s.d.Prefix)
	if !s.d.Numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// execer is what exec needs of *sql.DB and *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *Store) exec(ctx context.Context, x execer, query string, args ...any) (sql.Result, error) {
	return x.ExecContext(ctx, s.q(query), s.args(args)...)
}

// args readies a query's arguments for the dialect: each string as Dialect.Text
// encodes it. The caller's slice is left as it is: a string that changes is put in a
// copy.
func (s *Store) args(args []any) []any {
	if s.d.Text == nil {
		return args
	}
	copied := false
	for i, a := range args {
		v, ok := a.(string)
		if !ok {
			continue
		}
		if t := s.d.Text(v); t != v {
			if !copied {
				args, copied = slices.Clone(args), true
			}
			args[i] = t
		}
	}
	return args
}

// tx runs fn in a transaction, committed when fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// t encodes a time, a zero time as NULL.
func (s *Store) t(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.d.Time(t)
}

// nullTime scans what Dialect.Time stored: Unix nanoseconds or a time, NULL as zero.
type nullTime struct{ t time.Time }

func (n *nullTime) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		n.t = time.Time{}
	case int64:
		n.t = time.Unix(0, v).UTC()
	case time.Time:
		n.t = v.UTC()
	default:
		return fmt.Errorf("sqlstore: cannot read %T as a time", v)
	}
	return nil
}

// affected returns ErrNotFound when a statement changed no row.
func affected(r sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := r.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return clockifysync.ErrNotFound
	}
	return nil
}

// queryRow runs a query that returns at most one row, by x (the store's database or a
// transaction).
func (s *Store) queryRow(ctx context.Context, x querier, query string, args ...any) *sql.Row {
	return x.QueryRowContext(ctx, s.q(query), s.args(args)...)
}

// querier is what queryIn and queryRow need of *sql.DB and *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// query runs a query and hands each row to scan.
func (s *Store) query(ctx context.Context, scan func(*sql.Rows) error, query string, args ...any) error {
	return s.queryIn(ctx, s.db, scan, query, args...)
}

// queryIn is query, run by x (a transaction).
func (s *Store) queryIn(ctx context.Context, x querier, scan func(*sql.Rows) error, query string, args ...any) error {
	rows, err := x.QueryContext(ctx, s.q(query), s.args(args)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
