// Package update keeps the app up to date: it reads the release feed, offers
// a newer version, and on the user's word downloads, verifies and installs
// it, keeping the previous program for a rollback.
//
// The feed (latest.json at config [updates] feed_url; https, or http to
// loopback for tests) names the newest version, its notes and date, and per
// platform (GOOS-GOARCH) the executable's URL, size, SHA-256 and minisign
// signature. The feed itself is not trusted: every build is checked against
// the project's public key, built into the binary (minisign.pub), with a
// prehashed (Ed25519 over BLAKE2b-512) signature whose trusted comment must
// read exactly "archivist <version> <platform>" — the comment is signed, so a
// genuine old build cannot be served as a newer version, nor one platform's
// build as another's. Versions compare as semver; the same or a lower
// version is never offered or installed.
//
// Checks run at start and every 12 hours while enabled (a failed one is
// retried after an hour), and on demand; development builds (dev, 0.1.0-dev,
// git describe between tags) are only checked on demand. A download goes to a
// temporary file beside the executable, its size, hash and signature checked
// as it streams; more bytes than announced, fewer, or a stall of 60 s are
// refused and the file removed. Installing keeps the running program as
// <program>.old (a hard link, then one rename) and renames the verified file
// over the program — the same directory, so it is one atomic rename and the
// program is never missing or half written — with the old one's mode. On
// Windows, where a running program cannot be replaced but can be renamed,
// the old one is renamed aside first, and put back if the second rename
// fails. The new version runs from the next start; "install when I quit"
// stages the verified file now and renames it in as the app exits (Quit).
// Rollback renames <program>.old back. State changes are published on the
// event bus as "update-state".
//
// # Signing a release
//
// The private key never enters the repository. With the project's key
// (minisign format, password-protected) a release is signed and its feed
// written by cmd/archivist-release:
//
//	ARCHIVIST_SIGNING_PASSWORD=… go run ./cmd/archivist-release \
//	    -key /secure/minisign.key -version 1.2.3 -notes NOTES.md \
//	    -base-url https://github.com/archivist-desktop/archivist/releases/download/v1.2.3/ \
//	    -out dist/latest.json \
//	    linux-amd64=dist/archivist-linux-amd64 darwin-arm64=dist/archivist-darwin-arm64 …
//
// and latest.json is uploaded beside the files. The reference minisign tool
// signs the same way: minisign -S -s minisign.key -m FILE -t "archivist 1.2.3
// linux-amd64" (the .minisig file's content is the feed's signature). A new
// key pair (minisign -G) means replacing minisign.pub, and only builds that
// carry the new key can verify releases signed with it.
package update
