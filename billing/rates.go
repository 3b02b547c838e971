package billing

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// RateSource says where an entry's hourly rate came from.
type RateSource string

// Rate sources, in order of precedence.
const (
	SourceProjectOverride RateSource = "project override"
	SourceClockify        RateSource = "clockify"
	SourceDefault         RateSource = "organisation default"
)

// Rate is the hourly rate that applies to an entry, and where it came from.
type Rate struct {
	Hourly Money
	Source RateSource
}

// Entry is what billing needs of a time entry.
type Entry struct {
	ProjectID string
	// Seconds is the entry's duration; a running timer is counted up to now by the caller.
	Seconds  int64
	Billable bool
	// ClockifyRate is the hourly rate Clockify applied to the entry (its hourlyRate, read
	// with FromHundredths), used only when the card honours Clockify's rates.
	ClockifyRate *Money
}

// RateCard holds the organisation's default hourly rate, per-project overrides and
// whether Clockify's own rates are honoured. Build one with [NewRateCard]; it is
// read-only afterwards and safe for concurrent use.
type RateCard struct {
	def      Money
	projects map[string]Money
	clockify bool
}

// RateOption configures a [RateCard].
type RateOption func(*RateCard) error

// Errors of building a rate card and pricing entries.
var (
	ErrNegativeRate     = errors.New("billing: negative rate")
	ErrNegativeDuration = errors.New("billing: negative duration")
	ErrOverflow         = errors.New("billing: amount out of range")
	ErrNoRateCard       = errors.New("billing: a billable entry needs a rate card")
)

// NewRateCard returns a card whose default hourly rate is hourlyMinor minor units of the
// currency with the given code (AUD when empty).
func NewRateCard(hourlyMinor int64, code string, opts ...RateOption) (*RateCard, error) {
	if code == "" {
		code = DefaultCurrency
	}
	def, err := NewMoney(hourlyMinor, code)
	if err != nil {
		return nil, err
	}
	if hourlyMinor < 0 {
		return nil, fmt.Errorf("%w: default %s", ErrNegativeRate, def)
	}
	rc := &RateCard{def: def, projects: map[string]Money{}}
	for _, o := range opts {
		if err := o(rc); err != nil {
			return nil, err
		}
	}
	return rc, nil
}

// WithProjectRate overrides the hourly rate of one Clockify project, in the currency with
// the given code (the card's default currency when empty).
func WithProjectRate(projectID string, hourlyMinor int64, code string) RateOption {
	return func(rc *RateCard) error {
		if strings.TrimSpace(projectID) == "" {
			return errors.New("billing: a project override needs a project id")
		}
		if code == "" {
			code = rc.def.Currency.Code()
		}
		m, err := NewMoney(hourlyMinor, code)
		if err != nil {
			return err
		}
		if hourlyMinor < 0 {
			return fmt.Errorf("%w: project %s %s", ErrNegativeRate, projectID, m)
		}
		rc.projects[projectID] = m
		return nil
	}
}

// WithClockifyRates honours the rate Clockify applied to each entry when its project has
// no override.
func WithClockifyRates() RateOption {
	return func(rc *RateCard) error { rc.clockify = true; return nil }
}

// Default returns the organisation's default hourly rate.
func (rc *RateCard) Default() Money { return rc.def }

// Rate returns the hourly rate that applies to an entry: the project override, else
// Clockify's rate (when honoured and present), else the organisation default.
func (rc *RateCard) Rate(e Entry) (Rate, error) {
	if m, ok := rc.projects[e.ProjectID]; ok {
		return Rate{Hourly: m, Source: SourceProjectOverride}, nil
	}
	if rc.clockify && e.ClockifyRate != nil && !e.ClockifyRate.Currency.IsZero() {
		if e.ClockifyRate.Minor < 0 {
			return Rate{}, fmt.Errorf("%w: Clockify rate %s", ErrNegativeRate, e.ClockifyRate)
		}
		return Rate{Hourly: *e.ClockifyRate, Source: SourceClockify}, nil
	}
	return Rate{Hourly: rc.def, Source: SourceDefault}, nil
}

// UnknownProjects returns the overridden project ids that are not among the given ones:
// such overrides are kept (the project may come back), and flagged.
func (rc *RateCard) UnknownProjects(projectIDs []string) []string {
	var out []string
	for id := range rc.projects {
		if !slices.Contains(projectIDs, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}
