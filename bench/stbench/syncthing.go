package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/archivist-desktop/archivist/bench/internal/scratch"
	"github.com/archivist-desktop/archivist/internal/testnet"
)

// instance is one running Syncthing with its own home.
type instance struct {
	name   string
	cmd    *exec.Cmd
	gui    string // http://address:port
	key    string
	listen string // tcp://address:port, the sync protocol
	id     string // device ID
	log    string
}

// start runs syncthing on host h with a fresh home and a random API key,
// waits for its REST API, then turns off discovery, relays and NAT
// traversal and makes it listen on one port of the host's address.
func start(h testnet.Host, bin, work, name string) (*instance, error) {
	home := filepath.Join(work, "st-"+name)
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, err
	}
	guiPort, err := scratch.FreePort()
	if err != nil {
		return nil, err
	}
	syncPort, err := scratch.FreePort()
	if err != nil {
		return nil, err
	}
	var k [16]byte
	rand.Read(k[:])
	in := &instance{name: name, gui: "http://" + h.Addr() + ":" + strconv.Itoa(guiPort), key: hex.EncodeToString(k[:]),
		listen: "tcp://" + h.Addr() + ":" + strconv.Itoa(syncPort), log: filepath.Join(home, "syncthing.log")}
	logf, err := os.Create(in.log)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	in.cmd = h.Command(bin, "serve", "--home", home, "--no-browser", "--no-restart", "--no-upgrade",
		"--no-default-folder", "--skip-port-probing", "--gui-address", in.gui, "--gui-apikey", in.key)
	in.cmd.Env = append(os.Environ(), "HOME="+home, "STNOUPGRADE=1", "STNORESTART=1")
	in.cmd.Stdout, in.cmd.Stderr = logf, logf
	if err := in.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting syncthing %s: %w", name, err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var st struct {
			MyID string `json:"myID"`
		}
		if err := in.call(http.MethodGet, "/rest/system/status", nil, &st); err == nil && st.MyID != "" {
			in.id = st.MyID
			break
		}
		if time.Now().After(deadline) {
			in.stop()
			return nil, fmt.Errorf("syncthing %s: REST API not up in 60 s (log %s)", name, in.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	opts := map[string]any{
		"listenAddresses":       []string{in.listen},
		"globalAnnounceEnabled": false,
		"localAnnounceEnabled":  false,
		"relaysEnabled":         false,
		"natEnabled":            false,
		"urAccepted":            -1,
		"crashReportingEnabled": false,
		"autoUpgradeIntervalH":  0,
		"startBrowser":          false,
	}
	if err := in.call(http.MethodPatch, "/rest/config/options", opts, nil); err != nil {
		in.stop()
		return nil, fmt.Errorf("syncthing %s: options: %w", name, err)
	}
	return in, nil
}

func (in *instance) stop() {
	in.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { in.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		in.cmd.Process.Kill()
		<-done
	}
}

// worker is the process that does Syncthing's work: `syncthing serve`
// starts a monitor that runs it as its only child (and restarts it), so
// the child when there is one, else the process started. A child is listed
// under the thread that forked it, so every thread is looked at.
func (in *instance) worker() int {
	pid := in.cmd.Process.Pid
	lists, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var children []string
	for _, l := range lists {
		b, err := os.ReadFile(l)
		if err == nil {
			children = append(children, strings.Fields(string(b))...)
		}
	}
	if len(children) == 1 {
		if child, err := strconv.Atoi(children[0]); err == nil {
			return child
		}
	}
	return pid
}

// call is one REST request with the API key; out, when not nil, gets the
// JSON answer.
func (in *instance) call(method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, in.gui+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("X-API-Key", in.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// introduce adds each instance to the other by device ID at its loopback
// address and waits until they are connected.
func introduce(a, b *instance) error {
	for _, p := range [][2]*instance{{a, b}, {b, a}} {
		dev := map[string]any{"deviceID": p[1].id, "name": p[1].name, "addresses": []string{p[1].listen}}
		if err := p[0].call(http.MethodPost, "/rest/config/devices", dev, nil); err != nil {
			return fmt.Errorf("adding %s to %s: %w", p[1].name, p[0].name, err)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var conns struct {
			Connections map[string]struct {
				Connected bool `json:"connected"`
			} `json:"connections"`
		}
		if err := a.call(http.MethodGet, "/rest/system/connections", nil, &conns); err == nil && conns.Connections[b.id].Connected {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the two syncthing instances did not connect in 60 s (logs %s, %s)", a.log, b.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// addFolder shares path as folder id with the given devices; every other
// folder setting is Syncthing's default.
func (in *instance) addFolder(id, path string, devices ...string) error {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return err
	}
	var devs []map[string]string
	for _, d := range devices {
		devs = append(devs, map[string]string{"deviceID": d})
	}
	f := map[string]any{"id": id, "label": id, "path": path, "devices": devs}
	if err := in.call(http.MethodPost, "/rest/config/folders", f, nil); err != nil {
		return fmt.Errorf("syncthing %s: folder %s: %w", in.name, id, err)
	}
	return nil
}

// share adds an empty folder on both sides and waits until both have
// scanned it, so that the first write is not timed against the setup.
func share(id string, a *instance, dirA string, b *instance, dirB string) error {
	if err := b.addFolder(id, dirB, a.id, b.id); err != nil {
		return err
	}
	if err := a.addFolder(id, dirA, a.id, b.id); err != nil {
		return err
	}
	deadline := time.Now().Add(60 * time.Second)
	for _, in := range []*instance{a, b} {
		for {
			var st struct {
				State string `json:"state"`
			}
			if err := in.call(http.MethodGet, "/rest/db/status?folder="+id, nil, &st); err == nil && st.State == "idle" {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("folder %s not idle on %s after 60 s", id, in.name)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

// sizes lists the regular files under dir, Syncthing's own (.stfolder,
// temporary files) left out, with their sizes.
func sizes(dir string) (map[string]int64, error) {
	out := map[string]int64{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".stfolder" {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".syncthing.") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = info.Size()
		return nil
	})
	return out, err
}

func sameSizes(want, got map[string]int64) bool {
	if len(want) != len(got) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

// sameContent compares every file of src with its copy in dst by SHA-256.
func sameContent(src, dst string, files map[string]int64) error {
	for rel := range files {
		a, err := fileSum(filepath.Join(src, rel))
		if err != nil {
			return err
		}
		b, err := fileSum(filepath.Join(dst, rel))
		if err != nil {
			return err
		}
		if a != b {
			return fmt.Errorf("%s differs on B", rel)
		}
	}
	return nil
}

func fileSum(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hashing %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
