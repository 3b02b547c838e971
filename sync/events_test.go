package sync_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/analytics"
	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/webhook"
)

func TestWebhookDeliveriesApply(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		r := newRigOn(t, store)
		r.connect(t)
		ws := r.fx.Workspace.ID
		ctx := t.Context()

		// The fake delivers before each call returns.
		added := r.add(t, "#5 login", now.Add(-time.Hour))
		got, err := r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		require.Equal(t, "#5 login", got.Description)

		r.edit(t, added.ID, "#6 login, after review")
		got, err = r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		require.Equal(t, "#6", got.Links[0].Text)

		require.NoError(t, r.srv.DeleteTimeEntry(ws, added.ID))
		got, err = r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		require.False(t, got.Deleted.IsZero())

		p, err := r.srv.AddProject(ws, clockify.Project{Name: "Mobile App", Billable: true})
		require.NoError(t, err)
		projects, err := r.store.Projects(ctx, ws)
		require.NoError(t, err)
		require.True(t, slices.ContainsFunc(projects, func(x clockifysync.Project) bool { return x.ID == p.ID && x.Name == "Mobile App" }))
		p.Archived = true // Clockify deletes archived projects only
		_, err = r.srv.UpdateProject(ws, p)
		require.NoError(t, err)
		require.NoError(t, r.srv.DeleteProject(ws, p.ID))
		projects, err = r.store.Projects(ctx, ws)
		require.NoError(t, err)
		i := slices.IndexFunc(projects, func(x clockifysync.Project) bool { return x.ID == p.ID })
		require.False(t, projects[i].Deleted.IsZero())

		logged, err := r.store.Deliveries(ctx, ws, 0)
		require.NoError(t, err)
		require.Len(t, logged, 6)
		for _, d := range logged {
			require.Equal(t, webhook.OutcomeApplied, d.Outcome, d.Reason)
		}
		for _, d := range r.srv.Deliveries() {
			require.Equal(t, http.StatusOK, d.StatusCode, d.Event)
		}
	})
}

// TestStartingATimerStopsTheOther: Clockify runs one timer per member and stops the
// running one when another starts, telling no webhook of that stop (the fake sends none;
// none is documented). The delivery of the new timer has the engine read the member's
// other running entries again, so that the stopped one does not run on in the store,
// counting up to now in every report. Another member's running timer is left alone.
func TestStartingATimerStopsTheOther(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		r := newRigOn(t, store)
		r.connect(t)
		ws := r.fx.Workspace.ID
		ctx := t.Context()
		member := r.fx.Members[1].User.ID
		start := func(user string, at time.Time) clockify.TimeEntry {
			t.Helper()
			e, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: user, Description: "#5 login", TimeInterval: clockify.TimeInterval{Start: at}})
			require.NoError(t, err)
			return e
		}
		others := start(r.fx.Owner.ID, now.Add(-2*time.Hour))
		first := start(member, now.Add(-time.Hour))
		running := func() []string {
			t.Helper()
			es, err := r.store.EntryIDs(ctx, clockifysync.EntryQuery{WorkspaceID: ws, Running: true})
			require.NoError(t, err)
			return es
		}
		require.Subset(t, running(), []string{others.ID, first.ID})

		second := start(member, now.Add(-10*time.Minute))
		require.NotContains(t, running(), first.ID, "stopped by the second")
		require.Subset(t, running(), []string{others.ID, second.ID})
		got, err := r.store.Entry(ctx, ws, first.ID)
		require.NoError(t, err)
		require.True(t, got.End.Equal(now.Add(-10*time.Minute)), "stopped when the second started: %v", got.End)
		requests := r.srv.RequestCounts()
		_, err = r.srv.StopTimer(ws, member, now)
		require.NoError(t, err)
		require.Equal(t, requests["GET v1/workspaces/{ws}/time-entries/{id}"]+1, r.srv.RequestCounts()["GET v1/workspaces/{ws}/time-entries/{id}"],
			"a stop reads only the entry it tells of")
	})
}

// TestStartingATimerStopsEveryOtherRunning: the store may hold more than one of a
// member's entries running (a stop whose delivery was lost, a sync not yet run); a new
// timer's delivery has each read again, not only the first, and not only those that
// started before it (its start set back, here between the two).
func TestStartingATimerStopsEveryOtherRunning(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws, ctx := r.fx.Workspace.ID, t.Context()
	member := r.fx.Members[1].User.ID
	var stale []string
	for _, start := range []time.Time{now.Add(-3 * time.Hour), now.Add(-2 * time.Hour)} {
		e, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: member, Description: "#5 login",
			TimeInterval: clockify.TimeInterval{Start: start, End: new(start.Add(time.Hour))}})
		require.NoError(t, err)
		got, err := r.store.Entry(ctx, ws, e.ID)
		require.NoError(t, err)
		got.End = time.Time{} // as a lost stop left it
		require.NoError(t, r.store.PutEntries(ctx, []clockifysync.Entry{got}))
		stale = append(stale, e.ID)
	}
	_, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: member, Description: "#6 logout", TimeInterval: clockify.TimeInterval{Start: now.Add(-150 * time.Minute)}})
	require.NoError(t, err)
	running, err := r.store.EntryIDs(ctx, clockifysync.EntryQuery{WorkspaceID: ws, UserID: member, Running: true})
	require.NoError(t, err)
	require.Len(t, running, 1, "only the new timer runs")
	require.NotContains(t, running, stale[0])
	require.NotContains(t, running, stale[1])
}

// TestASplitEntryIsStoredWhole: Clockify's Split action cuts an entry in two, and its
// TIME_ENTRY_SPLIT delivery tells of one part (which one is not documented; the fake's
// of the later). Whichever part it tells of, of a finished entry or a running timer,
// among other entries of the member's in its time, or late, after the part was moved,
// with fetch-on-notify or without, and should Clockify's list leave out an entry that
// starts at the end asked for, the store then holds both parts as Clockify does: not
// the entry as it was (counting the later part's time twice), nor one part alone.
func TestASplitEntryIsStoredWhole(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                                      string
		running, earlier, crowded, moved, noFetch bool
		endLeftOut                                bool // lists leave out entries that start at their end
	}{
		{name: "the later part told"},
		{name: "the earlier part told", earlier: true},
		{name: "a running timer, the later part told", running: true},
		{name: "a running timer, the earlier part told", running: true, earlier: true},
		{name: "among other entries", crowded: true},
		{name: "the later part told after it moved", moved: true},
		{name: "without fetch-on-notify", noFetch: true},
		{name: "the earlier part told, lists leaving out what starts at their end", earlier: true, endLeftOut: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fetch := clockifysync.WithFetchOnNotify(!tc.noFetch)
			var r *rig
			if !tc.endLeftOut {
				r = newRig(t, fetch)
			} else {
				r, _ = newRigBehind(t, func(_ http.ResponseWriter, req *http.Request) bool {
					q := req.URL.Query()
					if end, err := time.Parse(time.RFC3339, q.Get("end")); err == nil {
						q.Set("end", end.Add(-time.Millisecond).Format(time.RFC3339Nano)) // the fake's end is inclusive
						req.URL.RawQuery = q.Encode()
					}
					return false
				}, fetch)
			}
			r.connect(t)
			ws := r.fx.Workspace.ID
			ctx := t.Context()
			member := r.srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Splitter"}}) // no other entries
			e := clockify.TimeEntry{UserID: member.ID, Description: "PR #5 review", TimeInterval: clockify.TimeInterval{Start: now.Add(-3 * time.Hour)}}
			if !tc.running {
				e.TimeInterval.End = new(now.Add(-time.Hour))
			}
			e, err := r.srv.AddTimeEntry(ws, e)
			require.NoError(t, err)
			for i := range 6 {
				if !tc.crowded {
					break
				}
				start := now.Add(-170*time.Minute + time.Duration(i)*5*time.Minute) // after it, before the split
				_, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: member.ID, Description: "standup",
					TimeInterval: clockify.TimeInterval{Start: start, End: new(start.Add(5 * time.Minute))}})
				require.NoError(t, err)
			}
			told := !tc.earlier && !tc.moved // the fake's delivery is the one Clockify sends
			if !told {
				admin, err := r.srv.NewClient(r.fx.OwnerKey)
				require.NoError(t, err)
				for _, h := range r.srv.Webhooks(ws) {
					if h.WebhookEvent == clockify.EventTimeEntrySplit {
						_, err = admin.Webhooks.Delete(ctx, ws, h.ID)
						require.NoError(t, err)
					}
				}
			}
			lists := r.srv.Requests(listRoute)
			later, err := r.srv.SplitTimeEntry(ws, e.ID, now.Add(-2*time.Hour))
			require.NoError(t, err)
			if tc.moved { // a day back, delivered at once; the split's delivery comes after
				moved := later
				moved.TimeInterval = clockify.TimeInterval{Start: later.TimeInterval.Start.AddDate(0, 0, -1), End: new(later.TimeInterval.End.AddDate(0, 0, -1))}
				_, err := r.srv.UpdateTimeEntry(ws, moved)
				require.NoError(t, err)
			}
			parts := slices.DeleteFunc(r.srv.TimeEntries(ws), func(x clockify.TimeEntry) bool { return x.ID != e.ID && x.ID != later.ID })
			require.Len(t, parts, 2)
			if !told {
				part := later
				if tc.earlier {
					part = parts[slices.IndexFunc(parts, func(x clockify.TimeEntry) bool { return x.ID == e.ID })]
				}
				lists = r.srv.Requests(listRoute)
				require.NoError(t, r.eng.Apply(ctx, &webhook.Event{Kind: webhook.TimeEntryUpdated, Wire: clockify.EventTimeEntrySplit,
					WorkspaceID: ws, EntityID: part.ID, TimeEntry: &part}))
			}
			for _, want := range parts {
				got, err := r.store.Entry(ctx, ws, want.ID)
				require.NoError(t, err, "part %s stored", want.ID)
				require.True(t, want.TimeInterval.Start.Equal(got.Start), "start of %s: %v", want.ID, got.Start)
				require.Equal(t, want.TimeInterval.End == nil, got.Running(), "part %s running", want.ID)
				if want.TimeInterval.End != nil {
					require.True(t, want.TimeInterval.End.Equal(got.End), "end of %s: %v", want.ID, got.End)
				}
				require.Equal(t, "PR #5 review", got.Description)
			}
			require.Equal(t, lists+1, r.srv.Requests(listRoute), "one list of the member's entries")
		})
	}
}

// TestASplitPartDeletedBeforeItsDeliveryIsApplied: a TIME_ENTRY_SPLIT delivery applied
// after Clockify deleted the part it tells of: the part is not stored as live, and the
// member's entries over the entry split (the part as the delivery told it, and the entry
// as stored) are read all the same, in one list, so the other part is stored as Clockify
// holds it, not as the entry was before the split. The list does not reach back over the
// member's entry that ended before the part.
func TestASplitPartDeletedBeforeItsDeliveryIsApplied(t *testing.T) {
	t.Parallel()
	var (
		mu     gosync.Mutex
		member string
		spans  []string // the start and end of each list of the member's entries
	)
	r, _ := newRigBehind(t, func(_ http.ResponseWriter, req *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		if member != "" && req.Method == http.MethodGet && strings.HasSuffix(req.URL.Path, "/user/"+member+"/time-entries") {
			spans = append(spans, req.URL.Query().Get("start")+" "+req.URL.Query().Get("end"))
		}
		return false
	})
	r.connect(t)
	ws, ctx := r.fx.Workspace.ID, t.Context()
	splitter := r.srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Splitter"}})
	_, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: splitter.ID, Description: "standup", // ended before the split part
		TimeInterval: clockify.TimeInterval{Start: now.Add(-5 * time.Hour), End: new(now.Add(-4 * time.Hour))}})
	require.NoError(t, err)
	e, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: splitter.ID, Description: "PR #5 review",
		TimeInterval: clockify.TimeInterval{Start: now.Add(-3 * time.Hour), End: new(now.Add(-time.Hour))}})
	require.NoError(t, err)
	admin, err := r.srv.NewClient(r.fx.OwnerKey)
	require.NoError(t, err)
	for _, h := range r.srv.Webhooks(ws) {
		if h.WebhookEvent == clockify.EventTimeEntrySplit { // the test delivers the split itself, late
			_, err = admin.Webhooks.Delete(ctx, ws, h.ID)
			require.NoError(t, err)
		}
	}
	later, err := r.srv.SplitTimeEntry(ws, e.ID, now.Add(-2*time.Hour))
	require.NoError(t, err)
	require.NoError(t, r.srv.DeleteTimeEntry(ws, later.ID))
	mu.Lock()
	member = splitter.ID
	mu.Unlock()

	require.NoError(t, r.eng.Apply(ctx, &webhook.Event{Kind: webhook.TimeEntryUpdated, Wire: clockify.EventTimeEntrySplit,
		WorkspaceID: ws, EntityID: later.ID, TimeEntry: &later}))
	got, err := r.store.Entry(ctx, ws, e.ID)
	require.NoError(t, err)
	require.True(t, now.Add(-2*time.Hour).Equal(got.End), "the earlier part ends at the split: %v", got.End)
	if got, err := r.store.Entry(ctx, ws, later.ID); !errors.Is(err, clockifysync.ErrNotFound) {
		require.NoError(t, err)
		require.False(t, got.Deleted.IsZero(), "the deleted part is not live")
	}
	mu.Lock()
	defer mu.Unlock()
	over := now.Add(-3*time.Hour).Format(time.RFC3339) + " " + now.Add(-time.Hour).Format(time.RFC3339)
	require.Equal(t, []string{over}, spans, "one list of the member's entries, over the entry split")
}

// TestAnEditBackIsNoDuplicate: Clockify's payloads carry no modification time, so an
// entry edited back to a state it was delivered in sends that delivery's body again.
// The handler takes it for a duplicate only while the store still holds that state:
// after a late delivery that read the entry again, or a sync, stored a newer one, the
// edit back is applied.
func TestAnEditBackIsNoDuplicate(t *testing.T) {
	t.Parallel()
	for name, meanwhile := range map[string]func(t *testing.T, r *rig, e clockify.TimeEntry, late clockifytest.Delivery){
		"a late delivery": func(t *testing.T, r *rig, e clockify.TimeEntry, late clockifytest.Delivery) {
			r.edit(t, e.ID, "#8 logout")
			require.Equal(t, "ok\n", r.resend(t, late))
		},
		"a sync": func(t *testing.T, r *rig, e clockify.TimeEntry, _ clockifytest.Delivery) {
			_, err := r.eng.Disconnect(t.Context(), r.fx.Workspace.ID) // its webhooks go
			require.NoError(t, err)
			r.edit(t, e.ID, "#8 logout")
			r.connect(t) // the initial sync reads the edit
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			r.connect(t)
			ws := r.fx.Workspace.ID
			e := r.add(t, "#5 login", now.Add(-time.Hour))
			r.edit(t, e.ID, "#7 login, reviewed")
			ds := r.srv.Deliveries()
			told := ds[len(ds)-1]
			meanwhile(t, r, e, told)
			got, err := r.store.Entry(t.Context(), ws, e.ID)
			require.NoError(t, err)
			require.Equal(t, "#8 logout", got.Description)

			r.edit(t, e.ID, "#7 login, reviewed")
			ds = r.srv.Deliveries()
			require.Equal(t, told.Body, ds[len(ds)-1].Body, "the edit back sends the same body")
			got, err = r.store.Entry(t.Context(), ws, e.ID)
			require.NoError(t, err)
			require.Equal(t, "#7 login, reviewed", got.Description)
			logged, err := r.store.Deliveries(t.Context(), ws, 1)
			require.NoError(t, err)
			require.Equal(t, webhook.OutcomeApplied, logged[0].Outcome)
			require.Equal(t, "a repeat, but the entity has changed since", logged[0].Reason)

			require.Equal(t, "duplicate\n", r.resend(t, told), "sent again as it is")
		})
	}
}

// TestARedeliveryIsADuplicate: Clockify delivering the same body again, its entry as the
// store holds it, is a duplicate and is not read again, in the shape of Clockify's
// sample payloads, which carry no entry type (as the fake's do), and with a type.
func TestARedeliveryIsADuplicate(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	r.edit(t, r.add(t, "#5 login", now.Add(-time.Hour)).ID, "#6 login")
	ds := r.srv.Deliveries()
	d := ds[len(ds)-1]
	require.NotContains(t, string(d.Body), `"type":`, "no entry type, as in Clockify's samples")
	gets := func() int { return r.srv.RequestCounts()["GET v1/workspaces/{ws}/time-entries/{id}"] }
	for n := range 3 {
		before := gets()
		require.Equal(t, "duplicate\n", r.resend(t, d), "delivery %d", n)
		require.Equal(t, before, gets(), "reads of the entry, delivery %d", n)
	}
	// A body that carries the entry's type is one too, sent again: its type is the
	// stored one.
	typed := d
	typed.Body = bytes.Replace(d.Body, []byte("{"), []byte(`{"type":"REGULAR",`), 1)
	require.Equal(t, "ok\n", r.resend(t, typed), "another body")
	require.Equal(t, "duplicate\n", r.resend(t, typed), "the same body again")
}

// TestAProjectEditedBackIsNoDuplicate: as TestAnEditBackIsNoDuplicate, for a project
// renamed while the workspace was disconnected, and renamed back once connected again;
// that delivery, and the project's deletion, sent again as they are, are duplicates.
func TestAProjectEditedBackIsNoDuplicate(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ps, err := r.store.Projects(t.Context(), ws)
	require.NoError(t, err)
	p := r.fx.Projects[slices.IndexFunc(r.fx.Projects, func(p clockify.Project) bool { return p.ID == ps[0].ID })] // the store's first: index 0, the edge of the duplicate check's lookup
	rename := func(name string) {
		t.Helper()
		p.Name = name
		_, err := r.srv.UpdateProject(ws, p)
		require.NoError(t, err)
	}
	rename("Web app")
	_, err = r.eng.Disconnect(t.Context(), ws)
	require.NoError(t, err)
	rename("Web app, old")
	r.connect(t)
	require.Equal(t, "Web app, old", r.storedProject(t, p.ID).Name)
	rename("Web app")
	require.Equal(t, "Web app", r.storedProject(t, p.ID).Name, "the same body as the first rename, applied")

	last := func() clockifytest.Delivery { ds := r.srv.Deliveries(); return ds[len(ds)-1] }
	require.Equal(t, "duplicate\n", r.resend(t, last()), "the rename back, sent again")
	p.Archived = true // Clockify deletes archived projects only
	_, err = r.srv.UpdateProject(ws, p)
	require.NoError(t, err)
	require.NoError(t, r.srv.DeleteProject(ws, p.ID))
	require.False(t, r.storedProject(t, p.ID).Deleted.IsZero(), "deleted")
	require.Equal(t, "duplicate\n", r.resend(t, last()), "the deletion, sent again")
}

// TestADeletionDoneAgainIsNoDuplicate: as TestAnEditBackIsNoDuplicate, for an entry
// deleted, restored (Clockify's undo) with no delivery to tell, read back by a sync, and
// deleted again, which sends the first deletion's body again: applied, as the store holds
// the entry undeleted; sent again as it is, a duplicate.
func TestADeletionDoneAgainIsNoDuplicate(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws, ctx := r.fx.Workspace.ID, t.Context()
	e := r.add(t, "#5 login", now.Add(-time.Hour))
	require.NoError(t, r.srv.DeleteTimeEntry(ws, e.ID))
	ds := r.srv.Deliveries()
	first := ds[len(ds)-1]
	require.Equal(t, clockify.EventTimeEntryDeleted, first.Event)
	r.requireMarkedDeleted(t, e.ID, true, "deleted")

	admin, err := r.srv.NewClient(r.fx.OwnerKey)
	require.NoError(t, err)
	hooks := r.srv.Webhooks(ws)
	restores := hooks[slices.IndexFunc(hooks, func(h clockify.Webhook) bool { return h.WebhookEvent == clockify.EventTimeEntryRestored })]
	_, err = admin.Webhooks.Delete(ctx, ws, restores.ID)
	require.NoError(t, err)
	_, err = r.srv.RestoreTimeEntry(ws, e.ID)
	require.NoError(t, err)
	r.advance(time.Hour)
	_, err = r.eng.SyncScheduled(ctx, ws)
	require.NoError(t, err)
	r.requireMarkedDeleted(t, e.ID, false, "restored, read back by the sync")

	require.NoError(t, r.srv.DeleteTimeEntry(ws, e.ID))
	ds = r.srv.Deliveries()
	require.Equal(t, first.Body, ds[len(ds)-1].Body, "the second deletion sends the same body")
	r.requireMarkedDeleted(t, e.ID, true, "deleted again")
	require.Equal(t, "duplicate\n", r.resend(t, first), "sent again as it is")
}

// resend sends a delivery again, signed with the token of the workspace's webhook for its
// event (which may have been registered again since), and returns the answer.
func (r *rig) resend(t *testing.T, d clockifytest.Delivery) string {
	t.Helper()
	hooks := r.srv.Webhooks(d.WorkspaceID)
	i := slices.IndexFunc(hooks, func(h clockify.Webhook) bool { return h.WebhookEvent == d.Event })
	require.GreaterOrEqual(t, i, 0, "no webhook for %s", d.Event)
	req, err := webhook.NewSignedRequest(r.hook.URL+"/clockify", hooks[i].AuthToken, d.Event, d.Body)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req.WithContext(t.Context()))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(body)
}

// TestRedeliveryAfterAReplicaDiedApplying: a replica claimed a delivery and died applying
// it (a crash, a deploy). Clockify's redelivery, reaching another replica, is asked for
// again while the claim may still be in use, and applied once the claim has lapsed.
func TestRedeliveryAfterAReplicaDiedApplying(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		var elapsed atomic.Int64
		clock := func() time.Time { return now.Add(time.Duration(elapsed.Load())) }
		r := newRigOn(t, store, clockifysync.WithClock(clock))
		dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			body, err := io.ReadAll(req.Body)
			assert.NoError(t, err)
			ev, err := webhook.Parse(req.Header.Get(webhook.EventTypeHeader), body)
			if assert.NoError(t, err) {
				_, err = store.Claim(req.Context(), webhook.KeyOf(ev, body), clock(), webhook.DefaultApplyTimeout)
				assert.NoError(t, err)
			}
			panic(http.ErrAbortHandler) // dies with the claim taken
		}))
		t.Cleanup(dead.Close)
		ws := r.fx.Workspace.ID
		ctx := t.Context()
		_, err := r.eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, WebhookURL: dead.URL})
		require.NoError(t, err)
		added := r.add(t, "#5 login", now.Add(-time.Hour))
		sent := r.srv.Deliveries()
		first := sent[len(sent)-1]
		require.Zero(t, first.StatusCode, "no answer")

		hooks := r.srv.Webhooks(ws)
		token := hooks[slices.IndexFunc(hooks, func(h clockify.Webhook) bool { return h.ID == first.WebhookID })].AuthToken
		redeliver := func() int {
			req, err := webhook.NewSignedRequest(r.hook.URL, token, first.Event, first.Body)
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req.WithContext(ctx))
			require.NoError(t, err)
			resp.Body.Close()
			return resp.StatusCode
		}
		require.Equal(t, http.StatusServiceUnavailable, redeliver(), "the claim may still be in use: send it again")
		_, err = r.store.Entry(ctx, ws, added.ID)
		require.ErrorIs(t, err, clockifysync.ErrNotFound)

		elapsed.Add(int64(webhook.DefaultApplyTimeout))
		require.Equal(t, http.StatusOK, redeliver(), "the claim lapsed")
		got, err := r.store.Entry(ctx, ws, added.ID)
		require.NoError(t, err)
		require.Equal(t, "#5 login", got.Description)
	})
}

// TestDeliveryOfAnEntityTheKeyMayNotRead: when Clockify will not let the key read a
// delivered entry or project again (403: another member's entry, a private project,
// after a member's key took over from the admin's that registered the webhooks), the
// verified delivery's own account of it is stored (a new entry, an edit, running timers,
// a deletion; a new project, renamed, deleted), as without fetch-on-notify, instead of
// failing every delivery with 503; the timer the next one stopped is left to the syncs.
func TestDeliveryOfAnEntityTheKeyMayNotRead(t *testing.T) {
	t.Parallel()
	var refuseReads atomic.Bool
	readByID := regexp.MustCompile(`/(time-entries|projects)/[^/]+$`)
	r, _ := newRigBehind(t, func(w http.ResponseWriter, req *http.Request) bool {
		return refuseReads.Load() && req.Method == http.MethodGet && readByID.MatchString(req.URL.Path) &&
			refuse(w, http.StatusForbidden, `{"message":"Access Denied","code":501}`)
	})
	r.connect(t)
	ws := r.fx.Workspace.ID
	refuseReads.Store(true)

	e := r.add(t, "#12 read by no one", now.Add(-2*time.Hour))
	r.requireDescription(t, e)
	e = r.edit(t, e.ID, "#12 edited, read by no one")
	r.requireDescription(t, e)
	for _, desc := range []string{"#13 running", "#14 running, which stops #13"} {
		running, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: r.fx.Owner.ID, Description: desc,
			TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Minute)}})
		require.NoError(t, err)
		r.requireDescription(t, running)
	}
	require.NoError(t, r.srv.DeleteTimeEntry(ws, e.ID))
	r.requireMarkedDeleted(t, e.ID, true, "deleted")

	p, err := r.srv.AddProject(ws, clockify.Project{Name: "secret-service"})
	require.NoError(t, err)
	p.Name, p.Archived = "secret-service-old", true
	_, err = r.srv.UpdateProject(ws, p)
	require.NoError(t, err)
	require.Equal(t, "secret-service-old", r.storedProject(t, p.ID).Name)
	require.NoError(t, r.srv.DeleteProject(ws, p.ID))
	require.False(t, r.storedProject(t, p.ID).Deleted.IsZero(), "the project marked deleted")

	deliveries, err := r.store.Deliveries(t.Context(), ws, 0)
	require.NoError(t, err)
	require.Len(t, deliveries, 8)
	for _, d := range deliveries {
		require.Equal(t, http.StatusOK, d.Status, "%s: %s", d.EventType, d.Reason)
	}
}

func TestWebhookRefusesForgery(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	body := `{"id":"66aa00000000000000000001","workspaceId":"` + ws + `","userId":"u","description":"forged","timeInterval":{"start":"2026-11-20T10:00:00Z","end":"2026-11-20T11:00:00Z","duration":"PT1H"}}`
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, r.hook.URL+"/clockify", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set(webhook.SignatureHeader, "guessed-token")
	req.Header.Set("Clockify-Webhook-Event-Type", string(clockify.EventNewTimeEntry))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	_, err = r.store.Entry(t.Context(), ws, "66aa00000000000000000001")
	require.ErrorIs(t, err, clockifysync.ErrNotFound, "nothing stored")
}

// TestApplyWithoutFetchKeepsTheType: Clockify's payloads carry no entry type and no
// rates, so with fetch-on-notify off an edit of a break, applied from its payload, leaves
// it a break with its rate (before, it became work, counted in every report until a
// sync, and lost Clockify's rate). A payload that carries either is taken at its word
// for it, and the other is still kept.
func TestApplyWithoutFetchKeepsTheType(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		typ          clockify.TimeEntryType
		rate         *clockify.Rate
		wantBreak    bool
		wantRate     int64 // 0: the rate stored before
		wantCurrency string
	}{
		{name: "neither, as Clockify's payloads", wantBreak: true},
		{name: "a type", typ: clockify.TimeEntryRegular},
		{name: "a rate", rate: &clockify.Rate{Amount: 1, Currency: "NZD"}, wantBreak: true, wantRate: 1, wantCurrency: "NZD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, clockifysync.WithFetchOnNotify(false))
			r.connect(t)
			ws := r.fx.Workspace.ID
			brk, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: r.fx.Owner.ID, Description: "lunch", Type: clockify.TimeEntryBreak,
				TimeInterval: clockify.TimeInterval{Start: now.Add(-2 * time.Hour), End: new(now.Add(-time.Hour))}})
			require.NoError(t, err)
			_, err = r.eng.SyncRecent(t.Context(), ws)
			require.NoError(t, err)
			stored, err := r.store.Entry(t.Context(), ws, brk.ID)
			require.NoError(t, err)
			require.False(t, stored.IsWork())
			require.Positive(t, stored.HourlyRate)
			require.NotEqual(t, tc.wantRate, stored.HourlyRate)
			if tc.wantRate == 0 {
				tc.wantRate, tc.wantCurrency = stored.HourlyRate, stored.Currency
			}

			edited := brk
			edited.Description, edited.Type, edited.HourlyRate = "a longer lunch", tc.typ, tc.rate
			require.NoError(t, r.eng.Apply(t.Context(), &webhook.Event{Kind: webhook.TimeEntryUpdated, Wire: clockify.EventTimeEntryUpdated,
				WorkspaceID: ws, EntityID: brk.ID, TimeEntry: &edited}))
			stored, err = r.store.Entry(t.Context(), ws, brk.ID)
			require.NoError(t, err)
			require.Equal(t, "a longer lunch", stored.Description)
			require.Equal(t, tc.wantBreak, !stored.IsWork(), "a break")
			require.Equal(t, tc.wantRate, stored.HourlyRate, "its rate")
			require.Equal(t, tc.wantCurrency, stored.Currency)
		})
	}
}

// TestApplyWithFetchTakesTheRateAsRead: with fetch-on-notify, the entry Clockify answers
// is stored as a window sync would store it: read with no rate (its rates removed in
// Clockify), it loses the rate it was stored with. Only a payload, without the read,
// leaves the stored rate in place (TestApplyWithoutFetchKeepsTheType).
func TestApplyWithFetchTakesTheRateAsRead(t *testing.T) {
	t.Parallel()
	var victim atomic.Pointer[string]
	r := newRigRewriting(t, func(req *http.Request) func(body any) {
		id := victim.Load()
		if id == nil || req.Method != http.MethodGet || !strings.HasSuffix(req.URL.Path, "/time-entries/"+*id) {
			return nil
		}
		return func(body any) { body.(map[string]any)["hourlyRate"] = nil }
	})
	r.connect(t)
	ws := r.fx.Workspace.ID
	e := r.add(t, "#5 rated", now.Add(-2*time.Hour))
	stored, err := r.store.Entry(t.Context(), ws, e.ID)
	require.NoError(t, err)
	require.Positive(t, stored.HourlyRate, "stored with Clockify's rate")

	victim.Store(&e.ID)
	r.edit(t, e.ID, "#5 rated no more")
	stored, err = r.store.Entry(t.Context(), ws, e.ID)
	require.NoError(t, err)
	require.Equal(t, "#5 rated no more", stored.Description, "the delivery was applied")
	require.Zero(t, stored.HourlyRate, "the rate as read")
	require.Empty(t, stored.Currency)
}

// TestApplyWithoutFetch: with fetch-on-notify off, a delivery's payload is stored as it
// came, and Clockify is not asked again.
func TestApplyWithoutFetch(t *testing.T) {
	t.Parallel()
	r := newRig(t, clockifysync.WithFetchOnNotify(false))
	r.connect(t)
	ws := r.fx.Workspace.ID
	const get = "GET v1/workspaces/{ws}/time-entries/{id}"
	before := r.srv.Requests(get)
	added := r.add(t, "PR #77 from the payload", now.Add(-time.Hour))
	got, err := r.store.Entry(t.Context(), ws, added.ID)
	require.NoError(t, err)
	require.Equal(t, "PR #77 from the payload", got.Description)
	require.NoError(t, r.srv.DeleteTimeEntry(ws, added.ID))
	got, err = r.store.Entry(t.Context(), ws, added.ID)
	require.NoError(t, err)
	require.False(t, got.Deleted.IsZero())
	require.Equal(t, before, r.srv.Requests(get), "no entry read by id")

	// A project's deliveries too: created, then deleted, from their payloads alone.
	const getProject = "GET v1/workspaces/{ws}/projects/{id}"
	p, err := r.srv.AddProject(ws, clockify.Project{Name: "from-the-payload"})
	require.NoError(t, err)
	proj := r.storedProject(t, p.ID) // stored from the payload
	require.Equal(t, "from-the-payload", proj.Name)
	require.True(t, proj.Deleted.IsZero())
	p.Archived = true
	_, err = r.srv.UpdateProject(ws, p)
	require.NoError(t, err)
	require.NoError(t, r.srv.DeleteProject(ws, p.ID))
	require.False(t, r.storedProject(t, p.ID).Deleted.IsZero(), "marked deleted from the payload")
	require.Zero(t, r.srv.Requests(getProject), "no project read by id")

	// A delivery without its entry or project cannot be applied, now or later.
	err = r.eng.Apply(t.Context(), &webhook.Event{Kind: webhook.TimeEntryUpdated, WorkspaceID: ws, EntityID: "x"})
	require.ErrorIs(t, err, webhook.ErrPermanent)
	err = r.eng.Apply(t.Context(), &webhook.Event{Kind: webhook.ProjectUpdated, WorkspaceID: ws, EntityID: "y"})
	require.ErrorIs(t, err, webhook.ErrPermanent)
	// Nor can an entry without a start, or ending before it, which no report could count
	// (each would fail with it): the entry stored stays as it was, and none is added.
	kept := r.add(t, "PR #78 kept", now.Add(-time.Hour))
	for _, ti := range []clockify.TimeInterval{{}, {End: new(now)}, {Start: now, End: new(now.Add(-time.Second))}} {
		for _, id := range []string{kept.ID, "0123456789abcdef01234567"} {
			bad := kept
			bad.ID, bad.Description, bad.TimeInterval = id, "PR #79 bad", ti
			err = r.eng.Apply(t.Context(), &webhook.Event{Kind: webhook.TimeEntryUpdated, Wire: clockify.EventTimeEntryUpdated,
				WorkspaceID: ws, EntityID: id, TimeEntry: &bad})
			require.ErrorIs(t, err, webhook.ErrPermanent, "%+v", ti)
		}
	}
	got, err = r.store.Entry(t.Context(), ws, kept.ID)
	require.NoError(t, err)
	require.Equal(t, "PR #78 kept", got.Description)
	_, err = r.store.Entry(t.Context(), ws, "0123456789abcdef01234567")
	require.ErrorIs(t, err, clockifysync.ErrNotFound)
	_, err = r.eng.Report(t.Context(), clockifysync.EntryQuery{WorkspaceID: ws}, analytics.Options{})
	require.NoError(t, err)

	// A project deleted before it was ever stored leaves nothing to mark: applied, no
	// redelivery asked for, nothing stored.
	stored, err := r.store.Projects(t.Context(), ws)
	require.NoError(t, err)
	err = r.eng.Apply(t.Context(), &webhook.Event{Kind: webhook.ProjectDeleted, WorkspaceID: ws, EntityID: "never-stored",
		Project: &clockify.Project{ID: "never-stored", WorkspaceID: ws, Name: "gone"}})
	require.NoError(t, err)
	after, err := r.store.Projects(t.Context(), ws)
	require.NoError(t, err)
	require.Equal(t, stored, after)
}

// TestDeliveriesAppliedAtOnceKeepTheLatest: two deliveries about one entry applied at
// once (an entry edited, then edited again or deleted, within a second) leave what the
// later one read, whichever finishes last. Here the second change is made, delivered and
// applied after the first delivery has read the entry and before it stores it.
func TestDeliveriesAppliedAtOnceKeepTheLatest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		second func(t *testing.T, r *rig, id string)
		want   func(t *testing.T, got clockifysync.Entry)
	}{
		{"edited again", func(t *testing.T, r *rig, id string) { r.edit(t, id, "PR #2 second edit") },
			func(t *testing.T, got clockifysync.Entry) { require.Equal(t, "PR #2 second edit", got.Description) }},
		{"deleted", func(t *testing.T, r *rig, id string) {
			require.NoError(t, r.srv.DeleteTimeEntry(r.fx.Workspace.ID, id))
		},
			func(t *testing.T, got clockifysync.Entry) { require.False(t, got.Deleted.IsZero(), "stays deleted") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			r.connect(t)
			e := r.add(t, "PR #1 first", now.Add(-time.Hour))
			var armed atomic.Bool
			armed.Store(true)
			hook := func(info clockifytest.RequestInfo) {
				if info.Route == "GET v1/workspaces/{ws}/time-entries/{id}" && armed.CompareAndSwap(true, false) {
					tc.second(t, r, e.ID)
				}
			}
			r.onRequest.Store(&hook)

			r.edit(t, e.ID, "PR #1 first edit")
			require.False(t, armed.Load(), "the second change came while the first delivery applied")
			for _, d := range r.srv.Deliveries() {
				require.Equal(t, http.StatusOK, d.StatusCode)
			}
			got, err := r.store.Entry(t.Context(), r.fx.Workspace.ID, e.ID)
			require.NoError(t, err)
			tc.want(t, got)
		})
	}
}

// TestDeliveryDuringASyncIsKept: entries changed, delivered and applied while a sync
// reads their member's entries, after the sync's read and before its write, are left as
// the deliveries stored them. When this engine applied the deliveries, the sync reads
// each entry again before it ends; when another replica did (whose deliveries this one
// does not see), the store keeps what was read last (Entry.Synced), whichever writes last.
func TestDeliveryDuringASyncIsKept(t *testing.T) {
	t.Parallel()
	thisEngineAndAReplica(t, func(t *testing.T, store clockifysync.Store, replica bool) {
		r := newRigOn(t, store)
		r.connect(t)
		e := r.add(t, "PR #1 before", now.Add(-time.Hour))
		other := r.add(t, "PR #3 before", now.Add(-2*time.Hour))
		var armed atomic.Bool
		armed.Store(true)
		hook := func(info clockifytest.RequestInfo) {
			if info.Route == listRoute && strings.Contains(info.Path, "/user/"+r.fx.Owner.ID+"/") && armed.CompareAndSwap(true, false) {
				if replica { // this engine's re-read must keep it even with the clock still
					r.advance(time.Minute)
				}
				r.edit(t, e.ID, "PR #2 edited during the sync") // delivered to the rig's engine
				r.edit(t, other.ID, "PR #4 edited during the sync too")
			}
		}
		r.onRequest.Store(&hook)

		syncing := r.eng
		if replica {
			syncing = r.replica(t, r.store)
		}
		_, err := syncing.SyncRecent(t.Context(), r.fx.Workspace.ID)
		require.NoError(t, err)
		require.False(t, armed.Load(), "the entry was edited while the sync read it")
		got, err := r.store.Entry(t.Context(), r.fx.Workspace.ID, e.ID)
		require.NoError(t, err)
		require.Equal(t, "PR #2 edited during the sync", got.Description)
		require.Equal(t, 2, got.Links[0].Number)
		got, err = r.store.Entry(t.Context(), r.fx.Workspace.ID, other.ID)
		require.NoError(t, err)
		require.Equal(t, "PR #4 edited during the sync too", got.Description, "each entry delivered is kept")
	})
}

// TestDeliveriesAppliedAtOnceOnTwoReplicas: as TestDeliveriesAppliedAtOnceKeepTheLatest,
// with the two deliveries applied by two replicas: the one that read the entry last wins,
// whichever stores last.
func TestDeliveriesAppliedAtOnceOnTwoReplicas(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	e := r.add(t, "PR #1 first", now.Add(-time.Hour))
	var armed atomic.Bool
	armed.Store(true)
	hook := func(info clockifytest.RequestInfo) {
		if info.Route == "GET v1/workspaces/{ws}/time-entries/{id}" && armed.CompareAndSwap(true, false) {
			r.advance(time.Second)
			r.edit(t, e.ID, "PR #2 second edit") // delivered to the rig's engine
		}
	}
	r.onRequest.Store(&hook)

	err := r.replica(t, r.store).Apply(t.Context(), &webhook.Event{Kind: webhook.TimeEntryUpdated,
		Wire: clockify.EventTimeEntryUpdated, WorkspaceID: r.fx.Workspace.ID, EntityID: e.ID})
	require.NoError(t, err)
	require.False(t, armed.Load(), "the second edit came while the replica applied the first")
	got, err := r.store.Entry(t.Context(), r.fx.Workspace.ID, e.ID)
	require.NoError(t, err)
	require.Equal(t, "PR #2 second edit", got.Description)
}

// TestForgedRequestWithAnyBytesIsLogged: a forged request's event type header may hold
// any byte; the delivery log keeps its record on every store (PostgreSQL refuses text
// that is not UTF-8, or holds NUL).
func TestForgedRequestWithAnyBytesIsLogged(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, store clockifysync.Store) {
		r := newRigOn(t, store)
		r.connect(t)
		h, err := r.eng.Handler(t.Context())
		require.NoError(t, err)
		req := httptest.NewRequest(http.MethodPost, "/clockify", strings.NewReader("{}"))
		req.Header.Set(webhook.EventTypeHeader, "NEW\x00\xff\xfe_ENTRY")
		req.Header.Set(webhook.SignatureHeader, "forged")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Equal(t, http.StatusBadRequest, rec.Code, "an unknown event type")
		logged, err := r.store.Deliveries(t.Context(), "", 1)
		require.NoError(t, err)
		require.Len(t, logged, 1)
		require.Equal(t, "NEW\uFFFD\uFFFD_ENTRY", logged[0].EventType)
	})
}
