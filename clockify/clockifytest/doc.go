// Package clockifytest is a fake Clockify for tests, benchmarks and examples, started
// like net/http/httptest.
//
// The fake is stateful and behaves as Clockify does as far as public sources show: it
// serves the core API under /api/ and the reports API under /report/; it accepts exactly
// one of X-Api-Key and X-Addon-Token (401 with codes 1000, 4003 or 4017 otherwise);
// answers 403 code 501 for a workspace the user is not in and 400 "... doesn't belong to
// Workspace" for unknown ids; lists bare JSON arrays with a 1-based page and a Last-Page
// header; lists members by email, as Clockify does by default, filtered by parts of their
// names and emails and by status, with their memberships on request; rejects page sizes
// over 5000; answers 405 (with Allow) for a wrong verb;
// refuses a webhook whose event or trigger source type is not in Clockify's enums, and
// one past Clockify's limits (ten per admin, a hundred per workspace, three on the Free
// plan, where a downgrade disables all but the three oldest: [Server.SetFreePlan]);
// refuses a project's name, colour or note, and an entry's type or description, outside
// the limits of Clockify's API description (400, "You entered invalid value for field";
// Clockify's own message for these is not recorded); reads
// a detailed report's range as wall-clock time in the report's zone (the user's zone when
// it names none) and renders its times there; and filters time entries on their start
// time only. A project created without a billable flag is billable when the workspace's
// defaultBillableProjects setting says so, and an entry created without one takes its
// project's flag (no project, not billable). Clockify's API description says neither;
// the setting's name and a third-party guide to the API suggest both. An entry carries
// the hourly rate of its project, else the workspace's (the fake keeps no rates per
// member or task), in reads, lists and deliveries; the answers to a create, an update or
// a stop carry no rates, as Clockify's API description says of them.
//
// It also serves Clockify's experimental entity-change endpoints for time entries, to
// admins (Clockify does not say who may read them; the fake treats them like its other
// workspace-wide reads): the entries created, updated (but not created) and deleted (but
// not created) in a range, by when that happened, from the time each entry was stored,
// last changed (stopping a timer included) and deleted, on the server's clock
// ([WithClock]). Clockify documents neither where their pages start nor a Last-Page
// header there: the fake's pages count from 1, as its other lists do, and it sends no
// Last-Page on them. A generated entry was created when it ended (a running one when it
// started); a deletion shows at once, unless [Server.SetDeletionLag] has it show later,
// as Clockify documents (about a minute).
//
// When an entry or a project is created, updated or deleted, or a timer stopped (through
// the API or the Go methods), the fake POSTs the flat entity JSON to every webhook on
// that event whose trigger source covers it (the workspace, or a listed project, user,
// task or tag), with Clockify-Signature and Clockify-Webhook-Event-Type; an entry's
// payload carries no type and no rates, as in Clockify's sample payloads. A webhook's
// token comes in the answers of its create and its regeneration only, not in lists or
// reads. It records the attempt in the webhook's logs, and does all of it before the
// triggering call returns, so a test sees the delivery without waiting. It follows no
// redirect: a 3xx is the delivery's answer, and the token is sent to the webhook's URL
// only.
//
// Faults can be injected at random ([Faults]: 429 with and without Retry-After, 500, 502,
// 503, dropped connections, truncated bodies, latency, and answers lost after the request
// was carried out) or scripted ([Server.FailNext]), and [WithRateLimit] simulates
// Clockify's per-key rate limit. [Server.RequestCounts] and [Server.HighestRate] tell a
// test what the client did.
//
// [Server.Transport] serves requests in-process, with no network between client and fake.
// A client built on it can run in a testing/synctest bubble, where its rate limit,
// backoff and Retry-After waits pass on the bubble's fake clock: a test measures them
// exactly, and takes no time over them. A server created [WithoutListener] opens no
// socket, so the whole test can live in the bubble, and its [Server.NewClient] uses the
// transport.
//
// [Generate] builds a deterministic workspace of members, projects named like
// repositories and a month of entries with realistic descriptions.
package clockifytest
