package clockifytest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// Delivery is one webhook delivery the fake attempted.
type Delivery struct {
	WebhookID   string
	WorkspaceID string
	Event       clockify.WebhookEvent
	URL         string
	// Body is the JSON that was POSTed: the flat entity, as Clockify sends it.
	Body []byte
	// StatusCode is the receiver's answer (0 when it gave none).
	StatusCode int
	// Err describes a delivery that got no answer.
	Err string
	At  time.Time
}

// pending is a delivery decided under the lock and sent after it is released.
type pending struct {
	hook  clockify.Webhook
	event clockify.WebhookEvent
	body  []byte
}

// subject is what an event is about, for matching webhooks' trigger sources.
type subject struct {
	projectID, userID, taskID string
	tagIDs                    []string
}

// covers reports whether a webhook's trigger source takes in the subject: the whole
// workspace, or one of the listed projects, users, tasks or tags. A webhook scoped to
// assignments or expenses covers no time entry or project.
func (sub subject) covers(h *clockify.Webhook) bool {
	listed := func(id string) bool { return id != "" && slices.Contains(h.TriggerSource, id) }
	switch h.TriggerSourceType {
	case clockify.TriggerWorkspace:
		return true
	case clockify.TriggerProject:
		return listed(sub.projectID)
	case clockify.TriggerUser:
		return listed(sub.userID)
	case clockify.TriggerTask:
		return listed(sub.taskID)
	case clockify.TriggerTag:
		return slices.ContainsFunc(sub.tagIDs, listed)
	}
	return false
}

// matchWebhooks returns the deliveries an event causes: one for each enabled webhook of
// the workspace on that event whose trigger source covers the subject.
func (ws *workspace) matchWebhooks(event clockify.WebhookEvent, sub subject, payload any) []pending {
	var out []pending
	var body []byte
	for _, id := range ws.hookIDs {
		h := ws.webhooks[id]
		if !h.Enabled || h.WebhookEvent != event || !sub.covers(h) {
			continue
		}
		if body == nil {
			body, _ = json.Marshal(payload)
		}
		out = append(out, pending{hook: *h, event: event, body: body})
	}
	return out
}

// deliver POSTs each pending delivery, then records it in the delivery list and in the
// webhook's logs. It runs without the lock, so a receiver may call back into the server.
func (s *Server) deliver(ps []pending) {
	for _, p := range ps {
		d := Delivery{WebhookID: p.hook.ID, WorkspaceID: p.hook.WorkspaceID, Event: p.event, URL: p.hook.URL, Body: p.body}
		var respBody []byte
		req, err := http.NewRequest(http.MethodPost, p.hook.URL, bytes.NewReader(p.body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Clockify-Signature", p.hook.AuthToken.Reveal())
			req.Header.Set("Clockify-Webhook-Event-Type", string(p.event))
			var resp *http.Response
			resp, err = s.delivery.Do(req)
			if err == nil {
				respBody, _ = io.ReadAll(io.LimitReader(resp.Body, 64<<10))
				resp.Body.Close()
				d.StatusCode = resp.StatusCode
			}
		}
		if err != nil {
			d.Err = err.Error()
		}
		d.At = s.now().UTC()

		s.mu.Lock()
		s.deliveries = append(s.deliveries, d)
		if ws, ok := s.state.workspaces[p.hook.WorkspaceID]; ok {
			ws.logs[p.hook.ID] = append(ws.logs[p.hook.ID], clockify.WebhookLog{
				ID:           s.state.newID(),
				WebhookID:    p.hook.ID,
				StatusCode:   d.StatusCode,
				RequestBody:  string(p.body),
				ResponseBody: string(respBody),
				RespondedAt:  d.At,
			})
		}
		s.mu.Unlock()
	}
}

// Deliveries returns every webhook delivery attempted so far, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}
