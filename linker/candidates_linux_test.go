package linker

import (
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// TestCandidatesAtThePageEnd places texts at the very end of a readable page, followed by
// one that faults when read, and parses them: the 64-byte block read may go past the end
// of a text only inside its page.
func TestCandidatesAtThePageEnd(t *testing.T) {
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	require.NoError(t, err)
	t.Cleanup(func() { _ = syscall.Munmap(mem) })
	require.NoError(t, syscall.Mprotect(mem[page:], syscall.PROT_NONE))

	// Longer than a block, so that the second block also ends at the page's end.
	const tail = "x PR #12 and https://github.com/o/r/pull/3 #4, acme/web#5, GH-6, pull request 7 and #8"
	for n := 1; n <= len(tail); n++ {
		text := mem[page-n : page]
		copy(text, tail[len(tail)-n:])
		s := unsafe.String(&text[0], n)
		for at := 0; at < n; at += 64 {
			require.Equal(t, candidateBits(s, at), candidates(s, at), "%q", s)
		}
		require.Equal(t, Find(string(text)), Find(s), "%q", s) // string(text) is a copy on the heap
	}
}
