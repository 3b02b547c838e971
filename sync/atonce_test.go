package sync_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	gosync "sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	"github.com/heyjasper/jasper-clockify/store/memory"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// TestWebhookCallsAtOnce runs each pair of the calls that change a workspace's webhooks
// at once: the second starts when the first makes its first request, and each request
// that changes something in Clockify, in turn. Each
// either succeeds or finds the workspace disconnected by the other; then a scheduled
// sync settles, and the workspace must be sound: connected, with one webhook of each
// event at its URL, stored, each token verifying; or disconnected, with none left.
func TestWebhookCallsAtOnce(t *testing.T) {
	t.Parallel()
	calls := map[string]func(ctx context.Context, r *rig, eng *clockifysync.Engine) error{
		"connect": func(ctx context.Context, r *rig, eng *clockifysync.Engine) error {
			_, err := eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: r.fx.Workspace.ID,
				WebhookURL: r.hook.URL + "/clockify", InitialDays: 2})
			return err
		},
		"disconnect": func(ctx context.Context, r *rig, eng *clockifysync.Engine) error {
			_, err := eng.Disconnect(ctx, r.fx.Workspace.ID)
			return err
		},
		"move": func(ctx context.Context, r *rig, eng *clockifysync.Engine) error {
			_, err := eng.SetWebhookURL(ctx, r.fx.Workspace.ID, r.hook.URL+"/moved")
			return err
		},
		"rotate": func(ctx context.Context, r *rig, eng *clockifysync.Engine) error {
			return eng.RotateWebhookTokens(ctx, r.fx.Workspace.ID)
		},
		"scheduled sync": func(ctx context.Context, r *rig, eng *clockifysync.Engine) error {
			_, err := eng.SyncScheduled(ctx, r.fx.Workspace.ID)
			return err
		},
	}
	names := slices.Sorted(maps.Keys(calls))
	for mode, open := range oneProcessOrTwoReplicas {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			// Two replicas share one database, each run a workspace of its own (a
			// database each would take minutes); one process has a memory store of its
			// own each run (it reads every workspace's entries for one's).
			shared := open(t)
			for i, first := range names {
				for j, second := range names {
					pair := i*len(names) + j
					t.Run(first+", then "+second, func(t *testing.T) {
						t.Parallel()
						a, b := calls[first], calls[second]
						// Where the first changes something in Clockify when alone: the
						// second starts at its first request, and at each of those (a start
						// at a read between two changes meets the state of the change before).
						r := newRig(t)
						require.NoError(t, calls["connect"](t.Context(), r, r.eng))
						var requests atomic.Int32
						var mu gosync.Mutex
						starts := []int{1}
						count := func(info clockifytest.RequestInfo) {
							n := int(requests.Add(1))
							if info.Method != http.MethodGet && n > 1 {
								mu.Lock()
								starts = append(starts, n)
								mu.Unlock()
							}
						}
						r.onRequest.Store(&count)
						require.NoError(t, a(t.Context(), r, r.eng))
						r.onRequest.Store(nil)
						for _, at := range starts {
							t.Run(fmt.Sprint("at request ", at), func(t *testing.T) {
								t.Parallel()
								store := shared
								if mode == "one process" {
									store = memory.New()
								}
								r := newRigSeeded(t, store, uint64(1000+100*pair+at))
								atOnce(t, r, mode != "one process", a, b, calls["connect"], calls["scheduled sync"], at)
							})
						}
					})
				}
			}
		})
	}
}

// atOnce runs one start of TestWebhookCallsAtOnce: a, and b from a's request at, with
// the rig's engine or, with replicas, b with another.
func atOnce(t *testing.T, r *rig, replicas bool, a, b, connect, settle func(ctx context.Context, r *rig, eng *clockifysync.Engine) error, at int) {
	ctx := t.Context()
	require.NoError(t, connect(ctx, r, r.eng))
	other := r.eng
	if replicas {
		other = r.replica(t, r.store)
	}
	var seen atomic.Int32
	done := make(chan error, 1)
	start := func(clockifytest.RequestInfo) {
		if seen.Add(1) == int32(at) {
			go func() { done <- b(ctx, r, other) }()
		}
	}
	r.onRequest.Store(&start)
	errA := a(ctx, r, r.eng)
	r.onRequest.Store(nil)
	errB := <-done
	for _, err := range []error{errA, errB} {
		if err != nil && !errors.Is(err, clockifysync.ErrNotConnected) {
			t.Fatalf("%v", err)
		}
	}
	conn, err := r.store.Connection(ctx, r.fx.Workspace.ID)
	require.NoError(t, err)
	connected := conn.Status != clockifysync.StatusDisconnected
	if connected {
		require.NoError(t, settle(ctx, r, r.eng))
	}
	r.advance(webhook.DefaultReloadInterval) // the handler reloads the other replica's tokens on a miss
	requireSound(t, r, connected)
}
