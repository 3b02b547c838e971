package sync

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// TestRetryEvent: a repair tries each refused event in turn, one an hour.
func TestRetryEvent(t *testing.T) {
	refused := []clockify.WebhookEvent{clockify.EventNewProject, clockify.EventTimerStopped, clockify.EventTimeEntrySplit}
	at := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	tried := map[clockify.WebhookEvent]bool{}
	for h := range len(refused) {
		tried[retryEvent(refused, at.Add(time.Duration(h)*time.Hour+59*time.Minute))] = true
	}
	require.Len(t, tried, len(refused))
	require.Equal(t, retryEvent(refused, at), retryEvent(refused, at.Add(59*time.Minute)), "one an hour")
}

// TestMembershipStatus: a member's status in a workspace is that of their membership of
// the workspace itself, not of one of its projects, nor of another workspace.
func TestMembershipStatus(t *testing.T) {
	u := clockify.User{Memberships: []clockify.Membership{
		{TargetID: "project-1", MembershipType: "PROJECT", MembershipStatus: clockify.MemberActive},
		{TargetID: "ws-2", MembershipType: "WORKSPACE", MembershipStatus: clockify.MemberActive},
		{TargetID: "ws-1", MembershipType: "WORKSPACE", MembershipStatus: clockify.MemberInactive},
	}}
	require.Equal(t, clockify.MemberInactive, membershipStatus(u, "ws-1"))
	require.Equal(t, clockify.MemberActive, membershipStatus(u, "ws-2"))
	require.Empty(t, membershipStatus(u, "ws-3"), "no membership listed")
	require.Empty(t, membershipStatus(clockify.User{Memberships: []clockify.Membership{
		{TargetID: "ws-1", MembershipType: "PROJECT", MembershipStatus: clockify.MemberActive}}}, "ws-1"), "a project that shares the id")
}

// TestStorable: text from Clockify or from an error is stored as valid UTF-8 without NUL,
// which PostgreSQL refuses; other text is left as it is.
func TestStorable(t *testing.T) {
	for in, want := range map[string]string{
		"#12 Fix login":      "#12 Fix login",
		"Zoë":                "Zoë",
		"a\x00b":             "a\uFFFDb",
		"\x00#12":            "\uFFFD#12",
		"caf\xe9 closed":     "caf\uFFFD closed",
		"\xff\xfe\x00 and é": "\uFFFD\uFFFD and é",
	} {
		require.Equal(t, want, storable(in), "%q", in)
	}
}
