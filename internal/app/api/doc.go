// Package api is the app backend's HTTP interface: the only thing the UI
// talks to, whether it runs in the desktop window or in a browser.
//
// The same routes are served two ways. Over the network (`archivist serve`,
// 127.0.0.1:1420 by default) every request passes the authenticator: the Host
// header must be an IP literal, localhost or a configured name (DNS
// rebinding), the caller must present the per-install API key (Authorization:
// Bearer or X-API-Key) or the session cookie that a login URL carrying the
// key sets, cookie-authenticated state-changing requests must carry the
// X-Archivist-CSRF header, and no CORS headers are ever sent. Inside the
// desktop window the handler is called in-process by the webview's asset
// server, which no other program can reach, so that path skips the
// authenticator. JSON errors are {"error": "..."} with a status that says
// what went wrong; live updates flow over one Server-Sent Events stream,
// /api/events, fed by the app's event bus.
package api
