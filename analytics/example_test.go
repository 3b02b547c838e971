package analytics_test

import (
	"fmt"
	"time"

	"github.com/heyjasper/jasper-clockify/analytics"
	"github.com/heyjasper/jasper-clockify/billing"
	"github.com/heyjasper/jasper-clockify/clockify"
)

// A weekly trend in Sydney time, with cost per PR; one entry crosses midnight and a
// week's edge, one timer is still running.
func ExampleAggregate() {
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		panic(err)
	}
	at := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, syd) }
	end := func(t time.Time) *time.Time { return &t }
	rc, err := billing.NewRateCard(15000, "AUD")
	if err != nil {
		panic(err)
	}
	entries := []analytics.Entry{
		{ID: "1", UserID: "u1", Start: at(18, 9), End: end(at(18, 12)), Billable: true, PRs: []string{"acme/web#12"}},
		{ID: "2", UserID: "u2", Start: at(22, 22), End: end(at(23, 2)), Billable: true, PRs: []string{"acme/web#12", "acme/api#7"}},
		{ID: "3", UserID: "u1", Start: at(24, 10), End: end(at(24, 11)), Billable: false},
		{ID: "4", UserID: "u2", Start: at(27, 15)}, // running
	}
	r, err := analytics.Aggregate(entries, analytics.Options{
		Rates:    rc,
		Logins:   map[string]string{"u1": "octocat"},
		Now:      func() time.Time { return at(27, 17) },
		Location: syd,
		Period:   analytics.Week,
	})
	if err != nil {
		panic(err)
	}
	for _, b := range r.Trend {
		fmt.Printf("week of %s: %4.1f h (billable %4.1f h) provisional=%v\n",
			b.Start.Format("Mon 02 Jan"), float64(b.Seconds())/3600, float64(b.BillableSeconds)/3600, b.Provisional)
	}
	for _, p := range r.PRs {
		fmt.Printf("%s: %.1f h, %s, by %v\n", p.PR, float64(p.Seconds())/3600, p.Amounts, p.Contributors)
	}
	fmt.Printf("unlinked: %.0f%%\n", 100*r.UnlinkedShare())
	// Output:
	// week of Mon 16 Nov:  5.0 h (billable  5.0 h) provisional=false
	// week of Mon 23 Nov:  5.0 h (billable  2.0 h) provisional=true
	// acme/api#7: 2.0 h, 300.00 AUD, by [clockify:u2]
	// acme/web#12: 5.0 h, 750.00 AUD, by [clockify:u2 octocat]
	// unlinked: 30%
}

// Weeks that start on the day a member's Clockify settings name (weekStart "SUNDAY").
func ExampleWeekStarting() {
	settings := clockify.UserSettings{TimeZone: "America/New_York", WeekStart: "SUNDAY"}
	loc, err := time.LoadLocation(settings.TimeZone)
	if err != nil {
		panic(err)
	}
	period := analytics.Week
	if first, ok := settings.FirstDayOfWeek(); ok {
		period = analytics.WeekStarting(first)
	}
	at := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, loc) }
	end := func(t time.Time) *time.Time { return &t }
	entries := []analytics.Entry{
		{ID: "1", UserID: "u1", Start: at(21, 9), End: end(at(21, 11))}, // Saturday
		{ID: "2", UserID: "u1", Start: at(22, 9), End: end(at(22, 12))}, // Sunday
		{ID: "3", UserID: "u1", Start: at(23, 9), End: end(at(23, 10))}, // Monday
	}
	r, err := analytics.Aggregate(entries, analytics.Options{Location: loc, Period: period})
	if err != nil {
		panic(err)
	}
	for _, b := range r.Trend {
		fmt.Printf("week of %s: %.0f h\n", b.Start.Format("Mon 02 Jan"), float64(b.Seconds())/3600)
	}
	// Output:
	// week of Sun 15 Nov: 2 h
	// week of Sun 22 Nov: 4 h
}
