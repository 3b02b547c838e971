package sqlite

// migrations are the schema's versions, applied in order, each in the transaction that
// records it in SQLite's user_version: the same tables as store/postgres's, in SQLite's
// types. Times are Unix nanoseconds in UTC (unixNano), NULL for a zero time.
var migrations = []string{
	1: `
CREATE TABLE entries (
	ws TEXT NOT NULL, id TEXT NOT NULL,
	user_id TEXT NOT NULL, project_id TEXT NOT NULL, task_id TEXT NOT NULL,
	description TEXT NOT NULL,
	start_at INTEGER, end_at INTEGER,
	billable INTEGER NOT NULL, type TEXT NOT NULL,
	deleted_at INTEGER, synced_at INTEGER,
	PRIMARY KEY (ws, id)
) WITHOUT ROWID;
CREATE INDEX entries_by_start ON entries (ws, start_at, id);
CREATE INDEX entries_by_user ON entries (ws, user_id, start_at);
CREATE INDEX entries_by_project ON entries (ws, project_id);

CREATE TABLE auto_links (
	ws TEXT NOT NULL, entry_id TEXT NOT NULL, pos INTEGER NOT NULL,
	owner TEXT NOT NULL, repo TEXT NOT NULL, number INTEGER NOT NULL, issue INTEGER NOT NULL,
	pattern TEXT NOT NULL, text TEXT NOT NULL, confidence REAL NOT NULL,
	PRIMARY KEY (ws, entry_id, pos)
) WITHOUT ROWID;

CREATE TABLE manual_links (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	ws TEXT NOT NULL, entry_id TEXT NOT NULL,
	owner TEXT NOT NULL, repo TEXT NOT NULL, number INTEGER NOT NULL, issue INTEGER NOT NULL,
	created_at INTEGER
);
CREATE UNIQUE INDEX manual_links_target ON manual_links (ws, entry_id, lower(owner), lower(repo), number, issue);

CREATE TABLE members (
	ws TEXT NOT NULL, id TEXT NOT NULL,
	name TEXT NOT NULL, email TEXT NOT NULL, status TEXT NOT NULL,
	login TEXT NOT NULL, method TEXT NOT NULL, score REAL NOT NULL,
	PRIMARY KEY (ws, id)
) WITHOUT ROWID;

CREATE TABLE projects (
	ws TEXT NOT NULL, id TEXT NOT NULL,
	name TEXT NOT NULL, billable INTEGER NOT NULL, archived INTEGER NOT NULL,
	hourly_rate INTEGER NOT NULL, currency TEXT NOT NULL, deleted_at INTEGER,
	PRIMARY KEY (ws, id)
) WITHOUT ROWID;

CREATE TABLE project_mappings (
	ws TEXT NOT NULL, project_id TEXT NOT NULL, repo TEXT NOT NULL, pattern TEXT NOT NULL,
	PRIMARY KEY (ws, project_id)
) WITHOUT ROWID;

CREATE TABLE user_mappings (
	ws TEXT NOT NULL, member_id TEXT NOT NULL, login TEXT NOT NULL,
	PRIMARY KEY (ws, member_id)
) WITHOUT ROWID;

CREATE TABLE connections (
	ws TEXT PRIMARY KEY, name TEXT NOT NULL, hourly_rate INTEGER NOT NULL, currency TEXT NOT NULL,
	status TEXT NOT NULL, step TEXT NOT NULL,
	sealed_key BLOB, webhook_url TEXT NOT NULL, schedule TEXT NOT NULL, initial_days INTEGER NOT NULL,
	last_sync INTEGER, last_error TEXT NOT NULL, created_at INTEGER, updated_at INTEGER
) WITHOUT ROWID;

CREATE TABLE webhooks (
	ws TEXT NOT NULL, id TEXT NOT NULL, event TEXT NOT NULL, url TEXT NOT NULL, sealed_token BLOB,
	PRIMARY KEY (ws, id)
) WITHOUT ROWID;

CREATE TABLE runs (
	ws TEXT PRIMARY KEY, start_at INTEGER, end_at INTEGER, started_at INTEGER
) WITHOUT ROWID;
CREATE TABLE run_members (
	ws TEXT NOT NULL, member_id TEXT NOT NULL,
	PRIMARY KEY (ws, member_id)
) WITHOUT ROWID;

CREATE TABLE claims (
	entity_id TEXT PRIMARY KEY, key TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE deliveries (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	received_at INTEGER, event_type TEXT NOT NULL, kind INTEGER NOT NULL,
	webhook_id TEXT NOT NULL, ws TEXT NOT NULL, entity_id TEXT NOT NULL,
	outcome TEXT NOT NULL, reason TEXT NOT NULL, status INTEGER NOT NULL, elapsed_ns INTEGER NOT NULL
);
CREATE INDEX deliveries_by_ws ON deliveries (ws, seq);
`,
	// A claim's lapse time while its delivery is being applied (NULL once applied): the
	// claim of a process that died applying it lapses.
	2: `ALTER TABLE claims ADD COLUMN lapse_at INTEGER`,
	// The links by their target, to find a pull request's entries (EntryQuery.PR).
	3: `
CREATE INDEX auto_links_by_target ON auto_links (number, lower(owner), lower(repo));
CREATE INDEX manual_links_by_target ON manual_links (number, lower(owner), lower(repo));
`,
	// Each delivery record's place among its workspace's (n), so that a record drops the
	// oldest of its own workspace's, by index.
	4: `
ALTER TABLE deliveries ADD COLUMN n INTEGER NOT NULL DEFAULT 0;
UPDATE deliveries SET n = r.n
	FROM (SELECT seq, row_number() OVER (PARTITION BY ws ORDER BY seq) AS n FROM deliveries) AS r
	WHERE deliveries.seq = r.seq;
CREATE INDEX deliveries_by_ws_n ON deliveries (ws, n);
`,
	// The events Clockify delivers no webhook for, comma-separated (Connection.MissingEvents).
	5: `ALTER TABLE connections ADD COLUMN missing_events TEXT NOT NULL DEFAULT ''`,
	// The end of the last span of entity changes a scheduled sync read (Connection.ChangesRead):
	// until now, it was the last sync's end.
	6: `
ALTER TABLE connections ADD COLUMN changes_read INTEGER;
UPDATE connections SET changes_read = last_sync;
`,
	// When each project was last read from Clockify (Project.Synced): NULL, the earliest,
	// for those stored before.
	7: `ALTER TABLE projects ADD COLUMN synced_at INTEGER`,
	// The workspace's data region (Connection.Region): empty, the engine's default, for
	// the connections stored before.
	8: `ALTER TABLE connections ADD COLUMN region TEXT NOT NULL DEFAULT ''`,
	// The hourly rates set in the SDK (Connection.Rates), as JSON: empty, none set, for the
	// connections stored before.
	9: `ALTER TABLE connections ADD COLUMN rates TEXT NOT NULL DEFAULT ''`,
	// The rate Clockify applied to each entry (Entry.HourlyRate): none for the entries
	// stored before, until a sync reads them again.
	10: `
ALTER TABLE entries ADD COLUMN hourly_rate INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entries ADD COLUMN currency TEXT NOT NULL DEFAULT '';
`,
	// The host of the workspace's GitHub Enterprise (Connection.GitHubHost): none for the
	// connections stored before.
	11: `ALTER TABLE connections ADD COLUMN github_host TEXT NOT NULL DEFAULT ''`,
	// The rates changed from a moment on (Rates.Changes), as JSON, apart from the rates
	// column, which a replica of an earlier version writes whole: none for the
	// connections stored before.
	12: `ALTER TABLE connections ADD COLUMN rate_changes TEXT NOT NULL DEFAULT ''`,
	// The running entries of each member (EntryQuery.Running): the engine looks for them
	// when a delivery shows a member's timer running.
	13: `CREATE INDEX entries_running ON entries (ws, user_id) WHERE end_at IS NULL`,
	// The ends of the windows synced since the last read of entity changes
	// (Connection.WindowReads): none for the connections stored before.
	14: `ALTER TABLE connections ADD COLUMN window_reads TEXT NOT NULL DEFAULT ''`,
}
