// Package dhtstore keeps the DHT's records on disk. go-libp2p-kad-dht
// stores the provider records it holds (its own announcements and those
// of peers) in a go-datastore, by default a map in memory: two records per
// dataset, so a node holding 100,000 datasets carried some 60 MiB of them,
// growing with every upload. Store is that datastore on a bbolt file of
// its own, beside the repo's: one bucket, the datastore key as the bbolt
// key, so a prefix query is a range scan. Queries read in chunks, each in
// a short read transaction, because the DHT deletes expired records while
// it iterates them and a long read transaction would hold bbolt's writer
// off; the rest of a query (filters, orders, limits) is go-datastore's
// naive implementation over that stream. Writes are not synced: provider
// records are soft state that the node re-announces after a restart.
package dhtstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	ds "github.com/ipfs/go-datastore"
	"github.com/ipfs/go-datastore/query"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

var bucket = []byte("dht")

// queryChunk is how many records one read transaction of a query takes.
const queryChunk = 1024

// Store is a ds.Batching on a bbolt file.
type Store struct {
	db *bolt.DB
}

var _ ds.Batching = (*Store)(nil)

// Open opens or creates the store at path. A file that does not open
// (its writes are not synced, so a power cut may tear it) is replaced by
// an empty one: it only ever holds soft state. A file locked by another
// process is an error.
func Open(path string) (*Store, error) {
	opts := &bolt.Options{
		Timeout:      time.Second,
		NoSync:       true,
		FreelistType: bolt.FreelistMapType,
	}
	db, err := bolt.Open(path, 0o600, opts)
	if err != nil && !errors.Is(err, bolterrors.ErrTimeout) {
		if rerr := os.Remove(path); rerr == nil {
			db, err = bolt.Open(path, 0o600, opts)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("dht store %s: %w", path, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucket)
		return err
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("dht store %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// Get returns the value of key, or ds.ErrNotFound.
func (s *Store) Get(_ context.Context, key ds.Key) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucket).Get(key.Bytes())
		if v == nil {
			return ds.ErrNotFound
		}
		out = bytes.Clone(v)
		return nil
	})
	return out, err
}

// Has reports whether key is stored.
func (s *Store) Has(ctx context.Context, key ds.Key) (bool, error) {
	_, err := s.GetSize(ctx, key)
	if err == ds.ErrNotFound {
		return false, nil
	}
	return err == nil, err
}

// GetSize is the length of key's value, or ds.ErrNotFound.
func (s *Store) GetSize(_ context.Context, key ds.Key) (int, error) {
	n := -1
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucket).Get(key.Bytes()); v != nil {
			n = len(v)
		}
		return nil
	})
	if err == nil && n < 0 {
		return -1, ds.ErrNotFound
	}
	return n, err
}

// Put stores value under key.
func (s *Store) Put(_ context.Context, key ds.Key, value []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put(key.Bytes(), value) })
}

// Delete removes key; a missing key is not an error.
func (s *Store) Delete(_ context.Context, key ds.Key) error {
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Delete(key.Bytes()) })
}

// Batch collects writes and applies them in one transaction on Commit.
func (s *Store) Batch(context.Context) (ds.Batch, error) { return &batch{s: s}, nil }

// Sync flushes the file; the writes themselves are not synced.
func (s *Store) Sync(context.Context, ds.Key) error { return s.db.Sync() }

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// Query streams the records under q.Prefix in key order.
func (s *Store) Query(ctx context.Context, q query.Query) (query.Results, error) {
	// Cleaned as NaiveQueryApply cleans it, which then applies it exactly:
	// the scan also finds "/ab" under "/a".
	prefix := []byte(nil)
	if q.Prefix != "" {
		if p := path.Clean("/" + strings.TrimPrefix(q.Prefix, "/")); p != "/" {
			prefix = []byte(p)
		}
	}
	var (
		chunk []query.Entry
		after []byte // the last key read; the next chunk starts past it
		done  bool
		err   error
	)
	fill := func() {
		chunk = chunk[:0]
		err = s.db.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucket).Cursor()
			var k, v []byte
			if after == nil {
				k, v = c.Seek(prefix)
			} else if k, v = c.Seek(after); bytes.Equal(k, after) {
				k, v = c.Next()
			}
			for ; k != nil && bytes.HasPrefix(k, prefix) && len(chunk) < queryChunk; k, v = c.Next() {
				e := query.Entry{Key: string(k), Size: len(v)}
				if !q.KeysOnly {
					e.Value = bytes.Clone(v)
				}
				chunk = append(chunk, e)
			}
			done = k == nil || !bytes.HasPrefix(k, prefix)
			return nil
		})
		if len(chunk) > 0 {
			after = []byte(chunk[len(chunk)-1].Key)
		}
	}
	next := func() (query.Result, bool) {
		if len(chunk) == 0 && !done && err == nil {
			if err = ctx.Err(); err == nil {
				fill()
			}
		}
		if err != nil {
			e := err
			err, done, chunk = nil, true, nil
			return query.Result{Error: e}, true
		}
		if len(chunk) == 0 {
			return query.Result{}, false
		}
		e := chunk[0]
		chunk = chunk[1:]
		return query.Result{Entry: e}, true
	}
	return query.NaiveQueryApply(q, query.ResultsFromIterator(q, query.Iterator{Next: next})), nil
}

type batch struct {
	s   *Store
	ops []op
}

type op struct {
	key    []byte
	value  []byte
	delete bool
}

func (b *batch) Put(_ context.Context, key ds.Key, value []byte) error {
	b.ops = append(b.ops, op{key: key.Bytes(), value: bytes.Clone(value)})
	return nil
}

func (b *batch) Delete(_ context.Context, key ds.Key) error {
	b.ops = append(b.ops, op{key: key.Bytes(), delete: true})
	return nil
}

func (b *batch) Commit(context.Context) error {
	ops := b.ops
	b.ops = nil
	return b.s.db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucket)
		for _, o := range ops {
			var err error
			if o.delete {
				err = bk.Delete(o.key)
			} else {
				err = bk.Put(o.key, o.value)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}
