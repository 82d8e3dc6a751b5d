package dag

import (
	"errors"
	"fmt"
	"math"
	"math/bits"

	"github.com/ipfs/go-cid"
)

// ManifestVersion is what the reference writes in the version field: the
// ordinal of CIDv1 in nim-libp2p's CidVersion enum (CIDvIncorrect, CIDv0,
// CIDv1, CIDvReserved), not the CID version number itself.
const ManifestVersion = 2

// Strategy is the reference's StrategyType, the order in which blocks are
// assigned to erasure-coding groups or slots.
type Strategy uint32

// The two indexing strategies the reference knows.
const (
	LinearStrategy  Strategy = 0
	SteppedStrategy Strategy = 1
)

// Manifest describes a dataset (spec §3.3). Uploads produce only the plain
// fields; Erasure is set on the erasure-coded manifests that storage requests
// create, and is carried here so that such manifests survive a round trip.
type Manifest struct {
	TreeCid     cid.Cid
	BlockSize   uint32
	DatasetSize uint64 // real bytes; for a protected manifest, of the coded dataset
	Codec       uint32 // codec of the dataset blocks, BlockCodec
	HCodec      uint32 // hash of the dataset blocks, Sha256
	Version     uint32 // ManifestVersion
	Filename    string // "" means none
	Mimetype    string // "" means none
	Erasure     *ErasureInfo
}

// ErasureInfo is present exactly when a manifest is protected.
type ErasureInfo struct {
	K, M                uint32 // data and parity blocks per group (ecK, ecM)
	OriginalTreeCid     cid.Cid
	OriginalDatasetSize uint64
	Strategy            Strategy
	Verification        *VerificationInfo // set when the manifest is verifiable
}

// VerificationInfo carries the slot roots used for storage proofs.
type VerificationInfo struct {
	VerifyRoot cid.Cid
	SlotRoots  []cid.Cid // one per slot: K+M of them
	CellSize   uint32
	Strategy   Strategy
}

// NewManifest describes a fresh upload, as the reference's store does.
// filename and mimetype may be empty.
func NewManifest(treeCid cid.Cid, datasetSize uint64, filename, mimetype string) *Manifest {
	return &Manifest{
		TreeCid:     treeCid,
		BlockSize:   BlockSize,
		DatasetSize: datasetSize,
		Codec:       BlockCodec,
		HCodec:      Sha256,
		Version:     ManifestVersion,
		Filename:    filename,
		Mimetype:    mimetype,
	}
}

// BlocksCount is the number of blocks in the dataset, ceil(DatasetSize /
// BlockSize), or 0 for a malformed manifest without a block size.
func (m *Manifest) BlocksCount() uint64 {
	return ceilDiv(m.DatasetSize, uint64(m.BlockSize))
}

// Encode writes the manifest exactly as the reference's minprotobuf encoder:
// {1: Header}, header fields in ascending order, fields 1–6 always present
// even when zero, 7 only when protected, 8 and 9 only when not empty.
func (m *Manifest) Encode() ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("dag: encode manifest: %w", err)
	}
	h := appendBytesField(nil, 1, m.TreeCid.Bytes())
	h = appendVarintField(h, 2, uint64(m.BlockSize))
	h = appendVarintField(h, 3, m.DatasetSize)
	h = appendVarintField(h, 4, uint64(m.Codec))
	h = appendVarintField(h, 5, uint64(m.HCodec))
	h = appendVarintField(h, 6, uint64(m.Version))
	if e := m.Erasure; e != nil {
		ei := appendVarintField(nil, 1, uint64(e.K))
		ei = appendVarintField(ei, 2, uint64(e.M))
		ei = appendBytesField(ei, 3, e.OriginalTreeCid.Bytes())
		ei = appendVarintField(ei, 4, e.OriginalDatasetSize)
		ei = appendVarintField(ei, 5, uint64(e.Strategy))
		if v := e.Verification; v != nil {
			vi := appendBytesField(nil, 1, v.VerifyRoot.Bytes())
			for _, r := range v.SlotRoots {
				vi = appendBytesField(vi, 2, r.Bytes())
			}
			vi = appendVarintField(vi, 3, uint64(v.CellSize))
			vi = appendVarintField(vi, 4, uint64(v.Strategy))
			ei = appendBytesField(ei, 6, vi)
		}
		h = appendBytesField(h, 7, ei)
	}
	if m.Filename != "" {
		h = appendBytesField(h, 8, []byte(m.Filename))
	}
	if m.Mimetype != "" {
		h = appendBytesField(h, 9, []byte(m.Mimetype))
	}
	return appendBytesField(make([]byte, 0, len(h)+4), 1, h), nil
}

// validate holds the rules both Encode and DecodeManifest enforce. Beyond the
// reference's own check (the coded block count must equal steps*(K+M)), it
// rejects values on which the reference would crash rather than answer: enum
// ordinals out of range, sizes beyond int64, a zero K or block size in a
// protected manifest.
func (m *Manifest) validate() error {
	if !m.TreeCid.Defined() {
		return errors.New("no tree CID")
	}
	if m.Version > 3 {
		return fmt.Errorf("version %d is not a CidVersion ordinal", m.Version)
	}
	if m.DatasetSize > math.MaxInt64 {
		return fmt.Errorf("dataset size %d too large", m.DatasetSize)
	}
	e := m.Erasure
	if e == nil {
		return nil
	}
	switch {
	case !e.OriginalTreeCid.Defined():
		return errors.New("protected manifest without original tree CID")
	case e.K == 0 || m.BlockSize == 0:
		return fmt.Errorf("protected manifest with ecK %d and block size %d", e.K, m.BlockSize)
	case e.Strategy > SteppedStrategy:
		return fmt.Errorf("unknown protected strategy %d", e.Strategy)
	case e.OriginalDatasetSize > math.MaxInt64:
		return fmt.Errorf("original dataset size %d too large", e.OriginalDatasetSize)
	}
	// rounded = roundUp(originalBlocks, K) and steps = rounded/K, which is
	// simply ceil(originalBlocks/K).
	steps := ceilDiv(ceilDiv(e.OriginalDatasetSize, uint64(m.BlockSize)), uint64(e.K))
	hi, want := bits.Mul64(steps, uint64(e.K)+uint64(e.M))
	if hi != 0 || m.BlocksCount() != want {
		return fmt.Errorf("broken manifest: %d blocks, but %d steps of ecK %d + ecM %d",
			m.BlocksCount(), steps, e.K, e.M)
	}
	v := e.Verification
	if v == nil {
		return nil
	}
	switch {
	case !v.VerifyRoot.Defined():
		return errors.New("verifiable manifest without verify root")
	case uint64(len(v.SlotRoots)) != uint64(e.K)+uint64(e.M):
		return fmt.Errorf("%d slot roots, want ecK+ecM = %d", len(v.SlotRoots), uint64(e.K)+uint64(e.M))
	case v.Strategy > SteppedStrategy:
		return fmt.Errorf("unknown verifiable strategy %d", v.Strategy)
	}
	for i, r := range v.SlotRoots {
		if !r.Defined() {
			return fmt.Errorf("slot root %d undefined", i)
		}
	}
	return nil
}

func ceilDiv(a, b uint64) uint64 {
	if b == 0 {
		return 0
	}
	q := a / b
	if a%b != 0 {
		q++
	}
	return q
}
