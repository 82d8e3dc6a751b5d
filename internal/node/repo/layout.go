package repo

import (
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ipfs/go-cid"
	mbase "github.com/multiformats/go-multibase"
)

// tempPrefix marks block files (schema version 1) that were still being
// written; Open deletes them unseen.
const tempPrefix = ".tmp-"

// fileName is the lowercase hex of the binary CID. Base58 is not usable as a
// file name on the case-insensitive file systems of macOS and Windows.
func fileName(c cid.Cid) string { return hexName([]byte(c.KeyString())) }

// hexName is the file name of the binary CID key.
func hexName(key []byte) string { return hex.EncodeToString(key) }

// blockPath spreads files over 256 directories by the last two hex digits,
// which are digest bytes and therefore uniform.
func (r *Repo) blockPath(name string) string {
	return filepath.Join(r.blocksDir, name[len(name)-2:], name)
}

// removeBlockFile treats an already missing file as removed: removal only
// ever follows the metadata delete, which is what counts.
func (r *Repo) removeBlockFile(name string) {
	err := os.Remove(r.blockPath(name))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		r.log.Warn("repo: block file left behind, next start removes it", "file", r.blockPath(name), "err", err)
	}
}

func isTempName(name string) bool { return strings.HasPrefix(name, tempPrefix) }

// castCid is the CID of a key, for messages; an invalid one is Undef.
func castCid(key []byte) cid.Cid {
	c, _ := cid.Cast(key)
	return c
}

// cidString is the base58btc text form the reference node uses everywhere;
// go-cid's String would give base32 for CIDv1.
func cidString(c cid.Cid) string {
	if !c.Defined() {
		return "<undefined cid>"
	}
	return c.Encode(mbase.MustNewEncoder(mbase.Base58BTC))
}
