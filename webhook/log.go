package webhook

import (
	"context"
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

// MemoryLog is an in-memory DeliveryLog that keeps the most recent records in a ring.
type MemoryLog struct {
	mu   sync.Mutex
	ring []Delivery
	next int
	full bool
}

// NewMemoryLog returns a log that keeps the last size records (1,000 when size is not
// positive).
func NewMemoryLog(size int) *MemoryLog {
	if size <= 0 {
		size = 1000
	}
	return &MemoryLog{ring: make([]Delivery, size)}
}

// Record implements DeliveryLog.
func (l *MemoryLog) Record(_ context.Context, d Delivery) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring[l.next] = d
	l.next++
	if l.next == len(l.ring) {
		l.next, l.full = 0, true
	}
	return nil
}

// Recent returns up to n records, newest first (all of them when n is not positive).
func (l *MemoryLog) Recent(n int) []Delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	count := l.next
	if l.full {
		count = len(l.ring)
	}
	if n <= 0 || n > count {
		n = count
	}
	out := make([]Delivery, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, l.ring[(l.next-i+len(l.ring))%len(l.ring)])
	}
	return out
}
