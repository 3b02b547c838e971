package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"

	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// schemaVersion is the version of schema, kept in SQLite's user_version.
const schemaVersion = 1

// keepDeliveries is how many delivery records the store keeps.
const keepDeliveries = 10_000

// Store is a clockifysync.Store in one SQLite file. It is safe for concurrent use, by
// several goroutines and by several processes on one machine.
type Store struct {
	db *sql.DB
}

var _ clockifysync.Store = (*Store)(nil)

// Open opens (creating it if needed) the SQLite database at path, in WAL mode, and brings
// its schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: %q: want the path of a database file", path)
	}
	dsn := path + "?_txlock=immediate&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// Each connection holds its own page cache; a few serve concurrent readers, and
	// writers take the database's lock in turn.
	db.SetMaxOpenConns(4)
	s := &Store{db: db}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) migrate(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var v int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
			return err
		}
		switch {
		case v == schemaVersion:
			return nil
		case v > schemaVersion:
			return fmt.Errorf("sqlite: the database has schema version %d, newer than this package's %d", v, schemaVersion)
		}
		if _, err := tx.ExecContext(ctx, schema); err != nil {
			return fmt.Errorf("sqlite: creating the schema: %w", err)
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion))
		return err
	})
}

// tx runs fn in a transaction (which takes the write lock at once), committed when fn
// returns nil.
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

// ns stores a time as Unix nanoseconds in UTC, a zero time as NULL.
func ns(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// timeOf reads what ns stored.
func timeOf(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(0, v.Int64).UTC()
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

// PutEntries implements clockifysync.EntryStore.
func (s *Store) PutEntries(ctx context.Context, entries []clockifysync.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, e := range entries {
			if _, err := tx.ExecContext(ctx, `INSERT INTO entries
				(ws, id, user_id, project_id, task_id, description, start_ns, end_ns, billable, type, deleted_ns, synced_ns)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)
				ON CONFLICT (ws, id) DO UPDATE SET user_id = excluded.user_id, project_id = excluded.project_id,
				task_id = excluded.task_id, description = excluded.description, start_ns = excluded.start_ns,
				end_ns = excluded.end_ns, billable = excluded.billable, type = excluded.type, deleted_ns = NULL,
				synced_ns = excluded.synced_ns`,
				e.WorkspaceID, e.ID, e.UserID, e.ProjectID, e.TaskID, e.Description, ns(e.Start), ns(e.End),
				e.Billable, e.Type, ns(e.Synced)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM auto_links WHERE ws = ? AND entry_id = ?`, e.WorkspaceID, e.ID); err != nil {
				return err
			}
			for i, l := range e.Links {
				if _, err := tx.ExecContext(ctx, `INSERT INTO auto_links
					(ws, entry_id, pos, owner, repo, number, issue, pattern, text, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					e.WorkspaceID, e.ID, i, l.Owner, l.Repo, l.Number, l.Issue, l.Pattern, l.Text, l.Confidence); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// MarkEntriesDeleted implements clockifysync.EntryStore.
func (s *Store) MarkEntriesDeleted(ctx context.Context, workspaceID string, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE entries SET deleted_ns = ? WHERE ws = ? AND id = ? AND deleted_ns IS NULL`,
				ns(at), workspaceID, id); err != nil {
				return err
			}
		}
		return nil
	})
}

const entryColumns = `e.ws, e.id, e.user_id, e.project_id, e.task_id, e.description, e.start_ns, e.end_ns,
	e.billable, e.type, e.deleted_ns, e.synced_ns,
	l.owner, l.repo, l.number, l.issue, l.pattern, l.text, l.confidence`

// Entry implements clockifysync.EntryStore.
func (s *Store) Entry(ctx context.Context, workspaceID, id string) (clockifysync.Entry, error) {
	out, err := s.queryEntries(ctx, `SELECT `+entryColumns+` FROM entries e
		LEFT JOIN auto_links l ON l.ws = e.ws AND l.entry_id = e.id
		WHERE e.ws = ? AND e.id = ? ORDER BY l.pos`, "", workspaceID, id)
	if err != nil {
		return clockifysync.Entry{}, err
	}
	if len(out) == 0 {
		return clockifysync.Entry{}, clockifysync.ErrNotFound
	}
	return out[0], nil
}

// Entries implements clockifysync.EntryStore. The text filter ignores case as Go's
// strings.ToLower does, in every script, so it is applied after the query.
func (s *Store) Entries(ctx context.Context, q clockifysync.EntryQuery) ([]clockifysync.Entry, error) {
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
		add("e.start_ns >= ?", q.From.UnixNano())
	}
	if !q.To.IsZero() {
		add("e.start_ns < ?", q.To.UnixNano())
	}
	if q.UserID != "" {
		add("e.user_id = ?", q.UserID)
	}
	if q.ProjectID != "" {
		add("e.project_id = ?", q.ProjectID)
	}
	if !q.IncludeDeleted {
		where = append(where, "e.deleted_ns IS NULL")
	}
	query := `SELECT ` + entryColumns + ` FROM entries e LEFT JOIN auto_links l ON l.ws = e.ws AND l.entry_id = e.id`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY e.start_ns, e.id, e.ws, l.pos"
	return s.queryEntries(ctx, query, strings.ToLower(q.Text), args...)
}

// queryEntries runs a query of entryColumns, one row per link (or one with NULL links),
// and gathers the rows into entries, keeping those whose description holds text.
func (s *Store) queryEntries(ctx context.Context, query, text string, args ...any) ([]clockifysync.Entry, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []clockifysync.Entry
	for rows.Next() {
		var e clockifysync.Entry
		var start, end, deleted, synced sql.NullInt64
		var owner, repo, pattern, ltext sql.NullString
		var number sql.NullInt64
		var issue sql.NullBool
		var confidence sql.NullFloat64
		if err := rows.Scan(&e.WorkspaceID, &e.ID, &e.UserID, &e.ProjectID, &e.TaskID, &e.Description, &start, &end,
			&e.Billable, &e.Type, &deleted, &synced, &owner, &repo, &number, &issue, &pattern, &ltext, &confidence); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != e.ID || out[n-1].WorkspaceID != e.WorkspaceID {
			if text != "" && !strings.Contains(strings.ToLower(e.Description), text) {
				continue
			}
			e.Start, e.End, e.Deleted, e.Synced = timeOf(start), timeOf(end), timeOf(deleted), timeOf(synced)
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
	}
	return out, rows.Err()
}

// AddManualLink implements clockifysync.LinkStore.
func (s *Store) AddManualLink(ctx context.Context, l clockifysync.Link) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO manual_links (ws, entry_id, owner, repo, number, issue, created_ns)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		l.WorkspaceID, l.EntryID, l.Owner, l.Repo, l.Number, l.Issue, ns(l.Created))
	return err
}

// RemoveManualLink implements clockifysync.LinkStore.
func (s *Store) RemoveManualLink(ctx context.Context, l clockifysync.Link) error {
	return affected(s.db.ExecContext(ctx, `DELETE FROM manual_links WHERE ws = ? AND entry_id = ?
		AND lower(owner) = lower(?) AND lower(repo) = lower(?) AND number = ? AND issue = ?`,
		l.WorkspaceID, l.EntryID, l.Owner, l.Repo, l.Number, l.Issue))
}

// ManualLinks implements clockifysync.LinkStore.
func (s *Store) ManualLinks(ctx context.Context, workspaceID string, entryIDs ...string) ([]clockifysync.Link, error) {
	query := `SELECT entry_id, owner, repo, number, issue, created_ns FROM manual_links WHERE ws = ?`
	args := []any{workspaceID}
	if len(entryIDs) > 0 {
		query += ` AND entry_id IN (SELECT value FROM json_each(?))`
		args = append(args, jsonStrings(entryIDs))
	}
	rows, err := s.db.QueryContext(ctx, query+` ORDER BY entry_id, created_ns, seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []clockifysync.Link
	for rows.Next() {
		l := clockifysync.Link{WorkspaceID: workspaceID, Source: clockifysync.SourceManual, Pattern: string(clockifysync.SourceManual), Confidence: 1}
		var created sql.NullInt64
		if err := rows.Scan(&l.EntryID, &l.Owner, &l.Repo, &l.Number, &l.Issue, &created); err != nil {
			return nil, err
		}
		l.Created = timeOf(created)
		out = append(out, l)
	}
	return out, rows.Err()
}

// jsonStrings renders ids as a JSON array, for json_each.
func jsonStrings(ids []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q", id)
	}
	b.WriteByte(']')
	return b.String()
}

// PutMembers implements clockifysync.DirectoryStore.
func (s *Store) PutMembers(ctx context.Context, members []clockifysync.Member) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, m := range members {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO members (ws, id, name, email, status, login, method, score)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.WorkspaceID, m.ID, m.Name, m.Email, m.Status, m.Login, m.Method, m.Score); err != nil {
				return err
			}
		}
		return nil
	})
}

// Members implements clockifysync.DirectoryStore.
func (s *Store) Members(ctx context.Context, workspaceID string) ([]clockifysync.Member, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, email, status, login, method, score FROM members WHERE ws = ? ORDER BY id`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []clockifysync.Member
	for rows.Next() {
		m := clockifysync.Member{WorkspaceID: workspaceID}
		if err := rows.Scan(&m.ID, &m.Name, &m.Email, &m.Status, &m.Login, &m.Method, &m.Score); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// PutProjects implements clockifysync.DirectoryStore.
func (s *Store) PutProjects(ctx context.Context, projects []clockifysync.Project) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, p := range projects {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO projects (ws, id, name, billable, archived, hourly_rate, currency, deleted_ns)
				VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`, p.WorkspaceID, p.ID, p.Name, p.Billable, p.Archived, p.HourlyRate, p.Currency); err != nil {
				return err
			}
		}
		return nil
	})
}

// MarkProjectDeleted implements clockifysync.DirectoryStore.
func (s *Store) MarkProjectDeleted(ctx context.Context, workspaceID, id string, at time.Time) error {
	return affected(s.db.ExecContext(ctx, `UPDATE projects SET deleted_ns = coalesce(deleted_ns, ?) WHERE ws = ? AND id = ?`,
		ns(at), workspaceID, id))
}

// Projects implements clockifysync.DirectoryStore.
func (s *Store) Projects(ctx context.Context, workspaceID string) ([]clockifysync.Project, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, billable, archived, hourly_rate, currency, deleted_ns
		FROM projects WHERE ws = ? ORDER BY id`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []clockifysync.Project
	for rows.Next() {
		p := clockifysync.Project{WorkspaceID: workspaceID}
		var deleted sql.NullInt64
		if err := rows.Scan(&p.ID, &p.Name, &p.Billable, &p.Archived, &p.HourlyRate, &p.Currency, &deleted); err != nil {
			return nil, err
		}
		p.Deleted = timeOf(deleted)
		out = append(out, p)
	}
	return out, rows.Err()
}

// SetProjectMapping implements clockifysync.DirectoryStore.
func (s *Store) SetProjectMapping(ctx context.Context, m clockifysync.ProjectMapping) error {
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO project_mappings (ws, project_id, repo, pattern) VALUES (?, ?, ?, ?)`,
		m.WorkspaceID, m.ProjectID, m.Repo, m.Pattern)
	return err
}

// DeleteProjectMapping implements clockifysync.DirectoryStore.
func (s *Store) DeleteProjectMapping(ctx context.Context, workspaceID, projectID string) error {
	return affected(s.db.ExecContext(ctx, `DELETE FROM project_mappings WHERE ws = ? AND project_id = ?`, workspaceID, projectID))
}

// ProjectMappings implements clockifysync.DirectoryStore.
func (s *Store) ProjectMappings(ctx context.Context, workspaceID string) ([]clockifysync.ProjectMapping, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT project_id, repo, pattern FROM project_mappings WHERE ws = ? ORDER BY project_id`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []clockifysync.ProjectMapping
	for rows.Next() {
		m := clockifysync.ProjectMapping{WorkspaceID: workspaceID}
		if err := rows.Scan(&m.ProjectID, &m.Repo, &m.Pattern); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SetUserMapping implements clockifysync.DirectoryStore.
func (s *Store) SetUserMapping(ctx context.Context, m clockifysync.UserMapping) error {
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO user_mappings (ws, member_id, login) VALUES (?, ?, ?)`,
		m.WorkspaceID, m.MemberID, m.Login)
	return err
}

// DeleteUserMapping implements clockifysync.DirectoryStore.
func (s *Store) DeleteUserMapping(ctx context.Context, workspaceID, memberID string) error {
	return affected(s.db.ExecContext(ctx, `DELETE FROM user_mappings WHERE ws = ? AND member_id = ?`, workspaceID, memberID))
}

// UserMappings implements clockifysync.DirectoryStore.
func (s *Store) UserMappings(ctx context.Context, workspaceID string) ([]clockifysync.UserMapping, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT member_id, login FROM user_mappings WHERE ws = ? ORDER BY member_id`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []clockifysync.UserMapping
	for rows.Next() {
		m := clockifysync.UserMapping{WorkspaceID: workspaceID}
		if err := rows.Scan(&m.MemberID, &m.Login); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// PutConnection implements clockifysync.ConnectionStore.
func (s *Store) PutConnection(ctx context.Context, c clockifysync.Connection) error {
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO connections
		(ws, name, hourly_rate, currency, status, step, sealed_key, webhook_url, schedule, initial_days, last_sync_ns, last_error, created_ns, updated_ns)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.WorkspaceID, c.WorkspaceName, c.HourlyRate, c.Currency, c.Status, c.Step, c.SealedAPIKey, c.WebhookURL, c.Schedule, c.InitialDays,
		ns(c.LastSync), c.LastError, ns(c.Created), ns(c.Updated))
	return err
}

const connectionColumns = `ws, name, hourly_rate, currency, status, step, sealed_key, webhook_url, schedule, initial_days, last_sync_ns, last_error, created_ns, updated_ns`

func scanConnection(row interface{ Scan(...any) error }) (clockifysync.Connection, error) {
	var c clockifysync.Connection
	var last, created, updated sql.NullInt64
	if err := row.Scan(&c.WorkspaceID, &c.WorkspaceName, &c.HourlyRate, &c.Currency, &c.Status, &c.Step, &c.SealedAPIKey, &c.WebhookURL, &c.Schedule,
		&c.InitialDays, &last, &c.LastError, &created, &updated); err != nil {
		return c, err
	}
	c.LastSync, c.Created, c.Updated = timeOf(last), timeOf(created), timeOf(updated)
	return c, nil
}

// Connection implements clockifysync.ConnectionStore.
func (s *Store) Connection(ctx context.Context, workspaceID string) (clockifysync.Connection, error) {
	c, err := scanConnection(s.db.QueryRowContext(ctx, `SELECT `+connectionColumns+` FROM connections WHERE ws = ?`, workspaceID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, clockifysync.ErrNotFound
	}
	return c, err
}

// Connections implements clockifysync.ConnectionStore.
func (s *Store) Connections(ctx context.Context) ([]clockifysync.Connection, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+connectionColumns+` FROM connections ORDER BY ws`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []clockifysync.Connection
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PutWebhook implements clockifysync.ConnectionStore.
func (s *Store) PutWebhook(ctx context.Context, w clockifysync.Webhook) error {
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO webhooks (ws, id, event, url, sealed_token) VALUES (?, ?, ?, ?, ?)`,
		w.WorkspaceID, w.ID, w.Event, w.URL, w.SealedToken)
	return err
}

// DeleteWebhook implements clockifysync.ConnectionStore.
func (s *Store) DeleteWebhook(ctx context.Context, workspaceID, id string) error {
	return affected(s.db.ExecContext(ctx, `DELETE FROM webhooks WHERE ws = ? AND id = ?`, workspaceID, id))
}

// Webhooks implements clockifysync.ConnectionStore.
func (s *Store) Webhooks(ctx context.Context, workspaceID string) ([]clockifysync.Webhook, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT ws, id, event, url, sealed_token FROM webhooks
		WHERE ? = '' OR ws = ? ORDER BY ws, id`, workspaceID, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []clockifysync.Webhook
	for rows.Next() {
		var w clockifysync.Webhook
		if err := rows.Scan(&w.WorkspaceID, &w.ID, &w.Event, &w.URL, &w.SealedToken); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// StartRun implements clockifysync.CheckpointStore.
func (s *Store) StartRun(ctx context.Context, r clockifysync.Run) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM run_members WHERE ws = ?`, r.WorkspaceID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO runs (ws, start_ns, end_ns, started_ns) VALUES (?, ?, ?, ?)`,
			r.WorkspaceID, ns(r.Start), ns(r.End), ns(r.Started)); err != nil {
			return err
		}
		for _, m := range r.Done {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO run_members (ws, member_id) VALUES (?, ?)`, r.WorkspaceID, m); err != nil {
				return err
			}
		}
		return nil
	})
}

// PendingRun implements clockifysync.CheckpointStore.
func (s *Store) PendingRun(ctx context.Context, workspaceID string) (clockifysync.Run, bool, error) {
	r := clockifysync.Run{WorkspaceID: workspaceID}
	var start, end, started sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT start_ns, end_ns, started_ns FROM runs WHERE ws = ?`, workspaceID).Scan(&start, &end, &started)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	r.Start, r.End, r.Started = timeOf(start), timeOf(end), timeOf(started)
	rows, err := s.db.QueryContext(ctx, `SELECT member_id FROM run_members WHERE ws = ? ORDER BY member_id`, workspaceID)
	if err != nil {
		return r, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return r, false, err
		}
		r.Done = append(r.Done, m)
	}
	return r, true, rows.Err()
}

// CheckpointMember implements clockifysync.CheckpointStore.
func (s *Store) CheckpointMember(ctx context.Context, workspaceID, memberID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM runs WHERE ws = ?`, workspaceID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return clockifysync.ErrNotFound
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO run_members (ws, member_id) VALUES (?, ?)`, workspaceID, memberID)
		return err
	})
}

// FinishRun implements clockifysync.CheckpointStore.
func (s *Store) FinishRun(ctx context.Context, workspaceID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM run_members WHERE ws = ?`, workspaceID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM runs WHERE ws = ?`, workspaceID)
		return err
	})
}

// Claim implements webhook.Deduper, in one statement: of several processes claiming the
// same key at once, one changes the row.
func (s *Store) Claim(ctx context.Context, k webhook.DeliveryKey) (bool, error) {
	r, err := s.db.ExecContext(ctx, `INSERT INTO claims (entity_id, key) VALUES (?, ?)
		ON CONFLICT (entity_id) DO UPDATE SET key = excluded.key WHERE key <> excluded.key`, k.EntityID, k.String())
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n > 0, err
}

// Release implements webhook.Deduper.
func (s *Store) Release(ctx context.Context, k webhook.DeliveryKey) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM claims WHERE entity_id = ? AND key = ?`, k.EntityID, k.String())
	return err
}

// Record implements webhook.DeliveryLog; the store keeps the last 10,000 records.
func (s *Store) Record(ctx context.Context, d webhook.Delivery) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO deliveries
			(received_ns, event_type, kind, webhook_id, ws, entity_id, outcome, reason, status, elapsed_ns)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			ns(d.ReceivedAt), d.EventType, d.Kind, d.WebhookID, d.WorkspaceID, d.EntityID, d.Outcome, d.Reason, d.Status, int64(d.Elapsed))
		if err != nil {
			return err
		}
		seq, err := r.LastInsertId()
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM deliveries WHERE seq <= ?`, seq-keepDeliveries)
		return err
	})
}

// Deliveries implements clockifysync.DeliveryStore.
func (s *Store) Deliveries(ctx context.Context, workspaceID string, limit int) ([]webhook.Delivery, error) {
	if limit <= 0 {
		limit = -1 // no limit
	}
	rows, err := s.db.QueryContext(ctx, `SELECT received_ns, event_type, kind, webhook_id, ws, entity_id, outcome, reason, status, elapsed_ns
		FROM deliveries WHERE ? = '' OR ws = ? ORDER BY seq DESC LIMIT ?`, workspaceID, workspaceID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []webhook.Delivery
	for rows.Next() {
		var d webhook.Delivery
		var received sql.NullInt64
		var elapsed int64
		if err := rows.Scan(&received, &d.EventType, &d.Kind, &d.WebhookID, &d.WorkspaceID, &d.EntityID, &d.Outcome,
			&d.Reason, &d.Status, &elapsed); err != nil {
			return nil, err
		}
		d.ReceivedAt, d.Elapsed = timeOf(received), time.Duration(elapsed)
		out = append(out, d)
	}
	return out, rows.Err()
}
