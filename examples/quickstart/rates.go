package main

import (
	"context"

	"github.com/heyjasper/jasper-clockify/billing"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// seedRates sets the workspace's rates in the SDK the first time: each entry is priced at
// the rate Clockify applied to it (its project's, its member's, its task's), and an entry
// without one at the workspace's rate in Clockify (150.00 AUD when it has none). A host
// would have its users set them (Engine.SetDefaultRate, Engine.SetProjectRate,
// Engine.SetClockifyRates), and the file keeps what they set. Engine.Report prices the
// time with them.
func seedRates(ctx context.Context, eng *clockifysync.Engine, workspaceID string) error {
	conn, err := eng.Store().Connection(ctx, workspaceID)
	if err != nil || !conn.Rates.IsZero() {
		return err
	}
	hourly, err := defaultRate(conn)
	if err != nil {
		return err
	}
	if err := eng.SetDefaultRate(ctx, workspaceID, hourly); err != nil {
		return err
	}
	return eng.SetClockifyRates(ctx, workspaceID, true)
}

// defaultRate is the workspace's hourly rate in Clockify, 150.00 AUD when it has none.
// Clockify's amounts are hundredths of the currency's unit, whatever the currency:
// billing.FromHundredths reads them.
func defaultRate(conn clockifysync.Connection) (billing.Money, error) {
	if conn.HourlyRate > 0 && conn.Currency != "" {
		return billing.FromHundredths(conn.HourlyRate, conn.Currency)
	}
	return billing.NewMoney(150_00, billing.DefaultCurrency)
}
