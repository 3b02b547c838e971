package webhook

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// DeliveryKey identifies a delivery for de-duplication: the same event about the same
// entity with the same body is the same delivery, however often Clockify sends it.
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

// String renders the key as "EVENT/entity/hex-digest", for a store's unique column.
func (k DeliveryKey) String() string {
	return string(k.Event) + "/" + k.EntityID + "/" + hex.EncodeToString(k.Digest[:])
}

// Deduper remembers delivery keys. The sync engine's store implements it so that a
// delivery applies once whichever replica receives it.
type Deduper interface {
	// Claim records the key and reports whether it was new. A false answer means the
	// delivery was applied (or is being applied) already.
	Claim(ctx context.Context, key DeliveryKey) (bool, error)
	// Release forgets a claim whose apply failed, so a redelivery is applied.
	Release(ctx context.Context, key DeliveryKey) error
}

// MemoryDeduper is an in-memory Deduper that remembers the most recent keys up to its
// size, forgetting the least recently claimed first.
type MemoryDeduper struct {
	size  int
	mu    sync.Mutex
	order *list.List // of DeliveryKey, most recent at the front
	keys  map[DeliveryKey]*list.Element
}

// NewMemoryDeduper returns a deduper that remembers up to size keys (10,000 when size
// is not positive).
func NewMemoryDeduper(size int) *MemoryDeduper {
	if size <= 0 {
		size = 10_000
	}
	return &MemoryDeduper{size: size, order: list.New(), keys: map[DeliveryKey]*list.Element{}}
}

// Claim implements Deduper.
func (d *MemoryDeduper) Claim(_ context.Context, key DeliveryKey) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if el, ok := d.keys[key]; ok {
		d.order.MoveToFront(el)
		return false, nil
	}
	d.keys[key] = d.order.PushFront(key)
	if d.order.Len() > d.size {
		oldest := d.order.Back()
		d.order.Remove(oldest)
		delete(d.keys, oldest.Value.(DeliveryKey))
	}
	return true, nil
}

// Release implements Deduper.
func (d *MemoryDeduper) Release(_ context.Context, key DeliveryKey) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if el, ok := d.keys[key]; ok {
		d.order.Remove(el)
		delete(d.keys, key)
	}
	return nil
}

// Len returns how many keys are remembered.
func (d *MemoryDeduper) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.order.Len()
}
