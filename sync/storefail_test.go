package sync_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/store/memory"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// errStoreDown is the failure of failingStore's writes.
var errStoreDown = errors.New("the store is down")

// failingStore is a store whose nth write fails (the database unreachable for a moment),
// before or after it is made; it counts the writes.
type failingStore struct {
	clockifysync.Store
	writes atomic.Int32
	nth    int32
	after  bool // the write is made, and its error returned all the same (a lost commit answer)
}

func (s *failingStore) write(do func() error) error {
	if s.writes.Add(1) != s.nth {
		return do()
	}
	if s.after {
		_ = do()
	}
	return errStoreDown
}

func (s *failingStore) PutEntries(ctx context.Context, es []clockifysync.Entry) error {
	return s.write(func() error { return s.Store.PutEntries(ctx, es) })
}
func (s *failingStore) ReplaceAutoLinks(ctx context.Context, es []clockifysync.Entry) error {
	return s.write(func() error { return s.Store.ReplaceAutoLinks(ctx, es) })
}
func (s *failingStore) MarkEntriesDeleted(ctx context.Context, ws string, ids []string, at time.Time) error {
	return s.write(func() error { return s.Store.MarkEntriesDeleted(ctx, ws, ids, at) })
}
func (s *failingStore) PutMembers(ctx context.Context, ms []clockifysync.Member) error {
	return s.write(func() error { return s.Store.PutMembers(ctx, ms) })
}
func (s *failingStore) PutProjects(ctx context.Context, ps []clockifysync.Project) error {
	return s.write(func() error { return s.Store.PutProjects(ctx, ps) })
}
func (s *failingStore) MarkProjectDeleted(ctx context.Context, ws, id string, at time.Time) error {
	return s.write(func() error { return s.Store.MarkProjectDeleted(ctx, ws, id, at) })
}
func (s *failingStore) PutConnection(ctx context.Context, c clockifysync.Connection) error {
	return s.write(func() error { return s.Store.PutConnection(ctx, c) })
}
func (s *failingStore) UpdateConnection(ctx context.Context, ws string, change func(*clockifysync.Connection) error) error {
	return s.write(func() error { return s.Store.UpdateConnection(ctx, ws, change) })
}
func (s *failingStore) PutWebhook(ctx context.Context, w clockifysync.Webhook) error {
	return s.write(func() error { return s.Store.PutWebhook(ctx, w) })
}
func (s *failingStore) DeleteWebhook(ctx context.Context, ws, id string) error {
	return s.write(func() error { return s.Store.DeleteWebhook(ctx, ws, id) })
}
func (s *failingStore) StartRun(ctx context.Context, r clockifysync.Run) error {
	return s.write(func() error { return s.Store.StartRun(ctx, r) })
}
func (s *failingStore) CheckpointMember(ctx context.Context, ws, member string) error {
	return s.write(func() error { return s.Store.CheckpointMember(ctx, ws, member) })
}
func (s *failingStore) FinishRun(ctx context.Context, ws string) error {
	return s.write(func() error { return s.Store.FinishRun(ctx, ws) })
}

// TestStoreFailures fails each write of the calls TestCutShort cuts in turn, before it
// is made and after (its answer lost), runs the call again (or the scheduled sync, for
// what the call leaves to it), and requires the workspace as sound as TestCutShort does.
func TestStoreFailures(t *testing.T) {
	t.Parallel()
	for _, o := range cutOps() {
		for _, after := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, failing after the write: %v", o.name, after), func(t *testing.T) {
				t.Parallel()
				// How many writes the call makes alone.
				fs := &failingStore{Store: memory.New()}
				r := newRigOn(t, fs)
				if o.setup != nil {
					o.setup(t, r)
				}
				before := fs.writes.Load()
				require.NoError(t, o.run(t.Context(), r))
				n := fs.writes.Load() - before
				require.Positive(t, n)
				for nth := range n {
					t.Run(fmt.Sprint("write ", nth+1), func(t *testing.T) {
						t.Parallel()
						fs := &failingStore{Store: memory.New(), after: after}
						r := newRigOn(t, fs)
						if o.setup != nil {
							o.setup(t, r)
						}
						fs.nth = fs.writes.Load() + nth + 1
						if err := o.run(t.Context(), r); err != nil {
							require.ErrorIs(t, err, errStoreDown)
						}
						require.GreaterOrEqual(t, fs.writes.Load(), fs.nth, "the write failed")
						require.NoError(t, o.again(t.Context(), r))
						requireSound(t, r, o.connected)
						if o.connected {
							requireSynced(t, r)
						}
					})
				}
			})
		}
	}
}
