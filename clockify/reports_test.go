package clockify

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReportAcceptsBothEntryKeys(t *testing.T) {
	for _, body := range []string{`{"timeentries":[{"_id":"a"}]}`, `{"timeEntries":[{"_id":"a"}]}`} {
		var r DetailedReport
		require.NoError(t, json.Unmarshal([]byte(body), &r))
		require.Len(t, r.Entries, 1, body)
	}
	var r DetailedReport
	require.Error(t, json.Unmarshal([]byte(`[]`), &r))
	require.Error(t, json.Unmarshal([]byte(`{"totals":5}`), &r))
	require.Error(t, json.Unmarshal([]byte(`{"timeentries":5}`), &r))
}
