package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"

	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// putChunk is how many entries one statement writes: 14 values each stays far below
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

// key identifies an entry.
type key struct{ ws, id string }

func keyOf(e *clockifysync.Entry) key { return key{e.WorkspaceID, e.ID} }

// keepKeys drops from entries those whose keys query (run by x) does not return, as
// (ws, id) rows.
func (s *Store) keepKeys(ctx context.Context, x querier, entries []clockifysync.Entry, query string, args ...any) ([]clockifysync.Entry, error) {
	got := make(map[key]bool, len(entries))
	err := s.queryIn(ctx, x, func(rows *sql.Rows) error {
		var k key
		err := rows.Scan(&k.ws, &k.id)
		got[k] = true
		return err
	}, query, args...)
	return slices.DeleteFunc(entries, func(e clockifysync.Entry) bool { return !got[keyOf(&e)] }), err
}

// newerSynced is the read time a row takes from a read at ?, given twice: the later of
// the two.
const newerSynced = `CASE WHEN synced_at IS NULL OR synced_at < ? THEN ? ELSE synced_at END`

// lastOfEach returns, of the entries given with each workspace and id, the one read last
// (its Synced latest; of those read at once, the last given), as a stored entry would
// keep it against a later write (one statement may not upsert a row twice), ordered by
// workspace and id: every writer of entries locks their rows in that one order, so that
// two transactions writing some of the same entries wait for each other instead of
// deadlocking.
func lastOfEach(entries []clockifysync.Entry) []clockifysync.Entry {
	out := slices.Clone(entries)
	slices.SortStableFunc(out, func(a, b clockifysync.Entry) int {
		return cmp.Or(strings.Compare(a.WorkspaceID, b.WorkspaceID), strings.Compare(a.ID, b.ID))
	})
	last := out[:0]
	for _, e := range out {
		if n := len(last); n > 0 && last[n-1].WorkspaceID == e.WorkspaceID && last[n-1].ID == e.ID {
			if !e.Synced.Before(last[n-1].Synced) {
				last[n-1] = e
			}
			continue
		}
		last = append(last, e)
	}
	return last
}

// keepChanged returns the entries of a chunk that are not stored as they are, and writes
// the read time of the others where it is later than the stored one.
func (s *Store) keepChanged(ctx context.Context, tx *sql.Tx, chunk []clockifysync.Entry) ([]clockifysync.Entry, error) {
	keys := make([]any, 0, 2*len(chunk))
	for _, e := range chunk {
		keys = append(keys, e.WorkspaceID, e.ID)
	}
	stored, err := s.entries(ctx, tx, entryQuery+` WHERE (e.ws, e.id) IN (VALUES `+rows(len(chunk), 2)+`) ORDER BY e.ws, e.id, l.pos`, "", keys...)
	if err != nil {
		return nil, err
	}
	was := make(map[key]*clockifysync.Entry, len(stored))
	for i := range stored {
		was[keyOf(&stored[i])] = &stored[i]
	}
	// The unchanged entries' keys, by when they were read: one time for all of a sync's.
	type readAt struct {
		at   time.Time
		keys []any
	}
	var changed []clockifysync.Entry
	var read []readAt
	for _, e := range chunk {
		old, ok := was[keyOf(&e)]
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
		if _, err := s.exec(ctx, tx, `UPDATE @entries SET synced_at = ? WHERE (ws, id) IN (VALUES `+rows(len(r.keys)/2, 2)+`)
			AND (synced_at IS NULL OR synced_at <= ?)`,
			slices.Concat([]any{s.t(r.at)}, r.keys, []any{s.t(r.at)})...); err != nil {
			return nil, err
		}
	}
	return changed, nil
}

// putChunk upserts a chunk of entries, but those read before the stored ones, and
// writes the links of those it wrote.
func (s *Store) putChunk(ctx context.Context, tx *sql.Tx, chunk []clockifysync.Entry) error {
	args := make([]any, 0, 14*len(chunk))
	for _, e := range chunk {
		args = append(args, e.WorkspaceID, e.ID, e.UserID, e.ProjectID, e.TaskID, e.Description,
			s.t(e.Start), s.t(e.End), e.Billable, e.HourlyRate, e.Currency, e.Type, s.t(e.Deleted), s.t(e.Synced))
	}
	chunk, err := s.keepKeys(ctx, tx, chunk, `INSERT INTO @entries AS e
		(ws, id, user_id, project_id, task_id, description, start_at, end_at, billable, hourly_rate, currency, type,
		deleted_at, synced_at)
		VALUES `+rows(len(chunk), 14)+`
		ON CONFLICT (ws, id) DO UPDATE SET user_id = excluded.user_id, project_id = excluded.project_id,
		task_id = excluded.task_id, description = excluded.description, start_at = excluded.start_at,
		end_at = excluded.end_at, billable = excluded.billable, hourly_rate = excluded.hourly_rate,
		currency = excluded.currency, type = excluded.type, deleted_at = excluded.deleted_at,
		synced_at = excluded.synced_at
		WHERE e.synced_at IS NULL OR e.synced_at <= excluded.synced_at
		RETURNING ws, id`, args...)
	if err != nil || len(chunk) == 0 {
		return err
	}
	return s.putLinks(ctx, tx, chunk)
}

// sameStored reports whether writing e would store what old holds, but for when it was
// read.
func sameStored(old, e *clockifysync.Entry) bool {
	return old.UserID == e.UserID && old.ProjectID == e.ProjectID && old.TaskID == e.TaskID &&
		old.Description == e.Description && old.Start.Equal(e.Start) && old.End.Equal(e.End) &&
		old.Billable == e.Billable && old.HourlyRate == e.HourlyRate && old.Currency == e.Currency &&
		old.Type == e.Type && old.Deleted.Equal(e.Deleted) &&
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
// their links. It locks the entries it finds (Dialect.LockRow): a writer changing one
// meanwhile, on another connection, either commits first, and the entry is not found
// as given, or waits until the links are replaced and then writes its own.
func (s *Store) ReplaceAutoLinks(ctx context.Context, entries []clockifysync.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for chunk := range slices.Chunk(lastOfEach(entries), putChunk) {
			args := make([]any, 0, 4*len(chunk))
			for _, e := range chunk {
				args = append(args, e.WorkspaceID, e.ID, e.Description, e.ProjectID)
			}
			keep, err := s.keepKeys(ctx, tx, chunk, `SELECT ws, id FROM @entries
				WHERE (ws, id, description, project_id) IN (VALUES `+rows(len(chunk), 4)+`) ORDER BY ws, id`+s.d.LockRow, args...)
			if err != nil {
				return err
			}
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
		for _, id := range slices.Sorted(slices.Values(ids)) { // in lastOfEach's order
			if _, err := s.exec(ctx, tx, `UPDATE @entries SET deleted_at = ?,
				synced_at = `+newerSynced+` WHERE ws = ? AND id = ? AND deleted_at IS NULL`,
				s.t(at), s.t(at), s.t(at), workspaceID, id); err != nil {
				return err
			}
		}
		return nil
	})
}

const entryColumns = `SELECT e.ws, e.id, e.user_id, e.project_id, e.task_id, e.description, e.start_at, e.end_at,
	e.billable, e.hourly_rate, e.currency, e.type, e.deleted_at, e.synced_at,
	l.owner, l.repo, l.number, l.issue, l.pattern, l.text, l.confidence`

const withLinks = ` LEFT JOIN @auto_links l ON l.ws = e.ws AND l.entry_id = e.id`

const entryQuery = entryColumns + ` FROM @entries e` + withLinks

// pageLinks joins a page of entries to their links. With Dialect.Lateral, each entry's
// are looked up by the key (OFFSET 0 keeps PostgreSQL from turning the lookups back
// into a hash of every link of the workspace).
func (s *Store) pageLinks() string {
	if s.d.Lateral {
		return ` LEFT JOIN LATERAL (SELECT * FROM @auto_links l WHERE l.ws = e.ws AND l.entry_id = e.id OFFSET 0) l ON true`
	}
	return withLinks
}

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

// Entries implements clockifysync.EntryStore. The text filter ignores case as
// clockifysync.FoldText folds it, in every script (a database's lower() may lower ASCII
// only, and lowers where FoldText folds: ß stays ß), so it is applied to the rows the
// query returns; with a Limit, those are read a page at a time until enough hold the
// text.
func (s *Store) Entries(ctx context.Context, q clockifysync.EntryQuery) ([]clockifysync.Entry, error) {
	text := clockifysync.FoldText(q.Text)
	if q.Limit <= 0 {
		from, where, args, err := s.filter(q)
		if err != nil {
			return nil, err
		}
		return s.entries(ctx, s.db, entryColumns+from+withLinks+where+order(q, ", l.pos"), text, args...)
	}
	var out []clockifysync.Entry
	for {
		n := q.Limit - len(out)
		if text != "" {
			n = max(n, textPage)
		}
		query, args, err := s.pageQuery(q, n)
		if err != nil {
			return nil, err
		}
		page, err := s.entries(ctx, s.db, query, "", args...)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if len(out) < q.Limit && holds(e.Description, text) {
				out = append(out, e)
			}
		}
		if len(out) == q.Limit || len(page) < n {
			return out, nil
		}
		q.After = page[len(page)-1].Cursor()
	}
}

// pageQuery returns the query of the first n entries q's filters (but the text) select,
// in its order, with their links. The limit is written out, not a parameter: the plan
// PostgreSQL keeps for a statement would be made for a page of a tenth of the entries.
func (s *Store) pageQuery(q clockifysync.EntryQuery, n int) (string, []any, error) {
	from, where, args, err := s.filter(q)
	query := entryColumns + " FROM (SELECT e.*" + from + where + order(q, "") + " LIMIT " + strconv.Itoa(n) + ") e" +
		s.pageLinks() + order(q, ", l.pos")
	return query, args, err
}

// PageQuery returns the query Entries runs for a page of n entries of q (without
// Text), as the database receives it, for the stores' tests of its plan.
func PageQuery(d Dialect, q clockifysync.EntryQuery, n int) (string, []any, error) {
	s := &Store{d: d}
	query, args, err := s.pageQuery(q, n)
	return s.q(query), args, err
}

// textPage is how many entries a query with a Limit and a text reads at a time.
const textPage = 500

// holds reports whether a description holds a text already folded (FoldText).
func holds(description, text string) bool {
	return text == "" || strings.Contains(clockifysync.FoldText(description), text)
}

// order is the ORDER BY clause of a query of entries, with more columns after.
func order(q clockifysync.EntryQuery, more string) string {
	if q.Newest {
		return " ORDER BY e.start_at DESC, e.id DESC, e.ws DESC" + more
	}
	return " ORDER BY e.start_at, e.id, e.ws" + more
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
	query, args, err := s.entryIDsQuery(q)
	if err != nil {
		return nil, err
	}
	err = s.query(ctx, func(rows *sql.Rows) error {
		ids = append(ids, "")
		return rows.Scan(&ids[len(ids)-1])
	}, query, args...)
	return ids, err
}

func (s *Store) entryIDsQuery(q clockifysync.EntryQuery) (string, []any, error) {
	from, where, args, err := s.filter(q)
	query := `SELECT e.id` + from + where + order(q, "")
	if q.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(q.Limit) // written out, as in pageQuery
	}
	return query, args, err
}

// EntryIDsQuery returns the query EntryIDs runs for q (without Text), as the database
// receives it, for the stores' tests of its plan.
func EntryIDsQuery(d Dialect, q clockifysync.EntryQuery) (string, []any, error) {
	s := &Store{d: d}
	query, args, err := s.entryIDsQuery(q)
	return s.q(query), args, err
}

// prLinks lists the entries with a link of either kind to a pull request, read by the
// links' index of their targets (number, lower(owner), lower(repo)).
const prLinks = `(SELECT ws, entry_id FROM @auto_links WHERE number = ? AND lower(owner) = ? AND lower(repo) = ? AND issue = ?
	UNION SELECT ws, entry_id FROM @manual_links WHERE number = ? AND lower(owner) = ? AND lower(repo) = ? AND issue = ?) p`

// filter returns the FROM and WHERE clauses of a query's filters but the text, and
// their arguments. A pull request's entries are read from its links (CROSS JOIN keeps
// SQLite from reading the workspace's entries instead); a member's or a project's by
// their index where the dialect names indexes. A project's entries within a window are
// left to the planner: either index may read fewer.
func (s *Store) filter(q clockifysync.EntryQuery) (from, where string, args []any, err error) {
	from = ` FROM @entries e`
	var conds []string
	switch {
	case q.PR != "":
		owner, repo, number, err := clockifysync.ParsePR(q.PR)
		if err != nil {
			return "", "", nil, err
		}
		// GitHub's names are ASCII, which lower() folds in every database.
		owner, repo = strings.ToLower(owner), strings.ToLower(repo)
		from = ` FROM ` + prLinks + ` CROSS JOIN @entries e`
		conds = append(conds, "e.ws = p.ws", "e.id = p.entry_id")
		args = append(args, number, owner, repo, false, number, owner, repo, false)
	case !s.d.IndexedBy:
	case q.Running:
		from += ` INDEXED BY entries_running`
	case q.UserID != "":
		from += ` INDEXED BY entries_by_user`
	case q.ProjectID != "" && q.From.IsZero() && q.To.IsZero():
		from += ` INDEXED BY entries_by_project`
	}
	add := func(cond string, arg any) {
		conds = append(conds, cond)
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
		conds = append(conds, "e.deleted_at IS NULL")
	}
	if q.Running {
		conds = append(conds, "e.end_at IS NULL")
	}
	if q.After != nil {
		// The first condition is a range of the index of start times.
		op, at := ">", s.t(q.After.Start)
		if q.Newest {
			op = "<"
		}
		conds = append(conds, "e.start_at "+op+"= ?", "(e.start_at "+op+" ? OR e.id "+op+" ?)")
		args = append(args, at, at, q.After.ID)
	}
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	return from, where, args, nil
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
			&e.Billable, &e.HourlyRate, &e.Currency, &e.Type, &deleted, &synced, &owner, &repo, &number, &issue, &pattern, &ltext, &confidence); err != nil {
			return err
		}
		if n := len(out); n == 0 || out[n-1].ID != e.ID || out[n-1].WorkspaceID != e.WorkspaceID {
			if !holds(e.Description, text) {
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
