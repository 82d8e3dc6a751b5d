package update

import (
	_ "embed"
	"errors"
	"fmt"
	"io"

	"aead.dev/minisign"
)

// releaseKey is the project's release signing key (see the package doc for
// how releases are signed). Only the public half is in the repository.
//
//go:embed minisign.pub
var releaseKey []byte

// ReleaseKey is the public key the project signs its releases with.
func ReleaseKey() minisign.PublicKey {
	var k minisign.PublicKey
	if err := k.UnmarshalText(releaseKey); err != nil {
		// The key is part of the binary: a bad one is a broken build.
		panic("update: the built-in release key is invalid: " + err.Error())
	}
	return k
}

// TrustedComment is the text every release signature must carry in its
// trusted comment. It binds the signed bytes to one version and platform, so
// a validly signed old build cannot be offered as a new one, nor one
// platform's build as another's.
func TrustedComment(version, platform string) string {
	return "archivist " + version + " " + platform
}

// ErrSignature means a build's signature did not verify; nothing from it is
// installed.
var ErrSignature = errors.New("signature check failed")

// verifier checks a minisign signature while the file streams through it.
type verifier struct {
	key      minisign.PublicKey
	sig      minisign.Signature
	raw      []byte
	reader   *minisign.Reader
	expected string
}

// newVerifier parses sig and checks what can be checked before any byte is
// read: the algorithm (prehashed only: the legacy one needs the whole file in
// memory), the key and the trusted comment.
func newVerifier(key minisign.PublicKey, sig, version, platform string) (*verifier, error) {
	v := &verifier{key: key, raw: []byte(sig), expected: TrustedComment(version, platform)}
	if err := v.sig.UnmarshalText(v.raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSignature, err)
	}
	if v.sig.Algorithm != minisign.HashEdDSA {
		return nil, fmt.Errorf("%w: the signature is not prehashed (sign with minisign 0.10 or later, or -H)", ErrSignature)
	}
	if v.sig.KeyID != key.ID() {
		return nil, fmt.Errorf("%w: signed by key %X, not the release key %X", ErrSignature, v.sig.KeyID, key.ID())
	}
	if v.sig.TrustedComment != v.expected {
		return nil, fmt.Errorf("%w: the signature is for %q, not %q", ErrSignature, truncate(v.sig.TrustedComment, 100), v.expected)
	}
	return v, nil
}

// wrap returns a reader that feeds what it reads into the signature check.
func (v *verifier) wrap(r io.Reader) io.Reader {
	v.reader = minisign.NewReader(r)
	return v.reader
}

// check verifies the signature over everything read through wrap. The
// library verifies the trusted comment's own signature too, so the comment
// checked by newVerifier is authentic once this passes.
func (v *verifier) check() error {
	if !v.reader.Verify(v.key, v.raw) {
		return fmt.Errorf("%w: the file does not match its signature, or the signature is forged", ErrSignature)
	}
	return nil
}
