package sync

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/heyjasper/jasper-clockify/billing"
)

// MaxRateChanges bounds how many changes from a moment on (SetDefaultRateFrom,
// SetProjectRateFrom) a workspace keeps, all rates together: each connection read
// carries them.
const MaxRateChanges = 1000

// MaxProjectRates bounds how many projects of a workspace have a rate of their own
// (SetProjectRate), for the same reason.
const MaxProjectRates = 10000

// SetDefaultRate sets the organisation's default hourly rate of a workspace for all
// time, by which Report prices the time of every project without an override
// (SetProjectRate); its changes from a moment on (SetDefaultRateFrom) are dropped. A
// money without a currency is in AUD. The rate is kept with the workspace's connection,
// for every replica, through Disconnect and a Connect again; Purge deletes it. A
// negative rate is an InputError, and a workspace never connected ErrNotConnected;
// neither changes anything.
func (e *Engine) SetDefaultRate(ctx context.Context, workspaceID string, hourly billing.Money) error {
	hourly, err := checkRate(hourly)
	if err != nil {
		return err
	}
	return e.updateRates(ctx, workspaceID, func(r *Rates) error {
		r.Default = hourly
		r.Changes = dropChanges(r.Changes, "", time.Time{})
		return nil
	})
}

// SetDefaultRateFrom changes the default hourly rate of a workspace from a moment on, as
// a rate set in Clockify "since" a date does: Report prices the entries that start at
// since or later at it, and the earlier ones at the rate before, so a rise leaves the
// time already billed as it was. It replaces the default's changes from since on. A
// zero since is an InputError (SetDefaultRate sets the rate for all time), and so is a
// since outside the years 1 to 9999, a negative rate or a change past MaxRateChanges; a
// workspace never connected is ErrNotConnected. None changes anything.
func (e *Engine) SetDefaultRateFrom(ctx context.Context, workspaceID string, since time.Time, hourly billing.Money) error {
	return e.changeRateFrom(ctx, workspaceID, "", since, hourly)
}

// SetProjectRate sets the hourly rate of one Clockify project of a workspace for all
// time, which overrides the default rate (SetDefaultRate) in Report; the project's
// changes from a moment on (SetProjectRateFrom) are dropped. A money without a currency
// is in AUD. As with the default, the rate is kept with the connection; a negative rate,
// a project id that is empty or bad (as SetProjectMapping says) or a new project's rate
// past MaxProjectRates is an InputError, and a workspace never connected
// ErrNotConnected.
func (e *Engine) SetProjectRate(ctx context.Context, workspaceID, projectID string, hourly billing.Money) error {
	if err := checkID("project", projectID); err != nil {
		return err
	}
	hourly, err := checkRate(hourly)
	if err != nil {
		return err
	}
	return e.updateRates(ctx, workspaceID, func(r *Rates) error {
		if _, ok := r.Projects[projectID]; !ok && len(r.Projects) >= MaxProjectRates {
			return inputError("project", "a workspace keeps the rates of at most %d projects", MaxProjectRates)
		}
		r.Projects[projectID] = hourly
		r.Changes = dropChanges(r.Changes, projectID, time.Time{})
		return nil
	})
}

// SetProjectRateFrom overrides the hourly rate of one Clockify project of a workspace
// from a moment on: Report prices the project's entries that start at since or later
// at it, and the earlier ones at the project's rate before, or, without one, as if it
// had no override. It replaces the project's changes from since on. Its errors are
// SetDefaultRateFrom's, and a project id that is empty or bad an InputError too.
func (e *Engine) SetProjectRateFrom(ctx context.Context, workspaceID, projectID string, since time.Time, hourly billing.Money) error {
	if err := checkID("project", projectID); err != nil {
		return err
	}
	return e.changeRateFrom(ctx, workspaceID, projectID, since, hourly)
}

// changeRateFrom changes the default (an empty projectID) or a project's rate from since on.
func (e *Engine) changeRateFrom(ctx context.Context, workspaceID, projectID string, since time.Time, hourly billing.Money) error {
	if since.IsZero() {
		return inputError("since", "required: a rate for all time is set without one")
	}
	if y := since.UTC().Year(); y < 1 || y > 9999 {
		return inputError("since", "a time from year 1 to 9999, not %d", y)
	}
	hourly, err := checkRate(hourly)
	if err != nil {
		return err
	}
	since = since.UTC()
	return e.updateRates(ctx, workspaceID, func(r *Rates) error {
		r.Changes = dropChanges(r.Changes, projectID, since)
		if len(r.Changes) >= MaxRateChanges {
			return inputError("since", "a workspace keeps at most %d changes of rates", MaxRateChanges)
		}
		r.Changes = append(r.Changes, RateChange{ProjectID: projectID, Since: since, Hourly: hourly})
		slices.SortFunc(r.Changes, func(a, b RateChange) int {
			return cmp.Or(a.Since.Compare(b.Since), strings.Compare(a.ProjectID, b.ProjectID))
		})
		return nil
	})
}

// dropChanges removes the changes of the default (an empty projectID) or a project's
// rate from since on (all of them for the zero time).
func dropChanges(changes []RateChange, projectID string, since time.Time) []RateChange {
	return slices.DeleteFunc(changes, func(c RateChange) bool {
		return c.ProjectID == projectID && (since.IsZero() || !c.Since.Before(since))
	})
}

// DeleteProjectRate removes a project's rate and its changes, so that the default rate
// prices its time again. A project without one is ErrNotFound, an empty project id an
// InputError, a workspace never connected ErrNotConnected.
func (e *Engine) DeleteProjectRate(ctx context.Context, workspaceID, projectID string) error {
	if projectID == "" {
		return inputError("project", "required")
	}
	return e.updateRates(ctx, workspaceID, func(r *Rates) error {
		changes := len(r.Changes)
		r.Changes = dropChanges(r.Changes, projectID, time.Time{})
		if _, ok := r.Projects[projectID]; !ok && len(r.Changes) == changes {
			return fmt.Errorf("%w: no rate of project %s", ErrNotFound, projectID)
		}
		delete(r.Projects, projectID)
		return nil
	})
}

// SetClockifyRates says whether Report honours the rate Clockify applied to each entry
// of a workspace (Entry.HourlyRate: the rates set in Clockify, for its tasks, members,
// projects and workspace), for the projects without an override (SetProjectRate); the
// default rate (SetDefaultRate) prices the entries Clockify gave no rate. An entry's
// rate is what Clockify said when the engine last read it: entries stored before this
// version of the SDK carry none, and a rate changed in Clockify for past entries does
// not reach them, until a sync reads them again (Engine.Sync over the period). A
// workspace never connected is ErrNotConnected.
func (e *Engine) SetClockifyRates(ctx context.Context, workspaceID string, honour bool) error {
	return e.updateRates(ctx, workspaceID, func(r *Rates) error {
		r.ClockifyRates = honour
		return nil
	})
}

// MaxHourlyMinor bounds an hourly rate set in the engine, in the currency's minor units
// (10,000,000.00 AUD): at it, a report's exact sums hold some 290 years of time, where a
// rate mistyped with a few more digits would make every report of the workspace
// overflow.
const MaxHourlyMinor = 1_000_000_000

// checkRate refuses a negative rate or one over MaxHourlyMinor, and puts one without a
// currency in AUD.
func checkRate(m billing.Money) (billing.Money, error) {
	if m.Currency.IsZero() {
		m.Currency = billing.MustCurrency(billing.DefaultCurrency)
	}
	if m.Minor < 0 {
		return m, inputError("rate", "negative: %s", m)
	}
	if m.Minor > MaxHourlyMinor {
		return m, inputError("rate", "%s an hour is over the most the engine keeps (%d minor units)", m, MaxHourlyMinor)
	}
	return m, nil
}

// updateRates changes a workspace's rates in one step of its connection, so that two
// changes at once (two people, two replicas) both stay.
func (e *Engine) updateRates(ctx context.Context, workspaceID string, change func(*Rates) error) error {
	return e.updateSettings(ctx, workspaceID, func(c *Connection) error {
		r := c.Rates
		r.Projects, r.Changes = maps.Clone(r.Projects), slices.Clone(r.Changes)
		if r.Projects == nil {
			r.Projects = map[string]billing.Money{}
		}
		if err := change(&r); err != nil {
			return err
		}
		if len(r.Projects) == 0 {
			r.Projects = nil
		}
		if len(r.Changes) == 0 {
			r.Changes = nil
		}
		c.Rates = r
		return nil
	})
}
