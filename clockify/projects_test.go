package clockify

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestProjectFieldLimits: the limits of a project's fields take their bounds, and refuse
// what lies just past them.
func TestProjectFieldLimits(t *testing.T) {
	for _, tc := range []struct {
		name, color, note string
		field             string // the field refused, "" when none is
	}{
		{name: "ab"},
		{name: strings.Repeat("é", maxProjectName)},
		{name: " a ", field: "Name"},
		{name: strings.Repeat("é", maxProjectName+1), field: "Name"},
		{name: "ab", note: strings.Repeat("é", maxProjectNote)},
		{name: "ab", note: strings.Repeat("é", maxProjectNote+1), field: "Note"},
		{name: "ab", color: "#000000"},
		{name: "ab", color: "#999999"},
		{name: "ab", color: "#aaaaaa"},
		{name: "ab", color: "#ffffff"},
		{name: "ab", color: "#AAAAAA"},
		{name: "ab", color: "#FFFFFF"},
		{name: "ab", color: "#00000/", field: "Color"}, // the byte before '0'
		{name: "ab", color: "#00000:", field: "Color"}, // after '9'
		{name: "ab", color: "#00000`", field: "Color"}, // before 'a'
		{name: "ab", color: "#00000g", field: "Color"},
		{name: "ab", color: "#00000@", field: "Color"}, // before 'A'
		{name: "ab", color: "#00000G", field: "Color"},
		{name: "ab", color: "000000#", field: "Color"},
		{name: "ab", color: "#0000000", field: "Color"},
	} {
		var color *string
		if tc.color != "" {
			color = &tc.color
		}
		err := validProject(&tc.name, nil, color, &tc.note)
		if tc.field == "" {
			require.NoError(t, err, "%+v", tc)
			continue
		}
		var ae *ArgumentError
		require.ErrorAs(t, err, &ae, "%+v", tc)
		require.Equal(t, tc.field, ae.Field)
	}
}
