package clockify

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseDuration(t *testing.T) {
	ok := []struct {
		in   string
		want time.Duration
	}{
		{"PT0S", 0},
		{"PT8H", 8 * time.Hour},
		{"PT1H30M", 90 * time.Minute},
		{"PT1H30M15S", 90*time.Minute + 15*time.Second},
		{"PT45S", 45 * time.Second},
		{"PT1.5S", 1500 * time.Millisecond},
		{"PT0,25S", 250 * time.Millisecond},
		{"PT0.000000001S", 1},
		{"PT9.999999999S", 10*time.Second - 1},
		{"P1D", 24 * time.Hour},
		{"P1DT2H", 26 * time.Hour},
		{"P2W", 14 * 24 * time.Hour},
		{"PT36H", 36 * time.Hour},
		{"P0D", 0},
		{"PT2562047H", 2562047 * time.Hour},
		{"PT2562047H47M16.854775807S", time.Duration(1<<63 - 1)}, // the largest, exactly
	}
	for _, tc := range ok {
		got, err := ParseDuration(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got.Std(), tc.in)
	}
	bad := []string{
		"", "P", "PT", "T1H", "1H", "pt1h", "PT1h", "-PT1H", "P-1D", "PT+1H",
		"P1Y", "P1M", "P1Y2M", "PT1H1H", "PT1M1H", "PT1S1M", "P1DT", "PT1HT1M", "P1D1D",
		"P1W1D", "P1WT1H", "PT1.5H", "PT1.5M", "P1.5D", "PT1.S", "PT.5S", "PT1.1234567890S",
		"PT1", "PT1X", "PTH", "P1", "PT99999999999999999999H", "PT9223372036854775807S",
		"P106752D", "PT2562048H", "PT2562047H47M16.854775808S", "PT1H 30M", " PT1H", "PT1H\n", "P1DT2H3M4S5",
	}
	for _, in := range bad {
		_, err := ParseDuration(in)
		require.ErrorIs(t, err, ErrBadDuration, "%q", in)
	}
}

func TestDurationString(t *testing.T) {
	cases := map[time.Duration]string{
		0:                               "PT0S",
		90 * time.Minute:                "PT1H30M",
		26 * time.Hour:                  "PT26H",
		time.Hour + 5*time.Second:       "PT1H5S",
		1500 * time.Millisecond:         "PT1.5S",
		-time.Minute:                    "-PT1M",
		time.Duration(-1 << 63):         "-PT2562047H47M16.854775807S",
		time.Nanosecond:                 "PT0.000000001S",
		120 * time.Nanosecond:           "PT0.00000012S",
		1050 * time.Millisecond:         "PT1.05S",
		59*time.Minute + 59*time.Second: "PT59M59S",
	}
	for d, want := range cases {
		require.Equal(t, want, Duration(d).String())
		if d >= 0 {
			back, err := ParseDuration(want)
			require.NoError(t, err)
			require.Equal(t, d, back.Std())
		}
	}
}

func TestDurationJSON(t *testing.T) {
	var v struct {
		D *Duration `json:"d"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"d":null}`), &v))
	require.Nil(t, v.D)
	require.NoError(t, json.Unmarshal([]byte(`{"d":"PT2H"}`), &v))
	require.Equal(t, 2*time.Hour, v.D.Std())
	require.ErrorIs(t, json.Unmarshal([]byte(`{"d":"P1Y"}`), &v), ErrBadDuration)
	require.Error(t, json.Unmarshal([]byte(`{"d":8000}`), &v), "the spec's milliseconds example is not accepted")
	b, err := json.Marshal(v)
	require.NoError(t, err)
	require.JSONEq(t, `{"d":"PT2H"}`, string(b))
}

// FuzzParseDuration checks that parsing never panics, that what parses is non-negative,
// and that formatting what parsed gives a string that parses to the same value.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"PT0S", "PT1H30M", "P1DT2H", "PT1.5S", "P2W", "P1Y", "PT", "PT1H1H", "PT99999999999999999999H"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			require.ErrorIs(t, err, ErrBadDuration)
			require.LessOrEqual(t, len(err.Error()), 400, "errors stay short whatever the input")
			return
		}
		require.GreaterOrEqual(t, d, Duration(0))
		require.True(t, strings.HasPrefix(s, "P"))
		back, err := ParseDuration(d.String())
		require.NoError(t, err, "%q formatted as %q", s, d.String())
		require.Equal(t, d, back)
	})
}

func TestDurationFieldRejectsGarbage(t *testing.T) {
	c, mt := newMockClient(t)
	respond(mt, "GET", coreBase+"v1/workspaces/"+ws+"/time-entries/e1", 200, `{"id":"e1","timeInterval":{"start":"2026-11-01T09:00:00Z","end":"2026-11-01T10:00:00Z","duration":"P1M"}}`)
	_, _, err := c.TimeEntries.Get(context.Background(), ws, "e1", false)
	require.ErrorIs(t, err, ErrBadDuration)
}
