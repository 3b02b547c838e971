//go:build !amd64 || purego

package linker

// candidates returns the mask of reference candidates in the (up to) 64 bytes of s from
// at; see candidateBits.
func candidates(s string, at int) uint64 { return candidateBits(s, at) }
