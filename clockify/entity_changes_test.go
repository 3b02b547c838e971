package clockify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

const changesURL = coreBase + "v1/workspaces/" + ws + "/entities/"

func TestEntityChangeRequests(t *testing.T) {
	c, mt := newMockClient(t)
	ctx := context.Background()
	got := respond(mt, http.MethodGet, changesURL+"updated", 200, `[]`)
	_, _, err := c.EntityChanges.Updated(ctx, ws, &EntityChangeOptions{
		Types:       []EntityType{EntityTimeEntry, EntityCustomFieldValue},
		Start:       time.Date(2026, 11, 1, 9, 30, 15, 500, time.FixedZone("AEDT", 11*3600)),
		End:         time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC),
		ListOptions: ListOptions{Page: 3, PageSize: 200},
	})
	require.NoError(t, err)
	q := got.url.Query()
	require.Equal(t, []string{"TIME_ENTRY", "TIME_ENTRY_CUSTOM_FIELD_VALUE"}, q["type"])
	require.Equal(t, "2026-10-31T22:30:15Z", q.Get("start"))
	require.Equal(t, "2026-11-02T00:00:00Z", q.Get("end"))
	require.Equal(t, "3", q.Get("page"))
	require.Equal(t, "200", q.Get("limit"))
	require.Empty(t, q.Get("page-size"))

	// Zero values leave Clockify's defaults: no page, no limit, no range.
	got = respond(mt, http.MethodGet, changesURL+"created", 200, `[]`)
	_, _, err = c.EntityChanges.Created(ctx, ws, &EntityChangeOptions{Types: []EntityType{EntityTimeEntry}})
	require.NoError(t, err)
	require.Equal(t, "type=TIME_ENTRY", got.url.RawQuery)
}

func TestEntityChangeArgumentsSendNothing(t *testing.T) {
	c, mt := newMockClient(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	entries := []EntityType{EntityTimeEntry}
	cases := []struct {
		name  string
		ws    string
		opts  *EntityChangeOptions
		field string
	}{
		{"no options", ws, nil, "Types"},
		{"no type", ws, &EntityChangeOptions{}, "Types"},
		{"empty type", ws, &EntityChangeOptions{Types: []EntityType{""}}, "Types"},
		{"end before start", ws, &EntityChangeOptions{Types: entries, Start: at, End: at.Add(-time.Second)}, "End"},
		{"negative page", ws, &EntityChangeOptions{Types: entries, ListOptions: ListOptions{Page: -1}}, "Page"},
		{"page too large", ws, &EntityChangeOptions{Types: entries, ListOptions: ListOptions{PageSize: MaxPageSize + 1}}, "PageSize"},
		{"no workspace", " ", &EntityChangeOptions{Types: entries}, "workspaceID"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ae *ArgumentError
			_, _, err := c.EntityChanges.Created(ctx, tc.ws, tc.opts)
			require.ErrorAs(t, err, &ae)
			require.Equal(t, tc.field, ae.Field)
			_, _, err = c.EntityChanges.Deleted(ctx, tc.ws, tc.opts)
			require.ErrorAs(t, err, &ae)
			if tc.field == "Page" {
				return // the iterators choose the pages themselves
			}
			for _, err := range c.EntityChanges.AllUpdated(ctx, tc.ws, tc.opts) {
				require.ErrorAs(t, err, &ae)
			}
		})
	}
	require.Zero(t, mt.GetTotalCallCount())
}

func TestEntityChangeDecoding(t *testing.T) {
	c, mt := newMockClient(t)
	respond(mt, http.MethodGet, changesURL+"created", 200, `[
	 {"documentType":"TIME_ENTRY","id":"e1","description":"PR #12 review","userId":"u1","workspaceId":"`+ws+`",
	  "projectId":"p1","taskId":null,"tagIds":null,"billable":true,"type":"REGULAR","approvalStatus":"UNSUBMITTED",
	  "timeInterval":{"start":"2026-11-02T09:00:00Z","end":"2026-11-02T10:30:00Z","duration":"PT1H30M",
	    "offsetStart":39600,"offsetEnd":39600,"zonedStart":"2026-11-02T20:00:00+11:00","timeZone":{}},
	  "auditMetadata":{"createdAt":"2026-11-02T10:30:05+00:00","updatedAt":"2026-11-02T10:31:00Z"}},
	 {"documentType":"TIME_ENTRY_CUSTOM_FIELD_VALUE","id":"v1","customFieldId":"f1","timeEntryId":"e1",
	  "sourceType":"TIMEENTRY","value":"CF-001","auditMetadata":{"createdAt":"2026-11-02T11:00:00Z","updatedAt":"2026-11-02T11:00:00Z"}},
	 {"documentType":"TIME_ENTRY_RATE","id":"r1","amount":10500}
	]`)
	changes, _, err := c.EntityChanges.Created(context.Background(), ws, &EntityChangeOptions{Types: []EntityType{EntityTimeEntry}})
	require.NoError(t, err)
	require.Len(t, changes, 3)

	e := changes[0]
	require.Equal(t, EntityTimeEntry, e.DocumentType)
	require.Equal(t, "e1", e.ID)
	require.Equal(t, time.Date(2026, 11, 2, 10, 30, 5, 0, time.UTC), e.CreatedAt)
	require.Equal(t, time.UTC, e.CreatedAt.Location())
	require.Equal(t, time.Date(2026, 11, 2, 10, 31, 0, 0, time.UTC), e.UpdatedAt)
	require.NotNil(t, e.TimeEntry)
	require.Nil(t, e.CustomFieldValue)
	require.Equal(t, "e1", e.TimeEntry.ID)
	require.Equal(t, "PR #12 review", e.TimeEntry.Description)
	require.Equal(t, "p1", e.TimeEntry.ProjectID)
	require.True(t, e.TimeEntry.Billable)
	require.Equal(t, 90*time.Minute, e.TimeEntry.TimeInterval.Duration.Std())
	require.Contains(t, string(e.Raw), `"approvalStatus":"UNSUBMITTED"`, "Raw keeps what the types leave out")

	v := changes[1]
	require.Nil(t, v.TimeEntry)
	require.NotNil(t, v.CustomFieldValue)
	require.Equal(t, "f1", v.CustomFieldValue.CustomFieldID)
	require.Equal(t, "e1", v.CustomFieldValue.TimeEntryID)
	require.JSONEq(t, `"CF-001"`, string(v.CustomFieldValue.Value))

	r := changes[2]
	require.Equal(t, EntityTimeEntryRate, r.DocumentType)
	require.Nil(t, r.TimeEntry)
	require.Nil(t, r.CustomFieldValue)
	require.JSONEq(t, `{"documentType":"TIME_ENTRY_RATE","id":"r1","amount":10500}`, string(r.Raw))

	// Raw is a copy: the decoder's input may be reused.
	buf := []byte(`{"documentType":"TIME_ENTRY_RATE","id":"r2"}`)
	var kept EntityChange
	require.NoError(t, json.Unmarshal(buf, &kept))
	copy(buf, strings.Repeat("x", len(buf)))
	require.JSONEq(t, `{"documentType":"TIME_ENTRY_RATE","id":"r2"}`, string(kept.Raw))

	// A time entry whose fields do not decode is a decode error, not a half-filled change.
	respond(mt, http.MethodGet, changesURL+"updated", 200, `[{"documentType":"TIME_ENTRY","id":"e1","timeInterval":{"start":"yesterday"}}]`)
	_, _, err = c.EntityChanges.Updated(context.Background(), ws, &EntityChangeOptions{Types: []EntityType{EntityTimeEntry}})
	require.Error(t, err)
}

func TestDeletedEntitiesInBothShapes(t *testing.T) {
	record := `{"id":"b1","deletionBinId":"bin1","deletedAt":"2026-11-02T23:15:54.790Z","documentType":"TIME_ENTRY",
		"eligibleForRestore":true,"document":{"id":"e1","description":"#12","userId":"u1",
		"timeInterval":{"start":"2026-11-02T09:00:00Z","end":"2026-11-02T10:00:00Z","duration":"PT1H"}}}`
	mongo := `{"id":"b2","documentType":"TIME_ENTRY","document":{"_id":"e2","description":"old"}}`
	cfv := `{"id":"b3","documentType":"TIME_ENTRY_CUSTOM_FIELD_VALUE","document":{"customFieldId":"f1"}}`
	for name, body := range map[string]string{
		"wrapped, as described": `{"response":[` + record + `,` + mongo + `,` + cfv + `]}`,
		"bare, as in the guide": `[` + record + `,` + mongo + `,` + cfv + `]`,
	} {
		t.Run(name, func(t *testing.T) {
			c, mt := newMockClient(t)
			respond(mt, http.MethodGet, changesURL+"deleted", 200, body)
			gone, _, err := c.EntityChanges.Deleted(context.Background(), ws, &EntityChangeOptions{Types: []EntityType{EntityTimeEntry}})
			require.NoError(t, err)
			require.Len(t, gone, 3)
			require.Equal(t, "b1", gone[0].ID)
			require.Equal(t, "bin1", gone[0].DeletionBinID)
			require.True(t, gone[0].EligibleForRestore)
			require.Equal(t, time.Date(2026, 11, 2, 23, 15, 54, 790e6, time.UTC), gone[0].DeletedAt)
			e, err := gone[0].TimeEntry()
			require.NoError(t, err)
			require.Equal(t, "e1", e.ID)
			require.Equal(t, "#12", e.Description)
			require.Equal(t, time.Hour, e.TimeInterval.Duration.Std())
			e, err = gone[1].TimeEntry()
			require.NoError(t, err)
			require.Equal(t, "e2", e.ID, "a document keyed _id")
			_, err = gone[2].TimeEntry()
			require.ErrorContains(t, err, "not a time entry")
			bad := DeletedEntity{DocumentType: EntityTimeEntry, Document: json.RawMessage(`{"timeInterval":{"start":"` + testKey + `"}}`)}
			_, err = bad.TimeEntry()
			require.EqualError(t, err, "clockify: the deleted time entry does not decode: a time that is not RFC 3339")
		})
	}
}

// changePages answers the entity-change list with total items, size per page, pages
// counted from base (0 or 1; a server counting from 1 reads page 0 as 1). The "page"
// parameter of every request is recorded in pages ("" when none was sent).
func changePages(mt *httpmock.MockTransport, which string, total, size, base int, pages *[]string) {
	var mu sync.Mutex
	mt.RegisterResponder(http.MethodGet, changesURL+which, func(r *http.Request) (*http.Response, error) {
		p := r.URL.Query().Get("page")
		mu.Lock()
		*pages = append(*pages, p)
		mu.Unlock()
		n, _ := strconv.Atoi(p)
		if base == 1 && n < 1 {
			n = 1
		}
		var items []string
		for i := (n - base) * size; i < min((n-base+1)*size, total); i++ {
			items = append(items, fmt.Sprintf(`{"documentType":"TIME_ENTRY","id":"e%d"}`, i))
		}
		return httpmock.NewStringResponse(200, "["+strings.Join(items, ",")+"]"), nil
	})
}

func TestChangeIteratorFindsWherePagesStart(t *testing.T) {
	for _, tc := range []struct {
		name       string
		total      int
		base       int
		wantPages  []string
		wantLength int
	}{
		{"counted from 0", 7, 0, []string{"", "1", "2", "3"}, 7},
		{"counted from 1: page 1 repeats page 0 and is dropped", 7, 1, []string{"", "1", "2", "3", "4"}, 7},
		{"counted from 0, one page", 2, 0, []string{"", "1"}, 2},
		{"counted from 1, one page", 2, 1, []string{"", "1", "2"}, 2},
		{"empty", 0, 1, []string{""}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := newMockClient(t)
			var pages []string
			// Clockify serves 3 a page whatever the limit: a short page is not the end.
			changePages(mt, "created", tc.total, 3, tc.base, &pages)
			var ids []string
			for ch, err := range c.EntityChanges.AllCreated(context.Background(), ws, &EntityChangeOptions{
				Types: []EntityType{EntityTimeEntry}, ListOptions: ListOptions{Page: 9, PageSize: 10}}) {
				require.NoError(t, err)
				ids = append(ids, ch.ID)
			}
			require.Equal(t, tc.wantPages, pages)
			require.Len(t, ids, tc.wantLength)
			for i, id := range ids {
				require.Equal(t, "e"+strconv.Itoa(i), id, "in order, none twice")
			}
		})
	}
}

// TestChangeIteratorOnAListThatGrew: on a server counting from 1, a change to a list of
// less than a page between the first two requests (a deletion listed meanwhile) makes
// page 1 differ from page 0: it is taken for the next page, so the first page's items
// come twice, and none is lost.
func TestChangeIteratorOnAListThatGrew(t *testing.T) {
	c, mt := newMockClient(t)
	var pages []string
	mt.RegisterResponder(http.MethodGet, changesURL+"deleted", func(r *http.Request) (*http.Response, error) {
		pages = append(pages, r.URL.Query().Get("page"))
		items := map[int]string{1: `{"id":"b0"}`, 2: `{"id":"b0"},{"id":"b1"}`}[len(pages)] // then none
		return httpmock.NewStringResponse(200, `{"response":[`+items+`]}`), nil
	})
	var ids []string
	for d, err := range c.EntityChanges.AllDeleted(context.Background(), ws, &EntityChangeOptions{Types: []EntityType{EntityTimeEntry}}) {
		require.NoError(t, err)
		ids = append(ids, d.ID)
	}
	require.Equal(t, []string{"", "1", "2"}, pages)
	require.Equal(t, []string{"b0", "b0", "b1"}, ids)
}

func TestChangeIteratorStops(t *testing.T) {
	ctx := context.Background()
	opts := &EntityChangeOptions{Types: []EntityType{EntityTimeEntry}}

	// On Last-Page: true.
	c, mt := newMockClient(t)
	got := respond(mt, http.MethodGet, changesURL+"updated", 200, `[{"documentType":"TIME_ENTRY","id":"e0"}]`, "Last-Page", "true")
	n := 0
	for _, err := range c.EntityChanges.AllUpdated(ctx, ws, opts) {
		require.NoError(t, err)
		n++
	}
	require.Equal(t, 1, n)
	require.Equal(t, 1, mt.GetTotalCallCount())
	require.Equal(t, strconv.Itoa(DefaultPageSize), got.url.Query().Get("limit"), "the iterators ask for big pages")
	c, mt = newMockClient(t)
	got = respond(mt, http.MethodGet, changesURL+"updated", 200, `[]`, "Last-Page", "true")
	for _, err := range c.EntityChanges.AllUpdated(ctx, ws, &EntityChangeOptions{Types: opts.Types, ListOptions: ListOptions{PageSize: 1}}) {
		require.NoError(t, err)
	}
	require.Equal(t, "1", got.url.Query().Get("limit"), "unless asked for pages of one")

	// On a page after the second that repeats the one before: the server ignores "page".
	c, mt = newMockClient(t)
	var pages []string
	mt.RegisterResponder(http.MethodGet, changesURL+"deleted", func(r *http.Request) (*http.Response, error) {
		pages = append(pages, r.URL.Query().Get("page"))
		id := "b" + r.URL.Query().Get("page")
		if len(pages) > 2 {
			id = "b1"
		}
		return httpmock.NewStringResponse(200, `{"response":[{"id":"`+id+`","documentType":"TIME_ENTRY"}]}`), nil
	})
	var ids []string
	var last error
	for d, err := range c.EntityChanges.AllDeleted(ctx, ws, opts) {
		if err != nil {
			last = err
			continue
		}
		ids = append(ids, d.ID)
	}
	require.ErrorIs(t, last, ErrRepeatedPage)
	require.ErrorContains(t, last, "page 2 repeats page 1")
	require.Equal(t, []string{"b", "b1"}, ids)
	require.Equal(t, []string{"", "1", "2"}, pages)

	// When the consumer stops, and on the first error, yielded once.
	c, mt = newMockClient(t)
	changePages(mt, "created", 100, 3, 0, &pages)
	pages = nil
	for range c.EntityChanges.AllCreated(ctx, ws, opts) {
		break
	}
	require.Equal(t, []string{""}, pages)
	respond(mt, http.MethodGet, changesURL+"updated", 403, `{"message":"Access Denied","code":501}`)
	errs := 0
	for _, err := range c.EntityChanges.AllUpdated(ctx, ws, opts) {
		require.ErrorIs(t, err, ErrForbidden)
		errs++
	}
	require.Equal(t, 1, errs)
}

func TestChangeIteratorIsReusable(t *testing.T) {
	c, mt := newMockClient(t)
	var pages []string
	changePages(mt, "created", 7, 3, 1, &pages)
	seq := c.EntityChanges.AllCreated(context.Background(), ws, &EntityChangeOptions{Types: []EntityType{EntityTimeEntry}})
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for g := range counts {
		wg.Go(func() {
			for _, err := range seq {
				if err == nil {
					counts[g]++ // each goroutine its own element
				}
			}
		})
	}
	wg.Wait()
	require.Equal(t, []int{7, 7}, counts, "ranged at once from two goroutines, each reads every page")
}
