// Package sync is the engine that keeps a store of Clockify time entries linked to GitHub
// pull requests. Callers import it as clockifysync, since its name shadows the standard
// library's.
//
// An [Engine] connects workspaces ([Engine.Connect]): it checks the API key and the
// workspace, seals the key (AES-256-GCM, with a key the host provides), imports and maps
// the members and projects, registers one webhook per event, and reads the last 30 days
// (up to 365). [Engine.Sync] and [Engine.SyncRecent] read a window of entries again:
// Clockify lists entries per member and filters them on start time only, so every
// member's entries are read (concurrently, within the client's rate limit), upserted,
// and an entry stored in the window that did not come back is read by id and marked
// deleted when Clockify no longer has it. Each member's progress is checkpointed, so a
// stopped sync resumes and a repeated one duplicates nothing. [Engine.Run] runs each
// workspace's schedule ([Engine.SyncScheduled]: a window back to the last sync, then
// Clockify's list of entries created, updated and deleted since, which catches an old
// entry edited today, and registers again a webhook deleted in Clockify, or one Clockify
// refused before a plan's upgrade), several workspaces at once
// ([WithWorkspaceConcurrency]) so that a slow one holds up no other, each sync's result
// told to [WithOnSync]; a failing workspace is retried after waits that double, up to
// its schedule's period, and a panic in one workspace's sync is that sync's failure, not
// the process's end. [Connection].MissingEvents names the events Clockify delivers no
// webhook for. [Engine.SetSchedule] changes a workspace's schedule, and
// [Engine.SetWebhookURL] moves its webhooks to another URL of the host's.
// [Engine.Handler] receives webhook deliveries, verified, de-duplicated and logged in
// the store, and applies them after reading the entity again from Clockify; of two
// deliveries about one entity applied at once, what the later one read is kept. A repeat
// of a delivery is a duplicate only while the store still holds what it tells (a sync
// may have stored another state since), and a timer that starts has the member's other
// running entries read again (Clockify stops them, and tells no webhook), as an entry
// split in two has the member's entries over its time (Clockify tells of one part).
// [Engine.Disconnect] unregisters the webhooks and deletes the credentials, and keeps
// the entries and links as history, which [Engine.Purge] deletes on request; a
// Disconnect while Connect runs wins, and a second Connect or sync of a workspace waits
// for the first (across replicas too on store/postgres, a [WorkspaceLocker]).
//
// Links come from the linker on every entry written, resolved with the project's mapping
// ([Engine.SetProjectMapping]), URLs on the workspace's GitHub Enterprise host included
// ([ConnectRequest].GitHubHost, [Engine.SetGitHubHost]); links made by hand
// ([Engine.LinkManually]) are kept apart, survive every re-sync and replace the entry's
// auto links ([Engine.LinkedEntries]). [EntryQuery].PR selects one pull request's
// entries, read through the stores' index of link targets, and [Engine.Report] sums
// their time, priced with the workspace's rates: the organisation's default
// ([Engine.SetDefaultRate], in AUD unless it names a currency), overrides per project
// ([Engine.SetProjectRate]), changes of either from a moment on
// ([Engine.SetDefaultRateFrom], [Engine.SetProjectRateFrom]: the time before keeps its
// rate) and, on request, the rate Clockify applied to each entry
// ([Engine.SetClockifyRates]), kept with its connection. [EntryQuery].Limit, Newest and
// After read entries a page at a time, for a list to link them by hand.
//
// Everything the engine keeps goes through a [Store], made of small role interfaces.
// The module has three: store/memory, store/sqlite (the embedded default) and
// store/postgres; sync/storetest is the suite a store must pass. The engine changes a
// connection in one step ([ConnectionStore.UpdateConnection]), so that a replica never
// writes back what it read before another replica's change (a disconnect, a schedule),
// and a store keeps of each entry the one read last ([Entry].Synced), so that a sync's
// page written after another replica's delivery does not replace what it stored.
package sync
