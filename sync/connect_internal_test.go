package sync

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// TestRetryEvent: a repair tries each refused event in turn, one an hour.
func TestRetryEvent(t *testing.T) {
	refused := []clockify.WebhookEvent{clockify.EventNewProject, clockify.EventTimerStopped, clockify.EventTimeEntrySplit}
	at := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	tried := map[clockify.WebhookEvent]bool{}
	for h := range len(refused) {
		tried[retryEvent(refused, at.Add(time.Duration(h)*time.Hour+59*time.Minute))] = true
	}
	require.Len(t, tried, len(refused))
	require.Equal(t, retryEvent(refused, at), retryEvent(refused, at.Add(59*time.Minute)), "one an hour")
}
