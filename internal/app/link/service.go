package link

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/devices"
	"github.com/archivist-desktop/archivist/internal/app/events"
	"github.com/archivist-desktop/archivist/internal/app/folders"
	"github.com/archivist-desktop/archivist/internal/app/peerlink"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// Events published on the bus.
const (
	EventPairingRequest = "pairing-request"
	EventLinkChanged    = "link-changed"
)

// Options configure a Service.
type Options struct {
	DB       *bolt.DB
	Identity *peerlink.Identity
	Config   *config.Store
	Devices  *devices.Service
	Folders  *folders.Service
	Node     func() (*nodeclient.Client, error)
	Bus      *events.Bus
	Log      *slog.Logger
	// OnTrigger is called when a paired source says it has a new manifest
	// (the backup server's business).
	OnTrigger func(from Peer)
	// Catalog lists the backups this device keeps, for paired devices
	// that restore from it (nil: it keeps none).
	Catalog func() (Catalog, error)
	// BindHost is the address the link servers listen on ("" for every
	// interface, which is what peers on the LAN need).
	BindHost string
	// Hosts lists the addresses this device advertises in its code; nil
	// means its interfaces' addresses.
	Hosts func() []string
	// RetryBase bounds the first wait before notifying again (the config's
	// manifest_retry_interval_secs when zero).
	RetryBase time.Duration
}

// Service is the link between this device's app and its paired devices'.
type Service struct {
	opts  Options
	store *store
	log   *slog.Logger

	mu sync.Mutex
	ls listeners

	notify *notifier
}

// New opens the service's state.
func New(opts Options) (*Service, error) {
	if opts.DB == nil || opts.Identity == nil || opts.Config == nil || opts.Devices == nil || opts.Folders == nil || opts.Node == nil {
		return nil, errors.New("link: missing options")
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Hosts == nil {
		opts.Hosts = interfaceHosts
	}
	st, err := newStore(opts.DB)
	if err != nil {
		return nil, err
	}
	s := &Service{opts: opts, store: st, log: opts.Log, ls: listeners{servers: map[int]*http.Server{}}}
	s.notify = newNotifier(s)
	return s, nil
}

// Run keeps the link servers bound as the settings say, and notifies the
// backup server of new manifests, until ctx ends.
func (s *Service) Run(ctx context.Context) {
	changes, unsubscribe := s.opts.Config.Subscribe()
	defer unsubscribe()
	s.apply()
	defer s.closeListeners()
	go s.notify.run(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-changes:
			s.apply()
		}
	}
}

// ManifestPublished is the folder service's hook: with auto-notify on,
// the backup server is told.
func (s *Service) ManifestPublished(folderID string, seq uint64) {
	if s.opts.Config.Get().Sync.BackupAutoNotify {
		s.notify.want(folderID, seq)
	}
}

// BackupNow publishes the folder's changes and tells the backup server now.
func (s *Service) BackupNow(ctx context.Context, folderID string) (uint64, error) {
	if _, err := s.backupPeer(); err != nil {
		return 0, err
	}
	seq, err := s.opts.Folders.PublishNow(ctx, folderID)
	if err != nil {
		return 0, err
	}
	s.notify.want(folderID, seq)
	return seq, nil
}

// config is the current settings.
func (s *Service) config() config.Config { return s.opts.Config.Get() }

// Status is the link's state for the UI.
type Status struct {
	Device  string   `json:"device"`
	Code    string   `json:"code"`
	Listen  []int    `json:"listen"`
	Errors  []string `json:"errors"`
	Peers   []Peer   `json:"peers"`
	Pending int      `json:"pending"`
}

// Status returns the link's state; the code is empty while the node does
// not run (it carries the node's record).
func (s *Service) Status(ctx context.Context) (Status, error) {
	st := Status{Device: s.opts.Identity.DeviceID().String(), Listen: []int{}, Errors: []string{}}
	if c, err := s.Code(ctx); err == nil {
		st.Code = c.String()
	}
	s.mu.Lock()
	for port := range s.ls.servers {
		st.Listen = append(st.Listen, port)
	}
	for _, e := range s.ls.errs {
		st.Errors = append(st.Errors, e)
	}
	s.mu.Unlock()
	peers, err := s.store.list()
	if err != nil {
		return st, err
	}
	st.Peers = peers
	for _, p := range peers {
		if p.State == StateRequested {
			st.Pending++
		}
	}
	return st, nil
}

// Code is this device's code: its device ID, its node's record, and the
// addresses of its link servers.
func (s *Service) Code(ctx context.Context) (Code, error) {
	sc, err := s.opts.Devices.Code(ctx)
	if err != nil {
		return Code{}, err
	}
	cfg := s.config()
	name, _ := os.Hostname()
	c := Code{Device: s.opts.Identity.DeviceID(), Name: name, SPR: sc.SPR, NodePeerID: sc.PeerID,
		BackupServer: cfg.BackupServer.Enabled, Addrs: []string{}}
	var ports []int
	if cfg.BackupServer.Enabled {
		ports = append(ports, cfg.BackupServer.TriggerPort)
	}
	if cfg.ManifestServer.Enabled {
		ports = append(ports, cfg.ManifestServer.Port)
	}
	for _, h := range s.opts.Hosts() {
		for _, p := range ports {
			c.Addrs = append(c.Addrs, net.JoinHostPort(h, strconv.Itoa(p)))
		}
	}
	return c, nil
}

// interfaceHosts lists this machine's addresses, LAN before loopback.
func interfaceHosts() []string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return []string{"127.0.0.1"}
	}
	var lan, loop []string
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLinkLocalUnicast() || ipn.IP.IsMulticast() {
			continue
		}
		if ipn.IP.IsLoopback() {
			loop = append(loop, ipn.IP.String())
		} else {
			lan = append(lan, ipn.IP.String())
		}
	}
	return append(lan, loop...)
}

// nodePeerID is this node's peer ID, "unknown" without a node.
func (s *Service) nodePeerID(ctx context.Context) string {
	c, err := s.opts.Node()
	if err != nil {
		return "unknown"
	}
	id, err := c.PeerID(ctx)
	if err != nil {
		return "unknown"
	}
	return id
}

func (s *Service) publish(typ string, data any) {
	if s.opts.Bus != nil {
		s.opts.Bus.Publish(typ, data)
	}
}

// cleanName makes a device's self-chosen name safe to show.
func cleanName(name string, id peerlink.DeviceID) (string, error) {
	n, err := devices.CleanNickname(name)
	if err != nil || n == "" {
		return id.ShortString(), err
	}
	return n, nil
}
