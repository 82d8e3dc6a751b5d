package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/archivist-desktop/archivist/internal/app/onboarding"
	"github.com/archivist-desktop/archivist/internal/app/state"
)

// callJSON sends an authenticated request and decodes the JSON answer into out.
func callJSON(t *testing.T, method, u, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("X-API-Key", testKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decoding: %v", method, u, err)
		}
	}
	return resp.StatusCode
}

func TestOnboardingStateRoundTrip(t *testing.T) {
	s, ts := newTestServer(t)
	db, err := state.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s.opts.Onboarding = onboarding.NewStore(db)

	var st onboarding.State
	if code := callJSON(t, "GET", ts.URL+"/api/onboarding", "", &st); code != 200 || st.Complete || st.Step != "" {
		t.Fatalf("fresh install: %d %+v, want 200 and not complete", code, st)
	}
	if code := callJSON(t, "PUT", ts.URL+"/api/onboarding", `{"complete":false,"step":"syncing","folderId":"abc"}`, nil); code != 200 {
		t.Fatalf("put: %d", code)
	}
	var e map[string]string
	if code := callJSON(t, "PUT", ts.URL+"/api/onboarding", `{"step":"bogus"}`, &e); code != 400 || !strings.Contains(e["error"], "unknown step") {
		t.Fatalf("bad step: %d %v, want 400 naming the step", code, e)
	}
	if code := callJSON(t, "GET", ts.URL+"/api/onboarding", "", &st); code != 200 || st.Step != "syncing" || st.FolderID != "abc" {
		t.Fatalf("after put: %d %+v", code, st)
	}
}

func TestCompleteDirListsMatchingFolders(t *testing.T) {
	_, ts := newTestServer(t)
	root := t.TempDir()
	for _, d := range []string{"Photos", "photos-2024", "Music", ".cache"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(root, "photo.txt"), []byte("x"), 0o644)
	os.Symlink(filepath.Join(root, "Music"), filepath.Join(root, "phonk"))

	names := func(q string) (int, []string) {
		var out dirCompletion
		code := callJSON(t, "GET", ts.URL+"/api/fs/dirs?path="+url.QueryEscape(q), "", &out)
		var n []string
		for _, e := range out.Entries {
			n = append(n, e.Name)
		}
		return code, n
	}
	if code, got := names(filepath.Join(root, "ph")); code != 200 || strings.Join(got, ",") != "phonk,Photos,photos-2024" {
		t.Errorf("prefix ph: %d %v, want the folders (and the link to one), case-insensitive, no files", code, got)
	}
	if _, got := names(root + "/"); strings.Join(got, ",") != "Music,phonk,Photos,photos-2024" {
		t.Errorf("trailing slash: %v, want every visible folder", got)
	}
	if _, got := names(filepath.Join(root, ".c")); strings.Join(got, ",") != ".cache" {
		t.Errorf("hidden: %v, want .cache once a dot is typed", got)
	}
	if code, _ := names("relative/path"); code != 400 {
		t.Errorf("relative path: %d, want 400", code)
	}
	if code, _ := names(filepath.Join(root, "missing", "x")); code != 404 {
		t.Errorf("missing parent: %d, want 404", code)
	}
}
