package exchange

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Discovery finds peers that provide a CID (a tree CID or a manifest CID).
// The engine asks it when no connected peer has a wanted block, and dials
// what it returns.
type Discovery interface {
	FindProviders(ctx context.Context, c cid.Cid, max int) ([]peer.AddrInfo, error)
}

// Options tune an Engine. Zero fields take the defaults in parentheses.
type Options struct {
	// Discovery finds providers when no connected peer has the data. Nil
	// means only connected peers are asked.
	Discovery Discovery
	// PeerWindow is how many WantBlock requests may be outstanding at one
	// peer (128): enough 64 KiB blocks in flight to keep one link busy.
	PeerWindow int
	// DatasetWindow is how many blocks of one FetchDataset are wanted at
	// once (1024), so that several peers can each have a full PeerWindow.
	DatasetWindow int
	// MaxPeerWants caps the WantBlock entries queued for one remote peer
	// (4096). Further entries are ignored until the queue drains.
	MaxPeerWants int
	// MaxDeliveryBytes is the block data one payload message carries (2 MiB).
	MaxDeliveryBytes int
	// MaxStrikes is how many bad blocks a peer may send before the engine
	// stops asking it for anything (3). Each bad block also excludes the
	// peer from the rest of that dataset's download.
	MaxStrikes int
	// PeerTimeout is how long a peer may leave requests unanswered before
	// its requests go to other peers (20s).
	PeerTimeout time.Duration
	// BlockTimeout is how long one request may stay unanswered while the
	// peer answers others (2m): the peer probably lost the block.
	BlockTimeout time.Duration
	// StallTimeout ends a fetch that received nothing for this long with
	// ErrStalled (10m).
	StallTimeout time.Duration
}

func (o *Options) setDefaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.PeerWindow, 128)
	def(&o.DatasetWindow, 1024)
	def(&o.MaxPeerWants, 4096)
	def(&o.MaxDeliveryBytes, 2<<20)
	def(&o.MaxStrikes, 3)
	defDur(&o.PeerTimeout, 20*time.Second)
	defDur(&o.BlockTimeout, 2*time.Minute)
	defDur(&o.StallTimeout, 10*time.Minute)
}

// Errors a fetch can end with, besides the context's and the store's.
var (
	ErrClosed      = errors.New("exchange: engine closed")
	ErrStalled     = errors.New("exchange: no block received from any peer in StallTimeout")
	ErrUnsupported = errors.New("exchange: only sha2-256 CIDs can be verified")
)

// Limits that are not worth an option.
const (
	maxInboundStreams = 100     // per peer, as the reference's maxIncomingStreams
	maxQueuedControl  = 1 << 14 // queued want and presence entries per peer
	maxControlBatch   = 4096    // entries per control message
	maxServing        = 64      // peers being sent blocks at once
	storeWorkers      = 64      // concurrent PutVerified calls; also the most blocks one RepoStore group commit gets, so it sets how many syncs a download costs (16: 8.8 s of receiver CPU per GiB, 64: 6.5 s)
	haveRetry         = 5 * time.Second
	discoveryDelay    = 2 * time.Second
	discoveryInterval = 30 * time.Second
	maxDiscoveries    = 4
	scheduleTick      = 250 * time.Millisecond
	openTimeout       = 15 * time.Second
	noProtoBackoff    = time.Minute
)

// Engine runs block exchange on a libp2p host: it serves the blocks of its
// Store to peers that ask, and fetches blocks for FetchDataset and
// FetchBlock. All methods are safe for concurrent use.
type Engine struct {
	h     host.Host
	store Store
	log   *slog.Logger
	opts  Options

	ctx    context.Context
	cancel context.CancelFunc
	notify *network.NotifyBundle

	// life guards wg against an Add racing Close's Wait.
	life     sync.RWMutex
	stopping bool
	wg       sync.WaitGroup

	// streams holds every open stream, so that Close can end the read
	// loops of peers the table no longer lists.
	streamMu sync.Mutex
	streams  map[network.Stream]struct{}

	kickCh     chan struct{} // wakes the scheduler
	storeQ     chan storeJob
	serveSlots chan struct{}

	mu          sync.Mutex
	closed      bool
	peers       map[peer.ID]*peerState
	wants       map[BlockAddress]*want
	keyWants    map[cid.Cid]int // wants per dataset key
	seq         uint64
	banned      map[cid.Cid]map[peer.ID]struct{} // per dataset key: peers that sent bad data
	discovering map[cid.Cid]time.Time            // key → when the last lookup started
	lookups     int                              // discoveries running

	stats counters
}

// New starts block exchange on h. Close stops it.
func New(h host.Host, store Store, log *slog.Logger, opts Options) *Engine {
	opts.setDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Engine{
		h:           h,
		store:       store,
		log:         log.With("component", "blockexc"),
		opts:        opts,
		ctx:         ctx,
		cancel:      cancel,
		kickCh:      make(chan struct{}, 1),
		storeQ:      make(chan storeJob, 64),
		serveSlots:  make(chan struct{}, maxServing),
		peers:       make(map[peer.ID]*peerState),
		wants:       make(map[BlockAddress]*want),
		keyWants:    make(map[cid.Cid]int),
		banned:      make(map[cid.Cid]map[peer.ID]struct{}),
		discovering: make(map[cid.Cid]time.Time),
		streams:     make(map[network.Stream]struct{}),
	}
	e.notify = &network.NotifyBundle{
		ConnectedF:    func(_ network.Network, c network.Conn) { e.connChanged(c.RemotePeer()) },
		DisconnectedF: func(_ network.Network, c network.Conn) { e.connChanged(c.RemotePeer()) },
	}
	h.SetStreamHandler(ProtocolID, e.handleStream)
	h.Network().Notify(e.notify)
	for _, p := range h.Network().Peers() {
		e.connChanged(p)
	}
	e.spawn(e.scheduleLoop)
	for range storeWorkers {
		e.spawn(e.storeLoop)
	}
	return e
}

// Close stops serving and fetching: fetches in progress return ErrClosed.
// It does not close the host.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	for _, w := range e.wants {
		e.finishLocked(w, ErrClosed)
	}
	e.mu.Unlock()

	e.h.RemoveStreamHandler(ProtocolID)
	e.h.Network().StopNotify(e.notify)
	e.life.Lock()
	e.stopping = true
	e.life.Unlock()
	e.cancel()
	// Streams added from now on see the cancelled context and are refused.
	e.streamMu.Lock()
	streams := make([]network.Stream, 0, len(e.streams))
	for s := range e.streams {
		streams = append(streams, s)
	}
	e.streamMu.Unlock()
	for _, s := range streams {
		_ = s.Reset()
	}
	e.wg.Wait()
	return nil
}

// spawn runs fn in a goroutine that Close waits for, unless the engine is
// closing.
func (e *Engine) spawn(fn func()) bool {
	e.life.RLock()
	defer e.life.RUnlock()
	if e.stopping {
		return false
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		fn()
	}()
	return true
}

// kick wakes the scheduler; many kicks before it runs make one pass.
func (e *Engine) kick() {
	select {
	case e.kickCh <- struct{}{}:
	default:
	}
}

// connChanged brings the engine's view of a peer in line with the network
// after a connection opened or closed. Notifications may arrive out of
// order, so it reads the current state rather than trusting the event.
func (e *Engine) connChanged(id peer.ID) {
	if id == e.h.ID() {
		return
	}
	e.spawn(func() {
		if e.h.Network().Connectedness(id) == network.Connected {
			e.peerUp(id)
		} else {
			e.peerDown(id)
		}
	})
}
