package memory

import (
	"cmp"
	"context"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// Store is an in-memory clockifysync.Store. The zero value is not ready: use New. It is
// safe for concurrent use; what it returns is copied, so callers may change it freely.
type Store struct {
	mu          sync.Mutex
	entries     map[key]clockifysync.Entry
	manual      map[key][]clockifysync.Link // by workspace and entry
	members     map[key]clockifysync.Member
	projects    map[key]clockifysync.Project
	projMaps    map[key]clockifysync.ProjectMapping
	userMaps    map[key]clockifysync.UserMapping
	conns       map[string]clockifysync.Connection
	hooks       map[key]clockifysync.Webhook
	runs        map[string]clockifysync.Run
	claims      *webhook.MemoryDeduper // each entity's last delivery, none forgotten
	deliveryLog *webhook.MemoryLog
}

// KeepDeliveries is how many delivery records the store keeps of each workspace, and of
// those with no workspace (rejected before one was known).
const KeepDeliveries = 10_000

type key struct{ ws, id string }

var _ clockifysync.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		entries: map[key]clockifysync.Entry{}, manual: map[key][]clockifysync.Link{},
		members: map[key]clockifysync.Member{}, projects: map[key]clockifysync.Project{},
		projMaps: map[key]clockifysync.ProjectMapping{}, userMaps: map[key]clockifysync.UserMapping{},
		conns: map[string]clockifysync.Connection{}, hooks: map[key]clockifysync.Webhook{},
		runs: map[string]clockifysync.Run{}, claims: webhook.NewMemoryDeduper(math.MaxInt), deliveryLog: webhook.NewMemoryLog(KeepDeliveries),
	}
}

// sorted returns the values of m for which keep holds, sorted by cmpFn.
func sorted[K comparable, V any](m map[K]V, keep func(V) bool, cmpFn func(a, b V) int) []V {
	var out []V
	for _, v := range m {
		if keep(v) {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, cmpFn)
	return out
}

// first returns the first n values of a map that keep says, by cmpFn, without sorting
// the others: a page costs a look at each value, not a sort of them all.
func first[K comparable, V any](m map[K]V, keep func(V) bool, cmpFn func(a, b V) int, n int) []V {
	out := make([]V, 0, min(n, len(m))+1) // n may be far more than there are
	for _, v := range m {
		if len(out) == n && cmpFn(v, out[n-1]) >= 0 || !keep(v) {
			continue
		}
		i, _ := slices.BinarySearchFunc(out, v, cmpFn)
		out = slices.Insert(out, i, v)
		out = out[:min(len(out), n)]
	}
	return out
}

// PutEntries implements clockifysync.EntryStore.
func (s *Store) PutEntries(_ context.Context, entries []clockifysync.Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range entries {
		if st, ok := s.entries[key{e.WorkspaceID, e.ID}]; ok && st.Synced.After(e.Synced) {
			continue // read after e
		}
		e.Links = slices.Clone(e.Links)
		s.entries[key{e.WorkspaceID, e.ID}] = e
	}
	return nil
}

// ReplaceAutoLinks implements clockifysync.EntryStore.
func (s *Store) ReplaceAutoLinks(_ context.Context, entries []clockifysync.Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range entries {
		k := key{e.WorkspaceID, e.ID}
		if st, ok := s.entries[k]; ok && st.Description == e.Description && st.ProjectID == e.ProjectID {
			st.Links = slices.Clone(e.Links)
			s.entries[k] = st
		}
	}
	return nil
}

// MarkEntriesDeleted implements clockifysync.EntryStore.
func (s *Store) MarkEntriesDeleted(_ context.Context, workspaceID string, ids []string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if e, ok := s.entries[key{workspaceID, id}]; ok && e.Deleted.IsZero() {
			e.Deleted = at.UTC()
			if at.After(e.Synced) {
				e.Synced = at.UTC()
			}
			s.entries[key{workspaceID, id}] = e
		}
	}
	return nil
}

// Entry implements clockifysync.EntryStore.
func (s *Store) Entry(_ context.Context, workspaceID, id string) (clockifysync.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[key{workspaceID, id}]
	if !ok {
		return clockifysync.Entry{}, clockifysync.ErrNotFound
	}
	e.Links = slices.Clone(e.Links)
	return e, nil
}

// Entries implements clockifysync.EntryStore.
func (s *Store) Entries(_ context.Context, q clockifysync.EntryQuery) ([]clockifysync.Entry, error) {
	linked := func(clockifysync.Entry) bool { return true }
	if q.PR != "" {
		owner, repo, number, err := clockifysync.ParsePR(q.PR)
		if err != nil {
			return nil, err
		}
		names := func(l clockifysync.Link) bool { return l.IsPR(owner, repo, number) }
		linked = func(e clockifysync.Entry) bool {
			return slices.ContainsFunc(e.Links, names) || slices.ContainsFunc(s.manual[key{e.WorkspaceID, e.ID}], names)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	text := clockifysync.FoldText(q.Text)
	keep := func(e clockifysync.Entry) bool {
		return (q.WorkspaceID == "" || e.WorkspaceID == q.WorkspaceID) &&
			(q.From.IsZero() || !e.Start.Before(q.From)) && (q.To.IsZero() || e.Start.Before(q.To)) &&
			(q.UserID == "" || e.UserID == q.UserID) && (q.ProjectID == "" || e.ProjectID == q.ProjectID) &&
			(text == "" || strings.Contains(clockifysync.FoldText(e.Description), text)) &&
			(q.IncludeDeleted || e.Deleted.IsZero()) && (!q.Running || e.End.IsZero()) && q.Follows(e.Start, e.ID) && linked(e)
	}
	order := func(a, b clockifysync.Entry) int {
		n := cmp.Or(a.Start.Compare(b.Start), strings.Compare(a.ID, b.ID))
		if q.Newest {
			return -n
		}
		return n
	}
	var out []clockifysync.Entry
	if q.Limit > 0 {
		out = first(s.entries, keep, order, q.Limit)
	} else {
		out = sorted(s.entries, keep, order)
	}
	for i := range out {
		out[i].Links = slices.Clone(out[i].Links)
	}
	return out, nil
}

// EntryIDs implements clockifysync.EntryStore.
func (s *Store) EntryIDs(ctx context.Context, q clockifysync.EntryQuery) ([]string, error) {
	entries, err := s.Entries(ctx, q)
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	return ids, err
}

// AddManualLink implements clockifysync.LinkStore.
func (s *Store) AddManualLink(_ context.Context, l clockifysync.Link) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key{l.WorkspaceID, l.EntryID}
	if slices.ContainsFunc(s.manual[k], l.SameTarget) {
		return nil
	}
	s.manual[k] = append(s.manual[k], l)
	return nil
}

// RemoveManualLink implements clockifysync.LinkStore.
func (s *Store) RemoveManualLink(_ context.Context, l clockifysync.Link) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key{l.WorkspaceID, l.EntryID}
	i := slices.IndexFunc(s.manual[k], l.SameTarget)
	if i < 0 {
		return clockifysync.ErrNotFound
	}
	s.manual[k] = slices.Delete(slices.Clone(s.manual[k]), i, i+1)
	return nil
}

// ManualLinks implements clockifysync.LinkStore.
func (s *Store) ManualLinks(_ context.Context, workspaceID string, entryIDs ...string) ([]clockifysync.Link, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []clockifysync.Link
	for k, ls := range s.manual {
		if k.ws == workspaceID && (len(entryIDs) == 0 || slices.Contains(entryIDs, k.id)) {
			out = append(out, ls...)
		}
	}
	slices.SortStableFunc(out, func(a, b clockifysync.Link) int {
		return cmp.Or(strings.Compare(a.EntryID, b.EntryID), a.Created.Compare(b.Created))
	})
	return out, nil
}

// PutMembers implements clockifysync.DirectoryStore.
func (s *Store) PutMembers(_ context.Context, members []clockifysync.Member) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range members {
		s.members[key{m.WorkspaceID, m.ID}] = m
	}
	return nil
}

// Members implements clockifysync.DirectoryStore.
func (s *Store) Members(_ context.Context, workspaceID string) ([]clockifysync.Member, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sorted(s.members, func(m clockifysync.Member) bool { return m.WorkspaceID == workspaceID },
		func(a, b clockifysync.Member) int { return strings.Compare(a.ID, b.ID) }), nil
}

// PutProjects implements clockifysync.DirectoryStore.
func (s *Store) PutProjects(_ context.Context, projects []clockifysync.Project) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range projects {
		if st, ok := s.projects[key{p.WorkspaceID, p.ID}]; ok && st.Synced.After(p.Synced) {
			continue // read after p
		}
		s.projects[key{p.WorkspaceID, p.ID}] = p
	}
	return nil
}

// MarkProjectDeleted implements clockifysync.DirectoryStore.
func (s *Store) MarkProjectDeleted(_ context.Context, workspaceID, id string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.projects[key{workspaceID, id}]
	if !ok {
		return clockifysync.ErrNotFound
	}
	if p.Deleted.IsZero() {
		p.Deleted = at.UTC()
	}
	if at.After(p.Synced) {
		p.Synced = at.UTC()
	}
	s.projects[key{workspaceID, id}] = p
	return nil
}

// Projects implements clockifysync.DirectoryStore.
func (s *Store) Projects(_ context.Context, workspaceID string) ([]clockifysync.Project, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sorted(s.projects, func(p clockifysync.Project) bool { return p.WorkspaceID == workspaceID },
		func(a, b clockifysync.Project) int { return strings.Compare(a.ID, b.ID) }), nil
}

// SetProjectMapping implements clockifysync.DirectoryStore.
func (s *Store) SetProjectMapping(_ context.Context, m clockifysync.ProjectMapping) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.projMaps[key{m.WorkspaceID, m.ProjectID}] = m
	return nil
}

// DeleteProjectMapping implements clockifysync.DirectoryStore.
func (s *Store) DeleteProjectMapping(_ context.Context, workspaceID, projectID string) error {
	return deleteKey(&s.mu, s.projMaps, key{workspaceID, projectID})
}

// ProjectMappings implements clockifysync.DirectoryStore.
func (s *Store) ProjectMappings(_ context.Context, workspaceID string) ([]clockifysync.ProjectMapping, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sorted(s.projMaps, func(m clockifysync.ProjectMapping) bool { return m.WorkspaceID == workspaceID },
		func(a, b clockifysync.ProjectMapping) int { return strings.Compare(a.ProjectID, b.ProjectID) }), nil
}

// SetUserMapping implements clockifysync.DirectoryStore.
func (s *Store) SetUserMapping(_ context.Context, m clockifysync.UserMapping) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.userMaps[key{m.WorkspaceID, m.MemberID}] = m
	return nil
}

// DeleteUserMapping implements clockifysync.DirectoryStore.
func (s *Store) DeleteUserMapping(_ context.Context, workspaceID, memberID string) error {
	return deleteKey(&s.mu, s.userMaps, key{workspaceID, memberID})
}

// UserMappings implements clockifysync.DirectoryStore.
func (s *Store) UserMappings(_ context.Context, workspaceID string) ([]clockifysync.UserMapping, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sorted(s.userMaps, func(m clockifysync.UserMapping) bool { return m.WorkspaceID == workspaceID },
		func(a, b clockifysync.UserMapping) int { return strings.Compare(a.MemberID, b.MemberID) }), nil
}

func deleteKey[V any](mu *sync.Mutex, m map[key]V, k key) error {
	mu.Lock()
	defer mu.Unlock()
	if _, ok := m[k]; !ok {
		return clockifysync.ErrNotFound
	}
	delete(m, k)
	return nil
}

// PutConnection implements clockifysync.ConnectionStore.
func (s *Store) PutConnection(_ context.Context, c clockifysync.Connection) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns[c.WorkspaceID] = copied(c)
	return nil
}

// copied returns a connection that shares no memory with c.
func copied(c clockifysync.Connection) clockifysync.Connection {
	c.SealedAPIKey, c.MissingEvents = slices.Clone(c.SealedAPIKey), slices.Clone(c.MissingEvents)
	c.WindowReads = slices.Clone(c.WindowReads)
	c.Rates.Projects, c.Rates.Changes = maps.Clone(c.Rates.Projects), slices.Clone(c.Rates.Changes)
	return c
}

// Connection implements clockifysync.ConnectionStore.
func (s *Store) Connection(_ context.Context, workspaceID string) (clockifysync.Connection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.conns[workspaceID]
	if !ok {
		return clockifysync.Connection{}, clockifysync.ErrNotFound
	}
	return copied(c), nil
}

// UpdateConnection implements clockifysync.ConnectionStore.
func (s *Store) UpdateConnection(_ context.Context, workspaceID string, change func(*clockifysync.Connection) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.conns[workspaceID]
	if !ok {
		return clockifysync.ErrNotFound
	}
	c = copied(c)
	if err := change(&c); err != nil {
		return err
	}
	c.WorkspaceID = workspaceID
	s.conns[workspaceID] = copied(c)
	return nil
}

// Connections implements clockifysync.ConnectionStore.
func (s *Store) Connections(_ context.Context) ([]clockifysync.Connection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := sorted(s.conns, func(clockifysync.Connection) bool { return true },
		func(a, b clockifysync.Connection) int { return strings.Compare(a.WorkspaceID, b.WorkspaceID) })
	for i := range out {
		out[i] = copied(out[i])
	}
	return out, nil
}

// PutWebhook implements clockifysync.ConnectionStore.
func (s *Store) PutWebhook(_ context.Context, w clockifysync.Webhook) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.SealedToken = slices.Clone(w.SealedToken)
	s.hooks[key{w.WorkspaceID, w.ID}] = w
	return nil
}

// DeleteWebhook implements clockifysync.ConnectionStore.
func (s *Store) DeleteWebhook(_ context.Context, workspaceID, id string) error {
	return deleteKey(&s.mu, s.hooks, key{workspaceID, id})
}

// Webhooks implements clockifysync.ConnectionStore.
func (s *Store) Webhooks(_ context.Context, workspaceID string) ([]clockifysync.Webhook, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := sorted(s.hooks, func(w clockifysync.Webhook) bool { return workspaceID == "" || w.WorkspaceID == workspaceID },
		func(a, b clockifysync.Webhook) int {
			return cmp.Or(strings.Compare(a.WorkspaceID, b.WorkspaceID), strings.Compare(a.ID, b.ID))
		})
	for i := range out {
		out[i].SealedToken = slices.Clone(out[i].SealedToken)
	}
	return out, nil
}

// StartRun implements clockifysync.CheckpointStore.
func (s *Store) StartRun(_ context.Context, r clockifysync.Run) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.Done = slices.Clone(r.Done)
	s.runs[r.WorkspaceID] = r
	return nil
}

// PendingRun implements clockifysync.CheckpointStore.
func (s *Store) PendingRun(_ context.Context, workspaceID string) (clockifysync.Run, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.runs[workspaceID]
	r.Done = slices.Clone(r.Done)
	return r, ok, nil
}

// CheckpointMember implements clockifysync.CheckpointStore.
func (s *Store) CheckpointMember(_ context.Context, workspaceID, memberID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.runs[workspaceID]
	if !ok {
		return clockifysync.ErrNotFound
	}
	if !slices.Contains(r.Done, memberID) {
		r.Done = append(slices.Clone(r.Done), memberID)
		s.runs[workspaceID] = r
	}
	return nil
}

// FinishRun implements clockifysync.CheckpointStore.
func (s *Store) FinishRun(_ context.Context, workspaceID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.runs, workspaceID)
	return nil
}

// Claim implements webhook.Deduper.
func (s *Store) Claim(ctx context.Context, k webhook.DeliveryKey, now time.Time, lease time.Duration) (webhook.Claim, error) {
	return s.claims.Claim(ctx, k, now, lease)
}

// Complete implements webhook.Deduper.
func (s *Store) Complete(ctx context.Context, k webhook.DeliveryKey) error {
	return s.claims.Complete(ctx, k)
}

// Release implements webhook.Deduper.
func (s *Store) Release(ctx context.Context, k webhook.DeliveryKey) error {
	return s.claims.Release(ctx, k)
}

// Record implements webhook.DeliveryLog. The store keeps the last KeepDeliveries records
// of each workspace, and apart from them the last KeepDeliveries with no workspace: a
// flood of forged requests, or a busy workspace, pushes no other workspace's records
// out.
func (s *Store) Record(ctx context.Context, d webhook.Delivery) error {
	return s.deliveryLog.Record(ctx, d)
}

// Deliveries implements clockifysync.DeliveryStore.
func (s *Store) Deliveries(_ context.Context, workspaceID string, limit int) ([]webhook.Delivery, error) {
	if workspaceID == "" {
		return s.deliveryLog.Recent(limit), nil
	}
	return s.deliveryLog.RecentOf(workspaceID, limit), nil
}

// DeleteWorkspace implements clockifysync.ConnectionStore.
func (s *Store) DeleteWorkspace(_ context.Context, workspaceID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	of := func(k key) bool { return k.ws == workspaceID }
	dropKeys(s.entries, of)
	dropKeys(s.manual, of)
	dropKeys(s.members, of)
	dropKeys(s.projects, of)
	dropKeys(s.projMaps, of)
	dropKeys(s.userMaps, of)
	dropKeys(s.hooks, of)
	delete(s.conns, workspaceID)
	delete(s.runs, workspaceID)
	s.deliveryLog.Forget(workspaceID)
	return nil
}

// dropKeys deletes a map's values whose key drop says.
func dropKeys[V any](m map[key]V, drop func(key) bool) {
	maps.DeleteFunc(m, func(k key, _ V) bool { return drop(k) })
}
