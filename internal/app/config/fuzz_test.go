package config

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzParse: a config.toml of any content — a hand edit gone wrong, a
// damaged disk — never panics the loader; what is refused comes with at
// least one problem to show; what is accepted validates, and survives
// Encode and a second parse unchanged (what Save would write is what was
// read).
func FuzzParse(f *testing.F) {
	def := Default("/data/node")
	enc, err := Encode(def)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(enc)
	f.Add([]byte(""))
	f.Add([]byte("theme = \"dark\"\n[node]\napi_port = 9080\n"))
	f.Add([]byte("[[backup_server.source_peers]]\nhost = \"nas\"\n[[backup_server.source_peers]]\nnickname = \"x\"\nmanifest_port = 0\n"))
	f.Add([]byte("[node]\napi_port = 99999999999999999999\n"))
	f.Add([]byte("[node\n"))
	f.Add([]byte("a.b.c.d = 1\n"))
	f.Add([]byte("theme = \"\x00\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, problems, err := parse(data, def)
		if err != nil {
			if len(problems) == 0 {
				t.Fatalf("refused without a problem to show: %v", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted an invalid config: %v", err)
		}
		out, err := Encode(c)
		if err != nil {
			t.Fatalf("accepted config does not encode: %v", err)
		}
		again, _, err := parse(out, def)
		var ve *ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("encoded config does not parse: %v\n%s", err, out)
		}
		if err == nil && !reflect.DeepEqual(again, c) {
			t.Fatalf("round trip changed the config\n%+v\n%+v\n%s", c, again, out)
		}
	})
}
