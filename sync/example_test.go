package sync_test

import (
	"context"
	"fmt"
	"time"

	"github.com/heyjasper/jasper-clockify/analytics"
	"github.com/heyjasper/jasper-clockify/billing"
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
	// "PR-320 fix login redirect" → acme/web-app#320 (PR #N)
}

// The time on one pull request, as its page in a code review shows it: the entries whose
// links name it, in whatever form the descriptions wrote it.
func ExampleEngine_LinkedEntries_pullRequest() {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 1, Now: now})
	defer srv.Close()
	eng, err := clockifysync.New(memory.New(), make([]byte, 32),
		clockifysync.WithClock(func() time.Time { return now }),
		clockifysync.WithClientOptions(clockify.WithBaseURL(srv.CoreURL()), clockify.WithReportsURL(srv.ReportsURL())))
	if err != nil {
		panic(err)
	}
	ws, web := fx.Workspace.ID, fx.Projects[0]
	if _, err := eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: fx.OwnerKey, WorkspaceID: ws, InitialDays: 7}); err != nil {
		panic(err)
	}
	if err := eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: web.ID, Repo: "acme/web-app"}); err != nil {
		panic(err)
	}
	for i, desc := range []string{"#77 login page", "Review https://github.com/Acme/Web-App/pull/77", "PR-78 other"} {
		start := now.Add(time.Duration(i-3) * time.Hour)
		if _, err := srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: fx.Owner.ID, ProjectID: web.ID, Description: desc,
			TimeInterval: clockify.TimeInterval{Start: start, End: new(start.Add(45 * time.Minute))}}); err != nil {
			panic(err)
		}
	}
	if _, err := eng.SyncRecent(ctx, ws); err != nil {
		panic(err)
	}

	entries, err := eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/web-app#77"})
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		fmt.Printf("%s %q\n", e.End.Sub(e.Start), e.Description)
	}
	// Output:
	// 45m0s "#77 login page"
	// 45m0s "Review https://github.com/Acme/Web-App/pull/77"
}

// A list of entries to link by hand, read a page at a time, newest first: each page
// starts after the last entry of the one before.
func ExampleEngine_LinkedEntries_pages() {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 1, Now: now})
	defer srv.Close()
	eng, err := clockifysync.New(memory.New(), make([]byte, 32),
		clockifysync.WithClock(func() time.Time { return now }),
		clockifysync.WithClientOptions(clockify.WithBaseURL(srv.CoreURL()), clockify.WithReportsURL(srv.ReportsURL())))
	if err != nil {
		panic(err)
	}
	ws := fx.Workspace.ID
	if _, err := eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: fx.OwnerKey, WorkspaceID: ws, InitialDays: 7}); err != nil {
		panic(err)
	}

	q := clockifysync.EntryQuery{WorkspaceID: ws, Text: "review", Newest: true, Limit: 3}
	for page := 1; page <= 2; page++ {
		entries, err := eng.LinkedEntries(ctx, q)
		if err != nil {
			panic(err)
		}
		for _, e := range entries {
			fmt.Printf("page %d: %s %q\n", page, e.Start.Format("Mon 15:04"), e.Description)
		}
		if len(entries) < q.Limit {
			break // the last page
		}
		q.After = entries[len(entries)-1].Cursor()
	}
	// Output:
	// page 1: Fri 16:13 "PR #131 review"
	// page 1: Fri 11:25 "Review https://github.com/acme/infra/pull/142"
	// page 1: Thu 14:41 "PR #44 review"
	// page 2: Thu 13:55 "PR #70 review"
	// page 2: Thu 11:16 "PR #317 review"
	// page 2: Thu 10:27 "Review https://github.com/acme/mobile-ios/pull/104"
}

// Price a pull request's time with the organisation's rates, set once in the SDK: a
// project's override before the default, each in its own currency.
func ExampleEngine_SetProjectRate() {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 1, Now: now})
	defer srv.Close()
	eng, err := clockifysync.New(memory.New(), make([]byte, 32),
		clockifysync.WithClock(func() time.Time { return now }),
		clockifysync.WithClientOptions(clockify.WithBaseURL(srv.CoreURL()), clockify.WithReportsURL(srv.ReportsURL())))
	if err != nil {
		panic(err)
	}
	ws, web, api := fx.Workspace.ID, fx.Projects[0], fx.Projects[1]
	if _, err := eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: fx.OwnerKey, WorkspaceID: ws, InitialDays: 7}); err != nil {
		panic(err)
	}
	for i, p := range []clockify.Project{web, api} {
		start := now.Add(time.Duration(i-3) * time.Hour)
		if _, err := srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: fx.Owner.ID, ProjectID: p.ID, Description: "acme/web-app#90",
			Billable: true, TimeInterval: clockify.TimeInterval{Start: start, End: new(start.Add(30 * time.Minute))}}); err != nil {
			panic(err)
		}
	}
	if _, err := eng.SyncRecent(ctx, ws); err != nil {
		panic(err)
	}

	if err := eng.SetDefaultRate(ctx, ws, billing.Money{Minor: 150_00}); err != nil { // AUD
		panic(err)
	}
	usd, err := billing.NewMoney(110_00, "USD")
	if err != nil {
		panic(err)
	}
	if err := eng.SetProjectRate(ctx, ws, web.ID, usd); err != nil {
		panic(err)
	}
	s, err := eng.Report(ctx, clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/web-app#90"}, analytics.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(s.PRs[0].PR, s.PRs[0].Seconds()/60, "minutes,", s.PRs[0].Amounts)

	// A rise of the default from a moment on prices only the time from then.
	if err := eng.SetDefaultRateFrom(ctx, ws, now.Add(-150*time.Minute), billing.Money{Minor: 165_00}); err != nil {
		panic(err)
	}
	if s, err = eng.Report(ctx, clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/web-app#90"}, analytics.Options{}); err != nil {
		panic(err)
	}
	fmt.Println(s.PRs[0].PR, s.PRs[0].Seconds()/60, "minutes,", s.PRs[0].Amounts)
	// Output:
	// acme/web-app#90 60 minutes, 75.00 AUD + 55.00 USD
	// acme/web-app#90 60 minutes, 82.50 AUD + 55.00 USD
}

// A customer on GitHub Enterprise: the pull-request URLs on its host link in its
// workspace's entries, beside github.com's, and in no other customer's.
func ExampleEngine_SetGitHubHost() {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 1, Now: now})
	defer srv.Close()
	eng, err := clockifysync.New(memory.New(), make([]byte, 32),
		clockifysync.WithClock(func() time.Time { return now }),
		clockifysync.WithClientOptions(clockify.WithBaseURL(srv.CoreURL()), clockify.WithReportsURL(srv.ReportsURL())))
	if err != nil {
		panic(err)
	}
	ws := fx.Workspace.ID
	if _, err := eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: fx.OwnerKey, WorkspaceID: ws, InitialDays: 1}); err != nil {
		panic(err)
	}
	start := now.Add(-2 * time.Hour)
	if _, err := srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: fx.Owner.ID, Description: "Review https://acme.ghe.com/platform/api/pull/7",
		TimeInterval: clockify.TimeInterval{Start: start, End: new(start.Add(time.Hour))}}); err != nil {
		panic(err)
	}
	if _, err := eng.SyncRecent(ctx, ws); err != nil {
		panic(err)
	}
	q := clockifysync.EntryQuery{WorkspaceID: ws, Text: "acme.ghe.com"}
	before, err := eng.LinkedEntries(ctx, q)
	if err != nil {
		panic(err)
	}
	fmt.Println("links before:", len(before[0].Effective))

	if err := eng.SetGitHubHost(ctx, ws, "acme.ghe.com"); err != nil { // links the stored entries again
		panic(err)
	}
	after, err := eng.LinkedEntries(ctx, q)
	if err != nil {
		panic(err)
	}
	fmt.Println("links after:", after[0].Effective[0].Target())
	// Output:
	// links before: 0
	// links after: platform/api#7
}
