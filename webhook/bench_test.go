package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// typicalDelivery is a NEW_TIME_ENTRY body of the shape Clockify sends: the entry with
// its custom fields and its hydrated project, task, user and tags.
const typicalDelivery = `{"id":"6a00c10c0000000000000123","description":"#482 Handle null tagIds in the sync","tagIds":["6a00c10c00000000000000t1"],
"userId":"6a00c10c00000000000000u1","billable":true,"taskId":"6a00c10c00000000000000k1","projectId":"6a00c10c00000000000000p1",
"timeInterval":{"start":"2026-11-27T09:15:00Z","end":"2026-11-27T11:45:30Z","duration":"PT2H30M30S"},
"workspaceId":"ws1","isLocked":false,"hourlyRate":null,"costRate":null,
"customFieldValues":[{"customFieldId":"6a00c10c00000000000000f1","timeEntryId":"6a00c10c0000000000000123","value":"sprint 48","name":"Sprint"}],
"project":{"name":"web-app","clientId":"6a00c10c00000000000000c1","clientName":"Acme","workspaceId":"ws1","billable":true,
"estimate":{"estimate":"PT0S","type":"AUTO"},"color":"#4CAF50","archived":false,"duration":"PT312H5M","note":"","id":"6a00c10c00000000000000p1","public":true,"template":false},
"task":{"name":"Backend","workspaceId":"ws1","projectId":"6a00c10c00000000000000p1","assigneeIds":["6a00c10c00000000000000u1"],
"assigneeId":"6a00c10c00000000000000u1","userGroupIds":[],"estimate":"PT0S","status":"ACTIVE","duration":"PT41H","id":"6a00c10c00000000000000k1"},
"user":{"name":"Kemi Adeyemi","id":"6a00c10c00000000000000u1","status":"ACTIVE"},
"tags":[{"name":"review","workspaceId":"ws1","archived":false,"id":"6a00c10c00000000000000t1"}]}`

// BenchmarkVerifyParse compares verifying and parsing a typical delivery with a bare
// json.Unmarshal of the same body into the same type.
func BenchmarkVerifyParse(b *testing.B) {
	body := []byte(typicalDelivery)
	b.Run("baseline-unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var e clockify.TimeEntry
			if err := json.Unmarshal(body, &e); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify+parse", func(b *testing.B) {
		v, err := NewVerifier([]Token{
			{WebhookID: "h1", Event: clockify.EventNewTimeEntry, Value: "6Yb1RkP0Qm3ZsT8uW2xN5cV7hJ9gL4dA"},
			{WebhookID: "h2", Event: clockify.EventTimeEntryUpdated, Value: "Pq7Wm2Xc9Vn4Bz6Ls1Kd8Fj3Hg5Ta0Ry"},
		})
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(clockify.EventNewTimeEntry, "6Yb1RkP0Qm3ZsT8uW2xN5cV7hJ9gL4dA"); err != nil {
				b.Fatal(err)
			}
			if _, err := Parse("NEW_TIME_ENTRY", body); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkHandlerLoopback sends deliveries over loopback HTTP, one after another on a
// kept-alive connection, to the full handler and to a handler that only reads the body.
// It reports deliveries per second and the 99th-percentile latency.
func BenchmarkHandlerLoopback(b *testing.B) {
	v, err := NewVerifier([]Token{{WebhookID: "h1", Event: clockify.EventNewTimeEntry, Value: "tok"}})
	if err != nil {
		b.Fatal(err)
	}
	full := NewHandler(v, func(context.Context, *Event) error { return nil }, WithDeduper(NewMemoryDeduper(1<<20)))
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	})
	prefix, suffix, _ := bytes.Cut([]byte(typicalDelivery), []byte("6a00c10c0000000000000123"))
	for _, tc := range []struct {
		name string
		h    http.Handler
	}{{"baseline-read-body", bare}, {"handler", full}} {
		b.Run(tc.name, func(b *testing.B) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			client := srv.Client()
			lat := make([]time.Duration, 0, 1<<16)
			n := 0
			start := time.Now()
			for b.Loop() {
				n++
				body := slices.Concat(prefix, []byte(strconv.Itoa(n)), suffix) // each delivery distinct
				req, _ := NewSignedRequest(srv.URL, "tok", clockify.EventNewTimeEntry, body)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat = append(lat, time.Since(t0))
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
			elapsed := time.Since(start)
			slices.Sort(lat)
			b.ReportMetric(float64(n)/elapsed.Seconds(), "deliveries/s")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// BenchmarkVerifyManyWorkspaces verifies a delivery's signature with the tokens of one
// workspace held (seven webhooks: the baseline) and with those of 5,000 workspaces
// (35,000 tokens), as a host serving many workspaces holds them; and it holds all of
// them anew, reporting the time per token.
func BenchmarkVerifyManyWorkspaces(b *testing.B) {
	for _, n := range []int{1, 5000} {
		tokens := workspaceTokens(n)
		last := tokens[len(tokens)-1]
		b.Run("verify/workspaces="+strconv.Itoa(n), func(b *testing.B) {
			v, err := NewVerifier(tokens)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(last.Event, string(last.Value)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("hold/workspaces="+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := NewVerifier(tokens); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(tokens)), "ns/token")
		})
	}
}
