package update

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"aead.dev/minisign"

	"github.com/archivist-desktop/archivist/internal/app/config"
)

// Feed is the release feed (latest.json): the newest release and, per
// platform, where its build is and how to check it.
type Feed struct {
	Version string `json:"version"`
	Notes   string `json:"notes"`
	// PubDate is when the release was published (RFC 3339).
	PubDate   time.Time        `json:"pub_date"`
	Platforms map[string]Build `json:"platforms"`
}

// Build is one platform's executable of a release.
type Build struct {
	URL    string `json:"url"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Signature is the minisign signature file of the executable, whole
	// (untrusted comment, signature, trusted comment, global signature).
	Signature string `json:"signature"`
}

// Limits on what a feed may hold. They bound memory against a hostile or
// broken server, and are far above what a real release needs.
const (
	maxFeedBytes  = 1 << 20
	maxNotesBytes = 64 << 10
	maxPlatforms  = 64
	// MaxBuildSize is the largest executable the updater downloads.
	MaxBuildSize = 1 << 30
)

// platformRE is GOOS-GOARCH as Go spells them.
var platformRE = regexp.MustCompile(`^[a-z0-9]{1,16}-[a-z0-9]{1,16}$`)

// ParseFeed decodes and checks a feed. Every problem is an error naming the
// field, so a broken release shows as something its publisher can fix.
func ParseFeed(data []byte) (*Feed, error) {
	if len(data) > maxFeedBytes {
		return nil, fmt.Errorf("the release feed is larger than %d bytes", maxFeedBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var f Feed
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("the release feed is not valid JSON of the expected shape: %w", err)
	}
	if dec.More() {
		return nil, errors.New("the release feed has data after its JSON object")
	}
	if err := f.validate(); err != nil {
		return nil, fmt.Errorf("the release feed is invalid: %w", err)
	}
	return &f, nil
}

func (f *Feed) validate() error {
	if !ValidVersion(f.Version) {
		return fmt.Errorf("version %q is not a semantic version (like 1.2.3)", truncate(f.Version, 64))
	}
	if len(f.Notes) > maxNotesBytes {
		return fmt.Errorf("notes are longer than %d bytes", maxNotesBytes)
	}
	if !utf8.ValidString(f.Notes) {
		return errors.New("notes are not UTF-8 text")
	}
	if len(f.Platforms) == 0 {
		return errors.New("no platforms")
	}
	if len(f.Platforms) > maxPlatforms {
		return fmt.Errorf("more than %d platforms", maxPlatforms)
	}
	for name, b := range f.Platforms {
		if !platformRE.MatchString(name) {
			return fmt.Errorf("platform %q is not GOOS-GOARCH (like linux-amd64)", truncate(name, 64))
		}
		if err := b.validate(); err != nil {
			return fmt.Errorf("platform %s: %w", name, err)
		}
	}
	return nil
}

func (b Build) validate() error {
	if err := config.CheckUpdateURL(b.URL); err != nil {
		return fmt.Errorf("url: %w", err)
	}
	if b.Size <= 0 || b.Size > MaxBuildSize {
		return fmt.Errorf("size %d is outside 1..%d", b.Size, MaxBuildSize)
	}
	if sum, err := hex.DecodeString(b.SHA256); err != nil || len(sum) != 32 {
		return fmt.Errorf("sha256 %q is not 64 hex digits", truncate(b.SHA256, 80))
	}
	var sig minisign.Signature
	if err := sig.UnmarshalText([]byte(b.Signature)); err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// fetchFeed downloads and parses the feed at url.
func fetchFeed(ctx context.Context, client *http.Client, url string) (*Feed, error) {
	ctx, cancel := context.WithTimeout(ctx, feedTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("release feed %s: %w", url, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, unreachable(fmt.Errorf("fetching the release feed: %w", err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, unreachable(fmt.Errorf("fetching the release feed %s: %s", url, resp.Status))
	}
	if resp.ContentLength > maxFeedBytes {
		return nil, refused(fmt.Errorf("the release feed is larger than %d bytes (%d)", maxFeedBytes, resp.ContentLength))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxFeedBytes+1))
	if err != nil {
		return nil, unreachable(fmt.Errorf("reading the release feed: %w", err))
	}
	if len(data) > maxFeedBytes {
		return nil, refused(fmt.Errorf("the release feed is larger than %d bytes", maxFeedBytes))
	}
	f, err := ParseFeed(data)
	if err != nil {
		return nil, refused(err)
	}
	return f, nil
}

// feedTimeout bounds one fetch of the feed, which is small.
const feedTimeout = 30 * time.Second

// checkRedirect lets downloads follow the redirects release hosts use
// (GitHub sends assets from another host), but never to plain http.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("too many redirects")
	}
	if err := config.CheckUpdateURL(req.URL.String()); err != nil {
		return fmt.Errorf("refusing redirect: %w", err)
	}
	return nil
}

// Platform is this binary's platform as the feed names it.
func Platform(goos, goarch string) string { return strings.ToLower(goos + "-" + goarch) }
