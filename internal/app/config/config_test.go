package config

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

func testDataDir(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "node")
}

// TestDefaultMatchesReference pins every default of spec §2, plus the two
// deliberate choices (manifest_update_threshold, node.binary).
func TestDefaultMatchesReference(t *testing.T) {
	dir := testDataDir(t)
	c := Default(dir)
	want := Config{
		Theme: "system", Language: "en", StartMinimized: false, StartOnBoot: false,
		Node: NodeConfig{
			DataDirectory: dir, APIPort: 8080, DiscoveryPort: 8090, ListenPort: 8070,
			MaxStorageGB: 10, AutoStart: true, LogLevel: "DEBUG", Binary: "",
		},
		Sync: SyncConfig{
			AutoSync: true, SyncIntervalSeconds: 300, BandwidthLimitMbps: 0,
			ExcludePatterns: []string{"*.tmp", "*.temp", ".DS_Store", "Thumbs.db"},
			BackupEnabled:   false, BackupPeerAddress: "", BackupPeerNickname: "",
			BackupManifestEnabled: true, BackupAutoNotify: false, BackupTriggerPort: 8086,
			ManifestUpdateThreshold: 10, ManifestRetryIntervalSecs: 300, ManifestMaxRetries: 5,
		},
		Notifications: NotificationsConfig{
			SoundEnabled: true, SoundOnStartup: true, SoundOnPeerConnect: true, SoundOnDownload: true,
			SoundVolume:    0.5,
			DesktopEnabled: true, DesktopOnBackupFinished: true, DesktopOnBackupFailed: true, DesktopOnPeerConnect: true,
		},
		BackupServer: BackupServerConfig{
			Enabled: false, PollIntervalSecs: 30, MaxConcurrentDownloads: 3, MaxRetries: 3,
			AutoDeleteTombstones: true, TriggerPort: 8086, SourcePeers: []SourcePeer{},
			// Retention is ours: the reference keeps no versions.
			KeepLast: 10, KeepHourly: 24, KeepDaily: 7, KeepWeekly: 8,
		},
		ManifestServer: ManifestServerConfig{Enabled: false, Port: 8085, AllowedIPs: []string{}},
		Updates: UpdatesConfig{Enabled: true,
			FeedURL: "https://github.com/archivist-desktop/archivist/releases/latest/download/latest.json"},
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("Default() =\n%+v\nwant\n%+v", c, want)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
}

func TestCloneSharesNothing(t *testing.T) {
	a := Default(testDataDir(t))
	a.BackupServer.SourcePeers = []SourcePeer{{Nickname: "a", Host: "h", ManifestPort: 8085}}
	a.ManifestServer.AllowedIPs = []string{"10.0.0.1"}
	b := a.Clone()
	b.Sync.ExcludePatterns[0] = "changed"
	b.BackupServer.SourcePeers[0].Host = "changed"
	b.ManifestServer.AllowedIPs[0] = "changed"
	if a.Sync.ExcludePatterns[0] != "*.tmp" || a.BackupServer.SourcePeers[0].Host != "h" || a.ManifestServer.AllowedIPs[0] != "10.0.0.1" {
		t.Fatalf("Clone shares slices with the original: %+v", a)
	}
}

// The UI API sends and receives the same snake_case names as the file,
// with every key present.
func TestJSONNames(t *testing.T) {
	b, err := json.Marshal(Default("/data/node"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]map[string]any
	var top map[string]any
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"theme", "language", "start_minimized", "start_on_boot"} {
		if _, ok := top[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	delete(top, "theme")
	delete(top, "language")
	delete(top, "start_minimized")
	delete(top, "start_on_boot")
	b, _ = json.Marshal(top)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"node": {"data_directory", "api_port", "discovery_port", "listen_port", "max_storage_gb", "auto_start", "log_level", "binary"},
		"sync": {"auto_sync", "sync_interval_seconds", "bandwidth_limit_mbps", "exclude_patterns", "backup_enabled",
			"backup_peer_address", "backup_peer_nickname", "backup_manifest_enabled", "backup_auto_notify",
			"backup_trigger_port", "manifest_update_threshold", "manifest_retry_interval_secs", "manifest_max_retries"},
		"notifications": {"sound_enabled", "sound_on_startup", "sound_on_peer_connect", "sound_on_download", "sound_volume",
			"custom_startup_sound", "custom_peer_connect_sound", "custom_download_sound",
			"desktop_enabled", "desktop_on_backup_finished", "desktop_on_backup_failed", "desktop_on_peer_connect"},
		"backup_server": {"enabled", "poll_interval_secs", "max_concurrent_downloads", "max_retries", "auto_delete_tombstones", "trigger_port", "source_peers",
			"keep_last", "keep_hourly", "keep_daily", "keep_weekly"},
		"manifest_server": {"enabled", "port", "allowed_ips"},
		"updates":         {"enabled", "feed_url"},
	}
	for sec, keys := range want {
		var got []string
		for k := range m[sec] {
			got = append(got, k)
		}
		slices.Sort(got)
		slices.Sort(keys)
		if !slices.Equal(got, keys) {
			t.Errorf("JSON section %s keys = %v, want %v", sec, got, keys)
		}
	}
}
