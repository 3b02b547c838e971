// Package analytics summarises tracked time: time and cost per pull request, by
// contributor, billable hours and their share, the share linked to no PR, and trends by
// day, week or month in a named time zone. Weeks are ISO weeks, from Monday, unless
// [WeekStarting] names another first day, as a member's Clockify settings may.
//
// It takes plain [Entry] values (member, project, start, end or running, billable flag,
// linked PRs), so a host can call it on its own data; prices come from a
// billing.RateCard. Every split hands out whole seconds: an entry linked to several PRs
// is shared by a [SplitPolicy], and an entry spanning bucket edges (midnight, a week's
// start, a daylight-saving change) counts in each bucket for the part it spent there.
// So every grouping adds up to the total, exactly, whatever the order of the entries.
// Running timers count up to Options.Now (nothing yet when Clockify's clock, which set
// their start, runs ahead of the host's) and mark what they touch as provisional.
package analytics
