package sync_test

import (
	"context"
	"fmt"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	"github.com/heyjasper/jasper-clockify/store/memory"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// Connect a workspace of the fake Clockify, map a project to its repository, and read
// the entries linked to pull requests.
func ExampleEngine_Connect() {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 1, Now: now})
	defer srv.Close()

	sealKey := make([]byte, 32) // in a host, 32 bytes from its secret store
	eng, err := clockifysync.New(memory.New(), sealKey,
		clockifysync.WithClock(func() time.Time { return now }),
		clockifysync.WithClientOptions(clockify.WithBaseURL(srv.CoreURL()), clockify.WithReportsURL(srv.ReportsURL())))
	if err != nil {
		panic(err)
	}
	res, err := eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: fx.OwnerKey, WorkspaceID: fx.Workspace.ID, InitialDays: 7})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Connection.Status, res.Connection.Schedule, res.InitialSync.Members, "members")

	web := fx.Projects[0]
	if err := eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{
		WorkspaceID: fx.Workspace.ID, ProjectID: web.ID, Repo: fx.Org + "/" + web.Name,
	}); err != nil {
		panic(err)
	}
	entries, err := eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: fx.Workspace.ID, ProjectID: web.ID})
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		if len(e.Effective) > 0 {
			l := e.Effective[0]
			fmt.Printf("%q → %s (%s)\n", e.Description, l.Target(), l.Pattern)
			break
		}
	}
	// Output:
	// connected hourly 5 members
	// "PR #332 review" → acme/web-app#332 (PR #N)
}
