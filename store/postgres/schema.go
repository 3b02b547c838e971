package postgres

// migrations are the schema's versions, applied in order, each in the transaction that
// records it. Everything lives in the schema jasper_clockify, beside the host's tables
// and River's.
var migrations = []string{
	1: `
CREATE TABLE jasper_clockify.entries (
	ws text NOT NULL, id text NOT NULL,
	user_id text NOT NULL, project_id text NOT NULL, task_id text NOT NULL,
	description text NOT NULL,
	start_at timestamptz, end_at timestamptz,
	billable boolean NOT NULL, type text NOT NULL,
	deleted_at timestamptz, synced_at timestamptz,
	PRIMARY KEY (ws, id)
);
CREATE INDEX ON jasper_clockify.entries (ws, start_at, id);
CREATE INDEX ON jasper_clockify.entries (ws, user_id, start_at);
CREATE INDEX ON jasper_clockify.entries (ws, project_id);

CREATE TABLE jasper_clockify.auto_links (
	ws text NOT NULL, entry_id text NOT NULL, pos int NOT NULL,
	owner text NOT NULL, repo text NOT NULL, number int NOT NULL, issue boolean NOT NULL,
	pattern text NOT NULL, text text NOT NULL, confidence real NOT NULL,
	PRIMARY KEY (ws, entry_id, pos)
);

CREATE TABLE jasper_clockify.manual_links (
	seq bigserial PRIMARY KEY,
	ws text NOT NULL, entry_id text NOT NULL,
	owner text NOT NULL, repo text NOT NULL, number int NOT NULL, issue boolean NOT NULL,
	created_at timestamptz
);
CREATE UNIQUE INDEX manual_links_target ON jasper_clockify.manual_links (ws, entry_id, lower(owner), lower(repo), number, issue);

CREATE TABLE jasper_clockify.members (
	ws text NOT NULL, id text NOT NULL,
	name text NOT NULL, email text NOT NULL, status text NOT NULL,
	login text NOT NULL, method text NOT NULL, score double precision NOT NULL,
	PRIMARY KEY (ws, id)
);

CREATE TABLE jasper_clockify.projects (
	ws text NOT NULL, id text NOT NULL,
	name text NOT NULL, billable boolean NOT NULL, archived boolean NOT NULL,
	hourly_rate bigint NOT NULL, currency text NOT NULL, deleted_at timestamptz,
	PRIMARY KEY (ws, id)
);

CREATE TABLE jasper_clockify.project_mappings (
	ws text NOT NULL, project_id text NOT NULL, repo text NOT NULL, pattern text NOT NULL,
	PRIMARY KEY (ws, project_id)
);

CREATE TABLE jasper_clockify.user_mappings (
	ws text NOT NULL, member_id text NOT NULL, login text NOT NULL,
	PRIMARY KEY (ws, member_id)
);

CREATE TABLE jasper_clockify.connections (
	ws text PRIMARY KEY, name text NOT NULL, hourly_rate bigint NOT NULL, currency text NOT NULL,
	status text NOT NULL, step text NOT NULL, sealed_key bytea, webhook_url text NOT NULL,
	schedule text NOT NULL, initial_days int NOT NULL, last_sync timestamptz, last_error text NOT NULL,
	created_at timestamptz, updated_at timestamptz
);

CREATE TABLE jasper_clockify.webhooks (
	ws text NOT NULL, id text NOT NULL, event text NOT NULL, url text NOT NULL, sealed_token bytea,
	PRIMARY KEY (ws, id)
);

CREATE TABLE jasper_clockify.runs (
	ws text PRIMARY KEY, start_at timestamptz, end_at timestamptz, started_at timestamptz
);
CREATE TABLE jasper_clockify.run_members (
	ws text NOT NULL REFERENCES jasper_clockify.runs ON DELETE CASCADE, member_id text NOT NULL,
	PRIMARY KEY (ws, member_id)
);

CREATE TABLE jasper_clockify.claims (
	entity_id text PRIMARY KEY, key text NOT NULL
);

CREATE TABLE jasper_clockify.deliveries (
	seq bigserial PRIMARY KEY,
	received_at timestamptz, event_type text NOT NULL, kind smallint NOT NULL,
	webhook_id text NOT NULL, ws text NOT NULL, entity_id text NOT NULL,
	outcome text NOT NULL, reason text NOT NULL, status int NOT NULL, elapsed_ns bigint NOT NULL
);
CREATE INDEX ON jasper_clockify.deliveries (ws, seq);
`,
	// A claim's lapse time while its delivery is being applied (NULL once applied): the
	// claim of a process that died applying it lapses.
	2: `ALTER TABLE jasper_clockify.claims ADD COLUMN lapse_at timestamptz`,
	// The links by their target, to find a pull request's entries (EntryQuery.PR). A host
	// with many links may build them beforehand, CONCURRENTLY, under these names.
	3: `
CREATE INDEX IF NOT EXISTS auto_links_by_target ON jasper_clockify.auto_links (number, lower(owner), lower(repo));
CREATE INDEX IF NOT EXISTS manual_links_by_target ON jasper_clockify.manual_links (number, lower(owner), lower(repo));
`,
	// Each delivery record's place among its workspace's (n), so that a record drops the
	// oldest of its own workspace's, by index.
	4: `
ALTER TABLE jasper_clockify.deliveries ADD COLUMN n bigint NOT NULL DEFAULT 0;
UPDATE jasper_clockify.deliveries d SET n = r.n
	FROM (SELECT seq, row_number() OVER (PARTITION BY ws ORDER BY seq) AS n FROM jasper_clockify.deliveries) r
	WHERE d.seq = r.seq;
CREATE INDEX ON jasper_clockify.deliveries (ws, n);
`,
	// The events Clockify delivers no webhook for, comma-separated (Connection.MissingEvents).
	5: `ALTER TABLE jasper_clockify.connections ADD COLUMN missing_events text NOT NULL DEFAULT ''`,
	// The end of the last span of entity changes a scheduled sync read (Connection.ChangesRead):
	// until now, it was the last sync's end.
	6: `
ALTER TABLE jasper_clockify.connections ADD COLUMN changes_read timestamptz;
UPDATE jasper_clockify.connections SET changes_read = last_sync;
`,
	// When each project was last read from Clockify (Project.Synced): NULL, the earliest,
	// for those stored before.
	7: `ALTER TABLE jasper_clockify.projects ADD COLUMN synced_at timestamptz`,
	// The workspace's data region (Connection.Region): empty, the engine's default, for
	// the connections stored before.
	8: `ALTER TABLE jasper_clockify.connections ADD COLUMN region text NOT NULL DEFAULT ''`,
	// The hourly rates set in the SDK (Connection.Rates), as JSON: empty, none set, for the
	// connections stored before.
	9: `ALTER TABLE jasper_clockify.connections ADD COLUMN rates text NOT NULL DEFAULT ''`,
	// The rate Clockify applied to each entry (Entry.HourlyRate): none for the entries
	// stored before, until a sync reads them again.
	10: `
ALTER TABLE jasper_clockify.entries ADD COLUMN hourly_rate bigint NOT NULL DEFAULT 0;
ALTER TABLE jasper_clockify.entries ADD COLUMN currency text NOT NULL DEFAULT '';
`,
	// The host of the workspace's GitHub Enterprise (Connection.GitHubHost): none for the
	// connections stored before.
	11: `ALTER TABLE jasper_clockify.connections ADD COLUMN github_host text NOT NULL DEFAULT ''`,
	// The rates changed from a moment on (Rates.Changes), as JSON, apart from the rates
	// column, which a replica of an earlier version writes whole: none for the
	// connections stored before.
	12: `ALTER TABLE jasper_clockify.connections ADD COLUMN rate_changes text NOT NULL DEFAULT ''`,
	// The running entries of each member (EntryQuery.Running): the engine looks for them
	// when a delivery shows a member's timer running.
	13: `CREATE INDEX entries_running ON jasper_clockify.entries (ws, user_id) WHERE end_at IS NULL`,
	// The ends of the windows synced since the last read of entity changes
	// (Connection.WindowReads): none for the connections stored before.
	14: `ALTER TABLE jasper_clockify.connections ADD COLUMN window_reads text NOT NULL DEFAULT ''`,
}
