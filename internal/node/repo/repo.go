package repo

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Repo is the node's block store. All methods are safe for concurrent use.
type Repo struct {
	root      string
	blocksDir string // schema version 1's block files, read and deleted only
	packsDir  string
	db        *bolt.DB
	quota     int64
	ttl       time.Duration
	now       func() time.Time
	log       *slog.Logger

	// mu serialises every bbolt write with the in-memory claims of open
	// batches, so that a quota check sees committed and pending bytes
	// consistently and a delete never removes a file an open batch relies on.
	mu sync.Mutex
	// batches are the open batches that have put a block; their block sets
	// are the claims: a block in one of them is about to be committed.
	batches map[*Batch]struct{}
	// pendingBytes is the size of new blocks written by open batches.
	pendingBytes int64
	// pins counts, per pack, the open batches that may still point a block
	// into it (pinLocked); a pinned pack is never removed.
	pins map[uint64]int
	// active is the pack new blocks are appended to; writing holds it and
	// the full packs whose writers are not done, by ID.
	active  *packFile
	writing map[uint64]*packFile

	// group joins small commits that arrive together (group.go).
	group groupCommit

	readers packReaders
	// unsettled is set when a large commit failed and could not undo its
	// staged changes at once; every write first finishes that (settleLocked).
	unsettled bool

	// packTarget is the size packs are filled to; tests make it small.
	packTarget int64

	// spillDir holds the spill files of open batches (spill.go).
	spillDir string
	// blockWindow is how many blocks a batch keeps in memory, and
	// spillBytes how many bytes of other records, before it spills them;
	// tests make them small.
	blockWindow int
	spillBytes  int

	// stageChunk is the work (records) one transaction of a large commit
	// does; tests make it small.
	stageChunk int
	// afterStage, if set (by tests), runs after each staged transaction of
	// a large commit; an error fails the commit there, and errSimulatedCrash
	// leaves the staged changes as a killed process would.
	afterStage func(step int) error
}

// Open opens or creates the repo under root (the node's <data-dir>/repo),
// then removes what an interrupted upload or delete left behind: the staged
// part of a large commit that never published, and files the DB does not
// know, and packs nothing points into.
func Open(root string, opts Options) (*Repo, error) {
	r := &Repo{
		root:        root,
		blocksDir:   filepath.Join(root, "blocks"),
		packsDir:    filepath.Join(root, "packs"),
		spillDir:    filepath.Join(root, "spill"),
		pins:        make(map[uint64]int),
		writing:     make(map[uint64]*packFile),
		quota:       opts.Quota,
		ttl:         opts.TTL,
		now:         opts.Now,
		log:         opts.Logger,
		batches:     make(map[*Batch]struct{}),
		stageChunk:  defaultStageChunk,
		packTarget:  packTarget,
		blockWindow: blockWindow,
		spillBytes:  spillBytes,
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	for _, dir := range []string{r.blocksDir, r.packsDir} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("repo: open %s: %w", root, err)
		}
	}
	db, err := bolt.Open(filepath.Join(root, "meta.db"), 0o600, &bolt.Options{
		// A second node on the same data dir must fail, not hang on the lock.
		Timeout:      time.Second,
		FreelistType: bolt.FreelistMapType,
	})
	if err != nil {
		return nil, fmt.Errorf("repo: open %s: %w", filepath.Join(root, "meta.db"), err)
	}
	r.db = db
	// Spill files are only read by the batch that wrote them, so after a
	// crash they are all leftovers; the DB's lock says no other process
	// uses them.
	err = os.RemoveAll(r.spillDir)
	if err == nil {
		err = os.MkdirAll(r.spillDir, 0o700)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("repo: open %s: %w", root, err)
	}
	if err := db.Update(initSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("repo: open %s: %w", root, err)
	}
	// A large commit killed before it published leaves staged changes;
	// undo them before anything looks at the blocks.
	if err := r.rollbackStaged(); err != nil {
		db.Close()
		return nil, fmt.Errorf("repo: open %s: undo an interrupted commit: %w", root, err)
	}
	if err := r.removeOrphans(); err != nil {
		db.Close()
		return nil, fmt.Errorf("repo: open %s: %w", root, err)
	}
	if err := r.removeUnknownPacks(); err != nil {
		db.Close()
		return nil, fmt.Errorf("repo: open %s: %w", root, err)
	}
	return r, nil
}

// Close closes the metadata database. Batches still open are not aborted:
// their files are orphans that the next Open removes, exactly as after a
// crash.
func (r *Repo) Close() error {
	r.mu.Lock()
	for _, p := range r.writing {
		p.f.Close()
	}
	r.mu.Unlock()
	r.readers.closeAll()
	if err := r.db.Close(); err != nil {
		return fmt.Errorf("repo: close: %w", err)
	}
	return nil
}

// expiryFor is the expiry a block stored now gets.
func (r *Repo) expiryFor(now time.Time) int64 {
	return now.Add(r.ttl).Unix()
}
