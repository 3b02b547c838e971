package clockifytest_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
)

// A fake Clockify with a generated workspace, a scripted fault, and the counters a test
// reads afterwards.
func Example() {
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 7, Now: time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)})
	defer srv.Close()
	c, err := srv.NewClient(fx.OwnerKey, clockify.WithRetryPolicy(clockify.RetryPolicy{MaxAttempts: 3, MaxWait: time.Millisecond}))
	if err != nil {
		panic(err)
	}

	srv.FailNext(clockifytest.FaultUnavailable) // the first call gets a 503 and is retried
	projects, _, err := c.Projects.List(context.Background(), fx.Workspace.ID, nil)
	fmt.Println(len(projects), err)
	fmt.Println(srv.Requests("GET v1/workspaces/{ws}/projects"))
	// Output:
	// 6 <nil>
	// 2
}

// A client that reaches the fake in-process. Inside a testing/synctest bubble its waits
// (the rate limit, a Retry-After) pass on the bubble's fake clock.
func ExampleServer_Transport() {
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 7, Now: time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)})
	defer srv.Close()
	c, err := srv.NewClient(fx.OwnerKey, clockify.WithHTTPClient(&http.Client{Transport: srv.Transport()}))
	if err != nil {
		panic(err)
	}
	u, _, err := c.Users.Current(context.Background())
	fmt.Println(u.Name == fx.Owner.Name, err)
	// Output: true <nil>
}
