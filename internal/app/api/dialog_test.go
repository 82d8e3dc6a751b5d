package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/archivist-desktop/archivist/internal/app/config"
	"github.com/archivist-desktop/archivist/internal/app/events"
)

// recordingDialogs is the shell's side of the contract as a test sees it:
// it answers what the "user" picked and records what it was asked.
type recordingDialogs struct {
	answer string
	err    error
	calls  []string
	opts   []DialogOptions
}

func (d *recordingDialogs) choose(kind string, o DialogOptions) (string, error) {
	d.calls = append(d.calls, kind)
	d.opts = append(d.opts, o)
	return d.answer, d.err
}

func (d *recordingDialogs) ChooseDirectory(_ context.Context, o DialogOptions) (string, error) {
	return d.choose("directory", o)
}
func (d *recordingDialogs) ChooseFile(_ context.Context, o DialogOptions) (string, error) {
	return d.choose("file", o)
}
func (d *recordingDialogs) ChooseSaveFile(_ context.Context, o DialogOptions) (string, error) {
	return d.choose("save", o)
}

type countingWindow struct {
	shows int
	err   error
}

func (w *countingWindow) Show() error { w.shows++; return w.err }

func desktopServer(t *testing.T, d Dialogs, win Window) *Server {
	t.Helper()
	dir := t.TempDir()
	store, err := config.Open(filepath.Join(dir, "config.toml"), config.Default(filepath.Join(dir, "node")))
	if err != nil {
		t.Fatal(err)
	}
	return New(Options{
		Config: store, Key: testKey, Port: 1420, Bus: events.NewBus(),
		UI:      fstest.MapFS{"index.html": {Data: []byte("<!doctype html>")}},
		Dialogs: d, Window: win,
	})
}

// call sends a request straight to h and decodes the JSON answer.
func call(t *testing.T, h http.Handler, method, path, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, "http://127.0.0.1:1420"+path, strings.NewReader(body))
	req.Header.Set("X-API-Key", testKey)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %q", method, path, rec.Body.String())
		}
	}
	return rec.Code, out
}

func TestDialogsInTheWindow(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	d := &recordingDialogs{answer: filepath.Join(home, "Photos")}
	h := desktopServer(t, d, nil).TrustedHandler()

	if code, out := call(t, h, "GET", "/api/dialog", ""); code != 200 || out["available"] != true {
		t.Fatalf("GET /api/dialog = %d %v, want available true", code, out)
	}
	code, out := call(t, h, "POST", "/api/dialog/directory", `{"title":"Choose a folder to back up","defaultPath":"`+home+`"}`)
	if code != 200 || out["path"] != d.answer {
		t.Fatalf("directory = %d %v, want the chosen path", code, out)
	}
	if d.opts[0].Title != "Choose a folder to back up" || d.opts[0].DefaultPath != home {
		t.Fatalf("the dialog was asked %+v", d.opts[0])
	}

	d.answer = "" // the user cancels
	if code, out := call(t, h, "POST", "/api/dialog/file", `{"title":"Upload"}`); code != 200 || out["path"] != "" {
		t.Fatalf("cancelled file dialog = %d %v, want 200 with an empty path", code, out)
	}
	d.answer = filepath.Join(home, "report.pdf")
	if code, out := call(t, h, "POST", "/api/dialog/save", `{"title":"Save","defaultPath":"`+home+`","defaultFilename":"report.pdf"}`); code != 200 || out["path"] != d.answer {
		t.Fatalf("save = %d %v", code, out)
	}
	if got := d.opts[2].DefaultFilename; got != "report.pdf" {
		t.Fatalf("save dialog proposed %q, want report.pdf", got)
	}
	if want := []string{"directory", "file", "save"}; strings.Join(d.calls, ",") != strings.Join(want, ",") {
		t.Fatalf("dialogs opened: %v, want %v", d.calls, want)
	}

	d.err = errors.New("no display")
	if code, out := call(t, h, "POST", "/api/dialog/directory", `{}`); code != 500 || !strings.Contains(out["error"].(string), "no display") {
		t.Fatalf("failing dialog = %d %v, want 500 with the reason", code, out)
	}
}

func TestDialogRejectsBadOptionsWithoutOpening(t *testing.T) {
	d := &recordingDialogs{answer: "/x"}
	h := desktopServer(t, d, nil).TrustedHandler()
	for _, c := range []struct{ path, body, want string }{
		{"/api/dialog/directory", `{"defaultPath":"relative/dir"}`, "absolute"},
		{"/api/dialog/file", `{"defaultFilename":"a.txt"}`, "only for the save dialog"},
		{"/api/dialog/save", `{"defaultFilename":"../etc/passwd"}`, "file name, not a path"},
		{"/api/dialog/save", `{"defaultFilename":".."}`, "file name, not a path"},
		{"/api/dialog/directory", `{"title":"two\nlines"}`, "one line"},
		{"/api/dialog/directory", `{"title":"` + strings.Repeat("x", 201) + `"}`, "too long"},
		{"/api/dialog/directory", `{"path":"/"}`, "unknown field"},
		{"/api/dialog/directory", `not json`, "invalid request body"},
	} {
		code, out := call(t, h, "POST", c.path, c.body)
		msg, _ := out["error"].(string)
		if code != 400 || !strings.Contains(msg, c.want) {
			t.Errorf("POST %s %s = %d %q, want 400 mentioning %q", c.path, c.body, code, msg, c.want)
		}
	}
	if len(d.calls) != 0 {
		t.Fatalf("bad requests opened dialogs: %v", d.calls)
	}
}

func TestNoDialogsHeadlessOrOverTheNetwork(t *testing.T) {
	headless := desktopServer(t, nil, nil)
	d := &recordingDialogs{answer: "/x"}
	windowed := desktopServer(t, d, &countingWindow{})
	for name, h := range map[string]http.Handler{
		"headless":                   headless.Handler(),
		"headless, in-process":       headless.TrustedHandler(),
		"window app, from a browser": windowed.Handler(),
	} {
		if code, out := call(t, h, "GET", "/api/dialog", ""); code != 200 || out["available"] != false {
			t.Errorf("%s: GET /api/dialog = %d %v, want available false", name, code, out)
		}
		for _, kind := range []string{"directory", "file", "save"} {
			code, out := call(t, h, "POST", "/api/dialog/"+kind, `{"title":"x"}`)
			if code != http.StatusNotImplemented || out["error"] != "native dialogs are only available in the desktop window" {
				t.Errorf("%s: POST /api/dialog/%s = %d %v, want 501", name, kind, code, out)
			}
		}
	}
	if len(d.calls) != 0 {
		t.Fatalf("a browser request opened a dialog on the desktop: %v", d.calls)
	}
}

func TestShowWindow(t *testing.T) {
	win := &countingWindow{}
	if code, _ := call(t, desktopServer(t, nil, win).Handler(), "POST", "/api/window/show", ""); code != http.StatusNoContent || win.shows != 1 {
		t.Fatalf("show = %d after %d shows, want 204 and one show", code, win.shows)
	}
	win.err = errors.New("the window is not up yet")
	if code, out := call(t, desktopServer(t, nil, win).Handler(), "POST", "/api/window/show", ""); code != http.StatusServiceUnavailable || out["error"] != "the window is not up yet" {
		t.Fatalf("show before the window is up = %d %v, want 503 with the reason", code, out)
	}
	if code, out := call(t, desktopServer(t, nil, nil).Handler(), "POST", "/api/window/show", ""); code != http.StatusNotImplemented || out["error"] == nil {
		t.Fatalf("show headless = %d %v, want 501", code, out)
	}
	req := httptest.NewRequest("POST", "http://127.0.0.1:1420/api/window/show", nil)
	rec := httptest.NewRecorder()
	desktopServer(t, nil, win).Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("show without the key = %d, want 401", rec.Code)
	}
}
