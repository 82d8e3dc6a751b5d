// Package peerlink authenticates and encrypts the HTTP channels between two
// Archivist app instances ("devices"): the manifest server, the poll trigger,
// acknowledgements and pairing requests.
//
// The design is Syncthing's. Each instance keeps one long-lived Ed25519 key in
// an identity file (PKCS#8 PEM, mode 0600, never replaced automatically). Its
// device ID is the SHA-256 of the key's SubjectPublicKeyInfo, so the ID names
// the key, not a certificate: the self-signed certificate that carries the key
// is simply re-made in memory at every start. Devices exchange IDs when they
// pair and pin them afterwards. Every connection is mutually authenticated TLS
// 1.3: the handshake makes each side sign the transcript with its key, which
// proves possession of the key behind the pinned ID (authentication), derives
// fresh ephemeral keys (confidentiality and forward secrecy against a passive
// observer), and binds every record to per-connection nonces and sequence
// numbers (a recorded request cannot be replayed on another connection).
// Session resumption is disabled so that no connection skips the proof of
// possession.
//
// There is no certificate authority: a CA would only vouch for names, and the
// thing worth trusting here is "the same key I paired with", which the pinned
// device ID states exactly and without a third party that could be
// compromised, expire or be unreachable on a LAN. Certificate validity dates
// are therefore not checked either; a stolen certificate is useless without
// its key, and clock skew between two home machines must not stop backups.
//
// The TLS layer accepts any well-formed self-signed peer on the server side,
// because a device asking to pair is by definition not yet known; handlers
// read the peer's ID with FromContext and decide. Clients, on the other hand,
// only ever talk to the one device they were given.
//
// The protocol's version is in the request paths (/v1/…), not in ALPN:
// net/http drops connections that negotiate an ALPN protocol it does not
// know, and taking them over costs more code than a path prefix.
package peerlink
