package analytics

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"testing/quick"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/billing"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) // a Monday

func at(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }

func card(t *testing.T) *billing.RateCard {
	rc, err := billing.NewRateCard(10000, "AUD", billing.WithProjectRate("usd", 6000, "USD"))
	require.NoError(t, err)
	return rc
}

func TestPerPRAndContributor(t *testing.T) {
	entries := []Entry{
		{ID: "1", UserID: "u1", ProjectID: "p", Start: at(0), End: new(at(1)), Billable: true, PRs: []string{"acme/web#1"}},
		{ID: "2", UserID: "u2", ProjectID: "usd", Start: at(1), End: new(at(2.5)), Billable: true, PRs: []string{"acme/web#1", "acme/api#2"}},
		{ID: "3", UserID: "u2", ProjectID: "p", Start: at(3), End: new(at(3.5)), Billable: false},
		{ID: "4", UserID: "u3", ProjectID: "p", Start: at(4), End: new(at(4).Add(7 * time.Second)), Billable: true, PRs: []string{"a/b#1", "a/b#2", "a/b#3"}},
	}
	r, err := Aggregate(entries, Options{Rates: card(t), Logins: map[string]string{"u1": "octocat"}})
	require.NoError(t, err)
	require.Equal(t, int64(3*3600+7), r.Total.Seconds())
	require.Equal(t, int64(1800), r.Unlinked.Seconds())
	require.InDelta(t, 1800.0/float64(3*3600+7), r.UnlinkedShare(), 1e-12)
	require.Equal(t, int64(3600+5400+7), r.Total.BillableSeconds)

	prs := map[string]PRStats{}
	for _, p := range r.PRs {
		prs[p.PR] = p
	}
	require.Equal(t, int64(3600+2700), prs["acme/web#1"].Seconds(), "evenly: half of entry 2")
	require.Equal(t, int64(2700), prs["acme/api#2"].Seconds())
	require.Equal(t, []string{"clockify:u2", "octocat"}, prs["acme/web#1"].Contributors)
	require.Equal(t, 2, prs["acme/web#1"].Entries)
	require.Equal(t, "100.00 AUD + 45.00 USD", prs["acme/web#1"].Amounts.String())
	// 7 seconds over three PRs: 3, 2, 2.
	require.Equal(t, []int64{3, 2, 2}, []int64{prs["a/b#1"].Seconds(), prs["a/b#2"].Seconds(), prs["a/b#3"].Seconds()})

	require.Equal(t, []string{"clockify:u2", "clockify:u3", "octocat"}, keys(r.Contributors))
	require.True(t, r.Contributors[2].Mapped)
	require.False(t, r.Contributors[0].Mapped)
	require.Equal(t, "u2", r.Contributors[0].ClockifyUserID)
	require.Equal(t, int64(5400+1800), r.Contributors[0].Seconds())
	require.Equal(t, []int{2, 1, 1}, []int{r.Contributors[0].Entries, r.Contributors[1].Entries, r.Contributors[2].Entries})
	require.Equal(t, 1, r.Unlinked.Entries)
	require.Equal(t, 4, r.Total.Entries)

	// Average over the five PRs.
	require.Equal(t, time.Duration((6300+2700+7)/5)*time.Second, r.AveragePerPR())
	require.Zero(t, (&Report{}).AveragePerPR())
	require.Zero(t, (&Report{}).UnlinkedShare())

	// One who comes back to a PR after another is among its contributors once.
	r, err = Aggregate([]Entry{
		{ID: "a", UserID: "u1", Start: at(0), End: new(at(1)), PRs: []string{"acme/web#1"}},
		{ID: "b", UserID: "u2", Start: at(1), End: new(at(2)), PRs: []string{"acme/web#1"}},
		{ID: "c", UserID: "u1", Start: at(2), End: new(at(3)), PRs: []string{"acme/web#1"}},
	}, Options{Logins: map[string]string{"u1": "octocat"}})
	require.NoError(t, err)
	require.Equal(t, []string{"clockify:u2", "octocat"}, r.PRs[0].Contributors)
}

// TestMembersOfOneLogin: members mapped to one GitHub login, in any case (GitHub ignores
// it), are one contributor, named and identified the same whatever the entries' order.
func TestMembersOfOneLogin(t *testing.T) {
	entries := []Entry{
		{ID: "a", UserID: "u2", Start: at(0), End: new(at(1)), PRs: []string{"acme/web#1"}},
		{ID: "b", UserID: "u1", Start: at(1), End: new(at(2)), PRs: []string{"acme/web#1"}},
		{ID: "c", UserID: "u3", Start: at(2), End: new(at(3))},
	}
	opts := Options{Logins: map[string]string{"u1": "octocat", "u2": "OctoCat", "u3": "mona"}}
	var first *Report
	for _, order := range [][]int{{0, 1, 2}, {1, 0, 2}, {2, 1, 0}} {
		in := make([]Entry, len(order))
		for i, k := range order {
			in[i] = entries[k]
		}
		r, err := Aggregate(in, opts)
		require.NoError(t, err)
		require.Equal(t, []string{"OctoCat", "mona"}, keys(r.Contributors))
		octo := r.Contributors[0]
		require.Equal(t, "OctoCat", octo.Login)
		require.Equal(t, "u1", octo.ClockifyUserID, "the least member id")
		require.Equal(t, int64(7200), octo.Seconds())
		require.Equal(t, 2, octo.Entries)
		require.Equal(t, []string{"OctoCat"}, r.PRs[0].Contributors)
		if first == nil {
			first = r
		}
		require.Equal(t, first.Contributors, r.Contributors)
	}
}

// Without a rate card only time is summed, still split by the billable flag.
func TestTimeOnlyWithoutRates(t *testing.T) {
	entries := []Entry{
		{ID: "1", UserID: "u1", Start: at(0), End: new(at(1)), Billable: true, PRs: []string{"acme/web#1"}},
		{ID: "2", UserID: "u1", Start: at(1), End: new(at(1.5)), Billable: false, PRs: []string{"acme/web#1"}},
		{ID: "3", UserID: "u2", Start: at(2), End: new(at(2.25)), Billable: true},
	}
	r, err := Aggregate(entries, Options{})
	require.NoError(t, err)
	require.Equal(t, int64(3600+900), r.Total.BillableSeconds)
	require.Equal(t, int64(1800), r.Total.NonBillableSeconds)
	require.True(t, r.Total.Amounts.IsZero())
	require.Empty(t, r.Total.Amounts.Currencies())
	require.Len(t, r.PRs, 1)
	require.Equal(t, int64(3600), r.PRs[0].BillableSeconds)
	require.Equal(t, int64(1800), r.PRs[0].NonBillableSeconds)
	require.Equal(t, int64(900), r.Unlinked.BillableSeconds)
	require.InDelta(t, 4500.0/6300, r.Total.BillableShare(), 1e-12)
}

// A rate changed from a moment on prices the entries starting from it; one crossing the
// change is priced whole at the rate of its start.
func TestRateChangedMidReport(t *testing.T) {
	rc, err := billing.NewRateCard(10000, "AUD", billing.WithDefaultRateFrom(at(2), 20000, ""))
	require.NoError(t, err)
	entries := []Entry{
		{ID: "before", UserID: "u", Start: at(0), End: new(at(1)), Billable: true, PRs: []string{"a/b#1"}},
		{ID: "across", UserID: "u", Start: at(1.5), End: new(at(2.5)), Billable: true, PRs: []string{"a/b#1"}},
		{ID: "after", UserID: "u", Start: at(2), End: new(at(3)), Billable: true, PRs: []string{"a/b#2"}},
	}
	r, err := Aggregate(entries, Options{Rates: rc, Period: Day})
	require.NoError(t, err)
	require.Equal(t, "400.00 AUD", r.Total.Amounts.String())
	require.Equal(t, "200.00 AUD", r.PRs[0].Amounts.String(), r.PRs[0].PR)
	require.Equal(t, "200.00 AUD", r.PRs[1].Amounts.String(), r.PRs[1].PR)
}

func keys(cs []ContributorStats) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Key)
	}
	return out
}

func TestSplitPolicies(t *testing.T) {
	e := Entry{PRs: []string{"a", "b", "c"}, Weights: []int{1, 1, 2}}
	cases := []struct {
		policy SplitPolicy
		secs   int64
		w      []int
		want   []int64
	}{
		{SplitEvenly, 10, nil, []int64{4, 3, 3}},
		{SplitFirst, 10, nil, []int64{10, 0, 0}},
		{SplitWeighted, 10, []int{1, 1, 2}, []int64{3, 2, 5}},
		{SplitWeighted, 7, []int{1, 1, 1}, []int64{3, 2, 2}},
		{SplitWeighted, 10, []int{2, 1, 1}, []int64{5, 3, 2}},          // the largest remainder, not the first PR
		{SplitWeighted, 11, []int{1, 2, 2}, []int64{2, 5, 4}},          // 2.2, 4.4, 4.4: the tie goes to the earlier PR
		{SplitWeighted, 10, []int{0, 1, 1}, []int64{0, 5, 5}},          // a zero weight gets nothing
		{SplitWeighted, 10, []int{0, 1, 0}, []int64{0, 10, 0}},         // one weight of one takes all
		{SplitWeighted, 10, []int{1_000_000, 0, 0}, []int64{10, 0, 0}}, // the largest weight taken
		{SplitWeighted, 10, []int{1_000_001, 1, 1}, []int64{4, 3, 3}},  // past it: evenly
		{SplitWeighted, 10, []int{0, 0, 0}, []int64{4, 3, 3}},
		{SplitWeighted, 10, []int{1, 2}, []int64{4, 3, 3}},
		{SplitWeighted, 10, []int{-1, 2, 3}, []int64{4, 3, 3}},
	}
	for _, tc := range cases {
		e.Weights = tc.w
		require.Equal(t, tc.want, split(nil, tc.secs, &e, tc.policy), "%v %v", tc.policy, tc.w)
	}
}

func TestRunningTimersAreProvisional(t *testing.T) {
	now := at(2)
	entries := []Entry{
		{ID: "done", UserID: "u", Start: at(0), End: new(at(1)), PRs: []string{"a/b#1"}},
		{ID: "running", UserID: "u", Start: at(1.5), PRs: []string{"a/b#2"}},
	}
	r, err := Aggregate(entries, Options{Now: func() time.Time { return now }})
	require.NoError(t, err)
	require.Equal(t, int64(5400), r.Total.Seconds())
	require.True(t, r.Total.Provisional)
	require.False(t, r.PRs[0].Provisional)
	require.True(t, r.PRs[1].Provisional)
	require.Equal(t, int64(1800), r.PRs[1].Seconds())
	require.True(t, r.Trend[0].Provisional)

	_, err = Aggregate(entries, Options{})
	require.ErrorIs(t, err, ErrNoClock)
	// A period or a split policy that names none is an error, not weeks or an even split.
	// Days far below Sunday would land on Week, Day and Month past weeksFrom's offset.
	for _, opts := range []Options{{Period: Month + 1}, {Period: -1}, {Split: SplitWeighted + 1}, {Split: -1},
		{Period: WeekStarting(7)}, {Period: WeekStarting(-1)}, {Period: weeksFrom + Period(time.Monday)},
		{Period: weeksFrom - 1}, {Period: weeksFrom + 7},
		{Period: WeekStarting(-8)}, {Period: WeekStarting(-7)}, {Period: WeekStarting(-6)}} {
		_, err = Aggregate(nil, opts)
		require.ErrorIs(t, err, ErrBadOptions, "%+v", opts)
	}
	_, err = Aggregate([]Entry{{ID: "bad", Start: at(2), End: new(at(1))}}, Options{})
	require.ErrorIs(t, err, ErrNegativeDuration)
	// An entry without a start (a host's decoding gone wrong) is an error, not a panic,
	// wherever it comes among the others.
	for _, es := range [][]Entry{{{ID: "zero", End: new(at(1))}}, {{ID: "ok", Start: at(0), End: new(at(1))}, {ID: "zero", End: new(at(1))}}} {
		_, err = Aggregate(es, Options{})
		require.ErrorIs(t, err, ErrNoStart)
		require.ErrorContains(t, err, `entry "zero"`)
	}
	// A typo'd year would ask for millions of buckets: an error, not gigabytes.
	_, err = Aggregate([]Entry{{ID: "far", Start: at(0), End: new(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))}}, Options{Period: Day})
	require.ErrorIs(t, err, ErrSpanTooLong)
	_, err = Aggregate([]Entry{{ID: "decade", Start: at(0), End: new(at(0).AddDate(10, 0, 0))}}, Options{Period: Day})
	require.NoError(t, err, "ten years of days are fine")
	// A rate the card refuses (Clockify's, negative) fails the report; it is not priced at 0.
	honour, err := billing.NewRateCard(10000, "AUD", billing.WithClockifyRates())
	require.NoError(t, err)
	_, err = Aggregate([]Entry{{ID: "neg", UserID: "u", Start: at(0), End: new(at(1)), Billable: true,
		ClockifyRate: &billing.Money{Minor: -1, Currency: billing.MustCurrency("AUD")}}}, Options{Rates: honour})
	require.ErrorIs(t, err, billing.ErrNegativeRate)
	// The bound is exact: MaxBuckets days are fine, a second more is one bucket too many.
	midnight := at(-9)
	last := midnight.AddDate(0, 0, MaxBuckets)
	r, err = Aggregate([]Entry{{ID: "first", Start: midnight, End: new(midnight)}, {ID: "last", Start: last.Add(-time.Hour), End: new(last)}}, Options{Period: Day})
	require.NoError(t, err)
	require.Len(t, r.Trend, MaxBuckets)
	_, err = Aggregate([]Entry{{ID: "first", Start: midnight, End: new(midnight)}, {ID: "last", Start: last.Add(-time.Hour), End: new(last.Add(time.Second))}}, Options{Period: Day})
	require.ErrorIs(t, err, ErrSpanTooLong)
	// A timer that started after the host's now (Clockify's clock a little ahead) has run
	// for no time yet; it must not fail the whole report.
	r, err = Aggregate(append(entries, Entry{ID: "ahead", UserID: "u", Start: now.Add(2 * time.Second)}), Options{Now: func() time.Time { return now }})
	require.NoError(t, err)
	require.Equal(t, int64(5400), r.Total.Seconds())
	require.Equal(t, 3, r.Total.Entries)
	require.True(t, r.Unlinked.Provisional)
	require.Zero(t, r.Unlinked.Seconds())
	huge, _ := billing.NewRateCard(1<<62, "AUD")
	_, err = Aggregate([]Entry{{ID: "x", Start: at(0), End: new(at(100)), Billable: true}}, Options{Rates: huge})
	require.ErrorIs(t, err, billing.ErrOverflow)
	r, err = Aggregate(nil, Options{})
	require.NoError(t, err)
	require.Empty(t, r.Trend)
}

func TestTrendAcrossMidnightAndDaylightSaving(t *testing.T) {
	syd, err := time.LoadLocation("Australia/Sydney")
	require.NoError(t, err)
	// 23:00 to 01:30 local: an hour on the first day, an hour and a half on the next.
	start := time.Date(2026, 3, 10, 23, 0, 0, 0, syd)
	late := Entry{ID: "late", UserID: "u", Start: start, End: new(start.Add(150 * time.Minute))}
	r, err := Aggregate([]Entry{late}, Options{Location: syd, Period: Day})
	require.NoError(t, err)
	require.Len(t, r.Trend, 2)
	require.Equal(t, int64(3600), r.Trend[0].Seconds())
	require.Equal(t, int64(5400), r.Trend[1].Seconds())
	require.Equal(t, []int{1, 1}, []int{r.Trend[0].Entries, r.Trend[1].Entries}, "counted on each day it touches")
	require.Equal(t, "2026-03-11T00:00:00+11:00", r.Trend[1].Start.Format(time.RFC3339))

	// Daylight saving starts in Sydney on 4 October 2026: that local day has 23 hours.
	dayStart := time.Date(2026, 10, 4, 0, 0, 0, 0, syd)
	dayEnd := time.Date(2026, 10, 5, 0, 0, 0, 0, syd)
	whole := Entry{ID: "whole", UserID: "u", Start: dayStart.Add(-time.Hour), End: new(dayEnd.Add(time.Hour))}
	r, err = Aggregate([]Entry{whole}, Options{Location: syd, Period: Day})
	require.NoError(t, err)
	require.Len(t, r.Trend, 3)
	require.Equal(t, int64(23*3600), r.Trend[1].Seconds())
	require.True(t, r.Trend[1].Start.Equal(dayStart))
	require.True(t, r.Trend[1].End.Equal(dayEnd))
	// ... and it ends on 5 April 2026, a 25-hour day.
	r, err = Aggregate([]Entry{{ID: "april", UserID: "u", Start: time.Date(2026, 4, 5, 0, 0, 0, 0, syd), End: new(time.Date(2026, 4, 6, 0, 0, 0, 0, syd))}}, Options{Location: syd, Period: Day})
	require.NoError(t, err)
	require.Len(t, r.Trend, 1)
	require.Equal(t, int64(25*3600), r.Trend[0].Seconds())
	// An entry that ends at midnight is not counted on the next day.
	next := Entry{ID: "next", UserID: "u", Start: time.Date(2026, 4, 6, 9, 0, 0, 0, syd), End: new(time.Date(2026, 4, 6, 10, 0, 0, 0, syd))}
	r, err = Aggregate([]Entry{{ID: "april", UserID: "u", Start: time.Date(2026, 4, 5, 0, 0, 0, 0, syd), End: new(time.Date(2026, 4, 6, 0, 0, 0, 0, syd))}, next}, Options{Location: syd, Period: Day})
	require.NoError(t, err)
	require.Len(t, r.Trend, 2)
	require.Equal(t, []int{1, 1}, []int{r.Trend[0].Entries, r.Trend[1].Entries})
	require.Equal(t, int64(3600), r.Trend[1].Seconds())

	// Weeks start on Monday, months on the first, in the zone.
	r, err = Aggregate([]Entry{late, whole}, Options{Location: syd, Period: Week})
	require.NoError(t, err)
	require.Equal(t, time.Monday, r.Trend[0].Start.Weekday())
	r, err = Aggregate([]Entry{late, whole}, Options{Location: syd, Period: Month})
	require.NoError(t, err)
	require.Equal(t, 1, r.Trend[0].Start.Day())
	require.Equal(t, time.October, r.Trend[len(r.Trend)-1].Start.Month())
	var sum int64
	for _, b := range r.Trend {
		sum += b.Seconds()
	}
	require.Equal(t, r.Total.Seconds(), sum)

	// Each month's bucket starts on its first at local midnight, months of 28 to 31
	// days and a change of clocks (5 April) included.
	months := Entry{ID: "months", UserID: "u", Start: time.Date(2026, 1, 15, 12, 0, 0, 0, syd), End: new(time.Date(2026, 4, 20, 12, 0, 0, 0, syd))}
	r, err = Aggregate([]Entry{months}, Options{Location: syd, Period: Month})
	require.NoError(t, err)
	var edges []string
	var secs []int64
	for _, b := range r.Trend {
		edges, secs = append(edges, b.Start.Format(time.RFC3339)), append(secs, b.Seconds())
	}
	require.Equal(t, []string{"2026-01-01T00:00:00+11:00", "2026-02-01T00:00:00+11:00", "2026-03-01T00:00:00+11:00",
		"2026-04-01T00:00:00+11:00"}, edges)
	require.Equal(t, "2026-05-01T00:00:00+10:00", r.Trend[3].End.Format(time.RFC3339))
	// From noon on 15 January; to noon on 20 April, with the hour the clocks went back.
	const d = 86400
	require.Equal(t, []int64{16*d + d/2, 28 * d, 31 * d, 19*d + d/2 + 3600}, secs)

	// An entry of no time that starts where the last bucket ends is counted in that bucket.
	day := Entry{ID: "day", UserID: "u", Start: dayStart, End: new(dayEnd)}
	edge := Entry{ID: "edge", UserID: "u", Start: dayEnd, End: new(dayEnd)}
	r, err = Aggregate([]Entry{day, edge}, Options{Location: syd, Period: Day})
	require.NoError(t, err)
	require.Len(t, r.Trend, 1)
	require.Equal(t, 2, r.Trend[0].Entries)
	require.Equal(t, int64(23*3600), r.Trend[0].Seconds())
}

// TestWeeksStartOnTheDayAsked: with weeks starting on each day of the week, in zones with
// daylight saving and a quarter-hour offset, each bucket starts on that day at local
// midnight and lasts seven local days, the buckets follow one another, and each holds
// the time and amounts of the day buckets within it.
func TestWeeksStartOnTheDayAsked(t *testing.T) {
	require.Equal(t, Week, WeekStarting(time.Monday))
	rc := card(t)
	now := t0.Add(22 * 24 * time.Hour)
	for _, zone := range []string{"America/New_York", "Australia/Sydney", "Asia/Kathmandu"} {
		loc, err := time.LoadLocation(zone)
		require.NoError(t, err)
		for first := time.Sunday; first <= time.Saturday; first++ {
			for seed := range uint64(5) {
				rng := rand.New(rand.NewPCG(seed, uint64(first)))
				entries := genEntries(rng, 1+rng.IntN(40))
				for i := range entries { // over a season's change in either hemisphere
					back := -time.Duration(rng.IntN(240)) * 24 * time.Hour
					entries[i].Start = entries[i].Start.Add(back)
					if entries[i].End != nil {
						entries[i].End = new(entries[i].End.Add(back))
					}
				}
				opts := Options{Rates: rc, Now: func() time.Time { return now }, Location: loc, Period: WeekStarting(first)}
				weeks, err := Aggregate(entries, opts)
				require.NoError(t, err)
				opts.Period = Day
				days, err := Aggregate(entries, opts)
				require.NoError(t, err)
				require.NotEmpty(t, weeks.Trend)
				require.True(t, weeks.Trend[0].Start.Compare(days.Trend[0].Start) <= 0, "%s, %s, seed %d", zone, first, seed)
				d := 0
				for i, w := range weeks.Trend {
					y, m, day := w.Start.Date()
					require.Equal(t, first, w.Start.Weekday(), "%s, seed %d, week of %s", zone, seed, w.Start)
					require.True(t, time.Date(y, m, day, 0, 0, 0, 0, loc).Equal(w.Start), "starts at midnight: %s", w.Start)
					require.True(t, time.Date(y, m, day+7, 0, 0, 0, 0, loc).Equal(w.End), "lasts seven days: %s", w.End)
					require.True(t, i == 0 || weeks.Trend[i-1].End.Equal(w.Start), "follows the week before: %s", w.Start)
					var sum Stats
					for ; d < len(days.Trend) && days.Trend[d].Start.Before(w.End); d++ {
						require.NoError(t, sum.Merge(days.Trend[d].Summary))
						sum.Provisional = sum.Provisional || days.Trend[d].Provisional
					}
					require.Equal(t, sum.Summary, w.Summary, "%s, %s, seed %d, week of %s", zone, first, seed, w.Start)
					require.Equal(t, sum.Provisional, w.Provisional)
				}
				require.Equal(t, len(days.Trend), d, "every day in a week")
			}
		}
	}
}

// genEntries makes random entries over a few weeks, some crossing midnight, some
// running, linked to zero to three PRs.
func genEntries(rng *rand.Rand, n int) []Entry {
	out := make([]Entry, n)
	prs := []string{"a/web#1", "a/web#2", "a/api#7", "b/cli#3"}
	for i := range out {
		start := t0.Add(time.Duration(rng.Int64N(int64(21 * 24 * time.Hour))))
		e := Entry{ID: string(rune('a' + i%26)), UserID: []string{"u1", "u2", "u3"}[rng.IntN(3)],
			ProjectID: []string{"p", "usd"}[rng.IntN(2)], Start: start, Billable: rng.IntN(3) > 0}
		if rng.IntN(10) > 0 {
			e.End = new(start.Add(time.Duration(rng.Int64N(int64(30 * time.Hour)))))
		}
		for k := rng.IntN(4); k > 0; k-- {
			e.PRs = append(e.PRs, prs[rng.IntN(len(prs))])
		}
		slices.Sort(e.PRs)
		e.PRs = slices.Compact(e.PRs)
		e.Weights = make([]int, len(e.PRs))
		for k := range e.Weights {
			e.Weights[k] = rng.IntN(5)
		}
		out[i] = e
	}
	return out
}

// TestAgreesWithNaive: over generated finished entries, priced by a card whose rates
// change from moments on, the time and amounts per PR (shared evenly), per contributor
// and per ISO week in a zone with daylight saving are those of the naive aggregation of
// the benchmarks, written independently: a map per grouping, each entry priced again.
func TestAgreesWithNaive(t *testing.T) {
	syd, err := time.LoadLocation("Australia/Sydney")
	require.NoError(t, err)
	rc, err := billing.NewRateCard(10000, "AUD", billing.WithProjectRate("usd", 6000, "USD"),
		billing.WithDefaultRateFrom(t0.Add(5*24*time.Hour), 12000, ""), billing.WithProjectRateFrom("usd", t0.Add(9*24*time.Hour+time.Hour/2), 7000, "USD"),
		billing.WithProjectRateFrom("p", t0.Add(15*24*time.Hour), 50, "JPY"))
	require.NoError(t, err)
	logins := map[string]string{"u1": "octo"}
	for seed := range uint64(50) {
		rng := rand.New(rand.NewPCG(seed, 3))
		entries := slices.DeleteFunc(genEntries(rng, 1+rng.IntN(60)), func(e Entry) bool { return e.End == nil })
		for i := range entries { // Clockify's times are whole seconds
			entries[i].Start, entries[i].End = entries[i].Start.Truncate(time.Second), new(entries[i].End.Truncate(time.Second))
		}
		r, err := Aggregate(entries, Options{Rates: rc, Logins: logins, Location: syd})
		require.NoError(t, err)
		perPR, perPerson, weekly := naive(entries, rc, logins, syd)
		require.Len(t, r.PRs, len(perPR), "seed %d", seed)
		for _, p := range r.PRs {
			require.Equal(t, *perPR[p.PR], p.Summary, "seed %d, %s", seed, p.PR)
		}
		require.Len(t, r.Contributors, len(perPerson), "seed %d", seed)
		for _, c := range r.Contributors {
			require.Equal(t, *perPerson[c.Key], c.Summary, "seed %d, %s", seed, c.Key)
		}
		var weeks int
		for _, b := range r.Trend {
			y, w := b.Start.ISOWeek()
			want := weekly[fmt.Sprintf("%d-W%02d", y, w)]
			if want == nil {
				require.Zero(t, b.Entries, "seed %d, week of %s", seed, b.Start)
				continue
			}
			weeks++
			require.Equal(t, *want, b.Summary, "seed %d, week of %s", seed, b.Start)
		}
		require.Equal(t, len(weekly), weeks, "seed %d", seed)
	}
}

// TestProperties checks, over generated data: every grouping adds up to the total, a
// single entry's day buckets add up to its duration, the order of the entries changes
// nothing, and a change of time zone moves time between days but never the total.
func TestProperties(t *testing.T) {
	rc := card(t)
	now := t0.Add(22 * 24 * time.Hour)
	zones := []string{"UTC", "Australia/Sydney", "America/New_York", "Asia/Kathmandu", "Europe/London"}
	prop := func(seed uint64, n uint8, policy uint8, zone uint8, period uint8) bool {
		rng := rand.New(rand.NewPCG(seed, 7))
		entries := genEntries(rng, int(n)+1)
		loc, err := time.LoadLocation(zones[int(zone)%len(zones)])
		if err != nil {
			return false
		}
		opts := Options{Rates: rc, Now: func() time.Time { return now }, Location: loc,
			Split: SplitPolicy(policy % 3), Period: Period(period % 3), Logins: map[string]string{"u1": "octo"}}
		r, err := Aggregate(entries, opts)
		if err != nil {
			t.Log(err)
			return false
		}
		sum := func(stats ...Stats) Stats {
			var s Stats
			for _, x := range stats {
				_ = s.Merge(x.Summary)
			}
			return s
		}
		var prs, people, buckets []Stats
		for _, p := range r.PRs {
			prs = append(prs, p.Stats)
		}
		for _, c := range r.Contributors {
			people = append(people, c.Stats)
		}
		for _, b := range r.Trend {
			buckets = append(buckets, b.Stats)
		}
		same := func(a, b Stats) bool {
			return a.BillableSeconds == b.BillableSeconds && a.NonBillableSeconds == b.NonBillableSeconds && a.Amounts.Equal(b.Amounts)
		}
		if !same(sum(append(prs, r.Unlinked)...), r.Total) || !same(sum(people...), r.Total) || !same(sum(buckets...), r.Total) {
			return false
		}
		// Order independence.
		shuffled := slices.Clone(entries)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		r2, err := Aggregate(shuffled, opts)
		if err != nil || !same(r2.Total, r.Total) || len(r2.PRs) != len(r.PRs) {
			return false
		}
		for i := range r.PRs {
			if r.PRs[i].PR != r2.PRs[i].PR || !same(r.PRs[i].Stats, r2.PRs[i].Stats) {
				return false
			}
		}
		// Another zone: days change, the total does not.
		opts.Location, opts.Period = time.FixedZone("far", 13*3600+45*60), Day
		r3, err := Aggregate(entries, opts)
		if err != nil || !same(r3.Total, r.Total) {
			return false
		}
		// One entry's day buckets add up to its duration.
		one, err := Aggregate(entries[:1], opts)
		if err != nil {
			return false
		}
		var d int64
		for _, b := range one.Trend {
			d += b.Seconds()
		}
		return d == one.Total.Seconds()
	}
	require.NoError(t, quick.Check(prop, &quick.Config{MaxCount: 150}))
}

// TestTrendWhereClocksChangeAtMidnight: in zones that put their clocks forward at
// midnight (the day starts at 01:00), that put them back at 01:00 (the day has two
// midnights and starts at the first) or that skipped a date whole, every period's buckets
// follow one another, each starts at the first instant of its local date, on the period's
// first day, and together they hold all the time. time.Date answers such a midnight with
// the day before's 23:00 or the second midnight: taken as a bucket's start, a report by
// day failed with ErrSpanTooLong, weeks began a day early, and an entry in the first
// hour of the day made Aggregate panic.
func TestTrendWhereClocksChangeAtMidnight(t *testing.T) {
	for _, c := range []struct {
		zone     string
		day      string // the local date whose midnight is odd
		dayStart string // its first instant, or the next date's when it was skipped
		hours    int    // its length, 0 when skipped
	}{
		{"Atlantic/Azores", "2025-03-30", "2025-03-30T01:00:00Z", 23},
		{"America/Santiago", "2023-09-03", "2023-09-03T01:00:00-03:00", 23},
		{"America/Havana", "2023-03-12", "2023-03-12T01:00:00-04:00", 23},
		{"Asia/Amman", "2000-09-29", "2000-09-29T00:00:00+03:00", 25},
		{"Pacific/Apia", "2011-12-30", "2011-12-31T00:00:00+14:00", 0},
	} {
		loc, err := time.LoadLocation(c.zone)
		require.NoError(t, err)
		want, err := time.Parse(time.RFC3339, c.dayStart)
		require.NoError(t, err)
		// A day and a half either side of the day's start, and its first hour.
		from, to := want.Add(-36*time.Hour), want.Add(36*time.Hour)
		entries := []Entry{{ID: "a", UserID: "u", Start: from, End: &to}, {ID: "b", UserID: "u", Start: want, End: new(want.Add(time.Hour))}}
		for _, p := range []Period{Day, Week, Month, WeekStarting(time.Sunday), WeekStarting(time.Saturday)} {
			r, err := Aggregate(entries, Options{Location: loc, Period: p})
			require.NoError(t, err, "%s, period %d", c.zone, p)
			var sum int64
			var dates []string
			for i, b := range r.Trend {
				sum += b.Seconds()
				date := b.Start.Format(time.DateOnly)
				dates = append(dates, date)
				require.True(t, i == 0 || r.Trend[i-1].End.Equal(b.Start), "%s: the bucket of %s follows the one before", c.zone, b.Start)
				require.NotEqual(t, date, b.Start.Add(-time.Nanosecond).Format(time.DateOnly), "%s: %s is the first instant of its date", c.zone, b.Start)
				switch first, weeks := p.firstDay(); {
				case p == Month:
					require.Equal(t, 1, b.Start.Day(), "%s: %s", c.zone, b.Start)
				case weeks && i > 0:
					require.Equal(t, first, b.Start.Weekday(), "%s: %s", c.zone, b.Start)
				}
			}
			require.Equal(t, r.Total.Seconds(), sum, "%s, period %d", c.zone, p)
			if p != Day {
				continue
			}
			k := slices.IndexFunc(r.Trend, func(b Bucket) bool { return b.Start.Equal(want) })
			require.GreaterOrEqual(t, k, 0, "%s: a day starts at %s: %v", c.zone, want, dates)
			require.Equal(t, 2, r.Trend[k].Entries, c.zone)
			if c.hours == 0 {
				require.NotContains(t, dates, c.day, c.zone)
				continue
			}
			require.Equal(t, c.day, dates[k], c.zone)
			require.Equal(t, time.Duration(c.hours)*time.Hour, r.Trend[k].End.Sub(want), c.zone)
		}
	}
}
