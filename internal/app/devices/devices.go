// Package devices is the app's paired-devices service behind the Devices
// page: the other machines a user paired with, kept in the app's state
// database so they survive restarts, and what the node says about them now.
//
// Pairing takes a code from the other device — its Signed Peer Record
// (verified), a multiaddr ending in /p2p/<peer ID>, or a bare peer ID
// (found through the node's discovery) — connects to it through the node,
// and only then remembers it. Connection facts (connected, latency, agent,
// traffic) always come from the node's GET /peers, never from what the app
// last did: while the node runs, the service polls it every few seconds and
// publishes peer-connected / peer-disconnected / devices-changed events on
// the app's bus. When the node starts, every paired device is reconnected
// in the background. Everything goes through nodeclient.
package devices

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/events"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// Event types published on the bus.
const (
	EventPeerConnected    = "peer-connected"    // data: the peer ID
	EventPeerDisconnected = "peer-disconnected" // data: the peer ID
	EventDevicesChanged   = "devices-changed"   // no data: refetch the list
)

// Bucket is the service's bucket in the state database.
const Bucket = "devices"

// Options configure a Service.
type Options struct {
	DB *bolt.DB
	// Node returns a client of the running node, or an error (the app's
	// ErrNodeNotRunning) when there is none.
	Node func() (*nodeclient.Client, error)
	Bus  *events.Bus // nil publishes nothing
	Log  *slog.Logger
	// PollInterval is how often Run asks the node for its peers (5 s).
	PollInterval time.Duration
	// ReconnectParallel bounds the concurrent reconnections (4).
	ReconnectParallel int
}

// Service keeps the paired devices.
type Service struct {
	opts Options
	log  *slog.Logger

	pollMu sync.Mutex // serialises a peers fetch with its observation

	mu      sync.Mutex
	live    liveState
	lastErr map[string]string    // peer ID → why the last reconnection failed
	saved   map[string]time.Time // peer ID → the lastSeen last written

	newNode bool // the node was seen down since devices were last reconnected

	rmu          sync.Mutex
	reconnecting bool
	again        bool
	wg           sync.WaitGroup
}

// New opens the service's bucket in db.
func New(opts Options) (*Service, error) {
	if opts.DB == nil || opts.Node == nil {
		return nil, errors.New("devices: a database and a node are required")
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 5 * time.Second
	}
	if opts.ReconnectParallel <= 0 {
		opts.ReconnectParallel = 4
	}
	err := opts.DB.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists([]byte(Bucket))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("devices: opening the %q bucket: %w", Bucket, err)
	}
	return &Service{
		opts:    opts,
		log:     opts.Log,
		lastErr: map[string]string{},
		saved:   map[string]time.Time{},
		newNode: true,
	}, nil
}

// record is what the database keeps of a paired device.
type record struct {
	PeerID    string    `json:"peerId"`
	Nickname  string    `json:"nickname"`
	Addresses []string  `json:"addresses"`
	FirstSeen time.Time `json:"firstSeen"`
	LastSeen  time.Time `json:"lastSeen"`
	PairedAt  time.Time `json:"pairedAt"`
}

// Link is what the node says about a connection now. Without a
// connection (or when the node cannot say) Connected is false and the rest
// is empty.
type Link struct {
	Connected bool `json:"connected"`
	// LatencyMs is the node's ping average; null until a ping answered.
	LatencyMs    *float64 `json:"latencyMs"`
	AgentVersion string   `json:"agentVersion"`
	// Direction is who dialled: "inbound" or "outbound" ("" when not
	// connected).
	Direction      string     `json:"direction"`
	ConnectedSince *time.Time `json:"connectedSince"`
	// RemoteAddresses are the addresses of the open connections.
	RemoteAddresses []string `json:"remoteAddresses"`
	BytesIn         int64    `json:"bytesIn"`
	BytesOut        int64    `json:"bytesOut"`
}

// Device is a paired device as the UI shows it.
type Device struct {
	PeerID   string `json:"peerId"`
	Nickname string `json:"nickname"`
	// Addresses are where to reach it: from its pairing code, and learned
	// from connections this node dialled.
	Addresses []string  `json:"addresses"`
	FirstSeen time.Time `json:"firstSeen"`
	// LastSeen is when it was last seen connected (now, while it is).
	LastSeen time.Time `json:"lastSeen"`
	PairedAt time.Time `json:"pairedAt"`
	Link
	// LastError is why the last reconnection failed ("" after a success).
	LastError string `json:"lastError,omitempty"`
}

// Peer is a connected peer that is not a paired device (a DHT neighbour,
// a bootstrap node, a device that paired with this one but not the other
// way round).
type Peer struct {
	PeerID string `json:"peerId"`
	Link
}

// List is the Devices page's data.
type List struct {
	Devices    []Device `json:"devices"`
	OtherPeers []Peer   `json:"otherPeers"`
	// NodeRunning is false when there is no node: nothing is connected.
	NodeRunning bool `json:"nodeRunning"`
	// Live is true when the connection facts come from the node now. It
	// is false when the node is not running, when the node cannot list
	// its peers (archivist-node has no such endpoint), or when asking it
	// failed (LiveError): then connected=false means "unknown".
	Live      bool   `json:"live"`
	LiveError string `json:"liveError,omitempty"`
}

// List returns the paired devices with what the node says about them now,
// and the node's other connected peers.
func (s *Service) List(ctx context.Context) (List, error) {
	s.refresh(ctx)
	recs, err := s.records()
	if err != nil {
		return List{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := List{Devices: make([]Device, 0, len(recs)), OtherPeers: []Peer{}, NodeRunning: s.live.running, Live: s.live.known && s.live.running, LiveError: s.live.err}
	paired := map[string]bool{}
	for _, r := range recs {
		paired[r.PeerID] = true
		out.Devices = append(out.Devices, s.deviceLocked(r))
	}
	if s.live.known {
		for id, p := range s.live.peers {
			if !paired[id] {
				out.OtherPeers = append(out.OtherPeers, Peer{PeerID: id, Link: link(p)})
			}
		}
	}
	slices.SortFunc(out.Devices, func(a, b Device) int {
		if c := strings.Compare(strings.ToLower(a.Nickname), strings.ToLower(b.Nickname)); c != 0 {
			return c
		}
		return strings.Compare(a.PeerID, b.PeerID)
	})
	slices.SortFunc(out.OtherPeers, func(a, b Peer) int { return strings.Compare(a.PeerID, b.PeerID) })
	return out, nil
}

// Get returns one paired device.
func (s *Service) Get(ctx context.Context, peerID string) (Device, error) {
	id, err := ParsePeerID(peerID)
	if err != nil {
		return Device{}, err
	}
	if _, err := s.record(id); err != nil {
		return Device{}, err
	}
	s.refresh(ctx)
	return s.device(id)
}

// device builds the Device of a stored record with the last observation.
func (s *Service) device(id string) (Device, error) {
	r, err := s.record(id)
	if err != nil {
		return Device{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deviceLocked(r), nil
}

func (s *Service) deviceLocked(r record) Device {
	d := Device{
		PeerID:    r.PeerID,
		Nickname:  r.Nickname,
		Addresses: r.Addresses,
		FirstSeen: r.FirstSeen,
		LastSeen:  r.LastSeen,
		PairedAt:  r.PairedAt,
		Link:      Link{RemoteAddresses: []string{}},
		LastError: s.lastErr[r.PeerID],
	}
	if d.Addresses == nil {
		d.Addresses = []string{}
	}
	if p, ok := s.live.peers[r.PeerID]; ok && s.live.known {
		d.Link = link(p)
		d.LastSeen = s.live.at
	}
	return d
}

func link(p nodeclient.PeerInfo) Link {
	l := Link{
		Connected:       true,
		AgentVersion:    p.AgentVersion,
		Direction:       p.Direction,
		RemoteAddresses: p.Addresses,
		BytesIn:         p.BytesIn,
		BytesOut:        p.BytesOut,
	}
	if l.RemoteAddresses == nil {
		l.RemoteAddresses = []string{}
	}
	if p.LatencyMs > 0 {
		v := p.LatencyMs
		l.LatencyMs = &v
	}
	if !p.ConnectedSince.IsZero() {
		t := p.ConnectedSince
		l.ConnectedSince = &t
	}
	return l
}

// Add pairs a device: it parses code (see ParseCode), connects to the peer
// through the node and, once connected, remembers it under nickname (the
// short peer ID when empty). A device that cannot be connected to is not
// remembered. Adding a device that is already paired reconnects it, adds
// the new addresses and, when a nickname is given, renames it.
func (s *Service) Add(ctx context.Context, code, nickname string) (Device, error) {
	t, err := ParseCode(code)
	if err != nil {
		return Device{}, err
	}
	nick, err := CleanNickname(nickname)
	if err != nil {
		return Device{}, err
	}
	c, err := s.opts.Node()
	if err != nil {
		return Device{}, err
	}
	self, err := c.PeerID(ctx)
	if err != nil {
		return Device{}, fmt.Errorf("asking the node for its own peer ID: %w", err)
	}
	if t.PeerID == self {
		return Device{}, &kindError{kind: ErrOwnDevice, msg: "that code belongs to this device (peer " + ShortID(self) +
			"): paste the code shown on the other device's Devices page"}
	}
	if err := dial(ctx, c, t.PeerID, t.Addresses); err != nil {
		return Device{}, err
	}
	s.refresh(ctx)
	now := time.Now().UTC()
	learned := s.learned(t.PeerID)
	err = s.opts.DB.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(Bucket))
		r, found, err := getRecord(b, t.PeerID)
		if err != nil {
			return err
		}
		if !found {
			r = record{PeerID: t.PeerID, Nickname: ShortID(t.PeerID), FirstSeen: now, PairedAt: now}
		}
		if nick != "" {
			r.Nickname = nick
		}
		r.LastSeen = now
		r.Addresses = mergeAddrs(r.Addresses, append(learned, t.Addresses...))
		return putRecord(b, r)
	})
	if err != nil {
		return Device{}, fmt.Errorf("saving the paired device: %w", err)
	}
	s.mu.Lock()
	delete(s.lastErr, t.PeerID)
	s.saved[t.PeerID] = now
	s.mu.Unlock()
	s.log.Info("device paired", "peer", t.PeerID, "by", t.Kind)
	s.publish(EventDevicesChanged, nil)
	return s.device(t.PeerID)
}

// Rename changes a device's nickname.
func (s *Service) Rename(ctx context.Context, peerID, nickname string) (Device, error) {
	id, err := ParsePeerID(peerID)
	if err != nil {
		return Device{}, err
	}
	nick, err := CleanNickname(nickname)
	if err != nil {
		return Device{}, err
	}
	if nick == "" {
		return Device{}, invalidf("the nickname is empty: give the device a name with at least one visible character")
	}
	err = s.update(id, func(r *record) { r.Nickname = nick })
	if err != nil {
		return Device{}, err
	}
	s.publish(EventDevicesChanged, nil)
	return s.device(id)
}

// Remove forgets a paired device and closes the node's connections to it.
// Forgetting is what matters: when the node is not running (or cannot
// disconnect), the device is forgotten all the same.
func (s *Service) Remove(ctx context.Context, peerID string) error {
	id, err := ParsePeerID(peerID)
	if err != nil {
		return err
	}
	err = s.opts.DB.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(Bucket))
		if b.Get([]byte(id)) == nil {
			return notPaired(id)
		}
		return b.Delete([]byte(id))
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.lastErr, id)
	delete(s.saved, id)
	s.mu.Unlock()
	s.log.Info("device removed", "peer", id)
	if c, err := s.opts.Node(); err == nil {
		if err := c.Disconnect(ctx, id); err != nil {
			s.log.Info("could not disconnect the removed device", "peer", id, "err", err)
		}
	}
	s.refresh(ctx)
	s.publish(EventDevicesChanged, nil)
	return nil
}

// Connect reconnects a paired device: at its stored addresses first, then
// wherever the node's discovery finds it by its peer ID.
func (s *Service) Connect(ctx context.Context, peerID string) (Device, error) {
	id, err := ParsePeerID(peerID)
	if err != nil {
		return Device{}, err
	}
	r, err := s.record(id)
	if err != nil {
		return Device{}, err
	}
	c, err := s.opts.Node()
	if err != nil {
		return Device{}, err
	}
	err = s.reconnect(ctx, c, r)
	s.publish(EventDevicesChanged, nil)
	if err != nil {
		return Device{}, err
	}
	return s.device(id)
}

// reconnect dials a stored device, keeps the outcome as its lastError and,
// on success, the addresses it learned.
func (s *Service) reconnect(ctx context.Context, c *nodeclient.Client, r record) error {
	var err error
	if len(r.Addresses) > 0 {
		err = dial(ctx, c, r.PeerID, r.Addresses)
	}
	if len(r.Addresses) == 0 || (err != nil && ctx.Err() == nil) {
		if lookupErr := dial(ctx, c, r.PeerID, nil); lookupErr == nil {
			err = nil
		} else if err == nil {
			err = lookupErr
		} else {
			var ce *ConnectError
			if errors.As(err, &ce) {
				ce.Lookup = lookupErr.(*ConnectError).Err
			}
		}
	}
	s.refresh(ctx)
	s.mu.Lock()
	if err != nil {
		s.lastErr[r.PeerID] = err.Error()
	} else {
		delete(s.lastErr, r.PeerID)
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if learned := s.learned(r.PeerID); len(learned) > 0 {
		if err := s.update(r.PeerID, func(r *record) { r.Addresses = mergeAddrs(r.Addresses, learned) }); err != nil && !errors.Is(err, ErrNotPaired) {
			s.log.Warn("saving a device's addresses", "peer", r.PeerID, "err", err)
		}
	}
	return nil
}

// Disconnect closes the node's connections to a peer (paired or not). The
// peer may connect again by itself.
func (s *Service) Disconnect(ctx context.Context, peerID string) error {
	id, err := ParsePeerID(peerID)
	if err != nil {
		return err
	}
	c, err := s.opts.Node()
	if err != nil {
		return err
	}
	if err := c.Disconnect(ctx, id); err != nil {
		if nodeclient.IsNotFound(err) {
			return &kindError{kind: ErrUnsupported, msg: "this node cannot close connections: its API has no peers extension (archivist-node); stop and start the node instead"}
		}
		return fmt.Errorf("disconnecting %s: %w", ShortID(id), err)
	}
	s.refresh(ctx)
	s.publish(EventDevicesChanged, nil)
	return nil
}

// dial asks the node to connect, bounded by connectTimeout.
func dial(ctx context.Context, c *nodeclient.Client, id string, addrs []string) error {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := c.Connect(ctx, id, addrs); err != nil {
		return &ConnectError{PeerID: id, Addrs: addrs, Err: err}
	}
	return nil
}

// maxAddresses bounds a device's stored addresses.
const maxAddresses = 16

// mergeAddrs puts add in front of old, without duplicates, bounded.
func mergeAddrs(old, add []string) []string {
	out := make([]string, 0, len(old)+len(add))
	for _, a := range append(slices.Clone(add), old...) {
		if a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	if len(out) > maxAddresses {
		out = out[:maxAddresses]
	}
	return out
}

// learned returns the addresses of this node's outbound connections to a
// peer, which are addresses the peer can be dialled at (an inbound
// connection's remote port is ephemeral).
func (s *Service) learned(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.live.peers[id]
	if !ok || !s.live.known || p.Direction != "outbound" {
		return nil
	}
	return slices.Clone(p.Addresses)
}

func notPaired(id string) error {
	return &kindError{kind: ErrNotPaired, msg: "no paired device has peer ID " + id}
}

func (s *Service) record(id string) (record, error) {
	var r record
	err := s.opts.DB.View(func(tx *bolt.Tx) error {
		var found bool
		var err error
		r, found, err = getRecord(tx.Bucket([]byte(Bucket)), id)
		if err == nil && !found {
			err = notPaired(id)
		}
		return err
	})
	return r, err
}

func (s *Service) records() ([]record, error) {
	var out []record
	err := s.opts.DB.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(Bucket)).ForEach(func(k, v []byte) error {
			var r record
			if err := json.Unmarshal(v, &r); err != nil {
				s.log.Warn("skipping an unreadable device record", "key", string(k), "err", err)
				return nil
			}
			out = append(out, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading the paired devices: %w", err)
	}
	return out, nil
}

// update changes a stored record in one transaction.
func (s *Service) update(id string, change func(*record)) error {
	return s.opts.DB.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(Bucket))
		r, found, err := getRecord(b, id)
		if err != nil {
			return err
		}
		if !found {
			return notPaired(id)
		}
		change(&r)
		return putRecord(b, r)
	})
}

func getRecord(b *bolt.Bucket, id string) (record, bool, error) {
	v := b.Get([]byte(id))
	if v == nil {
		return record{}, false, nil
	}
	var r record
	if err := json.Unmarshal(v, &r); err != nil {
		return record{}, false, fmt.Errorf("device record %s is unreadable: %w", id, err)
	}
	return r, true, nil
}

func putRecord(b *bolt.Bucket, r record) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return b.Put([]byte(r.PeerID), v)
}

func (s *Service) publish(typ string, data any) {
	if s.opts.Bus != nil {
		s.opts.Bus.Publish(typ, data)
	}
}

// Nickname is a paired device's nickname; false when peerID is not a
// paired device (any other peer: a DHT neighbour, a stranger).
func (s *Service) Nickname(peerID string) (string, bool) {
	r, err := s.record(peerID)
	if err != nil {
		return "", false
	}
	return r.Nickname, true
}
