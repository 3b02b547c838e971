// Package pgtest gives tests a database of their own on the PostgreSQL server that
// JASPER_POSTGRES_URL names; without it, the test is skipped with a message that says so.
// .ci/run sets it to the machine's PostgreSQL cluster. Each database is dropped when its
// test ends; those a killed run left behind are dropped by a run over a day later.
package pgtest
