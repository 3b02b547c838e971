package sync_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// TestFoldText: the text of a query and a description are compared with their case
// folded in full, so a text in capitals, or spelled as one writes it in them, finds
// what is written in small letters.
func TestFoldText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Fix LOGIN page", "fix login page"},
		{"Straße", "strasse"},
		{"STRASSE", "strasse"},
		{"ΛΌΓΟΣ", "λόγοσ"},
		{"λόγος", "λόγοσ"}, // the final sigma
		{"Übersicht", "übersicht"},
		{"修复 PR #12", "修复 pr #12"},
	} {
		require.Equal(t, tc.want, clockifysync.FoldText(tc.in), tc.in)
	}
}
