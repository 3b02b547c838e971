package analytics

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/heyjasper/jasper-clockify/billing"
)

// FuzzAggregate builds entries from arbitrary bytes (times within about a year of t0,
// negative durations, no start, running timers, repeated PRs, bad weights; zones that
// put their clocks forward at midnight among others) and checks that Aggregate never
// panics and that, when it succeeds, every grouping adds up to the total.
func FuzzAggregate(f *testing.F) {
	f.Add([]byte{0, 0, 0, 10, 0, 0, 14, 16, 3, 1, 2}, uint8(0))
	f.Add([]byte{255, 255, 255, 0, 0, 0, 0, 1, 7, 9, 9, 0, 0, 0, 1, 128, 0, 0, 0, 2, 0}, uint8(5))
	rc, err := billing.NewRateCard(10000, "AUD", billing.WithProjectRate("p1", 500, "JPY"),
		billing.WithDefaultRateFrom(t0.Add(time.Hour), 12000, ""), billing.WithProjectRateFrom("p1", t0.Add(-30*24*time.Hour), 700, "JPY"))
	if err != nil {
		f.Fatal(err)
	}
	prs := []string{"acme/web#1", "acme/web#2", "acme/api#1"}
	locs := []*time.Location{time.UTC, time.FixedZone("far", 13*3600+45*60), time.FixedZone("west", -9*3600-30*60)}
	for _, zone := range []string{"Atlantic/Azores", "America/Santiago"} { // clocks put forward at midnight
		loc, err := time.LoadLocation(zone)
		if err != nil {
			f.Fatal(err)
		}
		locs = append(locs, loc)
	}
	now := t0.Add(48 * time.Hour)
	// Every period, weeks from other days than Monday among them, and two that name none.
	periods := []Period{Week, Day, Month, WeekStarting(time.Sunday), WeekStarting(time.Saturday), WeekStarting(time.Thursday), -1, weeksFrom + 7}
	f.Fuzz(func(t *testing.T, data []byte, shape uint8) {
		var entries []Entry
		for len(data) >= 9 && len(entries) < 64 {
			// Within about a year either side of t0, so that an input stays quick.
			start := t0.Add(time.Duration(int32(binary.BigEndian.Uint32(data))) * time.Second / 64)
			dur := time.Duration(int32(binary.BigEndian.Uint32(data[4:]))) * time.Second / 64
			flags := data[8]
			data = data[9:]
			e := Entry{ID: string(rune('a' + len(entries))), UserID: []string{"u1", "u2", "u3"}[flags%3], Start: start,
				Billable: flags&8 != 0, ProjectID: []string{"p0", "p1"}[flags>>4&1]}
			switch {
			case flags&0x40 != 0:
				// running
			case flags&0x80 != 0 && flags&0x20 != 0:
				e.Start = time.Time{}
			default:
				end := start.Add(dur)
				e.End = &end
			}
			for i := range int(flags >> 5 & 3) {
				e.PRs = append(e.PRs, prs[int(flags)*i%len(prs)]) // repeats too
				e.Weights = append(e.Weights, int(flags)-100*i)
			}
			entries = append(entries, e)
		}
		opts := Options{Now: func() time.Time { return now }, Split: SplitPolicy(shape % 4), Period: periods[int(shape/4)%len(periods)],
			Location: locs[int(shape/16)%len(locs)], Logins: map[string]string{"u1": "octo", "u2": "octo"}}
		if shape&0x80 != 0 {
			opts.Rates = rc
		}
		r, err := Aggregate(entries, opts)
		if unknown := opts.Split > SplitWeighted || opts.Period > weeksFrom+6 || opts.Period < Week; unknown || errors.Is(err, ErrBadOptions) {
			if !unknown || !errors.Is(err, ErrBadOptions) {
				t.Fatalf("%v for split %d, period %d", err, opts.Split, opts.Period)
			}
			return
		}
		if err != nil {
			// Not ErrSpanTooLong: two years of days are far fewer than MaxBuckets.
			for _, known := range []error{ErrNoStart, ErrNegativeDuration, billing.ErrOverflow} {
				if errors.Is(err, known) {
					return
				}
			}
			t.Fatalf("unexpected error: %v", err)
		}
		var prSum, people, trend billing.Summary
		for _, p := range r.PRs {
			mustMerge(t, &prSum, p.Summary)
		}
		mustMerge(t, &prSum, r.Unlinked.Summary)
		for _, c := range r.Contributors {
			mustMerge(t, &people, c.Summary)
		}
		for _, b := range r.Trend {
			mustMerge(t, &trend, b.Summary)
		}
		for name, s := range map[string]billing.Summary{"PRs and unlinked": prSum, "contributors": people, "trend": trend} {
			if s.BillableSeconds != r.Total.BillableSeconds || s.NonBillableSeconds != r.Total.NonBillableSeconds || !s.Amounts.Equal(r.Total.Amounts) {
				t.Fatalf("%s add up to %+v, the total is %+v", name, s, r.Total.Summary)
			}
		}
	})
}

func mustMerge(t *testing.T, s *billing.Summary, o billing.Summary) {
	t.Helper()
	if err := s.Merge(o); err != nil {
		t.Fatal(err)
	}
}
