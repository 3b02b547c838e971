package webhook

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// DeliveryKey identifies a delivery for de-duplication: the event, the entity it is about
// and the SHA-256 of its body.
type DeliveryKey struct {
	Event    clockify.WebhookEvent
	EntityID string
	// Digest is the SHA-256 of the body.
	Digest [sha256.Size]byte
}

// KeyOf returns the delivery key of a parsed event and its body.
func KeyOf(ev *Event, body []byte) DeliveryKey {
	return DeliveryKey{Event: ev.Wire, EntityID: ev.EntityID, Digest: sha256.Sum256(body)}
}

// String renders the key as "EVENT/entity/hex-digest", for a store to keep as an entity's
// last delivery.
func (k DeliveryKey) String() string {
	return string(k.Event) + "/" + k.EntityID + "/" + hex.EncodeToString(k.Digest[:])
}

// Deduper tells a redelivery from a new change. A delivery is a duplicate when its key
// equals the last key claimed for its entity: Clockify sending the same notification
// again. The same body after a different one is a new change (an entry edited back to
// what it was), and is applied: Clockify's payloads carry no modification time, so
// remembering every body ever seen would drop such an edit. The price is that a
// redelivery of an older state, arriving after a newer one, is applied again; an apply
// function that re-reads the entity from the API (fetch-on-notify) makes that harmless,
// while a dropped edit could not be repaired by anything. The sync engine's store
// implements it so that a delivery applies once whichever replica receives it.
//
// A claim is pending until the handler reports its apply done (Complete) or failed
// (Release). A pending claim lapses at the end of its lease: the process applying it
// died (a crash, a deploy), and a redelivery is applied rather than taken for a
// duplicate.
type Deduper interface {
	// Claim makes key the last claimed for its entity, pending until now+lease, unless
	// key is that entity's last claim already and is applied, or pending and not lapsed
	// at now. It reports which.
	Claim(ctx context.Context, key DeliveryKey, now time.Time, lease time.Duration) (Claim, error)
	// Complete marks key applied, if it is still its entity's last claim: a redelivery
	// of it is a duplicate from then on.
	Complete(ctx context.Context, key DeliveryKey) error
	// Release takes back a claim whose apply failed, so that a redelivery is applied: the
	// entity is forgotten if key is still its last claim.
	Release(ctx context.Context, key DeliveryKey) error
}

// Claim is what [Deduper.Claim] found.
type Claim int

const (
	// Claimed: the delivery is new (or its earlier claim lapsed), and is the caller's
	// to apply.
	Claimed Claim = iota
	// ClaimApplied: the delivery repeats its entity's last one, which was applied.
	ClaimApplied
	// ClaimPending: the delivery repeats its entity's last one, which is being applied
	// (by another request, perhaps on another replica) and whose claim has not lapsed.
	ClaimPending
)

// MemoryDeduper is an in-memory Deduper that remembers the last key of up to its size
// entities, forgetting the entity least recently claimed first.
type MemoryDeduper struct {
	size  int
	mu    sync.Mutex
	order *list.List // of *claim, each entity's last, most recently claimed at the front
	last  map[string]*list.Element
}

// claim is an entity's last claimed key; lapse is when it lapses while pending, zero
// once it is applied.
type claim struct {
	key   DeliveryKey
	lapse time.Time
}

// NewMemoryDeduper returns a deduper that remembers up to size entities (10,000 when
// size is not positive).
func NewMemoryDeduper(size int) *MemoryDeduper {
	if size <= 0 {
		size = 10_000
	}
	return &MemoryDeduper{size: size, order: list.New(), last: map[string]*list.Element{}}
}

// Claim implements Deduper.
func (d *MemoryDeduper) Claim(_ context.Context, key DeliveryKey, now time.Time, lease time.Duration) (Claim, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if el, ok := d.last[key.EntityID]; ok {
		d.order.MoveToFront(el)
		c := el.Value.(*claim)
		switch {
		case c.key != key:
		case c.lapse.IsZero():
			return ClaimApplied, nil
		case now.Before(c.lapse):
			return ClaimPending, nil
		}
		*c = claim{key: key, lapse: now.Add(lease)}
		return Claimed, nil
	}
	d.last[key.EntityID] = d.order.PushFront(&claim{key: key, lapse: now.Add(lease)})
	if d.order.Len() > d.size {
		oldest := d.order.Back()
		d.order.Remove(oldest)
		delete(d.last, oldest.Value.(*claim).key.EntityID)
	}
	return Claimed, nil
}

// Complete implements Deduper.
func (d *MemoryDeduper) Complete(_ context.Context, key DeliveryKey) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if el, ok := d.last[key.EntityID]; ok && el.Value.(*claim).key == key {
		el.Value.(*claim).lapse = time.Time{}
	}
	return nil
}

// Release implements Deduper.
func (d *MemoryDeduper) Release(_ context.Context, key DeliveryKey) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if el, ok := d.last[key.EntityID]; ok && el.Value.(*claim).key == key {
		d.order.Remove(el)
		delete(d.last, key.EntityID)
	}
	return nil
}

// Len returns how many entities are remembered.
func (d *MemoryDeduper) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.order.Len()
}
