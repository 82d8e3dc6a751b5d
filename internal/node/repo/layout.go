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

// tempPrefix marks files still being written; Open deletes them unseen.
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

// writeBlockFile writes via a temp name and a rename, so a block file is
// either absent or complete even if the process dies mid-write. It does not
// sync: Batch.Commit syncs all of a batch's files at once. A file already in
// place (another open batch wrote the same block) is kept: content is
// addressed by CID, so it is the same bytes.
func (r *Repo) writeBlockFile(name string, data []byte) error {
	path := r.blockPath(name)
	if _, err := os.Lstat(path); err == nil {
		return nil
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = renameNoReplace(f.Name(), path)
		if errors.Is(err, fs.ErrExist) {
			err = nil
		}
	}
	os.Remove(f.Name()) // gone already after a successful rename
	return err
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
