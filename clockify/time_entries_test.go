package clockify

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTimeIntervalDecoding(t *testing.T) {
	start := time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC)
	end := start.Add(90 * time.Minute)
	hour := Duration(90 * time.Minute)
	for _, tc := range []struct {
		name string
		json string
		fast bool // read without encoding/json
		want TimeInterval
		err  string
	}{
		{"finished", `{"start":"2026-11-01T07:00:00Z","end":"2026-11-01T08:30:00Z","duration":"PT1H30M"}`, true,
			TimeInterval{Start: start, End: &end, Duration: &hour}, ""},
		{"running", `{"start":"2026-11-01T07:00:00Z","end":null,"duration":null}`, true, TimeInterval{Start: start}, ""},
		{"an offset, put in UTC", `{"start":"2026-11-01T09:00:00+02:00","end":"2026-11-01T10:30:00+02:00","duration":"PT1H30M"}`, true,
			TimeInterval{Start: start, End: &end, Duration: &hour}, ""},
		{"spaces", `{ "start": "2026-11-01T07:00:00Z", "end": null, "duration": null }`, false, TimeInterval{Start: start}, ""},
		{"another order", `{"end":null,"duration":"PT1H30M","start":"2026-11-01T07:00:00Z"}`, false,
			TimeInterval{Start: start, Duration: &hour}, ""},
		{"no end or duration", `{"start":"2026-11-01T07:00:00Z"}`, false, TimeInterval{Start: start}, ""},
		{"another key", `{"start":"2026-11-01T07:00:00Z","end":null,"duration":null,"zone":"UTC"}`, false, TimeInterval{Start: start}, ""},
		{"a repeated key: the last one counts", `{"start":"2026-11-01T07:00:00Z","end":null,"duration":null,"start":"2026-11-01T08:30:00Z"}`, false,
			TimeInterval{Start: end}, ""},
		{"an escape", `{"start":"2026-11-01T07:00:00Z","end":null,"duration":"PT1H30\u004d"}`, false,
			TimeInterval{Start: start, Duration: &hour}, ""},
		{"start null", `{"start":null,"end":null,"duration":null}`, false, TimeInterval{}, ""},
		{"bad start", `{"start":"2026-11-01 07:00","end":null,"duration":null}`, false, TimeInterval{}, "cannot parse"},
		{"bad end", `{"start":"2026-11-01T07:00:00Z","end":"soon","duration":null}`, false, TimeInterval{}, "cannot parse"},
		{"bad duration", `{"start":"2026-11-01T07:00:00Z","end":null,"duration":"8000"}`, false, TimeInterval{}, "must start with P"},
		{"a number for a duration", `{"start":"2026-11-01T07:00:00Z","end":null,"duration":8000}`, false, TimeInterval{}, "Duration"},
		// encoding/json refuses these before it calls UnmarshalJSON; readInterval, on its own,
		// must still say no rather than read past the end.
		{"cut inside a string", `{"start":"2026-11-01T07:00:00Z","end":"2026-11-01T08:30`, false, TimeInterval{}, "unexpected end"},
		{"cut after null", `{"start":"2026-11-01T07:00:00Z","end":null`, false, TimeInterval{}, "unexpected end"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, fast := readInterval([]byte(tc.json))
			require.Equal(t, tc.fast, fast)
			var got TimeInterval
			err := json.Unmarshal([]byte(tc.json), &got)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.Equal(t, time.UTC, got.Start.Location())
			if got.End != nil {
				require.Equal(t, time.UTC, got.End.Location())
			}
		})
	}
}

// encodeIntervalByReflection is how TimeInterval.MarshalJSON built its bytes before it
// wrote them itself: the reference its output must equal.
func encodeIntervalByReflection(t *testing.T, ti TimeInterval) []byte {
	w := struct {
		Start    string    `json:"start"`
		End      *string   `json:"end"`
		Duration *Duration `json:"duration"`
	}{Start: formatTime(ti.Start), Duration: ti.Duration}
	if ti.End != nil {
		s := formatTime(*ti.End)
		w.End = &s
	}
	b, err := json.Marshal(w)
	require.NoError(t, err)
	return b
}

func TestTimeIntervalEncoding(t *testing.T) {
	sydney := time.FixedZone("AEDT", 11*3600)
	start := time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC)
	for _, ti := range []TimeInterval{
		{Start: start},
		{Start: start, End: new(start.Add(90 * time.Minute)), Duration: Ptr(Duration(90 * time.Minute))},
		{Start: time.Date(2026, 11, 1, 18, 0, 0, 999_999_999, sydney), End: new(start.Add(1500 * time.Millisecond)),
			Duration: Ptr(Duration(1500 * time.Millisecond))},
		{Start: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Duration: Ptr(Duration(-time.Hour))},
		{Start: time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC), Duration: new(Duration(0))},
		{},
	} {
		got, err := json.Marshal(ti) // through encoding/json, which checks the bytes
		require.NoError(t, err)
		require.Equal(t, string(encodeIntervalByReflection(t, ti)), string(got))
	}
	got, err := json.Marshal(TimeInterval{Start: time.Date(2026, 11, 1, 18, 0, 0, 999_999_999, sydney), Duration: new(Duration(0))})
	require.NoError(t, err)
	require.JSONEq(t, `{"start":"2026-11-01T07:00:00Z","end":null,"duration":"PT0S"}`, string(got), "UTC, whole seconds")
}

// FuzzTimeInterval checks that the fast reading of an interval gives what encoding/json
// gives whenever it reads one, and that encoding the interval gives what encoding it by
// reflection did. The fuzzer fills the three values of Clockify's shape
// (null where a value is "null"), so that the fast reading is tried on every input.
func FuzzTimeInterval(f *testing.F) {
	f.Add("2026-11-01T07:00:00Z", "2026-11-01T08:30:00Z", "PT1H30M")
	f.Add("2026-11-01T07:00:00.5+10:00", "null", "null")
	f.Add("2026-11-01T07:00:00Z", "null", "P1D")
	f.Add("2026-11-01T24:00:00Z", "2026-11-01T07:00:00,5Z", "PT1H\\u0030M")
	f.Fuzz(func(t *testing.T, start, end, duration string) {
		value := func(s string) string {
			if s == "null" {
				return s
			}
			return `"` + s + `"`
		}
		b := []byte(`{"start":` + value(start) + `,"end":` + value(end) + `,"duration":` + value(duration) + `}`)
		v, ok := readInterval(b)
		if !ok {
			return
		}
		require.True(t, json.Valid(b))
		want, err := unmarshalInterval(b)
		require.NoError(t, err)
		require.Equal(t, want, v)
		got, err := json.Marshal(v)
		require.NoError(t, err)
		require.Equal(t, string(encodeIntervalByReflection(t, v)), string(got))
	})
}

// TestEntryRequestLimits: a request's type and description take what Clockify's
// description allows, and refuse what lies just past it and the types Clockify makes
// itself.
func TestEntryRequestLimits(t *testing.T) {
	for _, tc := range []struct {
		req   TimeEntryRequest
		field string // the field refused, "" when none is
	}{
		{req: TimeEntryRequest{}},
		{req: TimeEntryRequest{Type: TimeEntryRegular}},
		{req: TimeEntryRequest{Type: TimeEntryBreak}},
		{req: TimeEntryRequest{Type: TimeEntryHoliday}, field: "Type"},
		{req: TimeEntryRequest{Type: TimeEntryTimeOff}, field: "Type"},
		{req: TimeEntryRequest{Type: "regular"}}, // sent: Clockify may add a type
		{req: TimeEntryRequest{Description: strings.Repeat("é", maxEntryDescription)}},
		{req: TimeEntryRequest{Description: strings.Repeat("é", maxEntryDescription+1)}, field: "Description"},
		{req: TimeEntryRequest{Description: "caf\xe9"}, field: "Description"},
	} {
		err := tc.req.validate()
		if tc.field == "" {
			require.NoError(t, err, "%+v", tc.req)
			continue
		}
		var ae *ArgumentError
		require.ErrorAs(t, err, &ae, "%+v", tc.req)
		require.Equal(t, tc.field, ae.Field)
	}
}

// TestEntryIsWork: breaks, holidays and time off are entries too, but not work; an entry
// without a type, as a webhook delivery sends it, is.
func TestEntryIsWork(t *testing.T) {
	for body, want := range map[string]bool{
		`{"type":"REGULAR"}`:  true,
		`{}`:                  true,
		`{"type":null}`:       true,
		`{"type":"BREAK"}`:    false,
		`{"type":"HOLIDAY"}`:  false,
		`{"type":"TIME_OFF"}`: false,
	} {
		var e TimeEntry
		require.NoError(t, json.Unmarshal([]byte(body), &e))
		require.Equal(t, want, e.IsWork(), body)
	}
}

func TestTimeIntervalRoundTrip(t *testing.T) {
	end := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	d := Duration(time.Hour)
	in := TimeInterval{Start: end.Add(-time.Hour), End: &end, Duration: &d}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.JSONEq(t, `{"start":"2026-01-02T02:04:05Z","end":"2026-01-02T03:04:05Z","duration":"PT1H"}`, string(b))
	var out TimeInterval
	require.NoError(t, json.Unmarshal(b, &out))
	require.Equal(t, in.Start, out.Start)
	require.Equal(t, *in.End, *out.End)
	b, err = json.Marshal(TimeInterval{Start: end})
	require.NoError(t, err)
	require.JSONEq(t, `{"start":"2026-01-02T03:04:05Z","end":null,"duration":null}`, string(b))
	require.Error(t, json.Unmarshal([]byte(`{"start":5}`), &out))
}
