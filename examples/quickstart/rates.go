package main

import (
	"cmp"
	"context"

	"github.com/heyjasper/jasper-clockify/billing"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// seedRates sets the workspace's rates in the SDK from Clockify's own, the first time: a
// host would have its users set them (Engine.SetDefaultRate, Engine.SetProjectRate), and
// the file keeps what they set. Engine.Report then prices the time with them.
func seedRates(ctx context.Context, eng *clockifysync.Engine, workspaceID string) error {
	conn, err := eng.Store().Connection(ctx, workspaceID)
	if err != nil || !conn.Rates.IsZero() {
		return err
	}
	projects, err := eng.Store().Projects(ctx, workspaceID)
	if err != nil {
		return err
	}
	rates, err := clockifyRates(conn, projects)
	if err != nil {
		return err
	}
	if err := eng.SetDefaultRate(ctx, workspaceID, rates.Default); err != nil {
		return err
	}
	for id, hourly := range rates.Projects {
		if err := eng.SetProjectRate(ctx, workspaceID, id, hourly); err != nil {
			return err
		}
	}
	return nil
}

// clockifyRates are the workspace's hourly rate in Clockify (150.00 AUD when it has
// none) as the default, and each project's own rate as its override. Clockify's amounts
// are hundredths of the currency's unit, whatever the currency: billing.FromHundredths
// reads them.
func clockifyRates(conn clockifysync.Connection, projects []clockifysync.Project) (clockifysync.Rates, error) {
	amount, currency := int64(15000), billing.DefaultCurrency
	if conn.HourlyRate > 0 && conn.Currency != "" {
		amount, currency = conn.HourlyRate, conn.Currency
	}
	var rates clockifysync.Rates
	var err error
	if rates.Default, err = billing.FromHundredths(amount, currency); err != nil {
		return rates, err
	}
	for _, p := range projects {
		if p.HourlyRate > 0 {
			m, err := billing.FromHundredths(p.HourlyRate, cmp.Or(p.Currency, currency))
			if err != nil {
				return rates, err
			}
			if rates.Projects == nil {
				rates.Projects = map[string]billing.Money{}
			}
			rates.Projects[p.ID] = m
		}
	}
	return rates, nil
}
