package sync

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// cleanWebhookURL returns a webhook URL without the spaces around it, or an InputError
// for one that is neither empty nor an absolute http(s) URL, or is not UTF-8: Clockify
// is sent it in JSON, which cannot carry such bytes, so the URL it would list back could
// never match the one stored.
func cleanWebhookURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	if !utf8.ValidString(raw) {
		return "", inputError("webhook url", "want UTF-8")
	}
	if u, err := url.Parse(raw); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", inputError("webhook url", "want an absolute http(s) URL")
	}
	return raw, nil
}

// sameURL reports whether a webhook's URL, as Clockify lists it or as stored, is the
// connection's URL, as sent or as Clockify may have normalised it without changing where
// it delivers (RFC 3986, 6.2.2 and 6.2.3): the scheme's and host's case, a default port,
// an empty path for "/", the case of percent-escapes and escapes of characters that need
// none, and the fragment, which is never sent. Whether Clockify normalises URLs is not
// documented; taking such a URL for another would register the webhooks again on every
// scheduled sync. A connection's URL set again in another of these spellings keeps its
// webhooks where they are, stored with the URL they were registered at.
func sameURL(webhook, conn string) bool {
	if webhook == conn {
		return true
	}
	a, errA := url.Parse(webhook)
	b, errB := url.Parse(conn)
	return errA == nil && errB == nil && formOf(a) == formOf(b)
}

// urlForm is what sameURL compares of a URL.
type urlForm struct{ scheme, user, host, port, path, query string }

func formOf(u *url.URL) urlForm {
	f := urlForm{scheme: u.Scheme, user: u.User.String(), host: strings.ToLower(u.Hostname()), port: u.Port(),
		path: normalEscapes(u.EscapedPath()), query: normalEscapes(u.RawQuery)}
	if f.scheme == "http" && f.port == "80" || f.scheme == "https" && f.port == "443" {
		f.port = ""
	}
	if f.path == "" {
		f.path = "/"
	}
	return f
}

// normalEscapes writes the percent-escapes of s in upper case, and the characters that
// need none (RFC 3986's unreserved: letters, digits, "-", ".", "_" and "~") unescaped.
func normalEscapes(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+2 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		c, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		switch {
		case err != nil:
			b.WriteByte(s[i])
			continue
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", byte(c)) >= 0:
			b.WriteByte(byte(c))
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
		i += 2
	}
	return b.String()
}

// WebhookResult says what SetWebhookURL did.
type WebhookResult struct {
	// Webhooks counts the webhooks that deliver to the URL, registered now or found
	// registered.
	Webhooks int
	// MissingEvents are the events Clockify would not register a webhook for, or holds
	// theirs disabled, as in ConnectResult.
	MissingEvents []clockify.WebhookEvent
}

// SetWebhookURL moves a connected workspace's webhooks to another public URL of the
// host's handler (a new domain, or a host that had none), with the API key stored at
// Connect, so that no customer is asked for it again: the engine's webhooks at any other
// URL are deleted in Clockify, and one per event registered at the new one (those found
// there, or at a spelling of it that leads to the same place, such as a host in capitals,
// are kept; spaces around the URL are trimmed). An empty URL deletes them all, and
// the schedule's syncs alone keep the store current. The schedule stays as it is
// (SetSchedule changes it). A bad URL is an InputError, and a workspace not connected
// ErrNotConnected; neither changes anything.
// A Disconnect meanwhile, on this replica or another, wins. After a failure part way,
// calling it again finishes the move. A delivery still on its way from a webhook the move
// deleted verifies on every replica for the rotation grace (WithRotationGrace), as after
// a rotation, when the same call registers its event's webhook at the new URL; otherwise
// (an empty URL, Clockify refusing that webhook, a call failing part way) it is refused,
// and the next scheduled sync reads what it told.
func (e *Engine) SetWebhookURL(ctx context.Context, workspaceID, webhookURL string) (*WebhookResult, error) {
	webhookURL, err := cleanWebhookURL(webhookURL)
	if err != nil {
		return nil, err
	}
	client, _, err := e.client(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	unlock, err := e.lockWebhooks(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var conn Connection
	err = e.store.UpdateConnection(ctx, workspaceID, func(c *Connection) error {
		if err := connected(workspaceID, c); err != nil {
			return err
		}
		c.WebhookURL, c.Updated = webhookURL, e.now().UTC()
		conn = *c
		return nil
	})
	if err != nil {
		return nil, err
	}
	stored, err := e.store.Webhooks(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	reg, err := e.registerWebhooks(ctx, client, conn, events[:], stored)
	if err == nil {
		err = e.store.UpdateConnection(ctx, workspaceID, func(c *Connection) error {
			if c.Status != StatusDisconnected { // a Disconnect meanwhile cleared them
				c.MissingEvents = reg.missing
			}
			return nil
		})
	}
	if err := e.undoIfDisconnected(ctx, client, workspaceID, err); err != nil {
		return nil, err
	}
	return &WebhookResult{Webhooks: reg.live, MissingEvents: reg.missing}, nil
}

// registration is what registerWebhooks did.
type registration struct {
	live    int                     // webhooks of the wanted events that deliver to the URL
	added   int                     // webhooks registered (or given a new token) now
	missing []clockify.WebhookEvent // the wanted events Clockify refused a webhook, or holds theirs disabled
	looked  bool                    // Clockify's webhooks were listed (or refused to the key): missing is known
}

// count counts a webhook of a wanted event: live when Clockify delivers it, or its
// event missing when Clockify holds it disabled (past a Free plan's three webhooks,
// until an upgrade enables it again).
func (r *registration) count(ev clockify.WebhookEvent, delivers bool) {
	if delivers {
		r.live++
	} else {
		r.missing = append(r.missing, ev)
	}
}

// registerWebhooks makes sure one webhook per wanted event delivers to the connection's
// URL, given the workspace's stored webhooks: a webhook already there is reused (its
// token regenerated if the store does not hold it, since Clockify may not list tokens),
// the engine's webhooks at another URL are deleted, and those deleted in Clockify are
// forgotten. Clockify refusing a webhook (a plan's limit), or holding one disabled, is
// reported, not an error: a disabled webhook is kept, with its token, for Clockify to
// enable again. Once Clockify refuses to create one, no other is created: their events
// are reported missing too.
func (e *Engine) registerWebhooks(ctx context.Context, client *clockify.Client, conn Connection, want []clockify.WebhookEvent, stored []Webhook) (registration, error) {
	var reg registration
	ws := conn.WorkspaceID
	ours := map[string]Webhook{}
	for _, w := range stored {
		ours[w.ID] = w
	}
	list, _, err := client.Webhooks.List(ctx, ws)
	if errors.Is(err, clockify.ErrForbidden) {
		// Only admins manage webhooks: those an admin's key registered before (SetAPIKey
		// since) are taken to deliver still, and the other events are missing.
		if conn.WebhookURL != "" {
			for _, ev := range want {
				reg.count(ev, slices.ContainsFunc(stored, func(w Webhook) bool { return w.Event == string(ev) && sameURL(w.URL, conn.WebhookURL) }))
			}
		}
		reg.looked = true
		return reg, nil
	}
	if err != nil {
		return reg, err
	}
	reg.looked = true
	// Webhooks the store holds that Clockify no longer has were deleted there: forget them.
	for id := range ours {
		if !slices.ContainsFunc(list.Webhooks, func(h clockify.Webhook) bool { return h.ID == id }) {
			if err := e.store.DeleteWebhook(ctx, ws, id); err != nil && !errors.Is(err, ErrNotFound) { // a Disconnect elsewhere forgot it
				return reg, err
			}
			e.distrust(id)
			delete(ours, id)
		}
	}
	live := map[clockify.WebhookEvent]clockify.Webhook{}
	// The tokens of the engine's webhooks deleted at another URL, by event: a delivery
	// they signed, still on its way, verifies for the rotation grace, as after a
	// rotation, with the webhook of its event registered at the new URL.
	moved := map[clockify.WebhookEvent][]replacedToken{}
	for _, h := range list.Webhooks {
		if w, mine := ours[h.ID]; mine && !sameURL(h.URL, conn.WebhookURL) {
			moved[h.WebhookEvent] = e.replacedBy(w)
			if err := e.deleteWebhook(ctx, client, ws, h.ID); err != nil {
				return reg, err
			}
			delete(ours, h.ID)
			continue
		}
		if conn.WebhookURL == "" || !sameURL(h.URL, conn.WebhookURL) {
			continue
		}
		// Two webhooks of one event at the URL (two Connects at once) would deliver
		// everything twice and count twice against the plan's limit: one is deleted,
		// keeping one whose token the store holds.
		if prev, dup := live[h.WebhookEvent]; dup {
			drop := h
			if ours[prev.ID].SealedToken == nil && ours[h.ID].SealedToken != nil {
				drop, live[h.WebhookEvent] = prev, h
			}
			if err := e.deleteWebhook(ctx, client, ws, drop.ID); err != nil {
				return reg, err
			}
			delete(ours, drop.ID)
			continue
		}
		live[h.WebhookEvent] = h
	}
	if conn.WebhookURL == "" {
		return reg, nil
	}
	refusedCreate := false // Clockify refused to create a webhook in this registration
	for _, ev := range want {
		h, ok := live[ev]
		var got *clockify.Webhook
		switch {
		case ok && ours[h.ID].SealedToken != nil:
			reg.count(ev, h.Delivers())
			continue
		case ok:
			got, _, err = client.Webhooks.RegenerateToken(ctx, ws, h.ID)
		case refusedCreate:
			// Past a plan's limit every create is refused, each spending a request of a
			// plan that may allow thirty an hour: the scheduled syncs try again, one a
			// sync, in turn, so an event refused for a reason of its own delays the
			// others by hours at most.
			reg.missing = append(reg.missing, ev)
			continue
		default:
			got, _, err = client.Webhooks.Create(ctx, ws, &clockify.WebhookRequest{
				Name: webhookName(ev), URL: conn.WebhookURL, WebhookEvent: ev,
			})
		}
		var apiErr *clockify.APIError
		if errors.As(err, &apiErr) && !errors.Is(err, clockify.ErrInvalidAPIKey) && apiErr.StatusCode < 500 {
			e.log.WarnContext(ctx, "clockifysync: Clockify refused a webhook", "workspace", ws, "event", ev, "error", err)
			reg.missing = append(reg.missing, ev)
			refusedCreate = refusedCreate || !ok
			continue
		}
		if err != nil {
			return reg, err
		}
		if got.AuthToken == "" {
			return reg, fmt.Errorf("clockifysync: Clockify returned webhook %s without its token", got.ID)
		}
		w := Webhook{WorkspaceID: ws, ID: got.ID, Event: string(ev), URL: conn.WebhookURL}
		w.SealedToken = e.sealTokens(w, webhookTokens{current: got.AuthToken, replaced: moved[ev]})
		if err := e.store.PutWebhook(ctx, w); err != nil {
			return reg, err
		}
		if err := e.trust(w, got.AuthToken, false); err != nil {
			return reg, err
		}
		if err := e.honour(w, moved[ev]); err != nil {
			return reg, err
		}
		reg.added++
		reg.count(ev, got.Delivers())
	}
	return reg, nil
}

// repairWebhooks registers again the webhooks of the workspace that Clockify no longer
// has (deleted in its settings), so that its real-time updates do not stop for good; a
// scheduled sync calls it. It also tries again the events Clockify refused a webhook
// before (a Free plan's three, until an upgrade), one a call, in turn: each refusal
// spends a request of a plan that may allow thirty an hour. Once Clockify takes one, it
// tries the others. A workspace whose key never registered a webhook (a member's) is
// left alone.
func (e *Engine) repairWebhooks(ctx context.Context, client *clockify.Client, conn Connection) (registration, error) {
	var reg registration
	workspaceID := conn.WorkspaceID
	if conn.WebhookURL == "" {
		return reg, nil // no webhooks: spare the locks
	}
	unlock, err := e.lockWebhooks(ctx, workspaceID)
	if err != nil {
		return reg, err
	}
	defer unlock()
	if conn, err = e.connection(ctx, workspaceID); err != nil || conn.WebhookURL == "" {
		return reg, err
	}
	stored, err := e.store.Webhooks(ctx, workspaceID)
	if err != nil {
		return reg, err
	}
	var want, refused []clockify.WebhookEvent
	for _, ev := range events {
		if slices.ContainsFunc(stored, func(w Webhook) bool { return w.Event == string(ev) && sameURL(w.URL, conn.WebhookURL) }) {
			want = append(want, ev)
		} else {
			refused = append(refused, ev)
		}
	}
	if len(want) == 0 {
		return reg, nil
	}
	var probe clockify.WebhookEvent
	if len(refused) > 0 {
		probe = retryEvent(refused, e.now())
		refused = slices.DeleteFunc(refused, func(ev clockify.WebhookEvent) bool { return ev == probe })
		want = append(want, probe)
	}
	if reg, err = e.registerWebhooks(ctx, client, conn, want, stored); err != nil {
		return reg, err
	}
	if len(refused) > 0 && !slices.Contains(reg.missing, probe) {
		if stored, err = e.store.Webhooks(ctx, workspaceID); err != nil {
			return reg, err
		}
		more, err := e.registerWebhooks(ctx, client, conn, refused, stored)
		if err != nil {
			return reg, err
		}
		reg.added, reg.missing, reg.looked = reg.added+more.added, append(reg.missing, more.missing...), reg.looked && more.looked
	} else {
		reg.missing = append(reg.missing, refused...)
	}
	slices.SortFunc(reg.missing, func(a, b clockify.WebhookEvent) int {
		return slices.Index(events[:], a) - slices.Index(events[:], b)
	})
	if reg.added == 0 {
		return reg, nil
	}
	e.log.InfoContext(ctx, "clockifysync: registered the webhooks Clockify was missing", "workspace", workspaceID, "webhooks", reg.added)
	return reg, e.undoIfDisconnected(ctx, client, workspaceID, nil)
}

// retryEvent picks the refused event a repair tries again: another each hour, so that
// one Clockify refuses for a reason of its own does not keep the others from a try. The
// hours are counted down to a whole one and taken modulo the events' number as
// non-negative, for a clock before 1970 too (WithClock), whose Unix time is negative.
func retryEvent(refused []clockify.WebhookEvent, now time.Time) clockify.WebhookEvent {
	hour, n := now.Truncate(time.Hour).Unix()/3600, int64(len(refused))
	return refused[(hour%n+n)%n]
}

// lockWebhooks takes the locks under which the workspace's webhooks change after
// Connect: Connect's own, and this process's sync lock, which Disconnect takes. A
// Disconnect on another replica is met by undoIfDisconnected.
func (e *Engine) lockWebhooks(ctx context.Context, workspaceID string) (func(), error) {
	return e.lockAll(ctx, workspaceID, lockConnect, lockSync)
}

// undoIfDisconnected follows a change of the workspace's webhooks that ended with err
// (nil when it succeeded): if the workspace was disconnected meanwhile, on another
// replica, the change is abandoned and ErrNotConnected returned.
func (e *Engine) undoIfDisconnected(ctx context.Context, client *clockify.Client, workspaceID string, err error) error {
	if _, cerr := e.connection(ctx, workspaceID); errors.Is(cerr, ErrNotConnected) {
		return e.abandon(ctx, client, workspaceID, cerr)
	}
	return err
}

// abandon ends a change of the workspace's webhooks (Connect, a repair, a rotation)
// that a Disconnect overtook, err saying so. The Disconnect wins, being the later
// action: the webhooks registered or given new tokens since are deleted in Clockify and
// forgotten, and so is the client.
func (e *Engine) abandon(ctx context.Context, client *clockify.Client, workspaceID string, err error) error {
	if _, uerr := e.unregisterWebhooks(ctx, client, workspaceID); uerr != nil {
		return errors.Join(err, uerr)
	}
	e.forgetClient(workspaceID)
	return err
}

// webhookName names the engine's webhook for an event, within Clockify's 30 characters.
func webhookName(ev clockify.WebhookEvent) string {
	name := "jasper " + strings.ToLower(string(ev))
	return name[:min(len(name), 30)]
}

// deleteWebhook deletes a webhook in Clockify (one already gone counts as deleted) and
// forgets it.
func (e *Engine) deleteWebhook(ctx context.Context, client *clockify.Client, workspaceID, id string) error {
	if _, err := client.Webhooks.Delete(ctx, workspaceID, id); err != nil && !errors.Is(err, clockify.ErrNotFound) {
		return err
	}
	if err := e.store.DeleteWebhook(ctx, workspaceID, id); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	e.distrust(id)
	return nil
}
