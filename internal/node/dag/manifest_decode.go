package dag

import (
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"
	"google.golang.org/protobuf/encoding/protowire"
)

// DecodeManifest parses a manifest block. It accepts what the reference's
// decoder accepts, read with minprotobuf's rules (unknown fields and fields
// with an unexpected wire type are skipped, the last occurrence of a field
// wins), and additionally refuses the inputs listed at validate. Every CID
// inside must parse as CIDFromBytes parses it.
func DecodeManifest(b []byte) (*Manifest, error) {
	m, err := decodeManifest(b)
	if err != nil {
		return nil, fmt.Errorf("dag: decode manifest: %w", err)
	}
	return m, nil
}

func decodeManifest(b []byte) (*Manifest, error) {
	var header []byte
	err := pbWalk(b, func(f pbField) error {
		if f.Num == 1 && f.Type == protowire.BytesType {
			header = f.Bytes
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if header == nil {
		return nil, errors.New("no header")
	}

	m := &Manifest{}
	var treeCid, erasure []byte
	err = pbWalk(header, func(f pbField) (err error) {
		switch f.Type {
		case protowire.VarintType:
			switch f.Num {
			case 2:
				m.BlockSize, err = f.Uint32()
			case 3:
				m.DatasetSize = f.Value
			case 4:
				m.Codec, err = f.Uint32()
			case 5:
				m.HCodec, err = f.Uint32()
			case 6:
				m.Version, err = f.Uint32()
			}
		case protowire.BytesType:
			switch f.Num {
			case 1:
				treeCid = f.Bytes
			case 7:
				erasure = f.Bytes
			case 8:
				m.Filename = string(f.Bytes)
			case 9:
				m.Mimetype = string(f.Bytes)
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if m.TreeCid, err = CIDFromBytes(treeCid); err != nil {
		return nil, fmt.Errorf("tree CID: %w", err)
	}
	// As in the reference, an empty ErasureInfo means "not protected".
	if len(erasure) > 0 {
		if m.Erasure, err = decodeErasure(erasure); err != nil {
			return nil, fmt.Errorf("erasure info: %w", err)
		}
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return m, nil
}

func decodeErasure(b []byte) (*ErasureInfo, error) {
	e := &ErasureInfo{}
	var original, verification []byte
	err := pbWalk(b, func(f pbField) (err error) {
		var strategy uint32
		switch {
		case f.Type == protowire.VarintType && f.Num == 1:
			e.K, err = f.Uint32()
		case f.Type == protowire.VarintType && f.Num == 2:
			e.M, err = f.Uint32()
		case f.Type == protowire.BytesType && f.Num == 3:
			original = f.Bytes
		case f.Type == protowire.VarintType && f.Num == 4:
			e.OriginalDatasetSize = f.Value
		case f.Type == protowire.VarintType && f.Num == 5:
			strategy, err = f.Uint32()
			e.Strategy = Strategy(strategy)
		case f.Type == protowire.BytesType && f.Num == 6:
			verification = f.Bytes
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if e.OriginalTreeCid, err = CIDFromBytes(original); err != nil {
		return nil, fmt.Errorf("original tree CID: %w", err)
	}
	if len(verification) > 0 {
		if e.Verification, err = decodeVerification(verification); err != nil {
			return nil, fmt.Errorf("verification info: %w", err)
		}
	}
	return e, nil
}

func decodeVerification(b []byte) (*VerificationInfo, error) {
	v := &VerificationInfo{}
	var root []byte
	var slots [][]byte
	err := pbWalk(b, func(f pbField) (err error) {
		var strategy uint32
		switch {
		case f.Type == protowire.BytesType && f.Num == 1:
			root = f.Bytes
		case f.Type == protowire.BytesType && f.Num == 2:
			slots = append(slots, f.Bytes)
		case f.Type == protowire.VarintType && f.Num == 3:
			v.CellSize, err = f.Uint32()
		case f.Type == protowire.VarintType && f.Num == 4:
			strategy, err = f.Uint32()
			v.Strategy = Strategy(strategy)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(slots) == 0 {
		return nil, errors.New("no slot roots")
	}
	if v.VerifyRoot, err = CIDFromBytes(root); err != nil {
		return nil, fmt.Errorf("verify root: %w", err)
	}
	v.SlotRoots = make([]cid.Cid, len(slots))
	for i, s := range slots {
		if v.SlotRoots[i], err = CIDFromBytes(s); err != nil {
			return nil, fmt.Errorf("slot root %d: %w", i, err)
		}
	}
	return v, nil
}
