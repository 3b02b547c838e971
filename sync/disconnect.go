package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// DisconnectResult says what Disconnect did.
type DisconnectResult struct {
	// Unregistered counts the webhooks deleted in Clockify, and those found deleted
	// there already (in its settings, or by a Disconnect cut short).
	Unregistered int
	// LeftRegistered lists the webhooks Clockify would not let the key delete (a key
	// revoked since): delete them in Clockify's settings. Their tokens are forgotten.
	LeftRegistered []string
}

// Disconnect unregisters the workspace's webhooks (those stored, and any other at the
// connection's URL, which a registration cut short may have left unstored), deletes its
// stored API key and webhook tokens, and keeps its entries, links and mappings as
// history. A failure other than the key being refused changes nothing more than the
// webhooks already deleted, and Disconnect may be called again.
func (e *Engine) Disconnect(ctx context.Context, workspaceID string) (*DisconnectResult, error) {
	unlock, err := e.lock(ctx, lockSync, workspaceID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	client, _, err := e.client(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	res, err := e.unregisterWebhooks(ctx, client, workspaceID)
	if err != nil {
		return nil, err
	}
	if err := e.store.FinishRun(ctx, workspaceID); err != nil {
		return nil, err
	}
	err = e.store.UpdateConnection(ctx, workspaceID, func(c *Connection) error {
		c.Status, c.SealedAPIKey, c.MissingEvents, c.Updated = StatusDisconnected, nil, nil, e.now().UTC()
		return nil
	})
	if err != nil {
		return nil, err
	}
	// A registration on another replica (a Connect, a move of the webhooks, a repair) may
	// have created webhooks since they were listed: it deletes those it creates from now
	// on (undoIfDisconnected), and those it created before are found now.
	if late, err := e.unregisterWebhooks(ctx, client, workspaceID); err != nil {
		e.log.WarnContext(ctx, "clockifysync: unregistering the webhooks again once disconnected", "workspace", workspaceID, "error", err)
	} else {
		res.Unregistered += late.Unregistered
		res.LeftRegistered = append(res.LeftRegistered, late.LeftRegistered...)
	}
	e.forgetClient(workspaceID)
	return res, nil
}

// Purge deletes everything the store keeps of a disconnected workspace (the store's
// DeleteWorkspace): its entries and links, its members' names and emails, its projects,
// mappings and delivery records, and its connection; for a customer who leaves and asks
// that their data be erased, since Disconnect keeps the history. A workspace still
// connected, or connecting, is ErrStillConnected and loses nothing: Disconnect it first,
// which unregisters its webhooks. A workspace of which nothing is kept is no error. Purge
// waits for a Connect or a sync of the workspace in progress (on every replica, with a
// WorkspaceLocker store), and a Connect after it starts afresh. A webhook delivery whose
// apply was reading Clockify meanwhile deletes the workspace again after its write
// (Apply), on whichever replica it runs, and so does a mapping, a link by hand or a
// relink written meanwhile (SetProjectMapping, DeleteProjectMapping, SetUserMapping,
// LinkManually, SetGitHubHost).
func (e *Engine) Purge(ctx context.Context, workspaceID string) error {
	if workspaceID == "" {
		return inputError("workspace", "required")
	}
	unlock, err := e.lockAll(ctx, workspaceID, lockConnect, lockSync, lockRun) // as Connect takes them
	if err != nil {
		return err
	}
	defer unlock()
	conn, err := e.store.Connection(ctx, workspaceID)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return err
	case conn.Status != StatusDisconnected:
		return fmt.Errorf("%w: %s", ErrStillConnected, workspaceID)
	}
	if err := e.store.DeleteWorkspace(ctx, workspaceID); err != nil {
		return err
	}
	e.forgetClient(workspaceID)
	return nil
}

// unregisterWebhooks deletes the workspace's webhooks in Clockify and forgets them:
// those stored, and those at the connection's URL that the store does not hold, which a
// registration cut short created before its answer arrived (a registration again would
// reuse them). Those the key may no longer delete are forgotten, and listed.
func (e *Engine) unregisterWebhooks(ctx context.Context, client *clockify.Client, workspaceID string) (*DisconnectResult, error) {
	hooks, err := e.store.Webhooks(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(hooks))
	for _, w := range hooks {
		ids = append(ids, w.ID)
	}
	conn, err := e.store.Connection(ctx, workspaceID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if conn.WebhookURL != "" {
		list, _, err := client.Webhooks.List(ctx, workspaceID)
		switch {
		case err == nil:
			for _, h := range list.Webhooks {
				if sameURL(h.URL, conn.WebhookURL) && !slices.Contains(ids, h.ID) {
					ids = append(ids, h.ID)
				}
			}
		case !refusedKey(err):
			return nil, err
		}
	}
	res := &DisconnectResult{}
	for _, id := range ids {
		err := e.deleteWebhook(ctx, client, workspaceID, id)
		switch {
		case err == nil:
			res.Unregistered++
		case refusedKey(err):
			res.LeftRegistered = append(res.LeftRegistered, id)
			if err := e.store.DeleteWebhook(ctx, workspaceID, id); err != nil && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
			e.distrust(id)
		default:
			return nil, err
		}
	}
	return res, nil
}

// refusedKey reports whether Clockify refused the key a call was made with: revoked, or
// its user no longer an admin.
func refusedKey(err error) bool {
	return errors.Is(err, clockify.ErrInvalidAPIKey) || errors.Is(err, clockify.ErrForbidden)
}
