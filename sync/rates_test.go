package sync_test

import (
	"fmt"
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/analytics"
	"github.com/heyjasper/jasper-clockify/billing"
	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// TestRates: the rates set in the SDK price Report's time, a project's override before
// the default, each in its own currency, unless the caller gives a rate card; they stay
// through a Disconnect and a Connect again. A bad rate, or a workspace never connected,
// changes nothing.
func TestRates(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	from := now.Add(-time.Hour)
	rita := r.srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Rita Rate", Email: "rita@acme.dev"}})
	overridden, other := r.fx.Projects[0].ID, r.fx.Projects[1].ID
	for i, e := range []struct {
		project  string
		billable bool
	}{{overridden, true}, {other, true}, {other, false}} {
		start := from.Add(time.Duration(i) * 20 * time.Minute)
		_, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: rita.ID, ProjectID: e.project, Description: "work", Billable: e.billable,
			TimeInterval: clockify.TimeInterval{Start: start, End: new(start.Add(15 * time.Minute))}})
		require.NoError(t, err)
	}
	_, err := r.eng.SyncRecent(ctx, ws)
	require.NoError(t, err)
	amounts := func(opts analytics.Options) string {
		t.Helper()
		s, err := r.eng.Report(ctx, clockifysync.EntryQuery{WorkspaceID: ws, UserID: rita.ID}, opts)
		require.NoError(t, err)
		require.Equal(t, int64(30*60), s.Total.BillableSeconds)
		return s.Total.Amounts.String()
	}
	require.Equal(t, "0", amounts(analytics.Options{}), "no rate set: the time is not priced")

	require.NoError(t, r.eng.SetDefaultRate(ctx, ws, billing.Money{Minor: 100_00})) // AUD
	require.NoError(t, r.eng.SetProjectRate(ctx, ws, overridden, money(t, 120_00, "USD")))
	require.Equal(t, "25.00 AUD + 30.00 USD", amounts(analytics.Options{}))
	card, err := billing.NewRateCard(200_00, "NZD")
	require.NoError(t, err)
	require.Equal(t, "100.00 NZD", amounts(analytics.Options{Rates: card}), "the caller's card wins")

	before, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	for _, c := range []struct {
		name string
		call func() error
		want error
	}{
		{"negative default", func() error { return r.eng.SetDefaultRate(ctx, ws, money(t, -1, "AUD")) }, clockifysync.ErrInput},
		{"negative override", func() error { return r.eng.SetProjectRate(ctx, ws, other, money(t, -1, "USD")) }, clockifysync.ErrInput},
		{"a default past the bound", func() error {
			return r.eng.SetDefaultRate(ctx, ws, money(t, clockifysync.MaxHourlyMinor+1, "AUD"))
		}, clockifysync.ErrInput},
		{"an override past the bound", func() error {
			return r.eng.SetProjectRateFrom(ctx, ws, other, now, money(t, 1<<62, "JPY"))
		}, clockifysync.ErrInput},
		{"no project", func() error { return r.eng.SetProjectRate(ctx, ws, "", money(t, 1, "USD")) }, clockifysync.ErrInput},
		{"no workspace", func() error { return r.eng.SetDefaultRate(ctx, "", money(t, 1, "USD")) }, clockifysync.ErrInput},
		{"default, never connected", func() error { return r.eng.SetDefaultRate(ctx, "elsewhere", money(t, 1, "USD")) }, clockifysync.ErrNotConnected},
		{"override, never connected", func() error { return r.eng.SetProjectRate(ctx, "elsewhere", other, money(t, 1, "USD")) }, clockifysync.ErrNotConnected},
		{"delete, never connected", func() error { return r.eng.DeleteProjectRate(ctx, "elsewhere", overridden) }, clockifysync.ErrNotConnected},
		{"delete, no rate", func() error { return r.eng.DeleteProjectRate(ctx, ws, other) }, clockifysync.ErrNotFound},
	} {
		require.ErrorIs(t, c.call(), c.want, c.name)
		after, err := r.store.Connection(ctx, ws)
		require.NoError(t, err)
		require.Equal(t, before, after, "nothing changed by %s", c.name)
	}
	_, err = r.store.Connection(ctx, "elsewhere")
	require.ErrorIs(t, err, clockifysync.ErrNotFound, "no connection made")

	_, err = r.eng.Disconnect(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, "25.00 AUD + 30.00 USD", amounts(analytics.Options{}), "history is priced")
	r.connect(t)
	require.Equal(t, "25.00 AUD + 30.00 USD", amounts(analytics.Options{}), "kept by a Connect again")

	require.NoError(t, r.eng.DeleteProjectRate(ctx, ws, overridden))
	require.Equal(t, "50.00 AUD", amounts(analytics.Options{}), "the default again")

	// The highest rate prices a report without overflowing.
	require.NoError(t, r.eng.SetDefaultRate(ctx, ws, money(t, clockifysync.MaxHourlyMinor, "AUD")))
	require.Equal(t, "5,000,000.00 AUD", amounts(analytics.Options{}))
}

// TestRatesFrom: a rate changed from a moment on prices the entries that start from it,
// the earlier ones keep the rate before; a change replaces the same rate's later ones,
// a rate set for all time drops them, and a project's changes go with its rate. A bad
// change changes nothing.
func TestRatesFrom(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	from := now.Add(-2 * time.Hour)
	rita := r.srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Rita Rate", Email: "rita@acme.dev"}})
	overridden, other := r.fx.Projects[0].ID, r.fx.Projects[1].ID
	for _, e := range []struct {
		project string
		minutes int
	}{{other, 0}, {other, 20}, {overridden, 20}, {overridden, 40}} {
		start := from.Add(time.Duration(e.minutes) * time.Minute)
		_, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: rita.ID, ProjectID: e.project, Description: "work", Billable: true,
			TimeInterval: clockify.TimeInterval{Start: start, End: new(start.Add(15 * time.Minute))}})
		require.NoError(t, err)
	}
	_, err := r.eng.SyncRecent(ctx, ws)
	require.NoError(t, err)
	amounts := func() string {
		t.Helper()
		s, err := r.eng.Report(ctx, clockifysync.EntryQuery{WorkspaceID: ws, UserID: rita.ID}, analytics.Options{})
		require.NoError(t, err)
		require.Equal(t, int64(60*60), s.Total.BillableSeconds)
		return s.Total.Amounts.String()
	}
	at := func(minutes int) time.Time {
		return from.Add(time.Duration(minutes) * time.Minute).In(time.FixedZone("AEST", 10*3600))
	}
	aud := func(dollars int64) billing.Money { return billing.Money{Minor: dollars * 100} }

	require.NoError(t, r.eng.SetDefaultRate(ctx, ws, aud(100)))
	require.NoError(t, r.eng.SetDefaultRateFrom(ctx, ws, at(10), aud(200)))
	require.Equal(t, "175.00 AUD", amounts(), "25 + 50 + 50 + 50")
	require.NoError(t, r.eng.SetProjectRateFrom(ctx, ws, overridden, at(30), money(t, 400_00, "USD")))
	require.Equal(t, "125.00 AUD + 100.00 USD", amounts(), "before the project's change, the default")
	require.NoError(t, r.eng.SetDefaultRateFrom(ctx, ws, at(5), aud(300)))
	require.Equal(t, "175.00 AUD + 100.00 USD", amounts(), "the change from 10 replaced")
	c, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, []clockifysync.RateChange{
		{Since: at(5).UTC(), Hourly: money(t, 300_00, "AUD")},
		{ProjectID: overridden, Since: at(30).UTC(), Hourly: money(t, 400_00, "USD")},
	}, c.Rates.Changes)
	before := c

	for _, c := range []struct {
		name string
		call func() error
		want error
	}{
		{"no since", func() error { return r.eng.SetDefaultRateFrom(ctx, ws, time.Time{}, aud(1)) }, clockifysync.ErrInput},
		{"negative", func() error { return r.eng.SetDefaultRateFrom(ctx, ws, at(1), aud(-1)) }, clockifysync.ErrInput},
		{"no project", func() error { return r.eng.SetProjectRateFrom(ctx, ws, "", at(1), aud(1)) }, clockifysync.ErrInput},
		{"project, no since", func() error { return r.eng.SetProjectRateFrom(ctx, ws, other, time.Time{}, aud(1)) }, clockifysync.ErrInput},
		{"never connected", func() error { return r.eng.SetDefaultRateFrom(ctx, "elsewhere", at(1), aud(1)) }, clockifysync.ErrNotConnected},
		{"delete no project", func() error { return r.eng.DeleteProjectRate(ctx, ws, "") }, clockifysync.ErrInput},
	} {
		require.ErrorIs(t, c.call(), c.want, c.name)
		after, err := r.store.Connection(ctx, ws)
		require.NoError(t, err)
		require.Equal(t, before, after, "nothing changed by %s", c.name)
	}

	require.NoError(t, r.eng.SetProjectRate(ctx, ws, overridden, money(t, 120_00, "USD")))
	require.Equal(t, "100.00 AUD + 60.00 USD", amounts(), "for all time: the project's change dropped")
	require.NoError(t, r.eng.SetProjectRateFrom(ctx, ws, overridden, at(30), money(t, 400_00, "USD")))
	require.NoError(t, r.eng.DeleteProjectRate(ctx, ws, overridden))
	require.Equal(t, "250.00 AUD", amounts(), "the rate and its change deleted")
	require.NoError(t, r.eng.SetProjectRateFrom(ctx, ws, other, at(30), money(t, 1, "USD")))
	require.NoError(t, r.eng.DeleteProjectRate(ctx, ws, other), "a project with only a change has a rate to delete")
	require.NoError(t, r.eng.SetDefaultRateFrom(ctx, ws, time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), aud(7)))
	require.NoError(t, r.eng.SetDefaultRateFrom(ctx, ws, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), aud(8)))
	require.NoError(t, r.eng.SetDefaultRate(ctx, ws, aud(100)))
	require.Equal(t, "100.00 AUD", amounts(), "for all time: the default's changes dropped, those dated in years 1 and 9999 too")
	c, err = r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Nil(t, c.Rates.Changes)

	// A workspace keeps a bounded number of changes.
	for i := range clockifysync.MaxRateChanges {
		require.NoError(t, r.eng.SetProjectRateFrom(ctx, ws, fmt.Sprint("p", i), at(1), aud(1)))
	}
	before, err = r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.ErrorIs(t, r.eng.SetDefaultRateFrom(ctx, ws, at(1), aud(1)), clockifysync.ErrInput)
	after, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, before, after)
	require.NoError(t, r.eng.SetProjectRateFrom(ctx, ws, "p0", at(1), aud(2)), "a change replacing one fits")

	// And a bounded number of projects' rates.
	require.NoError(t, r.store.UpdateConnection(ctx, ws, func(c *clockifysync.Connection) error {
		c.Rates.Projects = map[string]billing.Money{}
		for i := range clockifysync.MaxProjectRates {
			c.Rates.Projects[fmt.Sprint("p", i)] = aud(1)
		}
		return nil
	}))
	before, err = r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.ErrorIs(t, r.eng.SetProjectRate(ctx, ws, "one-more", aud(1)), clockifysync.ErrInput)
	after, err = r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, before, after)
	require.NoError(t, r.eng.SetProjectRate(ctx, ws, "p0", aud(2)), "a rate replacing one fits")
}

// TestRatesSetAtOnce: rates set at once, on two replicas, all stay: each is one step of
// the connection, not a read and a write of every rate.
func TestRatesSetAtOnce(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	engines := []*clockifysync.Engine{r.eng, r.replica(t, r.store)}
	var wg gosync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			err := engines[i%2].SetProjectRate(t.Context(), ws, fmt.Sprint("p", i), money(t, int64(i), "AUD"))
			require.NoError(t, err)
		})
	}
	wg.Wait()
	c, err := r.store.Connection(t.Context(), ws)
	require.NoError(t, err)
	require.Len(t, c.Rates.Projects, 40)
	require.Equal(t, int64(7), c.Rates.Projects["p7"].Minor)
}

// money is an amount of minor units of a currency.
func money(t *testing.T, minor int64, code string) billing.Money {
	t.Helper()
	m, err := billing.NewMoney(minor, code)
	require.NoError(t, err)
	return m
}

// TestClockifyRates: with SetClockifyRates, Report prices each entry at the rate Clockify
// applied to it (here a member's own rate, which the engine read with the entry, synced
// or delivered), but an entry of a project overridden in the SDK at the override, and an
// entry Clockify gave no rate at the default; without it, the default prices them all.
func TestClockifyRates(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	rita := r.srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Rita Rate", Email: "rita@acme.dev"}})
	overridden, other := r.fx.Projects[0].ID, r.fx.Projects[1].ID
	add := func(i int, project string, rate *clockify.Rate) {
		t.Helper()
		start := now.Add(time.Duration(i-4) * 20 * time.Minute)
		_, err := r.srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: rita.ID, ProjectID: project, Description: "work", Billable: true,
			HourlyRate: rate, TimeInterval: clockify.TimeInterval{Start: start, End: new(start.Add(15 * time.Minute))}})
		require.NoError(t, err)
	}
	add(0, overridden, &clockify.Rate{Amount: 200_00, Currency: "USD"})
	add(1, other, &clockify.Rate{Amount: 0, Currency: "USD"}) // no rate in Clockify
	_, err := r.eng.SyncRecent(ctx, ws)                       // imports Rita, and reads her entries with their rates
	require.NoError(t, err)
	add(2, other, &clockify.Rate{Amount: 200_00, Currency: "USD"}) // delivered, and read again with its rate
	amounts := func() string {
		t.Helper()
		s, err := r.eng.Report(ctx, clockifysync.EntryQuery{WorkspaceID: ws, UserID: rita.ID}, analytics.Options{})
		require.NoError(t, err)
		require.Equal(t, int64(45*60), s.Total.BillableSeconds)
		return s.Total.Amounts.String()
	}

	require.NoError(t, r.eng.SetDefaultRate(ctx, ws, money(t, 100_00, "AUD")))
	require.NoError(t, r.eng.SetProjectRate(ctx, ws, overridden, money(t, 120_00, "AUD")))
	require.Equal(t, "80.00 AUD", amounts(), "the override and the default: 30.00 + 25.00 + 25.00")
	require.NoError(t, r.eng.SetClockifyRates(ctx, ws, true))
	require.Equal(t, "55.00 AUD + 50.00 USD", amounts(), "the override, Clockify's rate, and the default for the entry with none")
	c, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.True(t, c.Rates.ClockifyRates)
	require.NoError(t, r.eng.SetClockifyRates(ctx, ws, false))
	require.Equal(t, "80.00 AUD", amounts())
	require.ErrorIs(t, r.eng.SetClockifyRates(ctx, "elsewhere", true), clockifysync.ErrNotConnected)
}
