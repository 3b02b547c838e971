//go:build amd64 && !purego

package linker

import "testing"

// TestCandidatesSSE2 checks the SSE2 kernel where candidates would choose AVX2.
func TestCandidatesSSE2(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2: TestCandidatesMatchPortable already checks the SSE2 kernel")
	}
	hasAVX2 = false
	defer func() { hasAVX2 = true }()
	checkCandidatesMatchPortable(t)
}
