// Package sqlstore is the clockifysync.Store that store/sqlite and store/postgres share:
// the same SQL, written once, run on each database through its Dialect.
package sqlstore
