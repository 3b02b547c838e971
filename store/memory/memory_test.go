package memory_test

import (
	"testing"

	"github.com/heyjasper/jasper-clockify/store/memory"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/sync/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) clockifysync.Store { return memory.New() })
}

func TestDeliveriesKeptApart(t *testing.T) {
	storetest.DeliveriesKeptApart(t, memory.New(), memory.KeepDeliveries)
}
