package devices

import (
	"context"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/events"
	"github.com/archivist-desktop/archivist/internal/app/supervisor"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// liveState is the last observation of the node's peers.
type liveState struct {
	running bool
	known   bool   // peers is what the node said (or nothing: node down)
	err     string // why the node could not say
	peers   map[string]nodeclient.PeerInfo
	at      time.Time
}

const (
	// pollTimeout bounds one GET /peers.
	pollTimeout = 5 * time.Second
	// seenEvery is how often a connected device's lastSeen is written.
	seenEvery = time.Minute
)

// refresh asks the node for its peers and records the answer, publishing
// what changed. Concurrent refreshes are serialised so that an older answer
// never overwrites a newer one.
func (s *Service) refresh(ctx context.Context) {
	s.pollMu.Lock()
	defer s.pollMu.Unlock()
	now := time.Now().UTC()
	c, err := s.opts.Node()
	if err != nil {
		// No node, no connections.
		s.observe(liveState{known: true, peers: map[string]nodeclient.PeerInfo{}, at: now})
		return
	}
	ctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	list, err := c.Peers(ctx)
	switch {
	case err == nil:
		peers := make(map[string]nodeclient.PeerInfo, len(list))
		for _, p := range list {
			peers[p.PeerID] = p
		}
		s.observe(liveState{running: true, known: true, peers: peers, at: now})
	case nodeclient.IsNotFound(err):
		s.observe(liveState{running: true, err: "this node does not list its peers (archivist-node has no peers endpoint): connection states are unknown"})
	default:
		s.observe(liveState{running: true, err: "asking the node for its peers: " + err.Error()})
	}
}

// observe records a new observation. When it is known, it publishes the
// peers that connected and disconnected since the last known one, and
// writes the lastSeen of paired devices: when they connect, when they are
// seen to disconnect, and every seenEvery while they stay connected.
func (s *Service) observe(st liveState) {
	s.mu.Lock()
	if !st.known {
		// Keep the last known peers as the base of the next diff.
		s.live.running, s.live.known, s.live.err = st.running, false, st.err
		s.mu.Unlock()
		return
	}
	prev, prevAt := s.live.peers, s.live.at
	s.live = st
	if !st.running {
		s.newNode = true
	}
	var up, down []string
	for id := range st.peers {
		if _, ok := prev[id]; !ok {
			up = append(up, id)
		}
	}
	for id := range prev {
		if _, ok := st.peers[id]; !ok {
			down = append(down, id)
		}
	}
	seen := map[string]time.Time{}
	for id := range st.peers {
		if st.at.Sub(s.saved[id]) >= seenEvery || slices.Contains(up, id) {
			seen[id] = st.at
		}
	}
	for _, id := range down {
		seen[id] = prevAt // the last time it was seen connected
	}
	s.mu.Unlock()

	if len(seen) > 0 {
		s.writeSeen(seen)
	}
	s.mu.Lock()
	for _, id := range down {
		delete(s.saved, id) // written now; written again when it connects
	}
	s.mu.Unlock()
	slices.Sort(up)
	slices.Sort(down)
	for _, id := range up {
		s.publish(EventPeerConnected, id)
	}
	for _, id := range down {
		s.publish(EventPeerDisconnected, id)
	}
	if len(up)+len(down) > 0 {
		s.publish(EventDevicesChanged, nil)
	}
}

// writeSeen stores the lastSeen times of those that are paired devices.
func (s *Service) writeSeen(seen map[string]time.Time) {
	err := s.opts.DB.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(Bucket))
		for id, at := range seen {
			r, found, err := getRecord(b, id)
			if err != nil || !found || !r.LastSeen.Before(at) {
				continue
			}
			r.LastSeen = at
			if err := putRecord(b, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.log.Warn("saving when devices were last seen", "err", err)
		return
	}
	s.mu.Lock()
	for id, at := range seen {
		s.saved[id] = at // paired or not: no need to look again before seenEvery
	}
	s.mu.Unlock()
}

// Run watches the node until ctx ends: it polls the node's peers every
// PollInterval and, whenever the node starts (and once at the beginning,
// if it is already running), reconnects every paired device in the
// background. It returns when ctx ends and its background work is done.
func (s *Service) Run(ctx context.Context) {
	var evs <-chan events.Event
	unsubscribe := func() {}
	subscribe := func() {
		if s.opts.Bus != nil {
			ch, cancel := s.opts.Bus.Subscribe()
			evs, unsubscribe = ch, cancel
		}
	}
	subscribe()
	defer func() { unsubscribe() }()
	defer s.wg.Wait()
	tick := time.NewTicker(s.opts.PollInterval)
	defer tick.Stop()
	s.refresh(ctx)
	s.takeNewNode()
	s.startReconnect(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-evs:
			if !ok {
				// Dropped for lagging: a node-started may be lost, and
				// reconnecting is harmless when all are connected.
				subscribe()
				s.startReconnect(ctx)
				continue
			}
			if ev.Type == supervisor.EventStarted {
				s.refresh(ctx)
				s.takeNewNode()
				s.startReconnect(ctx)
			}
		case <-tick.C:
			s.refresh(ctx)
			if s.takeNewNode() {
				// Running, and not reconnected since it was last seen
				// down: a node-started event may have gone out before
				// this service subscribed.
				s.startReconnect(ctx)
			}
		}
	}
}

// takeNewNode reports, once, that the node runs and devices were not
// reconnected since it was last seen down.
func (s *Service) takeNewNode() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.live.running && s.newNode {
		s.newNode = false
		return true
	}
	return false
}

// startReconnect runs ReconnectAll in the background; a call while one
// runs makes it run once more after.
func (s *Service) startReconnect(ctx context.Context) {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	if s.reconnecting {
		s.again = true
		return
	}
	s.reconnecting = true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			s.ReconnectAll(ctx)
			s.rmu.Lock()
			if !s.again || ctx.Err() != nil {
				s.reconnecting, s.again = false, false
				s.rmu.Unlock()
				return
			}
			s.again = false
			s.rmu.Unlock()
		}
	}()
}

// ReconnectAll connects to every paired device that is not connected,
// ReconnectParallel at a time. Failures are logged and kept as each
// device's lastError. It does nothing when the node is not running.
func (s *Service) ReconnectAll(ctx context.Context) {
	c, err := s.opts.Node()
	if err != nil {
		return
	}
	recs, err := s.records()
	if err != nil {
		s.log.Warn("reconnecting devices", "err", err)
		return
	}
	s.refresh(ctx)
	sem := make(chan struct{}, s.opts.ReconnectParallel)
	var wg sync.WaitGroup
	for _, r := range recs {
		s.mu.Lock()
		_, connected := s.live.peers[r.PeerID]
		connected = connected && s.live.known
		s.mu.Unlock()
		if connected {
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := s.reconnect(ctx, c, r); err != nil && ctx.Err() == nil {
				s.log.Info("could not reconnect a paired device", "peer", r.PeerID, "nickname", r.Nickname, "err", err)
			} else if err == nil {
				s.log.Info("reconnected a paired device", "peer", r.PeerID, "nickname", r.Nickname)
			}
		}()
	}
	wg.Wait()
	s.publish(EventDevicesChanged, nil)
}
