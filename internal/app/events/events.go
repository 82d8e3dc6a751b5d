// Package events is the app's in-process publish/subscribe bus. Services
// publish what happened (a node started, a file uploaded, progress) and the UI
// API streams it to browsers over Server-Sent Events. Publishing never blocks:
// each subscriber has a bounded buffer, and a subscriber that falls behind is
// told so (its channel is closed) instead of slowing the service that
// published, because a stalled browser tab must never stall a backup.
package events

import (
	"sync"
	"time"
)

// Event is one thing that happened. Data must be JSON-serialisable.
type Event struct {
	Type string    `json:"type"`
	Time time.Time `json:"time"`
	Data any       `json:"data,omitempty"`
}

// Bus fans events out to subscribers.
type Bus struct {
	mu   sync.Mutex
	subs map[chan Event]struct{}
}

// subscriberBuffer is how many events a subscriber may lag behind before it
// is dropped; progress events arrive at most a few per second per transfer.
const subscriberBuffer = 256

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{subs: make(map[chan Event]struct{})} }

// Subscribe returns a channel of events and a function that ends the
// subscription. The channel is closed when the subscription ends or the
// subscriber fell too far behind.
func (b *Bus) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, subscriberBuffer)
	b.mu.Lock()
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() { b.drop(ch) }
}

func (b *Bus) drop(ch chan Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.subs[ch]; ok {
		delete(b.subs, ch)
		close(ch)
	}
}

// Publish sends an event to every subscriber without blocking.
func (b *Bus) Publish(typ string, data any) {
	ev := Event{Type: typ, Time: time.Now().UTC(), Data: data}
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- ev:
		default:
			delete(b.subs, ch)
			close(ch)
		}
	}
}
