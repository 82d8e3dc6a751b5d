package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"
)

// The typed values below mirror the UI API's JSON. Each keeps the answer as
// it came (Raw), which is what --json prints: scripts see the API's own
// shape, including fields this CLI does not know about.

// Version is GET /api/version.
type Version struct {
	Version   string          `json:"version"`
	Revision  string          `json:"revision"`
	BuildDate string          `json:"buildDate"`
	Raw       json.RawMessage `json:"-"`
}

// Version asks the app for its build information.
func (c *Client) Version(ctx context.Context) (Version, error) {
	var v Version
	raw, err := c.call(ctx, http.MethodGet, "/api/version", nil, &v)
	v.Raw = raw
	return v, err
}

// NodeStatus is GET /api/node/status (and the answer to start/stop/restart).
type NodeStatus struct {
	State                 string     `json:"state"`
	PID                   int        `json:"pid"`
	StartedAt             *time.Time `json:"startedAt"`
	UptimeSeconds         int64      `json:"uptimeSeconds"`
	Version               string     `json:"version"`
	Revision              string     `json:"revision"`
	PeerCount             *int       `json:"peerCount"`
	StorageUsedBytes      uint64     `json:"storageUsedBytes"`
	StorageReservedBytes  uint64     `json:"storageReservedBytes"`
	StorageQuotaBytes     uint64     `json:"storageQuotaBytes"`
	StorageAvailableBytes uint64     `json:"storageAvailableBytes"`
	TotalBlocks           uint64     `json:"totalBlocks"`
	PeerID                string     `json:"peerId"`
	SPR                   string     `json:"spr"`
	Addresses             []string   `json:"addresses"`
	AnnounceAddresses     []string   `json:"announceAddresses"`
	RestartCount          int        `json:"restartCount"`
	LastError             string     `json:"lastError"`
	GaveUp                bool       `json:"gaveUp"`
	NextRestartAt         *time.Time `json:"nextRestartAt"`
	DataDir               string     `json:"dataDir"`
	LogFile               string     `json:"logFile"`

	Raw json.RawMessage `json:"-"`
}

// NodeStatus asks for the node's state and figures.
func (c *Client) NodeStatus(ctx context.Context) (NodeStatus, error) {
	var st NodeStatus
	raw, err := c.call(ctx, http.MethodGet, "/api/node/status", nil, &st)
	st.Raw = raw
	return st, err
}

// NodeAction is start, stop or restart of the node.
type NodeAction string

// The node actions.
const (
	NodeStart   NodeAction = "start"
	NodeStop    NodeAction = "stop"
	NodeRestart NodeAction = "restart"
)

// Node starts, stops or restarts the node and returns its status after.
// Start and restart return once the node is ready (or failed to start).
func (c *Client) Node(ctx context.Context, action NodeAction) (NodeStatus, error) {
	switch action {
	case NodeStart, NodeStop, NodeRestart:
	default:
		return NodeStatus{}, fmt.Errorf("unknown node action %q", action)
	}
	var st NodeStatus
	raw, err := c.call(ctx, http.MethodPost, "/api/node/"+string(action), nil, &st)
	st.Raw = raw
	return st, err
}

// File is one stored dataset, as GET /api/files lists it.
type File struct {
	CID      string `json:"cid"`
	Filename string `json:"filename"`
	Mimetype string `json:"mimetype"`
	Size     uint64 `json:"size"`
	TreeCID  string `json:"treeCid"`
}

// FileList is GET /api/files.
type FileList struct {
	Files []File
	Raw   json.RawMessage
}

// Files lists what the node stores.
func (c *Client) Files(ctx context.Context) (FileList, error) {
	var l FileList
	raw, err := c.call(ctx, http.MethodGet, "/api/files", nil, &l.Files)
	l.Raw = raw
	return l, err
}

// Upload stores r (size bytes; -1 when unknown) under name and returns the
// CID. The body is streamed; wrap r to count what is sent.
func (c *Client) Upload(ctx context.Context, r io.Reader, size int64, name, mimetype string) (string, error) {
	if mimetype == "" {
		mimetype = "application/octet-stream"
	}
	path := "/api/files?name=" + url.QueryEscape(name)
	resp, err := c.request(ctx, http.MethodPost, path, r, size, mimetype)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		CID string `json:"cid"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJSON)).Decode(&out); err != nil || out.CID == "" {
		return "", fmt.Errorf("unexpected answer to the upload (no CID): %v", err)
	}
	return out.CID, nil
}

// DownloadTo has the app fetch a dataset into the folder dir (an absolute
// path on this machine, where the app runs) and returns the file's path.
// The app writes a temporary file and renames it; it never replaces a file.
func (c *Client) DownloadTo(ctx context.Context, cid, dir string) (string, error) {
	var out struct {
		Path string `json:"path"`
	}
	_, err := c.call(ctx, http.MethodPost, "/api/files/download", map[string]string{"cid": cid, "destination": dir}, &out)
	if err == nil && out.Path == "" {
		err = fmt.Errorf("unexpected answer to the download (no path)")
	}
	return out.Path, err
}

// Content is a dataset's bytes as they stream in; close it.
type Content struct {
	io.ReadCloser
	Filename string // from Content-Disposition, "" when none
	Size     int64  // -1 when unknown
}

// Content streams a dataset (fetched from the network by the node when it
// does not hold it).
func (c *Client) Content(ctx context.Context, cid string) (*Content, error) {
	resp, err := c.request(ctx, http.MethodGet, "/api/files/"+url.PathEscape(cid)+"/content", nil, 0, "")
	if err != nil {
		return nil, err
	}
	out := &Content{ReadCloser: resp.Body, Size: resp.ContentLength}
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
		out.Filename = params["filename"]
	}
	return out, nil
}

// DeleteFile removes a dataset from the node.
func (c *Client) DeleteFile(ctx context.Context, cid string) error {
	_, err := c.call(ctx, http.MethodDelete, "/api/files/"+url.PathEscape(cid), nil, nil)
	return err
}

// ConfigView is GET /api/config: the settings in force and where they live.
type ConfigView struct {
	Config json.RawMessage `json:"config"`
	Path   string          `json:"path"`
	Broken json.RawMessage `json:"broken"`
	Raw    json.RawMessage `json:"-"`
}

// Config reads the app's settings.
func (c *Client) Config(ctx context.Context) (ConfigView, error) {
	var v ConfigView
	raw, err := c.call(ctx, http.MethodGet, "/api/config", nil, &v)
	v.Raw = raw
	return v, err
}

// Device is a paired device (or, in OtherPeers, a peer seen but not paired).
type Device struct {
	PeerID       string   `json:"peerId"`
	Nickname     string   `json:"nickname"`
	Addresses    []string `json:"addresses"`
	FirstSeen    string   `json:"firstSeen"`
	LastSeen     string   `json:"lastSeen"`
	PairedAt     string   `json:"pairedAt"`
	Connected    bool     `json:"connected"`
	LatencyMs    *float64 `json:"latencyMs"`
	AgentVersion string   `json:"agentVersion"`
	LastError    string   `json:"lastError"` // why the last reconnection failed

	Raw json.RawMessage `json:"-"`
}

// DeviceList is GET /api/devices.
type DeviceList struct {
	Devices    []Device `json:"devices"`
	OtherPeers []Device `json:"otherPeers"`
	// Live is false when the connection facts are not the node's word of
	// now (no node, or it cannot say): then "not connected" means unknown.
	// Both are nil when the API does not say.
	Live        *bool           `json:"live"`
	NodeRunning *bool           `json:"nodeRunning"`
	LiveError   string          `json:"liveError"`
	Raw         json.RawMessage `json:"-"`
}

// Devices lists the paired devices and the other peers the node sees.
func (c *Client) Devices(ctx context.Context) (DeviceList, error) {
	var l DeviceList
	raw, err := c.call(ctx, http.MethodGet, "/api/devices", nil, &l)
	l.Raw = raw
	return l, err
}

// DeviceCode is GET /api/devices/code: what another device needs to pair
// with this one.
type DeviceCode struct {
	// Code pairs the apps as well as the nodes ("archivist1:…").
	Code      string          `json:"code"`
	DeviceID  string          `json:"deviceId"`
	PeerID    string          `json:"peerId"`
	SPR       string          `json:"spr"`
	Addresses []string        `json:"addresses"`
	Multiaddr string          `json:"multiaddr"`
	Raw       json.RawMessage `json:"-"`
}

// DeviceCode returns this device's share code.
func (c *Client) DeviceCode(ctx context.Context) (DeviceCode, error) {
	var dc DeviceCode
	raw, err := c.call(ctx, http.MethodGet, "/api/devices/code", nil, &dc)
	dc.Raw = raw
	return dc, err
}

// AddDevice pairs with the device whose share code is code.
func (c *Client) AddDevice(ctx context.Context, code, nickname string) (Device, error) {
	var d Device
	raw, err := c.call(ctx, http.MethodPost, "/api/devices", map[string]string{"code": code, "nickname": nickname}, &d)
	d.Raw = raw
	return d, err
}

// RemoveDevice unpairs a device.
func (c *Client) RemoveDevice(ctx context.Context, peerID string) error {
	_, err := c.call(ctx, http.MethodDelete, "/api/devices/"+url.PathEscape(peerID), nil, nil)
	return err
}

// Uptime is how long the node has been up, from its start time when the
// clocks agree, else from the app's own reading.
func (st NodeStatus) Uptime(now time.Time) (time.Duration, bool) {
	if st.StartedAt == nil {
		return 0, false
	}
	d := now.Sub(*st.StartedAt)
	reported := time.Duration(st.UptimeSeconds) * time.Second
	if d < 0 || d-reported > 5*time.Second || reported-d > 5*time.Second {
		d = reported
	}
	return d, true
}

// ShowWindow asks the running app to show its window: a second launch of
// the desktop app hands over to the first this way.
func (c *Client) ShowWindow(ctx context.Context) error {
	_, err := c.call(ctx, http.MethodPost, "/api/window/show", nil, nil)
	return err
}
