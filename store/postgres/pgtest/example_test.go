package pgtest_test

import (
	"testing"

	"github.com/heyjasper/jasper-clockify/store/postgres"
	"github.com/heyjasper/jasper-clockify/store/postgres/pgtest"
)

// A test with a database of its own, dropped when it ends; it is skipped, with a
// message, where JASPER_POSTGRES_URL is not set. The database needs the test's
// *testing.T, so this example is compiled, not run.
func ExampleNewDatabase() {
	_ = func(t *testing.T) { // func TestWithPostgres(t *testing.T)
		store, err := postgres.New(t.Context(), pgtest.NewDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
	}
}
