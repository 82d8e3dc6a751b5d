package update

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// validFeed is a well-formed feed as a generic map, for cases to break.
func validFeed(t *testing.T, r *release) map[string]any {
	t.Helper()
	b := r.sign(r.priv, "a", program("1.1.0"), "1.1.0", testPlatform)
	raw, _ := json.Marshal(Feed{Version: "1.1.0", Notes: "notes", Platforms: map[string]Build{testPlatform: b}})
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func platformEntry(m map[string]any) map[string]any {
	return m["platforms"].(map[string]any)[testPlatform].(map[string]any)
}

func TestParseFeedRefusesHostileFeeds(t *testing.T) {
	r := newRelease(t)
	cases := []struct {
		name string
		feed func() []byte
		msg  string
	}{
		{"not json", func() []byte { return []byte("<html>502 Bad Gateway</html>") }, "not valid JSON"},
		{"array", func() []byte { return []byte("[1,2,3]") }, "not valid JSON of the expected shape"},
		{"null", func() []byte { return []byte("null") }, `version "" is not a semantic version`},
		{"huge", func() []byte {
			return append([]byte(`{"version":"1.1.0","notes":"`), bytes.Repeat([]byte("a"), maxFeedBytes)...)
		}, "larger than 1048576 bytes"},
		{"trailing data", func() []byte { return append(mustJSON(validFeed(t, r)), []byte(`{"version":"9.9.9"}`)...) }, "data after its JSON object"},
		{"version a number", func() []byte { m := validFeed(t, r); m["version"] = 2; return mustJSON(m) }, "cannot unmarshal number"},
		{"version not semver", func() []byte { m := validFeed(t, r); m["version"] = "latest"; return mustJSON(m) }, `version "latest" is not a semantic version`},
		{"version two parts", func() []byte { m := validFeed(t, r); m["version"] = "1.2"; return mustJSON(m) }, "is not a semantic version"},
		{"notes an object", func() []byte { m := validFeed(t, r); m["notes"] = map[string]any{"a": 1}; return mustJSON(m) }, "cannot unmarshal object"},
		{"notes too long", func() []byte {
			m := validFeed(t, r)
			m["notes"] = strings.Repeat("n", maxNotesBytes+1)
			return mustJSON(m)
		}, "notes are longer than 65536 bytes"},
		{"pub_date not a date", func() []byte { m := validFeed(t, r); m["pub_date"] = "yesterday"; return mustJSON(m) }, "cannot parse"},
		{"no platforms", func() []byte { m := validFeed(t, r); delete(m, "platforms"); return mustJSON(m) }, "no platforms"},
		{"platforms a list", func() []byte { m := validFeed(t, r); m["platforms"] = []any{1}; return mustJSON(m) }, "cannot unmarshal array"},
		{"platform name", func() []byte {
			m := validFeed(t, r)
			m["platforms"] = map[string]any{"../../etc": platformEntry(m)}
			return mustJSON(m)
		}, `platform "../../etc" is not GOOS-GOARCH`},
		{"too many platforms", func() []byte {
			m := validFeed(t, r)
			ps := map[string]any{}
			for i := range maxPlatforms + 1 {
				ps["linux-arch"+string(rune('a'+i%26))+string(rune('a'+i/26))] = platformEntry(m)
			}
			m["platforms"] = ps
			return mustJSON(m)
		}, "more than 64 platforms"},
		{"size a string", func() []byte { m := validFeed(t, r); platformEntry(m)["size"] = "31"; return mustJSON(m) }, "cannot unmarshal string into Go struct field Build.platforms.size of type int64"},
		{"size negative", func() []byte { m := validFeed(t, r); platformEntry(m)["size"] = -1; return mustJSON(m) }, "size -1 is outside 1..1073741824"},
		{"size huge", func() []byte {
			m := validFeed(t, r)
			platformEntry(m)["size"] = int64(MaxBuildSize) + 1
			return mustJSON(m)
		}, "size 1073741825 is outside"},
		{"sha256 short", func() []byte { m := validFeed(t, r); platformEntry(m)["sha256"] = "abcd"; return mustJSON(m) }, `sha256 "abcd" is not 64 hex digits`},
		{"url plain http", func() []byte {
			m := validFeed(t, r)
			platformEntry(m)["url"] = "http://example.com/archivist"
			return mustJSON(m)
		}, "platform linux-amd64: url: \"http://example.com/archivist\": plain http is allowed only to this machine"},
		{"url javascript", func() []byte {
			m := validFeed(t, r)
			platformEntry(m)["url"] = "javascript:alert(1)"
			return mustJSON(m)
		}, "url:"},
		{"signature garbage", func() []byte { m := validFeed(t, r); platformEntry(m)["signature"] = "hello"; return mustJSON(m) }, "signature: minisign: invalid signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFeed(tc.feed())
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("ParseFeed: %v, want %q", err, tc.msg)
			}
		})
	}
	if _, err := ParseFeed(mustJSON(validFeed(t, r))); err != nil {
		t.Fatalf("the valid feed: %v", err)
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Through the service: a bad feed is an error in the state, and what an
// earlier good check found stays.
func TestCheckBadFeedKeepsWhatWasKnown(t *testing.T) {
	r := newRelease(t)
	r.publish("1.1.0")
	in := newInstall(t, "1.0.0")
	s := newService(t, r, in, "1.0.0")
	if _, err := s.Check(ctx(t)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		handle func(w http.ResponseWriter, req *http.Request) bool
		msg    string
	}{
		{"wrong types", func(w http.ResponseWriter, req *http.Request) bool {
			w.Write([]byte(`{"version": ["1.2.0"]}`))
			return true
		}, "the release feed is not valid JSON of the expected shape"},
		{"endless", func(w http.ResponseWriter, req *http.Request) bool {
			// No Content-Length: the limit is found while reading.
			chunk := bytes.Repeat([]byte(" "), 64<<10)
			for range 64 {
				if _, err := w.Write(chunk); err != nil {
					break
				}
			}
			return true
		}, "larger than 1048576 bytes"},
		{"declared huge", func(w http.ResponseWriter, req *http.Request) bool {
			w.Header().Set("Content-Length", "5000000000")
			w.WriteHeader(http.StatusOK)
			return true
		}, "larger than 1048576 bytes (5000000000)"},
		{"server error", func(w http.ResponseWriter, req *http.Request) bool {
			http.Error(w, "boom", http.StatusInternalServerError)
			return true
		}, "500 Internal Server Error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.setHandle(tc.handle)
			st, err := s.Check(ctx(t))
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("check: %v, want %q", err, tc.msg)
			}
			if st.Error != err.Error() || st.Checking || !st.Available || st.Latest.Version != "1.1.0" {
				t.Fatalf("state: %+v", st)
			}
			in.assertUntouched(t, "1.0.0")
		})
	}
}
