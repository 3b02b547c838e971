package clockify

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"
)

// WebhooksService manages a workspace's webhooks.
type WebhooksService service

// WebhookEvent is the event a webhook fires on, by Clockify's wire name.
type WebhookEvent string

// The webhook events about time entries and projects. Clockify knows about fifty; any
// other name may be used as a WebhookEvent too.
const (
	EventNewTimeEntry        WebhookEvent = "NEW_TIME_ENTRY"
	EventNewTimerStarted     WebhookEvent = "NEW_TIMER_STARTED"
	EventTimerStopped        WebhookEvent = "TIMER_STOPPED"
	EventTimeEntryUpdated    WebhookEvent = "TIME_ENTRY_UPDATED"
	EventTimeEntryDeleted    WebhookEvent = "TIME_ENTRY_DELETED"
	EventTimeEntrySplit      WebhookEvent = "TIME_ENTRY_SPLIT"
	EventTimeEntryRestored   WebhookEvent = "TIME_ENTRY_RESTORED"
	EventNewProject          WebhookEvent = "NEW_PROJECT"
	EventProjectUpdated      WebhookEvent = "PROJECT_UPDATED"
	EventProjectDeleted      WebhookEvent = "PROJECT_DELETED"
	EventNewClient           WebhookEvent = "NEW_CLIENT"
	EventNewTag              WebhookEvent = "NEW_TAG"
	EventUserJoinedWorkspace WebhookEvent = "USER_JOINED_WORKSPACE"
)

// webhookEvents is Clockify's enum of webhook events (CreateWebhookRequestV1.webhookEvent
// in its OpenAPI description).
var webhookEvents = map[WebhookEvent]bool{}

func init() {
	for _, e := range []WebhookEvent{
		EventNewTimeEntry, EventNewTimerStarted, EventTimerStopped, EventTimeEntryUpdated,
		EventTimeEntryDeleted, EventTimeEntrySplit, EventTimeEntryRestored,
		EventNewProject, EventProjectUpdated, EventProjectDeleted,
		"NEW_TASK", "TASK_UPDATED", "TASK_DELETED", EventNewClient, "CLIENT_UPDATED", "CLIENT_DELETED",
		EventNewTag, "TAG_UPDATED", "TAG_DELETED", EventUserJoinedWorkspace, "USER_DELETED_FROM_WORKSPACE",
		"USER_DEACTIVATED_ON_WORKSPACE", "USER_ACTIVATED_ON_WORKSPACE", "USER_EMAIL_CHANGED", "USER_UPDATED",
		"USERS_INVITED_TO_WORKSPACE", "LIMITED_USERS_ADDED_TO_WORKSPACE", "USER_GROUP_CREATED",
		"USER_GROUP_UPDATED", "USER_GROUP_DELETED", "NEW_INVOICE", "INVOICE_UPDATED", "NEW_APPROVAL_REQUEST",
		"APPROVAL_REQUEST_STATUS_UPDATED", "TIME_OFF_REQUESTED", "TIME_OFF_REQUEST_UPDATED",
		"TIME_OFF_REQUEST_APPROVED", "TIME_OFF_REQUEST_REJECTED", "TIME_OFF_REQUEST_WITHDRAWN",
		"BALANCE_UPDATED", "EXPENSE_CREATED", "EXPENSE_UPDATED", "EXPENSE_DELETED", "EXPENSE_RESTORED",
		"ASSIGNMENT_CREATED", "ASSIGNMENT_UPDATED", "ASSIGNMENT_DELETED", "ASSIGNMENT_PUBLISHED",
		"COST_RATE_UPDATED", "BILLABLE_RATE_UPDATED",
	} {
		webhookEvents[e] = true
	}
}

// Known reports whether e is one of the fifty events in Clockify's own description of its
// API, the names a webhook may be created with. The client still sends any other name, so
// that an event Clockify adds later can be used before this list knows it.
func (e WebhookEvent) Known() bool { return webhookEvents[e] }

// Webhook is a Clockify webhook (WebhookDtoV1). AuthToken is sent by Clockify in the
// Clockify-Signature header of every delivery; it is a [Secret].
type Webhook struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	URL         string `json:"url"`
	UserID      string `json:"userId"` // who created it
	WorkspaceID string `json:"workspaceId"`
	// WebhookEvent is the one event the webhook is delivered for.
	WebhookEvent WebhookEvent `json:"webhookEvent"`
	// TriggerSourceType and TriggerSource narrow the deliveries to the events of the
	// listed projects, users, tags, ... (the workspace's id for all of them).
	TriggerSourceType TriggerSourceType `json:"triggerSourceType"`
	TriggerSource     []string          `json:"triggerSource"`
	// Enabled is false for a webhook Clockify does not deliver (one created on a plan
	// without webhooks, for example).
	Enabled bool `json:"enabled"`
	// AuthToken comes in the answers of Create and RegenerateToken. Keep it from there:
	// a probe of the live API saw none in List's and Get's answers (Clockify's description
	// lists it in both), so a verifier rebuilt from a list may find it empty.
	AuthToken Secret `json:"authToken,omitempty"`
	// DeliveryEnabled and PlanEnabled are sent by Clockify but not described in its API;
	// they probably say whether delivery was switched off and whether the plan allows
	// webhooks. Nil when absent.
	DeliveryEnabled *bool `json:"deliveryEnabled,omitempty"`
	PlanEnabled     *bool `json:"planEnabled,omitempty"`
}

// Delivers reports whether Clockify delivers the webhook: it is enabled, and neither of
// the undocumented flags says that its delivery or its plan is switched off. Which flag a
// plan's downgrade clears is not documented; any of them false means no delivery.
func (w *Webhook) Delivers() bool {
	return w.Enabled && (w.DeliveryEnabled == nil || *w.DeliveryEnabled) && (w.PlanEnabled == nil || *w.PlanEnabled)
}

// WebhookList is Clockify's answer to a webhook list: the webhooks and the workspace's
// total count.
type WebhookList struct {
	Webhooks              []Webhook `json:"webhooks"`
	WorkspaceWebhookCount int       `json:"workspaceWebhookCount"`
}

// TriggerSourceType says what kind of ids a webhook's TriggerSource lists.
type TriggerSourceType string

// Trigger source types, Clockify's enum.
const (
	TriggerWorkspace  TriggerSourceType = "WORKSPACE_ID"
	TriggerProject    TriggerSourceType = "PROJECT_ID"
	TriggerUser       TriggerSourceType = "USER_ID"
	TriggerTag        TriggerSourceType = "TAG_ID"
	TriggerTask       TriggerSourceType = "TASK_ID"
	TriggerAssignment TriggerSourceType = "ASSIGNMENT_ID"
	TriggerExpense    TriggerSourceType = "EXPENSE_ID"
)

// Known reports whether t is one of Clockify's trigger source types.
func (t TriggerSourceType) Known() bool {
	switch t {
	case TriggerWorkspace, TriggerProject, TriggerUser, TriggerTag, TriggerTask, TriggerAssignment, TriggerExpense:
		return true
	}
	return false
}

// WebhookRequest creates or updates a webhook. Name is required (2 to 30 characters),
// and URL is an absolute http(s) URL in UTF-8; TriggerSourceType defaults to
// WORKSPACE_ID with the workspace as its source.
type WebhookRequest struct {
	Name              string            `json:"name"`
	URL               string            `json:"url"`
	WebhookEvent      WebhookEvent      `json:"webhookEvent"`
	TriggerSourceType TriggerSourceType `json:"triggerSourceType"`
	TriggerSource     []string          `json:"triggerSource"`
}

func (r *WebhookRequest) normalized(workspaceID string) (*WebhookRequest, error) {
	if r == nil {
		return nil, &ArgumentError{Field: "request", Reason: "is required"}
	}
	if n := utf8.RuneCountInString(r.Name); n < 2 || n > 30 {
		return nil, &ArgumentError{Field: "Name", Reason: "must be 2 to 30 characters"}
	}
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &ArgumentError{Field: "URL", Reason: "must be an absolute http(s) URL"}
	}
	if !utf8.ValidString(r.URL) { // JSON would carry U+FFFD instead: another URL
		return nil, &ArgumentError{Field: "URL", Reason: "must be UTF-8"}
	}
	if r.WebhookEvent == "" {
		return nil, &ArgumentError{Field: "WebhookEvent", Reason: "is required"}
	}
	out := *r
	if out.TriggerSourceType == "" {
		out.TriggerSourceType = TriggerWorkspace
	}
	if out.TriggerSource == nil {
		out.TriggerSource = []string{}
		if out.TriggerSourceType == TriggerWorkspace {
			out.TriggerSource = []string{workspaceID}
		}
	}
	return &out, nil
}

// List returns every webhook of the workspace (Clockify does not page it).
//
// Clockify API: GET /v1/workspaces/{workspaceId}/webhooks
// https://docs.clockify.me/#tag/Webhooks/operation/getWebhooks
func (s *WebhooksService) List(ctx context.Context, workspaceID string) (*WebhookList, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID); err != nil {
		return nil, nil, err
	}
	l := new(WebhookList)
	resp, err := s.client.get(ctx, pathf("v1/workspaces/%s/webhooks", workspaceID), l)
	if err != nil {
		return nil, resp, err
	}
	return l, resp, nil
}

// Get returns one webhook.
//
// Clockify API: GET /v1/workspaces/{workspaceId}/webhooks/{webhookId}
// https://docs.clockify.me/#tag/Webhooks/operation/getWebhook
func (s *WebhooksService) Get(ctx context.Context, workspaceID, webhookID string) (*Webhook, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID, "webhookID", webhookID); err != nil {
		return nil, nil, err
	}
	w := new(Webhook)
	resp, err := s.client.get(ctx, pathf("v1/workspaces/%s/webhooks/%s", workspaceID, webhookID), w)
	if err != nil {
		return nil, resp, err
	}
	return w, resp, nil
}

// Create registers a webhook; the answer carries its AuthToken. Unless the policy's
// RetryWrites is set, it is retried only after a 429 or a connection that could not be
// opened.
//
// Clockify API: POST /v1/workspaces/{workspaceId}/webhooks
// https://docs.clockify.me/#tag/Webhooks/operation/createWebhook
func (s *WebhooksService) Create(ctx context.Context, workspaceID string, req *WebhookRequest) (*Webhook, *Response, error) {
	return s.write(ctx, http.MethodPost, workspaceID, "", req)
}

// Update changes a webhook.
//
// Clockify API: PUT /v1/workspaces/{workspaceId}/webhooks/{webhookId}
// https://docs.clockify.me/#tag/Webhooks/operation/updateWebhook
func (s *WebhooksService) Update(ctx context.Context, workspaceID, webhookID string, req *WebhookRequest) (*Webhook, *Response, error) {
	if err := requireIDs("webhookID", webhookID); err != nil {
		return nil, nil, err
	}
	return s.write(ctx, http.MethodPut, workspaceID, webhookID, req)
}

func (s *WebhooksService) write(ctx context.Context, method, workspaceID, webhookID string, req *WebhookRequest) (*Webhook, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID); err != nil {
		return nil, nil, err
	}
	body, err := req.normalized(workspaceID)
	if err != nil {
		return nil, nil, err
	}
	path := pathf("v1/workspaces/%s/webhooks", workspaceID)
	if webhookID != "" {
		path = pathf("v1/workspaces/%s/webhooks/%s", workspaceID, webhookID)
	}
	w := new(Webhook)
	resp, err := s.client.send(ctx, s.client.baseURL, method, path, body, w)
	if err != nil {
		return nil, resp, err
	}
	return w, resp, nil
}

// Delete removes a webhook. A webhook that does not exist is [ErrNotFound], unless the
// call was retried: then an earlier attempt deleted it, and Delete succeeds.
//
// Clockify API: DELETE /v1/workspaces/{workspaceId}/webhooks/{webhookId}
// https://docs.clockify.me/#tag/Webhooks/operation/deleteWebhook
func (s *WebhooksService) Delete(ctx context.Context, workspaceID, webhookID string) (*Response, error) {
	if err := requireIDs("workspaceID", workspaceID, "webhookID", webhookID); err != nil {
		return nil, err
	}
	return deleted(s.client.send(ctx, s.client.baseURL, http.MethodDelete, pathf("v1/workspaces/%s/webhooks/%s", workspaceID, webhookID), nil, nil))
}

// RegenerateToken issues a new token for a webhook; the old one stops working. It is
// retried like a read: each regeneration replaces the token, so sending one again after
// a lost answer ends with a token the caller knows.
//
// Clockify API: PATCH /v1/workspaces/{workspaceId}/webhooks/{webhookId}/token
// https://docs.clockify.me/#tag/Webhooks/operation/generateNewToken
func (s *WebhooksService) RegenerateToken(ctx context.Context, workspaceID, webhookID string) (*Webhook, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID, "webhookID", webhookID); err != nil {
		return nil, nil, err
	}
	w := new(Webhook)
	resp, err := s.client.sendIdempotent(ctx, s.client.baseURL, http.MethodPatch, pathf("v1/workspaces/%s/webhooks/%s/token", workspaceID, webhookID), nil, w)
	if err != nil {
		return nil, resp, err
	}
	return w, resp, nil
}

// WebhookLog is one delivery attempt of a webhook, as Clockify records it.
type WebhookLog struct {
	ID           string    `json:"id"`
	WebhookID    string    `json:"webhookId"`
	StatusCode   int       `json:"statusCode"`
	RequestBody  string    `json:"requestBody"`
	ResponseBody string    `json:"responseBody"`
	RespondedAt  time.Time `json:"respondedAt"`
}

// WebhookLogStatus filters delivery logs by outcome.
type WebhookLogStatus string

// Delivery log filters.
const (
	LogsAll       WebhookLogStatus = "ALL"
	LogsSucceeded WebhookLogStatus = "SUCCEEDED"
	LogsFailed    WebhookLogStatus = "FAILED"
)

// WebhookLogOptions selects delivery logs. Page is passed as given (Clockify's default
// is 0); Size defaults to 50. [WebhooksService.AllLogs] ignores Page.
type WebhookLogOptions struct {
	From         time.Time
	To           time.Time
	Status       WebhookLogStatus
	SortByNewest bool
	Page         int
	Size         int
}

// Logs returns a webhook's recent delivery attempts (Clockify keeps them for 7 days).
// The call is a POST that only reads, so it is retried like a GET.
//
// Clockify API: POST /v1/workspaces/{workspaceId}/webhooks/{webhookId}/logs
// https://docs.clockify.me/#tag/Webhooks/operation/getLogsForWebhook
func (s *WebhooksService) Logs(ctx context.Context, workspaceID, webhookID string, opts *WebhookLogOptions) ([]WebhookLog, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID, "webhookID", webhookID); err != nil {
		return nil, nil, err
	}
	if opts == nil {
		opts = &WebhookLogOptions{}
	}
	if opts.Page < 0 || opts.Size < 0 {
		return nil, nil, &ArgumentError{Field: "Page/Size", Reason: "must not be negative"}
	}
	body := struct {
		From         string           `json:"from,omitempty"`
		To           string           `json:"to,omitempty"`
		Status       WebhookLogStatus `json:"status,omitempty"`
		SortByNewest bool             `json:"sortByNewest"`
	}{Status: opts.Status, SortByNewest: opts.SortByNewest}
	if !opts.From.IsZero() {
		body.From = formatTime(opts.From)
	}
	if !opts.To.IsZero() {
		body.To = formatTime(opts.To)
	}
	q := url.Values{}
	if opts.Page > 0 {
		q.Set("page", strconv.Itoa(opts.Page))
	}
	if opts.Size > 0 {
		q.Set("size", strconv.Itoa(opts.Size))
	}
	var logs []WebhookLog
	resp, err := s.client.sendIdempotent(ctx, s.client.baseURL, http.MethodPost,
		withQuery(pathf("v1/workspaces/%s/webhooks/%s/logs", workspaceID, webhookID), q), body, &logs)
	if err != nil {
		return nil, resp, err
	}
	return logs, resp, nil
}

// AllLogs iterates over a webhook's delivery attempts (Clockify keeps them for 7 days),
// in pages of opts.Size (Clockify's default of 50 when zero). Clockify documents neither
// where these pages start nor how large one may be, so it pages as
// [EntityChangesService.AllCreated] does. Deliveries recorded, or dropped after their 7
// days, while the pages are read shift them, as in any list paged by offset (see the
// package doc).
//
// Clockify API: POST /v1/workspaces/{workspaceId}/webhooks/{webhookId}/logs
// https://docs.clockify.me/#tag/Webhooks/operation/getLogsForWebhook
func (s *WebhooksService) AllLogs(ctx context.Context, workspaceID, webhookID string, opts *WebhookLogOptions) iter.Seq2[WebhookLog, error] {
	first := WebhookLogOptions{}
	if opts != nil {
		first = *opts
	}
	return pageFromZero(func(page int) ([]WebhookLog, *Response, error) {
		o := first
		o.Page = page
		return s.Logs(ctx, workspaceID, webhookID, &o)
	})
}
