package update

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The reference minisign tool and this package agree both ways: it
// verifies what SignBuild signs, and the updater accepts what it signs with
// the release comment. Skipped where minisign is not installed.
func TestMinisignToolInterop(t *testing.T) {
	tool, err := exec.LookPath("minisign")
	if err != nil {
		t.Skip("minisign is not installed")
	}
	r := newRelease(t)
	b := r.sign(r.priv, "a", program("1.1.0"), "1.1.0", testPlatform)
	file := filepath.Join(r.dir, "a")
	if err := os.WriteFile(file+".minisig", []byte(b.Signature), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool, "-V", "-P", r.pub.String(), "-m", file).CombinedOutput(); err != nil {
		t.Fatalf("minisign -V refuses our signature: %v\n%s", err, out)
	}

	// The other way: the tool signs (an unencrypted test key) and the
	// service installs.
	keyText, err := r.priv.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "test.key")
	if err := os.WriteFile(keyFile, keyText, 0o600); err != nil {
		t.Fatal(err)
	}
	build := filepath.Join(r.dir, "b")
	if err := os.WriteFile(build, program("1.2.0"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tool, "-S", "-s", keyFile, "-m", build, "-t", TrustedComment("1.2.0", testPlatform))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("minisign -S: %v\n%s", err, out)
	}
	sig, err := os.ReadFile(build + ".minisig")
	if err != nil {
		t.Fatal(err)
	}
	nb := r.sign(r.priv, "b", program("1.2.0"), "1.2.0", testPlatform)
	nb.Signature = string(sig)
	r.setFeed("1.2.0", map[string]Build{testPlatform: nb})
	in := newInstall(t, "1.0.0")
	s := newService(t, r, in, "1.0.0")
	if _, err := s.Check(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Install(ctx(t), WhenNow); err != nil {
		t.Fatalf("installing a build signed by the minisign tool: %v", err)
	}
	if out := run(t, in.exe); out != "archivist 1.2.0" {
		t.Fatalf("installed %q", out)
	}
}
