package backups

import (
	"encoding/json"
	"io"

	bolt "go.etcd.io/bbolt"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/state"
)

type configT = config.Config

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }

func putFolderForTest(tx *bolt.Tx, f folderRecord) error {
	return state.PutJSON(tx.Bucket(bucketFolders), folderKey(f.Source, f.FolderID), f)
}
