package sync

import (
	"context"
	"errors"
	"strings"

	"github.com/heyjasper/jasper-clockify/analytics"
	"github.com/heyjasper/jasper-clockify/billing"
)

// Summary is a report over stored entries.
type Summary struct {
	*analytics.Report
	// Unresolved counts the links left out: references whose repository is not known
	// (a bare #N in an unmapped project) and issues.
	Unresolved int
	// NotWork counts the breaks, holidays and time off left out of every figure.
	NotWork int
}

// Report aggregates the work entries the query selects (analytics.Aggregate), each
// linked to the pull requests of its effective links: its manual links, else its auto
// links resolved to a repository. A pull request is named "owner/repo#N" in lower case:
// GitHub's names ignore case, so links written "Acme/Web#4" and "acme/web#4" count as
// one. An entry linked to several pull requests is shared between them by opts.Split
// (evenly by default, in whole seconds). Members' GitHub logins come from the store
// unless opts.Logins is set. opts.Rates, when set, prices the time; else the
// workspace's rates do (SetDefaultRate, SetProjectRate, SetClockifyRates), when any is
// set. A query with a Limit or an After is an InputError: a report of a page would count
// part of the time. So is an opts.Period or opts.Split that names none.
func (e *Engine) Report(ctx context.Context, q EntryQuery, opts analytics.Options) (*Summary, error) {
	if q.Limit != 0 || q.After != nil {
		return nil, inputError("limit", "a report counts every entry the query selects; page with LinkedEntries")
	}
	entries, err := e.LinkedEntries(ctx, q)
	if err != nil {
		return nil, err
	}
	if opts.Logins == nil {
		members, err := e.store.Members(ctx, q.WorkspaceID)
		if err != nil {
			return nil, err
		}
		opts.Logins = map[string]string{}
		for _, m := range members {
			if m.Login != "" {
				opts.Logins[m.ID] = m.Login
			}
		}
	}
	if opts.Rates == nil {
		if opts.Rates, err = e.rateCard(ctx, q.WorkspaceID); err != nil {
			return nil, err
		}
	}
	if opts.Now == nil {
		opts.Now = e.now
	}
	s := &Summary{}
	in := make([]analytics.Entry, 0, len(entries))
	for _, en := range entries {
		if !en.IsWork() {
			s.NotWork++
			continue
		}
		ae := analytics.Entry{ID: en.ID, UserID: en.UserID, ProjectID: en.ProjectID, Start: en.Start, Billable: en.Billable}
		if en.HourlyRate > 0 && en.Currency != "" {
			// A currency billing does not know leaves the entry to the default rate.
			if m, err := billing.FromHundredths(en.HourlyRate, en.Currency); err == nil {
				ae.ClockifyRate = &m
			}
		}
		if !en.Running() {
			ae.End = &en.End
		}
		for _, l := range en.Effective {
			if !l.Resolved() || l.Issue {
				s.Unresolved++
				continue
			}
			// GitHub's names ignore case: "Acme/Web#4" and "acme/web#4" are one PR.
			ae.PRs = append(ae.PRs, strings.ToLower(l.Target()))
		}
		in = append(in, ae)
	}
	if s.Report, err = analytics.Aggregate(in, opts); err != nil {
		if errors.Is(err, analytics.ErrBadOptions) {
			return nil, inputError("options", "%v", err)
		}
		return nil, err
	}
	return s, nil
}

// rateCard returns the card of a workspace's rates, or nil when none is set.
func (e *Engine) rateCard(ctx context.Context, workspaceID string) (*billing.RateCard, error) {
	c, err := e.store.Connection(ctx, workspaceID)
	if errors.Is(err, ErrNotFound) || err == nil && c.Rates.IsZero() {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return c.Rates.Card()
}
