package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// Each transaction that writes a workspace's run takes the run's row before any of its
// members' rows, the order in which PostgreSQL's check of a member's run takes them:
// replicas that start, checkpoint or finish the same run at once then wait for each
// other instead of deadlocking. (SQLite runs one write at a time.)

// StartRun implements clockifysync.CheckpointStore.
func (s *Store) StartRun(ctx context.Context, r clockifysync.Run) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `INSERT INTO @runs (ws, start_at, end_at, started_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (ws) DO UPDATE SET start_at = excluded.start_at, end_at = excluded.end_at, started_at = excluded.started_at`,
			r.WorkspaceID, s.t(r.Start), s.t(r.End), s.t(r.Started)); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM @run_members WHERE ws = ?`, r.WorkspaceID); err != nil {
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
	err := s.queryRow(ctx, s.db, `SELECT start_at, end_at, started_at FROM @runs WHERE ws = ?`, workspaceID).Scan(&start, &end, &started)
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
		if _, err := s.exec(ctx, tx, `DELETE FROM @runs WHERE ws = ?`, workspaceID); err != nil {
			return err
		}
		_, err := s.exec(ctx, tx, `DELETE FROM @run_members WHERE ws = ?`, workspaceID) // SQLite's: no cascade
		return err
	})
}
