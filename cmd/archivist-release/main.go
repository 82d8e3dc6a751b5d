// Command archivist-release signs a release's executables with the project's
// minisign key and writes the release feed (latest.json) the updater reads.
// See internal/update's package doc for the process.
//
//	archivist-release -key KEY -version 1.2.3 -base-url URL [-notes FILE] [-out latest.json] PLATFORM=FILE…
//
// The key's password comes from ARCHIVIST_SIGNING_PASSWORD (empty for an
// unencrypted key), never from a flag that would land in shell history.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"aead.dev/minisign"

	"github.com/archivist-desktop/archivist/internal/update"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "archivist-release:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("archivist-release", flag.ContinueOnError)
	keyFile := fs.String("key", "", "the minisign secret key file")
	version := fs.String("version", "", "the release's version (1.2.3)")
	baseURL := fs.String("base-url", "", "where the files are downloaded from; each file's name is appended")
	notesFile := fs.String("notes", "", "a text file with the release notes")
	out := fs.String("out", "latest.json", "the feed to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *keyFile == "" || *version == "" || *baseURL == "" || fs.NArg() == 0 {
		fs.Usage()
		return errors.New("-key, -version, -base-url and at least one PLATFORM=FILE are required")
	}
	key, err := minisign.PrivateKeyFromFile(os.Getenv("ARCHIVIST_SIGNING_PASSWORD"), *keyFile)
	if err != nil {
		return fmt.Errorf("reading the key %s: %w", *keyFile, err)
	}
	feed := update.Feed{Version: strings.TrimPrefix(*version, "v"), PubDate: time.Now().UTC().Truncate(time.Second),
		Platforms: map[string]update.Build{}}
	if *notesFile != "" {
		notes, err := os.ReadFile(*notesFile)
		if err != nil {
			return err
		}
		feed.Notes = strings.TrimSpace(string(notes))
	}
	for _, arg := range fs.Args() {
		platform, file, ok := strings.Cut(arg, "=")
		if !ok {
			return fmt.Errorf("%q is not PLATFORM=FILE", arg)
		}
		u, err := url.JoinPath(*baseURL, filepath.Base(file))
		if err != nil {
			return fmt.Errorf("-base-url: %w", err)
		}
		b, err := update.SignBuild(key, file, u, feed.Version, platform)
		if err != nil {
			return err
		}
		feed.Platforms[platform] = b
	}
	data, err := json.MarshalIndent(feed, "", "  ")
	if err != nil {
		return err
	}
	// What the updater would refuse is not published.
	if _, err := update.ParseFeed(data); err != nil {
		return err
	}
	return os.WriteFile(*out, append(data, '\n'), 0o644)
}
