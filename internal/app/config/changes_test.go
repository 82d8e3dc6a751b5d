package config

import (
	"reflect"
	"testing"
)

func TestChangedKeys(t *testing.T) {
	a := Default("/data/node")
	b := a.Clone()
	if keys := ChangedKeys(a, b); len(keys) != 0 {
		t.Fatalf("identical configs differ in %v", keys)
	}
	b.StartOnBoot = true
	b.Node.ListenPort = 9070
	b.Sync.ExcludePatterns = append(b.Sync.ExcludePatterns, "*.iso")
	b.BackupServer.SourcePeers = []SourcePeer{{Host: "a.lan", ManifestPort: 8085}}
	b.ManifestServer.AllowedIPs = nil // nil and empty are the same list
	want := []string{"start_on_boot", "node.listen_port", "sync.exclude_patterns", "backup_server.source_peers"}
	if got := ChangedKeys(a, b); !reflect.DeepEqual(got, want) {
		t.Fatalf("ChangedKeys = %v, want %v", got, want)
	}

	c := b.Clone()
	c.BackupServer.SourcePeers[0].Enabled = true
	if got := ChangedKeys(b, c); !reflect.DeepEqual(got, []string{"backup_server.source_peers"}) {
		t.Fatalf("a peer's field change = %v", got)
	}
}

func TestNeedsNodeRestart(t *testing.T) {
	base := Default("/data/node")
	cases := []struct {
		name string
		edit func(*Config)
		want bool
	}{
		{"api_port", func(c *Config) { c.Node.APIPort = 9080 }, true},
		{"discovery_port", func(c *Config) { c.Node.DiscoveryPort = 9090 }, true},
		{"listen_port", func(c *Config) { c.Node.ListenPort = 9070 }, true},
		{"data_directory", func(c *Config) { c.Node.DataDirectory = "/other" }, true},
		{"max_storage_gb", func(c *Config) { c.Node.MaxStorageGB = 20 }, true},
		{"binary", func(c *Config) { c.Node.Binary = "/opt/archivist" }, true},
		{"log_level is live", func(c *Config) { c.Node.LogLevel = "INFO" }, false},
		{"auto_start is read at launch", func(c *Config) { c.Node.AutoStart = false }, false},
		{"other sections", func(c *Config) { c.ManifestServer.Port = 9085; c.Theme = "dark" }, false},
	}
	for _, tc := range cases {
		n := base.Clone()
		tc.edit(&n)
		if got := NeedsNodeRestart(base, n); got != tc.want {
			t.Errorf("%s: NeedsNodeRestart = %v, want %v", tc.name, got, tc.want)
		}
	}
}
