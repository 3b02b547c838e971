package clockify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

// TestAllLogsPages reads every delivery log from a server whose pages count from 0 or
// from 1, three a page: each page is asked for with the same filters, and every log is
// yielded once, in order.
func TestAllLogsPages(t *testing.T) {
	from := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	const body = `{"from":"2026-11-20T00:00:00Z","status":"FAILED","sortByNewest":true}`
	for _, tc := range []struct {
		name      string
		base      int
		wantPages []string
	}{
		{"counted from 0", 0, []string{"", "1", "2", "3"}},
		{"counted from 1: page 1 repeats page 0 and is dropped", 1, []string{"", "1", "2", "3", "4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := newMockClient(t)
			var pages []string
			mt.RegisterResponder(http.MethodPost, coreBase+"v1/workspaces/"+ws+"/webhooks/h1/logs", func(r *http.Request) (*http.Response, error) {
				b, err := io.ReadAll(r.Body)
				require.NoError(t, err)
				require.JSONEq(t, body, string(b))
				require.Equal(t, "3", r.URL.Query().Get("size"))
				pages = append(pages, r.URL.Query().Get("page"))
				page, _ := strconv.Atoi(r.URL.Query().Get("page"))
				page = max(page, tc.base) - tc.base
				var items []string
				for i := 3 * page; i < min(3*page+3, 7); i++ {
					items = append(items, `{"id":"l`+strconv.Itoa(i)+`"}`)
				}
				return httpmock.NewStringResponse(200, "["+strings.Join(items, ",")+"]"), nil
			})
			var ids []string
			for l, err := range c.Webhooks.AllLogs(context.Background(), ws, "h1", &WebhookLogOptions{
				From: from, Status: LogsFailed, SortByNewest: true, Page: 9, Size: 3}) {
				require.NoError(t, err)
				ids = append(ids, l.ID)
			}
			require.Equal(t, []string{"l0", "l1", "l2", "l3", "l4", "l5", "l6"}, ids)
			require.Equal(t, tc.wantPages, pages)
		})
	}
}

func TestWebhookEventKnown(t *testing.T) {
	require.Len(t, webhookEvents, 50, "Clockify's enum has fifty events")
	for e, want := range map[WebhookEvent]bool{
		EventNewTimeEntry:          true,
		EventProjectDeleted:        true,
		"BILLABLE_RATE_UPDATED":    true,
		"TIME_ENTRY_BATCH_DELETED": false, // in sample deliveries, not in the enum
		"new_time_entry":           false,
		"NEW_TIME_ENTRIES":         false,
		"":                         false,
	} {
		require.Equal(t, want, e.Known(), e)
	}
}

// TestWebhookNameLength: Clockify takes names of 2 to 30 characters, counted as characters.
func TestWebhookNameLength(t *testing.T) {
	for _, name := range []string{"xy", strings.Repeat("é", 30)} {
		_, err := (&WebhookRequest{Name: name, URL: "https://x.test/h", WebhookEvent: EventNewProject}).normalized(ws)
		require.NoError(t, err, name)
	}
	for _, name := range []string{"x", strings.Repeat("a", 31)} {
		_, err := (&WebhookRequest{Name: name, URL: "https://x.test/h", WebhookEvent: EventNewProject}).normalized(ws)
		require.ErrorContains(t, err, "2 to 30", name)
	}
}

// TestWebhookURL: a webhook's URL is an absolute http(s) URL, in UTF-8 (JSON would send
// another in place of one that is not).
func TestWebhookURL(t *testing.T) {
	for _, u := range []string{"https://x.test/h", "http://x.test:8080/h?a=b", "https://x.test/é"} {
		_, err := (&WebhookRequest{Name: "hook", URL: u, WebhookEvent: EventNewProject}).normalized(ws)
		require.NoError(t, err, u)
	}
	for _, u := range []string{"", "/h", "ftp://x.test/h", "https:///h", "https://x.test/\xff"} {
		_, err := (&WebhookRequest{Name: "hook", URL: u, WebhookEvent: EventNewProject}).normalized(ws)
		var ae *ArgumentError
		require.ErrorAs(t, err, &ae, "%q", u)
		require.Equal(t, "URL", ae.Field)
	}
}

func TestWebhookDelivers(t *testing.T) {
	on, off := true, false
	for _, tc := range []struct {
		json string
		want bool
	}{
		{`{"enabled":true}`, true},
		{`{"enabled":true,"deliveryEnabled":true,"planEnabled":true}`, true},
		{`{"enabled":false,"deliveryEnabled":true,"planEnabled":true}`, false},
		{`{"enabled":true,"deliveryEnabled":false,"planEnabled":true}`, false},
		{`{"enabled":true,"deliveryEnabled":true,"planEnabled":false}`, false},
		{`{}`, false},
	} {
		var w Webhook
		require.NoError(t, json.Unmarshal([]byte(tc.json), &w))
		require.Equal(t, tc.want, w.Delivers(), tc.json)
	}
	require.False(t, (&Webhook{Enabled: true, PlanEnabled: &off, DeliveryEnabled: &on}).Delivers())
}
