package billing_test

import (
	"fmt"

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
