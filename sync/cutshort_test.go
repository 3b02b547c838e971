package sync_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	"github.com/heyjasper/jasper-clockify/store/memory"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// cutOp is a call of TestCutShort: run is cut short after setup, then again runs.
type cutOp struct {
	name       string
	setup      func(t *testing.T, r *rig)
	run, again func(ctx context.Context, r *rig) error
	connected  bool // the workspace is connected at the end
}

// TestCutShort cuts each call of the engine that changes things in Clockify short at
// each of its requests in turn: the context ends once the fake has answered the
// request, before the answer arrives, so that the engine cannot know whether Clockify
// acted. The call then runs again (or the next scheduled sync does, for what the call's
// doc says it leaves to it), and the workspace must end as one uninterrupted call
// leaves it: one webhook of each event at the connection's URL in Clockify, the same
// ones stored, each with a token its deliveries verify with; none left in Clockify
// once disconnected; the entries of the initial sync's two days as a clean sync
// stores them.
func TestCutShort(t *testing.T) {
	t.Parallel()
	for _, o := range cutOps() {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			// How many requests the call makes uninterrupted.
			var requests atomic.Int32
			count := func(clockifytest.RequestInfo) { requests.Add(1) }
			r := newRig(t)
			if o.setup != nil {
				o.setup(t, r)
			}
			r.onRequest.Store(&count)
			require.NoError(t, o.run(t.Context(), r))
			n := int(requests.Load())
			require.Positive(t, n)
			for cut := 1; cut <= n; cut++ {
				t.Run(fmt.Sprint("at request ", cut), func(t *testing.T) {
					t.Parallel()
					// The memory store, which ignores contexts, and SQLite, whose calls end with
					// theirs; PostgreSQL runs the same SQL, and a new database for each of
					// about a hundred cuts would take most of a minute.
					for _, s := range stores {
						if s.name == "postgres" {
							continue
						}
						t.Run(s.name, func(t *testing.T) {
							t.Parallel()
							cutShort(t, s.open(t), o, cut)
						})
					}
				})
			}
		})
	}
}

// cutOps are the calls of TestCutShort and TestStoreFailures.
func cutOps() []cutOp {
	connect := func(ctx context.Context, r *rig) error {
		_, err := r.eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: r.fx.Workspace.ID, WebhookURL: r.hook.URL + "/clockify",
			InitialDays: 2})
		return err
	}
	disconnect := func(ctx context.Context, r *rig) error {
		_, err := r.eng.Disconnect(ctx, r.fx.Workspace.ID)
		return err
	}
	// disconnectAgain disconnects a workspace unless it is already (the call cut short
	// went on to the end, or Connect was cut before it stored the key).
	disconnectAgain := func(ctx context.Context, r *rig) error {
		if err := disconnect(ctx, r); !errors.Is(err, clockifysync.ErrNotConnected) {
			return err
		}
		return nil
	}
	move := func(ctx context.Context, r *rig) error {
		_, err := r.eng.SetWebhookURL(ctx, r.fx.Workspace.ID, r.hook.URL+"/moved")
		return err
	}
	scheduled := func(ctx context.Context, r *rig) error {
		_, err := r.eng.SyncScheduled(ctx, r.fx.Workspace.ID)
		return err
	}
	connected := func(t *testing.T, r *rig) {
		require.NoError(t, connect(t.Context(), r))
	}
	return []cutOp{
		{name: "connect", run: connect, again: connect, connected: true},
		{name: "disconnect", setup: connected, run: disconnect, again: disconnectAgain},
		{name: "connect, then disconnect", run: connect, again: disconnectAgain},
		{name: "move the webhooks", setup: connected, run: move, again: move, connected: true},
		{name: "rotate the tokens", setup: connected, run: func(ctx context.Context, r *rig) error {
			return r.eng.RotateWebhookTokens(ctx, r.fx.Workspace.ID)
		}, again: scheduled, connected: true},
		{name: "scheduled sync", setup: func(t *testing.T, r *rig) {
			connected(t, r)
			hooks := r.srv.Webhooks(r.fx.Workspace.ID)
			admin, err := r.srv.NewClient(r.fx.OwnerKey)
			require.NoError(t, err)
			_, err = admin.Webhooks.Delete(t.Context(), r.fx.Workspace.ID, hooks[3].ID) // deleted in Clockify's settings
			require.NoError(t, err)
		}, run: scheduled, again: scheduled, connected: true},
	}
}

// cutShort runs one cut of TestCutShort on a store.
func cutShort(t *testing.T, store clockifysync.Store, o cutOp, cut int) {
	r := newRigOn(t, store)
	if o.setup != nil {
		o.setup(t, r)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var seen atomic.Int32
	fn := func(clockifytest.RequestInfo) {
		if seen.Add(1) == int32(cut) {
			cancel()
		}
	}
	r.onRequest.Store(&fn)
	if err := o.run(ctx, r); err != nil {
		require.ErrorIs(t, err, context.Canceled)
	}
	r.onRequest.Store(nil)
	require.NoError(t, o.again(t.Context(), r))
	requireSound(t, r, o.connected)
	if o.connected {
		requireSynced(t, r)
	}
}

// requireSound checks a workspace's webhooks after TestCutShort's calls: connected, one
// of each event at the connection's URL in Clockify, the same stored, each token
// verifying; disconnected, none left.
func requireSound(t *testing.T, r *rig, connected bool) {
	t.Helper()
	ctx := t.Context()
	ws := r.fx.Workspace.ID
	hooks := r.srv.Webhooks(ws)
	stored, err := r.store.Webhooks(ctx, ws)
	require.NoError(t, err)
	if !connected {
		require.Empty(t, hooks, "no webhook left in Clockify")
		require.Empty(t, stored)
		return
	}
	conn, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	events := map[string]int{}
	for _, h := range hooks {
		require.Equal(t, conn.WebhookURL, h.URL, "webhook %s", h.ID)
		events[string(h.WebhookEvent)]++
	}
	require.Len(t, events, 10)
	for ev, n := range events {
		require.Equal(t, 1, n, "webhooks of %s", ev)
	}
	require.Len(t, stored, len(hooks))
	for _, w := range stored {
		require.NotNil(t, w.SealedToken, "webhook %s", w.ID)
	}
	for _, h := range hooks {
		require.Contains(t, fmt.Sprint(stored), h.ID)
		require.False(t, refusedAt(t, h.URL, h), "webhook %s (%s): its token is refused", h.ID, h.WebhookEvent)
	}
}

// refusedAt reports whether the handler at url refuses a delivery signed with a
// webhook's current token (it answers 401; a verified one with an empty body, 400).
func refusedAt(t *testing.T, url string, h clockify.Webhook) bool {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader("{}"))
	require.NoError(t, err)
	req.Header.Set(webhook.SignatureHeader, h.AuthToken.Reveal())
	req.Header.Set(webhook.EventTypeHeader, string(h.WebhookEvent))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode == http.StatusUnauthorized
}

// requireSynced checks that a connected workspace holds the entries of its initial
// sync's two days as a clean sync stores them.
func requireSynced(t *testing.T, r *rig) {
	t.Helper()
	ctx := t.Context()
	ws := r.fx.Workspace.ID
	ref := memory.New()
	_, err := r.replica(t, ref).Connect(ctx, clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, InitialDays: 2})
	require.NoError(t, err)
	requireClean(t, ref, r.store, ws, r.clock().AddDate(0, 0, -2), true)
}
