// Package link is the channel between the apps of paired devices: the
// source's manifest server (which manifests are on offer), the backup
// server's trigger (a new manifest is out, come and get it), the backup
// server's acknowledgement (sequence N of a folder is safe), and pairing.
//
// Every request travels over peerlink's mutually authenticated TLS 1.3, so
// an observer on the network can neither read nor replay one, and each side
// knows which device it talks to by its key, never by its IP address. A
// device is trusted in two steps, as in Syncthing: pasting the other
// device's code trusts that device here and sends it a pairing request
// carrying this device's code; the other side shows the request and trusts
// this device once its user approves. Until then every request but the
// pairing request and the health check is refused with 403.
//
// The code a device shares (code.go) carries its device ID, its node's
// signed peer record (so pairing also connects the nodes) and the
// addresses of its link servers. The servers (server.go) listen on the
// manifest server port when this device is a backup source and on the
// trigger port when it is a backup server, and are re-bound live when the
// settings change. The notifier (notify.go) tells the backup server about
// every new manifest, retrying with backoff while it is away.
package link
