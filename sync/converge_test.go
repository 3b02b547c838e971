package sync_test

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	"github.com/heyjasper/jasper-clockify/store/memory"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// deliveryFate says what becomes of the webhooks' deliveries in TestConverges.
type deliveryFate int

const (
	deliverAll          deliveryFate = iota // each passed on at once
	deliverLate                             // some held back, then passed on late, out of order, some twice
	deliverSomeLost                         // some lost, others held back; syncs run between
	deliverDuringSyncs                      // each passed on at once, while syncs run
	deliverToReplicas                       // as deliverLate, each to one of two replicas
	deliverDuringFaults                     // each passed on at once, while Clockify fails requests; syncs run between
	deliverNone                             // every one lost (the host's public URL broken); syncs run between
	deliverFreePlan                         // each passed on at once, of the three webhooks a Free plan allows; syncs run between
	deliverAsMember                         // none sent: connected with a member's key, refused webhooks and changes; syncs run between
)

// TestConverges: a seeded stream of what people do in Clockify (entries added, edited,
// moved between projects and days, split in two, deleted and restored, timers started
// and stopped; projects added, renamed and deleted; members joining) and in the SDK
// (projects mapped to repositories, some with a custom pattern, entries linked by hand,
// the GitHub Enterprise host changed, the API key replaced by a new one, the webhook
// tokens rotated, the webhooks moved to another URL, the workspace disconnected and
// connected again; with two replicas, each call made on either) while the webhooks'
// deliveries meet one of the fates above. The store then holds what a clean
// sync of Clockify gives: with no delivery lost, without a sync; with deliveries lost or
// never sent (a Free plan's missing webhooks, a member's key that may register none;
// scheduled syncs on the way, while Clockify lists deletions late), after the scheduled
// sync (of the member's own entries, with a member's key). Manual links made on the way
// survive.
//
// Under the race detector, as .ci/run runs the tests, the SQL stores run seed 0 only:
// there they take five times as long as the memory store, which runs every seed; seeds 1
// and 2 run on them without it (go test ./sync).
func TestConverges(t *testing.T) {
	t.Parallel()
	for seed := range uint64(3) {
		var only []string // nil: every store
		if raceDetector && seed > 0 {
			only = []string{"memory"}
		}
		for fate, name := range map[deliveryFate]string{deliverAll: "all", deliverLate: "late", deliverSomeLost: "some lost",
			deliverDuringSyncs: "during syncs", deliverToReplicas: "to replicas", deliverDuringFaults: "during faults", deliverNone: "none",
			deliverFreePlan: "free plan", deliverAsMember: "member's key"} {
			t.Run(fmt.Sprintf("seed %d %s", seed, name), func(t *testing.T) {
				t.Parallel()
				eachStoreOf(t, only, func(t *testing.T, store clockifysync.Store) { converge(t, store, seed, fate) })
			})
		}
	}
}

// converge runs one stream of TestConverges on a store.
func converge(t *testing.T, store clockifysync.Store, seed uint64, fate deliveryFate) {
	// What Clockify fails makes deliveries fail (the fake does not deliver again): lost.
	lossy := fate == deliverSomeLost || fate == deliverDuringFaults || fate == deliverNone || fate == deliverFreePlan || fate == deliverAsMember
	delivers := fate != deliverNone && fate != deliverAsMember
	r := newRigOn(t, store, clockifysync.WithClientOptions(clockify.WithRetryPolicy(clockify.RetryPolicy{
		MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: time.Millisecond, MaxRetryAfter: time.Millisecond})))
	ctx := t.Context()
	ws := r.fx.Workspace.ID
	// The stream and the deliveries' fates draw on one generator; the fake delivers before
	// each of its calls returns, so the draws come in the same order in every run.
	var mu gosync.Mutex // guards rnd and held
	rnd := rand.New(rand.NewPCG(seed, 99))
	intn := func(n int) int {
		mu.Lock()
		defer mu.Unlock()
		return rnd.IntN(n)
	}

	// Deliveries reach the engine's handler through a front that may lose some and hold
	// others back for later.
	type delivery struct {
		path   string
		header http.Header
		body   []byte
	}
	var held []delivery
	var passed, lost, late, refused int
	var answers []string // what the handlers answered, and the errors the engine returned
	hooks := []string{r.hook.URL}
	engines := []*clockifysync.Engine{r.eng} // the SDK's calls go to either
	if fate == deliverToReplicas {
		other := r.replica(t, store)
		engines = append(engines, other)
		h, err := other.Handler(ctx)
		require.NoError(t, err)
		replica := httptest.NewServer(h)
		t.Cleanup(replica.Close)
		hooks = append(hooks, replica.URL)
	}
	// pass delivers to an engine's handler and returns its answer's status. It runs on
	// the front's goroutines too, so it reports a failure with t.Errorf, not require.
	pass := func(d delivery) int {
		hook := hooks[intn(len(hooks))]
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook+d.path, bytes.NewReader(d.body))
		if err == nil {
			req.Header = d.header.Clone()
			var resp *http.Response
			if resp, err = http.DefaultClient.Do(req); err == nil {
				answer, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mu.Lock()
				answers = append(answers, string(answer))
				if resp.StatusCode != http.StatusOK {
					refused++
				}
				mu.Unlock()
				return resp.StatusCode
			}
		}
		t.Errorf("delivery to the handler: %v", err)
		return http.StatusBadGateway
	}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			t.Errorf("the fake's delivery: %v", err)
			return
		}
		d := delivery{req.URL.Path, req.Header.Clone(), body}
		mu.Lock()
		what := "pass"
		switch {
		case (fate == deliverLate || fate == deliverToReplicas) && rnd.IntN(2) == 0, fate == deliverSomeLost && rnd.IntN(4) == 0:
			what, late = "hold", late+1
			held = append(held, d)
		case fate == deliverSomeLost && rnd.IntN(3) == 0, fate == deliverNone:
			what, lost = "lose", lost+1
		default:
			passed++
		}
		mu.Unlock()
		switch what {
		case "hold":
			w.WriteHeader(http.StatusOK)
		case "lose":
			w.WriteHeader(http.StatusServiceUnavailable) // the fake does not deliver again
		default:
			w.WriteHeader(pass(d))
		}
	}))
	t.Cleanup(front.Close)
	if fate == deliverFreePlan {
		require.NoError(t, r.srv.SetFreePlan(ws, true))
	}
	ownerKey := r.fx.OwnerKey
	key := ownerKey // the engine's
	if fate == deliverAsMember {
		i := slices.IndexFunc(r.fx.Members, func(m clockifytest.Member) bool { return !m.Admin && m.APIKey != "" })
		key = r.fx.Members[i].APIKey
	}
	res, err := r.eng.Connect(ctx, clockifysync.ConnectRequest{APIKey: key, WorkspaceID: ws, WebhookURL: front.URL + "/clockify"})
	require.NoError(t, err)
	require.Equal(t, fate == deliverFreePlan, res.Webhooks == 3, "webhooks registered")
	require.Equal(t, fate == deliverAsMember, res.OwnEntriesOnly, "own entries only")
	require.NoError(t, r.eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: r.fx.Projects[0].ID, Repo: "acme/web"}))

	// replay delivers some of the held deliveries, in any order, and forgets them, or
	// keeps them to deliver again. It returns how many are still held.
	replay := func() int {
		mu.Lock()
		rnd.Shuffle(len(held), func(i, j int) { held[i], held[j] = held[j], held[i] })
		n := rnd.IntN(len(held) + 1)
		batch := slices.Clone(held[:n])
		if rnd.IntN(2) == 0 {
			held = held[n:]
		}
		mu.Unlock()
		for _, d := range batch {
			pass(d)
		}
		mu.Lock()
		defer mu.Unlock()
		return len(held)
	}

	descriptions := []string{"", "standup", "#12 fix login", "PR-7 review", "acme/api#3 and #4", "https://github.com/acme/web/pull/9/files",
		"review https://github.acme.corp/acme/web/pull/31",
		"Pull Request #21", "colour #fff", "GH-5", "pair on acme/web#9", "WEB-12 deploy", "[acme/api 8] pair", "WEB-3 and #4", "[tool 5]"}
	projects := []string{"", r.fx.Projects[0].ID, r.fx.Projects[1].ID, r.fx.Projects[2].ID}
	repos := []string{"acme/web", "acme/api", "Acme/Web", "other/tool"}
	var mine []string                      // entries the stream added
	var binned []clockify.TimeEntry        // entries the stream deleted, and not restored
	manual := map[[2]string]bool{}         // entry and target: linked by hand, or unlinked since
	known := map[string]clockify.Project{} // the projects as the stream last changed them
	for _, p := range r.fx.Projects {
		known[p.ID] = p
	}
	live := func() string { // a project not deleted, or none
		ps := slices.DeleteFunc(slices.Clone(projects), func(id string) bool { return known[id].Archived })
		return ps[intn(len(ps))]
	}
	pick := func() (clockify.TimeEntry, bool) {
		all := r.srv.TimeEntries(ws)
		all = slices.DeleteFunc(all, func(e clockify.TimeEntry) bool { return !slices.Contains(mine, e.ID) })
		if len(all) == 0 {
			return clockify.TimeEntry{}, false
		}
		return all[intn(len(all))], true
	}
	if lossy {
		r.srv.SetDeletionLag(20 * time.Second) // a scheduled sync meets a deletion not listed yet
	}
	if fate == deliverDuringFaults {
		r.srv.SetFaults(clockifytest.Faults{Seed: seed, Rate: 0.3, Kinds: []clockifytest.Fault{clockifytest.FaultUnavailable,
			clockifytest.FaultTooManyRequests, clockifytest.FaultInternalError, clockifytest.FaultDropConnection, clockifytest.FaultTruncateBody}})
	}
	var members []clockify.User
	for _, m := range r.fx.Members {
		members = append(members, m.User)
	}
	// Every secret of the stream: the API key, and each token Clockify issued.
	secrets := map[string]bool{r.fx.OwnerKey: true, key: true}
	eng := func() *clockifysync.Engine { return engines[intn(len(engines))] }
	var syncs gosync.WaitGroup
	for range 120 {
		for _, h := range r.srv.Webhooks(ws) {
			secrets[h.AuthToken.Reveal()] = true
		}
		r.advance(time.Second)
		switch op := intn(10); {
		case op < 3: // add an entry, sometimes a running timer, sometimes of a member who just joined
			if intn(15) == 0 {
				members = append(members, r.srv.AddMember(ws, clockifytest.Member{
					User: clockify.User{Name: fmt.Sprint("Newcomer ", len(members)), Email: fmt.Sprint("new", len(members), "@acme.dev")}}))
			}
			m := members[intn(len(members))]
			start := r.clock().Add(-time.Duration(intn(10*24*60)+60) * time.Minute).Truncate(time.Second)
			e := clockify.TimeEntry{UserID: m.ID, ProjectID: live(), Description: descriptions[intn(len(descriptions))],
				Billable: intn(2) == 0, TimeInterval: clockify.TimeInterval{Start: start, End: new(start.Add(time.Duration(intn(180)+1) * time.Minute))}}
			if intn(6) == 0 {
				e.TimeInterval = clockify.TimeInterval{Start: r.clock().Add(-time.Minute).Truncate(time.Second)}
			}
			e, err := r.srv.AddTimeEntry(ws, e) // a timer stops the member's running one
			require.NoError(t, err)
			mine = append(mine, e.ID)
		case op < 6: // edit one, a running timer too: its description, project, billable flag or start; or split it
			e, ok := pick()
			if !ok || known[e.ProjectID].Archived {
				continue // the fake refuses an edit of an entry of a deleted project
			}
			switch intn(5) {
			case 0:
				e.Description = descriptions[intn(len(descriptions))]
			case 1:
				e.ProjectID = live()
			case 2:
				e.Billable = !e.Billable
			case 3:
				if e.TimeInterval.End == nil {
					continue // a running timer's start stays
				}
				shift := time.Duration(intn(48)-24) * time.Hour
				e.TimeInterval = clockify.TimeInterval{Start: e.TimeInterval.Start.Add(shift), End: new(e.TimeInterval.End.Add(shift))}
				if e.TimeInterval.End.After(r.clock()) {
					continue
				}
			case 4: // in two, as Clockify's Split action does, before now: a clean sync reads no further
				end := r.clock()
				if e.TimeInterval.End != nil && e.TimeInterval.End.Before(end) {
					end = *e.TimeInterval.End
				}
				at := e.TimeInterval.Start.Add(end.Sub(e.TimeInterval.Start) / 2).Truncate(time.Second)
				if at.After(e.TimeInterval.Start) {
					later, err := r.srv.SplitTimeEntry(ws, e.ID, at)
					require.NoError(t, err)
					mine = append(mine, later.ID)
				}
				continue
			}
			_, err := r.srv.UpdateTimeEntry(ws, e)
			require.NoError(t, err)
		case op < 7: // delete one, or bring one back (Clockify's undo) unless its project is deleted
			if i := intn(len(binned) + 3); i < len(binned) {
				if b := binned[i]; !known[b.ProjectID].Archived {
					_, err := r.srv.RestoreTimeEntry(ws, b.ID)
					require.NoError(t, err)
					binned = slices.Delete(binned, i, i+1)
				}
			} else if e, ok := pick(); ok {
				require.NoError(t, r.srv.DeleteTimeEntry(ws, e.ID))
				binned = append(binned, e)
			}
		case op < 8: // stop a running timer
			for _, e := range r.srv.TimeEntries(ws) {
				if e.TimeInterval.End == nil {
					_, err := r.srv.StopTimer(ws, e.UserID, r.clock())
					require.NoError(t, err)
					break
				}
			}
		case op < 9 && intn(3) == 0: // a project added, renamed, made billable or not, or deleted
			ps := projects[1:]
			i := intn(len(ps) + 1)
			if i == len(ps) {
				p, err := r.srv.AddProject(ws, clockify.Project{Name: fmt.Sprint("Project ", len(ps)), Billable: intn(2) == 0})
				require.NoError(t, err)
				projects, known[p.ID] = append(projects, p.ID), p
				continue
			}
			p := known[ps[i]]
			if p.Archived {
				continue // deleted
			}
			switch intn(3) {
			case 0:
				p.Name += " again"
			case 1:
				p.Billable = !p.Billable
			case 2:
				p.Archived = true // Clockify deletes archived projects only
			}
			p, err := r.srv.UpdateProject(ws, p)
			require.NoError(t, err)
			known[p.ID] = p
			if p.Archived {
				require.NoError(t, r.srv.DeleteProject(ws, p.ID))
			}
		case op < 9 && intn(2) == 0: // a project mapped to a repository, or no longer
			m := clockifysync.ProjectMapping{WorkspaceID: ws, ProjectID: projects[1+intn(len(projects)-1)], Repo: repos[intn(len(repos))],
				Pattern: []string{"", `\bWEB-(?P<number>\d+)\b`, `\[(?P<repo>[\w./-]+)\s+(?P<number>\d+)\]`}[intn(3)]}
			if intn(3) == 0 {
				if err := eng().DeleteProjectMapping(ctx, ws, m.ProjectID); !errors.Is(err, clockifysync.ErrNotFound) {
					require.NoError(t, err)
				}
				continue
			}
			require.NoError(t, eng().SetProjectMapping(ctx, m))
		case op < 9 && intn(10) == 0 && fate == deliverSomeLost: // a webhook deleted in Clockify's settings
			if hooks := r.srv.Webhooks(ws); len(hooks) > 0 {
				admin, err := r.srv.NewClient(ownerKey)
				require.NoError(t, err)
				_, err = admin.Webhooks.Delete(ctx, ws, hooks[intn(len(hooks))].ID)
				require.NoError(t, err)
			}
		case op < 9 && intn(10) == 0 && (fate == deliverAll || fate == deliverLate || fate == deliverSomeLost || fate == deliverDuringSyncs || fate == deliverToReplicas):
			// The host's webhook URL moved. A delivery held back meanwhile, signed by a
			// webhook the move deleted, verifies for the rotation grace.
			_, err := eng().SetWebhookURL(ctx, ws, fmt.Sprintf("%s/clockify/%d", front.URL, intn(3)))
			require.NoError(t, err)
		case op < 9 && intn(10) == 0 && fate != deliverDuringFaults: // the webhooks' tokens rotated
			require.NoError(t, eng().RotateWebhookTokens(ctx, ws))
		case op < 9 && intn(8) == 0 && fate != deliverDuringFaults && fate != deliverAsMember:
			// The owner generated a new API key: Clockify refuses the old one, and the
			// host hands the engine the new one.
			newKey := fmt.Sprint("owner-key-", len(secrets))
			r.srv.AddMember(ws, clockifytest.Member{User: r.fx.Owner, APIKey: newKey, Admin: true})
			require.True(t, r.srv.RevokeAPIKey(ownerKey))
			if intn(2) == 0 {
				_, err := eng().SyncRecent(ctx, ws)
				require.ErrorIs(t, err, clockifysync.ErrInvalidAPIKey)
			}
			require.NoError(t, eng().SetAPIKey(ctx, ws, newKey))
			ownerKey, key, secrets[newKey] = newKey, newKey, true
		case op < 9 && intn(8) == 0: // the GitHub Enterprise host set or unset
			host := []string{"", "github.acme.corp"}[intn(2)]
			require.NoError(t, eng().SetGitHubHost(ctx, ws, host))
		case op < 9 && intn(8) == 0 && fate != deliverDuringFaults: // disconnected, and connected again: what happened meanwhile is read then
			_, err := eng().Disconnect(ctx, ws)
			require.NoError(t, err)
			for range intn(4) {
				r.advance(time.Second)
				if e, ok := pick(); ok && e.TimeInterval.End != nil && !known[e.ProjectID].Archived {
					e.Description = descriptions[intn(len(descriptions))]
					_, err := r.srv.UpdateTimeEntry(ws, e)
					require.NoError(t, err)
				}
				if e, ok := pick(); ok && intn(2) == 0 {
					require.NoError(t, r.srv.DeleteTimeEntry(ws, e.ID))
				}
			}
			_, err = eng().Connect(ctx, clockifysync.ConnectRequest{APIKey: key, WorkspaceID: ws, WebhookURL: front.URL + "/clockify"})
			require.NoError(t, err)
		case op < 9 && intn(4) == 0: // a link made by hand undone
			var linked [][2]string
			for link, ok := range manual {
				if ok {
					linked = append(linked, link)
				}
			}
			if len(linked) > 0 {
				slices.SortFunc(linked, func(a, b [2]string) int { return cmp.Compare(a[0]+" "+a[1], b[0]+" "+b[1]) })
				link := linked[intn(len(linked))]
				require.NoError(t, eng().Unlink(ctx, ws, link[0], link[1]))
				manual[link] = false
			}
		case op < 9: // link one by hand
			if e, ok := pick(); ok {
				target := fmt.Sprintf("acme/manual#%d", intn(50)+1)
				err := eng().LinkManually(ctx, ws, e.ID, target)
				if (fate == deliverLate || fate == deliverToReplicas || lossy) && errors.Is(err, clockifysync.ErrNotFound) {
					continue // its delivery lost or held: not stored yet
				}
				require.NoError(t, err)
				manual[[2]string{e.ID, target}] = true
			}
		default:
			switch {
			case lossy && intn(3) == 0:
				sync := eng().SyncRecent
				if intn(2) == 0 {
					// Scheduled syncs come more than five minutes apart (see SyncScheduled).
					r.advance(6 * time.Minute)
					sync = eng().SyncScheduled
				}
				_, err := sync(ctx, ws)
				if fate != deliverDuringFaults {
					require.NoError(t, err) // with faults, the next sync resumes it
				} else if err != nil {
					mu.Lock()
					answers = append(answers, fmt.Sprintf("%v %+v", err, err))
					mu.Unlock()
				}
			case fate == deliverDuringSyncs:
				eng := eng() // drawn here: the stream's draws come in one order
				syncs.Go(func() {
					_, err := eng.Sync(ctx, ws, clockifysync.Window{Start: r.clock().AddDate(0, 0, -11), End: r.clock()})
					// A Disconnect meanwhile wins; a key revoked meanwhile fails it.
					if err != nil && !errors.Is(err, clockifysync.ErrNotConnected) && !errors.Is(err, clockifysync.ErrInvalidAPIKey) {
						t.Errorf("a sync during the stream: %v", err)
					}
				})
			}
			replay()
		}
	}
	syncs.Wait()
	if fate == deliverLate || fate == deliverToReplicas {
		for left := 1; left > 0; {
			left = replay()
		}
	}
	r.srv.SetFaults(clockifytest.Faults{})
	mu.Lock()
	held = nil
	require.Equal(t, delivers, passed > 20, "passed on")
	require.Equal(t, fate == deliverLate || fate == deliverToReplicas || fate == deliverSomeLost, late > 0, "held back")
	require.Equal(t, fate == deliverSomeLost || fate == deliverNone, lost > 0, "lost")
	if fate == deliverDuringFaults {
		require.Positive(t, refused, "deliveries whose apply failed")
	}
	mu.Unlock()
	// A clean sync of Clockify, by an engine of its own, with the same key and mappings.
	ref := memory.New()
	clean := r.replica(t, ref)
	conn, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	_, err = clean.Connect(ctx, clockifysync.ConnectRequest{APIKey: key, WorkspaceID: ws, GitHubHost: conn.GitHubHost})
	require.NoError(t, err)
	mappings, err := r.store.ProjectMappings(ctx, ws)
	require.NoError(t, err)
	cleanMappings, err := ref.ProjectMappings(ctx, ws)
	require.NoError(t, err)
	for _, m := range cleanMappings {
		require.NoError(t, clean.DeleteProjectMapping(ctx, ws, m.ProjectID))
	}
	for _, m := range mappings {
		require.NoError(t, clean.SetProjectMapping(ctx, m))
	}
	if lossy {
		// The scheduled sync catches up what the lost deliveries told, once Clockify
		// lists the last deletions.
		r.advance(time.Minute)
		_, err := r.eng.SyncScheduled(ctx, ws)
		require.NoError(t, err)
	}
	requireClean(t, ref, r.store, ws, r.clock().AddDate(0, 0, -12), lossy)

	requireNoSecret(t, r, ws, secrets, answers, delivers)
	for link, linked := range manual {
		les, err := r.eng.LinkedEntries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, PR: link[1], IncludeDeleted: true})
		require.NoError(t, err)
		require.Equal(t, linked, slices.ContainsFunc(les, func(le clockifysync.LinkedEntry) bool { return le.ID == link[0] }),
			"manual link %s of %s", link[1], link[0])
	}
}

// requireClean checks that a store holds what a clean sync of Clockify stored in ref:
// the same projects (the deleted ones aside), the same members when synced (deliveries
// tell of none), and the same entries started from a time on, every field and auto link
// but Synced, and none more.
func requireClean(t *testing.T, ref, store clockifysync.Store, ws string, from time.Time, synced bool) {
	t.Helper()
	ctx := t.Context()
	if synced {
		want, err := ref.Members(ctx, ws)
		require.NoError(t, err)
		got, err := store.Members(ctx, ws)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	want, err := ref.Projects(ctx, ws)
	require.NoError(t, err)
	got, err := store.Projects(ctx, ws)
	require.NoError(t, err)
	got = slices.DeleteFunc(got, func(p clockifysync.Project) bool { return !p.Deleted.IsZero() })
	for _, ps := range [][]clockifysync.Project{want, got} {
		for i := range ps {
			ps[i].Synced = time.Time{}
		}
	}
	require.Equal(t, want, got)

	byID := func(s clockifysync.Store) map[string]clockifysync.Entry {
		es, err := s.Entries(ctx, clockifysync.EntryQuery{WorkspaceID: ws, From: from})
		require.NoError(t, err)
		out := map[string]clockifysync.Entry{}
		for _, e := range es {
			e.Synced = time.Time{}
			out[e.ID] = e
		}
		return out
	}
	wantBy, gotBy := byID(ref), byID(store)
	require.NotEmpty(t, wantBy)
	for id, w := range wantBy {
		require.Equal(t, w, gotBy[id], "entry %s", id)
	}
	var extra []string
	for id := range gotBy {
		if _, ok := wantBy[id]; !ok {
			extra = append(extra, id)
		}
	}
	require.Empty(t, extra, "entries that a clean sync does not hold")
}

// requireNoSecret checks that no secret is in the clear in what the engines logged, the
// handlers answered (answers, with the errors the engine returned), or the store keeps
// beside the sealed secrets: the connection's last error, the webhooks' records and the
// delivery log, which holds records when a delivery reached a handler (delivered).
func requireNoSecret(t *testing.T, r *rig, ws string, secrets map[string]bool, answers []string, delivered bool) {
	t.Helper()
	ctx := t.Context()
	conn, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	hooks, err := r.store.Webhooks(ctx, ws)
	require.NoError(t, err)
	deliveries, err := r.store.Deliveries(ctx, "", 0)
	require.NoError(t, err)
	require.Equal(t, delivered, len(deliveries) > 0, "deliveries recorded")
	texts := append([]string{r.logs.String(), conn.LastError, fmt.Sprintf("%+v", hooks)}, answers...)
	for _, d := range deliveries {
		texts = append(texts, fmt.Sprintf("%+v", d))
	}
	if len(hooks) > 0 {
		require.Greater(t, len(secrets), 2, "the webhooks' tokens")
	}
	for s := range secrets {
		require.NotEmpty(t, s)
		for i, text := range texts {
			if at := strings.Index(text, s); at >= 0 { // said without the secret
				t.Fatalf("a secret in the clear at byte %d of text %d (0: the logs, 1: the last error, 2: the webhooks, then %d answers, then the deliveries)",
					at, i, len(answers))
			}
		}
	}
}
