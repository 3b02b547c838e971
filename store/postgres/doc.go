// Package postgres is a clockifysync.Store in PostgreSQL, for a host with several
// replicas: they share one database, where unique keys make a webhook delivery apply once
// whichever replica receives it, where advisory locks make two Connects of one workspace
// on two replicas run one after the other (Store.LockWorkspace), and where
// sync/riverjobs keeps River's job tables.
//
// It runs on a pgx pool the host owns (github.com/jackc/pgx/v5), and keeps its tables in
// the schema jasper_clockify, which New creates and upgrades; replicas that start at the
// same time migrate one after another, under an advisory lock. Each migration runs in a
// transaction of its own: one that fails (New's error names it) leaves the database at
// the version before it, for New to go on from once the cause is mended. It runs the same
// SQL as store/sqlite, and passes the same conformance suite (sync/storetest). Besides
// the pool's connections, each Store has a session of its own for each lock it holds, and
// keeps up to four idle ones for the next locks (pg_stat_activity names them
// LockApplicationName): count them in the server's max_connections.
//
// PostgreSQL holds text only as UTF-8 without NUL. The store keeps each NUL, and each
// byte that is not UTF-8, as U+FFFD, as the engine stores what Clockify sends, and looks
// keys up the same way: a key given with such bytes finds nothing, as in the other
// stores, instead of failing the query.
//
// A migration that builds an index holds writes to its table meanwhile. On a database
// with many links, build schema version 3's indexes first, without holding writes:
//
//	CREATE INDEX CONCURRENTLY auto_links_by_target ON jasper_clockify.auto_links (number, lower(owner), lower(repo));
//	CREATE INDEX CONCURRENTLY manual_links_by_target ON jasper_clockify.manual_links (number, lower(owner), lower(repo));
package postgres
