package devices

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/archivist-desktop/archivist/internal/node/identity"
)

// FuzzParseCode: whatever is pasted as a device code, ParseCode does not
// panic, and what it accepts names a real peer ID with multiaddrs that
// parse; it accepts its own canonical forms.
func FuzzParseCode(f *testing.F) {
	key, _, _ := crypto.GenerateSecp256k1Key(nil)
	id, _ := peer.IDFromPrivateKey(key)
	spr, err := identity.EncodeSPR(key, []ma.Multiaddr{ma.StringCast("/ip4/192.168.1.20/tcp/8070")}, 1)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{spr, "SPR:" + spr[4:], spr[:len(spr)-3], "/ip4/1.2.3.4/tcp/8070/p2p/" + id.String(),
		"/p2p/" + id.String(), id.String(), "spr:", "/", "/ip4/999.1.1.1/tcp/1", "/dns4/" + strings.Repeat("a", 300) + "/tcp/1/p2p/" + id.String()} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		target, err := ParseCode(s)
		if err != nil {
			return
		}
		if _, err := peer.Decode(target.PeerID); err != nil {
			t.Fatalf("%q accepted with peer ID %q: %v", s, target.PeerID, err)
		}
		for _, a := range target.Addresses {
			if _, err := ma.NewMultiaddr(a); err != nil {
				t.Fatalf("%q accepted with address %q: %v", s, a, err)
			}
		}
		if _, err := ParseCode(target.PeerID); err != nil {
			t.Fatalf("the peer ID %q from %q is refused: %v", target.PeerID, s, err)
		}
	})
}

// FuzzCleanNickname: a cleaned nickname is valid UTF-8, at most
// MaxNickname characters, free of control and bidirectional-override
// characters and surrounding space, and cleaning it again changes nothing.
func FuzzCleanNickname(f *testing.F) {
	for _, s := range []string{"laptop", " a\tb\n", "\u202eevil", "\xff\xfe", strings.Repeat("é", 70), "\u2028x\u2029"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := CleanNickname(s)
		if err != nil {
			return
		}
		if !utf8.ValidString(n) || utf8.RuneCountInString(n) > MaxNickname || n != strings.TrimSpace(n) {
			t.Fatalf("%q cleaned to %q", s, n)
		}
		for _, r := range n {
			if unicode.IsControl(r) || isBidiControl(r) {
				t.Fatalf("%q cleaned to %q, which holds %U", s, n, r)
			}
		}
		if again, err := CleanNickname(n); err != nil || again != n {
			t.Fatalf("cleaning %q again gave %q, %v", n, again, err)
		}
	})
}

// FuzzBestMultiaddr: the pick is one of the addresses given (without its
// /p2p part), never an unspecified one, and "" only when there is nothing
// to pick.
func FuzzBestMultiaddr(f *testing.F) {
	f.Add("/ip4/0.0.0.0/tcp/8070\n/ip4/192.168.1.2/tcp/8070\n/ip6/::1/tcp/8070")
	f.Add("/ip4/127.0.0.1/udp/8090\nnot an address")
	f.Add("/p2p/16Uiu2HAmUyn7ZLu5ymRv6kuTTmR6BbRP2ZYB8dd6Ss86eRjbvzPm")
	f.Fuzz(func(t *testing.T, list string) {
		addrs := strings.Split(list, "\n")
		best := BestMultiaddr(addrs)
		if best == "" {
			return
		}
		m, err := ma.NewMultiaddr(best)
		if err != nil {
			t.Fatalf("picked %q, not a multiaddr: %v", best, err)
		}
		found := false
		for _, a := range addrs {
			if am, err := ma.NewMultiaddr(a); err == nil {
				if tr, _ := peer.SplitAddr(am); tr != nil && tr.Equal(m) {
					found = true
				}
			}
		}
		if !found {
			t.Fatalf("picked %q, which is none of %q", best, addrs)
		}
	})
}
