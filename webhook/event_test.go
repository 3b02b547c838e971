package webhook

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
)

const entryBody = `{"id":"5f118c837db7a8637ffcaf36","description":"#12 Fix login","tagIds":null,"userId":"u1","billable":true,
"projectId":"p1","timeInterval":{"start":"2020-07-17T11:35:01Z","end":"2020-07-17T12:35:01Z","duration":"PT1H"},
"workspaceId":"ws1","isLocked":false,"hourlyRate":null,"costRate":null,
"project":{"id":"p1","name":"web-app","workspaceId":"ws1","billable":true,"duration":"PT0S","estimate":{"estimate":"PT0S","type":"AUTO"}},
"user":{"id":"u1","name":"Ann","status":"ACTIVE"},"tags":[{"id":"t1","name":"review","workspaceId":"ws1","archived":false}]}`

const projectBody = `{"id":"p1","name":"web-app","hourlyRate":{"amount":1000},"workspaceId":"ws1","billable":true,"duration":"PT0S",
"tasks":[{"id":"t","name":"First task","estimate":"PT0S","duration":"PT0S","status":"ACTIVE"}],"client":{"id":"c","name":"Client"}}`

func TestKindOf(t *testing.T) {
	cases := map[clockify.WebhookEvent]Kind{
		"NEW_TIME_ENTRY": TimeEntryCreated, "NEW_TIMER_STARTED": TimeEntryCreated, "TIME_ENTRY_RESTORED": TimeEntryCreated,
		"TIME_ENTRY_UPDATED": TimeEntryUpdated, "TIME_ENTRY_SPLIT": TimeEntryUpdated, "TIME_ENTRY_DELETED": TimeEntryDeleted,
		"TIMER_STOPPED": TimerStopped, "NEW_PROJECT": ProjectCreated, "PROJECT_UPDATED": ProjectUpdated,
		"PROJECT_DELETED": ProjectDeleted, "NEW_TAG": KindIgnored, "USER_UPDATED": KindIgnored,
	}
	for wire, want := range cases {
		got, known := KindOf(wire)
		require.True(t, known, wire)
		require.Equal(t, want, got, wire)
	}
	for _, bogus := range []clockify.WebhookEvent{"", "new_time_entry", "TIME_ENTRY_CREATED", "FOO"} {
		_, known := KindOf(bogus)
		require.False(t, known, bogus)
	}
	require.ElementsMatch(t, []clockify.WebhookEvent{"NEW_TIME_ENTRY", "NEW_TIMER_STARTED", "TIME_ENTRY_RESTORED"}, WireEvents(TimeEntryCreated))
	require.Equal(t, []clockify.WebhookEvent{"TIMER_STOPPED"}, WireEvents(TimerStopped))
	require.Equal(t, "TIME_ENTRY_CREATED", TimeEntryCreated.String())
	require.Equal(t, "Kind(42)", Kind(42).String())
	for _, tc := range []struct {
		k                  Kind
		name               string
		timeEntry, project bool
	}{
		{KindIgnored, "IGNORED", false, false},
		{TimeEntryCreated, "TIME_ENTRY_CREATED", true, false},
		{TimerStopped, "TIMER_STOPPED", true, false},
		{ProjectCreated, "PROJECT_CREATED", false, true},
		{ProjectDeleted, "PROJECT_DELETED", false, true},
		{ProjectDeleted + 1, "Kind(8)", false, false},
	} {
		require.Equal(t, tc.name, tc.k.String())
		require.Equal(t, tc.timeEntry, tc.k.IsTimeEntry(), tc.name)
		require.Equal(t, tc.project, tc.k.IsProject(), tc.name)
	}
}

func TestParse(t *testing.T) {
	ev, err := Parse("NEW_TIME_ENTRY", []byte(entryBody))
	require.NoError(t, err)
	require.Equal(t, TimeEntryCreated, ev.Kind)
	require.Equal(t, clockify.EventNewTimeEntry, ev.Wire)
	require.Equal(t, "ws1", ev.WorkspaceID)
	require.Equal(t, "5f118c837db7a8637ffcaf36", ev.EntityID)
	require.Equal(t, "web-app", ev.TimeEntry.Project.Name)
	require.Equal(t, "Ann", ev.TimeEntry.User.Name)
	require.Equal(t, "review", ev.TimeEntry.Tags[0].Name)
	require.Equal(t, time.Hour, ev.TimeEntry.TimeInterval.Duration.Std())
	require.Nil(t, ev.Project)

	ev, err = Parse("PROJECT_DELETED", []byte(projectBody))
	require.NoError(t, err)
	require.Equal(t, ProjectDeleted, ev.Kind)
	require.Equal(t, int64(1000), ev.Project.HourlyRate.Amount)
	require.Len(t, ev.Project.Tasks, 1)

	ev, err = Parse("NEW_TAG", []byte(`{"id":"t1","name":"x","workspaceId":"ws1"}`))
	require.NoError(t, err, "a Clockify event the product does not use is not an error")
	require.Equal(t, KindIgnored, ev.Kind)
	require.Equal(t, "t1", ev.EntityID)
	ev, err = Parse("TIME_ENTRY_BATCH_DELETED", []byte(`garbage`))
	require.NoError(t, err)
	require.Equal(t, KindIgnored, ev.Kind)

	bad := []struct {
		event, body string
		want        error
	}{
		{"FOO", entryBody, ErrUnknownEventType},
		{"", entryBody, ErrUnknownEventType},
		{"NEW_TIME_ENTRY", ``, ErrMalformedPayload},
		{"NEW_TIME_ENTRY", `{`, ErrMalformedPayload},
		{"NEW_TIME_ENTRY", `[]`, ErrMalformedPayload},
		{"NEW_TIME_ENTRY", `{}`, ErrMalformedPayload},
		{"NEW_TIME_ENTRY", `{"id":5}`, ErrMalformedPayload},
		{"NEW_TIME_ENTRY", `{"id":"e","workspaceId":"w","timeInterval":{"start":"yesterday"}}`, ErrMalformedPayload},
		{"NEW_TIME_ENTRY", `{"id":"e","workspaceId":"w","timeInterval":{"start":"2020-07-17T11:35:01Z","duration":"P1M"}}`, ErrMalformedPayload},
		{"NEW_TIME_ENTRY", `{"id":"e"}`, ErrMalformedPayload},
		{"PROJECT_UPDATED", `{"workspaceId":"w"}`, ErrMalformedPayload},
		{"PROJECT_UPDATED", `"project"`, ErrMalformedPayload},
		{"PROJECT_UPDATED", `{"id":"p","workspaceId":"w","billable":"yes"}`, ErrMalformedPayload},
	}
	for _, tc := range bad {
		_, err := Parse(tc.event, []byte(tc.body))
		require.ErrorIs(t, err, tc.want, "%s %s", tc.event, tc.body)
	}
}

// samplesFile holds, from Clockify's documentation of webhooks, the name of every event
// it gives a sample payload for and the samples of the events the product uses.
// TestClockifySamplesAreCurrent derives it from ../shared/clockify/webhook-samples.md
// (kept beside the repository, not in it), so that TestClockifySamples runs wherever
// the repository is, CI included.
const samplesFile = "testdata/clockify-samples.json"

var update = flag.Bool("update", false, "write "+samplesFile+" from ../shared/clockify/webhook-samples.md")

type clockifySamples struct {
	Events  []string                   `json:"events"`
	Samples map[string]json.RawMessage `json:"samples"`
}

// TestClockifySamples parses Clockify's own sample payload of every event the product
// uses, and checks that every event Clockify gives a sample for is one it knows.
func TestClockifySamples(t *testing.T) {
	b, err := os.ReadFile(samplesFile)
	require.NoError(t, err)
	var cs clockifySamples
	require.NoError(t, json.Unmarshal(b, &cs))
	require.Len(t, cs.Events, 50)
	for _, wire := range cs.Events {
		_, known := KindOf(clockify.WebhookEvent(wire))
		require.True(t, known, "sample %s is a Clockify event", wire)
	}
	seen := map[Kind]bool{}
	for wire, body := range cs.Samples {
		ev, err := Parse(wire, body)
		require.NoError(t, err, wire)
		require.NotEqual(t, KindIgnored, ev.Kind, wire)
		require.NotEmpty(t, ev.EntityID, wire)
		require.NotEmpty(t, ev.WorkspaceID, wire)
		if ev.Kind.IsTimeEntry() {
			require.NotNil(t, ev.TimeEntry.Project, wire)
			require.NotNil(t, ev.TimeEntry.User, wire)
		} else {
			require.NotNil(t, ev.Project, wire)
		}
		seen[ev.Kind] = true
	}
	require.Len(t, seen, 7, "a sample for each of the seven kinds")
}

// TestClockifySamplesAreCurrent derives samplesFile from Clockify's samples where the
// team's shared folder beside the repository holds them, and checks that the file in
// testdata is what they give. With -update it writes the file instead.
func TestClockifySamplesAreCurrent(t *testing.T) {
	md, err := os.ReadFile(filepath.Join("..", "..", "shared", "clockify", "webhook-samples.md"))
	if err != nil {
		t.Skip("../shared/clockify/webhook-samples.md is not here (it is outside CI): ", err)
	}
	cs := clockifySamples{Samples: map[string]json.RawMessage{}}
	for _, s := range regexp.MustCompile("(?s)## ([A-Z_]+)\\n```json\\n(.*?)\\n```").FindAllStringSubmatch(string(md), -1) {
		wire, body := s[1], s[2]
		cs.Events = append(cs.Events, wire)
		if kind, _ := KindOf(clockify.WebhookEvent(wire)); kind != KindIgnored {
			cs.Samples[wire] = json.RawMessage(body)
		}
	}
	got, err := json.MarshalIndent(cs, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	if *update {
		require.NoError(t, os.WriteFile(samplesFile, got, 0o644))
		return
	}
	want, err := os.ReadFile(samplesFile)
	require.NoError(t, err)
	require.True(t, bytes.Equal(got, want), "%s is not what ../shared/clockify/webhook-samples.md gives: "+
		"go test ./webhook -run TestClockifySamplesAreCurrent -update", samplesFile)
}
