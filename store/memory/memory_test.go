package memory_test

import (
	"testing"

	"github.com/heyjasper/jasper-clockify/store/memory"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/sync/storetest"
	"github.com/heyjasper/jasper-clockify/webhook"
	"github.com/stretchr/testify/require"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) clockifysync.Store { return memory.New() })
}

func TestDeliveriesKeptApart(t *testing.T) {
	s := memory.New()
	storetest.DeliveriesKeptApart(t, s, memory.KeepDeliveries, func(workspaceID string, n int) {
		for range n {
			require.NoError(t, s.Record(t.Context(), webhook.Delivery{WorkspaceID: workspaceID, Outcome: webhook.OutcomeRejected}))
		}
	})
}
