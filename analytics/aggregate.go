package analytics

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/heyjasper/jasper-clockify/billing"
)

// Entry is a time entry as analytics needs it: plain values a host can fill from its own
// data. Only work belongs in an aggregation: leave out breaks, holidays and time off
// (the Clockify entries whose IsWork is false).
type Entry struct {
	ID        string
	UserID    string // the Clockify member
	ProjectID string
	Start     time.Time
	// End is nil while the timer runs; the entry then counts up to Options.Now (nothing
	// when it started after Now) and the figures it touches are marked provisional.
	End      *time.Time
	Billable bool
	// ClockifyRate is the hourly rate Clockify applied, for rate cards that honour it
	// (billing.FromHundredths reads the entry's hourlyRate).
	ClockifyRate *billing.Money
	// PRs are the pull requests the entry is linked to ("owner/repo#N"), in link order.
	PRs []string
	// Weights, one per PR, are used by SplitWeighted: each from 0 to 1,000,000 and not
	// all 0, or the entry is shared evenly.
	Weights []int
}

// SplitPolicy says how an entry linked to several PRs is shared between them. Every
// policy hands out whole seconds and never loses or creates one.
type SplitPolicy int

// Split policies.
const (
	// SplitEvenly shares the time equally; leftover seconds go to the first PRs.
	SplitEvenly SplitPolicy = iota
	// SplitFirst gives all the time to the first PR.
	SplitFirst
	// SplitWeighted shares by Entry.Weights (largest remainders get leftover seconds);
	// an entry without valid weights is shared evenly.
	SplitWeighted
)

// Period is the width of a trend bucket.
type Period int

// Trend periods.
const (
	Week  Period = iota // ISO weeks, starting on Monday (WeekStarting for another day)
	Day                 // calendar days
	Month               // calendar months
)

// weeksFrom is where the periods of weeks starting on days other than Monday begin:
// WeekStarting(d) is weeksFrom+d.
const weeksFrom Period = 8

// WeekStarting returns the period of weeks that start on day d, the first day of the
// week in Clockify's settings (clockify.UserSettings.FirstDayOfWeek): Sunday in the
// United States, Saturday in some countries. WeekStarting(time.Monday) is Week. A d
// outside Sunday to Saturday gives a period Aggregate rejects with ErrBadOptions.
func WeekStarting(d time.Weekday) Period {
	switch {
	case d == time.Monday:
		return Week
	case d < time.Sunday || d > time.Saturday:
		return -1
	}
	return weeksFrom + Period(d)
}

// firstDay returns the day a period of weeks starts on, and false for any other period
// or a value that names none.
func (p Period) firstDay() (time.Weekday, bool) {
	if p == Week {
		return time.Monday, true
	}
	d := time.Weekday(p - weeksFrom)
	return d, d >= time.Sunday && d <= time.Saturday && d != time.Monday
}

// Options configure an aggregation.
type Options struct {
	// Rates prices the time; without it only time is summed. An entry is priced whole at
	// the rate of its start, one crossing a change of rate too.
	Rates *billing.RateCard
	// Logins maps Clockify member ids to GitHub logins (the mapping's output).
	Logins map[string]string
	Split  SplitPolicy
	// Now is the clock running timers count up to (required when one runs).
	Now func() time.Time
	// Location is the time zone of the trend's buckets (UTC when nil).
	Location *time.Location
	// Period is the width of the trend's buckets: ISO weeks by default, starting on
	// Monday; WeekStarting gives weeks that start on another day.
	Period Period
}

// Stats are the figures of one group: time split billable and non-billable, amounts per
// currency, how many entries contributed, and whether a running timer is among them.
type Stats struct {
	billing.Summary
	Entries     int
	Provisional bool
}

// PRStats are the figures of one pull request.
type PRStats struct {
	PR string
	Stats
	// Contributors are the keys (see ContributorStats.Key) of those who worked on it.
	Contributors []string
}

// ContributorStats are the figures of one person: Key is the GitHub login when the member
// is mapped, else "clockify:" and the member id. Members mapped to one login, in any case
// (GitHub ignores it), are one person: Key and Login are the least of their spellings,
// ClockifyUserID the least of their ids.
type ContributorStats struct {
	Key            string
	Login          string
	ClockifyUserID string
	Mapped         bool
	Stats
}

// Bucket is one period of the trend, in the options' time zone: [Start, End). Start is
// the first instant of the period's first local day: midnight, or the end of the hour a
// zone skips when it puts its clocks forward at midnight.
type Bucket struct {
	Start, End time.Time
	Stats
}

// Report is the aggregation of a set of entries.
type Report struct {
	Total Stats
	// Unlinked is the time linked to no PR.
	Unlinked     Stats
	PRs          []PRStats
	Contributors []ContributorStats
	Trend        []Bucket
}

// Errors of aggregation.
var (
	ErrNegativeDuration = errors.New("analytics: entry ends before it starts")
	ErrNoClock          = errors.New("analytics: a running timer needs Options.Now")
	ErrNoStart          = errors.New("analytics: entry has no start time")
	// ErrSpanTooLong: the entries span more than MaxBuckets trend buckets.
	ErrSpanTooLong = errors.New("analytics: entries span too many trend buckets")
	// ErrBadOptions: Options.Period or Options.Split holds a value that names no period
	// or policy of this package.
	ErrBadOptions = errors.New("analytics: unknown period or split policy")
)

// MaxBuckets bounds the trend: 100,000 days are 273 years. A span that needs more comes
// from a wrong date, and would take gigabytes.
const MaxBuckets = 100_000

// UnlinkedShare returns the share of all time that is linked to no PR, in [0, 1].
func (r *Report) UnlinkedShare() float64 {
	if r.Total.Seconds() == 0 {
		return 0
	}
	return float64(r.Unlinked.Seconds()) / float64(r.Total.Seconds())
}

// AveragePerPR returns the mean time spent per linked PR.
func (r *Report) AveragePerPR() time.Duration {
	if len(r.PRs) == 0 {
		return 0
	}
	var s int64
	for _, p := range r.PRs {
		s += p.Seconds()
	}
	return time.Duration(s/int64(len(r.PRs))) * time.Second
}

// Aggregate sums entries per PR, per contributor, per trend bucket and in total, in one
// pass. Each entry is priced once; its time is split between its PRs by the policy and
// between the buckets it spans (an entry crossing midnight counts on each local day),
// and every split hands out whole seconds, so each grouping adds up to the total
// exactly. The result does not depend on the order of the entries. Each entry counts as
// often as it is given: pass an entry once (a host merging synced and webhook-delivered
// entries keeps the latest of each id).
func Aggregate(entries []Entry, opts Options) (*Report, error) {
	a, err := newAggregator(entries, opts)
	if err != nil {
		return nil, err
	}
	for i := range entries {
		if err := a.add(&entries[i]); err != nil {
			return nil, fmt.Errorf("entry %q: %w", entries[i].ID, err)
		}
	}
	return a.report(), nil
}

type prAcc struct {
	Stats
	who []int32 // contributor numbers (index in aggregator.order), repeats removed at the report
}

type aggregator struct {
	opts     Options
	now      time.Time
	total    Stats
	unlinked Stats
	prs      map[string]*prAcc
	people   map[string]int32 // contributor number by key
	byUser   map[string]int32 // contributor number by Clockify member id
	order    []*ContributorStats
	bounds   []int64 // unix seconds of bucket starts, and the end of the last bucket
	buckets  []Stats
	parts    []int64 // scratch: seconds per PR of the current entry
}

func newAggregator(entries []Entry, opts Options) (*aggregator, error) {
	if _, weeks := opts.Period.firstDay(); !weeks && opts.Period != Day && opts.Period != Month {
		return nil, fmt.Errorf("%w: period %d", ErrBadOptions, opts.Period)
	}
	if opts.Split < SplitEvenly || opts.Split > SplitWeighted {
		return nil, fmt.Errorf("%w: split policy %d", ErrBadOptions, opts.Split)
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	a := &aggregator{opts: opts, prs: map[string]*prAcc{}, people: map[string]int32{}, byUser: map[string]int32{}}
	if opts.Now != nil {
		a.now = opts.Now()
	}
	// Bucket boundaries over the whole span, computed once in the local zone.
	var lo, hi time.Time
	for i := range entries {
		e := &entries[i]
		end, err := a.end(e)
		if err != nil {
			return nil, fmt.Errorf("entry %q: %w", e.ID, err)
		}
		if lo.IsZero() || e.Start.Before(lo) {
			lo = e.Start
		}
		if end.After(hi) {
			hi = end
		}
	}
	if !lo.IsZero() {
		for b := bucketStart(lo, opts.Location, opts.Period); ; b = nextBucket(b, opts.Period) {
			a.bounds = append(a.bounds, b.Unix())
			if len(a.bounds) >= 2 && !b.Before(hi) {
				break
			}
			if len(a.bounds) > MaxBuckets {
				return nil, fmt.Errorf("%w: %s to %s", ErrSpanTooLong, lo.Format(time.DateOnly), hi.Format(time.DateOnly))
			}
		}
		a.buckets = make([]Stats, len(a.bounds)-1)
	}
	return a, nil
}

// end returns where an entry's time ends: its End, or for a running timer the clock's
// now. A timer that started after now (Clockify's clock ahead of the host's) has run for
// no time yet; a finished entry that ends before it starts is an error.
func (a *aggregator) end(e *Entry) (time.Time, error) {
	if e.Start.IsZero() {
		return time.Time{}, ErrNoStart
	}
	if e.End == nil {
		if a.opts.Now == nil {
			return time.Time{}, ErrNoClock
		}
		if a.now.Before(e.Start) {
			return e.Start, nil
		}
		return a.now, nil
	}
	if e.End.Before(e.Start) {
		return time.Time{}, ErrNegativeDuration
	}
	return *e.End, nil
}

// add accounts one entry into every grouping.
func (a *aggregator) add(e *Entry) error {
	end, err := a.end(e)
	if err != nil {
		return err
	}
	running := e.End == nil
	secs := end.Unix() - e.Start.Unix()
	// Price the entry once; its parts are added at that rate.
	var hourly billing.Money
	if a.opts.Rates != nil && e.Billable {
		r, err := a.opts.Rates.Rate(billing.Entry{ProjectID: e.ProjectID, Start: e.Start, Billable: true, ClockifyRate: e.ClockifyRate})
		if err != nil {
			return err
		}
		hourly = r.Hourly
	}
	addTo := func(s *Stats, seconds int64) error {
		if err := a.addSummary(&s.Summary, hourly, seconds, e.Billable); err != nil {
			return err
		}
		s.Provisional = s.Provisional || running
		return nil
	}
	if err := addTo(&a.total, secs); err != nil {
		return err
	}
	a.total.Entries++

	// Contributor: the GitHub login when mapped (in any case: GitHub ignores it), else
	// the Clockify member.
	who, ok := a.byUser[e.UserID]
	if !ok {
		key, login := "clockify:"+e.UserID, a.opts.Logins[e.UserID]
		if login != "" {
			key = strings.ToLower(login)
		}
		if who, ok = a.people[key]; !ok {
			who = int32(len(a.order))
			a.order = append(a.order, &ContributorStats{Key: cmp.Or(login, key), Login: login, ClockifyUserID: e.UserID, Mapped: login != ""})
			a.people[key] = who
		} else {
			// Another member mapped to the login: the least spelling and member id, so
			// that the figures do not depend on which member's entry came first.
			p := a.order[who]
			p.Login, p.ClockifyUserID = min(p.Login, login), min(p.ClockifyUserID, e.UserID)
			p.Key = p.Login
		}
		a.byUser[e.UserID] = who
	}
	p := a.order[who]
	if err := addTo(&p.Stats, secs); err != nil {
		return err
	}
	p.Entries++

	// PRs.
	if len(e.PRs) == 0 {
		if err := addTo(&a.unlinked, secs); err != nil {
			return err
		}
		a.unlinked.Entries++
	} else {
		a.parts = split(a.parts[:0], secs, e, a.opts.Split)
		for i, pr := range e.PRs {
			acc := a.prs[pr]
			if acc == nil {
				acc = &prAcc{}
				a.prs[pr] = acc
			}
			if err := addTo(&acc.Stats, a.parts[i]); err != nil {
				return err
			}
			acc.Entries++
			if n := len(acc.who); n == 0 || acc.who[n-1] != who {
				acc.who = append(acc.who, who)
			}
		}
	}

	// Trend: the part of the entry in each bucket it spans.
	s, t := e.Start.Unix(), end.Unix()
	k := min(sort.Search(len(a.bounds), func(i int) bool { return a.bounds[i] > s })-1, len(a.buckets)-1)
	for {
		piece := min(t, a.bounds[k+1]) - max(s, a.bounds[k])
		if err := addTo(&a.buckets[k], piece); err != nil {
			return err
		}
		a.buckets[k].Entries++
		if t <= a.bounds[k+1] || k+1 == len(a.buckets) {
			return nil
		}
		k++
	}
}

// addSummary adds time, priced at hourly when there is a rate card.
func (a *aggregator) addSummary(s *billing.Summary, hourly billing.Money, seconds int64, billable bool) error {
	if a.opts.Rates == nil {
		if billable {
			s.BillableSeconds += seconds
		} else {
			s.NonBillableSeconds += seconds
		}
		return nil
	}
	return s.AddAt(hourly, seconds, billable)
}

// split shares secs between an entry's PRs; the parts always add up to secs.
func split(parts []int64, secs int64, e *Entry, policy SplitPolicy) []int64 {
	n := int64(len(e.PRs))
	for range e.PRs {
		parts = append(parts, 0)
	}
	switch {
	case policy == SplitFirst:
		parts[0] = secs
	case policy == SplitWeighted && validWeights(e.Weights, len(e.PRs)):
		var sum int64
		for _, w := range e.Weights {
			sum += int64(w)
		}
		given := int64(0)
		rems := make([]int64, n)
		for i, w := range e.Weights {
			parts[i] = secs * int64(w) / sum
			rems[i] = secs * int64(w) % sum
			given += parts[i]
		}
		// Largest remainders first; the sort is stable, so earlier PRs first on ties.
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(rems[y], rems[x]) })
		for i := int64(0); i < secs-given; i++ {
			parts[order[i]]++
		}
	default:
		for i := range parts {
			parts[i] = secs / n
			if int64(i) < secs%n {
				parts[i]++
			}
		}
	}
	return parts
}

func validWeights(w []int, n int) bool {
	if len(w) != n {
		return false
	}
	sum := 0
	for _, x := range w {
		if x < 0 || x > 1_000_000 {
			return false
		}
		sum += x
	}
	return sum > 0
}

func (a *aggregator) report() *Report {
	r := &Report{Total: a.total, Unlinked: a.unlinked}
	for pr, acc := range a.prs {
		slices.Sort(acc.who)
		who := slices.Compact(acc.who)
		keys := make([]string, len(who))
		for i, w := range who {
			keys[i] = a.order[w].Key
		}
		slices.Sort(keys)
		r.PRs = append(r.PRs, PRStats{PR: pr, Stats: acc.Stats, Contributors: keys})
	}
	slices.SortFunc(r.PRs, func(x, y PRStats) int { return strings.Compare(x.PR, y.PR) })
	for _, p := range a.order {
		r.Contributors = append(r.Contributors, *p)
	}
	slices.SortFunc(r.Contributors, func(x, y ContributorStats) int { return strings.Compare(x.Key, y.Key) })
	for i, st := range a.buckets {
		r.Trend = append(r.Trend, Bucket{
			Start: time.Unix(a.bounds[i], 0).In(a.opts.Location),
			End:   time.Unix(a.bounds[i+1], 0).In(a.opts.Location),
			Stats: st,
		})
	}
	return r
}

// bucketStart returns the start of the period containing t, in loc.
func bucketStart(t time.Time, loc *time.Location, p Period) time.Time {
	y, m, d := t.In(loc).Date()
	return periodStart(y, m, d, loc, p)
}

// periodStart returns the start of the period containing the local date y-m-d (which may
// be out of range, as time.Date's is).
func periodStart(y int, m time.Month, d int, loc *time.Location, p Period) time.Time {
	switch p {
	case Day:
		return dayStart(y, m, d, loc)
	case Month:
		return dayStart(y, m, 1, loc)
	default:
		first, _ := p.firstDay()
		back := (civilDate(y, m, d).Weekday() - first + 7) % 7 // days since the week's first
		return dayStart(y, m, d-int(back), loc)
	}
}

// nextBucket returns the start of the period after the one starting at b. Calendar
// arithmetic in the zone keeps edges at the start of a local day across daylight-saving
// changes (a local day may last 23 or 25 hours).
func nextBucket(b time.Time, p Period) time.Time {
	y, m, d := b.Date()
	switch p {
	case Day:
		return dayStart(y, m, d+1, b.Location())
	case Month:
		return dayStart(y, m+1, 1, b.Location())
	default:
		return periodStart(y, m, d+7, b.Location(), p)
	}
}

// dayStart returns the first instant of the local date y-m-d in loc. That is the midnight
// time.Date gives, except where a zone changes its clocks at midnight: clocks put forward
// at midnight (Chile, the Azores, Cuba) skip it, and time.Date answers 23:00 the day
// before, while the day starts at the change; clocks put back at 01:00 (Jordan until
// 2022) give the day two midnights, and time.Date may answer the second. A date a zone
// skipped whole (Samoa's 30 December 2011) starts where the next one does.
func dayStart(y int, m time.Month, d int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	want := civilDate(y, m, d)
	start, end := t.ZoneBounds()
	if civilDate(t.Date()).Before(want) && !end.IsZero() {
		return end // the zone's offset changes as the day begins
	}
	if !start.IsZero() {
		if before := start.Add(-time.Nanosecond); civilDate(before.Date()).Equal(want) {
			_, offset := before.Zone() // the day began before the change, at midnight
			return time.Unix(want.Unix()-int64(offset), 0).In(loc)
		}
	}
	return t
}

// civilDate returns the date y-m-d (normalised as time.Date does) as midnight UTC, so
// that dates compare and give their weekday whatever the zone.
func civilDate(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
