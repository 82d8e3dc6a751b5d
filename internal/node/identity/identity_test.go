package identity

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

func TestKeyCreatedPrivateStableAndSecp256k1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "key")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %o, want 600", st.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	// libp2p protobuf: {1: KeyType Secp256k1 (2), 2: 32-byte secret}
	if len(raw) != 36 || raw[0] != 0x08 || raw[1] != 0x02 || raw[2] != 0x12 || raw[3] != 0x20 {
		t.Fatalf("key file is not the libp2p secp256k1 encoding: % x", raw[:4])
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil || !k1.Equals(k2) {
		t.Fatalf("reloaded key differs: %v", err)
	}
	id, _ := peer.IDFromPrivateKey(k1)
	if !strings.HasPrefix(id.String(), "16Uiu2") {
		t.Fatalf("peer id %s, want 16Uiu2…", id)
	}
}

func TestKeyWithWideModeIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	if _, err := LoadOrCreateKey(path); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644)
	_, err := LoadOrCreateKey(path)
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("err = %v, want a refusal that says how to fix it", err)
	}
}

func TestKeyOfWrongTypeOrGarbageIsRefused(t *testing.T) {
	dir := t.TempDir()
	ed, _, _ := crypto.GenerateEd25519Key(nil)
	b, _ := crypto.MarshalPrivateKey(ed)
	os.WriteFile(filepath.Join(dir, "ed"), b, 0o600)
	if _, err := LoadOrCreateKey(filepath.Join(dir, "ed")); err == nil {
		t.Fatal("ed25519 key accepted")
	}
	os.WriteFile(filepath.Join(dir, "junk"), []byte("not a key"), 0o600)
	if _, err := LoadOrCreateKey(filepath.Join(dir, "junk")); err == nil {
		t.Fatal("garbage accepted")
	}
}

func TestSPRRoundTripAndTamperDetection(t *testing.T) {
	key, err := LoadOrCreateKey(filepath.Join(t.TempDir(), "key"))
	if err != nil {
		t.Fatal(err)
	}
	addr := ma.StringCast("/ip4/127.0.0.1/tcp/8070")
	spr, err := EncodeSPR(key, []ma.Multiaddr{addr}, 1700000000)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(spr, "spr:CiUIAhIh") {
		t.Fatalf("spr %q does not start like archivist's (envelope with a secp256k1 public key)", spr[:16])
	}
	if strings.ContainsAny(spr, "=+/") {
		t.Fatalf("spr is not unpadded base64url: %s", spr)
	}
	rec, err := DecodeSPR(spr)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := peer.IDFromPrivateKey(key)
	if rec.PeerID != id || len(rec.Addrs) != 1 || !rec.Addrs[0].Equal(addr) || rec.Seq != 1700000000 {
		t.Fatalf("decoded %+v", rec)
	}
	// Flip one character in the payload region: the signature must fail.
	b := []byte(spr)
	i := len(b) - 100
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	if _, err := DecodeSPR(string(b)); err == nil {
		t.Fatal("tampered spr accepted")
	}
	if _, err := DecodeSPR("spr:!!!"); err == nil {
		t.Fatal("garbage spr accepted")
	}
}
