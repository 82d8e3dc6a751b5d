package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]uint64{
		"1024": 1024, "8GB": 8 << 30, "8GiB": 8 << 30, "8gb": 8 << 30, "512MB": 512 << 20,
		"1.5KB": 1536, "20 GiB": 20 << 30, "0": 0, "1TB": 1 << 40,
	} {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "GB", "-1", "12XB", "1e9", "99999999999PB"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"30": 30 * time.Second, "30s": 30 * time.Second, "10m": 10 * time.Minute, "2h": 2 * time.Hour,
		"30d": 30 * 24 * time.Hour, "1w": 7 * 24 * time.Hour, "1.5h": 90 * time.Minute, "0": 0,
	} {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "d", "5y", "-3s"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) accepted", bad)
		}
	}
}

func parse(t *testing.T, args []string, env map[string]string) (*Config, error) {
	t.Helper()
	fs := pflag.NewFlagSet("node", pflag.ContinueOnError)
	c := Flags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return c, c.Resolve(fs, func(k string) string { return env[k] })
}

func TestDefaultsMatchArchivistNode(t *testing.T) {
	c, err := parse(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.APIPort != 8080 || c.APIBindAddr != "127.0.0.1" || c.DiscPort != 8090 || c.StorageQuota != 21474836480 ||
		c.BlockTTL != 30*24*time.Hour || c.BlockMaintInt != 10*time.Minute || c.BlockMaintCount != 1000 ||
		c.MaxPeers != 160 || c.NAT != "any" || c.LogLevel != "info" || c.AgentString != "Archivist Node" ||
		len(c.ListenAddrs) != 1 || c.ListenAddrs[0] != "/ip4/0.0.0.0/tcp/0" {
		t.Fatalf("defaults differ: %+v", c)
	}
}

func TestPriorityCommandLineThenEnvThenFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "node.toml")
	os.WriteFile(file, []byte("api-port = 9001\ndisc-port = 9002\nstorage-quota = \"1GB\"\nlisten-addrs = [\"/ip4/127.0.0.1/tcp/1\", \"/ip4/127.0.0.1/tcp/2\"]\n"), 0o600)
	c, err := parse(t, []string{"--config-file", file, "--api-port=9100"},
		map[string]string{"ARCHIVIST_API_PORT": "9200", "ARCHIVIST_DISC_PORT": "9300", "ARCHIVIST_BLOCK_TTL": "1h"})
	if err != nil {
		t.Fatal(err)
	}
	if c.APIPort != 9100 || c.DiscPort != 9300 || c.StorageQuota != 1<<30 || c.BlockTTL != time.Hour || len(c.ListenAddrs) != 2 {
		t.Fatalf("priority wrong: %+v", c)
	}
}

func TestBadValuesAreRefusedWithTheFlagName(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--nat=maybe"}, nil, "--nat"},
		{[]string{"--nat=extip:nope"}, nil, "extip"},
		{[]string{"--log-level=loud"}, nil, "--log-level"},
		{[]string{"--api-bindaddr=example.com"}, nil, "--api-bindaddr"},
		{nil, map[string]string{"ARCHIVIST_API_PORT": "70000"}, "ARCHIVIST_API_PORT"},
		{nil, map[string]string{"ARCHIVIST_STORAGE_QUOTA": "lots"}, "ARCHIVIST_STORAGE_QUOTA"},
		{[]string{"--num-threads=1"}, nil, "--num-threads"},
	} {
		_, err := parse(t, tc.args, tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: error %v, want one naming %s", tc.args, tc.env, err, tc.want)
		}
	}
	if _, err := parse(t, []string{"--storage-quota=12XB"}, nil); err == nil {
		t.Error("bad size on the command line accepted")
	}
}

func TestUnknownConfigFileKeyIsAnError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "node.toml")
	os.WriteFile(file, []byte("api-prot = 1\n"), 0o600)
	if _, err := parse(t, []string{"--config-file", file}, nil); err == nil || !strings.Contains(err.Error(), "api-prot") {
		t.Fatalf("error %v, want one naming the key", err)
	}
}
