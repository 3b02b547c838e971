package sqlite_test

import (
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/billing"
	"github.com/heyjasper/jasper-clockify/store/sqlite"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/sync/storetest"
)

func open(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "jasper.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) clockifysync.Store { return open(t) })
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "jasper.db")
	s, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	start := time.Date(2026, 11, 2, 9, 30, 0, 123, time.UTC)
	e := clockifysync.Entry{WorkspaceID: "ws", ID: "e1", UserID: "u", Description: "#1", Start: start,
		Links: []clockifysync.Link{{WorkspaceID: "ws", EntryID: "e1", Number: 1, Source: clockifysync.SourceAuto, Pattern: "#N", Text: "#1", Confidence: 0.5}}}
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{e}))
	require.NoError(t, s.Close())

	s, err = sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	got, err := s.Entry(ctx, "ws", "e1")
	require.NoError(t, err)
	require.True(t, got.Start.Equal(start), "nanoseconds kept")
	require.Equal(t, e.Links, got.Links)
}

// TestDamagedRatesAreAnError: a connection whose stored rates cannot be read (the column
// edited by hand, a currency no longer known) is an error that says which part, not
// rates read as none, which would price nothing without a word.
func TestDamagedRatesAreAnError(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "jasper.db")
	s, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.PutConnection(ctx, clockifysync.Connection{WorkspaceID: "ws", Status: clockifysync.StatusConnected}))
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	for _, c := range []struct{ rates, changes, want string }{
		{`{"default":`, "", "stored rates"},
		{`{"default":{"minor":100,"currency":"XXQ"}}`, "", "stored default rate"},
		{`{"default":{"minor":100,"currency":"AUD"},"projects":{"p1":{"minor":1,"currency":"??"}}}`, "", "stored rate of project p1"},
		{"", `[{"since":`, "stored rate changes"},
		{"", `[{"since":"2026-07-01T00:00:00Z","rate":{"minor":1,"currency":"??"}}]`, "stored rate from 2026-07-01T00:00:00Z"},
	} {
		_, err = db.Exec(`UPDATE connections SET rates = ?, rate_changes = ? WHERE ws = 'ws'`, c.rates, c.changes)
		require.NoError(t, err)
		_, err = s.Connection(ctx, "ws")
		require.ErrorContains(t, err, c.want, c.rates+c.changes)
	}
}

// TestRatesWrittenByAnEarlierReplica: a replica of the version before rates changed from
// a moment on writes a connection's rates column whole, as it read it; the changes,
// kept apart, stay.
func TestRatesWrittenByAnEarlierReplica(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "jasper.db")
	s, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	july := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	aud := func(minor int64) billing.Money {
		return billing.Money{Minor: minor, Currency: billing.MustCurrency("AUD")}
	}
	changes := []clockifysync.RateChange{{Since: july, Hourly: aud(16000)}, {ProjectID: "p1", Since: july, Hourly: aud(20000)}}
	require.NoError(t, s.PutConnection(ctx, clockifysync.Connection{WorkspaceID: "ws", Status: clockifysync.StatusConnected,
		Rates: clockifysync.Rates{Default: aud(15000), Changes: changes}}))
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	// The earlier version's upsert of a connection, after a sync, with the default it read.
	_, err = db.Exec(`INSERT INTO connections (ws, name, hourly_rate, currency, rates, status, step, sealed_key, webhook_url,
		region, github_host, missing_events, schedule, initial_days, last_sync, last_error, changes_read, created_at, updated_at)
		VALUES ('ws', 'Acme', 0, '', '{"default":{"minor":15000,"currency":"AUD"}}', 'connected', '', NULL, '', '', '', '', '', 30,
		NULL, '', NULL, NULL, NULL)
		ON CONFLICT (ws) DO UPDATE SET name = excluded.name, rates = excluded.rates, status = excluded.status,
		last_sync = excluded.last_sync`)
	require.NoError(t, err)
	c, err := s.Connection(ctx, "ws")
	require.NoError(t, err)
	require.Equal(t, "Acme", c.WorkspaceName)
	require.Equal(t, clockifysync.Rates{Default: aud(15000), Changes: changes}, c.Rates)
}

func TestOpenRefuses(t *testing.T) {
	ctx := t.Context()
	for _, path := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		_, err := sqlite.Open(ctx, path)
		require.Error(t, err, path)
	}

	// A database from a newer version of this package is left alone.
	path := filepath.Join(t.TempDir(), "newer.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec("PRAGMA user_version = 99")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = sqlite.Open(ctx, path)
	require.ErrorContains(t, err, "newer")

	// What SQLite would only call "unable to open database file" is named, with the path.
	dir := t.TempDir()
	_, err = sqlite.Open(ctx, dir)
	require.EqualError(t, err, "sqlite: open "+dir+": is a directory")
	_, err = sqlite.Open(ctx, filepath.Join(dir, "gone", "jasper.db"))
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.ErrorContains(t, err, filepath.Join(dir, "gone", "jasper.db"))
	text := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(text, []byte("not a database, but long enough to be read as one's header"), 0o600))
	_, err = sqlite.Open(ctx, text)
	require.ErrorContains(t, err, "sqlite: open "+text+": ")
	require.ErrorContains(t, err, "not a database")
	through := filepath.Join(text, "jasper.db") // a path through a file
	_, err = sqlite.Open(ctx, through)
	require.ErrorContains(t, err, "sqlite: open "+through+": ")
	require.NotContains(t, err.Error(), "unable to open database file", "the system's own reason")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "nothing created beside the refused paths")
}

// TestOpenCreatesAFileForItsOwnerOnly: the members' names and emails and their time
// entries are not left readable by every user of the machine; a file that exists keeps
// the mode its owner gave it.
func TestOpenCreatesAFileForItsOwnerOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows keeps no Unix file modes")
	}
	ctx := t.Context()
	dir := t.TempDir()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "jasper.db"))
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.PutMembers(ctx, []clockifysync.Member{{WorkspaceID: "ws", ID: "m1", Name: "Ada", Email: "ada@example.com"}}))
	for _, name := range []string{"jasper.db", "jasper.db-wal", "jasper.db-shm"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err)
		require.Equal(t, "-rw-------", fi.Mode().Perm().String(), name)
	}

	shared := filepath.Join(dir, "shared.db")
	require.NoError(t, os.WriteFile(shared, nil, 0o640))
	require.NoError(t, os.Chmod(shared, 0o640)) // whatever the umask
	s2, err := sqlite.Open(ctx, shared)
	require.NoError(t, err)
	defer s2.Close()
	fi, err := os.Stat(shared)
	require.NoError(t, err)
	require.Equal(t, "-rw-r-----", fi.Mode().Perm().String())

	// A symbolic link to no file: its target is created, for its owner only too.
	link, target := filepath.Join(dir, "link.db"), filepath.Join(dir, "target.db")
	require.NoError(t, os.Symlink(target, link))
	s3, err := sqlite.Open(ctx, link)
	require.NoError(t, err)
	defer s3.Close()
	fi, err = os.Stat(target)
	require.NoError(t, err)
	require.Equal(t, "-rw-------", fi.Mode().Perm().String())
	// One whose target's directory does not exist is refused as a path there would be.
	link = filepath.Join(dir, "gone.db")
	require.NoError(t, os.Symlink(filepath.Join(dir, "gone", "jasper.db"), link))
	_, err = sqlite.Open(ctx, link)
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.ErrorContains(t, err, "sqlite: open "+link+": ")
}

func TestDeliveriesKeptApart(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "jasper.db"), sqlite.WithDeliveryRecords(20))
	require.NoError(t, err)
	defer s.Close()
	storetest.DeliveriesKeptApart(t, s, 20)
}

// TestNilOptionIsSkipped: a nil option changes nothing.
func TestNilOptionIsSkipped(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "jasper.db"), nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
}
