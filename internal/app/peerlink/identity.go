package peerlink

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// Identity is this instance's key and a self-signed certificate for it.
type Identity struct {
	cert tls.Certificate
	id   DeviceID
}

const (
	pemType = "PRIVATE KEY" // PKCS#8
	// maxKeyFile bounds what is read: a PEM Ed25519 key is ~120 bytes, so a
	// huge file is certainly not one and must not be slurped into memory.
	maxKeyFile = 16 << 10
)

// LoadOrCreate reads the Ed25519 private key at path (PKCS#8 PEM), creating
// it (mode 0600) when the file does not exist. An existing file is never
// replaced: it is this device's identity, and a new key would silently
// un-pair every peer.
func LoadOrCreate(path string) (*Identity, error) {
	key, err := loadKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createKey(path)
	}
	if err != nil {
		return nil, err
	}
	return newIdentity(key)
}

func loadKey(path string) (ed25519.PrivateKey, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("identity key %s: %w", path, err)
	}
	defer f.Close()
	// Stat the open file, not the path, so the mode checked is the mode of
	// the bytes read.
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("identity key %s: %w", path, err)
	}
	// Windows has no mode bits (Go reports 0666 for any writable file); its
	// ACLs on the user profile do this job there.
	if perm := st.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("identity key %s has mode %04o; it must be readable by its owner only (chmod 600 %s)", path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("identity key %s: %w", path, err)
	}
	key, err := parseKey(b)
	if err != nil {
		return nil, fmt.Errorf("identity key %s is corrupt: %v; it was left as it is: restore it from a backup, or delete it to create a new identity (every paired device must then be paired again)", path, err)
	}
	return key, nil
}

func parseKey(b []byte) (ed25519.PrivateKey, error) {
	if len(b) > maxKeyFile {
		return nil, errors.New("file too large")
	}
	block, rest := pem.Decode(b)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	if block.Type != pemType {
		return nil, fmt.Errorf("PEM block is %q, want %q", block.Type, pemType)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, errors.New("unexpected data after the key")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an Ed25519 key", k)
	}
	return key, nil
}

func createKey(path string) (ed25519.PrivateKey, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating identity key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encoding identity key: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".identity-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("creating identity key: %w", err)
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(0o600)
	if err == nil {
		err = pem.Encode(tmp, &pem.Block{Type: pemType, Bytes: der})
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("writing identity key %s: %w", path, err)
	}
	// Link rather than rename: both put a complete file in place atomically,
	// but Link fails if the name exists, so when two instances race on first
	// start the loser adopts the winner's key instead of overwriting it (and
	// running with a key that is no longer on disk). Same as the node key.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return loadKey(path)
		}
		return nil, fmt.Errorf("installing identity key %s: %w", path, err)
	}
	syncDir(dir)
	return key, nil
}

// syncDir makes the new directory entry durable, so a power cut right after
// first start cannot lose a key that peers may already have pinned. It is
// best effort: some platforms (Windows) cannot open a directory for sync, and
// the key itself is already safely written.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// newIdentity makes a fresh certificate for key. Making it at every load
// instead of storing it leaves one file to protect and back up, and the
// device ID does not depend on it.
func newIdentity(key ed25519.PrivateKey) (*Identity, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("certificate serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "archivist"},
		// An hour of slack for peers whose clocks run behind; peerlink
		// itself does not check validity dates (see the package comment).
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("creating certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("creating certificate: %w", err)
	}
	return &Identity{
		cert: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf},
		id:   deviceIDOf(leaf),
	}, nil
}

// DeviceID is this instance's ID, the one peers pin.
func (id *Identity) DeviceID() DeviceID { return id.id }
