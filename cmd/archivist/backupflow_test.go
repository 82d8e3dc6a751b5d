package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/node/nodetest"
)

// instance is an `archivist serve` process with its own home, ports and
// node: a machine of the backup flow.
type instance struct {
	t    *testing.T
	name string
	home string
	cmd  *exec.Cmd
	done chan struct{}
	log  *nodetest.Buffer
}

// newInstance prepares a home whose config puts the node and the link
// servers on free ports; backupServer turns the backup server on.
func newInstance(t *testing.T, name string, backupServer bool) *instance {
	t.Helper()
	home := t.TempDir()
	cfg := string(nodetest.AppConfig(t)) + fmt.Sprintf(
		"\n[manifest_server]\nport = %d\n\n[backup_server]\nenabled = %v\ntrigger_port = %d\npoll_interval_secs = 2\n",
		nodetest.FreePort(t), backupServer, nodetest.FreePort(t))
	if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	in := &instance{t: t, name: name, home: home, log: &nodetest.Buffer{}}
	in.start()
	t.Cleanup(in.stop)
	return in
}

// start runs the app and waits for its node.
func (in *instance) start() {
	in.t.Helper()
	cmd := exec.Command(nodetest.Binary(in.t), "serve", "--home", in.home, "--gui-address", "127.0.0.1:0", "--link-address", "127.0.0.1")
	// Loopback only: no port mapping, no LAN multicast.
	cmd.Env = append(os.Environ(), "ARCHIVIST_NAT=none", "ARCHIVIST_MDNS=false")
	cmd.Stdout, cmd.Stderr = in.log, in.log
	if err := cmd.Start(); err != nil {
		in.t.Fatal(err)
	}
	in.cmd, in.done = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(in.done) }()
	waitNodeRunning(in.t, in.home)
}

// stop ends the app as a user quitting it does.
func (in *instance) stop() {
	if in.cmd == nil {
		return
	}
	nodetest.Terminate(in.cmd.Process, in.done, 30*time.Second)
	in.cmd = nil
}

// kill9 ends the app as a crash does; its node is left behind, an orphan
// the next start must deal with.
func (in *instance) kill9() {
	in.cmd.Process.Kill()
	<-in.done
	in.cmd = nil
}

// cli runs a CLI verb against the instance and fails on a non-zero exit.
func (in *instance) cli(args ...string) string {
	in.t.Helper()
	r := run(in.t, append(args, "--home", in.home)...)
	if r.code != 0 {
		in.t.Fatalf("%s: archivist %s: %s\napp log:\n%s", in.name, strings.Join(args, " "), r, tail(in.log.String(), 3000))
	}
	return r.out
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// deviceCode is the instance's device code and device ID.
func (in *instance) deviceCode() (code, id string) {
	in.t.Helper()
	var c struct {
		Code     string `json:"code"`
		DeviceID string `json:"deviceId"`
	}
	if err := json.Unmarshal([]byte(in.cli("devices", "code", "--json")), &c); err != nil || c.Code == "" {
		in.t.Fatalf("device code: %v %+v", err, c)
	}
	return c.Code, c.DeviceID
}

// serverState is the backup server's state as `backup-server status --json`
// prints it (the fields this test reads).
type serverState struct {
	Totals struct {
		ManifestsProcessed int   `json:"manifestsProcessed"`
		FilesDownloaded    int   `json:"filesDownloaded"`
		BytesDownloaded    int64 `json:"bytesDownloaded"`
	} `json:"totals"`
	Sources []struct {
		Device     string `json:"device"`
		LastError  string `json:"lastError"`
		Rejections []struct {
			Sequence uint64 `json:"sequence"`
			Reason   string `json:"reason"`
		} `json:"rejections"`
		Folders []struct {
			Name    string `json:"name"`
			LastSeq uint64 `json:"lastSequence"`
			Files   int    `json:"files"`
		} `json:"folders"`
	} `json:"sources"`
	InProgress []struct {
		FilesFetched int `json:"filesFetched"`
	} `json:"inProgress"`
}

func (in *instance) serverState() serverState {
	in.t.Helper()
	var st serverState
	if err := json.Unmarshal([]byte(in.cli("backup-server", "status", "--json")), &st); err != nil {
		in.t.Fatal(err)
	}
	return st
}

// folderSeq is the newest version of a source's folder on the server.
func (st serverState) folderSeq(device, folder string) (uint64, int) {
	for _, s := range st.Sources {
		if s.Device != device {
			continue
		}
		for _, f := range s.Folders {
			if f.Name == folder {
				return f.LastSeq, f.Files
			}
		}
	}
	return 0, 0
}

// sourceSeq is the newest manifest a source published of its folder.
func (in *instance) sourceSeq() uint64 {
	in.t.Helper()
	var out struct {
		Folders []struct {
			ManifestSequence uint64 `json:"manifestSequence"`
			PendingFiles     int    `json:"pendingFiles"`
		} `json:"folders"`
	}
	if err := json.Unmarshal([]byte(in.cli("folders", "ls", "--json")), &out); err != nil || len(out.Folders) == 0 {
		in.t.Fatalf("folders ls: %v %+v", err, out)
	}
	return out.Folders[0].ManifestSequence
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(root, func(p string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	return out
}

func sameTree(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestBackupFlowProcesses is the seed's backup flow with real processes:
// two sources and one backup server, each an `archivist serve` with its
// own home, ports and node, paired and driven through the CLI as a user
// would. Files created, modified and deleted on both sources arrive as
// versions; the server killed mid-transfer resumes; a source that goes
// away and comes back catches up; a source whose state was rolled back
// replays old sequences, which are rejected; an old version restores byte
// for byte.
func TestBackupFlowProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three apps and their nodes")
	}
	server := newInstance(t, "server", true)
	a := newInstance(t, "a", false)
	c := newInstance(t, "c", false)
	serverCode, _ := server.deviceCode()
	_, aID := a.deviceCode()
	_, cID := c.deviceCode()
	for _, src := range []*instance{a, c} {
		src.cli("devices", "add", serverCode)
	}
	server.cli("devices", "approve", aID)
	server.cli("devices", "approve", cID)

	dirA, dirC := filepath.Join(t.TempDir(), "Alpha"), filepath.Join(t.TempDir(), "Charlie")
	writeFile(t, filepath.Join(dirA, "notes.txt"), []byte("first notes"))
	writeFile(t, filepath.Join(dirA, "photos/one.jpg"), bytes.Repeat([]byte{0xff, 0xd8}, 100_000))
	writeFile(t, filepath.Join(dirC, "todo.md"), []byte("- backup"))
	a.cli("folders", "add", dirA)
	c.cli("folders", "add", dirC)
	nodetest.WaitFor(t, "both sources' first versions", 60*time.Second, func() bool {
		st := server.serverState()
		sa, _ := st.folderSeq(aID, "Alpha")
		sc, _ := st.folderSeq(cID, "Charlie")
		return sa >= 1 && sc >= 1
	})
	v1, _ := server.serverState().folderSeq(aID, "Alpha")
	firstA := tree(t, dirA)

	// Modify and delete on both.
	time.Sleep(1100 * time.Millisecond)
	writeFile(t, filepath.Join(dirA, "notes.txt"), []byte("second notes, longer"))
	os.Remove(filepath.Join(dirA, "photos/one.jpg"))
	writeFile(t, filepath.Join(dirC, "todo.md"), []byte("- backup\n- restore"))
	nodetest.WaitFor(t, "the changes as new versions", 60*time.Second, func() bool {
		st := server.serverState()
		sa, fa := st.folderSeq(aID, "Alpha")
		sc, _ := st.folderSeq(cID, "Charlie")
		return sa == a.sourceSeq() && sa > v1 && fa == 1 && sc == c.sourceSeq() && sc >= 2
	})

	// The server is killed in the middle of a transfer, and resumes.
	const big, size = 30, 4 << 20
	for i := range big {
		data := make([]byte, size)
		rand.Read(data)
		writeFile(t, filepath.Join(dirA, "big", fmt.Sprintf("%02d.bin", i)), data)
	}
	before := server.serverState().Totals.FilesDownloaded
	nodetest.WaitFor(t, "the transfer of the big files to start", 90*time.Second, func() bool {
		st := server.serverState()
		return st.Totals.FilesDownloaded > before+2 || (len(st.InProgress) > 0 && st.InProgress[0].FilesFetched > 0)
	})
	server.kill9()
	server.start()
	nodetest.WaitFor(t, "the big files after the restart", 120*time.Second, func() bool {
		st := server.serverState()
		_, files := st.folderSeq(aID, "Alpha")
		seq, _ := st.folderSeq(aID, "Alpha")
		return files == big+1 && seq == a.sourceSeq()
	})
	if got := server.serverState().Totals.FilesDownloaded - before; got > big+3 {
		t.Fatalf("%d files downloaded for %d new ones: the restart fetched again what had arrived", got, big)
	}

	// c goes away; what it writes meanwhile arrives once it is back.
	c.stop()
	writeFile(t, filepath.Join(dirC, "offline.txt"), []byte("written while the app was closed"))
	nodetest.WaitFor(t, "the server to see c away", 30*time.Second, func() bool {
		for _, s := range server.serverState().Sources {
			if s.Device == cID && s.LastError != "" {
				return true
			}
		}
		return false
	})
	stateDB := filepath.Join(c.home, "data", "state.db")
	if _, err := os.Stat(stateDB); err != nil {
		stateDB = findFile(t, c.home, "state.db")
	}
	rolledBack, err := os.ReadFile(stateDB)
	if err != nil {
		t.Fatal(err)
	}
	c.start()
	nodetest.WaitFor(t, "c's offline change", 60*time.Second, func() bool {
		seq, files := server.serverState().folderSeq(cID, "Charlie")
		return files == 2 && seq == c.sourceSeq()
	})
	caughtUp, _ := server.serverState().folderSeq(cID, "Charlie")

	// c's state is rolled back (restored from an old disk image): it
	// publishes sequences the server has already seen, with other
	// content. The server rejects them and keeps what it has.
	c.stop()
	if err := os.WriteFile(stateDB, rolledBack, 0o600); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dirC, "after-rollback.txt"), []byte("replayed sequence"))
	c.start()
	nodetest.WaitFor(t, "the replayed sequence to be rejected", 60*time.Second, func() bool {
		for _, s := range server.serverState().Sources {
			if s.Device == cID && len(s.Rejections) > 0 {
				return strings.Contains(s.Rejections[0].Reason, "replayed")
			}
		}
		return false
	})
	if seq, _ := server.serverState().folderSeq(cID, "Charlie"); seq != caughtUp {
		t.Fatalf("a replayed manifest moved the folder from version %d to %d", caughtUp, seq)
	}

	// The first version of a's folder restores as it was, byte for byte.
	dest := filepath.Join(t.TempDir(), "restored")
	server.cli("restore", aID, "Alpha", dest, "--version", fmt.Sprint(v1))
	if got := tree(t, dest); !sameTree(got, firstA) {
		t.Fatalf("restored version %d differs from the folder at that time (%d files, want %d)", v1, len(got), len(firstA))
	}
}

func findFile(t *testing.T, root, name string) string {
	t.Helper()
	var found string
	filepath.WalkDir(root, func(p string, de os.DirEntry, err error) error {
		if err == nil && !de.IsDir() && de.Name() == name && found == "" {
			found = p
		}
		return nil
	})
	if found == "" {
		t.Fatalf("no %s under %s", name, root)
	}
	return found
}
