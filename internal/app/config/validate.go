package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Problem is one thing wrong with a configuration. Key is the TOML path of
// the offending key (node.api_port, sync.exclude_patterns[2],
// backup_server.source_peers[0].host), so the UI can put the message next to
// the field and a person editing the file knows where to look.
type Problem struct {
	Key     string `json:"key"`
	Line    int    `json:"line,omitempty"` // 1-based line in the file; 0 when not known or not from a file
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Key == "" {
		return p.Message
	}
	return p.Key + ": " + p.Message
}

// ValidationError lists every problem at once, so a person fixing a file or a
// form sees all of them instead of one per attempt.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string { return joinProblems(e.Problems) }

func joinProblems(ps []Problem) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, "; ")
}

// Limits. Ports below 1024 need privileges on Unix; the upper bounds keep
// values that are surely typos (and would overflow a time.Duration or a byte
// count downstream) out of the services.
const (
	minPort         = 1024
	maxPort         = 65535
	maxStorageGB    = 1 << 20 // 1 PiB
	maxIntervalSecs = 365 * 24 * 3600
	maxConcurrent   = 64
	maxRetries      = 1000
	maxThreshold    = 100000
	maxKeep         = 100000
)

var (
	logLevels = []string{"TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "ERROR", "FATAL"}
	themes    = []string{"light", "dark", "system"}
	// A language tag such as en, pt-BR or zh_Hant; no registry check, the UI
	// falls back to English for what it does not know.
	languageRE = regexp.MustCompile(`^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$`)
)

// Validate reports every problem in c as a *ValidationError, or nil.
func (c Config) Validate() error {
	var v validator
	v.oneOf("theme", c.Theme, themes)
	if !languageRE.MatchString(c.Language) {
		v.addf("language", "%q is not a language tag (like en or pt-BR)", c.Language)
	}
	v.node(c.Node)
	v.sync(c.Sync)
	v.notifications(c.Notifications)
	v.backupServer(c.BackupServer)
	v.manifestServer(c.ManifestServer)
	if err := CheckUpdateURL(c.Updates.FeedURL); err != nil {
		v.addf("updates.feed_url", "%v", err)
	}
	v.distinctPorts(c)
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: v.problems}
}

type validator struct {
	problems []Problem
}

func (v *validator) addf(key, format string, args ...any) {
	v.problems = append(v.problems, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) node(n NodeConfig) {
	v.absPath("node.data_directory", n.DataDirectory, true)
	v.absPath("node.binary", n.Binary, false)
	v.port("node.api_port", n.APIPort)
	v.port("node.discovery_port", n.DiscoveryPort)
	v.port("node.listen_port", n.ListenPort)
	v.between("node.max_storage_gb", n.MaxStorageGB, 1, maxStorageGB)
	v.oneOf("node.log_level", n.LogLevel, logLevels)
}

func (v *validator) sync(s SyncConfig) {
	v.between("sync.sync_interval_seconds", s.SyncIntervalSeconds, 1, maxIntervalSecs)
	if s.BandwidthLimitMbps < 0 {
		v.addf("sync.bandwidth_limit_mbps", "%d is negative (0 or absent means unlimited)", s.BandwidthLimitMbps)
	}
	for i, p := range s.ExcludePatterns {
		key := fmt.Sprintf("sync.exclude_patterns[%d]", i)
		if p == "" {
			v.addf(key, "empty pattern")
			continue
		}
		// Match checks the whole pattern even when the name cannot match,
		// so matching "" finds every malformed one up front rather than
		// when the first file happens to reach the bad part.
		if _, err := path.Match(p, ""); err != nil {
			v.addf(key, "%q is not a valid pattern: %v", p, err)
		}
	}
	if a := s.BackupPeerAddress; a != "" && !strings.HasPrefix(a, "/") && !strings.HasPrefix(a, "spr:") {
		v.addf("sync.backup_peer_address", "%q is neither a multiaddr (/ip4/…/tcp/…/p2p/…) nor an SPR (spr:…)", a)
	}
	v.port("sync.backup_trigger_port", s.BackupTriggerPort)
	v.between("sync.manifest_update_threshold", s.ManifestUpdateThreshold, 1, maxThreshold)
	v.between("sync.manifest_retry_interval_secs", s.ManifestRetryIntervalSecs, 1, maxIntervalSecs)
	v.between("sync.manifest_max_retries", s.ManifestMaxRetries, 0, maxRetries)
}

func (v *validator) notifications(n NotificationsConfig) {
	// NaN fails both comparisons, so it is caught too.
	if !(n.SoundVolume >= 0 && n.SoundVolume <= 1) {
		v.addf("notifications.sound_volume", "%v is outside 0..1", n.SoundVolume)
	}
	v.soundFile("notifications.custom_startup_sound", n.CustomStartupSound)
	v.soundFile("notifications.custom_peer_connect_sound", n.CustomPeerConnectSound)
	v.soundFile("notifications.custom_download_sound", n.CustomDownloadSound)
}

// SoundExtensions are the custom sound formats (the reference's file
// picker's): what browsers and the desktop webview decode.
var SoundExtensions = []string{".mp3", ".wav", ".ogg", ".m4a"}

// soundFile checks the name only: the file may be on a disk that is not
// mounted yet, and the UI falls back to the built-in tone when it cannot
// be read.
func (v *validator) soundFile(key, p string) {
	if p == "" {
		return
	}
	v.absPath(key, p, false)
	if !slices.Contains(SoundExtensions, strings.ToLower(filepath.Ext(p))) {
		v.addf(key, "%q is not an .mp3, .wav, .ogg or .m4a file", p)
	}
}

func (v *validator) backupServer(b BackupServerConfig) {
	v.between("backup_server.poll_interval_secs", b.PollIntervalSecs, 1, maxIntervalSecs)
	v.between("backup_server.max_concurrent_downloads", b.MaxConcurrentDownloads, 1, maxConcurrent)
	v.between("backup_server.max_retries", b.MaxRetries, 0, maxRetries)
	v.port("backup_server.trigger_port", b.TriggerPort)
	v.between("backup_server.keep_last", b.KeepLast, 0, maxKeep)
	v.between("backup_server.keep_hourly", b.KeepHourly, 0, maxKeep)
	v.between("backup_server.keep_daily", b.KeepDaily, 0, maxKeep)
	v.between("backup_server.keep_weekly", b.KeepWeekly, 0, maxKeep)
	for i, p := range b.SourcePeers {
		key := fmt.Sprintf("backup_server.source_peers[%d]", i)
		v.host(key+".host", p.Host)
		v.port(key+".manifest_port", p.ManifestPort)
		if p.Multiaddr != "" && !strings.HasPrefix(p.Multiaddr, "/") {
			v.addf(key+".multiaddr", "%q is not a multiaddr (/ip4/…/tcp/…/p2p/…)", p.Multiaddr)
		}
	}
}

func (v *validator) manifestServer(m ManifestServerConfig) {
	v.port("manifest_server.port", m.Port)
	for i, s := range m.AllowedIPs {
		if _, err := netip.ParseAddr(s); err == nil {
			continue
		}
		if _, err := netip.ParsePrefix(s); err == nil {
			continue
		}
		v.addf(fmt.Sprintf("manifest_server.allowed_ips[%d]", i), "%q is not an IP address or CIDR range", s)
	}
}

// distinctPorts checks the ports this machine binds. They are checked whether
// or not their server is enabled, so that switching a server on later never
// fails on a collision the user could not see when they set the port.
// sync.backup_trigger_port is the backup peer's port, so it is not among them.
func (v *validator) distinctPorts(c Config) {
	ports := []struct {
		key  string
		port int
	}{
		{"node.api_port", c.Node.APIPort},
		{"node.discovery_port", c.Node.DiscoveryPort},
		{"node.listen_port", c.Node.ListenPort},
		{"manifest_server.port", c.ManifestServer.Port},
		{"backup_server.trigger_port", c.BackupServer.TriggerPort},
	}
	for i, p := range ports {
		for _, q := range ports[:i] {
			if p.port == q.port {
				v.addf(p.key, "port %d is already used by %s", p.port, q.key)
				break
			}
		}
	}
}

func (v *validator) port(key string, p int) {
	if p < minPort || p > maxPort {
		v.addf(key, "%d is not a port (%d–%d)", p, minPort, maxPort)
	}
}

func (v *validator) between(key string, n, lo, hi int) {
	if n < lo || n > hi {
		v.addf(key, "%d is outside %d..%d", n, lo, hi)
	}
}

func (v *validator) oneOf(key, s string, allowed []string) {
	if !slices.Contains(allowed, s) {
		v.addf(key, "%q is not one of %s", s, strings.Join(allowed, ", "))
	}
}

// absPath insists on absolute paths because a relative one would depend on
// the directory the app happened to be started from.
func (v *validator) absPath(key, p string, required bool) {
	switch {
	case p == "" && required:
		v.addf(key, "must not be empty")
	case p != "" && !filepath.IsAbs(p):
		v.addf(key, "%q is not an absolute path", p)
	}
}

// host rejects what people paste by mistake: a URL or host:port, which the
// backup daemon would turn into http://host:8085:8085.
func (v *validator) host(key, h string) {
	switch {
	case h == "":
		v.addf(key, "must not be empty")
	case strings.Contains(h, "://") || strings.ContainsAny(h, "/ \t"):
		v.addf(key, "%q is not a host name or IP address", h)
	case strings.Contains(h, ":"):
		if _, err := netip.ParseAddr(strings.Trim(h, "[]")); err != nil {
			v.addf(key, "%q looks like host:port; put the port in manifest_port", h)
		}
	}
}

// CheckUpdateURL accepts the addresses the updater may fetch from: https, or
// plain http to this machine only (a local test server; nothing on the way
// can tamper with loopback traffic). Signatures protect the builds either
// way, but a plain-http feed on the network would let anyone on the path
// hide new releases.
func CheckUpdateURL(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", s, err)
	}
	if u.Host == "" || u.User != nil || u.Opaque != "" {
		return fmt.Errorf("%q is not an http(s) URL with a host (and no user or password)", s)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if host := u.Hostname(); host == "localhost" || isLoopback(host) {
			return nil
		}
		return fmt.Errorf("%q: plain http is allowed only to this machine (127.0.0.1, ::1, localhost); use https", s)
	default:
		return fmt.Errorf("%q: the scheme must be https", s)
	}
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
