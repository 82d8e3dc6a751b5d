package peerlink

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLoadOrCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "identity.pem")
	a, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.DeviceID().IsZero() {
		t.Fatal("zero device ID")
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", st.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".identity-*")); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	b, _ := os.ReadFile(path)
	if !bytes.HasPrefix(b, []byte("-----BEGIN PRIVATE KEY-----")) {
		t.Errorf("key file is not PKCS#8 PEM:\n%s", b)
	}

	again, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	if again.DeviceID() != a.DeviceID() {
		t.Fatalf("reload changed the device ID: %s then %s", a.DeviceID(), again.DeviceID())
	}
	// The certificate is new at each load; the ID must not depend on it.
	if bytes.Equal(again.cert.Certificate[0], a.cert.Certificate[0]) {
		t.Error("expected a freshly made certificate at each load")
	}

	other, err := LoadOrCreate(filepath.Join(t.TempDir(), "identity.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if other.DeviceID() == a.DeviceID() {
		t.Fatal("two identities share a device ID")
	}
}

func TestCertificate(t *testing.T) {
	id, err := LoadOrCreate(filepath.Join(t.TempDir(), "identity.pem"))
	if err != nil {
		t.Fatal(err)
	}
	c := id.cert.Leaf
	if c.Subject.CommonName != "archivist" || c.SignatureAlgorithm != x509.PureEd25519 {
		t.Errorf("certificate CN %q, algorithm %v", c.Subject.CommonName, c.SignatureAlgorithm)
	}
	if c.NotBefore.After(time.Now().Add(-59*time.Minute)) || c.NotAfter.Before(time.Now().AddDate(19, 11, 0)) {
		t.Errorf("validity %v – %v", c.NotBefore, c.NotAfter)
	}
	if c.SerialNumber.Sign() <= 0 {
		t.Errorf("serial %v", c.SerialNumber)
	}
	if got, err := verifyPeer([]*x509.Certificate{c}); err != nil || got != id.DeviceID() {
		t.Errorf("own certificate: %s, %v", got, err)
	}
}

func TestLoadOrCreateRefusesSharedKeyFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix mode bits")
	}
	path := filepath.Join(t.TempDir(), "identity.pem")
	if _, err := LoadOrCreate(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	_, err := LoadOrCreate(path)
	if err == nil || !strings.Contains(err.Error(), "chmod 600 "+path) || !strings.Contains(err.Error(), "0640") {
		t.Fatalf("group-readable key: err = %v", err)
	}
}

func TestLoadOrCreateCorruptFileIsKept(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(t.TempDir(), "identity.pem")
	if _, err := LoadOrCreate(good); err != nil {
		t.Fatal(err)
	}
	goodPEM, _ := os.ReadFile(good)
	cases := map[string][]byte{
		"garbage":       []byte("not a key\n"),
		"empty":         {},
		"truncated":     goodPEM[:len(goodPEM)/2],
		"trailing data": append(append([]byte{}, goodPEM...), "junk"...),
		"wrong type":    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		"ECDSA key":     pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		"bad DER":       pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}),
	}
	for name, content := range cases {
		path := filepath.Join(t.TempDir(), "identity.pem")
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadOrCreate(path)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "corrupt") {
			t.Errorf("%s: err = %v, want a corruption error naming %s", name, err, path)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(after, content) {
			t.Errorf("%s: the corrupt file was modified", name)
		}
	}
}

// Two instances starting for the first time at once must end up with the
// one key that is on disk, not each with its own.
func TestLoadOrCreateConcurrentFirstStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "identity.pem")
	const n = 8
	ids := make([]DeviceID, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id, err := LoadOrCreate(path)
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = id.DeviceID()
		})
	}
	wg.Wait()
	disk, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if id != disk.DeviceID() {
			t.Errorf("instance %d runs as %s but the key on disk is %s", i, id, disk.DeviceID())
		}
	}
}
