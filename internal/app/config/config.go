package config

// Config is the whole of config.toml. The TOML and JSON names are the
// reference app's, so an existing user's file loads unchanged and the UI sends
// and receives the same snake_case shape.
//
// Numbers are plain ints rather than uint16/uint32: an out-of-range value in a
// hand-edited file then reaches Validate, which names the key and the allowed
// range, instead of failing inside the decoder with a Go type name.
//
// Optional values are zero when unset ("" or 0). TOML omits them on write, as
// the reference does for its None values; JSON always carries every key so the
// UI sees the full shape.
type Config struct {
	Theme          string `toml:"theme" json:"theme"`
	Language       string `toml:"language" json:"language"`
	StartMinimized bool   `toml:"start_minimized" json:"start_minimized"`
	StartOnBoot    bool   `toml:"start_on_boot" json:"start_on_boot"`

	Node           NodeConfig           `toml:"node" json:"node"`
	Sync           SyncConfig           `toml:"sync" json:"sync"`
	Notifications  NotificationsConfig  `toml:"notifications" json:"notifications"`
	BackupServer   BackupServerConfig   `toml:"backup_server" json:"backup_server"`
	ManifestServer ManifestServerConfig `toml:"manifest_server" json:"manifest_server"`
	Updates        UpdatesConfig        `toml:"updates" json:"updates"`
}

// NodeConfig is how the app runs its storage node. Every key except
// log_level and auto_start is a command-line flag of the node, so changing it
// means restarting the node (see NeedsNodeRestart).
type NodeConfig struct {
	DataDirectory string `toml:"data_directory" json:"data_directory"`
	APIPort       int    `toml:"api_port" json:"api_port"`
	DiscoveryPort int    `toml:"discovery_port" json:"discovery_port"` // UDP
	ListenPort    int    `toml:"listen_port" json:"listen_port"`       // TCP, libp2p
	MaxStorageGB  int    `toml:"max_storage_gb" json:"max_storage_gb"`
	AutoStart     bool   `toml:"auto_start" json:"auto_start"`
	LogLevel      string `toml:"log_level" json:"log_level"`
	// Binary is another archivist-node-compatible executable (the real
	// archivist-node, say); empty runs this program as `archivist node`.
	Binary string `toml:"binary,omitempty" json:"binary"`
}

// SyncConfig is the source side of backups (Machine A): watched folders and
// the manifests that tell a backup peer what to fetch.
type SyncConfig struct {
	AutoSync            bool `toml:"auto_sync" json:"auto_sync"`
	SyncIntervalSeconds int  `toml:"sync_interval_seconds" json:"sync_interval_seconds"`
	// BandwidthLimitMbps of 0 means unlimited: a limit of zero would stop
	// every upload, which nobody means.
	BandwidthLimitMbps        int      `toml:"bandwidth_limit_mbps,omitempty" json:"bandwidth_limit_mbps"`
	ExcludePatterns           []string `toml:"exclude_patterns" json:"exclude_patterns"`
	BackupEnabled             bool     `toml:"backup_enabled" json:"backup_enabled"`
	BackupPeerAddress         string   `toml:"backup_peer_address,omitempty" json:"backup_peer_address"`
	BackupPeerNickname        string   `toml:"backup_peer_nickname,omitempty" json:"backup_peer_nickname"`
	BackupManifestEnabled     bool     `toml:"backup_manifest_enabled" json:"backup_manifest_enabled"`
	BackupAutoNotify          bool     `toml:"backup_auto_notify" json:"backup_auto_notify"`
	BackupTriggerPort         int      `toml:"backup_trigger_port" json:"backup_trigger_port"` // the backup peer's, not ours
	ManifestUpdateThreshold   int      `toml:"manifest_update_threshold" json:"manifest_update_threshold"`
	ManifestRetryIntervalSecs int      `toml:"manifest_retry_interval_secs" json:"manifest_retry_interval_secs"`
	ManifestMaxRetries        int      `toml:"manifest_max_retries" json:"manifest_max_retries"`
}

// NotificationsConfig is read by the UI, which plays the sounds and, in a
// browser, shows desktop notifications; in the window the shell sends them
// to the OS instead.
type NotificationsConfig struct {
	SoundEnabled       bool    `toml:"sound_enabled" json:"sound_enabled"`
	SoundOnStartup     bool    `toml:"sound_on_startup" json:"sound_on_startup"`
	SoundOnPeerConnect bool    `toml:"sound_on_peer_connect" json:"sound_on_peer_connect"`
	SoundOnDownload    bool    `toml:"sound_on_download" json:"sound_on_download"`
	SoundVolume        float64 `toml:"sound_volume" json:"sound_volume"` // 0..1
	// Empty custom sounds play the built-in tones.
	CustomStartupSound     string `toml:"custom_startup_sound,omitempty" json:"custom_startup_sound"`
	CustomPeerConnectSound string `toml:"custom_peer_connect_sound,omitempty" json:"custom_peer_connect_sound"`
	CustomDownloadSound    string `toml:"custom_download_sound,omitempty" json:"custom_download_sound"`
	// Desktop notifications (the seed had none): a master switch and one
	// per event.
	DesktopEnabled          bool `toml:"desktop_enabled" json:"desktop_enabled"`
	DesktopOnBackupFinished bool `toml:"desktop_on_backup_finished" json:"desktop_on_backup_finished"`
	DesktopOnBackupFailed   bool `toml:"desktop_on_backup_failed" json:"desktop_on_backup_failed"`
	DesktopOnPeerConnect    bool `toml:"desktop_on_peer_connect" json:"desktop_on_peer_connect"`
}

// BackupServerConfig is the receiving side of backups (Machine B).
type BackupServerConfig struct {
	Enabled                bool         `toml:"enabled" json:"enabled"`
	PollIntervalSecs       int          `toml:"poll_interval_secs" json:"poll_interval_secs"`
	MaxConcurrentDownloads int          `toml:"max_concurrent_downloads" json:"max_concurrent_downloads"`
	MaxRetries             int          `toml:"max_retries" json:"max_retries"`
	AutoDeleteTombstones   bool         `toml:"auto_delete_tombstones" json:"auto_delete_tombstones"`
	TriggerPort            int          `toml:"trigger_port" json:"trigger_port"`
	SourcePeers            []SourcePeer `toml:"source_peers" json:"source_peers"`
	// Retention of versions, as restic's forget policy: the newest
	// KeepLast versions of a folder, and the newest version of each of the
	// last KeepHourly hours, KeepDaily days and KeepWeekly weeks that have
	// one. The latest version is always kept.
	KeepLast   int `toml:"keep_last" json:"keep_last"`
	KeepHourly int `toml:"keep_hourly" json:"keep_hourly"`
	KeepDaily  int `toml:"keep_daily" json:"keep_daily"`
	KeepWeekly int `toml:"keep_weekly" json:"keep_weekly"`
}

// SourcePeer is a machine whose manifests this one backs up.
type SourcePeer struct {
	Nickname     string `toml:"nickname" json:"nickname"`
	Host         string `toml:"host" json:"host"`
	ManifestPort int    `toml:"manifest_port" json:"manifest_port"`
	PeerID       string `toml:"peer_id,omitempty" json:"peer_id"`
	Multiaddr    string `toml:"multiaddr,omitempty" json:"multiaddr"`
	Enabled      bool   `toml:"enabled" json:"enabled"`
}

// ManifestServerConfig is the source side's server that backup peers poll.
type ManifestServerConfig struct {
	Enabled    bool     `toml:"enabled" json:"enabled"`
	Port       int      `toml:"port" json:"port"`
	AllowedIPs []string `toml:"allowed_ips" json:"allowed_ips"` // IPs or CIDR ranges; empty denies all
}

// UpdatesConfig is the self-updater's (internal/update): whether it checks
// the release feed, and where that feed is. Every build it offers is still
// verified against the key built into the binary, so another feed can only
// offer builds the project signed.
type UpdatesConfig struct {
	Enabled bool   `toml:"enabled" json:"enabled"`
	FeedURL string `toml:"feed_url" json:"feed_url"`
}

// DefaultFeedURL is the project's release feed, published with every release.
const DefaultFeedURL = "https://github.com/archivist-desktop/archivist/releases/latest/download/latest.json"

// Defaults that more than one place needs.
const (
	defaultManifestPort = 8085
	defaultTriggerPort  = 8086
)

// Default returns the reference app's defaults (spec §2), with the node's data
// in dataDir: the caller knows where the app keeps its files (paths.Layout),
// this package does not.
func Default(dataDir string) Config {
	return Config{
		Theme:    "system",
		Language: "en",
		Node: NodeConfig{
			DataDirectory: dataDir,
			APIPort:       8080,
			DiscoveryPort: 8090,
			ListenPort:    8070,
			MaxStorageGB:  10,
			// The reference README says false; its code says true, and a
			// backup app whose node does not start with it backs nothing up.
			AutoStart: true,
			// DEBUG is the reference default, kept so the Logs page shows
			// what users and bug reports have come to expect. It is chatty;
			// INFO (archivist-node's own default) is one click away and
			// applies without a restart.
			LogLevel: "DEBUG",
		},
		Sync: SyncConfig{
			AutoSync:              true,
			SyncIntervalSeconds:   300,
			ExcludePatterns:       []string{"*.tmp", "*.temp", ".DS_Store", "Thumbs.db"},
			BackupManifestEnabled: true,
			BackupTriggerPort:     defaultTriggerPort,
			// 10, as the reference's docs and hard-coded behaviour say (its
			// config default of 1 was never read). The threshold only bounds
			// how many changes a burst may pile up before a manifest is
			// published: the sync service also publishes after a quiet
			// period, so a single new file does not wait for nine more,
			// while copying a thousand photos yields a hundred manifests
			// instead of a thousand.
			ManifestUpdateThreshold:   10,
			ManifestRetryIntervalSecs: 300,
			ManifestMaxRetries:        5,
		},
		Notifications: NotificationsConfig{
			SoundEnabled:       true,
			SoundOnStartup:     true,
			SoundOnPeerConnect: true,
			SoundOnDownload:    true,
			SoundVolume:        0.5,

			DesktopEnabled:          true,
			DesktopOnBackupFinished: true,
			DesktopOnBackupFailed:   true,
			DesktopOnPeerConnect:    true,
		},
		BackupServer: BackupServerConfig{
			PollIntervalSecs:       30,
			MaxConcurrentDownloads: 3,
			MaxRetries:             3,
			AutoDeleteTombstones:   true,
			TriggerPort:            defaultTriggerPort,
			SourcePeers:            []SourcePeer{},
			KeepLast:               10,
			KeepHourly:             24,
			KeepDaily:              7,
			KeepWeekly:             8,
		},
		ManifestServer: ManifestServerConfig{
			Port:       defaultManifestPort,
			AllowedIPs: []string{},
		},
		Updates: UpdatesConfig{Enabled: true, FeedURL: DefaultFeedURL},
	}
}

// Clone returns a copy that shares no slices with c, so a caller can change
// what Store.Get returned without racing with the store.
func (c Config) Clone() Config {
	c.Sync.ExcludePatterns = cloneSlice(c.Sync.ExcludePatterns)
	c.BackupServer.SourcePeers = cloneSlice(c.BackupServer.SourcePeers)
	c.ManifestServer.AllowedIPs = cloneSlice(c.ManifestServer.AllowedIPs)
	return c
}

// cloneSlice never returns nil: an empty list is written as `key = []`, which
// a later load reads as empty, whereas an omitted key would bring the
// defaults back.
func cloneSlice[T any](s []T) []T {
	return append(make([]T, 0, len(s)), s...)
}
