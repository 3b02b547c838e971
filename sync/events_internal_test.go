package sync

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAppliesKeepTheLatest: of deliveries about one entity under way at once, a write
// of one that began before another that has stored is skipped; the entity is forgotten
// once none is under way.
func TestAppliesKeepTheLatest(t *testing.T) {
	var a applies
	var wrote []string
	write := func(what string) func() error { return func() error { wrote = append(wrote, what); return nil } }

	store1, done1 := a.begin("e1")
	store2, done2 := a.begin("e1")
	storeOther, doneOther := a.begin("e2")
	require.NoError(t, store2(write("second")))
	require.NoError(t, store1(write("first, read earlier")))
	require.NoError(t, storeOther(write("another entity")))
	require.Equal(t, []string{"second", "another entity"}, wrote)

	done1()
	done2()
	doneOther()
	require.Empty(t, a.byID)
	store3, done3 := a.begin("e1")
	require.NoError(t, store3(write("later")))
	done3()
	require.Equal(t, []string{"second", "another entity", "later"}, wrote)
}

// TestWatchedKeepsOnlyWhatAReadMayHaveReadBefore: entries are collected only while a
// read of their workspace runs, each is handed over once, and two reads of a workspace
// at once (a sync, and a read of Clockify's changes) each collect every entry.
func TestWatchedKeepsOnlyWhatAReadMayHaveReadBefore(t *testing.T) {
	var w watched
	w.note("ws1", "e0") // no read runs
	sync := w.start("ws1")
	w.note("ws1", "e2")
	w.note("ws1", "e1")
	changes := w.start("ws1")
	w.note("ws1", "e2")
	w.note("ws2", "e3")
	require.Equal(t, []string{"e1", "e2"}, sync.take())
	require.Empty(t, sync.take())
	w.note("ws1", "e4")
	sync.stop()
	w.note("ws1", "e5")
	require.Equal(t, []string{"e4"}, sync.take(), "not what came after the read ended")
	require.Equal(t, []string{"e2", "e4", "e5"}, changes.take())
	changes.stop()
	require.Empty(t, w.reads)
}
