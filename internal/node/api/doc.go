// Package api is the storage node's REST API, /api/archivist/v1, written to
// be indistinguishable from archivist-node's for a client: the same routes,
// status codes, content types, JSON shapes and key order, and the same error
// texts, including the reference's quirks that clients depend on (errors are
// plain text sent as text/html, unknown routes are 404 with an empty body,
// /debug/info alone is pretty-printed). The wire types are the ones in
// nodeclient, so server and client share one definition. Uploads and
// downloads stream through the node block by block. One deliberate
// difference: requests a web page makes the user's browser send (a Host
// name other than an IP or localhost on a loopback bind, which is DNS
// rebinding, and cross-site requests not allowed by --api-cors-origin) are
// refused with 403 (guard.go); clients that are not browsers never send
// them.
package api
