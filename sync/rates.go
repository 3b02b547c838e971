package sync

import (
	"context"
	"fmt"
	"maps"

	"github.com/heyjasper/jasper-clockify/billing"
)

// SetDefaultRate sets the organisation's default hourly rate of a workspace, by which
// Report prices the time of every project without an override (SetProjectRate). A money
// without a currency is in AUD. The rate is kept with the workspace's connection, for
// every replica, through Disconnect and a Connect again; Purge deletes it. A negative
// rate is an InputError, and a workspace never connected ErrNotConnected; neither
// changes anything.
func (e *Engine) SetDefaultRate(ctx context.Context, workspaceID string, hourly billing.Money) error {
	hourly, err := checkRate(hourly)
	if err != nil {
		return err
	}
	return e.updateRates(ctx, workspaceID, func(r *Rates) error {
		r.Default = hourly
		return nil
	})
}

// SetProjectRate sets the hourly rate of one Clockify project of a workspace, which
// overrides the default rate (SetDefaultRate) in Report. A money without a currency is
// in AUD. As with the default, the rate is kept with the connection; a negative rate or
// an empty project id is an InputError, and a workspace never connected
// ErrNotConnected.
func (e *Engine) SetProjectRate(ctx context.Context, workspaceID, projectID string, hourly billing.Money) error {
	if projectID == "" {
		return inputError("project", "required")
	}
	hourly, err := checkRate(hourly)
	if err != nil {
		return err
	}
	return e.updateRates(ctx, workspaceID, func(r *Rates) error {
		r.Projects[projectID] = hourly
		return nil
	})
}

// DeleteProjectRate removes a project's rate, so that the default rate prices its time
// again. A project without one is ErrNotFound, a workspace never connected
// ErrNotConnected.
func (e *Engine) DeleteProjectRate(ctx context.Context, workspaceID, projectID string) error {
	return e.updateRates(ctx, workspaceID, func(r *Rates) error {
		if _, ok := r.Projects[projectID]; !ok {
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

// checkRate refuses a negative rate, and puts one without a currency in AUD.
func checkRate(m billing.Money) (billing.Money, error) {
	if m.Currency.IsZero() {
		m.Currency = billing.MustCurrency(billing.DefaultCurrency)
	}
	if m.Minor < 0 {
		return m, inputError("rate", "negative: %s", m)
	}
	return m, nil
}

// updateRates changes a workspace's rates in one step of its connection, so that two
// changes at once (two people, two replicas) both stay.
func (e *Engine) updateRates(ctx context.Context, workspaceID string, change func(*Rates) error) error {
	return e.updateSettings(ctx, workspaceID, func(c *Connection) error {
		r := c.Rates
		r.Projects = maps.Clone(r.Projects)
		if r.Projects == nil {
			r.Projects = map[string]billing.Money{}
		}
		if err := change(&r); err != nil {
			return err
		}
		if len(r.Projects) == 0 {
			r.Projects = nil
		}
		c.Rates = r
		return nil
	})
}
