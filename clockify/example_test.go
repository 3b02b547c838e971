package clockify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
)

// The client against a fake Clockify: list members lazily, page by page, and tell a
// missing entry from other failures.
func Example() {
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{
		Seed: 1, Members: 3, Now: time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC),
	})
	defer srv.Close()

	// Against the real Clockify: clockify.NewClient(clockify.WithAPIKey(key)).
	c, err := clockify.NewClient(
		clockify.WithAPIKey(fx.OwnerKey),
		clockify.WithBaseURL(srv.CoreURL()),
		clockify.WithReportsURL(srv.ReportsURL()),
	)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	for u, err := range c.Users.All(ctx, fx.Workspace.ID, nil) {
		if err != nil {
			panic(err)
		}
		fmt.Println(u.Name, u.Email)
	}

	_, _, err = c.TimeEntries.Get(ctx, fx.Workspace.ID, "64b7d1e0c0ffee0000000000", false)
	fmt.Println(errors.Is(err, clockify.ErrNotFound))
	// Output:
	// Bob Martin bob.martin@acme.dev
	// Carla García carla.garcia@acme.dev
	// Deepak Raman deepak.raman@acme.dev
	// true
}

func ExampleParseDuration() {
	d, err := clockify.ParseDuration("P1DT2H30M")
	fmt.Println(d.Std(), err)
	_, err = clockify.ParseDuration("P1M")
	fmt.Println(err)
	// Output:
	// 26h30m0s <nil>
	// clockify: bad ISO-8601 duration "P1M": years and months have no fixed length
}

// Register a webhook. Its token is a Secret: it prints as [REDACTED], and Reveal gives
// the value to hand to a webhook.Verifier.
func ExampleWebhooksService_Create() {
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 1, Members: 2})
	defer srv.Close()
	c, err := srv.NewClient(fx.OwnerKey)
	if err != nil {
		panic(err)
	}

	w, _, err := c.Webhooks.Create(context.Background(), fx.Workspace.ID, &clockify.WebhookRequest{
		Name:         "jasper entries",
		URL:          "https://jasper.example/hooks/clockify",
		WebhookEvent: clockify.EventNewTimeEntry,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(w.WebhookEvent, w.TriggerSourceType, w.Enabled)
	fmt.Println("token:", w.AuthToken, w.AuthToken.Reveal() != "")
	fmt.Printf("%+v\n", struct{ Token clockify.Secret }{w.AuthToken})
	// Output:
	// NEW_TIME_ENTRY WORKSPACE_ID true
	// token: [REDACTED] true
	// {Token:[REDACTED]}
}

// Find the project of a name, or create it: the name filter alone would also find
// "web-app-legacy" for "web-app".
func ExampleProjectListOptions_strictName() {
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 1, Members: 2})
	defer srv.Close()
	c, err := srv.NewClient(fx.OwnerKey)
	if err != nil {
		panic(err)
	}
	ctx, ws := context.Background(), fx.Workspace.ID
	if _, _, err := c.Projects.Create(ctx, ws, &clockify.ProjectRequest{Name: "web-app-legacy"}); err != nil {
		panic(err)
	}

	for _, name := range []string{"web-app", "search-service"} {
		found, _, err := c.Projects.List(ctx, ws, &clockify.ProjectListOptions{Name: name, StrictName: true})
		if err != nil {
			panic(err)
		}
		if len(found) > 0 {
			fmt.Println("found", found[0].Name)
			continue
		}
		p, _, err := c.Projects.Create(ctx, ws, &clockify.ProjectRequest{Name: name})
		if err != nil {
			panic(err)
		}
		fmt.Println("created", p.Name)
	}
	// Output:
	// found web-app
	// created search-service
}

// Retire a project: Clockify deletes only an archived one.
func ExampleProjectsService_Delete() {
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 1, Members: 2})
	defer srv.Close()
	c, err := srv.NewClient(fx.OwnerKey)
	if err != nil {
		panic(err)
	}
	ctx, ws := context.Background(), fx.Workspace.ID

	p, _, err := c.Projects.Create(ctx, ws, &clockify.ProjectRequest{Name: "legacy-app", Billable: new(false)})
	if err != nil {
		panic(err)
	}
	_, err = c.Projects.Delete(ctx, ws, p.ID)
	var ae *clockify.APIError
	if errors.As(err, &ae) {
		fmt.Println(ae.StatusCode, ae.Code, ae.Message)
	}
	if _, _, err := c.Projects.Update(ctx, ws, p.ID, &clockify.ProjectUpdate{Archived: new(true)}); err != nil {
		panic(err)
	}
	_, err = c.Projects.Delete(ctx, ws, p.ID)
	fmt.Println(err)
	// Output:
	// 400 501 Cannot delete an active project
	// <nil>
}

// Catch up with what changed in the last hour, whatever the entries' own dates: an entry
// from weeks ago, edited now, is in the updated list.
func ExampleEntityChangesService_AllUpdated() {
	now := time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 1, Members: 2, Now: now},
		clockifytest.WithClock(func() time.Time { return now }))
	defer srv.Close()
	c, err := srv.NewClient(fx.OwnerKey)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	old := fx.Entries[0]
	old.Description = "PR #42 review, fixed later"
	if _, err := srv.UpdateTimeEntry(fx.Workspace.ID, old); err != nil {
		panic(err)
	}

	since := &clockify.EntityChangeOptions{Types: []clockify.EntityType{clockify.EntityTimeEntry}, Start: now.Add(-time.Hour), End: now}
	for ch, err := range c.EntityChanges.AllUpdated(ctx, fx.Workspace.ID, since) {
		if err != nil {
			panic(err)
		}
		fmt.Println(ch.TimeEntry.Description, "started", ch.TimeEntry.TimeInterval.Start.Format(time.DateOnly))
	}
	// Output:
	// PR #42 review, fixed later started 2026-10-28
}

// Read back what Clockify recorded of a webhook's deliveries: here, the one the host
// failed to take.
func ExampleWebhooksService_AllLogs() {
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b, _ := io.ReadAll(r.Body); bytes.Contains(b, []byte("#7")) {
			w.WriteHeader(http.StatusServiceUnavailable) // down for this one
		}
	}))
	defer host.Close()
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 1, Members: 2})
	defer srv.Close()
	c, err := srv.NewClient(fx.OwnerKey)
	if err != nil {
		panic(err)
	}
	ctx, ws := context.Background(), fx.Workspace.ID

	hook, _, err := c.Webhooks.Create(ctx, ws, &clockify.WebhookRequest{
		Name: "jasper entries", URL: host.URL, WebhookEvent: clockify.EventNewTimeEntry})
	if err != nil {
		panic(err)
	}
	start := time.Now().Add(-time.Hour).Truncate(time.Second)
	for _, d := range []string{"#6 Fix login", "#7 Dark mode", "#8 Docs"} {
		entry := &clockify.TimeEntryRequest{Start: start, End: new(start.Add(time.Minute)), Description: d}
		if _, _, err := c.TimeEntries.Create(ctx, ws, entry); err != nil {
			panic(err)
		}
	}

	for l, err := range c.Webhooks.AllLogs(ctx, ws, hook.ID, &clockify.WebhookLogOptions{Status: clockify.LogsFailed}) {
		if err != nil {
			panic(err)
		}
		var e clockify.TimeEntry
		if err := json.Unmarshal([]byte(l.RequestBody), &e); err != nil {
			panic(err)
		}
		fmt.Println(l.StatusCode, e.Description)
	}
	// Output:
	// 503 #7 Dark mode
}
