package sqlstore

import (
	"context"
	"database/sql"
	"time"

	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

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
			if _, err := s.exec(ctx, tx, `INSERT INTO @projects AS p
				(ws, id, name, billable, archived, hourly_rate, currency, deleted_at, synced_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?) ON CONFLICT (ws, id) DO UPDATE SET name = excluded.name,
				billable = excluded.billable, archived = excluded.archived, hourly_rate = excluded.hourly_rate,
				currency = excluded.currency, deleted_at = NULL, synced_at = excluded.synced_at
				WHERE p.synced_at IS NULL OR p.synced_at <= excluded.synced_at`,
				p.WorkspaceID, p.ID, p.Name, p.Billable, p.Archived, p.HourlyRate, p.Currency, s.t(p.Synced)); err != nil {
				return err
			}
		}
		return nil
	})
}

// MarkProjectDeleted implements clockifysync.DirectoryStore.
func (s *Store) MarkProjectDeleted(ctx context.Context, workspaceID, id string, at time.Time) error {
	return affected(s.exec(ctx, s.db, `UPDATE @projects SET deleted_at = coalesce(deleted_at, ?),
		synced_at = `+newerSynced+` WHERE ws = ? AND id = ?`,
		s.t(at), s.t(at), s.t(at), workspaceID, id))
}

// Projects implements clockifysync.DirectoryStore.
func (s *Store) Projects(ctx context.Context, workspaceID string) ([]clockifysync.Project, error) {
	var out []clockifysync.Project
	err := s.query(ctx, func(rows *sql.Rows) error {
		p := clockifysync.Project{WorkspaceID: workspaceID}
		var deleted, synced nullTime
		if err := rows.Scan(&p.ID, &p.Name, &p.Billable, &p.Archived, &p.HourlyRate, &p.Currency, &deleted, &synced); err != nil {
			return err
		}
		p.Deleted, p.Synced = deleted.t, synced.t
		out = append(out, p)
		return nil
	}, `SELECT id, name, billable, archived, hourly_rate, currency, deleted_at, synced_at FROM @projects WHERE ws = ? ORDER BY id`, workspaceID)
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
