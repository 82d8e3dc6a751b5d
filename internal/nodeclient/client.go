// Package nodeclient is the one Go client of the archivist-node REST API
// (/api/archivist/v1): the app's node supervisor, file and sync services, the
// tests and the CLI all use it, against our node or the reference node alike.
// Uploads and downloads stream — nothing is buffered whole — and uploads
// report progress from the bytes actually handed to the connection. Errors
// from the node come back as *APIError carrying the status and the node's own
// message, because the node's texts (e.g. quota exceeded) are what a user
// needs to read.
package nodeclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/archivist-desktop/archivist/internal/progress"
)

// BasePath is the API prefix of archivist-node.
const BasePath = "/api/archivist/v1"

// Client talks to one node.
type Client struct {
	base string
	http *http.Client
}

// New returns a client for the node whose API listens at addr, given as
// host:port or as a URL (http://127.0.0.1:8080).
func New(addr string) *Client {
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	// No overall timeout: uploads and downloads last as long as the data
	// takes. Short calls get their deadline from the caller's context.
	return &Client{base: strings.TrimRight(addr, "/") + BasePath, http: &http.Client{}}
}

// APIError is a non-success answer from the node.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("node answered %d %s", e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("node answered %d: %s", e.Status, e.Message)
}

// IsNotFound reports whether err is the node's 404.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

func (c *Client) do(ctx context.Context, method, path string, body io.Reader, hdr http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("node API %s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return nil, &APIError{Status: resp.StatusCode, Message: strings.TrimSpace(string(msg))}
	}
	return resp, nil
}

func (c *Client) getJSON(ctx context.Context, method, path string, hdr http.Header, v any) error {
	resp, err := c.do(ctx, method, path, nil, hdr)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("node API %s: decoding answer: %w", path, err)
	}
	return nil
}

func (c *Client) getText(ctx context.Context, path string) (string, error) {
	resp, err := c.do(ctx, http.MethodGet, path, nil, http.Header{"Accept": {"text/plain"}})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return strings.TrimSpace(string(b)), err
}

// Upload stores r (size bytes, or -1 when unknown) as one dataset and
// returns its manifest CID. progressFn, when set, is called with the total
// bytes sent so far.
func (c *Client) Upload(ctx context.Context, r io.Reader, size int64, filename, mimetype string, progressFn func(sent int64)) (string, error) {
	hdr := http.Header{"Content-Type": {"application/octet-stream"}}
	if mimetype != "" {
		hdr.Set("Content-Type", mimetype)
	}
	if filename != "" {
		hdr.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
		// FormatMediaType may use RFC 2231 encoding for non-ASCII names,
		// which archivist-node does not parse; it reads filename="…".
		if !strings.Contains(hdr.Get("Content-Disposition"), `filename="`) {
			hdr.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
		}
	}
	if progressFn != nil {
		r = progress.NewReader(r, progressFn)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/data", r)
	if err != nil {
		return "", err
	}
	req.Header = hdr
	if size >= 0 {
		req.ContentLength = size
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("node API upload: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return "", &APIError{Status: resp.StatusCode, Message: strings.TrimSpace(string(b))}
	}
	return strings.TrimSpace(string(b)), nil
}

// Content is a streamed download. Close it.
type Content struct {
	io.ReadCloser
	Filename    string // from Content-Disposition, "" when none
	ContentType string
	Size        int64 // -1 when the node did not say
}

func (c *Client) content(ctx context.Context, path string) (*Content, error) {
	resp, err := c.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return nil, err
	}
	out := &Content{ReadCloser: resp.Body, ContentType: resp.Header.Get("Content-Type"), Size: resp.ContentLength}
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
		out.Filename = params["filename"]
	}
	return out, nil
}

// Download streams a dataset stored on the node.
func (c *Client) Download(ctx context.Context, cid string) (*Content, error) {
	return c.content(ctx, "/data/"+url.PathEscape(cid))
}

// DownloadNetwork streams a dataset, fetching missing blocks from peers.
func (c *Client) DownloadNetwork(ctx context.Context, cid string) (*Content, error) {
	return c.content(ctx, "/data/"+url.PathEscape(cid)+"/network/stream")
}

// FetchNetwork asks the node to download a dataset from the network in the
// background; it returns the manifest at once.
func (c *Client) FetchNetwork(ctx context.Context, cid string) (DataItem, error) {
	var d DataItem
	return d, c.getJSON(ctx, http.MethodPost, "/data/"+url.PathEscape(cid)+"/network", nil, &d)
}

// NetworkManifest fetches only a dataset's manifest from the network.
func (c *Client) NetworkManifest(ctx context.Context, cid string) (DataItem, error) {
	var d DataItem
	return d, c.getJSON(ctx, http.MethodGet, "/data/"+url.PathEscape(cid)+"/network/manifest", nil, &d)
}

// List returns every dataset stored on the node.
func (c *Client) List(ctx context.Context) ([]DataItem, error) {
	var l DataList
	return l.Content, c.getJSON(ctx, http.MethodGet, "/data", nil, &l)
}

// Delete removes a dataset (or a plain block) from the node.
func (c *Client) Delete(ctx context.Context, cid string) error {
	resp, err := c.do(ctx, http.MethodDelete, "/data/"+url.PathEscape(cid), nil, nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Space reports the node's storage use.
func (c *Client) Space(ctx context.Context) (Space, error) {
	var s Space
	return s, c.getJSON(ctx, http.MethodGet, "/space", nil, &s)
}

// Info returns /debug/info.
func (c *Client) Info(ctx context.Context) (DebugInfo, error) {
	var i DebugInfo
	return i, c.getJSON(ctx, http.MethodGet, "/debug/info", nil, &i)
}

// SPR returns the node's signed peer record (spr:…).
func (c *Client) SPR(ctx context.Context) (string, error) { return c.getText(ctx, "/spr") }

// PeerID returns the node's peer ID.
func (c *Client) PeerID(ctx context.Context) (string, error) { return c.getText(ctx, "/peerid") }

// Connect asks the node to dial a peer, at the given multiaddrs or, without
// them, wherever discovery finds it.
func (c *Client) Connect(ctx context.Context, peerID string, addrs []string) error {
	q := url.Values{"addrs": addrs}
	path := "/connect/" + url.PathEscape(peerID)
	if len(addrs) > 0 {
		path += "?" + q.Encode()
	}
	resp, err := c.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Peers lists the peers the node is connected to (GET /peers, an extension
// of the Go node). archivist-node has no such endpoint: it answers 404,
// which IsNotFound reports.
func (c *Client) Peers(ctx context.Context) ([]PeerInfo, error) {
	var p []PeerInfo
	return p, c.getJSON(ctx, http.MethodGet, "/peers", nil, &p)
}

// Disconnect asks the node to close every connection to a peer (DELETE
// /peers/{peerId}, an extension of the Go node; archivist-node answers
// 404). Not being connected is not an error.
func (c *Client) Disconnect(ctx context.Context, peerID string) error {
	resp, err := c.do(ctx, http.MethodDelete, "/peers/"+url.PathEscape(peerID), nil, nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// SetLogLevel changes the node's log level (e.g. "DEBUG" or
// "INFO;TRACE:blockexc").
func (c *Client) SetLogLevel(ctx context.Context, level string) error {
	resp, err := c.do(ctx, http.MethodPost, "/debug/chronicles/loglevel?level="+url.QueryEscape(level), nil, nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
