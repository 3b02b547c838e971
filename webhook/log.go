package webhook

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"
)

// Outcome is what became of a delivery.
type Outcome string

// Delivery outcomes.
const (
	OutcomeApplied   Outcome = "applied"   // verified, parsed and applied
	OutcomeDuplicate Outcome = "duplicate" // repeats its entity's last delivery; acknowledged, not applied again
	OutcomeIgnored   Outcome = "ignored"   // a Clockify event the product does not use
	OutcomeRejected  Outcome = "rejected"  // bad method, size, signature, event or payload
	OutcomeFailed    Outcome = "failed"    // applying failed; Clockify may redeliver
)

// Delivery is the record of one delivery, accepted or not. It never holds a token: only
// the id of the webhook whose token matched.
type Delivery struct {
	ReceivedAt time.Time
	// EventType is the Clockify-Webhook-Event-Type header as sent (possibly empty or bogus),
	// cut to 64 bytes.
	EventType string
	Kind      Kind
	// WebhookID is the webhook whose token matched ("" when none did).
	WebhookID   string
	WorkspaceID string
	EntityID    string
	Outcome     Outcome
	// Reason says why a delivery was rejected or failed.
	Reason string
	// Status is the HTTP status answered.
	Status  int
	Elapsed time.Duration
}

// DeliveryLog keeps delivery records: what "View Logs" shows.
type DeliveryLog interface {
	Record(ctx context.Context, d Delivery) error
}

// MemoryLog is an in-memory DeliveryLog. It keeps the most recent records of each
// workspace, and apart from them those with no workspace (rejected before a signature
// verified), so that a flood of forged requests, or a busy workspace, pushes no
// workspace's records out.
type MemoryLog struct {
	size int
	mu   sync.Mutex
	seq  int64               // the number of the last record
	kept map[string][]logged // of each workspace ("" for none), oldest first
}

// logged is a record with its number in the log.
type logged struct {
	seq int64
	Delivery
}

// NewMemoryLog returns a log that keeps the last size records of each workspace, and the
// last size with no workspace (1,000 when size is not positive).
func NewMemoryLog(size int) *MemoryLog {
	if size <= 0 {
		size = 1000
	}
	return &MemoryLog{size: size, kept: map[string][]logged{}}
}

// Record implements DeliveryLog.
func (l *MemoryLog) Record(_ context.Context, d Delivery) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	kept := append(l.kept[d.WorkspaceID], logged{l.seq, d})
	if len(kept) > l.size {
		// The array behind kept is copied, live records only, when append outgrows it.
		kept = kept[len(kept)-l.size:]
	}
	l.kept[d.WorkspaceID] = kept
	return nil
}

// Recent returns up to n records, newest first (all of them when n is not positive).
func (l *MemoryLog) Recent(n int) []Delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	var all []logged
	for _, kept := range l.kept {
		if n > 0 && len(kept) > n {
			kept = kept[len(kept)-n:] // the newest n are among each workspace's newest n
		}
		all = append(all, kept...)
	}
	slices.SortFunc(all, func(a, b logged) int { return cmp.Compare(a.seq, b.seq) })
	return newestFirst(all, n)
}

// Forget drops the records of a workspace.
func (l *MemoryLog) Forget(workspaceID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.kept, workspaceID)
}

// RecentOf returns up to n records of a workspace (of those with no workspace when
// workspaceID is empty), newest first (all of them when n is not positive).
func (l *MemoryLog) RecentOf(workspaceID string, n int) []Delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	return newestFirst(l.kept[workspaceID], n)
}

// newestFirst returns the last n of records kept oldest first, newest first (all of
// them when n is not positive).
func newestFirst(records []logged, n int) []Delivery {
	if n <= 0 || n > len(records) {
		n = len(records)
	}
	out := make([]Delivery, 0, n)
	for i := len(records) - 1; len(out) < n; i-- {
		out = append(out, records[i].Delivery)
	}
	return out
}
