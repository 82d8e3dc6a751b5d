// Package p2p is the storage node's libp2p networking: the host other
// nodes connect to, and the discovery that finds them.
//
// # The host
//
// A go-libp2p host with archivist-node's stack (spec §6), so a Go node and a
// Nim node can talk: the secp256k1 identity of package identity, TCP only
// (no QUIC, websocket or WebRTC), Noise, and two stream multiplexers, yamux
// for Go peers and mplex (/mplex/6.7.0) because archivist-node speaks
// nothing else. Identify sends --agent-string and a signed peer record. The
// ping protocol is mounted and the host pings its peers, so that Peers can
// show a measured latency. --max-peers is the connection manager's high
// water mark, trimmed back to 3/4; the resource manager refuses connections
// only past 5/4 of it, so that excess peers are trimmed by usefulness rather
// than refused by arrival order.
//
// NAT: --nat=none maps no ports. any, upnp and pmp all turn on go-libp2p's
// port mapper, which tries UPnP and NAT-PMP together whichever is named:
// go-libp2p offers no way to choose one, and a router that speaks either is
// better used than not. extip:IP announces that IP with each TCP listen
// port instead of the local addresses, as archivist-node does. Hole
// punching (DCUtR) and the relay client are on, but the node configures no
// relays and uses none of libp2p's public services, so hole punching only
// happens when a peer reaches us through a relay someone else runs.
//
// # Addresses and records
//
// ListenAddrs are the bound sockets, AnnounceAddrs what peers are told to
// dial (listen addresses plus NAT mappings and observed addresses). SPR is
// a Signed Peer Record over the TCP announce addresses, re-signed with a
// higher sequence number whenever they change. It differs from
// archivist-node's /spr, which holds only the UDP discovery address and so
// cannot be dialled; ours can, by ConnectSPR on another node.
//
// # Discovery
//
// Two mechanisms, neither of them archivist-node's discv5 (spec §5, a later
// goal): mDNS on the LAN (service "archivist"; every node found is dialled,
// by the node with the smaller peer ID first, because two nodes dialling
// each other at once from their reuseport listen ports meet in one TCP
// simultaneous open on which both Noise handshakes fail),
// and a Kademlia DHT (go-libp2p-kad-dht, server mode, protocol prefix
// /archivist so it never joins IPFS's public DHT). The DHT starts from the
// --bootstrap-node records and from every peer that connects for another
// reason; there are no built-in bootstrap peers. Bootstrap connections are
// protected from trimming and redialled every minute when lost.
//
// The DHT runs over the libp2p TCP connections, not over UDP, so
// --disc-port is accepted but not used: the node opens no discovery port.
// Notes returns that fact (and any bootstrap record without a TCP address,
// which is what archivist-node's /spr record is) for the README and the
// start-up log.
//
// Content routing follows archivist-node: the caller provides a dataset's
// manifest CID and its treeCid when it stores them (Provide) and runs
// Reprovide to announce everything again every 30 minutes; FindProviders
// looks them up. Connect without addresses finds a peer through the
// peerstore (mDNS, identify) and then the DHT, and fails with
// ErrPeerNotFound or ErrDialFailed, whose texts are archivist-node's REST
// answers.
//
// # Peers and events
//
// Peers lists the connected peers with their addresses, direction, latency,
// agent, protocols, muxer and byte counts (a bandwidth counter attached to
// the swarm). Subscribe delivers connect and disconnect events without ever
// blocking libp2p's event bus, so the block exchange can send its want list
// to a peer that joins.
package p2p
