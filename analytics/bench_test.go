package analytics

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/heyjasper/jasper-clockify/billing"
)

// naive aggregates the way most integrations would: one map per grouping, each built
// from scratch, each pricing the entries again, weeks found by converting every entry's
// times into the zone.
func naive(entries []Entry, rc *billing.RateCard, logins map[string]string, loc *time.Location) (map[string]*billing.Summary, map[string]*billing.Summary, map[string]*billing.Summary) {
	perPR := map[string]*billing.Summary{}
	for _, e := range entries {
		secs := int64(e.End.Sub(e.Start) / time.Second)
		for i, pr := range e.PRs {
			part := secs / int64(len(e.PRs))
			if int64(i) < secs%int64(len(e.PRs)) {
				part++
			}
			s := perPR[pr]
			if s == nil {
				s = &billing.Summary{}
				perPR[pr] = s
			}
			_ = s.Add(rc, billing.Entry{ProjectID: e.ProjectID, Start: e.Start, Seconds: part, Billable: e.Billable})
		}
	}
	perPerson := map[string]*billing.Summary{}
	for _, e := range entries {
		key := logins[e.UserID]
		if key == "" {
			key = fmt.Sprintf("clockify:%s", e.UserID)
		}
		s := perPerson[key]
		if s == nil {
			s = &billing.Summary{}
			perPerson[key] = s
		}
		_ = s.Add(rc, billing.Entry{ProjectID: e.ProjectID, Start: e.Start, Seconds: int64(e.End.Sub(e.Start) / time.Second), Billable: e.Billable})
	}
	weekly := map[string]*billing.Summary{}
	for _, e := range entries {
		for t := e.Start; t.Before(*e.End); {
			lt := t.In(loc)
			y, m, d := lt.Date()
			back := (int(lt.Weekday()) + 6) % 7
			next := time.Date(y, m, d-back+7, 0, 0, 0, 0, loc)
			end := *e.End
			if next.Before(end) {
				end = next
			}
			yy, ww := lt.ISOWeek()
			key := fmt.Sprintf("%d-W%02d", yy, ww)
			s := weekly[key]
			if s == nil {
				s = &billing.Summary{}
				weekly[key] = s
			}
			_ = s.Add(rc, billing.Entry{ProjectID: e.ProjectID, Start: e.Start, Seconds: int64(end.Sub(t) / time.Second), Billable: e.Billable})
			t = end
		}
	}
	return perPR, perPerson, weekly
}

// benchEntries makes n finished entries over a year, 200 people, 5,000 PRs.
func benchEntries(n int) []Entry {
	rng := rand.New(rand.NewPCG(1, 2))
	prs := make([]string, 5000)
	for i := range prs {
		prs[i] = fmt.Sprintf("acme/repo%d#%d", i%40, i)
	}
	out := make([]Entry, n)
	for i := range out {
		start := t0.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
		end := start.Add(time.Duration(5+rng.IntN(300)) * time.Minute)
		e := Entry{UserID: fmt.Sprintf("u%d", rng.IntN(200)), ProjectID: []string{"p", "usd"}[rng.IntN(2)],
			Start: start, End: &end, Billable: rng.IntN(4) > 0}
		for k := rng.IntN(3); k > 0; k-- {
			e.PRs = append(e.PRs, prs[rng.IntN(len(prs))])
		}
		out[i] = e
	}
	return out
}

// BenchmarkAggregate sums 1,000,000 entries per PR, per contributor and per week
// (Australia/Sydney), against the naive baseline.
func BenchmarkAggregate(b *testing.B) {
	entries := benchEntries(1_000_000)
	rc, _ := billing.NewRateCard(15000, "AUD", billing.WithProjectRate("usd", 9000, "USD"))
	syd, _ := time.LoadLocation("Australia/Sydney")
	logins := map[string]string{}
	for i := range 150 {
		logins[fmt.Sprintf("u%d", i)] = fmt.Sprintf("dev%d", i)
	}
	report := func(b *testing.B, start time.Time) {
		b.ReportMetric(float64(len(entries))*float64(b.N)/time.Since(start).Seconds(), "entries/s")
	}
	b.Run("baseline-naive", func(b *testing.B) {
		b.ReportAllocs()
		start := time.Now()
		for b.Loop() {
			naive(entries, rc, logins, syd)
		}
		report(b, start)
	})
	b.Run("aggregate", func(b *testing.B) {
		b.ReportAllocs()
		start := time.Now()
		for b.Loop() {
			if _, err := Aggregate(entries, Options{Rates: rc, Logins: logins, Location: syd, Period: Week}); err != nil {
				b.Fatal(err)
			}
		}
		report(b, start)
	})
}
