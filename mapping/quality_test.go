package mapping

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// qualitySet reads testdata/quality.tsv: members, contributors and the login each member
// should get ("-" when it should stay unmapped).
func qualitySet(t testing.TB) (members []Member, contributors []Contributor, want map[string]string, notes map[string]string) {
	f, err := os.Open("testdata/quality.tsv")
	require.NoError(t, err)
	defer f.Close()
	want, notes = map[string]string{}, map[string]string{}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		col := strings.Split(line, "\t")
		require.Len(t, col, 7, line)
		n++
		if col[2] != "" {
			c := Contributor{Login: col[2], Name: col[3]}
			if col[4] != "" {
				c.Emails = strings.Split(col[4], ",")
			}
			contributors = append(contributors, c)
		}
		if col[0] != "" || col[1] != "" {
			id := fmt.Sprintf("m%03d", n)
			members = append(members, Member{ID: id, Name: col[0], Email: col[1], Status: "ACTIVE"})
			want[id], notes[id] = col[5], col[6]+": "+col[0]
		}
	}
	require.NoError(t, sc.Err())
	return members, contributors, want, notes
}

// TestQualitySet checks the automatic mapping on the labelled set: no wrong match, and at
// least 85% of the mappable members mapped.
func TestQualitySet(t *testing.T) {
	members, contributors, want, notes := qualitySet(t)
	require.GreaterOrEqual(t, len(members), 200)
	res, err := UserMatcher{}.Match(members, contributors, nil)
	require.NoError(t, err)
	mappable, mapped := 0, 0
	for _, m := range res.Matches {
		exp := want[m.MemberID]
		if exp != "-" {
			mappable++
		}
		if !m.Mapped() {
			if exp != "-" {
				t.Logf("missed %s → %s (%s; candidates %v)", notes[m.MemberID], exp, m.Reason, m.Candidates)
			}
			continue
		}
		require.Equal(t, exp, m.Login, "wrong match for %s (%s, %.3f)", notes[m.MemberID], m.Method, m.Score)
		mapped++
	}
	share := float64(mapped) / float64(mappable)
	t.Logf("mapped %d of %d mappable members (%.1f%%), no wrong match", mapped, mappable, 100*share)
	require.GreaterOrEqual(t, share, 0.85)
}
