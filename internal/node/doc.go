// Package node is the storage node: it ties the data model (dag), the block
// store (repo) and the node's identity into the operations the REST API
// offers — store a stream as a dataset, read a dataset back as a stream,
// list, delete, report space — and runs the background work (block TTL
// maintenance). An upload is one repo batch: blocks are written as they are
// cut from the stream, and only the final commit makes the dataset exist, so
// an upload that fails or is killed leaves nothing behind. Reads go block by
// block through the tree's leaf index, so memory stays flat whatever the
// file size.
package node
