package update

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"time"

	"aead.dev/minisign"
)

// stagePrefix names the temporary files downloads go to, next to the
// executable so that installing is a rename within one directory.
const stagePrefix = ".archivist-update-"

// stallTimeout cuts a download that moves no byte for this long.
var stallTimeout = 60 * time.Second

// fetchBuild downloads b into a temporary file in dir and checks its size,
// SHA-256 and signature (which must name version and platform) as it
// streams. It returns the checked file, with mode perm; on any failure
// nothing is left behind.
func fetchBuild(ctx context.Context, client *http.Client, key minisign.PublicKey, b Build, version, platform, dir string,
	perm fs.FileMode, progress func(done, total int64)) (path string, err error) {
	// The signature is checked before anything is downloaded: a build
	// signed for another version or platform is refused at once.
	v, err := newVerifier(key, b.Signature, version, platform)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.URL, nil)
	if err != nil {
		return "", fmt.Errorf("download %s: %w", b.URL, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", unreachable(fmt.Errorf("downloading the update: %w", err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", unreachable(fmt.Errorf("downloading the update from %s: %s", b.URL, resp.Status))
	}
	if resp.ContentLength > b.Size {
		return "", refused(fmt.Errorf("the download is %d bytes, but the release feed says %d: refused", resp.ContentLength, b.Size))
	}

	f, err := os.CreateTemp(dir, stagePrefix+"*")
	if err != nil {
		return "", fmt.Errorf("cannot write next to the program (in %s) to update it: %w", dir, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()

	stall := time.AfterFunc(stallTimeout, func() {
		cancel(fmt.Errorf("the download stalled: no data for %s", stallTimeout))
	})
	defer stall.Stop()
	sum := sha256.New()
	body := v.wrap(io.TeeReader(resp.Body, sum))
	// One byte more than announced tells an oversized download from an
	// exact one without reading the rest of it.
	limited := io.LimitReader(body, b.Size+1)
	n, err := copyWithProgress(f, limited, func(done int64) {
		stall.Reset(stallTimeout)
		progress(done, b.Size)
	})
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			return "", unreachable(cause)
		}
		return "", unreachable(fmt.Errorf("downloading the update: %w", err))
	}
	switch {
	case n < b.Size:
		return "", refused(fmt.Errorf("the download is truncated: %d of %d bytes", n, b.Size))
	case n > b.Size:
		return "", refused(fmt.Errorf("the download is larger than the %d bytes the release feed says: refused", b.Size))
	}
	if got := hex.EncodeToString(sum.Sum(nil)); !strings.EqualFold(got, b.SHA256) {
		return "", refused(fmt.Errorf("the download's SHA-256 is %s, the release feed says %s: refused", got, strings.ToLower(b.SHA256)))
	}
	if err := v.check(); err != nil {
		return "", err
	}
	if err := f.Chmod(perm); err != nil {
		return "", fmt.Errorf("setting the update's mode: %w", err)
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("writing the update: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("writing the update: %w", err)
	}
	return f.Name(), nil
}

// copyWithProgress copies src to dst, reporting the bytes done after each
// write.
func copyWithProgress(dst io.Writer, src io.Reader, progress func(done int64)) (int64, error) {
	buf := make([]byte, 256<<10)
	var done int64
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			if _, err := dst.Write(buf[:n]); err != nil {
				return done, err
			}
			done += int64(n)
			progress(done)
		}
		if rerr == io.EOF {
			return done, nil
		}
		if rerr != nil {
			return done, rerr
		}
	}
}
