package sync

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
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

// TestSameState: a delivery shows the state read again unless a field it carries differs,
// or one says the entity is gone and the other not.
func TestSameState(t *testing.T) {
	start := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	end := start.Add(time.Hour)
	entry := func(change func(*clockify.TimeEntry)) *clockify.TimeEntry {
		e := &clockify.TimeEntry{ID: "e1", UserID: "u1", ProjectID: "p1", TaskID: "t1", Description: "#5 login", Billable: true,
			Type: clockify.TimeEntryRegular, TimeInterval: clockify.TimeInterval{Start: start, End: &end}}
		if change != nil {
			change(e)
		}
		return e
	}
	later := end.Add(time.Minute)
	for _, tc := range []struct {
		name string
		read *clockify.TimeEntry
		gone bool
		same bool
	}{
		{"same", entry(func(e *clockify.TimeEntry) { e.HourlyRate = &clockify.Rate{Amount: 1} }), false, true},
		{"same, in another zone", entry(func(e *clockify.TimeEntry) { e.TimeInterval.Start = start.In(time.FixedZone("AEDT", 11*3600)) }), false, true},
		{"user", entry(func(e *clockify.TimeEntry) { e.UserID = "u2" }), false, false},
		{"project", entry(func(e *clockify.TimeEntry) { e.ProjectID = "" }), false, false},
		{"task", entry(func(e *clockify.TimeEntry) { e.TaskID = "" }), false, false},
		{"description", entry(func(e *clockify.TimeEntry) { e.Description = "#6" }), false, false},
		{"billable", entry(func(e *clockify.TimeEntry) { e.Billable = false }), false, false},
		{"type", entry(func(e *clockify.TimeEntry) { e.Type = clockify.TimeEntryBreak }), false, false},
		{"start", entry(func(e *clockify.TimeEntry) { e.TimeInterval.Start = start.Add(time.Second) }), false, false},
		{"end", entry(func(e *clockify.TimeEntry) { e.TimeInterval.End = &later }), false, false},
		{"running", entry(func(e *clockify.TimeEntry) { e.TimeInterval.End = nil }), false, false},
		{"deleted since", nil, false, false},
		{"restored since", entry(nil), true, false},
		{"deleted", nil, true, true},
	} {
		require.Equal(t, tc.same, sameEntry(entry(nil), tc.gone, tc.read), tc.name)
	}
	require.False(t, sameEntry(entry(func(e *clockify.TimeEntry) { e.TimeInterval.End = nil }), false, entry(nil)), "stopped since")

	project := &clockify.Project{ID: "p1", Name: "Web", Billable: true}
	for _, tc := range []struct {
		name string
		read *clockify.Project
		gone bool
		same bool
	}{
		{"same", &clockify.Project{ID: "p1", Name: "Web", Billable: true, Color: "#fff"}, false, true},
		{"name", &clockify.Project{ID: "p1", Name: "Web app", Billable: true}, false, false},
		{"billable", &clockify.Project{ID: "p1", Name: "Web"}, false, false},
		{"archived", &clockify.Project{ID: "p1", Name: "Web", Billable: true, Archived: true}, false, false},
		{"deleted since", nil, false, false},
		{"deleted", nil, true, true},
	} {
		require.Equal(t, tc.same, sameProject(project, tc.gone, tc.read), tc.name)
	}
}
