package link

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/archivist-desktop/archivist/internal/app/devices"
	"github.com/archivist-desktop/archivist/internal/app/peerlink"
	"github.com/archivist-desktop/archivist/internal/node/identity"
)

// CodePrefix starts a device code.
const CodePrefix = "archivist1:"

// Code is what a device shares to be paired with.
type Code struct {
	Device peerlink.DeviceID `json:"device"`
	Name   string            `json:"name,omitempty"`
	// SPR is the node's signed peer record; NodePeerID its peer ID.
	SPR        string `json:"spr"`
	NodePeerID string `json:"node"`
	// Addrs are host:port of this device's link servers, best first.
	Addrs []string `json:"addrs"`
	// BackupServer: this device keeps other devices' backups.
	BackupServer bool `json:"backupServer,omitempty"`
}

// String encodes the code for pasting.
func (c Code) String() string {
	b, _ := json.Marshal(c)
	return CodePrefix + base64.RawURLEncoding.EncodeToString(b)
}

// IsCode reports whether s looks like a device code (as opposed to a bare
// SPR, multiaddr or peer ID, which pair the nodes only).
func IsCode(s string) bool {
	return strings.HasPrefix(strings.TrimSpace(s), CodePrefix)
}

// maxCodeLen bounds a pasted code.
const maxCodeLen = 16 << 10

// ParseCode decodes a device code.
func ParseCode(s string) (Code, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, CodePrefix) {
		return Code{}, fmt.Errorf("not a device code: it should start with %q", CodePrefix)
	}
	if len(s) > maxCodeLen {
		return Code{}, fmt.Errorf("the device code is too long (%d bytes)", len(s))
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s, CodePrefix))
	if err != nil {
		return Code{}, fmt.Errorf("the device code is damaged (copy it again, whole): %v", err)
	}
	var c Code
	if err := json.Unmarshal(raw, &c); err != nil {
		return Code{}, fmt.Errorf("the device code is damaged (copy it again, whole): %v", err)
	}
	if c.Device.IsZero() || c.SPR == "" || c.NodePeerID == "" {
		return Code{}, fmt.Errorf("the device code is incomplete: copy it again from the other device's Devices page")
	}
	// The node named is the one whose signed record the code carries, so
	// a code cannot pair this device's link with one node and its node
	// with another (the backup server checks manifests' source against
	// NodePeerID).
	rec, err := identity.DecodeSPR(c.SPR)
	if err != nil {
		return Code{}, fmt.Errorf("the device code is damaged (copy it again, whole): its node record: %v", err)
	}
	node, err := peer.Decode(c.NodePeerID)
	if err != nil || node != rec.PeerID {
		return Code{}, fmt.Errorf("the device code is damaged: it names node %.60q but carries the record of %s", c.NodePeerID, rec.PeerID)
	}
	c.NodePeerID = node.String()
	var addrs []string
	for _, a := range c.Addrs {
		if len(addrs) < 16 && validHostPort(a) {
			addrs = append(addrs, a)
		}
	}
	c.Addrs = addrs
	return c, nil
}

// validHostPort accepts host:port with a host and a port 1–65535, the form
// of a link server's address; anything else in a code is dropped, not dialed.
func validHostPort(a string) bool {
	host, port, err := net.SplitHostPort(a)
	if err != nil || host == "" || len(a) > 300 || strings.ContainsAny(host, "/?#@ \x00") {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n > 0 && n <= 65535
}

// invalidError is input refused; it counts as devices.ErrInvalid, so the
// UI API answers it like a bad device code.
type invalidError struct{ msg string }

func (e *invalidError) Error() string        { return e.msg }
func (e *invalidError) Is(target error) bool { return target == devices.ErrInvalid }

func invalid(msg string) error { return &invalidError{msg: msg} }
