package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/heyjasper/jasper-clockify/analytics"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// summarise prices the work entries the query selects with the workspace's rates
// (seedRates set them; Engine.Report links each to the pull requests of its effective
// links: its manual links, else the references the engine found and resolved with the
// project's repository), and prints the time per PR and per contributor, the billable
// and unlinked shares and the weekly trend. names are the members' names by id.
func summarise(ctx context.Context, out io.Writer, eng *clockifysync.Engine, names map[string]string, q clockifysync.EntryQuery) error {
	summary, err := eng.Report(ctx, q, analytics.Options{Now: time.Now, Period: analytics.Week})
	if err != nil {
		return err
	}
	report, unresolved := summary.Report, summary.Unresolved

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
	if len(prs) > 0 {
		if err := printPR(ctx, out, eng, q, prs[0].PR, names); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "\nAverage %.1f h per PR; billable %.0f%% of the time (%s); %.0f%% linked to no PR; %d references left unresolved\n",
		report.AveragePerPR().Hours(), 100*report.Total.BillableShare(), report.Total.Amounts, 100*report.UnlinkedShare(), unresolved)

	fmt.Fprintln(out, "\nBy contributor")
	fmt.Fprintln(tw, "CONTRIBUTOR\tHOURS\tBILLABLE\tPRS")
	contributors := slices.Clone(report.Contributors)
	slices.SortStableFunc(contributors, func(a, b analytics.ContributorStats) int { return cmp.Compare(b.Seconds(), a.Seconds()) })
	for _, c := range contributors {
		who := c.Login
		if !c.Mapped {
			who = names[c.ClockifyUserID] + " (no GitHub user)"
		}
		prs := 0
		for _, p := range report.PRs {
			if slices.Contains(p.Contributors, c.Key) {
				prs++
			}
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%d\n", who, float64(c.Seconds())/3600, float64(c.BillableSeconds)/3600, prs)
	}
	tw.Flush()

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

// printPR lists the entries of one pull request, as its page in a code review shows them
// (EntryQuery.PR: the entries whose effective links name it, by any form of reference).
func printPR(ctx context.Context, out io.Writer, eng *clockifysync.Engine, q clockifysync.EntryQuery, pr string, names map[string]string) error {
	q.PR = pr
	entries, err := eng.LinkedEntries(ctx, q)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nThe time on %s, as its pull request's page shows it (UTC)\n", pr)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MEMBER\tSTART\tDURATION\tDESCRIPTION")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", names[e.UserID], e.Start.Format("Mon 02 Jan 15:04"), duration(&e.Entry), e.Description)
	}
	return tw.Flush()
}

// duration is an entry's duration, or "running".
func duration(e *clockifysync.Entry) string {
	if e.Running() {
		return "running"
	}
	return e.End.Sub(e.Start).String()
}
