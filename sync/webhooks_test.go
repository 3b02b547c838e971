package sync_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// TestFreePlanWebhooks: Clockify's Free plan allows three webhooks. Connecting a Free
// workspace registers three and, after one refusal, tries no more: it reports the other
// events missing; each scheduled sync tries one of them again, and after an upgrade
// registers them all. A paid workspace downgraded keeps its webhooks, all but the three
// oldest disabled: a scheduled sync reports their events missing (they deliver nothing),
// registers nothing new, and keeps their tokens, so that after an upgrade their
// deliveries verify at once. The connection keeps the missing events for a host that
// sees no Result.
func TestFreePlanWebhooks(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	others := []clockify.WebhookEvent{clockify.EventTimerStopped, clockify.EventNewProject, clockify.EventProjectUpdated,
		clockify.EventProjectDeleted, clockify.EventNewTimerStarted, clockify.EventTimeEntryRestored, clockify.EventTimeEntrySplit}
	creates := func(r *rig) int { return r.srv.Requests("POST v1/workspaces/{ws}/webhooks") }
	// What a host that runs the syncs as River jobs, and sees no Result, reads.
	stored := func(r *rig) []clockify.WebhookEvent {
		c, err := r.store.Connection(ctx, r.fx.Workspace.ID)
		require.NoError(t, err)
		return c.MissingEvents
	}
	newProjectDelivered := func(r *rig) {
		t.Helper()
		p, err := r.srv.AddProject(r.fx.Workspace.ID, clockify.Project{Name: "After the upgrade"})
		require.NoError(t, err)
		ds := r.srv.Deliveries()
		require.Equal(t, clockify.EventNewProject, ds[len(ds)-1].Event)
		require.Equal(t, http.StatusOK, ds[len(ds)-1].StatusCode)
		projects, err := r.store.Projects(ctx, r.fx.Workspace.ID)
		require.NoError(t, err)
		require.True(t, slices.ContainsFunc(projects, func(q clockifysync.Project) bool { return q.ID == p.ID }))
	}

	free := newRig(t)
	fws := free.fx.Workspace.ID
	require.NoError(t, free.srv.SetFreePlan(fws, true))
	res := free.connect(t)
	require.Equal(t, 3, res.Webhooks)
	require.Equal(t, others, res.MissingEvents)
	require.Equal(t, 4, creates(free), "three taken, one refused, no more tried")
	require.Equal(t, others, stored(free))
	before := creates(free)
	sync, err := free.eng.SyncScheduled(ctx, fws)
	require.NoError(t, err)
	require.Equal(t, others, sync.MissingEvents)
	require.Equal(t, before+1, creates(free), "one event tried again")
	require.NoError(t, free.srv.SetFreePlan(fws, false))
	sync, err = free.eng.SyncScheduled(ctx, fws)
	require.NoError(t, err)
	require.Equal(t, len(others), sync.WebhooksRepaired)
	require.Empty(t, sync.MissingEvents)
	require.Empty(t, stored(free))
	require.Len(t, free.srv.Webhooks(fws), 10)
	newProjectDelivered(free)

	r := newRig(t)
	ws := r.fx.Workspace.ID
	require.Equal(t, 10, r.connect(t).Webhooks)
	require.NoError(t, r.srv.SetFreePlan(ws, true))
	before = creates(r)
	sync, err = r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, others, sync.MissingEvents, "disabled: not delivered")
	require.Equal(t, others, stored(r))
	require.Zero(t, sync.WebhooksRepaired)
	require.Equal(t, before, creates(r))
	hooks, err := r.store.Webhooks(ctx, ws)
	require.NoError(t, err)
	require.Len(t, hooks, 10, "kept for Clockify to enable again")
	require.NoError(t, r.srv.SetFreePlan(ws, false))
	sync, err = r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Empty(t, sync.MissingEvents)
	require.Empty(t, stored(r))
	newProjectDelivered(r) // with the kept token
	// Moved on a Free plan again: what Clockify refused at the new URL is recorded.
	require.NoError(t, r.srv.SetFreePlan(ws, true))
	moved, err := r.eng.SetWebhookURL(ctx, ws, r.hook.URL+"/moved")
	require.NoError(t, err)
	require.Equal(t, 3, moved.Webhooks)
	require.Equal(t, others, moved.MissingEvents)
	require.Equal(t, others, stored(r))

	require.NoError(t, free.srv.SetFreePlan(fws, true))
	_, err = free.eng.SyncScheduled(ctx, fws)
	require.NoError(t, err)
	require.Equal(t, others, stored(free))
	_, err = free.eng.Disconnect(ctx, fws)
	require.NoError(t, err)
	require.Empty(t, stored(free), "no webhook is expected of a disconnected workspace")
}

// TestMembersKeyOnAFreePlan: a member's key, which may not list the webhooks, takes
// those of the events the store holds at the URL for delivering, and the other events
// for missing still: those Clockify refused the admin's key that registered the others.
func TestMembersKeyOnAFreePlan(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	r := newRig(t)
	ws := r.fx.Workspace.ID
	require.NoError(t, r.srv.SetFreePlan(ws, true))
	res := r.connect(t)
	require.Len(t, res.MissingEvents, 7)
	i := slices.IndexFunc(r.fx.Members, func(m clockifytest.Member) bool { return !m.Admin && m.APIKey != "" })
	require.GreaterOrEqual(t, i, 0)
	require.NoError(t, r.eng.SetAPIKey(ctx, ws, r.fx.Members[i].APIKey))
	sync, err := r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, res.MissingEvents, sync.MissingEvents)
	conn, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, res.MissingEvents, conn.MissingEvents)
}

// TestRefusedEventsTriedInTurn: on a Free plan, the scheduled sync of each hour tries
// another of the events Clockify refused, so that each gets its try; here another
// integration holds two of the plan's three webhooks, so the engine holds one.
func TestRefusedEventsTriedInTurn(t *testing.T) {
	t.Parallel()
	var (
		mu    gosync.Mutex
		tried []clockify.WebhookEvent
	)
	var hours atomic.Int64 // the engine's clock: now, and as many hours after
	r, _ := newRigBehind(t, func(_ http.ResponseWriter, req *http.Request) bool {
		if req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/webhooks") {
			return false
		}
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		var hook clockify.WebhookRequest
		_ = json.Unmarshal(body, &hook) // an event of "" fails the test below
		mu.Lock()
		tried = append(tried, hook.WebhookEvent)
		mu.Unlock()
		return false
	}, clockifysync.WithClock(func() time.Time { return now.Add(time.Duration(hours.Load()) * time.Hour) }))
	ws := r.fx.Workspace.ID
	require.NoError(t, r.srv.SetFreePlan(ws, true))
	admin, err := r.srv.NewClient(r.fx.OwnerKey)
	require.NoError(t, err)
	for _, ev := range []clockify.WebhookEvent{clockify.EventNewProject, clockify.EventNewTimeEntry} {
		_, _, err := admin.Webhooks.Create(t.Context(), ws, &clockify.WebhookRequest{Name: "another integration",
			URL: "https://elsewhere.example/hook", WebhookEvent: ev})
		require.NoError(t, err)
	}
	res := r.connect(t)
	require.Equal(t, 1, res.Webhooks)
	require.Len(t, res.MissingEvents, 9)

	seen := map[clockify.WebhookEvent]bool{}
	for range res.MissingEvents {
		hours.Add(1)
		mu.Lock()
		tried = tried[:0]
		mu.Unlock()
		_, err := r.eng.SyncScheduled(t.Context(), ws)
		require.NoError(t, err)
		mu.Lock()
		require.Len(t, tried, 1, "one event tried an hour")
		seen[tried[0]] = true
		mu.Unlock()
	}
	require.Len(t, seen, len(res.MissingEvents), "each refused event tried in turn: %v", seen)
}

// TestScheduledSyncRepairsWebhooks: a webhook deleted in Clockify's settings is
// registered again by the next scheduled sync, and delivers. One Clockify refuses (its
// limit reached) is reported missing, and tried again by each scheduled sync, with one
// request, until Clockify takes it.
func TestScheduledSyncRepairsWebhooks(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	admin, err := r.srv.NewClient(r.fx.OwnerKey)
	require.NoError(t, err)
	webhookOf := func(ev clockify.WebhookEvent) string {
		for _, h := range r.srv.Webhooks(ws) {
			if h.WebhookEvent == ev {
				return h.ID
			}
		}
		return ""
	}
	creates := func() int { return r.srv.RequestCounts()["POST v1/workspaces/{ws}/webhooks"] }
	_, err = admin.Webhooks.Delete(ctx, ws, webhookOf(clockify.EventNewTimeEntry))
	require.NoError(t, err)

	before := creates()
	res, err := r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, 1, res.WebhooksRepaired)
	require.Empty(t, res.MissingEvents)
	require.Equal(t, before+1, creates())
	delivered := r.add(t, "#7 delivered by the new webhook", now.Add(-time.Hour))
	ds := r.srv.Deliveries()
	require.Equal(t, http.StatusOK, ds[len(ds)-1].StatusCode)
	_, err = r.store.Entry(ctx, ws, delivered.ID)
	require.NoError(t, err)

	res, err = r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Zero(t, res.WebhooksRepaired, "nothing to repair")
	require.Equal(t, before+1, creates())

	// Deleted again while another integration took the last place Clockify allows: the
	// event is reported missing, and each scheduled sync tries it once more.
	_, err = admin.Webhooks.Delete(ctx, ws, webhookOf(clockify.EventNewTimeEntry))
	require.NoError(t, err)
	other, _, err := admin.Webhooks.Create(ctx, ws, &clockify.WebhookRequest{Name: "another integration",
		URL: "https://elsewhere.example/hook", WebhookEvent: clockify.EventNewProject})
	require.NoError(t, err)
	require.Len(t, r.srv.Webhooks(ws), 10, "Clockify's limit for one admin")
	for range 2 {
		before = creates()
		res, err = r.eng.SyncScheduled(ctx, ws)
		require.NoError(t, err)
		require.Zero(t, res.WebhooksRepaired)
		require.Equal(t, []clockify.WebhookEvent{clockify.EventNewTimeEntry}, res.MissingEvents)
		require.Equal(t, before+1, creates(), "one request")
	}
	_, err = admin.Webhooks.Delete(ctx, ws, other.ID)
	require.NoError(t, err)
	lists := r.srv.Requests("GET v1/workspaces/{ws}/webhooks")
	res, err = r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, 1, res.WebhooksRepaired, "Clockify took it")
	require.Equal(t, lists+1, r.srv.Requests("GET v1/workspaces/{ws}/webhooks"), "no other event to try: one list")
	require.Empty(t, res.MissingEvents)
	require.NotEmpty(t, webhookOf(clockify.EventNewTimeEntry))

	// Two deleted and refused: once Clockify takes the one tried, the other is
	// registered in the same sync.
	var others []string
	for _, ev := range []clockify.WebhookEvent{clockify.EventNewTimeEntry, clockify.EventTimeEntryUpdated} {
		_, err = admin.Webhooks.Delete(ctx, ws, webhookOf(ev))
		require.NoError(t, err)
		other, _, err := admin.Webhooks.Create(ctx, ws, &clockify.WebhookRequest{Name: "another integration",
			URL: "https://elsewhere.example/hook", WebhookEvent: clockify.EventNewProject})
		require.NoError(t, err)
		others = append(others, other.ID)
	}
	res, err = r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, []clockify.WebhookEvent{clockify.EventNewTimeEntry, clockify.EventTimeEntryUpdated}, res.MissingEvents)
	for _, id := range others {
		_, err = admin.Webhooks.Delete(ctx, ws, id)
		require.NoError(t, err)
	}
	res, err = r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, 2, res.WebhooksRepaired)
	require.Empty(t, res.MissingEvents)
}

// TestSetWebhookURL: a connected workspace's webhooks move to a new URL of the host's
// handler with the stored key, deliveries follow them there, and an empty URL deletes
// them; a bad URL or a workspace not connected changes nothing.
func TestSetWebhookURL(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	urls := func() (clockify []string, stored []string) {
		for _, h := range r.srv.Webhooks(ws) {
			clockify = append(clockify, h.URL)
		}
		hooks, err := r.store.Webhooks(ctx, ws)
		require.NoError(t, err)
		for _, h := range hooks {
			stored = append(stored, h.URL)
		}
		return clockify, stored
	}
	old := r.hook.URL + "/clockify"
	before, _ := urls()
	require.Len(t, before, 10)

	_, err := r.eng.SetWebhookURL(ctx, ws, "hooks.example.com/clockify")
	require.ErrorIs(t, err, clockifysync.ErrInput)
	_, err = r.eng.SetWebhookURL(ctx, "not-connected", r.hook.URL+"/new")
	require.ErrorIs(t, err, clockifysync.ErrNotConnected)
	inClockify, stored := urls()
	require.Equal(t, slices.Repeat([]string{old}, 10), inClockify, "nothing changed")
	require.Equal(t, slices.Repeat([]string{old}, 10), stored)

	moved := r.hook.URL + "/new"
	res, err := r.eng.SetWebhookURL(ctx, ws, moved)
	require.NoError(t, err)
	require.Equal(t, 10, res.Webhooks)
	require.Empty(t, res.MissingEvents)
	inClockify, stored = urls()
	require.Equal(t, slices.Repeat([]string{moved}, 10), inClockify)
	require.Equal(t, slices.Repeat([]string{moved}, 10), stored)
	conn, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, moved, conn.WebhookURL)
	e := r.add(t, "#8 delivered to the new URL", now.Add(-time.Hour))
	ds := r.srv.Deliveries()
	require.Equal(t, moved, ds[len(ds)-1].URL)
	require.Equal(t, http.StatusOK, ds[len(ds)-1].StatusCode)
	r.requireDescription(t, e)

	again, err := r.eng.SetWebhookURL(ctx, ws, " "+moved+"\n") // pasted, spaces and all
	require.NoError(t, err)
	require.Equal(t, 10, again.Webhooks, "the webhooks there kept")
	inClockify, stored = urls()
	require.Equal(t, slices.Repeat([]string{moved}, 10), inClockify)
	require.Equal(t, slices.Repeat([]string{moved}, 10), stored)
	conn, err = r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, moved, conn.WebhookURL, "kept without the spaces")

	res, err = r.eng.SetWebhookURL(ctx, ws, "")
	require.NoError(t, err)
	require.Zero(t, res.Webhooks)
	inClockify, stored = urls()
	require.Empty(t, inClockify)
	require.Empty(t, stored)
	conn, err = r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Empty(t, conn.WebhookURL)
	require.Equal(t, clockifysync.ScheduleRealtime, conn.Schedule, "the schedule stays")
}

// TestWebhookURLNormalisedByClockify: were Clockify to keep a webhook's URL normalised
// (here its scheme in lower case), the engine would still take its webhooks there for its
// own: a scheduled sync registers none again, deliveries verify, the URL set again in
// Clockify's spelling moves nothing and repairs still run, and Disconnect deletes them
// all, one that the store never held (a registration cut short) too.
func TestWebhookURLNormalisedByClockify(t *testing.T) {
	t.Parallel()
	r, _ := newRigBehind(t, func(w http.ResponseWriter, req *http.Request) bool {
		if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/webhooks") {
			body, err := io.ReadAll(req.Body)
			if err != nil {
				return refuse(w, http.StatusBadGateway, `{"message":"the test's front could not read the request"}`)
			}
			body = bytes.Replace(body, []byte(`"url":"HTTP://`), []byte(`"url":"http://`), 1)
			req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}
		return false
	})
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	sent := "HTTP://" + strings.TrimPrefix(r.hook.URL, "http://") + "/clockify"
	res, err := r.eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, WebhookURL: sent})
	require.NoError(t, err)
	require.Equal(t, 10, res.Webhooks)
	for _, h := range r.srv.Webhooks(ws) {
		require.Equal(t, r.hook.URL+"/clockify", h.URL, "kept normalised")
	}
	creates := func() int { return r.srv.RequestCounts()["POST v1/workspaces/{ws}/webhooks"] }
	before := creates()
	for range 2 {
		sync, err := r.eng.SyncScheduled(ctx, ws)
		require.NoError(t, err)
		require.Zero(t, sync.WebhooksRepaired)
		require.Empty(t, sync.MissingEvents)
	}
	require.Equal(t, before, creates(), "none registered again")
	require.Len(t, r.srv.Webhooks(ws), 10)
	e := r.add(t, "#9 delivered", now.Add(-time.Hour))
	ds := r.srv.Deliveries()
	require.Equal(t, http.StatusOK, ds[len(ds)-1].StatusCode)
	r.requireDescription(t, e)

	// The URL set again as Clockify spells it: the webhooks stay, stored with the URL
	// they were registered at, and one deleted in Clockify's settings is repaired.
	moved, err := r.eng.SetWebhookURL(ctx, ws, r.hook.URL+"/clockify")
	require.NoError(t, err)
	require.Equal(t, 10, moved.Webhooks)
	require.Equal(t, before, creates(), "none registered again")
	admin, err := r.srv.NewClient(r.fx.OwnerKey)
	require.NoError(t, err)
	_, err = admin.Webhooks.Delete(ctx, ws, r.srv.Webhooks(ws)[0].ID)
	require.NoError(t, err)
	sync, err := r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, 1, sync.WebhooksRepaired)
	require.Len(t, r.srv.Webhooks(ws), 10)

	// One deleted in Clockify's settings and one at the URL the store never held.
	_, err = admin.Webhooks.Delete(ctx, ws, r.srv.Webhooks(ws)[0].ID)
	require.NoError(t, err)
	_, _, err = admin.Webhooks.Create(ctx, ws, &clockify.WebhookRequest{Name: "cut short", URL: r.hook.URL + "/clockify",
		WebhookEvent: clockify.EventNewTimeEntry})
	require.NoError(t, err)
	gone, err := r.eng.Disconnect(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, 11, gone.Unregistered, "the ten stored, one gone already, and the one never stored")
	require.Empty(t, r.srv.Webhooks(ws))
}
