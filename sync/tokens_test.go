package sync_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// TestTokensRefreshAcrossReplicas: replica B registers and rotates the webhooks, replica A
// receives the deliveries. A trusts B's tokens on the first delivery they sign (its
// handler reloads the tokens on a miss, three times in a row, then once every five
// seconds) or when it refreshes them, and a token B rotated away still verifies on A for
// the grace period.
func TestTokensRefreshAcrossReplicas(t *testing.T) {
	t.Parallel()
	var elapsed atomic.Int64
	clock := func() time.Time { return now.Add(time.Duration(elapsed.Load())) }
	a := newRig(t, clockifysync.WithClock(clock)) // A: its handler is the one behind the webhook URL
	ctx := t.Context()
	ws := a.fx.Workspace.ID
	b := a.replica(t, a.store)
	_, err := b.Connect(ctx, clockifysync.ConnectRequest{APIKey: a.fx.OwnerKey, WorkspaceID: ws, WebhookURL: a.hook.URL + "/clockify"})
	require.NoError(t, err)
	deliver := func(desc string) int {
		t.Helper()
		a.add(t, desc, now.Add(-time.Hour))
		ds := a.srv.Deliveries()
		return ds[len(ds)-1].StatusCode
	}
	require.Equal(t, http.StatusOK, deliver("B's tokens, new to A"), "A reloads the tokens on the miss")

	oldToken := a.entryToken(t)
	for range webhook.ReloadBurst - 1 {
		require.NoError(t, b.RotateWebhookTokens(ctx, ws))
		require.Equal(t, http.StatusOK, deliver("rotated, within 5 s of A's reload"), "A reloads again")
	}
	require.NoError(t, b.RotateWebhookTokens(ctx, ws))
	require.Equal(t, http.StatusUnauthorized, deliver("rotated, past A's burst of reloads"))
	require.NoError(t, a.eng.RefreshTokens(ctx))
	require.Equal(t, http.StatusOK, deliver("rotated, after A refreshes"))
	elapsed.Add(int64(webhook.DefaultReloadInterval))
	require.NoError(t, b.RotateWebhookTokens(ctx, ws))
	require.Equal(t, http.StatusOK, deliver("rotated again, 5 s later"), "A reloads the tokens on the miss")

	// A delivery signed with the old token, sent before the rotation, still verifies.
	require.NotEqual(t, http.StatusUnauthorized, postEntry(t, a.hook.URL, oldToken, clockify.TimeEntry{
		ID: "66aa00000000000000000002", WorkspaceID: ws, UserID: a.fx.Owner.ID, Description: "late",
		TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Hour), End: new(now)}}))

	// Disconnected by B, the webhooks are refused on A after its refresh.
	_, err = b.Disconnect(ctx, ws)
	require.NoError(t, err)
	require.NoError(t, a.eng.RefreshTokens(ctx))
	require.Equal(t, http.StatusUnauthorized, postEntry(t, a.hook.URL, oldToken, clockify.TimeEntry{ID: "66aa00000000000000000003", WorkspaceID: ws}))
}

// TestAReplicaHonoursTokensItNeverHeld: B connects and rotates the tokens twice before
// A's handler first reloads them. Deliveries signed with either token rotated away (sent
// before the rotations, delivered late) verify on A for the grace B gave them, which the
// store keeps with the new token; a replica that reloads after a grace has ended refuses
// that token.
func TestAReplicaHonoursTokensItNeverHeld(t *testing.T) {
	t.Parallel()
	a := newRig(t) // A: its handler is the one behind the webhook URL
	ctx := t.Context()
	ws := a.fx.Workspace.ID
	entry := a.add(t, "signed before the rotations", now.Add(-time.Hour)) // delivered to no one yet
	b := a.replica(t, a.store)
	_, err := b.Connect(ctx, clockifysync.ConnectRequest{APIKey: a.fx.OwnerKey, WorkspaceID: ws, WebhookURL: a.hook.URL + "/clockify"})
	require.NoError(t, err)
	first := a.entryToken(t)
	require.NoError(t, b.RotateWebhookTokens(ctx, ws))
	between := a.entryToken(t)
	a.advance(time.Minute)
	require.NoError(t, b.RotateWebhookTokens(ctx, ws))

	require.Equal(t, http.StatusOK, postEntry(t, a.hook.URL, first, entry), "A reloads, and honours the first token for its grace")
	require.Equal(t, http.StatusOK, postEntry(t, a.hook.URL, between, entry), "and the token between the rotations")
	require.Equal(t, http.StatusOK, postEntry(t, a.hook.URL, a.entryToken(t), entry))

	a.advance(time.Hour - 30*time.Second) // the first token's grace has ended, not the second's
	h, err := a.replica(t, a.store).Handler(ctx)
	require.NoError(t, err)
	c := httptest.NewServer(h)
	t.Cleanup(c.Close)
	for _, url := range []string{a.hook.URL, c.URL} {
		require.Equal(t, http.StatusUnauthorized, postEntry(t, url, first, entry), url)
		require.Equal(t, http.StatusOK, postEntry(t, url, between, entry), url)
	}
}

// TestALateReloadEndsTheGraceWhenTheRotationDoes: a replica that holds a webhook's token
// and first reloads the tokens long after another replica rotated them holds the old
// token until the grace the rotation gave it ends, not for a grace from its reload.
func TestALateReloadEndsTheGraceWhenTheRotationDoes(t *testing.T) {
	t.Parallel()
	a := newRig(t) // A: its handler is the one behind the webhook URL
	ctx := t.Context()
	ws := a.fx.Workspace.ID
	entry := a.add(t, "signed before the rotation", now.Add(-time.Hour)) // delivered to no one yet
	a.connect(t)
	old := a.entryToken(t)
	require.NoError(t, a.replica(t, a.store).RotateWebhookTokens(ctx, ws))
	a.advance(50 * time.Minute)
	require.NoError(t, a.eng.RefreshTokens(ctx))
	require.Equal(t, http.StatusOK, postEntry(t, a.hook.URL, old, entry), "within the rotation's grace")
	a.advance(10 * time.Minute)
	require.Equal(t, http.StatusUnauthorized, postEntry(t, a.hook.URL, old, entry), "the rotation's grace has ended")
}

// TestMovedWebhooksHonourTheirTokens: SetWebhookURL deletes the webhooks at the old URL;
// a delivery one of them signed, still on its way, verifies for the rotation grace on
// the replica that moved them, on one that held the token and reloads, and on one that
// never held it, then on none.
func TestMovedWebhooksHonourTheirTokens(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := t.Context()
	ws := r.fx.Workspace.ID
	entry := r.add(t, "signed before the move", now.Add(-time.Hour)) // delivered to no one yet
	r.connect(t)
	old := r.entryToken(t)
	held := r.replica(t, r.store)
	serve := func(eng *clockifysync.Engine) string {
		t.Helper()
		h, err := eng.Handler(ctx)
		require.NoError(t, err)
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	heldURL := serve(held) // holds the old token from before the move
	_, err := r.eng.SetWebhookURL(ctx, ws, r.hook.URL+"/new")
	require.NoError(t, err)
	require.NotEqual(t, old, r.entryToken(t), "the webhook at the new URL has a token of its own")
	require.NoError(t, held.RefreshTokens(ctx), "it forgets the deleted webhook")
	for name, url := range map[string]string{"mover": r.hook.URL, "held": heldURL, "never held": serve(r.replica(t, r.store))} {
		require.Equal(t, http.StatusOK, postEntry(t, url, old, entry), name)
	}
	r.requireDescription(t, entry)

	r.advance(time.Hour)
	require.NoError(t, held.RefreshTokens(ctx))
	for name, url := range map[string]string{"mover": r.hook.URL, "held": heldURL, "never held": serve(r.replica(t, r.store))} {
		require.Equal(t, http.StatusUnauthorized, postEntry(t, url, old, entry), name)
	}
}

// TestUnreadableTokenKeepsTheOthers: a stored token that does not open with the engine's
// sealing keys (another workspace's, sealed with a key this replica was not given)
// neither keeps a replica's handler from starting nor its other tokens from verifying;
// RefreshTokens names the webhook, and nothing of any secret.
func TestUnreadableTokenKeepsTheOthers(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ctx := t.Context()
	ws := r.fx.Workspace.ID
	// Its workspace's id sorts before the others: the webhooks read after it count too.
	require.NoError(t, r.store.PutWebhook(ctx, clockifysync.Webhook{WorkspaceID: "0-other-workspace", ID: "unreadable",
		Event: string(clockify.EventNewTimeEntry), URL: "https://x/hook", SealedToken: []byte("sealed with another key, long enough")}))

	other := r.replica(t, r.store)
	h, err := other.Handler(ctx)
	require.NoError(t, err, "the replica's handler starts")
	err = other.RefreshTokens(ctx)
	unreadable, ok := errors.AsType[*clockifysync.UnreadableTokensError](err)
	require.True(t, ok, "%v", err)
	require.Equal(t, []string{"unreadable"}, unreadable.WebhookIDs)

	var token clockify.Secret
	for _, w := range r.srv.Webhooks(ws) {
		if w.WebhookEvent == clockify.EventNewTimeEntry {
			token = w.AuthToken
		}
	}
	require.NotContains(t, err.Error(), token.Reveal())
	added := r.add(t, "#9 delivered to the replica too", now.Add(-time.Hour))
	req, err := webhook.NewSignedRequest("http://replica/clockify", token, clockify.EventNewTimeEntry, added)
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, "the workspace's own token verifies")
}

// TestRotationGraceEnds: after RotateWebhookTokens, a delivery signed with the old token
// verifies for the grace set by WithRotationGrace and not a moment after; the new token
// verifies throughout.
func TestRotationGraceEnds(t *testing.T) {
	t.Parallel()
	const grace = 10 * time.Minute
	var elapsed atomic.Int64
	clock := func() time.Time { return now.Add(time.Duration(elapsed.Load())) }
	r := newRig(t, clockifysync.WithClock(clock), clockifysync.WithRotationGrace(grace))
	r.connect(t)
	ctx := t.Context()
	ws := r.fx.Workspace.ID
	old := r.entryToken(t)
	require.NoError(t, r.eng.RotateWebhookTokens(ctx, ws))
	fresh := r.entryToken(t)
	require.NotEqual(t, old.Reveal(), fresh.Reveal())

	entry := r.add(t, "#5 delivered with the new token", now.Add(-time.Hour))
	require.Equal(t, http.StatusOK, postEntry(t, r.hook.URL, old, entry), "within the grace")
	elapsed.Store(int64(grace - time.Second))
	require.Equal(t, http.StatusOK, postEntry(t, r.hook.URL, old, entry), "a second before the grace ends")
	elapsed.Store(int64(grace))
	require.Equal(t, http.StatusUnauthorized, postEntry(t, r.hook.URL, old, entry), "the grace has ended")
	require.Equal(t, http.StatusOK, postEntry(t, r.hook.URL, fresh, entry))
}

// TestRotationRegistersAgainAWebhookDeletedInClockify: a rotation meets a webhook someone
// deleted in Clockify's settings. The others get new tokens, that one's event a new
// webhook that delivers, and its old token is trusted no more.
func TestRotationRegistersAgainAWebhookDeletedInClockify(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ctx := t.Context()
	ws := r.fx.Workspace.ID
	admin, err := r.srv.NewClient(r.fx.OwnerKey)
	require.NoError(t, err)
	before := map[clockify.WebhookEvent]clockify.Webhook{}
	for _, h := range r.srv.Webhooks(ws) {
		before[h.WebhookEvent] = h
	}
	deleted := before[clockify.EventNewTimeEntry]
	_, err = admin.Webhooks.Delete(ctx, ws, deleted.ID)
	require.NoError(t, err)

	require.NoError(t, r.eng.RotateWebhookTokens(ctx, ws))
	after := map[clockify.WebhookEvent]clockify.Webhook{}
	for _, h := range r.srv.Webhooks(ws) {
		after[h.WebhookEvent] = h
	}
	require.Len(t, after, len(before), "one webhook per event again")
	for ev, h := range after {
		require.NotEqual(t, before[ev].AuthToken.Reveal(), h.AuthToken.Reveal(), "%s has a new token", ev)
	}
	require.NotEqual(t, deleted.ID, after[clockify.EventNewTimeEntry].ID)
	stored, err := r.store.Webhooks(ctx, ws)
	require.NoError(t, err)
	require.Len(t, stored, len(after))

	added := r.add(t, "#9 delivered by the new webhook", now.Add(-time.Hour))
	_, err = r.store.Entry(ctx, ws, added.ID)
	require.NoError(t, err)
	require.Equal(t, http.StatusUnauthorized, postEntry(t, r.hook.URL, deleted.AuthToken, added), "the deleted webhook's token")
}

// TestRotationMendsATokenRegeneratedInClockify: someone regenerates a webhook's token in
// Clockify's settings; its deliveries are refused (the engine holds the old token),
// and the next scheduled sync cannot tell. A rotation has the new token issued and
// stored: the webhook's deliveries are applied again.
func TestRotationMendsATokenRegeneratedInClockify(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ctx := t.Context()
	ws := r.fx.Workspace.ID
	admin, err := r.srv.NewClient(r.fx.OwnerKey)
	require.NoError(t, err)
	hooks := r.srv.Webhooks(ws)
	i := slices.IndexFunc(hooks, func(h clockify.Webhook) bool { return h.WebhookEvent == clockify.EventNewTimeEntry })
	_, _, err = admin.Webhooks.RegenerateToken(ctx, ws, hooks[i].ID)
	require.NoError(t, err)
	delivered := func(desc string) bool {
		t.Helper()
		added := r.add(t, desc, now.Add(-time.Hour))
		_, err := r.store.Entry(ctx, ws, added.ID)
		if errors.Is(err, clockifysync.ErrNotFound) {
			return false
		}
		require.NoError(t, err)
		return true
	}
	require.False(t, delivered("#10 signed with a token the engine does not hold"))
	r.advance(time.Hour)
	res, err := r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	require.Empty(t, res.MissingEvents, "the webhook is there")
	require.False(t, delivered("#11 still refused after a scheduled sync"))

	require.NoError(t, r.eng.RotateWebhookTokens(ctx, ws))
	require.True(t, delivered("#12 signed with the token the rotation had issued"))
}

// TestARotationCutShortIsRepaired: a rotation whose context ends once Clockify has
// switched a webhook's token, before its answer arrives, leaves that webhook without a
// stored token, and the others as they were (each rotated or not, every token known
// verifying, on this replica and another); the next scheduled sync has Clockify issue it
// a new token, and its deliveries verify again. Before, the old token stayed stored and
// the webhook's deliveries were refused until a rotation ran again in full.
func TestARotationCutShortIsRepaired(t *testing.T) {
	t.Parallel()
	for cut := range 10 { // the engine's webhooks: one per event it registers
		t.Run(fmt.Sprint("at webhook ", cut+1), func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			r.connect(t)
			ws := r.fx.Workspace.ID
			require.Len(t, r.srv.Webhooks(ws), 10)
			other, err := r.replica(t, r.store).Handler(t.Context())
			require.NoError(t, err)
			replica := httptest.NewServer(other)
			t.Cleanup(replica.Close)
			// refused returns the webhooks whose current token a handler refuses.
			refused := func(url string) []string {
				t.Helper()
				var out []string
				for _, h := range r.srv.Webhooks(ws) {
					if refusedAt(t, url+"/clockify", h) {
						out = append(out, h.ID)
					}
				}
				return out
			}

			ctx, cancel := context.WithCancel(t.Context())
			var seen atomic.Int32
			var switched string // the webhook whose new token is lost
			fn := func(info clockifytest.RequestInfo) {
				if info.Route == "PATCH v1/workspaces/{ws}/webhooks/{id}/token" && seen.Add(1) == int32(cut+1) {
					switched = path.Base(path.Dir(info.Path)) // .../webhooks/{id}/token
					cancel()
				}
			}
			r.onRequest.Store(&fn)
			require.ErrorIs(t, r.eng.RotateWebhookTokens(ctx, ws), context.Canceled)
			r.onRequest.Store(nil)
			stored, err := r.store.Webhooks(t.Context(), ws)
			require.NoError(t, err)
			for _, w := range stored {
				require.Equal(t, w.ID == switched, w.SealedToken == nil, "webhook %s", w.ID)
			}
			require.Equal(t, []string{switched}, refused(r.hook.URL))
			require.NoError(t, r.eng.RefreshTokens(t.Context()), "a webhook without a token is no unreadable one")
			require.Equal(t, []string{switched}, refused(r.hook.URL))
			require.Equal(t, []string{switched}, refused(replica.URL))

			res, err := r.eng.SyncScheduled(t.Context(), ws)
			require.NoError(t, err)
			require.Equal(t, 1, res.WebhooksRepaired)
			require.Empty(t, refused(r.hook.URL))
			r.advance(webhook.DefaultReloadInterval) // the replica reloads on its next miss
			require.Empty(t, refused(replica.URL))
		})
	}
}

// entryToken returns the token of the workspace's NEW_TIME_ENTRY webhook in Clockify.
func (r *rig) entryToken(t *testing.T) clockify.Secret {
	t.Helper()
	for _, h := range r.srv.Webhooks(r.fx.Workspace.ID) {
		if h.WebhookEvent == clockify.EventNewTimeEntry {
			return h.AuthToken
		}
	}
	t.Fatal("no NEW_TIME_ENTRY webhook")
	return ""
}

// postEntry sends url+"/clockify" a NEW_TIME_ENTRY delivery of entry signed with token,
// and returns the status answered.
func postEntry(t *testing.T, url string, token clockify.Secret, entry clockify.TimeEntry) int {
	t.Helper()
	req, err := webhook.NewSignedRequest(url+"/clockify", token, clockify.EventNewTimeEntry, entry)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req.WithContext(t.Context()))
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}
