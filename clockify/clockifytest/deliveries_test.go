package clockifytest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
)

func TestGoMethodsDeliverWebhooks(t *testing.T) {
	type delivery struct{ sig, event, contentType, id string }
	got := make(chan delivery, 20)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			ID string `json:"id"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		got <- delivery{r.Header.Get("Clockify-Signature"), r.Header.Get("Clockify-Webhook-Event-Type"), r.Header.Get("Content-Type"), body.ID}
		if r.Header.Get("Clockify-Webhook-Event-Type") == "PROJECT_DELETED" {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer receiver.Close()
	srv, fx := newServer(t)
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	ctx := t.Context()
	wsID := fx.Workspace.ID
	tokens := map[clockify.WebhookEvent]string{}
	for _, ev := range []clockify.WebhookEvent{clockify.EventNewProject, clockify.EventProjectUpdated, clockify.EventProjectDeleted, clockify.EventNewTimeEntry, clockify.EventTimeEntryUpdated, clockify.EventTimeEntryDeleted, clockify.EventTimerStopped, clockify.EventNewTimerStarted} {
		h, _, err := c.Webhooks.Create(ctx, wsID, &clockify.WebhookRequest{Name: "hook " + string(ev)[:8], URL: receiver.URL, WebhookEvent: ev})
		require.NoError(t, err)
		tokens[ev] = h.AuthToken.Reveal()
	}
	// A webhook limited to one project does not fire for others.
	_, _, err = c.Webhooks.Create(ctx, wsID, &clockify.WebhookRequest{Name: "scoped", URL: receiver.URL, WebhookEvent: clockify.EventNewTimeEntry, TriggerSourceType: clockify.TriggerProject, TriggerSource: []string{"000000000000000000000000"}})
	require.NoError(t, err)

	expect := func(ev clockify.WebhookEvent, id string) {
		t.Helper()
		d := <-got
		require.Equal(t, string(ev), d.event)
		require.Equal(t, tokens[ev], d.sig)
		require.Equal(t, "application/json", d.contentType)
		require.Equal(t, id, d.id)
	}
	p, err := srv.AddProject(wsID, clockify.Project{Name: "new-repo"})
	require.NoError(t, err)
	expect(clockify.EventNewProject, p.ID)
	p.Archived = true
	_, err = srv.UpdateProject(wsID, p)
	require.NoError(t, err)
	expect(clockify.EventProjectUpdated, p.ID)
	require.NoError(t, srv.DeleteProject(wsID, p.ID))
	expect(clockify.EventProjectDeleted, p.ID)

	e, err := srv.AddTimeEntry(wsID, clockify.TimeEntry{UserID: fx.Owner.ID, Description: "#1 x", TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Hour), End: new(now)}})
	require.NoError(t, err)
	expect(clockify.EventNewTimeEntry, e.ID)
	e.Description = "#2 y"
	_, err = srv.UpdateTimeEntry(wsID, e)
	require.NoError(t, err)
	expect(clockify.EventTimeEntryUpdated, e.ID)
	require.NoError(t, srv.DeleteTimeEntry(wsID, e.ID))
	expect(clockify.EventTimeEntryDeleted, e.ID)
	timer, err := srv.AddTimeEntry(wsID, clockify.TimeEntry{UserID: fx.Owner.ID, TimeInterval: clockify.TimeInterval{Start: now}})
	require.NoError(t, err)
	expect(clockify.EventNewTimerStarted, timer.ID)
	_, err = srv.StopTimer(wsID, fx.Owner.ID, now.Add(time.Minute))
	require.NoError(t, err)
	expect(clockify.EventTimerStopped, timer.ID)
	require.Empty(t, got, "the project-scoped webhook did not fire")

	ds := srv.Deliveries()
	require.Len(t, ds, 8)
	require.Equal(t, http.StatusInternalServerError, ds[2].StatusCode)
	hooks := srv.Webhooks(wsID)
	require.Len(t, hooks, 9)
	failed, _, err := c.Webhooks.Logs(ctx, wsID, hooks[2].ID, &clockify.WebhookLogOptions{Status: clockify.LogsFailed, SortByNewest: true})
	require.NoError(t, err)
	require.Len(t, failed, 1)

	// Errors of the Go methods.
	_, err = srv.UpdateTimeEntry(wsID, clockify.TimeEntry{ID: "missing"})
	require.Error(t, err)
	require.Error(t, srv.DeleteTimeEntry(wsID, "missing"))
	_, err = srv.UpdateProject(wsID, clockify.Project{ID: "missing"})
	require.Error(t, err)
	_, err = srv.AddTimeEntry("no-such-ws", clockify.TimeEntry{})
	require.Error(t, err)
	_, err = srv.AddProject("no-such-ws", clockify.Project{Name: "x"})
	require.Error(t, err)
	_, err = srv.AddTag("no-such-ws", clockify.Tag{Name: "x"})
	require.Error(t, err)
	_, err = srv.AddTag(wsID, clockify.Tag{Name: " "})
	require.ErrorContains(t, err, "Tag name is required")
	require.Nil(t, srv.TimeEntries("no-such-ws"))
	require.Nil(t, srv.Webhooks("no-such-ws"))
	require.Panics(t, func() { srv.AddMember("no-such-ws", clockifytest.Member{}) })
}

func TestUnreachableWebhookIsLogged(t *testing.T) {
	srv, fx := newServer(t, clockifytest.WithDeliveryClient(&http.Client{Timeout: time.Second}), clockifytest.WithClock(func() time.Time { return now }))
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	_, _, err = c.Webhooks.Create(t.Context(), fx.Workspace.ID, &clockify.WebhookRequest{Name: "gone", URL: closed.URL, WebhookEvent: clockify.EventNewTimerStarted})
	require.NoError(t, err)
	e, _, err := c.TimeEntries.Create(t.Context(), fx.Workspace.ID, &clockify.TimeEntryRequest{Description: "timer"})
	require.NoError(t, err)
	require.True(t, e.TimeInterval.Start.Equal(now), "a timer without a start begins at the server's now")
	ds := srv.Deliveries()
	require.Len(t, ds, 1)
	require.Zero(t, ds[0].StatusCode)
	require.NotEmpty(t, ds[0].Err)
	require.Equal(t, now, ds[0].At)
}

func TestWebhookRedirectIsNotFollowed(t *testing.T) {
	// A receiver's redirect is the delivery's answer: following it would hand the
	// webhook's token (a custom header, which net/http keeps across hosts) to another.
	var reached atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
	defer elsewhere.Close()
	moved := httptest.NewServer(http.RedirectHandler(elsewhere.URL, http.StatusTemporaryRedirect))
	defer moved.Close()

	srv, fx := newServer(t, clockifytest.WithDeliveryClient(&http.Client{Timeout: time.Second}))
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	_, _, err = c.Webhooks.Create(t.Context(), fx.Workspace.ID, &clockify.WebhookRequest{Name: "moved", URL: moved.URL, WebhookEvent: clockify.EventNewTimerStarted})
	require.NoError(t, err)
	_, _, err = c.TimeEntries.Create(t.Context(), fx.Workspace.ID, &clockify.TimeEntryRequest{Description: "timer"})
	require.NoError(t, err)
	ds := srv.Deliveries()
	require.Len(t, ds, 1)
	require.Equal(t, http.StatusTemporaryRedirect, ds[0].StatusCode)
	require.Zero(t, reached.Load())
}
