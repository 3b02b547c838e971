// Package sqlite is a clockifysync.Store in one SQLite file: the embedded default, which
// the examples use. It runs on modernc.org/sqlite, SQLite compiled to pure Go, so a
// program that uses it needs no C compiler and no database server.
//
// The file is in WAL mode: readers do not wait for the writer, and several processes on
// one machine may share it. Every write is one transaction. The engine's Connects and
// syncs of a workspace wait for one another only within one clockifysync.Engine, as
// this store implements no clockifysync.WorkspaceLocker: give the file one Engine, and
// replicas store/postgres (two engines that connect or sync a workspace at once may end
// each other's run, and the call fails with ErrNotConnected). Times are kept as Unix
// nanoseconds in UTC, which reach from 1677 to 2262: a time beyond (a year mistyped in
// Clockify) is kept as the nearest of those, in its order among the others. The schema's
// version is in SQLite's user_version; Open creates or upgrades it, in one transaction:
// a migration that fails (Open's error names it) leaves the file as it was.
package sqlite
