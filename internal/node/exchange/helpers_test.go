package exchange

import (
	"bytes"
	"context"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/archivist-desktop/archivist/internal/node/dag"
	"github.com/archivist-desktop/archivist/internal/node/repo"
)

func testLogger() *slog.Logger {
	if os.Getenv("EXCHANGE_DEBUG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func newHost(tb testing.TB) host.Host {
	tb.Helper()
	h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { h.Close() })
	return h
}

func connect(tb testing.TB, a, b host.Host) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Connect(ctx, peer.AddrInfo{ID: b.ID(), Addrs: b.Addrs()}); err != nil {
		tb.Fatal(err)
	}
}

func newRepo(tb testing.TB) *repo.Repo {
	tb.Helper()
	r, err := repo.Open(tb.TempDir(), repo.Options{Quota: 1 << 30, TTL: time.Hour})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

// testNode is a host, a repo and an engine over them.
type testNode struct {
	h     host.Host
	r     *repo.Repo
	store Store
	e     *Engine
}

func newNode(tb testing.TB, opts Options, wrap ...func(Store) Store) *testNode {
	tb.Helper()
	n := &testNode{h: newHost(tb), r: newRepo(tb)}
	n.store = NewRepoStore(n.r)
	for _, w := range wrap {
		n.store = w(n.store)
	}
	n.e = New(n.h, n.store, testLogger(), opts)
	tb.Cleanup(func() { n.e.Close() })
	return n
}

// dataset is an upload as node.Store makes it.
type dataset struct {
	data     []byte // padded to whole blocks
	tree     *dag.Tree
	treeCid  cid.Cid
	manifest cid.Cid
	leaves   int
}

func (d *dataset) block(i int) []byte { return d.data[i*dag.BlockSize : (i+1)*dag.BlockSize] }

func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	rng := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
	_, _ = rng.Read(b)
	return b
}

// makeDataset chunks content without storing it.
func makeDataset(tb testing.TB, content []byte) *dataset {
	tb.Helper()
	d := &dataset{}
	var digests [][32]byte
	up, err := dag.Ingest(bytes.NewReader(content), func(_ int, blk []byte, c cid.Cid) error {
		d.data = append(d.data, blk...)
		digest, err := dag.Digest(c)
		digests = append(digests, digest)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	tree, err := dag.NewTree(digests)
	if err != nil {
		tb.Fatal(err)
	}
	d.tree, d.treeCid, d.leaves = tree, up.TreeCid, up.Blocks
	enc, err := dag.NewManifest(up.TreeCid, uint64(len(content)), "test.bin", "application/octet-stream").Encode()
	if err != nil {
		tb.Fatal(err)
	}
	d.manifest = dag.ManifestCID(enc)
	return d
}

// storeDataset stores content in r in one batch: blocks, a leaf with its
// proof per block, and the manifest.
func storeDataset(tb testing.TB, r *repo.Repo, content []byte) *dataset {
	tb.Helper()
	b := r.NewBatch()
	d := makeDataset(tb, content)
	for i := range d.leaves {
		blk := d.data[i*dag.BlockSize : (i+1)*dag.BlockSize]
		leaf, err := d.tree.LeafCID(i)
		if err != nil {
			tb.Fatal(err)
		}
		if err := b.PutBlock(leaf, blk); err != nil {
			tb.Fatal(err)
		}
		proof, err := d.tree.Proof(i)
		if err != nil {
			tb.Fatal(err)
		}
		if err := b.PutProof(d.treeCid, i, leaf, proof.Encode()); err != nil {
			tb.Fatal(err)
		}
	}
	enc, err := dag.NewManifest(d.treeCid, uint64(len(content)), "test.bin", "application/octet-stream").Encode()
	if err != nil {
		tb.Fatal(err)
	}
	if err := b.PutManifest(dag.ManifestCID(enc), enc); err != nil {
		tb.Fatal(err)
	}
	if err := b.Commit(); err != nil {
		tb.Fatal(err)
	}
	return d
}

// checkDataset asserts that r holds every block of d with a proof that
// verifies.
func checkDataset(tb testing.TB, r *repo.Repo, d *dataset) {
	tb.Helper()
	root, err := dag.Digest(d.treeCid)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < d.leaves; i++ {
		blockCid, proofBytes, err := r.GetProof(d.treeCid, i)
		if err != nil {
			tb.Fatalf("block %d: %v", i, err)
		}
		data, err := r.GetBlock(blockCid)
		if err != nil {
			tb.Fatalf("block %d: %v", i, err)
		}
		if !bytes.Equal(data, d.block(i)) {
			tb.Fatalf("block %d differs", i)
		}
		proof, err := dag.DecodeProof(proofBytes)
		if err != nil {
			tb.Fatalf("block %d proof: %v", i, err)
		}
		leaf, _ := dag.Digest(blockCid)
		if proof.Index != i || proof.Verify(leaf, root) != nil {
			tb.Fatalf("block %d: stored proof does not verify", i)
		}
	}
}

func fetchCtx(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

// eventually polls cond until it holds or 10 s pass.
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// recordStore records the addresses a Store is asked to serve and store.
type recordStore struct {
	Store
	mu   sync.Mutex
	gets []BlockAddress
	puts []BlockAddress
}

func (s *recordStore) GetForPeer(a BlockAddress) (cid.Cid, []byte, []byte, error) {
	s.mu.Lock()
	s.gets = append(s.gets, a)
	s.mu.Unlock()
	return s.Store.GetForPeer(a)
}

func (s *recordStore) PutVerified(a BlockAddress, c cid.Cid, data, proof []byte) error {
	err := s.Store.PutVerified(a, c, data, proof)
	if err == nil {
		s.mu.Lock()
		s.puts = append(s.puts, a)
		s.mu.Unlock()
	}
	return err
}

func (s *recordStore) reset() {
	s.mu.Lock()
	s.gets, s.puts = nil, nil
	s.mu.Unlock()
}

func (s *recordStore) snapshot() (gets, puts []BlockAddress) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BlockAddress(nil), s.gets...), append([]BlockAddress(nil), s.puts...)
}

// memStore is an in-memory Store, to measure the protocol without a disk.
type memStore struct {
	mu     sync.Mutex
	blocks map[BlockAddress]memBlock
}

type memBlock struct {
	c           cid.Cid
	data, proof []byte
}

func newMemStore() *memStore { return &memStore{blocks: make(map[BlockAddress]memBlock)} }

func (m *memStore) HasBlock(a BlockAddress) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.blocks[a]
	return ok
}

func (m *memStore) GetForPeer(a BlockAddress) (cid.Cid, []byte, []byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.blocks[a]
	if !ok {
		return cid.Undef, nil, nil, repo.ErrNotFound
	}
	return b.c, b.data, b.proof, nil
}

func (m *memStore) PutVerified(a BlockAddress, c cid.Cid, data, proof []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.blocks[a] = memBlock{c, append([]byte(nil), data...), append([]byte(nil), proof...)}
	return nil
}
