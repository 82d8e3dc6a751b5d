package scratch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/archivist-desktop/archivist/internal/app/paths"
	"github.com/archivist-desktop/archivist/internal/cli"
	"github.com/archivist-desktop/archivist/internal/testnet"
)

// App is one `archivist serve` with its own home, on loopback or on a host
// of internal/testnet, as the benchmarks run it: default settings
// but for free ports, no NAT and no mDNS.
type App struct {
	Cmd  *exec.Cmd
	Home string
	C    *cli.Client
	// Ready is the time from exec to the app being usable: its node
	// running and the UI's index page served.
	Ready time.Duration
}

// WriteAppConfig writes a config.toml into home with free loopback ports,
// the backup server on or off.
func WriteAppConfig(home string, backupServer bool) error {
	if err := os.MkdirAll(home, 0o755); err != nil {
		return err
	}
	ports := make([]int, 5)
	for i := range ports {
		p, err := FreePort()
		if err != nil {
			return err
		}
		ports[i] = p
	}
	cfg := fmt.Sprintf("[node]\napi_port = %d\ndiscovery_port = %d\nlisten_port = %d\nlog_level = \"WARN\"\n\n[manifest_server]\nport = %d\n\n[backup_server]\nenabled = %v\ntrigger_port = %d\n",
		ports[0], ports[1], ports[2], ports[3], backupServer, ports[4])
	return os.WriteFile(filepath.Join(home, "config.toml"), []byte(cfg), 0o600)
}

// StartApp starts `archivist serve` in home (its config.toml written
// before) on loopback.
func StartApp(bin, home string) (*App, error) { return StartAppOn(testnet.Host{}, bin, home) }

// StartAppOn starts `archivist serve` in home on host h, its UI and its
// node on the host's address, and waits, polling every 20 ms for at most
// 60 s, until the node runs and the UI's index page is served.
func StartAppOn(h testnet.Host, bin, home string) (*App, error) {
	layout, err := paths.ForHome(home)
	if err != nil {
		return nil, err
	}
	cmd := h.Command(bin, "serve", "--home", home, "--gui-address", h.Addr()+":0", "--link-address", h.Addr())
	cmd.Env = append(os.Environ(), "ARCHIVIST_NAT=none", "ARCHIVIST_MDNS=false")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s serve: %w", bin, err)
	}
	a := &App{Cmd: cmd, Home: home}
	deadline := begin.Add(60 * time.Second)
	for {
		if c, err := cli.Connect(layout); err == nil {
			if st, err := c.NodeStatus(context.Background()); err == nil && st.State == "running" && uiServed(c.URL(), layout) {
				a.C, a.Ready = c, time.Since(begin)
				return a, nil
			}
		}
		if time.Now().After(deadline) {
			a.Stop()
			return nil, fmt.Errorf("%s: the app and its node did not come up in 60 s", home)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// uiServed says whether the app answers GET / with an HTML page, as a
// browser opening the login URL would get it.
func uiServed(base string, layout paths.Layout) bool {
	key, err := os.ReadFile(layout.APIKeyFile())
	if err != nil {
		return false
	}
	req, err := http.NewRequest(http.MethodGet, base+"/", nil)
	if err != nil {
		return false
	}
	req.Header.Set("X-API-Key", strings.TrimSpace(string(key)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode == http.StatusOK && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") &&
		strings.Contains(strings.ToLower(string(body)), "<html")
}

// Stop ends the app as the system does at shutdown, and waits for it.
func (a *App) Stop() {
	a.Cmd.Process.Signal(syscall.SIGTERM)
	a.Cmd.Wait()
}
