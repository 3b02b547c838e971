package clockify

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
)

// FuzzResponses answers the client's calls with any status, Retry-After, Last-Page and
// body, the API key planted anywhere in the body, and checks that no call panics and
// that no error, message or log line holds the key or a part of it longer than 8 bytes.
func FuzzResponses(f *testing.F) {
	f.Add(400, "1", "true", `{"message":"bad","code":501}`, uint16(0))
	f.Add(200, "", "false", `[{"id":"e1","timeInterval":{"start":"2026-01-01T00:00:00Z"}}]`, uint16(3))
	f.Add(200, "", "", `{"response":[{"id":"b1","documentType":"TIME_ENTRY","document":{"_id":"e1"}}]}`, uint16(40))
	f.Add(200, "", "", `[{"documentType":"TIME_ENTRY","id":"e1","auditMetadata":{"createdAt":"2026-01-01T00:00:00Z"}}]`, uint16(7))
	f.Add(200, "", "true", `[{"id":"l1","webhookId":"h1","statusCode":200,"requestBody":"{}","respondedAt":"2026-01-01T00:00:00.125+00:00"}]`, uint16(3))
	f.Add(503, "Wed, 21 Oct 2015 07:28:00 GMT", "", "<html>"+strings.Repeat("é", 120), uint16(190))
	f.Fuzz(func(t *testing.T, code int, retryAfter, lastPage, body string, at uint16) {
		code = 200 + (code%400+400)%400 // 200 to 599
		i := int(at) % (len(body) + 1)
		body = body[:i] + testKey + body[i:]
		var logs strings.Builder
		c, mt := newMockClient(t, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		mt.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
			resp := httpmock.NewStringResponse(code, body)
			resp.Header.Set("Retry-After", retryAfter)
			resp.Header.Set("Last-Page", lastPage)
			return resp, nil
		})
		ctx := context.Background()
		var errs []error
		_, _, err := c.Users.Current(ctx)
		errs = append(errs, err)
		for _, err := range c.TimeEntries.All(ctx, ws, "u1", &TimeEntryListOptions{ListOptions: ListOptions{PageSize: 2}}) {
			errs = append(errs, err)
			if err != nil {
				break
			}
		}
		changes := &EntityChangeOptions{Types: []EntityType{EntityTimeEntry}}
		n := 0
		for _, err := range c.EntityChanges.AllCreated(ctx, ws, changes) {
			errs = append(errs, err)
			if n++; err != nil || n > 50 {
				break
			}
		}
		for d, err := range c.EntityChanges.AllDeleted(ctx, ws, changes) {
			if err == nil {
				_, err = d.TimeEntry()
			}
			errs = append(errs, err)
			if n++; err != nil || n > 100 {
				break
			}
		}
		for _, err := range c.Webhooks.AllLogs(ctx, ws, "h1", nil) {
			errs = append(errs, err)
			if n++; err != nil || n > 150 {
				break
			}
		}
		_, err = c.Webhooks.Delete(ctx, ws, "h1")
		errs = append(errs, err)
		_, _, err = c.Webhooks.Create(ctx, ws, &WebhookRequest{Name: "hook", URL: "https://x.test/h", WebhookEvent: EventNewTimeEntry})
		errs = append(errs, err)
		for _, err := range errs {
			if err != nil {
				checkNoKey(t, err.Error())
				checkNoKey(t, fmt.Sprintf("%+v", err))
			}
		}
		checkNoKey(t, logs.String())
	})
}

// checkNoKey fails when s holds the test key or any 9-byte part of it.
func checkNoKey(t *testing.T, s string) {
	t.Helper()
	for i := 0; i+9 <= len(testKey); i++ {
		if strings.Contains(s, testKey[i:i+9]) {
			t.Fatalf("part of the key %q in %q", testKey[i:i+9], s)
		}
	}
}
