package main

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aead.dev/minisign"

	"github.com/archivist-desktop/archivist/internal/app/paths"
	"github.com/archivist-desktop/archivist/internal/buildinfo"
	"github.com/archivist-desktop/archivist/internal/update"
)

func TestCLIUpdateOutput(t *testing.T) {
	available := map[string]any{
		"current": "1.0.0", "available": true, "checkedAt": "2026-11-01T00:00:00Z",
		"latest": map[string]any{"version": "1.1.0", "pubDate": "2026-10-30T00:00:00Z",
			"notes": "Faster restores.\n\x1b[31mred\x1b[0m stays plain"},
	}
	var installBody map[string]string
	home := fakeApp(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "GET /api/update", "POST /api/update/check":
			writeTestJSON(w, http.StatusOK, available)
		case "POST /api/update/install":
			json.NewDecoder(r.Body).Decode(&installBody)
			if installBody["when"] == "quit" {
				writeTestJSON(w, http.StatusOK, map[string]any{"current": "1.0.0", "available": true, "ready": true, "installOnQuit": true,
					"latest": map[string]any{"version": "1.1.0"}})
				return
			}
			writeTestJSON(w, http.StatusOK, map[string]any{"current": "1.0.0", "installed": "1.1.0", "canRollback": true,
				"latest": map[string]any{"version": "1.1.0"}})
		case "POST /api/update/rollback":
			writeTestJSON(w, http.StatusConflict, map[string]string{"error": "there is no previous version to roll back to"})
		default:
			http.NotFound(w, r)
		}
	}))

	r := run(t, "update", "check", "--home", home)
	expectCode(t, r, 0)
	for _, want := range []string{"Archivist 1.1.0 is available (this is 1.0.0).", "Released 2026-10-30.", "What's new:",
		"  Faster restores.", "  ?[31mred?[0m stays plain", "Install it with `archivist update install`"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("check does not say %q:\n%s", want, r.out)
		}
	}
	if strings.Contains(r.out, "\x1b") {
		t.Errorf("an escape sequence from the feed reached the terminal: %q", r.out)
	}
	if s := run(t, "update", "status", "--home", home); s.out != r.out {
		t.Errorf("status differs from check:\n%s\n%s", s.out, r.out)
	}

	r = run(t, "update", "install", "--on-quit", "--home", home)
	expectCode(t, r, 0)
	if installBody["when"] != "quit" || !strings.Contains(r.out, "It will be installed when Archivist quits.") {
		t.Fatalf("install --on-quit sent %v: %s", installBody, r)
	}
	r = run(t, "update", "install", "--home", home)
	expectCode(t, r, 0)
	if installBody["when"] != "now" || !strings.Contains(r.out, "Version 1.1.0 is installed and runs from the next start of Archivist.") {
		t.Fatalf("install sent %v: %s", installBody, r)
	}
	r = run(t, "update", "rollback", "--home", home)
	expectCode(t, r, 1)
	if !strings.Contains(r.err, "there is no previous version to roll back to") {
		t.Fatalf("rollback: %s", r)
	}
	j := run(t, "update", "status", "--json", "--home", home)
	var back map[string]any
	if err := json.Unmarshal([]byte(j.out), &back); err != nil || back["available"] != true {
		t.Fatalf("status --json: %v %s", err, j)
	}
}

// Without a running app, check reads the feed the home's config names.
func TestCLIUpdateCheckWithoutApp(t *testing.T) {
	_, priv, err := minisign.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	build := filepath.Join(t.TempDir(), "archivist")
	os.WriteFile(build, []byte("new"), 0o755)
	var feed []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(feed) }))
	defer srv.Close()
	b, err := update.SignBuild(priv, build, srv.URL+"/archivist", "1.1.0", update.Platform("linux", "amd64"))
	if err != nil {
		t.Fatal(err)
	}
	feed, _ = json.Marshal(update.Feed{Version: "1.1.0", Notes: "New.", Platforms: map[string]update.Build{"linux-amd64": b}})

	home := t.TempDir()
	layout, _ := paths.ForHome(home)
	os.MkdirAll(layout.ConfigDir, 0o700)
	os.WriteFile(layout.ConfigFile(), []byte("[updates]\nfeed_url = \""+srv.URL+"/latest.json\"\n"), 0o600)

	old := buildinfo.Version
	buildinfo.Version = "1.0.0"
	defer func() { buildinfo.Version = old }()
	r := run(t, "update", "check", "--home", home)
	expectCode(t, r, 0)
	if !strings.Contains(r.err, "Archivist is not running; checking the release feed directly.") ||
		!strings.Contains(r.out, "Archivist 1.1.0 is available (this is 1.0.0).") || !strings.Contains(r.out, "  New.") {
		t.Fatalf("check without the app: %s", r)
	}
	j := run(t, "update", "check", "--json", "--quiet", "--home", home)
	var st update.State
	if err := json.Unmarshal([]byte(j.out), &st); err != nil || !st.Available || st.Latest.Version != "1.1.0" || j.err != "" {
		t.Fatalf("check --json without the app: %v %s", err, j)
	}

	// A feed that cannot be read is exit 1 with the reason.
	feed = []byte("{")
	r = run(t, "update", "check", "--home", home)
	expectCode(t, r, 1)
	if !strings.Contains(r.err, "the release feed is not valid JSON") {
		t.Fatalf("bad feed: %s", r)
	}
}
