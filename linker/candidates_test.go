package linker

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCandidatesMatchPortable compares candidates (SIMD on amd64) with the portable
// candidateBits on random texts rich in digits and lead bytes, at every block offset and
// at every alignment in a buffer.
func TestCandidatesMatchPortable(t *testing.T) { checkCandidatesMatchPortable(t) }

func checkCandidatesMatchPortable(t *testing.T) {
	const alphabet = "0123456789#-/ :aZ_.,\x00\x7f\x80\xff"
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 4096)
	for n := range 3000 {
		for k := range buf {
			buf[k] = alphabet[rng.IntN(len(alphabet))]
		}
		off, size := rng.IntN(64), n%200
		s := string(buf[off : off+size])
		for at := 0; at < len(s); at += 64 {
			require.Equal(t, candidateBits(s, at), candidates(s, at), "%q at %d", s, at)
		}
	}
}

func TestCandidateBits(t *testing.T) {
	cases := []struct {
		text string
		at   int
		want uint64
	}{
		{"#1 -22 /3 :4  5", 0, 1<<1 | 1<<4 | 1<<8 | 1<<11 | 1<<14},
		{"1 x2 v#3", 0, 1 << 7},                       // a digit at the start, or after a letter, is no candidate
		{"#123 #4", 0, 1<<1 | 1<<6},                   // one per run of digits
		{strings.Repeat("a", 63) + "#12", 64, 1 << 0}, // a lead byte in the block before
		{strings.Repeat("a", 63) + "1#2", 64, 1 << 1},
		{strings.Repeat("a", 64) + "12", 64, 0},
	}
	for _, c := range cases {
		require.Equal(t, c.want, candidates(c.text, c.at), "%q at %d", c.text, c.at)
		require.Equal(t, c.want, candidateBits(c.text, c.at), "%q at %d", c.text, c.at)
	}
}
