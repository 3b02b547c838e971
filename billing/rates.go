package billing

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
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
	// Start is when the entry started: a rate changed from a moment on
	// ([WithDefaultRateFrom], [WithProjectRateFrom]) prices the entries that start at or
	// after it, as Clockify's rates set "since" a date do.
	Start time.Time
	// Seconds is the entry's duration; a running timer is counted up to now by the caller.
	Seconds  int64
	Billable bool
	// ClockifyRate is the hourly rate Clockify applied to the entry (its hourlyRate, read
	// with FromHundredths), used only when the card honours Clockify's rates.
	ClockifyRate *Money
}

// RateCard holds the organisation's default hourly rate, per-project overrides and
// whether Clockify's own rates are honoured; each rate may change from a moment on.
// Build one with [NewRateCard]; it is read-only afterwards and safe for concurrent use.
type RateCard struct {
	def      []dated // the default's rates, by Since; the first from the beginning
	projects map[string][]dated
	clockify bool
}

// dated is a rate that applies from a moment on (the zero time, or any before it: from
// the beginning), until the next one.
type dated struct {
	since  time.Time
	hourly Money
}

// at returns the rate of a sorted list that applies at t: the last one since t or
// before; false when t comes before them all.
func at(rates []dated, t time.Time) (Money, bool) {
	for _, r := range slices.Backward(rates) {
		if !r.since.After(t) || r.since.IsZero() {
			return r.hourly, true
		}
	}
	return Money{}, false
}

// set puts a rate that applies from since on into a sorted list, replacing one from the
// same moment.
func set(rates []dated, since time.Time, hourly Money) []dated {
	if since.Before(time.Time{}) {
		since = time.Time{}
	}
	i, found := slices.BinarySearchFunc(rates, since, func(d dated, t time.Time) int { return d.since.Compare(t) })
	if found {
		rates[i].hourly = hourly
		return rates
	}
	return slices.Insert(rates, i, dated{since, hourly})
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
	rc := &RateCard{def: []dated{{hourly: def}}, projects: map[string][]dated{}}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(rc); err != nil {
			return nil, err
		}
	}
	return rc, nil
}

// WithProjectRate overrides the hourly rate of one Clockify project, in the currency with
// the given code (the card's default currency when empty).
func WithProjectRate(projectID string, hourlyMinor int64, code string) RateOption {
	return WithProjectRateFrom(projectID, time.Time{}, hourlyMinor, code)
}

// WithProjectRateFrom overrides the hourly rate of one Clockify project for the entries
// that start at since or later (until a later change of the project's rate), in the
// currency with the given code (the card's default currency when empty). Before it, the
// project's earlier override applies, or, without one, the rate it would have without
// an override. The zero time overrides the rate from the beginning, as
// [WithProjectRate].
func WithProjectRateFrom(projectID string, since time.Time, hourlyMinor int64, code string) RateOption {
	return func(rc *RateCard) error {
		if strings.TrimSpace(projectID) == "" {
			return errors.New("billing: a project override needs a project id")
		}
		m, err := rc.rate(hourlyMinor, code, "project "+projectID)
		if err != nil {
			return err
		}
		rc.projects[projectID] = set(rc.projects[projectID], since, m)
		return nil
	}
}

// WithDefaultRateFrom changes the default hourly rate for the entries that start at
// since or later (until a later change), in the currency with the given code (the
// card's first default currency when empty); the entries before it keep the rate
// before. The zero time replaces the default given to [NewRateCard].
func WithDefaultRateFrom(since time.Time, hourlyMinor int64, code string) RateOption {
	return func(rc *RateCard) error {
		m, err := rc.rate(hourlyMinor, code, "default from "+since.Format(time.RFC3339))
		if err != nil {
			return err
		}
		rc.def = set(rc.def, since, m)
		return nil
	}
}

// rate reads an option's hourly rate: minor units of the currency with the code (the
// card's first default currency when empty), not negative; what names it in an error.
func (rc *RateCard) rate(hourlyMinor int64, code, what string) (Money, error) {
	if code == "" {
		code = rc.def[0].hourly.Currency.Code()
	}
	m, err := NewMoney(hourlyMinor, code)
	if err == nil && hourlyMinor < 0 {
		err = fmt.Errorf("%w: %s %s", ErrNegativeRate, what, m)
	}
	return m, err
}

// WithClockifyRates honours the rate Clockify applied to each entry when its project has
// no override.
func WithClockifyRates() RateOption {
	return func(rc *RateCard) error { rc.clockify = true; return nil }
}

// Default returns the organisation's default hourly rate from the beginning, before any
// change ([WithDefaultRateFrom]).
func (rc *RateCard) Default() Money { return rc.def[0].hourly }

// Rate returns the hourly rate that applies to an entry: the project override, else
// Clockify's rate (when honoured and present), else the organisation default; of rates
// changed from a moment on, the one that applies at the entry's start.
func (rc *RateCard) Rate(e Entry) (Rate, error) {
	if m, ok := at(rc.projects[e.ProjectID], e.Start); ok {
		return Rate{Hourly: m, Source: SourceProjectOverride}, nil
	}
	if rc.clockify && e.ClockifyRate != nil && !e.ClockifyRate.Currency.IsZero() {
		if e.ClockifyRate.Minor < 0 {
			return Rate{}, fmt.Errorf("%w: Clockify rate %s", ErrNegativeRate, e.ClockifyRate)
		}
		return Rate{Hourly: *e.ClockifyRate, Source: SourceClockify}, nil
	}
	m, _ := at(rc.def, e.Start) // the first applies from the beginning
	return Rate{Hourly: m, Source: SourceDefault}, nil
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
