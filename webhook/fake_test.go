package webhook_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// TestDeliveriesFromTheFake registers one webhook per event on the fake Clockify, with the
// handler as its URL, and checks that every change arrives verified and typed, and that a
// token rotation loses nothing.
func TestDeliveriesFromTheFake(t *testing.T) {
	now := time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 2, Now: now})
	defer srv.Close()
	ctx := context.Background()
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)

	v, err := webhook.NewVerifier(nil)
	require.NoError(t, err)
	var mu sync.Mutex
	var got []string
	h := webhook.NewHandler(v, func(_ context.Context, ev *webhook.Event) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ev.Kind.String()+" "+ev.EntityID)
		return nil
	}, webhook.WithWorkspaces(fx.Workspace.ID))
	receiver := httptest.NewServer(h)
	defer receiver.Close()

	hooks := map[clockify.WebhookEvent]*clockify.Webhook{}
	for _, kind := range []webhook.Kind{webhook.TimeEntryCreated, webhook.TimeEntryUpdated, webhook.TimeEntryDeleted, webhook.TimerStopped, webhook.ProjectCreated, webhook.ProjectUpdated, webhook.ProjectDeleted} {
		for _, ev := range webhook.WireEvents(kind) {
			hk, _, err := c.Webhooks.Create(ctx, fx.Workspace.ID, &clockify.WebhookRequest{Name: "jasper-" + string(ev)[:5], URL: receiver.URL, WebhookEvent: ev})
			require.NoError(t, err)
			require.NoError(t, v.Add(webhook.Token{WebhookID: hk.ID, Event: ev, WorkspaceID: fx.Workspace.ID, Value: hk.AuthToken}))
			hooks[ev] = hk
		}
	}

	e, err := srv.AddTimeEntry(fx.Workspace.ID, clockify.TimeEntry{UserID: fx.Owner.ID, Description: "#5 x", TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Hour), End: new(now)}})
	require.NoError(t, err)
	e.Description = "#5 y"
	_, err = srv.UpdateTimeEntry(fx.Workspace.ID, e)
	require.NoError(t, err)

	// Clockify regenerates the update webhook's token; the old one stays valid a minute.
	regen, _, err := c.Webhooks.RegenerateToken(ctx, fx.Workspace.ID, hooks[clockify.EventTimeEntryUpdated].ID)
	require.NoError(t, err)
	require.NoError(t, v.Rotate(regen.ID, regen.AuthToken, time.Minute))
	e.Description = "#5 z"
	_, err = srv.UpdateTimeEntry(fx.Workspace.ID, e)
	require.NoError(t, err)

	require.NoError(t, srv.DeleteTimeEntry(fx.Workspace.ID, e.ID))
	timer, err := srv.AddTimeEntry(fx.Workspace.ID, clockify.TimeEntry{UserID: fx.Owner.ID, TimeInterval: clockify.TimeInterval{Start: now}})
	require.NoError(t, err)
	_, err = srv.StopTimer(fx.Workspace.ID, fx.Owner.ID, now.Add(time.Minute))
	require.NoError(t, err)
	p, err := srv.AddProject(fx.Workspace.ID, clockify.Project{Name: "new-repo"})
	require.NoError(t, err)
	p.Archived = true
	_, err = srv.UpdateProject(fx.Workspace.ID, p)
	require.NoError(t, err)
	require.NoError(t, srv.DeleteProject(fx.Workspace.ID, p.ID))

	require.Equal(t, []string{
		"TIME_ENTRY_CREATED " + e.ID, "TIME_ENTRY_UPDATED " + e.ID, "TIME_ENTRY_UPDATED " + e.ID,
		"TIME_ENTRY_DELETED " + e.ID, "TIME_ENTRY_CREATED " + timer.ID, "TIMER_STOPPED " + timer.ID,
		"PROJECT_CREATED " + p.ID, "PROJECT_UPDATED " + p.ID, "PROJECT_DELETED " + p.ID,
	}, got)
	for _, d := range srv.Deliveries() {
		require.Equal(t, 200, d.StatusCode, "%s: %s", d.Event, d.Err)
	}
}
