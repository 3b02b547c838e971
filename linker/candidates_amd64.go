//go:build amd64 && !purego

package linker

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// candidateBlock is candidateBits for the 64 bytes at p, with SSE2 (which every amd64 CPU
// has); see candidates_amd64.s. Bit 0 is never set.
//
//go:noescape
func candidateBlock(p *byte) uint64

// candidateBlockAVX2 is candidateBlock with AVX2, in half the instructions.
//
//go:noescape
func candidateBlockAVX2(p *byte) uint64

// hasAVX2 chooses the kernel; tests turn it off to check the SSE2 one.
var hasAVX2 = cpu.X86.HasAVX2

// candidates returns the mask of reference candidates in the (up to) 64 bytes of s from
// at: bit k is set when s[at+k] starts a run of digits right after a lead byte.
//
// The block is read whole, even past the end of s, when those bytes lie in the same
// 4 KiB page as the last byte of s: memory is mapped or not a page at a time, and no
// amd64 page is smaller, so the read cannot fault; the bits past the end are cleared.
// Near the end of a page the portable code does it.
func candidates(s string, at int) uint64 {
	n := min(len(s)-at, 64)
	p := unsafe.Add(unsafe.Pointer(unsafe.StringData(s)), at)
	if (uintptr(p)+63)>>12 != (uintptr(p)+uintptr(n)-1)>>12 {
		return candidateBits(s, at)
	}
	var c uint64
	if hasAVX2 {
		c = candidateBlockAVX2((*byte)(p))
	} else {
		c = candidateBlock((*byte)(p))
	}
	c &= ^uint64(0) >> ((64 - n) & 63)
	if at > 0 && class[s[at-1]]&lead != 0 && isDigit(s[at]) {
		c |= 1
	}
	return c
}
