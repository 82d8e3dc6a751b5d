// Package backups is the backup server (machine B of the seed's flow): it
// keeps versions of the folders that paired source devices back up to it,
// and restores them.
//
// The daemon wakes on a source's authenticated trigger, on its poll
// interval and on a manual poll. Each paired source is handled by its own
// goroutine, so a slow or offline source holds nobody else up. For a
// source it asks the link for the manifests on offer, checks every entry
// against what it already has — per (source, folder) sequence numbers only
// grow: a known sequence offered with another CID, or an unknown one below
// the newest processed, is a replay and is rejected; sequences skipped by
// the source's list are recorded as gaps and filled if they turn up — then
// processes the new ones in order: the manifest and every missing file are
// fetched through the node's network with max_concurrent_downloads at a
// time, each checked (the node verifies every block against its tree; the
// app checks sizes and the manifest's identity and paths).
//
// Everything lives in the app's state database (store.go), written as work
// progresses, so a crash resumes where it stopped: a manifest that was
// downloading is picked up again and the files already fetched are not
// fetched again (the content bucket records each complete file, and the
// node keeps the blocks of a partial one). Failures are retried per file,
// then per manifest with exponential backoff up to max_retries; after that
// the manifest is "failed" with its reason until retried by hand. Only a
// manifest whose every file arrived becomes a version.
//
// A version is a complete snapshot of the folder (a manifest lists all of
// the folder's files), so restoring one needs nothing else. Retention
// (retention.go) keeps the newest keep_last versions and the newest of each
// recent hour, day and week; the content of dropped versions is removed by
// a mark-and-sweep over every kept version of every source, so a file
// shared by two folders or sources — deduplicated by its CID — is only
// deleted when nothing kept names it, and only content this server fetched
// itself is ever deleted. With auto_delete_tombstones off, content whose
// file was deleted at the source is kept even when no version names it.
//
// Restores (restore.go) write a version's files under a destination
// directory, never outside it and never over an existing file unless asked,
// from this device's node or, on a new machine paired with the backup
// server, through the network from the backup server's node.
package backups
