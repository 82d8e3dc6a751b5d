package link

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/peerlink"
)

var bucketPeers = []byte("link-peers")

// States of a known device.
const (
	// StatePaired: trusted; its requests are served.
	StatePaired = "paired"
	// StateRequested: it asked to pair; waits for this user's approval.
	StateRequested = "requested"
)

// maxRequests bounds the pairing requests kept, so that strangers on the
// network cannot fill the database.
const maxRequests = 32

// Peer is a device this one knows on the link.
type Peer struct {
	Device       peerlink.DeviceID `json:"device"`
	Name         string            `json:"name"`
	NodePeerID   string            `json:"nodePeerId"`
	SPR          string            `json:"spr,omitempty"`
	Addrs        []string          `json:"addrs"`
	BackupServer bool              `json:"backupServer"`
	State        string            `json:"state"`
	RequestedAt  time.Time         `json:"requestedAt"`
	PairedAt     time.Time         `json:"pairedAt"`
	// RemoteAddr is where its last request came from.
	RemoteAddr string `json:"remoteAddr,omitempty"`
}

// ErrUnknownDevice is returned for a device ID that is not known.
var ErrUnknownDevice = errors.New("no such device")

type store struct{ db *bolt.DB }

func newStore(db *bolt.DB) (*store, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketPeers)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("link: opening its bucket: %w", err)
	}
	return &store{db: db}, nil
}

func (s *store) get(d peerlink.DeviceID) (Peer, bool, error) {
	var p Peer
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketPeers).Get([]byte(d.String()))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &p)
	})
	return p, ok, err
}

func (s *store) list() ([]Peer, error) {
	out := []Peer{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPeers).ForEach(func(k, v []byte) error {
			var p Peer
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("link: corrupt device record %q: %w", k, err)
			}
			out = append(out, p)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// update changes (or, with create, creates) a device's record.
func (s *store) update(d peerlink.DeviceID, create bool, change func(*Peer) error) (Peer, error) {
	var p Peer
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPeers)
		v := b.Get([]byte(d.String()))
		switch {
		case v != nil:
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
		case !create:
			return ErrUnknownDevice
		default:
			if b.Stats().KeyN >= maxRequests*2 {
				return errors.New("too many devices and pairing requests: remove some first")
			}
			p = Peer{Device: d}
		}
		if err := change(&p); err != nil {
			return err
		}
		data, err := json.Marshal(p)
		if err != nil {
			return err
		}
		return b.Put([]byte(d.String()), data)
	})
	return p, err
}

func (s *store) remove(d peerlink.DeviceID) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPeers)
		if b.Get([]byte(d.String())) == nil {
			return ErrUnknownDevice
		}
		return b.Delete([]byte(d.String()))
	})
}

// requests counts the pending pairing requests.
func (s *store) requests() int {
	n := 0
	ps, _ := s.list()
	for _, p := range ps {
		if p.State == StateRequested {
			n++
		}
	}
	return n
}
