package memory_test

import (
	"context"
	"fmt"
	"time"

	"github.com/heyjasper/jasper-clockify/store/memory"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

func ExampleNew() {
	ctx := context.Background()
	s := memory.New()
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	_ = s.PutEntries(ctx, []clockifysync.Entry{{WorkspaceID: "ws", ID: "e1", Description: "#12 login", Start: start}})
	e, err := s.Entry(ctx, "ws", "e1")
	fmt.Println(e.Description, err)
	_, err = s.Entry(ctx, "ws", "e2")
	fmt.Println(err)
	// Output:
	// #12 login <nil>
	// clockifysync: not found
}
