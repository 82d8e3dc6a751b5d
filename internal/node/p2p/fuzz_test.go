package p2p

import (
	"encoding/base64"
	"testing"

	ma "github.com/multiformats/go-multiaddr"

	"github.com/archivist-desktop/archivist/internal/node/identity"
)

// FuzzDecodeSPR feeds DecodeSPR arbitrary text, which arrives from peers,
// pairing codes and --bootstrap-node: it must return a record or an error,
// never panic, and a record it accepts must be signed by the peer it names.
func FuzzDecodeSPR(f *testing.F) {
	key := newKey(f)
	good, err := identity.EncodeSPR(key, []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/8070"), ma.StringCast("/ip6/::1/tcp/1")}, 1700000000)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[4:])
	f.Add(good + "==")
	f.Add("spr:")
	f.Add("spr:CiUIAhIh")
	f.Add("spr:" + base64.RawURLEncoding.EncodeToString([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f}))
	f.Fuzz(func(t *testing.T, s string) {
		rec, err := identity.DecodeSPR(s)
		if err != nil {
			return
		}
		if rec == nil || rec.PeerID.Validate() != nil {
			t.Fatalf("accepted %q with record %+v", s, rec)
		}
	})
}
