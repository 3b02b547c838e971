package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWebhooksEndToEnd(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	s := out.String()
	require.Contains(t, s, "registered 10 webhooks")
	for _, want := range []string{
		`applied TIME_ENTRY_CREATED`, `"#42 Fix login"`,
		`applied TIME_ENTRY_UPDATED`, `"#42 Fix login redirect"`,
		`applied TIME_ENTRY_DELETED`, `applied PROJECT_CREATED`, `"new-service"`,
	} {
		require.Contains(t, s, want)
	}
	require.Equal(t, 4, strings.Count(s, " applied  status 200"), s)
	require.Contains(t, s, "TIME_ENTRY_UPDATED   failed   status 503", "the delivery the host failed to apply")
	_, caughtUp, _ := strings.Cut(s, "caught up after the outage:\n")
	caughtUp, _, _ = strings.Cut(caughtUp, "\n\n")
	require.Equal(t, 1, strings.Count(caughtUp, "updated entry "), s)
	require.Contains(t, caughtUp, ` (#7)", started `, "the old entry edited during the outage")
}
