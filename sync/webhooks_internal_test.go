package sync

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// TestSameURL: a webhook URL Clockify lists is the connection's when it differs only in
// what does not change where it delivers.
func TestSameURL(t *testing.T) {
	const ours = "https://hooks.example.com/clockify/a%2Fb?ws=1&x=%7E"
	cases := []struct {
		listed string
		same   bool
	}{
		{ours, true},
		{"HTTPS://Hooks.Example.COM/clockify/a%2Fb?ws=1&x=%7E", true},
		{"https://hooks.example.com:443/clockify/a%2Fb?ws=1&x=%7E", true},
		{"https://hooks.example.com/clockify/a%2fb?ws=1&x=~", true},
		{"https://hooks.example.com/%63lockify/a%2Fb?ws=1&x=%7e", true},
		{"https://hooks.example.com/clockify/a%2Fb?ws=1&x=%7E#top", true},

		{"http://hooks.example.com/clockify/a%2Fb?ws=1&x=%7E", false},
		{"https://hooks.example.com:8443/clockify/a%2Fb?ws=1&x=%7E", false},
		{"https://hooks.example.com:80/clockify/a%2Fb?ws=1&x=%7E", false},
		{"https://hooks.example.org/clockify/a%2Fb?ws=1&x=%7E", false},
		{"https://hooks.example.com/Clockify/a%2Fb?ws=1&x=%7E", false},
		{"https://hooks.example.com/clockify/a/b?ws=1&x=%7E", false}, // an escaped slash is not a slash
		{"https://hooks.example.com/clockify/a%2Fb/?ws=1&x=%7E", false},
		{"https://hooks.example.com/clockify/a%2Fb?ws=2&x=%7E", false},
		{"https://hooks.example.com/clockify/a%2Fb?WS=1&x=%7E", false},
		{"https://user@hooks.example.com/clockify/a%2Fb?ws=1&x=%7E", false},
		{"https://hooks.example.com/clockify/a%2Fb", false},
		{"", false},
		{"%zz", false},
	}
	for _, c := range cases {
		require.Equal(t, c.same, sameURL(c.listed, ours), c.listed)
		require.Equal(t, c.same, sameURL(ours, c.listed), "either way: %s", c.listed)
	}
	for _, c := range []struct{ a, b string }{
		{"http://127.0.0.1:80", "HTTP://127.0.0.1/"},
		{"https://[::1]:443/h", "https://[::1]/h"},
		{"https://h.example/%", "https://h.example/%"}, // as given, though no valid escape
		{"https://h.example/a%4", "https://h.example/a%4"},
	} {
		require.True(t, sameURL(c.a, c.b), "%s, %s", c.a, c.b)
	}
	require.False(t, sameURL("https://[::1]:8443/h", "https://[::1]/h"))
	require.Equal(t, "a~%2F%2Fb%ZZ%", normalEscapes("a%7e%2f%2Fb%ZZ%"))
	// The unreserved characters at the ends of their ranges, the reserved ones beside
	// them, and an escape cut short at the end (a query is not checked by url.Parse).
	require.Equal(t, "azAZ09-._~", normalEscapes("%61%7A%41%5a%30%39%2D%2e%5F%7e"))
	require.Equal(t, "%60%7B%40%5B%2F%3A%4", normalEscapes("%60%7b%40%5B%2f%3a%4"))
	require.True(t, sameURL("https://h.example/x?q=%4", "https://h.example/x?q=%4"))
	require.True(t, sameURL("https://h.example/x?q=%61%4", "https://h.example/x?q=a%4"))
}

// TestRetryEvent: a repair tries each refused event in turn, one an hour, also on a clock
// (WithClock) before 1970, whose Unix time is negative.
func TestRetryEvent(t *testing.T) {
	refused := []clockify.WebhookEvent{clockify.EventNewProject, clockify.EventTimerStopped, clockify.EventTimeEntrySplit}
	for _, at := range []time.Time{
		time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC),
		time.Date(1969, 6, 1, 10, 0, 0, 0, time.UTC),
	} {
		tried := map[clockify.WebhookEvent]bool{}
		for h := range len(refused) {
			tried[retryEvent(refused, at.Add(time.Duration(h)*time.Hour+59*time.Minute))] = true
		}
		require.Len(t, tried, len(refused), "at %v", at)
		require.Equal(t, retryEvent(refused, at), retryEvent(refused, at.Add(59*time.Minute)), "one an hour, at %v", at)
	}
}
