package billing

import (
	"math"
	"math/bits"
	"slices"
	"strings"
)

// secondsPerHour divides every exact amount: an amount is kept as minor units × seconds
// (a rate per hour times a duration in seconds) and divided by 3600 only when rounded.
const secondsPerHour = 3600

// Totals keeps one exact sum per currency. Amounts in two currencies are never added:
// each currency has its own sum, and no method returns a single figure for several.
//
// Rounding rule: sums stay exact (in 1/3600 of a minor unit) and are rounded once, when
// read, half to even, to the currency's minor unit. A total is therefore the same however
// the entries were grouped or ordered before they were added.
//
// The zero value is empty and ready to use. It is a value with a slice inside: copy it
// with Merge into an empty Totals rather than by assignment when both copies will change.
type Totals struct {
	sums []currencySum // by currency code; a report rarely holds more than a few
}

type currencySum struct {
	cur Currency
	num int64 // num/3600 minor units
}

// sum returns the exact sum of a currency (0 when absent).
func (t Totals) sum(c Currency) int64 {
	for _, s := range t.sums {
		if s.cur == c {
			return s.num
		}
	}
	return 0
}

// addExact adds num/3600 minor units of cur, checking for overflow.
func (t *Totals) addExact(cur Currency, num int64) error {
	for i := range t.sums {
		if t.sums[i].cur == cur {
			s, ok := addChecked(t.sums[i].num, num)
			if !ok {
				return ErrOverflow
			}
			t.sums[i].num = s
			return nil
		}
	}
	i, _ := slices.BinarySearchFunc(t.sums, cur.code, func(s currencySum, code string) int { return strings.Compare(s.cur.code, code) })
	t.sums = slices.Insert(t.sums, i, currencySum{cur: cur, num: num})
	return nil
}

// AddMoney adds a whole amount.
func (t *Totals) AddMoney(m Money) error {
	if m.Currency.IsZero() {
		return ErrUnknownCurrency
	}
	num, ok := mulChecked(m.Minor, secondsPerHour)
	if !ok {
		return ErrOverflow
	}
	return t.addExact(m.Currency, num)
}

// Merge adds every sum of o; when one would overflow, it adds none of them.
func (t *Totals) Merge(o Totals) error {
	for _, s := range o.sums {
		if _, ok := addChecked(t.sum(s.cur), s.num); !ok {
			return ErrOverflow
		}
	}
	for _, s := range o.sums {
		_ = t.addExact(s.cur, s.num) // checked above
	}
	return nil
}

// Currencies returns the currencies with a sum, by code.
func (t Totals) Currencies() []Currency {
	out := make([]Currency, len(t.sums))
	for i, s := range t.sums {
		out[i] = s.cur
	}
	return out
}

// Get returns the sum in one currency, rounded half to even to its minor unit (zero when
// there is none).
func (t Totals) Get(c Currency) Money {
	return Money{Minor: roundHalfEven(t.sum(c), secondsPerHour), Currency: c}
}

// Amounts returns every sum, rounded, by currency code.
func (t Totals) Amounts() []Money {
	cs := t.Currencies()
	out := make([]Money, len(cs))
	for i, c := range cs {
		out[i] = t.Get(c)
	}
	return out
}

// IsZero reports whether every sum is zero.
func (t Totals) IsZero() bool {
	for _, s := range t.sums {
		if s.num != 0 {
			return false
		}
	}
	return true
}

// Equal reports whether two totals hold the same exact sums.
func (t Totals) Equal(o Totals) bool {
	for _, s := range t.sums {
		if o.sum(s.cur) != s.num {
			return false
		}
	}
	for _, s := range o.sums {
		if t.sum(s.cur) != s.num {
			return false
		}
	}
	return true
}

// String lists the rounded sums: "150.00 AUD + 12.00 USD" ("0" when empty).
func (t Totals) String() string {
	ms := t.Amounts()
	if len(ms) == 0 {
		return "0"
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return strings.Join(parts, " + ")
}

// roundHalfEven divides n by d (d > 0), rounding half to even.
func roundHalfEven(n, d int64) int64 {
	if n < 0 {
		// -(-n) is safe: d > 1 keeps the quotient in range even for MinInt64.
		q, r := n/d, -(n % d)
		if 2*r > d || (2*r == d && q%2 != 0) {
			q--
		}
		return q
	}
	q, r := n/d, n%d
	if 2*r > d || (2*r == d && q%2 != 0) {
		q++
	}
	return q
}

func addChecked(a, b int64) (int64, bool) {
	s := a + b
	if (a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0) {
		return 0, false
	}
	return s, true
}

// mulChecked multiplies two numbers of any sign, reporting overflow.
func mulChecked(a, b int64) (int64, bool) {
	if a < 0 || b < 0 {
		if a == math.MinInt64 || b == math.MinInt64 {
			return 0, false
		}
		neg := (a < 0) != (b < 0)
		p, ok := mulChecked(abs(a), abs(b))
		if neg {
			p = -p
		}
		return p, ok
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}

func abs(a int64) int64 {
	if a < 0 {
		return -a
	}
	return a
}
