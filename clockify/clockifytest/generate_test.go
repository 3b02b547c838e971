package clockifytest_test

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
)

func TestGenerateIsDeterministic(t *testing.T) {
	a := clockifytest.Generate(clockifytest.GenerateOptions{Seed: 11, Now: now, Members: 20, Projects: 12})
	b := clockifytest.Generate(clockifytest.GenerateOptions{Seed: 11, Now: now, Members: 20, Projects: 12})
	require.Equal(t, a, b)
	c := clockifytest.Generate(clockifytest.GenerateOptions{Seed: 12, Now: now})
	require.NotEqual(t, a.Entries[0].Description+a.Members[0].User.Name, c.Entries[0].Description+c.Members[0].User.Name)
	require.Equal(t, clockifytest.Generate(clockifytest.GenerateOptions{Seed: 1, Now: now}), clockifytest.Generate(clockifytest.GenerateOptions{Now: now}), "seed 0 is seed 1")

	var hash, pr, url, plain, crossing, running int
	for _, e := range a.Entries {
		d := e.Description
		switch {
		case strings.HasPrefix(d, "#"):
			hash++
		case strings.HasPrefix(d, "PR #") || strings.HasPrefix(d, "PR-"):
			pr++
		case strings.Contains(d, "github.com/"):
			url++
		default:
			plain++
		}
		if m := prNumber.FindStringSubmatch(d); m != nil {
			n, err := strconv.Atoi(m[1])
			require.NoError(t, err)
			require.Positive(t, n, "a PR number is positive: %q", d)
		}
		if e.TimeInterval.End == nil {
			running++
			require.True(t, e.TimeInterval.Start.Before(now), "the timer runs at Now")
			continue
		}
		wd := e.TimeInterval.Start.Weekday()
		require.True(t, wd != time.Saturday && wd != time.Sunday, "work starts on a working day: %v", e.TimeInterval.Start)
		require.False(t, e.TimeInterval.Start.After(now))
		require.False(t, e.TimeInterval.End.After(now))
		if e.TimeInterval.Start.YearDay() != e.TimeInterval.End.YearDay() {
			crossing++
		}
		require.Equal(t, e.TimeInterval.End.Sub(e.TimeInterval.Start), e.TimeInterval.Duration.Std())
	}
	for name, n := range map[string]int{"#N": hash, "PR": pr, "URL": url, "plain": plain, "crossing midnight": crossing} {
		require.Positive(t, n, name)
	}
	require.Equal(t, 1, running)
	names := map[string]bool{}
	for _, m := range a.Members {
		require.False(t, names[m.User.Name], "member names are unique")
		names[m.User.Name] = true
	}
	// Ids look like Clockify's (24 hex digits) and are unique.
	ids := []string{a.Workspace.ID, a.Owner.ID}
	for _, p := range a.Projects {
		ids = append(ids, p.ID)
	}
	for _, e := range a.Entries {
		ids = append(ids, e.ID)
	}
	for _, id := range ids {
		require.Regexp(t, `^[0-9a-f]{24}$`, id)
	}
	requireUnique(t, "id", ids)
}

// TestGenerateDefaults: zero options take the defaults GenerateOptions documents (Now the
// time of the call), and a count of one is one.
func TestGenerateDefaults(t *testing.T) {
	require.Equal(t, clockifytest.Generate(clockifytest.GenerateOptions{Seed: 1, Members: 5, Projects: 6, Days: 30, Now: now, Org: "acme"}),
		clockifytest.Generate(clockifytest.GenerateOptions{Now: now}))

	one := clockifytest.Generate(clockifytest.GenerateOptions{Members: 1, Projects: 1, Days: 1, Now: now})
	require.Len(t, one.Members, 1)
	require.Len(t, one.Projects, 1)
	require.NotEmpty(t, one.Entries)
	yesterday := time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, time.UTC)
	for _, e := range one.Entries {
		require.False(t, e.TimeInterval.Start.Before(yesterday), "one day: %v", e.TimeInterval.Start)
	}

	before := time.Now().Truncate(time.Second)
	f := clockifytest.Generate(clockifytest.GenerateOptions{})
	after := time.Now()
	i := slices.IndexFunc(f.Entries, func(e clockify.TimeEntry) bool { return e.Running() })
	require.NotEqual(t, -1, i, "a timer runs")
	require.WithinRange(t, f.Entries[i].TimeInterval.Start, before.Add(-time.Hour), after, "the timer runs at the call")
}

// TestGenerateLaterTheSameDay: a fixture generated later on the same day holds every
// entry of one generated earlier, unchanged, and adds only those that ended in between;
// only the running timer, which started 47 minutes before Now, moves.
func TestGenerateLaterTheSameDay(t *testing.T) {
	day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC) // a Friday
	for _, at := range []time.Duration{8 * time.Hour, 9*time.Hour + 10*time.Minute, 11 * time.Hour, 13 * time.Hour} {
		early := clockifytest.Generate(clockifytest.GenerateOptions{Seed: 3, Now: day.Add(at)})
		late := clockifytest.Generate(clockifytest.GenerateOptions{Seed: 3, Now: day.Add(at + 4*time.Hour)})
		require.Equal(t, early.Members, late.Members)
		require.Equal(t, early.Projects, late.Projects)
		byID := map[string]clockify.TimeEntry{}
		for _, e := range late.Entries {
			byID[e.ID] = e
		}
		for _, e := range early.Entries {
			if e.Running() {
				continue
			}
			require.Equal(t, e, byID[e.ID], "at %v: an entry of the earlier fixture", at)
			delete(byID, e.ID)
		}
		for _, e := range byID {
			require.True(t, e.Running() || e.TimeInterval.End.After(day.Add(at)), "at %v: an entry added ended since: %v", at, e.TimeInterval)
		}
	}
}

// TestGenerateTakesAnySeedOrOrg: a seed past the largest int (the seed is a uint64) gives
// a workspace as any other, its names taken from the lists, and an organisation whose
// name starts with a letter outside ASCII names the workspace in UTF-8.
func TestGenerateTakesAnySeedOrOrg(t *testing.T) {
	require.Equal(t, "Électrique Engineering", clockifytest.Generate(clockifytest.GenerateOptions{Now: now, Org: "électrique"}).Workspace.Name)
	for _, seed := range []uint64{math.MaxInt64 + 1, math.MaxUint64} {
		f := clockifytest.Generate(clockifytest.GenerateOptions{Seed: seed, Now: now})
		require.Len(t, f.Members, 5, "seed %d", seed)
		require.NotEmpty(t, f.Entries, "seed %d", seed)
		names := make([]string, 0, len(f.Members))
		for _, m := range f.Members {
			names = append(names, m.User.Name)
		}
		requireUnique(t, "member name", names)
	}
}

// prNumber finds the number of the PR reference a generated description starts with or
// links to.
var prNumber = regexp.MustCompile(`(?:^#|^PR #|^PR-|/pull/)(-?\d+)`)

// requireUnique fails when a value is empty or appears twice.
func requireUnique(t *testing.T, what string, vals []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, v := range vals {
		require.NotEmpty(t, v, what)
		require.False(t, seen[v], "%s %q twice", what, v)
		seen[v] = true
	}
}

// TestGenerateAtScale: past the built-in name lists, members, emails, keys and project
// names stay unique, the counts are those asked for, and entries stay inside the days.
func TestGenerateAtScale(t *testing.T) {
	f := clockifytest.Generate(clockifytest.GenerateOptions{Seed: 3, Now: now, Members: 90, Projects: 40, Days: 3, Org: "globex"})
	require.Len(t, f.Members, 90)
	require.Len(t, f.Projects, 40)
	require.True(t, f.Members[0].Admin)
	require.Equal(t, "Globex Engineering", f.Workspace.Name)
	var names, emails, keys, projects []string
	for _, m := range f.Members {
		names, emails, keys = append(names, m.User.Name), append(emails, m.User.Email), append(keys, m.APIKey)
		require.True(t, strings.HasSuffix(m.User.Email, "@globex.dev"), m.User.Email)
		require.Equal(t, m.Admin, m.User.ID == f.Owner.ID)
	}
	for _, p := range f.Projects {
		projects = append(projects, p.Name)
	}
	requireUnique(t, "name", names)
	requireUnique(t, "email", emails)
	requireUnique(t, "key", keys)
	requireUnique(t, "project", projects)
	require.NotEmpty(t, f.Entries)
	earliest := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -3)
	for _, e := range f.Entries {
		require.False(t, e.TimeInterval.Start.Before(earliest), "%v", e.TimeInterval.Start)
		require.False(t, e.TimeInterval.Start.After(now))
	}
}

// TestLoadCreatesEntriesWhenTheyEnded: Load records a generated entry as created when it
// ended, as one entered once done, and a running one when its timer started; the list of
// created entries says so.
func TestLoadCreatesEntriesWhenTheyEnded(t *testing.T) {
	srv, fx := newServer(t, clockifytest.WithClock(func() time.Time { return now }))
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	loaded := map[string]clockify.TimeEntry{}
	for _, e := range fx.Entries {
		loaded[e.ID] = e
	}
	var listed, running int
	for ch, err := range c.EntityChanges.AllCreated(t.Context(), fx.Workspace.ID, &clockify.EntityChangeOptions{
		Types: []clockify.EntityType{clockify.EntityTimeEntry}, Start: now.AddDate(0, 0, -30), End: now}) {
		require.NoError(t, err)
		e, ok := loaded[ch.ID]
		require.True(t, ok, "an entry of the fixture: %s", ch.ID)
		created := e.TimeInterval.Start
		if e.TimeInterval.End != nil {
			created = *e.TimeInterval.End
		} else {
			running++
		}
		require.Equal(t, created, ch.CreatedAt, "entry %s", ch.ID)
		listed++
	}
	require.Greater(t, listed, len(fx.Entries)/2, "the last 30 days of 31")
	require.Equal(t, 1, running)
}
