package sync

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAddWindowRead: the ends of window reads are kept in order, once each, and at most
// maxWindowReads of them: past that, the latest replaces the last, and an earlier one is
// dropped.
func TestAddWindowRead(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 11, 30, h, 0, 0, 0, time.UTC) }
	var reads []time.Time
	for _, h := range []int{5, 3, 4, 3} {
		reads = addWindowRead(reads, at(h))
	}
	require.Equal(t, []time.Time{at(3), at(4), at(5)}, reads)
	for h := 6; len(reads) < maxWindowReads; h++ {
		reads = addWindowRead(reads, at(h))
	}
	last := reads[len(reads)-1]
	reads = addWindowRead(reads, at(23))
	require.Len(t, reads, maxWindowReads)
	require.Equal(t, at(23), reads[len(reads)-1], "the latest replaces the last")
	require.NotContains(t, reads, last)
	reads = addWindowRead(reads, at(0))
	require.Len(t, reads, maxWindowReads)
	require.Equal(t, at(3), reads[0], "an earlier one is dropped when full")
}
