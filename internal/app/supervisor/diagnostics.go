package supervisor

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/paths"
	"github.com/archivist-desktop/archivist/internal/nodeclient"
)

// CheckStatus is the outcome of one diagnostic check.
type CheckStatus string

// Outcomes. Unknown is for what cannot be told (the API is down, or the
// node does not report it) — never shown as ok.
const (
	CheckOK      CheckStatus = "ok"
	CheckWarn    CheckStatus = "warn"
	CheckFail    CheckStatus = "fail"
	CheckUnknown CheckStatus = "unknown"
)

// Check is one diagnostic: what was found and, unless ok, what to do.
type Check struct {
	ID     string      `json:"id"` // api, addresses, announce, nat, peers, disk
	Name   string      `json:"name"`
	Status CheckStatus `json:"status"`
	Detail string      `json:"detail"`
	Tip    string      `json:"tip,omitempty"`
}

// Diagnostics is a fresh look at the node. The first fields are the
// reference's DiagnosticInfo, which the UI already shows.
type Diagnostics struct {
	APIReachable bool      `json:"apiReachable"`
	APIURL       string    `json:"apiUrl"`
	NodeVersion  string    `json:"nodeVersion,omitempty"`
	PeerID       string    `json:"peerId,omitempty"`
	AddressCount int       `json:"addressCount"`
	Error        string    `json:"error,omitempty"`
	State        State     `json:"state"`
	Checks       []Check   `json:"checks"`
	CheckedAt    time.Time `json:"checkedAt"`
}

// Diagnostics asks the node now (not the cached Status) and explains what
// it finds. It never fails: what cannot be checked is reported as such. It
// makes no call beyond the node's loopback API.
func (s *Supervisor) Diagnostics(ctx context.Context) Diagnostics {
	st := s.Status()
	cfg := s.opts.Config()
	api := st.APIURL
	if api == "" {
		api = "http://127.0.0.1:" + strconv.Itoa(cfg.APIPort)
	}
	d := Diagnostics{APIURL: api, State: st.State, CheckedAt: time.Now().UTC()}
	fig, err := fetch(ctx, nodeclient.New(api), 5*time.Second)
	info, space := fig.info, fig.space
	if err != nil {
		d.Error = "Failed to connect to node API: " + err.Error()
		tip := "Start the node (Dashboard → Start)."
		switch {
		case st.State == StateRunning:
			tip = "The node runs but does not answer; it is restarted automatically if this lasts. The node log may say why."
		case st.LastError != "":
			tip = "The last start failed: " + st.LastError
		}
		d.Checks = append(d.Checks, Check{ID: "api", Name: "Node API reachable", Status: CheckFail,
			Detail: fmt.Sprintf("no answer from %s (%v)", api, err), Tip: tip})
		for _, c := range []struct{ id, name string }{
			{"addresses", "Listening for peers"}, {"announce", "Reachable by other devices"},
			{"nat", "Network address translation"}, {"peers", "Peers connected"},
		} {
			d.Checks = append(d.Checks, Check{ID: c.id, Name: c.name, Status: CheckUnknown, Detail: "the node API does not answer"})
		}
		d.Checks = append(d.Checks, diskCheck(cfg.DataDirectory, uint64(max(cfg.MaxStorageGB, 0))<<30, 0))
		return d
	}
	d.APIReachable, d.NodeVersion, d.PeerID, d.AddressCount = true, info.Archivist.Version, info.ID, len(info.Addrs)
	d.Checks = append(d.Checks,
		Check{ID: "api", Name: "Node API reachable", Status: CheckOK,
			Detail: fmt.Sprintf("%s answers (node %s)", api, info.Archivist.Version)},
		addressesCheck(info.Addrs, cfg.ListenPort),
	)
	d.Checks = append(d.Checks, reachabilityChecks(info.Addrs, info.AnnounceAddresses, cfg.ListenPort)...)
	d.Checks = append(d.Checks, peersCheck(fig.peers, cfg.ListenPort),
		diskCheck(cfg.DataDirectory, space.QuotaMaxBytes, space.QuotaUsedBytes+space.QuotaReservedBytes))
	return d
}

func addressesCheck(addrs []string, listenPort int) Check {
	c := Check{ID: "addresses", Name: "Listening for peers"}
	if len(addrs) == 0 {
		c.Status, c.Detail = CheckFail, "the node listens on no address"
		c.Tip = fmt.Sprintf("Check node.listen_port (%d) in Settings and restart the node; the node log says why it could not listen.", listenPort)
		return c
	}
	c.Status, c.Detail = CheckOK, "listening on "+strings.Join(addrs, ", ")
	return c
}

// reachabilityChecks judge the announced addresses, which are what other
// devices are told to dial: loopback only reaches nobody, private (LAN)
// addresses reach the local network, a public one the Internet.
func reachabilityChecks(listen, announce []string, listenPort int) []Check {
	var loop, private, public []string
	for _, a := range announce {
		switch addrScope(a) {
		case scopeLoopback:
			loop = append(loop, a)
		case scopePrivate:
			private = append(private, a)
		default:
			public = append(public, a)
		}
	}
	ann := Check{ID: "announce", Name: "Reachable by other devices"}
	nat := Check{ID: "nat", Name: "Network address translation"}
	forward := fmt.Sprintf("To be reachable from other networks, forward TCP port %d on your router to this computer (or enable UPnP on the router), and allow it through the firewall.", listenPort)
	switch {
	case len(announce) == 0:
		ann.Status, ann.Detail = CheckFail, "the node announces no address, so no device can dial it"
		ann.Tip = "Restart the node; if this persists, check node.listen_port and the node log."
		nat.Status, nat.Detail = CheckUnknown, "no announced address to judge"
	case len(private)+len(public) == 0:
		ann.Status, ann.Detail = CheckFail, "the node announces only loopback addresses ("+strings.Join(loop, ", ")+"): other devices cannot reach it"
		ann.Tip = "Connect this computer to a network; the node announces the addresses of its network interfaces."
		nat.Status, nat.Detail = CheckUnknown, "no network address announced"
	default:
		ann.Status, ann.Detail = CheckOK, "announces "+strings.Join(append(private, public...), ", ")
		if len(public) > 0 {
			nat.Status = CheckOK
			nat.Detail = "announces a public address (" + strings.Join(public, ", ") + ")"
			if !containsAny(listen, public) {
				nat.Detail += ", mapped through the router"
			}
			nat.Detail += ": devices on other networks can dial it if the port is open"
		} else {
			nat.Status = CheckWarn
			nat.Detail = "announces only local-network addresses (" + strings.Join(private, ", ") + "): devices on the same network can connect, devices elsewhere cannot dial this one directly"
			nat.Tip = forward + " Otherwise connect from the other side: a device behind NAT can still dial out to a reachable one."
		}
	}
	return []Check{ann, nat}
}

func peersCheck(count *int, listenPort int) Check {
	c := Check{ID: "peers", Name: "Peers connected"}
	switch {
	case count == nil:
		c.Status, c.Detail = CheckUnknown, "the node does not report its connected peers"
	case *count == 0:
		c.Status, c.Detail = CheckWarn, "no peers connected"
		c.Tip = fmt.Sprintf("Pair a device (Devices → Add device) and keep both running. If pairing fails, allow incoming TCP port %d (node.listen_port) in this computer's firewall.", listenPort)
	default:
		c.Status, c.Detail = CheckOK, fmt.Sprintf("%d peers connected", *count)
	}
	return c
}

// diskCheck compares the free space of the data directory's disk with
// what the quota still allows the node to store.
func diskCheck(dir string, quota, taken uint64) Check {
	c := Check{ID: "disk", Name: "Disk space for the node"}
	// Before the first start the directory may not exist yet: its
	// nearest existing parent is on the same disk.
	free, err := paths.DiskFree(dir)
	for d := dir; err != nil && filepath.Dir(d) != d; {
		d = filepath.Dir(d)
		free, err = paths.DiskFree(d)
	}
	if err != nil {
		c.Status, c.Detail = CheckUnknown, fmt.Sprintf("cannot read the free space of %s (%v)", dir, err)
		return c
	}
	room := uint64(0)
	if taken < quota {
		room = quota - taken
	}
	c.Detail = fmt.Sprintf("%s free on the disk of %s; the quota allows %s more", humanBytes(free), dir, humanBytes(room))
	if free < room {
		c.Status = CheckWarn
		c.Tip = "The disk would fill before the quota does: free some space, lower node.max_storage_gb, or move node.data_directory to a larger disk."
		return c
	}
	c.Status = CheckOK
	return c
}

type scope int

const (
	scopePublic scope = iota
	scopePrivate
	scopeLoopback
)

// addrScope classifies a multiaddr by its IP (/ip4/…, /ip6/…); DNS names
// count as public.
func addrScope(ma string) scope {
	parts := strings.Split(ma, "/")
	if len(parts) < 3 || (parts[1] != "ip4" && parts[1] != "ip6") {
		return scopePublic
	}
	ip := net.ParseIP(parts[2])
	switch {
	case ip == nil:
		return scopePublic
	case ip.IsLoopback() || ip.IsUnspecified():
		return scopeLoopback
	case ip.IsPrivate() || ip.IsLinkLocalUnicast() || isCGNAT(ip):
		return scopePrivate
	}
	return scopePublic
}

// isCGNAT is 100.64.0.0/10, the carrier-grade NAT range: not reachable
// from the Internet either.
func isCGNAT(ip net.IP) bool {
	v4 := ip.To4()
	return v4 != nil && v4[0] == 100 && v4[1]&0xc0 == 64
}

func containsAny(list, want []string) bool {
	for _, w := range want {
		for _, l := range list {
			if l == w {
				return true
			}
		}
	}
	return false
}

func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
