package link

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/archivist-desktop/archivist/internal/app/peerlink"
	"github.com/archivist-desktop/archivist/internal/node/identity"
)

// nodeRecord is a real signed peer record of a fresh node key.
func nodeRecord(tb testing.TB) (spr string, id peer.ID) {
	tb.Helper()
	key, _, err := crypto.GenerateSecp256k1Key(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	spr, err = identity.EncodeSPR(key, []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/8070")}, 1)
	if err != nil {
		tb.Fatal(err)
	}
	id, _ = peer.IDFromPrivateKey(key)
	return spr, id
}

func testCode(tb testing.TB) Code {
	tb.Helper()
	spr, id := nodeRecord(tb)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	var dev peerlink.DeviceID
	copy(dev[:], priv.Public().(ed25519.PublicKey))
	return Code{Device: dev, Name: "laptop", SPR: spr, NodePeerID: id.String(), Addrs: []string{"192.168.1.20:8085", "[fe80::1]:8085"}}
}

// TestCodeNamesTheNodeOfItsRecord: a code whose node peer ID is not the
// one its signed record is for (a device claiming another's node, whose
// manifests the backup server would then take as its own) is refused, and
// addresses that are not host:port are dropped rather than dialed.
func TestCodeNamesTheNodeOfItsRecord(t *testing.T) {
	good := testCode(t)
	c, err := ParseCode(good.String())
	if err != nil || !reflect.DeepEqual(c, good) {
		t.Fatalf("a real code: %v\n%+v\n%+v", err, c, good)
	}

	_, other := nodeRecord(t)
	forged := good
	forged.NodePeerID = other.String()
	if _, err := ParseCode(forged.String()); err == nil || !strings.Contains(err.Error(), "carries the record of") {
		t.Fatalf("another node's peer ID: %v", err)
	}
	forged.NodePeerID = "../../etc"
	if _, err := ParseCode(forged.String()); err == nil {
		t.Fatal("a node peer ID that is not one was accepted")
	}
	forged = good
	forged.SPR = "spr:AAAA"
	if _, err := ParseCode(forged.String()); err == nil {
		t.Fatal("a damaged record was accepted")
	}

	junk := good
	junk.Addrs = []string{"/ip4/1.2.3.4/tcp/1", "host", ":8085", "h:0", "h:99999", "a/b:1", "ok.example:8085"}
	for range 20 {
		junk.Addrs = append(junk.Addrs, "10.0.0.1:1")
	}
	c, err = ParseCode(junk.String())
	if err != nil {
		t.Fatal(err)
	}
	if c.Addrs[0] != "ok.example:8085" || len(c.Addrs) != 16 {
		t.Fatalf("addresses kept: %q", c.Addrs)
	}
}

// FuzzParseCode: whatever is pasted or sent to /v1/pair, ParseCode does
// not panic, and what it accepts is whole and consistent: a device, a node
// record that verifies and names the node, at most 16 dialable addresses;
// and it survives its own encoding unchanged.
func FuzzParseCode(f *testing.F) {
	good := testCode(f)
	f.Add(good.String())
	f.Add(CodePrefix)
	f.Add(CodePrefix + "e30")                   // {}
	f.Add(CodePrefix + "bnVsbA")                // null
	f.Add(CodePrefix + "W10")                   // []
	f.Add(good.String()[:len(good.String())/2]) // truncated
	f.Add("  " + good.String() + "\n")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCode(s)
		if err != nil {
			return
		}
		rec, err := identity.DecodeSPR(c.SPR)
		if err != nil || c.Device.IsZero() || rec.PeerID.String() != c.NodePeerID || len(c.Addrs) > 16 {
			t.Fatalf("accepted an inconsistent code: %+v (%v)", c, err)
		}
		for _, a := range c.Addrs {
			if !validHostPort(a) {
				t.Fatalf("kept address %q", a)
			}
		}
		again, err := ParseCode(c.String())
		if err != nil || !reflect.DeepEqual(again, c) {
			t.Fatalf("round trip: %v\n%+v\n%+v", err, c, again)
		}
	})
}

// TestLargeAnswers: a manifest list or catalog far above the request limit
// (a source with many folders, a server with many versions) is read whole;
// an answer above maxAnswer is refused with the reason, not truncated into
// "not JSON".
func TestLargeAnswers(t *testing.T) {
	server, err := peerlink.LoadOrCreate(filepath.Join(t.TempDir(), "server.pem"))
	if err != nil {
		t.Fatal(err)
	}
	client, err := peerlink.LoadOrCreate(filepath.Join(t.TempDir(), "client.pem"))
	if err != nil {
		t.Fatal(err)
	}
	entries := 0
	srv := server.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if entries < 0 { // valid JSON, one byte too long
			w.Write([]byte(`{"manifests":[]}` + strings.Repeat(" ", maxAnswer-15)))
			return
		}
		list := ManifestList{Manifests: make([]ManifestInfo, entries)}
		for i := range list.Manifests {
			list.Manifests[i] = ManifestInfo{FolderID: fmt.Sprintf("folder-%d", i/16), FolderName: "Documents", SequenceNumber: uint64(i)}
		}
		writeJSON(w, http.StatusOK, list)
	}), nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })

	s := &Service{opts: Options{Identity: client}, log: slog.Default()}
	p := Peer{Device: server.DeviceID(), Name: "source", Addrs: []string{ln.Addr().String()}}
	entries = 64 * 16 // 64 folders
	var out ManifestList
	if err := s.call(context.Background(), p, http.MethodGet, "/v1/manifests", nil, &out); err != nil || len(out.Manifests) != entries {
		t.Fatalf("a %d-entry list: %v, %d read", entries, err, len(out.Manifests))
	}
	entries = -1
	if err := s.call(context.Background(), p, http.MethodGet, "/v1/manifests", nil, &out); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("an answer above maxAnswer: %v", err)
	}
}
