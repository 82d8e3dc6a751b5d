package update

import (
	"bytes"
	"crypto/rand"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"aead.dev/minisign"
)

func TestInstallNowAndRollback(t *testing.T) {
	r := newRelease(t)
	r.publish("1.1.0")
	in := newInstall(t, "1.0.0")
	s := newService(t, r, in, "1.0.0")
	events, stop := s.bus.Subscribe()
	defer stop()

	st, err := s.Check(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if !st.Available || st.Latest.Version != "1.1.0" || st.Latest.Notes != "What's new in 1.1.0" || st.CheckedAt == nil || st.Error != "" {
		t.Fatalf("after check: %+v", st)
	}
	if st.CanRollback {
		t.Fatal("a rollback is offered before anything was installed")
	}

	st, err = s.Install(ctx(t), WhenNow)
	if err != nil {
		t.Fatal(err)
	}
	if st.Installed != "1.1.0" || st.Available || st.Ready || !st.CanRollback || st.Downloaded != st.Total || st.Total == 0 {
		t.Fatalf("after install: %+v", st)
	}
	if out := run(t, in.exe); out != "archivist 1.1.0" {
		t.Fatalf("the installed program prints %q", out)
	}
	if out := run(t, in.exe+OldSuffix); out != "archivist 1.0.0" {
		t.Fatalf("the kept previous program prints %q", out)
	}
	if st, _ := os.Stat(in.exe); st.Mode().Perm() != 0o750 {
		t.Fatalf("the installed program's mode is %v, want the previous one's 0750", st.Mode().Perm())
	}
	// The same version is not offered again once it is installed.
	if st, err := s.Check(ctx(t)); err != nil || st.Available {
		t.Fatalf("after install, check offers %+v, %v", st, err)
	}
	if _, err := s.Install(ctx(t), WhenNow); !errors.Is(err, ErrNoUpdate) {
		t.Fatalf("installing the installed version again: %v", err)
	}

	st, err = s.Rollback()
	if err != nil {
		t.Fatal(err)
	}
	if !st.RolledBack || st.Installed != "" || st.CanRollback {
		t.Fatalf("after rollback: %+v", st)
	}
	if out := run(t, in.exe); out != "archivist 1.0.0" {
		t.Fatalf("after rollback the program prints %q", out)
	}
	if st, _ := os.Stat(in.exe); st.Mode().Perm() != 0o750 {
		t.Fatalf("after rollback the mode is %v", st.Mode().Perm())
	}
	if _, err := s.Rollback(); !errors.Is(err, ErrNoRollback) {
		t.Fatalf("a second rollback: %v", err)
	}
	// Only the program is left: no download, no previous version.
	in.assertUntouched(t, "1.0.0")

	// The bus saw the whole story.
	var seen []string
	for len(events) > 0 {
		ev := <-events
		if ev.Type != EventState {
			continue
		}
		st := ev.Data.(State)
		switch {
		case st.Checking:
			seen = appendOnce(seen, "checking")
		case st.Downloading:
			seen = appendOnce(seen, "downloading")
		case st.Installed != "":
			seen = appendOnce(seen, "installed")
		case st.RolledBack:
			seen = appendOnce(seen, "rolled back")
		}
	}
	if strings.Join(seen, ",") != "checking,downloading,installed,checking,installed,rolled back" {
		t.Fatalf("update-state events: %v", seen)
	}
}

func appendOnce(s []string, v string) []string {
	if len(s) > 0 && s[len(s)-1] == v {
		return s
	}
	return append(s, v)
}

func run(t *testing.T, exe string) string {
	t.Helper()
	out, err := exec.Command(exe).Output()
	if err != nil {
		t.Fatalf("running %s: %v", exe, err)
	}
	return strings.TrimSpace(string(out))
}

func TestInstallOnQuit(t *testing.T) {
	r := newRelease(t)
	r.publish("1.1.0")
	in := newInstall(t, "1.0.0")
	s := newService(t, r, in, "1.0.0")
	if _, err := s.Check(ctx(t)); err != nil {
		t.Fatal(err)
	}
	st, err := s.Install(ctx(t), WhenQuit)
	if err != nil {
		t.Fatal(err)
	}
	if !st.InstallOnQuit || !st.Ready || st.Installed != "" {
		t.Fatalf("after install-on-quit: %+v", st)
	}
	if out := run(t, in.exe); out != "archivist 1.0.0" {
		t.Fatalf("before quitting the program is already replaced: %q", out)
	}
	if err := s.Quit(); err != nil {
		t.Fatal(err)
	}
	if out := run(t, in.exe); out != "archivist 1.1.0" {
		t.Fatalf("after quitting the program prints %q", out)
	}
	if st := s.State(); st.Installed != "1.1.0" || st.InstallOnQuit {
		t.Fatalf("after quit: %+v", st)
	}
}

func TestInstallOnQuitCancelled(t *testing.T) {
	r := newRelease(t)
	r.publish("1.1.0")
	in := newInstall(t, "1.0.0")
	s := newService(t, r, in, "1.0.0")
	if _, err := s.Check(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Install(ctx(t), WhenQuit); err != nil {
		t.Fatal(err)
	}
	s.CancelInstallOnQuit()
	if err := s.Quit(); err != nil {
		t.Fatal(err)
	}
	if out := run(t, in.exe); out != "archivist 1.0.0" {
		t.Fatalf("a cancelled install-on-quit installed: %q", out)
	}
	// The verified download is still staged: installing now needs no
	// second download.
	r.setHandle(func(w http.ResponseWriter, req *http.Request) bool {
		if strings.HasPrefix(req.URL.Path, "/files/") {
			t.Error("the build was downloaded twice")
		}
		return false
	})
	if st, err := s.Install(ctx(t), WhenNow); err != nil || st.Installed != "1.1.0" {
		t.Fatalf("install after cancel: %+v, %v", st, err)
	}
}

// Every way a build can be wrong is refused, with a clear error, and leaves
// the program as it was.
func TestBadBuildsRefused(t *testing.T) {
	_, otherKey, err := minisign.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		// build publishes 1.1.0 in some broken way and returns its entry.
		build func(r *release) Build
		msg   string
		kind  error
	}{
		{"signed by another key", func(r *release) Build {
			return r.sign(otherKey, "a", program("1.1.0"), "1.1.0", testPlatform)
		}, "not the release key", ErrSignature},
		{"signature of another file", func(r *release) Build {
			b := r.sign(r.priv, "a", program("1.1.0"), "1.1.0", testPlatform)
			evil := r.sign(r.priv, "evil", []byte("#!/bin/sh\necho evil\n"), "0.0.1", testPlatform)
			// The evil file's bytes with the real file's signature.
			evil.Signature = b.Signature
			return evil
		}, "does not match its signature", ErrSignature},
		{"old build signed for its own version", func(r *release) Build {
			// A genuine, validly signed 1.0.5 served as 1.1.0.
			return r.sign(r.priv, "a", program("1.0.5"), "1.0.5", testPlatform)
		}, `the signature is for "archivist 1.0.5 linux-amd64", not "archivist 1.1.0 linux-amd64"`, ErrSignature},
		{"another platform's build", func(r *release) Build {
			return r.sign(r.priv, "a", program("1.1.0"), "1.1.0", "windows-amd64")
		}, `not "archivist 1.1.0 linux-amd64"`, ErrSignature},
		{"trusted comment forged", func(r *release) Build {
			b := r.sign(r.priv, "a", program("1.1.0"), "1.0.5", testPlatform)
			b.Signature = strings.Replace(b.Signature, "trusted comment: archivist 1.0.5", "trusted comment: archivist 1.1.0", 1)
			return b
		}, "does not match its signature, or the signature is forged", ErrSignature},
		{"legacy (not prehashed) signature", func(r *release) Build {
			b := r.sign(r.priv, "a", program("1.1.0"), "1.1.0", testPlatform)
			b.Signature = string(minisign.SignWithComments(r.priv, program("1.1.0"), TrustedComment("1.1.0", testPlatform), "legacy"))
			return b
		}, "not prehashed", ErrSignature},
		{"truncated: the feed says more", func(r *release) Build {
			b := r.sign(r.priv, "a", program("1.1.0"), "1.1.0", testPlatform)
			b.Size += 100
			return b
		}, "the download is truncated: 31 of 131 bytes", ErrRefused},
		{"truncated: the connection drops", func(r *release) Build {
			b := r.sign(r.priv, "a", program("1.1.0"), "1.1.0", testPlatform)
			r.setHandle(func(w http.ResponseWriter, req *http.Request) bool {
				if req.URL.Path != "/files/a" {
					return false
				}
				w.Header().Set("Content-Length", strconv.FormatInt(b.Size, 10))
				w.Write(program("1.1.0")[:10])
				return true // the server closes the body short
			})
			return b
		}, "unexpected EOF", ErrUnreachable},
		{"oversized", func(r *release) Build {
			b := r.sign(r.priv, "a", program("1.1.0"), "1.1.0", testPlatform)
			r.setFile("a", append(program("1.1.0"), bytes.Repeat([]byte("x"), 1000)...))
			return b
		}, "is 1031 bytes, but the release feed says 31: refused", ErrRefused},
		{"oversized without a length", func(r *release) Build {
			b := r.sign(r.priv, "a", program("1.1.0"), "1.1.0", testPlatform)
			r.setHandle(func(w http.ResponseWriter, req *http.Request) bool {
				if req.URL.Path != "/files/a" {
					return false
				}
				w.Write(program("1.1.0"))
				w.(http.Flusher).Flush() // chunked: no Content-Length
				w.Write([]byte("trailing"))
				return true
			})
			return b
		}, "larger than the 31 bytes the release feed says", ErrRefused},
		{"sha256 mismatch", func(r *release) Build {
			b := r.sign(r.priv, "a", program("1.1.0"), "1.1.0", testPlatform)
			b.SHA256 = strings.Repeat("ab", 32)
			return b
		}, "the release feed says abab", ErrRefused},
		{"not found", func(r *release) Build {
			b := r.sign(r.priv, "a", program("1.1.0"), "1.1.0", testPlatform)
			b.URL = r.srv.URL + "/files/missing"
			return b
		}, "404 Not Found", ErrUnreachable},
		{"redirect to plain http", func(r *release) Build {
			b := r.sign(r.priv, "a", program("1.1.0"), "1.1.0", testPlatform)
			r.setHandle(func(w http.ResponseWriter, req *http.Request) bool {
				if req.URL.Path != "/files/a" {
					return false
				}
				http.Redirect(w, req, "http://example.com/archivist", http.StatusFound)
				return true
			})
			return b
		}, "refusing redirect", ErrUnreachable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRelease(t)
			b := tc.build(r)
			r.setFeed("1.1.0", map[string]Build{testPlatform: b})
			in := newInstall(t, "1.0.0")
			s := newService(t, r, in, "1.0.0")
			if st, err := s.Check(ctx(t)); err != nil || !st.Available {
				t.Fatalf("check: %+v, %v", st, err)
			}
			for _, when := range []string{WhenNow, WhenQuit} {
				st, err := s.Install(ctx(t), when)
				if err == nil || !strings.Contains(err.Error(), tc.msg) || !errors.Is(err, tc.kind) {
					t.Fatalf("install %s: error %v, want %q (%v)", when, err, tc.msg, tc.kind)
				}
				if st.Error != err.Error() || st.Ready || st.Installed != "" || st.InstallOnQuit || st.Downloading {
					t.Fatalf("state after a refused install: %+v", st)
				}
				in.assertUntouched(t, "1.0.0")
			}
			if err := s.Quit(); err != nil {
				t.Fatal(err)
			}
			in.assertUntouched(t, "1.0.0")
		})
	}
}

func TestDowngradeAndSameVersionRefused(t *testing.T) {
	for _, feed := range []string{"1.0.0", "v1.0.0", "0.9.9", "1.0.0-rc.1", "1.0.0+rebuilt"} {
		t.Run(feed, func(t *testing.T) {
			r := newRelease(t)
			b := r.sign(r.priv, "a", program(feed), feed, testPlatform)
			r.setFeed(feed, map[string]Build{testPlatform: b})
			in := newInstall(t, "1.0.0")
			s := newService(t, r, in, "1.0.0")
			st, err := s.Check(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if st.Available || st.Latest == nil || st.Latest.Version != feed {
				t.Fatalf("check: %+v", st)
			}
			if _, err := s.Install(ctx(t), WhenNow); !errors.Is(err, ErrNoUpdate) {
				t.Fatalf("install: %v, want ErrNoUpdate", err)
			}
			in.assertUntouched(t, "1.0.0")
		})
	}
}

// A release without a build for this platform is seen but not offered.
func TestNoBuildForPlatform(t *testing.T) {
	r := newRelease(t)
	b := r.sign(r.priv, "a", program("1.1.0"), "1.1.0", "darwin-arm64")
	r.setFeed("1.1.0", map[string]Build{"darwin-arm64": b})
	in := newInstall(t, "1.0.0")
	s := newService(t, r, in, "1.0.0")
	st, err := s.Check(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if st.Available || st.Error != "version 1.1.0 has no build for linux-amd64" {
		t.Fatalf("check: %+v", st)
	}
}

// A newer release replaces a staged download of an older one, and an
// update installed for the next start raises the bar for the next one.
func TestFeedMovesOn(t *testing.T) {
	r := newRelease(t)
	r.publish("1.1.0")
	in := newInstall(t, "1.0.0")
	s := newService(t, r, in, "1.0.0")
	if _, err := s.Check(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Install(ctx(t), WhenQuit); err != nil {
		t.Fatal(err)
	}
	r.publish("1.2.0")
	st, err := s.Check(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if !st.Available || st.Ready || st.InstallOnQuit || st.Latest.Version != "1.2.0" {
		t.Fatalf("after a newer release: %+v", st)
	}
	if entries, _ := os.ReadDir(in.dir); len(entries) != 1 {
		t.Fatalf("the stale download was left behind: %v", entries)
	}
	if _, err := s.Install(ctx(t), WhenNow); err != nil {
		t.Fatal(err)
	}
	if out := run(t, in.exe); out != "archivist 1.2.0" {
		t.Fatalf("installed %q", out)
	}
	// 1.1.0 is newer than the running 1.0.0 but older than what is
	// installed for the next start: not offered.
	r.publish("1.1.0")
	if st, err := s.Check(ctx(t)); err != nil || st.Available {
		t.Fatalf("an older release after an install: %+v, %v", st, err)
	}
}

func TestInstallWhenInvalid(t *testing.T) {
	r := newRelease(t)
	r.publish("1.1.0")
	in := newInstall(t, "1.0.0")
	s := newService(t, r, in, "1.0.0")
	if _, err := s.Install(ctx(t), "later"); !errors.Is(err, ErrInvalidReq) || !strings.Contains(err.Error(), `not "later"`) {
		t.Fatalf("install later: %v", err)
	}
	// Nothing checked yet: nothing to install.
	if _, err := s.Install(ctx(t), WhenNow); !errors.Is(err, ErrNoUpdate) {
		t.Fatalf("install before a check: %v", err)
	}
	in.assertUntouched(t, "1.0.0")
}

func TestStalledDownloadCut(t *testing.T) {
	old := stallTimeout
	stallTimeout = 200 * time.Millisecond
	defer func() { stallTimeout = old }()
	r := newRelease(t)
	b := r.publish("1.1.0")
	release := make(chan struct{})
	defer close(release)
	r.setHandle(func(w http.ResponseWriter, req *http.Request) bool {
		if !strings.HasPrefix(req.URL.Path, "/files/") {
			return false
		}
		w.Header().Set("Content-Length", strconv.FormatInt(b.Size, 10))
		w.Write(program("1.1.0")[:5])
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-req.Context().Done():
		}
		return true
	})
	in := newInstall(t, "1.0.0")
	s := newService(t, r, in, "1.0.0")
	if _, err := s.Check(ctx(t)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := s.Install(ctx(t), WhenNow)
	if err == nil || !strings.Contains(err.Error(), "the download stalled") {
		t.Fatalf("install: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the stall was cut after %v", d)
	}
	in.assertUntouched(t, "1.0.0")
}
