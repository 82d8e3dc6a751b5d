// Package config is the storage node's command line: the flags, defaults,
// size and duration syntax, ARCHIVIST_* environment variables and TOML config
// file of archivist-node (spec §2), so that the app, scripts and users can
// drive either node with the same arguments. Priority, as in the reference:
// command line, then environment, then the config file, then the default.
// Resolve validates everything once, so the rest of the node works with
// typed, checked values and a bad value is refused before anything starts.
package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/spf13/pflag"

	"github.com/archivist-desktop/archivist/internal/node/logging"
)

// Config is the node's resolved configuration.
type Config struct {
	ConfigFile      string
	LogLevel        string
	LogFormat       string
	LogFile         string
	Metrics         bool
	MetricsAddress  string
	MetricsPort     uint16
	DataDir         string
	ListenAddrs     []string
	NAT             string
	DiscPort        uint16
	NetPrivKey      string
	BootstrapNodes  []string
	MaxPeers        int
	NumThreads      int
	AgentString     string
	APIBindAddr     string
	APIPort         uint16
	APICorsOrigin   string
	RepoKind        string
	StorageQuota    uint64
	BlockTTL        time.Duration
	BlockMaintInt   time.Duration
	BlockMaintCount int
	CacheSize       uint64
	MDNS            bool // extension: LAN discovery (archivist-node has none)
}

// Defaults of archivist-node.
const (
	DefaultStorageQuota = 20 << 30
	DefaultBlockTTL     = 30 * 24 * time.Hour
	DefaultAPIPort      = 8080
	DefaultDiscPort     = 8090
)

// DefaultDataDir is archivist-node's per-OS default --data-dir.
func DefaultDataDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ".archivist"
	}
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Application Support", "Archivist")
	case "windows":
		return filepath.Join(home, "AppData", "Roaming", "Archivist")
	}
	return filepath.Join(home, ".cache", "archivist")
}

// Flags registers the node's flags on fs and returns the Config they fill.
// Call Resolve after parsing.
func Flags(fs *pflag.FlagSet) *Config {
	c := &Config{StorageQuota: DefaultStorageQuota, BlockTTL: DefaultBlockTTL, BlockMaintInt: 10 * time.Minute}
	fs.StringVar(&c.ConfigFile, "config-file", "", "TOML file with flag values (command line and environment take priority)")
	fs.StringVar(&c.LogLevel, "log-level", "info", "trace, debug, info, notice, warn, error or fatal, plus ;LEVEL:topic directives")
	fs.StringVar(&c.LogFormat, "log-format", "auto", "auto, colors, nocolors, json or none")
	fs.StringVar(&c.LogFile, "log-file", "", "also write the log to this file")
	fs.BoolVar(&c.Metrics, "metrics", false, "serve Prometheus metrics")
	fs.StringVar(&c.MetricsAddress, "metrics-address", "127.0.0.1", "metrics listen address")
	fs.Uint16Var(&c.MetricsPort, "metrics-port", 8008, "metrics listen port")
	fs.StringVarP(&c.DataDir, "data-dir", "d", DefaultDataDir(), "directory for the repo and the key")
	fs.StringArrayVarP(&c.ListenAddrs, "listen-addrs", "i", []string{"/ip4/0.0.0.0/tcp/0"}, "libp2p listen multiaddrs (repeatable)")
	fs.StringVar(&c.NAT, "nat", "any", "any, none, upnp, pmp or extip:<IP>")
	fs.Uint16VarP(&c.DiscPort, "disc-port", "u", DefaultDiscPort, "UDP port of the discovery DHT")
	fs.StringVar(&c.NetPrivKey, "net-privkey", "key", "libp2p private key file (relative to the data dir)")
	fs.StringArrayVarP(&c.BootstrapNodes, "bootstrap-node", "b", nil, "spr: URI of a bootstrap node (repeatable)")
	fs.IntVar(&c.MaxPeers, "max-peers", 160, "maximum libp2p connections")
	fs.IntVar(&c.NumThreads, "num-threads", 0, "worker threads (0: min(#cpus, 16))")
	fs.StringVar(&c.AgentString, "agent-string", "Archivist Node", "libp2p identify agent version")
	fs.StringVar(&c.APIBindAddr, "api-bindaddr", "127.0.0.1", "REST API listen address")
	fs.Uint16VarP(&c.APIPort, "api-port", "p", DefaultAPIPort, "REST API port")
	fs.StringVar(&c.APICorsOrigin, "api-cors-origin", "", "allowed CORS origin of the REST API (* for any)")
	fs.StringVar(&c.RepoKind, "repo-kind", "fs", "repo backend: fs, sqlite or leveldb (all use this node's store)")
	fs.VarP(sizeValue{&c.StorageQuota}, "storage-quota", "q", "storage quota, e.g. 8GB (binary units); default 20GiB")
	fs.VarP(durationValue{&c.BlockTTL}, "block-ttl", "t", "block time to live, e.g. 30d; a bare number is seconds")
	fs.Var(durationValue{&c.BlockMaintInt}, "block-mi", "interval of the block maintenance run")
	fs.IntVar(&c.BlockMaintCount, "block-mn", 1000, "blocks checked per maintenance run")
	fs.VarP(sizeValue{&c.CacheSize}, "cache-size", "c", "in-memory block cache size")
	fs.BoolVar(&c.MDNS, "mdns", true, "discover peers on the local network with mDNS (extension of this node)")
	fs.MarkHidden("log-file")
	return c
}

// EnvName is the environment variable of a flag: ARCHIVIST_ + upper case.
func EnvName(flag string) string {
	return "ARCHIVIST_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// Resolve fills flags not given on the command line from the environment,
// then from --config-file, and validates the result.
func (c *Config) Resolve(fs *pflag.FlagSet, getenv func(string) string) error {
	if !fs.Changed("config-file") {
		if v := getenv(EnvName("config-file")); v != "" {
			c.ConfigFile = v
		}
	}
	fromFile := map[string]any{}
	if c.ConfigFile != "" {
		b, err := os.ReadFile(c.ConfigFile)
		if err != nil {
			return fmt.Errorf("--config-file: %w", err)
		}
		if err := toml.Unmarshal(b, &fromFile); err != nil {
			return fmt.Errorf("--config-file %s: %w", c.ConfigFile, err)
		}
	}
	var errs []error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Name == "config-file" || fs.Changed(f.Name) {
			return
		}
		if v := getenv(EnvName(f.Name)); v != "" {
			if err := setFlag(f, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", EnvName(f.Name), err))
			}
			return
		}
		if v, ok := fromFile[f.Name]; ok {
			if err := setFlag(f, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: %w", c.ConfigFile, f.Name, err))
			}
			delete(fromFile, f.Name)
		}
	})
	for k := range fromFile {
		if fs.Lookup(k) == nil {
			errs = append(errs, fmt.Errorf("%s: unknown key %q", c.ConfigFile, k))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return c.validate()
}

// setFlag sets a flag from the environment or the config file. A repeatable
// flag takes a list from TOML, or a comma-separated list from the
// environment (neither multiaddrs nor spr: URIs contain commas).
func setFlag(f *pflag.Flag, v any) error {
	var items []string
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			items = append(items, fmt.Sprint(e))
		}
	case string:
		if f.Value.Type() == "stringArray" {
			items = strings.Split(x, ",")
		} else {
			items = []string{x}
		}
	default:
		items = []string{fmt.Sprint(x)}
	}
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		return sv.Replace(items)
	}
	if len(items) != 1 {
		return fmt.Errorf("expects one value, got %d", len(items))
	}
	return f.Value.Set(items[0])
}

func (c *Config) validate() error {
	var errs []error
	if _, err := logging.ParseLevel(c.LogLevel); err != nil {
		errs = append(errs, fmt.Errorf("--log-level %q: %w", c.LogLevel, err))
	}
	switch c.LogFormat {
	case "auto", "colors", "nocolors", "json", "none":
	default:
		errs = append(errs, fmt.Errorf("--log-format %q: use auto, colors, nocolors, json or none", c.LogFormat))
	}
	switch {
	case c.NAT == "any", c.NAT == "none", c.NAT == "upnp", c.NAT == "pmp":
	case strings.HasPrefix(c.NAT, "extip:"):
		if net.ParseIP(strings.TrimPrefix(c.NAT, "extip:")) == nil {
			errs = append(errs, fmt.Errorf("--nat %q: extip needs an IP address, e.g. extip:203.0.113.5", c.NAT))
		}
	default:
		errs = append(errs, fmt.Errorf("--nat %q: use any, none, upnp, pmp or extip:<IP>", c.NAT))
	}
	if net.ParseIP(c.APIBindAddr) == nil {
		errs = append(errs, fmt.Errorf("--api-bindaddr %q: not an IP address", c.APIBindAddr))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data-dir: must not be empty"))
	}
	if c.MaxPeers < 1 {
		errs = append(errs, fmt.Errorf("--max-peers %d: must be at least 1", c.MaxPeers))
	}
	if c.NumThreads < 0 || c.NumThreads == 1 {
		errs = append(errs, fmt.Errorf("--num-threads %d: use 0 (automatic) or at least 2", c.NumThreads))
	}
	if c.BlockMaintCount < 1 {
		errs = append(errs, fmt.Errorf("--block-mn %d: must be at least 1", c.BlockMaintCount))
	}
	if c.BlockMaintInt <= 0 {
		errs = append(errs, errors.New("--block-mi: must be longer than 0"))
	}
	switch c.RepoKind {
	case "fs", "sqlite", "leveldb":
	default:
		errs = append(errs, fmt.Errorf("--repo-kind %q: use fs, sqlite or leveldb", c.RepoKind))
	}
	if len(c.ListenAddrs) == 0 {
		errs = append(errs, errors.New("--listen-addrs: at least one address is needed"))
	}
	return errors.Join(errs...)
}

// KeyPath is the libp2p key file, resolved under the data dir when relative.
func (c *Config) KeyPath() string {
	if filepath.IsAbs(c.NetPrivKey) {
		return c.NetPrivKey
	}
	return filepath.Join(c.DataDir, c.NetPrivKey)
}

// APIAddress is host:port of the REST API.
func (c *Config) APIAddress() string {
	return net.JoinHostPort(c.APIBindAddr, strconv.Itoa(int(c.APIPort)))
}
