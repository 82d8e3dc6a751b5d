// Package scratch is what the benchmark commands share: test data written
// to disk, the sha256sum baseline over it, free loopback ports, the CPU time
// and memory of a process read from /proc, and the METRIC line every
// benchmark prints its figures in.
package scratch

import (
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// WriteFiles writes n files of size random bytes into dir, a thousand per
// subdirectory.
func WriteFiles(dir string, n, size int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	buf := make([]byte, min(size, 8<<20))
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("d%03d", i/1000))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(sub, fmt.Sprintf("f%06d.bin", i)))
		if err != nil {
			return err
		}
		for left := size; left > 0; left -= len(buf) {
			rand.Read(buf)
			if _, err := f.Write(buf[:min(left, len(buf))]); err != nil {
				f.Close()
				return err
			}
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

// Sha256sum times sha256sum over every file of dir, from a warm cache as
// the measured runs read them.
func Sha256sum(dir string) (time.Duration, error) {
	script := `find "$1" -type f -print0 | xargs -0 sha256sum >/dev/null`
	exec.Command("sh", "-c", script, "sh", dir).Run() // warm the page cache
	start := time.Now()
	if out, err := exec.Command("sh", "-c", script, "sh", dir).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("sha256sum: %v: %s", err, out)
	}
	return time.Since(start), nil
}

// FreePort is a free TCP port on loopback.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
