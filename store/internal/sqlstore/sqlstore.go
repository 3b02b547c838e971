package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// KeepDeliveries is how many delivery records a store keeps.
const KeepDeliveries = 10_000

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
}

// Store implements clockifysync.Store over database/sql.
type Store struct {
	db *sql.DB
	d  Dialect
}

// New returns a store over db, whose schema is already in place.
func New(db *sql.DB, d Dialect) *Store { return &Store{db: db, d: d} }

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
	return x.ExecContext(ctx, s.q(query), args...)
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

// querier is what queryIn needs of *sql.DB and *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// query runs a query and hands each row to scan.
func (s *Store) query(ctx context.Context, scan func(*sql.Rows) error, query string, args ...any) error {
	return s.queryIn(ctx, s.db, scan, query, args...)
}

// queryIn is query, run by x (a transaction).
func (s *Store) queryIn(ctx context.Context, x querier, scan func(*sql.Rows) error, query string, args ...any) error {
	rows, err := x.QueryContext(ctx, s.q(query), args...)
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

// putChunk is how many entries one statement writes: 12 values each stays far below
// SQLite's 32,766 and PostgreSQL's 65,535 parameters.
const putChunk = 500

// PutEntries implements clockifysync.EntryStore. It writes the entries a chunk at a
// time, three statements a chunk (the entries, their old links out, their new links in)
// instead of three an entry: a statement's round trip, and in SQLite its preparation,
// cost more than its rows. With Dialect.WriteChanged it writes only the entries that
// changed: a re-sync of a window finds most as they were.
func (s *Store) PutEntries(ctx context.Context, entries []clockifysync.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for chunk := range slices.Chunk(lastOfEach(entries), putChunk) {
			if s.d.WriteChanged {
				var err error
				if chunk, err = s.keepChanged(ctx, tx, chunk); err != nil {
					return err
				}
			}
			if len(chunk) == 0 {
				continue
			}
			if err := s.putChunk(ctx, tx, chunk); err != nil {
				return err
			}
		}
		return nil
	})
}

// lastOfEach drops all but the last of entries with the same workspace and id: one
// statement may not upsert a row twice.
func lastOfEach(entries []clockifysync.Entry) []clockifysync.Entry {
	type key struct{ ws, id string }
	last := make(map[key]int, len(entries))
	for i, e := range entries {
		last[key{e.WorkspaceID, e.ID}] = i
	}
	if len(last) == len(entries) {
		return entries
	}
	out := make([]clockifysync.Entry, 0, len(last))
	for i, e := range entries {
		if last[key{e.WorkspaceID, e.ID}] == i {
			out = append(out, e)
		}
	}
	return out
}

// keepChanged returns the entries of a chunk that are not stored as they are, and writes
// the read time of the others.
func (s *Store) keepChanged(ctx context.Context, tx *sql.Tx, chunk []clockifysync.Entry) ([]clockifysync.Entry, error) {
	keys := make([]any, 0, 2*len(chunk))
	for _, e := range chunk {
		keys = append(keys, e.WorkspaceID, e.ID)
	}
	stored, err := s.entries(ctx, tx, entryQuery+` WHERE (e.ws, e.id) IN (VALUES `+rows(len(chunk), 2)+`) ORDER BY e.ws, e.id, l.pos`, "", keys...)
	if err != nil {
		return nil, err
	}
	type key struct{ ws, id string }
	was := make(map[key]*clockifysync.Entry, len(stored))
	for i := range stored {
		was[key{stored[i].WorkspaceID, stored[i].ID}] = &stored[i]
	}
	// The unchanged entries' keys, by when they were read: one time for all of a sync's.
	type readAt struct {
		at   time.Time
		keys []any
	}
	var changed []clockifysync.Entry
	var read []readAt
	for _, e := range chunk {
		old, ok := was[key{e.WorkspaceID, e.ID}]
		if !ok || !sameStored(old, &e) {
			changed = append(changed, e)
			continue
		}
		i := slices.IndexFunc(read, func(r readAt) bool { return r.at.Equal(e.Synced) })
		if i < 0 {
			i, read = len(read), append(read, readAt{at: e.Synced})
		}
		read[i].keys = append(read[i].keys, e.WorkspaceID, e.ID)
	}
	for _, r := range read {
		if _, err := s.exec(ctx, tx, `UPDATE @entries SET synced_at = ? WHERE (ws, id) IN (VALUES `+rows(len(r.keys)/2, 2)+`)`,
			append([]any{s.t(r.at)}, r.keys...)...); err != nil {
			return nil, err
		}
	}
	return changed, nil
}

func (s *Store) putChunk(ctx context.Context, tx *sql.Tx, chunk []clockifysync.Entry) error {
	args := make([]any, 0, 12*len(chunk))
	for _, e := range chunk {
		args = append(args, e.WorkspaceID, e.ID, e.UserID, e.ProjectID, e.TaskID, e.Description,
			s.t(e.Start), s.t(e.End), e.Billable, e.Type, s.t(e.Deleted), s.t(e.Synced))
	}
	if _, err := s.exec(ctx, tx, `INSERT INTO @entries
		(ws, id, user_id, project_id, task_id, description, start_at, end_at, billable, type, deleted_at, synced_at)
		VALUES `+rows(len(chunk), 12)+`
		ON CONFLICT (ws, id) DO UPDATE SET user_id = excluded.user_id, project_id = excluded.project_id,
		task_id = excluded.task_id, description = excluded.description, start_at = excluded.start_at,
		end_at = excluded.end_at, billable = excluded.billable, type = excluded.type, deleted_at = excluded.deleted_at,
		synced_at = excluded.synced_at`, args...); err != nil {
		return err
	}
	return s.putLinks(ctx, tx, chunk)
}

// sameStored reports whether writing e would store what old holds, but for when it was
// read.
func sameStored(old, e *clockifysync.Entry) bool {
	return old.UserID == e.UserID && old.ProjectID == e.ProjectID && old.TaskID == e.TaskID &&
		old.Description == e.Description && old.Start.Equal(e.Start) && old.End.Equal(e.End) &&
		old.Billable == e.Billable && old.Type == e.Type && old.Deleted.Equal(e.Deleted) &&
		slices.EqualFunc(old.Links, e.Links, func(a, b clockifysync.Link) bool {
			return a.Owner == b.Owner && a.Repo == b.Repo && a.Number == b.Number && a.Issue == b.Issue &&
				a.Pattern == b.Pattern && a.Text == b.Text && a.Confidence == b.Confidence
		})
}

// putLinks replaces the auto links of a chunk of entries with theirs.
func (s *Store) putLinks(ctx context.Context, tx *sql.Tx, chunk []clockifysync.Entry) error {
	keys := make([]any, 0, 2*len(chunk))
	var links []any
	for _, e := range chunk {
		keys = append(keys, e.WorkspaceID, e.ID)
		for i, l := range e.Links {
			links = append(links, e.WorkspaceID, e.ID, i, l.Owner, l.Repo, l.Number, l.Issue, l.Pattern, l.Text, l.Confidence)
		}
	}
	if _, err := s.exec(ctx, tx, `DELETE FROM @auto_links WHERE (ws, entry_id) IN (VALUES `+rows(len(chunk), 2)+`)`, keys...); err != nil {
		return err
	}
	for part := range slices.Chunk(links, 10*putChunk) {
		if _, err := s.exec(ctx, tx, `INSERT INTO @auto_links
			(ws, entry_id, pos, owner, repo, number, issue, pattern, text, confidence) VALUES `+rows(len(part)/10, 10), part...); err != nil {
			return err
		}
	}
	return nil
}

// ReplaceAutoLinks implements clockifysync.EntryStore: in one transaction, it finds
// which entries are still stored with the description and project given, and replaces
// their links.
func (s *Store) ReplaceAutoLinks(ctx context.Context, entries []clockifysync.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	type key struct{ ws, id string }
	return s.tx(ctx, func(tx *sql.Tx) error {
		for chunk := range slices.Chunk(lastOfEach(entries), putChunk) {
			args := make([]any, 0, 4*len(chunk))
			for _, e := range chunk {
				args = append(args, e.WorkspaceID, e.ID, e.Description, e.ProjectID)
			}
			same := map[key]bool{}
			err := s.queryIn(ctx, tx, func(rows *sql.Rows) error {
				var k key
				err := rows.Scan(&k.ws, &k.id)
				same[k] = true
				return err
			}, `SELECT ws, id FROM @entries WHERE (ws, id, description, project_id) IN (VALUES `+rows(len(chunk), 4)+`)`, args...)
			if err != nil {
				return err
			}
			keep := slices.DeleteFunc(slices.Clone(chunk), func(e clockifysync.Entry) bool { return !same[key{e.WorkspaceID, e.ID}] })
			if len(keep) == 0 {
				continue
			}
			if err := s.putLinks(ctx, tx, keep); err != nil {
				return err
			}
		}
		return nil
	})
}

// rows writes n rows of k placeholders: "(?, ?), (?, ?)".
func rows(n, k int) string {
	row := "(?" + strings.Repeat(", ?", k-1) + ")"
	return row + strings.Repeat(", "+row, n-1)
}

// MarkEntriesDeleted implements clockifysync.EntryStore.
func (s *Store) MarkEntriesDeleted(ctx context.Context, workspaceID string, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := s.exec(ctx, tx, `UPDATE @entries SET deleted_at = ? WHERE ws = ? AND id = ? AND deleted_at IS NULL`,
				s.t(at), workspaceID, id); err != nil {
				return err
			}
		}
		return nil
	})
}

const entryColumns = `SELECT e.ws, e.id, e.user_id, e.project_id, e.task_id, e.description, e.start_at, e.end_at,
	e.billable, e.type, e.deleted_at, e.synced_at,
	l.owner, l.repo, l.number, l.issue, l.pattern, l.text, l.confidence`

const withLinks = ` LEFT JOIN @auto_links l ON l.ws = e.ws AND l.entry_id = e.id`

const entryQuery = entryColumns + ` FROM @entries e` + withLinks

// Entry implements clockifysync.EntryStore.
func (s *Store) Entry(ctx context.Context, workspaceID, id string) (clockifysync.Entry, error) {
	out, err := s.entries(ctx, s.db, entryQuery+` WHERE e.ws = ? AND e.id = ? ORDER BY l.pos`, "", workspaceID, id)
	if err != nil {
		return clockifysync.Entry{}, err
	}
	if len(out) == 0 {
		return clockifysync.Entry{}, clockifysync.ErrNotFound
	}
	return out[0], nil
}

// Entries implements clockifysync.EntryStore. The text filter ignores case as Go's
// strings.ToLower does, in every script (a database's lower() may fold ASCII only), so
// it is applied to the rows the query returns.
func (s *Store) Entries(ctx context.Context, q clockifysync.EntryQuery) ([]clockifysync.Entry, error) {
	where, args := s.where(q)
	return s.entries(ctx, s.db, entryColumns+s.from(q)+withLinks+where+" ORDER BY e.start_at, e.id, e.ws, l.pos", strings.ToLower(q.Text), args...)
}

// EntryIDs implements clockifysync.EntryStore.
func (s *Store) EntryIDs(ctx context.Context, q clockifysync.EntryQuery) ([]string, error) {
	var ids []string
	if q.Text != "" { // filtered in Go, on the descriptions
		entries, err := s.Entries(ctx, q)
		for _, e := range entries {
			ids = append(ids, e.ID)
		}
		return ids, err
	}
	query, args := s.entryIDsQuery(q)
	err := s.query(ctx, func(rows *sql.Rows) error {
		ids = append(ids, "")
		return rows.Scan(&ids[len(ids)-1])
	}, query, args...)
	return ids, err
}

func (s *Store) entryIDsQuery(q clockifysync.EntryQuery) (string, []any) {
	where, args := s.where(q)
	return `SELECT e.id` + s.from(q) + where + ` ORDER BY e.start_at, e.id, e.ws`, args
}

// EntryIDsQuery returns the query EntryIDs runs for q (without Text), as the database
// receives it, for the stores' tests of its plan.
func EntryIDsQuery(d Dialect, q clockifysync.EntryQuery) (string, []any) {
	s := &Store{d: d}
	query, args := s.entryIDsQuery(q)
	return s.q(query), args
}

// from is the FROM clause of a query of entries, naming the index of the member or the
// project it asks for where the dialect names indexes. A project's entries within a
// window are left to the planner: either index may read fewer.
func (s *Store) from(q clockifysync.EntryQuery) string {
	const from = ` FROM @entries e`
	switch {
	case !s.d.IndexedBy:
	case q.UserID != "":
		return from + ` INDEXED BY entries_by_user`
	case q.ProjectID != "" && q.From.IsZero() && q.To.IsZero():
		return from + ` INDEXED BY entries_by_project`
	}
	return from
}

// where returns the WHERE clause of a query's filters but the text, and its arguments.
func (s *Store) where(q clockifysync.EntryQuery) (string, []any) {
	var where []string
	var args []any
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	if q.WorkspaceID != "" {
		add("e.ws = ?", q.WorkspaceID)
	}
	if !q.From.IsZero() {
		add("e.start_at >= ?", s.t(q.From))
	}
	if !q.To.IsZero() {
		add("e.start_at < ?", s.t(q.To))
	}
	if q.UserID != "" {
		add("e.user_id = ?", q.UserID)
	}
	if q.ProjectID != "" {
		add("e.project_id = ?", q.ProjectID)
	}
	if !q.IncludeDeleted {
		where = append(where, "e.deleted_at IS NULL")
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// entries runs an entryQuery, one row per link (or one with NULL links), and gathers the
// rows into entries, keeping those whose description holds text.
func (s *Store) entries(ctx context.Context, x querier, query, text string, args ...any) ([]clockifysync.Entry, error) {
	var out []clockifysync.Entry
	err := s.queryIn(ctx, x, func(rows *sql.Rows) error {
		var e clockifysync.Entry
		var start, end, deleted, synced nullTime
		var owner, repo, pattern, ltext sql.NullString
		var number sql.NullInt64
		var issue sql.NullBool
		var confidence sql.NullFloat64
		if err := rows.Scan(&e.WorkspaceID, &e.ID, &e.UserID, &e.ProjectID, &e.TaskID, &e.Description, &start, &end,
			&e.Billable, &e.Type, &deleted, &synced, &owner, &repo, &number, &issue, &pattern, &ltext, &confidence); err != nil {
			return err
		}
		if n := len(out); n == 0 || out[n-1].ID != e.ID || out[n-1].WorkspaceID != e.WorkspaceID {
			if text != "" && !strings.Contains(strings.ToLower(e.Description), text) {
				return nil
			}
			e.Start, e.End, e.Deleted, e.Synced = start.t, end.t, deleted.t, synced.t
			out = append(out, e)
		}
		if number.Valid {
			last := &out[len(out)-1]
			last.Links = append(last.Links, clockifysync.Link{
				WorkspaceID: last.WorkspaceID, EntryID: last.ID, Owner: owner.String, Repo: repo.String,
				Number: int(number.Int64), Issue: issue.Bool, Source: clockifysync.SourceAuto, Pattern: pattern.String,
				Text: ltext.String, Confidence: float32(confidence.Float64),
			})
		}
		return nil
	}, query, args...)
	return out, err
}

// AddManualLink implements clockifysync.LinkStore.
func (s *Store) AddManualLink(ctx context.Context, l clockifysync.Link) error {
	_, err := s.exec(ctx, s.db, `INSERT INTO @manual_links (ws, entry_id, owner, repo, number, issue, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		l.WorkspaceID, l.EntryID, l.Owner, l.Repo, l.Number, l.Issue, s.t(l.Created))
	return err
}

// RemoveManualLink implements clockifysync.LinkStore.
func (s *Store) RemoveManualLink(ctx context.Context, l clockifysync.Link) error {
	return affected(s.exec(ctx, s.db, `DELETE FROM @manual_links WHERE ws = ? AND entry_id = ?
		AND lower(owner) = lower(?) AND lower(repo) = lower(?) AND number = ? AND issue = ?`,
		l.WorkspaceID, l.EntryID, l.Owner, l.Repo, l.Number, l.Issue))
}

// ManualLinks implements clockifysync.LinkStore.
func (s *Store) ManualLinks(ctx context.Context, workspaceID string, entryIDs ...string) ([]clockifysync.Link, error) {
	query := `SELECT entry_id, owner, repo, number, issue, created_at FROM @manual_links WHERE ws = ?`
	args := []any{workspaceID}
	if len(entryIDs) > 0 {
		query += ` AND entry_id IN (?` + strings.Repeat(", ?", len(entryIDs)-1) + `)`
		for _, id := range entryIDs {
			args = append(args, id)
		}
	}
	var out []clockifysync.Link
	err := s.query(ctx, func(rows *sql.Rows) error {
		l := clockifysync.Link{WorkspaceID: workspaceID, Source: clockifysync.SourceManual, Pattern: string(clockifysync.SourceManual), Confidence: 1}
		var created nullTime
		if err := rows.Scan(&l.EntryID, &l.Owner, &l.Repo, &l.Number, &l.Issue, &created); err != nil {
			return err
		}
		l.Created = created.t
		out = append(out, l)
		return nil
	}, query+` ORDER BY entry_id, created_at, seq`, args...)
	return out, err
}

// PutMembers implements clockifysync.DirectoryStore.
func (s *Store) PutMembers(ctx context.Context, members []clockifysync.Member) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, m := range members {
			if _, err := s.exec(ctx, tx, `INSERT INTO @members (ws, id, name, email, status, login, method, score)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (ws, id) DO UPDATE SET name = excluded.name,
				email = excluded.email, status = excluded.status, login = excluded.login, method = excluded.method,
				score = excluded.score`, m.WorkspaceID, m.ID, m.Name, m.Email, m.Status, m.Login, m.Method, m.Score); err != nil {
				return err
			}
		}
		return nil
	})
}

// Members implements clockifysync.DirectoryStore.
func (s *Store) Members(ctx context.Context, workspaceID string) ([]clockifysync.Member, error) {
	var out []clockifysync.Member
	err := s.query(ctx, func(rows *sql.Rows) error {
		m := clockifysync.Member{WorkspaceID: workspaceID}
		out = append(out, m)
		p := &out[len(out)-1]
		return rows.Scan(&p.ID, &p.Name, &p.Email, &p.Status, &p.Login, &p.Method, &p.Score)
	}, `SELECT id, name, email, status, login, method, score FROM @members WHERE ws = ? ORDER BY id`, workspaceID)
	return out, err
}

// PutProjects implements clockifysync.DirectoryStore.
func (s *Store) PutProjects(ctx context.Context, projects []clockifysync.Project) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, p := range projects {
			if _, err := s.exec(ctx, tx, `INSERT INTO @projects (ws, id, name, billable, archived, hourly_rate, currency, deleted_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, NULL) ON CONFLICT (ws, id) DO UPDATE SET name = excluded.name,
				billable = excluded.billable, archived = excluded.archived, hourly_rate = excluded.hourly_rate,
				currency = excluded.currency, deleted_at = NULL`,
				p.WorkspaceID, p.ID, p.Name, p.Billable, p.Archived, p.HourlyRate, p.Currency); err != nil {
				return err
			}
		}
		return nil
	})
}

// MarkProjectDeleted implements clockifysync.DirectoryStore.
func (s *Store) MarkProjectDeleted(ctx context.Context, workspaceID, id string, at time.Time) error {
	return affected(s.exec(ctx, s.db, `UPDATE @projects SET deleted_at = coalesce(deleted_at, ?) WHERE ws = ? AND id = ?`,
		s.t(at), workspaceID, id))
}

// Projects implements clockifysync.DirectoryStore.
func (s *Store) Projects(ctx context.Context, workspaceID string) ([]clockifysync.Project, error) {
	var out []clockifysync.Project
	err := s.query(ctx, func(rows *sql.Rows) error {
		p := clockifysync.Project{WorkspaceID: workspaceID}
		var deleted nullTime
		if err := rows.Scan(&p.ID, &p.Name, &p.Billable, &p.Archived, &p.HourlyRate, &p.Currency, &deleted); err != nil {
			return err
		}
		p.Deleted = deleted.t
		out = append(out, p)
		return nil
	}, `SELECT id, name, billable, archived, hourly_rate, currency, deleted_at FROM @projects WHERE ws = ? ORDER BY id`, workspaceID)
	return out, err
}

// SetProjectMapping implements clockifysync.DirectoryStore.
func (s *Store) SetProjectMapping(ctx context.Context, m clockifysync.ProjectMapping) error {
	_, err := s.exec(ctx, s.db, `INSERT INTO @project_mappings (ws, project_id, repo, pattern) VALUES (?, ?, ?, ?)
		ON CONFLICT (ws, project_id) DO UPDATE SET repo = excluded.repo, pattern = excluded.pattern`,
		m.WorkspaceID, m.ProjectID, m.Repo, m.Pattern)
	return err
}

// DeleteProjectMapping implements clockifysync.DirectoryStore.
func (s *Store) DeleteProjectMapping(ctx context.Context, workspaceID, projectID string) error {
	return affected(s.exec(ctx, s.db, `DELETE FROM @project_mappings WHERE ws = ? AND project_id = ?`, workspaceID, projectID))
}

// ProjectMappings implements clockifysync.DirectoryStore.
func (s *Store) ProjectMappings(ctx context.Context, workspaceID string) ([]clockifysync.ProjectMapping, error) {
	var out []clockifysync.ProjectMapping
	err := s.query(ctx, func(rows *sql.Rows) error {
		out = append(out, clockifysync.ProjectMapping{WorkspaceID: workspaceID})
		m := &out[len(out)-1]
		return rows.Scan(&m.ProjectID, &m.Repo, &m.Pattern)
	}, `SELECT project_id, repo, pattern FROM @project_mappings WHERE ws = ? ORDER BY project_id`, workspaceID)
	return out, err
}

// SetUserMapping implements clockifysync.DirectoryStore.
func (s *Store) SetUserMapping(ctx context.Context, m clockifysync.UserMapping) error {
	_, err := s.exec(ctx, s.db, `INSERT INTO @user_mappings (ws, member_id, login) VALUES (?, ?, ?)
		ON CONFLICT (ws, member_id) DO UPDATE SET login = excluded.login`, m.WorkspaceID, m.MemberID, m.Login)
	return err
}

// DeleteUserMapping implements clockifysync.DirectoryStore.
func (s *Store) DeleteUserMapping(ctx context.Context, workspaceID, memberID string) error {
	return affected(s.exec(ctx, s.db, `DELETE FROM @user_mappings WHERE ws = ? AND member_id = ?`, workspaceID, memberID))
}

// UserMappings implements clockifysync.DirectoryStore.
func (s *Store) UserMappings(ctx context.Context, workspaceID string) ([]clockifysync.UserMapping, error) {
	var out []clockifysync.UserMapping
	err := s.query(ctx, func(rows *sql.Rows) error {
		out = append(out, clockifysync.UserMapping{WorkspaceID: workspaceID})
		m := &out[len(out)-1]
		return rows.Scan(&m.MemberID, &m.Login)
	}, `SELECT member_id, login FROM @user_mappings WHERE ws = ? ORDER BY member_id`, workspaceID)
	return out, err
}

// PutConnection implements clockifysync.ConnectionStore.
func (s *Store) PutConnection(ctx context.Context, c clockifysync.Connection) error {
	return s.putConnection(ctx, s.db, c)
}

func (s *Store) putConnection(ctx context.Context, x execer, c clockifysync.Connection) error {
	_, err := s.exec(ctx, x, `INSERT INTO @connections
		(ws, name, hourly_rate, currency, status, step, sealed_key, webhook_url, schedule, initial_days, last_sync, last_error, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (ws) DO UPDATE SET name = excluded.name, hourly_rate = excluded.hourly_rate,
		currency = excluded.currency, status = excluded.status, step = excluded.step, sealed_key = excluded.sealed_key,
		webhook_url = excluded.webhook_url, schedule = excluded.schedule, initial_days = excluded.initial_days,
		last_sync = excluded.last_sync, last_error = excluded.last_error, created_at = excluded.created_at,
		updated_at = excluded.updated_at`,
		c.WorkspaceID, c.WorkspaceName, c.HourlyRate, c.Currency, c.Status, c.Step, c.SealedAPIKey, c.WebhookURL, c.Schedule,
		c.InitialDays, s.t(c.LastSync), c.LastError, s.t(c.Created), s.t(c.Updated))
	return err
}

const connectionQuery = `SELECT ws, name, hourly_rate, currency, status, step, sealed_key, webhook_url, schedule,
	initial_days, last_sync, last_error, created_at, updated_at FROM @connections`

func scanConnection(row interface{ Scan(...any) error }) (clockifysync.Connection, error) {
	var c clockifysync.Connection
	var last, created, updated nullTime
	err := row.Scan(&c.WorkspaceID, &c.WorkspaceName, &c.HourlyRate, &c.Currency, &c.Status, &c.Step, &c.SealedAPIKey,
		&c.WebhookURL, &c.Schedule, &c.InitialDays, &last, &c.LastError, &created, &updated)
	c.LastSync, c.Created, c.Updated = last.t, created.t, updated.t
	return c, err
}

// Connection implements clockifysync.ConnectionStore.
func (s *Store) Connection(ctx context.Context, workspaceID string) (clockifysync.Connection, error) {
	c, err := scanConnection(s.db.QueryRowContext(ctx, s.q(connectionQuery+` WHERE ws = ?`), workspaceID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, clockifysync.ErrNotFound
	}
	return c, err
}

// UpdateConnection implements clockifysync.ConnectionStore. The read takes the row's
// lock where the dialect has one (FOR UPDATE); SQLite's write transactions hold the
// whole database from their start.
func (s *Store) UpdateConnection(ctx context.Context, workspaceID string, change func(*clockifysync.Connection) error) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		c, err := scanConnection(tx.QueryRowContext(ctx, s.q(connectionQuery+` WHERE ws = ?`+s.d.LockRow), workspaceID))
		if errors.Is(err, sql.ErrNoRows) {
			return clockifysync.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := change(&c); err != nil {
			return err
		}
		c.WorkspaceID = workspaceID
		return s.putConnection(ctx, tx, c)
	})
}

// Connections implements clockifysync.ConnectionStore.
func (s *Store) Connections(ctx context.Context) ([]clockifysync.Connection, error) {
	var out []clockifysync.Connection
	err := s.query(ctx, func(rows *sql.Rows) error {
		c, err := scanConnection(rows)
		out = append(out, c)
		return err
	}, connectionQuery+` ORDER BY ws`)
	return out, err
}

// PutWebhook implements clockifysync.ConnectionStore.
func (s *Store) PutWebhook(ctx context.Context, w clockifysync.Webhook) error {
	_, err := s.exec(ctx, s.db, `INSERT INTO @webhooks (ws, id, event, url, sealed_token) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (ws, id) DO UPDATE SET event = excluded.event, url = excluded.url, sealed_token = excluded.sealed_token`,
		w.WorkspaceID, w.ID, w.Event, w.URL, w.SealedToken)
	return err
}

// DeleteWebhook implements clockifysync.ConnectionStore.
func (s *Store) DeleteWebhook(ctx context.Context, workspaceID, id string) error {
	return affected(s.exec(ctx, s.db, `DELETE FROM @webhooks WHERE ws = ? AND id = ?`, workspaceID, id))
}

// Webhooks implements clockifysync.ConnectionStore.
func (s *Store) Webhooks(ctx context.Context, workspaceID string) ([]clockifysync.Webhook, error) {
	var out []clockifysync.Webhook
	err := s.query(ctx, func(rows *sql.Rows) error {
		out = append(out, clockifysync.Webhook{})
		w := &out[len(out)-1]
		return rows.Scan(&w.WorkspaceID, &w.ID, &w.Event, &w.URL, &w.SealedToken)
	}, `SELECT ws, id, event, url, sealed_token FROM @webhooks WHERE ? = '' OR ws = ? ORDER BY ws, id`, workspaceID, workspaceID)
	return out, err
}

// StartRun implements clockifysync.CheckpointStore.
func (s *Store) StartRun(ctx context.Context, r clockifysync.Run) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `DELETE FROM @run_members WHERE ws = ?`, r.WorkspaceID); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO @runs (ws, start_at, end_at, started_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (ws) DO UPDATE SET start_at = excluded.start_at, end_at = excluded.end_at, started_at = excluded.started_at`,
			r.WorkspaceID, s.t(r.Start), s.t(r.End), s.t(r.Started)); err != nil {
			return err
		}
		for _, m := range r.Done {
			if _, err := s.exec(ctx, tx, `INSERT INTO @run_members (ws, member_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, r.WorkspaceID, m); err != nil {
				return err
			}
		}
		return nil
	})
}

// PendingRun implements clockifysync.CheckpointStore.
func (s *Store) PendingRun(ctx context.Context, workspaceID string) (clockifysync.Run, bool, error) {
	r := clockifysync.Run{WorkspaceID: workspaceID}
	var start, end, started nullTime
	err := s.db.QueryRowContext(ctx, s.q(`SELECT start_at, end_at, started_at FROM @runs WHERE ws = ?`), workspaceID).Scan(&start, &end, &started)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	r.Start, r.End, r.Started = start.t, end.t, started.t
	err = s.query(ctx, func(rows *sql.Rows) error {
		var m string
		r.Done = append(r.Done, m)
		return rows.Scan(&r.Done[len(r.Done)-1])
	}, `SELECT member_id FROM @run_members WHERE ws = ? ORDER BY member_id`, workspaceID)
	return r, err == nil, err
}

// CheckpointMember implements clockifysync.CheckpointStore.
func (s *Store) CheckpointMember(ctx context.Context, workspaceID, memberID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := affected(s.exec(ctx, tx, `UPDATE @runs SET ws = ws WHERE ws = ?`, workspaceID)); err != nil {
			return err // no run in progress (the update also locks the run's row)
		}
		_, err := s.exec(ctx, tx, `INSERT INTO @run_members (ws, member_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, workspaceID, memberID)
		return err
	})
}

// FinishRun implements clockifysync.CheckpointStore.
func (s *Store) FinishRun(ctx context.Context, workspaceID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `DELETE FROM @run_members WHERE ws = ?`, workspaceID); err != nil {
			return err
		}
		_, err := s.exec(ctx, tx, `DELETE FROM @runs WHERE ws = ?`, workspaceID)
		return err
	})
}

// Claim implements webhook.Deduper in one statement: of several replicas claiming the
// same key at once, one changes the row. A claim pending lapses at lapse_at; an applied
// one has none.
func (s *Store) Claim(ctx context.Context, k webhook.DeliveryKey, now time.Time, lease time.Duration) (webhook.Claim, error) {
	r, err := s.exec(ctx, s.db, `INSERT INTO @claims AS c (entity_id, key, lapse_at) VALUES (?, ?, ?)
		ON CONFLICT (entity_id) DO UPDATE SET key = excluded.key, lapse_at = excluded.lapse_at
		WHERE c.key <> excluded.key OR c.lapse_at <= ?`, k.EntityID, k.String(), s.t(now.Add(lease)), s.t(now))
	if err != nil {
		return 0, err
	}
	if n, err := r.RowsAffected(); err != nil || n > 0 {
		return webhook.Claimed, err
	}
	// Not claimed: the same key is applied, or pending. Anything else seen here (the
	// claim released or replaced meanwhile) is answered as pending: a redelivery then
	// claims it.
	var lapse nullTime
	err = s.db.QueryRowContext(ctx, s.q(`SELECT lapse_at FROM @claims WHERE entity_id = ? AND key = ?`), k.EntityID, k.String()).Scan(&lapse)
	if err == nil && lapse.t.IsZero() {
		return webhook.ClaimApplied, nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	return webhook.ClaimPending, nil
}

// Complete implements webhook.Deduper.
func (s *Store) Complete(ctx context.Context, k webhook.DeliveryKey) error {
	_, err := s.exec(ctx, s.db, `UPDATE @claims SET lapse_at = NULL WHERE entity_id = ? AND key = ?`, k.EntityID, k.String())
	return err
}

// Release implements webhook.Deduper.
func (s *Store) Release(ctx context.Context, k webhook.DeliveryKey) error {
	_, err := s.exec(ctx, s.db, `DELETE FROM @claims WHERE entity_id = ? AND key = ?`, k.EntityID, k.String())
	return err
}

// Record implements webhook.DeliveryLog; the store keeps the last KeepDeliveries records.
func (s *Store) Record(ctx context.Context, d webhook.Delivery) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var seq int64
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO @deliveries
			(received_at, event_type, kind, webhook_id, ws, entity_id, outcome, reason, status, elapsed_ns)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`),
			s.t(d.ReceivedAt), d.EventType, d.Kind, d.WebhookID, d.WorkspaceID, d.EntityID, d.Outcome, d.Reason, d.Status,
			int64(d.Elapsed)).Scan(&seq); err != nil {
			return err
		}
		_, err := s.exec(ctx, tx, `DELETE FROM @deliveries WHERE seq <= ?`, seq-KeepDeliveries)
		return err
	})
}

// Deliveries implements clockifysync.DeliveryStore.
func (s *Store) Deliveries(ctx context.Context, workspaceID string, limit int) ([]webhook.Delivery, error) {
	query := `SELECT received_at, event_type, kind, webhook_id, ws, entity_id, outcome, reason, status, elapsed_ns
		FROM @deliveries WHERE ? = '' OR ws = ? ORDER BY seq DESC`
	args := []any{workspaceID, workspaceID}
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	var out []webhook.Delivery
	err := s.query(ctx, func(rows *sql.Rows) error {
		var d webhook.Delivery
		var received nullTime
		var elapsed int64
		if err := rows.Scan(&received, &d.EventType, &d.Kind, &d.WebhookID, &d.WorkspaceID, &d.EntityID, &d.Outcome,
			&d.Reason, &d.Status, &elapsed); err != nil {
			return err
		}
		d.ReceivedAt, d.Elapsed = received.t, time.Duration(elapsed)
		out = append(out, d)
		return nil
	}, query, args...)
	return out, err
}
