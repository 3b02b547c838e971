package sync_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	"github.com/heyjasper/jasper-clockify/store/memory"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// deliveryFailingStore is a failingStore whose counted writes include the webhook
// handler's: its claims on deliveries and its delivery log.
type deliveryFailingStore struct{ *failingStore }

func (s deliveryFailingStore) Claim(ctx context.Context, k webhook.DeliveryKey, now time.Time, lease time.Duration) (webhook.Claim, error) {
	var c webhook.Claim
	err := s.write(func() (err error) {
		c, err = s.Store.Claim(ctx, k, now, lease)
		return err
	})
	return c, err
}
func (s deliveryFailingStore) Complete(ctx context.Context, k webhook.DeliveryKey) error {
	return s.write(func() error { return s.Store.Complete(ctx, k) })
}
func (s deliveryFailingStore) Release(ctx context.Context, k webhook.DeliveryKey) error {
	return s.write(func() error { return s.Store.Release(ctx, k) })
}
func (s deliveryFailingStore) Record(ctx context.Context, d webhook.Delivery) error {
	return s.write(func() error { return s.Store.Record(ctx, d) })
}

// TestADeliveryFailingInTheStore fails each store write that the handling of a delivery
// makes (its claim, the entity's writes, the check for a purge, the claim's completion,
// the delivery's record), before the write is made and after (its answer lost), for each
// of the seven events. Clockify sends again only what the handler did not accept (an
// answer other than 200): the deliveries it accepted, and the redeliveries of the others,
// must leave the store holding the entity as Clockify does, with no sync.
func TestADeliveryFailingInTheStore(t *testing.T) {
	t.Parallel()
	old := now.AddDate(0, 0, -20) // outside any recent window
	type op struct {
		name  string
		setup func(t *testing.T, r *rig) string                                // the entity's id, when it exists before
		do    func(t *testing.T, r *rig, id string) (check func(t *testing.T)) // check: the store holds it as Clockify does
	}
	entry := func(r *rig, id string) func(t *testing.T) {
		return func(t *testing.T) { requireEntryAsClockify(t, r, id) }
	}
	project := func(r *rig, id, name string, deleted bool) func(t *testing.T) {
		return func(t *testing.T) {
			ps, err := r.store.Projects(t.Context(), r.fx.Workspace.ID)
			require.NoError(t, err)
			i := slices.IndexFunc(ps, func(p clockifysync.Project) bool { return p.ID == id })
			require.GreaterOrEqual(t, i, 0, "project stored")
			require.Equal(t, name, ps[i].Name)
			require.Equal(t, deleted, !ps[i].Deleted.IsZero(), "marked deleted")
		}
	}
	archived := func(t *testing.T, r *rig) string { // Clockify deletes archived projects only
		p := r.fx.Projects[0]
		p.Archived = true
		_, err := r.srv.UpdateProject(r.fx.Workspace.ID, p)
		require.NoError(t, err)
		return p.ID
	}
	added := func(t *testing.T, r *rig) string { return r.add(t, "acme/web#7 before", old).ID }
	ops := []op{
		{"entry created", nil, func(t *testing.T, r *rig, _ string) func(t *testing.T) {
			return entry(r, r.add(t, "acme/web#7 created", old).ID)
		}},
		{"entry updated", added, func(t *testing.T, r *rig, id string) func(t *testing.T) {
			return entry(r, r.edit(t, id, "acme/web#8 after").ID)
		}},
		{"entry deleted", added, func(t *testing.T, r *rig, id string) func(t *testing.T) {
			require.NoError(t, r.srv.DeleteTimeEntry(r.fx.Workspace.ID, id))
			return entry(r, id)
		}},
		{"timer stopped", func(t *testing.T, r *rig) string {
			e, err := r.srv.AddTimeEntry(r.fx.Workspace.ID, clockify.TimeEntry{UserID: r.fx.Owner.ID, Description: "acme/web#7 timer",
				TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Hour)}})
			require.NoError(t, err)
			return e.ID
		}, func(t *testing.T, r *rig, id string) func(t *testing.T) {
			_, err := r.srv.StopTimer(r.fx.Workspace.ID, r.fx.Owner.ID, now)
			require.NoError(t, err)
			return entry(r, id)
		}},
		{"project created", nil, func(t *testing.T, r *rig, _ string) func(t *testing.T) {
			p, err := r.srv.AddProject(r.fx.Workspace.ID, clockify.Project{Name: "new-service"})
			require.NoError(t, err)
			return project(r, p.ID, "new-service", false)
		}},
		{"project updated", nil, func(t *testing.T, r *rig, _ string) func(t *testing.T) {
			p := r.fx.Projects[0]
			p.Name = "renamed"
			_, err := r.srv.UpdateProject(r.fx.Workspace.ID, p)
			require.NoError(t, err)
			return project(r, p.ID, "renamed", false)
		}},
		{"project deleted", archived, func(t *testing.T, r *rig, id string) func(t *testing.T) {
			require.NoError(t, r.srv.DeleteProject(r.fx.Workspace.ID, id))
			return project(r, id, r.fx.Projects[0].Name, true)
		}},
	}

	// start connects a rig over a failing store and sets the operation up.
	start := func(t *testing.T, o op, after bool) (*rig, *failingStore, string) {
		fs := &failingStore{Store: memory.New(), after: after}
		r := newRigOn(t, deliveryFailingStore{fs})
		r.connect(t)
		var id string
		if o.setup != nil {
			id = o.setup(t, r)
		}
		return r, fs, id
	}
	for _, o := range ops {
		for _, after := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, failing after the write: %v", o.name, after), func(t *testing.T) {
				t.Parallel()
				// How many writes the delivery makes alone.
				r, fs, id := start(t, o, after)
				before, sent := fs.writes.Load(), len(r.srv.Deliveries())
				o.do(t, r, id)(t)
				n := fs.writes.Load() - before
				require.Positive(t, n)
				for _, d := range r.srv.Deliveries()[sent:] {
					require.Equal(t, http.StatusOK, d.StatusCode, "delivered without a failure")
				}
				for nth := range n {
					t.Run(fmt.Sprint("write ", nth+1), func(t *testing.T) {
						t.Parallel()
						r, fs, id := start(t, o, after)
						fs.nth = fs.writes.Load() + nth + 1
						sent := len(r.srv.Deliveries())
						check := o.do(t, r, id)
						require.GreaterOrEqual(t, fs.writes.Load(), fs.nth, "the write failed")
						for _, d := range r.srv.Deliveries()[sent:] {
							if d.StatusCode != http.StatusOK {
								redeliverUntilAccepted(t, r, d)
							}
						}
						check(t)
					})
				}
			})
		}
	}
}

// redeliverUntilAccepted sends a delivery again as Clockify would (signed with its
// webhook's token), after the claim of the one before has lapsed when the handler
// answered that it may still be applied, until the handler accepts it (200).
func redeliverUntilAccepted(t *testing.T, r *rig, d clockifytest.Delivery) {
	t.Helper()
	hooks := r.srv.Webhooks(r.fx.Workspace.ID)
	i := slices.IndexFunc(hooks, func(h clockify.Webhook) bool { return h.ID == d.WebhookID })
	require.GreaterOrEqual(t, i, 0)
	for attempt := 0; ; attempt++ {
		require.Less(t, attempt, 2, "accepted by the second redelivery at the latest")
		req, err := webhook.NewSignedRequest(d.URL, hooks[i].AuthToken, d.Event, d.Body)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req.WithContext(t.Context()))
		require.NoError(t, err)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return
		}
		require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		r.advance(webhook.DefaultApplyTimeout) // a claim left pending lapses
	}
}

// requireEntryAsClockify checks that the store holds an entry as the fake does: marked
// deleted when the fake no longer has it, else with its description and end.
func requireEntryAsClockify(t *testing.T, r *rig, id string) {
	t.Helper()
	got, err := r.store.Entry(t.Context(), r.fx.Workspace.ID, id)
	require.NoError(t, err)
	es := r.srv.TimeEntries(r.fx.Workspace.ID)
	i := slices.IndexFunc(es, func(e clockify.TimeEntry) bool { return e.ID == id })
	if i < 0 {
		require.False(t, got.Deleted.IsZero(), "marked deleted")
		return
	}
	require.True(t, got.Deleted.IsZero(), "not deleted")
	require.Equal(t, es[i].Description, got.Description)
	require.NotNil(t, es[i].TimeInterval.End, "the entries here end")
	require.True(t, es[i].TimeInterval.End.Equal(got.End), "end %v, stored %v", es[i].TimeInterval.End, got.End)
}
