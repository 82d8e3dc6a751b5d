package scratch

import (
	"crypto/sha256"
	"os"
	"testing"
	"time"
)

func TestProcFiguresOfThisProcess(t *testing.T) {
	pid := os.Getpid()
	before, err := CPUSeconds(pid)
	if err != nil {
		t.Fatal(err)
	}
	// Burn about 200 ms of CPU: the counter moves in 10 ms ticks.
	buf := make([]byte, 1<<20)
	for end := time.Now().Add(200 * time.Millisecond); time.Now().Before(end); {
		sha256.Sum256(buf)
	}
	after, err := CPUSeconds(pid)
	if err != nil {
		t.Fatal(err)
	}
	if d := after - before; d < 0.1 || d > 5 {
		t.Errorf("200 ms of hashing counted as %.2f s of CPU", d)
	}
	rss, err := RSSMiB(pid)
	if err != nil {
		t.Fatal(err)
	}
	peak, err := PeakRSSMiB(pid)
	if err != nil {
		t.Fatal(err)
	}
	if rss <= 0 || peak < rss {
		t.Errorf("RSS %.1f MiB, peak %.1f MiB", rss, peak)
	}
	if _, err := CPUSeconds(1 << 30); err == nil {
		t.Error("no error for a process that does not exist")
	}
}
