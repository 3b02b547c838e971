// Package webhook receives Clockify webhook deliveries: it verifies them, parses them into
// typed events, de-duplicates them and records each one.
//
// Clockify POSTs the flat entity JSON (no envelope) with two headers:
// Clockify-Signature, the webhook's token sent verbatim (not an HMAC), and
// Clockify-Webhook-Event-Type, the event's wire name. Each webhook has one event, so a
// workspace has several webhooks and several tokens.
//
// A [Verifier] holds the tokens, each tied to its webhook and event. It finds a
// signature's token by its SHA-256 digest, so timing reveals nothing of any token and a
// host holding many workspaces' tokens checks as fast as one holding a workspace's
// seven; it accepts both tokens during a rotation's grace period ([Verifier.Rotate]; a
// token rotated away by another process, until a given time: [Verifier.AddUntil]).
// [Parse] maps Clockify's wire names (NEW_TIME_ENTRY, NEW_TIMER_STARTED, NEW_PROJECT,
// ...) to the seven [Kind]s the product uses and decodes the typed payload. A [Handler]
// puts it all behind http.Handler with body limits and clear statuses:
//
//	405 not POST · 413 body over the cap · 401 missing or wrong signature (no hint why)
//	400 unknown event type, malformed payload or a workspace not served
//	200 applied, duplicate or an ignored Clockify event · 503 apply failed, redeliver
//	(or the token reload failed, or the same delivery is being applied) · 422 apply
//	failed for good (ErrPermanent)
//
// A host whose tokens change elsewhere (several replicas over one store) gives the
// handler a reload with [WithTokenReload]: a signature that matches no token held
// verifies again after it, at most a few reloads in a row and then one every few
// seconds.
//
// Mount it on the public URL registered with Clockify:
//
//	v, _ := webhook.NewVerifier(tokens)
//	mux.Handle("POST /hooks/clockify", webhook.NewHandler(v, engine.Apply))
//
// A delivery is a duplicate when it repeats the last one applied for its entity (same
// event, same body): Clockify sending it again. The same body after a different one is an
// edit back to an earlier state, and is applied (see [Deduper]); so is a repeat that
// [WithDuplicateCheck] finds the host no longer holds (its store changed by a sync
// since). A repeat of a delivery still being applied is answered 503, since that apply
// may yet fail; and one whose apply died with its process is applied once its claim
// lapses ([WithApplyTimeout]).
//
// Every request is recorded in a [DeliveryLog], forged ones too, its text made valid
// UTF-8 without NUL. [MemoryLog], the default, bounds each workspace's records apart, and
// those with no workspace apart from them, so that neither a flood of forged requests
// nor a busy workspace pushes another workspace's records out.
//
// [NewSignedRequest] builds a signed delivery for tests of a host's own handler.
package webhook
