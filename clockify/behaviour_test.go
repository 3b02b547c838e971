package clockify_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
)

var fixedNow = time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)

// fast is a retry policy that retries but never really waits.
var fast = clockify.RetryPolicy{MaxAttempts: 8, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond, MaxRetryAfter: 2 * time.Millisecond}

func newFake(t *testing.T, opts ...clockifytest.Option) (*clockifytest.Server, *clockifytest.Fixture) {
	t.Helper()
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 3, Now: fixedNow}, opts...)
	t.Cleanup(srv.Close)
	return srv, fx
}

// arrivals records when each request reached the fake, on the clock of the goroutine that
// sent it: in a synctest bubble, the bubble's fake clock.
type arrivals struct {
	mu gosync.Mutex
	at []time.Time
}

func (a *arrivals) hook(clockifytest.RequestInfo) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.at = append(a.at, time.Now())
}

// since returns each arrival's time after start.
func (a *arrivals) since(start time.Time) []time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]time.Duration, len(a.at))
	for i, at := range a.at {
		out[i] = at.Sub(start)
	}
	return out
}

func TestRateLimitHoldsAcrossGoroutines(t *testing.T) {
	const serverLimit = 100
	synctest.Test(t, func(t *testing.T) {
		srv, fx := newFake(t, clockifytest.WithoutListener(), clockifytest.WithRateLimit(serverLimit))
		// The client paces below the server's limit, as a client should.
		c, err := srv.NewClient(fx.OwnerKey, clockify.WithRateLimit(80, 1), clockify.WithRetryPolicy(clockify.RetryPolicy{MaxAttempts: 1}))
		require.NoError(t, err)
		start := time.Now()
		var wg gosync.WaitGroup
		errs := make(chan error, 200)
		for range 200 {
			wg.Go(func() {
				_, _, err := c.Users.Current(context.Background())
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err, "no call was refused with 429")
		}
		require.Equal(t, 200, srv.Requests("GET v1/user"))
		// A token bucket of 80 a second with a burst of 1 lets at most 81 requests into any
		// one second, and needs 199/80 s for 200 of them.
		require.LessOrEqual(t, srv.HighestRate(), 81)
		require.InDelta(t, 199.0/80, time.Since(start).Seconds(), 1e-6)
	})
}

// TestWaitsOnTheFakeClock: the client waits exactly what Clockify's Retry-After says, up
// to the policy's cap, and backs off exponentially with jitter without one.
func TestWaitsOnTheFakeClock(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		name       string
		retryAfter time.Duration
		faults     []clockifytest.Fault
		// each retry's wait after the attempt before it, at least lo and at most hi
		lo, hi []time.Duration
	}{
		{"retry-after", 7 * time.Second, []clockifytest.Fault{clockifytest.FaultTooManyRequestsRetryAfter},
			[]time.Duration{7 * time.Second}, []time.Duration{7 * time.Second}},
		{"retry-after over the cap", 45 * time.Second, []clockifytest.Fault{clockifytest.FaultTooManyRequestsRetryAfter},
			[]time.Duration{30 * time.Second}, []time.Duration{30 * time.Second}},
		{"backoff", 0, []clockifytest.Fault{clockifytest.FaultUnavailable, clockifytest.FaultTooManyRequests, clockifytest.FaultDropConnection},
			[]time.Duration{125 * ms, 250 * ms, 500 * ms}, []time.Duration{250 * ms, 500 * ms, time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var arrived arrivals
				srv, fx := newFake(t, clockifytest.WithoutListener(), clockifytest.WithRequestHook(arrived.hook),
					clockifytest.WithFaults(clockifytest.Faults{RetryAfter: tc.retryAfter}))
				c, err := srv.NewClient(fx.OwnerKey) // the default retry policy
				require.NoError(t, err)
				srv.FailNext(tc.faults...)
				start := time.Now()
				_, _, err = c.Users.Current(context.Background())
				require.NoError(t, err)
				at := arrived.since(start)
				require.Len(t, at, len(tc.faults)+1)
				for i := range tc.faults {
					wait := at[i+1] - at[i]
					require.GreaterOrEqual(t, wait, tc.lo[i], "retry %d", i+1)
					require.LessOrEqual(t, wait, tc.hi[i], "retry %d", i+1)
				}
			})
		})
	}
}

// TestFreePlanPacing: paced as WithRateLimit's doc says for a new Free-plan workspace (30
// requests an hour), a client sends 30 requests at once and the 31st two minutes later.
func TestFreePlanPacing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var arrived arrivals
		srv, fx := newFake(t, clockifytest.WithoutListener(), clockifytest.WithRequestHook(arrived.hook))
		c, err := srv.NewClient(fx.OwnerKey, clockify.WithRateLimit(30.0/3600, 30))
		require.NoError(t, err)
		start := time.Now()
		for range 31 {
			_, _, err := c.Users.Current(context.Background())
			require.NoError(t, err)
		}
		at := arrived.since(start)
		require.Zero(t, at[29], "a burst of 30")
		require.InDelta(t, 120, at[30].Seconds(), 1e-6, "then one every two minutes")
	})
}

// TestServerRateLimitIsEnforced: the fake answers a credential's first perSecond requests
// in a second and refuses the next with 429; a request leaves the count exactly one
// second after it arrived.
func TestServerRateLimitIsEnforced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, fx := newFake(t, clockifytest.WithoutListener(), clockifytest.WithRateLimit(3))
		c, err := srv.NewClient(fx.OwnerKey, clockify.WithRateLimit(1e6, 1000), clockify.WithRetryPolicy(clockify.RetryPolicy{MaxAttempts: 1}))
		require.NoError(t, err)
		for second := range 2 {
			for i := range 3 {
				_, _, err := c.Users.Current(context.Background())
				require.NoError(t, err, "second %d, request %d: within the limit", second, i+1)
			}
			_, _, err := c.Users.Current(context.Background())
			require.ErrorIs(t, err, clockify.ErrRateLimited, "second %d: a client that ignores the limit is refused", second)
			time.Sleep(time.Second) // on the bubble's clock: the four requests above leave the count
		}
		require.Equal(t, 8, srv.Requests("GET v1/user"))
	})
}

func TestCancelDuringBackoffReturnsContextError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, fx := newFake(t, clockifytest.WithoutListener(), clockifytest.WithFaults(clockifytest.Faults{RetryAfter: time.Hour}))
		c, err := srv.NewClient(fx.OwnerKey,
			clockify.WithRetryPolicy(clockify.RetryPolicy{MaxAttempts: 3, MinWait: time.Hour, MaxWait: time.Hour, MaxRetryAfter: time.Hour}))
		require.NoError(t, err)
		srv.FailNext(clockifytest.FaultTooManyRequestsRetryAfter)

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			_, _, err := c.Users.Current(ctx)
			done <- err
		}()
		synctest.Wait() // the client is now waiting out a one-hour Retry-After
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
		require.Zero(t, time.Since(start), "the wait ended with the context, not the hour")
		require.Equal(t, 1, srv.Requests("GET v1/user"), "no retry was sent after the cancel")
	})
}

func TestRetriesSurviveInjectedFaults(t *testing.T) {
	srv, fx := newFake(t, clockifytest.WithFaults(clockifytest.Faults{
		Seed: 9, Rate: 0.2, Latency: time.Millisecond,
		Kinds: []clockifytest.Fault{
			clockifytest.FaultTooManyRequests, clockifytest.FaultTooManyRequestsRetryAfter,
			clockifytest.FaultBadGateway, clockifytest.FaultUnavailable,
			clockifytest.FaultDropConnection, clockifytest.FaultTruncateBody, clockifytest.FaultLatency,
		},
	}))
	c, err := srv.NewClient(fx.OwnerKey, clockify.WithRetryPolicy(fast), clockify.WithRateLimit(1e6, 1000))
	require.NoError(t, err)
	ctx := context.Background()
	got := 0
	for _, m := range fx.Members {
		for _, err := range c.TimeEntries.All(ctx, fx.Workspace.ID, m.User.ID, &clockify.TimeEntryListOptions{ListOptions: clockify.ListOptions{PageSize: 7}}) {
			require.NoError(t, err)
			got++
		}
	}
	require.Equal(t, len(fx.Entries), got, "every entry arrives exactly once despite the faults")
	faults := 0
	for route, n := range srv.RequestCounts() {
		if strings.Contains(route, "time-entries") {
			faults += n
		}
	}
	require.Greater(t, faults, got/7+len(fx.Members), "faults were injected and retried")
}

// TestLostAnswers: Clockify carried a call out but its answer was lost. A create (of an
// entry, of a project) is not sent again (it would create twice) and says it failed; a
// delete is retried, told the entry is gone, and succeeds.
func TestLostAnswers(t *testing.T) {
	srv, fx := newFake(t)
	c, err := srv.NewClient(fx.OwnerKey, clockify.WithRetryPolicy(fast))
	require.NoError(t, err)
	ctx, wsID := context.Background(), fx.Workspace.ID
	stored := func() []string {
		var ids []string
		for e, err := range c.TimeEntries.All(ctx, wsID, fx.Owner.ID, &clockify.TimeEntryListOptions{Description: "lost answer"}) {
			require.NoError(t, err)
			ids = append(ids, e.ID)
		}
		return ids
	}

	srv.FailNext(clockifytest.FaultLoseAnswer)
	start := fixedNow.Add(-time.Hour)
	_, _, err = c.TimeEntries.Create(ctx, wsID, &clockify.TimeEntryRequest{Start: start, End: &fixedNow, Description: "lost answer"})
	var te *clockify.TransportError
	require.ErrorAs(t, err, &te)
	ids := stored()
	require.Len(t, ids, 1, "created once, not retried")
	require.Equal(t, 1, srv.Requests("POST v1/workspaces/{ws}/time-entries"))

	srv.FailNext(clockifytest.FaultLoseAnswer)
	resp, err := c.TimeEntries.Delete(ctx, wsID, ids[0])
	require.NoError(t, err)
	require.Equal(t, 2, resp.Attempts)
	require.Empty(t, stored())

	// So is a project's creation.
	srv.FailNext(clockifytest.FaultLoseAnswer)
	_, _, err = c.Projects.Create(ctx, wsID, &clockify.ProjectRequest{Name: "lost answer"})
	require.ErrorAs(t, err, &te)
	require.Equal(t, 1, srv.Requests("POST v1/workspaces/{ws}/projects"), "not retried")
	found, _, err := c.Projects.List(ctx, wsID, &clockify.ProjectListOptions{Name: "lost answer", StrictName: true})
	require.NoError(t, err)
	require.Len(t, found, 1, "created once")
}

func TestErrorsAgainstTheFake(t *testing.T) {
	srv, fx := newFake(t)
	ctx := context.Background()
	c, err := srv.NewClient(fx.OwnerKey, clockify.WithRetryPolicy(fast))
	require.NoError(t, err)
	member, err := srv.NewClient(fx.Members[1].APIKey, clockify.WithRetryPolicy(fast))
	require.NoError(t, err)
	other := srv.AddWorkspace(clockify.Workspace{Name: "Other"})
	wsID := fx.Workspace.ID

	_, _, err = c.TimeEntries.Get(ctx, wsID, "000000000000000000000000", false)
	require.ErrorIs(t, err, clockify.ErrNotFound)
	_, _, err = c.Projects.Get(ctx, wsID, "000000000000000000000000")
	require.ErrorIs(t, err, clockify.ErrNotFound)
	_, _, err = c.Webhooks.Logs(ctx, wsID, "000000000000000000000000", nil)
	require.ErrorIs(t, err, clockify.ErrNotFound)
	_, _, err = c.Workspaces.Get(ctx, other.ID)
	require.ErrorIs(t, err, clockify.ErrForbidden)
	_, _, err = member.Users.List(ctx, wsID, nil)
	require.ErrorIs(t, err, clockify.ErrForbidden, "regular members may not list users")

	bad, err := srv.NewClient("not-a-key", clockify.WithRetryPolicy(fast))
	require.NoError(t, err)
	_, _, err = bad.Users.Current(ctx)
	var ae *clockify.APIError
	require.ErrorAs(t, err, &ae)
	require.True(t, errors.Is(err, clockify.ErrInvalidAPIKey))
	require.Equal(t, 4003, ae.Code)

	// Routes the client does not wrap, through the exposed plumbing.
	req, err := c.NewRequest(ctx, http.MethodGet, "v1/workspaces/"+wsID+"/time-entries", nil)
	require.NoError(t, err)
	_, err = c.Do(req, nil)
	require.ErrorAs(t, err, &ae)
	require.Equal(t, http.StatusMethodNotAllowed, ae.StatusCode)
	require.Equal(t, 3000, ae.Code)
	require.Equal(t, "POST", ae.Response.Header.Get("Allow"))

	req, err = c.NewRequest(ctx, http.MethodGet, "v1/workspaces/"+wsID+"/user/"+fx.Owner.ID+"/time-entries?page-size=10000", nil)
	require.NoError(t, err)
	_, err = c.Do(req, nil)
	require.ErrorAs(t, err, &ae)
	require.Equal(t, http.StatusBadRequest, ae.StatusCode)
	require.Contains(t, ae.Message, "5,000")

	// An unknown route is Clockify's 404 with code 3000: no entity is missing.
	req, err = c.NewRequest(ctx, http.MethodGet, "v1/nothing-here", nil)
	require.NoError(t, err)
	_, err = c.Do(req, nil)
	require.ErrorAs(t, err, &ae)
	require.Equal(t, http.StatusNotFound, ae.StatusCode)
	require.Equal(t, 3000, ae.Code)
	require.NotErrorIs(t, err, clockify.ErrNotFound)
}

func TestPagingAgainstTheFake(t *testing.T) {
	srv, fx := newFake(t)
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	ctx := context.Background()
	uid := fx.Members[1].User.ID
	want := 0
	for _, e := range fx.Entries {
		if e.UserID == uid {
			want++
		}
	}
	ids := map[string]bool{}
	for e, err := range c.TimeEntries.All(ctx, fx.Workspace.ID, uid, &clockify.TimeEntryListOptions{ListOptions: clockify.ListOptions{PageSize: 10}}) {
		require.NoError(t, err)
		require.False(t, ids[e.ID], "no entry twice")
		ids[e.ID] = true
	}
	require.Len(t, ids, want)
	require.Equal(t, (want+9)/10, srv.Requests("GET v1/workspaces/{ws}/user/{user}/time-entries"), "Last-Page saves the extra request")

	// The window filters on start time, inclusive at both ends.
	first := fx.Entries[0]
	es, _, err := c.TimeEntries.List(ctx, fx.Workspace.ID, first.UserID, &clockify.TimeEntryListOptions{Start: first.TimeInterval.Start, End: first.TimeInterval.Start, Hydrated: true})
	require.NoError(t, err)
	require.Len(t, es, 1)
	require.Equal(t, first.ID, es[0].ID)
	require.NotNil(t, es[0].Project)
	require.Equal(t, first.UserID, es[0].User.ID)

	running, _, err := c.TimeEntries.ListInProgress(ctx, fx.Workspace.ID, nil)
	require.NoError(t, err)
	require.Len(t, running, 1)
	require.True(t, running[0].Running())

	rep, _, err := c.Reports.Detailed(ctx, fx.Workspace.ID, &clockify.DetailedReportRequest{Start: fixedNow.AddDate(0, 0, -60), End: fixedNow})
	require.NoError(t, err)
	require.Equal(t, len(fx.Entries), rep.Totals[0].EntriesCount)
	n := 0
	for _, err := range c.Reports.DetailedAll(ctx, fx.Workspace.ID, &clockify.DetailedReportRequest{Start: fixedNow.AddDate(0, 0, -60), End: fixedNow, PageSize: 50}) {
		require.NoError(t, err)
		n++
	}
	require.Equal(t, len(fx.Entries), n)
}

func TestPagesShiftWhenTheListChanges(t *testing.T) {
	// Clockify pages by offset. An entry deleted from a page already read moves the next
	// page's first entry onto that page, and the iteration never sees it; an entry added
	// at the head (the newest) moves the last one read onto the next page, and it comes
	// twice. The package doc tells a sync what to do about it.
	srv, fx := newFake(t)
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	ctx := context.Background()
	uid := fx.Members[1].User.ID
	read := func(change func(first []clockify.TimeEntry)) (seen map[string]int, order []clockify.TimeEntry) {
		t.Helper()
		seen = map[string]int{}
		for e, err := range c.TimeEntries.All(ctx, fx.Workspace.ID, uid, &clockify.TimeEntryListOptions{ListOptions: clockify.ListOptions{PageSize: 20}}) {
			require.NoError(t, err)
			seen[e.ID]++
			order = append(order, e)
			if len(order) == 20 {
				change(order)
			}
		}
		return seen, order
	}

	seen, order := read(func(first []clockify.TimeEntry) {
		require.NoError(t, srv.DeleteTimeEntry(fx.Workspace.ID, first[0].ID))
	})
	var missed []string
	for _, e := range srv.TimeEntries(fx.Workspace.ID) {
		if e.UserID == uid && seen[e.ID] == 0 {
			missed = append(missed, e.ID)
		}
	}
	require.Len(t, missed, 1, "one entry that still exists never came")
	require.Len(t, order, len(seen), "none came twice")

	seen, order = read(func(first []clockify.TimeEntry) {
		_, err := srv.AddTimeEntry(fx.Workspace.ID, clockify.TimeEntry{
			UserID: uid, Description: "newest", TimeInterval: clockify.TimeInterval{Start: fixedNow.Add(time.Minute), End: new(fixedNow.Add(time.Hour))},
		})
		require.NoError(t, err)
	})
	require.Equal(t, 2, seen[order[19].ID], "the last entry of the first page came again first on the second")
	require.Equal(t, order[19].ID, order[20].ID)
	require.Len(t, order, len(seen)+1)
}

// clock is a settable clock for the fake, safe to read from its handlers.
type clock struct {
	mu gosync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func TestEntityChangesAgainstTheFake(t *testing.T) {
	clk := &clock{t: fixedNow}
	srv, fx := newFake(t, clockifytest.WithClock(clk.now))
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	ctx := context.Background()
	wsID, uid := fx.Workspace.ID, fx.Members[1].User.ID
	entries := []clockify.EntityType{clockify.EntityTimeEntry}
	ids := func(from, to time.Time, which string) []string {
		t.Helper()
		opts := &clockify.EntityChangeOptions{Types: entries, Start: from, End: to, ListOptions: clockify.ListOptions{PageSize: 50}}
		var out []string
		if which == "deleted" {
			for d, err := range c.EntityChanges.AllDeleted(ctx, wsID, opts) {
				require.NoError(t, err)
				e, err := d.TimeEntry()
				require.NoError(t, err)
				out = append(out, e.ID)
			}
			return out
		}
		all := c.EntityChanges.AllCreated
		if which == "updated" {
			all = c.EntityChanges.AllUpdated
		}
		for ch, err := range all(ctx, wsID, opts) {
			require.NoError(t, err)
			require.Equal(t, ch.ID, ch.TimeEntry.ID)
			out = append(out, ch.ID)
		}
		return out
	}

	// The generated history was created as each entry ended: the last 30 days by default.
	var want []string
	for _, e := range fx.Entries {
		if e.TimeInterval.End == nil || !e.TimeInterval.End.Before(fixedNow.AddDate(0, 0, -30)) {
			want = append(want, e.ID)
		}
	}
	got, _, err := c.EntityChanges.Created(ctx, wsID, &clockify.EntityChangeOptions{Types: entries, ListOptions: clockify.ListOptions{PageSize: clockify.MaxPageSize}})
	require.NoError(t, err)
	require.Len(t, got, len(want))
	require.ElementsMatch(t, want, ids(fixedNow.AddDate(0, 0, -30), fixedNow, "created"))

	// An hour later an entry is created, and at two hours edited; an old entry is edited
	// at two hours (its start is weeks back, so no list by start time would see it); at
	// three hours an old entry is deleted, and one created at two and a half.
	old, older := fx.Entries[0], fx.Entries[1]
	for _, e := range []clockify.TimeEntry{old, older} {
		require.False(t, e.Running())
		require.True(t, e.TimeInterval.Start.Before(fixedNow.AddDate(0, 0, -7)), "an old entry")
	}
	at := func(h float64) time.Time { return fixedNow.Add(time.Duration(h * float64(time.Hour))) }
	clk.set(at(1))
	fresh, _, err := c.TimeEntries.CreateForUser(ctx, wsID, uid, &clockify.TimeEntryRequest{
		Start: at(0.5), End: new(at(1)), Description: "PR #7 review"})
	require.NoError(t, err)
	clk.set(at(2))
	_, _, err = c.TimeEntries.Update(ctx, wsID, fresh.ID, &clockify.TimeEntryRequest{
		Start: at(0.5), End: new(at(1)), Description: "PR #8 review"})
	require.NoError(t, err)
	_, _, err = c.TimeEntries.Update(ctx, wsID, old.ID, &clockify.TimeEntryRequest{
		Start: old.TimeInterval.Start, End: old.TimeInterval.End, Description: old.Description + " (#9)", ProjectID: old.ProjectID})
	require.NoError(t, err)
	clk.set(at(2.5))
	brief, _, err := c.TimeEntries.CreateForUser(ctx, wsID, uid, &clockify.TimeEntryRequest{Start: at(2), End: new(at(2.5))})
	require.NoError(t, err)
	clk.set(at(3))
	_, err = c.TimeEntries.Delete(ctx, wsID, older.ID)
	require.NoError(t, err)
	_, err = c.TimeEntries.Delete(ctx, wsID, brief.ID)
	require.NoError(t, err)

	from, to := at(0.5), at(4)
	require.Equal(t, []string{fresh.ID}, ids(from, to, "created"), "a deleted entry is not listed as created")
	require.Equal(t, []string{old.ID}, ids(from, to, "updated"), "an entry created in the range is listed as created only")
	require.Equal(t, []string{older.ID}, ids(from, to, "deleted"), "an entry created and deleted in the range is not listed")
	require.ElementsMatch(t, []string{fresh.ID, old.ID}, ids(at(1.5), to, "updated"), "created before the range, updated in it")
	require.Equal(t, []string{older.ID, brief.ID}, ids(at(2.75), to, "deleted"))
	require.Empty(t, ids(at(3.5), to, "updated"))

	// The changes are the entries as they are now.
	ch, _, err := c.EntityChanges.Updated(ctx, wsID, &clockify.EntityChangeOptions{Types: entries, Start: from, End: to})
	require.NoError(t, err)
	require.Equal(t, old.Description+" (#9)", ch[0].TimeEntry.Description)
	require.Equal(t, at(2), ch[0].UpdatedAt)
	require.Equal(t, *old.TimeInterval.End, ch[0].CreatedAt)

	// Other types list nothing here; a bogus one is Clockify's 400; a member who is not an
	// admin may not read the workspace's changes.
	none, _, err := c.EntityChanges.Created(ctx, wsID, &clockify.EntityChangeOptions{Types: []clockify.EntityType{clockify.EntityCustomFieldValue}, Start: from, End: to})
	require.NoError(t, err)
	require.Empty(t, none)
	_, _, err = c.EntityChanges.Created(ctx, wsID, &clockify.EntityChangeOptions{Types: []clockify.EntityType{"BOGUS"}})
	var ae *clockify.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, http.StatusBadRequest, ae.StatusCode)
	member, err := srv.NewClient(fx.Members[1].APIKey)
	require.NoError(t, err)
	_, _, err = member.EntityChanges.Deleted(ctx, wsID, &clockify.EntityChangeOptions{Types: entries})
	require.ErrorIs(t, err, clockify.ErrForbidden)
}

func TestWebhookLifecycleAgainstTheFake(t *testing.T) {
	type got struct {
		sig, event string
		body       []byte
	}
	received := make(chan got, 10)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		received <- got{r.Header.Get("Clockify-Signature"), r.Header.Get("Clockify-Webhook-Event-Type"), b}
	}))
	defer receiver.Close()
	srv, fx := newFake(t)
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	ctx := context.Background()
	wsID := fx.Workspace.ID

	var hooks []*clockify.Webhook
	for _, ev := range []clockify.WebhookEvent{clockify.EventNewTimeEntry, clockify.EventTimeEntryUpdated, clockify.EventTimeEntryDeleted, clockify.EventTimerStopped, clockify.EventNewTimerStarted} {
		h, _, err := c.Webhooks.Create(ctx, wsID, &clockify.WebhookRequest{Name: "jasper " + strings.ToLower(string(ev))[:10], URL: receiver.URL, WebhookEvent: ev})
		require.NoError(t, err)
		require.NotEmpty(t, h.AuthToken.Reveal())
		hooks = append(hooks, h)
	}
	list, _, err := c.Webhooks.List(ctx, wsID)
	require.NoError(t, err)
	require.Equal(t, 5, list.WorkspaceWebhookCount)

	start := fixedNow.Add(-2 * time.Hour)
	e, _, err := c.TimeEntries.Create(ctx, wsID, &clockify.TimeEntryRequest{Start: start, End: new(start.Add(time.Hour)), Description: "#7 Fix", ProjectID: fx.Projects[0].ID})
	require.NoError(t, err)
	d := <-received
	require.Equal(t, "NEW_TIME_ENTRY", d.event)
	require.Equal(t, hooks[0].AuthToken.Reveal(), d.sig)
	var payload clockify.TimeEntry
	require.NoError(t, json.Unmarshal(d.body, &payload))
	require.Equal(t, e.ID, payload.ID)
	require.Equal(t, fx.Projects[0].Name, payload.Project.Name, "deliveries carry the hydrated entry")

	// After a regeneration, deliveries carry the new token.
	regen, _, err := c.Webhooks.RegenerateToken(ctx, wsID, hooks[1].ID)
	require.NoError(t, err)
	require.NotEqual(t, hooks[1].AuthToken, regen.AuthToken)
	_, _, err = c.TimeEntries.Update(ctx, wsID, e.ID, &clockify.TimeEntryRequest{Start: start, End: new(start.Add(90 * time.Minute)), Description: "#7 Fix login"})
	require.NoError(t, err)
	d = <-received
	require.Equal(t, "TIME_ENTRY_UPDATED", d.event)
	require.Equal(t, regen.AuthToken.Reveal(), d.sig)

	// A timer starts and stops.
	_, _, err = c.TimeEntries.Create(ctx, wsID, &clockify.TimeEntryRequest{Start: fixedNow.Add(-10 * time.Minute), Description: "PR #9 review"})
	require.NoError(t, err)
	require.Equal(t, "NEW_TIMER_STARTED", (<-received).event)
	stopped, _, err := c.TimeEntries.Stop(ctx, wsID, fx.Owner.ID, fixedNow)
	require.NoError(t, err)
	require.Equal(t, 10*time.Minute, stopped.TimeInterval.Duration.Std())
	require.Equal(t, "TIMER_STOPPED", (<-received).event)

	_, err = c.TimeEntries.Delete(ctx, wsID, e.ID)
	require.NoError(t, err)
	require.Equal(t, "TIME_ENTRY_DELETED", (<-received).event)
	_, _, err = c.TimeEntries.Get(ctx, wsID, e.ID, false)
	require.ErrorIs(t, err, clockify.ErrNotFound)

	logs, _, err := c.Webhooks.Logs(ctx, wsID, hooks[0].ID, &clockify.WebhookLogOptions{Status: clockify.LogsSucceeded})
	require.NoError(t, err)
	require.Len(t, logs, 1)
	require.Equal(t, 200, logs[0].StatusCode)

	updated, _, err := c.Webhooks.Update(ctx, wsID, hooks[0].ID, &clockify.WebhookRequest{Name: "renamed", URL: receiver.URL, WebhookEvent: clockify.EventNewTimeEntry})
	require.NoError(t, err)
	require.Equal(t, "renamed", updated.Name)
	_, err = c.Webhooks.Delete(ctx, wsID, hooks[0].ID)
	require.NoError(t, err)
	_, _, err = c.Webhooks.Get(ctx, wsID, hooks[0].ID)
	require.ErrorIs(t, err, clockify.ErrNotFound)
}

// TestSecretsNeverLeak drives every error path with a recognisable key and token and
// searches every error string, formatted error and log line for them.
func TestSecretsNeverLeak(t *testing.T) {
	const key = "LEAKCHECK-key-7c1e0d"
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var outputs []string
	record := func(err error) {
		if err != nil {
			outputs = append(outputs, err.Error(), fmt.Sprintf("%v|%+v|%#v", err, err, err))
		}
	}
	ctx := context.Background()

	// Bad options.
	_, err := clockify.NewClient(clockify.WithAPIKey(key + " tail"))
	record(err)
	_, err = clockify.NewClient(clockify.WithAPIKey(key+"\n"), clockify.WithBaseURL("https://u:"+key+"@x/"))
	record(err)

	// A server that echoes the key back in its error message.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"message":"bad key %s","code":1}`, r.Header.Get("X-Api-Key"))
	}))
	defer echo.Close()
	ec, err := clockify.NewClient(clockify.WithAPIKey(key), clockify.WithBaseURL(echo.URL), clockify.WithLogger(logger))
	require.NoError(t, err)
	_, _, err = ec.Users.Current(ctx)
	require.Error(t, err)
	record(err)

	// The fake, with the key registered, and every kind of failure.
	srv, fx := newFake(t)
	srv.AddMember(fx.Workspace.ID, clockifytest.Member{User: clockify.User{Name: "Leak Check", Email: "leak@x"}, APIKey: key, Admin: true})
	c, err := srv.NewClient(key, clockify.WithLogger(logger), clockify.WithRetryPolicy(fast))
	require.NoError(t, err)
	h, _, err := c.Webhooks.Create(ctx, fx.Workspace.ID, &clockify.WebhookRequest{Name: "leak", URL: "http://127.0.0.1:1/hook", WebhookEvent: clockify.EventNewProject})
	require.NoError(t, err)
	token := h.AuthToken.Reveal()
	logger.Info("created webhook", "webhook", h, "token", h.AuthToken)
	outputs = append(outputs, fmt.Sprintf("%v %+v %#v", h, h, *h))

	for _, f := range []clockifytest.Fault{clockifytest.FaultInternalError, clockifytest.FaultDropConnection, clockifytest.FaultTruncateBody, clockifytest.FaultTooManyRequests} {
		srv.SetFaults(clockifytest.Faults{Rate: 1, Kinds: []clockifytest.Fault{f}})
		_, _, err = c.Webhooks.Get(ctx, fx.Workspace.ID, h.ID)
		require.Error(t, err, f.String())
		record(err)
	}
	srv.SetFaults(clockifytest.Faults{})
	_, _, err = c.Workspaces.Get(ctx, srv.AddWorkspace(clockify.Workspace{Name: "x"}).ID)
	record(err)
	_, _, err = c.TimeEntries.Get(ctx, fx.Workspace.ID, "nope", false)
	record(err)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, _, err = c.Users.Current(cctx)
	record(err)
	bad, err := srv.NewClient(key+"x", clockify.WithLogger(logger))
	require.NoError(t, err)
	_, _, err = bad.Users.Current(ctx)
	record(err)
	srv.Close()
	_, _, err = c.Users.Current(ctx) // connection refused
	record(err)

	require.Greater(t, len(outputs), 10)
	all := strings.Join(outputs, "\n") + "\n" + logs.String()
	require.Contains(t, all, "REDACTED", "the echoed key was redacted")
	require.NotContains(t, all, key)
	require.NotContains(t, all, token)
}

// TestReportRangeIsTheSameInstantsInEveryZone asks the fake, which reads a report's range
// as wall-clock time in the report's zone as Clockify does, for one window in several
// zones: the same entries come back, their times in the zone asked for.
func TestReportRangeIsTheSameInstantsInEveryZone(t *testing.T) {
	srv, fx := newFake(t)
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	// A window that starts and ends inside the fixture's entries, so that a shift of a
	// few hours would change what it holds.
	from, to := fx.Entries[3].TimeInterval.Start, fx.Entries[len(fx.Entries)/2].TimeInterval.Start
	inWindow := func(zone string) []string {
		t.Helper()
		var ids []string
		for e, err := range c.Reports.DetailedAll(t.Context(), fx.Workspace.ID, &clockify.DetailedReportRequest{Start: from, End: to, TimeZone: zone}) {
			require.NoError(t, err)
			loc, err := time.LoadLocation(cmp.Or(zone, "UTC"))
			require.NoError(t, err)
			_, want := e.TimeInterval.Start.In(loc).Zone()
			_, got := e.TimeInterval.Start.Zone()
			require.Equal(t, want, got, "rendered with the zone's offset")
			ids = append(ids, e.ID)
		}
		return ids
	}
	var want []string
	for _, e := range fx.Entries {
		if st := e.TimeInterval.Start; !st.Before(from) && !st.After(to) {
			want = append(want, e.ID)
		}
	}
	require.NotEmpty(t, want)
	for _, zone := range []string{"", "UTC", "Australia/Sydney", "America/Los_Angeles", "Asia/Kolkata"} {
		require.ElementsMatch(t, want, inWindow(zone), zone)
	}
}

// TestProjectLifecycleAgainstTheFake creates, changes, archives and deletes a project
// through the client, each step delivered to the project webhooks; an active project is
// not deleted, and a delete whose answer was lost is retried and succeeds.
func TestProjectLifecycleAgainstTheFake(t *testing.T) {
	events := make(chan string, 10)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		events <- r.Header.Get("Clockify-Webhook-Event-Type")
	}))
	defer receiver.Close()
	srv, fx := newFake(t)
	c, err := srv.NewClient(fx.OwnerKey, clockify.WithRetryPolicy(fast))
	require.NoError(t, err)
	ctx, wsID := context.Background(), fx.Workspace.ID
	for _, ev := range []clockify.WebhookEvent{clockify.EventNewProject, clockify.EventProjectUpdated, clockify.EventProjectDeleted} {
		_, _, err := c.Webhooks.Create(ctx, wsID, &clockify.WebhookRequest{Name: "jasper " + strings.ToLower(string(ev)), URL: receiver.URL, WebhookEvent: ev})
		require.NoError(t, err)
	}

	p, resp, err := c.Projects.Create(ctx, wsID, &clockify.ProjectRequest{Name: "new-service", Note: "the queue"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	require.Equal(t, "NEW_PROJECT", <-events)
	require.NotEmpty(t, p.ID)
	require.True(t, p.Billable, "billable, as the workspace's setting for new projects says")
	require.NotEmpty(t, p.Color, "a colour picked for it")
	_, _, err = c.Projects.Create(ctx, wsID, &clockify.ProjectRequest{Name: "New-Service"})
	var ae *clockify.APIError
	require.ErrorAs(t, err, &ae, "a name taken")
	require.Equal(t, http.StatusBadRequest, ae.StatusCode)

	changed, _, err := c.Projects.Update(ctx, wsID, p.ID, &clockify.ProjectUpdate{Billable: new(false), Color: new("#112233")})
	require.NoError(t, err)
	require.Equal(t, "PROJECT_UPDATED", <-events)
	require.False(t, changed.Billable)
	require.Equal(t, "#112233", changed.Color)
	require.Equal(t, "new-service", changed.Name, "a field not set is left as it was")
	require.Equal(t, "the queue", changed.Note, "a field not set is left as it was")

	_, err = c.Projects.Delete(ctx, wsID, p.ID)
	require.ErrorAs(t, err, &ae, "an active project")
	require.Equal(t, http.StatusBadRequest, ae.StatusCode)
	require.Contains(t, ae.Message, "active project")
	require.NotErrorIs(t, err, clockify.ErrNotFound)

	archived, _, err := c.Projects.Update(ctx, wsID, p.ID, &clockify.ProjectUpdate{Archived: new(true)})
	require.NoError(t, err)
	require.True(t, archived.Archived)
	require.Equal(t, "PROJECT_UPDATED", <-events)
	srv.FailNext(clockifytest.FaultLoseAnswer)
	resp, err = c.Projects.Delete(ctx, wsID, p.ID)
	require.NoError(t, err, "deleted by the attempt whose answer was lost")
	require.Equal(t, 2, resp.Attempts)
	require.Equal(t, "PROJECT_DELETED", <-events)
	_, _, err = c.Projects.Get(ctx, wsID, p.ID)
	require.ErrorIs(t, err, clockify.ErrNotFound)
}
