package clockify

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFirstDayOfWeek(t *testing.T) {
	for _, tc := range []struct {
		weekStart string
		want      time.Weekday
		ok        bool
	}{
		{"MONDAY", time.Monday, true},
		{"SUNDAY", time.Sunday, true},
		{"SATURDAY", time.Saturday, true},
		{"Wednesday", time.Wednesday, true},
		{"", time.Sunday, false},
		{"MON", time.Sunday, false},
		{"MONDAY ", time.Sunday, false},
	} {
		got, ok := (&UserSettings{WeekStart: tc.weekStart}).FirstDayOfWeek()
		require.Equal(t, tc.ok, ok, "%q", tc.weekStart)
		require.Equal(t, tc.want, got, "%q", tc.weekStart)
	}
	var none *UserSettings // a user read without settings
	_, ok := none.FirstDayOfWeek()
	require.False(t, ok)
}
