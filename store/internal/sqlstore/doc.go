// Package sqlstore is the clockifysync.Store that store/sqlite and store/postgres share:
// the same SQL, written once, run on each database through its Dialect. Each file holds
// one of the store's roles (entries.go, links.go, directory.go, connections.go,
// checkpoints.go, deliveries.go); sqlstore.go holds the Store and its helpers.
package sqlstore
