// Package folders is folder sync on the source machine: it watches the
// user's folders, uploads every new or changed file to the node, and
// publishes a manifest of each folder for the backup server.
//
// State lives in the app's state database (store.go): the watched folders,
// and per folder an index of what the node holds (relative path → size,
// modification time, CID), the tombstones of files deleted since the last
// manifest, and the manifests published. The index is the only record of
// "already uploaded": a file whose size and modification time match its
// index entry is never uploaded again, across restarts. Nothing else is
// persisted — the upload queue is rebuilt by the scan that runs when a
// folder starts, because a scan compares the disk with the index and so
// finds every file that still needs uploading, including those the app
// was uploading when it stopped.
//
// Changes are found two ways: an OS watcher (watch.go), which marks paths
// dirty as events arrive, and scans (scan.go), run when a folder is added
// or enabled, on demand, and periodically as a safety net for missed events
// and for folders the OS watch limit left unwatched. Both feed one check:
// compare the path with the index and queue the file, or record the
// deletion. A file is uploaded only once it has been left alone for the
// settle time (its modification time is that old and it did not change
// while being read), so a file being written is never stored half-written.
//
// Uploads run from a FIFO queue (queue.go) with bounded parallelism; a
// failure is retried with exponential backoff and stays visible until it
// succeeds. When the node is down the queue waits for it.
//
// Manifests (manifest.go) follow the seed's JSON schema with relative,
// '/'-separated paths and no local absolute path. One is published after
// manifest_update_threshold changes or once the folder has been quiet for
// a moment, whichever comes first, and never more often than a minimum
// interval, so a big initial backup publishes a few growing manifests, not
// one per file. Sequence numbers are persisted and only grow; removing and
// re-adding the same path keeps the folder's ID and sequence.
package folders
