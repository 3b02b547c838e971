package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

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
