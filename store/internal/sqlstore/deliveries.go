package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/heyjasper/jasper-clockify/webhook"
)

// KeepDeliveries is how many delivery records a store keeps by default of each
// workspace, and of those with no workspace (rejected before one was known).
const KeepDeliveries = 10_000

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
	err = s.queryRow(ctx, s.db, `SELECT lapse_at FROM @claims WHERE entity_id = ? AND key = ?`, k.EntityID, k.String()).Scan(&lapse)
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

// Record implements webhook.DeliveryLog. The store keeps the last records of each
// workspace (KeepDeliveries unless New was told otherwise), and apart from them as many
// with no workspace: a flood of forged requests, or a busy workspace, pushes no other
// workspace's records out. A record is numbered after its workspace's last (n), and
// drops those numbered that many before it, both by index. Two replicas recording for
// one workspace at once may give their records one number, and keep one record fewer
// for a while.
func (s *Store) Record(ctx context.Context, d webhook.Delivery) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var n int64
		if err := s.queryRow(ctx, tx, `INSERT INTO @deliveries
			(received_at, event_type, kind, webhook_id, ws, entity_id, outcome, reason, status, elapsed_ns, n)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
				coalesce((SELECT n FROM @deliveries WHERE ws = ? ORDER BY n DESC LIMIT 1), 0) + 1)
			RETURNING n`,
			s.t(d.ReceivedAt), d.EventType, d.Kind, d.WebhookID, d.WorkspaceID, d.EntityID, d.Outcome, d.Reason, d.Status,
			int64(d.Elapsed), d.WorkspaceID).Scan(&n); err != nil {
			return err
		}
		_, err := s.exec(ctx, tx, `DELETE FROM @deliveries WHERE ws = ? AND n <= ?`, d.WorkspaceID, n-int64(s.keep))
		return err
	})
}

// Deliveries implements clockifysync.DeliveryStore.
func (s *Store) Deliveries(ctx context.Context, workspaceID string, limit int) ([]webhook.Delivery, error) {
	query, args := deliveriesQuery(workspaceID, limit)
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

// deliveriesQuery returns the query Deliveries runs. One workspace's records are read
// by its index, not found among every workspace's.
func deliveriesQuery(workspaceID string, limit int) (string, []any) {
	var where string
	var args []any
	if workspaceID != "" {
		where, args = `WHERE ws = ? `, append(args, workspaceID)
	}
	query := `SELECT received_at, event_type, kind, webhook_id, ws, entity_id, outcome, reason, status, elapsed_ns
		FROM @deliveries ` + where + `ORDER BY seq DESC`
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	return query, args
}

// DeliveriesQuery returns the query Deliveries runs, as the database receives it, for
// the stores' tests of its plan.
func DeliveriesQuery(d Dialect, workspaceID string, limit int) (string, []any) {
	query, args := deliveriesQuery(workspaceID, limit)
	return (&Store{d: d}).q(query), args
}
