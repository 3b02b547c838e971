package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/heyjasper/jasper-clockify/analytics"
	"github.com/heyjasper/jasper-clockify/billing"
	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/linker"
	"github.com/heyjasper/jasper-clockify/mapping"
)

// summarise links each entry's description to pull requests (a bare #123 resolves in the
// repository its project is named after, in org), prices the time with the workspace's
// and the projects' rates, and prints the time per PR, the billable and unlinked shares
// and the weekly trend.
func summarise(out io.Writer, ws *clockify.Workspace, projects map[string]clockify.Project, entries []clockify.TimeEntry, org string) error {
	rates, err := rateCard(ws, projects)
	if err != nil {
		return err
	}
	var parser linker.Parser
	var in []analytics.Entry
	unresolved := 0
	for _, e := range entries {
		ae := analytics.Entry{ID: e.ID, UserID: e.UserID, ProjectID: e.ProjectID, Start: e.TimeInterval.Start, End: e.TimeInterval.End, Billable: e.Billable}
		for _, l := range parser.Resolve(e.Description, linker.Project{Repo: repoOf(projects[e.ProjectID], org)}) {
			if !l.Resolved() || l.Issue {
				unresolved++
				continue
			}
			ae.PRs = append(ae.PRs, l.String())
		}
		in = append(in, ae)
	}
	report, err := analytics.Aggregate(in, analytics.Options{Rates: rates, Now: time.Now, Period: analytics.Week})
	if err != nil {
		return err
	}

	prs := slices.Clone(report.PRs)
	slices.SortStableFunc(prs, func(a, b analytics.PRStats) int { return cmp.Compare(b.Seconds(), a.Seconds()) })
	fmt.Fprintf(out, "\nPull requests named in the descriptions (top %d of %d by time)\n", min(10, len(prs)), len(prs))
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PR\tHOURS\tBILLED\tPEOPLE")
	for _, p := range prs[:min(10, len(prs))] {
		billed := "-"
		if !p.Amounts.IsZero() {
			billed = p.Amounts.String()
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%s\t%d\n", p.PR, float64(p.Seconds())/3600, billed, len(p.Contributors))
	}
	tw.Flush()
	fmt.Fprintf(out, "\nAverage %.1f h per PR; billable %.0f%% of the time (%s); %.0f%% linked to no PR; %d references left unresolved\n",
		report.AveragePerPR().Hours(), 100*report.Total.BillableShare(), report.Total.Amounts, 100*report.UnlinkedShare(), unresolved)

	fmt.Fprintln(out, "\nWeekly (UTC, weeks from Monday)")
	fmt.Fprintln(tw, "WEEK OF\tHOURS\tBILLABLE")
	for _, b := range report.Trend {
		mark := ""
		if b.Provisional {
			mark = "  (a running timer counts up to now)"
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f%s\n", b.Start.Format("Mon 02 Jan"), float64(b.Seconds())/3600, float64(b.BillableSeconds)/3600, mark)
	}
	return tw.Flush()
}

// repoOf returns the repository a project is named after in org ("Web App" → org/web-app),
// or "" when there is no org or the name makes no valid repository.
func repoOf(p clockify.Project, org string) string {
	if org == "" {
		return ""
	}
	repo := org + "/" + strings.Join(strings.Fields(strings.ToLower(p.Name)), "-")
	if mapping.ValidateRepo(repo) != nil {
		return ""
	}
	return repo
}

// rateCard prices time at the workspace's hourly rate (150.00 AUD when it has none), with
// each project's own rate as an override. Clockify's amounts are hundredths of the
// currency's unit, whatever the currency: billing.FromHundredths reads them.
func rateCard(ws *clockify.Workspace, projects map[string]clockify.Project) (*billing.RateCard, error) {
	def := clockify.Rate{Amount: 15000, Currency: billing.DefaultCurrency}
	if r := ws.HourlyRate; r != nil && r.Amount > 0 && r.Currency != "" {
		def = *r
	}
	hourly, err := billing.FromHundredths(def.Amount, def.Currency)
	if err != nil {
		return nil, err
	}
	var opts []billing.RateOption
	for id, p := range projects {
		if r := p.HourlyRate; r != nil && r.Amount > 0 {
			m, err := billing.FromHundredths(r.Amount, cmp.Or(r.Currency, def.Currency))
			if err != nil {
				return nil, err
			}
			opts = append(opts, billing.WithProjectRate(id, m.Minor, m.Currency.Code()))
		}
	}
	return billing.NewRateCard(hourly.Minor, hourly.Currency.Code(), opts...)
}
