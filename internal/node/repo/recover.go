package repo

import (
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// removeOrphans restores "files ⊆ DB" after a crash. A killed upload leaves
// temp files and renamed files whose metadata was never committed; a killed
// delete leaves files whose metadata is already gone. Neither is reachable,
// so both are removed. Files the DB knows are complete, because they were
// synced before the transaction that recorded them.
func (r *Repo) removeOrphans() error {
	dirs, err := os.ReadDir(r.blocksDir)
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		dir := filepath.Join(r.blocksDir, d.Name())
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		var orphans []string
		err = r.db.View(func(tx *bolt.Tx) error {
			blocks := tx.Bucket(bucketBlocks)
			for _, e := range entries {
				name := e.Name()
				if isTempName(name) {
					orphans = append(orphans, name)
					continue
				}
				key, err := hex.DecodeString(name)
				if err != nil {
					continue // not ours; leave it alone
				}
				if blocks.Get(key) == nil {
					orphans = append(orphans, name)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, name := range orphans {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}
