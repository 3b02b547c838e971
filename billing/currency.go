package billing

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/currency"
)

// Currency is an ISO 4217 currency with the number of minor digits amounts are rounded
// to (JPY 0, AUD 2, KWD 3). The digits are CLDR's, as golang.org/x/text/currency gives
// them, which for a few currencies are fewer than ISO 4217's minor units: IDR, COP, RSD
// and LBP round to whole units where ISO 4217 lists 2 decimals, IQD where it lists 3.
// Build one with [ParseCurrency]; the zero value is not a currency.
type Currency struct {
	code   string
	digits int
}

// DefaultCurrency is the currency used when none is given.
const DefaultCurrency = "AUD"

// ErrUnknownCurrency is returned for a code that is not an ISO 4217 currency.
var ErrUnknownCurrency = errors.New("billing: unknown currency")

// ParseCurrency returns the ISO 4217 currency for a code such as "AUD" (case-insensitive).
// Codes and minor digits come from golang.org/x/text/currency (CLDR data).
func ParseCurrency(code string) (Currency, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	u, err := currency.ParseISO(c)
	if err != nil || len(c) != 3 {
		return Currency{}, fmt.Errorf("%w %q", ErrUnknownCurrency, code)
	}
	digits, _ := currency.Standard.Rounding(u)
	return Currency{code: u.String(), digits: digits}, nil
}

// MustCurrency is ParseCurrency for codes known to be valid; it panics otherwise.
func MustCurrency(code string) Currency {
	c, err := ParseCurrency(code)
	if err != nil {
		panic(err)
	}
	return c
}

// Code returns the ISO 4217 code ("AUD").
func (c Currency) Code() string { return c.code }

// Digits returns the number of minor digits.
func (c Currency) Digits() int { return c.digits }

// IsZero reports whether c is the zero value (no currency).
func (c Currency) IsZero() bool { return c.code == "" }

// String returns the code.
func (c Currency) String() string { return c.code }
