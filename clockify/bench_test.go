package clockify_test

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
)

// fullPage is one page of MaxPageSize time entries, hydrated or not, as the fake Clockify
// renders them: the generated workspace's entries repeated until the page is full.
func fullPage(b *testing.B, hydrated bool) []byte {
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{
		Seed: 1, Members: 1, Days: 365, Now: time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC),
	})
	defer srv.Close()
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(b, err)
	var entries []json.RawMessage
	for e, err := range c.TimeEntries.All(context.Background(), fx.Workspace.ID, fx.Owner.ID,
		&clockify.TimeEntryListOptions{Hydrated: hydrated}) {
		require.NoError(b, err)
		raw, err := json.Marshal(e)
		require.NoError(b, err)
		entries = append(entries, raw)
	}
	require.NotEmpty(b, entries)
	page := make([]json.RawMessage, clockify.MaxPageSize)
	for i := range page {
		page[i] = entries[i%len(entries)]
	}
	body, err := json.Marshal(page)
	require.NoError(b, err)
	return body
}

// BenchmarkListPage measures what the client adds to reading one full page of entries,
// hydrated (with project, task, user and tags) and plain: the baseline is a bare
// http.Get of the same bytes decoded with json.Unmarshal.
func BenchmarkListPage(b *testing.B) {
	for _, hydrated := range []bool{true, false} {
		name := "plain"
		if hydrated {
			name = "hydrated"
		}
		b.Run(name, func(b *testing.B) { benchmarkListPage(b, hydrated) })
	}
}

func benchmarkListPage(b *testing.B, hydrated bool) {
	body := fullPage(b, hydrated)
	static := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Last-Page", "true")
		w.Write(body)
	}))
	defer static.Close()
	ctx := context.Background()

	b.Run("baseline", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			resp, err := http.Get(static.URL + "/v1/workspaces/w/user/u/time-entries")
			require.NoError(b, err)
			raw, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(b, err)
			var page []clockify.TimeEntry
			require.NoError(b, json.Unmarshal(raw, &page))
			require.Len(b, page, clockify.MaxPageSize)
		}
	})
	b.Run("client", func(b *testing.B) {
		c, err := clockify.NewClient(clockify.WithAPIKey("bench-key"), clockify.WithBaseURL(static.URL),
			clockify.WithRateLimit(math.Inf(1), 1))
		require.NoError(b, err)
		opts := &clockify.TimeEntryListOptions{Hydrated: hydrated, ListOptions: clockify.ListOptions{PageSize: clockify.MaxPageSize}}
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for _, err := range c.TimeEntries.All(ctx, "w", "u", opts) {
				require.NoError(b, err)
				n++
			}
			require.Equal(b, clockify.MaxPageSize, n)
		}
	})
}

// BenchmarkEncodePage encodes one full page of plain entries, as the fake Clockify does
// for every page it serves (and as a host that keeps entries as JSON would). The
// baseline is the same entries with their intervals in a plain struct that encoding/json
// encodes by itself (RFC 3339 with nanoseconds, in any zone): the ratio is what
// Clockify's format (UTC, whole seconds, "Z", ISO-8601 durations) costs on top.
func BenchmarkEncodePage(b *testing.B) {
	var page []clockify.TimeEntry
	require.NoError(b, json.Unmarshal(fullPage(b, false), &page))
	type plainInterval struct {
		Start    time.Time          `json:"start"`
		End      *time.Time         `json:"end"`
		Duration *clockify.Duration `json:"duration"`
	}
	type plainEntry struct {
		clockify.TimeEntry
		TimeInterval plainInterval `json:"timeInterval"` // hides the embedded one
	}
	plain := make([]plainEntry, len(page))
	for i, e := range page {
		plain[i] = plainEntry{e, plainInterval(e.TimeInterval)}
	}
	for _, v := range []struct {
		name string
		page any
	}{{"baseline", plain}, {"clockify", page}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := json.Marshal(v.page)
				require.NoError(b, err)
				b.SetBytes(int64(len(out)))
			}
		})
	}
}
