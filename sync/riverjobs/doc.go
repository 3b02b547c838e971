// Package riverjobs runs the sync engine's scheduled and manual syncs as River jobs
// (github.com/riverqueue/river) in the PostgreSQL database of store/postgres, for a host
// with several replicas.
//
// A periodic tick, run by River's elected leader once a minute, queues a sync for each
// workspace that is due (Engine.Due): one at most per workspace while it waits or runs.
// A scheduled sync that a replica left running when it stopped (killed, or lost with its
// machine) would hold that place until River rescued it, an hour after it started; once
// it has run for two minutes with no replica holding its workspace's lock, the tick
// queues another in its place, which resumes the sync where it stopped.
// Every sync holds an advisory lock on its workspace while it runs, so two replicas
// never sync one workspace at once; a manual sync (EnqueueSync) that finds the lock
// taken is snoozed, and runs after the sync in progress. One that meets a sync River did
// not run (Connect's initial sync, or a call to Engine.Sync, on another replica) waits
// for it: the engine holds a lock of its own in the store while a sync runs. A scheduled
// sync that fails is not retried by River: the engine records the failure and the tick
// queues the workspace again when Engine.Due says, as Engine.Run does (five minutes
// later, then after waits that double while it keeps failing). A manual sync that fails
// is retried with River's backoff, up to eight attempts (about 80 minutes). A sync no
// retry can help (the workspace is no longer connected, or Clockify refuses its key) is
// cancelled. A sync that succeeds records the engine's Result as the job's output
// (SyncOutput, in the job row's metadata): what it stored, the members Clockify would
// not list, the webhook events it delivers no more.
//
// A replica's Engine.Handler trusts the webhook tokens another replica registered or
// rotated on the first delivery they sign. Each replica that serves it also calls
// Engine.RefreshTokens every minute or so (Engine.Run does it on a single machine), so
// that it refuses the tokens of webhooks another replica deleted.
package riverjobs
