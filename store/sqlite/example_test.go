package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/heyjasper/jasper-clockify/store/sqlite"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// Open a database file, store an entry, and find it by its description.
func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "jasper")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	s, err := sqlite.Open(ctx, filepath.Join(dir, "jasper.db"))
	if err != nil {
		panic(err)
	}
	defer s.Close()
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	if err := s.PutEntries(ctx, []clockifysync.Entry{
		{WorkspaceID: "ws", ID: "e1", Description: "Fix the login page", Start: start},
		{WorkspaceID: "ws", ID: "e2", Description: "Stand-up", Start: start.Add(time.Hour)},
	}); err != nil {
		panic(err)
	}
	found, err := s.Entries(ctx, clockifysync.EntryQuery{WorkspaceID: "ws", Text: "LOGIN"})
	if err != nil {
		panic(err)
	}
	for _, e := range found {
		fmt.Println(e.ID, e.Description)
	}
	// Output:
	// e1 Fix the login page
}
