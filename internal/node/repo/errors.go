package repo

import (
	"errors"
	"fmt"
)

// ErrNotFound is returned (possibly wrapped) when a block, proof or manifest
// is not in the repo. Callers map it to 404.
var ErrNotFound = errors.New("not found")

// ErrQuotaExceeded is matched with errors.Is against the *QuotaError that
// PutBlock returns, so callers can tell "disk budget full" from I/O failure.
var ErrQuotaExceeded = errors.New("storage quota exceeded")

// ErrBlockInDataset is returned unwrapped by DeleteBlock: the REST API sends
// err.Error() as the 500 body, and the reference node's text must match
// byte for byte, so it carries no "repo:" prefix.
//
//lint:ignore ST1005 wire-compatible text of the reference node.
var ErrBlockInDataset = errors.New("Directly deleting a block that is part of a dataset is not allowed.")

// ErrBatchDone is returned when a batch is used after Commit or Abort.
var ErrBatchDone = errors.New("repo: batch already committed or aborted")

// ErrCorrupt means a block file no longer hashes to its CID.
var ErrCorrupt = errors.New("block content does not match its CID")

// QuotaError reports the numbers behind a refused put, so the message shown
// to the uploader says how far over the quota the upload would go.
type QuotaError struct {
	Quota    int64 // --storage-quota
	Used     int64 // committed block bytes
	Reserved int64 // marketplace reservations
	Pending  int64 // bytes of uncommitted batches, this one included
	Need     int64 // size of the block that did not fit
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("repo: storage quota exceeded: storing %d more bytes needs %d bytes but the quota is %d (used %d, reserved %d, pending uploads %d)",
		e.Need, e.Used+e.Reserved+e.Pending+e.Need, e.Quota, e.Used, e.Reserved, e.Pending)
}

// Is lets errors.Is(err, ErrQuotaExceeded) match without exposing the type.
func (e *QuotaError) Is(target error) bool { return target == ErrQuotaExceeded }
