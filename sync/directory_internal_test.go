package sync

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
)

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
