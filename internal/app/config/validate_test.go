package config

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// TestValidateRules breaks one rule at a time and expects exactly one problem,
// on the right key, with the right words.
func TestValidateRules(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Config)
		key  string
		msg  string
	}{
		{"theme", func(c *Config) { c.Theme = "blue" }, "theme", `"blue" is not one of light, dark, system`},
		{"language", func(c *Config) { c.Language = "" }, "language", "is not a language tag"},
		{"data dir relative", func(c *Config) { c.Node.DataDirectory = "rel/dir" }, "node.data_directory", `"rel/dir" is not an absolute path`},
		{"data dir empty", func(c *Config) { c.Node.DataDirectory = "" }, "node.data_directory", "must not be empty"},
		{"binary relative", func(c *Config) { c.Node.Binary = "archivist" }, "node.binary", "is not an absolute path"},
		{"api port high", func(c *Config) { c.Node.APIPort = 70000 }, "node.api_port", "70000 is not a port (1024–65535)"},
		{"discovery port low", func(c *Config) { c.Node.DiscoveryPort = 80 }, "node.discovery_port", "80 is not a port (1024–65535)"},
		{"listen port zero", func(c *Config) { c.Node.ListenPort = 0 }, "node.listen_port", "0 is not a port"},
		{"storage", func(c *Config) { c.Node.MaxStorageGB = 0 }, "node.max_storage_gb", "0 is outside 1..1048576"},
		{"log level", func(c *Config) { c.Node.LogLevel = "LOUD" }, "node.log_level", `"LOUD" is not one of TRACE, DEBUG, INFO, NOTICE, WARN, ERROR, FATAL`},
		{"log level case", func(c *Config) { c.Node.LogLevel = "info" }, "node.log_level", `"info" is not one of`},
		{"sync interval", func(c *Config) { c.Sync.SyncIntervalSeconds = 0 }, "sync.sync_interval_seconds", "0 is outside 1.."},
		{"bandwidth", func(c *Config) { c.Sync.BandwidthLimitMbps = -1 }, "sync.bandwidth_limit_mbps", "negative"},
		{"exclude bad", func(c *Config) { c.Sync.ExcludePatterns = []string{"*.tmp", "[a-"} }, "sync.exclude_patterns[1]", `"[a-" is not a valid pattern: syntax error in pattern`},
		{"exclude empty", func(c *Config) { c.Sync.ExcludePatterns = []string{""} }, "sync.exclude_patterns[0]", "empty pattern"},
		{"backup peer address", func(c *Config) { c.Sync.BackupPeerAddress = "192.168.1.2" }, "sync.backup_peer_address", "neither a multiaddr"},
		{"backup trigger port", func(c *Config) { c.Sync.BackupTriggerPort = 99999 }, "sync.backup_trigger_port", "99999 is not a port"},
		{"threshold", func(c *Config) { c.Sync.ManifestUpdateThreshold = 0 }, "sync.manifest_update_threshold", "0 is outside 1.."},
		{"retry interval", func(c *Config) { c.Sync.ManifestRetryIntervalSecs = -5 }, "sync.manifest_retry_interval_secs", "-5 is outside 1.."},
		{"max retries", func(c *Config) { c.Sync.ManifestMaxRetries = -1 }, "sync.manifest_max_retries", "-1 is outside 0.."},
		{"volume high", func(c *Config) { c.Notifications.SoundVolume = 1.5 }, "notifications.sound_volume", "1.5 is outside 0..1"},
		{"volume negative", func(c *Config) { c.Notifications.SoundVolume = -0.1 }, "notifications.sound_volume", "outside 0..1"},
		{"volume NaN", func(c *Config) { c.Notifications.SoundVolume = math.NaN() }, "notifications.sound_volume", "NaN is outside 0..1"},
		{"custom sound", func(c *Config) { c.Notifications.CustomStartupSound = "ding.wav" }, "notifications.custom_startup_sound", "not an absolute path"},
		{"custom sound type", func(c *Config) { c.Notifications.CustomDownloadSound = "/home/u/notes.txt" }, "notifications.custom_download_sound", `"/home/u/notes.txt" is not an .mp3, .wav, .ogg or .m4a file`},
		{"custom sound no type", func(c *Config) { c.Notifications.CustomPeerConnectSound = "/home/u/ding" }, "notifications.custom_peer_connect_sound", "is not an .mp3"},
		{"poll interval", func(c *Config) { c.BackupServer.PollIntervalSecs = 0 }, "backup_server.poll_interval_secs", "0 is outside 1.."},
		{"concurrency zero", func(c *Config) { c.BackupServer.MaxConcurrentDownloads = 0 }, "backup_server.max_concurrent_downloads", "0 is outside 1..64"},
		{"concurrency high", func(c *Config) { c.BackupServer.MaxConcurrentDownloads = 65 }, "backup_server.max_concurrent_downloads", "65 is outside 1..64"},
		{"daemon retries", func(c *Config) { c.BackupServer.MaxRetries = -1 }, "backup_server.max_retries", "-1 is outside 0.."},
		{"trigger port", func(c *Config) { c.BackupServer.TriggerPort = 1023 }, "backup_server.trigger_port", "1023 is not a port"},
		{"peer host empty", func(c *Config) {
			c.BackupServer.SourcePeers = []SourcePeer{{Nickname: "a", Host: "", ManifestPort: 8085}}
		}, "backup_server.source_peers[0].host", "must not be empty"},
		{"peer host url", func(c *Config) {
			c.BackupServer.SourcePeers = []SourcePeer{{Host: "http://a.lan", ManifestPort: 8085}}
		}, "backup_server.source_peers[0].host", "is not a host name or IP address"},
		{"peer host:port", func(c *Config) {
			c.BackupServer.SourcePeers = []SourcePeer{{Host: "a.lan:8085", ManifestPort: 8085}}
		}, "backup_server.source_peers[0].host", "looks like host:port"},
		{"peer port", func(c *Config) {
			c.BackupServer.SourcePeers = []SourcePeer{{Host: "a.lan", ManifestPort: 8085}, {Host: "b.lan", ManifestPort: 0}}
		}, "backup_server.source_peers[1].manifest_port", "0 is not a port"},
		{"peer multiaddr", func(c *Config) {
			c.BackupServer.SourcePeers = []SourcePeer{{Host: "a.lan", ManifestPort: 8085, Multiaddr: "ip4/1.2.3.4"}}
		}, "backup_server.source_peers[0].multiaddr", "is not a multiaddr"},
		{"manifest port", func(c *Config) { c.ManifestServer.Port = -1 }, "manifest_server.port", "-1 is not a port"},
		{"allowed ip", func(c *Config) { c.ManifestServer.AllowedIPs = []string{"10.0.0.1", "10.0.0.300"} }, "manifest_server.allowed_ips[1]", `"10.0.0.300" is not an IP address or CIDR range`},
		{"allowed cidr", func(c *Config) { c.ManifestServer.AllowedIPs = []string{"10.0.0.0/33"} }, "manifest_server.allowed_ips[0]", "not an IP address or CIDR range"},
		{"feed empty", func(c *Config) { c.Updates.FeedURL = "" }, "updates.feed_url", "must not be empty"},
		{"feed plain http", func(c *Config) { c.Updates.FeedURL = "http://example.com/latest.json" }, "updates.feed_url", "plain http is allowed only to this machine"},
		{"feed plain http lan", func(c *Config) { c.Updates.FeedURL = "http://192.168.1.2/latest.json" }, "updates.feed_url", "plain http is allowed only to this machine"},
		{"feed scheme", func(c *Config) { c.Updates.FeedURL = "ftp://example.com/latest.json" }, "updates.feed_url", "the scheme must be https"},
		{"feed no host", func(c *Config) { c.Updates.FeedURL = "https:///latest.json" }, "updates.feed_url", "with a host"},
		{"feed relative", func(c *Config) { c.Updates.FeedURL = "latest.json" }, "updates.feed_url", "with a host"},
		{"feed userinfo", func(c *Config) { c.Updates.FeedURL = "https://u:p@example.com/latest.json" }, "updates.feed_url", "no user or password"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default("/data/node")
			tc.edit(&c)
			err := c.Validate()
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate() = %v, want a *ValidationError", err)
			}
			if len(ve.Problems) != 1 {
				t.Fatalf("problems = %+v, want exactly one", ve.Problems)
			}
			p := ve.Problems[0]
			if p.Key != tc.key || !strings.Contains(p.Message, tc.msg) {
				t.Fatalf("problem = %q, want key %s and %q", p.String(), tc.key, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), tc.key+": ") {
				t.Fatalf("error %q does not start with the key", err)
			}
		})
	}
}

func TestValidateAcceptsGoodValues(t *testing.T) {
	c := Default("/data/node")
	c.Language = "zh_Hant"
	c.Node.Binary = "/usr/local/bin/archivist"
	c.Node.LogLevel = "TRACE"
	c.Node.APIPort, c.Node.DiscoveryPort, c.Node.ListenPort = 1024, 65535, 30000
	c.Sync.BackupPeerAddress = "spr:CiUIAhIhAml6"
	c.Sync.ExcludePatterns = []string{"**/node_modules", "!keep.tmp", "[abc]*.log", "build/"}
	c.Sync.ManifestMaxRetries = 0
	c.Notifications.SoundVolume = 0
	c.Notifications.CustomStartupSound = "/home/u/Sounds/Chime.WAV"
	c.Notifications.CustomPeerConnectSound = "/home/u/Sounds/peer.m4a"
	c.Notifications.CustomDownloadSound = "/home/u/Sounds/done.ogg"
	c.BackupServer.MaxConcurrentDownloads = 64
	c.BackupServer.SourcePeers = []SourcePeer{
		{Nickname: "a", Host: "192.168.1.20", ManifestPort: 8085},
		{Nickname: "b", Host: "fe80::1", ManifestPort: 8085},
		{Nickname: "c", Host: "[2001:db8::1]", ManifestPort: 8085, Multiaddr: "/ip6/2001:db8::1/tcp/8070"},
		{Nickname: "d", Host: "nas.local", ManifestPort: 8085},
	}
	c.ManifestServer.AllowedIPs = []string{"192.168.1.20", "10.0.0.0/8", "::1", "fd00::/8"}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	// A local test feed over plain http, by every loopback name.
	for _, feed := range []string{"http://127.0.0.1:8999/latest.json", "http://[::1]/f.json", "http://localhost:1/x", "https://example.com/latest.json"} {
		c.Updates.FeedURL = feed
		if err := c.Validate(); err != nil {
			t.Errorf("feed %s: %v", feed, err)
		}
	}
}

func TestValidatePortCollisions(t *testing.T) {
	c := Default("/data/node")
	c.Node.ListenPort = 8080          // = api_port
	c.ManifestServer.Port = 8090      // = discovery_port
	c.BackupServer.TriggerPort = 8090 // = discovery_port too
	c.Sync.BackupTriggerPort = 8080   // the peer's port: may equal ours
	err := c.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate() = %v", err)
	}
	want := []string{
		"node.listen_port: port 8080 is already used by node.api_port",
		"manifest_server.port: port 8090 is already used by node.discovery_port",
		"backup_server.trigger_port: port 8090 is already used by node.discovery_port",
	}
	if len(ve.Problems) != len(want) {
		t.Fatalf("problems = %v, want %v", ve.Problems, want)
	}
	for i, p := range ve.Problems {
		if p.String() != want[i] {
			t.Errorf("problem %d = %q, want %q", i, p, want[i])
		}
	}
}

func TestValidateReportsEverything(t *testing.T) {
	c := Default("/data/node")
	c.Theme = "x"
	c.Node.APIPort = 1
	c.BackupServer.MaxConcurrentDownloads = 0
	var ve *ValidationError
	if !errors.As(c.Validate(), &ve) || len(ve.Problems) != 3 {
		t.Fatalf("got %v, want three problems", ve)
	}
}
