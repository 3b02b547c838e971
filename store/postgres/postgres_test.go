package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/store/postgres"
	"github.com/heyjasper/jasper-clockify/store/postgres/pgtest"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/sync/storetest"
)

// TestNewNeedsAPool: a nil pool is an error, with no database needed to tell.
func TestNewNeedsAPool(t *testing.T) {
	_, err := postgres.New(t.Context(), nil)
	require.ErrorContains(t, err, "needs a pool")
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) clockifysync.Store {
		s, _ := newStore(t)
		return s
	})
}

// newStore opens a store on a database of the test's own, closed when the test ends, and
// returns it with the database's pool.
func newStore(tb testing.TB, opts ...postgres.Option) (*postgres.Store, *pgxpool.Pool) {
	tb.Helper()
	pool := pgtest.NewDatabase(tb)
	s, err := postgres.New(tb.Context(), pool, opts...)
	require.NoError(tb, err)
	tb.Cleanup(func() { s.Close() })
	return s, pool
}

func TestMigrateTwiceAndConcurrently(t *testing.T) {
	pool := pgtest.NewDatabase(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := postgres.New(t.Context(), pool, nil) // a nil option is skipped
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
	var latest int
	require.NoError(t, pool.QueryRow(t.Context(), `SELECT max(version) FROM jasper_clockify.schema_version`).Scan(&latest))
	// A database of a newer version, by one or by many, is refused and left alone.
	for _, newer := range []int{latest + 1, 99} {
		_, err := pool.Exec(t.Context(), `INSERT INTO jasper_clockify.schema_version VALUES ($1)`, newer)
		require.NoError(t, err)
		_, err = postgres.New(t.Context(), pool)
		require.ErrorContains(t, err, fmt.Sprintf("schema version %d, newer than this package's %d", newer, latest))
	}
}

// TestLockWorkspace: a workspace's lock is held until let go, across sessions; a taker
// that finds it held says so, and waits until its context ends.
func TestLockWorkspace(t *testing.T) {
	ctx := t.Context()
	s, pool := newStore(t)
	free := func() { t.Error("waited for a free lock") }

	unlock, err := s.LockWorkspace(ctx, "connect", "ws-1", free)
	require.NoError(t, err)
	other, err := s.LockWorkspace(ctx, "connect", "ws-2", free)
	require.NoError(t, err, "another workspace's lock is another lock")
	other()
	otherKind, err := s.LockWorkspace(ctx, "other", "ws-1", free)
	require.NoError(t, err, "and so is another kind's")
	otherKind()

	waiting, cancel := context.WithCancel(ctx)
	_, err = s.LockWorkspace(waiting, "connect", "ws-1", cancel) // told it waits, it gives up
	require.ErrorIs(t, err, context.Canceled)

	unlock()
	again, err := s.LockWorkspace(ctx, "connect", "ws-1", free)
	require.NoError(t, err)
	again()

	// A taker with no waiting to call waits all the same, until its context ends: seen
	// waiting by the server, it is cancelled. Its session then soon waits no more (pgx
	// asks the server to cancel the query as it closes the connection), so that the lock,
	// let go of, is free for the next taker rather than taken by a session given up.
	held, err := s.LockWorkspace(ctx, "connect", "ws-1", free)
	require.NoError(t, err)
	waiting, cancel = context.WithCancel(ctx)
	defer cancel()
	gaveUp := make(chan error, 1)
	go func() {
		_, err := s.LockWorkspace(waiting, "connect", "ws-1", nil)
		gaveUp <- err
	}()
	awaitWaiters(t, pool, 1)
	cancel()
	require.ErrorIs(t, <-gaveUp, context.Canceled)
	awaitWaiters(t, pool, 0)
	held()
	again, err = s.LockWorkspace(ctx, "connect", "ws-1", free)
	require.NoError(t, err)
	again()
}

// awaitCount waits until query, a count of what only the server knows of (sessions
// that wait, or that ended on its side), answers want; it fails short of the test's
// deadline rather than hanging until the binary's timeout.
func awaitCount(t *testing.T, pool *pgxpool.Pool, want int, what, query string, args ...any) {
	t.Helper()
	deadline, bounded := t.Deadline()
	for {
		var n int
		require.NoError(t, pool.QueryRow(t.Context(), query, args...).Scan(&n))
		if n == want {
			return
		}
		if bounded && time.Until(deadline) < 10*time.Second {
			t.Fatalf("%d %s, want %d", n, what, want)
		}
	}
}

// awaitWaiters waits until want sessions of the test's database wait for an advisory
// lock.
func awaitWaiters(t *testing.T, pool *pgxpool.Pool, want int) {
	t.Helper()
	awaitCount(t, pool, want, "sessions waiting for a lock", `SELECT count(*) FROM pg_locks l JOIN pg_database d
		ON d.oid = l.database WHERE d.datname = current_database() AND l.locktype = 'advisory' AND NOT l.granted`)
}

// TestLockSessionsKept: a lock let go of leaves its session to the next taker, a few
// sessions are kept, one the server ended is replaced, and Close ends those kept.
func TestLockSessionsKept(t *testing.T) {
	ctx := t.Context()
	s, pool := newStore(t) // closed here too, which the store allows
	free := func() { t.Error("waited for a free lock") }
	const countSessions = `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1`
	sessions := func() int {
		var n int
		require.NoError(t, pool.QueryRow(ctx, countSessions, postgres.LockApplicationName).Scan(&n))
		return n
	}
	// awaitSessions waits for sessions that end on the server's side (a client gone, a
	// backend terminated), which nothing tells of.
	awaitSessions := func(want int, why string) {
		t.Helper()
		awaitCount(t, pool, want, "lock sessions ("+why+")", countSessions, postgres.LockApplicationName)
	}
	lock := func(ws string) func() {
		unlock, err := s.LockWorkspace(ctx, "connect", ws, free)
		require.NoError(t, err)
		return unlock
	}

	lock("ws-1")()
	require.Equal(t, 1, sessions(), "kept")
	unlock := lock("ws-2")
	require.Equal(t, 1, sessions(), "the kept session took the lock")
	unlocks := []func(){unlock}
	for i := range 5 {
		unlocks = append(unlocks, lock(fmt.Sprint("ws-", 3+i)))
	}
	require.Equal(t, 6, sessions(), "a session for each lock held")
	for _, unlock := range unlocks {
		unlock()
	}
	awaitSessions(4, "the two beyond those kept end as their clients leave")

	// One kept session ended by the server: the next taker finds out and opens another.
	_, err := pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM (SELECT pid FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1 LIMIT 1) s`, postgres.LockApplicationName)
	require.NoError(t, err)
	awaitSessions(3, "the terminated one ends")
	held := make([]func(), 4)
	for i := range held {
		held[i] = lock("ws-1" + fmt.Sprint(i))
	}
	require.Equal(t, 4, sessions())
	for _, unlock := range held {
		unlock()
	}

	require.NoError(t, s.Close())
	awaitSessions(0, "Close ends those kept")
}

// TestLockWorkspaceExcludes: callers at once on two workspaces, their sessions kept and
// taken again, never hold one workspace's lock together.
func TestLockWorkspaceExcludes(t *testing.T) {
	ctx := t.Context()
	s, pool := newStore(t)
	var holders [2]atomic.Int32
	waiting := make(chan struct{}, 1)
	waits := func() {
		select {
		case waiting <- struct{}{}:
		default:
		}
	}
	first, err := s.LockWorkspace(ctx, "sync run", "ws-0", waits)
	require.NoError(t, err)
	holders[0].Add(1)
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := range 25 {
				ws := (g + i) % 2
				unlock, err := s.LockWorkspace(ctx, "sync run", fmt.Sprint("ws-", ws), waits)
				if err != nil {
					errs <- err
					return
				}
				if n := holders[ws].Add(1); n != 1 {
					errs <- fmt.Errorf("ws-%d held by %d callers", ws, n)
					return
				}
				_, err = pool.Exec(ctx, `SELECT 1`) // a round trip under the lock
				holders[ws].Add(-1)
				unlock()
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	<-waiting // a caller waits for ws-0
	holders[0].Add(-1)
	first()
	for range 8 {
		require.NoError(t, <-errs)
	}
}

func TestDeliveriesKeptApart(t *testing.T) {
	s, _ := newStore(t, postgres.WithDeliveryRecords(20))
	storetest.DeliveriesKeptApart(t, s, 20)
}

// lockedEntry is an entry that names PR #12, its link resolved to owner/owner.
func lockedEntry(id, owner string) clockifysync.Entry {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	return clockifysync.Entry{WorkspaceID: "ws-1", ID: id, UserID: "u1", ProjectID: "p1", Description: "#12 login",
		Start: start, End: start.Add(time.Hour), Type: "REGULAR",
		Links: []clockifysync.Link{{Owner: owner, Repo: owner, Number: 12, Pattern: "#N", Text: "#12", Confidence: 0.5}}}
}

// waitBlocked waits until n sessions on the pool's database wait for a lock; a call
// still running that returns meanwhile (it did not wait) fails the test.
func waitBlocked(t *testing.T, pool *pgxpool.Pool, n int, running ...chan error) {
	t.Helper()
	for got := 0; got < n; {
		for _, r := range running {
			if len(r) > 0 {
				t.Fatalf("a call returned without waiting for a lock: %v", <-r)
			}
		}
		require.NoError(t, pool.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0`).Scan(&got))
	}
}

// holding begins a transaction on pool and runs stmt in it: another replica's writer
// holding the rows stmt takes until the test commits it, or rolls it back when it ends.
func holding(t *testing.T, pool *pgxpool.Pool, stmt string) pgx.Tx {
	t.Helper()
	tx, err := pool.Begin(t.Context())
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
	_, err = tx.Exec(t.Context(), stmt)
	require.NoError(t, err)
	return tx
}

// TestReplaceAutoLinksWaitsForAWriter: links computed from an entry as it was read
// replace nothing once another replica has changed the entry, even when that writer
// commits after ReplaceAutoLinks has read the entry and before it writes the links.
func TestReplaceAutoLinksWaitsForAWriter(t *testing.T) {
	ctx := t.Context()
	s, pool := newStore(t)
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{lockedEntry("e1", "")}))

	// Another replica's PutEntries of the entry, edited to name no PR, not committed yet.
	writer := holding(t, pool, `UPDATE jasper_clockify.entries SET description = 'login' WHERE ws = 'ws-1' AND id = 'e1'`)
	_, err := writer.Exec(ctx, `DELETE FROM jasper_clockify.auto_links WHERE ws = 'ws-1' AND entry_id = 'e1'`)
	require.NoError(t, err)

	replaced := make(chan error, 1)
	go func() { replaced <- s.ReplaceAutoLinks(ctx, []clockifysync.Entry{lockedEntry("e1", "acme")}) }()
	waitBlocked(t, pool, 1, replaced)
	require.NoError(t, writer.Commit(ctx))
	require.NoError(t, <-replaced)

	got, err := s.Entry(ctx, "ws-1", "e1")
	require.NoError(t, err)
	require.Equal(t, "login", got.Description)
	require.Empty(t, got.Links, "the links of the description the writer replaced")
}

// TestEntryWritersTakeLocksInOneOrder: the stores' writers of entries lock them in the
// same order, whatever order they are given them in, so that two replicas writing some
// of the same entries wait for each other instead of deadlocking.
func TestEntryWritersTakeLocksInOneOrder(t *testing.T) {
	// Each writer is given b before a, and runs beside a ReplaceAutoLinks given a then b.
	for name, write := range map[string]func(context.Context, *postgres.Store) error{
		"PutEntries": func(ctx context.Context, s *postgres.Store) error {
			return s.PutEntries(ctx, []clockifysync.Entry{lockedEntry("b", "acme"), lockedEntry("a", "acme")})
		},
		"MarkEntriesDeleted": func(ctx context.Context, s *postgres.Store) error {
			return s.MarkEntriesDeleted(ctx, "ws-1", []string{"b", "a"}, time.Now())
		},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			s, pool := newStore(t)
			require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{lockedEntry("a", ""), lockedEntry("b", "")}))

			// b is held, so that the writer waits for it, and then for a if it took a.
			holder := holding(t, pool, `SELECT 1 FROM jasper_clockify.entries WHERE ws = 'ws-1' AND id = 'b' FOR UPDATE`)
			written := make(chan error, 1)
			go func() { written <- write(ctx, s) }()
			waitBlocked(t, pool, 1, written)
			replaced := make(chan error, 1)
			go func() {
				replaced <- s.ReplaceAutoLinks(ctx, []clockifysync.Entry{lockedEntry("a", "other"), lockedEntry("b", "other")})
			}()
			waitBlocked(t, pool, 2, written, replaced)
			require.NoError(t, holder.Commit(ctx))
			require.NoError(t, <-written)
			require.NoError(t, <-replaced)
			got, err := s.Entries(ctx, clockifysync.EntryQuery{WorkspaceID: "ws-1", IncludeDeleted: true})
			require.NoError(t, err)
			require.Len(t, got, 2)
			for _, e := range got {
				require.Equal(t, "other", e.Links[0].Owner, "the links of the last writer, for %s", e.ID)
			}
		})
	}
}

// TestRunWritersTakeTheRunFirst: each writer of a workspace's run takes the run's row
// before any of its members', so that a replica finishing the run while another starts,
// checkpoints or finishes it waits for the other instead of deadlocking (the other
// holding a member just checkpointed and waiting for those the first deleted, the first
// waiting for that member as the run's delete cascades to it).
func TestRunWritersTakeTheRunFirst(t *testing.T) {
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	run := clockifysync.Run{WorkspaceID: "ws-1", Start: start, End: start.AddDate(0, 0, 1), Started: start, Done: []string{"m1", "m2"}}
	for name, tc := range map[string]struct {
		write func(context.Context, *postgres.Store) error
		done  []string // the members done afterwards; nil for no run
	}{
		"StartRun": {func(ctx context.Context, s *postgres.Store) error {
			again := run
			again.Done = []string{"m3"}
			return s.StartRun(ctx, again)
		}, []string{"m3"}},
		"CheckpointMember": {func(ctx context.Context, s *postgres.Store) error {
			return s.CheckpointMember(ctx, "ws-1", "m3")
		}, []string{"m1", "m2", "m3"}},
		"FinishRun": {func(ctx context.Context, s *postgres.Store) error {
			return s.FinishRun(ctx, "ws-1")
		}, nil},
		"DeleteWorkspace": {func(ctx context.Context, s *postgres.Store) error {
			return s.DeleteWorkspace(ctx, "ws-1")
		}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			s, pool := newStore(t)
			require.NoError(t, s.StartRun(ctx, run))

			// The run's row is held, so that the writer waits for it.
			holder := holding(t, pool, `SELECT 1 FROM jasper_clockify.runs WHERE ws = 'ws-1' FOR UPDATE`)
			written := make(chan error, 1)
			go func() { written <- tc.write(ctx, s) }()
			waitBlocked(t, pool, 1, written)
			_, err := holder.Exec(ctx, `SELECT 1 FROM jasper_clockify.run_members WHERE ws = 'ws-1' FOR UPDATE NOWAIT`)
			require.NoError(t, err, "the writer waits for the run holding none of its members")
			require.NoError(t, holder.Commit(ctx))
			require.NoError(t, <-written)

			got, pending, err := s.PendingRun(ctx, "ws-1")
			require.NoError(t, err)
			require.Equal(t, tc.done != nil, pending)
			require.Equal(t, tc.done, got.Done)
		})
	}
}

// TestDeleteWorkspaceTakesEntriesBeforeLinks: a purge beside a write of an entry and its
// links (a delivery still being applied on another replica) waits for the write instead
// of deadlocking: it takes the entries before any of their links, as their writers do.
func TestDeleteWorkspaceTakesEntriesBeforeLinks(t *testing.T) {
	ctx := t.Context()
	s, pool := newStore(t)
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{lockedEntry("a", "acme"), lockedEntry("b", "acme")}))

	// Another replica's PutEntries of b, not committed yet: the entry written, its links next.
	writer := holding(t, pool, `UPDATE jasper_clockify.entries SET description = '#13 login' WHERE ws = 'ws-1' AND id = 'b'`)
	deleted := make(chan error, 1)
	go func() { deleted <- s.DeleteWorkspace(ctx, "ws-1") }()
	waitBlocked(t, pool, 1, deleted)
	_, err := writer.Exec(ctx, `DELETE FROM jasper_clockify.auto_links WHERE ws = 'ws-1' AND entry_id = 'b'`)
	require.NoError(t, err, "the purge waits for the entry holding none of the links")
	require.NoError(t, writer.Commit(ctx))
	require.NoError(t, <-deleted)

	got, err := s.Entries(ctx, clockifysync.EntryQuery{WorkspaceID: "ws-1", IncludeDeleted: true})
	require.NoError(t, err)
	require.Empty(t, got)
	var links int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM jasper_clockify.auto_links`).Scan(&links))
	require.Zero(t, links)
}
