package node

import (
	"encoding/hex"
	"sync"
	"time"

	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
	"golang.org/x/crypto/sha3"

	"github.com/archivist-desktop/archivist/internal/buildinfo"
	"github.com/archivist-desktop/archivist/internal/node/identity"
	"github.com/archivist-desktop/archivist/internal/node/logging"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// Status answers the REST API's questions about the node that are not about
// storage: its record, its addresses, its build, its log level.
type Status struct {
	node *Node
	log  *logging.Logger

	mu       sync.Mutex
	spr      string
	addrs    []ma.Multiaddr // listen addresses in use
	announce []ma.Multiaddr // addresses peers should dial
}

// NewStatus returns the status of n, whose logger is log.
func NewStatus(n *Node, log *logging.Logger) *Status {
	return &Status{node: n, log: log}
}

// SetAddresses records the addresses the node listens on and announces,
// and signs a new SPR with the announced ones.
func (s *Status) SetAddresses(listen, announce []ma.Multiaddr) error {
	spr, err := identity.EncodeSPR(s.node.key, announce, uint64(time.Now().Unix()))
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addrs, s.announce, s.spr = listen, announce, spr
	return nil
}

// SPR is the signed peer record text.
func (s *Status) SPR() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.spr
}

// SetLogLevel changes the node's log level.
func (s *Status) SetLogLevel(level string) error { return s.log.SetLevel(level) }

// DebugInfo is the body of /debug/info.
func (s *Status) DebugInfo() nodeclient.DebugInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := buildinfo.Get()
	id := s.node.id.String()
	// NodeId is keccak256 of the peer ID bytes (archivist-dht).
	h := sha3.NewLegacyKeccak256()
	h.Write([]byte(s.node.id))
	return nodeclient.DebugInfo{
		ID:                id,
		Addrs:             strs(s.addrs),
		Repo:              s.node.cfg.DataDir,
		SPR:               s.spr,
		AnnounceAddresses: strs(s.announce),
		Table: nodeclient.RoutingTable{
			LocalNode: nodeclient.TableNode{NodeID: hex.EncodeToString(h.Sum(nil)), PeerID: id, Record: s.spr, Seen: false},
			Nodes:     []nodeclient.TableNode{},
		},
		Archivist: nodeclient.ArchivistBuild{Version: b.Version, Revision: b.Revision, Contracts: "none"},
	}
}

func strs(as []ma.Multiaddr) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.String())
	}
	return out
}

// DialableAddresses expands wildcard listen addresses into this machine's
// interface addresses, dropping those without a fixed port (port 0 is only
// known once something listens there).
func DialableAddresses(listen []string) []ma.Multiaddr {
	var out []ma.Multiaddr
	for _, s := range listen {
		a, err := ma.NewMultiaddr(s)
		if err != nil {
			continue
		}
		if port, err := a.ValueForProtocol(ma.P_TCP); err != nil || port == "0" {
			continue
		}
		if ip, err := manet.ToIP(a); err == nil && ip.IsUnspecified() {
			if resolved, err := manet.ResolveUnspecifiedAddress(a, interfaceAddrs()); err == nil {
				out = append(out, resolved...)
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

func interfaceAddrs() []ma.Multiaddr {
	addrs, err := manet.InterfaceMultiaddrs()
	if err != nil {
		return nil
	}
	return addrs
}
