package billing

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount in a currency's minor units (cents for AUD). There is no float
// anywhere in an amount, and no operation that adds two currencies: sums are made in a
// [Totals], which keeps one sum per currency.
type Money struct {
	Minor    int64
	Currency Currency
}

// NewMoney returns an amount of minor units in the currency with the given code.
func NewMoney(minor int64, code string) (Money, error) {
	c, err := ParseCurrency(code)
	if err != nil {
		return Money{}, err
	}
	return Money{Minor: minor, Currency: c}, nil
}

// FromHundredths returns an amount given in hundredths of a currency's unit, as Clockify
// writes every rate and amount (10500 is 105.00) whatever the currency's minor digits:
// 300000 JPY hundredths are 3,000 JPY, 10500 KWD hundredths are 105.000 KWD. Amounts
// finer than the currency's minor unit are rounded half to even.
func FromHundredths(hundredths int64, code string) (Money, error) {
	c, err := ParseCurrency(code)
	if err != nil {
		return Money{}, err
	}
	minor := hundredths
	switch d := c.Digits(); {
	case d < 2:
		minor = roundHalfEven(hundredths, pow10(2-d))
	case d > 2:
		var ok bool
		if minor, ok = mulChecked(hundredths, pow10(d-2)); !ok {
			return Money{}, fmt.Errorf("%w: %d hundredths of %s", ErrOverflow, hundredths, c)
		}
	}
	return Money{Minor: minor, Currency: c}, nil
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// String formats the amount with its currency's minor digits and code: "150.00 AUD",
// "1500 JPY", "-1.250 KWD".
func (m Money) String() string {
	if m.Currency.IsZero() {
		return strconv.FormatInt(m.Minor, 10)
	}
	return m.Decimal() + " " + m.Currency.Code()
}

// Decimal formats the amount as a decimal number with the currency's minor digits and a
// thousands separator: "1,234.50".
func (m Money) Decimal() string {
	neg := m.Minor < 0
	u := uint64(m.Minor)
	if neg {
		u = -u
	}
	digits := strconv.FormatUint(u, 10)
	d := m.Currency.Digits()
	if len(digits) <= d {
		digits = strings.Repeat("0", d-len(digits)+1) + digits
	}
	whole, frac := digits[:len(digits)-d], digits[len(digits)-d:]
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if d > 0 {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}
