package clockify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
)

// subsetFile holds the part of Clockify's OpenAPI description that the client and the
// fake use: the operations of their routes and the schemas the checks below look up,
// with only the keys they read. TestOpenAPISubsetIsCurrent derives it from the whole
// description (../shared/clockify/openapi.json, 1 MB, kept beside the repository, not in
// it), so that these tests run wherever the repository is, CI included.
const subsetFile = "testdata/openapi-subset.json"

var update = flag.Bool("update", false, "write "+subsetFile+" from ../shared/clockify/openapi.json")

// readOpenAPI reads the subset of Clockify's OpenAPI description.
func readOpenAPI(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(subsetFile)
	require.NoError(t, err)
	return b
}

// openAPI is the part of Clockify's OpenAPI description the tests read.
type openAPI struct {
	// Paths holds each path's operations by lower-case method (and its "servers").
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]*apiSchema `json:"schemas"`
	} `json:"components"`

	used map[string]bool // when not nil, resolve records here the schemas it looks up
}

type apiOperation struct {
	OperationID string             `json:"operationId,omitempty"`
	Tags        []string           `json:"tags,omitempty"`
	Parameters  []apiParameter     `json:"parameters,omitempty"`
	RequestBody *apiBody           `json:"requestBody,omitempty"`
	Responses   map[string]apiBody `json:"responses,omitempty"`
}

// apiBody is a request's or an answer's body, by media type.
type apiBody struct {
	Content map[string]struct {
		Schema *apiSchema `json:"schema,omitempty"`
	} `json:"content,omitempty"`
}

type apiParameter struct {
	Name     string `json:"name"`
	In       string `json:"in"` // path, query or header
	Required bool   `json:"required,omitempty"`
}

type apiSchema struct {
	Ref        string                `json:"$ref,omitempty"`
	Type       string                `json:"type,omitempty"`
	Properties map[string]*apiSchema `json:"properties,omitempty"`
	Required   []string              `json:"required,omitempty"`
	Items      *apiSchema            `json:"items,omitempty"`
	AllOf      []*apiSchema          `json:"allOf,omitempty"`
	OneOf      []*apiSchema          `json:"oneOf,omitempty"`
	Enum       []any                 `json:"enum,omitempty"`
	MinLength  *int                  `json:"minLength,omitempty"`
	MaxLength  *int                  `json:"maxLength,omitempty"`
	Pattern    string                `json:"pattern,omitempty"`
}

func loadOpenAPI(t *testing.T) *openAPI {
	t.Helper()
	var spec openAPI
	require.NoError(t, json.Unmarshal(readOpenAPI(t), &spec))
	return &spec
}

// operation finds the operation that serves a request for path (its ids written as
// "{...}" segments), or reports false.
func (o *openAPI) operation(t *testing.T, method, path string) (*apiOperation, bool) {
	t.Helper()
	key, ok := o.pathKey(method, path)
	if !ok {
		return nil, false
	}
	var op apiOperation
	require.NoError(t, json.Unmarshal(o.Paths[key][strings.ToLower(method)], &op))
	return &op, true
}

// pathKey finds the path of the description whose method serves a request for path.
func (o *openAPI) pathKey(method, path string) (string, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for p, ops := range o.Paths {
		ps := strings.Split(strings.Trim(p, "/"), "/")
		if len(ps) != len(segs) {
			continue
		}
		match := true
		for i := range ps {
			template, id := strings.HasPrefix(ps[i], "{"), strings.HasPrefix(segs[i], "{")
			if template != id || (!template && ps[i] != segs[i]) {
				match = false
				break
			}
		}
		if _, ok := ops[strings.ToLower(method)]; match && ok {
			return p, true
		}
	}
	return "", false
}

// resolve follows a schema's reference and gathers the properties of its allOf and oneOf
// parts, so that a field any of them names is found.
func (o *openAPI) resolve(s *apiSchema) *apiSchema {
	for s != nil && s.Ref != "" {
		name := strings.TrimPrefix(s.Ref, "#/components/schemas/")
		if o.used != nil {
			o.used[name] = true
		}
		s = o.Components.Schemas[name]
	}
	if s == nil || (len(s.AllOf) == 0 && len(s.OneOf) == 0) {
		return s
	}
	out := &apiSchema{Type: s.Type, Items: s.Items, Required: s.Required, Properties: map[string]*apiSchema{}}
	maps.Copy(out.Properties, s.Properties)
	for _, part := range slices.Concat(s.AllOf, s.OneOf) {
		if r := o.resolve(part); r != nil {
			maps.Copy(out.Properties, r.Properties)
		}
	}
	return out
}

// sentCall is what one client call sent, and what it decoded into.
type sentCall struct {
	method, path string // the path with its ids as "{id}"
	query        []string
	body         any
	result       reflect.Type
}

// everyCall makes every client call once, with every option set, against a mock that
// records each request, so that every query parameter and body field the client can send
// is sent once.
func everyCall(t *testing.T) []sentCall {
	t.Helper()
	var calls []sentCall
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		path := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/api"), "/report")
		// Ids in these calls are "ID"; make them template segments.
		c := sentCall{method: r.Method, path: strings.ReplaceAll(path, "/ID", "/{id}")}
		for k := range r.URL.Query() {
			c.query = append(c.query, k)
		}
		if r.Body != nil {
			b, err := io.ReadAll(r.Body)
			require.NoError(t, err)
			if len(bytes.TrimSpace(b)) > 0 {
				require.NoError(t, json.Unmarshal(b, &c.body), "%s %s", r.Method, path)
			}
		}
		calls = append(calls, c)
		return httpmock.NewStringResponse(200, `{}`), nil
	})
	c, err := clockify.NewClient(clockify.WithAPIKey("k"), clockify.WithHTTPClient(&http.Client{Transport: mt}),
		clockify.WithBaseURL("https://x/api/"), clockify.WithReportsURL("https://r/report/"),
		clockify.WithRetryPolicy(clockify.RetryPolicy{MaxAttempts: 1}), clockify.WithRateLimit(1000, 100))
	require.NoError(t, err)
	ctx := context.Background()
	const id = "ID"
	now := time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)
	page := clockify.ListOptions{Page: 2, PageSize: 10}
	hook := &clockify.WebhookRequest{Name: "ab", URL: "https://x", WebhookEvent: clockify.EventNewProject,
		TriggerSourceType: clockify.TriggerProject, TriggerSource: []string{id}}
	entry := &clockify.TimeEntryRequest{Start: now, End: &now, Billable: new(true), Description: "d",
		ProjectID: id, TaskID: id, TagIDs: []string{id}, Type: "REGULAR"}
	changes := &clockify.EntityChangeOptions{Types: []clockify.EntityType{clockify.EntityTimeEntry},
		Start: now, End: now, ListOptions: page}

	// record runs one call and keeps the type it decodes into with what it sent.
	record := func(result any) {
		require.NotEmpty(t, calls, "a call sent nothing")
		calls[len(calls)-1].result = reflect.TypeOf(result)
	}
	r1, _, _ := c.Users.Current(ctx)
	record(r1)
	r2, _, _ := c.Users.List(ctx, id, &clockify.UserListOptions{Email: "e", Name: "n",
		Status: clockify.MemberActive, AccountStatuses: []clockify.AccountStatus{clockify.AccountLimited},
		IncludeMemberships: true, ListOptions: page})
	record(r2)
	r3, _, _ := c.Workspaces.List(ctx)
	record(r3)
	r4, _, _ := c.Workspaces.Get(ctx, id)
	record(r4)
	r5, _, _ := c.Projects.List(ctx, id, &clockify.ProjectListOptions{Name: "n", StrictName: true, Archived: new(false),
		Billable: new(true), Hydrated: true, ListOptions: page})
	record(r5)
	r6, _, _ := c.Projects.Get(ctx, id, id)
	record(r6)
	r24, _, _ := c.Projects.Create(ctx, id, &clockify.ProjectRequest{Name: "ab", ClientID: id, Color: "#000000",
		Note: "n", Billable: new(true), Public: new(true)})
	record(r24)
	r25, _, _ := c.Projects.Update(ctx, id, id, &clockify.ProjectUpdate{Name: new("ab"), ClientID: new(id),
		Color: new("#000000"), Note: new("n"), Billable: new(true), Public: new(true), Archived: new(true)})
	record(r25)
	_, _ = c.Projects.Delete(ctx, id, id)
	record(nil)
	r7, _, _ := c.TimeEntries.List(ctx, id, id, &clockify.TimeEntryListOptions{Start: now, End: now,
		Description: "d", Project: id, Task: id, ProjectRequired: true, TaskRequired: true, Hydrated: true,
		InProgress: new(false), ListOptions: page})
	record(r7)
	r8, _, _ := c.TimeEntries.Get(ctx, id, id, true)
	record(r8)
	r9, _, _ := c.TimeEntries.ListInProgress(ctx, id, &page)
	record(r9)
	r10, _, _ := c.TimeEntries.Create(ctx, id, entry)
	record(r10)
	r11, _, _ := c.TimeEntries.CreateForUser(ctx, id, id, entry)
	record(r11)
	r12, _, _ := c.TimeEntries.Update(ctx, id, id, entry)
	record(r12)
	r13, _, _ := c.TimeEntries.Stop(ctx, id, id, now)
	record(r13)
	_, _ = c.TimeEntries.Delete(ctx, id, id)
	record(nil)
	r14, _, _ := c.Webhooks.List(ctx, id)
	record(r14)
	r15, _, _ := c.Webhooks.Get(ctx, id, id)
	record(r15)
	r16, _, _ := c.Webhooks.Create(ctx, id, hook)
	record(r16)
	r17, _, _ := c.Webhooks.Update(ctx, id, id, hook)
	record(r17)
	_, _ = c.Webhooks.Delete(ctx, id, id)
	record(nil)
	r18, _, _ := c.Webhooks.RegenerateToken(ctx, id, id)
	record(r18)
	r19, _, _ := c.Webhooks.Logs(ctx, id, id, &clockify.WebhookLogOptions{From: now, To: now,
		Status: clockify.LogsFailed, SortByNewest: true, Page: 2, Size: 10})
	record(r19)
	r20, _, _ := c.Reports.Detailed(ctx, id, &clockify.DetailedReportRequest{Start: now, End: now,
		Users: []string{id}, Projects: []string{id}, Billable: new(true), TimeZone: "Europe/Berlin",
		Page: 2, PageSize: 10})
	record(r20)
	r21, _, _ := c.EntityChanges.Created(ctx, id, changes)
	record(r21)
	r22, _, _ := c.EntityChanges.Updated(ctx, id, changes)
	record(r22)
	r23, _, _ := c.EntityChanges.Deleted(ctx, id, changes)
	record(r23)
	return calls
}

// TestRoutesMatchOpenAPI checks every route the client calls, and every route the fake
// serves, against Clockify's OpenAPI description, and that the client calls every route
// the fake serves: one served and not called is a call a host cannot make through the
// client (projects were created, changed and deleted so before the client could).
func TestRoutesMatchOpenAPI(t *testing.T) {
	spec := loadOpenAPI(t)
	calls := everyCall(t)
	routes := map[string]bool{}
	for _, c := range calls {
		routes[c.method+" "+c.path] = true
		_, ok := spec.operation(t, c.method, c.path)
		require.True(t, ok, "client route %s %s is not in the OpenAPI description", c.method, c.path)
	}
	require.Len(t, routes, 28)

	srv := clockifytest.NewServer()
	defer srv.Close()
	var served []string
	for _, route := range srv.Routes() {
		method, path, _ := strings.Cut(route, " ")
		path = strings.TrimPrefix(strings.TrimPrefix(path, "/api"), "/report")
		_, ok := spec.operation(t, method, path)
		require.True(t, ok, "fake route %s is not in the OpenAPI description", route)
		segs := strings.Split(path, "/")
		for i, seg := range segs {
			if strings.HasPrefix(seg, "{") {
				segs[i] = "{id}" // as the client's calls name every parameter
			}
		}
		served = append(served, method+" "+strings.Join(segs, "/"))
	}
	require.ElementsMatch(t, slices.Collect(maps.Keys(routes)), served)
}

// optionalParameters are the query parameters Clockify's OpenAPI description marks
// required that the client leaves out, each with why.
var optionalParameters = map[string]string{
	"include-roles": "the description marks it required with a default of false; API-NOTES.md treats it as optional",
}

// TestRequestsMatchOpenAPI checks that every query parameter and every body field the
// client sends is one Clockify's OpenAPI description lists for that call (a misspelt name
// would be ignored by Clockify without an error, and the filter or field lost), and that
// the ones it marks required are sent.
func TestRequestsMatchOpenAPI(t *testing.T) {
	// Every option of every call was set, so this counts every name the client can send.
	require.Equal(t, 113, checkRequests(t, loadOpenAPI(t), everyCall(t)))
}

// checkRequests checks what the calls sent against spec, and returns how many names it
// checked.
func checkRequests(t *testing.T, spec *openAPI, calls []sentCall) int {
	t.Helper()
	sent := 0
	for _, c := range calls {
		op, ok := spec.operation(t, c.method, c.path)
		require.True(t, ok, "%s %s", c.method, c.path)
		for _, q := range c.query {
			require.True(t, slices.ContainsFunc(op.Parameters, func(p apiParameter) bool { return p.In == "query" && p.Name == q }),
				"%s %s: query parameter %q is not in the OpenAPI description", c.method, c.path, q)
			sent++
		}
		for _, p := range op.Parameters {
			if _, excused := optionalParameters[p.Name]; p.In == "query" && p.Required && !excused {
				require.Contains(t, c.query, p.Name, "%s %s: required query parameter not sent", c.method, c.path)
			}
		}
		if c.body == nil {
			continue
		}
		require.NotNil(t, op.RequestBody, "%s %s sends a body the OpenAPI description has none for", c.method, c.path)
		for _, media := range op.RequestBody.Content {
			sent += checkBody(t, spec, c.method+" "+c.path, c.body, media.Schema)
		}
	}
	return sent
}

// checkBody checks every key of a decoded JSON body against a schema, nested objects and
// arrays included, and returns how many keys it checked.
func checkBody(t *testing.T, spec *openAPI, where string, v any, s *apiSchema) int {
	t.Helper()
	switch v.(type) {
	case map[string]any, []any:
	default:
		return 0 // a value: its key was checked
	}
	s = spec.resolve(s)
	require.NotNil(t, s, "%s: no schema", where)
	n := 0
	switch v := v.(type) {
	case map[string]any:
		for _, k := range s.Required {
			require.Contains(t, v, k, "%s: required body field not sent", where)
		}
		for k, x := range v {
			p, ok := s.Properties[k]
			require.True(t, ok, "%s: body field %q is not in the OpenAPI description", where, k)
			n += 1 + checkBody(t, spec, where+"."+k, x, p)
		}
	case []any:
		for _, x := range v {
			n += checkBody(t, spec, where+"[]", x, s.Items)
		}
	}
	return n
}

// liveSchemas replaces a schema of Clockify's OpenAPI description that is known to
// list less than Clockify sends with the fuller schema of the same object: the project
// list and get answers (ProjectDtoV1) carry the fields of the create and update answers
// (ProjectDtoImplV1), as API-NOTES.md records from live answers.
var liveSchemas = map[string]string{"ProjectDtoV1": "ProjectDtoImplV1"}

// undocumentedFields are the fields the client decodes that Clockify's OpenAPI
// description does not list in a call's answer, each with why it is decoded anyway.
var undocumentedFields = map[string]string{
	"TimeEntry.project": "hydrated entries and webhook deliveries carry it (clockify-cli's dto.TimeEntry, webhook samples)",
	"TimeEntry.task":    "hydrated entries and webhook deliveries carry it (clockify-cli's dto.TimeEntry, webhook samples)",
	"TimeEntry.user":    "hydrated entries and webhook deliveries carry it (clockify-cli's dto.TimeEntry, webhook samples)",
	"TimeEntry.tags":    "hydrated entries and webhook deliveries carry it (clockify-cli's dto.TimeEntry, webhook samples)",
	"TimeEntry.hourlyRate": "the list and get answers carry it (TimeEntryWithRatesDtoV1); the create, update " +
		"and stop answers (TimeEntryDtoImplV1) do not, and leave it nil",
	"TimeEntry.costRate":      "as hourlyRate",
	"Project.tasks":           "hydrated projects and the project webhook samples carry it",
	"Webhook.deliveryEnabled": "live answers carry it (API-NOTES.md, from a live probe)",
	"Webhook.planEnabled":     "live answers carry it (API-NOTES.md, from a live probe)",
	"ReportEntry._id":         "the description calls it get_id, after the getter of _id (API-NOTES.md: _id)",
	"Tag.workspaceId":         "hydrated entries' tags carry it; a report's tags (ReportTagDto) carry only id and name",
	"Tag.archived":            "as workspaceId",
}

// TestResponsesMatchOpenAPI checks that every field the client decodes from a call's
// answer is one Clockify's OpenAPI description lists for it, or one of
// undocumentedFields: a misspelt json tag would leave a field empty without an error.
func TestResponsesMatchOpenAPI(t *testing.T) {
	problems := map[string]string{} // Type.field: the first call that decodes it
	checked := checkResponses(t, loadOpenAPI(t), everyCall(t), problems)
	require.Empty(t, problems, "fields decoded that the OpenAPI description does not list: add the reason to undocumentedFields, or fix the tag")
	require.Equal(t, 477, checked)
}

// checkResponses walks what the calls decoded against spec, records in problems the
// fields it does not list, and returns how many fields it found.
func checkResponses(t *testing.T, spec *openAPI, calls []sentCall, problems map[string]string) int {
	t.Helper()
	checked := 0
	for _, c := range calls {
		if c.result == nil {
			continue
		}
		op, ok := spec.operation(t, c.method, c.path)
		require.True(t, ok)
		var schema *apiSchema
		for _, code := range []string{"200", "201"} {
			for _, media := range op.Responses[code].Content { // application/json or */*
				schema = media.Schema
			}
		}
		require.NotNil(t, schema, "%s %s: no answer in the OpenAPI description", c.method, c.path)
		checked += checkDecoded(spec, c.method+" "+c.path, c.result, schema, problems)
	}
	return checked
}

var timeType = reflect.TypeFor[time.Time]()

// decodedShapes are the keys that types with their own UnmarshalJSON read, as structs
// with json tags that checkDecoded can walk. (EntityChange reads its entity with the
// entity's own type, and is left out.)
var decodedShapes = map[reflect.Type]reflect.Type{
	reflect.TypeFor[clockify.DetailedReport](): reflect.TypeFor[struct {
		Totals  []clockify.ReportTotal `json:"totals"`
		Entries []clockify.ReportEntry `json:"timeEntries"`
	}](),
}

// checkDecoded walks a Go type's json-tagged fields against a schema, records in
// problems the fields the schema does not list and undocumentedFields does not excuse,
// and returns how many fields it found in the schema.
func checkDecoded(spec *openAPI, where string, t reflect.Type, s *apiSchema, problems map[string]string) int {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if shape, ok := decodedShapes[t]; ok {
		t = shape
	}
	list := t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8
	if !list && (t.Kind() != reflect.Struct || t == timeType) {
		return 0 // a value: its key was checked
	}
	if s != nil {
		if live, ok := liveSchemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]; ok {
			s = &apiSchema{Ref: "#/components/schemas/" + live}
		}
	}
	switch s = spec.resolve(s); {
	case s == nil:
		return 0
	case list:
		return checkDecoded(spec, where+"[]", t.Elem(), s.Items, problems)
	}
	n := 0
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		p, ok := s.Properties[name]
		if !ok {
			key := t.Name() + "." + name
			if _, excused := undocumentedFields[key]; !excused && problems[key] == "" {
				problems[key] = where
			}
			continue
		}
		n += 1 + checkDecoded(spec, where+"."+name, f.Type, p, problems)
	}
	return n
}

// docLink is a call's "Clockify API: METHOD PATH" doc line and the line after it.
type docLink struct {
	where        string // file:line
	method, path string
	next         string
}

// docLinks reads the doc lines of every call in the package.
func docLinks(t *testing.T) []docLink {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var out []docLink
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		lines := strings.Split(string(b), "\n")
		for i, line := range lines {
			rest, ok := strings.CutPrefix(line, "// Clockify API: ")
			if !ok {
				continue
			}
			fields := strings.Fields(rest)
			require.GreaterOrEqual(t, len(fields), 2, "%s:%d", f, i+1)
			require.Less(t, i+1, len(lines))
			out = append(out, docLink{where: fmt.Sprintf("%s:%d", f, i+1), method: fields[0], path: fields[1], next: lines[i+1]})
		}
	}
	return out
}

// TestDocLinksMatchOpenAPI checks that every call's doc comment links Clockify's
// documentation of the endpoint it names (the operation in Clockify's OpenAPI
// description, under its tag), on the line after "Clockify API: METHOD PATH".
func TestDocLinksMatchOpenAPI(t *testing.T) {
	spec := loadOpenAPI(t)
	links := docLinks(t)
	for _, l := range links {
		raw, ok := spec.Paths[l.path][strings.ToLower(l.method)]
		require.True(t, ok, "%s: %s %s is not in the OpenAPI description", l.where, l.method, l.path)
		var op apiOperation
		require.NoError(t, json.Unmarshal(raw, &op))
		want := "// https://docs.clockify.me/#tag/" + strings.ReplaceAll(op.Tags[0], " ", "-") + "/operation/" + op.OperationID
		require.Equal(t, want, l.next, "the line after %s", l.where)
	}
	require.Len(t, links, 37)
}

// TestOpenAPISubsetIsCurrent derives the subset of Clockify's OpenAPI description that
// the other tests read (subsetFile) from the whole description, where the team's shared
// folder beside the repository holds it, and checks that the file in testdata is that
// subset. With -update it writes the file instead.
func TestOpenAPISubsetIsCurrent(t *testing.T) {
	full, err := os.ReadFile(filepath.Join("..", "..", "shared", "clockify", "openapi.json"))
	if err != nil {
		t.Skip("../shared/clockify/openapi.json is not here (it is outside CI): ", err)
	}
	var spec openAPI
	require.NoError(t, json.Unmarshal(full, &spec))
	got := openAPISubset(t, &spec)
	if *update {
		require.NoError(t, os.WriteFile(subsetFile, got, 0o644))
		return
	}
	want, err := os.ReadFile(subsetFile)
	require.NoError(t, err)
	require.True(t, bytes.Equal(got, want), "%s is not the subset of ../shared/clockify/openapi.json that the "+
		"client and the fake use: go test ./clockify -run TestOpenAPISubsetIsCurrent -update", subsetFile)
}

// openAPISubset returns, as indented JSON, the operations of the description that serve
// a route of the client or the fake or that a doc line names, with only the keys the
// tests read and only the answers of success, and the schemas that the checks of the
// client's requests and answers look up.
func openAPISubset(t *testing.T, spec *openAPI) []byte {
	t.Helper()
	type route struct{ path, method string }
	var routes []route
	add := func(method, path string) {
		key, ok := spec.pathKey(method, path)
		if ok {
			routes = append(routes, route{key, strings.ToLower(method)})
		}
	}
	calls := everyCall(t)
	for _, c := range calls {
		add(c.method, c.path)
	}
	srv := clockifytest.NewServer()
	defer srv.Close()
	for _, r := range srv.Routes() {
		method, path, _ := strings.Cut(r, " ")
		add(method, strings.TrimPrefix(strings.TrimPrefix(path, "/api"), "/report"))
	}
	for _, l := range docLinks(t) {
		if _, ok := spec.Paths[l.path][strings.ToLower(l.method)]; ok {
			routes = append(routes, route{l.path, strings.ToLower(l.method)})
		}
	}

	paths := map[string]map[string]*apiOperation{}
	for _, r := range routes {
		var op apiOperation
		require.NoError(t, json.Unmarshal(spec.Paths[r.path][r.method], &op))
		for code := range op.Responses {
			if !strings.HasPrefix(code, "2") {
				delete(op.Responses, code)
			}
		}
		if paths[r.path] == nil {
			paths[r.path] = map[string]*apiOperation{}
		}
		paths[r.path][r.method] = &op
	}
	// The schemas are those the checks of requests and answers look up.
	spec.used = map[string]bool{}
	checkRequests(t, spec, calls)
	checkResponses(t, spec, calls, map[string]string{})
	schemas := map[string]*apiSchema{}
	for name := range spec.used {
		schemas[name] = spec.Components.Schemas[name]
	}
	out := map[string]any{"paths": paths, "components": map[string]any{"schemas": schemas}}
	b, err := json.MarshalIndent(out, "", " ")
	require.NoError(t, err)
	return append(b, '\n')
}

// TestKnownWebhookEnumsMatchOpenAPI checks WebhookEvent.Known and
// TriggerSourceType.Known against the enums of the create and update bodies in Clockify's
// OpenAPI description.
func TestKnownWebhookEnumsMatchOpenAPI(t *testing.T) {
	var spec struct {
		Components struct {
			Schemas map[string]struct {
				Properties struct {
					WebhookEvent struct {
						Enum []clockify.WebhookEvent `json:"enum"`
					} `json:"webhookEvent"`
					TriggerSourceType struct {
						Enum []clockify.TriggerSourceType `json:"enum"`
					} `json:"triggerSourceType"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(readOpenAPI(t), &spec))
	for _, schema := range []string{"CreateWebhookRequestV1", "UpdateWebhookRequestV1"} {
		events := spec.Components.Schemas[schema].Properties.WebhookEvent.Enum
		require.Len(t, events, 50, schema)
		for _, e := range events {
			require.True(t, e.Known(), "%s: %s", schema, e)
		}
		triggers := spec.Components.Schemas[schema].Properties.TriggerSourceType.Enum
		require.Len(t, triggers, 7, schema)
		for _, tr := range triggers {
			require.True(t, tr.Known(), "%s: %s", schema, tr)
		}
	}
	require.False(t, clockify.WebhookEvent("NEW_THING").Known())
	require.False(t, clockify.TriggerSourceType("CLIENT_ID").Known())
	require.False(t, clockify.TriggerSourceType("").Known())
}

// unboundedFields are the text fields the client sends on which Clockify's OpenAPI
// description sets a bound that the client need not check, each with why.
var unboundedFields = map[string]string{
	"POST /v1/workspaces/{id}/reports/detailed dateRangeStart": "a formatted time, never empty (minLength 1)",
	"POST /v1/workspaces/{id}/reports/detailed dateRangeEnd":   "as dateRangeStart",
}

// TestFieldLimitsMatchOpenAPI checks every bound Clockify's OpenAPI description sets on a
// text field the client sends (a length, a pattern) on both sides: the client's typed call
// sends a value at the bound and refuses one just past it with an ArgumentError, sending
// nothing, and the fake, sent the same values past the client's checks (as a host writing
// its own requests would), takes the first and answers the second with a 400.
func TestFieldLimitsMatchOpenAPI(t *testing.T) {
	spec := loadOpenAPI(t)
	bounded := map[string]*apiSchema{} // "METHOD path field": the field's schema
	for _, c := range everyCall(t) {
		body, ok := c.body.(map[string]any)
		if !ok {
			continue
		}
		op, _ := spec.operation(t, c.method, c.path)
		for _, media := range op.RequestBody.Content {
			s := spec.resolve(media.Schema)
			for k := range body {
				if p := s.Properties[k]; p.MinLength != nil || p.MaxLength != nil || p.Pattern != "" {
					bounded[c.method+" "+c.path+" "+k] = p
				}
			}
		}
	}

	srv, fx := newFake(t)
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	ctx := t.Context()
	ws := fx.Workspace.ID
	wsPath := "v1/workspaces/" + ws
	start, end := fixedNow.Add(-time.Hour), fixedNow
	hook := func(name string) map[string]any {
		// An event the test causes none of: the fake delivers nothing to the URL.
		return map[string]any{"name": name, "url": "https://hooks.example/x", "webhookEvent": "NEW_TAG",
			"triggerSourceType": "WORKSPACE_ID", "triggerSource": []string{ws}}
	}
	hookReq := func(name string) *clockify.WebhookRequest {
		return &clockify.WebhookRequest{Name: name, URL: "https://hooks.example/x", WebhookEvent: "NEW_TAG",
			TriggerSourceType: clockify.TriggerWorkspace, TriggerSource: []string{ws}}
	}
	h, _, err := c.Webhooks.Create(ctx, ws, hookReq("limits"))
	require.NoError(t, err)
	pid, eid, uid := fx.Projects[0].ID, fx.Entries[0].ID, fx.Owner.ID
	made := 0
	unique := func() string { made++; return fmt.Sprint("limits ", made) } // another project name each time

	type target struct {
		method, path string
		body         func(v string) map[string]any // a whole body with the field set to v
		typed        func(v string) error          // the typed call with the field set to v
	}
	projectCreate := func(field string, set func(*clockify.ProjectRequest, string)) target {
		return target{http.MethodPost, wsPath + "/projects",
			func(v string) map[string]any {
				b := map[string]any{"name": unique()}
				b[field] = v
				return b
			},
			func(v string) error {
				r := &clockify.ProjectRequest{Name: unique()}
				set(r, v)
				_, _, err := c.Projects.Create(ctx, ws, r)
				return err
			}}
	}
	projectUpdate := func(field string, set func(*clockify.ProjectUpdate, string)) target {
		return target{http.MethodPut, wsPath + "/projects/" + pid,
			func(v string) map[string]any { return map[string]any{field: v} },
			func(v string) error {
				var u clockify.ProjectUpdate
				set(&u, v)
				_, _, err := c.Projects.Update(ctx, ws, pid, &u)
				return err
			}}
	}
	entryBody := func(v string) map[string]any {
		return map[string]any{"start": start.Format(time.RFC3339), "end": end.Format(time.RFC3339), "description": v}
	}
	entryReq := func(v string) *clockify.TimeEntryRequest {
		return &clockify.TimeEntryRequest{Start: start, End: &end, Description: v}
	}
	targets := map[string]target{
		"POST /v1/workspaces/{id}/projects name": projectCreate("name",
			func(r *clockify.ProjectRequest, v string) { r.Name = v }),
		"POST /v1/workspaces/{id}/projects note": projectCreate("note",
			func(r *clockify.ProjectRequest, v string) { r.Note = v }),
		"POST /v1/workspaces/{id}/projects color": projectCreate("color",
			func(r *clockify.ProjectRequest, v string) { r.Color = v }),
		"PUT /v1/workspaces/{id}/projects/{id} name": projectUpdate("name",
			func(u *clockify.ProjectUpdate, v string) { u.Name = &v }),
		"PUT /v1/workspaces/{id}/projects/{id} note": projectUpdate("note",
			func(u *clockify.ProjectUpdate, v string) { u.Note = &v }),
		"PUT /v1/workspaces/{id}/projects/{id} color": projectUpdate("color",
			func(u *clockify.ProjectUpdate, v string) { u.Color = &v }),
		"POST /v1/workspaces/{id}/time-entries description": {http.MethodPost, wsPath + "/time-entries", entryBody,
			func(v string) error { _, _, err := c.TimeEntries.Create(ctx, ws, entryReq(v)); return err }},
		"POST /v1/workspaces/{id}/user/{id}/time-entries description": {http.MethodPost, wsPath + "/user/" + uid + "/time-entries", entryBody,
			func(v string) error { _, _, err := c.TimeEntries.CreateForUser(ctx, ws, uid, entryReq(v)); return err }},
		"PUT /v1/workspaces/{id}/time-entries/{id} description": {http.MethodPut, wsPath + "/time-entries/" + eid, entryBody,
			func(v string) error { _, _, err := c.TimeEntries.Update(ctx, ws, eid, entryReq(v)); return err }},
		"POST /v1/workspaces/{id}/webhooks name": {http.MethodPost, wsPath + "/webhooks", hook,
			func(v string) error { _, _, err := c.Webhooks.Create(ctx, ws, hookReq(v)); return err }},
		"PUT /v1/workspaces/{id}/webhooks/{id} name": {http.MethodPut, wsPath + "/webhooks/" + h.ID, hook,
			func(v string) error { _, _, err := c.Webhooks.Update(ctx, ws, h.ID, hookReq(v)); return err }},
	}
	require.ElementsMatch(t, slices.Collect(maps.Keys(bounded)),
		slices.Concat(slices.Collect(maps.Keys(targets)), slices.Collect(maps.Keys(unboundedFields))),
		"a bounded field the client sends has no case here (or a case names a field no longer bounded)")

	// text returns n characters outside ASCII (the bounds count characters, not bytes),
	// the first another with each call (names must differ): CJK ideographs, from U+4E00.
	calls := 0
	text := func(n int) string {
		if n == 0 {
			return ""
		}
		calls++
		return string(rune(0x4E00+calls)) + strings.Repeat("é", n-1)
	}
	checked := 0
	for key, tg := range targets {
		s := bounded[key]
		type sample struct {
			value func() string // another value each time for a length, as names must differ
			ok    bool
		}
		var samples []sample
		length := func(n int, ok bool) sample { return sample{func() string { return text(n) }, ok} }
		if s.MaxLength != nil {
			samples = append(samples, length(*s.MaxLength, true), length(*s.MaxLength+1, false))
		}
		if s.MinLength != nil && *s.MinLength > 0 {
			samples = append(samples, length(*s.MinLength, true), length(*s.MinLength-1, false))
		}
		if s.Pattern != "" {
			re := regexp.MustCompile(s.Pattern)
			for _, v := range []string{"#000000", "#abcDEF", "#99FF00", "#fff", "#00000g", "#0000000", "000000#", "#00 000"} {
				samples = append(samples, sample{func() string { return v }, re.MatchString(v)})
			}
		}
		require.NotEmpty(t, samples, key)
		for _, x := range samples {
			v := x.value()
			what := fmt.Sprintf("%s = %.3q… (length %d)", key, v, utf8.RuneCountInString(v)) // %.3q: its first 3 characters
			sent := requests(srv)
			err := tg.typed(v)
			var ae *clockify.ArgumentError
			if x.ok {
				require.NoError(t, err, "the client, %s", what)
			} else {
				require.ErrorAs(t, err, &ae, "the client, %s", what)
				require.Equal(t, sent, requests(srv), "the client sent nothing, %s", what)
			}
			req, err := c.NewRequest(ctx, tg.method, tg.path, tg.body(x.value()))
			require.NoError(t, err)
			_, err = c.Do(req, nil)
			var apiErr *clockify.APIError
			if x.ok {
				require.NoError(t, err, "the fake, %s", what)
			} else {
				require.ErrorAs(t, err, &apiErr, "the fake, %s", what)
				require.Equal(t, http.StatusBadRequest, apiErr.StatusCode, what)
			}
			checked++
		}
	}
	require.Equal(t, 42, checked)
}

// requests counts the requests the fake has answered.
func requests(srv *clockifytest.Server) int {
	n := 0
	for _, c := range srv.RequestCounts() {
		n += c
	}
	return n
}
