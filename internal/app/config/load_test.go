package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	toml "github.com/pelletier/go-toml/v2"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// loadErr loads body and returns the *LoadError, failing if there is none.
func loadErr(t *testing.T, body string) *LoadError {
	t.Helper()
	p := writeConfig(t, body)
	_, err := Load(p, Default("/data/node"))
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("Load(%q) error = %v, want a *LoadError", body, err)
	}
	if le.Path != p {
		t.Errorf("LoadError.Path = %q, want %q", le.Path, p)
	}
	if !strings.Contains(le.Error(), p) {
		t.Errorf("LoadError %q does not name the file", le.Error())
	}
	return le
}

func TestLoadMissingFileGivesDefaultsAndWritesNothing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.toml")
	c, err := Load(p, Default("/data/node"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, Default("/data/node")) {
		t.Fatalf("got %+v, want defaults", c)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Load created the file (stat: %v)", err)
	}
}

func TestRoundTrip(t *testing.T) {
	c := Default("/data/node")
	c.Theme = "dark"
	c.Language = "pt-BR"
	c.StartMinimized = true
	c.Node.Binary = "/opt/archivist/archivist"
	c.Node.APIPort = 9080
	c.Node.LogLevel = "INFO"
	c.Sync.BandwidthLimitMbps = 20
	c.Sync.ExcludePatterns = []string{} // emptied on purpose: must not come back as defaults
	c.Sync.BackupPeerAddress = "/ip4/192.168.1.10/tcp/8070/p2p/16Uiu2HAmExample"
	c.Sync.BackupPeerNickname = "nas"
	c.Notifications.SoundVolume = 0.25
	c.Notifications.CustomDownloadSound = "/home/u/ding.ogg"
	c.BackupServer.Enabled = true
	c.BackupServer.SourcePeers = []SourcePeer{
		{Nickname: "laptop", Host: "192.168.1.20", ManifestPort: 8085, Enabled: true},
		{Nickname: "desk", Host: "desk.lan", ManifestPort: 9085, PeerID: "16Uiu2HAmPeer", Multiaddr: "/ip4/1.2.3.4/tcp/8070", Enabled: false},
	}
	c.ManifestServer.Enabled = true
	c.ManifestServer.AllowedIPs = []string{"192.168.1.0/24", "::1"}

	data, err := Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	p := writeConfig(t, string(data))
	got, err := Load(p, Default("/other/dir"))
	if err != nil {
		t.Fatalf("Load: %v\n%s", err, data)
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("round trip:\n got %+v\nwant %+v\nfile:\n%s", got, c, data)
	}
}

func TestEncodeOmitsOptionalValues(t *testing.T) {
	data, err := Encode(Default("/data/node"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, k := range []string{"binary", "bandwidth_limit_mbps", "backup_peer_address", "backup_peer_nickname", "custom_startup_sound"} {
		if strings.Contains(s, k) {
			t.Errorf("unset %s written:\n%s", k, s)
		}
	}
	for _, k := range []string{"[node]", "api_port = 8080", "log_level = 'DEBUG'", "[manifest_server]", "allowed_ips = []"} {
		if !strings.Contains(s, k) {
			t.Errorf("%q missing from:\n%s", k, s)
		}
	}
	// Pretty: one key per line, not an inline table.
	if strings.Contains(s, "node = {") {
		t.Errorf("tables written inline:\n%s", s)
	}
}

func TestPartialFileTakesDefaultsForTheRest(t *testing.T) {
	p := writeConfig(t, `theme = "light"
[node]
api_port = 9999
[sync]
exclude_patterns = ["*.bak"]
[[backup_server.source_peers]]
nickname = "laptop"
host = "192.168.1.20"
`)
	got, err := Load(p, Default("/data/node"))
	if err != nil {
		t.Fatal(err)
	}
	want := Default("/data/node")
	want.Theme = "light"
	want.Node.APIPort = 9999
	want.Sync.ExcludePatterns = []string{"*.bak"}
	// A listed peer is meant to be used, on the manifest server's default port.
	want.BackupServer.SourcePeers = []SourcePeer{{Nickname: "laptop", Host: "192.168.1.20", ManifestPort: 8085, Enabled: true}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func TestExplicitFalseAndZeroInSourcePeerAreKept(t *testing.T) {
	p := writeConfig(t, `[[backup_server.source_peers]]
host = "a.lan"
enabled = false
manifest_port = 9000
`)
	got, err := Load(p, Default("/data/node"))
	if err != nil {
		t.Fatal(err)
	}
	if sp := got.BackupServer.SourcePeers[0]; sp.Enabled || sp.ManifestPort != 9000 {
		t.Fatalf("peer = %+v, want enabled=false manifest_port=9000", sp)
	}
}

func TestEmptyFileIsDefaults(t *testing.T) {
	got, err := Load(writeConfig(t, ""), Default("/data/node"))
	if err != nil || !reflect.DeepEqual(got, Default("/data/node")) {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestUnknownKeyNamesKeyAndLine(t *testing.T) {
	le := loadErr(t, "theme = \"dark\"\n\n[node]\napi_port = 8080\napi_prot = 8081\n")
	if len(le.Problems) != 1 {
		t.Fatalf("problems = %+v", le.Problems)
	}
	p := le.Problems[0]
	if p.Key != "node.api_prot" || p.Line != 5 || p.Message != "unknown key" {
		t.Fatalf("problem = %+v, want node.api_prot on line 5", p)
	}
	if !strings.Contains(le.Error(), ":5:1: node.api_prot: unknown key") {
		t.Fatalf("message %q", le.Error())
	}
	var strict *toml.StrictMissingError
	if !errors.As(le, &strict) {
		t.Fatalf("LoadError does not wrap the decoder's error")
	}
}

func TestUnknownKeysAreAllReported(t *testing.T) {
	le := loadErr(t, "whitelisted_ips = []\n[manifest_server]\nname = \"x\"\n[bogus]\nx = 1\n")
	var keys []string
	for _, p := range le.Problems {
		keys = append(keys, p.Key)
	}
	want := []string{"whitelisted_ips", "manifest_server.name", "bogus"}
	if !reflect.DeepEqual(keys, want) {
		t.Fatalf("keys = %v, want %v (%v)", keys, want, le)
	}
	if le.Problems[2].Message != "unknown table" || le.Problems[2].Line != 4 {
		t.Fatalf("problem = %+v", le.Problems[2])
	}
}

func TestSyntaxErrorHasLine(t *testing.T) {
	le := loadErr(t, "theme = \"dark\"\n[node\napi_port = 1\n")
	if le.Problems[0].Line != 2 {
		t.Fatalf("problem = %+v, want line 2", le.Problems[0])
	}
	var de *toml.DecodeError
	if !errors.As(le, &de) {
		t.Fatal("LoadError does not wrap *toml.DecodeError")
	}
}

func TestWrongTypeIsExplainedWithoutGoNames(t *testing.T) {
	le := loadErr(t, "[node]\napi_port = \"8080\"\n")
	p := le.Problems[0]
	if p.Key != "node.api_port" || p.Line != 2 || p.Message != "expected an integer, found a TOML string" {
		t.Fatalf("problem = %+v", p)
	}
	le = loadErr(t, "[sync]\nexclude_patterns = \"*.tmp\"\n")
	if p := le.Problems[0]; p.Key != "sync.exclude_patterns" || !strings.HasPrefix(p.Message, "expected a list of strings") {
		t.Fatalf("problem = %+v", p)
	}
}

func TestInvalidValueNamesKeyAndLine(t *testing.T) {
	le := loadErr(t, "[node]\n\napi_port = 70000\n")
	var ve *ValidationError
	if !errors.As(le, &ve) {
		t.Fatalf("LoadError does not wrap a *ValidationError: %v", le.Err)
	}
	p := le.Problems[0]
	if p.Key != "node.api_port" || p.Line != 3 || p.Message != "70000 is not a port (1024–65535)" {
		t.Fatalf("problem = %+v", p)
	}
	if !strings.HasSuffix(le.Error(), ":3:1: node.api_port: 70000 is not a port (1024–65535)") {
		t.Fatalf("message %q", le.Error())
	}
}

func TestValidationLinesInListsAndPeers(t *testing.T) {
	le := loadErr(t, `[sync]
exclude_patterns = [
  "*.tmp",
  "[oops",
]
[[backup_server.source_peers]]
host = "a.lan"
[[backup_server.source_peers]]
nickname = "no host"
`)
	got := map[string]int{}
	for _, p := range le.Problems {
		got[p.Key] = p.Line
	}
	want := map[string]int{"sync.exclude_patterns[1]": 4, "backup_server.source_peers[1].host": 8}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("key → line = %v, want %v (%v)", got, want, le)
	}
}

func TestLoadErrorReturnsDefaults(t *testing.T) {
	p := writeConfig(t, "[node]\napi_port = 1\n")
	c, err := Load(p, Default("/data/node"))
	if err == nil {
		t.Fatal("no error")
	}
	if !reflect.DeepEqual(c, Default("/data/node")) {
		t.Fatalf("got %+v, want defaults", c)
	}
}
