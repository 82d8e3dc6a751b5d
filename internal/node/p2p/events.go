package p2p

import (
	"context"
	"sync"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// PeerEvent says that a peer connected or disconnected.
type PeerEvent struct {
	Peer peer.ID
	// Connected is true when the node has a direct connection to the peer
	// and false when it has none left. A connection through a relay only
	// counts as disconnected: protocols such as the block exchange do not
	// run over relays.
	Connected bool
}

// Subscribe delivers peer connect and disconnect events, in order, until
// ctx ends; then the channel is closed. Events queue without limit while
// the receiver is busy rather than being dropped (a lost "connected" would
// leave a peer without the want list) or blocking libp2p's event bus,
// which would stall every connection.
func (n *Host) Subscribe(ctx context.Context) (<-chan PeerEvent, error) {
	sub, err := n.h.EventBus().Subscribe(new(event.EvtPeerConnectednessChanged))
	if err != nil {
		return nil, err
	}
	out := make(chan PeerEvent)
	q := &eventQueue{wake: make(chan struct{}, 1)}
	// Reader: bus → queue, never blocked by the consumer.
	go func() {
		defer sub.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case <-n.ctx.Done():
				return
			case e, ok := <-sub.Out():
				if !ok {
					return
				}
				ev := e.(event.EvtPeerConnectednessChanged)
				q.push(PeerEvent{Peer: ev.Peer, Connected: ev.Connectedness == network.Connected})
			}
		}
	}()
	// Writer: queue → consumer.
	go func() {
		defer close(out)
		for {
			ev, ok := q.pop()
			if !ok {
				select {
				case <-q.wake:
					continue
				case <-ctx.Done():
					return
				case <-n.ctx.Done():
					return
				}
			}
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			case <-n.ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

type eventQueue struct {
	mu   sync.Mutex
	evs  []PeerEvent
	wake chan struct{}
}

func (q *eventQueue) push(ev PeerEvent) {
	q.mu.Lock()
	q.evs = append(q.evs, ev)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *eventQueue) pop() (PeerEvent, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.evs) == 0 {
		return PeerEvent{}, false
	}
	ev := q.evs[0]
	q.evs[0] = PeerEvent{}
	q.evs = q.evs[1:]
	return ev, true
}
