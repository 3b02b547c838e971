package clockifytest

import (
	"math"
	"net/http"
	"net/url"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// Clockify's limits on webhooks (API-NOTES §2.4; the error's wording is not documented):
// each admin creates at most ten, and a workspace holds at most a hundred, or three on
// the Free plan.
const (
	maxWebhooksPerUser = 10
	maxWebhooks        = 100
	maxWebhooksFree    = 3
)

// wireWebhook is a webhook as Clockify sends it, with its token (clockify.Secret redacts
// itself when encoded) in the answers that issue one: a create and a regeneration.
// Clockify's list and single reads were seen without it, so the fake leaves it out
// there: a client that needs a token must keep the one it was issued.
type wireWebhook struct {
	clockify.Webhook
	AuthToken string `json:"authToken,omitempty"`
}

func toWire(h clockify.Webhook, token bool) wireWebhook {
	out := wireWebhook{Webhook: h}
	if token {
		out.AuthToken = h.AuthToken.Reveal()
	}
	return out
}

func (s *Server) listWebhooks(w http.ResponseWriter, _ *http.Request, p params, uid string) {
	s.mu.Lock()
	ws, err := s.state.adminAccess(uid, p["ws"])
	out := struct {
		Webhooks []wireWebhook `json:"webhooks"`
		Count    int           `json:"workspaceWebhookCount"`
	}{Webhooks: []wireWebhook{}}
	if err == nil {
		for _, id := range ws.hookIDs {
			out.Webhooks = append(out.Webhooks, toWire(*ws.webhooks[id], false))
		}
		out.Count = len(ws.hookIDs)
	}
	s.mu.Unlock()
	writeResult(w, http.StatusOK, out, err)
}

func (s *Server) getWebhook(w http.ResponseWriter, _ *http.Request, p params, uid string) {
	s.withWebhook(w, uid, p, false, func(*workspace, *clockify.Webhook) {})
}

// webhookInput is Clockify's create/update body.
type webhookInput struct {
	Name              string                     `json:"name"`
	URL               string                     `json:"url"`
	WebhookEvent      clockify.WebhookEvent      `json:"webhookEvent"`
	TriggerSourceType clockify.TriggerSourceType `json:"triggerSourceType"`
	TriggerSource     []string                   `json:"triggerSource"`
}

// readWebhookInput decodes and validates a webhook's create or update body.
func readWebhookInput(r *http.Request) (in webhookInput, err *apiError) {
	if err = decodeBody(r, &in); err == nil {
		err = in.validate()
	}
	return in, err
}

func (in webhookInput) validate() *apiError {
	// Clockify answers a missing name with this misleading message.
	if n := utf8.RuneCountInString(in.Name); n < 2 || n > 30 {
		return errBadRequest("Webhook already exists")
	}
	if u, err := url.Parse(in.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errInvalidField("url")
	}
	// Clockify reads both enums strictly: a name outside them is a bad request.
	if !in.WebhookEvent.Known() {
		return errInvalidField("webhookEvent")
	}
	if in.TriggerSourceType != "" && !in.TriggerSourceType.Known() {
		return errInvalidField("triggerSourceType")
	}
	return nil
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request, p params, uid string) {
	in, err := readWebhookInput(r)
	if err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	ws, err := s.state.adminAccess(uid, p["ws"])
	var out clockify.Webhook
	if err == nil {
		err = ws.checkWebhookLimits(uid)
	}
	if err == nil {
		out = s.state.addWebhook(ws, uid, in)
	}
	s.mu.Unlock()
	writeResult(w, http.StatusCreated, toWire(out, true), err)
}

// checkWebhookLimits refuses a new webhook of uid past Clockify's limits.
func (ws *workspace) checkWebhookLimits(uid string) *apiError {
	if len(ws.hookIDs) >= maxWebhooks || (ws.free && len(ws.hookIDs) >= maxWebhooksFree) {
		return errBadRequest("Webhook limit reached")
	}
	mine := 0
	for _, id := range ws.hookIDs {
		if ws.webhooks[id].UserID == uid {
			mine++
		}
	}
	if mine >= maxWebhooksPerUser {
		return errBadRequest("Webhook limit per user reached")
	}
	return nil
}

func (st *state) addWebhook(ws *workspace, uid string, in webhookInput) clockify.Webhook {
	h := &clockify.Webhook{
		ID:          st.newID(),
		UserID:      uid,
		WorkspaceID: ws.ws.ID,
		Enabled:     true,
		AuthToken:   clockify.Secret(st.newToken()),
	}
	in.applyTo(h)
	ws.webhooks[h.ID] = h
	ws.hookIDs = append(ws.hookIDs, h.ID)
	return *h
}

func (in webhookInput) applyTo(h *clockify.Webhook) {
	h.Name, h.URL, h.WebhookEvent = in.Name, in.URL, in.WebhookEvent
	h.TriggerSourceType = in.TriggerSourceType
	if h.TriggerSourceType == "" {
		h.TriggerSourceType = clockify.TriggerWorkspace
	}
	h.TriggerSource = append([]string{}, in.TriggerSource...)
}

func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request, p params, uid string) {
	in, err := readWebhookInput(r)
	if err != nil {
		writeError(w, err)
		return
	}
	s.withWebhook(w, uid, p, false, func(_ *workspace, h *clockify.Webhook) {
		in.applyTo(h)
	})
}

func (s *Server) regenerateToken(w http.ResponseWriter, _ *http.Request, p params, uid string) {
	s.withWebhook(w, uid, p, true, func(_ *workspace, h *clockify.Webhook) {
		h.AuthToken = clockify.Secret(s.state.newToken())
	})
}

func (s *Server) deleteWebhook(w http.ResponseWriter, _ *http.Request, p params, uid string) {
	s.withWebhook(w, uid, p, false, func(ws *workspace, h *clockify.Webhook) {
		delete(ws.webhooks, h.ID)
		delete(ws.logs, h.ID)
		for i, id := range ws.hookIDs {
			if id == h.ID {
				ws.hookIDs = append(ws.hookIDs[:i], ws.hookIDs[i+1:]...)
				break
			}
		}
	})
}

// withWebhook runs a change to one webhook under the lock and answers with the webhook,
// with its token when token is set.
func (s *Server) withWebhook(w http.ResponseWriter, uid string, p params, token bool, change func(*workspace, *clockify.Webhook)) {
	s.mu.Lock()
	ws, err := s.state.adminAccess(uid, p["ws"])
	var out clockify.Webhook
	if err == nil {
		if h, ok := ws.webhooks[p["id"]]; ok {
			change(ws, h)
			out = *h
		} else {
			err = errNotInWorkspace("Webhook")
		}
	}
	s.mu.Unlock()
	writeResult(w, http.StatusOK, toWire(out, token), err)
}

func (s *Server) webhookLogs(w http.ResponseWriter, r *http.Request, p params, uid string) {
	var in struct {
		From         *time.Time `json:"from"`
		To           *time.Time `json:"to"`
		Status       string     `json:"status"`
		SortByNewest bool       `json:"sortByNewest"`
	}
	if err := decodeBody(r, &in); err != nil {
		writeError(w, err)
		return
	}
	switch in.Status {
	case "", "ALL", "SUCCEEDED", "FAILED":
	default:
		writeError(w, errInvalidField("status"))
		return
	}
	// The spec's default page is 0; 0 and 1 both mean the first page here. No maximum
	// size is known.
	page, size, perr := pageParams(r, "size", 50, math.MaxInt)
	if perr != nil {
		writeError(w, perr)
		return
	}
	s.mu.Lock()
	ws, err := s.state.adminAccess(uid, p["ws"])
	var out []clockify.WebhookLog
	if err == nil {
		if _, ok := ws.webhooks[p["id"]]; !ok {
			err = errNotInWorkspace("Webhook")
		}
	}
	if err == nil {
		for _, l := range ws.logs[p["id"]] {
			ok := l.StatusCode >= 200 && l.StatusCode < 300
			if (in.From != nil && l.RespondedAt.Before(*in.From)) || (in.To != nil && l.RespondedAt.After(*in.To)) ||
				(in.Status == "SUCCEEDED" && !ok) || (in.Status == "FAILED" && ok) {
				continue
			}
			out = append(out, l)
		}
	}
	s.mu.Unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	if in.SortByNewest {
		sort.SliceStable(out, func(i, j int) bool { return out[i].RespondedAt.After(out[j].RespondedAt) })
	}
	writePage(w, out, page, size)
}
