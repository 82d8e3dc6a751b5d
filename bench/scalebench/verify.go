package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path"
	"slices"

	"github.com/archivist-desktop/archivist/bench/internal/scratch"
)

// verifyTree proves the backup from the node's side, not from the app's
// counters: the node lists a dataset of the right size for every file of
// the tree (the names are unique across the tree), and a sample of them —
// spread over the tree, and the largest — stream back byte for byte.
func verifyTree(ctx context.Context, a *app, tree string, sizes []int64) (sampled int, err error) {
	list, err := a.c.Files(ctx)
	if err != nil {
		return 0, fmt.Errorf("listing the node's files: %w", err)
	}
	type dataset struct {
		cid  string
		size uint64
	}
	byName := make(map[string]dataset, len(list.Files))
	for _, f := range list.Files {
		byName[path.Base(f.Filename)] = dataset{f.CID, f.Size}
	}
	for i, size := range sizes {
		name := path.Base(scratch.TreePath("", i))
		s, ok := byName[name]
		if !ok {
			return 0, fmt.Errorf("the node has no dataset for %s (file %d of %d)", name, i, len(sizes))
		}
		if s.size != uint64(size) {
			return 0, fmt.Errorf("the node's %s is %d bytes, the file %d", name, s.size, size)
		}
	}
	pick := []int{int(slices.Index(sizes, slices.Max(sizes)))}
	for k := range 16 {
		pick = append(pick, k*len(sizes)/16)
	}
	slices.Sort(pick)
	pick = slices.Compact(pick)
	for _, i := range pick {
		file := scratch.TreePath(tree, i)
		want, err := sumFile(file)
		if err != nil {
			return 0, err
		}
		c, err := a.c.Content(ctx, byName[path.Base(file)].cid)
		if err != nil {
			return 0, fmt.Errorf("streaming %s back: %w", file, err)
		}
		h := sha256.New()
		_, err = io.Copy(h, c)
		c.Close()
		if err != nil {
			return 0, fmt.Errorf("streaming %s back: %w", file, err)
		}
		if string(h.Sum(nil)) != string(want) {
			return 0, fmt.Errorf("%s streamed back from the node differs from the file", file)
		}
	}
	return len(pick), nil
}

func sumFile(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	return h.Sum(nil), nil
}
