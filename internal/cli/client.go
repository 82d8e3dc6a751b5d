// Package cli is the command line's client of a running Archivist: it finds
// the instance of a home the way `syncthing cli` does (the address the app
// recorded in <DataDir>/instance.json, the key in the api-key file next to
// config.toml), calls the UI API with the key in X-API-Key, and turns what it
// answers into typed values, tables for people, JSON for scripts, progress
// bars and exit codes.
//
// Exit codes, the same for every CLI verb:
//
//	0  ok
//	1  the operation failed (the API's error message is printed to stderr)
//	2  usage error: bad flags or arguments, an invalid CID (checked locally)
//	3  Archivist is not running, or nothing answers where it said it listens
//	4  the node is not running (the API answered 503 "Node not running")
//	5  not found (the API answered 404)
package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/archivist-desktop/archivist/internal/app"
	"github.com/archivist-desktop/archivist/internal/app/paths"
)

// Client talks to the UI API of one running app instance.
type Client struct {
	base     string // http://127.0.0.1:port
	key      string
	instance string // the instance file the address came from
	pid      int    // the app's process, as the instance file says
	http     *http.Client
}

// dialTimeout bounds connecting only: transfers last as long as they take,
// and short calls get their deadline from the caller's context.
const dialTimeout = 5 * time.Second

// Connect finds the instance running in layout's home: its address from the
// instance file, its key from the api-key file. A missing instance file is a
// *NotRunningError; a stale one (nothing answers) is found on the first call.
func Connect(layout paths.Layout) (*Client, error) {
	file := layout.InstanceFile()
	in, err := app.ReadInstance(file)
	if errors.Is(err, app.ErrNotRunning) {
		return nil, &NotRunningError{File: file}
	}
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(layout.APIKeyFile())
	if err != nil {
		return nil, fmt.Errorf("reading the API key of the running Archivist: %w", err)
	}
	key := strings.TrimSpace(string(b))
	if key == "" {
		return nil, fmt.Errorf("the API key file %s is empty; restart Archivist to recreate it", layout.APIKeyFile())
	}
	c := New(in.URL, key, file)
	c.pid = in.PID
	return c, nil
}

// New returns a client of the UI API at base (http://host:port) with key;
// instanceFile only names where base came from in messages.
func New(base, key, instanceFile string) *Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // loopback: never through a proxy
	tr.DialContext = (&net.Dialer{Timeout: dialTimeout}).DialContext
	return &Client{
		base:     strings.TrimRight(base, "/"),
		key:      key,
		instance: instanceFile,
		http:     &http.Client{Transport: tr},
	}
}

// URL is the base address of the instance's UI API.
func (c *Client) URL() string { return c.base }

// PID is the app's process ID as its instance file says (0: unknown).
func (c *Client) PID() int { return c.pid }

// NotRunningError means there is no running Archivist to talk to: no
// instance file, or one left behind by an instance that is gone.
type NotRunningError struct {
	File string // the instance file
	URL  string // set when the file named an address where nothing answers
	Err  error  // the connection error, when there was one
}

func (e *NotRunningError) Error() string {
	const hint = "start it with `archivist` or `archivist serve`"
	if e.URL != "" {
		return fmt.Sprintf("Archivist is not running (nothing answers at %s, named by the stale %s): %s", e.URL, e.File, hint)
	}
	return fmt.Sprintf("Archivist is not running (no %s): %s", e.File, hint)
}

// Unwrap makes errors.Is(err, app.ErrNotRunning) hold.
func (e *NotRunningError) Unwrap() error { return app.ErrNotRunning }

// APIError is an answer of the UI API with an error status.
type APIError struct {
	Method, Path string
	Status       int
	Message      string // the API's {"error": ...}, or the status text
}

func (e *APIError) Error() string {
	if e.Status == http.StatusUnauthorized {
		return "the running Archivist refused the API key (" + e.Message + "); was the api-key file replaced? Restart Archivist"
	}
	if e.Status == http.StatusNotFound && strings.HasPrefix(e.Message, "no such API endpoint") {
		return e.Message + ": the running Archivist does not have this yet (an older version?)"
	}
	return e.Message
}

// NodeNotRunning reports the API's 503: the app runs, its node does not.
func (e *APIError) NodeNotRunning() bool { return e.Status == http.StatusServiceUnavailable }

// NotFound reports the API's 404 for a thing (not for a missing endpoint).
func (e *APIError) NotFound() bool {
	return e.Status == http.StatusNotFound && !strings.HasPrefix(e.Message, "no such API endpoint")
}

// request sends one request. body, when not nil, is sent with size bytes
// (-1: unknown, chunked). Error statuses become *APIError; a refused
// connection becomes *NotRunningError.
func (c *Client) request(ctx context.Context, method, path string, body io.Reader, size int64, contentType string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.ContentLength = size
		if size == 0 {
			req.Body = http.NoBody
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
	}
	req.Header.Set("X-API-Key", c.key)
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return nil, &NotRunningError{File: c.instance, URL: c.base, Err: err}
		}
		return nil, fmt.Errorf("talking to Archivist at %s: %w", c.base, err)
	}
	if resp.StatusCode >= 400 {
		defer resp.Body.Close()
		return nil, readAPIError(resp, method, path)
	}
	return resp, nil
}

func readAPIError(resp *http.Response, method, path string) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var e struct {
		Error string `json:"error"`
	}
	msg := strings.TrimSpace(string(b))
	if json.Unmarshal(b, &e) == nil && e.Error != "" {
		msg = e.Error
	}
	if msg == "" || strings.HasPrefix(msg, "<") {
		msg = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	if u, err := url.Parse(path); err == nil {
		path = u.Path
	}
	return &APIError{Method: method, Path: path, Status: resp.StatusCode, Message: msg}
}

// maxJSON bounds a JSON answer read whole.
const maxJSON = 64 << 20

// call sends in (JSON, when not nil) and decodes the answer into out (when
// not nil); it returns the answer's raw JSON, for --json output.
func (c *Client) call(ctx context.Context, method, path string, in, out any) (json.RawMessage, error) {
	var body io.Reader
	size := int64(-1)
	ctype := ""
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body, size, ctype = bytes.NewReader(b), int64(len(b)), "application/json"
	}
	resp, err := c.request(ctx, method, path, body, size, ctype)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxJSON))
	if err != nil {
		return nil, fmt.Errorf("reading the answer to %s %s: %w", method, path, err)
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil, nil
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return nil, fmt.Errorf("unexpected answer to %s %s: %w", method, path, err)
		}
	}
	return json.RawMessage(b), nil
}
