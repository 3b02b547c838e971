package webhook_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// Mount a handler, then test it with a signed delivery, as a host would in its own tests.
func Example() {
	v, err := webhook.NewVerifier([]webhook.Token{
		{WebhookID: "wh-1", Event: clockify.EventNewTimeEntry, Value: "token-from-clockify"},
	})
	if err != nil {
		panic(err)
	}
	h := webhook.NewHandler(v, func(_ context.Context, ev *webhook.Event) error {
		fmt.Println("apply", ev.Kind, ev.EntityID, ev.TimeEntry.Description)
		return nil
	})
	// In a server: mux.Handle("POST /hooks/clockify", h)

	entry := clockify.TimeEntry{ID: "e1", WorkspaceID: "ws1", Description: "#12 Fix login"}
	for _, token := range []clockify.Secret{"token-from-clockify", "forged"} {
		req, err := webhook.NewSignedRequest("https://jasper.example/hooks/clockify", token, clockify.EventNewTimeEntry, entry)
		if err != nil {
			panic(err)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		fmt.Print(w.Code, " ", w.Body.String())
	}
	// Output:
	// apply TIME_ENTRY_CREATED e1 #12 Fix login
	// 200 ok
	// 401 unauthorized
}

// Rotate a webhook's token after regenerating it in Clockify: deliveries signed with the
// old token verify until the grace period ends, those with the new one from the start.
func ExampleVerifier_Rotate() {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	v, err := webhook.NewVerifier([]webhook.Token{
		{WebhookID: "wh-1", Event: clockify.EventTimerStopped, Value: "old-token"},
	}, webhook.WithClock(func() time.Time { return now }))
	if err != nil {
		panic(err)
	}
	// The new token comes from c.Webhooks.RegenerateToken.
	if err := v.Rotate("wh-1", "new-token", 10*time.Minute); err != nil {
		panic(err)
	}
	check := func(signature string) {
		m, err := v.Verify(clockify.EventTimerStopped, signature)
		fmt.Printf("%s: %q %v\n", signature, m.WebhookID, err)
	}
	check("old-token")
	check("new-token")

	now = now.Add(11 * time.Minute)
	check("old-token")
	v.Prune()
	fmt.Println(v.Len(), "token held")
	// Output:
	// old-token: "wh-1" <nil>
	// new-token: "wh-1" <nil>
	// old-token: "" webhook: invalid signature (a token no longer valid)
	// 1 token held
}
