package peerlink

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base32"
	"fmt"
	"strings"
)

// DeviceID identifies an app instance: SHA-256 of its certificate's
// SubjectPublicKeyInfo (DER), so re-issuing the certificate for the same key
// keeps the ID.
type DeviceID [32]byte

const (
	idChars   = 52 // ceil(256/5) base32 characters
	groupSize = 4
)

// b32 has no padding: padding carries no information for a fixed-size value
// and "=" would be one more thing for a person to copy wrongly.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func deviceIDOf(cert *x509.Certificate) DeviceID {
	return sha256.Sum256(cert.RawSubjectPublicKeyInfo)
}

// String is RFC 4648 base32 in groups of four separated by dashes, the form
// people read aloud or compare when pairing.
func (d DeviceID) String() string {
	s := b32.EncodeToString(d[:])
	var b strings.Builder
	b.Grow(idChars + idChars/groupSize)
	for i := 0; i < len(s); i += groupSize {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s[i:min(i+groupSize, len(s))])
	}
	return b.String()
}

// ShortString is the first two groups (40 bits): enough to tell devices apart
// in logs and messages, far too short to pin. Pinning always uses the full ID.
func (d DeviceID) ShortString() string {
	return d.String()[:2*groupSize+1]
}

// IsZero reports the zero value, which no real key hashes to and which marks
// "no device" in configuration.
func (d DeviceID) IsZero() bool { return d == DeviceID{} }

// ParseDeviceID accepts the String form, in either case, with dashes, spaces
// or no separators at all, so that IDs pasted from chat, mail or a terminal
// work as typed.
func ParseDeviceID(s string) (DeviceID, error) {
	var d DeviceID
	norm := strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, strings.TrimSpace(s))
	if len(norm) != idChars {
		return d, fmt.Errorf("not a device ID: %s (want %d base32 characters, got %d)", quote(s), idChars, len(norm))
	}
	for i, r := range norm {
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			return d, fmt.Errorf("not a device ID: %s (character %d, %q, is not in A-Z or 2-7)", quote(s), i+1, r)
		}
	}
	n, err := b32.Decode(d[:], []byte(norm))
	if err != nil || n != len(d) {
		return DeviceID{}, fmt.Errorf("not a device ID: %s", quote(s))
	}
	// 52 characters carry 260 bits for 256; the decoder ignores the 4 spare
	// bits, so without this check 16 different strings would name one device.
	if b32.EncodeToString(d[:]) != norm {
		return DeviceID{}, fmt.Errorf("not a device ID: %s (the last character is not valid there)", quote(s))
	}
	return d, nil
}

// quote keeps error messages readable when the input is a pasted paragraph.
func quote(s string) string {
	const max = 80
	if len(s) > max {
		return fmt.Sprintf("%q…", s[:max])
	}
	return fmt.Sprintf("%q", s)
}

// MarshalText makes DeviceID a JSON string and a valid JSON map key.
func (d DeviceID) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText accepts everything ParseDeviceID does.
func (d *DeviceID) UnmarshalText(b []byte) error {
	id, err := ParseDeviceID(string(b))
	if err != nil {
		return err
	}
	*d = id
	return nil
}
