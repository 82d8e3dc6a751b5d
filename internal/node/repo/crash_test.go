package repo

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Closing without Abort leaves exactly what kill -9 leaves of an open
// batch: renamed block files and temp files the DB never heard of.
func TestUncommittedBatchLeavesNothingAfterReopen(t *testing.T) {
	dir := t.TempDir()
	r, err := Open(dir, Options{Quota: DefaultQuota, TTL: DefaultTTL})
	if err != nil {
		t.Fatal(err)
	}
	a := newDataset("a", 1, 2)
	store(t, r, a)
	space := r.Space()

	b := r.NewBatch()
	for seed := uint64(10); seed < 15; seed++ {
		c, data := block(seed)
		if err := b.PutBlock(c, data); err != nil {
			t.Fatal(err)
		}
	}
	b.writers.Wait() // the background writes have landed
	// A write cut off before its rename.
	tmp := filepath.Join(r.blocksDir, "ab", tempPrefix+"123")
	if err := os.MkdirAll(filepath.Dir(tmp), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, []byte("half a blo"), 0o600); err != nil {
		t.Fatal(err)
	}
	wantFileCount(t, r, 3+5+1)
	if err := r.Close(); err != nil { // no Abort
		t.Fatal(err)
	}

	r = openTest(t, dir, Options{TTL: DefaultTTL})
	wantFileCount(t, r, 3)
	if got := r.Space(); got != space {
		t.Fatalf("space after crash = %+v, want %+v", got, space)
	}
	for i, c := range a.blocks {
		if got, err := r.GetBlock(c); err != nil || !bytes.Equal(got, a.data[i]) {
			t.Fatalf("committed block %d lost: %v", i, err)
		}
	}
	fsck(t, r)
}

// A delete killed between its commit and its file removals leaves orphans.
func TestInterruptedDeleteLeavesNothingAfterReopen(t *testing.T) {
	dir := t.TempDir()
	r, err := Open(dir, Options{Quota: DefaultQuota, TTL: DefaultTTL})
	if err != nil {
		t.Fatal(err)
	}
	a := newDataset("a", 1, 2)
	store(t, r, a)
	// Keep copies of the packs, delete, and put the files back.
	saved := map[string][]byte{}
	for _, id := range packIDs(t, r) {
		p := r.packPath(id)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		saved[p] = data
	}
	if len(saved) == 0 {
		t.Fatal("no pack written")
	}
	if err := r.DeleteDataset(a.manifest, a.tree); err != nil {
		t.Fatal(err)
	}
	for p, data := range saved {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	r = openTest(t, dir, Options{TTL: DefaultTTL})
	wantFileCount(t, r, 0)
	wantSpace(t, r, 0, 0)
}

// crashEnv names the repo dir of the helper process TestCrashHelper runs
// in, crashStartEnv the number of its first dataset and crashChunkEnv, if
// set, its stageChunk.
const (
	crashEnv      = "REPO_TEST_CRASH_DIR"
	crashStartEnv = "REPO_TEST_CRASH_START"
	crashChunkEnv = "REPO_TEST_CRASH_STAGE_CHUNK"
)

// TestCrashHelper is not a test on its own: TestKill9 re-runs the test binary
// with only this test and crashEnv set. It stores datasets in a loop, and
// deletes every third one's predecessor, printing what it completed, until
// it is killed.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("helper process for TestKill9")
	}
	start, _ := strconv.Atoi(os.Getenv(crashStartEnv))
	r, err := Open(dir, Options{Quota: DefaultQuota, TTL: DefaultTTL})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	if n, _ := strconv.Atoi(os.Getenv(crashChunkEnv)); n > 0 {
		r.stageChunk = n
	}
	for i := start; ; i++ {
		store(t, r, crashDataset(i))
		fmt.Println(i)
		if i%3 == 2 {
			prev := crashDataset(i - 1)
			if err := r.DeleteDataset(prev.manifest, prev.tree); err != nil {
				fmt.Println("delete:", err)
				os.Exit(2)
			}
			fmt.Println("deleted", i-1)
		}
	}
}

// crashDataset i shares its last block with dataset i+1 (whose first block
// it is).
func crashDataset(i int) dataset {
	n := uint64(i) * 16
	return newDataset("crash"+strconv.Itoa(i), n, n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+16)
}

// TestKill9 kills a process that is storing and deleting datasets at random
// moments, several times over the same repo, and checks after each reopen
// that the accounting matches the files exactly, that nothing uncommitted is
// left, that every dataset whose commit was reported is complete, and that
// every reported delete happened.
func TestKill9(t *testing.T) { testKill9(t, 0) }

// TestKill9Staged is TestKill9 with every commit staged over several
// transactions, so that most kills land in the middle of one.
func TestKill9Staged(t *testing.T) { testKill9(t, 2) }

func testKill9(t *testing.T, stageChunk int) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	committed := map[int]bool{}
	deleted := map[int]bool{}
	for round := range 5 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir, crashStartEnv+"="+strconv.Itoa(round*1000), crashChunkEnv+"="+strconv.Itoa(stageChunk))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			s := bufio.NewScanner(out)
			for s.Scan() {
				lines <- s.Text()
			}
			close(lines)
		}()
		// Let it get going, then kill it at a random moment.
		for seen := 0; seen < 3; {
			line, ok := <-lines
			if !ok {
				t.Fatal("helper exited early")
			}
			seen += record(t, line, committed, deleted)
		}
		time.Sleep(time.Duration(rand.IntN(30_000)) * time.Microsecond)
		cmd.Process.Kill()
		for line := range lines {
			record(t, line, committed, deleted)
		}
		cmd.Wait()

		r, err := Open(dir, Options{Quota: DefaultQuota, TTL: DefaultTTL})
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		fsck(t, r)
		for i := range committed {
			d := crashDataset(i)
			// A delete that was running when the process died may or may
			// not have committed, but never halfway.
			maybeDeleted := i%3 == 1 && committed[i+1]
			switch {
			case deleted[i]:
				if r.HasBlock(d.manifest) || r.HasBlock(d.blocks[1]) {
					t.Fatalf("round %d: deleted dataset %d still there", round, i)
				}
			case maybeDeleted && !r.HasBlock(d.manifest):
				if r.HasBlock(d.blocks[1]) { // blocks[0] is shared with i-1
					t.Fatalf("round %d: dataset %d half deleted", round, i)
				}
			default:
				if !r.HasBlock(d.manifest) {
					t.Fatalf("round %d: committed dataset %d lost its manifest", round, i)
				}
				for j, c := range d.blocks {
					if got, err := r.GetBlock(c); err != nil || !bytes.Equal(got, d.data[j]) {
						t.Fatalf("round %d: committed dataset %d block %d: %v", round, i, j, err)
					}
				}
			}
		}
		t.Logf("round %d: %d datasets committed, %d deleted so far; %+v", round, len(committed), len(deleted), r.Space())
		r.Close()
	}
}

func record(t *testing.T, line string, committed, deleted map[int]bool) int {
	var i int
	if _, err := fmt.Sscanf(line, "deleted %d", &i); err == nil {
		deleted[i] = true
		return 0
	}
	i, err := strconv.Atoi(line)
	if err != nil {
		t.Fatalf("helper: %s", line)
	}
	committed[i] = true
	return 1
}
