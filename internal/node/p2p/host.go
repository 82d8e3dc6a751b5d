package p2p

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/libp2p/go-libp2p"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	mplex "github.com/libp2p/go-libp2p-mplex"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/metrics"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	"github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
)

// Host is the node's libp2p host with its discovery services.
type Host struct {
	h    host.Host
	key  crypto.PrivKey
	opts Options
	log  *slog.Logger
	nat  natMode
	bw   *metrics.BandwidthCounter

	dht       *dht.IpfsDHT // nil with DisableDHT
	mdns      mdns.Service // nil with DisableMDNS
	bootstrap []peer.AddrInfo
	notes     []string

	// ctx lives until Close; every background goroutine watches it and is
	// counted in wg, so Close returns only when they are all gone.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	built     atomic.Pointer[host.Host] // h, for callbacks libp2p runs during New
	spr       sprState
	mdnsDials dialSet

	closeOnce sync.Once
	closeErr  error
}

// New starts a libp2p host: it listens, starts identify, ping, the DHT and
// mDNS, and begins dialling the bootstrap nodes in the background. ctx only
// bounds the start-up; the host runs until Close.
func New(ctx context.Context, opts Options) (*Host, error) {
	if err := opts.withDefaults(); err != nil {
		return nil, err
	}
	listen, err := parseListenAddrs(opts.ListenAddrs)
	if err != nil {
		return nil, err
	}
	nat, err := parseNAT(opts.NAT)
	if err != nil {
		return nil, err
	}
	boot, bootNotes, err := parseBootstrap(opts.BootstrapNodes)
	if err != nil {
		return nil, err
	}
	hctx, cancel := context.WithCancel(context.Background())
	n := &Host{
		key:       opts.Key,
		opts:      opts,
		log:       opts.Logger,
		nat:       nat,
		bw:        metrics.NewBandwidthCounter(),
		bootstrap: boot,
		notes:     append(discPortNotes(opts.DiscPort), bootNotes...),
		ctx:       hctx,
		cancel:    cancel,
	}
	lopts, err := n.libp2pOptions(listen)
	if err != nil {
		cancel()
		return nil, err
	}
	n.h, err = libp2p.New(lopts...)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("p2p: starting libp2p host on %v: %w", listen, err)
	}
	n.built.Store(&n.h)
	if err := n.start(ctx); err != nil {
		n.Close()
		return nil, err
	}
	n.log.Info("libp2p host started", "peerId", n.h.ID().String(), "listen", addrStrings(n.ListenAddrs()), "announce", addrStrings(n.AnnounceAddrs()))
	return n, nil
}

func (n *Host) libp2pOptions(listen []ma.Multiaddr) ([]libp2p.Option, error) {
	limiter, cm, err := connLimits(n.opts.MaxPeers)
	if err != nil {
		return nil, err
	}
	o := []libp2p.Option{
		libp2p.Identity(n.key),
		libp2p.ListenAddrs(listen...),
		// TCP only, as archivist-node: no QUIC, websocket or WebRTC.
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Security(noise.ID, noise.New),
		// yamux first for Go peers; mplex for Nim archivist-node, which
		// speaks nothing else.
		libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		libp2p.Muxer(mplex.ID, mplex.DefaultTransport),
		libp2p.UserAgent(n.opts.AgentString),
		// What nim-libp2p's identify sends; go-libp2p sends nothing.
		libp2p.ProtocolVersion("ipfs/0.1.0"),
		libp2p.ResourceManager(limiter),
		libp2p.ConnectionManager(cm),
		libp2p.BandwidthReporter(n.bw),
		libp2p.Ping(true),
		// Relay client and DCUtR hole punching; no relays of our own and
		// none of libp2p's public ones (EnableAutoRelay is not set).
		libp2p.EnableRelay(),
		libp2p.EnableHolePunching(),
	}
	if n.opts.Prometheus != nil {
		o = append(o, libp2p.PrometheusRegisterer(n.opts.Prometheus))
	} else {
		o = append(o, libp2p.DisableMetrics())
	}
	switch n.nat.kind {
	case "any", "upnp", "pmp":
		o = append(o, libp2p.NATPortMap())
	case "extip":
		o = append(o, libp2p.AddrsFactory(n.extIPAddrs))
	}
	return o, nil
}

// connLimits turns --max-peers into libp2p's two limits. The connection
// manager trims back to 3/4 of max-peers once the count exceeds it, closing
// the least useful connections first; the resource manager refuses
// connections outright only at 5/4, so that a burst of new peers is trimmed
// by usefulness rather than refused by arrival order.
func connLimits(maxPeers int) (network.ResourceManager, *connmgr.BasicConnMgr, error) {
	low := max(maxPeers*3/4, 1)
	cm, err := connmgr.NewConnManager(low, maxPeers)
	if err != nil {
		return nil, nil, fmt.Errorf("p2p: connection manager: %w", err)
	}
	scaling := rcmgr.DefaultLimits
	libp2p.SetDefaultServiceLimits(&scaling)
	hard := rcmgr.LimitVal(maxPeers + max(maxPeers/4, 1))
	limits := rcmgr.PartialLimitConfig{
		System: rcmgr.ResourceLimits{Conns: hard, ConnsInbound: hard, ConnsOutbound: hard},
	}.Build(scaling.AutoScale())
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(limits))
	if err != nil {
		cm.Close()
		return nil, nil, fmt.Errorf("p2p: resource manager: %w", err)
	}
	return rm, cm, nil
}

// start runs what needs the live host: the SPR, the DHT, mDNS, pings and
// bootstrap dials.
func (n *Host) start(ctx context.Context) error {
	if err := n.startSPR(); err != nil {
		return err
	}
	if !n.opts.DisableDHT {
		if err := n.startDHT(ctx); err != nil {
			return err
		}
	}
	n.goLoop(n.pingLoop)
	n.goLoop(n.bootstrapLoop)
	n.goLoop(n.trimBandwidthLoop)
	if !n.opts.DisableMDNS {
		n.startMDNS()
	}
	return nil
}

// goLoop runs f in the background until Close.
func (n *Host) goLoop(f func(ctx context.Context)) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		f(n.ctx)
	}()
}

// ID is the node's peer ID.
func (n *Host) ID() peer.ID { return n.h.ID() }

// Libp2p is the underlying host, for protocols built on it (the block
// exchange registers its stream handler here).
func (n *Host) Libp2p() host.Host { return n.h }

// Notes are facts about this node's networking that differ from
// archivist-node and that a user may need to know (the README and the
// node's start-up log show them).
func (n *Host) Notes() []string { return append([]string(nil), n.notes...) }

func discPortNotes(port uint16) []string {
	return []string{fmt.Sprintf("--disc-port %d is not used: this node runs its Kademlia DHT over the libp2p TCP host "+
		"(protocol /archivist/kad/1.0.0), not over UDP, so it opens no discovery port and cannot take part in "+
		"archivist-node's discv5 DHT", port)}
}

// Close stops discovery, closes every connection and waits for the
// background work to end. It is safe to call more than once.
func (n *Host) Close() error {
	n.closeOnce.Do(func() {
		n.cancel()
		var errs []error
		if n.mdns != nil {
			errs = append(errs, n.mdns.Close())
		}
		if n.dht != nil {
			errs = append(errs, n.dht.Close())
		}
		if n.h != nil {
			errs = append(errs, n.h.Close())
		}
		n.wg.Wait()
		n.closeErr = errors.Join(errs...)
	})
	return n.closeErr
}
