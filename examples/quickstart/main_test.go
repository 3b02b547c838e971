package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestQuickstartOnTheFake(t *testing.T) {
	t.Setenv("CLOCKIFY_API_KEY", "")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	s := out.String()
	require.Contains(t, s, "built-in fake Clockify")
	require.Contains(t, s, `Workspace "Acme Engineering"`)
	require.Contains(t, s, "web-app")
	require.Regexp(t, regexp.MustCompile(`\n\d+ entries, [\d.]+ hours tracked by 5 members on 6 projects\n`), s)
	require.Contains(t, s, "running")
	// The summary links "#123 Title" entries to the repository their project is named after.
	require.Regexp(t, regexp.MustCompile(`\nacme/[a-z-]+#\d+ +[\d.]+ +[\d,.]+ AUD +\d\n`), s)
	require.Regexp(t, regexp.MustCompile(`billable \d+% of the time \([\d,.]+ AUD\); \d+% linked to no PR; 0 references left unresolved`), s)
	require.Contains(t, s, "(a running timer counts up to now)")
}
