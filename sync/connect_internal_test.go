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
