package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/heyjasper/jasper-clockify/billing"
	"github.com/heyjasper/jasper-clockify/clockify"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// PutConnection implements clockifysync.ConnectionStore.
func (s *Store) PutConnection(ctx context.Context, c clockifysync.Connection) error {
	return s.putConnection(ctx, s.db, c)
}

func (s *Store) putConnection(ctx context.Context, x execer, c clockifysync.Connection) error {
	rates, changes, err := encodeRates(c.Rates)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, x, `INSERT INTO @connections
		(ws, name, hourly_rate, currency, rates, rate_changes, status, step, sealed_key, webhook_url, region, github_host,
		missing_events, schedule, initial_days, last_sync, last_error, changes_read, window_reads, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (ws) DO UPDATE SET name = excluded.name, hourly_rate = excluded.hourly_rate,
		currency = excluded.currency, rates = excluded.rates, rate_changes = excluded.rate_changes, status = excluded.status, step = excluded.step,
		sealed_key = excluded.sealed_key, webhook_url = excluded.webhook_url, region = excluded.region,
		github_host = excluded.github_host, missing_events = excluded.missing_events, schedule = excluded.schedule, initial_days = excluded.initial_days,
		last_sync = excluded.last_sync, last_error = excluded.last_error, changes_read = excluded.changes_read,
		window_reads = excluded.window_reads, created_at = excluded.created_at, updated_at = excluded.updated_at`,
		c.WorkspaceID, c.WorkspaceName, c.HourlyRate, c.Currency, rates, changes, c.Status, c.Step, c.SealedAPIKey, c.WebhookURL,
		c.Region, c.GitHubHost, joinEvents(c.MissingEvents), c.Schedule, c.InitialDays, s.t(c.LastSync), c.LastError,
		s.t(c.ChangesRead), joinTimes(c.WindowReads), s.t(c.Created), s.t(c.Updated))
	return err
}

const connectionQuery = `SELECT ws, name, hourly_rate, currency, rates, rate_changes, status, step, sealed_key, webhook_url, region,
	github_host, missing_events, schedule, initial_days, last_sync, last_error, changes_read, window_reads, created_at, updated_at
	FROM @connections`

func scanConnection(row interface{ Scan(...any) error }) (clockifysync.Connection, error) {
	var c clockifysync.Connection
	var last, changesRead, created, updated nullTime
	var missing, rates, changes, reads string
	err := row.Scan(&c.WorkspaceID, &c.WorkspaceName, &c.HourlyRate, &c.Currency, &rates, &changes, &c.Status, &c.Step, &c.SealedAPIKey,
		&c.WebhookURL, &c.Region, &c.GitHubHost, &missing, &c.Schedule, &c.InitialDays, &last, &c.LastError, &changesRead, &reads,
		&created, &updated)
	c.LastSync, c.ChangesRead, c.Created, c.Updated = last.t, changesRead.t, created.t, updated.t
	c.MissingEvents = splitEvents(missing)
	if err != nil {
		return c, err
	}
	if c.WindowReads, err = splitTimes(reads); err != nil {
		return c, err
	}
	c.Rates, err = decodeRates(rates, changes)
	return c, err
}

// money is an amount as the rates column holds it.
type money struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
}

// ratesRow is the rates column: JSON, empty when no rate is set.
type ratesRow struct {
	Default       money            `json:"default"`
	Projects      map[string]money `json:"projects,omitempty"`
	ClockifyRates bool             `json:"clockifyRates,omitempty"`
}

// changeRow is a rate changed from a moment on; the rate_changes column holds them as a
// JSON array (empty for none), apart from the rates column, which a replica of an
// earlier version writes whole.
type changeRow struct {
	Project string    `json:"project,omitempty"`
	Since   time.Time `json:"since"`
	Rate    money     `json:"rate"`
}

// encodeRates and decodeRates keep a connection's rates in the rates and rate_changes
// columns.
func encodeRates(r clockifysync.Rates) (rates, changes string, err error) {
	if len(r.Changes) > 0 {
		rows := make([]changeRow, len(r.Changes))
		for i, c := range r.Changes {
			rows[i] = changeRow{c.ProjectID, c.Since.UTC(), money{c.Hourly.Minor, c.Hourly.Currency.Code()}}
		}
		b, err := json.Marshal(rows)
		if err != nil {
			return "", "", err
		}
		changes = string(b)
	}
	r.Changes = nil
	if r.IsZero() {
		return "", changes, nil
	}
	row := ratesRow{Default: money{r.Default.Minor, r.Default.Currency.Code()}, ClockifyRates: r.ClockifyRates}
	if len(r.Projects) > 0 {
		row.Projects = make(map[string]money, len(r.Projects))
		for id, m := range r.Projects {
			row.Projects[id] = money{m.Minor, m.Currency.Code()}
		}
	}
	b, err := json.Marshal(row)
	return string(b), changes, err
}

func decodeRates(rates, changes string) (clockifysync.Rates, error) {
	var r clockifysync.Rates
	read := func(m money) (billing.Money, error) {
		if m.Currency == "" {
			return billing.Money{Minor: m.Minor}, nil
		}
		return billing.NewMoney(m.Minor, m.Currency)
	}
	if changes != "" {
		var rows []changeRow
		if err := json.Unmarshal([]byte(changes), &rows); err != nil {
			return r, fmt.Errorf("sqlstore: stored rate changes: %w", err)
		}
		for _, c := range rows {
			m, err := read(c.Rate)
			if err != nil {
				return r, fmt.Errorf("sqlstore: stored rate from %s: %w", c.Since.Format(time.RFC3339), err)
			}
			r.Changes = append(r.Changes, clockifysync.RateChange{ProjectID: c.Project, Since: c.Since.UTC(), Hourly: m})
		}
	}
	if rates == "" {
		return r, nil
	}
	var row ratesRow
	if err := json.Unmarshal([]byte(rates), &row); err != nil {
		return r, fmt.Errorf("sqlstore: stored rates: %w", err)
	}
	r.ClockifyRates = row.ClockifyRates
	var err error
	if r.Default, err = read(row.Default); err != nil {
		return r, fmt.Errorf("sqlstore: stored default rate: %w", err)
	}
	if len(row.Projects) > 0 {
		r.Projects = make(map[string]billing.Money, len(row.Projects))
	}
	for id, m := range row.Projects {
		if r.Projects[id], err = read(m); err != nil {
			return r, fmt.Errorf("sqlstore: stored rate of project %s: %w", id, err)
		}
	}
	return r, nil
}

// joinEvents and splitEvents keep a list of events as one text, comma-separated (event
// names are capitals and underscores).
func joinEvents(evs []clockify.WebhookEvent) string {
	var b strings.Builder
	for i, ev := range evs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(string(ev))
	}
	return b.String()
}

// joinTimes writes times as text, comma-separated, to the nanosecond.
func joinTimes(ts []time.Time) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.UTC().Format(time.RFC3339Nano)
	}
	return strings.Join(out, ",")
}

// splitTimes reads what joinTimes wrote.
func splitTimes(s string) ([]time.Time, error) {
	if s == "" {
		return nil, nil
	}
	var ts []time.Time
	for v := range strings.SplitSeq(s, ",") {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: stored window reads: %w", err)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

func splitEvents(s string) []clockify.WebhookEvent {
	if s == "" {
		return nil
	}
	var evs []clockify.WebhookEvent
	for ev := range strings.SplitSeq(s, ",") {
		evs = append(evs, clockify.WebhookEvent(ev))
	}
	return evs
}

// Connection implements clockifysync.ConnectionStore.
func (s *Store) Connection(ctx context.Context, workspaceID string) (clockifysync.Connection, error) {
	c, err := scanConnection(s.queryRow(ctx, s.db, connectionQuery+` WHERE ws = ?`, workspaceID))
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
		c, err := scanConnection(s.queryRow(ctx, tx, connectionQuery+` WHERE ws = ?`+s.d.LockRow, workspaceID))
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

// DeleteWorkspace implements clockifysync.ConnectionStore.
func (s *Store) DeleteWorkspace(ctx context.Context, workspaceID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// The connection first: an engine that wrote an entry while this runs, and then
		// looks the connection up with UpdateConnection, waits for this to end, finds no
		// connection, and deletes the workspace again (PostgreSQL; SQLite runs one write
		// at a time).
		if _, err := s.exec(ctx, tx, `DELETE FROM @connections WHERE ws = ?`, workspaceID); err != nil {
			return err
		}
		// Then the entries, in lastOfEach's order, before their links, and a run before
		// its members: as their writers take them, so that a purge beside a delivery
		// still being applied waits for it instead of deadlocking.
		if s.d.LockRow != "" {
			if _, err := s.exec(ctx, tx, `SELECT id FROM @entries WHERE ws = ? ORDER BY id`+s.d.LockRow, workspaceID); err != nil {
				return err
			}
		}
		for _, table := range []string{"auto_links", "manual_links", "entries", "members", "projects",
			"project_mappings", "user_mappings", "webhooks", "runs", "run_members", "deliveries"} {
			if _, err := s.exec(ctx, tx, `DELETE FROM @`+table+` WHERE ws = ?`, workspaceID); err != nil {
				return err
			}
		}
		return nil
	})
}
