// Package clockify is a typed client for Clockify's REST API.
//
// # Authentication
//
// Every call is authenticated with a Clockify API key, sent in the X-Api-Key header by a
// transport that clones each request. The key is trimmed when the client is built and an
// empty key is rejected. The key goes only to the core and reports APIs' origins (scheme,
// host and port): a redirect to any other, or from https to http, is followed without it.
// The key never appears in an error string, a log line or a panic:
// [APIError] carries the HTTP status, Clockify's own code and the method and path only.
//
//	c, err := clockify.NewClient(clockify.WithAPIKey(os.Getenv("CLOCKIFY_API_KEY")))
//
// # Regions
//
// Clockify serves the core API and the reports API from different hosts, and regional
// workspaces from regional hosts. [WithRegion] picks both; [WithBaseURL] and
// [WithReportsURL] point the client anywhere else (for example at a clockifytest server).
//
// # Pagination
//
// List calls come in two layers: List returns one page and a [Response] (whose LastPage
// reports Clockify's Last-Page header), and All returns a lazy iter.Seq2 that fetches
// nothing until it is ranged over, holds one page at a time, and stops on Last-Page: true
// (or, where Clockify sends no such header, on a short page). A short page marked
// Last-Page: false is not taken for the end: a server that serves fewer items than asked
// for loses nothing. A page that repeats the one before it (a server or a cache that
// ignores the page parameter) ends the iteration with [ErrRepeatedPage] instead of
// looping for ever. Where Clockify documents neither where pages start nor how large one
// may be (entity changes, and webhook delivery logs: [WebhooksService.AllLogs]), the
// iterators find where they start and end only on an empty page.
//
// Clockify pages by offset. An item created or deleted, in the pages already read, while
// a list is being read shifts the pages after it: an item may then come twice, or not at
// all. Keep what you read by ID, and before taking an item that did not come back for
// deleted, ask for it (Get answers [ErrNotFound] once it is gone), or read the list
// again.
//
// # Changes since
//
// The time-entry lists filter on an entry's start only: an entry started last month and
// edited today is not in the last day's list, and a deleted one is only missing from it.
// Clockify's entity-change endpoints (marked Experimental by Clockify) answer what a sync
// needs instead, for a whole workspace: [EntityChangesService.AllCreated], AllUpdated and
// AllDeleted list the time entries created, updated and deleted in a period, by when that
// happened. An entity created in the period is reported as created only, and one created
// and deleted in it not at all; a deletion shows about a minute after it happens, so a
// sync that asks up to now should ask again from a little before.
//
// # Rate limits and retries
//
// Every attempt, retries included, first waits on a token bucket (golang.org/x/time/rate,
// 50 requests per second by default) shared by all goroutines that use the client.
// Network errors, truncated bodies and 429, 502, 503 and 504 responses are retried with
// exponential backoff and jitter (hashicorp/go-retryablehttp); Retry-After is honoured up
// to a cap, and one that would outlast the context's deadline returns the answer at once
// (its [APIError.RetryAfter] says how long to wait). Requests that create things (POST,
// PATCH) are retried only after a 429 or a connection that could not be opened, when
// Clockify cannot have acted on them, unless the policy allows more; read-only POSTs
// (webhook logs, the detailed report) and token regeneration are retried like GETs. A
// DELETE told after a retry that its entity is gone succeeds, and [Response.Attempts]
// says how many attempts a call took. Every wait ends when the context does, and the
// call then returns ctx.Err(). A call whose turn in the bucket would come after the
// context's deadline is not sent, and fails at once with an error that matches
// context.DeadlineExceeded.
//
// # Errors
//
// A non-2xx answer becomes an [*APIError]. errors.Is matches it against
// [ErrInvalidAPIKey] (401), [ErrForbidden] (403), [ErrNotFound] (404, and Clockify's
// 400 "... doesn't belong to Workspace"; not its 404 for a path with no route, code 3000)
// and [ErrRateLimited] (429 after every retry).
//
// An argument Clockify would refuse is an [*ArgumentError], and nothing is sent: an empty
// id, a page size over Clockify's maximum, a range that ends before it starts, a required
// field left out, or a field outside the limits of Clockify's API description (a
// project's name, colour or note, an entry's type or description, a webhook's name or
// URL).
//
// # Testing
//
// Package clockify/clockifytest is a stateful fake Clockify, and its Server.NewClient
// returns a client of this package for it. Created WithoutListener inside a
// testing/synctest bubble, the fake is reached in-process, and the client's waits (rate
// limit, backoff, Retry-After) pass on the bubble's fake clock: a test measures them
// exactly, and takes no time over them.
//
// # Wire types
//
// Types follow the shapes Clockify sends live rather than its OpenAPI schemas: every field
// may be null, a running timer has a nil End and Duration, rates are integer minor units,
// timestamps are UTC, and durations are strict ISO-8601 ([Duration]).
package clockify
