package clockify_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
)

// The client against a fake Clockify: list members lazily, page by page, and tell a
// missing entry from other failures.
func Example() {
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{
		Seed: 1, Members: 3, Now: time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC),
	})
	defer srv.Close()

	// Against the real Clockify: clockify.NewClient(clockify.WithAPIKey(key)).
	c, err := clockify.NewClient(
		clockify.WithAPIKey(fx.OwnerKey),
		clockify.WithBaseURL(srv.CoreURL()),
		clockify.WithReportsURL(srv.ReportsURL()),
	)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	for u, err := range c.Users.All(ctx, fx.Workspace.ID, nil) {
		if err != nil {
			panic(err)
		}
		fmt.Println(u.Name, u.Email)
	}

	_, _, err = c.TimeEntries.Get(ctx, fx.Workspace.ID, "64b7d1e0c0ffee0000000000", false)
	fmt.Println(errors.Is(err, clockify.ErrNotFound))
	// Output:
	// Bob Martin bob.martin@acme.dev
	// Carla García carla.garcia@acme.dev
	// Deepak Raman deepak.raman@acme.dev
	// true
}

func ExampleParseDuration() {
	d, err := clockify.ParseDuration("P1DT2H30M")
	fmt.Println(d.Std(), err)
	_, err = clockify.ParseDuration("P1M")
	fmt.Println(err)
	// Output:
	// 26h30m0s <nil>
	// clockify: bad ISO-8601 duration "P1M": years and months have no fixed length
}
