package billing

import "fmt"

// Summary totals time, split billable and non-billable, and the billable amounts.
// Non-billable entries cost nothing billable, but their time counts. The zero value is
// empty and ready to use.
type Summary struct {
	BillableSeconds    int64
	NonBillableSeconds int64
	// Amounts are the billable amounts, one per currency, rounded once when read.
	Amounts Totals
}

// Add prices an entry with the card and adds it. A negative duration, an amount out of
// range, or a billable entry without a card is an error and adds nothing.
func (s *Summary) Add(rc *RateCard, e Entry) error {
	if !e.Billable {
		return s.AddAt(Money{}, e.Seconds, false)
	}
	if rc == nil {
		return ErrNoRateCard
	}
	r, err := rc.Rate(e)
	if err != nil {
		return err
	}
	return s.AddAt(r.Hourly, e.Seconds, true)
}

// AddAt adds seconds of time at a known hourly rate (from [RateCard.Rate]), for callers
// that price an entry once and add its parts to several summaries. Non-billable time
// ignores the rate. Errors add nothing.
func (s *Summary) AddAt(hourly Money, seconds int64, billable bool) error {
	if seconds < 0 {
		return fmt.Errorf("%w: %d seconds", ErrNegativeDuration, seconds)
	}
	if !billable {
		sec, ok := addChecked(s.NonBillableSeconds, seconds)
		if !ok {
			return ErrOverflow
		}
		s.NonBillableSeconds = sec
		return nil
	}
	if hourly.Currency.IsZero() {
		return ErrUnknownCurrency
	}
	num, ok := mulChecked(seconds, hourly.Minor)
	if !ok {
		return fmt.Errorf("%w: %d seconds at %s", ErrOverflow, seconds, hourly)
	}
	sec, ok := addChecked(s.BillableSeconds, seconds)
	if !ok {
		return ErrOverflow
	}
	if err := s.Amounts.addExact(hourly.Currency, num); err != nil {
		return err
	}
	s.BillableSeconds = sec
	return nil
}

// Merge adds another summary, for totals over groups.
func (s *Summary) Merge(o Summary) error {
	b, ok1 := addChecked(s.BillableSeconds, o.BillableSeconds)
	n, ok2 := addChecked(s.NonBillableSeconds, o.NonBillableSeconds)
	if !ok1 || !ok2 {
		return ErrOverflow
	}
	if err := s.Amounts.Merge(o.Amounts); err != nil {
		return err
	}
	s.BillableSeconds, s.NonBillableSeconds = b, n
	return nil
}

// Seconds returns all the time, billable or not.
func (s Summary) Seconds() int64 { return s.BillableSeconds + s.NonBillableSeconds }

// BillableShare returns the billable share of the time, in [0, 1] (0 with no time).
func (s Summary) BillableShare() float64 {
	if s.Seconds() == 0 {
		return 0
	}
	return float64(s.BillableSeconds) / float64(s.Seconds())
}
