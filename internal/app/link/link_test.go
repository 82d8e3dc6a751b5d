package link

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/devices"
	"github.com/archivist-desktop/archivist/internal/app/folders"
	"github.com/archivist-desktop/archivist/internal/app/peerlink"
	"github.com/archivist-desktop/archivist/internal/app/state"
	"github.com/archivist-desktop/archivist/internal/node/nodetest"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// device is one app's backend as far as the link needs it: a real node,
// devices, folders and the link service.
type device struct {
	t        *testing.T
	cfg      *config.Store
	devs     *devices.Service
	folders  *folders.Service
	link     *Service
	mu       sync.Mutex
	triggers []string // device IDs that triggered
}

func newDevice(t *testing.T, backupServer bool) *device {
	node := nodetest.Start(t, t.TempDir())
	db, err := state.Open(filepath.Join(t.TempDir(), state.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	def := config.Default(t.TempDir())
	def.ManifestServer.Port = nodetest.FreePort(t)
	def.BackupServer.TriggerPort = nodetest.FreePort(t)
	def.BackupServer.Enabled = backupServer
	def.Sync.ManifestRetryIntervalSecs = 1
	cfg, err := config.Open(filepath.Join(t.TempDir(), "config.toml"), def)
	if err != nil {
		t.Fatal(err)
	}
	nodeFn := func() (*nodeclient.Client, error) { return node.Client, nil }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	devs, err := devices.New(devices.Options{DB: db, Node: nodeFn, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	d := &device{t: t, cfg: cfg, devs: devs}
	d.folders, err = folders.New(folders.Options{DB: db, Node: nodeFn, Config: cfg.Get, Log: log,
		Settle: 50 * time.Millisecond, Quiet: 100 * time.Millisecond, ManifestInterval: 100 * time.Millisecond,
		OnManifest: func(id string, seq uint64) { d.link.ManifestPublished(id, seq) }})
	if err != nil {
		t.Fatal(err)
	}
	ident, err := peerlink.LoadOrCreate(filepath.Join(t.TempDir(), "device.key"))
	if err != nil {
		t.Fatal(err)
	}
	d.link, err = New(Options{DB: db, Identity: ident, Config: cfg, Devices: devs, Folders: d.folders, Node: nodeFn, Log: log,
		BindHost: "127.0.0.1", Hosts: func() []string { return []string{"127.0.0.1"} }, RetryBase: 200 * time.Millisecond,
		OnTrigger: func(p Peer) {
			d.mu.Lock()
			d.triggers = append(d.triggers, p.Device.String())
			d.mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); d.folders.Run(ctx) }()
	go func() { defer wg.Done(); d.link.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return d
}

func (d *device) code() string {
	d.t.Helper()
	c, err := d.link.Code(context.Background())
	if err != nil {
		d.t.Fatal(err)
	}
	return c.String()
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPairNotifyManifestsAck: the source pastes the backup server's code;
// its notification is refused until the backup server approves, retried,
// then delivered; the backup server reads the manifests and acknowledges.
func TestPairNotifyManifestsAck(t *testing.T) {
	ctx := context.Background()
	a, b := newDevice(t, false), newDevice(t, true)
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "a.txt"), []byte("alpha"), 0o644)
	f, err := a.folders.Add(ctx, root)
	if err != nil {
		t.Fatal(err)
	}

	res, err := a.link.Pair(ctx, b.code(), "")
	if err != nil || !res.Delivered {
		t.Fatalf("pair: %+v %v", res, err)
	}
	if devs, err := a.devs.List(ctx); err != nil || len(devs.Devices) != 1 || devs.Devices[0].Nickname != res.Peer.Name || res.Peer.Name == "" {
		t.Fatalf("the paired node's device is not named as the link peer %q: %+v %v", res.Peer.Name, devs.Devices, err)
	}
	cfg := a.cfg.Get()
	if !cfg.Sync.BackupEnabled || !cfg.ManifestServer.Enabled || !cfg.Sync.BackupAutoNotify || cfg.Sync.BackupPeerAddress == "" {
		t.Fatalf("pairing with a backup server did not make it the backup: %+v", cfg.Sync)
	}
	st, _ := b.link.Status(ctx)
	if st.Pending != 1 || st.Peers[0].State != StateRequested {
		t.Fatalf("backup server's requests: %+v", st)
	}

	// The manifest is published and the notification refused: B has not
	// approved A yet.
	eventually(t, "a refused notification", func() bool {
		g, _ := a.folders.Get(f.ID)
		return g.ManifestSequence >= 1 && g.PendingRetry && strings.Contains(g.NotifyError, "not paired")
	})
	b.mu.Lock()
	early := len(b.triggers)
	b.mu.Unlock()
	if early != 0 {
		t.Fatal("an unapproved device triggered the backup server")
	}
	aID := st.Peers[0].Device.String()
	if _, err := b.link.Approve(ctx, aID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the retried notification", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.triggers) > 0 && b.triggers[0] == aID
	})
	eventually(t, "the notify state to clear", func() bool {
		g, _ := a.folders.Get(f.ID)
		return !g.PendingRetry && g.NotifyError == ""
	})

	// B reads A's manifests and acknowledges the latest.
	src := b.peer(aID)
	list, err := b.link.FetchManifests(ctx, src)
	if err != nil || len(list.Manifests) == 0 {
		t.Fatalf("manifests: %+v %v", list, err)
	}
	m := list.Manifests[0]
	if m.FolderID != f.ID || m.FolderName != filepath.Base(root) || m.ManifestCID == "" || strings.Contains(m.FolderName, "/") {
		t.Fatalf("manifest info %+v", m)
	}
	if err := b.link.Acknowledge(ctx, src, m.FolderID, m.SequenceNumber); err != nil {
		t.Fatal(err)
	}
	g, _ := a.folders.Get(f.ID)
	if !g.BackupAckReceived || g.BackupSequence != m.SequenceNumber || g.BackupSyncedAt == nil {
		t.Fatalf("ack not recorded: %+v", g)
	}
	if err := b.link.Acknowledge(ctx, src, m.FolderID, m.SequenceNumber+100); err == nil {
		t.Fatal("acknowledged a sequence never published")
	}
	// The backup server goes away: a new manifest's notification is
	// retried until it is back.
	b.mu.Lock()
	told := len(b.triggers)
	b.mu.Unlock()
	if _, err := b.cfg.Update(func(c *config.Config) error { c.BackupServer.Enabled = false; return nil }); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the trigger server to stop", func() bool { st, _ := b.link.Status(ctx); return len(st.Listen) == 0 })
	os.WriteFile(filepath.Join(root, "b.txt"), []byte("bravo"), 0o644)
	eventually(t, "a notification retried while the backup server is away", func() bool {
		g, _ := a.folders.Get(f.ID)
		return g.ManifestSequence > m.SequenceNumber && g.PendingRetry && strings.Contains(g.NotifyError, "cannot reach")
	})
	if _, err := b.cfg.Update(func(c *config.Config) error { c.BackupServer.Enabled = true; return nil }); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the notification once the backup server is back", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.triggers) > told
	})
	eventually(t, "the notify state to clear again", func() bool {
		g, _ := a.folders.Get(f.ID)
		return !g.PendingRetry && g.NotifyError == ""
	})

	// Backup Now with nothing new: the latest sequence, told again.
	latest, _ := a.folders.Get(f.ID)
	if seq, err := a.link.BackupNow(ctx, f.ID); err != nil || seq != latest.ManifestSequence {
		t.Fatalf("backup now: %d %v", seq, err)
	}
}

func (d *device) peer(id string) Peer {
	d.t.Helper()
	st, _ := d.link.Status(context.Background())
	for _, p := range st.Peers {
		if p.Device.String() == id {
			return p
		}
	}
	d.t.Fatalf("no peer %s", id)
	return Peer{}
}

// TestStrangersAreRefused: a device that is not paired, a client without
// a certificate, and plain HTTP get nothing from the manifest server.
func TestStrangersAreRefused(t *testing.T) {
	ctx := context.Background()
	a, b := newDevice(t, false), newDevice(t, true)
	if _, err := a.link.Pair(ctx, b.code(), ""); err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + itoa(a.cfg.Get().ManifestServer.Port)
	eventually(t, "the manifest server", func() bool {
		st, _ := a.link.Status(ctx)
		return len(st.Listen) == 1
	})
	stranger, err := peerlink.LoadOrCreate(filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := stranger.Client(a.link.opts.Identity.DeviceID(), 5*time.Second).Get("https://" + addr + "/v1/manifests")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("stranger got %d", resp.StatusCode)
	}
	// Health answers any device.
	resp, err = stranger.Client(a.link.opts.Identity.DeviceID(), 5*time.Second).Get("https://" + addr + "/v1/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health: %v", err)
	}
	resp.Body.Close()
	noCert := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, Timeout: 5 * time.Second}
	if _, err := noCert.Get("https://" + addr + "/v1/manifests"); err == nil {
		t.Fatal("a client without a certificate got an answer")
	}
	if resp, err := http.Get("http://" + addr + "/v1/manifests"); err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), "manifests") {
			t.Fatal("plain HTTP reached the manifest list")
		}
	}
	// A pairing request whose code is another device's is refused.
	stranger2, _ := peerlink.LoadOrCreate(filepath.Join(t.TempDir(), "k2"))
	p := Peer{Device: a.link.opts.Identity.DeviceID(), Name: "a", Addrs: []string{addr}}
	s2 := &Service{opts: Options{Identity: stranger2}, log: slog.Default()}
	err = s2.call(ctx, p, http.MethodPost, "/v1/pair", map[string]string{"code": b.code()}, nil)
	if err == nil || !strings.Contains(err.Error(), "not this device's own") {
		t.Fatalf("foreign code: %v", err)
	}
	// A client pinned to the wrong device refuses the server.
	wrong := Peer{Device: stranger.DeviceID(), Name: "x", Addrs: []string{addr}}
	var wd *peerlink.WrongDeviceError
	if err := s2.call(ctx, wrong, http.MethodGet, "/v1/health", nil, nil); err == nil || (!errors.As(err, &wd) && !strings.Contains(err.Error(), "not the paired device")) {
		t.Fatalf("wrong device: %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
