package peerlink

import (
	"net"
	"net/http"
	"time"
)

// Client returns an HTTP client that talks only to device expect; a server
// with another ID fails the handshake with a *WrongDeviceError (inside the
// *url.Error that http.Client returns). timeout bounds each whole request, as
// http.Client.Timeout does.
//
// Each client has its own Transport, so idle connections, which were verified
// against one pin, are never reused for a request meant for another device.
func (id *Identity) Client(expect DeviceID, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			// No Proxy: peers are reached directly, and an HTTP(S)_PROXY set
			// for the user's browsing must not see or block device traffic.
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSClientConfig:     id.ClientConfig(expect),
			TLSHandshakeTimeout: 10 * time.Second,
			// Shorter than the server's IdleTimeout, so the client drops an
			// idle connection before the server does and never sends a
			// request into a connection that is being closed.
			IdleConnTimeout:     90 * time.Second,
			MaxIdleConnsPerHost: 2,
		},
	}
}
