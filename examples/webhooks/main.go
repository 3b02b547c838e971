// Command webhooks receives Clockify webhook deliveries end to end: it starts the fake
// Clockify, mounts a webhook.Handler on a loopback server, registers one webhook per event
// through the client, makes changes in the workspace, rotates a token, catches up with
// the entity-change endpoints after a delivery it failed to apply, and prints what was
// applied and the delivery log.
//
//	go run ./examples/webhooks
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	"github.com/heyjasper/jasper-clockify/webhook"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "webhooks:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	now := time.Now().UTC().Truncate(time.Second)
	fake, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 7, Now: now})
	defer fake.Close()
	client, err := fake.NewClient(fx.OwnerKey)
	if err != nil {
		return err
	}

	// The receiving side: a verifier that learns each webhook's token, and a handler.
	verifier, err := webhook.NewVerifier(nil)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	var down atomic.Bool // the host's store is unavailable: deliveries fail
	apply := func(_ context.Context, ev *webhook.Event) error {
		if down.Load() {
			return errors.New("store unavailable")
		}
		mu.Lock()
		defer mu.Unlock()
		switch {
		case ev.TimeEntry != nil:
			fmt.Fprintf(out, "applied %-18s entry %s %q\n", ev.Kind, ev.EntityID, ev.TimeEntry.Description)
		case ev.Project != nil:
			fmt.Fprintf(out, "applied %-18s project %s %q\n", ev.Kind, ev.EntityID, ev.Project.Name)
		}
		return nil
	}
	log := webhook.NewMemoryLog(100)
	receiver := httptest.NewServer(webhook.NewHandler(verifier, apply,
		webhook.WithWorkspaces(fx.Workspace.ID), webhook.WithDeliveryLog(log)))
	defer receiver.Close()

	// Clockify holds one event per webhook: register one for each event the product uses.
	hooks := map[clockify.WebhookEvent]*clockify.Webhook{}
	for _, kind := range []webhook.Kind{webhook.TimeEntryCreated, webhook.TimeEntryUpdated, webhook.TimeEntryDeleted,
		webhook.TimerStopped, webhook.ProjectCreated, webhook.ProjectUpdated, webhook.ProjectDeleted} {
		for _, ev := range webhook.WireEvents(kind) {
			h, _, err := client.Webhooks.Create(ctx, fx.Workspace.ID, &clockify.WebhookRequest{
				Name: "jasper " + string(ev)[:min(20, len(ev))], URL: receiver.URL, WebhookEvent: ev,
			})
			if err != nil {
				return err
			}
			if err := verifier.Add(webhook.Token{WebhookID: h.ID, Event: ev, WorkspaceID: fx.Workspace.ID, Value: h.AuthToken}); err != nil {
				return err
			}
			hooks[ev] = h
		}
	}
	fmt.Fprintf(out, "registered %d webhooks at %s\n\n", len(hooks), receiver.URL)

	// Changes in the workspace, through the API: each one is delivered before the call returns.
	start := now.Add(-2 * time.Hour)
	e, _, err := client.TimeEntries.Create(ctx, fx.Workspace.ID, &clockify.TimeEntryRequest{
		Start: start, End: new(start.Add(time.Hour)), Description: "#42 Fix login", ProjectID: fx.Projects[0].ID,
	})
	if err != nil {
		return err
	}
	// Clockify regenerates a token; the old one stays valid for a minute.
	regen, _, err := client.Webhooks.RegenerateToken(ctx, fx.Workspace.ID, hooks[clockify.EventTimeEntryUpdated].ID)
	if err != nil {
		return err
	}
	if err := verifier.Rotate(regen.ID, regen.AuthToken, time.Minute); err != nil {
		return err
	}
	if _, _, err := client.TimeEntries.Update(ctx, fx.Workspace.ID, e.ID, &clockify.TimeEntryRequest{
		Start: start, End: new(start.Add(90 * time.Minute)), Description: "#42 Fix login redirect", ProjectID: fx.Projects[0].ID,
	}); err != nil {
		return err
	}
	if _, err := client.TimeEntries.Delete(ctx, fx.Workspace.ID, e.ID); err != nil {
		return err
	}
	if _, err := fake.AddProject(fx.Workspace.ID, clockify.Project{Name: "new-service"}); err != nil {
		return err
	}

	// A delivery can be lost: here the host fails to apply it (Clockify is answered 503).
	// The entity-change endpoints tell what changed since, whatever the entries' own
	// dates: an entry from weeks ago edited during the outage is caught up.
	since := time.Now().UTC()
	down.Store(true)
	old := fx.Entries[0]
	if _, _, err := client.TimeEntries.Update(ctx, fx.Workspace.ID, old.ID, &clockify.TimeEntryRequest{
		Start: old.TimeInterval.Start, End: old.TimeInterval.End, Description: old.Description + " (#7)", ProjectID: old.ProjectID,
	}); err != nil {
		return err
	}
	down.Store(false)
	fmt.Fprintln(out, "\ncaught up after the outage:")
	changes := &clockify.EntityChangeOptions{Types: []clockify.EntityType{clockify.EntityTimeEntry}, Start: since}
	for ch, err := range client.EntityChanges.AllUpdated(ctx, fx.Workspace.ID, changes) {
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "updated entry %s %q, started %s\n", ch.ID, ch.TimeEntry.Description, ch.TimeEntry.TimeInterval.Start.Format(time.DateOnly))
	}

	fmt.Fprintln(out, "\ndelivery log, newest first:")
	for _, d := range log.Recent(0) {
		fmt.Fprintf(out, "  %-20s %-8s status %d webhook %s\n", d.EventType, d.Outcome, d.Status, d.WebhookID)
	}
	return nil
}
