package webhook_test

import (
	"context"
	"fmt"
	"net/http/httptest"

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
