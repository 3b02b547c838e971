package billing

import (
	"math"
	"math/rand/v2"
	"testing"
	"testing/quick"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCurrencies(t *testing.T) {
	for code, digits := range map[string]int{
		"AUD": 2, "aud": 2, " USD ": 2, "JPY": 0, "KWD": 3, "EUR": 2,
		// CLDR's digits, not ISO 4217's minor units (2, and 3 for IQD); HUF keeps 2 (CLDR
		// rounds only its cash to whole forints).
		"IDR": 0, "COP": 0, "RSD": 0, "LBP": 0, "IQD": 0, "HUF": 2,
	} {
		c, err := ParseCurrency(code)
		require.NoError(t, err, code)
		require.Equal(t, digits, c.Digits(), code)
	}
	for _, bad := range []string{"", "XX", "ZZZ", "AUDD", "€", "12$"} {
		_, err := ParseCurrency(bad)
		require.ErrorIs(t, err, ErrUnknownCurrency, bad)
	}
	require.Panics(t, func() { MustCurrency("nope") })
	require.Equal(t, "AUD", MustCurrency("aud").String())
	require.True(t, Currency{}.IsZero())
}

func TestMoneyFormatting(t *testing.T) {
	cases := []struct {
		minor int64
		code  string
		want  string
	}{
		{15000, "AUD", "150.00 AUD"},
		{5, "AUD", "0.05 AUD"},
		{50, "AUD", "0.50 AUD"},
		{-50, "AUD", "-0.50 AUD"},
		{-5, "AUD", "-0.05 AUD"},
		{123456789, "AUD", "1,234,567.89 AUD"},
		{1500, "JPY", "1,500 JPY"},
		{1250, "KWD", "1.250 KWD"},
		{0, "KWD", "0.000 KWD"},
		{math.MinInt64, "USD", "-92,233,720,368,547,758.08 USD"},
	}
	for _, tc := range cases {
		m, err := NewMoney(tc.minor, tc.code)
		require.NoError(t, err)
		require.Equal(t, tc.want, m.String())
	}
	require.Equal(t, "42", Money{Minor: 42}.String())
	_, err := NewMoney(1, "XYZ1")
	require.ErrorIs(t, err, ErrUnknownCurrency)
}

func TestRates(t *testing.T) {
	usd := Money{Minor: 9000, Currency: MustCurrency("USD")}
	rc, err := NewRateCard(15000, "", WithProjectRate("p1", 20000, ""), WithProjectRate("p2", 1000000, "JPY"), WithClockifyRates())
	require.NoError(t, err)
	cases := []struct {
		e      Entry
		want   string
		source RateSource
	}{
		{Entry{ProjectID: "p1"}, "200.00 AUD", SourceProjectOverride},
		{Entry{ProjectID: "p2", ClockifyRate: &usd}, "1,000,000 JPY", SourceProjectOverride},
		{Entry{ProjectID: "p3", ClockifyRate: &usd}, "90.00 USD", SourceClockify},
		{Entry{ProjectID: "p3"}, "150.00 AUD", SourceDefault},
		{Entry{ProjectID: "p3", ClockifyRate: &Money{Minor: 100}}, "150.00 AUD", SourceDefault},
	}
	for _, tc := range cases {
		r, err := rc.Rate(tc.e)
		require.NoError(t, err)
		require.Equal(t, tc.want, r.Hourly.String())
		require.Equal(t, tc.source, r.Source)
	}
	_, err = rc.Rate(Entry{ProjectID: "p3", ClockifyRate: &Money{Minor: -1, Currency: MustCurrency("USD")}})
	require.ErrorIs(t, err, ErrNegativeRate)
	require.Equal(t, "150.00 AUD", rc.Default().String())

	// A zero rate is a rate (free time), not a missing one.
	free, err := NewRateCard(0, "AUD", WithProjectRate("p0", 0, ""), WithClockifyRates())
	require.NoError(t, err)
	r, err := free.Rate(Entry{ProjectID: "p0"})
	require.NoError(t, err)
	require.Equal(t, "0.00 AUD", r.Hourly.String())
	r, err = free.Rate(Entry{ClockifyRate: &Money{Currency: MustCurrency("USD")}})
	require.NoError(t, err)
	require.Equal(t, SourceClockify, r.Source)

	// Without WithClockifyRates, Clockify's rate is not used.
	plain, err := NewRateCard(15000, "AUD")
	require.NoError(t, err)
	r, _ = plain.Rate(Entry{ClockifyRate: &usd})
	require.Equal(t, SourceDefault, r.Source)

	// An override for a project that does not exist is kept, and flagged.
	require.Equal(t, []string{"p2"}, rc.UnknownProjects([]string{"p1", "p3"}))
	r, _ = rc.Rate(Entry{ProjectID: "p2"})
	require.Equal(t, SourceProjectOverride, r.Source)
	var opts []RateOption
	for _, id := range []string{"p9", "p4", "p7", "p5", "p8", "p6"} {
		opts = append(opts, WithProjectRate(id, 100, ""))
	}
	many, err := NewRateCard(15000, "AUD", opts...)
	require.NoError(t, err)
	require.Equal(t, []string{"p4", "p5", "p7", "p8", "p9"}, many.UnknownProjects([]string{"p6"}), "in order of id")
}

func TestDatedRates(t *testing.T) {
	july := time.Date(2026, 7, 1, 0, 0, 0, 0, time.FixedZone("AEST", 10*3600))
	sept := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	usd := Money{Minor: 9000, Currency: MustCurrency("USD")}
	rc, err := NewRateCard(15000, "",
		WithDefaultRateFrom(sept, 18000, ""),
		WithDefaultRateFrom(july, 17000, ""),
		WithDefaultRateFrom(july, 16000, ""), // the same moment: the later option wins
		WithProjectRate("p1", 20000, ""),
		WithProjectRateFrom("p1", sept, 25000, "USD"),
		WithProjectRateFrom("p2", july, 30000, ""), // no override before July
		WithClockifyRates(),
	)
	require.NoError(t, err)
	cases := []struct {
		project string
		start   time.Time
		clock   *Money
		want    string
		source  RateSource
	}{
		{"p3", time.Time{}, nil, "150.00 AUD", SourceDefault},
		{"p3", july.Add(-time.Second), nil, "150.00 AUD", SourceDefault},
		{"p3", july, nil, "160.00 AUD", SourceDefault},
		{"p3", sept.Add(-time.Nanosecond), nil, "160.00 AUD", SourceDefault},
		{"p3", sept, nil, "180.00 AUD", SourceDefault},
		{"p3", sept.AddDate(5, 0, 0), nil, "180.00 AUD", SourceDefault},
		{"p3", sept, &usd, "90.00 USD", SourceClockify},
		{"p1", july, &usd, "200.00 AUD", SourceProjectOverride},
		{"p1", sept, nil, "250.00 USD", SourceProjectOverride},
		{"p2", july.Add(-time.Second), nil, "150.00 AUD", SourceDefault},
		{"p2", july.Add(-time.Second), &usd, "90.00 USD", SourceClockify},
		{"p2", july, &usd, "300.00 AUD", SourceProjectOverride},
		{"p2", sept, nil, "300.00 AUD", SourceProjectOverride},
	}
	for _, tc := range cases {
		r, err := rc.Rate(Entry{ProjectID: tc.project, Start: tc.start, ClockifyRate: tc.clock})
		require.NoError(t, err)
		require.Equal(t, tc.want, r.Hourly.String(), "%s at %s", tc.project, tc.start)
		require.Equal(t, tc.source, r.Source, "%s at %s", tc.project, tc.start)
	}
	require.Equal(t, "150.00 AUD", rc.Default().String())

	// A change from the zero time replaces the rate from the beginning.
	rc, err = NewRateCard(15000, "", WithDefaultRateFrom(time.Time{}, 100, "USD"), WithProjectRateFrom("p", time.Time{}, 5, ""))
	require.NoError(t, err)
	require.Equal(t, "1.00 USD", rc.Default().String())
	r, err := rc.Rate(Entry{ProjectID: "p", Start: july})
	require.NoError(t, err)
	require.Equal(t, "0.05 USD", r.Hourly.String())

	// A change dated before year 1 is one from the beginning, for entries before it too.
	early := time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC)
	rc, err = NewRateCard(15000, "", WithDefaultRateFrom(early, 100, ""), WithProjectRateFrom("p", early, 5, ""))
	require.NoError(t, err)
	require.Equal(t, "1.00 AUD", rc.Default().String())
	for _, start := range []time.Time{early.Add(-time.Hour), {}, july} {
		r, err = rc.Rate(Entry{Start: start})
		require.NoError(t, err)
		require.Equal(t, "1.00 AUD", r.Hourly.String())
		r, err = rc.Rate(Entry{ProjectID: "p", Start: start})
		require.NoError(t, err)
		require.Equal(t, "0.05 AUD", r.Hourly.String())
	}

	_, err = NewRateCard(100, "AUD", WithDefaultRateFrom(july, -1, ""))
	require.ErrorIs(t, err, ErrNegativeRate)
	_, err = NewRateCard(100, "AUD", WithDefaultRateFrom(july, 1, "QQQ"))
	require.ErrorIs(t, err, ErrUnknownCurrency)
	_, err = NewRateCard(100, "AUD", WithProjectRateFrom("p", july, -1, ""))
	require.ErrorIs(t, err, ErrNegativeRate)
}

func TestBadRateCards(t *testing.T) {
	_, err := NewRateCard(-1, "AUD")
	require.ErrorIs(t, err, ErrNegativeRate)
	_, err = NewRateCard(100, "ABC")
	require.ErrorIs(t, err, ErrUnknownCurrency)
	_, err = NewRateCard(100, "AUD", WithProjectRate("p", 100, "QQQ"))
	require.ErrorIs(t, err, ErrUnknownCurrency)
	_, err = NewRateCard(100, "AUD", WithProjectRate("p", -100, ""))
	require.ErrorIs(t, err, ErrNegativeRate)
	_, err = NewRateCard(100, "AUD", WithProjectRate(" ", 100, ""))
	require.Error(t, err)
}

func TestSummary(t *testing.T) {
	rc, err := NewRateCard(10000, "AUD", WithProjectRate("yen", 3000, "JPY"))
	require.NoError(t, err)
	var s Summary
	require.NoError(t, s.Add(rc, Entry{Seconds: 5400, Billable: true}))                   // 1.5 h × 100.00 = 150.00
	require.NoError(t, s.Add(rc, Entry{Seconds: 3600, Billable: false}))                  // counts, costs nothing
	require.NoError(t, s.Add(rc, Entry{ProjectID: "yen", Seconds: 1800, Billable: true})) // 0.5 h × 3000 = 1500 JPY
	require.NoError(t, s.Add(rc, Entry{ProjectID: "yen", Seconds: 1, Billable: true}))    // 0.83 JPY
	require.NoError(t, s.Add(rc, Entry{Seconds: 0, Billable: true}))                      // an empty entry is no error
	require.Equal(t, int64(5400+1800+1), s.BillableSeconds)
	require.Equal(t, int64(3600), s.NonBillableSeconds)
	require.Equal(t, "150.00 AUD + 1,501 JPY", s.Amounts.String())
	require.InDelta(t, 7201.0/10801.0, s.BillableShare(), 1e-12)
	require.Zero(t, Summary{}.BillableShare())
	require.Equal(t, "0", Totals{}.String())
	require.True(t, Totals{}.IsZero())
	require.False(t, s.Amounts.IsZero())

	// Bad input changes nothing.
	before := s
	require.ErrorIs(t, s.Add(rc, Entry{Seconds: -1, Billable: true}), ErrNegativeDuration)
	require.ErrorIs(t, s.Add(rc, Entry{Seconds: math.MaxInt64, Billable: true}), ErrOverflow)
	require.ErrorIs(t, s.Add(nil, Entry{Seconds: 60, Billable: true}), ErrNoRateCard, "an error, not a panic")
	honour, err := NewRateCard(100, "AUD", WithClockifyRates())
	require.NoError(t, err)
	require.ErrorIs(t, s.Add(honour, Entry{Seconds: 60, Billable: true, ClockifyRate: &Money{Minor: -1, Currency: MustCurrency("AUD")}}), ErrNegativeRate)
	require.ErrorIs(t, s.AddAt(Money{Minor: 100}, 60, true), ErrUnknownCurrency, "a rate without a currency")
	require.ErrorIs(t, s.AddAt(Money{Currency: MustCurrency("AUD")}, math.MaxInt64-s.BillableSeconds+1, true), ErrOverflow, "the seconds overflow, at a free rate")
	require.Equal(t, before.BillableSeconds, s.BillableSeconds)
	require.True(t, before.Amounts.Equal(s.Amounts))
	big, err := NewRateCard(math.MaxInt64/3600, "AUD")
	require.NoError(t, err)
	var o Summary
	require.NoError(t, o.Add(big, Entry{Seconds: 3600, Billable: true}))
	require.ErrorIs(t, o.Add(big, Entry{Seconds: 3600, Billable: true}), ErrOverflow)
	require.NoError(t, o.Add(big, Entry{Seconds: math.MaxInt64}), "non-billable time up to the limit")
	require.ErrorIs(t, o.Add(big, Entry{Seconds: 1}), ErrOverflow)
}

func TestRoundingOnceHalfEven(t *testing.T) {
	aud := MustCurrency("AUD")
	cases := []struct{ num, want int64 }{
		{1800, 0}, {5400, 2}, {1801, 1}, {1799, 0}, {3600, 1}, {-1800, 0}, {-5400, -2}, {-1801, -1}, {0, 0},
		{9000, 2}, {-9000, -2}, {12600, 4}, {-12600, -4}, // 2.5 and 3.5: to the even neighbour
	}
	for _, tc := range cases {
		var tt Totals
		require.NoError(t, tt.addExact(aud, tc.num))
		require.Equal(t, tc.want, tt.Get(aud).Minor, "%d/3600", tc.num)
	}
	// Twelve 10-second entries at 1.50/h are 5 cents in all, though each alone rounds to 0.
	rc, _ := NewRateCard(150, "AUD")
	var s Summary
	for range 12 {
		require.NoError(t, s.Add(rc, Entry{Seconds: 10, Billable: true}))
	}
	require.Equal(t, int64(0), roundHalfEven(10*150, 3600))
	require.Equal(t, "0.05 AUD", s.Amounts.Get(aud).String())
}

// TestGroupingNeverChangesTheTotal is the property: however entries are grouped and
// ordered, merged group summaries equal the summary of all entries.
func TestGroupingNeverChangesTheTotal(t *testing.T) {
	rc, err := NewRateCard(12345, "AUD", WithProjectRate("usd", 9999, "USD"), WithProjectRate("kwd", 777, "KWD"))
	require.NoError(t, err)
	projects := []string{"", "usd", "kwd", "other"}
	prop := func(seed uint64, n uint8, groups uint8) bool {
		rng := rand.New(rand.NewPCG(seed, 1))
		entries := make([]Entry, n)
		for i := range entries {
			entries[i] = Entry{ProjectID: projects[rng.IntN(len(projects))], Seconds: rng.Int64N(40_000), Billable: rng.IntN(3) > 0}
		}
		var all Summary
		for _, e := range entries {
			if all.Add(rc, e) != nil {
				return false
			}
		}
		k := int(groups%7) + 1
		parts := make([]Summary, k)
		rng.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
		for _, e := range entries {
			if parts[rng.IntN(k)].Add(rc, e) != nil {
				return false
			}
		}
		var merged Summary
		for _, p := range parts {
			if merged.Merge(p) != nil {
				return false
			}
		}
		return merged.BillableSeconds == all.BillableSeconds && merged.NonBillableSeconds == all.NonBillableSeconds &&
			merged.Amounts.Equal(all.Amounts) && merged.Amounts.String() == all.Amounts.String()
	}
	require.NoError(t, quick.Check(prop, &quick.Config{MaxCount: 300}))
}

func TestTotalsMergeAndMoney(t *testing.T) {
	var a, b Totals
	require.NoError(t, a.AddMoney(Money{Minor: 150, Currency: MustCurrency("AUD")}))
	require.NoError(t, b.AddMoney(Money{Minor: 7, Currency: MustCurrency("JPY")}))
	require.NoError(t, a.Merge(b))
	require.Equal(t, "1.50 AUD + 7 JPY", a.String())
	require.ErrorIs(t, a.AddMoney(Money{Minor: 1}), ErrUnknownCurrency)
	require.ErrorIs(t, a.AddMoney(Money{Minor: math.MaxInt64, Currency: MustCurrency("AUD")}), ErrOverflow)
	var big Totals
	require.NoError(t, big.addExact(MustCurrency("AUD"), math.MaxInt64))
	require.ErrorIs(t, big.Merge(a), ErrOverflow)
	var bigYen Totals
	require.NoError(t, bigYen.addExact(MustCurrency("JPY"), math.MaxInt64))
	require.ErrorIs(t, bigYen.Merge(a), ErrOverflow, "JPY overflows after AUD was read")
	require.Equal(t, []Currency{MustCurrency("JPY")}, bigYen.Currencies(), "a failed merge adds nothing")
	var s1, s2 Summary
	s1.BillableSeconds, s2.BillableSeconds = math.MaxInt64, 1
	require.ErrorIs(t, s1.Merge(s2), ErrOverflow)
	// Seconds that fit, amounts that do not: the summary takes none of it.
	s3 := Summary{BillableSeconds: 10, Amounts: big}
	s4 := Summary{BillableSeconds: 5, NonBillableSeconds: 2, Amounts: a}
	require.ErrorIs(t, s3.Merge(s4), ErrOverflow)
	require.Equal(t, int64(10), s3.BillableSeconds)
	require.Zero(t, s3.NonBillableSeconds)
	var low Totals
	require.NoError(t, low.addExact(MustCurrency("AUD"), math.MinInt64+3600))
	require.NoError(t, low.AddMoney(Money{Minor: -1, Currency: MustCurrency("AUD")}), "down to MinInt64")
	require.ErrorIs(t, low.AddMoney(Money{Minor: -1, Currency: MustCurrency("AUD")}), ErrOverflow)
	require.False(t, a.Equal(b))
	require.False(t, b.Equal(a))
}

// TestZeroSums: a currency whose sum came back to zero is no different from one never
// added.
func TestZeroSums(t *testing.T) {
	var z Totals
	require.NoError(t, z.AddMoney(Money{Minor: 5, Currency: MustCurrency("AUD")}))
	require.False(t, z.IsZero())
	require.NoError(t, z.AddMoney(Money{Minor: -5, Currency: MustCurrency("AUD")}))
	require.True(t, z.IsZero())
	require.True(t, z.Equal(Totals{}))
	require.True(t, Totals{}.Equal(z))
	require.Equal(t, "0.00 AUD", z.String(), "the currency is still listed")
}

// TestCheckedArithmetic: the edges where int64 arithmetic wraps.
func TestCheckedArithmetic(t *testing.T) {
	const maxI, minI = math.MaxInt64, math.MinInt64
	adds := []struct {
		a, b int64
		ok   bool
	}{
		{1, maxI, false}, {maxI, 1, false}, {maxI - 1, 1, true},
		{-1, minI, false}, {minI, -1, false}, {minI + 1, -1, true},
		{maxI, minI, true}, {0, minI, true}, {minI, minI, false}, // the last wraps to exactly 0
	}
	for _, tc := range adds {
		s, ok := addChecked(tc.a, tc.b)
		require.Equal(t, tc.ok, ok, "%d + %d", tc.a, tc.b)
		if ok {
			require.Equal(t, tc.a+tc.b, s)
		}
	}
	muls := []struct {
		a, b int64
		ok   bool
	}{
		{1 << 32, 1 << 32, false}, // exactly 2^64: the low word is 0
		{-(1 << 32), 1 << 32, false},
		{1 << 31, 1 << 32, false}, // exactly 2^63: one past MaxInt64
		{1 << 31, 1 << 31, true},
		{7, maxI / 7, true}, {-3, 4, true}, {-3, -4, true}, {0, maxI, true},
		{minI, 1, false}, // refused, though it fits: no amount comes near it
		{maxI, 2, false}, {maxI, -2, false},
	}
	for _, tc := range muls {
		p, ok := mulChecked(tc.a, tc.b)
		require.Equal(t, tc.ok, ok, "%d × %d", tc.a, tc.b)
		if ok {
			require.Equal(t, tc.a*tc.b, p)
		}
	}
	var s Summary
	require.ErrorIs(t, s.AddAt(Money{Minor: 1 << 32, Currency: MustCurrency("AUD")}, 1<<32, true), ErrOverflow)
	require.True(t, s.Amounts.IsZero())
}

// TestFromHundredths: Clockify writes every amount in hundredths of its currency's unit,
// whatever the currency's minor digits; a Money holds minor units.
func TestFromHundredths(t *testing.T) {
	cases := []struct {
		hundredths int64
		code       string
		want       string
	}{
		{10550, "AUD", "105.50 AUD"},
		{300000, "JPY", "3,000 JPY"},
		{12350, "JPY", "124 JPY"}, // 123.50: half to even
		{12250, "JPY", "122 JPY"},
		{-12350, "JPY", "-124 JPY"},
		{10500, "KWD", "105.000 KWD"},
		{0, "usd", "0.00 USD"},
	}
	for _, tc := range cases {
		m, err := FromHundredths(tc.hundredths, tc.code)
		require.NoError(t, err, tc.code)
		require.Equal(t, tc.want, m.String())
	}
	_, err := FromHundredths(100, "points")
	require.ErrorIs(t, err, ErrUnknownCurrency)
	_, err = FromHundredths(math.MaxInt64, "KWD")
	require.ErrorIs(t, err, ErrOverflow)
}

// TestNilRateOptionIsSkipped: a nil option changes nothing, and the options after it
// still apply.
func TestNilRateOptionIsSkipped(t *testing.T) {
	rc, err := NewRateCard(100_00, "", nil, WithProjectRate("p1", 150_00, ""))
	require.NoError(t, err)
	require.Equal(t, "100.00 AUD", rc.Default().String())
	r, err := rc.Rate(Entry{ProjectID: "p1"})
	require.NoError(t, err)
	require.Equal(t, Rate{Hourly: Money{Minor: 150_00, Currency: MustCurrency("AUD")}, Source: SourceProjectOverride}, r)
}
