// Package netns proves the backup flow across real machines: its tests build
// three Linux network namespaces (hosts a, b and c) joined by a bridge in the
// root namespace, run one `archivist serve` in each with its own home, node
// and address, and drive them through the UI API as a user would — pairing
// by code, approving, turning the backup server on, choosing the backup
// device, adding a folder, restoring on a third machine. Faults are real
// ones: the host's link taken down mid-transfer, a cable with delay and
// loss, kill -9 of the app or of its node at random moments, and a backup
// server whose disk fills up. Every check ends in bytes: what a restore
// writes is compared, file by file, by SHA-256 with the source folder.
//
// Host a is wired by a TAP pair that the test process pumps frames
// through, so its cable can delay and drop packets even on kernels built
// without netem; b and c use veth pairs. Names carry the test process's PID,
// so parallel runs do not collide, and what a killed run left behind is
// removed at the next start. The tests need root (CAP_NET_ADMIN, mounts)
// and skip with the reason otherwise. ARCHIVIST_SOAK_ROUNDS sets how many
// kill -9 rounds run (`make soak`); `make test` runs a few.
package netns
