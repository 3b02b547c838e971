package billing_test

import (
	"fmt"
	"time"

	"github.com/heyjasper/jasper-clockify/billing"
)

// Price a week's entries: an organisation default in AUD, one project billed in USD.
func ExampleSummary() {
	rc, err := billing.NewRateCard(15000, "" /* AUD */, billing.WithProjectRate("proj-us", 12000, "USD"))
	if err != nil {
		panic(err)
	}
	var s billing.Summary
	for _, e := range []billing.Entry{
		{ProjectID: "proj-au", Seconds: 2*3600 + 20*60, Billable: true},
		{ProjectID: "proj-us", Seconds: 45 * 60, Billable: true},
		{ProjectID: "proj-au", Seconds: 3600, Billable: false}, // standup: counted, not billed
	} {
		if err := s.Add(rc, e); err != nil {
			panic(err)
		}
	}
	fmt.Println(s.Amounts)
	fmt.Printf("billable %.2f h of %.2f h (%.0f%%)\n", float64(s.BillableSeconds)/3600, float64(s.Seconds())/3600, 100*s.BillableShare())
	r, _ := rc.Rate(billing.Entry{ProjectID: "proj-us"})
	fmt.Println(r.Hourly, "from", r.Source)
	// Output:
	// 350.00 AUD + 90.00 USD
	// billable 3.08 h of 4.08 h (76%)
	// 120.00 USD from project override
}

// Raise the default rate from the first of July, Sydney time: the time before keeps the
// rate it was billed at.
func ExampleWithDefaultRateFrom() {
	sydney, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		panic(err)
	}
	july := time.Date(2026, 7, 1, 0, 0, 0, 0, sydney)
	rc, err := billing.NewRateCard(15000, "" /* AUD */, billing.WithDefaultRateFrom(july, 16500, ""))
	if err != nil {
		panic(err)
	}
	for _, start := range []time.Time{july.Add(-time.Hour), july} {
		r, _ := rc.Rate(billing.Entry{ProjectID: "proj-au", Start: start})
		fmt.Println(start.In(sydney).Format("2 Jan 15:04"), r.Hourly)
	}
	// Output:
	// 30 Jun 23:00 150.00 AUD
	// 1 Jul 00:00 165.00 AUD
}
