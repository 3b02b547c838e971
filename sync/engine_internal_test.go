package sync

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLocksAreForgottenWhenFree: the engine keeps a lock only while a call holds it or
// waits for it, so calls on workspace ids that name nothing (a host passing what its
// users send) leave nothing behind; a lock still shuts out a second taker until let go,
// and one that gave up waiting leaves it to the holder.
func TestLocksAreForgottenWhenFree(t *testing.T) {
	e := &Engine{locks: map[string]*keyLock{}, log: slog.New(slog.DiscardHandler)}
	count := func() int {
		e.mu.Lock()
		defer e.mu.Unlock()
		return len(e.locks)
	}
	for i := range 1000 {
		unlock, err := e.lock(t.Context(), lockSync, fmt.Sprint("no such workspace ", i))
		require.NoError(t, err)
		unlock()
	}
	require.Zero(t, count(), "locks of 1,000 workspaces let go of")

	unlock, err := e.lock(t.Context(), lockSync, "ws")
	require.NoError(t, err)
	gaveUp, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = e.lock(gaveUp, lockSync, "ws")
	require.ErrorIs(t, err, context.Canceled, "held: a taker waits until its context ends")
	require.Equal(t, 1, count(), "the holder's lock stays")

	got := make(chan func())
	go func() {
		second, _ := e.lock(context.Background(), lockSync, "ws") // nil on an error
		got <- second
	}()
	select {
	case <-got:
		t.Fatal("a second taker got the lock while it was held")
	default:
	}
	unlock()
	second := <-got
	require.NotNil(t, second)
	require.Equal(t, 1, count())
	second()
	require.Zero(t, count())
}
