package node

import (
	"encoding/hex"

	ma "github.com/multiformats/go-multiaddr"
	"golang.org/x/crypto/sha3"

	"github.com/archivist-desktop/archivist/internal/buildinfo"
	"github.com/archivist-desktop/archivist/internal/node/logging"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// Network is what the status needs from the libp2p host.
type Network interface {
	SPR() string
	ListenAddrs() []ma.Multiaddr
	AnnounceAddrs() []ma.Multiaddr
}

// Status answers the REST API's questions about the node that are not about
// storage: its record, its addresses, its build, its log level.
type Status struct {
	node *Node
	net  Network
	log  *logging.Logger
}

// NewStatus returns the status of n, reachable through net, logging to log.
func NewStatus(n *Node, net Network, log *logging.Logger) *Status {
	return &Status{node: n, net: net, log: log}
}

// SPR is the signed peer record text: the addresses peers can dial.
func (s *Status) SPR() string { return s.net.SPR() }

// SetLogLevel changes the node's log level.
func (s *Status) SetLogLevel(level string) error { return s.log.SetLevel(level) }

// DebugInfo is the body of /debug/info.
func (s *Status) DebugInfo() nodeclient.DebugInfo {
	b := buildinfo.Get()
	id := s.node.id.String()
	spr := s.net.SPR()
	// NodeId is keccak256 of the peer ID bytes (archivist-dht).
	h := sha3.NewLegacyKeccak256()
	h.Write([]byte(s.node.id))
	return nodeclient.DebugInfo{
		ID:                id,
		Addrs:             strs(s.net.ListenAddrs()),
		Repo:              s.node.cfg.DataDir,
		SPR:               spr,
		AnnounceAddresses: strs(s.net.AnnounceAddrs()),
		Table: nodeclient.RoutingTable{
			LocalNode: nodeclient.TableNode{NodeID: hex.EncodeToString(h.Sum(nil)), PeerID: id, Record: spr},
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
