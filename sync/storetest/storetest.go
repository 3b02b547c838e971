package storetest

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/billing"
	"github.com/heyjasper/jasper-clockify/clockify"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// Run runs the suite; newStore returns an empty store for each subtest.
func Run(t *testing.T, newStore func(t *testing.T) clockifysync.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s clockifysync.Store)
	}{
		{"EntriesRoundTrip", entriesRoundTrip},
		{"EntriesQuery", entriesQuery},
		{"EntriesFarOut", entriesFarOut},
		{"EntriesRunning", entriesRunning},
		{"EntriesOfAPR", entriesOfAPR},
		{"EntriesPaged", entriesPaged},
		{"EntriesPagedThroughMany", entriesPagedThroughMany},
		{"EntriesReplaceLinks", entriesReplaceLinks},
		{"EntriesWrittenAgain", entriesWrittenAgain},
		{"EntriesReadLastKept", entriesReadLastKept},
		{"ReplaceAutoLinks", replaceAutoLinks},
		{"ManyLinks", manyLinks},
		{"EntriesDeleted", entriesDeleted},
		{"WorkspacesApart", workspacesApart},
		{"KeysNoneHolds", keysNoneHolds},
		{"ManualLinks", manualLinks},
		{"Directory", directory},
		{"Mappings", mappings},
		{"Connections", connections},
		{"UpdateConnection", updateConnection},
		{"WorkspaceDeleted", workspaceDeleted},
		{"UpdateConnectionConcurrent", updateConnectionConcurrent},
		{"Webhooks", webhooks},
		{"Runs", runs},
		{"Claims", claims},
		{"ClaimsConcurrent", claimsConcurrent},
		{"Deliveries", deliveries},
		{"DeliveriesConcurrent", deliveriesConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
}

var (
	t0 = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	ws = "ws1"
)

func entry(id, user, project, desc string, start time.Time, links ...clockifysync.Link) clockifysync.Entry {
	for i := range links {
		links[i].WorkspaceID, links[i].EntryID, links[i].Source = ws, id, clockifysync.SourceAuto
	}
	return clockifysync.Entry{
		WorkspaceID: ws, ID: id, UserID: user, ProjectID: project, Description: desc,
		Start: start, End: start.Add(90 * time.Minute), Billable: true, HourlyRate: 12050, Currency: "AUD", Type: "REGULAR",
		Synced: t0.Add(time.Hour), Links: links,
	}
}

func ids(entries []clockifysync.Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.ID
	}
	return out
}

// requireSameEntry compares entries with times compared as instants.
func requireSameEntry(t *testing.T, want, got clockifysync.Entry) {
	t.Helper()
	for _, p := range []struct{ w, g *time.Time }{{&want.Start, &got.Start}, {&want.End, &got.End}, {&want.Deleted, &got.Deleted}, {&want.Synced, &got.Synced}} {
		require.Truef(t, p.w.Equal(*p.g), "time %v, want %v", *p.g, *p.w)
		*p.w, *p.g = time.Time{}, time.Time{}
	}
	if len(want.Links) == 0 {
		want.Links = nil
	}
	if len(got.Links) == 0 {
		got.Links = nil
	}
	require.Equal(t, want, got)
}

func entriesRoundTrip(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	running := entry("e2", "u1", "", "still going, with ünïcode and 'quotes'", t0.Add(2*time.Hour))
	running.End, running.Billable, running.Type, running.TaskID = time.Time{}, false, "", "task9"
	e1 := entry("e1", "u1", "p1", "PR #12 fix login", t0, clockifysync.Link{Owner: "acme", Repo: "web", Number: 12, Pattern: "PR #N", Text: "PR #12", Confidence: 0.8})
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{e1, running}))

	got, err := s.Entry(ctx, ws, "e1")
	require.NoError(t, err)
	requireSameEntry(t, e1, got)
	got, err = s.Entry(ctx, ws, "e2")
	require.NoError(t, err)
	require.True(t, got.Running())
	requireSameEntry(t, running, got)

	_, err = s.Entry(ctx, ws, "nope")
	require.ErrorIs(t, err, clockifysync.ErrNotFound)
	_, err = s.Entry(ctx, "other-ws", "e1")
	require.ErrorIs(t, err, clockifysync.ErrNotFound)

	// What a store returns is the caller's to change.
	got, err = s.Entry(ctx, ws, "e1")
	require.NoError(t, err)
	got.Links[0].Number = 99
	got, err = s.Entry(ctx, ws, "e1")
	require.NoError(t, err)
	require.Equal(t, 12, got.Links[0].Number)

	require.NoError(t, s.PutEntries(ctx, nil), "an empty batch is no error")

	// The same entry twice in one call: the last one stands.
	first, last := entry("e3", "u1", "", "#1 first", t0, clockifysync.Link{Number: 1, Pattern: "#N", Text: "#1", Confidence: 0.5}), entry("e3", "u1", "", "#2 last", t0, clockifysync.Link{Number: 2, Pattern: "#N", Text: "#2", Confidence: 0.5})
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{first, last}))
	got, err = s.Entry(ctx, ws, "e3")
	require.NoError(t, err)
	requireSameEntry(t, last, got)

	// A batch larger than any one statement takes.
	many := make([]clockifysync.Entry, 1234)
	for i := range many {
		many[i] = entry(fmt.Sprint("m", i), "u9", "", "#7", t0.Add(time.Duration(i)*time.Minute),
			clockifysync.Link{Number: 7, Pattern: "#N", Text: "#7", Confidence: 0.5})
	}
	require.NoError(t, s.PutEntries(ctx, many))
	stored, err := s.Entries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, UserID: "u9"})
	require.NoError(t, err)
	require.Len(t, stored, len(many))
	for i, e := range stored {
		requireSameEntry(t, many[i], e)
	}
}

// querySelects is a query and the ids of the entries it selects, in order.
type querySelects struct {
	name string
	q    clockifysync.EntryQuery
	want []string
}

// requireSelects checks that Entries and EntryIDs select each case's entries.
func requireSelects(t *testing.T, s clockifysync.Store, cases []querySelects) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.Entries(t.Context(), c.q)
			require.NoError(t, err)
			require.Equal(t, c.want, append([]string{}, ids(got)...))
			only, err := s.EntryIDs(t.Context(), c.q)
			require.NoError(t, err)
			require.Equal(t, c.want, append([]string{}, only...), "EntryIDs")
		})
	}
}

func entriesQuery(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{
		entry("c", "u2", "p1", "Review #5", t0.Add(48*time.Hour)),
		entry("a", "u1", "p1", "Fix LOGIN page", t0),
		entry("b", "u1", "p2", "standup", t0.Add(24*time.Hour)),
		entry("a2", "u2", "p2", "login again", t0), // same start as a: by id
		entry("d", "u3", "", "Übersicht: Straße, ΛΌΓΟΣ", t0.Add(72*time.Hour)),
	}))
	requireSelects(t, s, []querySelects{
		{"all, by start then id", clockifysync.EntryQuery{WorkspaceID: ws}, []string{"a", "a2", "b", "c", "d"}},
		{"from inclusive", clockifysync.EntryQuery{WorkspaceID: ws, From: t0.Add(24 * time.Hour)}, []string{"b", "c", "d"}},
		{"to exclusive", clockifysync.EntryQuery{WorkspaceID: ws, To: t0.Add(24 * time.Hour)}, []string{"a", "a2"}},
		{"window in another zone", clockifysync.EntryQuery{WorkspaceID: ws, From: t0.In(time.FixedZone("AEDT", 11*3600)), To: t0.Add(time.Second)}, []string{"a", "a2"}},
		{"user", clockifysync.EntryQuery{WorkspaceID: ws, UserID: "u1"}, []string{"a", "b"}},
		{"project", clockifysync.EntryQuery{WorkspaceID: ws, ProjectID: "p2"}, []string{"a2", "b"}},
		{"no project", clockifysync.EntryQuery{WorkspaceID: ws, UserID: "u3"}, []string{"d"}},
		{"text ignores case", clockifysync.EntryQuery{WorkspaceID: ws, Text: "login"}, []string{"a", "a2"}},
		{"text ignores case in any script", clockifysync.EntryQuery{WorkspaceID: ws, Text: "ÜBERSICHT"}, []string{"d"}},
		{"text folds case in full, ß as ss", clockifysync.EntryQuery{WorkspaceID: ws, Text: "STRASSE"}, []string{"d"}},
		{"text folds case in full, ς as σ", clockifysync.EntryQuery{WorkspaceID: ws, Text: "λόγος"}, []string{"d"}},
		{"text with a percent sign is literal", clockifysync.EntryQuery{WorkspaceID: ws, Text: "%"}, []string{}},
		{"text with an underscore is literal", clockifysync.EntryQuery{WorkspaceID: ws, Text: "_"}, []string{}},
		{"combined", clockifysync.EntryQuery{WorkspaceID: ws, UserID: "u2", Text: "#5"}, []string{"c"}},
		{"another workspace", clockifysync.EntryQuery{WorkspaceID: "ws2"}, []string{}},
		// Bounds a host sets far out for "since ever" and "until ever".
		{"bounds in years 1 and 9999", clockifysync.EntryQuery{WorkspaceID: ws, From: time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC),
			To: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}, []string{"a", "a2", "b", "c", "d"}},
		{"bounds in years 1600 and 3000", clockifysync.EntryQuery{WorkspaceID: ws, From: time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC),
			To: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}, []string{"a", "a2", "b", "c", "d"}},
		{"newest first, after an entry far out", clockifysync.EntryQuery{WorkspaceID: ws, Newest: true, Limit: 2,
			After: &clockifysync.Cursor{Start: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), ID: "z"}}, []string{"d", "c"}},
	})
}

// entriesFarOut: entries dated centuries away (a year mistyped in Clockify) keep their
// place in the order of starts, and their time, or the nearest a store can keep (stores
// may keep times before 1678 or after 2262 as the nearest of those bounds); the entries
// of other years are selected as ever.
func entriesFarOut(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	past, future := entry("past", "u1", "", "x", time.Date(1601, 3, 4, 9, 0, 0, 0, time.UTC)), entry("future", "u1", "", "y", time.Date(2300, 3, 4, 9, 0, 0, 0, time.UTC))
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{future, entry("now", "u1", "", "z", t0), past}))
	requireSelects(t, s, []querySelects{
		{"by start", clockifysync.EntryQuery{WorkspaceID: ws}, []string{"past", "now", "future"}},
		{"newest first", clockifysync.EntryQuery{WorkspaceID: ws, Newest: true}, []string{"future", "now", "past"}},
		{"this year's", clockifysync.EntryQuery{WorkspaceID: ws, From: t0.AddDate(0, -1, 0), To: t0.AddDate(0, 1, 0)}, []string{"now"}},
		{"from this year", clockifysync.EntryQuery{WorkspaceID: ws, From: t0}, []string{"now", "future"}},
		{"until this year", clockifysync.EntryQuery{WorkspaceID: ws, To: t0}, []string{"past"}},
	})
	got, err := s.Entry(ctx, ws, "past")
	require.NoError(t, err)
	require.True(t, got.Start.Year() < 1678 && !got.End.Before(got.Start), "%v to %v", got.Start, got.End)
	got, err = s.Entry(ctx, ws, "future")
	require.NoError(t, err)
	require.True(t, got.Start.Year() >= 2262 && !got.End.Before(got.Start), "%v to %v", got.Start, got.End)
}

// entriesRunning: a query for the running entries selects those without an end, of
// every member or of one, deleted ones too when asked; an entry stopped since is no
// longer among them.
func entriesRunning(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	running := func(e clockifysync.Entry) clockifysync.Entry { e.End = time.Time{}; return e }
	gone := running(entry("r3", "u1", "p1", "deleted while running", t0.Add(96*time.Hour)))
	gone.Deleted = t0.Add(97 * time.Hour)
	other := running(entry("r4", "u1", "p1", "another workspace", t0))
	other.WorkspaceID = "ws2"
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{
		entry("a", "u1", "p1", "stopped", t0),
		running(entry("r1", "u1", "p1", "running", t0.Add(-time.Hour))),
		running(entry("r2", "u2", "", "running too", t0.Add(100*time.Hour))),
		gone, other,
	}))
	requireSelects(t, s, []querySelects{
		{"running", clockifysync.EntryQuery{WorkspaceID: ws, Running: true}, []string{"r1", "r2"}},
		{"a member's", clockifysync.EntryQuery{WorkspaceID: ws, UserID: "u1", Running: true}, []string{"r1"}},
		{"with the deleted", clockifysync.EntryQuery{WorkspaceID: ws, UserID: "u1", Running: true, IncludeDeleted: true}, []string{"r1", "r3"}},
	})
	stopped := entry("r1", "u1", "p1", "stopped now", t0.Add(-time.Hour))
	stopped.Synced = t0.Add(2 * time.Hour)
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{stopped}))
	requireSelects(t, s, []querySelects{
		{"once stopped", clockifysync.EntryQuery{WorkspaceID: ws, UserID: "u1", Running: true}, []string{}},
	})
}

// entriesOfAPR: a query with a PR selects the entries with an auto or manual link to it,
// names compared ignoring case, issues left out, within the query's other filters.
func entriesOfAPR(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	pr := func(owner, repo string, n int) clockifysync.Link {
		return clockifysync.Link{Owner: owner, Repo: repo, Number: n, Pattern: "owner/repo#N", Text: "x", Confidence: 0.9}
	}
	issue := pr("acme", "web", 7)
	issue.Issue = true
	deleted := entry("gone", "u1", "p1", "acme/web#7", t0.Add(4*time.Hour), pr("acme", "web", 7))
	deleted.Deleted = t0.Add(5 * time.Hour)
	other := entry("elsewhere", "u1", "p1", "acme/web#7", t0)
	other.WorkspaceID = "ws2"
	other.Links = []clockifysync.Link{pr("acme", "web", 7)}
	other.Links[0].WorkspaceID, other.Links[0].EntryID, other.Links[0].Source = "ws2", "elsewhere", clockifysync.SourceAuto
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{
		entry("auto", "u1", "p1", "acme/web#7", t0, pr("acme", "web", 7)),
		entry("cased", "u2", "p1", "ACME/Web#7", t0.Add(time.Hour), pr("ACME", "Web", 7)),
		entry("second", "u1", "p1", "acme/api#3 and acme/web#7", t0.Add(2*time.Hour), pr("acme", "api", 3), pr("acme", "web", 7)),
		entry("issue", "u1", "p1", "acme/web/issues/7", t0.Add(3*time.Hour), issue),
		entry("number", "u1", "p1", "acme/web#70", t0.Add(3*time.Hour), pr("acme", "web", 70)),
		entry("repo", "u1", "p1", "acme/webapp#7", t0.Add(3*time.Hour), pr("acme", "webapp", 7)),
		entry("manual", "u2", "p1", "pairing", t0.Add(6*time.Hour)),
		deleted, other,
	}))
	manual := func(entryID string, l clockifysync.Link) {
		l.WorkspaceID, l.EntryID, l.Source, l.Pattern, l.Created = ws, entryID, clockifysync.SourceManual, "manual", t0
		require.NoError(t, s.AddManualLink(ctx, l))
	}
	manual("manual", pr("Acme", "WEB", 7))
	manual("auto", pr("acme", "web", 7)) // linked both ways: listed once
	manual("issue", issue)               // still an issue

	requireSelects(t, s, []querySelects{
		{"auto and manual links, any case", clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/web#7"}, []string{"auto", "cased", "second", "manual"}},
		{"written in another case", clockifysync.EntryQuery{WorkspaceID: ws, PR: "Acme/WEB#7"}, []string{"auto", "cased", "second", "manual"}},
		{"as a URL", clockifysync.EntryQuery{WorkspaceID: ws, PR: "https://github.com/acme/web/pull/7"}, []string{"auto", "cased", "second", "manual"}},
		{"with the deleted", clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/web#7", IncludeDeleted: true}, []string{"auto", "cased", "second", "gone", "manual"}},
		{"and a member", clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/web#7", UserID: "u2"}, []string{"cased", "manual"}},
		{"and a window", clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/web#7", From: t0.Add(time.Hour), To: t0.Add(6 * time.Hour)}, []string{"cased", "second"}},
		{"and a text", clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/web#7", Text: "API"}, []string{"second"}},
		{"another PR", clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/api#3"}, []string{"second"}},
		{"no entry", clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/web#8"}, []string{}},
		{"another workspace", clockifysync.EntryQuery{WorkspaceID: "ws2", PR: "acme/web#7"}, []string{"elsewhere"}},
	})
	for _, bad := range []string{"#7", "acme/web", "acme/web#7 and more", "https://github.com/acme/web/issues/7"} {
		_, err := s.Entries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, PR: bad})
		require.ErrorIs(t, err, clockifysync.ErrInput, bad)
		_, err = s.EntryIDs(ctx, clockifysync.EntryQuery{WorkspaceID: ws, PR: bad})
		require.ErrorIs(t, err, clockifysync.ErrInput, bad)
	}
}

// entriesPaged: a query's Limit, After and Newest give pages of the listing, whole
// entries with every link, and the pages of any size together are the listing.
func entriesPaged(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	link := func(n int) clockifysync.Link {
		return clockifysync.Link{Owner: "acme", Repo: "web", Number: n, Pattern: "#N", Text: "#", Confidence: 0.5}
	}
	requireSelects(t, s, []querySelects{
		{"a page of an empty store", clockifysync.EntryQuery{WorkspaceID: ws, Limit: 2}, []string{}},
		{"a page of an empty store, newest first", clockifysync.EntryQuery{Newest: true, Limit: 1}, []string{}},
	})
	gone := entry("gone", "u1", "p1", "login, deleted", t0.Add(time.Hour))
	gone.Deleted = t0.Add(2 * time.Hour)
	other := entry("other", "u1", "p1", "login elsewhere", t0)
	other.WorkspaceID = "ws2"
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{
		entry("c", "u2", "p1", "Review #5 and #6", t0.Add(48*time.Hour), link(5), link(6)),
		entry("a", "u1", "p1", "Fix LOGIN page, #1 #2 #3", t0, link(1), link(2), link(3)),
		entry("b", "u1", "p2", "standup", t0.Add(24*time.Hour)),
		entry("a2", "u2", "p2", "login again #7 #8", t0, link(7), link(8)), // same start as a: by id
		entry("d", "u3", "", "login, at last", t0.Add(72*time.Hour)),
		gone, other,
	}))
	at := func(id string) *clockifysync.Cursor {
		e, err := s.Entry(ctx, ws, id)
		require.NoError(t, err)
		return e.Cursor()
	}
	requireSelects(t, s, []querySelects{
		{"a page", clockifysync.EntryQuery{WorkspaceID: ws, Limit: 2}, []string{"a", "a2"}},
		{"the page after", clockifysync.EntryQuery{WorkspaceID: ws, After: at("a2"), Limit: 2}, []string{"b", "c"}},
		{"after an entry of the same start", clockifysync.EntryQuery{WorkspaceID: ws, After: at("a")}, []string{"a2", "b", "c", "d"}},
		{"after the last", clockifysync.EntryQuery{WorkspaceID: ws, After: at("d"), Limit: 2}, []string{}},
		{"a limit past the end", clockifysync.EntryQuery{WorkspaceID: ws, Limit: 9}, []string{"a", "a2", "b", "c", "d"}},
		{"the largest limit", clockifysync.EntryQuery{WorkspaceID: ws, Limit: math.MaxInt}, []string{"a", "a2", "b", "c", "d"}},
		{"the largest limit, of a text", clockifysync.EntryQuery{WorkspaceID: ws, Text: "login", Limit: math.MaxInt}, []string{"a", "a2", "d"}},
		{"newest first", clockifysync.EntryQuery{WorkspaceID: ws, Newest: true}, []string{"d", "c", "b", "a2", "a"}},
		{"newest first, the page after", clockifysync.EntryQuery{WorkspaceID: ws, Newest: true, After: at("c"), Limit: 2}, []string{"b", "a2"}},
		{"newest first, after an entry of the same start", clockifysync.EntryQuery{WorkspaceID: ws, Newest: true, After: at("a2")}, []string{"a"}},
		{"a page of a text", clockifysync.EntryQuery{WorkspaceID: ws, Text: "login", Limit: 2}, []string{"a", "a2"}},
		{"the page after, of a text", clockifysync.EntryQuery{WorkspaceID: ws, Text: "login", After: at("a2"), Limit: 2}, []string{"d"}},
		{"a page with the deleted", clockifysync.EntryQuery{WorkspaceID: ws, IncludeDeleted: true, After: at("a2"), Limit: 2}, []string{"gone", "b"}},
		{"a page of a PR", clockifysync.EntryQuery{WorkspaceID: ws, PR: "acme/web#6", Limit: 1}, []string{"c"}},
		{"a page of a member", clockifysync.EntryQuery{WorkspaceID: ws, UserID: "u2", Newest: true, Limit: 1}, []string{"c"}},
	})

	all, err := s.Entries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, IncludeDeleted: true})
	require.NoError(t, err)
	for _, newest := range []bool{false, true} {
		want := slices.Clone(all)
		if newest {
			slices.Reverse(want)
		}
		for size := 1; size <= len(all)+1; size++ {
			q := clockifysync.EntryQuery{WorkspaceID: ws, IncludeDeleted: true, Newest: newest, Limit: size}
			var got []clockifysync.Entry
			for {
				page, err := s.Entries(ctx, q)
				require.NoError(t, err)
				require.LessOrEqual(t, len(page), size)
				got = append(got, page...)
				if len(page) < size {
					break
				}
				q.After = page[len(page)-1].Cursor()
			}
			require.Len(t, got, len(want), "pages of %d, newest first %v", size, newest)
			for i := range want {
				requireSameEntry(t, want[i], got[i])
			}
		}
	}
}

// entriesPagedThroughMany: a page of a text that few of many entries hold holds them
// all, however far apart they are, and each once (one of them is the 500th entry: a
// store that reads entries in pages of 500 must not read it twice).
func entriesPagedThroughMany(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	var entries []clockifysync.Entry
	var want []string
	for i := range 2400 {
		id := fmt.Sprintf("e%04d", i)
		desc := "standup"
		if i%400 == 399 || i == 499 {
			desc, want = "the NEEDLE", append(want, id)
		}
		entries = append(entries, entry(id, "u1", "p1", desc, t0.Add(time.Duration(i)*time.Minute)))
	}
	require.NoError(t, s.PutEntries(ctx, entries))
	requireSelects(t, s, []querySelects{
		{"all", clockifysync.EntryQuery{WorkspaceID: ws, Text: "needle", Limit: 10}, want},
		{"a page", clockifysync.EntryQuery{WorkspaceID: ws, Text: "needle", Limit: 4}, want[:4]},
		{"newest first", clockifysync.EntryQuery{WorkspaceID: ws, Text: "needle", Newest: true, Limit: 2}, []string{want[6], want[5]}},
		{"after", clockifysync.EntryQuery{WorkspaceID: ws, Text: "needle", After: entries[400].Cursor(), Limit: 2}, want[1:3]},
	})
}

func entriesReplaceLinks(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	two := entry("e1", "u1", "p1", "#1 and #2", t0,
		clockifysync.Link{Owner: "acme", Repo: "web", Number: 1, Pattern: "#N", Text: "#1", Confidence: 0.5},
		clockifysync.Link{Owner: "acme", Repo: "web", Number: 2, Pattern: "#N", Text: "#2", Confidence: 0.5})
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{two}))
	one := entry("e1", "u1", "p1", "only #3 now", t0, clockifysync.Link{Number: 3, Pattern: "#N", Text: "#3", Confidence: 0.5})
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{one}))
	got, err := s.Entry(ctx, ws, "e1")
	require.NoError(t, err)
	requireSameEntry(t, one, got)
	require.False(t, got.Links[0].Resolved())

	none := entry("e1", "u1", "p1", "no reference", t0)
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{none}))
	got, err = s.Entry(ctx, ws, "e1")
	require.NoError(t, err)
	require.Empty(t, got.Links)
}

// entriesWrittenAgain: writing back many entries read again (a re-sync), most of them
// unchanged, stores every change among them, whatever field it is in and wherever it
// is in the list, and when each was read.
func entriesWrittenAgain(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	link := clockifysync.Link{Owner: "acme", Repo: "web", Number: 1, Pattern: "#N", Text: "#1", Confidence: 0.5}
	var first []clockifysync.Entry
	for i := range 1500 {
		first = append(first, entry(fmt.Sprintf("e%04d", i), "u1", "p1", "#1 work", t0.Add(time.Duration(i)*time.Minute), link))
	}
	require.NoError(t, s.PutEntries(ctx, first))

	again := make([]clockifysync.Entry, len(first))
	for i, e := range first {
		e.Links = slices.Clone(e.Links)
		e.Synced = t0.Add(2 * time.Hour)
		again[i] = e
	}
	changes := map[int]func(e *clockifysync.Entry){
		1490: func(e *clockifysync.Entry) { e.Description = "#1 work, edited" },
		1491: func(e *clockifysync.Entry) { e.UserID = "u2" },
		1492: func(e *clockifysync.Entry) { e.ProjectID = "p2" },
		1493: func(e *clockifysync.Entry) { e.TaskID = "task2" },
		1494: func(e *clockifysync.Entry) { e.Start = e.Start.Add(-time.Minute) },
		1495: func(e *clockifysync.Entry) { e.End = time.Time{} },
		1496: func(e *clockifysync.Entry) { e.Billable = false },
		1497: func(e *clockifysync.Entry) { e.Type = "BREAK" },
		1498: func(e *clockifysync.Entry) { e.Links[0].Repo = "api" }, // its project mapped elsewhere
		1499: func(e *clockifysync.Entry) { e.Links = nil },
		1486: func(e *clockifysync.Entry) { e.HourlyRate = 15000 },
		1487: func(e *clockifysync.Entry) { e.Currency = "USD" },
		// Each field of a link changed alone (another parser, another mapping).
		1480: func(e *clockifysync.Entry) { e.Links[0].Owner = "other" },
		1481: func(e *clockifysync.Entry) { e.Links[0].Number = 2 },
		1482: func(e *clockifysync.Entry) { e.Links[0].Issue = true },
		1483: func(e *clockifysync.Entry) { e.Links[0].Pattern = "PR #N" },
		1484: func(e *clockifysync.Entry) { e.Links[0].Text = "PR #1" },
		1485: func(e *clockifysync.Entry) { e.Links[0].Confidence = 0.9 },
	}
	for i, change := range changes {
		change(&again[i])
	}
	require.NoError(t, s.PutEntries(ctx, again))
	for _, i := range []int{0, 499, 500, 1480, 1481, 1482, 1483, 1484, 1485, 1486, 1487, 1489, 1490, 1491, 1492, 1493, 1494, 1495, 1496, 1497, 1498, 1499} {
		got, err := s.Entry(ctx, ws, again[i].ID)
		require.NoError(t, err)
		requireSameEntry(t, again[i], got)
	}
}

// entriesReadLastKept: an entry read before the one stored (a sync's page written after
// a delivery's newer read) is not written, nor are its links, whether or not it differs
// from the stored one and whatever else its batch holds; one read at the same time or
// later is. A deletion is a read too: an entry read alive before it does not bring the
// entry back.
func entriesReadLastKept(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	at := func(e clockifysync.Entry, h int) clockifysync.Entry {
		e.Synced = t0.Add(time.Duration(h) * time.Hour)
		return e
	}
	link := func(n int) clockifysync.Link {
		return clockifysync.Link{Number: n, Pattern: "#N", Text: fmt.Sprintf("#%d", n), Confidence: 0.5}
	}
	same := at(entry("same", "u1", "p1", "#1 same", t0, link(1)), 2)
	edited := at(entry("edited", "u1", "p1", "#2 edited", t0, link(2)), 2)
	newer := at(entry("newer", "u1", "p1", "#3 newer", t0, link(3)), 2)
	tie := at(entry("tie", "u1", "p1", "#4 tie", t0, link(4)), 2)
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{same, edited, newer, tie}))

	later := at(entry("newer", "u1", "p1", "#30 newer again", t0, link(30)), 3)
	tied := at(entry("tie", "u1", "p1", "#40 tie again", t0, link(40)), 2)
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{
		at(same, 1),
		at(entry("edited", "u1", "p1", "#20 before the edit", t0, link(20)), 1),
		later, tied,
		at(entry("fresh", "u1", "p1", "#5 fresh", t0, link(5)), 1),
	}))
	for _, want := range []clockifysync.Entry{same, edited, later, tied, at(entry("fresh", "u1", "p1", "#5 fresh", t0, link(5)), 1)} {
		got, err := s.Entry(ctx, ws, want.ID)
		require.NoError(t, err)
		requireSameEntry(t, want, got)
	}

	require.NoError(t, s.MarkEntriesDeleted(ctx, ws, []string{"same"}, t0.Add(4*time.Hour)))
	require.NoError(t, s.MarkEntriesDeleted(ctx, ws, []string{"edited"}, t0.Add(time.Hour)), "read gone before its last read")
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{at(same, 3)}))
	got, err := s.Entry(ctx, ws, "same")
	require.NoError(t, err)
	require.True(t, got.Deleted.Equal(t0.Add(4*time.Hour)), "read alive before it was read gone: stays deleted")
	require.True(t, got.Synced.Equal(t0.Add(4*time.Hour)), "synced %v", got.Synced)
	got, err = s.Entry(ctx, ws, "edited")
	require.NoError(t, err)
	require.True(t, got.Synced.Equal(t0.Add(2*time.Hour)), "a deletion read earlier keeps the later read time: %v", got.Synced)
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{at(same, 5)}))
	got, err = s.Entry(ctx, ws, "same")
	require.NoError(t, err)
	require.True(t, got.Deleted.IsZero(), "read alive after")

	// One entry given twice in a call: the one read last is kept, whatever its place; of
	// two read at once, the last given. An entry given after them is stored too.
	twice := func(a, b clockifysync.Entry, want string) {
		t.Helper()
		after := entry(a.ID+"-after", "u1", "p1", want+", after", t0)
		require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{a, b, after}))
		got, err := s.Entry(ctx, ws, a.ID)
		require.NoError(t, err)
		require.Equal(t, want, got.Description)
		got, err = s.Entry(ctx, ws, after.ID)
		require.NoError(t, err, "given after the one given twice")
		require.Equal(t, after.Description, got.Description)
	}
	twice(at(entry("twice", "u1", "p1", "read later", t0), 7), at(entry("twice", "u1", "p1", "read earlier", t0), 6), "read later")
	twice(at(entry("twice", "u1", "p1", "read first", t0), 8), at(entry("twice", "u1", "p1", "read at once, given last", t0), 8), "read at once, given last")
}

func replaceAutoLinks(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	same := entry("same", "u1", "p1", "#1 here", t0, clockifysync.Link{Number: 1, Pattern: "#N", Text: "#1", Confidence: 0.5})
	edited := entry("edited", "u1", "p1", "#2 here", t0.Add(time.Hour), clockifysync.Link{Number: 2, Pattern: "#N", Text: "#2", Confidence: 0.5})
	moved := entry("moved", "u1", "p1", "#3 here", t0.Add(2*time.Hour), clockifysync.Link{Number: 3, Pattern: "#N", Text: "#3", Confidence: 0.5})
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{same, edited, moved}))
	require.NoError(t, s.MarkEntriesDeleted(ctx, ws, []string{"same"}, t0.Add(time.Hour)))
	same, err := s.Entry(ctx, ws, "same")
	require.NoError(t, err)

	// Read before another writer changed "edited" and "moved".
	stale := []clockifysync.Entry{same, edited, moved, entry("unknown", "u1", "p1", "#4", t0)}
	edited.Description, moved.ProjectID = "#22 now", "p2"
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{edited, moved}))
	resolved := func(e clockifysync.Entry) clockifysync.Entry {
		e.Links = slices.Clone(e.Links) // not the links given before, which a store may hold
		for i := range e.Links {
			e.Links[i].Owner, e.Links[i].Repo = "acme", "web"
		}
		return e
	}
	for i := range stale {
		stale[i] = resolved(stale[i])
		stale[i].Synced = t0.Add(9 * time.Hour) // not the store's to take
	}
	require.NoError(t, s.ReplaceAutoLinks(ctx, stale))

	got, err := s.Entry(ctx, ws, "same")
	require.NoError(t, err)
	want := resolved(same)
	requireSameEntry(t, want, got)
	require.True(t, got.Links[0].Resolved())
	for _, e := range []clockifysync.Entry{edited, moved} {
		got, err := s.Entry(ctx, ws, e.ID)
		require.NoError(t, err)
		requireSameEntry(t, e, got)
		require.False(t, got.Links[0].Resolved(), "%s keeps its writer's links", e.ID)
	}
	_, err = s.Entry(ctx, ws, "unknown")
	require.ErrorIs(t, err, clockifysync.ErrNotFound)
	require.NoError(t, s.ReplaceAutoLinks(ctx, nil))

	// More entries than one statement takes, the first 600 edited since they were read:
	// the links of the one after them are still replaced.
	batch := make([]clockifysync.Entry, 601)
	for i := range batch {
		batch[i] = entry(fmt.Sprintf("batch-%04d", i), "u1", "p1", "#5 here", t0, clockifysync.Link{Number: 5, Pattern: "#N", Text: "#5", Confidence: 0.5})
	}
	require.NoError(t, s.PutEntries(ctx, batch))
	for i := range batch {
		batch[i] = resolved(batch[i])
		if i < 600 {
			batch[i].Description = "#5 as read before an edit"
		}
	}
	require.NoError(t, s.ReplaceAutoLinks(ctx, batch))
	for id, replaced := range map[string]bool{"batch-0000": false, "batch-0599": false, "batch-0600": true} {
		got, err := s.Entry(ctx, ws, id)
		require.NoError(t, err)
		require.Equal(t, replaced, got.Links[0].Resolved(), id)
	}
}

// manyLinks writes, then replaces, the links of more entries and links at once than a
// store may write in one statement: none is lost.
func manyLinks(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	var entries []clockifysync.Entry
	for i := range 600 {
		entries = append(entries, entry(fmt.Sprintf("e%04d", i), "u1", "p1", "#1 and #2", t0.Add(time.Duration(i)*time.Minute),
			clockifysync.Link{Number: 1, Pattern: "#N", Text: "#1", Confidence: 0.5},
			clockifysync.Link{Number: 2, Pattern: "#N", Text: "#2", Confidence: 0.5}))
	}
	require.NoError(t, s.PutEntries(ctx, entries))
	links := func() (all, resolved int) {
		got, err := s.Entries(ctx, clockifysync.EntryQuery{WorkspaceID: ws})
		require.NoError(t, err)
		require.Len(t, got, len(entries))
		for _, e := range got {
			for _, l := range e.Links {
				all++
				if l.Resolved() {
					resolved++
				}
			}
		}
		return all, resolved
	}
	all, resolved := links()
	require.Equal(t, 2*len(entries), all)
	require.Zero(t, resolved)

	for i := range entries {
		entries[i].Links = slices.Clone(entries[i].Links)
		for j := range entries[i].Links {
			entries[i].Links[j].Owner, entries[i].Links[j].Repo = "acme", "web"
		}
	}
	require.NoError(t, s.ReplaceAutoLinks(ctx, entries))
	all, resolved = links()
	require.Equal(t, 2*len(entries), all)
	require.Equal(t, all, resolved)
}

func entriesDeleted(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{entry("a", "u1", "", "x", t0), entry("b", "u1", "", "y", t0.Add(time.Hour)),
		entry("c", "u1", "", "z", t0.Add(2*time.Hour))}))
	require.NoError(t, s.MarkEntriesDeleted(ctx, ws, []string{"unknown", "c", "a"}, t0.Add(time.Hour)), "an unknown id is skipped")
	live, err := s.Entries(ctx, clockifysync.EntryQuery{WorkspaceID: ws})
	require.NoError(t, err)
	require.Equal(t, []string{"b"}, ids(live), "every id given is marked")
	all, err := s.Entries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, IncludeDeleted: true})
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "c"}, ids(all))
	require.True(t, all[0].Deleted.Equal(t0.Add(time.Hour)))
	require.True(t, all[2].Deleted.Equal(t0.Add(time.Hour)))

	// Marking again keeps the first time.
	require.NoError(t, s.MarkEntriesDeleted(ctx, ws, []string{"a"}, t0.Add(5*time.Hour)))
	got, err := s.Entry(ctx, ws, "a")
	require.NoError(t, err)
	require.True(t, got.Deleted.Equal(t0.Add(time.Hour)))

	// An entry written back as it was read (relinked, say) stays deleted.
	back := got
	back.Description = "x, relinked"
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{back}))
	got, err = s.Entry(ctx, ws, "a")
	require.NoError(t, err)
	require.Equal(t, "x, relinked", got.Description)
	require.True(t, got.Deleted.Equal(t0.Add(time.Hour)), "deleted at %v", got.Deleted)

	// An entry that comes back is live again.
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{entry("a", "u1", "", "x", t0)}))
	got, err = s.Entry(ctx, ws, "a")
	require.NoError(t, err)
	require.True(t, got.Deleted.IsZero())
	require.NoError(t, s.MarkEntriesDeleted(ctx, ws, nil, t0), "no ids is no error")
}

func workspacesApart(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	a := entry("same", "u1", "p1", "in ws1", t0)
	b := a
	b.WorkspaceID, b.Description = "ws2", "in ws2"
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{a, b}))
	require.NoError(t, s.MarkEntriesDeleted(ctx, "ws2", []string{"same"}, t0))
	got, err := s.Entry(ctx, ws, "same")
	require.NoError(t, err)
	require.Equal(t, "in ws1", got.Description)
	require.True(t, got.Deleted.IsZero())
	// A query of no workspace selects every workspace's entries (with no filter at all
	// when it keeps the deleted).
	for _, c := range []struct {
		q    clockifysync.EntryQuery
		want []string
	}{
		{clockifysync.EntryQuery{}, []string{"in ws1"}},
		{clockifysync.EntryQuery{IncludeDeleted: true}, []string{"in ws1", "in ws2"}},
	} {
		every, err := s.Entries(ctx, c.q)
		require.NoError(t, err)
		var descs []string
		for _, e := range every {
			descs = append(descs, e.Description)
		}
		require.ElementsMatch(t, c.want, descs, "%+v", c.q)
	}
	require.NoError(t, s.PutProjects(ctx, []clockifysync.Project{{WorkspaceID: ws, ID: "p"}, {WorkspaceID: "ws2", ID: "p", Name: "other"}}))
	ps, err := s.Projects(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, []clockifysync.Project{{WorkspaceID: ws, ID: "p"}}, ps)
}

// keysNoneHolds: a key with bytes no store keeps (NUL, bytes that are not UTF-8: bad
// input, never from Clockify) finds nothing, as any key not stored, instead of failing
// the query (PostgreSQL holds no such text).
func keysNoneHolds(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	e := entry("e1", "u1", "p1", "fix PR #1", t0)
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{e}))
	require.NoError(t, s.PutConnection(ctx, clockifysync.Connection{WorkspaceID: ws, WorkspaceName: "Acme"}))
	for _, bad := range []string{ws + "\x00", "\x00", ws + "\xff", "\xc3"} {
		_, err := s.Connection(ctx, bad)
		require.ErrorIs(t, err, clockifysync.ErrNotFound, "%q", bad)
		err = s.UpdateConnection(ctx, bad, func(*clockifysync.Connection) error { return nil })
		require.ErrorIs(t, err, clockifysync.ErrNotFound, "%q", bad)
		_, err = s.Entry(ctx, ws, bad)
		require.ErrorIs(t, err, clockifysync.ErrNotFound, "%q", bad)
		_, err = s.Entry(ctx, bad, e.ID)
		require.ErrorIs(t, err, clockifysync.ErrNotFound, "%q", bad)
		for _, q := range []clockifysync.EntryQuery{{WorkspaceID: bad}, {WorkspaceID: ws, UserID: bad}, {WorkspaceID: ws, ProjectID: bad},
			{WorkspaceID: ws, From: t0.Add(-time.Hour), UserID: bad}, {WorkspaceID: ws, To: t0.Add(time.Hour), ProjectID: bad}} { // the last two: the key after a time
			got, err := s.Entries(ctx, q)
			require.NoError(t, err, "%q", bad)
			require.Empty(t, got, "%q", bad)
		}
		links, err := s.ManualLinks(ctx, ws, bad)
		require.NoError(t, err, "%q", bad)
		require.Empty(t, links, "%q", bad)
		members, err := s.Members(ctx, bad)
		require.NoError(t, err, "%q", bad)
		require.Empty(t, members, "%q", bad)
	}
}

func manualLinks(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{entry("e1", "u1", "", "x", t0), entry("e2", "u1", "", "y", t0)}))
	l := func(entryID, repo string, n int, created time.Time) clockifysync.Link {
		return clockifysync.Link{WorkspaceID: ws, EntryID: entryID, Owner: "acme", Repo: repo, Number: n,
			Source: clockifysync.SourceManual, Pattern: "manual", Confidence: 1, Created: created}
	}
	require.NoError(t, s.AddManualLink(ctx, l("e1", "web", 7, t0.Add(time.Minute))))
	require.NoError(t, s.AddManualLink(ctx, l("e1", "api", 3, t0.Add(2*time.Minute))))
	require.NoError(t, s.AddManualLink(ctx, l("e2", "web", 9, t0)))
	require.NoError(t, s.AddManualLink(ctx, l("e1", "web", 7, t0.Add(time.Hour))), "the same link again changes nothing")

	all, err := s.ManualLinks(ctx, ws)
	require.NoError(t, err)
	require.Len(t, all, 3)
	require.Equal(t, "e1", all[0].EntryID)
	require.Equal(t, 7, all[0].Number, "by entry, then creation")
	require.True(t, all[0].Created.Equal(t0.Add(time.Minute)))
	require.Equal(t, clockifysync.SourceManual, all[0].Source)
	require.Equal(t, "manual", all[0].Pattern)
	require.Equal(t, float32(1), all[0].Confidence, "a link made by hand is certain")
	require.Equal(t, ws, all[0].WorkspaceID)
	require.Equal(t, "web", all[0].Repo)
	require.Equal(t, 3, all[1].Number)
	require.Equal(t, 9, all[2].Number)

	of2, err := s.ManualLinks(ctx, ws, "e2")
	require.NoError(t, err)
	require.Len(t, of2, 1)

	// A re-sync of the entry leaves its manual links.
	require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{entry("e1", "u1", "", "changed", t0)}))
	require.NoError(t, s.MarkEntriesDeleted(ctx, ws, []string{"e1"}, t0))
	of1, err := s.ManualLinks(ctx, ws, "e1")
	require.NoError(t, err)
	require.Len(t, of1, 2)

	require.NoError(t, s.RemoveManualLink(ctx, l("e1", "web", 7, time.Time{})))
	require.ErrorIs(t, s.RemoveManualLink(ctx, l("e1", "web", 7, time.Time{})), clockifysync.ErrNotFound)
	of1, err = s.ManualLinks(ctx, ws, "e1")
	require.NoError(t, err)
	require.Len(t, of1, 1)
	require.Equal(t, "api", of1[0].Repo)

	none, err := s.ManualLinks(ctx, "ws2")
	require.NoError(t, err)
	require.Empty(t, none)
}

func directory(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	m1 := clockifysync.Member{WorkspaceID: ws, ID: "u2", Name: "Zoë", Email: "zoe@example.com", Status: "ACTIVE", Login: "zoe", Method: "email", Score: 1}
	m2 := clockifysync.Member{WorkspaceID: ws, ID: "u1", Name: "Ann", Status: "INACTIVE"}
	require.NoError(t, s.PutMembers(ctx, []clockifysync.Member{m1, m2}))
	ms, err := s.Members(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, []clockifysync.Member{m2, m1}, ms)
	m2.Login, m2.Method, m2.Score = "ann", "name", 0.97
	require.NoError(t, s.PutMembers(ctx, []clockifysync.Member{m2}))
	ms, err = s.Members(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, []clockifysync.Member{m2, m1}, ms)

	p := clockifysync.Project{WorkspaceID: ws, ID: "p1", Name: "Web", Billable: true, HourlyRate: 15000, Currency: "AUD", Synced: t0}
	require.NoError(t, s.PutProjects(ctx, []clockifysync.Project{p, {WorkspaceID: ws, ID: "p0", Archived: true, Synced: t0}}))
	require.NoError(t, s.MarkProjectDeleted(ctx, ws, "p1", t0.Add(time.Hour)))
	require.ErrorIs(t, s.MarkProjectDeleted(ctx, ws, "nope", t0), clockifysync.ErrNotFound)
	ps, err := s.Projects(ctx, ws)
	require.NoError(t, err)
	require.Len(t, ps, 2)
	require.Equal(t, "p0", ps[0].ID)
	require.True(t, ps[0].Archived)
	deleted := p
	deleted.Deleted, deleted.Synced = t0.Add(time.Hour), t0.Add(time.Hour) // the deletion was read then
	requireSameProject(t, deleted, ps[1])

	// Read before it was read gone, the project stays deleted; read after, it is live.
	require.NoError(t, s.PutProjects(ctx, []clockifysync.Project{p}))
	back := p
	back.Synced = t0.Add(2 * time.Hour)
	stale := back
	stale.Name, stale.Synced = "Web, as read before", t0.Add(90*time.Minute)
	for _, put := range []clockifysync.Project{back, stale} {
		require.NoError(t, s.PutProjects(ctx, []clockifysync.Project{put}))
	}
	require.NoError(t, s.MarkProjectDeleted(ctx, ws, "p0", t0.Add(-time.Hour)), "read gone before its last read")
	ps, err = s.Projects(ctx, ws)
	require.NoError(t, err)
	requireSameProject(t, back, ps[1])
	require.True(t, ps[0].Synced.Equal(t0), "the later read time is kept: %v", ps[0].Synced)

	// In one write, a project read before the stored one is skipped, not those after it.
	p2 := clockifysync.Project{WorkspaceID: ws, ID: "p2", Name: "API", Synced: t0}
	require.NoError(t, s.PutProjects(ctx, []clockifysync.Project{stale, p2}))
	ps, err = s.Projects(ctx, ws)
	require.NoError(t, err)
	require.Len(t, ps, 3)
	requireSameProject(t, back, ps[1])
	requireSameProject(t, p2, ps[2])
}

// requireSameProject compares projects with times compared as instants.
func requireSameProject(t *testing.T, want, got clockifysync.Project) {
	t.Helper()
	for _, p := range []struct{ w, g *time.Time }{{&want.Deleted, &got.Deleted}, {&want.Synced, &got.Synced}} {
		require.Truef(t, p.w.Equal(*p.g), "time %v, want %v", *p.g, *p.w)
		*p.w, *p.g = time.Time{}, time.Time{}
	}
	require.Equal(t, want, got)
}

func mappings(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	require.NoError(t, s.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: "p2", Repo: "acme/api"}))
	require.NoError(t, s.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: "p1", Repo: "acme/web"}))
	withPattern := clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: "p1", Repo: "acme/site", Pattern: `WEB-(?P<number>\d+)`}
	require.NoError(t, s.SetProjectMapping(ctx, withPattern))
	pm, err := s.ProjectMappings(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, []clockifysync.ProjectMapping{withPattern, {WorkspaceID: ws, ProjectID: "p2", Repo: "acme/api"}}, pm)
	require.NoError(t, s.DeleteProjectMapping(ctx, ws, "p2"))
	require.ErrorIs(t, s.DeleteProjectMapping(ctx, ws, "p2"), clockifysync.ErrNotFound)
	pm, err = s.ProjectMappings(ctx, ws)
	require.NoError(t, err)
	require.Len(t, pm, 1)

	require.NoError(t, s.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: ws, MemberID: "u2", Login: "hubot"}))
	require.NoError(t, s.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: ws, MemberID: "u1", Login: "old"}))
	require.NoError(t, s.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: ws, MemberID: "u1", Login: "octocat"}))
	um, err := s.UserMappings(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, []clockifysync.UserMapping{{WorkspaceID: ws, MemberID: "u1", Login: "octocat"}, {WorkspaceID: ws, MemberID: "u2", Login: "hubot"}}, um,
		"by member id")
	require.NoError(t, s.DeleteUserMapping(ctx, ws, "u1"))
	require.ErrorIs(t, s.DeleteUserMapping(ctx, ws, "u1"), clockifysync.ErrNotFound)
	um, err = s.UserMappings(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, []clockifysync.UserMapping{{WorkspaceID: ws, MemberID: "u2", Login: "hubot"}}, um)
	um, err = s.UserMappings(ctx, "ws2")
	require.NoError(t, err)
	require.Empty(t, um)
}

func connections(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	_, err := s.Connection(ctx, ws)
	require.ErrorIs(t, err, clockifysync.ErrNotFound)
	c := clockifysync.Connection{
		WorkspaceID: ws, WorkspaceName: "Acme", HourlyRate: 15000, Currency: "AUD", Status: clockifysync.StatusConnected, Step: clockifysync.StepInitialSync,
		SealedAPIKey: []byte{0, 1, 2, 0xff}, WebhookURL: "https://hooks.example.com/clockify", Region: clockify.RegionEUC1,
		GitHubHost:    "github.acme.corp",
		MissingEvents: []clockify.WebhookEvent{clockify.EventNewProject, clockify.EventTimeEntrySplit}, Schedule: clockifysync.ScheduleHourly,
		InitialDays: 30, LastSync: t0, LastError: "", ChangesRead: t0.Add(-time.Minute), Created: t0.Add(-time.Hour), Updated: t0,
		WindowReads: []time.Time{t0.Add(-time.Second + time.Nanosecond), t0},
		Rates: clockifysync.Rates{Default: money(t, 12000, "AUD"), Projects: map[string]billing.Money{
			"p1": money(t, 15000, "USD"), "p2": money(t, 0, "JPY"), "p3": money(t, 123456, "KWD"),
		}, Changes: []clockifysync.RateChange{
			{Since: t0.Add(-24*time.Hour + time.Nanosecond), Hourly: money(t, 13000, "AUD")},
			{ProjectID: "p1", Since: t0, Hourly: money(t, 16000, "USD")},
			{ProjectID: "p4", Since: t0, Hourly: money(t, 500, "JPY")},
		}, ClockifyRates: true},
	}
	require.NoError(t, s.PutConnection(ctx, c))
	// What was put, which the store must not share.
	c.Rates.Projects, c.Rates.Changes = maps.Clone(c.Rates.Projects), slices.Clone(c.Rates.Changes)
	require.NoError(t, s.PutConnection(ctx, clockifysync.Connection{WorkspaceID: "ws0", Status: clockifysync.StatusConnecting, Created: t0, Updated: t0}))
	got, err := s.Connection(ctx, ws)
	require.NoError(t, err)
	requireSameConnection(t, c, got)

	got.MissingEvents[0] = "CHANGED BY A CALLER"
	got.WindowReads[0] = time.Time{}
	got.Rates.Projects["p1"] = money(t, 1, "USD")
	got.Rates.Changes[0].Hourly = money(t, 1, "USD")
	got, err = s.Connection(ctx, ws)
	require.NoError(t, err)
	requireSameConnection(t, c, got)

	c.Status, c.SealedAPIKey, c.MissingEvents, c.LastError, c.WindowReads = clockifysync.StatusDisconnected, nil, nil, "boom", nil
	c.Rates = clockifysync.Rates{Projects: map[string]billing.Money{"p1": money(t, 15000, "USD")}} // no default
	require.NoError(t, s.PutConnection(ctx, c))
	got, err = s.Connection(ctx, ws)
	require.NoError(t, err)
	require.Nil(t, got.SealedAPIKey)
	require.Empty(t, got.MissingEvents)
	got.MissingEvents = nil
	requireSameConnection(t, c, got)

	all, err := s.Connections(ctx)
	require.NoError(t, err)
	require.Len(t, all, 2)
	require.Equal(t, "ws0", all[0].WorkspaceID)
	require.Equal(t, ws, all[1].WorkspaceID)
}

func updateConnection(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	err := s.UpdateConnection(ctx, ws, func(*clockifysync.Connection) error { return nil })
	require.ErrorIs(t, err, clockifysync.ErrNotFound)
	_, err = s.Connection(ctx, ws)
	require.ErrorIs(t, err, clockifysync.ErrNotFound, "nothing created")

	c := clockifysync.Connection{WorkspaceID: ws, Status: clockifysync.StatusConnected, SealedAPIKey: []byte("sealed"),
		Schedule: clockifysync.ScheduleHourly, LastSync: t0, Created: t0, Updated: t0}
	require.NoError(t, s.PutConnection(ctx, c))
	boom := errors.New("boom")
	err = s.UpdateConnection(ctx, ws, func(got *clockifysync.Connection) error {
		got.Status, got.SealedAPIKey = clockifysync.StatusDisconnected, nil
		return boom
	})
	require.ErrorIs(t, err, boom)
	got, err := s.Connection(ctx, ws)
	require.NoError(t, err)
	requireSameConnection(t, c, got)

	require.NoError(t, s.UpdateConnection(ctx, ws, func(got *clockifysync.Connection) error {
		requireSameConnection(t, c, *got)
		got.WorkspaceID = "elsewhere" // the key is not the change's to move
		got.Schedule, got.LastSync, got.LastError = clockifysync.ScheduleDaily, t0.Add(time.Hour), "failed"
		got.ChangesRead = t0.Add(2 * time.Hour)
		got.MissingEvents = []clockify.WebhookEvent{clockify.EventTimerStopped}
		got.WindowReads = []time.Time{t0.Add(90 * time.Minute)}
		got.Rates.Default = money(t, 9900, "NZD")
		return nil
	}))
	c.Schedule, c.LastSync, c.LastError = clockifysync.ScheduleDaily, t0.Add(time.Hour), "failed"
	c.ChangesRead = t0.Add(2 * time.Hour)
	c.MissingEvents = []clockify.WebhookEvent{clockify.EventTimerStopped}
	c.WindowReads = []time.Time{t0.Add(90 * time.Minute)}
	c.Rates.Default = money(t, 9900, "NZD")
	got, err = s.Connection(ctx, ws)
	require.NoError(t, err)
	requireSameConnection(t, c, got)
	all, err := s.Connections(ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
}

// updateConnectionConcurrent checks that changes of one connection from many replicas
// at once all take effect: none is lost to another's write.
func updateConnectionConcurrent(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	require.NoError(t, s.PutConnection(ctx, clockifysync.Connection{WorkspaceID: ws, Created: t0, Updated: t0}))
	const n = 16
	var wg gosync.WaitGroup
	for range n {
		wg.Go(func() {
			err := s.UpdateConnection(ctx, ws, func(c *clockifysync.Connection) error {
				c.InitialDays++
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := s.Connection(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, n, got.InitialDays)
}

// money is an amount of minor units of a currency.
func money(t *testing.T, minor int64, code string) billing.Money {
	t.Helper()
	m, err := billing.NewMoney(minor, code)
	require.NoError(t, err)
	return m
}

func requireSameConnection(t *testing.T, want, got clockifysync.Connection) {
	t.Helper()
	for _, p := range []struct{ w, g *time.Time }{
		{&want.LastSync, &got.LastSync}, {&want.ChangesRead, &got.ChangesRead}, {&want.Created, &got.Created}, {&want.Updated, &got.Updated},
	} {
		require.Truef(t, p.w.Equal(*p.g), "time %v, want %v", *p.g, *p.w)
		*p.w, *p.g = time.Time{}, time.Time{}
	}
	require.Truef(t, slices.EqualFunc(want.WindowReads, got.WindowReads, time.Time.Equal), "window reads %v, want %v", got.WindowReads, want.WindowReads)
	want.WindowReads, got.WindowReads = nil, nil
	require.Equal(t, want, got)
}

func webhooks(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	w1 := clockifysync.Webhook{WorkspaceID: ws, ID: "h2", Event: "NEW_TIME_ENTRY", URL: "https://x/hook", SealedToken: []byte("sealed-1")}
	w2 := clockifysync.Webhook{WorkspaceID: ws, ID: "h1", Event: "NEW_PROJECT", URL: "https://x/hook", SealedToken: []byte("sealed-2")}
	w3 := clockifysync.Webhook{WorkspaceID: "ws0", ID: "h9", Event: "NEW_PROJECT", URL: "https://y/hook", SealedToken: []byte("sealed-3")}
	for _, w := range []clockifysync.Webhook{w1, w2, w3} {
		require.NoError(t, s.PutWebhook(ctx, w))
	}
	w1.SealedToken = []byte("rotated")
	require.NoError(t, s.PutWebhook(ctx, w1))
	got, err := s.Webhooks(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, []clockifysync.Webhook{w2, w1}, got)
	all, err := s.Webhooks(ctx, "")
	require.NoError(t, err)
	require.Equal(t, []clockifysync.Webhook{w3, w2, w1}, all)
	require.NoError(t, s.DeleteWebhook(ctx, ws, "h1"))
	require.ErrorIs(t, s.DeleteWebhook(ctx, ws, "h1"), clockifysync.ErrNotFound)
	require.ErrorIs(t, s.DeleteWebhook(ctx, ws, "h9"), clockifysync.ErrNotFound, "another workspace's webhook")
	got, err = s.Webhooks(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, []clockifysync.Webhook{w1}, got)
}

func runs(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	_, ok, err := s.PendingRun(ctx, ws)
	require.NoError(t, err)
	require.False(t, ok)
	require.ErrorIs(t, s.CheckpointMember(ctx, ws, "u1"), clockifysync.ErrNotFound)

	r := clockifysync.Run{WorkspaceID: ws, Start: t0.Add(-30 * 24 * time.Hour), End: t0, Started: t0}
	require.NoError(t, s.StartRun(ctx, r))
	require.NoError(t, s.CheckpointMember(ctx, ws, "u2"))
	require.NoError(t, s.CheckpointMember(ctx, ws, "u1"))
	require.NoError(t, s.CheckpointMember(ctx, ws, "u2"), "again is no error")
	got, ok, err := s.PendingRun(ctx, ws)
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, got.Start.Equal(r.Start) && got.End.Equal(r.End) && got.Started.Equal(r.Started))
	require.ElementsMatch(t, []string{"u1", "u2"}, got.Done)
	_, ok, err = s.PendingRun(ctx, "ws2")
	require.NoError(t, err)
	require.False(t, ok)

	// A new run replaces the old one and its checkpoints.
	require.NoError(t, s.StartRun(ctx, clockifysync.Run{WorkspaceID: ws, Start: t0, End: t0.Add(time.Hour), Started: t0}))
	got, _, err = s.PendingRun(ctx, ws)
	require.NoError(t, err)
	require.Empty(t, got.Done)
	require.True(t, got.Start.Equal(t0))

	// A run may start with members done.
	require.NoError(t, s.StartRun(ctx, clockifysync.Run{WorkspaceID: ws, Start: t0, End: t0.Add(time.Hour), Started: t0, Done: []string{"u1", "u3"}}))
	got, _, err = s.PendingRun(ctx, ws)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"u1", "u3"}, got.Done)

	require.NoError(t, s.FinishRun(ctx, ws))
	require.NoError(t, s.FinishRun(ctx, ws), "finishing nothing is no error")
	_, ok, err = s.PendingRun(ctx, ws)
	require.NoError(t, err)
	require.False(t, ok)
}

func key(entity, body string) webhook.DeliveryKey {
	return webhook.DeliveryKey{Event: clockify.EventTimeEntryUpdated, EntityID: entity, Digest: sha256.Sum256([]byte(body))}
}

func claims(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	now := t0
	claim := func(k webhook.DeliveryKey) webhook.Claim {
		t.Helper()
		c, err := s.Claim(ctx, k, now, time.Minute)
		require.NoError(t, err)
		return c
	}
	applied := func(k webhook.DeliveryKey) webhook.Claim {
		t.Helper()
		c := claim(k)
		require.NoError(t, s.Complete(ctx, k))
		return c
	}
	require.Equal(t, webhook.Claimed, applied(key("e1", "v1")), "first")
	require.Equal(t, webhook.ClaimApplied, claim(key("e1", "v1")), "a redelivery")
	require.Equal(t, webhook.Claimed, applied(key("e2", "v1")), "another entity")
	require.Equal(t, webhook.Claimed, applied(key("e1", "v2")), "a new change")
	require.Equal(t, webhook.Claimed, applied(key("e1", "v1")), "edited back")
	require.NoError(t, s.Release(ctx, key("e1", "v2")), "not the last claim: nothing happens")
	require.Equal(t, webhook.ClaimApplied, claim(key("e1", "v1")))
	require.NoError(t, s.Release(ctx, key("e1", "v1")))
	require.Equal(t, webhook.Claimed, claim(key("e1", "v1")), "released: applied again")
	require.NoError(t, s.Release(ctx, key("unknown", "x")))
	require.NoError(t, s.Complete(ctx, key("unknown", "x")))

	// A claim is pending until it is completed, and lapses at the end of its lease: the
	// process applying it died.
	require.Equal(t, webhook.ClaimPending, claim(key("e1", "v1")), "being applied")
	require.NoError(t, s.Complete(ctx, key("e1", "v2")), "not the last claim: nothing happens")
	now = t0.Add(time.Minute - time.Second)
	require.Equal(t, webhook.ClaimPending, claim(key("e1", "v1")), "not lapsed")
	now = t0.Add(time.Minute)
	require.Equal(t, webhook.Claimed, claim(key("e1", "v1")), "lapsed: claimed again, for another minute")
	now = t0.Add(2*time.Minute - time.Second)
	require.Equal(t, webhook.ClaimPending, claim(key("e1", "v1")))
	require.NoError(t, s.Complete(ctx, key("e1", "v1")))
	now = t0.Add(time.Hour)
	require.Equal(t, webhook.ClaimApplied, claim(key("e1", "v1")), "applied claims do not lapse")
}

// claimsConcurrent checks that of many replicas receiving one delivery at once, exactly
// one applies it, and the others find it pending.
func claimsConcurrent(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	for round := range 5 {
		k := key(fmt.Sprintf("entity-%d", round), "body")
		got := map[webhook.Claim]int{}
		var mu gosync.Mutex
		var wg gosync.WaitGroup
		for range 8 {
			wg.Go(func() {
				c, err := s.Claim(ctx, k, t0, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				got[c]++
				mu.Unlock()
			})
		}
		wg.Wait()
		require.Equal(t, map[webhook.Claim]int{webhook.Claimed: 1, webhook.ClaimPending: 7}, got)
	}
}

// workspaceDeleted: DeleteWorkspace removes everything kept of one workspace, and
// nothing of another.
func workspaceDeleted(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	link := clockifysync.Link{Owner: "acme", Repo: "web", Number: 7, Pattern: "#N", Text: "#7", Confidence: 0.5}
	fill := func(workspace string) {
		e := entry("e1", "u1", "p1", "#7 review", t0, link)
		e.WorkspaceID, e.Links[0].WorkspaceID = workspace, workspace
		require.NoError(t, s.PutEntries(ctx, []clockifysync.Entry{e}))
		require.NoError(t, s.AddManualLink(ctx, clockifysync.Link{WorkspaceID: workspace, EntryID: "e1", Owner: "acme", Repo: "api",
			Number: 3, Source: clockifysync.SourceManual, Pattern: "manual", Created: t0}))
		require.NoError(t, s.PutMembers(ctx, []clockifysync.Member{{WorkspaceID: workspace, ID: "u1", Name: "Ada", Email: "ada@acme.dev"}}))
		require.NoError(t, s.PutProjects(ctx, []clockifysync.Project{{WorkspaceID: workspace, ID: "p1", Name: "web"}}))
		require.NoError(t, s.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: workspace, ProjectID: "p1", Repo: "acme/web"}))
		require.NoError(t, s.SetUserMapping(ctx, clockifysync.UserMapping{WorkspaceID: workspace, MemberID: "u1", Login: "ada"}))
		require.NoError(t, s.PutConnection(ctx, clockifysync.Connection{WorkspaceID: workspace, Status: clockifysync.StatusDisconnected,
			Created: t0, Updated: t0}))
		require.NoError(t, s.PutWebhook(ctx, clockifysync.Webhook{WorkspaceID: workspace, ID: "h1", Event: "NEW_TIME_ENTRY", URL: "https://x.example"}))
		require.NoError(t, s.StartRun(ctx, clockifysync.Run{WorkspaceID: workspace, Start: t0, End: t0.Add(time.Hour), Started: t0}))
		require.NoError(t, s.CheckpointMember(ctx, workspace, "u1"))
		require.NoError(t, s.Record(ctx, webhook.Delivery{ReceivedAt: t0, EventType: "NEW_TIME_ENTRY", WorkspaceID: workspace,
			EntityID: "e1", Outcome: webhook.OutcomeApplied, Status: 200}))
	}
	// kept counts what the store keeps of a workspace, one number a kind.
	kept := func(workspace string) []int {
		entries, err := s.Entries(ctx, clockifysync.EntryQuery{WorkspaceID: workspace, IncludeDeleted: true})
		require.NoError(t, err)
		ofPR, err := s.EntryIDs(ctx, clockifysync.EntryQuery{WorkspaceID: workspace, PR: "acme/api#3"})
		require.NoError(t, err)
		manual, err := s.ManualLinks(ctx, workspace)
		require.NoError(t, err)
		members, err := s.Members(ctx, workspace)
		require.NoError(t, err)
		projects, err := s.Projects(ctx, workspace)
		require.NoError(t, err)
		pms, err := s.ProjectMappings(ctx, workspace)
		require.NoError(t, err)
		ums, err := s.UserMappings(ctx, workspace)
		require.NoError(t, err)
		hooks, err := s.Webhooks(ctx, workspace)
		require.NoError(t, err)
		_, running, err := s.PendingRun(ctx, workspace)
		require.NoError(t, err)
		ds, err := s.Deliveries(ctx, workspace, 0)
		require.NoError(t, err)
		_, err = s.Connection(ctx, workspace)
		connected := 1
		if errors.Is(err, clockifysync.ErrNotFound) {
			connected = 0
		} else {
			require.NoError(t, err)
		}
		links := 0
		for _, e := range entries {
			links += len(e.Links)
		}
		run := 0
		if running {
			run = 1
		}
		return []int{len(entries), links, len(ofPR), len(manual), len(members), len(projects), len(pms), len(ums), len(hooks),
			run, len(ds), connected}
	}
	fill(ws)
	fill("ws2")
	all := []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	require.Equal(t, all, kept(ws))
	require.NoError(t, s.DeleteWorkspace(ctx, ws))
	require.Equal(t, make([]int, len(all)), kept(ws), "nothing of the workspace")
	require.Equal(t, all, kept("ws2"), "all of the other")
	_, err := s.Entry(ctx, ws, "e1")
	require.ErrorIs(t, err, clockifysync.ErrNotFound)
	require.NoError(t, s.DeleteWorkspace(ctx, ws), "again")
	require.NoError(t, s.DeleteWorkspace(ctx, "never-kept"))

	// The workspace can be kept again from nothing.
	fill(ws)
	require.Equal(t, all, kept(ws))
}

func deliveries(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	d := func(i int, workspace string) webhook.Delivery {
		return webhook.Delivery{
			ReceivedAt: t0.Add(time.Duration(i) * time.Second), EventType: "NEW_TIME_ENTRY", Kind: webhook.TimeEntryCreated,
			WebhookID: "h1", WorkspaceID: workspace, EntityID: fmt.Sprint("e", i), Outcome: webhook.OutcomeApplied,
			Status: 200, Elapsed: time.Duration(i) * time.Millisecond,
		}
	}
	rejected := webhook.Delivery{ReceivedAt: t0.Add(10 * time.Second), EventType: "bogus", Outcome: webhook.OutcomeRejected, Reason: "bad signature", Status: 401}
	for _, x := range []webhook.Delivery{d(1, ws), d(2, "ws2"), d(3, ws), rejected} {
		require.NoError(t, s.Record(ctx, x))
	}
	got, err := s.Deliveries(ctx, ws, 0)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, "e3", got[0].EntityID, "newest first")
	require.True(t, got[0].ReceivedAt.Equal(d(3, ws).ReceivedAt))
	got[0].ReceivedAt = d(3, ws).ReceivedAt
	require.Equal(t, d(3, ws), got[0])

	all, err := s.Deliveries(ctx, "", 0)
	require.NoError(t, err)
	require.Len(t, all, 4)
	require.Equal(t, "bad signature", all[0].Reason)
	two, err := s.Deliveries(ctx, "", 2)
	require.NoError(t, err)
	require.Len(t, two, 2)
	require.Equal(t, "e3", two[1].EntityID)
}

// deliveriesConcurrent records deliveries of one workspace from several replicas at
// once: every record is kept.
func deliveriesConcurrent(t *testing.T, s clockifysync.Store) {
	ctx := t.Context()
	var wg gosync.WaitGroup
	for r := range 8 {
		wg.Go(func() {
			for i := range 25 {
				d := webhook.Delivery{ReceivedAt: t0, EventType: "NEW_TIME_ENTRY", WorkspaceID: ws,
					EntityID: fmt.Sprintf("r%d-e%d", r, i), Outcome: webhook.OutcomeApplied, Status: 200}
				if err := s.Record(ctx, d); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	got, err := s.Deliveries(ctx, ws, 0)
	require.NoError(t, err)
	require.Len(t, got, 8*25)
}

// DeliveriesKeptApart checks a store that bounds its delivery log at keep records of
// each workspace and keep with no workspace: a flood of records with no workspace (forged
// requests) pushes no workspace's record out, and a busy workspace keeps its last keep.
// It records 2×keep+3 deliveries.
func DeliveriesKeptApart(t *testing.T, s clockifysync.Store, keep int) {
	ctx := t.Context()
	fill := func(workspaceID string, n int) {
		for i := range n {
			require.NoError(t, s.Record(ctx, webhook.Delivery{ReceivedAt: t0, WorkspaceID: workspaceID,
				EntityID: fmt.Sprint("fill", i), Outcome: webhook.OutcomeRejected, Status: 401}))
		}
	}
	d := func(workspace, entity string) webhook.Delivery {
		return webhook.Delivery{ReceivedAt: t0, EventType: "NEW_TIME_ENTRY", Kind: webhook.TimeEntryCreated,
			WebhookID: "h1", WorkspaceID: workspace, EntityID: entity, Outcome: webhook.OutcomeApplied, Status: 200}
	}
	forged := webhook.Delivery{ReceivedAt: t0, EventType: "NEW_TIME_ENTRY", Outcome: webhook.OutcomeRejected,
		Reason: "bad signature", Status: 401}
	entities := func(workspace string) []string {
		got, err := s.Deliveries(ctx, workspace, 0)
		require.NoError(t, err)
		var ids []string
		for _, d := range got {
			ids = append(ids, d.EntityID)
		}
		return ids
	}

	require.NoError(t, s.Record(ctx, d(ws, "first")))
	fill("", keep)
	require.NoError(t, s.Record(ctx, forged))
	require.Equal(t, []string{"first"}, entities(ws), "forged requests push no workspace's record out")
	newest, err := s.Deliveries(ctx, "", 1)
	require.NoError(t, err)
	require.Len(t, newest, 1)
	require.Equal(t, forged.Reason, newest[0].Reason)

	fill(ws, keep)
	require.NoError(t, s.Record(ctx, d(ws, "last")))
	got := entities(ws)
	require.Len(t, got, keep)
	require.Equal(t, "last", got[0])
	require.NotContains(t, got, "first", "the workspace's oldest record went")
	all, err := s.Deliveries(ctx, "", 0)
	require.NoError(t, err)
	require.Len(t, all, 2*keep, "the last records with no workspace, and the workspace's")
}
