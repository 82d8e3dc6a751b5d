package link

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/devices"
	"github.com/archivist-desktop/archivist/internal/app/peerlink"
)

// PairResult is what pairing by code did.
type PairResult struct {
	Peer Peer `json:"peer"`
	// Delivered: the other device got this device's pairing request and
	// shows it for approval ("" error). Otherwise RequestError says why;
	// the other device can still pair by pasting this device's code.
	Delivered    bool   `json:"delivered"`
	RequestError string `json:"requestError,omitempty"`
}

// Pair trusts the device whose code this is, pairs the nodes, and sends it
// this device's pairing request. Pairing with a backup server makes it
// this device's backup destination (backup on, manifest server on).
func (s *Service) Pair(ctx context.Context, code, nickname string) (PairResult, error) {
	c, err := ParseCode(code)
	if err != nil {
		return PairResult{}, invalid(err.Error())
	}
	if c.Device == s.opts.Identity.DeviceID() {
		return PairResult{}, invalid("that code belongs to this device: paste the code shown on the other device")
	}
	name := nickname
	if name == "" {
		name = c.Name
	}
	name, _ = cleanName(name, c.Device)
	// The node's device gets the same name as the link peer (as Approve
	// does on the other side), so My Devices and the pairing outcome agree.
	if _, err := s.opts.Devices.Add(ctx, c.SPR, name); err != nil {
		return PairResult{}, err
	}
	p, err := s.store.update(c.Device, true, func(p *Peer) error {
		p.Name, p.NodePeerID, p.SPR, p.Addrs, p.BackupServer = name, c.NodePeerID, c.SPR, c.Addrs, c.BackupServer
		p.State, p.PairedAt = StatePaired, time.Now().UTC()
		return nil
	})
	if err != nil {
		return PairResult{}, err
	}
	if c.BackupServer {
		if err := s.useAsBackup(p); err != nil {
			return PairResult{}, err
		}
	}
	res := PairResult{Peer: p, Delivered: true}
	if err := s.sendPairRequest(ctx, p); err != nil {
		res.Delivered, res.RequestError = false, err.Error()
	}
	s.log.Info("device paired on the link", "device", c.Device.ShortString(), "name", name, "delivered", res.Delivered)
	s.publish(EventLinkChanged, nil)
	return res, nil
}

// sendPairRequest asks the device to trust this one.
func (s *Service) sendPairRequest(ctx context.Context, p Peer) error {
	own, err := s.Code(ctx)
	if err != nil {
		return err
	}
	var out struct {
		Status string `json:"status"`
	}
	return s.call(ctx, p, http.MethodPost, "/v1/pair", map[string]string{"code": own.String()}, &out)
}

// Approve trusts a device that asked to pair, and pairs the nodes.
func (s *Service) Approve(ctx context.Context, device string) (Peer, error) {
	id, err := peerlink.ParseDeviceID(device)
	if err != nil {
		return Peer{}, invalid(err.Error())
	}
	p, ok, err := s.store.get(id)
	if err != nil {
		return Peer{}, err
	}
	if !ok {
		return Peer{}, ErrUnknownDevice
	}
	if p.State != StatePaired {
		if _, err := s.opts.Devices.Add(ctx, p.SPR, p.Name); err != nil {
			return Peer{}, fmt.Errorf("connecting to the device's node: %w", err)
		}
	}
	p, err = s.store.update(id, false, func(p *Peer) error {
		p.State, p.PairedAt = StatePaired, time.Now().UTC()
		return nil
	})
	if err != nil {
		return Peer{}, err
	}
	if p.BackupServer && s.config().Sync.BackupPeerAddress == "" {
		if err := s.useAsBackup(p); err != nil {
			return Peer{}, err
		}
	}
	s.log.Info("pairing approved", "device", id.ShortString(), "name", p.Name)
	s.publish(EventLinkChanged, nil)
	return p, nil
}

// Remove forgets a device on the link (its node stays paired until it is
// removed on the Devices page).
func (s *Service) Remove(device string) error {
	id, err := peerlink.ParseDeviceID(device)
	if err != nil {
		return invalid(err.Error())
	}
	p, ok, _ := s.store.get(id)
	if err := s.store.remove(id); err != nil {
		return err
	}
	if ok && s.isBackupPeer(p) {
		_, err := s.opts.Config.Update(func(c *config.Config) error {
			c.Sync.BackupPeerAddress, c.Sync.BackupPeerNickname = "", ""
			return nil
		})
		if err != nil {
			return fmt.Errorf("forgot %s, but could not clear it as the backup device in the settings: %w", p.Name, err)
		}
	}
	s.publish(EventLinkChanged, nil)
	return nil
}

// useAsBackup makes p this device's backup server.
func (s *Service) useAsBackup(p Peer) error {
	_, err := s.opts.Config.Update(func(c *config.Config) error {
		c.Sync.BackupEnabled = true
		c.Sync.BackupAutoNotify = true
		c.Sync.BackupPeerAddress = p.SPR
		c.Sync.BackupPeerNickname = p.Name
		c.ManifestServer.Enabled = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("making %s the backup device: %w", p.Name, err)
	}
	return nil
}

func (s *Service) isBackupPeer(p Peer) bool {
	addr := s.config().Sync.BackupPeerAddress
	if addr == "" {
		return false
	}
	t, err := devices.ParseCode(addr)
	return err == nil && t.PeerID == p.NodePeerID
}

// ErrNoBackupPeer: no backup device is configured.
var ErrNoBackupPeer = errors.New("Configuration error: No backup peer configured: pair with your backup device first (Devices → Add Device, paste its code)")

// backupPeer is the paired device that keeps this device's backups.
func (s *Service) backupPeer() (Peer, error) {
	if s.config().Sync.BackupPeerAddress == "" {
		return Peer{}, ErrNoBackupPeer
	}
	peers, err := s.store.list()
	if err != nil {
		return Peer{}, err
	}
	for _, p := range peers {
		if p.State == StatePaired && s.isBackupPeer(p) {
			return p, nil
		}
	}
	return Peer{}, fmt.Errorf("the backup device %q is not paired on the link: pair it again with its code (Devices → Add Device)", s.config().Sync.BackupPeerNickname)
}

// call makes one request to a device, trying its addresses in order.
func (s *Service) call(ctx context.Context, p Peer, method, path string, in, out any) error {
	if len(p.Addrs) == 0 {
		return fmt.Errorf("%s has no address to reach it at (is its manifest or trigger server on?)", p.Name)
	}
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	client := s.opts.Identity.Client(p.Device, 10*time.Second)
	var errs []string
	for _, addr := range p.Addrs {
		var rd io.Reader
		if in != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, "https://"+addr+path, rd)
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
		resp.Body.Close()
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		if len(data) > maxAnswer {
			return fmt.Errorf("%s sent an answer larger than %d MiB", p.Name, maxAnswer>>20)
		}
		if resp.StatusCode/100 != 2 {
			var e apiError
			if json.Unmarshal(data, &e) == nil && e.Message != "" {
				return fmt.Errorf("%s answered %d: %s", p.Name, resp.StatusCode, e.Message)
			}
			return fmt.Errorf("%s answered %s", p.Name, resp.Status)
		}
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("%s sent an answer that is not JSON: %w", p.Name, err)
			}
		}
		return nil
	}
	return fmt.Errorf("cannot reach %s: %s", p.Name, strings.Join(errs, "; "))
}

// FetchManifests asks a paired source for the manifests it offers.
func (s *Service) FetchManifests(ctx context.Context, p Peer) (ManifestList, error) {
	var out ManifestList
	err := s.call(ctx, p, http.MethodGet, "/v1/manifests", nil, &out)
	return out, err
}

// Acknowledge tells a source that its folder's manifest seq is processed.
func (s *Service) Acknowledge(ctx context.Context, p Peer, folderID string, seq uint64) error {
	return s.call(ctx, p, http.MethodPost, "/v1/ack", map[string]any{"folderId": folderID, "sequence": seq}, nil)
}
