// Package memory is an in-memory clockifysync.Store, for tests and small hosts that keep
// nothing across restarts. It passes the same conformance suite (sync/storetest) as the
// SQLite and PostgreSQL stores. Like store/sqlite, it serves one clockifysync.Engine:
// it implements no clockifysync.WorkspaceLocker.
package memory
