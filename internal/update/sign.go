package update

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"aead.dev/minisign"
)

// SignBuild signs the executable at path as the build of version for
// platform, and describes it for the feed, to be downloaded from url. It is
// what the release tool (cmd/archivist-release) runs for every platform, and
// what the tests sign their builds with, so both follow the same rules the
// updater checks.
func SignBuild(key minisign.PrivateKey, path, url, version, platform string) (Build, error) {
	if !ValidVersion(version) {
		return Build{}, fmt.Errorf("version %q is not a semantic version", version)
	}
	if !platformRE.MatchString(platform) {
		return Build{}, fmt.Errorf("platform %q is not GOOS-GOARCH", platform)
	}
	f, err := os.Open(path)
	if err != nil {
		return Build{}, err
	}
	defer f.Close()
	sum := sha256.New()
	r := minisign.NewReader(io.TeeReader(f, sum))
	n, err := io.Copy(io.Discard, r)
	if err != nil {
		return Build{}, fmt.Errorf("reading %s: %w", path, err)
	}
	untrusted := fmt.Sprintf("signature from archivist release key %X", key.ID())
	sig := r.SignWithComments(key, TrustedComment(version, platform), untrusted)
	b := Build{URL: url, Size: n, SHA256: hex.EncodeToString(sum.Sum(nil)), Signature: string(sig)}
	if err := b.validate(); err != nil {
		return Build{}, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}
