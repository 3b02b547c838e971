package clockify

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration is an ISO-8601 duration as Clockify writes it ("PT1H30M", "P1DT2H", "PT0S").
// It encodes to and decodes from a JSON string; a JSON null leaves a *Duration nil.
type Duration time.Duration

// ErrBadDuration is matched (errors.Is) by every [ParseDuration] failure.
var ErrBadDuration = errors.New("clockify: bad ISO-8601 duration")

// ParseDuration parses a strict ISO-8601 duration of days, hours, minutes and seconds:
// P[nW] or P[nD][T[nH][nM][n[.f]S]]. Seconds may carry up to nine fraction digits.
// Years and months (not fixed lengths), negative values, lower-case designators,
// repeated or out-of-order parts, empty parts ("P", "PT") and values beyond about 292
// years are rejected.
func ParseDuration(s string) (Duration, error) {
	bad := func(why string) (Duration, error) {
		return 0, fmt.Errorf("%w %q: %s", ErrBadDuration, shorten(s, 40), why)
	}
	if !strings.HasPrefix(s, "P") {
		return bad("must start with P")
	}
	rest := s[1:]
	if rest == "" {
		return bad("no parts")
	}
	var total int64
	add := func(n int64, unit time.Duration) bool {
		if n > math.MaxInt64/int64(unit) {
			return false
		}
		v := n * int64(unit)
		if total > math.MaxInt64-v {
			return false
		}
		total += v
		return true
	}
	// order holds the designators allowed, in order; each is used at most once.
	const dateOrder, timeOrder = "WD", "HMS"
	inTime := false
	next := 0 // index into the current order of the next allowed designator
	parts := 0
	weeks := false
	for rest != "" {
		if rest[0] == 'T' {
			if inTime {
				return bad("repeated T")
			}
			inTime, next = true, 0
			rest = rest[1:]
			if rest == "" {
				return bad("T with no time parts")
			}
			continue
		}
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			return bad(fmt.Sprintf("expected a number at %q", shorten(rest, 10)))
		}
		whole := rest[:i]
		frac := ""
		if i < len(rest) && (rest[i] == '.' || rest[i] == ',') {
			j := i + 1
			for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
				j++
			}
			frac = rest[i+1 : j]
			if frac == "" || len(frac) > 9 {
				return bad("a fraction needs one to nine digits")
			}
			i = j
		}
		if i >= len(rest) {
			return bad("number without a designator")
		}
		d := rest[i]
		rest = rest[i+1:]
		order := dateOrder
		if inTime {
			order = timeOrder
		}
		k := strings.IndexByte(order, d)
		switch {
		case d == 'Y' || (d == 'M' && !inTime):
			return bad("years and months have no fixed length")
		case k < 0:
			return bad(fmt.Sprintf("unknown designator %q", d))
		case k < next:
			return bad(fmt.Sprintf("designator %q out of order or repeated", d))
		case frac != "" && !(inTime && d == 'S'):
			return bad("only seconds may have a fraction")
		}
		next = k + 1
		n, err := strconv.ParseInt(whole, 10, 64)
		if err != nil {
			return bad("number too large")
		}
		var unit time.Duration
		switch {
		case d == 'W':
			unit, weeks = 7*24*time.Hour, true
		case d == 'D':
			unit = 24 * time.Hour
		case d == 'H':
			unit = time.Hour
		case d == 'M':
			unit = time.Minute
		default:
			unit = time.Second
		}
		if !add(n, unit) {
			return bad("too large")
		}
		if frac != "" {
			ns, _ := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
			if !add(ns, time.Nanosecond) {
				return bad("too large")
			}
		}
		parts++
	}
	if weeks && parts > 1 {
		return bad("weeks cannot be combined with other parts")
	}
	return Duration(total), nil
}

// Std returns the duration as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String formats the duration as Clockify does: hours, minutes and seconds ("PT26H5M",
// "PT0S", "PT1.5S"). A negative duration is formatted with a leading minus sign, which
// ParseDuration does not accept.
func (d Duration) String() string { return string(d.appendISO(make([]byte, 0, 24))) }

// appendISO appends the duration as String formats it.
func (d Duration) appendISO(b []byte) []byte {
	if d == 0 {
		return append(b, "PT0S"...)
	}
	v := time.Duration(d)
	if v < 0 {
		b = append(b, '-')
		if v == math.MinInt64 {
			v = math.MaxInt64
		} else {
			v = -v
		}
	}
	b = append(b, "PT"...)
	h, m := v/time.Hour, (v%time.Hour)/time.Minute
	sec := v % time.Minute
	if h > 0 {
		b = append(strconv.AppendInt(b, int64(h), 10), 'H')
	}
	if m > 0 {
		b = append(strconv.AppendInt(b, int64(m), 10), 'M')
	}
	if sec > 0 {
		whole, ns := sec/time.Second, sec%time.Second
		b = strconv.AppendInt(b, int64(whole), 10)
		if ns > 0 {
			b = append(b, '.')
			for div := time.Second / 10; ns > 0; div /= 10 { // no zeros at the end
				b = append(b, byte('0'+ns/div))
				ns %= div
			}
		}
		b = append(b, 'S')
	}
	return b
}

// MarshalText encodes the duration in ISO-8601.
func (d Duration) MarshalText() ([]byte, error) { return d.appendISO(nil), nil }

// UnmarshalText decodes a strict ISO-8601 duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
