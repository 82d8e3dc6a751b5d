package devices

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
	"rsc.io/qr"

	"github.com/archivist-desktop/archivist/internal/node/identity"
)

// Target is a parsed device code: who to connect to and where.
type Target struct {
	Kind   string // "spr", "multiaddr" or "peerId"
	PeerID string
	// Addresses to dial, without /p2p/; none means: find the peer by its
	// ID (addresses the node knows, then the DHT).
	Addresses []string
}

// maxCode bounds a pasted code; real SPRs are well under 1 KiB.
const maxCode = 8 << 10

const expected = "expected the other device's SPR (spr:…), a multiaddr ending in /p2p/<peer ID> " +
	"(e.g. /ip4/192.168.1.20/tcp/8070/p2p/16Uiu2…), or its peer ID (16Uiu2… or 12D3KooW…)"

// ParseCode reads what a user pasted to pair a device: an SPR, whose
// signature must verify; a multiaddr with /p2p/<peer ID>; or a bare peer
// ID. It refuses anything else with a message saying what was expected.
func ParseCode(code string) (Target, error) {
	code = strings.TrimSpace(code)
	switch {
	case code == "":
		return Target{}, invalidf("no device code: %s", expected)
	case len(code) > maxCode:
		return Target{}, invalidf("the device code is %d bytes long, too long to be one: %s", len(code), expected)
	case len(code) >= 4 && strings.EqualFold(code[:4], identity.SPRPrefix):
		rec, err := identity.DecodeSPR(identity.SPRPrefix + code[4:])
		if err != nil {
			return Target{}, invalidf("not a valid SPR (signed peer record) — %v. Copy the whole code again from the other device (Devices → Share this device)", err)
		}
		t := Target{Kind: "spr", PeerID: rec.PeerID.String()}
		for _, a := range rec.Addrs {
			// This node dials TCP only; a record with only UDP
			// (archivist-node's discovery record) leaves the
			// peer ID for a lookup.
			if _, err := a.ValueForProtocol(ma.P_TCP); err == nil {
				t.Addresses = append(t.Addresses, a.String())
			}
		}
		return t, nil
	case strings.HasPrefix(code, "/"):
		m, err := ma.NewMultiaddr(code)
		if err != nil {
			return Target{}, invalidf("not a valid multiaddr (%v): %s", err, expected)
		}
		transport, id := peer.SplitAddr(m)
		if id == "" {
			return Target{}, invalidf("the multiaddr %s does not end in /p2p/<peer ID>, so it does not say which device to expect there: "+
				"copy the full address from the other device (Devices → Share this device), e.g. /ip4/192.168.1.20/tcp/8070/p2p/16Uiu2…", code)
		}
		t := Target{Kind: "multiaddr", PeerID: id.String()}
		if len(transport) > 0 {
			t.Addresses = []string{transport.String()}
		}
		return t, nil
	}
	id, err := peer.Decode(code)
	if err != nil {
		return Target{}, invalidf("not a device code: %s", expected)
	}
	return Target{Kind: "peerId", PeerID: id.String()}, nil
}

// ParsePeerID checks a peer ID given in a request.
func ParsePeerID(s string) (string, error) {
	id, err := peer.Decode(s)
	if err != nil {
		return "", invalidf("%q is not a peer ID (expected 16Uiu2… or 12D3KooW…)", s)
	}
	return id.String(), nil
}

// MaxNickname is the longest nickname, in characters.
const MaxNickname = 64

// CleanNickname makes a nickname safe to store and show: valid UTF-8,
// line breaks and tabs turned into spaces, other control characters and
// bidirectional overrides (which can make a name read as another) removed,
// surrounding space trimmed, at most MaxNickname characters. An empty
// result is returned as "" (the caller decides whether that is allowed).
func CleanNickname(s string) (string, error) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			return ' '
		case unicode.IsControl(r), isBidiControl(r):
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n > MaxNickname {
		return "", invalidf("the nickname is %d characters long; at most %d are allowed", n, MaxNickname)
	}
	return s, nil
}

func isBidiControl(r rune) bool {
	return r == '\u061c' || r == '\u200e' || r == '\u200f' ||
		(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// ShortID abbreviates a peer ID for display and default nicknames: its
// first 8 and last 6 characters.
func ShortID(id string) string {
	if len(id) <= 16 {
		return id
	}
	return id[:8] + "…" + id[len(id)-6:]
}

// ShareCode is what another device needs to pair with this one.
type ShareCode struct {
	PeerID string `json:"peerId"`
	SPR    string `json:"spr"`
	// Addresses are the node's announce addresses.
	Addresses []string `json:"addresses"`
	// Multiaddr is the most widely dialable address with /p2p/<peer ID>
	// appended, or "" when the node announces none.
	Multiaddr string `json:"multiaddr"`
	// QRPng is a PNG of the SPR as a QR code, base64; "" when the SPR is
	// too long for a QR code.
	QRPng string `json:"qrPng"`
}

// Code returns this device's pairing code, from the running node.
func (s *Service) Code(ctx context.Context) (ShareCode, error) {
	c, err := s.opts.Node()
	if err != nil {
		return ShareCode{}, err
	}
	info, err := c.Info(ctx)
	if err != nil {
		return ShareCode{}, err
	}
	out := ShareCode{PeerID: info.ID, SPR: info.SPR, Addresses: info.AnnounceAddresses}
	if out.SPR == "" {
		if out.SPR, err = c.SPR(ctx); err != nil {
			return ShareCode{}, fmt.Errorf("asking the node for its SPR: %w", err)
		}
	}
	if len(out.Addresses) == 0 {
		out.Addresses = info.Addrs
	}
	if out.Addresses == nil {
		out.Addresses = []string{}
	}
	if best := BestMultiaddr(out.Addresses); best != "" {
		out.Multiaddr = best + "/p2p/" + info.ID
	}
	if png, err := QRPNG(out.SPR); err == nil {
		out.QRPng = base64.StdEncoding.EncodeToString(png)
	} else {
		s.log.Warn("no QR code for the SPR", "err", err)
	}
	return out, nil
}

// QR returns this device's SPR as a QR code PNG.
func (s *Service) QR(ctx context.Context) ([]byte, error) {
	c, err := s.opts.Node()
	if err != nil {
		return nil, err
	}
	spr, err := c.SPR(ctx)
	if err != nil {
		return nil, err
	}
	return QRPNG(spr)
}

// QRPNG encodes text as a QR code PNG (medium error correction, or low
// when the text is too long for medium).
func QRPNG(text string) ([]byte, error) {
	if text == "" {
		return nil, fmt.Errorf("nothing to encode: the node has no SPR yet")
	}
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		if code, err = qr.Encode(text, qr.L); err != nil {
			return nil, fmt.Errorf("QR code: %w", err)
		}
	}
	code.Scale = 6
	return code.PNG(), nil
}

// BestMultiaddr picks the address another device most likely can dial:
// TCP, public before private (LAN) before anything else, loopback only
// when there is nothing else, IPv4 before IPv6, never an unspecified
// (0.0.0.0) address. It returns "" when none qualifies.
func BestMultiaddr(addrs []string) string {
	type cand struct {
		s    string
		rank int
	}
	var cands []cand
	for _, a := range addrs {
		m, err := ma.NewMultiaddr(a)
		if err != nil || manet.IsIPUnspecified(m) {
			continue
		}
		transport, _ := peer.SplitAddr(m)
		if len(transport) == 0 {
			continue
		}
		rank := 0
		if _, err := transport.ValueForProtocol(ma.P_TCP); err != nil {
			rank += 100 // this node dials TCP only
		}
		switch {
		case manet.IsIPLoopback(transport):
			rank += 30
		case manet.IsIP6LinkLocal(transport):
			rank += 20
		case manet.IsPublicAddr(transport):
		case manet.IsPrivateAddr(transport):
			rank += 10
		default:
			rank += 20
		}
		if _, err := transport.ValueForProtocol(ma.P_IP6); err == nil {
			rank++
		}
		cands = append(cands, cand{transport.String(), rank})
	}
	if len(cands) == 0 {
		return ""
	}
	return slices.MinFunc(cands, func(a, b cand) int { return a.rank - b.rank }).s
}
