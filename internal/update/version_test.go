package update

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aead.dev/minisign"
)

func TestNewer(t *testing.T) {
	cases := []struct {
		candidate, current string
		want               bool
	}{
		{"1.1.0", "1.0.0", true},
		{"v1.1.0", "1.0.0", true},
		{"1.0.10", "1.0.9", true}, // numeric, not lexical
		{"2.0.0", "1.99.99", true},
		{"1.0.0", "1.0.0-rc.2", true},
		{"1.0.0-rc.10", "1.0.0-rc.9", true},
		{"0.1.0", "0.1.0-dev", true},
		{"1.0.0", "1.0.0", false},
		{"1.0.0+build.2", "1.0.0+build.1", false}, // build metadata does not count
		{"1.0.0-rc.1", "1.0.0", false},
		{"0.9.9", "1.0.0", false},
		{"1.0.0", "dev", false}, // a development build is not comparable
		{"latest", "1.0.0", false},
		{"1.2", "1.0.0", false},
		{"01.2.3", "1.0.0", false},
		{"", "1.0.0", false},
	}
	for _, c := range cases {
		if got := Newer(c.candidate, c.current); got != c.want {
			t.Errorf("Newer(%q, %q) = %v, want %v", c.candidate, c.current, got, c.want)
		}
	}
}

func TestDevelopmentBuild(t *testing.T) {
	for v, want := range map[string]bool{
		"dev":                    true,
		"0.1.0-dev":              true,
		"1.2.3-4-gabc1234":       true,
		"1.2.3-4-gabc1234-dirty": true,
		"1.2.3-dirty":            true,
		"1.2.3":                  false,
		"1.2.3-rc.1":             false,
		"v2.0.0":                 false,
	} {
		if got := DevelopmentBuild(v); got != want {
			t.Errorf("DevelopmentBuild(%q) = %v, want %v", v, got, want)
		}
	}
}

// The project's key is built in, parses, and is the committed file.
func TestReleaseKey(t *testing.T) {
	k := ReleaseKey()
	text, err := os.ReadFile("minisign.pub")
	if err != nil {
		t.Fatal(err)
	}
	var fromFile minisign.PublicKey
	if err := fromFile.UnmarshalText(text); err != nil {
		t.Fatal(err)
	}
	if !k.Equal(fromFile) || k.ID() == 0 {
		t.Fatalf("built-in key %X differs from minisign.pub %X", k.ID(), fromFile.ID())
	}
	// Only the public half is in the package.
	matches, _ := filepath.Glob("*.key")
	for _, m := range matches {
		t.Errorf("a private key file is in the package: %s", m)
	}
	if strings.Contains(string(text), "secret key") {
		t.Error("minisign.pub holds a secret key")
	}
}
