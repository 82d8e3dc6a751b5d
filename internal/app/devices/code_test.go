package devices

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	lprecord "github.com/libp2p/go-libp2p/core/record"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/archivist-desktop/archivist/internal/node/identity"
)

func TestParseCode(t *testing.T) {
	key, _, _ := crypto.GenerateSecp256k1Key(nil)
	id, _ := peer.IDFromPrivateKey(key)
	tcp, _ := ma.NewMultiaddr("/ip4/192.168.1.20/tcp/8070")
	udp, _ := ma.NewMultiaddr("/ip4/192.168.1.20/udp/8090")
	spr, err := identity.EncodeSPR(key, []ma.Multiaddr{udp, tcp}, 1)
	if err != nil {
		t.Fatal(err)
	}
	udpOnly, _ := identity.EncodeSPR(key, []ma.Multiaddr{udp}, 1)
	for _, tc := range []struct {
		code, kind string
		addrs      []string
	}{
		{spr, "spr", []string{"/ip4/192.168.1.20/tcp/8070"}},
		{"SPR:" + strings.TrimPrefix(spr, "spr:"), "spr", []string{"/ip4/192.168.1.20/tcp/8070"}},
		// archivist-node's record holds only its UDP discovery address:
		// the peer is looked up by ID instead of failing.
		{udpOnly, "spr", nil},
		{"/ip4/192.168.1.20/tcp/8070/p2p/" + id.String(), "multiaddr", []string{"/ip4/192.168.1.20/tcp/8070"}},
		{"/p2p/" + id.String(), "multiaddr", nil},
		{" " + id.String() + "\n", "peerId", nil},
	} {
		got, err := ParseCode(tc.code)
		if err != nil || got.Kind != tc.kind || got.PeerID != id.String() || strings.Join(got.Addresses, ",") != strings.Join(tc.addrs, ",") {
			t.Errorf("ParseCode(%.30q) = %+v, %v", tc.code, got, err)
		}
	}
	other, _, _ := crypto.GenerateSecp256k1Key(nil)
	for _, bad := range []string{"", "x", "spr:", "spr:!!", "/ip4/1.2.3.4/tcp/1", "/nope", "/ip4/1.2.3.4/tcp/1/p2p/zz",
		"16Uiu2HAmQ1vDxHRCyJszUg8dv2LCY9fXRPLYgFrWhu3nC2uG1n8", strings.Repeat("a", 9000),
		// a record signed by another key than the one it names
		forge(t, other, id, []ma.Multiaddr{tcp})} {
		if _, err := ParseCode(bad); !errors.Is(err, ErrInvalid) || err.Error() == "" {
			t.Errorf("ParseCode(%.30q): %v, want ErrInvalid", bad, err)
		}
	}
}

// forge is a valid envelope, signed by key, over a record that names
// another peer (victim): DecodeSPR must refuse it.
func forge(t *testing.T, key crypto.PrivKey, victim peer.ID, addrs []ma.Multiaddr) string {
	t.Helper()
	env, err := lprecord.Seal(&peer.PeerRecord{PeerID: victim, Addrs: addrs, Seq: 1}, key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return "spr:" + base64.RawURLEncoding.EncodeToString(b)
}

func TestCleanNickname(t *testing.T) {
	for in, want := range map[string]string{
		"  Laptop  ":            "Laptop",
		"a\tb\nc\r\nd":          "a b c  d",
		"evil\u202egnp.exe":     "evilgnp.exe",
		"bell\x07\x00":          "bell",
		"bad\xffutf8":           "bad\ufffdutf8",
		"👩‍💻 desk":              "👩‍💻 desk",
		strings.Repeat("é", 64): strings.Repeat("é", 64),
		"\x1b[31mred\x1b[0m":    "[31mred[0m",
		"":                      "",
		" \x01 ":                "",
	} {
		got, err := CleanNickname(in)
		if err != nil || got != want {
			t.Errorf("CleanNickname(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := CleanNickname(strings.Repeat("é", 65)); !errors.Is(err, ErrInvalid) {
		t.Errorf("65 characters: %v", err)
	}
}

func TestBestMultiaddr(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"/ip4/127.0.0.1/tcp/8070", "/ip4/192.168.1.5/tcp/8070", "/ip4/93.184.216.34/tcp/8070"}, "/ip4/93.184.216.34/tcp/8070"},
		{[]string{"/ip4/127.0.0.1/tcp/8070", "/ip6/fd00::1/tcp/8070", "/ip4/10.0.0.2/tcp/8070"}, "/ip4/10.0.0.2/tcp/8070"},
		{[]string{"/ip4/0.0.0.0/tcp/8070", "/ip4/127.0.0.1/tcp/8070"}, "/ip4/127.0.0.1/tcp/8070"},
		{[]string{"/ip4/192.168.1.5/udp/8090", "/ip4/127.0.0.1/tcp/8070"}, "/ip4/127.0.0.1/tcp/8070"},
		{[]string{"/ip4/192.168.1.5/tcp/8070/p2p/16Uiu2HAmQ1vDxHRCyJszUg8dv2LCY9fXRPLYgFrWhu3nC2uG1n8s"}, "/ip4/192.168.1.5/tcp/8070"},
		{[]string{"/ip4/0.0.0.0/tcp/1", "garbage"}, ""},
		{nil, ""},
	} {
		if got := BestMultiaddr(tc.in); got != tc.want {
			t.Errorf("BestMultiaddr(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
