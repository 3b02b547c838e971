package sync_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/store/memory"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// writeHooked calls onWrite before each of the writes that change entries, links,
// mappings and connections, with their count so far.
type writeHooked struct {
	clockifysync.Store
	writes  atomic.Int32
	onWrite atomic.Pointer[func(n int32)]
}

func (s *writeHooked) wrote() {
	n := s.writes.Add(1)
	if fn := s.onWrite.Load(); fn != nil {
		(*fn)(n)
	}
}

func (s *writeHooked) PutEntries(ctx context.Context, es []clockifysync.Entry) error {
	s.wrote()
	return s.Store.PutEntries(ctx, es)
}
func (s *writeHooked) ReplaceAutoLinks(ctx context.Context, es []clockifysync.Entry) error {
	s.wrote()
	return s.Store.ReplaceAutoLinks(ctx, es)
}
func (s *writeHooked) SetProjectMapping(ctx context.Context, m clockifysync.ProjectMapping) error {
	s.wrote()
	return s.Store.SetProjectMapping(ctx, m)
}
func (s *writeHooked) DeleteProjectMapping(ctx context.Context, ws, project string) error {
	s.wrote()
	return s.Store.DeleteProjectMapping(ctx, ws, project)
}
func (s *writeHooked) UpdateConnection(ctx context.Context, ws string, change func(*clockifysync.Connection) error) error {
	s.wrote()
	return s.Store.UpdateConnection(ctx, ws, change)
}

// writeHookedLocker is a writeHooked over a store that locks workspaces across replicas.
type writeHookedLocker struct{ *writeHooked }

func (s writeHookedLocker) LockWorkspace(ctx context.Context, kind, ws string, waiting func()) (func(), error) {
	return s.Store.(clockifysync.WorkspaceLocker).LockWorkspace(ctx, kind, ws, waiting)
}

// hookWrites wraps a store in a writeHooked, keeping its locks.
func hookWrites(store clockifysync.Store) (*writeHooked, clockifysync.Store) {
	h := &writeHooked{Store: store}
	if _, ok := store.(clockifysync.WorkspaceLocker); ok {
		return h, writeHookedLocker{h}
	}
	return h, h
}

// linkCall is a call of TestLinkCallsAtOnce.
type linkCall func(ctx context.Context, r *rig, eng *clockifysync.Engine) error

// TestLinkCallsAtOnce runs each pair of the calls that change what entries link to at
// once (a project mapped, another mapped elsewhere, the GitHub host set, a sync, an
// entry edited and delivered): the second starts before each store write of the first
// in turn, in one process and on two replicas over PostgreSQL. The entries must then be
// linked as a clean sync with the final mappings and host links them.
func TestLinkCallsAtOnce(t *testing.T) {
	t.Parallel()
	ws := func(r *rig) string { return r.fx.Workspace.ID }
	calls := map[string]linkCall{
		"map": func(ctx context.Context, r *rig, eng *clockifysync.Engine) error {
			return eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws(r), ProjectID: r.fx.Projects[0].ID, Repo: "acme/web"})
		},
		"map elsewhere": func(ctx context.Context, r *rig, eng *clockifysync.Engine) error {
			return eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws(r), ProjectID: r.fx.Projects[1].ID, Repo: "acme/other"})
		},
		"host": func(ctx context.Context, r *rig, eng *clockifysync.Engine) error {
			return eng.SetGitHubHost(ctx, ws(r), "github.acme.corp")
		},
		"sync": func(ctx context.Context, r *rig, eng *clockifysync.Engine) error {
			_, err := eng.Sync(ctx, ws(r), clockifysync.Window{Start: now.AddDate(0, 0, -3), End: now})
			return err
		},
		"edit": func(ctx context.Context, r *rig, _ *clockifysync.Engine) error {
			e := r.srv.TimeEntries(ws(r))[0]
			e.Description += " and #77, acme/api#5"
			_, err := r.srv.UpdateTimeEntry(ws(r), e) // delivered to the rig's handler
			return err
		},
	}
	setup := func(t *testing.T, r *rig) {
		ctx := t.Context()
		_, err := r.eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws(r), WebhookURL: r.hook.URL + "/clockify", InitialDays: 3})
		require.NoError(t, err)
		require.NoError(t, r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws(r), ProjectID: r.fx.Projects[1].ID, Repo: "acme/api"}))
		for i, desc := range []string{"#12 fix login", "review https://github.acme.corp/acme/web/pull/31", "PR-7 and #8"} {
			_, err := r.srv.AddTimeEntry(ws(r), clockify.TimeEntry{UserID: r.fx.Owner.ID, ProjectID: r.fx.Projects[i%2].ID, Description: desc,
				TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Duration(i+1) * time.Hour), End: new(now.Add(-time.Duration(i) * time.Hour))}})
			require.NoError(t, err)
		}
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
						// How many writes the first makes alone.
						hs, store := hookWrites(memory.New())
						r := newRigOn(t, store)
						setup(t, r)
						before := hs.writes.Load()
						require.NoError(t, a(t.Context(), r, r.eng))
						n := hs.writes.Load() - before
						for at := range n + 1 {
							t.Run(fmt.Sprint("before write ", at+1), func(t *testing.T) {
								t.Parallel()
								store := shared
								if mode == "one process" {
									store = memory.New()
								}
								hs, hooked := hookWrites(store)
								r := newRigSeeded(t, hooked, uint64(1000+100*pair+int(at)))
								setup(t, r)
								other := r.eng
								if mode != "one process" {
									other = r.replica(t, store)
								}
								linkAtOnce(t, r, hs, other, a, b, at)
								requireLinkedAsClean(t, r, store)
							})
						}
					})
				}
			}
		})
	}
}

// linkAtOnce runs a with the rig's engine and, from before its write at+1 (counted from
// now), b with other.
func linkAtOnce(t *testing.T, r *rig, hs *writeHooked, other *clockifysync.Engine, a, b linkCall, at int32) {
	ctx := t.Context()
	done := make(chan error, 1)
	start := hs.writes.Load() + at + 1
	var once atomic.Bool
	fn := func(n int32) {
		if n >= start && once.CompareAndSwap(false, true) {
			go func() { done <- b(ctx, r, other) }()
		}
	}
	hs.onWrite.Store(&fn)
	defer hs.onWrite.Store(nil)
	require.NoError(t, a(ctx, r, r.eng))
	if once.CompareAndSwap(false, true) { // the first wrote less this time
		go func() { done <- b(ctx, r, other) }()
	}
	require.NoError(t, <-done)
}

// requireLinkedAsClean checks that the store holds the workspace's entries as a clean
// sync with its final mappings and GitHub host stores them.
func requireLinkedAsClean(t *testing.T, r *rig, store clockifysync.Store) {
	t.Helper()
	ctx := t.Context()
	ws := r.fx.Workspace.ID
	conn, err := store.Connection(ctx, ws)
	require.NoError(t, err)
	mappings, err := store.ProjectMappings(ctx, ws)
	require.NoError(t, err)
	ref := memory.New()
	clean := r.replica(t, ref)
	_, err = clean.Connect(ctx, clockifysync.ConnectRequest{APIKey: r.fx.OwnerKey, WorkspaceID: ws, GitHubHost: conn.GitHubHost, InitialDays: 3})
	require.NoError(t, err)
	for _, m := range mappings {
		require.NoError(t, clean.SetProjectMapping(ctx, m))
	}
	requireClean(t, ref, store, ws, r.clock().AddDate(0, 0, -3), false)
}
