package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/archivist-desktop/archivist/internal/app/config"
)

// setSounds stores custom sound paths through the store, validated as a
// save from the Settings page is.
func setSounds(t *testing.T, s *Server, edit func(*config.NotificationsConfig)) {
	t.Helper()
	if _, err := s.opts.Config.Update(func(c *config.Config) error { edit(&c.Notifications); return nil }); err != nil {
		t.Fatalf("saving the sound settings: %v", err)
	}
}

func getSound(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req := authed("GET", url, "")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestNotificationSoundServesTheConfiguredFile(t *testing.T) {
	s, ts := newTestServer(t)
	dir := t.TempDir()
	wav := append([]byte("RIFF\x24\x00\x00\x00WAVEfmt "), bytes.Repeat([]byte{7}, 1000)...)
	ogg := []byte("OggS not really, but bytes are bytes")
	os.WriteFile(filepath.Join(dir, "Chime.WAV"), wav, 0o600)
	os.WriteFile(filepath.Join(dir, "peer.ogg"), ogg, 0o600)
	setSounds(t, s, func(n *config.NotificationsConfig) {
		n.CustomStartupSound = filepath.Join(dir, "Chime.WAV")
		n.CustomPeerConnectSound = filepath.Join(dir, "peer.ogg")
	})

	resp, body := getSound(t, ts.URL+"/api/notifications/sounds/startup")
	if resp.StatusCode != 200 || !bytes.Equal(body, wav) {
		t.Fatalf("startup: status %d, %d bytes; want 200 with the file's %d bytes", resp.StatusCode, len(body), len(wav))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "audio/wav" {
		t.Fatalf("Content-Type %q, want audio/wav (by extension, any case)", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control %q: the setting may point elsewhere any time", cc)
	}

	resp, body = getSound(t, ts.URL+"/api/notifications/sounds/peer-connect", "Range", "bytes=0-3")
	if resp.StatusCode != http.StatusPartialContent || string(body) != "OggS" || resp.Header.Get("Content-Type") != "audio/ogg" {
		t.Fatalf("ranged peer-connect: status %d body %q type %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}

	// A change of the setting is served at once: nothing is cached.
	setSounds(t, s, func(n *config.NotificationsConfig) { n.CustomStartupSound = filepath.Join(dir, "peer.ogg") })
	if _, body = getSound(t, ts.URL+"/api/notifications/sounds/startup"); !bytes.Equal(body, ogg) {
		t.Fatalf("after changing the setting: got %q", body)
	}
}

func TestNotificationSoundRefusals(t *testing.T) {
	s, ts := newTestServer(t)
	dir := t.TempDir()
	big := filepath.Join(dir, "big.mp3")
	f, _ := os.Create(big)
	f.Truncate(MaxSoundBytes + 1)
	f.Close()
	exact := filepath.Join(dir, "exact.m4a")
	f, _ = os.Create(exact)
	f.Truncate(MaxSoundBytes)
	f.Close()
	os.Mkdir(filepath.Join(dir, "folder.mp3"), 0o700)
	secret := filepath.Join(dir, "secret.ogg")
	os.WriteFile(secret, []byte("x"), 0o000)

	url := ts.URL + "/api/notifications/sounds/"
	cases := []struct {
		name   string
		event  string
		path   string
		status int
		says   string
	}{
		{"unknown event", "shutdown", "", 404, `no sound event "shutdown": use startup, peer-connect or download`},
		{"none configured", "download", "", 404, "no custom sound is set for download (notifications.custom_download_sound)"},
		{"missing file", "download", filepath.Join(dir, "gone.mp3"), 404, "no such file or directory"},
		{"too large", "download", big, 413, "larger than the 10 MiB"},
		{"a directory", "download", filepath.Join(dir, "folder.mp3"), 422, "not a regular file"},
	}
	if fifo := filepath.Join(dir, "pipe.wav"); makeFIFO(t, fifo) {
		cases = append(cases, struct {
			name   string
			event  string
			path   string
			status int
			says   string
		}{"a FIFO is not opened", "download", fifo, 422, "not a regular file"})
	}
	if os.Geteuid() != 0 { // root reads anything
		cases = append(cases, struct {
			name   string
			event  string
			path   string
			status int
			says   string
		}{"unreadable", "download", secret, 403, "permission denied"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			setSounds(t, s, func(n *config.NotificationsConfig) { n.CustomDownloadSound = tc.path })
			resp, body := getSound(t, url+tc.event)
			var e struct{ Error string }
			json.Unmarshal(body, &e)
			if resp.StatusCode != tc.status || !strings.Contains(e.Error, tc.says) {
				t.Fatalf("status %d body %s, want %d saying %q", resp.StatusCode, body, tc.status, tc.says)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("error answered as %q, want a JSON error", resp.Header.Get("Content-Type"))
			}
		})
	}

	setSounds(t, s, func(n *config.NotificationsConfig) { n.CustomDownloadSound = exact })
	if resp, body := getSound(t, url+"download"); resp.StatusCode != 200 || len(body) != MaxSoundBytes || resp.Header.Get("Content-Type") != "audio/mp4" {
		t.Fatalf("a file of exactly 10 MiB: status %d, %d bytes, type %q", resp.StatusCode, len(body), resp.Header.Get("Content-Type"))
	}
}

// Validation keeps other file types out of config.toml; the endpoint still
// refuses them by itself, should the two ever disagree.
func TestNotificationSoundTypesMatchValidation(t *testing.T) {
	for _, ext := range config.SoundExtensions {
		if soundTypes[ext] == "" {
			t.Errorf("config accepts %s but the endpoint has no Content-Type for it", ext)
		}
	}
	if len(soundTypes) != len(config.SoundExtensions) {
		t.Errorf("endpoint types %v, config extensions %v", soundTypes, config.SoundExtensions)
	}
	c := config.Default("/data/node")
	c.Notifications.CustomStartupSound = "/etc/passwd"
	if err := c.Validate(); err == nil {
		t.Fatal("config accepted /etc/passwd as a sound")
	}
}

func TestNotificationSoundNeedsCredentials(t *testing.T) {
	_, ts := newTestServer(t)
	resp, err := http.Get(ts.URL + "/api/notifications/sounds/startup")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d without credentials, want 401", resp.StatusCode)
	}
}
