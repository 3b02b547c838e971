// Package billing prices tracked time: money in integer minor units with an ISO 4217
// currency, hourly rates with their source, and totals that never mix currencies.
//
// A [RateCard] holds the organisation's default hourly rate (in AUD unless told
// otherwise), per-project overrides and, optionally, Clockify's own rates. Each of its
// rates may change from a moment on ([WithDefaultRateFrom], [WithProjectRateFrom]), as a
// rate set in Clockify "since" a date does: an entry is priced at the rate of its start,
// so a rise leaves the time before it as it was billed. [RateCard.Rate] says which rate
// applies to an entry and where it came from.
//
// A [Summary] adds entries: billable time is priced, non-billable time is counted but
// costs nothing billable. Amounts are kept exact (duration in seconds × rate per hour,
// no floats, overflow checked) in a [Totals], one sum per currency, and rounded once,
// half to even, to the currency's minor unit when read. Grouping or ordering the
// entries differently never changes a total.
package billing
