package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/archivist-desktop/archivist/internal/app"
	"github.com/archivist-desktop/archivist/internal/app/paths"
	"github.com/archivist-desktop/archivist/internal/cli"
	"github.com/archivist-desktop/archivist/internal/node/dag"
	"github.com/archivist-desktop/archivist/internal/node/nodetest"
)

// startCLIApp runs a whole app instance (UI API on a free loopback port,
// its node a real child process on free ports) in a temporary home, as
// internal/app's tests do, and returns the home for --home.
func startCLIApp(t *testing.T) string {
	t.Helper()
	// The node inherits these: tests send nothing beyond loopback.
	t.Setenv("ARCHIVIST_NAT", "none")
	t.Setenv("ARCHIVIST_MDNS", "false")
	home := t.TempDir()
	layout, err := paths.ForHome(home)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(layout.ConfigFile(), nodetest.AppConfig(t), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.Options{
		Layout:     layout,
		UI:         fstest.MapFS{"index.html": {Data: []byte("ui")}},
		GUIAddress: "127.0.0.1:0",
		NodeBinary: nodetest.Binary(t),
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	a.Start()
	ln, err := a.Listen(false)
	if err != nil {
		a.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() { ln.Serve(ctx); close(served) }()
	t.Cleanup(func() {
		cancel()
		<-served
		if err := a.Close(); err != nil {
			t.Errorf("closing the app: %v", err)
		}
	})
	return home
}

type result struct {
	out, err string
	code     int
}

// run runs the command tree in-process as main does: output captured, the
// error printed to stderr, the exit code it would exit with.
func run(t *testing.T, args ...string) result {
	t.Helper()
	root := rootCommand()
	var out, errb bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := root.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintln(&errb, "archivist:", err)
	}
	return result{out: out.String(), err: errb.String(), code: exitCode(err)}
}

func lines(s string) []string { return strings.Split(strings.TrimSpace(s), "\n") }

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.out, r.err)
}

func expectCode(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("want exit %d, got %s", code, r)
	}
}

type statusJSON struct {
	App struct {
		Version string `json:"version"`
	} `json:"app"`
	Instance struct {
		URL string `json:"url"`
		PID int    `json:"pid"`
	} `json:"instance"`
	Node struct {
		State     string   `json:"state"`
		PID       int      `json:"pid"`
		PeerID    string   `json:"peerId"`
		Addresses []string `json:"addresses"`
	} `json:"node"`
}

func waitNodeRunning(t *testing.T, home string) statusJSON {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := run(t, "status", "--home", home, "--json")
		var st statusJSON
		if r.code == 0 && json.Unmarshal([]byte(r.out), &st) == nil && st.Node.State == "running" {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("node not running after 60 s: %s", r)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestCLIAgainstARunningApp(t *testing.T) {
	home := startCLIApp(t)
	st := waitNodeRunning(t, home)
	if st.App.Version == "" || st.Instance.PID != os.Getpid() || !strings.HasPrefix(st.Instance.URL, "http://127.0.0.1:") ||
		st.Node.PID == 0 || st.Node.PeerID == "" || len(st.Node.Addresses) == 0 {
		t.Fatalf("status --json without real figures: %+v", st)
	}

	t.Run("status", func(t *testing.T) {
		r := run(t, "status", "--home", home)
		expectCode(t, r, 0)
		for _, want := range []string{"App", "Node", "running, pid ", ", up ", "Peer ID", st.Node.PeerID, "Storage", "used of", "Addresses"} {
			if !strings.Contains(r.out, want) {
				t.Errorf("status does not say %q:\n%s", want, r.out)
			}
		}
	})

	dir := t.TempDir()
	data := make([]byte, 3<<20+12345) // several 64 KiB blocks, not a multiple of them
	rand.Read(data)
	src := filepath.Join(dir, "data.bin")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var cid, notesCID string
	t.Run("upload", func(t *testing.T) {
		r := run(t, "upload", "--home", home, src)
		expectCode(t, r, 0)
		cid = strings.TrimSpace(r.out)
		if _, err := dag.ParseCID(cid); err != nil || strings.Contains(cid, "\n") {
			t.Fatalf("upload printed %q, not one CID: %v", r.out, err)
		}
		// stderr is not a terminal: plain progress lines, no bar.
		if strings.Contains(r.err, "\r") || !strings.Contains(r.err, "upload data.bin: 100%, 3.01 MB / 3.01 MB") {
			t.Fatalf("progress on a non-terminal:\n%q", r.err)
		}
		for _, line := range strings.Split(strings.TrimSpace(r.err), "\n") {
			if !strings.HasPrefix(line, "upload data.bin: ") {
				t.Fatalf("unexpected progress line %q", line)
			}
		}
		// Several files: one "CID  PATH" line each; --json: one object a line.
		notes := filepath.Join(dir, "notes file.txt")
		os.WriteFile(notes, []byte("hello"), 0o600)
		m := run(t, "upload", "--home", home, "--json", src, notes)
		expectCode(t, m, 0)
		var got []map[string]any
		for _, line := range lines(m.out) {
			var v map[string]any
			if err := json.Unmarshal([]byte(line), &v); err != nil {
				t.Fatalf("upload --json line %q: %v", line, err)
			}
			got = append(got, v)
		}
		if len(got) != 2 || got[0]["cid"] != cid || got[0]["path"] != src || got[1]["filename"] != "notes file.txt" || got[1]["size"] != 5.0 {
			t.Fatalf("upload --json: %v", got)
		}
		notesCID = got[1]["cid"].(string)
		empty := filepath.Join(dir, "empty")
		os.WriteFile(empty, nil, 0o600)
		if e := run(t, "upload", "--home", home, empty); e.code != 1 || !strings.Contains(e.err, "the file is empty") || e.out != "" {
			t.Fatalf("upload of an empty file: %s", e)
		}
		// --quiet: the CID and nothing else.
		q := run(t, "upload", "--home", home, "-q", src)
		expectCode(t, q, 0)
		if q.err != "" || strings.TrimSpace(q.out) != cid {
			t.Fatalf("upload --quiet: %s", q)
		}
	})
	if cid == "" {
		t.FailNow()
	}

	t.Run("files ls", func(t *testing.T) {
		r := run(t, "files", "ls", "--home", home)
		expectCode(t, r, 0)
		var row string
		for _, line := range strings.Split(r.out, "\n") {
			if strings.HasPrefix(line, cid) {
				row = line
			}
		}
		if !strings.HasPrefix(r.out, "CID ") || !strings.Contains(row, "data.bin") || !strings.Contains(row, "3.01 MB") {
			t.Fatalf("files ls:\n%s", r)
		}
		j := run(t, "files", "ls", "--home", home, "--json")
		expectCode(t, j, 0)
		var list []cli.File
		if err := json.Unmarshal([]byte(j.out), &list); err != nil {
			t.Fatalf("files ls --json: %v\n%s", err, j.out)
		}
		var found bool
		for _, f := range list {
			found = found || f.CID == cid && f.Filename == "data.bin" && f.Size == uint64(len(data))
		}
		if len(list) != 2 || !found {
			t.Fatalf("files ls --json: %+v", list)
		}
	})

	t.Run("download to a folder", func(t *testing.T) {
		dest := t.TempDir()
		r := run(t, "download", "--home", home, cid, dest)
		expectCode(t, r, 0)
		path := strings.TrimSpace(r.out)
		if path != filepath.Join(dest, "data.bin") {
			t.Fatalf("saved to %q, want %s", path, filepath.Join(dest, "data.bin"))
		}
		if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, data) {
			t.Fatalf("the downloaded file differs (%d bytes, %v)", len(b), err)
		}
		if !strings.Contains(r.err, "download data.bin: 100%, 3.01 MB / 3.01 MB") {
			t.Fatalf("no final progress line:\n%s", r.err)
		}
		// Again: the app never replaces a file; --json says where it went.
		// A relative DEST is made absolute for the app.
		t.Chdir(dest)
		j := run(t, "download", "--home", home, "--json", "-q", cid, ".")
		expectCode(t, j, 0)
		var got struct {
			CID  string `json:"cid"`
			Path string `json:"path"`
			Size int64  `json:"size"`
		}
		if err := json.Unmarshal([]byte(j.out), &got); err != nil || got.CID != cid || got.Path != filepath.Join(dest, "data (1).bin") || got.Size != int64(len(data)) || j.err != "" {
			t.Fatalf("download --json: %+v %v\n%s", got, err, j)
		}
	})

	t.Run("download to a new file", func(t *testing.T) {
		dest := t.TempDir()
		target := filepath.Join(dest, "copy.bin")
		r := run(t, "download", "--home", home, cid, target)
		expectCode(t, r, 0)
		if strings.TrimSpace(r.out) != target {
			t.Fatalf("printed %q", r.out)
		}
		if b, err := os.ReadFile(target); err != nil || !bytes.Equal(b, data) {
			t.Fatalf("the downloaded file differs (%d bytes, %v)", len(b), err)
		}
		if entries, _ := os.ReadDir(dest); len(entries) != 1 {
			t.Fatalf("left behind: %v", entries)
		}
		r = run(t, "download", "--home", home, cid, target)
		expectCode(t, r, 1)
		if !strings.Contains(r.err, "already exists") {
			t.Fatalf("replacing a file: %s", r)
		}
	})

	t.Run("download to stdout", func(t *testing.T) {
		for _, args := range [][]string{{cid}, {cid, "-"}} {
			r := run(t, append([]string{"download", "--home", home, "-q"}, args...)...)
			expectCode(t, r, 0)
			if !bytes.Equal([]byte(r.out), data) || r.err != "" {
				t.Fatalf("download %v: %d bytes to stdout, stderr %q", args, len(r.out), r.err)
			}
		}
	})

	t.Run("invalid CID", func(t *testing.T) {
		for _, args := range [][]string{{"download", "not-a-cid"}, {"files", "rm", "zDvNotReally"}, {"download", cid + "x", "-"}} {
			r := run(t, append(args, "--home", home)...)
			expectCode(t, r, 2)
			if !strings.Contains(r.err, "is not a valid CID") {
				t.Fatalf("%v: %s", args, r)
			}
		}
	})

	t.Run("devices", func(t *testing.T) {
		r := run(t, "devices", "code", "--home", home, "-q")
		expectCode(t, r, 0)
		code := strings.TrimSpace(r.out)
		if !strings.HasPrefix(code, "archivist1:") || strings.Contains(code, "\n") {
			t.Fatalf("devices code -q: %s", r)
		}
		j := run(t, "devices", "code", "--home", home, "--json")
		expectCode(t, j, 0)
		var dc cli.DeviceCode
		if err := json.Unmarshal([]byte(j.out), &dc); err != nil || dc.PeerID != st.Node.PeerID || dc.Code != code || !strings.HasPrefix(dc.SPR, "spr:") || len(dc.Addresses) == 0 {
			t.Fatalf("devices code --json: %+v %v\n%s", dc, err, j.out)
		}
		h := run(t, "devices", "code", "--home", home)
		expectCode(t, h, 0)
		if !strings.Contains(h.out, code) || !strings.Contains(h.out, st.Node.PeerID) || !strings.Contains(h.out, "archivist devices add") {
			t.Fatalf("devices code: %s", h)
		}

		l := run(t, "devices", "ls", "--home", home)
		expectCode(t, l, 0)
		if !strings.Contains(l.err, "No paired devices") {
			t.Fatalf("devices ls: %s", l)
		}
		lj := run(t, "devices", "ls", "--home", home, "--json")
		expectCode(t, lj, 0)
		var list struct {
			Devices []json.RawMessage `json:"devices"`
		}
		if err := json.Unmarshal([]byte(lj.out), &list); err != nil || list.Devices == nil || len(list.Devices) != 0 {
			t.Fatalf("devices ls --json: %v\n%s", err, lj.out)
		}

		// Its own code is refused by the app: the operation failed.
		own := run(t, "devices", "add", "--home", home, code)
		expectCode(t, own, 1)
		// A peer that is not paired: not found.
		key, _, _ := crypto.GenerateEd25519Key(rand.Reader)
		id, _ := peer.IDFromPrivateKey(key)
		nf := run(t, "devices", "rm", "--home", home, id.String())
		expectCode(t, nf, 5)
		bad := run(t, "devices", "rm", "--home", home, "not-a-peer")
		expectCode(t, bad, 2)
	})

	t.Run("files rm", func(t *testing.T) {
		r := run(t, "files", "rm", "--home", home, cid, notesCID)
		expectCode(t, r, 0)
		j := run(t, "files", "ls", "--home", home, "--json")
		expectCode(t, j, 0)
		if strings.Contains(j.out, cid) {
			t.Fatalf("still listed after rm:\n%s", j.out)
		}
		h := run(t, "files", "ls", "--home", home)
		expectCode(t, h, 0)
		if h.out != "" || !strings.Contains(h.err, "No files stored.") {
			t.Fatalf("files ls of nothing: %s", h)
		}
	})

	t.Run("node stop and start", func(t *testing.T) {
		r := run(t, "node", "stop", "--home", home)
		expectCode(t, r, 0)
		if strings.TrimSpace(r.out) != "Node stopped" {
			t.Fatalf("node stop: %s", r)
		}
		ls := run(t, "files", "ls", "--home", home)
		expectCode(t, ls, 4)
		if !strings.Contains(ls.err, "Node not running") {
			t.Fatalf("files ls with the node stopped: %s", ls)
		}
		s := run(t, "status", "--home", home)
		expectCode(t, s, 0)
		if !strings.Contains(s.out, "stopped") {
			t.Fatalf("status with the node stopped: %s", s)
		}
		j := run(t, "node", "start", "--home", home, "--json")
		expectCode(t, j, 0)
		var after struct {
			State string `json:"state"`
			PID   int    `json:"pid"`
		}
		if err := json.Unmarshal([]byte(j.out), &after); err != nil || after.State != "running" || after.PID == 0 {
			t.Fatalf("node start --json: %+v %v\n%s", after, err, j)
		}
		again := run(t, "node", "start", "--home", home)
		expectCode(t, again, 1)
		if !strings.Contains(again.err, "already running") {
			t.Fatalf("node start twice: %s", again)
		}
	})
}

func TestCLIWithoutARunningApp(t *testing.T) {
	home := t.TempDir()
	layout, _ := paths.ForHome(home)
	cid := "zDvZRwzm19aivQBkC2sgJiMoG1ufCSNFKQtnUcwF4BwQRvskp5k9"
	file := filepath.Join(home, "f.txt")
	os.WriteFile(file, []byte("x"), 0o600)
	check := func(t *testing.T, want string) {
		t.Helper()
		for _, args := range [][]string{
			{"status"}, {"files", "ls"}, {"files", "rm", cid}, {"upload", file}, {"download", cid},
			{"node", "stop"}, {"devices", "ls"}, {"devices", "code"},
		} {
			r := run(t, append(args, "--home", home)...)
			expectCode(t, r, 3)
			if !strings.Contains(r.err, want) || !strings.Contains(r.err, "start it with `archivist` or `archivist serve`") {
				t.Fatalf("%v: %s", args, r)
			}
		}
	}
	t.Run("no instance file", func(t *testing.T) {
		check(t, "Archivist is not running (no "+layout.InstanceFile()+")")
	})
	t.Run("stale instance file", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		url := "http://" + ln.Addr().String()
		ln.Close() // nothing answers there now
		os.MkdirAll(layout.DataDir, 0o700)
		os.WriteFile(layout.InstanceFile(), []byte(`{"url":"`+url+`","pid":1}`), 0o600)
		os.WriteFile(layout.APIKeyFile(), []byte(strings.Repeat("ab", 32)+"\n"), 0o600)
		check(t, "Archivist is not running (nothing answers at "+url)
	})
}

func TestCLIUsageErrors(t *testing.T) {
	home := t.TempDir() // nothing runs there: usage is checked first
	for _, args := range [][]string{
		{"download"},
		{"download", "a", "b", "c"},
		{"download", "not-a-cid"},
		{"download", "zDvZRwzm19aivQBkC2sgJiMoG1ufCSNFKQtnUcwF4BwQRvskp5k9", "--json"},
		{"upload"},
		{"upload", home},
		{"files", "ls", "--no-such-flag"},
		{"files", "ls", "extra"},
		{"files", "bogus"},
		{"files", "rm"},
		{"status", "extra"},
		{"node", "stop", "extra"},
		{"devices", "add"},
		{"devices", "rm", "not-a-peer-id"},
		{"no-such-command"},
	} {
		r := run(t, append(args, "--home", home)...)
		if r.code != 2 || r.err == "" {
			t.Errorf("%v: want exit 2 with a message, got %s", args, r)
		}
	}
	if r := run(t, "upload", "--home", home, filepath.Join(home, "missing")); r.code != 1 || !strings.Contains(r.err, "no such file") {
		t.Errorf("upload of a missing file: %s", r)
	}
	r := run(t, "status", "--help")
	if r.code != 0 || !strings.Contains(r.out, "Exit codes:") || !strings.Contains(r.out, "--home") {
		t.Errorf("status --help: %s", r)
	}
	r = run(t, "node", "--help")
	if r.code != 0 || !strings.Contains(r.out, "restart") || !strings.Contains(r.out, "--data-dir") {
		t.Errorf("node --help: %s", r)
	}
}
