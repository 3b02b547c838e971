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
}
