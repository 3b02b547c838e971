package storetest_test

import (
	"testing"

	"github.com/heyjasper/jasper-clockify/store/memory"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
	"github.com/heyjasper/jasper-clockify/sync/storetest"
)

// A host's store runs the suite from a test of its own, with a new, empty store for each
// case. The suite needs the test's *testing.T, so this example is compiled, not run.
func ExampleRun() {
	_ = func(t *testing.T) { // func TestConformance(t *testing.T)
		storetest.Run(t, func(t *testing.T) clockifysync.Store { return memory.New() })
	}
}
