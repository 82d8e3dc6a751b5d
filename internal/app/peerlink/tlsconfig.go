package peerlink

import (
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// WrongDeviceError is a client's refusal of a server whose device ID is not
// the pinned one: typically the peer was reinstalled (new key) or its address
// now belongs to another machine. Either way, re-pairing is the remedy.
type WrongDeviceError struct {
	Got, Want DeviceID
}

func (e *WrongDeviceError) Error() string {
	return fmt.Sprintf("the device at this address is %s, not the paired device %s", e.Got.ShortString(), e.Want.ShortString())
}

// ServerConfig accepts any client that proves possession of an Ed25519 key in
// a well-formed self-signed certificate. It requires a certificate from every
// client, even unknown ones, because an unknown client may be asking to pair
// and the handler needs its ID to decide.
func (id *Identity) ServerConfig() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{id.cert},
		// Not RequireAndVerifyClientCert: that would need a CA pool, and
		// trust here comes from pinned IDs checked by handlers.
		ClientAuth: tls.RequireAnyClientCert,
		VerifyConnection: func(cs tls.ConnectionState) error {
			_, err := verifyPeer(cs.PeerCertificates)
			return err
		},
		NextProtos: []string{"http/1.1"},
		// Resumption would let a connection skip the signature that proves
		// the client holds its key.
		SessionTicketsDisabled: true,
	}
}

// ClientConfig connects only to the device expect. InsecureSkipVerify turns
// off CA and host-name checks, which mean nothing for self-signed peers; the
// pinned device ID in VerifyConnection replaces them.
func (id *Identity) ClientConfig(expect DeviceID) *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS13,
		Certificates:       []tls.Certificate{id.cert},
		InsecureSkipVerify: true,
		// VerifyConnection rather than VerifyPeerCertificate: it runs on
		// every handshake, resumed or not, so the pin can never be skipped.
		VerifyConnection: func(cs tls.ConnectionState) error {
			got, err := verifyPeer(cs.PeerCertificates)
			if err != nil {
				return err
			}
			if got != expect {
				return &WrongDeviceError{Got: got, Want: expect}
			}
			return nil
		},
		NextProtos:             []string{"http/1.1"},
		SessionTicketsDisabled: true,
	}
}

// verifyPeer checks that the peer sent exactly one certificate, self-signed
// with Ed25519. The TLS 1.3 handshake has already checked that the peer
// signed the transcript with that certificate's key; this only refuses junk
// and keeps every device on one key type, so IDs stay comparable.
func verifyPeer(certs []*x509.Certificate) (DeviceID, error) {
	if len(certs) != 1 {
		return DeviceID{}, fmt.Errorf("peer sent %d certificates, want exactly 1", len(certs))
	}
	c := certs[0]
	if _, ok := c.PublicKey.(ed25519.PublicKey); !ok || c.SignatureAlgorithm != x509.PureEd25519 {
		return DeviceID{}, errors.New("peer certificate is not an Ed25519 certificate")
	}
	// CheckSignature, not CheckSignatureFrom: the latter insists that the
	// signer be a CA, which a device certificate is not.
	if err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
		return DeviceID{}, fmt.Errorf("peer certificate is not self-signed: %w", err)
	}
	return deviceIDOf(c), nil
}

// PeerID returns the device ID of the peer of a TLS connection (for
// handlers: r.TLS).
func PeerID(cs *tls.ConnectionState) (DeviceID, error) {
	if cs == nil {
		return DeviceID{}, errors.New("not a TLS connection")
	}
	if len(cs.PeerCertificates) == 0 {
		return DeviceID{}, errors.New("peer presented no certificate")
	}
	return deviceIDOf(cs.PeerCertificates[0]), nil
}
