// Package identity is the node's libp2p identity: the secp256k1 key in
// <data-dir>/key (libp2p protobuf encoding, the same bytes archivist-node
// writes, so a data dir can move between the two nodes), the peer ID derived
// from it (16Uiu2…), and the Signed Peer Record (SPR) that tells other nodes
// how to reach this one. The key file is created 0600 and a key file that
// others can read is refused: whoever holds it can impersonate the node.
package identity

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/record"
	ma "github.com/multiformats/go-multiaddr"
)

// LoadOrCreateKey reads the node key at path, creating a new secp256k1 key
// there (mode 0600) when the file does not exist.
func LoadOrCreateKey(path string) (crypto.PrivKey, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("node key %s: %w", path, err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("node key %s has mode %04o: it must be readable by its owner only; fix it with: chmod 600 %s", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("node key %s: %w", path, err)
	}
	key, err := crypto.UnmarshalPrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("node key %s is not a libp2p private key: %w", path, err)
	}
	if key.Type() != crypto.Secp256k1 {
		return nil, fmt.Errorf("node key %s is a %s key; archivist nodes use secp256k1", path, key.Type())
	}
	return key, nil
}

func createKey(path string) (crypto.PrivKey, error) {
	key, _, err := crypto.GenerateSecp256k1Key(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating node key: %w", err)
	}
	b, err := crypto.MarshalPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encoding node key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating node key directory: %w", err)
	}
	// Write under a temporary name and link it into place: a crash leaves
	// either no key or a whole key, and O_EXCL semantics of Link keep a
	// concurrently created key instead of replacing it.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".key-*")
	if err != nil {
		return nil, fmt.Errorf("creating node key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("creating node key: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("writing node key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("writing node key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("writing node key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return LoadOrCreateKey(path)
		}
		return nil, fmt.Errorf("installing node key: %w", err)
	}
	return key, nil
}

// SPRPrefix starts the text form of a Signed Peer Record.
const SPRPrefix = "spr:"

// EncodeSPR signs a peer record for the key's peer with the given addresses
// and returns its text form: "spr:" + unpadded base64url of the envelope.
// seq orders records of one peer; archivist-node uses the unix time.
func EncodeSPR(key crypto.PrivKey, addrs []ma.Multiaddr, seq uint64) (string, error) {
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("spr: %w", err)
	}
	rec := &peer.PeerRecord{PeerID: id, Addrs: addrs, Seq: seq}
	env, err := record.Seal(rec, key)
	if err != nil {
		return "", fmt.Errorf("spr: signing: %w", err)
	}
	b, err := env.Marshal()
	if err != nil {
		return "", fmt.Errorf("spr: encoding: %w", err)
	}
	return SPRPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// DecodeSPR parses and verifies an SPR (with or without the "spr:" prefix,
// padded or not): the signature must be valid and the record's peer ID must
// be the signer's.
func DecodeSPR(s string) (*peer.PeerRecord, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), SPRPrefix)
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, fmt.Errorf("spr: not base64url: %w", err)
	}
	env, r, err := record.ConsumeEnvelope(b, peer.PeerRecordEnvelopeDomain)
	if err != nil {
		return nil, fmt.Errorf("spr: invalid signed peer record: %w", err)
	}
	rec, ok := r.(*peer.PeerRecord)
	if !ok {
		return nil, errors.New("spr: the envelope does not hold a peer record")
	}
	signer, err := peer.IDFromPublicKey(env.PublicKey)
	if err != nil || signer != rec.PeerID {
		return nil, errors.New("spr: the record was not signed by the peer it names")
	}
	return rec, nil
}
