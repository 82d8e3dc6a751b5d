package netns

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/archivist-desktop/archivist/internal/cli"
	"github.com/archivist-desktop/archivist/internal/node/nodetest"
)

// world is the three machines of the flow: a the source, b the backup
// server, c a new machine that restores a's folder from b.
type world struct {
	t       *testing.T
	net     *network
	a, b, c *app
	bHome   string // a tmpfs, so its disk can fill up
	dir     string // a's watched folder
	folder  string // its ID
}

// TestThreeHosts runs the seed flow between three hosts and then the
// faults, each phase starting from the converged state the previous one
// left: link down mid-transfer, a lossy slow cable, kill -9 rounds, and a
// full disk on the backup server.
func TestThreeHosts(t *testing.T) {
	requireNamespaces(t)
	w := setUp(t)
	phases := []struct {
		name string
		run  func(*testing.T, *world)
	}{
		{"seed flow", seedFlow},
		{"link down during a transfer", linkDown},
		{"delay and loss", delayAndLoss},
		{"kill -9 rounds", killRounds},
		{"full disk on the backup server", fullDisk},
	}
	for _, p := range phases {
		if !t.Run(p.name, func(t *testing.T) { w.t = t; p.run(t, w) }) {
			t.Fatalf("%s failed: the later phases need what it leaves", p.name)
		}
	}
}

func setUp(t *testing.T) *world {
	t.Helper()
	n := newNetwork(t, "a", "b", "c")
	bHome := filepath.Join(os.TempDir(), fmt.Sprintf("%s%d-b-home", prefix, os.Getpid()))
	if err := os.MkdirAll(bHome, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", bHome, "tmpfs", 0, "size=2g,mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs for the backup server's disk: %v", err)
	}
	t.Cleanup(func() {
		unix.Unmount(bHome, unix.MNT_DETACH)
		os.Remove(bHome)
	})
	w := &world{t: t, net: n, bHome: bHome, dir: filepath.Join(t.TempDir(), "Alpha")}
	w.a = newApp(t, n.hosts["a"], t.TempDir())
	w.b = newApp(t, n.hosts["b"], bHome)
	w.c = newApp(t, n.hosts["c"], t.TempDir())
	return w
}

// seedFlow pairs the machines as their users would and backs a folder up:
// files added, modified and deleted on a arrive on b as versions, and c,
// a new machine, restores an older version and the newest byte for byte.
func seedFlow(t *testing.T, w *world) {
	a, b, c := w.a, w.b, w.c
	// b's user turns the backup server on and shows b's code; a's user
	// pastes it (which makes b a's backup device), b's user approves.
	if _, err := b.api.BackupServerDo(ctx(t), cli.BackupServerEnable); err != nil {
		t.Fatalf("b enables its backup server: %v", err)
	}
	codeB, err := b.api.DeviceCode(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.api.AddDevice(ctx(t), codeB.Code, "backup"); err != nil {
		t.Fatalf("a adds b: %v", err)
	}
	if err := b.api.ApproveDevice(ctx(t), a.id); err != nil {
		t.Fatalf("b approves a: %v", err)
	}
	if sync := settings(t, a)["sync"].(map[string]any); sync["backup_enabled"] != true || sync["backup_peer_address"] == "" {
		t.Fatalf("pairing with a backup server did not make it a's backup device: %v", sync)
	}

	writeFile(t, filepath.Join(w.dir, "notes.txt"), []byte("first notes"))
	writeFile(t, filepath.Join(w.dir, "empty.txt"), nil)
	writeRandom(t, filepath.Join(w.dir, "photos/2024/one.jpg"), 3<<20+4321)
	writeRandom(t, filepath.Join(w.dir, "photos/two.jpg"), 200_000)
	f, err := a.api.AddFolder(ctx(t), w.dir)
	if err != nil {
		t.Fatalf("a adds its folder: %v", err)
	}
	w.folder = f.ID
	v1 := converge(t, a, b, w.dir, w.folder, 90*time.Second)
	first := sums(t, w.dir)

	// Modified, deleted, added: a new version. The mtime must move for a
	// rescan to see a same-size change; a second is what it resolves.
	time.Sleep(1100 * time.Millisecond)
	writeFile(t, filepath.Join(w.dir, "notes.txt"), []byte("second notes, longer"))
	os.Remove(filepath.Join(w.dir, "photos/two.jpg"))
	writeRandom(t, filepath.Join(w.dir, "docs/report.pdf"), 700_000)
	v2 := converge(t, a, b, w.dir, w.folder, 90*time.Second)
	if v2 <= v1 {
		t.Fatalf("the changes made no new version (%d, then %d)", v1, v2)
	}
	versions := checkCatalog(t, b, a.id, w.folder)
	if versions[0].Sequence != v2 || versions[len(versions)-1].Sequence > v1 {
		t.Fatalf("versions %+v, want %d newest and %d kept", versions, v2, v1)
	}
	sameSums(t, "the newest version restored on b", sums(t, restore(t, b, "", a.id, w.folder, 0)), sums(t, w.dir))

	// c, a new machine, pairs with b and restores a's folder from it.
	if _, err := c.api.AddDevice(ctx(t), codeB.Code, "backup"); err != nil {
		t.Fatalf("c adds b: %v", err)
	}
	if err := b.api.ApproveDevice(ctx(t), c.id); err != nil {
		t.Fatalf("b approves c: %v", err)
	}
	sameSums(t, fmt.Sprintf("version %d restored on c", v1), sums(t, restore(t, c, b.id, a.id, w.folder, v1)), first)
	sameSums(t, "the newest version restored on c", sums(t, restore(t, c, b.id, a.id, w.folder, 0)), sums(t, w.dir))
}

// settings is the app's config as the Settings page reads it.
func settings(t *testing.T, a *app) map[string]any {
	t.Helper()
	view, err := a.api.Config(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(view.Config, &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// verify restores the newest version on b and compares it with a's folder.
func (w *world) verify(what string) {
	w.t.Helper()
	want := sums(w.t, w.dir)
	versions := checkCatalog(w.t, w.b, w.a.id, w.folder)
	if versions[0].Files != len(want) {
		w.t.Fatalf("%s: the newest version has %d files, the folder %d", what, versions[0].Files, len(want))
	}
	// Removed at once, not with the test: a soak restores the growing
	// folder every round, and hundreds of copies would fill the disk.
	dest := restore(w.t, w.b, "", w.a.id, w.folder, 0)
	defer os.RemoveAll(dest)
	sameSums(w.t, what, sums(w.t, dest), want)
}

// waitTransfer waits until b is fetching a manifest of a's and has some of
// its bytes, but not all.
func (w *world) waitTransfer(what string) {
	w.t.Helper()
	var seen []string
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		st, err := w.b.api.BackupServer(ctx(w.t))
		if err != nil {
			seen = append(seen, err.Error())
			continue
		}
		for _, m := range st.InProgress {
			seen = append(seen, fmt.Sprintf("%d: %d/%d files, %d/%d bytes, %d fetched", m.Sequence, m.FilesDone, m.TotalFiles, m.BytesDone, m.TotalBytes, m.BytesFetched))
			if m.Source == w.a.id && m.BytesFetched > 0 && m.BytesDone < m.TotalBytes {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.t.Fatalf("timed out waiting for %s; seen: %s", what, strings.Join(seen[max(0, len(seen)-20):], "; "))
}

// linkDown pulls a's cable while b fetches several MiB from it, and plugs
// it back: everything arrives.
func linkDown(t *testing.T, w *world) {
	for i := range 4 {
		writeRandom(t, filepath.Join(w.dir, "link", fmt.Sprintf("%d.bin", i)), 3<<20)
	}
	w.waitTransfer("b to fetch the new files")
	a := w.net.hosts["a"]
	w.net.setLink(a, false)
	// Long enough for every connection to notice (TCP retransmits, the
	// backup server's stall timer runs); `make soak` holds it past the
	// 60 s stall cut.
	time.Sleep(downFor())
	w.net.setLink(a, true)
	converge(t, w.a, w.b, w.dir, w.folder, 180*time.Second)
	w.verify("after the link came back")
}

func downFor() time.Duration {
	if soakRounds() > 3 {
		return 75 * time.Second
	}
	return 5 * time.Second
}

// delayAndLoss backs up through a cable that delays what a sends by 100 ms
// and loses 5 % of it.
func delayAndLoss(t *testing.T, w *world) {
	wire := w.net.hosts["a"].wire
	wire.impair(100*time.Millisecond, 0.05)
	defer wire.impair(0, 0)
	sent, dropped := wire.sent.Load(), wire.dropped.Load()
	for i := range 3 {
		writeRandom(t, filepath.Join(w.dir, "lossy", fmt.Sprintf("%d.bin", i)), 300_000+i*1000)
	}
	writeFile(t, filepath.Join(w.dir, "notes.txt"), []byte("notes written over a bad line"))
	converge(t, w.a, w.b, w.dir, w.folder, 180*time.Second)
	w.verify("over the lossy cable")
	s, d := wire.sent.Load()-sent, wire.dropped.Load()-dropped
	t.Logf("the cable lost %d of %d frames", d, s)
	if d == 0 {
		t.Fatalf("no frame was lost in %d: the impairment was not in the path", s)
	}
}

// soakRounds is ARCHIVIST_SOAK_ROUNDS, 3 by default.
func soakRounds() int {
	if n, err := strconv.Atoi(os.Getenv("ARCHIVIST_SOAK_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 3
}

// killRounds kills, at a random moment after a batch of changes, the app
// or the node of a or b, restarts what was killed (the supervisor restarts
// a node by itself) and checks that b has all of it, once.
func killRounds(t *testing.T, w *world) {
	type victim struct {
		name string
		kill func()
	}
	restartApp := func(x *app) func() {
		return func() {
			x.kill9()
			x.start()
			// The new app stopped the orphaned node: one node per host.
			if n := processes(t, x.host.ns); n != 2 {
				t.Fatalf("%s: %d processes after the restart, want the app and one node", x.host.name, n)
			}
		}
	}
	victims := []victim{
		{"a's app", restartApp(w.a)},
		{"a's node", w.a.killNode},
		{"b's app", restartApp(w.b)},
		{"b's node", w.b.killNode},
	}
	rounds := soakRounds()
	for r := range rounds {
		i := rand.IntN(len(victims))
		if r < len(victims) {
			i = r // every victim at least once when there are enough rounds
		}
		// A node killed within seconds of each start is a crash loop,
		// which the supervisor answers by giving up (and has its own
		// tests): a young node is let grow up before this round begins.
		if x := []*app{w.a, w.a, w.b, w.b}[i]; i%2 == 1 {
			if st, err := x.nodeStatus(); err == nil && st.UptimeSeconds < nodeStableSeconds {
				time.Sleep(time.Duration(nodeStableSeconds-st.UptimeSeconds) * time.Second)
			}
		}
		v := victims[i]
		changeFolder(t, w.dir, r)
		at := time.Duration(rand.IntN(3000)) * time.Millisecond
		time.Sleep(at) // the random moment: scanning, uploading, publishing or fetching
		t.Logf("round %d/%d: kill -9 %s %s after the changes", r+1, rounds, v.name, at)
		v.kill()
		converge(t, w.a, w.b, w.dir, w.folder, 180*time.Second)
		w.verify(fmt.Sprintf("round %d (%s killed)", r+1, v.name))
	}
}

// nodeStableSeconds is a little over the supervisor's Backoff.StableAfter:
// a node killed after running this long is always restarted.
const nodeStableSeconds = 11

// changeFolder adds, modifies and deletes a few files.
func changeFolder(t *testing.T, dir string, round int) {
	t.Helper()
	for i := range 3 {
		writeRandom(t, filepath.Join(dir, "rounds", fmt.Sprintf("r%03d-%d.bin", round, i)), 64<<10+rand.IntN(2<<20))
	}
	writeFile(t, filepath.Join(dir, "notes.txt"), []byte(strings.Repeat(fmt.Sprintf("notes of round %d\n", round), round+2)))
	if round > 0 {
		os.Remove(filepath.Join(dir, "rounds", fmt.Sprintf("r%03d-0.bin", round-1)))
	}
}

// processes counts what runs in a namespace.
func processes(t *testing.T, ns string) int {
	out, err := exec.Command("ip", "netns", "pids", ns).Output()
	if err != nil {
		t.Fatalf("ip netns pids %s: %v", ns, err)
	}
	return len(strings.Fields(string(out)))
}

// fullDisk fills b's disk with a backup: the failure is reported with a
// reason a user understands, what b kept stays intact, and once there is
// room the backup completes.
func fullDisk(t *testing.T, w *world) {
	before := sums(t, w.dir)
	var fs unix.Statfs_t
	if err := unix.Statfs(w.bHome, &fs); err != nil {
		t.Fatal(err)
	}
	used := (fs.Blocks - fs.Bfree) * uint64(fs.Bsize)
	remount(t, w.bHome, used+32<<20)
	for i := range 6 {
		writeRandom(t, filepath.Join(w.dir, "big", fmt.Sprintf("%d.bin", i)), 8<<20)
	}
	var reason string
	nodetest.WaitFor(t, "b to report the full disk", 120*time.Second, func() bool {
		st, err := w.b.api.BackupServer(ctx(t))
		if err != nil {
			return false
		}
		for _, m := range append(st.Failed, st.InProgress...) {
			if m.Source == w.a.id && m.Error != "" {
				reason = m.Error
			}
			for _, f := range m.FailedFiles {
				if reason == "" {
					reason = f.Error
				}
			}
		}
		for _, s := range st.Sources {
			if s.Device == w.a.id && s.LastError != "" && reason == "" {
				reason = s.LastError
			}
		}
		return reason != ""
	})
	t.Logf("b reports: %s", reason)
	if !strings.Contains(strings.ToLower(reason), "space") {
		t.Errorf("the reason does not say the disk is full: %q", reason)
	}
	// What b kept is intact: the last complete version restores as it was.
	sameSums(t, "the last version while the disk is full", sums(t, restore(t, w.b, "", w.a.id, w.folder, 0)), before)

	if err := unix.Statfs(w.bHome, &fs); err != nil {
		t.Fatal(err)
	}
	remount(t, w.bHome, (fs.Blocks-fs.Bfree)*uint64(fs.Bsize)+1<<30)
	// The user presses Retry on what failed.
	if st, err := w.b.api.BackupServer(ctx(t)); err == nil {
		for _, m := range st.Failed {
			if err := w.b.api.RetryManifest(ctx(t), m.Source, m.FolderID, m.Sequence); err != nil {
				t.Fatalf("retry of manifest %d: %v", m.Sequence, err)
			}
		}
	}
	converge(t, w.a, w.b, w.dir, w.folder, 180*time.Second)
	w.verify("after the disk was enlarged")
}

func remount(t *testing.T, dir string, size uint64) {
	t.Helper()
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_REMOUNT, fmt.Sprintf("size=%d,mode=0700", size)); err != nil {
		t.Fatalf("resizing b's disk to %d bytes: %v", size, err)
	}
}
