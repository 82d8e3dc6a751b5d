package dhtstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	ds "github.com/ipfs/go-datastore"
	"github.com/ipfs/go-datastore/query"
	dstest "github.com/ipfs/go-datastore/test"
)

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// go-datastore's own conformance suite: gets, puts, deletes, not-founds,
// queries with prefixes, filters, orders, limits, offsets and sizes,
// batches.
func TestDatastoreSuite(t *testing.T) {
	dstest.SubtestAll(t, open(t, filepath.Join(t.TempDir(), "dht.db")))
}

// The DHT deletes expired records while it iterates them; a query longer
// than one chunk sees every record once, even with deletes in between.
func TestQueryWhileDeleting(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "dht.db"))
	const n = 3*queryChunk + 17
	for i := range n {
		if err := s.Put(ctx, ds.NewKey(fmt.Sprintf("/providers/%06d", i)), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Put(ctx, ds.NewKey("/providersX/1"), []byte("other")); err != nil {
		t.Fatal(err)
	}
	res, err := s.Query(ctx, query.Query{Prefix: "/providers"})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for r := range res.Next() {
		if r.Error != nil {
			t.Fatal(r.Error)
		}
		if want := fmt.Sprintf("/providers/%06d", seen); r.Key != want {
			t.Fatalf("record %d is %s, want %s", seen, r.Key, want)
		}
		if err := s.Delete(ctx, ds.NewKey(r.Key)); err != nil {
			t.Fatal(err)
		}
		seen++
	}
	if seen != n {
		t.Fatalf("%d records seen, want %d", seen, n)
	}
	if ok, _ := s.Has(ctx, ds.NewKey("/providersX/1")); !ok {
		t.Fatal("a key outside the prefix was touched")
	}
}

// Records survive a restart; a file that is not a database is replaced.
func TestReopenAndTornFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dht.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, ds.NewKey("/a"), []byte("1")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if v, err := open(t, path).Get(ctx, ds.NewKey("/a")); err != nil || string(v) != "1" {
		t.Fatalf("after reopen: %q, %v", v, err)
	}
	torn := filepath.Join(t.TempDir(), "dht.db")
	if err := os.WriteFile(torn, []byte("not a bbolt file at all, cut short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := open(t, torn).Get(ctx, ds.NewKey("/a")); err != ds.ErrNotFound {
		t.Fatalf("a torn file: %v, want an empty store", err)
	}
}
