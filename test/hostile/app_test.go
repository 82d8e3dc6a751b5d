package hostile

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/archivist-desktop/archivist/internal/node/nodetest"
)

// target is a running `archivist serve` whose every listener the tests
// attack. Everything it may write is under root: its --home, and HOME and
// TMPDIR pointed into root so that a write meant for neither shows up in
// the snapshot of root.
type target struct {
	t        *testing.T
	root     string // scratch: home/ (HOME), tmp/ (TMPDIR), app/ (--home)
	appHome  string
	key      string // the UI API key
	ui       string // host:port of the UI API
	node     string // host:port of the node's REST API
	p2p      string // host:port of the node's libp2p TCP listener
	manifest string // host:port of the link's manifest server
	trigger  string // host:port of the link's trigger server
	deviceID string // the app's link device ID
	cmd      *exec.Cmd
	done     chan struct{}
	log      *nodetest.Buffer
}

func startTarget(t *testing.T) *target {
	t.Helper()
	root := t.TempDir()
	tg := &target{t: t, root: root, appHome: filepath.Join(root, "app"), log: &nodetest.Buffer{}}
	for _, d := range []string{"home", "tmp", "app"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	nodeAPI, listen, manifest, trigger := nodetest.FreePort(t), nodetest.FreePort(t), nodetest.FreePort(t), nodetest.FreePort(t)
	cfg := fmt.Sprintf("[node]\napi_port = %d\ndiscovery_port = %d\nlisten_port = %d\nlog_level = \"INFO\"\n"+
		"\n[manifest_server]\nenabled = true\nport = %d\n\n[backup_server]\nenabled = true\ntrigger_port = %d\n",
		nodeAPI, nodetest.FreePort(t), listen, manifest, trigger)
	if err := os.WriteFile(filepath.Join(tg.appHome, "config.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	tg.node = fmt.Sprintf("127.0.0.1:%d", nodeAPI)
	tg.p2p = fmt.Sprintf("127.0.0.1:%d", listen)
	tg.manifest = fmt.Sprintf("127.0.0.1:%d", manifest)
	tg.trigger = fmt.Sprintf("127.0.0.1:%d", trigger)

	cmd := exec.Command(nodetest.Binary(t), "serve", "--home", tg.appHome, "--gui-address", "127.0.0.1:0", "--link-address", "127.0.0.1")
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); {
		case strings.HasPrefix(k, "ARCHIVIST_"), strings.HasPrefix(k, "XDG_"), k == "HOME", k == "TMPDIR":
		default:
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "HOME="+filepath.Join(root, "home"), "TMPDIR="+filepath.Join(root, "tmp"),
		"ARCHIVIST_NAT=none", "ARCHIVIST_MDNS=false")
	cmd.Stdout, cmd.Stderr = tg.log, tg.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tg.cmd, tg.done = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(tg.done) }()
	t.Cleanup(tg.stop)

	nodetest.WaitFor(t, "the UI API's instance file", 30*time.Second, func() bool {
		var inst struct{ URL string }
		b, err := os.ReadFile(filepath.Join(tg.appHome, "data", "instance.json"))
		if err != nil || json.Unmarshal(b, &inst) != nil || inst.URL == "" {
			return false
		}
		tg.ui = strings.TrimPrefix(inst.URL, "http://")
		return true
	})
	key, err := os.ReadFile(filepath.Join(tg.appHome, "api-key"))
	if err != nil {
		t.Fatal(err)
	}
	tg.key = strings.TrimSpace(string(key))
	nodetest.WaitFor(t, "the node to run", 60*time.Second, func() bool { return tg.healthy() == nil })
	var code struct {
		DeviceID string `json:"deviceId"`
	}
	if err := json.Unmarshal(tg.get("/api/devices/code"), &code); err != nil || code.DeviceID == "" {
		t.Fatalf("device code: %v %+v", err, code)
	}
	tg.deviceID = code.DeviceID
	return tg
}

// alive fails the test if the process has exited.
func (tg *target) alive() {
	tg.t.Helper()
	select {
	case <-tg.done:
		tg.t.Fatalf("archivist serve exited: %v\n%s", tg.cmd.ProcessState, tail(tg.log.String()))
	default:
	}
}

// healthy is nil when the app is alive, its UI API answers and reports its
// node running, and the node's REST API answers on its own.
func (tg *target) healthy() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var st struct{ State string }
	b, err := tg.do(ctx, "GET", "http://"+tg.ui+"/api/node/status")
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &st); err != nil || st.State != "running" {
		return fmt.Errorf("node status %s", b)
	}
	if _, err := tg.do(ctx, "GET", "http://"+tg.node+"/api/archivist/v1/space"); err != nil {
		return fmt.Errorf("node REST API: %w", err)
	}
	return nil
}

func (tg *target) do(ctx context.Context, method, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tg.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	return b, err
}

func (tg *target) get(path string) []byte {
	tg.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := tg.do(ctx, "GET", "http://"+tg.ui+path)
	if err != nil {
		tg.t.Fatal(err)
	}
	return b
}

func (tg *target) stop() {
	if tg.cmd == nil {
		return
	}
	nodetest.Terminate(tg.cmd.Process, tg.done, 30*time.Second)
	tg.cmd = nil
}

// snapshot lists every path under root outside the app's --home, with its
// size and contents' digest for files, so that any write is seen.
func (tg *target) snapshot() map[string]string {
	tg.t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(tg.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == tg.appHome {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(tg.root, p)
		if d.IsDir() {
			out[rel] = "dir"
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[rel] = fmt.Sprintf("%d:%x", len(b), sha256.Sum256(b))
		return nil
	})
	if err != nil {
		tg.t.Fatal(err)
	}
	return out
}

func tail(s string) string {
	if len(s) > 4000 {
		return s[len(s)-4000:]
	}
	return s
}

func sameFiles(a, b map[string]string) []string {
	var diff []string
	for k, v := range b {
		if a[k] != v {
			diff = append(diff, k)
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			diff = append(diff, k+" (removed)")
		}
	}
	return diff
}
