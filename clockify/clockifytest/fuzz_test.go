package clockifytest

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzRequests sends the fake arbitrary queries and bodies on every route: whatever they
// hold, it answers with a status below 500 and never panics (no faults are injected).
func FuzzRequests(f *testing.F) {
	f.Add(uint8(3), "page=2&page-size=5", "")
	f.Add(uint8(9), "start=2026-11-01T00:00:00Z&end=x&hydrated=true", "")
	f.Add(uint8(12), "", `{"start":"2026-11-01T09:00:00Z","end":"2026-11-01T08:00:00Z","type":"BREAK"}`)
	f.Add(uint8(18), "", `{"name":"hook","url":"http://127.0.0.1:1/h","webhookEvent":"NEW_PROJECT"}`)
	f.Add(uint8(22), "page=-1&size=9", `{"status":"FAILED","sortByNewest":true}`)
	f.Add(uint8(23), "", `{"dateRangeStart":"2026-11-01T00:00:00Z","dateRangeEnd":"2026-11-30T00:00:00Z","detailedFilter":{"page":1,"pageSize":3},"timeZone":"Europe/Berlin"}`)
	f.Add(uint8(26), "type=TIME_ENTRY&type=TIME_ENTRY_RATE&start=2026-11-01T00:00:00Z&page=0&limit=2", "")
	f.Fuzz(func(t *testing.T, route uint8, query, body string) {
		// A fresh server per input, so that a failure replays from its input alone; its
		// deliveries go nowhere.
		s, fx := NewGeneratedServer(GenerateOptions{Seed: 3, Now: time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC), Members: 3, Projects: 3},
			WithDeliveryClient(&http.Client{Transport: refuse{}}))
		defer s.Close()
		ids := map[string]string{"{ws}": fx.Workspace.ID, "{user}": fx.Owner.ID, "{id}": fx.Projects[0].ID}
		rt := s.routes[int(route)%len(s.routes)]
		path := rt.prefix + rt.pattern
		for k, v := range ids {
			path = strings.ReplaceAll(path, k, v)
		}
		req := httptest.NewRequest(rt.method, "http://fake"+path, strings.NewReader(body))
		if q, err := parseQuery(query); err == nil {
			req.URL.RawQuery = q
		}
		req.Header.Set("X-Api-Key", fx.OwnerKey)
		w := httptest.NewRecorder()
		s.serveHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %s?%s with %q: %d %s", rt.method, path, req.URL.RawQuery, body, w.Code, w.Body)
		}
	})
}

// refuse is a transport that reaches no receiver.
type refuse struct{}

func (refuse) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("no receiver in a fuzz test")
}

// parseQuery keeps a fuzzed query string that net/url accepts.
func parseQuery(q string) (string, error) {
	req, err := http.NewRequest(http.MethodGet, "http://fake/?"+q, nil)
	if err != nil {
		return "", err
	}
	return req.URL.RawQuery, nil
}
