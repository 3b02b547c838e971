// Package storetest is the conformance suite every clockifysync.Store must pass: the
// stores in this module run it, and so can a host's own store.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) clockifysync.Store { return newEmptyStore(t) })
//	}
package storetest
