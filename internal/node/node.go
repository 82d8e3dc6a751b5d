package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/archivist-desktop/archivist/internal/node/config"
	"github.com/archivist-desktop/archivist/internal/node/dag"
	"github.com/archivist-desktop/archivist/internal/node/identity"
	"github.com/archivist-desktop/archivist/internal/node/repo"
)

// Node is one running storage node.
type Node struct {
	cfg  *config.Config
	key  crypto.PrivKey
	id   peer.ID
	repo *repo.Repo
	log  *slog.Logger

	datasets sync.RWMutex // commits (read) vs deletes (write); see Delete
	net      *network     // nil until AttachNetwork
	trees    treeCache    // trees of datasets being served, for proofs
}

// ErrNotFound is returned for a dataset the node does not hold.
var ErrNotFound = errors.New("not found")

// ErrNotManifest is returned when a CID names something other than a
// dataset manifest.
var ErrNotManifest = errors.New("CID is not a dataset manifest")

// Open prepares the data dir (0700), the identity and the repo.
func Open(cfg *config.Config, log *slog.Logger) (*Node, error) {
	if err := prepareDataDir(cfg.DataDir); err != nil {
		return nil, err
	}
	key, err := identity.LoadOrCreateKey(cfg.KeyPath())
	if err != nil {
		return nil, err
	}
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("node identity: %w", err)
	}
	r, err := repo.Open(filepath.Join(cfg.DataDir, "repo"), repo.Options{
		Quota:  int64(min(cfg.StorageQuota, 1<<62)),
		TTL:    cfg.BlockTTL,
		Logger: log,
	})
	if err != nil {
		return nil, err
	}
	return &Node{cfg: cfg, key: key, id: id, repo: r, log: log}, nil
}

// prepareDataDir creates the data dir private to the user and, like
// archivist-node, corrects a wider mode instead of refusing to start.
func prepareDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("--data-dir %s: %w", dir, err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("--data-dir %s: %w", dir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("--data-dir %s is not a directory", dir)
	}
	if st.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("--data-dir %s: correcting its mode to 0700: %w", dir, err)
		}
	}
	return nil
}

// Close releases the repo.
func (n *Node) Close() error { return n.repo.Close() }

// ID is the node's peer ID.
func (n *Node) ID() peer.ID { return n.id }

// Key is the node's private key.
func (n *Node) Key() crypto.PrivKey { return n.key }

// Config is the node's configuration.
func (n *Node) Config() *config.Config { return n.cfg }

// Space reports the repo's accounting.
func (n *Node) Space() repo.Space { return n.repo.Space() }

// RunMaintenance expires blocks past their TTL until ctx ends.
func (n *Node) RunMaintenance(ctx context.Context) error {
	return n.repo.RunMaintenance(ctx, n.cfg.BlockMaintInt, n.cfg.BlockMaintCount)
}

// Store cuts r into blocks, stores them with their leaves and the manifest
// in one batch, and returns the manifest CID. Nothing of a failed upload
// remains. Its memory does not grow with the upload: the tree's root is
// computed as the blocks come, and the batch spills what it must remember.
func (n *Node) Store(ctx context.Context, r io.Reader, filename, mimetype string) (c cid.Cid, err error) {
	b := n.repo.NewBatch()
	defer func() {
		if err != nil {
			b.Abort()
		}
	}()
	up, err := dag.Ingest(ctxReader{ctx, r}, func(i int, blk []byte, c cid.Cid) error {
		if err := b.PutBlock(c, blk); err != nil {
			return err
		}
		// No proof: peers get one built from the tree (see proofs.go).
		return b.PutLeaf(i, c)
	})
	if err != nil {
		return cid.Undef, err
	}
	if err := b.SetTree(up.TreeCid); err != nil {
		return cid.Undef, err
	}
	enc, err := dag.NewManifest(up.TreeCid, up.Size, filename, mimetype).Encode()
	if err != nil {
		return cid.Undef, err
	}
	mc := dag.ManifestCID(enc)
	if err := b.PutManifest(mc, enc); err != nil {
		return cid.Undef, err
	}
	// A delete decides from the manifests present whether a tree is still
	// used; a commit must not slip in between its check and its removal.
	n.datasets.RLock()
	err = b.Commit()
	n.datasets.RUnlock()
	if err != nil {
		return cid.Undef, err
	}
	n.announce(mc, up.TreeCid)
	n.log.Info("stored dataset", "cid", dag.CIDString(mc), "treeCid", dag.CIDString(up.TreeCid), "bytes", up.Size, "blocks", up.Blocks)
	return mc, nil
}

// ctxReader stops an upload when its request is cancelled (client gone).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Manifest returns the manifest of a locally stored dataset.
func (n *Node) Manifest(c cid.Cid) (*dag.Manifest, error) {
	if c.Type() != dag.ManifestCodec {
		return nil, ErrNotManifest
	}
	data, err := n.repo.GetBlock(c)
	if errors.Is(err, repo.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	m, err := dag.DecodeManifest(data)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", dag.CIDString(c), err)
	}
	return m, nil
}

// HasBlock reports whether the block (or manifest) c is stored locally.
func (n *Node) HasBlock(c cid.Cid) bool { return n.repo.HasBlock(c) }

// Datasets calls fn for every stored dataset.
func (n *Node) Datasets(fn func(c cid.Cid, m *dag.Manifest) error) error {
	return n.repo.Manifests(func(c cid.Cid, data []byte) error {
		m, err := dag.DecodeManifest(data)
		if err != nil {
			n.log.Warn("skipping undecodable manifest", "cid", dag.CIDString(c), "err", err)
			return nil
		}
		return fn(c, m)
	})
}

// Delete removes a dataset (a manifest CID) or a single block. The same
// bytes uploaded under two names give two manifests over one tree; deleting
// one of them must not take the data from the other (the reference does),
// so the tree's blocks go only with the last manifest that uses them.
func (n *Node) Delete(c cid.Cid) error {
	if c.Type() != dag.ManifestCodec {
		return n.repo.DeleteBlock(c)
	}
	n.datasets.Lock()
	defer n.datasets.Unlock()
	m, err := n.Manifest(c)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	shared := false
	err = n.Datasets(func(other cid.Cid, om *dag.Manifest) error {
		if !other.Equals(c) && om.TreeCid.Equals(m.TreeCid) {
			shared = true
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	if shared {
		return n.repo.DeleteBlock(c)
	}
	return n.repo.DeleteDataset(c, m.TreeCid)
}

var errStop = errors.New("stop")

// WriteDataset writes the dataset's bytes to w, block by block, cutting the
// padding off the last block. It returns when ctx ends or w fails.
func (n *Node) WriteDataset(ctx context.Context, w io.Writer, m *dag.Manifest) error {
	return n.writeLeaves(ctx, w, m, nil)
}

// writeLeaves writes the dataset's blocks in order from the repo; ready,
// when set, is called first for each block (to fetch it from the network).
func (n *Node) writeLeaves(ctx context.Context, w io.Writer, m *dag.Manifest, ready func(i int) error) error {
	remaining := m.DatasetSize
	for i := 0; remaining > 0; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if ready != nil {
			if err := ready(i); err != nil {
				return fmt.Errorf("block %d of %s: %w", i, dag.CIDString(m.TreeCid), err)
			}
		}
		data, err := n.leafBlock(m.TreeCid, i)
		if err != nil {
			return err
		}
		take := min(uint64(len(data)), remaining)
		if _, err := w.Write(data[:take]); err != nil {
			return err
		}
		remaining -= take
	}
	return nil
}

// leafBlock reads block i of a tree from the repo.
func (n *Node) leafBlock(tree cid.Cid, i int) ([]byte, error) {
	blockCID, _, err := n.repo.GetProof(tree, i)
	if err != nil {
		return nil, fmt.Errorf("block %d of %s: %w", i, dag.CIDString(tree), err)
	}
	data, err := n.repo.GetBlock(blockCID)
	if err != nil {
		return nil, fmt.Errorf("block %d of %s: %w", i, dag.CIDString(tree), err)
	}
	return data, nil
}
