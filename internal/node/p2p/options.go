package p2p

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"

	ds "github.com/ipfs/go-datastore"
	"github.com/libp2p/go-libp2p/core/crypto"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/archivist-desktop/archivist/internal/node/config"
)

// Defaults of archivist-node for the options left empty.
const (
	DefaultListenAddr  = "/ip4/0.0.0.0/tcp/0"
	DefaultMaxPeers    = 160
	DefaultAgentString = "Archivist Node"
)

// Options configure a Host. Only Key is required.
type Options struct {
	// Key is the node's secp256k1 identity (identity.LoadOrCreateKey).
	Key crypto.PrivKey
	// ListenAddrs are TCP multiaddrs (--listen-addrs); empty means
	// /ip4/0.0.0.0/tcp/0.
	ListenAddrs []string
	// NAT is --nat: any (the default), none, upnp, pmp or extip:IP.
	NAT string
	// MaxPeers is --max-peers, the connection limit; 0 means 160.
	MaxPeers int
	// AgentString is --agent-string, sent in identify; empty means
	// "Archivist Node".
	AgentString string
	// BootstrapNodes are --bootstrap-node spr: URIs.
	BootstrapNodes []string
	// DiscPort is --disc-port. It is only reported in Notes: see the
	// package doc for why this node has no UDP discovery port.
	DiscPort uint16
	// Logger receives the host's log lines; nil discards them.
	Logger *slog.Logger
	// DisableMDNS and DisableDHT switch discovery off, for tests that
	// must not find unrelated hosts, or that build their own topology.
	DisableMDNS bool
	DisableDHT  bool
	// Datastore, when set, keeps the DHT's provider records
	// (internal/node/dhtstore); nil keeps them in memory, which grows with
	// every dataset announced.
	Datastore ds.Batching
	// Prometheus, when set, receives libp2p's own metrics (--metrics).
	// Nil turns them off, so several hosts in one process (tests) do not
	// share the global registry.
	Prometheus prometheus.Registerer
}

// FromConfig takes the p2p options out of the node's resolved flags.
func FromConfig(cfg *config.Config, key crypto.PrivKey, log *slog.Logger) Options {
	return Options{
		Key:            key,
		ListenAddrs:    cfg.ListenAddrs,
		NAT:            cfg.NAT,
		MaxPeers:       cfg.MaxPeers,
		AgentString:    cfg.AgentString,
		BootstrapNodes: cfg.BootstrapNodes,
		DiscPort:       cfg.DiscPort,
		Logger:         log,
		DisableMDNS:    !cfg.MDNS,
	}
}

// parseListenAddrs accepts only TCP addresses: the host has no other
// transport, and a /udp/…/quic address would otherwise fail later with a
// less clear "no transport for protocol" error.
func parseListenAddrs(in []string) ([]ma.Multiaddr, error) {
	if len(in) == 0 {
		in = []string{DefaultListenAddr}
	}
	out := make([]ma.Multiaddr, 0, len(in))
	for _, s := range in {
		a, err := ma.NewMultiaddr(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("--listen-addrs %q: %w", s, err)
		}
		if !isTCP(a) {
			return nil, fmt.Errorf("--listen-addrs %q: only TCP addresses are supported (e.g. /ip4/0.0.0.0/tcp/8070)", s)
		}
		out = append(out, a)
	}
	return out, nil
}

// isTCP reports a direct TCP address: it has a /tcp component and is not a
// relay (p2p-circuit) address.
func isTCP(a ma.Multiaddr) bool {
	tcp, circuit := false, false
	for _, c := range a {
		switch c.Protocol().Code {
		case ma.P_TCP:
			tcp = true
		case ma.P_CIRCUIT, ma.P_WS, ma.P_WSS:
			circuit = true
		}
	}
	return tcp && !circuit
}

// natMode is a parsed --nat value.
type natMode struct {
	kind string // any, none, upnp, pmp, extip
	ip   net.IP // for extip
}

// parseNAT validates --nat. upnp and pmp are accepted as archivist-node
// accepts them, but go-libp2p's port mapper tries both protocols whichever
// is named, so they behave like any (see the package doc).
func parseNAT(s string) (natMode, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "any":
		return natMode{kind: "any"}, nil
	case "none", "upnp", "pmp":
		return natMode{kind: strings.ToLower(s)}, nil
	}
	if v, ok := strings.CutPrefix(s, "extip:"); ok {
		ip := net.ParseIP(strings.TrimSpace(v))
		if ip == nil {
			return natMode{}, fmt.Errorf("--nat %q: %q is not an IP address", s, v)
		}
		if ip4 := ip.To4(); ip4 != nil {
			ip = ip4
		}
		return natMode{kind: "extip", ip: ip}, nil
	}
	return natMode{}, fmt.Errorf("--nat %q: must be any, none, upnp, pmp or extip:<IP>", s)
}

func (o *Options) withDefaults() error {
	if o.Key == nil {
		return errors.New("p2p: no node key")
	}
	if o.Key.Type() != crypto.Secp256k1 {
		return fmt.Errorf("p2p: node key is %s; archivist nodes use secp256k1", o.Key.Type())
	}
	if o.MaxPeers <= 0 {
		o.MaxPeers = DefaultMaxPeers
	}
	if o.AgentString == "" {
		o.AgentString = DefaultAgentString
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}
